// Types of checked values: their names in messages, coercion to an expected type and
// unification of two branches (plain numbers become money, required joins optional).
#include "compiler/check/checker.h"
#include "compiler/check/nodes.h"

namespace polc::check {

std::string Checker::TypeName(const Type& t) const {
  static const char* names[] = {"bool", "int",  "money", "rate", "date",
                                "duration", "period", "text", "enum", "table row"};
  std::string name = names[static_cast<int>(t.base)];
  if (t.base == Base::Enum && t.enum_id >= 0) name = p_.enums[t.enum_id].name;
  if (t.base == Base::Record && t.enum_id >= 0) name = "row of table " + p_.tables[t.enum_id].name;
  return t.optional ? name + "?" : name;
}

// Makes `n` fit `target`: a plain number becomes money; a required value fits an optional.
bool Checker::Coerce(NodePtr& n, const Type& target, SourceRange range, const char* what) {
  if (!n) return false;
  if (IsIntLiteral(*n) && target.base == Base::Money) {
    n->type = Type{Base::Money};
    n->value.a *= 100;
    n->b = 0;
  }
  Type t = n->type;
  if (t.base == target.base && t.enum_id == target.enum_id && (!t.optional || target.optional)) {
    if (target.optional) n->type.optional = true;
    return true;
  }
  if (t.base == target.base && t.enum_id == target.enum_id && t.optional && !target.optional) {
    Error(DiagKind::OptionalValue, n->range,
          "{} may be absent here ({}); test it with present() or give a fallback with value_or()",
          what, TypeName(t));
    return false;
  }
  Error(DiagKind::TypeMismatch, range.Valid() ? n->range : range, "{} has type {}, expected {}",
        what, TypeName(t), TypeName(target));
  return false;
}

// Brings two branch values to one type: plain numbers become money, required joins optional.
bool Checker::Unify(NodePtr& a, NodePtr& b, SourceRange range, const char* what, Type& out) {
  if (!a || !b) return false;
  if (IsIntLiteral(*a) && b->type.base == Base::Money) Coerce(a, b->type.Required(), range, what);
  if (IsIntLiteral(*b) && a->type.base == Base::Money) Coerce(b, a->type.Required(), range, what);
  if (a->type.base != b->type.base || a->type.enum_id != b->type.enum_id) {
    Error(DiagKind::TypeMismatch, range, "{} have different types: {} and {}", what,
          TypeName(a->type), TypeName(b->type));
    return false;
  }
  out = a->type;
  out.optional = a->type.optional || b->type.optional;
  return true;
}

}  // namespace polc::check
