// Explanations: settling one event (or one subject) with tracing on, and rendering the trace
// as readable text or as the versioned JSON of docs/trace.md. Used by `polc explain` and by
// `polc test` for the first mismatch.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/diag/source.h"
#include "compiler/interp/interp.h"

namespace polc::interp {

inline constexpr int kTraceSchemaVersion = 2;

// The event row whose key is `key`; false when there is none.
bool FindEvent(const Inputs& inputs, std::string_view key, uint32_t& event);
// The subject row whose key is `key`; false when there is none.
bool FindSubject(const Inputs& inputs, std::string_view key, uint32_t& subject);

// Settles the event's subject up to and including the event, tracing it. With event < 0,
// traces the subject alone (its output row and the rules behind it). Throws EvalError.
Trace TraceSettlement(Interpreter& interp, const Inputs& inputs, uint32_t subject, int64_t event);

// `source` (the policy text) is optional: with it, exception clauses are quoted.
std::string ExplainText(const ir::Program& program, const SourceFile* source,
                        const Inputs& inputs, uint32_t subject, const Trace& trace);
std::string ExplainJson(const ir::Program& program, const Inputs& inputs, uint32_t subject,
                        const Trace& trace);

// Shared by both renderings -------------------------------------------------------------

// A type as the language spells it: `money`, `int?`, an enumeration's name.
std::string TypeName(const ir::Program& program, const ir::Type& type);
// A value for display: as result files write it, `none` when absent.
std::string ShowValue(const ir::Program& program, const Inputs& inputs, const ir::Type& type,
                      const ir::Value& value);
// The type of an accumulator's key (Int when it is not keyed by an enumeration).
ir::Type AccKeyType(const ir::Accumulator& acc);
// The label the policy gives an enumeration word (`level1 "一级"`); empty for other types, an
// absent value or a word without one.
std::string WordLabel(const ir::Program& program, const ir::Type& type, const ir::Value& value);

// One segment of an amount a scale was applied to: the part of the amount inside the row
// (lower, upper], the row's rate plus the shift, and that part times the rate rounded to the fen
// (the scale itself sums the exact products and rounds once).
struct BracketSegment {
  int32_t row = 0;
  int64_t lower = 0, upper = -1;  // the row's bounds in fen; -1: open above
  int64_t part = 0;               // fen of the amount in this row
  int64_t rate = 0;               // bp: the row's rate plus the shift
  int64_t paid = 0;               // fen: part * rate, rounded half up
};
std::vector<BracketSegment> BracketSegments(const ir::Brackets& brackets, int64_t amount, int64_t shift);

// For a traced event: the accumulator around it (before -> after) that an accumulator read
// of a rule refers to; null when there is none (a subject trace, a year total).
const AccStep* AccStepOf(const Trace& trace, const TraceAccRead& read);

// The subject- and const-stage steps worth showing: for an event, those its evaluations read
// (directly or through other subject rules); for a subject alone, all of them.
std::vector<const RuleStep*> RelevantSubjectSteps(const ir::Program& program, const Trace& trace);

}  // namespace polc::interp
