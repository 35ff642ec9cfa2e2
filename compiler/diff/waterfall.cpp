// What each change costs: variants of the two policies settled over the same population.
// The old policy is first moved to the new year (its date literals and its year), then each
// area of the new policy that changed is applied on its own onto that moved policy (the new
// file's declarations of the area in place of the old ones). Each area's step is what it adds
// to each fund total; the interaction is what is left of the total change, so the steps sum to
// it exactly. The same machinery gives the values of a rule for `--by RULE`: the new policy
// with one more output column.
#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "compiler/check/check.h"
#include "compiler/diag/stack.h"
#include "compiler/diff/impact.h"
#include "compiler/io/read_inputs.h"
#include "compiler/parse/parse.h"
#include "compiler/settle/population.h"
#include "compiler/settle/shard.h"
#include "runtime/date.h"

namespace polc::diff {

namespace {

using DeclKey = std::pair<int, std::string>;
DeclKey KeyOf(const ast::Decl& d) {
  return {static_cast<int>(d.kind), d.kind == ast::DeclKind::Header ? std::string() : d.name.name};
}

std::string Dir(const SourceFile& f) {
  const std::string dir = std::filesystem::path(f.Name()).parent_path().string();
  return dir.empty() ? "." : dir;
}

std::unique_ptr<ast::Module> ParseAgain(const SourceFile& source, std::string& error) {
  DiagnosticSink sink;
  sink.AddSource(&source);
  std::unique_ptr<ast::Module> m = Parse(source, sink);
  if (!m) error = sink.Render(false);
  return m;
}

// ---- moving a policy's dates by whole years
std::string MoveDate(const std::string& text, int64_t years) {
  int32_t day = 0;
  std::string error;
  if (!rt::ParseDate(text, day, error)) return text;
  return rt::FormatDate(rt::ShiftYears(day, years));
}

void MoveExpr(ast::Expr* e, int64_t years) {
  if (e == nullptr) return;
  if (e->kind == ast::ExprKind::Date) e->text = MoveDate(e->text, years);
  if (e->kind == ast::ExprKind::Period) {
    e->text = MoveDate(e->text, years);
    e->text2 = MoveDate(e->text2, years);
  }
  for (ast::ExprPtr& a : e->args) MoveExpr(a.get(), years);
  for (ast::MatchArm& arm : e->arms) MoveExpr(arm.value.get(), years);
}

void MoveDecl(ast::Decl& d, int64_t years, int64_t year) {
  using K = ast::DeclKind;
  switch (d.kind) {
    case K::Header:
      for (ast::HeaderField& f : static_cast<ast::HeaderDecl&>(d).fields)
        if (f.name.name == "year") f.value = std::to_string(year);
      break;
    case K::Input:
      for (ast::Requirement& r : static_cast<ast::InputDecl&>(d).requirements) MoveExpr(r.condition.get(), years);
      break;
    case K::Param: MoveExpr(static_cast<ast::ParamDecl&>(d).value.get(), years); break;
    case K::Table:
      for (ast::TableRow& row : static_cast<ast::TableDecl&>(d).rows)
        for (ast::ExprPtr& v : row.values) MoveExpr(v.get(), years);
      break;
    case K::Rule: {
      auto& r = static_cast<ast::RuleDecl&>(d);
      MoveExpr(r.value.get(), years);
      for (ast::ExceptionClause& x : r.exceptions) {
        MoveExpr(x.condition.get(), years);
        MoveExpr(x.value.get(), years);
      }
      break;
    }
    case K::Function: MoveExpr(static_cast<ast::FunctionDecl&>(d).body.get(), years); break;
    case K::Accumulator: {
      auto& a = static_cast<ast::AccumulatorDecl&>(d);
      for (ast::Expr* e : {a.key.get(), a.value.get(), a.condition.get(), a.cap.get()}) MoveExpr(e, years);
      break;
    }
    case K::Output:
      for (ast::OutputColumn& c : static_cast<ast::OutputDecl&>(d).columns) MoveExpr(c.value.get(), years);
      break;
    default: break;
  }
}

// The area each declaration belongs to ("" before the first area).
std::map<const ast::Decl*, std::string> AreasOf(const ast::Module& m) {
  std::map<const ast::Decl*, std::string> out;
  std::string area;
  for (const auto& d : m.decls) {
    if (d->kind == ast::DeclKind::Area) area = d->name.name;
    out[d.get()] = area;
  }
  return out;
}

// `base` (the moved old policy) with the new policy's declarations of `area` in place of the
// old ones, and the old declarations of that area that the new policy no longer has removed.
void ApplyArea(ast::Module& base, std::unique_ptr<ast::Module> fresh_new, const std::string& area,
               const std::string& new_dir) {
  const auto new_areas = AreasOf(*fresh_new);
  std::set<DeclKey> in_new, in_area;
  for (const auto& d : fresh_new->decls) {
    in_new.insert(KeyOf(*d));
    if (new_areas.at(d.get()) == area && d->kind != ast::DeclKind::Area) in_area.insert(KeyOf(*d));
  }
  const auto old_areas = AreasOf(base);
  std::vector<std::unique_ptr<ast::Decl>> kept;
  for (auto& d : base.decls) {
    const DeclKey k = KeyOf(*d);
    const bool replaced = in_area.count(k) > 0;
    const bool removed = d->kind != ast::DeclKind::Area && old_areas.at(d.get()) == area && !in_new.count(k);
    if (!replaced && !removed) kept.push_back(std::move(d));
  }
  for (auto& d : fresh_new->decls) {
    if (d->kind == ast::DeclKind::Area || new_areas.at(d.get()) != area) continue;
    if (d->kind == ast::DeclKind::Table) {
      auto& t = static_cast<ast::TableDecl&>(*d);
      if (t.csv_path && std::filesystem::path(*t.csv_path).is_relative())
        t.csv_path = (std::filesystem::path(new_dir) / *t.csv_path).string();
    }
    kept.push_back(std::move(d));
  }
  base.decls = std::move(kept);
}

// Sums of named money columns over both outputs of a settlement.
class NamedTotals : public settle::RowSink {
 public:
  NamedTotals(const ir::Program& p, const std::vector<std::string>& names) {
    for (int kind = 0; kind < 2; ++kind) {
      if (p.output_of[kind] < 0) continue;
      const ir::Output& o = p.outputs[static_cast<size_t>(p.output_of[kind])];
      for (size_t c = 0; c < o.columns.size(); ++c)
        for (size_t n = 0; n < names.size(); ++n)
          if (o.columns[c].name == names[n] && o.columns[c].value->type.base == ir::Base::Money)
            where_[kind].push_back({c, n});
    }
    totals.assign(names.size(), 0);
  }
  void SubjectRow(uint32_t, std::span<const ir::Value> row) override { Add(0, row); }
  void EventRow(uint32_t, std::span<const ir::Value> row) override { Add(1, row); }
  std::vector<int64_t> totals;

