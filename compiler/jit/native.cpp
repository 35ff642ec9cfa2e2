// NativeSettler: settle::Inputs rows to ir::Value arrays, one compiled call per subject's
// events, rows back to the sink.
#include "compiler/jit/native.h"

#include <memory>

#include <fmt/format.h>

namespace polc::jit {

namespace {
constexpr uint32_t kPrefetchAhead = 4;
}  // namespace

NativeSettler::NativeSettler(const Engine& engine) : engine_(engine), state_(engine) {
  state_.SetTextEqual([this](int64_t la, int64_t lb, int64_t ra, int64_t rb) {
    if (texts_of_ == nullptr) return la == ra && lb == rb;
    return texts_of_->Text({la, lb, true}) == texts_of_->Text({ra, rb, true});
  });
  const int32_t status = state_.Init();
  if (status != 0) throw settle::EvalError(state_.Failure(status, "", ""));
  const Layout& layout = engine.GetLayout();
  subject_row_.resize(static_cast<size_t>(layout.subject_fields));
  subject_out_.resize(static_cast<size_t>(layout.subject_columns));
}

void NativeSettler::ReadRow(const settle::RecordTable& table, uint32_t row, ir::Value* out) const {
  table.CopyRow(row, out);
}

void NativeSettler::Fail(const settle::Inputs& inputs, int32_t status, uint32_t subject,
                            int64_t event) {
  const std::string event_key = event >= 0 ? inputs.EventKey(static_cast<uint32_t>(event)) : "";
  throw settle::EvalError(fmt::format("{} ({})", state_.Failure(status, inputs.SubjectKey(subject), event_key),
                                      inputs.Where(subject, event)));
}

void NativeSettler::SettleSubject(const settle::Inputs& inputs, uint32_t subject,
                                     settle::RowSink& sink, const settle::SettleOptions& options) {
  texts_of_ = &inputs;
  const Layout& layout = engine_.GetLayout();
  state_.BeginSubject();
  ReadRow(inputs.subjects, subject, subject_row_.data());
  if (options.subject_output && engine_.Program().output_of[0] >= 0) {
    const int32_t status = state_.Subject(subject_row_.data(), subject_out_.data());
    if (status != 0) Fail(inputs, status, subject, -1);
    sink.SubjectRow(subject, subject_out_);
  }
  if (!options.events) return;
  const uint32_t begin = inputs.subject_begin[subject], end = inputs.subject_begin[subject + 1];
  uint32_t count = end - begin;
  // explain stops after one event: settle no further than that one.
  if (options.stop_after_event >= 0) {
    for (uint32_t k = begin; k < end; ++k) {
      if (static_cast<int64_t>(inputs.event_order[k]) == options.stop_after_event) {
        count = k - begin + 1;
        break;
      }
    }
  }
  // Rows of the subject kPrefetchAhead places on start loading now, so that they have arrived
  // when it settles (subjects are settled in order).
  if (const uint32_t ahead = subject + kPrefetchAhead; ahead < inputs.subjects.Size()) {
    for (uint32_t k = inputs.subject_begin[ahead]; k < inputs.subject_begin[ahead + 1]; ++k) {
      inputs.events.Prefetch(inputs.event_order[k]);
    }
  }
  const size_t fields = static_cast<size_t>(layout.event_fields);
  const size_t columns = static_cast<size_t>(layout.event_columns);
  events_.resize(count * fields);
  event_out_.resize(count * columns);
  for (uint32_t i = 0; i < count; ++i) {
    ReadRow(inputs.events, inputs.event_order[begin + i], events_.data() + i * fields);
  }
  const int32_t status =
      state_.Events(subject_row_.data(), events_.data(), count, event_out_.data());
  // Rows before a failure reach the sink, as they do from the interpreter.
  const uint32_t settled = status == 0 ? count : static_cast<uint32_t>(state_.FailedEvent());
  const uint32_t rows = settled + (status != 0 && state_.FailedAfterOutput() ? 1 : 0);
  if (options.event_output && engine_.Program().output_of[1] >= 0) {
    for (uint32_t i = 0; i < rows; ++i) {
      sink.EventRow(inputs.event_order[begin + i], std::span<const ir::Value>(event_out_).subspan(i * columns, columns));
    }
  }
  if (status != 0) Fail(inputs, status, subject, inputs.event_order[begin + settled]);
  if (options.year_end_output && options.stop_after_event < 0 && engine_.Program().output_of[2] >= 0) {
    year_end_out_.resize(static_cast<size_t>(layout.year_end_columns));
    const int32_t year_end = state_.YearEnd(subject_row_.data(), year_end_out_.data());
    if (year_end != 0) Fail(inputs, year_end, subject, -1);
    sink.YearEndRow(subject, year_end_out_);
  }
}

std::vector<settle::SettleFn> MakeNativeSettleFns(const ir::Program& program,
                                                  const EngineOptions& options, int count) {
  std::string error;
  std::shared_ptr<Engine> engine = Engine::Create(program, options, error);
  if (engine == nullptr) throw settle::EvalError(error);
  std::vector<settle::SettleFn> settlers;
  for (int i = 0; i < count; ++i) {
    // Each closure keeps the engine alive; its settlement state is its own.
    struct Owned {
      std::shared_ptr<Engine> engine;
      NativeSettler native;
      explicit Owned(std::shared_ptr<Engine> e) : engine(std::move(e)), native(*engine) {}
    };
    auto owned = std::make_shared<Owned>(engine);
    settlers.push_back([owned](const settle::Inputs& inputs, uint32_t subject, settle::RowSink& sink,
                               const settle::SettleOptions& settle_options) {
      owned->native.SettleSubject(inputs, subject, sink, settle_options);
    });
  }
  return settlers;
}

settle::SettleFn MakeNativeSettleFn(const ir::Program& program, const EngineOptions& options) {
  return MakeNativeSettleFns(program, options, 1).front();
}

}  // namespace polc::jit
