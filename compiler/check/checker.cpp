// The declaration pass: collects enumerations, records and symbols, checks each declaration
// through the expression checker, then dependency cycles, stages and unused definitions.
#include "compiler/check/checker.h"

#include <algorithm>
#include <functional>

namespace polc::check {

using ir::Base;
using ir::Type;

bool ParseDecimal(const std::string& text, int scale, int64_t& out, std::string& error) {
  int64_t value = 0;
  int decimals = -1;
  if (text.empty()) { error = "no digits"; return false; }
  for (char c : text) {
    if (c == '.') {
      if (decimals >= 0) { error = "two decimal points"; return false; }
      decimals = 0;
      continue;
    }
    if (c < '0' || c > '9') { error = "not a number"; return false; }
    if (decimals >= 0 && ++decimals > scale) {
      error = scale == 0 ? "a whole number is needed here"
                         : fmt::format("at most {} decimals", scale == 6 ? 6 : scale);
      return false;
    }
    if (value > (INT64_MAX - 9) / 10) { error = "the number is too large"; return false; }
    value = value * 10 + (c - '0');
  }
  for (int d = std::max(decimals, 0); d < scale; ++d) {
    if (value > INT64_MAX / 10) { error = "the number is too large"; return false; }
    value *= 10;
  }
  out = value;
  return true;
}

bool Checker::ResolveType(const ast::TypeRef& ref, Type& out) {
  static const std::map<std::string, Base> builtins = {
      {"bool", Base::Bool},     {"int", Base::Int},       {"money", Base::Money},
      {"rate", Base::Rate},     {"date", Base::Date},     {"duration", Base::Duration},
      {"period", Base::Period}, {"text", Base::Text}};
  auto b = builtins.find(ref.name.name);
  if (b != builtins.end()) {
    out = Type{b->second, -1, ref.optional};
    return true;
  }
  auto e = enum_ids_.find(ref.name.name);
  if (e != enum_ids_.end()) {
    out = Type{Base::Enum, e->second, ref.optional};
    return true;
  }
  Error(DiagKind::UnknownType, ref.name.range,
        "unknown type '{}' (built-in types: bool, int, money, rate, date, duration, period, text)",
        ref.name.name);
  return false;
}

void Checker::CollectHeader() {
  const ast::HeaderDecl* header = nullptr;
  for (const auto& d : module_.decls) {
    if (d->kind != ast::DeclKind::Header) continue;
    if (header) {
      Error(DiagKind::DuplicateDefinition, d->range, "a second policy header");
      continue;
    }
    header = static_cast<const ast::HeaderDecl*>(d.get());
  }
  if (!header) {
    Error(DiagKind::MissingHeader, SourceRange{1, 1, 1, 2},
          "the file has no `policy \"...\" {{ region: ... year: ... source: ... }}` header");
    return;
  }
  p_.header.title = header->title;
  p_.header.range = header->range;
  std::set<std::string> seen;
  for (const ast::HeaderField& f : header->fields) {
    if (!seen.insert(f.name.name).second)
      Error(DiagKind::DuplicateDefinition, f.name.range, "header field '{}' is given twice", f.name.name);
    bool want_number = f.name.name == "year";
    if (f.name.name != "region" && f.name.name != "year" && f.name.name != "source") {
      Error(DiagKind::MissingHeader, f.name.range,
            "unknown header field '{}' (expected region, year, source)", f.name.name);
      continue;
    }
    if (want_number != f.is_number) {
      Error(DiagKind::MissingHeader, f.range, "header field '{}' must be {}", f.name.name,
            want_number ? "a year number" : "a quoted string");
      continue;
    }
    if (f.name.name == "region") p_.header.region = f.value;
    if (f.name.name == "source") p_.header.source = f.value;
    if (f.name.name == "year") {
      std::string error;
      if (!ParseDecimal(f.value, 0, p_.header.year, error) || p_.header.year < 1000 ||
          p_.header.year > 9999)
        Error(DiagKind::MissingHeader, f.range, "the policy year must be a four-digit year");
    }
  }
  for (const char* needed : {"region", "year", "source"})
    if (!seen.count(needed))
      Error(DiagKind::MissingHeader, header->range, "the policy header has no '{}'", needed);
}

void Checker::CollectEnums() {
  for (const auto& d : module_.decls) {
    if (d->kind != ast::DeclKind::Enum) continue;
    const auto& e = static_cast<const ast::EnumDecl&>(*d);
    if (enum_ids_.count(e.name.name)) {
      Error(DiagKind::DuplicateDefinition, e.name.range, "enumeration '{}' is defined twice", e.name.name);
      continue;
    }
    ir::Enum en{e.name.name, {}, e.range};
    std::set<std::string> seen;
    for (const ast::EnumWord& w : e.words) {
      if (!seen.insert(w.name.name).second) {
        Error(DiagKind::DuplicateDefinition, w.name.range, "word '{}' appears twice in {}",
              w.name.name, e.name.name);
        continue;
      }
      en.words.push_back({w.name.name, w.label.value_or(""), w.name.range});
    }
    if (en.words.size() > 64) {
      Error(DiagKind::DuplicateDefinition, e.range, "an enumeration may have at most 64 words");
      continue;
    }
    int id = static_cast<int>(p_.enums.size());
    enum_ids_[e.name.name] = id;
    for (size_t i = 0; i < en.words.size(); ++i) words_[en.words[i].name].push_back({id, (int)i});
    p_.enums.push_back(std::move(en));
  }
}

void Checker::CollectRecords() {
  std::vector<const ast::InputDecl*> inputs;
  for (const auto& d : module_.decls)
    if (d->kind == ast::DeclKind::Input) inputs.push_back(static_cast<const ast::InputDecl*>(d.get()));
  for (const ast::InputDecl* in : inputs) {
    int slot = in->parent ? 1 : 0;
    if (input_decls_[slot]) {
      Error(DiagKind::BadInput, in->name.range, "a second {} record: {}",
            slot == 0 ? "subject" : "event",
            slot == 0 ? "only one input may stand alone (one row per person)"
                      : "only one input may belong to the subject");
      continue;
    }
    input_decls_[slot] = in;
  }
  if (!input_decls_[0] || !input_decls_[1]) {
    Error(DiagKind::BadInput, SourceRange{1, 1, 1, 2},
          "a policy needs two inputs: a subject record (`input person key person_id {{...}}`) and "
          "an event record (`input claim key claim_id of person by person_id order by date {{...}}`)");
    return;
  }
  for (int r = 0; r < 2; ++r) {
    const ast::InputDecl& in = *input_decls_[r];
    ir::Record& rec = p_.records[r];
    rec.name = in.name.name;
    rec.range = in.range;
    for (const ast::FieldDecl& f : in.fields) {
      Type t;
      if (!ResolveType(f.type, t)) continue;
      if (t.base == Base::Period || t.base == Base::Duration) {
        Error(DiagKind::BadInput, f.type.range, "an input field cannot be a {}", TypeName(t));
        continue;
      }
      if (fields_[r].count(f.name.name)) {
        Error(DiagKind::DuplicateDefinition, f.name.range, "field '{}' is declared twice", f.name.name);
        continue;
      }
      fields_[r][f.name.name] = static_cast<int>(rec.fields.size());
      rec.fields.push_back({f.name.name, t, f.name.range});
    }
    auto field_of = [&](const ast::Ident& id, Base want, const char* role) -> int {
      auto it = fields_[r].find(id.name);
      if (it == fields_[r].end()) {
        Error(DiagKind::BadInput, id.range, "the {} '{}' is not a field of {}", role, id.name, rec.name);
        return -1;
      }
      const Type& t = rec.fields[it->second].type;
      if (t.base != want || t.optional) {
        Error(DiagKind::BadInput, id.range, "the {} '{}' must be a required {} field", role, id.name,
              want == Base::Text ? "text" : "date");
        return -1;
      }
      return it->second;
    };
    rec.key_field = field_of(in.key, Base::Text, "key");
    if (r == 1) {
      if (in.parent->name != input_decls_[0]->name.name)
        Error(DiagKind::BadInput, in.parent->range, "'{}' is not the subject record '{}'",
              in.parent->name, input_decls_[0]->name.name);
      rec.parent_field = field_of(*in.parent_field, Base::Text, "subject key");
      if (!in.order)
        Error(DiagKind::BadInput, in.name.range, "the event record needs `order by DATE_FIELD`");
      else
        rec.order_field = field_of(*in.order, Base::Date, "order field");
    } else if (in.order) {
      Error(DiagKind::BadInput, in.order->range, "only the event record is ordered");
    }
  }
}

void Checker::CollectSymbols() {
  auto add = [&](const ast::Decl& d, SymKind kind, int id) {
    const std::string& name = d.name.name;
    auto it = symbols_.find(name);
    if (it != symbols_.end()) {
      Error(DiagKind::DuplicateDefinition, d.name.range, "'{}' is already defined at line {}", name,
            it->second.range.begin_line);
      return false;
    }
    for (int r = 0; r < 2; ++r)
      if (fields_[r].count(name) && kind != SymKind::Record) {
        Error(DiagKind::DuplicateDefinition, d.name.range, "'{}' is already a field of {}", name,
              p_.records[r].name);
        return false;
      }
    symbols_[name] = Symbol{kind, id, d.name.range};
    return true;
  };
  for (int r = 0; r < 2; ++r)
    if (input_decls_[r]) add(*input_decls_[r], SymKind::Record, r);
  for (const auto& dp : module_.decls) {
    const ast::Decl& d = *dp;
    switch (d.kind) {
      case ast::DeclKind::Param: {
        auto& decl = static_cast<const ast::ParamDecl&>(d);
        ir::Param param{d.name.name, {}, nullptr, {}, d.range};
        if (d.cite) param.cite = {d.cite->text, d.cite->range};
        ResolveType(decl.type, param.type);
        if (!add(d, SymKind::Param, (int)p_.params.size())) break;
        p_.params.push_back(std::move(param));
        param_decls_.push_back(&decl);
        break;
      }
      case ast::DeclKind::Set: {
        if (!add(d, SymKind::Set, (int)p_.sets.size())) break;
        ir::Set set;
        set.name = d.name.name;
        set.range = d.range;
        if (d.cite) set.cite = {d.cite->text, d.cite->range};
        p_.sets.push_back(std::move(set));
        set_decls_.push_back(static_cast<const ast::SetDecl*>(&d));
        break;
      }
      case ast::DeclKind::Table: {
        if (!add(d, SymKind::Table, (int)p_.tables.size())) break;
        ir::Table t;
        t.name = d.name.name;
        t.range = d.range;
        if (d.cite) t.cite = {d.cite->text, d.cite->range};
        p_.tables.push_back(std::move(t));
        table_decls_.push_back(static_cast<const ast::TableDecl*>(&d));
        break;
      }
      case ast::DeclKind::Brackets: {
        if (!add(d, SymKind::Brackets, (int)p_.brackets.size())) break;
        ir::Brackets b;
        b.name = d.name.name;
        b.range = d.range;
        if (d.cite) b.cite = {d.cite->text, d.cite->range};
        p_.brackets.push_back(std::move(b));
        bracket_decls_.push_back(static_cast<const ast::BracketsDecl*>(&d));
        break;
      }
      case ast::DeclKind::Rule: {
        auto& decl = static_cast<const ast::RuleDecl&>(d);
        ir::Rule rule;
        rule.name = d.name.name;
        rule.range = d.range;
        if (d.cite) rule.cite = {d.cite->text, d.cite->range};
        ResolveType(decl.type, rule.type);
        if (!add(d, SymKind::Rule, (int)p_.rules.size())) break;
        p_.rules.push_back(std::move(rule));
        rule_decls_.push_back(&decl);
        break;
      }
      case ast::DeclKind::Function: {
        auto& decl = static_cast<const ast::FunctionDecl&>(d);
        if (!add(d, SymKind::Function, (int)functions_.size())) break;
        FunctionInfo fn;
        fn.decl = &decl;
        functions_.push_back(std::move(fn));
        break;
      }
      case ast::DeclKind::Accumulator: {
        auto& decl = static_cast<const ast::AccumulatorDecl&>(d);
        ir::Accumulator acc;
        acc.name = d.name.name;
        acc.range = d.range;
        acc.is_count = decl.is_count;
        if (d.cite) acc.cite = {d.cite->text, d.cite->range};
        if (ResolveType(decl.type, acc.type) &&
            ((acc.type.base != Base::Money && acc.type.base != Base::Int) || acc.type.optional))
          Error(DiagKind::BadAccumulator, decl.type.range, "an accumulator holds money or int, not {}",
                TypeName(acc.type));
        if (decl.is_count && acc.type.base != Base::Int)
          Error(DiagKind::BadAccumulator, decl.type.range, "a count accumulator has type int");
        if (!add(d, SymKind::Accumulator, (int)p_.accumulators.size())) break;
        p_.accumulators.push_back(std::move(acc));
        acc_decls_.push_back(&decl);
        break;
      }
      case ast::DeclKind::Output:
        output_decls_.push_back(static_cast<const ast::OutputDecl*>(&d));
        break;
      default:
        break;
    }
  }
}

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
        Error(DiagKind::UnknownWord, w.range, "'{}' is not a word of enumeration {}", w.name,
              p_.enums[t.enum_id].name);
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
      std::string error;
      auto money = [&](const std::string& s, int64_t& v) {
        bool wan = s.size() > 3 && s.compare(s.size() - 3, 3, "万") == 0;
        return ParseDecimal(wan ? s.substr(0, s.size() - 3) : s, wan ? 6 : 2, v, error);
      };
      if (!money(row.lower, out.lower) || (!row.upper.empty() && !money(row.upper, out.upper)) ||
          !ParseDecimal(row.rate.substr(0, row.rate.size() - 1), 2, out.rate, error)) {
        Error(DiagKind::InvalidLiteral, row.range, "invalid bracket row: {}", error);
        ok = false;
        continue;
      }
      if (r == 0 && out.lower != 0) {
        Error(DiagKind::BadBrackets, row.range, "the first bracket must start at 0");
        ok = false;
      }
      if (r > 0 && !b.rows.empty() && b.rows.back().upper != out.lower) {
        Error(DiagKind::BadBrackets, row.range, "this bracket {} the previous one",
              b.rows.back().upper < out.lower ? "leaves a gap after" : "overlaps");
        ok = false;
      }
      if (row.upper.empty() && r + 1 != d.rows.size()) {
        Error(DiagKind::BadBrackets, row.range, "only the last bracket may be open above");
        ok = false;
      }
      if (!row.upper.empty() && out.upper <= out.lower) {
        Error(DiagKind::BadBrackets, row.range, "a bracket must end above where it starts");
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
    if (update_deps.stage != ir::Stage::Event && acc_read_deps_[i].stage != ir::Stage::Event && d.value)
      Error(DiagKind::BadAccumulator, d.range,
            "accumulator '{}' does not depend on the {} it accumulates", acc.name, p_.records[1].name);
  }
}

