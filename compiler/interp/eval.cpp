// Expression evaluation: one switch over ir::Op. Exact integer arithmetic only; the money,
// bracket and date helpers come from runtime/ so the JIT computes the very same numbers.
#include <algorithm>

#include <fmt/format.h>

#include "compiler/interp/interp.h"
#include "runtime/date.h"
#include "runtime/money.h"
#include "runtime/protocol.h"

namespace polc::interp {

using ir::Base;
using ir::Node;
using ir::Op;
using ir::Value;

namespace {

Value Int(int64_t a) { return {a, 0, true}; }
Value Bool(bool b) { return {b ? 1 : 0, 0, true}; }

}  // namespace

void Interpreter::Fail(const SourceRange& range, const std::string& what) const {
  throw EvalError(fmt::format("{}:{}:{}: {}", program_.file, range.begin_line, range.begin_col,
                              what));
}

void Interpreter::Fail(const Node& node, const std::string& what) const { Fail(node.range, what); }

// While tracing: the innermost open rule step read this field or parameter.
void Interpreter::NoteRead(const Node& node) {
  RuleStep& step = open_steps_.back();
  if (node.op == Op::Field) {
    const std::pair<int32_t, int32_t> field{static_cast<int32_t>(node.a), static_cast<int32_t>(node.b)};
    if (std::find(step.fields.begin(), step.fields.end(), field) == step.fields.end()) step.fields.push_back(field);
    return;
  }
  const auto param = static_cast<int32_t>(node.op == Op::Param ? node.a : node.a - 1);
  if (std::find(step.params.begin(), step.params.end(), param) == step.params.end()) step.params.push_back(param);
}

// A slot past the frame would be a checker bug (a wrong frame_size); failing beats corrupting
// the caller's locals.
size_t Interpreter::LocalSlot(const Node& node) const {
  const size_t slot = frame_base_ + static_cast<size_t>(node.a);
  if (node.a < 0 || slot >= frame_.size()) Fail(node, "internal error: local slot outside the frame");
  return slot;
}

Value Interpreter::EvalInFrame(const Node& node, int32_t frame_size) {
  const size_t saved_base = frame_base_;
  frame_base_ = frame_.size();
  frame_.resize(frame_base_ + static_cast<size_t>(frame_size));
  Value value = Eval(node);
  frame_.resize(frame_base_);
  frame_base_ = saved_base;
  return value;
}

namespace {

// The order of two present values of one type: -1, 0 or 1. A duration compares its months,
// then its days; the checker allows only durations of one unit to meet (the other half is 0).
int Order(Base base, const Value& l, const Value& r) {
  if (l.a != r.a) return l.a < r.a ? -1 : 1;
  if (base == Base::Duration && l.b != r.b) return l.b < r.b ? -1 : 1;
  return 0;
}

}  // namespace

// Texts compare by content: two rows holding the same string have different pool indices.
bool Interpreter::Equal(const Node& left, const Value& l, const Value& r) {
  if (l.present != r.present) return false;
  if (!l.present) return true;
  switch (left.type.base) {
    case Base::Text:
      return pools_[l.b]->Get(l.a) == pools_[r.b]->Get(r.a);
    case Base::Duration:
    case Base::Period:
      return l.a == r.a && l.b == r.b;
    default:
      return l.a == r.a;
  }
}

Value Interpreter::EvalArith(const Node& node) {
  const Node& left = *node.kids[0];
  const Node& right = *node.kids[1];
  Value l = Eval(left);
  Value r = Eval(right);
  // The checker rejects optional operands; propagating absence keeps a slip harmless.
  if (!l.present || !r.present) return Value::Absent();
  const Base lb = left.type.base, rb = right.type.base;
  int64_t out = 0;
  bool overflow = false;
  switch (node.op) {
    case Op::Add:
    case Op::Sub: {
      const bool sub = node.op == Op::Sub;
      if (lb == Base::Date && rb == Base::Date) {
        overflow = __builtin_sub_overflow(l.a, r.a, &out);
        break;
      }
      if ((lb == Base::Date && rb == Base::Duration) ||
          (!sub && lb == Base::Duration && rb == Base::Date)) {
        const Value& date = lb == Base::Date ? l : r;
        const Value& span = lb == Base::Date ? r : l;
        int64_t months = span.a, days = span.b;
        if (sub && (__builtin_sub_overflow(int64_t{0}, span.a, &months) ||
                    __builtin_sub_overflow(int64_t{0}, span.b, &days))) {
          Fail(node, "arithmetic overflow");
        }
        int64_t moved = 0;
        if (!rt::AddDuration(date.a, months, days, moved)) {
          Fail(node, "date out of range (years 1000 to 9999)");
        }
        return Int(moved);
      }
      if (lb == Base::Duration) {
        Value d{0, 0, true};
        overflow = sub ? (__builtin_sub_overflow(l.a, r.a, &d.a) ||
                          __builtin_sub_overflow(l.b, r.b, &d.b))
                       : (__builtin_add_overflow(l.a, r.a, &d.a) ||
                          __builtin_add_overflow(l.b, r.b, &d.b));
        if (overflow) Fail(node, "arithmetic overflow");
        return d;
      }
      overflow = sub ? __builtin_sub_overflow(l.a, r.a, &out) : __builtin_add_overflow(l.a, r.a, &out);
      break;
    }
    case Op::MulRate:
      // Either operand order: the rate is the one typed as a rate.
      return Int(rb == Base::Rate ? polc_mul_rate(l.a, r.a) : polc_mul_rate(r.a, l.a));
    case Op::Mul:
      overflow = __builtin_mul_overflow(l.a, r.a, &out);
      break;
    default:
      Fail(node, "internal error: not an arithmetic operation");
  }
  if (overflow) Fail(node, "arithmetic overflow");
  return Int(out);
}

Value Interpreter::Eval(const Node& node) {
  switch (node.op) {
    case Op::Const:
      if (node.a != 0 && !open_steps_.empty()) NoteRead(node);
      return node.value;
    case Op::Param:
      if (!open_steps_.empty()) NoteRead(node);
      return ParamValue(static_cast<int32_t>(node.a));
    case Op::Field: {
      if (!open_steps_.empty()) NoteRead(node);
      const bool subject = node.a == 0;
      const RecordTable* table = subject ? subject_.table : event_.table;
      if (table == nullptr) Fail(node, "internal error: a field is read outside its record");
      return table->Get(subject ? subject_.row : event_.row, static_cast<int32_t>(node.b));
    }
    case Op::Rule:
      return EvalRule(static_cast<int32_t>(node.a));
    case Op::Local:
      return frame_[LocalSlot(node)];
    case Op::Let: {
      Value value = Eval(*node.kids[0]);
      frame_[LocalSlot(node)] = value;
      if (open_steps_.empty()) return Eval(*node.kids[1]);
      trace_lets_.emplace_back(&node, value);
      Value body = Eval(*node.kids[1]);
      trace_lets_.pop_back();
      return body;
    }
    case Op::AccRead:
    case Op::AccRoom:
    case Op::AccYearTotal:
      return AccessAccumulator(node);
    case Op::TableGet: {
      const ir::Table& table = program_.tables[static_cast<size_t>(node.a)];
      Value key = Eval(*node.kids[0]);
      if (!key.present) {
        if (!open_steps_.empty()) NoteTable(node, key, -1, Value::Absent());
        return Value::Absent();
      }
      if (node.type.base == Base::Record) Fail(node, "internal error: a whole table row as a value");
      if (table.key_type.base == Base::Enum) {
        if (!polc_table_word_inside(key.a, static_cast<int64_t>(table.rows.size()))) {
          Fail(node, rt::WordOutsideTableMessage(std::to_string(key.a), table.name));
        }
        if (coverage_ != nullptr) coverage_->TableRow(static_cast<size_t>(node.a), static_cast<size_t>(key.a));
        const Value value = table.rows[static_cast<size_t>(key.a)].values[static_cast<size_t>(node.b)];
        if (!open_steps_.empty()) NoteTable(node, key, static_cast<int32_t>(key.a), value);
        return value;
      }
      const std::vector<int64_t>& keys = table_keys_[static_cast<size_t>(node.a)];
      const int64_t index = polc_table_find(keys.data(), static_cast<int64_t>(keys.size()), key.a);
      if (index < 0) {
        if (!open_steps_.empty()) NoteTable(node, key, -1, Value::Absent());
        return Value::Absent();
      }
      const ir::TableRow& row = table.rows[static_cast<size_t>(index)];
      if (coverage_ != nullptr) coverage_->TableRow(static_cast<size_t>(node.a), static_cast<size_t>(index));
      if (!open_steps_.empty()) NoteTable(node, key, static_cast<int32_t>(index), row.values[static_cast<size_t>(node.b)]);
      return row.values[static_cast<size_t>(node.b)];
    }
    case Op::Brackets: {
      const ir::Brackets& brackets = program_.brackets[static_cast<size_t>(node.a)];
      Value amount = Eval(*node.kids[0]);
      if (!amount.present) return Value::Absent();
      if (coverage_ != nullptr) coverage_->BracketAmount(static_cast<size_t>(node.a), amount.a);
      int64_t shift = 0;
      if (node.kids.size() > 1) {
        Value s = Eval(*node.kids[1]);
        if (s.present) shift = s.a;
      }
      const Value result = Int(rt::BracketSum(amount.a, brackets.lowers.data(), brackets.rates.data(),
                                              static_cast<int64_t>(brackets.lowers.size()), shift));
      if (!open_steps_.empty()) NoteBrackets(node, amount, shift, result);
      return result;
    }
    case Op::Add:
    case Op::Sub:
    case Op::MulRate:
    case Op::Mul:
      return EvalArith(node);
    case Op::Neg: {
      Value v = Eval(*node.kids[0]);
      if (!v.present) return v;
      if (v.a == INT64_MIN || v.b == INT64_MIN) Fail(node, "arithmetic overflow");
      return {-v.a, node.type.base == Base::Duration ? -v.b : 0, true};
    }
    case Op::Not:
      return Bool(Eval(*node.kids[0]).a == 0);
    case Op::And:
      return Bool(Eval(*node.kids[0]).a != 0 && Eval(*node.kids[1]).a != 0);
    case Op::Or:
      return Bool(Eval(*node.kids[0]).a != 0 || Eval(*node.kids[1]).a != 0);
    case Op::Eq:
    case Op::Ne: {
      Value l = Eval(*node.kids[0]);
      Value r = Eval(*node.kids[1]);
      return Bool(Equal(*node.kids[0], l, r) == (node.op == Op::Eq));
    }
    case Op::Lt:
    case Op::Le:
    case Op::Gt:
    case Op::Ge: {
      Value l = Eval(*node.kids[0]);
      Value r = Eval(*node.kids[1]);
      if (!l.present || !r.present) Fail(node, "internal error: comparison with an absent value");
      const int order = Order(node.kids[0]->type.base, l, r);
      switch (node.op) {
        case Op::Lt: return Bool(order < 0);
        case Op::Le: return Bool(order <= 0);
        case Op::Gt: return Bool(order > 0);
        default: return Bool(order >= 0);
      }
    }
    case Op::InSet: {
      // An absent word is in no set.
      Value v = Eval(*node.kids[0]);
      return Bool(v.present && v.a >= 0 && v.a < 64 && ((uint64_t{1} << v.a) & static_cast<uint64_t>(node.a)) != 0);
    }
    case Op::InPeriod: {
      Value d = Eval(*node.kids[0]);
      Value p = Eval(*node.kids[1]);
      return Bool(d.present && p.present && p.a <= d.a && d.a <= p.b);
    }
    case Op::PeriodStart:
    case Op::PeriodEnd: {
      Value p = Eval(*node.kids[0]);
      if (!p.present) return p;
      return Int(node.op == Op::PeriodStart ? p.a : p.b);
    }
    case Op::Months:
    case Op::Days: {
      Value n = Eval(*node.kids[0]);
      if (!n.present) return n;
      return node.op == Op::Months ? Value{n.a, 0, true} : Value{0, n.a, true};
    }
    case Op::If: {
      Value c = Eval(*node.kids[0]);
      if (!c.present) Fail(node, "internal error: absent condition");
      if (coverage_ != nullptr) coverage_->IfBranch(node, c.a != 0);
      return Eval(*node.kids[c.a != 0 ? 1 : 2]);
    }
    case Op::Match: {
      Value s = Eval(*node.kids[0]);
      if (!s.present || s.a < 0 || static_cast<size_t>(s.a) >= node.arm_of_word.size()) {
        Fail(node, "internal error: match on an absent or unknown word");
      }
      const int32_t arm = node.arm_of_word[static_cast<size_t>(s.a)];
      if (coverage_ != nullptr) coverage_->MatchArm(node, arm);
      return Eval(*node.kids[1 + static_cast<size_t>(arm)]);
    }
    case Op::Min:
    case Op::Max: {
      Value best = Value::Absent();
      for (const ir::NodePtr& kid : node.kids) {
        Value v = Eval(*kid);
        if (!v.present) continue;
        if (!best.present) {
          best = v;
          continue;
        }
        const int order = Order(node.type.base, v, best);
        if (node.op == Op::Min ? order < 0 : order > 0) best = v;
      }
      return best;
    }
    case Op::Present:
      return Bool(Eval(*node.kids[0]).present);
    case Op::ValueOr: {
      Value v = Eval(*node.kids[0]);
      return v.present ? v : Eval(*node.kids[1]);
    }
  }
  Fail(node, "internal error: unknown operation");
}

}  // namespace polc::interp
