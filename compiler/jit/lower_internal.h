// The lowering's working state, shared by lower.cpp (declarations, rules, accumulators,
// entry points) and lower_expr.cpp (expressions). Not part of the jit interface.
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>

#include "compiler/jit/abi.h"
#include "compiler/jit/lower.h"

namespace polc::jit {

// IR the JIT refuses (a checker bug); Lower() turns it into an error string.
class LowerError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Inlining definitions would emit more than the budget: Lower() starts again with calls.
struct OverInlineBudget {};

// Visits `node` and everything below it, for dependency scans.
template <typename F>
void Walk(const ir::Node* node, const F& visit) {
  if (node == nullptr) return;
  visit(*node);
  for (const ir::NodePtr& kid : node->kids) Walk(kid.get(), visit);
}

class Lowerer {
 public:
  Lowerer(const ir::Program& program, llvm::LLVMContext& context, const LowerOptions& options);
  void Run(Lowered& out);

 private:
  // A value in registers: i64 a, i64 b, i1 present.
  struct V {
    llvm::Value* a;
    llvm::Value* b;
    llvm::Value* present;
  };
  // What the function being emitted can see: subject-stage code has no event.
  enum class Scope { Init, Subject, Event, YearEnd };
  // A memoized computation: a rule, or an accumulator's key or cap for the current event.
  struct Memo {
    enum class Kind { None, Rule, Key, Cap };
    Kind kind = Kind::None;  // None: the accumulator has no key or cap
    int32_t index = 0;       // the rule or the accumulator
    int32_t id = 0;          // index in memos_ and Fn::memos
    Scope scope = Scope::Subject;  // the stage the definition is evaluated in
    bool event = false;      // lives in the event memo (else the subject memo in the state)
    int32_t slot = 0;
    std::string name;
    llvm::Function* fn = nullptr;  // the out-of-line function, declared on its first call
    bool Exists() const { return kind != Kind::None; }
  };
  // Where a memo stands in the function being emitted.
  struct MemoHere {
    bool touched = false;  // computed on some path so far (or unknown: in memory from a caller)
    // Values computed so far and the block each was computed in: reused where that block
    // dominates, without a known-flag test.
    std::vector<std::pair<llvm::BasicBlock*, V>> defs;
    llvm::AllocaInst *value_slot = nullptr, *known_slot = nullptr;  // an inlined event memo
  };
  // Every generated helper takes (state, subject, event, acc, event memo) and returns a status.
  struct Fn {
    llvm::Function* fn = nullptr;
    Scope scope = Scope::Subject;
    llvm::Value *state = nullptr, *subject = nullptr, *event = nullptr, *acc = nullptr,
                *emem = nullptr;
    std::unordered_map<int64_t, V> locals;
    // The one block that returns a failure status (a phi of it): a block per check made
    // SimplifyCFG merge N returns one by one and JumpThreading walk the chain, quadratic
    // in the number of checks (a sum of 4,000 terms took 9 s).
    llvm::BasicBlock* fail = nullptr;
    llvm::PHINode* fail_status = nullptr;
    // Definitions of this stage are emitted inline, once, at their first use (Init: none).
    Scope inline_scope = Scope::Init;
    std::vector<MemoHere> memos;  // by Memo::id
    // Immediate dominators of the blocks asked about (Dominates), with their depth.
    std::unordered_map<llvm::BasicBlock*, std::pair<llvm::BasicBlock*, int32_t>> idom;
  };

  // lower.cpp
  void DeclareTypes();
  void AssignSlots();
  void AnalyzeCalls();  // lower_graph.cpp
  void ResetMemos(Scope fresh);
  void EmitMemoFunction(const Memo& memo);
  llvm::Function* MemoFunction(Memo& memo);
  V EmitDefinition(const Memo& memo);
  void EmitInit();
  void EmitBeginSubject();
  void EmitSubjectEntry();
  void EmitEventEntry();
  void EmitEventsEntry();
  void EmitYearEndEntry();
  void EmitAccumulatorUpdates();
  void EmitOutput(int32_t slot, llvm::Value* out);  // slot: ir::Program::output_of index
  void StartEntry(llvm::FunctionType* type, const char* name, Scope scope);
  static void MarkNoAlias(llvm::Function* fn);
  // The protocol's (runtime/protocol.h) arguments for accumulator `acc` and `key`.
  std::vector<llvm::Value*> AccArgs(int32_t acc, const V& key);
  V AccTotal(int32_t acc, const V& key);

