// Settling one population under both policies and comparing the output rows (see impact.h).
// One subject at a time: its rows under the old policy, then under the new, compared at once,
// so the run needs no memory per claim beyond the inputs.
#include "compiler/diff/impact.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>
#include <queue>
#include <tuple>

#include <fmt/format.h>

#include "compiler/io/read_inputs.h"
#include "compiler/io/results.h"
#include "compiler/settle/population.h"
#include "runtime/date.h"

namespace polc::diff {

namespace {

using ir::Value;

// One subject's output rows.
class CaptureSink : public settle::RowSink {
 public:
  void Clear() {
    has_subject = false;
    events.clear();
    values.clear();
  }
  void SubjectRow(uint32_t, std::span<const Value> row) override {
    subject.assign(row.begin(), row.end());
    has_subject = true;
  }
  void EventRow(uint32_t event, std::span<const Value> row) override {
    events.push_back(event);
    width = row.size();
    values.insert(values.end(), row.begin(), row.end());
  }
  bool has_subject = false;
  std::vector<Value> subject;
  std::vector<uint32_t> events;
  std::vector<Value> values;  // events.size() rows of `width` values
  size_t width = 0;
};

// A column of one output on both sides, matched by name.
struct ColumnPair {
  std::string name;
  int old_index = -1, new_index = -1;
  ir::Type old_type, new_type;
  ir::ColumnRole role = ir::ColumnRole::None;
  std::string label;
};

const ir::Output* OutputOf(const ir::Program& p, int kind) {
  return p.output_of[kind] < 0 ? nullptr : &p.outputs[static_cast<size_t>(p.output_of[kind])];
}

std::vector<ColumnPair> PairColumns(const ir::Program& a, const ir::Program& b, int kind) {
  std::vector<ColumnPair> out;
  const ir::Output *oa = OutputOf(a, kind), *ob = OutputOf(b, kind);
  if (ob)
    for (size_t i = 0; i < ob->columns.size(); ++i)
      out.push_back({ob->columns[i].name, -1, static_cast<int>(i), {}, ob->columns[i].value->type,
                     ob->columns[i].role, ob->columns[i].label});
  if (oa)
    for (size_t i = 0; i < oa->columns.size(); ++i) {
      auto it = std::find_if(out.begin(), out.end(), [&](const ColumnPair& c) { return c.name == oa->columns[i].name; });
      if (it == out.end())
        it = out.insert(out.end(), {oa->columns[i].name, -1, -1, {}, {}, oa->columns[i].role, oa->columns[i].label});
      it->old_index = static_cast<int>(i);
      it->old_type = oa->columns[i].value->type;
    }
  return out;
}

}  // namespace

bool SameValue(const ir::Type& type, const Value& old_value, const Value& new_value, int64_t old_to_new) {
  if (old_value.present != new_value.present) return false;
  if (!old_value.present) return true;
  auto move = [&](int64_t day) { return rt::ShiftYears(static_cast<int32_t>(day), old_to_new); };
  if (type.base == ir::Base::Date && old_to_new != 0) return move(old_value.a) == new_value.a;
  if (type.base == ir::Base::Period && old_to_new != 0)
    return move(old_value.a) == new_value.a && move(old_value.b) == new_value.b;
  return old_value == new_value;
}

namespace {

bool IsMoney(const ColumnPair& c) {
  return (c.old_index < 0 || c.old_type.base == ir::Base::Money) && (c.new_index < 0 || c.new_type.base == ir::Base::Money);
}
bool Both(const ColumnPair& c) { return c.old_index >= 0 && c.new_index >= 0; }

// Compares and totals one output record kind, row by row.
class RecordComparer {
 public:
  // `old_to_new`: years to move an old date by to compare it with a new one (the population's
  // shift undone), so a benefit start of 2025-03-01 under the 2025 policy equals 2026-03-01.
  RecordComparer(const ir::Program& a, const ir::Program& b, const settle::Inputs& ia, const settle::Inputs& ib,
                 int kind, int64_t old_to_new, RecordImpact& out)
      : a_(a), b_(b), ia_(ia), ib_(ib), columns_(PairColumns(a, b, kind)), old_to_new_(old_to_new), out_(out) {
    const ir::Output* ob = OutputOf(b, kind);
    out.record = b.records[kind].name;
    out.output = ob ? ob->name : "";
    for (const ColumnPair& c : columns_) {
      if (!IsMoney(c)) continue;
      out.totals.push_back({c.name, c.role, c.label, 0, 0, c.old_index >= 0, c.new_index >= 0, 0, 0});
      if (Both(c)) out.distribution.push_back({c.name, 0, 0, 0, 0, std::vector<int64_t>(kBucketCount, 0)});
    }
  }
  const std::vector<ColumnPair>& Columns() const { return columns_; }

