// The compound operations of lowering: arithmetic with the interpreter's overflow checks,
// exact money x rate, table and accumulator lookups, min/max, match and equality.
#include <fmt/format.h>
#include <llvm/IR/Intrinsics.h>

#include "compiler/jit/lower_internal.h"
#include "runtime/acc_spill.h"

namespace polc::jit {

using ir::Base;
using ir::Node;
using ir::Op;

// ---------------------------------------------------------------- arithmetic

// polc_mul_rate (runtime/protocol.h), inlined: the int64 fast path, else the 128-bit helper.
Lowerer::V Lowerer::GenMulRate(llvm::Value* fen, llvm::Value* bp) {
  return Int(b_.CreateCall(mul_rate_protocol_, {fen, bp}));
}

Lowerer::V Lowerer::GenArith(const Node& node) {
  const Node& left = *node.kids[0];
  const Node& right = *node.kids[1];
  V l = Gen(left);
  V r = Gen(right);
  // Operands of required types need no presence branch (the usual case).
  llvm::Value* both = b_.CreateAnd(l.present, r.present);
  if (IsFalse(both)) return Absent();
  const bool known = IsTrue(both);
  llvm::BasicBlock* done = nullptr;
  llvm::BasicBlock* skipped = nullptr;
  if (!known) {
    llvm::BasicBlock* compute = NewBlock("arith");
    done = NewBlock("arith.done");
    skipped = b_.GetInsertBlock();
    b_.CreateCondBr(both, compute, done);
    b_.SetInsertPoint(compute);
  }
  const Base lb = left.type.base, rb = right.type.base;
  const int32_t overflow = Site(node.range, "arithmetic overflow");
  V result;
  switch (node.op) {
    case Op::Add:
    case Op::Sub: {
      const bool sub = node.op == Op::Sub;
      if (lb == Base::Date && rb == Base::Date) {
        result = Int(CheckedOp(llvm::Intrinsic::ssub_with_overflow, l.a, r.a, overflow));
      } else if ((lb == Base::Date && rb == Base::Duration) ||
                 (!sub && lb == Base::Duration && rb == Base::Date)) {
        const V& date = lb == Base::Date ? l : r;
        const V& span = lb == Base::Date ? r : l;
        llvm::Value* months = span.a;
        llvm::Value* days = span.b;
        if (sub) {
          months = CheckedOp(llvm::Intrinsic::ssub_with_overflow, I64(0), span.a, overflow);
          days = CheckedOp(llvm::Intrinsic::ssub_with_overflow, I64(0), span.b, overflow);
        }
        // rt::AddDuration, as the interpreter: a date outside 1000 .. 9999 fails, never wraps.
        llvm::AllocaInst* moved = EntryAlloca(i64_, "date");
        llvm::Value* ok = b_.CreateCall(add_duration_, {date.a, months, days, moved});
        FailIf(b_.CreateICmpEQ(ok, I32(0)), Site(node.range, "date out of range (years 1000 to 9999)"));
        result = Int(b_.CreateLoad(i64_, moved));
      } else if (lb == Base::Duration) {
        const auto id = sub ? llvm::Intrinsic::ssub_with_overflow : llvm::Intrinsic::sadd_with_overflow;
        llvm::Value* a = CheckedOp(id, l.a, r.a, overflow);
        llvm::Value* d = CheckedOp(id, l.b, r.b, overflow);
        result = {a, d, b_.getTrue()};
      } else {
        const auto id = sub ? llvm::Intrinsic::ssub_with_overflow : llvm::Intrinsic::sadd_with_overflow;
        result = Int(CheckedOp(id, l.a, r.a, overflow));
      }
      break;
    }
    case Op::MulRate:
      result = rb == Base::Rate ? GenMulRate(l.a, r.a) : GenMulRate(r.a, l.a);
      break;
    case Op::Mul:
      result = Int(CheckedOp(llvm::Intrinsic::smul_with_overflow, l.a, r.a, overflow));
      break;
    default:
      throw LowerError("not an arithmetic operation");
  }
  if (known) return result;
  llvm::BasicBlock* computed = b_.GetInsertBlock();
  b_.CreateBr(done);
  b_.SetInsertPoint(done);
  return Join({{skipped, Absent()}, {computed, result}});
}

// ---------------------------------------------------------------- lookups

Lowerer::V Lowerer::GenTableGet(const Node& node) {
  const ir::Table& table = program_.tables[static_cast<size_t>(node.a)];
  V key = Gen(*node.kids[0]);
  if (node.type.base == Base::Record) throw LowerError("a whole table row as a value");
  if (table.rows.empty()) return Absent();
  auto column_it = table_cols_.find({node.a, node.b});
  if (column_it == table_cols_.end()) throw LowerError(fmt::format("table {} has no column {}", table.name, node.b));
  llvm::GlobalVariable* column = column_it->second;
  if (table.key_type.base == Base::Enum) {
    const int64_t n = static_cast<int64_t>(table.rows.size());
    llvm::Value* inside = b_.CreateICmpNE(b_.CreateCall(word_inside_, {key.a, I64(n)}), I32(0));
    // "\x01": where the failing word goes.
    const int32_t status = Site(node.range, rt::WordOutsideTableMessage("\x01", table.name));
    llvm::BasicBlock* fail = NewBlock("fail");
    llvm::BasicBlock* cont = NewBlock("ok");
    b_.CreateCondBr(b_.CreateAnd(key.present, b_.CreateNot(inside)), fail, cont);
    b_.SetInsertPoint(fail);
    b_.CreateStore(key.a, b_.CreateStructGEP(state_ty_, f_.state, 6));
    b_.CreateRet(I32(status));
    b_.SetInsertPoint(cont);
    V row = Load(ValueAt(column, b_.CreateSelect(inside, key.a, I64(0))));
    return Select(key.present, row, Absent());
  }
  llvm::Value* keys = table_keys_.at(static_cast<size_t>(node.a));
  llvm::Value* index = b_.CreateCall(table_find_, {keys, I64(static_cast<int64_t>(table.rows.size())), key.a});
  llvm::Value* found = b_.CreateAnd(key.present, b_.CreateICmpSGE(index, I64(0)));
  V row = Load(ValueAt(column, b_.CreateSelect(found, index, I64(0))));
  return Select(found, row, Absent());
}

Lowerer::V Lowerer::GenAccess(const Node& node) {
  Require(Scope::Event, node, "an accumulator is read");
  const int32_t acc = static_cast<int32_t>(node.a);
  const ir::Accumulator& decl = program_.accumulators[static_cast<size_t>(acc)];
  V key = !node.kids.empty()                     ? Gen(*node.kids[0])
          : key_memo_[static_cast<size_t>(acc)].Exists() ? CallMemo(key_memo_[static_cast<size_t>(acc)])
                                                   : Absent();
  V total = AccTotal(acc, key);
  if (node.op == Op::AccRead) return total;
  if (!decl.cap) return Absent();
  V cap = CallMemo(cap_memo_[static_cast<size_t>(acc)]);
  llvm::Value* room = b_.CreateCall(acc_room_, {total.a, cap.a});
  return Select(cap.present, Int(room), Absent());
}

// ---------------------------------------------------------------- choices

Lowerer::V Lowerer::GenMinMax(const Node& node) {
  V best = Absent();
  for (const ir::NodePtr& kid : node.kids) {
    V v = Gen(*kid);
    llvm::Value* better = GenOrder(node.op == Op::Min ? Op::Lt : Op::Gt, node.type.base, v, best);
    llvm::Value* take = b_.CreateAnd(v.present, b_.CreateOr(b_.CreateNot(best.present), better));
    best = Select(take, v, best);
  }
  return best;
}

Lowerer::V Lowerer::GenMatch(const Node& node) {
  V s = Gen(*node.kids[0]);
  const int32_t status = Site(node.range, "internal error: match on an absent or unknown word");
  FailIf(b_.CreateNot(s.present), status);
  llvm::BasicBlock* bad = NewBlock("match.bad");
  llvm::BasicBlock* done = NewBlock("match.done");
  std::vector<std::pair<llvm::BasicBlock*, V>> incoming;
  llvm::SwitchInst* sw = b_.CreateSwitch(s.a, bad, static_cast<unsigned>(node.arm_of_word.size()));
  std::vector<llvm::BasicBlock*> arms(node.kids.size() - 1, nullptr);
  for (size_t w = 0; w < node.arm_of_word.size(); ++w) {
    const int32_t arm = node.arm_of_word[w];
    if (arm < 0 || static_cast<size_t>(arm) >= arms.size()) continue;
    if (arms[static_cast<size_t>(arm)] == nullptr) arms[static_cast<size_t>(arm)] = NewBlock("arm");
    sw->addCase(b_.getInt64(w), arms[static_cast<size_t>(arm)]);
  }
  for (size_t arm = 0; arm < arms.size(); ++arm) {
    if (arms[arm] == nullptr) continue;
    b_.SetInsertPoint(arms[arm]);
    V v = Gen(*node.kids[1 + arm]);
    incoming.push_back({b_.GetInsertBlock(), v});
    b_.CreateBr(done);
  }
  b_.SetInsertPoint(bad);
  b_.CreateRet(I32(status));
  b_.SetInsertPoint(done);
  if (incoming.empty()) {  // no word has an arm: every path failed above
    b_.CreateUnreachable();
    b_.SetInsertPoint(NewBlock("match.none"));
    return Absent();
  }
  return Join(incoming);
}

// Texts compare by content through the host; durations and periods by both halves.
llvm::Value* Lowerer::GenEqual(const Node& left, const V& l, const V& r) {
  llvm::Value* same_presence = b_.CreateICmpEQ(l.present, r.present);
  llvm::Value* both = b_.CreateAnd(l.present, r.present);
  llvm::Value* equal = nullptr;
  switch (left.type.base) {
    case Base::Text: {
      llvm::AllocaInst* slot = EntryAlloca(i1_, "texteq");
      b_.CreateStore(b_.getFalse(), slot);
      llvm::BasicBlock* call = NewBlock("texteq");
      llvm::BasicBlock* done = NewBlock("texteq.done");
      b_.CreateCondBr(both, call, done);
      b_.SetInsertPoint(call);
      llvm::FunctionType* type = llvm::FunctionType::get(i32_, {ptr_, i64_, i64_, i64_, i64_}, false);
      llvm::Value* same = b_.CreateCall(type, StateField(4), {StateField(3), l.a, l.b, r.a, r.b});
      b_.CreateStore(b_.CreateICmpNE(same, I32(0)), slot);
      b_.CreateBr(done);
      b_.SetInsertPoint(done);
      equal = b_.CreateLoad(i1_, slot);
      break;
    }
    case Base::Duration:
    case Base::Period:
      equal = b_.CreateAnd(b_.CreateICmpEQ(l.a, r.a), b_.CreateICmpEQ(l.b, r.b));
      break;
    default:
      equal = b_.CreateICmpEQ(l.a, r.a);
  }
  return b_.CreateAnd(same_presence, b_.CreateOr(b_.CreateNot(l.present), equal));
}

llvm::Value* Lowerer::GenOrder(Op op, Base base, const V& l, const V& r) {
  auto compare = [&](Op o, llvm::Value* x, llvm::Value* y) {
    switch (o) {
      case Op::Lt: return b_.CreateICmpSLT(x, y);
      case Op::Le: return b_.CreateICmpSLE(x, y);
      case Op::Gt: return b_.CreateICmpSGT(x, y);
      default: return b_.CreateICmpSGE(x, y);
    }
  };
  if (base != Base::Duration) return compare(op, l.a, r.a);
  // Months decide unless equal; then days (with `op` itself, so Le/Ge include equality).
  const Op strict = op == Op::Lt || op == Op::Le ? Op::Lt : Op::Gt;
  return b_.CreateOr(compare(strict, l.a, r.a),
                     b_.CreateAnd(b_.CreateICmpEQ(l.a, r.a), compare(op, l.b, r.b)));
}

}  // namespace polc::jit
