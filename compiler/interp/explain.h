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

inline constexpr int kTraceSchemaVersion = 1;

// The event row whose key is `key`; false when there is none.
bool FindEvent(const Inputs& inputs, std::string_view key, uint32_t& event);

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

// The subject- and const-stage steps worth showing: for an event, those its evaluations read
// (directly or through other subject rules); for a subject alone, all of them.
std::vector<const RuleStep*> RelevantSubjectSteps(const ir::Program& program, const Trace& trace);

}  // namespace polc::interp
