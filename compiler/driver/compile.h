// Compile: load a policy file, parse it and check it into the IR, collecting diagnostics.
#pragma once

#include <memory>
#include <string>

#include "compiler/ast/ast.h"
#include "compiler/diag/diagnostics.h"
#include "compiler/ir/ir.h"

namespace polc::driver {

struct Compilation {
  std::unique_ptr<SourceFile> source;
  std::unique_ptr<ast::Module> module;  // null when the file did not parse
  ir::Program program;                  // complete only when ok
  DiagnosticSink diagnostics;
  bool ok = false;                      // parsed and checked without errors
};

// Loads, parses and checks one policy file. Runs on a large stack (see diag/stack.h).
// Never throws for bad input: every problem becomes a diagnostic.
std::unique_ptr<Compilation> CompileFile(const std::string& path);
// The same for text already in memory (tests); `name` is used in diagnostics and to find
// CSV tables named by the policy (relative to the name's directory).
std::unique_ptr<Compilation> CompileText(const std::string& name, std::string text);

}  // namespace polc::driver
