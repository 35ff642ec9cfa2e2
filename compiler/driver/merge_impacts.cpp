// `polc merge --summaries` of `polc diff OLD NEW --persons P --claims C --shard K/N --format json`
// outputs: the impact of the whole population from the impacts of its shards (docs/scale.md).
// Each part is read back into a diff::Impact and the parts are added up; the merged JSON is then
// written by the same ImpactJson the single run uses, so every figure derived from sums
// (changes, percentages, per-person and per-claimant amounts, the population warning) is
// recomputed exactly as the single run computes it:
// - counts, money totals, absent counts, transitions, distribution buckets, funds, claimants,
//   waterfall totals and steps add (each is a sum over persons, settled independently);
// - groups are the union of the parts' groups, in the single run's order (an enumeration's
//   words as declared, other keys sorted as the single run sorts them);
// - the top claims are the first `top` of the union of the parts' own top lists, ordered by
//   score, then by input line (each part names its claims' lines), which is the single run's order;
// - the policy diff, the inputs, the engine, the population's year and how it moved, the
//   grouping, and whether each waterfall step could be applied on its own must agree;
// - the parts must be the shards 0 .. N-1 of one N, each once.
// Anything else is refused with the part and the member named; nothing is left out silently.
#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>
#include <tuple>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "compiler/diff/impact.h"
#include "compiler/diff/report.h"
#include "compiler/driver/merge_summaries.h"
#include "runtime/money.h"