void Checker::CheckRequirements() {
  for (int r = 0; r < 2; ++r) {
    if (!input_decls_[r]) continue;
    for (const ast::Requirement& req : input_decls_[r]->requirements) {
      Scope scope;
      scope.subject_fields = r == 0;
      scope.event_fields = r == 1;
      Deps deps;
      scope.deps = &deps;
      scope.frame_size = &p_.records[r].frame_size;
      ir::Requirement out;
      out.condition = Condition(*req.condition, scope);
      out.message = req.message;
      out.range = req.range;
      if (!deps.rules.empty() || !deps.acc_reads.empty())
        Error(DiagKind::BadInput, req.range, "a requirement may only read the record's own fields");
      p_.records[r].requirements.push_back(std::move(out));
    }
  }
}

void Checker::CheckOutputs() {
  for (const ast::OutputDecl* d : output_decls_) {
    int record = -1;
    for (int r = 0; r < 2; ++r)
      if (input_decls_[r] && input_decls_[r]->name.name == d->record.name) record = r;
    if (record < 0) {
      Error(DiagKind::BadOutput, d->record.range, "'{}' is not an input record", d->record.name);
      continue;
    }
    if (p_.output_of[record] >= 0) {
      Error(DiagKind::BadOutput, d->name.range, "a second output for {}", d->record.name);
      continue;
    }
    ir::Output out;
    out.name = d->name.name;
    out.record = record;
    out.range = d->range;
    std::set<std::string> names;
    for (const ast::OutputColumn& c : d->columns) {
      if (!names.insert(c.name.name).second)
        Error(DiagKind::DuplicateDefinition, c.name.range, "column '{}' appears twice", c.name.name);
      Scope scope;
      scope.event_fields = record == 1;
      Deps deps;
      scope.deps = &deps;
      scope.frame_size = &out.frame_size;
      ast::Expr name_expr;
      name_expr.kind = ast::ExprKind::Name;
      name_expr.text = c.name.name;
      name_expr.range = c.name.range;
      ir::OutputColumn col;
      col.name = c.name.name;
      col.value = Expr(c.value ? *c.value : name_expr, scope, nullptr);
      col.absent = c.absent.value_or("");
      col.range = c.range;
      if (col.value && col.value->type.base == Base::Record)
        Error(DiagKind::BadOutput, c.range, "a whole table row cannot be a column; name one of its columns");
      if (record == 0) output_rule_checks_.push_back({c.range, std::move(deps)});
      out.columns.push_back(std::move(col));
    }
    p_.output_of[record] = static_cast<int32_t>(p_.outputs.size());
    p_.outputs.push_back(std::move(out));
  }
  if (input_decls_[0] && input_decls_[1] && (p_.output_of[0] < 0 || p_.output_of[1] < 0))
    Error(DiagKind::BadOutput, SourceRange{1, 1, 1, 2},
          "a policy needs one output for each input record (`output NAME for RECORD {{ columns }}`)");
}

