// What the settling commands (run, explain, test, summary) share: compiling a policy with its
// diagnostics printed on failure, the --engine choice, and reading the two input files.
#pragma once

#include <memory>
#include <ostream>
#include <string>

#include <CLI/CLI.hpp>

#include "compiler/driver/compile.h"
#include "compiler/interp/interp.h"

namespace polc::driver {

// Compiles `path`; on errors prints the rendered diagnostics to `err` and returns null.
std::unique_ptr<Compilation> LoadPolicy(const std::string& path, std::ostream& err);

// `--engine jit|interp`, defaulting to jit.
void AddEngineOption(CLI::App& command, std::string& engine);

// What a command settles with. The interpreter always exists: it checks the inputs'
// requirements and explains; `settle` is the engine chosen by --engine.
struct Engine {
  std::unique_ptr<interp::Interpreter> interp;
  interp::SettleFn settle;
};
// `name` is jit or interp. When the JIT cannot compile the program, a one-line note goes to
// `err` and the interpreter settles (both engines give identical results). Throws
// interp::EvalError when the parameters cannot be computed.
std::unique_ptr<Engine> MakeEngine(const ir::Program& program, const std::string& name,
                                   std::ostream& err);

// Reads both inputs for `interp`'s program; prints `file:line: ...` errors to `err` on failure.
bool LoadInputs(interp::Interpreter& interp, const std::string& subject_path,
                const std::string& event_path, interp::Inputs& inputs, std::ostream& err);

}  // namespace polc::driver
