// The JIT behind the settle layer's seam (settle::SettleFn): settles one subject of
// settle::Inputs into a settle::RowSink, with the same rows, the same order and the same
// failures (settle::EvalError with the same message) as the interpreter.
#pragma once

#include <cstdint>
#include <vector>

#include "compiler/jit/native_state.h"
#include "compiler/settle/inputs.h"
#include "compiler/settle/seam.h"

namespace polc::jit {

// One settling thread's adapter from settle::Inputs rows to the compiled entry points.
class NativeSettler {
 public:
  // Runs the compiled init (the parameters); throws settle::EvalError when it fails.
  explicit NativeSettler(const Engine& engine);

  // A settle::SettleFn. With event_output false the output columns are still computed (and
  // may fail).
  void SettleSubject(const settle::Inputs& inputs, uint32_t subject, settle::RowSink& sink,
                     const settle::SettleOptions& options = {});

 private:
  [[noreturn]] void Fail(const settle::Inputs& inputs, int32_t status, uint32_t subject,
                         int64_t event);
  void ReadRow(const settle::RecordTable& table, uint32_t row, ir::Value* out) const;

  const Engine& engine_;
  NativeState state_;
  const settle::Inputs* texts_of_ = nullptr;  // the inputs whose pools texts compare in
  std::vector<ir::Value> subject_row_, events_, subject_out_, event_out_, year_end_out_;
};

// The JIT behind the seam (settle::SettleFn): compiles `program` (with options.params, the
// settle layer's parameter values) and returns a closure that owns the engine. Throws
// settle::EvalError when the program cannot be compiled or its parameters cannot be computed
// (the interpreter's constructor fails the same way).
settle::SettleFn MakeNativeSettleFn(const ir::Program& program, const EngineOptions& options);
// `count` independent settlers over one compiled engine (one per thread: each has its own
// state, they share the code and the engine, which the last of them to go destroys).
std::vector<settle::SettleFn> MakeNativeSettleFns(const ir::Program& program,
                                                  const EngineOptions& options, int count);

}  // namespace polc::jit
