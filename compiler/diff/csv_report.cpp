// The policy diff and its impact as one CSV table (`polc diff --format csv`): one row per
// figure, `section,key,column,label,old,new,change`, so a spreadsheet can filter by section.
#include <fmt/format.h>

#include "compiler/diff/impact.h"
#include "compiler/diff/report.h"
#include "runtime/money.h"

namespace polc::diff {

namespace {

std::string Cell(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

class Rows {
 public:
  void Add(const std::string& section, const std::string& key, const std::string& column, const std::string& label,
           const std::string& before, const std::string& after, const std::string& change) {
    out_ += fmt::format("{},{},{},{},{},{},{}\n", Cell(section), Cell(key), Cell(column), Cell(label), Cell(before),
                        Cell(after), Cell(change));
  }
  void Money(const std::string& section, const std::string& key, const std::string& column, const std::string& label,
             int64_t before, int64_t after) {
    Add(section, key, column, label, rt::FormatMoney(before), rt::FormatMoney(after), rt::FormatMoney(after - before));
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_ = "section,key,column,label,old,new,change\n";
};

}  // namespace

std::string DiffCsv(const Sides& sides, const PolicyDiff& diff, const Impact* impact) {
  Rows rows;
  rows.Add("policy", "file", "", "", sides.old_file, sides.new_file, "");
  rows.Add("policy", "title", "", "", sides.old_program->header.title, sides.new_program->header.title, "");
  rows.Add("policy", "year", "", "", std::to_string(sides.old_program->header.year),
           std::to_string(sides.new_program->header.year), "");
  for (const Area& area : diff.areas)
    for (const Change* c : area.changes)
      rows.Add("change", area.name, fmt::format("{} {} {}", c->decl, c->name, c->part), KindName(c->kind),
               c->before.text, c->after.text, "");
  if (impact == nullptr) return rows.Take();
  const PopulationYear& y = impact->population;
  rows.Add("population", "year", y.source, OutsideWarning(*impact), "", std::to_string(y.year), "");
  rows.Add("population", "shift", "", "", std::to_string(y.old_shift), std::to_string(y.new_shift), "");
  rows.Add("population", "outside", "", "", "", std::to_string(y.outside), "");
  const Funds& f = impact->funds;
  for (const Totals& t : f.funds) rows.Money("fund", t.column, "total", t.label, t.before, t.after);
  rows.Money("fund", "all funds", "total", "", f.payouts.before, f.payouts.after);
  for (const Totals& t : f.incomes) rows.Money("income", t.column, "total", t.label, t.before, t.after);
  rows.Money("income", "income", "total", "", f.income.before, f.income.after);
  rows.Money("balance", "balance", "total", "", f.balance.before, f.balance.after);
  rows.Money("per_person", "all funds", "average", "", PerHead(f.payouts.before, f.persons), PerHead(f.payouts.after, f.persons));
  rows.Money("per_person", "balance", "average", "", PerHead(f.balance.before, f.persons), PerHead(f.balance.after, f.persons));
  rows.Money("per_claimant", "all funds", "average", "", PerHead(f.payouts.before, f.claimants_before),
             PerHead(f.payouts.after, f.claimants_after));
  const Waterfall& w = impact->waterfall;
  for (const WaterfallStep& s : w.steps)
    for (size_t i = 0; i < w.columns.size(); ++i)
      rows.Add("waterfall", s.kind == "area" ? (s.area.empty() ? "(no area)" : s.area) : s.kind, w.columns[i], s.label,
               "", "", rt::FormatMoney(s.deltas[i]));
  for (const RecordImpact* r : {&impact->subjects, &impact->events})
    for (const Totals& t : r->totals)
      if (t.before_present && t.after_present) rows.Money("total", r->output, t.column, t.label, t.before, t.after);
  for (const Group& g : impact->group_rows)
    for (const Totals& t : g.totals)
      if (t.before_present && t.after_present) rows.Money("by " + impact->by, g.key, t.column, g.label, t.before, t.after);
  for (const TopEvent& t : impact->top)
    for (const TopEvent::Column& c : t.columns) rows.Add("top", t.key, c.name, t.subject_key, c.before, c.after, "");
  return rows.Take();
}

}  // namespace polc::diff
