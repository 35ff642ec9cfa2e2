// Expression checking: name resolution, types and units, producing IR nodes. An expected type
// flows down (bidirectional checking) so that enumeration words, `none` and plain numbers
// take the type of the place they are used in.
#include <algorithm>

#include "compiler/check/checker.h"
#include "runtime/date.h"

namespace polc::check {

using ir::Base;
using ir::Node;
using ir::NodePtr;
using ir::Op;
using ir::Type;

namespace {

NodePtr Make(Op op, Type type, SourceRange range) {
  auto n = std::make_unique<Node>();
  n->op = op;
  n->type = type;
  n->range = range;
  return n;
}

NodePtr Const(Type type, ir::Value v, SourceRange range) {
  auto n = Make(Op::Const, type, range);
  n->value = v;
  return n;
}

bool IsIntLiteral(const Node& n) { return n.op == Op::Const && n.type.base == Base::Int && n.b == 1; }

bool Numeric(Base b) { return b == Base::Money || b == Base::Int || b == Base::Rate; }

bool Ordered(Base b) { return Numeric(b) || b == Base::Date; }

// Shifts the local slots of a cloned function body into the caller's frame.
void ShiftSlots(Node& n, int base) {
  if (n.op == Op::Local || n.op == Op::Let) n.a += base;
  for (auto& k : n.kids) ShiftSlots(*k, base);
}

}  // namespace

void Deps::Merge(const Deps& o) {
  rules.insert(o.rules.begin(), o.rules.end());
  params.insert(o.params.begin(), o.params.end());
  functions.insert(o.functions.begin(), o.functions.end());
  acc_reads.insert(o.acc_reads.begin(), o.acc_reads.end());
  Raise(o.stage);
}

std::string Checker::TypeName(const Type& t) const {
  static const char* names[] = {"bool", "int",  "money", "rate", "date",
                                "duration", "period", "text", "enum", "table row"};
  std::string name = names[static_cast<int>(t.base)];
  if (t.base == Base::Enum && t.enum_id >= 0) name = p_.enums[t.enum_id].name;
  if (t.base == Base::Record && t.enum_id >= 0) name = "row of table " + p_.tables[t.enum_id].name;
  return t.optional ? name + "?" : name;
}

int Checker::FindWord(int enum_id, const std::string& word) const {
  const auto& words = p_.enums[enum_id].words;
  for (size_t i = 0; i < words.size(); ++i)
    if (words[i].name == word) return static_cast<int>(i);
  return -1;
}

Symbol* Checker::Lookup(const std::string& name) {
  auto it = symbols_.find(name);
  return it == symbols_.end() ? nullptr : &it->second;
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

NodePtr Checker::ExpectType(const ast::Expr& e, Scope& scope, const Type& type) {
  NodePtr n = Expr(e, scope, &type);
  if (!n) return nullptr;
  if (!Coerce(n, type, e.range, "this value")) return nullptr;
  return n;
}

NodePtr Checker::Condition(const ast::Expr& e, Scope& scope) {
  return ExpectType(e, scope, Type{Base::Bool});
}

NodePtr Checker::Literal(const ast::Expr& e, const Type* expected) {
  std::string error;
  int64_t v = 0;
  switch (e.kind) {
    case ast::ExprKind::Int:
      if (!ParseDecimal(e.text, 0, v, error)) break;
      if (expected && expected->base == Base::Money) {
        if (v > INT64_MAX / 100) { error = "the amount is too large"; break; }
        return Const(Type{Base::Money}, {v * 100}, e.range);
      }
      {
        auto n = Const(Type{Base::Int}, {v}, e.range);
        n->b = 1;  // a plain number: may still become money next to money
        return n;
      }
    case ast::ExprKind::Decimal:
      if (!ParseDecimal(e.text, 2, v, error)) break;
      return Const(Type{Base::Money}, {v}, e.range);
    case ast::ExprKind::Wan:  // 1.6万 = 16000 yuan = 1,600,000 fen
      if (!ParseDecimal(e.text.substr(0, e.text.size() - std::string("万").size()), 6, v, error))
        break;
      return Const(Type{Base::Money}, {v}, e.range);
    case ast::ExprKind::Percent:
      if (!ParseDecimal(e.text.substr(0, e.text.size() - 1), 2, v, error)) break;
      return Const(Type{Base::Rate}, {v}, e.range);
    case ast::ExprKind::Date: {
      int32_t d;
      if (!rt::ParseDate(e.text, d, error)) break;
      return Const(Type{Base::Date}, {d}, e.range);
    }
    case ast::ExprKind::Period: {
      int32_t a, b;
      if (!rt::ParseDate(e.text, a, error) || !rt::ParseDate(e.text2, b, error)) break;
      if (b < a) { error = "the period ends before it starts"; break; }
      return Const(Type{Base::Period}, {a, b}, e.range);
    }
    case ast::ExprKind::String:
      return Const(Type{Base::Text}, {0}, e.range);
    case ast::ExprKind::Bool:
      return Const(Type{Base::Bool}, {e.text == "true"}, e.range);
    default:
      break;
  }
  Error(DiagKind::InvalidLiteral, e.range, "invalid literal '{}': {}", e.text, error);
  return nullptr;
}

NodePtr Checker::AccessField(int record, int field, SourceRange range, Scope& scope) {
  bool allowed = record == 0 ? scope.subject_fields : scope.event_fields;
  const auto& rec = p_.records[record];
  if (!allowed || scope.const_only) {
    Error(DiagKind::StageMismatch, range, "the {} field '{}' cannot be used here{}", rec.name,
          rec.fields[field].name, scope.const_only ? " (a constant is required)" : "");
    return nullptr;
  }
  auto n = Make(Op::Field, rec.fields[field].type, range);
  n->a = record;
  n->b = field;
  if (scope.deps) scope.deps->Raise(record == 0 ? ir::Stage::Subject : ir::Stage::Event);
  return n;
}

NodePtr Checker::Name(const ast::Expr& e, Scope& scope, const Type* expected) {
  const std::string& name = e.text;
  for (auto it = scope.locals.rbegin(); it != scope.locals.rend(); ++it) {
    if (it->name != name) continue;
    auto n = Make(Op::Local, it->type, e.range);
    n->a = it->slot;
    return n;
  }
  if (expected && expected->base == Base::Enum) {
    int w = FindWord(expected->enum_id, name);
    if (w >= 0) return Const(expected->Required(), {w}, e.range);
  }
  if (Symbol* s = Lookup(name)) {
    s->used = true;
    if (scope.const_only && s->kind != SymKind::Param) {
      Error(DiagKind::NotConstant, e.range, "'{}' is not a constant; only parameters may be used here",
            name);
      return nullptr;
    }
    switch (s->kind) {
      case SymKind::Param: {
        auto n = Make(Op::Param, p_.params[s->id].type, e.range);
        n->a = s->id;
        if (scope.deps) scope.deps->params.insert(s->id);
        return n;
      }
      case SymKind::Rule: {
        auto n = Make(Op::Rule, p_.rules[s->id].type, e.range);
        n->a = s->id;
        if (scope.deps) scope.deps->rules.insert(s->id);
        return n;
      }
      case SymKind::Accumulator: {
        if (!scope.event_fields) {
          Error(DiagKind::StageMismatch, e.range,
                "accumulator '{}' can only be read while settling a {}", name, p_.records[1].name);
          return nullptr;
        }
        auto n = Make(Op::AccRead, p_.accumulators[s->id].type, e.range);
        n->a = s->id;
        if (scope.deps) {
          scope.deps->acc_reads.insert(s->id);
          scope.deps->Raise(ir::Stage::Event);
        }
        return n;
      }
      default: {
        static const char* what[] = {"parameter", "set", "table", "brackets", "rule",
                                     "function", "accumulator", "input record"};
        static const char* hint[] = {"", "; use it after `in`", "; look a value up with [key]",
                                     "; apply it with (amount)", "", "; call it with (arguments)",
                                     "", "; name one of its fields with ."};
        int k = static_cast<int>(s->kind);
        Error(DiagKind::TypeMismatch, e.range, "'{}' is a {}, not a value{}", name, what[k], hint[k]);
        return nullptr;
      }
    }
  }
  for (int record : {1, 0}) {
    auto it = fields_[record].find(name);
    if (it == fields_[record].end()) continue;
    if ((record == 1 && !scope.event_fields) || (record == 0 && !scope.subject_fields)) continue;
    return AccessField(record, it->second, e.range, scope);
  }
  for (int record : {1, 0}) {
    auto it = fields_[record].find(name);
    if (it != fields_[record].end()) return AccessField(record, it->second, e.range, scope);
  }
  if (name == "none") {
    if (expected && expected->optional) return Const(*expected, ir::Value::Absent(), e.range);
    if (expected)
      Error(DiagKind::TypeMismatch, e.range, "'none' (absent) is not allowed here: the place expects {}",
            TypeName(*expected));
    else
      Error(DiagKind::TypeMismatch, e.range, "cannot tell the type of 'none' here");
    return nullptr;
  }
  auto w = words_.find(name);
  if (w != words_.end()) {
    if (expected && expected->base == Base::Enum) {
      Error(DiagKind::UnknownWord, e.range, "'{}' is not a word of enumeration {}", name,
            p_.enums[expected->enum_id].name);
      return nullptr;
    }
    if (w->second.size() == 1)
      return Const(Type{Base::Enum, w->second[0].first}, {w->second[0].second}, e.range);
    std::string owners;
    for (auto& [en, idx] : w->second) owners += (owners.empty() ? "" : ", ") + p_.enums[en].name;
    Error(DiagKind::AmbiguousWord, e.range,
          "'{}' is a word of several enumerations ({}); compare it with a value of known type",
          name, owners);
    return nullptr;
  }
  if (expected && expected->base == Base::Enum)
    Error(DiagKind::UnknownWord, e.range, "'{}' is not a word of enumeration {} nor a defined name",
          name, p_.enums[expected->enum_id].name);
  else
    Error(DiagKind::UnknownName, e.range, "unknown name '{}'", name);
  return nullptr;
}

NodePtr Checker::FieldAccess(const ast::Expr& e, Scope& scope) {
  const ast::Expr& base = *e.args[0];
  if (base.kind == ast::ExprKind::Name) {
    Symbol* s = Lookup(base.text);
    bool local = std::any_of(scope.locals.begin(), scope.locals.end(),
                             [&](const Local& l) { return l.name == base.text; });
    if (s && s->kind == SymKind::Record && !local) {
      s->used = true;
      auto it = fields_[s->id].find(e.text);
      if (it == fields_[s->id].end()) {
        Error(DiagKind::UnknownName, e.range, "record {} has no field '{}'", base.text, e.text);
        return nullptr;
      }
      return AccessField(s->id, it->second, e.range, scope);
    }
  }
  NodePtr b = Expr(base, scope, nullptr);
  if (!b) return nullptr;
  if (b->type.base == Base::Period && !b->type.optional && (e.text == "start" || e.text == "end")) {
    auto n = Make(e.text == "start" ? Op::PeriodStart : Op::PeriodEnd, Type{Base::Date}, e.range);
    n->kids.push_back(std::move(b));
    return n;
  }
  if (b->type.base == Base::Record && b->op == Op::TableGet) {
    const ir::Table& t = p_.tables[b->a];
    for (size_t c = 0; c < t.columns.size(); ++c) {
      if (t.columns[c].name != e.text) continue;
      b->b = static_cast<int64_t>(c);
      b->type = t.columns[c].type;
      if (t.key_type.base == Base::Int) b->type.optional = true;
      b->range = e.range;
      return b;
    }
    Error(DiagKind::UnknownName, e.range, "table {} has no column '{}'", t.name, e.text);
    return nullptr;
  }
  Error(DiagKind::TypeMismatch, e.range, "a value of type {} has no part '{}'", TypeName(b->type),
        e.text);
  return nullptr;
}

NodePtr Checker::Index(const ast::Expr& e, Scope& scope) {
  const ast::Expr& base = *e.args[0];
  Symbol* s = base.kind == ast::ExprKind::Name ? Lookup(base.text) : nullptr;
  if (s && s->kind == SymKind::Table) {
    s->used = true;
    const ir::Table& t = p_.tables[s->id];
    NodePtr key = t.key_type.base == Base::Int ? Expr(*e.args[1], scope, &t.key_type)
                                               : ExpectType(*e.args[1], scope, t.key_type);
    if (!key) return nullptr;
    if (t.key_type.base == Base::Int && key->type.base != Base::Int) {
      Error(DiagKind::TypeMismatch, e.args[1]->range, "table {} is keyed by int, not {}", t.name,
            TypeName(key->type));
      return nullptr;
    }
    Type result = t.record_valued ? Type{Base::Record, s->id} : t.columns[0].type;
    if (t.key_type.base == Base::Int && !t.record_valued) result.optional = true;
    auto n = Make(Op::TableGet, result, e.range);
    n->a = s->id;
    n->b = t.record_valued ? -1 : 0;
    n->kids.push_back(std::move(key));
    return n;
  }
  if (s && s->kind == SymKind::Accumulator) {
    s->used = true;
    const ir::Accumulator& acc = p_.accumulators[s->id];
    if (acc.key_kind == ir::AccKey::None) {
      Error(DiagKind::TypeMismatch, e.range, "accumulator {} has no key", acc.name);
      return nullptr;
    }
    Type key_type = acc.key_kind == ir::AccKey::Enum ? Type{Base::Enum, acc.key_enum} : Type{Base::Int};
    key_type.optional = acc.key_optional;
    NodePtr key = ExpectType(*e.args[1], scope, key_type);
    if (!key) return nullptr;
    NodePtr read = Name(base, scope, nullptr);
    if (!read) return nullptr;
    read->range = e.range;
    read->kids.push_back(std::move(key));
    return read;
  }
  Error(DiagKind::TypeMismatch, base.range, "only tables and keyed accumulators can be indexed with [ ]");
  return nullptr;
}

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
        Error(DiagKind::UnknownWord, w.range, "'{}' is not a word of enumeration {}", w.name,
              p_.enums[lhs->type.enum_id].name);
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
  if (!a) return nullptr;
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
    if (!(Ordered(t.base) || (equality && (t.base == Base::Enum || t.base == Base::Bool)))) {
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
    Error(DiagKind::UnitMismatch, e.range, "cannot {} {} and {}", op == "+" ? "add" : "subtract",
          TypeName(a->type), TypeName(b->type));
    return nullptr;
  }
  // op == "*"
  if (x == Base::Rate && y == Base::Money) { std::swap(a, b); std::swap(x, y); }
  if (x == Base::Int && (y == Base::Money || y == Base::Rate)) { std::swap(a, b); std::swap(x, y); }
  if (x == Base::Money && y == Base::Rate) return binary(Op::MulRate, Type{Base::Money});
  if ((x == Base::Money || x == Base::Int || x == Base::Rate) && y == Base::Int)
    return binary(Op::Mul, Type{x});
  Error(DiagKind::UnitMismatch, e.range, "cannot multiply {} by {}", TypeName(a->type),
        TypeName(b->type));
  return nullptr;
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
        Error(DiagKind::UnknownWord, w.range, "'{}' is not a word of enumeration {}", w.name, en.name);
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

NodePtr Checker::Call(const ast::Expr& e, Scope& scope, const Type* expected) {
  const std::string& f = e.text;
  size_t argc = e.args.size();
  auto arity = [&](size_t lo, size_t hi) {
    if (argc >= lo && argc <= hi) return true;
    Error(DiagKind::BadCall, e.range, "{} takes {} argument{}, not {}", f,
          lo == hi ? std::to_string(lo) : fmt::format("{} to {}", lo, hi), hi == 1 ? "" : "s", argc);
    return false;
  };
  if (f == "min" || f == "max") {
    if (argc == 0) return arity(1, 64), nullptr;
    std::vector<NodePtr> args;
    const Type* hint = expected && expected->base == Base::Money ? expected : nullptr;
    for (auto& a : e.args) {
      args.push_back(Expr(*a, scope, hint));
      if (!args.back()) return nullptr;
    }
    bool any_money = std::any_of(args.begin(), args.end(),
                                 [](const NodePtr& n) { return n->type.base == Base::Money; });
    bool all_optional = true;
    for (auto& a : args) {
      if (any_money && IsIntLiteral(*a)) Coerce(a, Type{Base::Money}, e.range, "");
      all_optional = all_optional && a->type.optional;
    }
    Type t;
    for (size_t i = 1; i < args.size(); ++i)
      if (!Unify(args[0], args[i], e.range, "the arguments of min/max", t)) return nullptr;
    if (!Ordered(args[0]->type.base)) {
      Error(DiagKind::TypeMismatch, e.range, "{} needs numbers or dates, not {}", f, TypeName(args[0]->type));
      return nullptr;
    }
    auto n = Make(f == "min" ? Op::Min : Op::Max, args[0]->type.Required(), e.range);
    n->type.optional = all_optional;
    n->kids = std::move(args);
    return n;
  }
  if (f == "present") {
    if (!arity(1, 1)) return nullptr;
    NodePtr a = Expr(*e.args[0], scope, nullptr);
    if (!a) return nullptr;
    if (!a->type.optional) {
      Error(DiagKind::TypeMismatch, e.range, "present() needs a value that may be absent; this is {}",
            TypeName(a->type));
      return nullptr;
    }
    auto n = Make(Op::Present, Type{Base::Bool}, e.range);
    n->kids.push_back(std::move(a));
    return n;
  }
  if (f == "value_or") {
    if (!arity(2, 2)) return nullptr;
    NodePtr a = Expr(*e.args[0], scope, expected ? &*std::make_unique<Type>(expected->Optional()) : nullptr);
    if (!a) return nullptr;
    NodePtr b = ExpectType(*e.args[1], scope, a->type.Required());
    if (!b) return nullptr;
    auto n = Make(Op::ValueOr, a->type.Required(), e.range);
    n->kids.push_back(std::move(a));
    n->kids.push_back(std::move(b));
    return n;
  }
  if (f == "room") {
    if (!arity(1, 1)) return nullptr;
    const ast::Expr& arg = *e.args[0];
    Symbol* s = arg.kind == ast::ExprKind::Name ? Lookup(arg.text) : nullptr;
    if (!s || s->kind != SymKind::Accumulator) {
      Error(DiagKind::BadCall, arg.range, "room() takes the name of an accumulator");
      return nullptr;
    }
    s->used = true;
    const ir::Accumulator& acc = p_.accumulators[s->id];
    if (!acc_decls_[s->id]->cap) {
      Error(DiagKind::BadCall, arg.range, "accumulator {} has no cap, so it has no room", acc.name);
      return nullptr;
    }
    if (!scope.event_fields) {
      Error(DiagKind::StageMismatch, e.range, "room() can only be used while settling a {}",
            p_.records[1].name);
      return nullptr;
    }
    auto n = Make(Op::AccRoom, acc.type, e.range);
    n->type.optional = acc_decls_[s->id]->cap != nullptr;  // refined once the cap is checked
    n->a = s->id;
    if (scope.deps) {
      scope.deps->acc_reads.insert(s->id);
      scope.deps->Raise(ir::Stage::Event);
    }
    return n;
  }
  Symbol* s = Lookup(f);
  if (s && s->kind == SymKind::Brackets) {
    s->used = true;
    if (!arity(1, 2)) return nullptr;
    auto n = Make(Op::Brackets, Type{Base::Money}, e.range);
    n->a = s->id;
    NodePtr amount = ExpectType(*e.args[0], scope, Type{Base::Money});
    if (!amount) return nullptr;
    n->kids.push_back(std::move(amount));
    if (argc == 2) {
      NodePtr shift = ExpectType(*e.args[1], scope, Type{Base::Rate});
      if (!shift) return nullptr;
      n->kids.push_back(std::move(shift));
    }
    return n;
  }
  if (s && s->kind == SymKind::Function) {
    s->used = true;
    if (!CheckFunction(s->id)) return nullptr;
    FunctionInfo& fn = functions_[s->id];
    if (!arity(fn.params.size(), fn.params.size())) return nullptr;
    if (scope.deps) {
      scope.deps->functions.insert(s->id);
      scope.deps->Merge(fn.deps);
    }
    // Inlined: parameters become locals of the caller's frame, bound by nested lets.
    int base = *scope.frame_size;
    *scope.frame_size += fn.frame_size;
    NodePtr body = ir::Clone(*fn.body);
    ShiftSlots(*body, base);
    for (size_t i = fn.params.size(); i-- > 0;) {
      NodePtr arg = ExpectType(*e.args[i], scope, fn.params[i]);
      if (!arg) return nullptr;
      auto let = Make(Op::Let, body->type, e.range);
      let->a = base + static_cast<int>(i);
      let->kids.push_back(std::move(arg));
      let->kids.push_back(std::move(body));
      body = std::move(let);
    }
    return body;
  }
  Error(DiagKind::UnknownName, e.range, "unknown function '{}'", f);
  return nullptr;
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
      if (n->op == Op::Const) {  // fold, so `3 months` stays a constant
        int64_t count = n->value.a;
        return Const(Type{Base::Duration}, e.text == "days" ? ir::Value{0, count} : ir::Value{count, 0},
                     e.range);
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
