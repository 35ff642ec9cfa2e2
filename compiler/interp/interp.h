// The interpreter: evaluates ir::Node trees lazily, memoizes rules per stage, keeps each
// subject's accumulators and settles one subject at a time. Optionally records a trace of one
// event for `polc explain`.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "compiler/interp/coverage.h"
#include "compiler/ir/ir.h"
#include "compiler/settle/accumulators.h"
#include "compiler/settle/inputs.h"
#include "compiler/settle/seam.h"
#include "runtime/acc_spill.h"

namespace polc::interp {

// The settle layer's names the interpreter is written in.
using settle::EvalError;
using settle::Inputs;
using settle::RecordTable;
using settle::RowSink;
using settle::SettleFn;
using settle::SettleOptions;
using settle::TextPool;

// ---------------------------------------------------------------- traces
// An accumulator read while a traced rule was being evaluated.
struct TraceAccRead {
  int32_t acc = -1;
  bool room = false;  // room(acc) rather than the total
  bool year_total = false;  // year_total(acc): the total after the subject's last event
  ir::Value key;      // the bucket read (absent for an unkeyed accumulator)
  ir::Value value;
};

// One evaluation of a brackets scale while a traced rule was evaluated. Its segments are
// derived from the declaration when shown (explain.h: BracketSegments).
struct TraceBrackets {
  int32_t brackets = -1;
  ir::Value amount;   // the amount the scale was applied to
  int64_t shift = 0;  // basis points added to every row's rate
  ir::Value result;
  // The innermost policy function call around the evaluation within the rule (a function's
  // body is inlined): its source range (invalid when none) and its arguments, in order.
  SourceRange call;
  std::vector<std::pair<ir::Type, ir::Value>> call_args;
};

// One table lookup while a traced rule was evaluated.
struct TraceTableRead {
  int32_t table = -1;
  int32_t column = 0;
  ir::Value key;
  int32_t row = -1;  // index into Table.rows; -1: no row (an absent key, or an int key not listed)
  ir::Value value;
};

// One rule evaluation.
struct RuleStep {
  int32_t rule = -1;
  int32_t branch = -1;              // -1: the default; otherwise the exception that applied
  std::vector<uint8_t> conditions;  // the exception conditions tested, in order (1 = held)
  ir::Value value;
  std::vector<ir::Value> deps;      // per Rule.rule_deps entry: its value when this rule ended
  std::vector<uint8_t> dep_known;   // 1: this evaluation read that rule; 0: not needed
  std::vector<int32_t> reads;       // the rules this evaluation read, in order, each once
  std::vector<std::pair<int32_t, int32_t>> fields;  // input fields read: (record, slot), once
  std::vector<int32_t> params;                      // parameters read, once
  std::vector<TraceAccRead> acc_reads;
  std::vector<TraceBrackets> brackets;  // in evaluation order
  std::vector<TraceTableRead> tables;   // in evaluation order, each (table, column, key) once
};

// One accumulator around the traced event.
struct AccStep {
  int32_t acc = -1;
  bool updated = false;  // its condition held, so the event added to it
  ir::Value key;         // the event's bucket
  ir::Value before, after;
  ir::Value cap;         // absent when uncapped or not evaluated
};

struct Trace {
  int64_t event = -1;  // the traced event's row; subject-stage rules are traced throughout
  std::vector<RuleStep> subject_rules;  // Const and Subject stage rules, in completion order
  std::vector<RuleStep> event_rules;    // the traced event's rules, in completion order
  std::vector<AccStep> accumulators;    // in declaration order
  std::vector<ir::Value> subject_output, event_output;
  std::vector<ir::Value> year_end_output;  // when the subject's events were all settled
  std::vector<RuleStep> year_end_rules;    // the year-end rules behind it, in completion order
  std::vector<ir::Value> params;  // every parameter's value, for showing what rules read
  bool event_settled = false;
};

// The parameters' values as the interpreter computes them (the one semantics both engines
// use): settle::ParamValues with `error` set when one cannot be computed.
settle::ParamValues ComputeParams(const ir::Program& program);

class Interpreter : public settle::RowChecker {
 public:
  // Evaluates the parameters; throws EvalError when one cannot be computed.
  explicit Interpreter(const ir::Program& program);
  Interpreter(const Interpreter&) = delete;
  Interpreter& operator=(const Interpreter&) = delete;

  const ir::Program& Program() const override { return program_; }
  ir::Value ParamValue(int32_t id);

