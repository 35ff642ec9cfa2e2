// The first pass over the declarations: the policy header, enumerations, input records and
// the symbol table, with the types declarations name.
#include "compiler/check/checker.h"

namespace polc::check {

using ir::Base;
using ir::Type;

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

}  // namespace polc::check