namespace polc::driver {

namespace {

using json = nlohmann::ordered_json;
using diff::Impact;
using diff::Totals;

struct MergeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

const json& At(const json& j, const char* key, const std::string& where) {
  if (!j.is_object() || !j.contains(key)) throw MergeError(fmt::format("{}: no member {}", where, key));
  return j.at(key);
}
std::string Str(const json& j, const char* key, const std::string& where) {
  const json& v = At(j, key, where);
  if (!v.is_string()) throw MergeError(fmt::format("{}.{}: expected a string", where, key));
  return v.get<std::string>();
}
// A string member that the renderer writes as null when empty.
std::string OptStr(const json& j, const char* key, const std::string& where) {
  const json& v = At(j, key, where);
  if (v.is_null()) return "";
  if (!v.is_string()) throw MergeError(fmt::format("{}.{}: expected a string or null", where, key));
  return v.get<std::string>();
}
int64_t Int(const json& j, const char* key, const std::string& where) {
  const json& v = At(j, key, where);
  if (!v.is_number_integer()) throw MergeError(fmt::format("{}.{}: expected an integer", where, key));
  return v.get<int64_t>();
}
bool Bool(const json& j, const char* key, const std::string& where) {
  const json& v = At(j, key, where);
  if (!v.is_boolean()) throw MergeError(fmt::format("{}.{}: expected true or false", where, key));
  return v.get<bool>();
}
const json& Arr(const json& j, const char* key, const std::string& where) {
  const json& v = At(j, key, where);
  if (!v.is_array()) throw MergeError(fmt::format("{}.{}: expected an array", where, key));
  return v;
}
int64_t FenOf(const json& v, const std::string& where) {
  if (!v.is_string()) throw MergeError(fmt::format("{}: expected a money amount", where));
  const std::string text = v.get<std::string>();
  const bool negative = !text.empty() && text[0] == '-';
  int64_t fen = 0;
  std::string error;
  if (!rt::ParseMoney(negative ? text.substr(1) : text, fen, error))
    throw MergeError(fmt::format("{}: '{}' is not a money amount", where, text));
  return negative ? -fen : fen;
}
int64_t Fen(const json& j, const char* key, const std::string& where) {
  return FenOf(At(j, key, where), where + "." + key);
}

template <typename T>
void Same(const T& a, const T& b, const std::string& where) {
  if (a != b)
    throw MergeError(fmt::format("{}: {} in one part, {} in another: the shards of one population and one pair of "
                                 "policies agree here",
                                 where, json(a).dump(), json(b).dump()));
}
void Add(int64_t& into, int64_t add, const std::string& where) {
  if (__builtin_add_overflow(into, add, &into)) throw MergeError(where + ": the sum overflows");
}

// ---- reading an impact back (the inverse of diff::ImpactJson)
Totals ReadTotals(const json& j, const std::string& where) {
  Totals t;
  t.column = Str(j, "column", where);
  const json& role = At(j, "role", where);
  t.role = role == "fund" ? ir::ColumnRole::Fund : role == "income" ? ir::ColumnRole::Income : ir::ColumnRole::None;
  t.label = OptStr(j, "label", where);
  t.before_present = !At(j, "old", where).is_null();
  t.after_present = !At(j, "new", where).is_null();
  if (t.before_present) t.before = Fen(j, "old", where);
  if (t.after_present) t.after = Fen(j, "new", where);
  t.absent_before = Int(j, "old_absent", where);
  t.absent_after = Int(j, "new_absent", where);
  return t;
}
std::vector<Totals> ReadTotalsList(const json& j, const char* key, const std::string& where) {
  std::vector<Totals> out;
  const json& list = Arr(j, key, where);
  for (size_t i = 0; i < list.size(); ++i) out.push_back(ReadTotals(list[i], fmt::format("{}.{}[{}]", where, key, i)));
  return out;
}
// A {"old","new",...} pair of sums.
Totals ReadPair(const json& j, const char* key, const std::string& where) {
  const json& v = At(j, key, where);
  const std::string at = where + "." + key;
  Totals t;
  t.column = key;
  t.before = Fen(v, "old", at);
  t.after = Fen(v, "new", at);
  return t;
}

diff::RecordImpact ReadRecord(const json& j, const std::string& where) {
  diff::RecordImpact r;
  r.record = Str(j, "record", where);
  r.output = Str(j, "output", where);
  r.rows = Int(j, "rows", where);
  r.changed = Int(j, "changed", where);
  r.totals = ReadTotalsList(j, "totals", where);
  const json& transitions = Arr(j, "transitions", where);
  for (size_t i = 0; i < transitions.size(); ++i) {
    const std::string at = fmt::format("{}.transitions[{}]", where, i);
    r.transitions.push_back({Str(transitions[i], "column", at), Str(transitions[i], "old", at),
                             Str(transitions[i], "new", at), Int(transitions[i], "count", at)});
  }
  const json& distribution = Arr(j, "distribution", where);
  for (size_t i = 0; i < distribution.size(); ++i) {
    const std::string at = fmt::format("{}.distribution[{}]", where, i);
    const json& d = distribution[i];
    diff::Distribution out{Str(d, "column", at), Int(d, "increased", at), Int(d, "decreased", at),
                           Fen(d, "sum_increase", at), Fen(d, "sum_decrease", at), {}};
    const json& buckets = Arr(d, "buckets", at);
    if (buckets.size() != diff::kBucketCount)
      throw MergeError(fmt::format("{}.buckets: {} buckets, not {}", at, buckets.size(), diff::kBucketCount));
    for (size_t b = 0; b < buckets.size(); ++b) out.buckets.push_back(Int(buckets[b], "count", fmt::format("{}.buckets[{}]", at, b)));
    r.distribution.push_back(std::move(out));
  }
  return r;
}

// What a shard says about itself (the "shard" member of its impact).
struct ShardPart {
  int64_t k = 0, n = 0, events = 0, top = 0;
  std::string by_type;
  std::vector<int64_t> lines;  // per top claim: its line in the claims input
};

Impact ReadImpact(const json& j, ShardPart& shard) {
  const std::string where = "impact";
  Impact m;
  m.persons = Str(j, "persons", where);
  m.claims = Str(j, "claims", where);
  m.engine = Str(j, "engine", where);
  m.year_shift = Int(j, "year_shift", where);
  m.shifted_old = At(j, "shifted", where) != "new";
  m.subjects = ReadRecord(At(j, "subjects", where), where + ".subjects");
  m.events = ReadRecord(At(j, "events", where), where + ".events");
  m.by = OptStr(j, "by", where);
  m.by_source = OptStr(j, "by_source", where);
  m.by_subject = Bool(j, "by_subject", where);
  const json& groups = Arr(j, "groups", where);
  for (size_t g = 0; g < groups.size(); ++g) {
    const std::string at = fmt::format("{}.groups[{}]", where, g);
    diff::Group group;
    group.key = Str(groups[g], "word", at);
    group.label = Str(groups[g], "label", at);
    group.subjects = Int(groups[g], "subjects", at);
    group.events = Int(groups[g], "events", at);
    group.changed = Int(groups[g], "changed", at);
    group.totals = ReadTotalsList(groups[g], "totals", at);
    m.group_rows.push_back(std::move(group));
  }
  const json& pop = At(j, "population", where);
  const std::string pw = where + ".population";
  m.population.year = Int(pop, "year", pw);
  m.population.source = Str(pop, "source", pw);
  m.population.dated = Int(pop, "dated", pw);
  m.population.in_year = Int(pop, "in_year", pw);
  m.population.old_shift = Int(pop, "old_shift", pw);
  m.population.new_shift = Int(pop, "new_shift", pw);
  m.population.outside = Int(pop, "outside", pw);
  const json& funds = At(j, "funds", where);
  const std::string fw = where + ".funds";
  m.funds.funds = ReadTotalsList(funds, "funds", fw);
  m.funds.incomes = ReadTotalsList(funds, "incomes", fw);
  m.funds.payouts = ReadPair(funds, "payouts", fw);
  m.funds.income = ReadPair(funds, "income", fw);
  m.funds.balance = ReadPair(funds, "balance", fw);
  m.funds.persons = Int(funds, "persons", fw);
  m.funds.claimants_before = Int(funds, "claimants_old", fw);
  m.funds.claimants_after = Int(funds, "claimants_new", fw);
  const json& w = At(j, "waterfall", where);
  const std::string ww = where + ".waterfall";
  for (const json& c : Arr(w, "columns", ww)) m.waterfall.columns.push_back(c.get<std::string>());
  for (const json& c : Arr(w, "labels", ww)) m.waterfall.labels.push_back(c.get<std::string>());
  for (const json& v : Arr(w, "old", ww)) m.waterfall.before.push_back(FenOf(v, ww + ".old"));
  for (const json& v : Arr(w, "new", ww)) m.waterfall.after.push_back(FenOf(v, ww + ".new"));
  const json& steps = Arr(w, "steps", ww);
  for (size_t s = 0; s < steps.size(); ++s) {
    const std::string at = fmt::format("{}.steps[{}]", ww, s);
    diff::WaterfallStep step;
    step.kind = Str(steps[s], "kind", at);
    step.area = OptStr(steps[s], "area", at);
    step.label = Str(steps[s], "label", at);
    step.separable = Bool(steps[s], "separable", at);
    step.note = OptStr(steps[s], "note", at);
    for (const json& v : Arr(steps[s], "deltas", at)) step.deltas.push_back(FenOf(v, at + ".deltas"));
    m.waterfall.steps.push_back(std::move(step));
  }
  const json& top = Arr(j, "top", where);
  for (size_t t = 0; t < top.size(); ++t) {
    const std::string at = fmt::format("{}.top[{}]", where, t);
    diff::TopEvent e;
    e.key = Str(top[t], "key", at);
    e.subject_key = Str(top[t], "subject", at);
    e.score = Fen(top[t], "score", at);
    for (const json& c : Arr(top[t], "columns", at))
      e.columns.push_back({Str(c, "column", at), Str(c, "old", at), Str(c, "new", at)});
    for (const json& c : Arr(top[t], "causes", at)) {
      diff::Cause cause{Str(c, "decl", at), Str(c, "name", at), OptStr(c, "area", at), {},
                        OptStr(c, "old_value", at), OptStr(c, "new_value", at)};
      for (const json& p : Arr(c, "changes", at)) cause.parts.push_back(p.get<std::string>());
      e.causes.push_back(std::move(cause));
    }
    m.top.push_back(std::move(e));
  }
  if (!j.contains("shard"))
    throw MergeError("impact: no member shard: not the output of polc diff --shard K/N (only shards add up)");
  const json& s = j.at("shard");
  const std::string sw = where + ".shard";
  shard.k = Int(s, "k", sw);
  shard.n = Int(s, "n", sw);
  shard.events = Int(s, "events", sw);
  shard.top = Int(s, "top", sw);
  shard.by_type = Str(s, "by_type", sw);
  for (const json& l : Arr(s, "lines", sw)) {
    if (!l.is_number_integer()) throw MergeError(sw + ".lines: expected integers");
    shard.lines.push_back(l.get<int64_t>());
  }
  if (shard.lines.size() != m.top.size()) throw MergeError(sw + ".lines: not one line per top claim");
  return m;
}

// ---- adding up
void AddTotals(Totals& into, const Totals& add, const std::string& where) {
  Same(into.column, add.column, where + ".column");
  Same(static_cast<int>(into.role), static_cast<int>(add.role), where + ".role");
  Same(into.label, add.label, where + ".label");
  Same(into.before_present, add.before_present, where + ".old (present)");
  Same(into.after_present, add.after_present, where + ".new (present)");
  Add(into.before, add.before, where + ".old");
  Add(into.after, add.after, where + ".new");
  Add(into.absent_before, add.absent_before, where + ".old_absent");
  Add(into.absent_after, add.absent_after, where + ".new_absent");
}
void AddTotalsList(std::vector<Totals>& into, const std::vector<Totals>& add, const std::string& where) {
  if (into.size() != add.size()) throw MergeError(fmt::format("{}: {} columns in one part, {} in another", where, into.size(), add.size()));
  for (size_t i = 0; i < into.size(); ++i) AddTotals(into[i], add[i], fmt::format("{}[{}]", where, i));
}

void AddRecord(diff::RecordImpact& into, const diff::RecordImpact& add, const std::string& where) {
  Same(into.record, add.record, where + ".record");
  Same(into.output, add.output, where + ".output");
  Add(into.rows, add.rows, where + ".rows");
  Add(into.changed, add.changed, where + ".changed");
  AddTotalsList(into.totals, add.totals, where + ".totals");
  // Ordered as the single run orders them: by (column, old, new).
  std::map<std::tuple<std::string, std::string, std::string>, int64_t> transitions;
  const std::vector<diff::Transition>* lists[] = {&into.transitions, &add.transitions};
  for (const std::vector<diff::Transition>* list : lists)
    for (const diff::Transition& t : *list) Add(transitions[{t.column, t.before, t.after}], t.count, where + ".transitions");
  into.transitions.clear();
  for (const auto& [key, count] : transitions)
    into.transitions.push_back({std::get<0>(key), std::get<1>(key), std::get<2>(key), count});
  if (into.distribution.size() != add.distribution.size()) throw MergeError(where + ".distribution: different columns");
  for (size_t i = 0; i < into.distribution.size(); ++i) {
    diff::Distribution& d = into.distribution[i];
    const diff::Distribution& e = add.distribution[i];
    const std::string at = fmt::format("{}.distribution[{}]", where, i);
    Same(d.column, e.column, at + ".column");
    Add(d.increased, e.increased, at + ".increased");
    Add(d.decreased, e.decreased, at + ".decreased");
    Add(d.sum_increase, e.sum_increase, at + ".sum_increase");
    Add(d.sum_decrease, e.sum_decrease, at + ".sum_decrease");
    for (size_t b = 0; b < d.buckets.size(); ++b) Add(d.buckets[b], e.buckets[b], at + ".buckets");
  }
}

void AddGroups(std::vector<diff::Group>& into, const std::vector<diff::Group>& add, const std::string& where) {
  for (const diff::Group& g : add) {
    auto it = std::find_if(into.begin(), into.end(), [&](const diff::Group& x) { return x.key == g.key; });
    if (it == into.end()) {
      into.push_back(g);
      continue;
    }
    const std::string at = where + "." + g.key;
    Same(it->label, g.label, at + ".label");
    Add(it->subjects, g.subjects, at + ".subjects");
    Add(it->events, g.events, at + ".events");
    Add(it->changed, g.changed, at + ".changed");
    AddTotalsList(it->totals, g.totals, at + ".totals");
  }
}

void AddImpact(Impact& into, const Impact& add) {
  const std::string w = "impact";
  Same(into.persons, add.persons, w + ".persons");
  Same(into.claims, add.claims, w + ".claims");
  Same(into.engine, add.engine, w + ".engine");
  Same(into.year_shift, add.year_shift, w + ".year_shift");
  if (into.year_shift != 0) Same(into.shifted_old, add.shifted_old, w + ".shifted");
  AddRecord(into.subjects, add.subjects, w + ".subjects");
  AddRecord(into.events, add.events, w + ".events");
  Same(into.by, add.by, w + ".by");
  Same(into.by_source, add.by_source, w + ".by_source");
  Same(into.by_subject, add.by_subject, w + ".by_subject");
  AddGroups(into.group_rows, add.group_rows, w + ".groups");
  diff::PopulationYear& y = into.population;
  const diff::PopulationYear& z = add.population;
  Same(y.year, z.year, w + ".population.year");
  Same(y.source, z.source, w + ".population.source");
  Same(y.old_shift, z.old_shift, w + ".population.old_shift");
  Same(y.new_shift, z.new_shift, w + ".population.new_shift");
  Add(y.dated, z.dated, w + ".population.dated");
  Add(y.in_year, z.in_year, w + ".population.in_year");
  Add(y.outside, z.outside, w + ".population.outside");
  diff::Funds& f = into.funds;
  const diff::Funds& g = add.funds;
  AddTotalsList(f.funds, g.funds, w + ".funds.funds");
  AddTotalsList(f.incomes, g.incomes, w + ".funds.incomes");
  for (auto [a, b, name] : {std::tuple{&f.payouts, &g.payouts, "payouts"}, std::tuple{&f.income, &g.income, "income"},
                            std::tuple{&f.balance, &g.balance, "balance"}}) {
    Add(a->before, b->before, w + ".funds." + name + ".old");
    Add(a->after, b->after, w + ".funds." + name + ".new");
  }
  Add(f.persons, g.persons, w + ".funds.persons");
  Add(f.claimants_before, g.claimants_before, w + ".funds.claimants_old");
  Add(f.claimants_after, g.claimants_after, w + ".funds.claimants_new");
  diff::Waterfall& a = into.waterfall;
  const diff::Waterfall& b = add.waterfall;
  Same(a.columns, b.columns, w + ".waterfall.columns");
  Same(a.labels, b.labels, w + ".waterfall.labels");
  Same(a.before.size(), b.before.size(), w + ".waterfall.old");
  Same(a.after.size(), b.after.size(), w + ".waterfall.new");
  for (size_t i = 0; i < a.before.size(); ++i) Add(a.before[i], b.before[i], w + ".waterfall.old");
  for (size_t i = 0; i < a.after.size(); ++i) Add(a.after[i], b.after[i], w + ".waterfall.new");
  Same(a.steps.size(), b.steps.size(), w + ".waterfall.steps");
  for (size_t s = 0; s < a.steps.size(); ++s) {
    const std::string at = fmt::format("{}.waterfall.steps[{}]", w, s);
    diff::WaterfallStep& x = a.steps[s];
    const diff::WaterfallStep& y2 = b.steps[s];
    Same(x.kind, y2.kind, at + ".kind");
    Same(x.area, y2.area, at + ".area");
    Same(x.label, y2.label, at + ".label");
    // A step applied on its own in one shard and counted in the interaction in another would
    // add up to neither: refused.
    Same(x.separable, y2.separable, at + ".separable");
    Same(x.note, y2.note, at + ".note");
    Same(x.deltas.size(), y2.deltas.size(), at + ".deltas");
    for (size_t i = 0; i < x.deltas.size(); ++i) Add(x.deltas[i], y2.deltas[i], at + ".deltas");
  }
}

struct Part {
  std::string path;
  std::string members;  // the policy diff: the text before the impact member
  Impact impact;
  ShardPart shard;
};

}  // namespace

bool IsDiffJson(const std::string& text) {
  json doc = json::parse(text, nullptr, false);
  return doc.is_object() && doc.value("schema", "") == "polc-diff";
}

bool MergeImpacts(const std::vector<std::string>& paths, const std::vector<std::string>& texts, std::string& merged,
                  std::string& error) {
  std::vector<Part> parts;
  for (size_t i = 0; i < paths.size(); ++i) {
    try {
      const json doc = json::parse(texts[i], nullptr, false);
      if (doc.is_discarded() || !doc.is_object()) throw MergeError("not JSON");
      if (doc.value("schema", "") != "polc-diff" || doc.value("version", 0) != diff::kDiffSchemaVersion)
        throw MergeError(fmt::format("not a polc diff --format json output (schema polc-diff, version {})",
                                     diff::kDiffSchemaVersion));
      if (!doc.contains("impact") || doc.at("impact").is_null())
        throw MergeError("no impact (run polc diff with --persons, --claims and --shard K/N)");
      // The impact is the last member; no string holds an unescaped quote, so this is it.
      const size_t at = texts[i].rfind(",\"impact\":");
      if (at == std::string::npos) throw MergeError("no impact member");
      Part part;
      part.path = paths[i];
      part.members = texts[i].substr(0, at);
      part.impact = ReadImpact(doc.at("impact"), part.shard);
      parts.push_back(std::move(part));
    } catch (const std::exception& e) {  // MergeError, and json's own for a mistyped member
      error = fmt::format("{}: {}", paths[i], e.what());
      return false;
    }
  }
  if (parts.empty()) {
    error = "no impact to merge";
    return false;
  }
  // The shards 0 .. N-1, each once.
  const int64_t n = parts[0].shard.n;
  std::map<int64_t, size_t> by_k;
  for (size_t i = 0; i < parts.size(); ++i) {
    const ShardPart& s = parts[i].shard;
    if (s.n != n) {
      error = fmt::format("{}: shard {}/{}, while {} is a shard of {}", parts[i].path, s.k, s.n, parts[0].path, n);
      return false;
    }
    if (!by_k.emplace(s.k, i).second) {
      error = fmt::format("{}: shard {}/{} again (also {})", parts[i].path, s.k, n, parts[by_k[s.k]].path);
      return false;
    }
  }
  if (static_cast<int64_t>(parts.size()) != n) {
    std::string missing;
    for (int64_t k = 0; k < n && missing.size() < 60; ++k)
      if (!by_k.count(k)) missing += fmt::format("{}{}/{}", missing.empty() ? "" : ", ", k, n);
    error = fmt::format("{} parts, but the shards are {} of {}: shard{} {} missing", parts.size(), n, n,
                        n - static_cast<int64_t>(parts.size()) == 1 ? "" : "s", missing);
    return false;
  }
  Part& first = parts[by_k.begin()->second];
  Impact total = first.impact;
  int64_t events = first.shard.events;
  struct Candidate {
    int64_t score, line;
    const diff::TopEvent* event;
  };
  std::vector<Candidate> top;
  std::set<int64_t> lines;
  for (const auto& [k, i] : by_k) {
    const Part& part = parts[i];
    try {
      if (part.members != first.members)
        throw MergeError(fmt::format("the policy diff differs from {}'s: the shards of one pair of policies agree", first.path));
      Same(part.shard.top, first.shard.top, "impact.shard.top");
      Same(part.shard.by_type, first.shard.by_type, "impact.shard.by_type");
      if (&part != &first) {
        AddImpact(total, part.impact);
        Add(events, part.shard.events, "impact.shard.events");
      }
      for (size_t t = 0; t < part.impact.top.size(); ++t) {
        if (!lines.insert(part.shard.lines[t]).second)
          throw MergeError(fmt::format("impact.top[{}]: the claim of line {} is in another part too", t, part.shard.lines[t]));
        top.push_back({part.impact.top[t].score, part.shard.lines[t], &part.impact.top[t]});
      }
    } catch (const std::exception& e) {
      error = fmt::format("{}: {}", part.path, e.what());
      return false;
    }
  }
  if (first.shard.by_type != "enum") {
    const bool numeric = first.shard.by_type == "int";
    std::stable_sort(total.group_rows.begin(), total.group_rows.end(),
                     [&](const diff::Group& x, const diff::Group& y) { return diff::GroupBefore(x.key, y.key, numeric); });
  }
  // The single run's order: the larger change first, then the earlier claim.
  std::sort(top.begin(), top.end(), [](const Candidate& x, const Candidate& y) {
    return x.score != y.score ? x.score > y.score : x.line < y.line;
  });
  total.top.clear();
  for (size_t t = 0; t < top.size() && static_cast<int64_t>(t) < first.shard.top; ++t) total.top.push_back(*top[t].event);
  total.population.warn = total.population.outside * 5 > events;
  total.shard = {};  // the whole population: no shard member
  merged = first.members + ",\"impact\":" + diff::ImpactJson(total) + "}\n";
  return true;
}

}  // namespace polc::driver
