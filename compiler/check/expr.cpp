// Expression checking: the dispatch by kind of expression, and the forms that bind or branch
// (let, if, match). An expected type flows down (bidirectional checking) so that enumeration
// words, `none` and plain numbers take the type of the place they are used in.
#include "compiler/check/checker.h"
#include "compiler/check/nodes.h"

namespace polc::check {

void Deps::Merge(const Deps& o) {
  rules.insert(o.rules.begin(), o.rules.end());
  params.insert(o.params.begin(), o.params.end());
  functions.insert(o.functions.begin(), o.functions.end());
  acc_reads.insert(o.acc_reads.begin(), o.acc_reads.end());
  year_total = year_total || o.year_total;
  Raise(o.stage);
}

NodePtr Checker::ExpectType(const ast::Expr& e, Scope& scope, const Type& type) {
  NodePtr n = Expr(e, scope, &type);
  if (!n) return nullptr;
  if (!Coerce(n, type, e.range, "this value")) return nullptr;
  return n;
}

NodePtr Checker::Condition(const ast::Expr& e, Scope& scope) {
  return ExpectType(e, scope, Type{Base::Bool});
}

NodePtr Checker::Match(const ast::Expr& e, Scope& scope, const Type* expected) {
  NodePtr scrutinee = Expr(*e.args[0], scope, nullptr);
  if (!scrutinee) return nullptr;
  if (scrutinee->type.base != Base::Enum || scrutinee->type.optional) {
    Error(DiagKind::TypeMismatch, e.args[0]->range, "match needs an enumeration value, not {}",
          TypeName(scrutinee->type));
    return nullptr;
  }
  const ir::Enum& en = p_.enums[scrutinee->type.enum_id];
  auto n = Make(Op::Match, Type{}, e.range);
  n->arm_of_word.assign(en.words.size(), -1);
  int else_arm = -1;
  bool ok = true;
  std::vector<NodePtr> arms;
  for (size_t i = 0; i < e.arms.size(); ++i) {
    const ast::MatchArm& arm = e.arms[i];
    if (arm.words.empty()) {
      if (else_arm >= 0) Error(DiagKind::DuplicateDefinition, arm.range, "a second else arm");
      else_arm = static_cast<int>(i);
    }
    for (const ast::Ident& w : arm.words) {
      int idx = FindWord(scrutinee->type.enum_id, w.name);
      if (idx < 0) {
        UnknownWordError(scrutinee->type.enum_id, w.range, w.name);
        ok = false;
      } else if (n->arm_of_word[idx] >= 0) {
        Error(DiagKind::DuplicateDefinition, w.range, "'{}' is matched twice", w.name);
        ok = false;
      } else {
        n->arm_of_word[idx] = static_cast<int32_t>(i);
      }
    }
    arms.push_back(Expr(*arm.value, scope, expected));
    if (!arms.back()) ok = false;
  }
  std::string missing;
  for (size_t w = 0; w < en.words.size(); ++w) {
    if (n->arm_of_word[w] >= 0) continue;
    if (else_arm >= 0) n->arm_of_word[w] = else_arm;
    else missing += (missing.empty() ? "" : ", ") + en.words[w].name;
  }
  if (!missing.empty()) {
    Error(DiagKind::NotExhaustive, e.range, "match does not cover {} (add the words or an else arm)",
          missing);
    ok = false;
  }
  if (!ok) return nullptr;
  Type t = arms[0]->type;
  for (size_t i = 1; i < arms.size(); ++i)
    if (!Unify(arms[0], arms[i], e.arms[i].range, "match arms", t)) return nullptr;
  for (auto& arm : arms) {
    if (!Coerce(arm, t, arm->range, "this arm")) return nullptr;
  }
  n->type = t;
  n->kids.push_back(std::move(scrutinee));
  for (auto& arm : arms) n->kids.push_back(std::move(arm));
  return n;
}

NodePtr Checker::Expr(const ast::Expr& e, Scope& scope, const Type* expected) {
  using K = ast::ExprKind;
  switch (e.kind) {
    case K::Int: case K::Decimal: case K::Wan: case K::Percent: case K::Date: case K::Period:
    case K::String: case K::Bool:
      return Literal(e, expected);
    case K::Name:
      return Name(e, scope, expected);
    case K::Call:
      if (scope.const_only) {
        Error(DiagKind::NotConstant, e.range, "a constant cannot call {}", e.text);
        return nullptr;
      }
      return Call(e, scope, expected);
    case K::Field:
      return FieldAccess(e, scope);
    case K::Index:
      return Index(e, scope);
    case K::Unit: {
      NodePtr n = ExpectType(*e.args[0], scope, Type{Base::Int});
      if (!n) return nullptr;
      // `N years` is `12 N months`: 29 February + 1 year is 28 February, as + 12 months is.
      const bool years = e.text == "years";
      if (n->op == Op::Const) {  // fold, so `3 months` stays a constant
        int64_t count = n->value.a;
        if (years && __builtin_mul_overflow(count, int64_t{12}, &count)) {
          Error(DiagKind::InvalidLiteral, e.range, "{} years is too many months to count", n->value.a);
          return nullptr;
        }
        return Const(Type{Base::Duration}, e.text == "days" ? ir::Value{0, count} : ir::Value{count, 0},
                     e.range);
      }
      if (years) {
        auto twelve = Const(Type{Base::Int}, ir::Value{12, 0}, e.range);
        auto times = Make(Op::Mul, Type{Base::Int}, e.range);
        times->kids.push_back(std::move(n));
        times->kids.push_back(std::move(twelve));
        n = std::move(times);
      }
      auto u = Make(e.text == "days" ? Op::Days : Op::Months, Type{Base::Duration}, e.range);
      u->kids.push_back(std::move(n));
      return u;
    }
    case K::Unary: {
      if (e.text == "not") {
        NodePtr n = Condition(*e.args[0], scope);
        if (!n) return nullptr;
        auto u = Make(Op::Not, Type{Base::Bool}, e.range);
        u->kids.push_back(std::move(n));
        return u;
      }
      NodePtr n = Expr(*e.args[0], scope, expected);
      if (!n) return nullptr;
      if (!Numeric(n->type.base) || n->type.optional) {
        Error(DiagKind::TypeMismatch, e.range, "cannot negate a value of type {}", TypeName(n->type));
        return nullptr;
      }
      if (n->op == Op::Const) {  // fold, so `-5%` stays a constant
        n->value.a = -n->value.a;
        n->range = e.range;
        return n;
      }
      auto u = Make(Op::Neg, n->type, e.range);
      u->kids.push_back(std::move(n));
      return u;
    }
    case K::Binary:
      return Binary(e, scope, expected);
    case K::In:
      return In(e, scope);
    case K::Let: {
      NodePtr value = Expr(*e.args[0], scope, nullptr);
      if (!value) return nullptr;
      int slot = (*scope.frame_size)++;
      scope.locals.push_back({e.text, slot, value->type});
      NodePtr body = Expr(*e.args[1], scope, expected);
      scope.locals.pop_back();
      if (!body) return nullptr;
      auto n = Make(Op::Let, body->type, e.range);
      n->a = slot;
      n->kids.push_back(std::move(value));
      n->kids.push_back(std::move(body));
      return n;
    }
    case K::If: {
      NodePtr c = Condition(*e.args[0], scope);
      NodePtr a = Expr(*e.args[1], scope, expected);
      NodePtr b = Expr(*e.args[2], scope, expected);
      if (!c || !a || !b) return nullptr;
      Type t;
      if (!Unify(a, b, e.range, "the two branches of if", t)) return nullptr;
      if (!Coerce(a, t, a->range, "this branch") || !Coerce(b, t, b->range, "this branch"))
        return nullptr;
      auto n = Make(Op::If, t, e.range);
      n->kids.push_back(std::move(c));
      n->kids.push_back(std::move(a));
      n->kids.push_back(std::move(b));
      return n;
    }
    case K::Match:
      return Match(e, scope, expected);
    case K::Set:
      Error(DiagKind::TypeMismatch, e.range, "a list of words can only follow `in`");
      return nullptr;
  }
  return nullptr;
}

}  // namespace polc::check
