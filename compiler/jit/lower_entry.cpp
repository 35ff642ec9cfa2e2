// The entry points of abi.h and the accumulators' flat record: reading totals, finding
// buckets, and the end-of-event update that the interpreter's UpdateAccumulators performs.
#include <functional>

#include <fmt/format.h>
#include <llvm/IR/Intrinsics.h>

#include "compiler/jit/lower_internal.h"

namespace polc::jit {

using ir::Node;
using ir::Op;

// ---------------------------------------------------------------- module helpers

// ptr @polc.int_find(ptr bucket_record, i64 key): the inline bucket of `key`, or null.
llvm::Function* Lowerer::IntFindFunction() {
  if (int_find_ != nullptr) return int_find_;
  llvm::IRBuilderBase::InsertPointGuard guard(b_);
  llvm::FunctionType* type = llvm::FunctionType::get(ptr_, {ptr_, i64_}, false);
  int_find_ = llvm::Function::Create(type, llvm::Function::InternalLinkage, "polc.int_find", *module_);
  llvm::Value* base = int_find_->getArg(0);
  llvm::Value* key = int_find_->getArg(1);
  auto* entry = llvm::BasicBlock::Create(context_, "entry", int_find_);
  auto* loop = llvm::BasicBlock::Create(context_, "loop", int_find_);
  auto* body = llvm::BasicBlock::Create(context_, "body", int_find_);
  auto* next = llvm::BasicBlock::Create(context_, "next", int_find_);
  auto* found = llvm::BasicBlock::Create(context_, "found", int_find_);
  auto* missing = llvm::BasicBlock::Create(context_, "missing", int_find_);
  b_.SetInsertPoint(entry);
  llvm::Value* count = b_.CreateLoad(i64_, b_.CreateGEP(i64_, base, I64(1)));
  b_.CreateBr(loop);
  b_.SetInsertPoint(loop);
  llvm::PHINode* i = b_.CreatePHI(i64_, 2);
  i->addIncoming(I64(0), entry);
  b_.CreateCondBr(b_.CreateICmpSLT(i, count), body, missing);
  b_.SetInsertPoint(body);
  llvm::Value* at = b_.CreateAdd(I64(2), b_.CreateShl(i, 1));
  llvm::Value* k = b_.CreateLoad(i64_, b_.CreateGEP(i64_, base, at));
  b_.CreateCondBr(b_.CreateICmpEQ(k, key), found, next);
  b_.SetInsertPoint(next);
  i->addIncoming(b_.CreateAdd(i, I64(1)), next);
  b_.CreateBr(loop);
  b_.SetInsertPoint(found);
  b_.CreateRet(b_.CreateGEP(i64_, base, b_.CreateAdd(at, I64(1))));
  b_.SetInsertPoint(missing);
  b_.CreateRet(llvm::ConstantPointerNull::get(llvm::PointerType::getUnqual(context_)));
  return int_find_;
}

// i64 @polc.bsearch(ptr keys, i64 n, i64 key): the index of `key` in sorted keys, or -1.
llvm::Function* Lowerer::BinarySearchFunction() {
  if (bsearch_ != nullptr) return bsearch_;
  llvm::IRBuilderBase::InsertPointGuard guard(b_);
  llvm::FunctionType* type = llvm::FunctionType::get(i64_, {ptr_, i64_, i64_}, false);
  bsearch_ = llvm::Function::Create(type, llvm::Function::InternalLinkage, "polc.bsearch", *module_);
  llvm::Value* keys = bsearch_->getArg(0);
  llvm::Value* n = bsearch_->getArg(1);
  llvm::Value* key = bsearch_->getArg(2);
  auto* entry = llvm::BasicBlock::Create(context_, "entry", bsearch_);
  auto* loop = llvm::BasicBlock::Create(context_, "loop", bsearch_);
  auto* body = llvm::BasicBlock::Create(context_, "body", bsearch_);
  auto* done = llvm::BasicBlock::Create(context_, "done", bsearch_);
  auto* check = llvm::BasicBlock::Create(context_, "check", bsearch_);
  auto* missing = llvm::BasicBlock::Create(context_, "missing", bsearch_);
  b_.SetInsertPoint(entry);
  b_.CreateBr(loop);
  b_.SetInsertPoint(loop);
  llvm::PHINode* lo = b_.CreatePHI(i64_, 2);
  llvm::PHINode* hi = b_.CreatePHI(i64_, 2);
  lo->addIncoming(I64(0), entry);
  hi->addIncoming(n, entry);
  b_.CreateCondBr(b_.CreateICmpSLT(lo, hi), body, done);
  b_.SetInsertPoint(body);
  llvm::Value* mid = b_.CreateAdd(lo, b_.CreateLShr(b_.CreateSub(hi, lo), 1));
  llvm::Value* below = b_.CreateICmpSLT(b_.CreateLoad(i64_, b_.CreateGEP(i64_, keys, mid)), key);
  lo->addIncoming(b_.CreateSelect(below, b_.CreateAdd(mid, I64(1)), lo), body);
  hi->addIncoming(b_.CreateSelect(below, hi, mid), body);
  b_.CreateBr(loop);
  b_.SetInsertPoint(done);
  b_.CreateCondBr(b_.CreateICmpSLT(lo, n), check, missing);
  b_.SetInsertPoint(check);
  llvm::Value* hit = b_.CreateICmpEQ(b_.CreateLoad(i64_, b_.CreateGEP(i64_, keys, lo)), key);
  b_.CreateRet(b_.CreateSelect(hit, lo, I64(-1)));
  b_.SetInsertPoint(missing);
  b_.CreateRet(I64(-1));
  return bsearch_;
}

// ---------------------------------------------------------------- accumulators

// The host's bucket of an int key past the inline ones (abi.h's IntBucketFn, through the state);
// created at 0 when `create` is set, else null when the key has none.
llvm::Value* Lowerer::HostIntBucket(int32_t acc, llvm::Value* key, bool create) {
  llvm::FunctionType* type = llvm::FunctionType::get(ptr_, {ptr_, i32_, i64_, i32_}, false);
  return b_.CreateCall(type, StateField(5), {StateField(3), I32(acc), key, I32(create ? 1 : 0)});
}

// The interpreter's AccTotal: an unknown word or key reads as 0.
Lowerer::V Lowerer::AccTotal(int32_t acc, const V& key) {
  const ir::Accumulator& decl = program_.accumulators[static_cast<size_t>(acc)];
  const AccLayout& place = layout_.accs[static_cast<size_t>(acc)];
  llvm::Value* base = b_.CreateGEP(i64_, f_.acc, I64(place.offset));
  switch (decl.key_kind) {
    case ir::AccKey::None:
      return Int(b_.CreateLoad(i64_, base));
    case ir::AccKey::Enum: {
      const int64_t absent_slot = place.words - 1;
      llvm::Value* slot = b_.CreateSelect(key.present, key.a, I64(absent_slot));
      llvm::Value* inside = b_.CreateICmpULT(slot, I64(place.words));
      llvm::Value* total = b_.CreateLoad(i64_, b_.CreateGEP(i64_, base, b_.CreateSelect(inside, slot, I64(0))));
      return Int(b_.CreateSelect(inside, total, I64(0)));
    }
    case ir::AccKey::Int:
      break;
  }
  llvm::AllocaInst* result = EntryAlloca(i64_, "total");
  b_.CreateStore(b_.CreateLoad(i64_, base), result);  // an absent key: the `other` total
  llvm::BasicBlock* keyed = NewBlock("acc.keyed");
  llvm::BasicBlock* spill = NewBlock("acc.spill");
  llvm::BasicBlock* load = NewBlock("acc.load");
  llvm::BasicBlock* done = NewBlock("acc.done");
  b_.CreateCondBr(key.present, keyed, done);
  b_.SetInsertPoint(keyed);
  b_.CreateStore(I64(0), result);
  llvm::AllocaInst* bucket = EntryAlloca(ptr_, "bucket");
  llvm::Value* inline_bucket = b_.CreateCall(IntFindFunction(), {base, key.a});
  b_.CreateStore(inline_bucket, bucket);
  llvm::Value* full = b_.CreateICmpSGE(b_.CreateLoad(i64_, b_.CreateGEP(i64_, base, I64(1))), I64(kInlineIntBuckets));
  b_.CreateCondBr(b_.CreateAnd(b_.CreateIsNull(inline_bucket), full), spill, load);
  b_.SetInsertPoint(spill);
  b_.CreateStore(HostIntBucket(acc, key.a, false), bucket);
  b_.CreateBr(load);
  b_.SetInsertPoint(load);
  llvm::Value* p = b_.CreateLoad(ptr_, bucket);
  llvm::BasicBlock* read = NewBlock("acc.read");
  b_.CreateCondBr(b_.CreateIsNull(p), done, read);
  b_.SetInsertPoint(read);
  b_.CreateStore(b_.CreateLoad(i64_, p), result);
  b_.CreateBr(done);
  b_.SetInsertPoint(done);
  return Int(b_.CreateLoad(i64_, result));
}

// The interpreter's AccBucket: a new int key takes the next inline bucket, then the host's.
llvm::Value* Lowerer::AccBucketForUpdate(int32_t acc, const V& key) {
  const ir::Accumulator& decl = program_.accumulators[static_cast<size_t>(acc)];
  const AccLayout& place = layout_.accs[static_cast<size_t>(acc)];
  llvm::Value* base = b_.CreateGEP(i64_, f_.acc, I64(place.offset));
  if (decl.key_kind == ir::AccKey::None) return base;
  if (decl.key_kind == ir::AccKey::Enum) {
    llvm::Value* slot = b_.CreateSelect(key.present, key.a, I64(place.words - 1));
    FailIf(b_.CreateICmpUGE(slot, I64(place.words)),
           Site(decl.range, "internal error: accumulator key outside its enumeration"));
    return b_.CreateGEP(i64_, base, slot);
  }
  llvm::AllocaInst* bucket = EntryAlloca(ptr_, "bucket");
  b_.CreateStore(base, bucket);
  llvm::BasicBlock* keyed = NewBlock("bucket.keyed");
  llvm::BasicBlock* create = NewBlock("bucket.create");
  llvm::BasicBlock* append = NewBlock("bucket.append");
  llvm::BasicBlock* spill = NewBlock("bucket.spill");
  llvm::BasicBlock* done = NewBlock("bucket.done");
  b_.CreateCondBr(key.present, keyed, done);
  b_.SetInsertPoint(keyed);
  llvm::Value* found = b_.CreateCall(IntFindFunction(), {base, key.a});
  b_.CreateStore(found, bucket);
  b_.CreateCondBr(b_.CreateIsNull(found), create, done);
  b_.SetInsertPoint(create);
  llvm::Value* count_ptr = b_.CreateGEP(i64_, base, I64(1));
  llvm::Value* count = b_.CreateLoad(i64_, count_ptr);
  b_.CreateCondBr(b_.CreateICmpSLT(count, I64(kInlineIntBuckets)), append, spill);
  b_.SetInsertPoint(append);
  llvm::Value* at = b_.CreateAdd(I64(2), b_.CreateShl(count, 1));
  b_.CreateStore(key.a, b_.CreateGEP(i64_, base, at));
  llvm::Value* total_ptr = b_.CreateGEP(i64_, base, b_.CreateAdd(at, I64(1)));
  b_.CreateStore(I64(0), total_ptr);
  b_.CreateStore(b_.CreateAdd(count, I64(1)), count_ptr);
  b_.CreateStore(total_ptr, bucket);
  b_.CreateBr(done);
  b_.SetInsertPoint(spill);
  b_.CreateStore(HostIntBucket(acc, key.a, true), bucket);
  b_.CreateBr(done);
  b_.SetInsertPoint(done);
  return b_.CreateLoad(ptr_, bucket);
}

// Everything an update needs is computed before any total changes, so every read in an
// event sees the totals before it (the interpreter's pending list).
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
    llvm::Value* bucket = AccBucketForUpdate(static_cast<int32_t>(i), Load(p.key));
    llvm::Value* total = CheckedOp(llvm::Intrinsic::sadd_with_overflow, b_.CreateLoad(i64_, bucket),
                                   Load(p.amount).a, Site(decl.range, "arithmetic overflow"));
    b_.CreateStore(total, bucket);
    V cap = Load(p.cap);
    FailIf(b_.CreateAnd(cap.present, b_.CreateICmpSGT(total, cap.a)),
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
