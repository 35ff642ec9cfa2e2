// Structural comparison of expressions (see expr.h).
#include "compiler/diff/expr.h"

#include <algorithm>
#include <set>

namespace polc::diff {

namespace {

using ast::Expr;
using ast::ExprKind;

// "0012.500" -> "12.5"; the digits of a number literal with an optional fraction.
std::string NormalizeDecimal(std::string digits) {
  size_t dot = digits.find('.');
  std::string whole = dot == std::string::npos ? digits : digits.substr(0, dot);
  std::string frac = dot == std::string::npos ? "" : digits.substr(dot + 1);
  while (!frac.empty() && frac.back() == '0') frac.pop_back();
  size_t nz = whole.find_first_not_of('0');
  whole = nz == std::string::npos ? "0" : whole.substr(nz);
  return frac.empty() ? whole : whole + "." + frac;
}

// Multiplies a decimal spelling by 10^4 (万).
std::string TimesWan(const std::string& digits) {
  size_t dot = digits.find('.');
  std::string whole = dot == std::string::npos ? digits : digits.substr(0, dot);
  std::string frac = dot == std::string::npos ? "" : digits.substr(dot + 1);
  frac.resize(std::max<size_t>(frac.size(), 4), '0');
  return whole + frac.substr(0, 4) + "." + frac.substr(4);
}

int Lookup(const std::vector<std::string>& names, const std::string& name) {
  for (size_t i = names.size(); i-- > 0;)
    if (names[i] == name) return static_cast<int>(i);
  return -1;
}

std::set<std::string> WordSet(const std::vector<ast::Ident>& words) {
  std::set<std::string> out;
  for (const ast::Ident& w : words) out.insert(w.name);
  return out;
}

// The arm of a match that covers each word set; the `else` arm has the empty set.
const ast::MatchArm* FindArm(const Expr& match, const std::set<std::string>& words) {
  for (const ast::MatchArm& arm : match.arms)
    if (WordSet(arm.words) == words) return &arm;
  return nullptr;
}

// The node itself, without its operands: kind, spelling, operator.
bool SameHead(const Expr& a, const Expr& b, const Locals& locals) {
  if (a.kind != b.kind) {
    const std::string ka = LiteralKey(a), kb = LiteralKey(b);
    return !ka.empty() && ka == kb;
  }
  switch (a.kind) {
    case ExprKind::Int:
    case ExprKind::Decimal:
    case ExprKind::Wan:
    case ExprKind::Percent: return LiteralKey(a) == LiteralKey(b);
    case ExprKind::Name: {
      const int da = Lookup(locals.old_names, a.text), db = Lookup(locals.new_names, b.text);
      if (da >= 0 || db >= 0) return da == db;
      return a.text == b.text;
    }
    case ExprKind::Set: return WordSet(a.words) == WordSet(b.words);
    case ExprKind::Let: break;  // the bound name does not matter
    case ExprKind::Match: {
      if (a.arms.size() != b.arms.size()) return false;
      for (const ast::MatchArm& arm : a.arms)
        if (!FindArm(b, WordSet(arm.words))) return false;
      break;
    }
    default:
      if (a.text != b.text) return false;
  }
  return a.text2 == b.text2 && a.negated == b.negated && a.args.size() == b.args.size();
}

// The operand pairs of two nodes with the same head, each with whether it sits under the
// node's let binding.
struct Operand {
  const Expr* a;
  const Expr* b;
  bool bound;
};

std::vector<Operand> Operands(const Expr& a, const Expr& b) {
  std::vector<Operand> out;
  for (size_t i = 0; i < a.args.size(); ++i)
    out.push_back({a.args[i].get(), b.args[i].get(), a.kind == ExprKind::Let && i == 1});
  for (const ast::MatchArm& arm : a.arms)
    out.push_back({arm.value.get(), FindArm(b, WordSet(arm.words))->value.get(), false});
  return out;
}

}  // namespace

std::string LiteralKey(const Expr& e) {
  switch (e.kind) {
    case ExprKind::Int:
    case ExprKind::Decimal: return "n" + NormalizeDecimal(e.text);
    case ExprKind::Wan: return "n" + NormalizeDecimal(TimesWan(e.text.substr(0, e.text.size() - 3)));
    case ExprKind::Percent: return "p" + NormalizeDecimal(e.text.substr(0, e.text.size() - 1));
    default: return "";
  }
}

bool SameExpr(const Expr& a, const Expr& b, Locals& locals) {
  if (!SameHead(a, b, locals)) return false;
  for (const Operand& op : Operands(a, b)) {
    if (op.bound) locals.Push(a.text, b.text);
    const bool same = SameExpr(*op.a, *op.b, locals);
    if (op.bound) locals.Pop();
    if (!same) return false;
  }
  return true;
}

bool SameOptExpr(const ast::ExprPtr& a, const ast::ExprPtr& b, Locals& locals) {
  if (!a || !b) return !a && !b;
  return SameExpr(*a, *b, locals);
}

std::optional<ExprDelta> SmallestDifference(const Expr& a, const Expr& b, Locals& locals) {
  if (!SameHead(a, b, locals)) return ExprDelta{&a, &b};
  const Operand* differing = nullptr;
  size_t count = 0;
  std::vector<Operand> operands = Operands(a, b);
  for (const Operand& op : operands) {
    if (op.bound) locals.Push(a.text, b.text);
    const bool same = SameExpr(*op.a, *op.b, locals);
    if (op.bound) locals.Pop();
    if (!same) {
      differing = &op;
      ++count;
    }
  }
  if (count == 0) return std::nullopt;
  if (count > 1) return ExprDelta{&a, &b};
  if (differing->bound) locals.Push(a.text, b.text);
  std::optional<ExprDelta> inner = SmallestDifference(*differing->a, *differing->b, locals);
  if (differing->bound) locals.Pop();
  return inner;
}

void ReferencedNames(const Expr& e, std::vector<std::string>& locals, std::vector<std::string>& names) {
  if (e.kind == ExprKind::Name && Lookup(locals, e.text) < 0) names.push_back(e.text);
  if (e.kind == ExprKind::Call) names.push_back(e.text);
  for (size_t i = 0; i < e.args.size(); ++i) {
    const bool bound = e.kind == ExprKind::Let && i == 1;
    if (bound) locals.push_back(e.text);
    ReferencedNames(*e.args[i], locals, names);
    if (bound) locals.pop_back();
  }
  for (const ast::MatchArm& arm : e.arms) ReferencedNames(*arm.value, locals, names);
}

}  // namespace polc::diff
