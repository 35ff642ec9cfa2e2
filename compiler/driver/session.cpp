// Shared pieces of the settling commands (see session.h).
#include "compiler/driver/session.h"

#include <algorithm>
#include <thread>

#include "compiler/io/read_inputs.h"
#include "compiler/jit/native.h"

namespace polc::driver {

std::unique_ptr<Compilation> LoadPolicy(const std::string& path, std::ostream& err) {
  std::unique_ptr<Compilation> c = CompileFile(path);
  if (c->ok) return c;
  err << c->diagnostics.Render();
  return nullptr;
}

void AddEngineOption(CLI::App& command, std::string& engine) {
  command.add_option("--engine", engine, "jit (default) or interp; both give identical results")
      ->check(CLI::IsMember({"jit", "interp"}));
}

std::unique_ptr<Settlers> MakeSettlers(const ir::Program& program, const EngineConfig& config,
                                       std::ostream& err) {
  const int threads = std::max(config.threads, 1);
  auto engine = std::make_unique<Settlers>();
  engine->interp = std::make_unique<interp::Interpreter>(program);
  if (config.name == "jit") {
    try {
      jit::EngineOptions options;
      options.optimize = config.optimize;
      options.cache_dir = config.cache_dir;
      options.params = interp::ComputeParams(program);
      engine->settlers = jit::MakeNativeSettleFns(program, options, threads);
    } catch (const settle::EvalError& e) {
      // A JIT failure on a checked program is a bug in the JIT; the run can still be right.
      err << "polc: the JIT cannot compile this policy (" << e.what() << "); using the interpreter\n";
    }
  }
  if (engine->settlers.empty()) {
    engine->settlers.push_back(engine->interp->AsSettleFn());
    for (int t = 1; t < threads; ++t) {
      engine->more_interps.push_back(std::make_unique<interp::Interpreter>(program));
      engine->settlers.push_back(engine->more_interps.back()->AsSettleFn());
    }
  }
  engine->settle = engine->settlers.front();
  return engine;
}

std::unique_ptr<Settlers> MakeSettlers(const ir::Program& program, const std::string& name,
                                       std::ostream& err) {
  EngineConfig config;
  config.name = name;
  config.optimize = false;
  return MakeSettlers(program, config, err);
}

void AddSpeedOptions(CLI::App& command, int& threads, bool& no_cache) {
  threads = static_cast<int>(std::max(std::thread::hardware_concurrency(), 1u));
  command.add_option("--threads", threads, "settling threads (default: every core); any number gives the same output")
      ->check(CLI::Range(1, 256));
  command.add_flag("--no-cache", no_cache,
                   "compile the policy afresh, without the JIT's object cache ($XDG_CACHE_HOME/polc)");
}

EngineConfig SpeedConfig(const std::string& engine, int threads, bool no_cache) {
  EngineConfig config;
  config.name = engine;
  config.threads = threads;
  config.cache_dir = no_cache ? "" : jit::DefaultCacheDir();
  return config;
}

bool LoadInputs(interp::Interpreter& interp, const std::string& subject_path,
                const std::string& event_path, settle::Inputs& inputs, std::ostream& err,
                int threads) {
  settle::InputErrors errors;
  io::ReadOptions options;
  options.threads = threads;
  if (io::ReadInputs(interp, subject_path, event_path, inputs, errors, options)) return true;
  err << errors.Render();
  return false;
}

}  // namespace polc::driver