  // Text values resolve through these pools (set before reading or settling).
  void AttachInputs(const Inputs& inputs);
  // The same with the two pools given apart (a parallel reader's own part of a file).
  void AttachPools(const TextPool& subject_pool, const TextPool& event_pool) override;
  // Evaluates a requirement's condition over one row; false when it fails.
  bool CheckRequirement(const RecordTable& table, uint32_t row, const ir::Requirement& req) override;
  // Another interpreter of the same program (a parallel reader's checker).
  std::unique_ptr<settle::RowChecker> Clone() const override;
  // Settles one subject: its output row, then its events in settlement order, each followed by
  // the accumulator updates. With `trace`, records the settlement (polc explain).
  void SettleSubject(const Inputs& inputs, uint32_t subject, RowSink& sink,
                     const SettleOptions& options = {}, Trace* trace = nullptr);
  // SettleSubject as a SettleFn; the interpreter must outlive it.
  SettleFn AsSettleFn();
  // Counts what every later settlement evaluates into `coverage` (of this program; null: stop).
  void SetCoverage(Coverage* coverage) { coverage_ = coverage; }

 private:
  // SettleSubject without the claim and CSV line added to an EvalError's message.
  void SettleSubjectUnlocated(const Inputs& inputs, uint32_t subject, RowSink& sink,
                              const SettleOptions& options, Trace* trace);
  // The subject being settled: its row, the generation stamping its memoized rules, and its
  // accumulators.
  struct SubjectContext {
    const RecordTable* table = nullptr;
    uint32_t row = 0;
    uint64_t generation = 1;
    // The accumulators' totals: the flat record of runtime/protocol.h (the JIT's too), and
    // the int-keyed buckets past its inline ones.
    std::vector<int64_t> totals;
    rt::AccSpill spill;
    bool year_end = false;  // every event settled: year totals can be read
  };
  // The event being settled; per-event caches of each accumulator's key and cap.
  struct AccCache {
    uint64_t key_generation = 0, cap_generation = 0;
    ir::Value key, cap;
  };
  struct EventContext {
    const RecordTable* table = nullptr;
    uint32_t row = 0;
    uint64_t generation = 1;
    std::vector<AccCache> accs;
  };
  struct Pending {
    int32_t acc;
    ir::Value key, amount, cap;
  };

  ir::Value Eval(const ir::Node& node);                       // eval.cpp
  ir::Value EvalArith(const ir::Node& node);                  // eval.cpp
  bool Equal(const ir::Node& left, const ir::Value& l, const ir::Value& r);
  ir::Value EvalInFrame(const ir::Node& node, int32_t frame_size);
  size_t LocalSlot(const ir::Node& node) const;
  ir::Value EvalRule(int32_t id);
  ir::Value EvalRuleBody(const ir::Rule& rule, bool traced);
  bool RuleKnown(int32_t id, ir::Value& value) const;
  ir::Value AccKey(int32_t acc);
  ir::Value AccCap(int32_t acc);
  int64_t AccTotal(int32_t acc, const ir::Value& key) const;
  int64_t* AccBucket(int32_t acc, const ir::Value& key);
  ir::Value AccessAccumulator(const ir::Node& node);
  void ResetAccumulators();
  void ResetTransientState();
  void UpdateAccumulators(const Inputs& inputs, uint32_t subject, bool traced);
  void EvalOutput(int32_t output, std::vector<ir::Value>& values);
  void NoteRead(const ir::Node& node);
  // Tracing (trace.cpp): the innermost open step evaluated a scale or looked up a table.
  void NoteBrackets(const ir::Node& node, const ir::Value& amount, int64_t shift, const ir::Value& result);
  void NoteTable(const ir::Node& node, const ir::Value& key, int32_t row, const ir::Value& value);
  [[noreturn]] void Fail(const ir::Node& node, const std::string& what) const;
  [[noreturn]] void Fail(const SourceRange& range, const std::string& what) const;

  const ir::Program& program_;
  settle::AccRecordLayout acc_layout_;
  std::vector<std::vector<int64_t>> table_keys_;  // int-keyed tables' keys, ascending (polc_table_find)
  const TextPool* pools_[2] = {nullptr, nullptr};
  std::vector<ir::Value> param_values_;
  std::vector<uint8_t> param_state_;  // 0 not computed, 1 computing, 2 done
  std::vector<ir::Value> rule_values_;
  std::vector<uint64_t> rule_generation_;
  std::vector<uint8_t> rule_busy_;
  SubjectContext subject_;
  EventContext event_;
  // Locals of the definitions being evaluated, innermost last.
  std::vector<ir::Value> frame_;
  size_t frame_base_ = 0;
  std::vector<Pending> pending_;
  std::vector<ir::Value> row_;
  // Tracing: the trace, whether the current event is the traced one, open rule steps.
  Trace* trace_ = nullptr;
  bool tracing_event_ = false;
  std::vector<RuleStep> open_steps_;
  Coverage* coverage_ = nullptr;  // polc test --coverage
  // While tracing: the `let`s (inlined function calls) being evaluated in the open rule, innermost last.
  std::vector<std::pair<const ir::Node*, ir::Value>> trace_lets_;
};

}  // namespace polc::interp