void Checker::CheckCyclesAndStages() {
  // Graph nodes: rules, then accumulator reads (their key and cap). Functions are inlined,
  // so their reads are already merged into their callers' deps.
  size_t n_rules = p_.rules.size();
  auto deps_of = [&](size_t node) -> const Deps& {
    return node < n_rules ? rule_deps_[node] : acc_read_deps_[node - n_rules];
  };
  auto name_of = [&](size_t node) {
    return node < n_rules ? "rule " + p_.rules[node].name
                          : "accumulator " + p_.accumulators[node - n_rules].name;
  };
  size_t total = n_rules + p_.accumulators.size();
  std::vector<int> color(total, 0);  // 0 new, 1 on the stack, 2 done
  std::vector<ir::Stage> stage(total, ir::Stage::Const);
  std::vector<size_t> stack;
  std::function<void(size_t)> visit = [&](size_t node) {
    color[node] = 1;
    stack.push_back(node);
    const Deps& deps = deps_of(node);
    ir::Stage s = deps.stage;
    std::vector<size_t> next(deps.rules.begin(), deps.rules.end());
    for (int a : deps.acc_reads) next.push_back(n_rules + a);
    for (size_t m : next) {
      if (color[m] == 1) {
        std::string chain;
        auto it = std::find(stack.begin(), stack.end(), m);
        for (; it != stack.end(); ++it) chain += name_of(*it) + " -> ";
        chain += name_of(m);
        SourceRange r = m < n_rules ? p_.rules[m].range : p_.accumulators[m - n_rules].range;
        Error(DiagKind::Cycle, r, "definitions depend on each other in a cycle: {}", chain);
        continue;
      }
      if (color[m] == 0) visit(m);
      s = std::max(s, stage[m]);
    }
    stage[node] = s;
    color[node] = 2;
    stack.pop_back();
  };
  for (size_t i = 0; i < total; ++i)
    if (color[i] == 0) visit(i);
  for (size_t i = 0; i < n_rules; ++i) {
    p_.rules[i].stage = stage[i];
    p_.rules[i].rule_deps.assign(rule_deps_[i].rules.begin(), rule_deps_[i].rules.end());
  }
  for (auto& [range, deps] : output_rule_checks_) {
    ir::Stage s = deps.stage;
    for (int r : deps.rules) s = std::max(s, stage[r]);
    if (s == ir::Stage::Event)
      Error(DiagKind::StageMismatch, range, "a per-{} column cannot depend on a {}",
            p_.records[0].name, p_.records[1].name);
  }
  // Parameters may refer to parameters only: a cycle among them is reported here too.
  std::vector<int> pcolor(p_.params.size(), 0);
  std::function<void(size_t)> pvisit = [&](size_t i) {
    pcolor[i] = 1;
    for (int m : param_deps_[i].params) {
      if (pcolor[m] == 1)
        Error(DiagKind::Cycle, p_.params[m].range, "parameter '{}' depends on itself", p_.params[m].name);
      else if (pcolor[m] == 0)
        pvisit(m);
    }
    pcolor[i] = 2;
  };
  for (size_t i = 0; i < p_.params.size(); ++i)
    if (pcolor[i] == 0) pvisit(i);
}

