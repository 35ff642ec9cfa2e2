// Constants of tables and brackets: a table cell, a bracket bound or a bracket rate is a
// literal or the name of a parameter. A parameter is folded to its value here, at check time,
// so tables and brackets stay arrays of figures for both engines (and for diff and explain);
// the parameter's value must then be a literal or arithmetic (+, -, *, units) of literals and
// other parameters, computed exactly as the engines compute it.
#include "compiler/check/checker.h"
#include "compiler/check/nodes.h"
#include "runtime/date.h"
#include "runtime/money.h"

namespace polc::check {

bool Checker::FoldConstant(const Node& n, ir::Value& out, std::string& why, size_t depth) {
  auto overflow = [&]() {
    why = "its value overflows (arithmetic beyond the 64-bit range)";
    return false;
  };
  switch (n.op) {
    case Op::Const:
      out = n.value;
      return true;
    case Op::Param: {
      const ir::Param& p = p_.params[static_cast<size_t>(n.a)];
      if (depth > p_.params.size()) {
        why = fmt::format("parameter '{}' depends on itself", p.name);
        return false;
      }
      if (!p.value) return false;  // its own error is reported
      return FoldConstant(*p.value, out, why, depth + 1);
    }
    case Op::Neg: {
      ir::Value v;
      if (!FoldConstant(*n.kids[0], v, why, depth)) return false;
      if (v.a == INT64_MIN || v.b == INT64_MIN) return overflow();
      out = {-v.a, n.type.base == Base::Duration ? -v.b : 0, v.present};
      return true;
    }
    case Op::Months:
    case Op::Days: {
      ir::Value v;
      if (!FoldConstant(*n.kids[0], v, why, depth)) return false;
      out = n.op == Op::Months ? ir::Value{v.a, 0, true} : ir::Value{0, v.a, true};
      return true;
    }
    case Op::Add:
    case Op::Sub:
    case Op::Mul:
    case Op::MulRate: {
      ir::Value l, r;
      if (!FoldConstant(*n.kids[0], l, why, depth) || !FoldConstant(*n.kids[1], r, why, depth)) return false;
      const Base lb = n.kids[0]->type.base, rb = n.kids[1]->type.base;
      out = ir::Value{0, 0, true};
      if (n.op == Op::MulRate) {
        out.a = rb == Base::Rate ? rt::MulRate(l.a, r.a) : rt::MulRate(r.a, l.a);
        return true;
      }
      if (n.op == Op::Mul) return __builtin_mul_overflow(l.a, r.a, &out.a) ? overflow() : true;
      const bool sub = n.op == Op::Sub;
      if ((lb == Base::Date && rb == Base::Duration) || (!sub && lb == Base::Duration && rb == Base::Date)) {
        const ir::Value& date = lb == Base::Date ? l : r;
        const ir::Value& span = lb == Base::Date ? r : l;
        int64_t months = span.a, days = span.b;
        if (sub && (__builtin_sub_overflow(int64_t{0}, span.a, &months) ||
                    __builtin_sub_overflow(int64_t{0}, span.b, &days)))
          return overflow();
        if (!rt::AddDuration(date.a, months, days, out.a)) {
          why = "its value is a date out of range (years 1000 to 9999)";
          return false;
        }
        return true;
      }
      bool over = sub ? __builtin_sub_overflow(l.a, r.a, &out.a) : __builtin_add_overflow(l.a, r.a, &out.a);
      if (lb == Base::Duration)
        over = over || (sub ? __builtin_sub_overflow(l.b, r.b, &out.b) : __builtin_add_overflow(l.b, r.b, &out.b));
      return over ? overflow() : true;
    }
    default:
      why = "its value is not a literal or arithmetic (+, -, *) of literals and parameters";
      return false;
  }
}

bool Checker::ConstantCell(const Node& n, SourceRange range, const char* what, ir::Value& out) {
  if (n.op == Op::Const) {
    out = n.value;
    return true;
  }
  if (n.op != Op::Param) {
    Error(DiagKind::NotConstant, range, "{} must be a literal value or a parameter", what);
    return false;
  }
  std::string why;
  if (FoldConstant(n, out, why)) return true;
  if (!why.empty())
    Error(DiagKind::NotConstant, range, "parameter '{}' cannot be used in {}: {}",
          p_.params[static_cast<size_t>(n.a)].name, what, why);
  return false;
}

}  // namespace polc::check

namespace polc::check {

bool Checker::ParamFigure(const std::string& name, SourceRange range, const Type& type, const char* what,
                          int64_t& out) {
  Symbol* s = Lookup(name);
  if (!s) {
    std::vector<std::string> params;
    for (const ir::Param& p : p_.params) params.push_back(p.name);
    UnknownNameError(range, fmt::format("unknown parameter '{}'", name), name, params);
    return false;
  }
  s->used = true;
  if (s->kind != SymKind::Param) {
    Error(DiagKind::NotConstant, range, "'{}' is not a parameter; {} is a literal or a parameter", name, what);
    return false;
  }
  const ir::Param& p = p_.params[static_cast<size_t>(s->id)];
  if (p.type != type) {
    Error(DiagKind::TypeMismatch, range, "parameter '{}' is {}, but {} is {}", name, TypeName(p.type), what,
          TypeName(type));
    return false;
  }
  ir::Node ref;
  ref.op = Op::Param;
  ref.type = type;
  ref.a = s->id;
  ref.range = range;
  ir::Value v;
  if (!ConstantCell(ref, range, what, v)) return false;
  out = v.a;
  return true;
}

}  // namespace polc::check
