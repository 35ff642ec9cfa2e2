// The entry points of abi.h and the accumulators: totals, buckets and the end-of-event update
// through runtime/protocol.h, the functions the interpreter's UpdateAccumulators calls.
#include <functional>

#include <fmt/format.h>
#include <llvm/IR/Intrinsics.h>

#include "compiler/jit/lower_internal.h"
#include "runtime/acc_spill.h"

namespace polc::jit {

using ir::Node;
using ir::Op;

// ---------------------------------------------------------------- accumulators

// (record of `acc`, kind, words, key present, key, host, spill callback, acc): the arguments
// of polc_acc_total and polc_acc_bucket.
std::vector<llvm::Value*> Lowerer::AccArgs(int32_t acc, const V& key) {
  const AccLayout& place = layout_.accs[static_cast<size_t>(acc)];
  llvm::Value* base = b_.CreateGEP(i64_, f_.acc, I64(place.offset));
  return {base, I32(place.kind), I64(place.words), b_.CreateZExt(key.present, i64_), key.a,
          StateField(3), StateField(5), I32(acc)};
}

// polc_acc_total: an unknown word or key reads as 0.
Lowerer::V Lowerer::AccTotal(int32_t acc, const V& key) {
  return Int(b_.CreateCall(acc_total_, AccArgs(acc, key)));
}

// runtime/protocol.h's event order: everything an update needs is computed before any total
// changes, so every read in an event sees the totals before it (the interpreter's pending
// list); then polc_acc_bucket and polc_acc_apply in declaration order.
void Lowerer::EmitAccumulatorUpdates() {
  struct Pending {
    llvm::AllocaInst *holds, *key, *amount, *cap;
  };
  std::vector<Pending> pending;
  for (size_t i = 0; i < program_.accumulators.size(); ++i) {
    const ir::Accumulator& decl = program_.accumulators[i];
    Pending p{EntryAlloca(i1_, "holds"), EntryAlloca(value_ty_, "key"), EntryAlloca(value_ty_, "amount"),
              EntryAlloca(value_ty_, "cap")};
    b_.CreateStore(b_.getFalse(), p.holds);
    f_.locals.clear();
    llvm::BasicBlock* then_bb = NewBlock("acc.holds");
    llvm::BasicBlock* next = NewBlock("acc.next");
    if (decl.condition) GenBranch(*decl.condition, then_bb, next, true);
    else b_.CreateBr(then_bb);
    b_.SetInsertPoint(then_bb);
    Store(p.key, key_memo_[i].Exists() ? CallMemo(key_memo_[i]) : Absent());
    V amount = Int(I64(1));
    if (!decl.is_count) {
      if (!decl.value) throw LowerError(fmt::format("accumulator {} has no value", decl.name));
      f_.locals.clear();
      amount = Gen(*decl.value);
      FailIf(b_.CreateNot(amount.present),
             Site(decl.value->range, fmt::format("internal error: accumulator {} adds an absent value", decl.name)));
    }
    Store(p.amount, amount);
    Store(p.cap, decl.cap ? CallMemo(cap_memo_[i]) : Absent());
    b_.CreateStore(b_.getTrue(), p.holds);
    b_.CreateBr(next);
    b_.SetInsertPoint(next);
    pending.push_back(p);
  }
  for (size_t i = 0; i < pending.size(); ++i) {
    const ir::Accumulator& decl = program_.accumulators[i];
    const Pending& p = pending[i];
    llvm::BasicBlock* apply = NewBlock("acc.apply");
    llvm::BasicBlock* next = NewBlock("acc.applied");
    b_.CreateCondBr(b_.CreateLoad(i1_, p.holds), apply, next);
    b_.SetInsertPoint(apply);
    llvm::Value* bucket = b_.CreateCall(acc_bucket_, AccArgs(static_cast<int32_t>(i), Load(p.key)));
    if (layout_.accs[i].kind == POLC_ACC_ENUM) {  // the others always have a bucket
      FailIf(b_.CreateIsNull(bucket), Site(decl.range, rt::kKeyOutsideEnumMessage));
    }
    V cap = Load(p.cap);
    llvm::Value* applied =
        b_.CreateCall(acc_apply_, {bucket, Load(p.amount).a, b_.CreateZExt(cap.present, i64_), cap.a});
    FailIf(b_.CreateICmpEQ(applied, I32(POLC_APPLY_OVERFLOW)), Site(decl.range, rt::kOverflowMessage));
    FailIf(b_.CreateICmpEQ(applied, I32(POLC_APPLY_OVER_CAP)),
           Site(decl.range, "accumulator over its cap", static_cast<int32_t>(i)));
    b_.CreateBr(next);
    b_.SetInsertPoint(next);
  }
}

// ---------------------------------------------------------------- entry points

// The state, the rows, the accumulators and the event memo are distinct blocks of memory
// (abi.md): a store to an output row or a memo does not make the code reload an input field.
void Lowerer::MarkNoAlias(llvm::Function* fn) {
  for (llvm::Argument& arg : fn->args()) {
    if (arg.getType()->isPointerTy()) arg.addAttr(llvm::Attribute::NoAlias);
  }
}

// Starts the exported function `name` of abi.h: a fresh Fn whose state is the first argument,
// with the builder at the end of its entry block.
void Lowerer::StartEntry(llvm::FunctionType* type, const char* name, Scope scope) {
  f_ = Fn{};
  f_.fn = llvm::Function::Create(type, llvm::Function::ExternalLinkage, name, *module_);
  MarkNoAlias(f_.fn);
  f_.scope = scope;
  f_.state = f_.fn->getArg(0);
  b_.SetInsertPoint(llvm::BasicBlock::Create(context_, "entry", f_.fn));
  f_.inline_scope = scope;
  ResetMemos(scope);
}

void Lowerer::EmitOutput(int32_t slot, llvm::Value* out) {
  const int32_t id = program_.output_of[slot];
  if (id < 0) return;
  const ir::Output& output = program_.outputs[static_cast<size_t>(id)];
  for (size_t c = 0; c < output.columns.size(); ++c) {
    f_.locals.clear();
    V v = Gen(*output.columns[c].value);
    Store(ValueAt(out, I64(static_cast<int64_t>(c))), v);
  }
}

// Parameters in dependency order (depth first from each in declaration order, the order the
// interpreter computes them), so each reads only finished ones.
void Lowerer::EmitInit() {
  StartEntry(llvm::FunctionType::get(i32_, {ptr_}, false), kInitName, Scope::Init);
  std::vector<uint8_t> state(program_.params.size(), 0);
  std::function<void(size_t)> emit = [&](size_t p) {
    if (state[p] == 2) return;
    if (state[p] == 1) throw LowerError(fmt::format("parameter {} depends on itself", program_.params[p].name));
    if (!program_.params[p].value) throw LowerError(fmt::format("parameter {} has no value", program_.params[p].name));
    state[p] = 1;
    Walk(program_.params[p].value.get(), [&](const Node& n) {
      if (n.op == Op::Param) emit(static_cast<size_t>(n.a));
    });
    f_.locals.clear();
    Store(ValueAt(StateField(0), I64(static_cast<int64_t>(p))), Gen(*program_.params[p].value));
    state[p] = 2;
  };
  for (size_t p = 0; p < program_.params.size(); ++p) emit(p);
  b_.CreateRet(I32(0));
}

void Lowerer::EmitBeginSubject() {
  StartEntry(llvm::FunctionType::get(b_.getVoidTy(), {ptr_, ptr_}, false), kBeginSubjectName, Scope::Subject);
  if (layout_.subject_memo_slots > 0) {
    b_.CreateMemSet(StateField(2), b_.getInt8(0), static_cast<uint64_t>(layout_.subject_memo_slots), llvm::MaybeAlign(1));
  }
  if (layout_.acc_words > 0) {
    b_.CreateMemSet(f_.fn->getArg(1), b_.getInt8(0), static_cast<uint64_t>(layout_.acc_words) * 8, llvm::MaybeAlign(8));
  }
  b_.CreateRetVoid();
}

void Lowerer::EmitSubjectEntry() {
  StartEntry(llvm::FunctionType::get(i32_, {ptr_, ptr_, ptr_}, false), kSubjectName, Scope::Subject);
  f_.subject = f_.fn->getArg(1);
  EmitOutput(0, f_.fn->getArg(2));
  b_.CreateRet(I32(0));
}

// Outputs first, then the accumulator updates, as the interpreter settles an event.
void Lowerer::EmitEventEntry() {
  StartEntry(llvm::FunctionType::get(i32_, {ptr_, ptr_, ptr_, ptr_, ptr_}, false), kEventName, Scope::Event);
  f_.subject = f_.fn->getArg(1);
  f_.event = f_.fn->getArg(2);
  f_.acc = f_.fn->getArg(3);
  // Inlined, each event memo has stack slots of its own (MemoValueRef); else one frame is
  // passed to the memo functions.
  if (!inline_memos_) f_.emem = b_.CreateAlloca(emem_ty_, nullptr, "event_memo");
  if (f_.emem != nullptr && layout_.event_memo_slots > 0) {
    llvm::Value* known = b_.CreateInBoundsGEP(emem_ty_, f_.emem, {I32(0), I32(1), I32(0)});
    b_.CreateMemSet(known, b_.getInt8(0), static_cast<uint64_t>(layout_.event_memo_slots), llvm::MaybeAlign(1));
  }
  llvm::Value* output_done = b_.CreateStructGEP(state_ty_, f_.state, 8);
  b_.CreateStore(I64(0), output_done);
  EmitOutput(1, f_.fn->getArg(4));
  b_.CreateStore(I64(1), output_done);
  EmitAccumulatorUpdates();
  b_.CreateRet(I32(0));
}

// The `at year_end` output row, with the accumulators' year totals (a no-op without one).
void Lowerer::EmitYearEndEntry() {
  StartEntry(llvm::FunctionType::get(i32_, {ptr_, ptr_, ptr_, ptr_}, false), kYearEndName, Scope::YearEnd);
  f_.subject = f_.fn->getArg(1);
  f_.acc = f_.fn->getArg(2);
  EmitOutput(2, f_.fn->getArg(3));
  b_.CreateRet(I32(0));
}

// A subject's events in one call, so the optimizer can keep the event loop in native code.
void Lowerer::EmitEventsEntry() {
  llvm::Function* event_fn = module_->getFunction(kEventName);
  StartEntry(llvm::FunctionType::get(i32_, {ptr_, ptr_, ptr_, i64_, ptr_, ptr_}, false), kEventsName,
             Scope::Subject);
  llvm::BasicBlock* entry = b_.GetInsertBlock();
  llvm::Value* subject = f_.fn->getArg(1);
  llvm::Value* events = f_.fn->getArg(2);
  llvm::Value* n = f_.fn->getArg(3);
  llvm::Value* acc = f_.fn->getArg(4);
  llvm::Value* out = f_.fn->getArg(5);
  auto* loop = llvm::BasicBlock::Create(context_, "loop", f_.fn);
  auto* body = llvm::BasicBlock::Create(context_, "body", f_.fn);
  auto* next = llvm::BasicBlock::Create(context_, "next", f_.fn);
  auto* fail = llvm::BasicBlock::Create(context_, "fail", f_.fn);
  auto* done = llvm::BasicBlock::Create(context_, "done", f_.fn);
  b_.CreateBr(loop);
  b_.SetInsertPoint(loop);
  llvm::PHINode* i = b_.CreatePHI(i64_, 2);
  i->addIncoming(I64(0), entry);
  b_.CreateCondBr(b_.CreateICmpSLT(i, n), body, done);
  b_.SetInsertPoint(body);
  llvm::Value* row = ValueAt(events, b_.CreateMul(i, I64(layout_.event_fields)));
  llvm::Value* out_row = ValueAt(out, b_.CreateMul(i, I64(layout_.event_columns)));
  llvm::Value* status = b_.CreateCall(event_fn, {f_.state, subject, row, acc, out_row});
  b_.CreateCondBr(b_.CreateICmpNE(status, I32(0)), fail, next);
  b_.SetInsertPoint(next);
  i->addIncoming(b_.CreateAdd(i, I64(1)), next);
  b_.CreateBr(loop);
  b_.SetInsertPoint(fail);
  b_.CreateStore(i, b_.CreateStructGEP(state_ty_, f_.state, 7));
  b_.CreateRet(status);
  b_.SetInsertPoint(done);
  b_.CreateRet(I32(0));
}

}  // namespace polc::jit
