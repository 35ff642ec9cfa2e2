// Names: locals, symbols, record fields, enumeration words and `none`; field access on
// records, periods and table rows; indexing tables and keyed accumulators.
#include <algorithm>

#include "compiler/check/checker.h"
#include "compiler/check/nodes.h"

namespace polc::check {

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
      UnknownWordError(expected->enum_id, e.range, name);
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
    UnknownWordError(expected->enum_id, e.range, name, " nor a defined name");
  else
    UnknownNameError(e.range, fmt::format("unknown name '{}'", name), name, NamesInScope(scope));
  return nullptr;
}

std::vector<std::string> Checker::NamesInScope(const Scope& scope) const {
  std::vector<std::string> names;
  for (const auto& [name, symbol] : symbols_) names.push_back(name);
  for (int record : {0, 1})
    if ((record == 0 && scope.subject_fields) || (record == 1 && scope.event_fields))
      for (const auto& [name, index] : fields_[record]) names.push_back(name);
  for (const Local& l : scope.locals) names.push_back(l.name);
  return names;
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
        std::vector<std::string> fields;
        for (const auto& [field, index] : fields_[s->id]) fields.push_back(field);
        UnknownNameError(e.range, fmt::format("record {} has no field '{}'", base.text, e.text), e.text, fields,
                         true);
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
    std::vector<std::string> columns;
    for (const auto& c : t.columns) columns.push_back(c.name);
    UnknownNameError(e.range, fmt::format("table {} has no column '{}'", t.name, e.text), e.text, columns, true);
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

}  // namespace polc::check
