// The impact of a policy change on a population: the same persons and claims settled under
// both policies (dates moved by the difference in policy years for the older one, spec
// section 10), compared row by row. Nothing here knows the medical domain: the totals are the
// money columns of the policies' outputs, grouped by an enumeration field of the event record.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "compiler/diff/diff.h"
#include "compiler/interp/interp.h"

namespace polc::diff {

// A money total on both sides (fen). A column missing on one side has present false there.
struct Totals {
  std::string column;
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
  std::string by;  // the event field to group totals by; empty: the first enumeration field
  size_t top = 10;
  // When set, called as the population is settled: claims settled under both policies so
  // far, and their number (polc diff's progress line).
  std::function<void(uint64_t done, uint64_t total)> progress;
};

struct Impact {
  std::string persons, claims, engine;
  int64_t year_shift = 0;   // years the population moved for the older policy
  bool shifted_old = true;  // which policy got the moved population
  RecordImpact subjects, events;
  std::string by;                   // the grouping field
  std::vector<std::string> groups;  // its words
  std::vector<std::vector<Totals>> group_totals;  // per group: per event money column
  std::vector<TopEvent> top;
  double seconds = 0;
};

// One side: the checked policy and what settles it. The interpreter reads the inputs (checking
// their requirements) and explains the top claims; `settle` is the fastest engine there is.
struct ImpactInputs {
  const ir::Program* program = nullptr;
  const ast::Module* module = nullptr;
  interp::Interpreter* interp = nullptr;
  settle::SettleFn settle;
};

// Settles the population under both policies. On bad input or a settlement error returns false
// with the messages in `error`.
bool ComputeImpact(const ImpactInputs& old_side, const ImpactInputs& new_side, const PolicyDiff& diff,
                   const ImpactOptions& options, Impact& impact, std::string& error);

// causes.cpp: the changed definitions (of `diff`) that one event's derivation went through on
// either side, from the interpreter's traces of both settlements. Throws settle::EvalError.
std::vector<Cause> FindCauses(const PolicyDiff& diff, const ImpactInputs& old_side, const settle::Inputs& old_inputs,
                              const ImpactInputs& new_side, const settle::Inputs& new_inputs, uint32_t event,
                              int64_t old_to_new);

// Whether two values are the same, an old date (or period) moved by `old_to_new` years first:
// with a population moved for one policy, dates differ by the move alone.
bool SameValue(const ir::Type& type, const ir::Value& old_value, const ir::Value& new_value, int64_t old_to_new);

}  // namespace polc::diff
