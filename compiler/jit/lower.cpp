// Lowering's skeleton: types, module constants, one function per memoized definition (rules,
// accumulator keys and caps), the accumulators' flat record, and the entry points of abi.h.
#include "compiler/jit/lower.h"


#include <fmt/format.h>
#include <llvm/IR/Constants.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Support/raw_ostream.h>

#include "compiler/jit/lower_internal.h"

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
  auto declare = [&](const char* name, llvm::FunctionType* type, bool reads_args) {
    llvm::Function* fn = llvm::Function::Create(type, llvm::Function::ExternalLinkage, name, *module_);
    fn->setDoesNotThrow();
    fn->setWillReturn();
    if (reads_args) {
      fn->setOnlyReadsMemory();
      fn->setOnlyAccessesArgMemory();
    } else {
      fn->setDoesNotAccessMemory();
    }
    return llvm::FunctionCallee(fn);
  };
  mul_rate_ = declare("polc_rt_mul_rate", llvm::FunctionType::get(i64_, {i64_, i64_}, false), false);
  bracket_sum_ = declare("polc_rt_bracket_sum",
                         llvm::FunctionType::get(i64_, {i64_, ptr_, ptr_, i64_, i64_}, false), true);
  {
    // Writes its result through the pointer: only argument memory.
    llvm::Function* fn = llvm::Function::Create(llvm::FunctionType::get(i32_, {i64_, i64_, i64_, ptr_}, false),
                                                llvm::Function::ExternalLinkage, "polc_rt_add_duration", *module_);
    fn->setDoesNotThrow();
    fn->setWillReturn();
    fn->setOnlyAccessesArgMemory();
    add_duration_ = llvm::FunctionCallee(fn);
  }

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
  auto declare = [&](const std::string& name) {
    llvm::Function* fn = llvm::Function::Create(helper_ty_, llvm::Function::InternalLinkage, name, *module_);
    return fn;
  };
  for (const ir::Rule& rule : program_.rules) {
    Memo memo;
    memo.event = rule.stage == ir::Stage::Event;
    memo.slot = memo.event ? layout_.event_memo_slots++ : layout_.subject_memo_slots++;
    memo.fn = declare("rule." + rule.name);
    rule_memo_.push_back(memo);
  }
  key_memo_.resize(program_.accumulators.size());
  cap_memo_.resize(program_.accumulators.size());
  for (size_t i = 0; i < program_.accumulators.size(); ++i) {
    const ir::Accumulator& acc = program_.accumulators[i];
    if (acc.key_kind != ir::AccKey::None && acc.key) {
      key_memo_[i] = {true, layout_.event_memo_slots++, declare("key." + acc.name)};
    }
    if (acc.cap) cap_memo_[i] = {true, layout_.event_memo_slots++, declare("cap." + acc.name)};
    AccLayout place;
    place.offset = layout_.acc_words;
    switch (acc.key_kind) {
      case ir::AccKey::None: place.words = 1; break;
      case ir::AccKey::Enum: {
        if (acc.key_enum < 0 || static_cast<size_t>(acc.key_enum) >= program_.enums.size()) {
          throw LowerError(fmt::format("accumulator {} has no key enumeration", acc.name));
        }
        place.words = static_cast<int32_t>(program_.enums[static_cast<size_t>(acc.key_enum)].words.size()) + 1;
        break;
      }
      case ir::AccKey::Int: place.words = 2 + 2 * kInlineIntBuckets; break;
    }
    layout_.acc_words += place.words;
    layout_.accs.push_back(place);
  }
  const uint64_t n = static_cast<uint64_t>(layout_.event_memo_slots);
  emem_ty_ = llvm::StructType::create(
      context_, {llvm::ArrayType::get(value_ty_, n), llvm::ArrayType::get(i8_, n)}, "polc.event_memo");
}

// ---------------------------------------------------------------- memo functions

// Subject-stage code gets no event, accumulators or event memo, so a stray read of one is a
// lowering error rather than a null dereference at run time.
void Lowerer::StartMemoFunction(const Memo& memo, Scope scope) {
  f_ = Fn{};
  f_.fn = memo.fn;
  f_.scope = scope;
  b_.SetInsertPoint(llvm::BasicBlock::Create(context_, "entry", f_.fn));
  f_.state = f_.fn->getArg(0);
  f_.subject = f_.fn->getArg(1);
  if (scope == Scope::Event) {
    f_.event = f_.fn->getArg(2);
    f_.acc = f_.fn->getArg(3);
    f_.emem = f_.fn->getArg(4);
  }
  if (scope == Scope::YearEnd) f_.acc = f_.fn->getArg(3);  // the year's totals
}