void Checker::ReportUnused() {
  for (const auto& [name, s] : symbols_) {
    if (s.used || s.kind == SymKind::Record) continue;
    static const char* what[] = {"parameter", "set", "table", "brackets", "rule",
                                 "function", "accumulator", "record"};
    sink_.Report(DiagKind::UnusedDefinition, file_, s.range,
                 fmt::format("{} '{}' is never used", what[static_cast<int>(s.kind)], name));
  }
}

bool Checker::Run() {
  size_t errors_before = sink_.ErrorCount();
  CollectHeader();
  CollectEnums();
  CollectRecords();
  CollectSymbols();
  CheckParams();
  CheckSets();
  CheckTables();
  CheckBrackets();
  for (size_t i = 0; i < functions_.size(); ++i) CheckFunction(static_cast<int>(i));
  CheckAccumulators();
  CheckRules();
  CheckRequirements();
  CheckOutputs();
  CheckCyclesAndStages();
  ReportUnused();
  return sink_.ErrorCount() == errors_before;
}

}  // namespace polc::check

namespace polc {

bool Check(const ast::Module& module, const std::string& base_dir, DiagnosticSink& sink,
           ir::Program& program) {
  program.file = module.file;
  check::Checker checker(module, base_dir, sink, program);
  return checker.Run();
}

}  // namespace polc
