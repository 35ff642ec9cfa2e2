// Check: AST -> checked IR. Resolves names, checks types and units, table exhaustiveness,
// bracket continuity, cycles and stages, and loads tables from CSV files beside the policy.
#pragma once

#include <string>

#include "compiler/ast/ast.h"
#include "compiler/diag/diagnostics.h"
#include "compiler/ir/ir.h"

namespace polc {

// Fills `program` from `module`; reports every problem into `sink`. `base_dir` is where
// CSV tables named by the policy are looked up. Returns true when there are no errors.
bool Check(const ast::Module& module, const std::string& base_dir, DiagnosticSink& sink,
           ir::Program& program);

}  // namespace polc