 private:
  void Add(int kind, std::span<const ir::Value> row) {
    for (const auto& [c, n] : where_[kind])
      if (row[c].present && __builtin_add_overflow(totals[n], row[c].a, &totals[n]))
        throw settle::EvalError("a total overflows");
  }
  std::vector<std::pair<size_t, size_t>> where_[2];
};

// Checks a variant module; on errors `note` says the first.
bool CheckVariant(const ast::Module& m, const std::string& dir, ir::Program& program, std::string& note) {
  DiagnosticSink diags;
  if (Check(m, dir, diags, program)) return true;
  for (const Diagnostic& d : diags.Sorted())
    if (d.severity() == Severity::Error) {
      note = d.message;
      break;
    }
  return false;
}

// Settles the population moved by `shift` years under a checked variant.
bool SettleProgram(const ImpactInputs& side, const ir::Program& program, const ImpactOptions& options, int64_t shift,
                   settle::RowSink& sink, std::string& note) {
  Settler settler = side.make_settler(program);
  settle::Inputs inputs;
  settle::InputErrors errors;
  if (!io::ReadInputs(*settler.interp, options.persons, options.claims, inputs, errors, shift)) {
    note = errors.Render();
    return false;
  }
  settle::KeepShard(inputs, options.shard);  // the same persons as the main comparison
  settle::Population population;
  population.subjects = inputs.subjects.Size();
  population.settle = [&](size_t, uint32_t s) { settler.settle(inputs, s, sink, settle::SettleOptions{}); };
  std::string failure;
  if (!settle::SettlePopulation(population, failure)) throw settle::EvalError(failure);
  return true;
}

// The totals of the named columns (and the balance) under a variant; false when it does not
// check or settle.
bool VariantTotals(const ImpactInputs& side, const ast::Module& m, const std::string& dir, const ImpactOptions& options,
                   int64_t shift, const std::vector<std::string>& names, std::vector<int64_t>& totals, std::string& note) {
  ir::Program program;
  if (!CheckVariant(m, dir, program, note)) return false;
  NamedTotals sink(program, names);
  if (!SettleProgram(side, program, options, shift, sink, note)) return false;
  totals = sink.totals;
  return true;
}

WaterfallStep Step(std::string kind, std::string area, std::string label) {
  WaterfallStep s;
  s.kind = std::move(kind);
  s.area = std::move(area);
  s.label = std::move(label);
  return s;
}

bool Settles(const Change& c) {
  return !(c.part == "cite" || c.part.ends_with(": cite") || c.decl == "policy" || c.decl == "area");
}

}  // namespace

bool ComputeWaterfall(const ImpactInputs& old_side, const ImpactInputs& new_side, const PolicyDiff& diff,
                      const ImpactOptions& options, Impact& impact, std::string& error) {
  Waterfall& w = impact.waterfall;
  std::vector<int> sign;  // +1 income, -1 fund, per column
  for (const Totals& t : impact.funds.funds) w.columns.push_back(t.column), w.labels.push_back(t.label), sign.push_back(-1);
  for (const Totals& t : impact.funds.incomes) w.columns.push_back(t.column), w.labels.push_back(t.label), sign.push_back(1);
  if (w.columns.empty() || !old_side.make_settler || !old_side.source || !new_side.source) return true;
  std::vector<std::string> names = w.columns;
  w.columns.push_back("balance");
  w.labels.push_back("");
  auto with_balance = [&](std::vector<int64_t> v) {
    int64_t b = 0;
    for (size_t i = 0; i < sign.size(); ++i) b += sign[i] * v[i];
    v.push_back(b);
    return v;
  };
  std::vector<int64_t> before, after;
  for (const Totals& t : impact.funds.funds) before.push_back(t.before), after.push_back(t.after);
  for (const Totals& t : impact.funds.incomes) before.push_back(t.before), after.push_back(t.after);
  w.before = with_balance(before);
  w.after = with_balance(after);

  const int64_t years = new_side.program->header.year - old_side.program->header.year;
  const std::string old_dir = Dir(*old_side.source), new_dir = Dir(*new_side.source);
  auto moved_old = [&]() -> std::unique_ptr<ast::Module> {
    std::unique_ptr<ast::Module> m = ParseAgain(*old_side.source, error);
    if (m && years != 0)
      for (auto& d : m->decls) MoveDecl(*d, years, new_side.program->header.year);
    return m;
  };
  const int64_t shift = impact.population.new_shift;
  // The variants: the moved old policy (when the years differ), then each changed area on
  // its own onto it. Built here, checked and settled on `options.threads` threads.
  struct Task {
    WaterfallStep step;
    std::unique_ptr<ast::Module> module;
    std::vector<int64_t> totals;
  };
  std::vector<Task> tasks;
  if (years != 0) {
    tasks.push_back({Step("year", "", fmt::format("{} → {}", old_side.program->header.year, new_side.program->header.year)),
                     moved_old(), {}});
    if (!tasks.back().module) return false;
  }
  for (const Area& area : diff.areas) {
    if (std::none_of(area.changes.begin(), area.changes.end(), [](const Change* c) { return Settles(*c); })) continue;
    std::unique_ptr<ast::Module> m = moved_old();
    std::unique_ptr<ast::Module> n = ParseAgain(*new_side.source, error);
    if (!m || !n) return false;
    ApplyArea(*m, std::move(n), area.name, new_dir);
    tasks.push_back({Step("area", area.name, area.label), std::move(m), {}});
  }
  std::atomic<size_t> next{0};
  std::mutex failed_mutex;
  std::string failed;  // an EvalError of a variant: fails the whole impact, as the main run would
  auto work = [&] {
    for (size_t t = next++; t < tasks.size(); t = next++) {
      Task& task = tasks[t];
      try {
        RunOnLargeStack([&] {
          task.step.separable =
              VariantTotals(old_side, *task.module, old_dir, options, shift, names, task.totals, task.step.note);
        });
      } catch (const settle::EvalError& e) {
        std::lock_guard<std::mutex> lock(failed_mutex);
        failed = e.what();
      }
    }
  };
  const size_t threads = std::min<size_t>(std::max(options.threads, 1), tasks.size());
  std::vector<std::thread> pool;
  for (size_t i = 1; i < threads; ++i) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  if (!failed.empty()) throw settle::EvalError(failed);

  std::vector<int64_t> base = w.before;
  std::vector<int64_t> sum(w.columns.size(), 0);
  for (Task& task : tasks) {
    WaterfallStep& step = task.step;
    const std::vector<int64_t> totals = step.separable ? with_balance(task.totals) : base;
    step.deltas.resize(w.columns.size());
    for (size_t i = 0; i < w.columns.size(); ++i) step.deltas[i] = totals[i] - base[i];
    for (size_t i = 0; i < w.columns.size(); ++i) sum[i] += step.deltas[i];
    // The areas are measured from the moved old policy.
    if (step.kind == "year") base = totals;
    w.steps.push_back(std::move(step));
  }
  WaterfallStep rest = Step("interaction", "", "interaction");
  rest.deltas.resize(w.columns.size());
  for (size_t i = 0; i < w.columns.size(); ++i) rest.deltas[i] = (w.after[i] - w.before[i]) - sum[i];
  w.steps.push_back(std::move(rest));
  return true;
}

bool RuleValues(const ImpactInputs& side, const std::string& rule, int64_t year_shift, const ImpactOptions& options,
                std::vector<ir::Value>& event_values, std::vector<ir::Value>& subject_values, bool& subject_stage,
                ir::Type& type, std::string& error) {
  const ir::Program& p = *side.program;
  for (const ir::Rule& r : p.rules)
    if (r.name == rule) {
      subject_stage = r.stage != ir::Stage::Event;
      type = r.type;
    }
  if (!side.source || !side.make_settler) {
    error = fmt::format("--by {}: a rule's values need the policy's source", rule);
    return false;
  }
  std::unique_ptr<ast::Module> m = ParseAgain(*side.source, error);
  if (!m) return false;
  // One more column, last, in each output the rule can be read in.
  const std::string column = "polc_by_key";
  for (auto& d : m->decls) {
    if (d->kind != ast::DeclKind::Output) continue;
    auto& o = static_cast<ast::OutputDecl&>(*d);
    if (o.record.name != p.records[1].name && !(subject_stage && o.record.name == p.records[0].name)) continue;
    ast::OutputColumn c;
    c.name.name = column;
    c.value = std::make_unique<ast::Expr>();
    c.value->kind = ast::ExprKind::Name;
    c.value->text = rule;
    c.range = o.range;
    c.name.range = o.range;
    c.value->range = o.range;
    o.columns.push_back(std::move(c));
  }
  class KeySink : public settle::RowSink {
   public:
    KeySink(std::vector<ir::Value>& e, std::vector<ir::Value>& s) : e_(e), s_(s) {}
    void SubjectRow(uint32_t subject, std::span<const ir::Value> row) override {
      if (subject >= s_.size()) s_.resize(subject + 1);
      s_[subject] = row.back();
    }
    void EventRow(uint32_t event, std::span<const ir::Value> row) override {
      if (event >= e_.size()) e_.resize(event + 1);
      e_[event] = row.back();
    }

   private:
    std::vector<ir::Value>&e_, &s_;
  } sink(event_values, subject_values);
  ir::Program program;
  std::string note;
  if (!CheckVariant(*m, Dir(*side.source), program, note) ||
      !SettleProgram(side, program, options, year_shift, sink, note)) {
    error = fmt::format("--by {}: {}", rule, note);
    return false;
  }
  return true;
}

}  // namespace polc::diff