  // lower_expr.cpp
  V Gen(const ir::Node& node);
  V GenOp(const ir::Node& node);
  void GenBranch(const ir::Node& node, llvm::BasicBlock* yes, llvm::BasicBlock* no, bool need_present);
  V Join(const std::vector<std::pair<llvm::BasicBlock*, V>>& incoming);
  V GenArith(const ir::Node& node);
  V GenTableGet(const ir::Node& node);
  V GenAccess(const ir::Node& node);
  V GenMinMax(const ir::Node& node);
  V GenMatch(const ir::Node& node);
  llvm::Value* GenEqual(const ir::Node& left, const V& l, const V& r);
  // `l op r` for an ordering op (Lt, Le, Gt, Ge) on values of `base`: a duration by its months,
  // then its days, as the interpreter does.
  llvm::Value* GenOrder(ir::Op op, ir::Base base, const V& l, const V& r);
  V GenMulRate(llvm::Value* fen, llvm::Value* bp);
  V CallMemo(Memo& memo);
  void MemoValueRef(const Memo& memo, llvm::Value*& value_ptr, llvm::Value*& known_ptr);
  void StoreMemo(const Memo& memo, const V& v);
  bool Dominates(llvm::BasicBlock* a, llvm::BasicBlock* b);
  std::pair<llvm::BasicBlock*, int32_t> IdomOf(llvm::BasicBlock* block);

  // Helpers (lower_expr.cpp).
  V Const(const ir::Value& value);
  V Absent();
  V Int(llvm::Value* a);
  V Bool(llvm::Value* bit);
  V Load(llvm::Value* ptr);
  void Store(llvm::Value* ptr, const V& v);
  V Select(llvm::Value* cond, const V& t, const V& f);
  llvm::Value* Truth(const V& v);  // present && a != 0
  static bool IsTrue(llvm::Value* v);   // a constant true: no branch needed
  static bool IsFalse(llvm::Value* v);
  llvm::Value* ValueAt(llvm::Value* base, llvm::Value* index);
  llvm::Value* I64(int64_t v);
  llvm::Value* I32(int32_t v);
  llvm::AllocaInst* EntryAlloca(llvm::Type* type, const char* name);
  int32_t Site(const SourceRange& range, const std::string& what, int32_t cap_acc = -1);
  void FailIf(llvm::Value* cond, int32_t status);
  void FailIfNonzero(llvm::Value* status);
  llvm::Value* StateField(unsigned index);
  llvm::BasicBlock* NewBlock(const char* name);
  // Branches to the function's failure block with `status` when `cond` holds.
  void BranchToFail(llvm::Value* cond, llvm::Value* status);
  void Require(Scope scope, const ir::Node& node, const char* what);
  llvm::Value* CheckedOp(llvm::Intrinsic::ID id, llvm::Value* l, llvm::Value* r,
                         int32_t overflow_status);

  const ir::Program& program_;
  llvm::LLVMContext& context_;
  LowerOptions options_;
  std::unique_ptr<llvm::Module> module_;
  llvm::IRBuilder<> b_;
  Layout layout_;
  Fn f_;  // the function being emitted

  llvm::Type *i1_, *i8_, *i32_, *i64_, *ptr_;
  llvm::StructType* value_ty_;  // {i64, i64, i8}
  llvm::StructType* state_ty_;  // JitState
  llvm::StructType* emem_ty_;   // {[n x value], [n x i8]}
  llvm::FunctionType* helper_ty_;
  std::vector<Memo> rule_memo_, key_memo_, cap_memo_;
  std::vector<Memo*> memos_;  // all of them, by Memo::id
  std::vector<Memo*> pending_functions_;  // declared, body not emitted yet
  // The parameters' values when the interpreter could compute them at lowering time: they
  // become constants the optimizer folds into every rule.
  std::vector<ir::Value> param_values_;
  // Definitions are emitted inline in the entry points of their stage (the event memo then
  // lives in registers) unless that emits more than a budget of IR nodes: see Lower().
  bool inline_memos_ = false;
  int64_t nodes_ = 0;  // IR nodes emitted so far
  std::vector<llvm::GlobalVariable*> table_keys_;                  // int-keyed tables
  std::map<std::pair<int64_t, int64_t>, llvm::GlobalVariable*> table_cols_;  // (table, column)
  std::vector<llvm::GlobalVariable*> bracket_lowers_, bracket_rates_;
  llvm::FunctionCallee bracket_sum_, add_duration_;
  // runtime/protocol.h: linked in and inlined when optimizing (protocol_link.h), else called.
  llvm::FunctionCallee acc_total_, acc_bucket_, acc_apply_, acc_room_, table_find_, word_inside_,
      mul_rate_protocol_;
};

}  // namespace polc::jit