  // Compares one row; returns whether it changed and the largest money change (fen, absolute).
  // `totals` receives the money columns' values (may be null).
  bool Row(const Value* before, const Value* after, int64_t& score, std::vector<Totals>* group, size_t offset = 0) {
    ++out_.rows;
    bool changed = false;
    score = 0;
    size_t money = 0, dist = 0;
    for (const ColumnPair& c : columns_) {
      const Value* va = c.old_index >= 0 ? &before[c.old_index] : nullptr;
      const Value* vb = c.new_index >= 0 ? &after[c.new_index] : nullptr;
      if (IsMoney(c)) {
        Totals& t = out_.totals[money];
        Add(t, va, vb);
        if (group) Add((*group)[offset + money], va, vb);
        ++money;
        if (Both(c)) {
          Distribution& d = out_.distribution[dist++];
          if (va->present && vb->present && va->a != vb->a) {
            const int64_t delta = vb->a - va->a;
            if (delta > 0) ++d.increased, d.sum_increase += delta;
            else ++d.decreased, d.sum_decrease += delta;
            size_t bucket = 0;
            while (bucket + 1 < kBucketCount && delta >= kBucketBounds[bucket + 1]) ++bucket;
            ++d.buckets[bucket];
            score = std::max(score, std::abs(delta));
          }
        }
      }
      if (!Both(c)) continue;
      if (Same(c, *va, *vb)) continue;
      changed = true;
      if (c.new_type.base == ir::Base::Enum && c.old_type.base == ir::Base::Enum) {
        ++transitions_[{c.name, Show(a_, ia_, c.old_type, *va), Show(b_, ib_, c.new_type, *vb)}];
      }
    }
    if (changed) ++out_.changed;
    return changed;
  }

  // The columns of a row that changed, as text.
  std::vector<TopEvent::Column> Changed(const Value* before, const Value* after) const {
    std::vector<TopEvent::Column> out;
    for (const ColumnPair& c : columns_) {
      if (!Both(c) || Same(c, before[c.old_index], after[c.new_index])) continue;
      out.push_back({c.name, Show(a_, ia_, c.old_type, before[c.old_index]), Show(b_, ib_, c.new_type, after[c.new_index])});
    }
    return out;
  }

  void Finish() {
    for (const auto& [key, count] : transitions_)
      out_.transitions.push_back({std::get<0>(key), std::get<1>(key), std::get<2>(key), count});
  }

