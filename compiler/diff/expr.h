// Structural comparison of two expressions, the core of `polc diff`: source ranges, spelling of
// literals (3万 = 30000, 400 = 400.00), the order of words in a set or a match arm, the order of
// match arms and the names of let-bound variables and function parameters do not count.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "compiler/ast/ast.h"

namespace polc::diff {

// Local names in scope on each side, innermost last: a let variable or a function parameter.
// Two locals are the same when they were bound at the same depth (alpha-renaming).
struct Locals {
  std::vector<std::string> old_names, new_names;
  void Push(const std::string& old_name, const std::string& new_name) {
    old_names.push_back(old_name);
    new_names.push_back(new_name);
  }
  void Pop() {
    old_names.pop_back();
    new_names.pop_back();
  }
};

// The smallest pair of sub-expressions that contains every difference between two
// expressions: where only one operand differs, the comparison goes down into it.
struct ExprDelta {
  const ast::Expr* old_expr = nullptr;
  const ast::Expr* new_expr = nullptr;
};

bool SameExpr(const ast::Expr& a, const ast::Expr& b, Locals& locals);
// nullopt when the two are the same.
std::optional<ExprDelta> SmallestDifference(const ast::Expr& a, const ast::Expr& b, Locals& locals);

// Both null or the same; one null is a difference.
bool SameOptExpr(const ast::ExprPtr& a, const ast::ExprPtr& b, Locals& locals);

// A literal's meaning as text: numbers in yuan without trailing zeros ("3万" and "30000" give
// "n30000"), rates in percent ("p85"). Empty for anything that is not a number or a rate.
std::string LiteralKey(const ast::Expr& e);

// Every name an expression refers to that is not a local (rules, parameters, tables, sets,
// brackets, functions, accumulators, fields), added to `names`.
void ReferencedNames(const ast::Expr& e, std::vector<std::string>& locals, std::vector<std::string>& names);

}  // namespace polc::diff
