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
// When the header's `source` names an existing file (relative to `base_dir`), the cites are
// checked against it (CheckCites).
bool Check(const ast::Module& module, const std::string& base_dir, DiagnosticSink& sink,
           ir::Program& program);

// Checks every cite of `module` against `source_text`, the notice it quotes (`source_name` in
// messages): a cite not found, ignoring whitespace and full-/half-width punctuation with `……`
// as a gap, is a CiteNotInSource warning naming the closest passage; `[reading]` cites are
// exempt (cites.cpp).
void CheckCites(const ast::Module& module, const std::string& source_name, const std::string& source_text,
                DiagnosticSink& sink);

// The path of the file a header's `source` names, relative to `base_dir`; "" when it names none.
std::string CiteSourceFile(const std::string& header_source, const std::string& base_dir);

}  // namespace polc
