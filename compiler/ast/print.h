// Printers for the AST: the canonical formatter behind `polc fmt`, the tree dump behind
// `polc --emit=ast`, and structural equality for the print -> re-parse round trip.
//
// Comments are not part of the AST, so PrintSource drops them; `polc fmt` goes through
// compiler/parse/format.h, which puts them back. Input records lose the
// interleaving of fields and `require` items: the AST keeps them in two lists, so the printer
// writes every field first, then every requirement.
#pragma once

#include <string>

#include "compiler/ast/ast.h"

namespace polc::ast {

// The module as policy-language source in one fixed style: 2-space indent, one blank line
// between declarations, table rows aligned, strings re-escaped, and only the parentheses the
// grammar's precedence needs (let/if lowest, then or, and, not, comparison/in, + -, *,
// unary -, postfix). Parsing the result gives the same AST (see SameAst).
std::string PrintSource(const Module& module);

// One declaration, or one expression whose continuation lines are indented by `indent`, in
// the same style (polc diff shows definitions and sub-expressions this way).
std::string PrintDecl(const Decl& decl);
std::string PrintExpr(const Expr& expr, size_t indent = 0);

// An indented tree: node kinds, names, literal spellings and `line:col-line:col` ranges.
std::string DumpAst(const Module& module);

// Structural equality ignoring source ranges and the file name. On a difference, writes a
// path to the first differing node and what differs into `first_difference` (when not null).
bool SameAst(const Module& a, const Module& b, std::string* first_difference);

}  // namespace polc::ast
