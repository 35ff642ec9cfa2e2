// `polc --emit=ast|ir|llvm FILE`: prints one stage of the pipeline, in pipeline order (the
// AST needs only the parser; the IR and the LLVM module need a file that checks).
#include <iostream>

#include "compiler/ast/print.h"
#include "compiler/diag/stack.h"
#include "compiler/driver/commands.h"
#include "compiler/driver/compile.h"
#include "compiler/interp/interp.h"
#include "compiler/jit/engine.h"
#include "compiler/parse/parse.h"

namespace polc::driver {

namespace {

int EmitAst(const std::string& path) {
  std::string text, error;
  if (!ReadFile(path, text, error, ParseLimits{}.max_file_bytes)) {
    std::cerr << fmt::format("{}: error: {}\n", path, error);
    return 1;
  }
  SourceFile source(path, std::move(text));
  DiagnosticSink sink;
  sink.AddSource(&source);
  std::string dump;
  bool parsed = false;
  // Deep operator chains give a deep AST; dumping and freeing it recurse once per level.
  RunOnLargeStack([&] {
    std::unique_ptr<ast::Module> module = Parse(source, sink);
    if (!module) return;
    dump = ast::DumpAst(*module);
    parsed = true;
  });
  std::cerr << sink.Render();
  if (!parsed) return 1;
  std::cout << dump;
  return 0;
}

// The IR, or with `llvm` the module the JIT compiles from it.
int EmitLowered(const std::string& path, bool llvm, bool optimize) {
  std::unique_ptr<Compilation> c = CompileFile(path);
  std::cerr << c->diagnostics.Render();  // warnings too, when it checks
  if (!c->ok) return 1;
  std::string listing, error;
  bool ok = true;
  RunOnLargeStack([&] {
    if (!llvm) {
      listing = ir::Print(c->program);
      return;
    }
    jit::EngineOptions options;
    options.params = interp::ComputeParams(c->program);
    options.optimize = optimize;
    ok = jit::EmitLlvm(c->program, options, listing, error);
  });
  if (!ok) {
    std::cerr << fmt::format("polc: {}\n", error);
    return 1;
  }
  std::cout << listing;
  return 0;
}

}  // namespace

int Emit(const std::string& stage, const std::string& file, bool optimize) {
  if (stage == "ast") return EmitAst(file);
  if (stage == "ir" || stage == "llvm") return EmitLowered(file, stage == "llvm", optimize);
  std::cerr << fmt::format("polc: unknown stage '{}' for --emit (ast, ir, llvm)\n", stage);
  return 2;
}

}  // namespace polc::driver
