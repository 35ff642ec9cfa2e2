// The requirements of input records and the output declarations (columns, and one output
// for each input record).
#include "compiler/check/checker.h"

namespace polc::check {

using ir::Base;
using ir::Type;

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
    const bool year_end = d->stage.has_value();
    if (year_end && d->stage->name != "year_end") {
      Error(DiagKind::BadOutput, d->stage->range, "unknown stage '{}'; the only one is `at year_end`",
            d->stage->name);
      continue;
    }
    if (year_end && record != 0) {
      Error(DiagKind::BadOutput, d->stage->range, "only an output for {} can be `at year_end`",
            p_.records[0].name);
      continue;
    }
    const int slot = year_end ? 2 : record;
    if (p_.output_of[slot] >= 0) {
      Error(DiagKind::BadOutput, d->name.range, "a second output for {}{}", d->record.name,
            year_end ? " at year_end" : "");
      continue;
    }
    ir::Output out;
    out.name = d->name.name;
    out.record = record;
    out.year_end = year_end;
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
      if (!c.role.empty()) {
        col.role = c.role == "fund" ? ir::ColumnRole::Fund : ir::ColumnRole::Income;
        col.label = c.label;
        if (col.value && col.value->type.base != Base::Money)
          Error(DiagKind::BadOutput, c.range, "column '{}' is {}: only a money column can be a {}", c.name.name,
                ir::BaseName(col.value->type.base), c.role);
      }
      if (record == 0) output_rule_checks_.push_back({c.range, std::move(deps), year_end});
      out.columns.push_back(std::move(col));
    }
    p_.output_of[slot] = static_cast<int32_t>(p_.outputs.size());
    p_.outputs.push_back(std::move(out));
  }
  if (input_decls_[0] && input_decls_[1] && (p_.output_of[0] < 0 || p_.output_of[1] < 0))
    Error(DiagKind::BadOutput, SourceRange{1, 1, 1, 2},
          "a policy needs one output for each input record (`output NAME for RECORD {{ columns }}`)");
}

}  // namespace polc::check
