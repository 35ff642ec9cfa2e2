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

namespace {

// The JIT's settlers of `config` into `engine`, or the reason it cannot compile in `failure`.
void CompileSettlers(const ir::Program& program, const EngineConfig& config, Settlers& engine,
                     std::string& failure) {
  if (config.name != "jit") return;
  try {
    jit::EngineOptions options;
    options.optimize = config.optimize;
    options.optimize_only_if_cached = config.optimize_only_if_cached;
    options.cache_dir = config.cache_dir;
    options.params = interp::ComputeParams(program);
    engine.settlers = jit::MakeNativeSettleFns(program, options, std::max(config.threads, 1));
  } catch (const settle::EvalError& e) {
    failure = e.what();
  }
}

// After CompileSettlers: the note of a JIT failure, and the interpreters in place of the JIT.
void FinishSettlers(const ir::Program& program, const EngineConfig& config, Settlers& engine,
                    const std::string& failure, std::ostream& err) {
  // A JIT failure on a checked program is a bug in the JIT; the run can still be right.
  if (!failure.empty()) err << "polc: the JIT cannot compile this policy (" << failure << "); using the interpreter\n";
  if (engine.settlers.empty()) {
    engine.settlers.push_back(engine.interp->AsSettleFn());
    for (int t = 1; t < std::max(config.threads, 1); ++t) {
      engine.more_interps.push_back(std::make_unique<interp::Interpreter>(program));
      engine.settlers.push_back(engine.more_interps.back()->AsSettleFn());
    }
  }
  engine.settle = engine.settlers.front();
}

}  // namespace

std::unique_ptr<Settlers> MakeSettlers(const ir::Program& program, const EngineConfig& config,
                                       std::ostream& err) {
  auto engine = std::make_unique<Settlers>();
  engine->interp = std::make_unique<interp::Interpreter>(program);
  std::string failure;
  CompileSettlers(program, config, *engine, failure);
  FinishSettlers(program, config, *engine, failure, err);
  return engine;
}

BackgroundSettlers::BackgroundSettlers(const ir::Program& program, const EngineConfig& config)
    : program_(program), config_(config), settlers_(std::make_unique<Settlers>()) {
  settlers_->interp = std::make_unique<interp::Interpreter>(program);
  if (config_.name == "jit") {
    compiling_ = std::make_unique<LargeStackThread>(
        [this] { CompileSettlers(program_, config_, *settlers_, jit_failure_); });
  }
}

BackgroundSettlers::~BackgroundSettlers() = default;

Settlers& BackgroundSettlers::Wait(std::ostream& err) {
  if (!waited_) {
    if (compiling_ != nullptr) compiling_->Join();
    waited_ = true;
    FinishSettlers(program_, config_, *settlers_, jit_failure_, err);
  }
  return *settlers_;
}

bool OptimizeFor(uint64_t input_bytes) { return input_bytes >= kOptimizeFromBytes; }

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
