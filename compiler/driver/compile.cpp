// Compile: the front end as one call, run on a large stack so deep nesting cannot overflow.
#include "compiler/driver/compile.h"

#include <filesystem>

#include "compiler/check/check.h"
#include "compiler/diag/stack.h"
#include "compiler/parse/parse.h"

namespace polc::driver {

std::unique_ptr<Compilation> CompileText(const std::string& name, std::string text) {
  auto c = std::make_unique<Compilation>();
  c->source = std::make_unique<SourceFile>(name, std::move(text));
  c->diagnostics.AddSource(c->source.get());
  RunOnLargeStack([&] {
    c->module = Parse(*c->source, c->diagnostics);
    if (!c->module) return;
    std::string dir = std::filesystem::path(name).parent_path().string();
    c->ok = Check(*c->module, dir.empty() ? "." : dir, c->diagnostics, c->program);
  });
  return c;
}

std::unique_ptr<Compilation> CompileFile(const std::string& path) {
  std::string text, error;
  bool too_large = false;
  // Limited before reading: a policy on /dev/zero or a FIFO is refused, not read without end.
  if (!ReadFile(path, text, error, ParseLimits{}.max_file_bytes, &too_large)) {
    auto c = std::make_unique<Compilation>();
    c->diagnostics.Report(too_large ? DiagKind::FileTooLarge : DiagKind::SyntaxError, path, SourceRange{}, error);
    return c;
  }
  return CompileText(path, std::move(text));
}

}  // namespace polc::driver