void Lowerer::EmitMemoEpilogue(const Memo& memo, const V& v) {
  llvm::Value *value_ptr, *known_ptr;
  MemoValueRef(memo, value_ptr, known_ptr);
  Store(value_ptr, v);
  b_.CreateStore(b_.getInt8(1), known_ptr);
  b_.CreateRet(I32(0));
}

// The default, overridden by the first exception whose condition holds.
void Lowerer::EmitRuleFunction(int32_t id) {
  const ir::Rule& rule = program_.rules[static_cast<size_t>(id)];
  const Memo& memo = rule_memo_[static_cast<size_t>(id)];
  StartMemoFunction(memo, memo.event                          ? Scope::Event
                          : rule.stage == ir::Stage::YearEnd ? Scope::YearEnd
                                                             : Scope::Subject);
  for (const ir::Exception& e : rule.exceptions) {
    llvm::Value* applies = Truth(Gen(*e.condition));
    llvm::BasicBlock* then_bb = NewBlock("exception");
    llvm::BasicBlock* next = NewBlock("next");
    b_.CreateCondBr(applies, then_bb, next);
    b_.SetInsertPoint(then_bb);
    EmitMemoEpilogue(memo, Gen(*e.value));
    b_.SetInsertPoint(next);
  }
  EmitMemoEpilogue(memo, Gen(*rule.value));
}

void Lowerer::EmitAccKeyFunction(int32_t acc) {
  const Memo& memo = key_memo_[static_cast<size_t>(acc)];
  StartMemoFunction(memo, Scope::Event);
  EmitMemoEpilogue(memo, Gen(*program_.accumulators[static_cast<size_t>(acc)].key));
}

void Lowerer::EmitAccCapFunction(int32_t acc) {
  const Memo& memo = cap_memo_[static_cast<size_t>(acc)];
  StartMemoFunction(memo, Scope::Event);
  EmitMemoEpilogue(memo, Gen(*program_.accumulators[static_cast<size_t>(acc)].cap));
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
  layout_.inline_cost = inline_cost_;
  layout_.inlined = options_.inline_definitions && inline_memos_;
  if (layout_.inlined) {
    for (const std::vector<Memo>* memos : {&rule_memo_, &key_memo_, &cap_memo_}) {
      for (const Memo& memo : *memos) {
        if (memo.fn) memo.fn->addFnAttr(llvm::Attribute::AlwaysInline);
      }
    }
  }
  for (size_t r = 0; r < program_.rules.size(); ++r) EmitRuleFunction(static_cast<int32_t>(r));
  for (size_t a = 0; a < program_.accumulators.size(); ++a) {
    if (key_memo_[a].fn) EmitAccKeyFunction(static_cast<int32_t>(a));
    if (cap_memo_[a].fn) EmitAccCapFunction(static_cast<int32_t>(a));
  }
  EmitInit();
  EmitBeginSubject();
  EmitSubjectEntry();
  EmitEventEntry();
  EmitEventsEntry();
  EmitYearEndEntry();
  std::string problems;
  llvm::raw_string_ostream os(problems);
  if (llvm::verifyModule(*module_, &os)) throw LowerError("invalid LLVM module: " + problems);
  out.module = std::move(module_);
  out.layout = std::move(layout_);
}

bool Lower(const ir::Program& program, llvm::LLVMContext& context, const LowerOptions& options,
           Lowered& out, std::string& error) {
  try {
    Lowerer lowerer(program, context, options);
    lowerer.Run(out);
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
    return fmt::format("internal error: accumulator {} exceeds its cap for {} {} (after {} {})",
                       program.accumulators[static_cast<size_t>(site.cap_acc)].name,
                       program.records[0].name, subject_key, program.records[1].name, event_key);
  }
  std::string message = site.message;
  if (site.detail_at != std::string::npos) message.insert(site.detail_at, std::to_string(detail));
  return message;
}

}  // namespace polc::jit
