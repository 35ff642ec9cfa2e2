// The engine seam: what an engine (the interpreter, the JIT) implements to settle one subject,
// and what it is given. Both engines depend on this layer and on nothing of each other.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "compiler/ir/ir.h"
#include "compiler/settle/inputs.h"

namespace polc::settle {

// A failure while settling (an arithmetic overflow, a broken promise of the checker such as an
// accumulator over its cap). The run stops and no output file is written.
class EvalError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Receives output rows as values, one output declaration per record kind. A row's values are
// only valid during the call.
class RowSink {
 public:
  virtual ~RowSink() = default;
  virtual void SubjectRow(uint32_t subject, std::span<const ir::Value> values) = 0;
  virtual void EventRow(uint32_t event, std::span<const ir::Value> values) = 0;
  // The subject's `at year_end` output row, after its last event (SettleOptions::year_end_output).
  virtual void YearEndRow(uint32_t /*subject*/, std::span<const ir::Value> /*values*/) {}
};

struct SettleOptions {
  bool subject_output = true;
  bool event_output = true;
  bool year_end_output = false;   // the `at year_end` output row, after the last event
  bool events = true;             // false: the subject's output row only
  int64_t stop_after_event = -1;  // stop once this event row is settled (explain)
};

// Settles one subject into a sink: the seam behind which the interpreter and the JIT are
// interchangeable (same rows, same order, same EvalError messages).
using SettleFn = std::function<void(const Inputs& inputs, uint32_t subject, RowSink& sink,
                                    const SettleOptions& options)>;

// The parameters' values, computed once per program before anything is settled, in the order
// of ir::Program::params. `values` is empty when one cannot be computed; `error` then says
// why (an engine given no values computes them itself and fails the same way).
struct ParamValues {
  std::vector<ir::Value> values;
  std::string error;
};

// Evaluates the input requirements of the records (`require` declarations) while the inputs
// are read: one checker per reading thread (Clone gives another).
class RowChecker {
 public:
  virtual ~RowChecker() = default;
  virtual const ir::Program& Program() const = 0;
  virtual std::unique_ptr<RowChecker> Clone() const = 0;
  // Text values resolve through these pools (the subject pool and the event pool being read).
  virtual void AttachPools(const TextPool& subject_pool, const TextPool& event_pool) = 0;
  // False when the requirement fails for `row` of `table`; throws EvalError when it cannot be
  // evaluated.
  virtual bool CheckRequirement(const RecordTable& table, uint32_t row, const ir::Requirement& req) = 0;
};

}  // namespace polc::settle
