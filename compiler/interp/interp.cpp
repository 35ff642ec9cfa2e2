// The interpreter's state machine: parameters once per program, rules memoized per stage,
// accumulators per subject, and the settlement of one subject (outputs, then updates).
#include "compiler/interp/interp.h"

#include <algorithm>

#include <fmt/format.h>

namespace polc::interp {

using ir::Node;
using ir::Stage;
using ir::Value;

Interpreter::Interpreter(const ir::Program& program) : program_(program) {
  param_values_.resize(program.params.size());
  param_state_.assign(program.params.size(), 0);
  rule_values_.resize(program.rules.size());
  rule_generation_.assign(program.rules.size(), 0);
  rule_busy_.assign(program.rules.size(), 0);
  acc_layout_ = settle::LayOutAccumulators(program);
  subject_.totals.assign(static_cast<size_t>(acc_layout_.words), 0);
  subject_.spill.Resize(program.accumulators.size());
  event_.accs.resize(program.accumulators.size());
  table_keys_.resize(program.tables.size());
  for (size_t t = 0; t < program.tables.size(); ++t) {
    if (program.tables[t].key_type.base == ir::Base::Enum) continue;
    for (const ir::TableRow& row : program.tables[t].rows) table_keys_[t].push_back(row.key);
  }
  for (size_t i = 0; i < program.params.size(); ++i) ParamValue(static_cast<int32_t>(i));
}

void Interpreter::AttachInputs(const Inputs& inputs) { AttachPools(inputs.texts[0], inputs.texts[1]); }

void Interpreter::AttachPools(const TextPool& subject_pool, const TextPool& event_pool) {
  pools_[0] = &subject_pool;
  pools_[1] = &event_pool;
}

Value Interpreter::ParamValue(int32_t id) {
  const size_t i = static_cast<size_t>(id);
  if (param_state_[i] == 2) return param_values_[i];
  const ir::Param& param = program_.params[i];
  if (param_state_[i] == 1) Fail(param.range, fmt::format("internal error: parameter {} depends on itself", param.name));
  if (!param.value) Fail(param.range, fmt::format("internal error: parameter {} has no value", param.name));
  param_state_[i] = 1;
  param_values_[i] = EvalInFrame(*param.value, 0);
  param_state_[i] = 2;
  return param_values_[i];
}

bool Interpreter::CheckRequirement(const RecordTable& table, uint32_t row,
                                   const ir::Requirement& req) {
  if (!req.condition) return true;
  if (!frame_.empty()) ResetTransientState();
  const RecordTable* saved[2] = {subject_.table, event_.table};
  const uint32_t saved_rows[2] = {subject_.row, event_.row};
  if (table.Kind() == 0) {
    subject_.table = &table;
    subject_.row = row;
  } else {
    event_.table = &table;
    event_.row = row;
  }
  Value ok = EvalInFrame(*req.condition, table.Decl().frame_size);
  subject_.table = saved[0];
  event_.table = saved[1];
  subject_.row = saved_rows[0];
  event_.row = saved_rows[1];
  return ok.present && ok.a != 0;
}

// ---------------------------------------------------------------- rules

bool Interpreter::RuleKnown(int32_t id, Value& value) const {
  const size_t i = static_cast<size_t>(id);
  const Stage stage = program_.rules[i].stage;
  // Const rules are memoized per subject too (they are cheap), so a trace of any subject
  // shows them.
  const uint64_t current = stage == Stage::Event ? event_.generation : subject_.generation;
  if (rule_generation_[i] != current) return false;
  value = rule_values_[i];
  return true;
}

Value Interpreter::EvalRule(int32_t id) {
  if (!open_steps_.empty()) {
    // Which rules a traced evaluation really read (short-circuits and untaken branches read
    // fewer than rule_deps lists).
    std::vector<int32_t>& reads = open_steps_.back().reads;
    if (std::find(reads.begin(), reads.end(), id) == reads.end()) reads.push_back(id);
  }
  Value value;
  if (RuleKnown(id, value)) return value;
  const size_t i = static_cast<size_t>(id);
  const ir::Rule& rule = program_.rules[i];
  if (rule_busy_[i]) Fail(rule.range, fmt::format("internal error: rule {} depends on itself", rule.name));
  if (rule.stage == Stage::Event && event_.table == nullptr) {
    Fail(rule.range, fmt::format("internal error: rule {} needs an event", rule.name));
  }
  if (rule.stage == Stage::YearEnd && !subject_.year_end) {
    Fail(rule.range, fmt::format("internal error: rule {} is read before the year end", rule.name));
  }
  rule_busy_[i] = 1;
  const bool traced = trace_ != nullptr && (rule.stage != Stage::Event || tracing_event_);
  if (!traced) {
    value = EvalRuleBody(rule, false);
  } else {
    // Steps live in open_steps_ while open, so reads of accumulators land in the innermost.
    const size_t index = open_steps_.size();
    open_steps_.emplace_back();
    open_steps_[index].rule = id;
    std::vector<std::pair<const ir::Node*, Value>> outer_lets;
    outer_lets.swap(trace_lets_);  // the calls around the rule's reader are not this rule's
    value = EvalRuleBody(rule, true);
    trace_lets_.swap(outer_lets);
    RuleStep step = std::move(open_steps_[index]);
    open_steps_.pop_back();
    step.value = value;
    step.deps.resize(rule.rule_deps.size());
    step.dep_known.assign(rule.rule_deps.size(), 0);
    for (size_t d = 0; d < rule.rule_deps.size(); ++d) {
      const int32_t dep = rule.rule_deps[d];
      const bool read = std::find(step.reads.begin(), step.reads.end(), dep) != step.reads.end();
      step.dep_known[d] = read && RuleKnown(dep, step.deps[d]) ? 1 : 0;
    }
    (rule.stage == Stage::Event     ? trace_->event_rules
     : rule.stage == Stage::YearEnd ? trace_->year_end_rules
                                    : trace_->subject_rules)
        .push_back(std::move(step));
  }
  rule_busy_[i] = 0;
  rule_values_[i] = value;
  rule_generation_[i] = rule.stage == Stage::Event ? event_.generation : subject_.generation;
  return value;
}

// A traced rule's step is open_steps_.back() on entry; nested steps may move it, so it is
// addressed by index.
Value Interpreter::EvalRuleBody(const ir::Rule& rule, bool traced) {
  const size_t step_index = traced ? open_steps_.size() - 1 : 0;
  const size_t saved_base = frame_base_;
  frame_base_ = frame_.size();
  frame_.resize(frame_base_ + static_cast<size_t>(rule.frame_size));
  Value value;
  int32_t branch = -1;
  for (size_t e = 0; e < rule.exceptions.size(); ++e) {
    Value held = Eval(*rule.exceptions[e].condition);
    const bool applies = held.present && held.a != 0;
    if (traced) open_steps_[step_index].conditions.push_back(applies ? 1 : 0);
    if (applies) {
      branch = static_cast<int32_t>(e);
      value = Eval(*rule.exceptions[e].value);
      break;
    }
  }
  if (branch < 0) value = Eval(*rule.value);
  if (traced) open_steps_[step_index].branch = branch;
  if (coverage_ != nullptr) coverage_->RuleBranch(static_cast<size_t>(&rule - program_.rules.data()), branch);
  frame_.resize(frame_base_);
  frame_base_ = saved_base;
  return value;
}

// ---------------------------------------------------------------- accumulators

Value Interpreter::AccKey(int32_t acc) {
  AccCache& cache = event_.accs[static_cast<size_t>(acc)];
  if (cache.key_generation == event_.generation) return cache.key;
  const ir::Accumulator& decl = program_.accumulators[static_cast<size_t>(acc)];
  Value key = Value::Absent();
  if (decl.key_kind != ir::AccKey::None && decl.key) key = EvalInFrame(*decl.key, decl.frame_size);
  AccCache& again = event_.accs[static_cast<size_t>(acc)];
  again.key = key;
  again.key_generation = event_.generation;
  return key;
}

Value Interpreter::AccCap(int32_t acc) {
  AccCache& cache = event_.accs[static_cast<size_t>(acc)];
  if (cache.cap_generation == event_.generation) return cache.cap;
  const ir::Accumulator& decl = program_.accumulators[static_cast<size_t>(acc)];
  Value cap = decl.cap ? EvalInFrame(*decl.cap, decl.frame_size) : Value::Absent();
  AccCache& again = event_.accs[static_cast<size_t>(acc)];
  again.cap = cap;
  again.cap_generation = event_.generation;
  return cap;
}

// The totals are runtime/protocol.h's record, read and updated by its functions (the JIT
// inlines the same ones).
int64_t Interpreter::AccTotal(int32_t acc, const Value& key) const {
  const settle::AccPlace& place = acc_layout_.accs[static_cast<size_t>(acc)];
  auto& subject = const_cast<SubjectContext&>(subject_);
  return polc_acc_total(subject.totals.data() + place.offset, place.kind, place.words, key.present ? 1 : 0,
                        key.a, &subject.spill, &rt::AccSpill::Callback, acc);
}

int64_t* Interpreter::AccBucket(int32_t acc, const Value& key) {
  const settle::AccPlace& place = acc_layout_.accs[static_cast<size_t>(acc)];
  int64_t* bucket = polc_acc_bucket(subject_.totals.data() + place.offset, place.kind, place.words,
                                    key.present ? 1 : 0, key.a, &subject_.spill, &rt::AccSpill::Callback, acc);
  if (bucket == nullptr) Fail(program_.accumulators[static_cast<size_t>(acc)].range, rt::kKeyOutsideEnumMessage);
  return bucket;
}

void Interpreter::ResetAccumulators() {
  std::fill(subject_.totals.begin(), subject_.totals.end(), 0);
  subject_.spill.Clear();
}

Value Interpreter::AccessAccumulator(const Node& node) {
  const int32_t acc = static_cast<int32_t>(node.a);
  if (node.op == ir::Op::AccYearTotal) {
    if (!subject_.year_end) Fail(node, "internal error: a year total is read before the year end");
    const Value total{AccTotal(acc, Value::Absent()), 0, true};
    if (!open_steps_.empty()) open_steps_.back().acc_reads.push_back({acc, false, true, Value::Absent(), total});
    return total;
  }
  if (event_.table == nullptr) Fail(node, "internal error: an accumulator is read outside an event");
  const Value key = node.kids.empty() ? AccKey(acc) : Eval(*node.kids[0]);
  const int64_t total = AccTotal(acc, key);
  Value result{total, 0, true};
  if (node.op == ir::Op::AccRoom) {
    const Value cap = AccCap(acc);
    result = cap.present ? Value{polc_acc_room(total, cap.a), 0, true} : Value::Absent();
  }
  if (!open_steps_.empty()) {
    // A rule may read the same total twice (an inlined function called twice); show it once.
    std::vector<TraceAccRead>& reads = open_steps_.back().acc_reads;
    const bool room = node.op == ir::Op::AccRoom;
    const bool seen = std::any_of(reads.begin(), reads.end(), [&](const TraceAccRead& r) {
      return r.acc == acc && r.room == room && r.key == key;
    });
    if (!seen) reads.push_back({acc, room, false, key, result});
  }
  return result;
}

// runtime/protocol.h's event order: everything an update needs is computed first, so no
// accumulator sees another's update of the same event; then the updates in declaration order.
void Interpreter::UpdateAccumulators(const Inputs& inputs, uint32_t subject, bool traced) {
  pending_.clear();
  for (size_t i = 0; i < program_.accumulators.size(); ++i) {
    const ir::Accumulator& decl = program_.accumulators[i];
    const int32_t acc = static_cast<int32_t>(i);
    bool holds = true;
    if (decl.condition) {
      Value c = EvalInFrame(*decl.condition, decl.frame_size);
      holds = c.present && c.a != 0;
    }
    if (traced) {
      const Value key = AccKey(acc);
      const Value total{AccTotal(acc, key), 0, true};
      trace_->accumulators.push_back({acc, holds, key, total, total, Value::Absent()});
    }
    if (!holds) continue;
    Pending p{acc, AccKey(acc), Value{1, 0, true}, Value::Absent()};
    if (!decl.is_count) {
      if (!decl.value) Fail(decl.range, fmt::format("internal error: accumulator {} has no value", decl.name));
      p.amount = EvalInFrame(*decl.value, decl.frame_size);
      if (!p.amount.present) {
        Fail(*decl.value, fmt::format("internal error: accumulator {} adds an absent value", decl.name));
      }
    }
    if (decl.cap) p.cap = AccCap(acc);
    pending_.push_back(p);
  }
  for (const Pending& p : pending_) {
    const ir::Accumulator& decl = program_.accumulators[static_cast<size_t>(p.acc)];
    int64_t* bucket = AccBucket(p.acc, p.key);
    const int32_t applied = polc_acc_apply(bucket, p.amount.a, p.cap.present ? 1 : 0, p.cap.a);
    if (applied == POLC_APPLY_OVERFLOW) Fail(decl.range, rt::kOverflowMessage);
    if (traced) {
      for (AccStep& step : trace_->accumulators) {
        if (step.acc == p.acc) {
          step.after = Value{*bucket, 0, true};
          step.cap = p.cap;
        }
      }
    }
    if (applied == POLC_APPLY_OVER_CAP) {
      throw EvalError(rt::OverCapMessage(decl.name, program_.records[0].name, inputs.SubjectKey(subject),
                                         program_.records[1].name, inputs.EventKey(event_.row)));
    }
  }
}

// ---------------------------------------------------------------- settlement

void Interpreter::EvalOutput(int32_t output, std::vector<Value>& values) {
  const ir::Output& decl = program_.outputs[static_cast<size_t>(output)];
  values.resize(decl.columns.size());
  for (size_t c = 0; c < decl.columns.size(); ++c) {
    values[c] = EvalInFrame(*decl.columns[c].value, decl.frame_size);
  }
}

// An EvalError may have left a settlement half way; the next one starts clean.
void Interpreter::ResetTransientState() {
  frame_.clear();
  frame_base_ = 0;
  open_steps_.clear();
  trace_lets_.clear();
  std::fill(rule_busy_.begin(), rule_busy_.end(), 0);
  trace_ = nullptr;
  tracing_event_ = false;
}

void Interpreter::SettleSubject(const Inputs& inputs, uint32_t subject, RowSink& sink,
                                const SettleOptions& options, Trace* trace) {
  try {
    SettleSubjectUnlocated(inputs, subject, sink, options, trace);
  } catch (const EvalError& e) {
    // The policy line is in the message; the claim and its CSV line are added here (the JIT
    // adds the same in NativeSettlement::Fail).
    const int64_t event = event_.table != nullptr ? static_cast<int64_t>(event_.row) : -1;
    event_.table = nullptr;
    tracing_event_ = false;
    trace_ = nullptr;
    throw EvalError(fmt::format("{} ({})", e.what(), inputs.Where(subject, event)));
  }
}

void Interpreter::SettleSubjectUnlocated(const Inputs& inputs, uint32_t subject, RowSink& sink,
                                         const SettleOptions& options, Trace* trace) {
  AttachInputs(inputs);
  ResetTransientState();
  trace_ = trace;
  ++subject_.generation;
  subject_.table = &inputs.subjects;
  subject_.row = subject;
  subject_.year_end = false;
  event_.table = nullptr;
  ResetAccumulators();
  const int32_t subject_output = program_.output_of[0];
  const int32_t event_output = program_.output_of[1];
  if (options.subject_output && subject_output >= 0) {
    EvalOutput(subject_output, row_);
    sink.SubjectRow(subject, row_);
    if (trace_ != nullptr) trace_->subject_output = row_;
  }
  const uint32_t end = options.events ? inputs.subject_begin[subject + 1] : inputs.subject_begin[subject];
  for (uint32_t k = inputs.subject_begin[subject]; k < end; ++k) {
    const uint32_t event = inputs.event_order[k];
    ++event_.generation;
    event_.table = &inputs.events;
    event_.row = event;
    tracing_event_ = trace_ != nullptr && static_cast<int64_t>(event) == trace_->event;
    if (options.event_output && event_output >= 0) {
      EvalOutput(event_output, row_);
      sink.EventRow(event, row_);
      if (tracing_event_) trace_->event_output = row_;
    }
    UpdateAccumulators(inputs, subject, tracing_event_);
    if (tracing_event_) trace_->event_settled = true;
    if (static_cast<int64_t>(event) == options.stop_after_event) break;
  }
  event_.table = nullptr;
  tracing_event_ = false;
  const int32_t year_end_output = program_.output_of[2];
  if (options.year_end_output && options.events && options.stop_after_event < 0 && year_end_output >= 0) {
    subject_.year_end = true;
    EvalOutput(year_end_output, row_);
    sink.YearEndRow(subject, row_);
    if (trace_ != nullptr) trace_->year_end_output = row_;
  }
  trace_ = nullptr;
}

}  // namespace polc::interp

namespace polc::interp {

std::unique_ptr<settle::RowChecker> Interpreter::Clone() const {
  return std::make_unique<Interpreter>(program_);
}

settle::ParamValues ComputeParams(const ir::Program& program) {
  settle::ParamValues params;
  try {
    Interpreter interp(program);
    for (size_t p = 0; p < program.params.size(); ++p) {
      params.values.push_back(interp.ParamValue(static_cast<int32_t>(p)));
    }
  } catch (const EvalError& e) {
    params.values.clear();
    params.error = e.what();
  }
  return params;
}

SettleFn Interpreter::AsSettleFn() {
  return [this](const Inputs& inputs, uint32_t subject, RowSink& sink, const SettleOptions& options) {
    SettleSubject(inputs, subject, sink, options);
  };
}

}  // namespace polc::interp