 private:
  static void Add(Totals& t, const Value* va, const Value* vb) {
    if (va) {
      if (!va->present) ++t.absent_before;
      else if (__builtin_add_overflow(t.before, va->a, &t.before)) throw settle::EvalError("a total overflows");
    }
    if (vb) {
      if (!vb->present) ++t.absent_after;
      else if (__builtin_add_overflow(t.after, vb->a, &t.after)) throw settle::EvalError("a total overflows");
    }
  }
  bool Same(const ColumnPair& c, const Value& va, const Value& vb) const {
    if (c.old_type.base == ir::Base::Text || c.new_type.base == ir::Base::Text) {
      if (c.old_type.base != c.new_type.base || va.present != vb.present) return false;
      return !va.present || ia_.Text(va) == ib_.Text(vb);
    }
    if (c.old_type.base == ir::Base::Enum && c.new_type.base == ir::Base::Enum)
      return va.present == vb.present && (!va.present || Show(a_, ia_, c.old_type, va) == Show(b_, ib_, c.new_type, vb));
    if (c.old_type.base != c.new_type.base) return false;
    return SameValue(c.new_type, va, vb, old_to_new_);
  }
  static std::string Show(const ir::Program& p, const settle::Inputs& in, const ir::Type& t, const Value& v) {
    return io::FormatCell(p, in, t, v, "none");
  }
  const ir::Program &a_, &b_;
  const settle::Inputs &ia_, &ib_;
  std::vector<ColumnPair> columns_;
  int64_t old_to_new_;
  RecordImpact& out_;
  std::map<std::tuple<std::string, std::string, std::string>, int64_t> transitions_;
};

bool Read(const ImpactInputs& side, const ImpactOptions& options, int64_t shift, settle::Inputs& inputs,
          std::string& error) {
  settle::InputErrors errors;
  if (io::ReadInputs(*side.interp, options.persons, options.claims, inputs, errors, shift)) return true;
  error += errors.Render();
  return false;
}

// The event field to group by: the one named, or the first enumeration field.
// The population's year: given, or the year most event dates fall in (more than half of
// them), else the newer policy's. Reads the event dates as `inputs` holds them (unmoved).
PopulationYear FindYear(const ir::Program& p, const settle::Inputs& inputs, int64_t given, int64_t newer) {
  PopulationYear out;
  const int32_t field = p.records[1].order_field;
  std::map<int64_t, int64_t> years;
  if (field >= 0)
    for (uint32_t e = 0; e < inputs.events.Size(); ++e) {
      const Value v = inputs.events.Get(e, field);
      if (!v.present) continue;
      int y;
      unsigned m, d;
      rt::SplitDate(static_cast<int32_t>(v.a), y, m, d);
      ++years[y];
      ++out.dated;
    }
  int64_t best = 0, best_count = 0;
  for (const auto& [y, n] : years)
    if (n > best_count) best = y, best_count = n;
  if (given != 0) {
    out.year = given;
    out.source = "given";
  } else if (best_count * 2 > out.dated) {
    out.year = best;
    out.source = "dates";
  } else {
    out.year = newer;
    out.source = "ambiguous";
  }
  out.in_year = years.count(out.year) ? years[out.year] : 0;
  return out;
}

// Events whose date (as moved for each side) lies outside that policy's year.
int64_t CountOutside(const ir::Program& pa, const settle::Inputs& ia, const ir::Program& pb, const settle::Inputs& ib) {
  const int32_t fa = pa.records[1].order_field, fb = pb.records[1].order_field;
  if (fa < 0 || fb < 0) return 0;
  auto outside = [](const settle::Inputs& in, int32_t field, uint32_t e, int64_t year) {
    const Value v = in.events.Get(e, field);
    if (!v.present) return false;
    int y;
    unsigned m, d;
    rt::SplitDate(static_cast<int32_t>(v.a), y, m, d);
    return y != year;
  };
  int64_t n = 0;
  for (uint32_t e = 0; e < ib.events.Size(); ++e)
    n += outside(ia, fa, e, pa.header.year) || outside(ib, fb, e, pb.header.year) ? 1 : 0;
  return n;
}

// The key of a breakdown: where its value comes from and how it reads as a group.
struct GroupKey {
  int level = -1;     // 1: per event, 0: per subject
  int32_t field = -1; // a field of that record, or -1: a rule's values
  ir::Type type;
  std::vector<Value> event_values, subject_values;  // a rule's values
};

std::string KeyText(const ir::Program& p, const settle::Inputs& in, const ir::Type& t, const Value& v, std::string* label) {
  if (!v.present) return "(none)";
  if (t.base == ir::Base::Enum) {
    const ir::EnumWord& w = p.enums[static_cast<size_t>(t.enum_id)].words[static_cast<size_t>(v.a)];
    if (label) *label = w.label;
    return w.name;
  }
  if (t.base == ir::Base::Bool) return v.a ? "true" : "false";
  if (t.base == ir::Base::Text) return std::string(in.Text(v));
  return std::to_string(v.a);
}

// Resolves --by: an event field, a subject field, then a rule of the new policy.
bool ResolveKey(const ImpactInputs& side, const std::string& by, int64_t shift, const ImpactOptions& options,
                Impact& impact, GroupKey& key, std::string& error) {
  const ir::Program& p = *side.program;
  std::string name = by;
  std::replace(name.begin(), name.end(), '-', '_');
  if (name.empty()) {
    const ir::Record& r = p.records[1];
    for (size_t f = 0; f < r.fields.size(); ++f)
      if (r.fields[f].type.base == ir::Base::Enum) {
        key = {1, static_cast<int32_t>(f), r.fields[f].type, {}, {}};
        impact.by = r.fields[f].name;
        impact.by_source = r.name + " field";
        return true;
      }
    return true;
  }
  impact.by = name;
  for (int level : {1, 0}) {
    const ir::Record& r = p.records[level];
    for (size_t f = 0; f < r.fields.size(); ++f)
      if (r.fields[f].name == name) {
        key = {level, static_cast<int32_t>(f), r.fields[f].type, {}, {}};
        impact.by_source = r.name + " field";
      }
    if (key.level >= 0) break;
  }
  if (key.level < 0) {
    const bool is_rule = std::any_of(p.rules.begin(), p.rules.end(), [&](const ir::Rule& r) { return r.name == name; });
    if (!is_rule) {
      error = fmt::format("--by {}: no field of {} or {} and no rule of {} is called {}", by, p.records[1].name,
                          p.records[0].name, p.file, name);
      return false;
    }
    bool subject_stage = false;
    if (!RuleValues(side, name, shift, options, key.event_values, key.subject_values, subject_stage, key.type, error))
      return false;
    key.level = subject_stage ? 0 : 1;
    impact.by_source = "rule";
  }
  const ir::Base b = key.type.base;
  if (b != ir::Base::Enum && b != ir::Base::Bool && b != ir::Base::Int && b != ir::Base::Text) {
    error = fmt::format("--by {}: a {} value; group by an enumeration, bool, int or text value", by, ir::BaseName(b));
    return false;
  }
  impact.by_subject = key.level == 0;
  return true;
}

// The breakdown's groups in order: enumeration words as declared, other values sorted.
class Grouper {
 public:
  Grouper(const ir::Program& p, const settle::Inputs& in, GroupKey& key, const std::vector<Totals>& blank,
          std::vector<Group>& groups)
      : p_(p), in_(in), key_(key), blank_(blank), groups_(groups) {
    if (key.type.base == ir::Base::Enum)
      for (const ir::EnumWord& w : p.enums[static_cast<size_t>(key.type.enum_id)].words) Index(w.name, w.label);
  }
  Group* ForEvent(uint32_t subject, uint32_t event) {
    if (key_.level < 0) return nullptr;
    return key_.level == 0 ? ForSubject(subject) : At(Value1(key_.event_values, in_.events, event));
  }
  Group* ForSubject(uint32_t subject) {
    if (key_.level != 0) return nullptr;
    return At(Value1(key_.subject_values, in_.subjects, subject));
  }
  void Finish() {
    if (key_.type.base == ir::Base::Enum) return;
    std::vector<size_t> order(groups_.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    const bool numeric = key_.type.base == ir::Base::Int;
    std::sort(order.begin(), order.end(),
              [&](size_t x, size_t y) { return GroupBefore(groups_[x].key, groups_[y].key, numeric); });
    std::vector<Group> sorted;
    for (size_t i : order) sorted.push_back(std::move(groups_[i]));
    groups_ = std::move(sorted);
  }

 private:
  Value Value1(const std::vector<Value>& values, const settle::RecordTable& table, uint32_t row) const {
    return key_.field >= 0 ? table.Get(row, key_.field) : values[row];
  }
  Group* At(const Value& v) {
    std::string label;
    const std::string text = KeyText(p_, in_, key_.type, v, &label);
    return &groups_[Index(text, label)];
  }
  size_t Index(const std::string& text, const std::string& label) {
    auto [it, fresh] = index_.emplace(text, groups_.size());
    if (fresh) groups_.push_back({text, label, 0, 0, 0, blank_});
    return it->second;
  }
  const ir::Program& p_;
  const settle::Inputs& in_;
  GroupKey& key_;
  const std::vector<Totals>& blank_;
  std::vector<Group>& groups_;
  std::map<std::string, size_t> index_;
};

}  // namespace

bool GroupBefore(const std::string& a, const std::string& b, bool numeric) {
  if (numeric && a != "(none)" && b != "(none)") return std::stoll(a) < std::stoll(b);
  return a < b;
}

namespace {

Totals Sum(const std::string& name, const std::vector<const Totals*>& parts, int sign = 1) {
  Totals t{name, ir::ColumnRole::None, "", 0, 0, true, true, 0, 0};
  for (const Totals* p : parts) {
    t.before += sign * p->before;
    t.after += sign * p->after;
  }
  return t;
}

void FillFunds(Impact& impact) {
  Funds& f = impact.funds;
  std::vector<const Totals*> funds, incomes;
  for (const RecordImpact* r : {&impact.subjects, &impact.events})
    for (const Totals& t : r->totals) {
      if (t.role == ir::ColumnRole::Fund) f.funds.push_back(t), funds.push_back(&t);
      if (t.role == ir::ColumnRole::Income) f.incomes.push_back(t), incomes.push_back(&t);
    }
  f.payouts = Sum("payouts", funds);
  f.income = Sum("income", incomes);
  f.balance = {"balance", ir::ColumnRole::None, "", f.income.before - f.payouts.before,
               f.income.after - f.payouts.after, true, true, 0, 0};
  f.persons = impact.subjects.rows;
}

}  // namespace

bool ComputeImpact(const ImpactInputs& old_side, const ImpactInputs& new_side, const PolicyDiff& diff,
                   const ImpactOptions& options, Impact& impact, std::string& error) {
  const auto start = std::chrono::steady_clock::now();
  const ir::Program &pa = *old_side.program, &pb = *new_side.program;
  impact.persons = options.persons;
  impact.claims = options.claims;
  impact.engine = options.engine;
  // The population's year, then the population moved to each policy's year (spec section 10).
  settle::Inputs ia, ib;
  if (!Read(new_side, options, 0, ib, error)) return false;
  PopulationYear& year = impact.population;
  const int64_t newer = std::max(pa.header.year, pb.header.year);
  year = FindYear(pb, ib, options.population_year, newer);
  year.old_shift = pa.header.year - year.year;
  year.new_shift = pb.header.year - year.year;
  if (options.sharded) {
    // The year is the whole population's (so every shard moves the dates alike); the counts
    // are the shard's own, so that the shards' counts add up to the whole's.
    settle::KeepShard(ib, options.shard);
    const PopulationYear own = FindYear(pb, ib, year.year, newer);
    year.dated = own.dated;
    year.in_year = own.in_year;
    impact.shard = {true, options.shard.k, options.shard.n, static_cast<int64_t>(ib.events.Size()), options.top, ""};
  }
  if (year.new_shift != 0) {
    ib = settle::Inputs();
    if (!Read(new_side, options, year.new_shift, ib, error)) return false;
    settle::KeepShard(ib, options.shard);
  }
  if (!Read(old_side, options, year.old_shift, ia, error)) return false;
  settle::KeepShard(ia, options.shard);
  if (ia.subjects.Size() != ib.subjects.Size() || ia.events.Size() != ib.events.Size()) {
    error = "the two policies read the inputs into different rows";
    return false;
  }
  year.outside = CountOutside(pa, ia, pb, ib);
  year.warn = year.outside * 5 > static_cast<int64_t>(ib.events.Size());
  impact.shifted_old = year.old_shift != 0 || year.new_shift == 0;
  impact.year_shift = impact.shifted_old ? year.old_shift : year.new_shift;

  GroupKey key;
  if (!ResolveKey(new_side, options.by, year.new_shift, options, impact, key, error)) return false;
  if (key.level >= 0) impact.shard.by_type = ir::BaseName(key.type.base);

  const int64_t old_to_new = pb.header.year - pa.header.year;
  RecordComparer subjects(pa, pb, ia, ib, 0, old_to_new, impact.subjects);
  RecordComparer events(pa, pb, ia, ib, 1, old_to_new, impact.events);
  std::vector<Totals> blank;
  for (const Totals& t : impact.events.totals) blank.push_back({t.column, t.role, t.label, 0, 0, t.before_present, t.after_present, 0, 0});
  if (impact.by_subject)
    for (const Totals& t : impact.subjects.totals) blank.push_back({t.column, t.role, t.label, 0, 0, t.before_present, t.after_present, 0, 0});
  const size_t subject_offset = impact.events.totals.size();
  Grouper grouper(pb, ib, key, blank, impact.group_rows);

  // The top claims: a heap whose top is the least of them (lower score, then later row).
  auto better = [](const TopEvent& x, const TopEvent& y) { return x.score != y.score ? x.score > y.score : x.row < y.row; };
  std::priority_queue<TopEvent, std::vector<TopEvent>, decltype(better)> top(better);
  CaptureSink sa, sb;
  std::vector<int64_t> position(ib.events.Size(), -1);  // event row -> its index in sb
  settle::Population population;
  population.subjects = ib.subjects.Size();
  if (options.progress) population.progress = [&](uint32_t s) { options.progress(ib.subject_begin[s], ib.events.Size()); };
  population.settle = [&](size_t, uint32_t s) {
    sa.Clear();
    sb.Clear();
    old_side.settle(ia, s, sa, settle::SettleOptions{});
    new_side.settle(ib, s, sb, settle::SettleOptions{});
    impact.funds.claimants_before += sa.events.empty() ? 0 : 1;
    impact.funds.claimants_after += sb.events.empty() ? 0 : 1;
    int64_t score = 0;
    Group* subject_group = grouper.ForSubject(s);
    if (subject_group) ++subject_group->subjects;
    if (sa.has_subject && sb.has_subject)
      subjects.Row(sa.subject.data(), sb.subject.data(), score, subject_group ? &subject_group->totals : nullptr,
                   subject_offset);
    for (size_t i = 0; i < sb.events.size(); ++i) position[sb.events[i]] = static_cast<int64_t>(i);
    for (size_t i = 0; i < sa.events.size(); ++i) {
      const uint32_t row = sa.events[i];
      if (position[row] < 0) continue;
      const Value* before = &sa.values[i * sa.width];
      const Value* after = &sb.values[static_cast<size_t>(position[row]) * sb.width];
      Group* group = grouper.ForEvent(s, row);
      const bool changed = events.Row(before, after, score, group ? &group->totals : nullptr);
      if (group) {
        ++group->events;
        group->changed += changed ? 1 : 0;
      }
      if (!changed || options.top == 0) continue;
      TopEvent candidate;
      candidate.row = row;
      candidate.score = score;
      if (top.size() == options.top && !better(candidate, top.top())) continue;
      candidate.key = ib.EventKey(row);
      candidate.line = ib.events.Line(row);
      candidate.subject_key = ib.SubjectKey(s);
      candidate.columns = events.Changed(before, after);
      top.push(std::move(candidate));
      if (top.size() > options.top) top.pop();
    }
    for (uint32_t row : sb.events) position[row] = -1;
  };
  std::string failure;  // a settlement error stops the command, as the commands report it
  if (!settle::SettlePopulation(population, failure)) throw settle::EvalError(failure);
  subjects.Finish();
  events.Finish();
  grouper.Finish();
  for (const Group& g : impact.group_rows) {
    impact.groups.push_back(g.key);
    impact.group_totals.push_back(g.totals);
  }
  FillFunds(impact);
  while (!top.empty()) {
    impact.top.push_back(top.top());
    top.pop();
  }
  std::reverse(impact.top.begin(), impact.top.end());
  for (TopEvent& t : impact.top) t.causes = FindCauses(diff, old_side, ia, new_side, ib, t.row, old_to_new);
  if (options.waterfall && !ComputeWaterfall(old_side, new_side, diff, options, impact, error)) return false;
  impact.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return true;
}

}  // namespace polc::diff
