// The impact of a policy change on a population: the same persons and claims settled under
// both policies (the population's dates moved to each policy's year, spec section 10),
// compared row by row. Nothing here knows the medical domain: the totals are the money
// columns of the policies' outputs, the funds the columns declared `fund` or `income`, the
// groups a field or rule named by --by.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "compiler/diff/diff.h"
#include "compiler/interp/interp.h"
#include "compiler/settle/shard.h"

namespace polc::diff {

// A money total on both sides (fen). A column missing on one side has present false there.
struct Totals {
  std::string column;
  ir::ColumnRole role = ir::ColumnRole::None;  // of the new policy's column (else the old's)
  std::string label;                           // the role's label
  int64_t before = 0, after = 0;
  bool before_present = true, after_present = true;
  int64_t absent_before = 0, absent_after = 0;  // rows whose value was absent
};

// How a money column's per-row change is distributed: counts by sign and by size.
struct Distribution {
  std::string column;
  int64_t increased = 0, decreased = 0;
  int64_t sum_increase = 0, sum_decrease = 0;  // fen; sum_decrease <= 0
  std::vector<int64_t> buckets;                // see kBucketBounds
};
// Bucket i of a distribution counts changes d (fen) with kBucketBounds[i] <= d < kBucketBounds[i+1];
// zero changes are not counted.
inline constexpr int64_t kBucketBounds[] = {INT64_MIN, -1000000, -100000, -10000, -1000, 1,
                                            1000,      10000,    100000,  1000000, INT64_MAX};
inline constexpr size_t kBucketCount = 10;

// An enumeration column's rows that moved from one word to another.
struct Transition {
  std::string column, before, after;
  int64_t count = 0;
};

// One output record's comparison.
struct RecordImpact {
  std::string record, output;  // record and output names (of the new policy)
  int64_t rows = 0, changed = 0;
  std::vector<Totals> totals;  // per money column
  std::vector<Distribution> distribution;
  std::vector<Transition> transitions;
};

// Why one claim changed: a changed definition its derivation went through, on either side.
struct Cause {
  std::string decl, name, area;
  std::vector<std::string> parts;  // the parts of the definition that changed
  std::string before, after;       // a rule's value on each side ("" when not evaluated there)
};

struct TopEvent {
  uint32_t row = 0;      // event row in input order
  uint64_t line = 0;     // its line in the claims input (the same in a shard and in the whole run)
  std::string key, subject_key;
  int64_t score = 0;     // the largest change of a money column, in fen, absolute
  struct Column {
    std::string name, before, after;
  };
  std::vector<Column> columns;  // the output columns that changed
  std::vector<Cause> causes;
};

struct ImpactOptions {
  std::string persons, claims;
  std::string engine = "jit";  // only reported
  // What to group totals by: a field of the event or subject record or a rule of the new
  // policy ('-' read as '_'); empty: the event record's first enumeration field.
  std::string by;
  size_t top = 10;
  // When set, called as the population is settled: claims settled under both policies so
  // far, and their number (polc diff's progress line).
  std::function<void(uint64_t done, uint64_t total)> progress;
  int64_t population_year = 0;  // 0: from the event dates (see PopulationYear)
  bool waterfall = true;        // settle a variant per changed area (waterfall.cpp)
  int threads = 1;              // the variants settle on this many threads
  // --shard K/N: only the persons of shard K (docs/scale.md); the population's year is still
  // found from all claims, so every shard moves the dates alike.
  bool sharded = false;
  settle::Shard shard;
};

// The population's year and what moving it did.
struct PopulationYear {
  int64_t year = 0;
  std::string source;  // "given", "dates" (most event dates fall in it), "ambiguous" (the newer policy's year)
  int64_t dated = 0, in_year = 0;  // events with a date, and those dated in `year` (as read)
  int64_t old_shift = 0, new_shift = 0;  // years the population moved for each policy
  int64_t outside = 0;  // events dated, once moved, outside the year of either policy
  bool warn = false;    // outside is more than a fifth of the events
};

// The funds together: payouts (columns declared `fund`), incomes (`income`), the balance.
struct Funds {
  std::vector<Totals> funds, incomes;  // per column, in output order (subject output first)
  Totals payouts, income, balance;     // sums; balance = income - payouts
  int64_t persons = 0;                 // subject rows
  int64_t claimants_before = 0, claimants_after = 0;  // subjects with at least one event row
};

// One group of a breakdown: its rows and money totals.
struct Group {
  std::string key, label;  // the value as text, its label (an enumeration word's)
  int64_t subjects = 0, events = 0, changed = 0;
  std::vector<Totals> totals;  // the event output's money columns (and the subject output's
                               // for a subject-level key)
};

// What one change costs: a waterfall from the old total to the new one, per fund column,
// income column and the balance. The steps sum to the total change exactly.
struct WaterfallStep {
  std::string kind;   // "year" (the old policy moved to the new year), "area", "interaction"
  std::string area, label;
  bool separable = true;  // false: the area could not be applied on its own (counted in the interaction)
  std::string note;       // why not
  std::vector<int64_t> deltas;  // per Waterfall::columns
};
struct Waterfall {
  std::vector<std::string> columns, labels;  // fund and income columns, then "balance"
  std::vector<int64_t> before, after;        // totals of the old and the new policy
  std::vector<WaterfallStep> steps;
};

struct Impact {
  std::string persons, claims, engine;
  int64_t year_shift = 0;   // years the population moved for the policy in `shifted_old`
  bool shifted_old = true;  // which policy got the moved population
  PopulationYear population;
  RecordImpact subjects, events;
  Funds funds;
  std::string by;                   // the grouping field or rule
  std::string by_source;            // "claim field", "person field", "rule"
  bool by_subject = false;          // a subject-level key: groups hold subject totals too
  std::vector<std::string> groups;  // their keys (kept for version 1 readers)
  std::vector<Group> group_rows;
  std::vector<std::vector<Totals>> group_totals;  // per group: its totals (== group_rows[g].totals)
  Waterfall waterfall;
  std::vector<TopEvent> top;
  double seconds = 0;
  // With --shard: what `polc merge --summaries` needs to add shards up exactly (the JSON's
  // "shard" member; absent for the whole population).
  struct ShardPart {
    bool sharded = false;
    uint32_t k = 0, n = 1;
    int64_t events = 0;   // event rows of the shard's persons (for the population warning)
    size_t top = 0;       // --top
    std::string by_type;  // the grouping key's type: enum, int, bool, text ("" without groups)
  } shard;
};

// The order of the groups of a non-enumeration key: "(none)" first, then numerically for an
// int key, else as text.
bool GroupBefore(const std::string& a, const std::string& b, bool numeric);

// What settles a program built here (a policy variant of the waterfall, the --by rule): the
// driver's engine, kept alive by `owner`.
struct Settler {
  interp::Interpreter* interp = nullptr;
  settle::SettleFn settle;
  std::shared_ptr<void> owner;
};
using MakeSettler = std::function<Settler(const ir::Program&)>;

// One side: the checked policy and what settles it. The interpreter reads the inputs (checking
// their requirements) and explains the top claims; `settle` is the fastest engine there is.
// `source` is the policy's text, parsed again for variants.
struct ImpactInputs {
  const ir::Program* program = nullptr;
  const ast::Module* module = nullptr;
  interp::Interpreter* interp = nullptr;
  settle::SettleFn settle;
  const SourceFile* source = nullptr;
  MakeSettler make_settler;
};

// Settles the population under both policies. On bad input or a settlement error returns false
// with the messages in `error`.
bool ComputeImpact(const ImpactInputs& old_side, const ImpactInputs& new_side, const PolicyDiff& diff,
                   const ImpactOptions& options, Impact& impact, std::string& error);

// waterfall.cpp: the waterfall of `impact` (whose totals are filled): the old policy moved
// to the new year, then each changed area of the new policy applied on its own onto it.
bool ComputeWaterfall(const ImpactInputs& old_side, const ImpactInputs& new_side, const PolicyDiff& diff,
                      const ImpactOptions& options, Impact& impact, std::string& error);
// waterfall.cpp: the values of rule `rule` of the new policy for every event row (and, for a
// subject-stage rule, every subject row), from a variant of it that outputs the rule.
bool RuleValues(const ImpactInputs& side, const std::string& rule, int64_t year_shift, const ImpactOptions& options,
                std::vector<ir::Value>& event_values, std::vector<ir::Value>& subject_values, bool& subject_stage,
                ir::Type& type, std::string& error);

// causes.cpp: the changed definitions (of `diff`) that one event's derivation went through on
// either side, from the interpreter's traces of both settlements. Throws settle::EvalError.
std::vector<Cause> FindCauses(const PolicyDiff& diff, const ImpactInputs& old_side, const settle::Inputs& old_inputs,
                              const ImpactInputs& new_side, const settle::Inputs& new_inputs, uint32_t event,
                              int64_t old_to_new);

// Whether two values are the same, an old date (or period) moved by `old_to_new` years first:
// with a population moved for one policy, dates differ by the move alone.
bool SameValue(const ir::Type& type, const ir::Value& old_value, const ir::Value& new_value, int64_t old_to_new);

}  // namespace polc::diff
