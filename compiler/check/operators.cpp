// Operators: `in` (sets, word lists, periods), `and`/`or`, comparisons and arithmetic with
// units (money, rate, int, date, duration).
#include <utility>

#include "compiler/ast/print.h"
#include "compiler/check/checker.h"
#include "compiler/check/nodes.h"

namespace polc::check {

NodePtr Checker::In(const ast::Expr& e, Scope& scope) {
  NodePtr lhs = Expr(*e.args[0], scope, nullptr);
  if (!lhs) return nullptr;
  const ast::Expr& rhs = *e.args[1];
  NodePtr result;
  if (lhs->type.optional) {
    Error(DiagKind::OptionalValue, lhs->range, "this value may be absent ({})", TypeName(lhs->type));
    return nullptr;
  }
  Symbol* s = rhs.kind == ast::ExprKind::Name ? Lookup(rhs.text) : nullptr;
  if (s && s->kind == SymKind::Set) {
    s->used = true;
    const ir::Set& set = p_.sets[s->id];
    if (set.enum_id < 0) return nullptr;  // the set's own type was reported (CheckSets)
    if (lhs->type != Type{Base::Enum, set.enum_id}) {
      Error(DiagKind::TypeMismatch, e.range, "set {} holds {} words, but the value is {}", set.name,
            p_.enums[set.enum_id].name, TypeName(lhs->type));
      return nullptr;
    }
    result = Make(Op::InSet, Type{Base::Bool}, e.range);
    result->a = static_cast<int64_t>(set.mask);
    result->kids.push_back(std::move(lhs));
  } else if (rhs.kind == ast::ExprKind::Set) {
    if (lhs->type.base != Base::Enum) {
      Error(DiagKind::TypeMismatch, e.range, "only an enumeration value can be tested against words, not {}",
            TypeName(lhs->type));
      return nullptr;
    }
    uint64_t mask = 0;
    for (const ast::Ident& w : rhs.words) {
      int idx = FindWord(lhs->type.enum_id, w.name);
      if (idx < 0) {
        UnknownWordError(lhs->type.enum_id, w.range, w.name);
        return nullptr;
      }
      mask |= uint64_t{1} << idx;
    }
    result = Make(Op::InSet, Type{Base::Bool}, e.range);
    result->a = static_cast<int64_t>(mask);
    result->kids.push_back(std::move(lhs));
  } else {
    NodePtr r = ExpectType(rhs, scope, Type{Base::Period});
    if (!r) return nullptr;
    if (lhs->type.base != Base::Date) {
      Error(DiagKind::TypeMismatch, e.range, "only a date can be in a period, not {}", TypeName(lhs->type));
      return nullptr;
    }
    result = Make(Op::InPeriod, Type{Base::Bool}, e.range);
    result->kids.push_back(std::move(lhs));
    result->kids.push_back(std::move(r));
  }
  if (!e.negated) return result;
  auto n = Make(Op::Not, Type{Base::Bool}, e.range);
  n->kids.push_back(std::move(result));
  return n;
}

namespace {

// An operand as written, shortened for a message.
std::string Spelling(const ast::Expr& e) {
  std::string text = ast::PrintExpr(e);
  for (char& c : text)
    if (c == '\n') c = ' ';
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  return text;
}

}  // namespace

std::string Checker::SidesText(const ast::Expr& e, const ir::Type& left, const ir::Type& right) const {
  return fmt::format(": the left side `{}` is {}, the right side `{}` is {}", Spelling(*e.args[0]), TypeName(left),
                     Spelling(*e.args[1]), TypeName(right));
}

void Checker::Sides(Diagnostic& d, const ast::Expr& e, const ir::Type& left, const ir::Type& right) const {
  d.notes.push_back({e.args[0]->range, fmt::format("the left side is {}", TypeName(left))});
  d.notes.push_back({e.args[1]->range, fmt::format("the right side is {}", TypeName(right))});
}

NodePtr Checker::Binary(const ast::Expr& e, Scope& scope, const Type* expected) {
  const std::string& op = e.text;
  if (op == "and" || op == "or") {
    NodePtr a = Condition(*e.args[0], scope), b = Condition(*e.args[1], scope);
    if (!a || !b) return nullptr;
    auto n = Make(op == "and" ? Op::And : Op::Or, Type{Base::Bool}, e.range);
    n->kids.push_back(std::move(a));
    n->kids.push_back(std::move(b));
    return n;
  }
  bool compare = op == "==" || op == "!=" || op == "<" || op == "<=" || op == ">" || op == ">=";
  const Type* down = compare ? nullptr : expected;
  NodePtr a = Expr(*e.args[0], scope, down && down->base == Base::Money ? down : nullptr);
  if (!a) {
    // The right side is still checked: its errors and uses are real.
    Expr(*e.args[1], scope, nullptr);
    return nullptr;
  }
  Type hint = a->type.Required();
  NodePtr b = Expr(*e.args[1], scope, compare || op != "*" ? &hint : nullptr);
  if (!b) return nullptr;
  for (NodePtr* side : {&a, &b}) {
    if ((*side)->type.optional) {
      Error(DiagKind::OptionalValue, (*side)->range,
            "this value may be absent ({}); test it with present() or use value_or()",
            TypeName((*side)->type));
      return nullptr;
    }
  }
  auto binary = [&](Op o, Type t) {
    auto n = Make(o, t, e.range);
    n->kids.push_back(std::move(a));
    n->kids.push_back(std::move(b));
    return n;
  };
  if (compare) {
    Type t;
    if (!Unify(a, b, e.range, "the two sides of a comparison", t)) return nullptr;
    static const std::map<std::string, Op> ops = {{"==", Op::Eq}, {"!=", Op::Ne}, {"<", Op::Lt},
                                                  {"<=", Op::Le}, {">", Op::Gt},  {">=", Op::Ge}};
    bool equality = op == "==" || op == "!=";
    // Durations compare within one unit: checked once every rule is known (durations.cpp).
    if (!(Ordered(t.base) || t.base == Base::Duration ||
          (equality && (t.base == Base::Enum || t.base == Base::Bool)))) {
      Error(DiagKind::TypeMismatch, e.range, "values of type {} cannot be compared with {}",
            TypeName(t), op);
      return nullptr;
    }
    return binary(ops.at(op), Type{Base::Bool});
  }
  Base x = a->type.base, y = b->type.base;
  if (op == "+" || op == "-") {
    if (IsIntLiteral(*a) && y == Base::Money) Coerce(a, Type{Base::Money}, e.range, "");
    if (IsIntLiteral(*b) && x == Base::Money) Coerce(b, Type{Base::Money}, e.range, "");
    x = a->type.base;
    y = b->type.base;
    Op o = op == "+" ? Op::Add : Op::Sub;
    if (x == y && (Numeric(x) || x == Base::Duration)) return binary(o, Type{x});
    if (x == Base::Date && y == Base::Duration) return binary(o, Type{Base::Date});
    if (x == Base::Duration && y == Base::Date && op == "+") {
      std::swap(a, b);
      return binary(o, Type{Base::Date});
    }
    if (x == Base::Date && y == Base::Date && op == "-") return binary(o, Type{Base::Int});
    Sides(Error(DiagKind::UnitMismatch, e.range, "cannot {} {} and {}{}", op == "+" ? "add" : "subtract",
                TypeName(a->type), TypeName(b->type), SidesText(e, a->type, b->type)),
          e, a->type, b->type);
    return nullptr;
  }
  // op == "*"
  bool swapped = false;
  if (x == Base::Rate && y == Base::Money) { std::swap(a, b); std::swap(x, y); swapped = !swapped; }
  if (x == Base::Int && (y == Base::Money || y == Base::Rate)) { std::swap(a, b); std::swap(x, y); swapped = !swapped; }
  if (x == Base::Money && y == Base::Rate) return binary(Op::MulRate, Type{Base::Money});
  if ((x == Base::Money || x == Base::Int || x == Base::Rate) && y == Base::Int)
    return binary(Op::Mul, Type{x});
  // a and b may have been swapped above to put money first: name the sides as written.
  const ir::Type& left = swapped ? b->type : a->type;
  const ir::Type& right = swapped ? a->type : b->type;
  Sides(Error(DiagKind::UnitMismatch, e.range, "cannot multiply {} by {}{}", TypeName(left), TypeName(right),
              SidesText(e, left, right)),
        e, left, right);
  return nullptr;
}

}  // namespace polc::check
