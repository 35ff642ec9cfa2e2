// Checking the value of each declaration through the expression checker: parameters, sets,
// brackets, functions, rules (with their exceptions) and accumulators.
#include "compiler/check/checker.h"

namespace polc::check {

using ir::Base;
using ir::Type;

void Checker::CheckParams() {
  param_deps_.resize(p_.params.size());
  for (size_t i = 0; i < p_.params.size(); ++i) {
    int frame = 0;
    Scope scope;
    scope.const_only = true;
    scope.frame_size = &frame;
    scope.deps = &param_deps_[i];
    p_.params[i].value = ExpectType(*param_decls_[i]->value, scope, p_.params[i].type);
  }
}

void Checker::CheckSets() {
  for (size_t i = 0; i < p_.sets.size(); ++i) {
    const ast::SetDecl& d = *set_decls_[i];
    ir::Set& set = p_.sets[i];
    Type t;
    if (!ResolveType(d.type, t)) continue;
    if (t.base != Base::Enum || t.optional) {
      Error(DiagKind::TypeMismatch, d.type.range, "a set holds words of an enumeration, not {}", TypeName(t));
      continue;
    }
    set.enum_id = t.enum_id;
    for (const ast::Ident& w : d.words) {
      int idx = FindWord(t.enum_id, w.name);
      if (idx < 0) {
        UnknownWordError(t.enum_id, w.range, w.name);
        continue;
      }
      if (set.mask & (uint64_t{1} << idx))
        Error(DiagKind::DuplicateDefinition, w.range, "'{}' is in the set twice", w.name);
      set.mask |= uint64_t{1} << idx;
      set.words.push_back(w.name);
    }
  }
}

void Checker::CheckBrackets() {
  for (size_t i = 0; i < p_.brackets.size(); ++i) {
    const ast::BracketsDecl& d = *bracket_decls_[i];
    ir::Brackets& b = p_.brackets[i];
    bool ok = true;
    for (size_t r = 0; r < d.rows.size(); ++r) {
      const ast::BracketRow& row = d.rows[r];
      ir::BracketRow out;
      out.range = row.range;
      // Each figure is a literal or a parameter's name; every parameter is looked at (its
      // errors reported where it is named), a malformed literal is reported once per row.
      std::string error;
      bool figures_ok = true;
      auto money = [&](const std::string& s, SourceRange at, int64_t& v) {
        if (ast::IsFigureName(s)) {
          figures_ok = ParamFigure(s, at, Type{Base::Money}, "a bracket bound", v) && figures_ok;
          return;
        }
        bool wan = s.size() > 3 && s.compare(s.size() - 3, 3, "万") == 0;
        std::string why;
        if (!ParseDecimal(wan ? s.substr(0, s.size() - 3) : s, wan ? 6 : 2, v, why)) {
          if (error.empty()) error = why;
          figures_ok = false;
        }
      };
      money(row.lower, row.lower_range, out.lower);
      if (!row.upper.empty()) money(row.upper, row.upper_range, out.upper);
      if (ast::IsFigureName(row.rate)) {
        figures_ok = ParamFigure(row.rate, row.rate_range, Type{Base::Rate}, "a bracket rate", out.rate) && figures_ok;
      } else {
        std::string why;
        if (!ParseDecimal(row.rate.substr(0, row.rate.size() - 1), 2, out.rate, why)) {
          if (error.empty()) error = why;
          figures_ok = false;
        }
      }
      if (!figures_ok) {
        if (!error.empty()) Error(DiagKind::InvalidLiteral, row.range, "invalid bracket row: {}", error);
        ok = false;
        continue;
      }
      if (r == 0 && out.lower != 0) {
        Error(DiagKind::BadBrackets, row.range, "the first bracket must start at 0, not {}", row.lower);
        ok = false;
      }
      if (r > 0 && !b.rows.empty() && b.rows.back().upper != out.lower) {
        const ast::BracketRow& prev = d.rows[r - 1];
        bool prev_wan = prev.upper.find("万") != std::string::npos;
        bool literal = !ast::IsFigureName(prev.upper) && !ast::IsFigureName(row.lower);
        if (literal && !prev_wan && b.rows.back().upper * 10000 == out.lower) {
          // `0 .. 3` before `3万 ..`: the previous row lost its 万, so the error is there.
          Diagnostic& diag = Error(DiagKind::BadBrackets, prev.range,
                                   "this bracket ends at {} yuan but the next one starts at {}: did you mean {}万?",
                                   prev.upper, row.lower, prev.upper);
          diag.fixits.push_back({prev.range, fmt::format("{} .. {}万: {}", prev.lower, prev.upper, prev.rate)});
        } else {
          Diagnostic& diag = Error(DiagKind::BadBrackets, row.range,
                                   "this bracket starts at {} but the previous one ({} .. {}) ends at {}: {}", row.lower,
                                   prev.lower, prev.upper, prev.upper,
                                   b.rows.back().upper < out.lower ? "a gap" : "an overlap");
          diag.notes.push_back({prev.range, fmt::format("the previous bracket: {} .. {}", prev.lower, prev.upper)});
        }
        ok = false;
      }
      if (row.upper.empty() && r + 1 != d.rows.size()) {
        Error(DiagKind::BadBrackets, row.range, "only the last bracket may be open above");
        ok = false;
      }
      if (!row.upper.empty() && out.upper <= out.lower) {
        Error(DiagKind::BadBrackets, row.range, "a bracket must end above where it starts, not {} .. {}", row.lower,
              row.upper);
        ok = false;
      }
      if (!row.upper.empty() && r + 1 == d.rows.size()) {
        Error(DiagKind::BadBrackets, row.range, "the last bracket must be open above (`lower ..: rate`)");
        ok = false;
      }
      b.rows.push_back(out);
    }
    if (!ok) continue;
    for (const auto& row : b.rows) {
      b.lowers.push_back(row.lower);
      b.rates.push_back(row.rate);
    }
  }
}

bool Checker::CheckFunction(int id) {
  FunctionInfo& fn = functions_[id];
  if (fn.state == FunctionInfo::kDone) return true;
  if (fn.state == FunctionInfo::kFailed) return false;
  if (fn.state == FunctionInfo::kInProgress) {
    Error(DiagKind::Cycle, fn.decl->name.range, "function '{}' calls itself; recursion is not allowed",
          fn.decl->name.name);
    fn.state = FunctionInfo::kFailed;
    return false;
  }
  fn.state = FunctionInfo::kInProgress;
  bool ok = ResolveType(fn.decl->result, fn.result);
  Scope scope;
  scope.frame_size = &fn.frame_size;
  scope.deps = &fn.deps;
  std::set<std::string> names;
  for (const ast::FunctionParam& param : fn.decl->params) {
    Type t;
    ok = ResolveType(param.type, t) && ok;
    if (!names.insert(param.name.name).second)
      Error(DiagKind::DuplicateDefinition, param.name.range, "parameter '{}' is named twice", param.name.name);
    fn.params.push_back(t);
    scope.locals.push_back({param.name.name, fn.frame_size++, t});
  }
  if (ok) fn.body = ExpectType(*fn.decl->body, scope, fn.result);
  if (fn.state == FunctionInfo::kFailed) return false;
  fn.state = fn.body ? FunctionInfo::kDone : FunctionInfo::kFailed;
  return fn.body != nullptr;
}

void Checker::CheckRules() {
  rule_deps_.resize(p_.rules.size());
  rule_ok_.assign(p_.rules.size(), false);
  for (size_t i = 0; i < p_.rules.size(); ++i) {
    const ast::RuleDecl& d = *rule_decls_[i];
    ir::Rule& rule = p_.rules[i];
    Scope scope;
    scope.frame_size = &rule.frame_size;
    scope.deps = &rule_deps_[i];
    rule.value = ExpectType(*d.value, scope, rule.type);
    bool ok = rule.value != nullptr;
    std::set<std::string> labels;
    for (const ast::ExceptionClause& c : d.exceptions) {
      ir::Exception ex;
      ex.label = c.label ? c.label->name : "";
      if (c.label && !labels.insert(ex.label).second)
        Error(DiagKind::DuplicateDefinition, c.label->range, "exception '{}' is named twice", ex.label);
      ex.condition = Condition(*c.condition, scope);
      ex.value = ExpectType(*c.value, scope, rule.type);
      if (c.cite) ex.cite = {c.cite->text, c.cite->range};
      ex.range = c.range;
      ok = ok && ex.condition && ex.value;
      rule.exceptions.push_back(std::move(ex));
    }
    rule_ok_[i] = ok;
  }
}

void Checker::CheckAccumulators() {
  acc_read_deps_.resize(p_.accumulators.size());
  for (size_t i = 0; i < p_.accumulators.size(); ++i) {
    const ast::AccumulatorDecl& d = *acc_decls_[i];
    ir::Accumulator& acc = p_.accumulators[i];
    Scope scope;
    scope.frame_size = &acc.frame_size;
    Deps update_deps;  // value and condition: read after the event, never part of a cycle
    scope.deps = &acc_read_deps_[i];
    if (d.key) {
      acc.key = Expr(*d.key, scope, nullptr);
      if (acc.key) {
        const Type& t = acc.key->type;
        acc.key_optional = t.optional;
        if (t.base == Base::Enum) {
          acc.key_kind = ir::AccKey::Enum;
          acc.key_enum = t.enum_id;
        } else if (t.base == Base::Int) {
          acc.key_kind = ir::AccKey::Int;
        } else {
          Error(DiagKind::BadAccumulator, d.key->range,
                "an accumulator is keyed by an enumeration or an int, not {}", TypeName(t));
        }
      }
    }
    if (d.cap) acc.cap = ExpectType(*d.cap, scope, acc.type.Optional());
    scope.deps = &update_deps;
    if (d.value) acc.value = ExpectType(*d.value, scope, acc.type);
    if (d.condition) acc.condition = Condition(*d.condition, scope);
    // Whether it depends on the event is known once the rules' stages are (checker.cpp).
    acc_update_deps_.push_back(std::move(update_deps));
  }
}

}  // namespace polc::check
