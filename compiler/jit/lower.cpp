// Lowering's skeleton: types, module constants, one function per memoized definition (rules,
// accumulator keys and caps), the accumulators' flat record, and the entry points of abi.h.
#include "compiler/jit/lower.h"


#include <fmt/format.h>
#include <llvm/IR/Constants.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Support/raw_ostream.h>

#include "compiler/jit/lower_internal.h"
#include "runtime/acc_spill.h"

namespace polc::jit {

using ir::Node;
using ir::Op;

Lowerer::Lowerer(const ir::Program& program, llvm::LLVMContext& context,
                 const LowerOptions& options)
    : program_(program),
      context_(context),
      options_(options),
      module_(std::make_unique<llvm::Module>("policy", context)),
      b_(context) {}

void Lowerer::DeclareTypes() {
  i1_ = b_.getInt1Ty();
  i8_ = b_.getInt8Ty();
  i32_ = b_.getInt32Ty();
  i64_ = b_.getInt64Ty();
  ptr_ = llvm::PointerType::getUnqual(context_);
  value_ty_ = llvm::StructType::create(context_, {i64_, i64_, i8_}, "polc.value");
  state_ty_ = llvm::StructType::create(context_, {ptr_, ptr_, ptr_, ptr_, ptr_, ptr_, i64_, i64_, i64_},
                                       "polc.state");
  helper_ty_ = llvm::FunctionType::get(i32_, {ptr_, ptr_, ptr_, ptr_, ptr_}, false);

  // The shared runtime (runtime/abi.h): pure functions, which lets LLVM hoist and merge calls.
  {
    // Reads its arrays only.
    llvm::Function* fn = llvm::Function::Create(llvm::FunctionType::get(i64_, {i64_, ptr_, ptr_, i64_, i64_}, false),
                                                llvm::Function::ExternalLinkage, "polc_rt_bracket_sum", *module_);
    fn->setDoesNotThrow();
    fn->setWillReturn();
    fn->setOnlyReadsMemory();
    fn->setOnlyAccessesArgMemory();
    bracket_sum_ = llvm::FunctionCallee(fn);
  }
  {
    // Writes its result through the pointer: only argument memory.
    llvm::Function* fn = llvm::Function::Create(llvm::FunctionType::get(i32_, {i64_, i64_, i64_, ptr_}, false),
                                                llvm::Function::ExternalLinkage, "polc_rt_add_duration", *module_);
    fn->setDoesNotThrow();
    fn->setWillReturn();
    fn->setOnlyAccessesArgMemory();
    add_duration_ = llvm::FunctionCallee(fn);
  }
  // runtime/protocol.h: declared here; optimizing, their bodies are linked in by LinkProtocol
  // (engine.cpp), else the calls reach the native copies (rt::AbiSymbols).
  auto protocol = [&](const char* name, llvm::Type* result, std::vector<llvm::Type*> args) {
    return module_->getOrInsertFunction(name, llvm::FunctionType::get(result, args, false));
  };
  acc_total_ = protocol("polc_acc_total", i64_, {ptr_, i32_, i64_, i64_, i64_, ptr_, ptr_, i32_});
  acc_bucket_ = protocol("polc_acc_bucket", ptr_, {ptr_, i32_, i64_, i64_, i64_, ptr_, ptr_, i32_});
  acc_apply_ = protocol("polc_acc_apply", i32_, {ptr_, i64_, i64_, i64_});
  acc_room_ = protocol("polc_acc_room", i64_, {i64_, i64_});
  table_find_ = protocol("polc_table_find", i64_, {ptr_, i64_, i64_});
  word_inside_ = protocol("polc_table_word_inside", i32_, {i64_, i64_});
  mul_rate_protocol_ = protocol("polc_mul_rate", i64_, {i64_, i64_});

  // Tables and brackets become constant arrays.
  auto constant_array = [&](llvm::Type* elem, std::vector<llvm::Constant*> items, const std::string& name) {
    llvm::ArrayType* type = llvm::ArrayType::get(elem, items.size());
    return new llvm::GlobalVariable(*module_, type, true, llvm::GlobalValue::PrivateLinkage,
                                    llvm::ConstantArray::get(type, items), name);
  };
  auto value_const = [&](const ir::Value& v) {
    return llvm::ConstantStruct::get(value_ty_, {b_.getInt64(static_cast<uint64_t>(v.a)),
                                                 b_.getInt64(static_cast<uint64_t>(v.b)),
                                                 b_.getInt8(v.present ? 1 : 0)});
  };
  auto int_array = [&](const std::vector<int64_t>& xs, const std::string& name) {
    std::vector<llvm::Constant*> items;
    for (int64_t x : xs) items.push_back(b_.getInt64(static_cast<uint64_t>(x)));
    return constant_array(i64_, items, name);
  };
  table_keys_.assign(program_.tables.size(), nullptr);
  for (size_t t = 0; t < program_.tables.size(); ++t) {
    const ir::Table& table = program_.tables[t];
    std::vector<int64_t> keys;
    for (const ir::TableRow& row : table.rows) keys.push_back(row.key);
    if (table.key_type.base != ir::Base::Enum) table_keys_[t] = int_array(keys, "table." + table.name + ".keys");
    for (size_t c = 0; c < table.columns.size(); ++c) {
      std::vector<llvm::Constant*> items;
      for (const ir::TableRow& row : table.rows) {
        items.push_back(value_const(c < row.values.size() ? row.values[c] : ir::Value::Absent()));
      }
      table_cols_[{static_cast<int64_t>(t), static_cast<int64_t>(c)}] =
          constant_array(value_ty_, items, "table." + table.name + "." + table.columns[c].name);
    }
  }
  for (const ir::Brackets& brackets : program_.brackets) {
    bracket_lowers_.push_back(int_array(brackets.lowers, "brackets." + brackets.name + ".lowers"));
    bracket_rates_.push_back(int_array(brackets.rates, "brackets." + brackets.name + ".rates"));
  }
}

// Memo slots and the accumulator record; declares every memo function so bodies can call
// each other in any order.
void Lowerer::AssignSlots() {
  layout_.param_count = static_cast<int32_t>(program_.params.size());
  layout_.subject_fields = static_cast<int32_t>(program_.records[0].fields.size());
  layout_.event_fields = static_cast<int32_t>(program_.records[1].fields.size());
  for (int r = 0; r < 2; ++r) {
    const int32_t out = program_.output_of[r];
    const int32_t columns = out >= 0 ? static_cast<int32_t>(program_.outputs[static_cast<size_t>(out)].columns.size()) : 0;
    (r == 0 ? layout_.subject_columns : layout_.event_columns) = columns;
  }
  if (program_.output_of[2] >= 0) {
    layout_.year_end_columns = static_cast<int32_t>(program_.outputs[static_cast<size_t>(program_.output_of[2])].columns.size());
  }
  for (size_t r = 0; r < program_.rules.size(); ++r) {
    const ir::Rule& rule = program_.rules[r];
    Memo memo;
    memo.kind = Memo::Kind::Rule;
    memo.index = static_cast<int32_t>(r);
    memo.event = rule.stage == ir::Stage::Event;
    memo.scope = memo.event                          ? Scope::Event
                 : rule.stage == ir::Stage::YearEnd ? Scope::YearEnd
                                                    : Scope::Subject;
    memo.slot = memo.event ? layout_.event_memo_slots++ : layout_.subject_memo_slots++;
    memo.name = "rule." + rule.name;
    rule_memo_.push_back(memo);
  }
  key_memo_.resize(program_.accumulators.size());
  cap_memo_.resize(program_.accumulators.size());
  for (size_t i = 0; i < program_.accumulators.size(); ++i) {
    const ir::Accumulator& acc = program_.accumulators[i];
    auto event_memo = [&](Memo::Kind kind, const char* prefix) {
      Memo memo;
      memo.kind = kind;
      memo.index = static_cast<int32_t>(i);
      memo.scope = Scope::Event;
      memo.event = true;
      memo.slot = layout_.event_memo_slots++;
      memo.name = prefix + acc.name;
      return memo;
    };
    if (acc.key_kind != ir::AccKey::None && acc.key) key_memo_[i] = event_memo(Memo::Kind::Key, "key.");
    if (acc.cap) cap_memo_[i] = event_memo(Memo::Kind::Cap, "cap.");
  }
  int32_t bad_enum = -1;
  settle::AccRecordLayout record = settle::LayOutAccumulators(program_, &bad_enum);
  if (bad_enum >= 0) {
    throw LowerError(fmt::format("accumulator {} has no key enumeration",
                                 program_.accumulators[static_cast<size_t>(bad_enum)].name));
  }
  layout_.acc_words = record.words;
  layout_.accs = std::move(record.accs);
  for (std::vector<Memo>* memos : {&rule_memo_, &key_memo_, &cap_memo_}) {
    for (Memo& memo : *memos) {
      if (!memo.Exists()) continue;
      memo.id = static_cast<int32_t>(memos_.size());
      memos_.push_back(&memo);
    }
  }
  const uint64_t n = static_cast<uint64_t>(layout_.event_memo_slots);
  emem_ty_ = llvm::StructType::create(
      context_, {llvm::ArrayType::get(value_ty_, n), llvm::ArrayType::get(i8_, n)}, "polc.event_memo");
}

// ---------------------------------------------------------------- memo functions

// What the function being started knows of the memos: those of stage `fresh` start
// uncomputed (polc_subject runs first for a subject, polc_event has its own event memo,
// polc_year_end runs once); any other may have been computed by an earlier entry point.
// Treating a memo as uncomputed is always correct (definitions are pure, so computing one
// again gives the same value and the same failure), only slower where it is not so.
void Lowerer::ResetMemos(Scope fresh) {
  f_.memos.assign(memos_.size(), MemoHere{});
  for (const Memo* memo : memos_) f_.memos[static_cast<size_t>(memo->id)].touched = memo->scope != fresh;
}

// The out-of-line function of `memo` (for calls from other stages, or every call when
// definitions are not inlined), declared now and emitted after the entry points.
llvm::Function* Lowerer::MemoFunction(Memo& memo) {
  if (memo.fn == nullptr) {
    memo.fn = llvm::Function::Create(helper_ty_, llvm::Function::InternalLinkage, memo.name, *module_);
    MarkNoAlias(memo.fn);
    if (inline_memos_) {
      // Reached only from other stages' entry points, once per subject: keep them out of
      // line (the inliner would copy them back) and their calls off the hot path.
      memo.fn->addFnAttr(llvm::Attribute::NoInline);
      memo.fn->addFnAttr(llvm::Attribute::Cold);
    }
    pending_functions_.push_back(&memo);
  }
  return memo.fn;
}

// The value of a definition, evaluated here: a rule's default, overridden by the first
// exception whose condition holds; an accumulator's key or cap expression. The definition
// sees no local of the code that reads it.
Lowerer::V Lowerer::EmitDefinition(const Memo& memo) {
  std::unordered_map<int64_t, V> outer_locals = std::move(f_.locals);
  f_.locals.clear();
  const Scope outer_scope = f_.scope;
  f_.scope = memo.scope;
  V v;
  switch (memo.kind) {
    case Memo::Kind::Rule: {
      const ir::Rule& rule = program_.rules[static_cast<size_t>(memo.index)];
      if (rule.exceptions.empty()) {
        v = Gen(*rule.value);
        break;
      }
      llvm::BasicBlock* done = NewBlock("rule.done");
      std::vector<std::pair<llvm::BasicBlock*, V>> incoming;
      auto arrive = [&](const ir::Node& value) {
        V here = Gen(value);
        incoming.push_back({b_.GetInsertBlock(), here});
        b_.CreateBr(done);
      };
      for (const ir::Exception& e : rule.exceptions) {
        llvm::BasicBlock* then_bb = NewBlock("exception");
        llvm::BasicBlock* next = NewBlock("next");
        GenBranch(*e.condition, then_bb, next, true);
        b_.SetInsertPoint(then_bb);
        arrive(*e.value);
        b_.SetInsertPoint(next);
      }
      arrive(*rule.value);
      b_.SetInsertPoint(done);
      v = Join(incoming);
      if (!rule.type.optional) v.present = b_.getTrue();
      break;
    }
    case Memo::Kind::Key:
      v = Gen(*program_.accumulators[static_cast<size_t>(memo.index)].key);
      break;
    case Memo::Kind::Cap:
      v = Gen(*program_.accumulators[static_cast<size_t>(memo.index)].cap);
      break;
    case Memo::Kind::None:
      throw LowerError("a memo without a definition");
  }
  f_.locals = std::move(outer_locals);
  f_.scope = outer_scope;
  return v;
}

// Subject-stage code gets no event, accumulators or event memo, so a stray read of one is a
// lowering error rather than a null dereference at run time.
void Lowerer::EmitMemoFunction(const Memo& memo) {
  f_ = Fn{};
  f_.fn = memo.fn;
  f_.scope = memo.scope;
  b_.SetInsertPoint(llvm::BasicBlock::Create(context_, "entry", f_.fn));
  f_.state = f_.fn->getArg(0);
  f_.subject = f_.fn->getArg(1);
  if (memo.scope == Scope::Event) {
    f_.event = f_.fn->getArg(2);
    f_.acc = f_.fn->getArg(3);
    f_.emem = f_.fn->getArg(4);
  }
  if (memo.scope == Scope::YearEnd) f_.acc = f_.fn->getArg(3);  // the year's totals
  ResetMemos(Scope::Init);
  StoreMemo(memo, EmitDefinition(memo));
  b_.CreateRet(I32(0));
}

// ---------------------------------------------------------------- run

void Lowerer::Run(Lowered& out) {
  module_->setSourceFileName(program_.file);
  // The settle layer gives the parameters' values (computed once, one semantics); without
  // them, they are left to polc_init, which fails the same way at run time.
  if (options_.params != nullptr && options_.params->size() == program_.params.size()) {
    param_values_ = *options_.params;
  }
  DeclareTypes();
  AssignSlots();
  AnalyzeCalls();
  inline_memos_ = options_.inline_definitions;
  EmitInit();
  EmitBeginSubject();
  EmitSubjectEntry();
  EmitEventEntry();
  EmitEventsEntry();
  EmitYearEndEntry();
  // Bodies may call further functions: emitted until none is left.
  while (!pending_functions_.empty()) {
    const Memo* memo = pending_functions_.back();
    pending_functions_.pop_back();
    EmitMemoFunction(*memo);
  }
  layout_.inline_cost = nodes_;
  layout_.inlined = inline_memos_;
  std::string problems;
  llvm::raw_string_ostream os(problems);
  if (llvm::verifyModule(*module_, &os)) throw LowerError("invalid LLVM module: " + problems);
  out.module = std::move(module_);
  out.layout = std::move(layout_);
}

bool Lower(const ir::Program& program, llvm::LLVMContext& context, const LowerOptions& options,
           Lowered& out, std::string& error) {
  try {
    try {
      Lowerer lowerer(program, context, options);
      lowerer.Run(out);
    } catch (const OverInlineBudget&) {
      LowerOptions calls = options;
      calls.inline_definitions = false;
      Lowerer lowerer(program, context, calls);
      lowerer.Run(out);
    }
    return true;
  } catch (const LowerError& e) {
    error = fmt::format("{}: cannot compile to native code: {}", program.file, e.what());
    return false;
  } catch (const std::exception& e) {
    error = fmt::format("{}: internal error while compiling to native code: {}", program.file, e.what());
    return false;
  }
}

std::string FailureMessage(const ir::Program& program, const Layout& layout, int32_t status,
                           int64_t detail, const std::string& subject_key,
                           const std::string& event_key) {
  if (status <= 0 || static_cast<size_t>(status) > layout.sites.size()) {
    return fmt::format("internal error: native code failed with status {}", status);
  }
  const ErrorSite& site = layout.sites[static_cast<size_t>(status) - 1];
  if (site.cap_acc >= 0) {
    return rt::OverCapMessage(program.accumulators[static_cast<size_t>(site.cap_acc)].name,
                              program.records[0].name, subject_key, program.records[1].name, event_key);
  }
  std::string message = site.message;
  if (site.detail_at != std::string::npos) message.insert(site.detail_at, std::to_string(detail));
  return message;
}

}  // namespace polc::jit
