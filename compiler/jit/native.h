// The JIT engine behind the interpreter's seam: settles one subject of interp::Inputs into an
// interp::RowSink, with the same rows, the same order and the same failures
// (interp::EvalError with the same message) as Interpreter::SettleSubject.
#pragma once

#include <cstdint>
#include <vector>

#include "compiler/interp/interp.h"
#include "compiler/interp/records.h"
#include "compiler/jit/settle.h"

namespace polc::jit {

class NativeSettlement {
 public:
  // Computes the parameters; throws interp::EvalError as the interpreter's constructor does.
  explicit NativeSettlement(const Engine& engine);

  // As Interpreter::SettleSubject. Traces are the interpreter's job (options.trace must be
  // null). With event_output false the output columns are still computed (and may fail).
  void SettleSubject(const interp::Inputs& inputs, uint32_t subject, interp::RowSink& sink,
                     const interp::SettleOptions& options = {});

 private:
  [[noreturn]] void Fail(const interp::Inputs& inputs, int32_t status, uint32_t subject,
                         int64_t event);
  void ReadRow(const interp::RecordTable& table, uint32_t row, ir::Value* out) const;

  const Engine& engine_;
  Settler settler_;
  const interp::Inputs* texts_of_ = nullptr;  // the inputs whose pools texts compare in
  std::vector<ir::Value> subject_row_, events_, subject_out_, event_out_, row_, year_end_out_;
};

// The JIT behind the interpreter's seam (interp::SettleFn): compiles `program` and returns a
// closure that owns the engine. Throws interp::EvalError when the program cannot be compiled
// or its parameters cannot be computed (the interpreter's constructor fails the same way).
interp::SettleFn MakeNativeSettleFn(const ir::Program& program, const EngineOptions& options);
// `count` independent settlers over one compiled engine (one per thread: each has its own
// state, they share the code and the engine, which the last of them to go destroys).
std::vector<interp::SettleFn> MakeNativeSettleFns(const ir::Program& program,
                                                  const EngineOptions& options, int count);

}  // namespace polc::jit
