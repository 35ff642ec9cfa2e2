// Settling one population under both policies and comparing the output rows (see impact.h).
// One subject at a time: its rows under the old policy, then under the new, compared at once,
// so the run needs no memory per claim beyond the inputs.
#include "compiler/io/read_inputs.h"
#include "compiler/diff/impact.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>
#include <queue>
#include <tuple>

#include <fmt/format.h>

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
};

const ir::Output* OutputOf(const ir::Program& p, int kind) {
  return p.output_of[kind] < 0 ? nullptr : &p.outputs[static_cast<size_t>(p.output_of[kind])];
}

std::vector<ColumnPair> PairColumns(const ir::Program& a, const ir::Program& b, int kind) {
  std::vector<ColumnPair> out;
  const ir::Output *oa = OutputOf(a, kind), *ob = OutputOf(b, kind);
  if (ob)
    for (size_t i = 0; i < ob->columns.size(); ++i)
      out.push_back({ob->columns[i].name, -1, static_cast<int>(i), {}, ob->columns[i].value->type});
  if (oa)
    for (size_t i = 0; i < oa->columns.size(); ++i) {
      auto it = std::find_if(out.begin(), out.end(), [&](const ColumnPair& c) { return c.name == oa->columns[i].name; });
      if (it == out.end()) it = out.insert(out.end(), {oa->columns[i].name, -1, -1, {}, {}});
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
      out.totals.push_back({c.name, 0, 0, c.old_index >= 0, c.new_index >= 0, 0, 0});
      if (Both(c)) out.distribution.push_back({c.name, 0, 0, 0, 0, std::vector<int64_t>(kBucketCount, 0)});
    }
  }
  const std::vector<ColumnPair>& Columns() const { return columns_; }

  // Compares one row; returns whether it changed and the largest money change (fen, absolute).
  // `totals` receives the money columns' values (may be null).
  bool Row(const Value* before, const Value* after, int64_t& score, std::vector<Totals>* group) {
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
        if (group) Add((*group)[money], va, vb);
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
int32_t GroupField(const ir::Program& p, const std::string& name, std::string& error) {
  const ir::Record& r = p.records[1];
  for (size_t f = 0; f < r.fields.size(); ++f) {
    const bool is_enum = r.fields[f].type.base == ir::Base::Enum;
    if (name.empty() ? is_enum : r.fields[f].name == name) {
      if (!is_enum) error = fmt::format("--by {}: not an enumeration field of {}", name, r.name);
      return is_enum ? static_cast<int32_t>(f) : -1;
    }
  }
  if (!name.empty()) error = fmt::format("--by {}: no such field in {}", name, r.name);
  return -1;
}

}  // namespace

bool ComputeImpact(const ImpactInputs& old_side, const ImpactInputs& new_side, const PolicyDiff& diff,
                   const ImpactOptions& options, Impact& impact, std::string& error) {
  const auto start = std::chrono::steady_clock::now();
  const ir::Program &pa = *old_side.program, &pb = *new_side.program;
  impact.persons = options.persons;
  impact.claims = options.claims;
  impact.engine = options.engine;
  // The population belongs to the later policy year; the earlier policy settles it moved back.
  const int64_t years = pb.header.year - pa.header.year;
  impact.shifted_old = years >= 0;
  impact.year_shift = -std::abs(years);
  settle::Inputs ia, ib;
  if (!Read(old_side, options, impact.shifted_old ? impact.year_shift : 0, ia, error) ||
      !Read(new_side, options, impact.shifted_old ? 0 : impact.year_shift, ib, error))
    return false;
  if (ia.subjects.Size() != ib.subjects.Size() || ia.events.Size() != ib.events.Size()) {
    error = "the two policies read the inputs into different rows";
    return false;
  }
  const int32_t by = GroupField(pb, options.by, error);
  if (!error.empty()) return false;
  if (by >= 0) {
    const ir::Field& field = pb.records[1].fields[static_cast<size_t>(by)];
    impact.by = field.name;
    for (const ir::EnumWord& w : pb.enums[static_cast<size_t>(field.type.enum_id)].words) impact.groups.push_back(w.name);
  }

  const int64_t old_to_new = impact.shifted_old ? -impact.year_shift : impact.year_shift;
  RecordComparer subjects(pa, pb, ia, ib, 0, old_to_new, impact.subjects);
  RecordComparer events(pa, pb, ia, ib, 1, old_to_new, impact.events);
  std::vector<Totals> blank;
  for (const Totals& t : impact.events.totals) blank.push_back({t.column, 0, 0, t.before_present, t.after_present, 0, 0});
  impact.group_totals.assign(impact.groups.size(), blank);

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
    int64_t score = 0;
    if (sa.has_subject && sb.has_subject) subjects.Row(sa.subject.data(), sb.subject.data(), score, nullptr);
    for (size_t i = 0; i < sb.events.size(); ++i) position[sb.events[i]] = static_cast<int64_t>(i);
    for (size_t i = 0; i < sa.events.size(); ++i) {
      const uint32_t row = sa.events[i];
      if (position[row] < 0) continue;
      const Value* before = &sa.values[i * sa.width];
      const Value* after = &sb.values[static_cast<size_t>(position[row]) * sb.width];
      std::vector<Totals>* group = nullptr;
      if (by >= 0) {
        const Value key = ib.events.Get(row, by);
        if (key.present) group = &impact.group_totals[static_cast<size_t>(key.a)];
      }
      if (!events.Row(before, after, score, group) || options.top == 0) continue;
      TopEvent candidate;
      candidate.row = row;
      candidate.score = score;
      if (top.size() == options.top && !better(candidate, top.top())) continue;
      candidate.key = ib.EventKey(row);
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
  while (!top.empty()) {
    impact.top.push_back(top.top());
    top.pop();
  }
  std::reverse(impact.top.begin(), impact.top.end());
  for (TopEvent& t : impact.top) t.causes = FindCauses(diff, old_side, ia, new_side, ib, t.row, old_to_new);
  impact.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return true;
}

}  // namespace polc::diff
