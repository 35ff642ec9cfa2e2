// Shared pieces of the settling commands (see session.h).
#include "compiler/driver/session.h"

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

std::unique_ptr<Engine> MakeEngine(const ir::Program& program, const std::string& name,
                                   std::ostream& err) {
  auto engine = std::make_unique<Engine>();
  engine->interp = std::make_unique<interp::Interpreter>(program);
  engine->settle = engine->interp->AsSettleFn();
  if (name == "jit") {
    try {
      engine->settle = jit::MakeNativeSettleFn(program, jit::EngineOptions{});
    } catch (const interp::EvalError& e) {
      // A JIT failure on a checked program is a bug in the JIT; the run can still be right.
      err << "polc: the JIT cannot compile this policy (" << e.what() << "); using the interpreter\n";
    }
  }
  return engine;
}

bool LoadInputs(interp::Interpreter& interp, const std::string& subject_path,
                const std::string& event_path, interp::Inputs& inputs, std::ostream& err) {
  interp::InputErrors errors;
  if (interp::ReadInputs(interp, subject_path, event_path, inputs, errors)) return true;
  err << errors.Render();
  return false;
}

}  // namespace polc::driver
