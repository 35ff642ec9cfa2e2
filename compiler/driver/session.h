// What the settling commands (run, explain, test, summary) share: compiling a policy with its
// diagnostics printed on failure, the --engine choice, and reading the two input files.
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "compiler/diag/stack.h"
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
  // With optimize: -O2 only when its object is in the cache, else the fast unoptimized compile
  // (inputs too small for -O2's compile time to pay off: OptimizeFor).
  bool optimize_only_if_cached = false;
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
// The settlers of `config`, compiled on a thread of their own while the caller reads the
// inputs through Checker() (the interpreter, made at once): a cold -O2 compile costs about as
// much as reading a few megabytes, so most of it is hidden. Wait() gives the settlers (with the
// interpreter's in place of a JIT that cannot compile, its note printed to `err`); it rethrows
// what MakeSettlers throws. The destructor waits as well.
class BackgroundSettlers {
 public:
  BackgroundSettlers(const ir::Program& program, const EngineConfig& config);
  ~BackgroundSettlers();
  BackgroundSettlers(const BackgroundSettlers&) = delete;  // the thread holds `this`
  BackgroundSettlers& operator=(const BackgroundSettlers&) = delete;
  interp::Interpreter& Checker() { return *settlers_->interp; }
  Settlers& Wait(std::ostream& err);

 private:
  const ir::Program& program_;
  EngineConfig config_;
  std::unique_ptr<Settlers> settlers_;
  std::string jit_failure_;
  std::unique_ptr<LargeStackThread> compiling_;
  bool waited_ = false;
};

// Whether inputs of `input_bytes` are worth an -O2 compile when its object is not cached. It
// costs about 120 ms more than the unoptimized compile (160 against 40 ms of CPU) and its code
// saves about 220 ns a claim (docs/performance.md, section 3): the reading (about 110 MB/s a
// thread) hides it on a free core from about 16 MB of input, and the faster code wins it back
// from about 60 MB even without one. Below kOptimizeFromBytes,
// EngineConfig::optimize_only_if_cached is set, so a cached -O2 object is still used.
inline constexpr uint64_t kOptimizeFromBytes = uint64_t{16} << 20;
bool OptimizeFor(uint64_t input_bytes);

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
