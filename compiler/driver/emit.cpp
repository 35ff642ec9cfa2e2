// `polc --emit=ast|ir FILE`: prints one stage of the pipeline, in pipeline order (the
// AST needs only the parser; the IR needs a file that checks).
#include <iostream>

#include "compiler/ast/print.h"
#include "compiler/diag/stack.h"
#include "compiler/driver/commands.h"
#include "compiler/driver/compile.h"
#include "compiler/parse/parse.h"

namespace polc::driver {

namespace {

int EmitAst(const std::string& path) {
  std::string text, error;
  if (!ReadFile(path, text, error)) {
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

int EmitIr(const std::string& path) {
  std::unique_ptr<Compilation> c = CompileFile(path);
  std::cerr << c->diagnostics.Render();  // warnings too, when it checks
  if (!c->ok) return 1;
  std::string listing;
  RunOnLargeStack([&] { listing = ir::Print(c->program); });
  std::cout << listing;
  return 0;
}

}  // namespace

int Emit(const std::string& stage, const std::string& file) {
  if (stage == "ast") return EmitAst(file);
  if (stage == "ir") return EmitIr(file);
  std::cerr << fmt::format("polc: unknown stage '{}' for --emit (ast, ir)\n", stage);
  return 2;
}

}  // namespace polc::driver
