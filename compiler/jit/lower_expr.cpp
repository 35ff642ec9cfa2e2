// Expressions to LLVM IR: one case per ir::Op (compound ones in lower_ops.cpp), mirroring
// interp/eval.cpp operation by operation (which operands are evaluated, in what order, and
// where it fails), so the two engines agree on every value and on every failure.
#include <fmt/format.h>
#include <llvm/IR/Intrinsics.h>

#include "compiler/jit/lower_internal.h"

namespace polc::jit {

using ir::Base;
using ir::Node;
using ir::Op;

namespace {

// IR nodes that inlining definitions may emit: past it, each definition becomes a function
// called behind its known flag. An event-stage definition read again where its first
// evaluation does not dominate is copied behind its flag, so a policy whose reads are mostly
// on such paths could grow; the shipped ones emit 626 (Huaihua) and 741 (Yueyang) nodes.
constexpr int64_t kInlineBudget = 20000;

}  // namespace

// ---------------------------------------------------------------- small helpers

llvm::Value* Lowerer::I64(int64_t v) { return b_.getInt64(static_cast<uint64_t>(v)); }
llvm::Value* Lowerer::I32(int32_t v) { return b_.getInt32(static_cast<uint32_t>(v)); }

Lowerer::V Lowerer::Const(const ir::Value& value) {
  return {I64(value.a), I64(value.b), b_.getInt1(value.present)};
}
Lowerer::V Lowerer::Absent() { return Const(ir::Value::Absent()); }
Lowerer::V Lowerer::Int(llvm::Value* a) { return {a, I64(0), b_.getTrue()}; }
Lowerer::V Lowerer::Bool(llvm::Value* bit) { return Int(b_.CreateZExt(bit, i64_)); }

llvm::Value* Lowerer::ValueAt(llvm::Value* base, llvm::Value* index) {
  return b_.CreateGEP(value_ty_, base, index);
}

Lowerer::V Lowerer::Load(llvm::Value* ptr) {
  llvm::Value* a = b_.CreateLoad(i64_, b_.CreateStructGEP(value_ty_, ptr, 0));
  llvm::Value* bb = b_.CreateLoad(i64_, b_.CreateStructGEP(value_ty_, ptr, 1));
  llvm::Value* p = b_.CreateLoad(i8_, b_.CreateStructGEP(value_ty_, ptr, 2));
  return {a, bb, b_.CreateICmpNE(p, b_.getInt8(0))};
}

void Lowerer::Store(llvm::Value* ptr, const V& v) {
  b_.CreateStore(v.a, b_.CreateStructGEP(value_ty_, ptr, 0));
  b_.CreateStore(v.b, b_.CreateStructGEP(value_ty_, ptr, 1));
  b_.CreateStore(b_.CreateZExt(v.present, i8_), b_.CreateStructGEP(value_ty_, ptr, 2));
}

Lowerer::V Lowerer::Select(llvm::Value* cond, const V& t, const V& f) {
  return {b_.CreateSelect(cond, t.a, f.a), b_.CreateSelect(cond, t.b, f.b),
          b_.CreateSelect(cond, t.present, f.present)};
}

// How the interpreter reads a condition: an absent value does not hold.
llvm::Value* Lowerer::Truth(const V& v) {
  return b_.CreateAnd(v.present, b_.CreateICmpNE(v.a, I64(0)));
}

bool Lowerer::IsTrue(llvm::Value* v) {
  auto* c = llvm::dyn_cast<llvm::ConstantInt>(v);
  return c != nullptr && c->isOne();
}

bool Lowerer::IsFalse(llvm::Value* v) {
  auto* c = llvm::dyn_cast<llvm::ConstantInt>(v);
  return c != nullptr && c->isZero();
}

// Merge points use a stack slot; mem2reg turns them into phis at -O2.
llvm::AllocaInst* Lowerer::EntryAlloca(llvm::Type* type, const char* name) {
  llvm::BasicBlock& entry = f_.fn->getEntryBlock();
  llvm::IRBuilder<> at(&entry, entry.begin());
  return at.CreateAlloca(type, nullptr, name);
}

llvm::BasicBlock* Lowerer::NewBlock(const char* name) {
  return llvm::BasicBlock::Create(context_, name, f_.fn);
}

llvm::Value* Lowerer::StateField(unsigned index) {
  llvm::Type* type = index >= 6 ? i64_ : ptr_;
  llvm::LoadInst* load = b_.CreateLoad(type, b_.CreateStructGEP(state_ty_, f_.state, index));
  // The pointers (params .. int_bucket) are set once by the host before any entry point runs
  // and never written by compiled code: invariant, so a store through a memo or accumulator
  // pointer does not force reloading them.
  if (index < 6) load->setMetadata(llvm::LLVMContext::MD_invariant_load, llvm::MDNode::get(context_, {}));
  return load;
}

int32_t Lowerer::Site(const SourceRange& range, const std::string& what, int32_t cap_acc) {
  ErrorSite site;
  site.message = fmt::format("{}:{}:{}: {}", program_.file, range.begin_line, range.begin_col, what);
  // "\x01" marks where the failing value goes (JitState::error_detail).
  site.detail_at = site.message.find('\x01');
  if (site.detail_at != std::string::npos) site.message.erase(site.detail_at, 1);
  site.cap_acc = cap_acc;
  layout_.sites.push_back(std::move(site));
  return static_cast<int32_t>(layout_.sites.size());
}

void Lowerer::BranchToFail(llvm::Value* cond, llvm::Value* status) {
  if (f_.fail == nullptr) {
    llvm::BasicBlock* here = b_.GetInsertBlock();
    f_.fail = NewBlock("fail");
    b_.SetInsertPoint(f_.fail);
    f_.fail_status = b_.CreatePHI(i32_, 4, "status");
    b_.CreateRet(f_.fail_status);
    b_.SetInsertPoint(here);
  }
  llvm::BasicBlock* cont = NewBlock("ok");
  f_.fail_status->addIncoming(status, b_.GetInsertBlock());
  b_.CreateCondBr(cond, f_.fail, cont);
  b_.SetInsertPoint(cont);
}

void Lowerer::FailIf(llvm::Value* cond, int32_t status) {
  if (IsFalse(cond)) return;  // e.g. a presence check on a required field
  BranchToFail(cond, I32(status));
}

void Lowerer::FailIfNonzero(llvm::Value* status) {
  BranchToFail(b_.CreateICmpNE(status, I32(0)), status);
}

void Lowerer::Require(Scope scope, const Node& node, const char* what) {
  if (f_.scope == scope) return;
  throw LowerError(fmt::format("{}:{}:{}: {} outside {}", program_.file, node.range.begin_line,
                               node.range.begin_col, what,
                               scope == Scope::YearEnd ? "the year end" : "an event"));
}

llvm::Value* Lowerer::CheckedOp(llvm::Intrinsic::ID id, llvm::Value* l, llvm::Value* r,
                                int32_t overflow_status) {
  llvm::Value* pair = b_.CreateBinaryIntrinsic(id, l, r);
  FailIf(b_.CreateExtractValue(pair, 1), overflow_status);
  return b_.CreateExtractValue(pair, 0);
}

// ---------------------------------------------------------------- memoized definitions

// Where `memo` is kept: the state's subject memo, the event memo passed between functions,
// or (an event memo inlined into polc_event) two stack slots of its own that SROA turns into
// registers.
void Lowerer::MemoValueRef(const Memo& memo, llvm::Value*& value_ptr, llvm::Value*& known_ptr) {
  if (memo.event && f_.emem == nullptr) {
    MemoHere& here = f_.memos[static_cast<size_t>(memo.id)];
    if (here.value_slot == nullptr) {
      llvm::BasicBlock& entry = f_.fn->getEntryBlock();
      llvm::IRBuilder<> at(&entry, entry.begin());
      here.value_slot = at.CreateAlloca(value_ty_, nullptr, memo.name);
      here.known_slot = at.CreateAlloca(i8_, nullptr, memo.name + ".known");
      at.CreateStore(b_.getInt8(0), here.known_slot);
    }
    value_ptr = here.value_slot;
    known_ptr = here.known_slot;
  } else if (memo.event) {
    value_ptr = b_.CreateInBoundsGEP(emem_ty_, f_.emem, {I32(0), I32(0), I32(memo.slot)});
    known_ptr = b_.CreateInBoundsGEP(emem_ty_, f_.emem, {I32(0), I32(1), I32(memo.slot)});
  } else {
    value_ptr = ValueAt(StateField(1), I64(memo.slot));
    known_ptr = b_.CreateGEP(i8_, StateField(2), I64(memo.slot));
  }
}

void Lowerer::StoreMemo(const Memo& memo, const V& v) {
  llvm::Value *value_ptr, *known_ptr;
  MemoValueRef(memo, value_ptr, known_ptr);
  Store(value_ptr, v);
  b_.CreateStore(b_.getInt8(1), known_ptr);
}

// The immediate dominator of `block` and its depth below the entry block. Lowering emits
// structured code in order: a block gets all its predecessors before code is put in it (the
// shared failure block excepted, which never reads a memo), so the answer, once known, holds.
std::pair<llvm::BasicBlock*, int32_t> Lowerer::IdomOf(llvm::BasicBlock* block) {
  if (block == &f_.fn->getEntryBlock()) return {nullptr, 0};
  auto it = f_.idom.find(block);
  if (it != f_.idom.end()) return it->second;
  // The nearest common dominator of the predecessors (none: unreachable, dominated by none).
  llvm::BasicBlock* common = nullptr;
  int32_t depth = -1;
  for (llvm::BasicBlock* pred : llvm::predecessors(block)) {
    llvm::BasicBlock* p = pred;
    int32_t pd = p == &f_.fn->getEntryBlock() ? 0 : IdomOf(p).second;
    if (pd < 0) continue;  // an unreachable predecessor
    if (common == nullptr) {
      common = p;
      depth = pd;
      continue;
    }
    while (pd > depth) std::tie(p, pd) = std::pair{IdomOf(p).first, pd - 1};
    while (depth > pd) std::tie(common, depth) = std::pair{IdomOf(common).first, depth - 1};
    while (p != common) {
      p = IdomOf(p).first;
      common = IdomOf(common).first;
      --depth;
    }
  }
  const std::pair<llvm::BasicBlock*, int32_t> result{common, common == nullptr ? -1 : depth + 1};
  f_.idom[block] = result;
  return result;
}

bool Lowerer::Dominates(llvm::BasicBlock* a, llvm::BasicBlock* b) {
  const int32_t target = a == &f_.fn->getEntryBlock() ? 0 : IdomOf(a).second;
  if (target < 0) return false;
  std::pair<llvm::BasicBlock*, int32_t> at{b, b == &f_.fn->getEntryBlock() ? 0 : IdomOf(b).second};
  if (at.second < 0) return false;
  while (at.first != nullptr && at.second > target) at = {IdomOf(at.first).first, at.second - 1};
  return at.first == a;
}

// A memoized value where it is read. Computed on every path here already: that value.
// Otherwise a definition of this function's stage is emitted inline (behind its known flag
// when some earlier path may have computed it), anything else is a call of its function
// behind the flag. Either way the result then serves every read this block dominates.
Lowerer::V Lowerer::CallMemo(Memo& memo) {
  MemoHere& here = f_.memos[static_cast<size_t>(memo.id)];
  llvm::BasicBlock* current = b_.GetInsertBlock();
  for (const auto& [block, value] : here.defs) {
    if (Dominates(block, current)) return value;
  }
  const bool maybe_known = here.touched;
  // A memo in the state where an earlier path may have computed it: its function (one copy
  // of the code for every such read; polc_subject and polc_year_end run once a subject).
  const bool inline_here = inline_memos_ && memo.scope == f_.inline_scope && (memo.event || !maybe_known);
  here.touched = true;
  V v;
  if (inline_here && !maybe_known) {
    v = EmitDefinition(memo);
    StoreMemo(memo, v);
  } else {
    llvm::Value *value_ptr, *known_ptr;
    MemoValueRef(memo, value_ptr, known_ptr);
    llvm::BasicBlock* have = NewBlock("have");
    if (maybe_known) {
      llvm::Value* known = b_.CreateICmpNE(b_.CreateLoad(i8_, known_ptr), b_.getInt8(0));
      llvm::BasicBlock* compute = NewBlock("compute");
      b_.CreateCondBr(known, have, compute);
      b_.SetInsertPoint(compute);
    }
    if (inline_here) {
      StoreMemo(memo, EmitDefinition(memo));
    } else {
      llvm::Value* null = llvm::ConstantPointerNull::get(llvm::PointerType::getUnqual(context_));
      llvm::Value* status = b_.CreateCall(
          MemoFunction(memo), {f_.state, f_.subject ? f_.subject : null, f_.event ? f_.event : null,
                               f_.acc ? f_.acc : null, f_.emem ? f_.emem : null});
      FailIfNonzero(status);
    }
    b_.CreateBr(have);
    b_.SetInsertPoint(have);
    // Reloaded in `have`: the memo function stored it, or the flag said it was there.
    MemoValueRef(memo, value_ptr, known_ptr);
    v = Load(value_ptr);
    const ir::Node* body = memo.kind == Memo::Kind::Key ? program_.accumulators[static_cast<size_t>(memo.index)].key.get()
                           : memo.kind == Memo::Kind::Cap ? program_.accumulators[static_cast<size_t>(memo.index)].cap.get()
                                                          : nullptr;
    const bool optional = body != nullptr ? body->type.optional : program_.rules[static_cast<size_t>(memo.index)].type.optional;
    if (!optional) v.present = b_.getTrue();  // as Gen: the checker's types
  }
  // `here` may have moved: EmitDefinition reads other memos, not this vector's size.
  f_.memos[static_cast<size_t>(memo.id)].defs.push_back({b_.GetInsertBlock(), v});
  return v;
}

// ---------------------------------------------------------------- the switch

// The checker rejects an optional value wherever a value is required (docs/language.md,
// "the totality guarantee"), so a value of a type that is not optional is present: saying so
// here spares every presence test downstream, e.g. of a memo read back from memory.
Lowerer::V Lowerer::Gen(const Node& node) {
  if (inline_memos_ && ++nodes_ > kInlineBudget) throw OverInlineBudget{};
  V v = GenOp(node);
  if (!node.type.optional) v.present = b_.getTrue();
  return v;
}

// Branches to `yes` when `node` holds, else to `no`: `and`, `or` and `not` as jumps, without
// materializing their value. Holds means `a != 0`, and also present when `need_present` (a
// condition read with Truth); `and`, `or` and `not` give present values either way.
void Lowerer::GenBranch(const Node& node, llvm::BasicBlock* yes, llvm::BasicBlock* no, bool need_present) {
  switch (node.op) {
    case Op::And:
    case Op::Or: {
      if (inline_memos_ && ++nodes_ > kInlineBudget) throw OverInlineBudget{};
      llvm::BasicBlock* right = NewBlock(node.op == Op::And ? "and.rhs" : "or.rhs");
      if (node.op == Op::And) GenBranch(*node.kids[0], right, no, false);
      else GenBranch(*node.kids[0], yes, right, false);
      b_.SetInsertPoint(right);
      GenBranch(*node.kids[1], yes, no, false);
      return;
    }
    case Op::Not:
      if (inline_memos_ && ++nodes_ > kInlineBudget) throw OverInlineBudget{};
      GenBranch(*node.kids[0], no, yes, false);
      return;
    default: {
      V v = Gen(node);
      b_.CreateCondBr(need_present ? Truth(v) : b_.CreateICmpNE(v.a, I64(0)), yes, no);
      return;
    }
  }
}

// The value reaching the current block (just entered, no code yet) from each of `incoming`:
// a phi per part, or the part itself where every path brings the same.
Lowerer::V Lowerer::Join(const std::vector<std::pair<llvm::BasicBlock*, V>>& incoming) {
  auto part = [&](llvm::Value* V::*field) -> llvm::Value* {
    llvm::Value* first = incoming.front().second.*field;
    bool same = true;
    for (const auto& [block, v] : incoming) same = same && v.*field == first;
    if (same) return first;
    llvm::PHINode* phi = b_.CreatePHI(first->getType(), static_cast<unsigned>(incoming.size()));
    for (const auto& [block, v] : incoming) phi->addIncoming(v.*field, block);
    return phi;
  };
  return {part(&V::a), part(&V::b), part(&V::present)};
}

Lowerer::V Lowerer::GenOp(const Node& node) {
  switch (node.op) {
    case Op::Const:
      return Const(node.value);
    case Op::Param:
      if (!param_values_.empty()) return Const(param_values_[static_cast<size_t>(node.a)]);
      return Load(ValueAt(StateField(0), I64(node.a)));
    case Op::Field: {
      if (node.a != 0) Require(Scope::Event, node, "an event field is read");
      V v = Load(ValueAt(node.a == 0 ? f_.subject : f_.event, I64(node.b)));
      // The reader rejects rows with a required field missing (abi.md), so presence is known.
      const ir::Record& record = program_.records[node.a == 0 ? 0 : 1];
      if (node.b >= 0 && static_cast<size_t>(node.b) < record.fields.size() &&
          !record.fields[static_cast<size_t>(node.b)].type.optional) {
        v.present = b_.getTrue();
      }
      return v;
    }
    case Op::Rule: {
      const ir::Rule& rule = program_.rules[static_cast<size_t>(node.a)];
      if (rule.stage == ir::Stage::Event) Require(Scope::Event, node, "an event rule is read");
      if (rule.stage == ir::Stage::YearEnd) Require(Scope::YearEnd, node, "a year-end rule is read");
      if (f_.scope == Scope::Init) throw LowerError("a parameter reads a rule");
      return CallMemo(rule_memo_[static_cast<size_t>(node.a)]);
    }
    case Op::Local: {
      auto it = f_.locals.find(node.a);
      if (it == f_.locals.end()) throw LowerError("a local is read before its let");
      return it->second;
    }
    case Op::Let: {
      V value = Gen(*node.kids[0]);
      auto saved = f_.locals.find(node.a);
      const bool had = saved != f_.locals.end();
      const V old = had ? saved->second : V{};
      f_.locals[node.a] = value;
      V body = Gen(*node.kids[1]);
      if (had) f_.locals[node.a] = old;
      else f_.locals.erase(node.a);
      return body;
    }
    case Op::AccYearTotal:
      Require(Scope::YearEnd, node, "a year total is read");
      return AccTotal(static_cast<int32_t>(node.a), Absent());
    case Op::AccRead:
    case Op::AccRoom:
      return GenAccess(node);
    case Op::TableGet:
      return GenTableGet(node);
    case Op::Brackets: {
      const size_t id = static_cast<size_t>(node.a);
      V amount = Gen(*node.kids[0]);
      auto sum = [&] {
        llvm::Value* shift = I64(0);
        if (node.kids.size() > 1) {
          V s = Gen(*node.kids[1]);
          shift = b_.CreateSelect(s.present, s.a, I64(0));
        }
        const int64_t n = static_cast<int64_t>(program_.brackets[id].lowers.size());
        return Int(b_.CreateCall(bracket_sum_, {amount.a, bracket_lowers_[id], bracket_rates_[id], I64(n), shift}));
      };
      if (IsTrue(amount.present)) return sum();
      llvm::BasicBlock* compute = NewBlock("brackets");
      llvm::BasicBlock* done = NewBlock("brackets.done");
      std::vector<std::pair<llvm::BasicBlock*, V>> incoming{{b_.GetInsertBlock(), Absent()}};
      b_.CreateCondBr(amount.present, compute, done);
      b_.SetInsertPoint(compute);
      V total = sum();
      incoming.push_back({b_.GetInsertBlock(), total});
      b_.CreateBr(done);
      b_.SetInsertPoint(done);
      return Join(incoming);
    }
    case Op::Add:
    case Op::Sub:
    case Op::MulRate:
    case Op::Mul:
      return GenArith(node);
    case Op::Neg: {
      V v = Gen(*node.kids[0]);
      llvm::Value* min = I64(INT64_MIN);
      llvm::Value* bad = b_.CreateOr(b_.CreateICmpEQ(v.a, min), b_.CreateICmpEQ(v.b, min));
      FailIf(b_.CreateAnd(v.present, bad), Site(node.range, "arithmetic overflow"));
      V negated{b_.CreateSub(I64(0), v.a),
                node.type.base == Base::Duration ? b_.CreateSub(I64(0), v.b) : I64(0), b_.getTrue()};
      return Select(v.present, negated, v);
    }
    case Op::Not:
      return Bool(b_.CreateICmpEQ(Gen(*node.kids[0]).a, I64(0)));
    case Op::And:
    case Op::Or: {
      const bool is_and = node.op == Op::And;
      llvm::Value* left = b_.CreateICmpNE(Gen(*node.kids[0]).a, I64(0));
      llvm::BasicBlock* from_left = b_.GetInsertBlock();
      llvm::BasicBlock* right_bb = NewBlock(is_and ? "and.rhs" : "or.rhs");
      llvm::BasicBlock* done = NewBlock(is_and ? "and.done" : "or.done");
      if (is_and) b_.CreateCondBr(left, right_bb, done);
      else b_.CreateCondBr(left, done, right_bb);
      b_.SetInsertPoint(right_bb);
      llvm::Value* right = b_.CreateICmpNE(Gen(*node.kids[1]).a, I64(0));
      llvm::BasicBlock* from_right = b_.GetInsertBlock();
      b_.CreateBr(done);
      b_.SetInsertPoint(done);
      llvm::PHINode* phi = b_.CreatePHI(i1_, 2);
      phi->addIncoming(b_.getInt1(!is_and), from_left);
      phi->addIncoming(right, from_right);
      return Bool(phi);
    }
    case Op::Eq:
    case Op::Ne: {
      V l = Gen(*node.kids[0]);
      V r = Gen(*node.kids[1]);
      llvm::Value* equal = GenEqual(*node.kids[0], l, r);
      return Bool(node.op == Op::Eq ? equal : b_.CreateNot(equal));
    }
    case Op::Lt:
    case Op::Le:
    case Op::Gt:
    case Op::Ge: {
      V l = Gen(*node.kids[0]);
      V r = Gen(*node.kids[1]);
      FailIf(b_.CreateNot(b_.CreateAnd(l.present, r.present)),
             Site(node.range, "internal error: comparison with an absent value"));
      return Bool(GenOrder(node.op, node.kids[0]->type.base, l, r));
    }
    case Op::InSet: {
      V v = Gen(*node.kids[0]);
      llvm::Value* in_range = b_.CreateICmpULT(v.a, I64(64));  // also rejects negatives
      llvm::Value* shift = b_.CreateSelect(in_range, v.a, I64(0));
      llvm::Value* bit = b_.CreateTrunc(b_.CreateLShr(I64(node.a), shift), i1_);
      return Bool(b_.CreateAnd(b_.CreateAnd(v.present, in_range), bit));
    }
    case Op::InPeriod: {
      V d = Gen(*node.kids[0]);
      V p = Gen(*node.kids[1]);
      llvm::Value* inside = b_.CreateAnd(b_.CreateICmpSLE(p.a, d.a), b_.CreateICmpSLE(d.a, p.b));
      return Bool(b_.CreateAnd(b_.CreateAnd(d.present, p.present), inside));
    }
    case Op::PeriodStart:
    case Op::PeriodEnd: {
      V p = Gen(*node.kids[0]);
      return Select(p.present, Int(node.op == Op::PeriodStart ? p.a : p.b), p);
    }
    case Op::Months:
    case Op::Days: {
      V n = Gen(*node.kids[0]);
      V span = node.op == Op::Months ? V{n.a, I64(0), b_.getTrue()} : V{I64(0), n.a, b_.getTrue()};
      return Select(n.present, span, n);
    }
    case Op::If: {
      llvm::BasicBlock* then_bb = NewBlock("then");
      llvm::BasicBlock* else_bb = NewBlock("else");
      llvm::BasicBlock* done = NewBlock("if.done");
      const Node& cond = *node.kids[0];
      if (!cond.type.optional) {
        GenBranch(cond, then_bb, else_bb, false);  // present: no failure to check
      } else {
        V c = Gen(cond);
        FailIf(b_.CreateNot(c.present), Site(node.range, "internal error: absent condition"));
        b_.CreateCondBr(b_.CreateICmpNE(c.a, I64(0)), then_bb, else_bb);
      }
      std::vector<std::pair<llvm::BasicBlock*, V>> incoming;
      for (size_t k = 1; k <= 2; ++k) {
        b_.SetInsertPoint(k == 1 ? then_bb : else_bb);
        V v = Gen(*node.kids[k]);
        incoming.push_back({b_.GetInsertBlock(), v});
        b_.CreateBr(done);
      }
      b_.SetInsertPoint(done);
      return Join(incoming);
    }
    case Op::Match:
      return GenMatch(node);
    case Op::Min:
    case Op::Max:
      return GenMinMax(node);
    case Op::Present:
      return Bool(Gen(*node.kids[0]).present);
    case Op::ValueOr: {
      V v = Gen(*node.kids[0]);
      if (IsTrue(v.present)) return v;
      if (IsFalse(v.present)) return Gen(*node.kids[1]);
      llvm::BasicBlock* fallback = NewBlock("fallback");
      llvm::BasicBlock* done = NewBlock("valueor.done");
      std::vector<std::pair<llvm::BasicBlock*, V>> incoming{{b_.GetInsertBlock(), v}};
      b_.CreateCondBr(v.present, done, fallback);
      b_.SetInsertPoint(fallback);
      V other = Gen(*node.kids[1]);
      incoming.push_back({b_.GetInsertBlock(), other});
      b_.CreateBr(done);
      b_.SetInsertPoint(done);
      return Join(incoming);
    }
  }
  throw LowerError("unknown operation");
}

}  // namespace polc::jit
