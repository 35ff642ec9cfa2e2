// What the settling commands (run, explain, test, summary) share: compiling a policy with its
// diagnostics printed on failure, the --engine choice, and reading the two input files.
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "compiler/driver/compile.h"
#include "compiler/interp/interp.h"
#include "compiler/settle/inputs.h"
#include "compiler/settle/seam.h"

namespace polc::driver {

// Compiles `path`; on errors prints the rendered diagnostics to `err` and returns null.
std::unique_ptr<Compilation> LoadPolicy(const std::string& path, std::ostream& err);

// `--engine jit|interp`, defaulting to jit.
void AddEngineOption(CLI::App& command, std::string& engine);

// How a command wants to settle.
struct EngineConfig {
  std::string name = "jit";  // jit or interp
  int threads = 1;           // independent settlers, one per thread
  bool optimize = true;      // the JIT's -O2 pipeline; false: the fast unoptimized one
  std::string cache_dir;     // the JIT's object cache; empty: none
};

// What a command settles with (not to be confused with jit::Engine, the compiled code). The
// interpreter always exists: it checks the inputs' requirements and explains. `settlers` holds
// config.threads independent settlers of the engine chosen by --engine (they share the
// compiled code, not their state); `settle` is the first of them.
struct Settlers {
  std::unique_ptr<interp::Interpreter> interp;
  std::vector<std::unique_ptr<interp::Interpreter>> more_interps;  // behind settlers[1..]
  std::vector<settle::SettleFn> settlers;
  settle::SettleFn settle;
};
// When the JIT cannot compile the program, a one-line note goes to `err` and the interpreter
// settles (both engines give identical results). Throws settle::EvalError when the
// parameters cannot be computed.
std::unique_ptr<Settlers> MakeSettlers(const ir::Program& program, const EngineConfig& config,
                                       std::ostream& err);
// One settler, unoptimized and uncached: for tests and commands where compile time matters
// more than speed.
std::unique_ptr<Settlers> MakeSettlers(const ir::Program& program, const std::string& name,
                                       std::ostream& err);

// `--threads N` (default: every core) and `--no-cache`, for commands that settle populations.
void AddSpeedOptions(CLI::App& command, int& threads, bool& no_cache);
// The config of those options: -O2, and the cache in jit::DefaultCacheDir() unless no_cache.
EngineConfig SpeedConfig(const std::string& engine, int threads, bool no_cache);

// Reads both inputs for `interp`'s program; prints `file:line: ...` errors to `err` on failure.
// `threads` parse a large file in parts (the same inputs and errors for any count).
bool LoadInputs(interp::Interpreter& interp, const std::string& subject_path,
                const std::string& event_path, settle::Inputs& inputs, std::ostream& err,
                int threads = 1);

}  // namespace polc::driver
