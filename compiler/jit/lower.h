// Lowering: the checked IR (compiler/ir) to one LLVM module of native settlement functions,
// with the entry points and state layout of jit/abi.h. The module follows the interpreter's
// semantics exactly: lazy memoized rules, first-true exceptions, short-circuit and/or,
// absent values skipped by min/max, and the same failures at the same source positions.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "compiler/ir/ir.h"
#include "compiler/settle/accumulators.h"

namespace llvm {
class LLVMContext;
class Module;
}  // namespace llvm

namespace polc::jit {

// A place where settlement can fail. The code returns 1 + the site's index; the host turns
// it into the interpreter's message.
struct ErrorSite {
  std::string message;  // "file:line:col: what"
  size_t detail_at = std::string::npos;  // where JitState::error_detail is written in, if anywhere
  int32_t cap_acc = -1;  // >= 0: accumulator over its cap (the host adds subject/event keys)
};

// Where each accumulator lives in the flat per-subject int64 record of runtime/protocol.h
// (settle::LayOutAccumulators, the interpreter's layout too).
using AccLayout = settle::AccPlace;

struct Layout {
  int32_t param_count = 0;
  int32_t subject_memo_slots = 0;
  int32_t event_memo_slots = 0;
  int32_t acc_words = 0;
  int32_t subject_fields = 0, event_fields = 0;
  int32_t subject_columns = 0, event_columns = 0;  // 0 when the record has no output
  int32_t year_end_columns = 0;                    // 0 when there is no `at year_end` output
  std::vector<AccLayout> accs;
  std::vector<ErrorSite> sites;
  int64_t inline_cost = 0;   // IR nodes if every definition were inlined (capped)
  bool inlined = false;      // the definitions were marked always-inline
};

struct LowerOptions {
  // Mark every rule, key and cap function always-inline (for -O2), unless the copies would
  // exceed the budget of lower_graph.cpp.
  bool inline_definitions = false;
  // The parameters' values (settle::ParamValues), compiled in as constants; null or empty:
  // polc_init computes them at run time.
  const std::vector<ir::Value>* params = nullptr;
};

struct Lowered {
  std::unique_ptr<llvm::Module> module;
  Layout layout;
};

// Lowers `program` into a module owned by `context`. Returns false with `error` set for IR
// the checker should have rejected (a rule cycle, an event value read in a subject rule).
bool Lower(const ir::Program& program, llvm::LLVMContext& context, const LowerOptions& options,
           Lowered& out, std::string& error);

// The message of a failed status, as the interpreter would throw it. `subject_key` and
// `event_key` name the row for an accumulator over its cap.
std::string FailureMessage(const ir::Program& program, const Layout& layout, int32_t status,
                           int64_t detail, const std::string& subject_key,
                           const std::string& event_key);

}  // namespace polc::jit
