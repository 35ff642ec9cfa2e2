// Comparing the declarations that compute: parameters, rules (default and exceptions, matched
// by label, in order), functions (parameters renamed freely) and accumulators.
#include <fmt/format.h>

#include "compiler/ast/print.h"
#include "compiler/diff/differ.h"

namespace polc::diff {

namespace {

std::string TypeText(const ast::TypeRef& t) { return t.name.name + (t.optional ? "?" : ""); }

// An exception's identity: its label, or its position among the rule's exceptions.
std::string ExceptionKey(const ast::RuleDecl& r, size_t i) {
  return r.exceptions[i].label ? r.exceptions[i].label->name : fmt::format("#{}", i + 1);
}

std::string ShowException(const ast::ExceptionClause& ex) {
  return "exception" + (ex.label ? " " + ex.label->name : "") + " when " + ast::PrintExpr(*ex.condition) +
         " = " + ast::PrintExpr(*ex.value, 4);
}

}  // namespace

void Differ::Param(const ast::ParamDecl& a, const ast::ParamDecl& b) {
  BeginClause();
  TextChange("type", TypeText(a.type), TypeText(b.type), LineOf(a.type.range), LineOf(b.type.range));
  Locals locals;
  ExprChange("value", *a.value, *b.value, locals);
  EndClause("cite", a.cite, b.cite, LineOf(a.range), LineOf(b.range));
}

void Differ::Rule(const ast::RuleDecl& a, const ast::RuleDecl& b) {
  TextChange("type", TypeText(a.type), TypeText(b.type), LineOf(a.type.range), LineOf(b.type.range));
  BeginClause();
  Locals locals;
  ExprChange("default", *a.value, *b.value, locals);
  EndClause("cite", a.cite, b.cite, LineOf(a.value->range), LineOf(b.value->range));

  std::vector<std::string> order_a, order_b;  // the exceptions on both sides, in each side's order
  for (size_t i = 0; i < a.exceptions.size(); ++i) {
    const std::string key = ExceptionKey(a, i);
    bool found = false;
    for (size_t j = 0; j < b.exceptions.size(); ++j) found = found || ExceptionKey(b, j) == key;
    if (found) {
      order_a.push_back(key);
      continue;
    }
    const ast::ExceptionClause& ex = a.exceptions[i];
    Add(ChangeKind::Removed, "exception " + key, Present(ShowException(ex), LineOf(ex.range), ex.cite), {});
  }
  for (size_t j = 0; j < b.exceptions.size(); ++j) {
    const std::string key = ExceptionKey(b, j);
    const ast::ExceptionClause& nb = b.exceptions[j];
    const ast::ExceptionClause* na = nullptr;
    for (size_t i = 0; i < a.exceptions.size(); ++i)
      if (ExceptionKey(a, i) == key) na = &a.exceptions[i];
    if (!na) {
      Add(ChangeKind::Added, "exception " + key, {}, Present(ShowException(nb), LineOf(nb.range), nb.cite));
      continue;
    }
    order_b.push_back(key);
    BeginClause();
    ExprChange("exception " + key + ": when", *na->condition, *nb.condition, locals);
    ExprChange("exception " + key + ": value", *na->value, *nb.value, locals);
    EndClause("exception " + key + ": cite", na->cite, nb.cite, LineOf(na->range), LineOf(nb.range));
  }
  // Only the relative order of the exceptions on both sides matters (the first that holds wins).
  if (order_a != order_b) {
    auto join = [](const std::vector<std::string>& v) {
      std::string out;
      for (const std::string& s : v) out += (out.empty() ? "" : ", ") + s;
      return out;
    };
    TextChange("exception order", join(order_a), join(order_b), LineOf(a.range), LineOf(b.range));
  }
}

void Differ::Function(const ast::FunctionDecl& a, const ast::FunctionDecl& b) {
  auto signature = [](const ast::FunctionDecl& f) {
    std::string out = "(";
    for (size_t i = 0; i < f.params.size(); ++i) out += (i ? ", " : "") + TypeText(f.params[i].type);
    return out + "): " + TypeText(f.result);
  };
  BeginClause();
  TextChange("signature", signature(a), signature(b), LineOf(a.range), LineOf(b.range));
  Locals locals;
  if (a.params.size() == b.params.size()) {
    for (size_t i = 0; i < a.params.size(); ++i) locals.Push(a.params[i].name.name, b.params[i].name.name);
    ExprChange("body", *a.body, *b.body, locals);
  } else {
    Add(ChangeKind::Changed, "body", PresentExpr(*a.body), PresentExpr(*b.body));
  }
  EndClause("cite", a.cite, b.cite, LineOf(a.range), LineOf(b.range));
}

void Differ::Accumulator(const ast::AccumulatorDecl& a, const ast::AccumulatorDecl& b) {
  const uint32_t la = LineOf(a.range), lb = LineOf(b.range);
  BeginClause();
  TextChange("type", TypeText(a.type), TypeText(b.type), LineOf(a.type.range), LineOf(b.type.range));
  Locals locals;
  OptExprChange("by", a.key, b.key, la, lb, locals);
  if (a.is_count != b.is_count) {
    TextChange("sum", a.is_count ? "count" : "sum " + ast::PrintExpr(*a.value),
               b.is_count ? "count" : "sum " + ast::PrintExpr(*b.value), la, lb);
  } else {
    OptExprChange("sum", a.value, b.value, la, lb, locals);
  }
  OptExprChange("when", a.condition, b.condition, la, lb, locals);
  OptExprChange("cap", a.cap, b.cap, la, lb, locals);
  EndClause("cite", a.cite, b.cite, la, lb);
}

}  // namespace polc::diff
