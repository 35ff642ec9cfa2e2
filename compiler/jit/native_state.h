// The host side of one settling thread: owns the JitState buffers, the accumulator record and
// the spill buckets of int-keyed accumulators, and calls the compiled entry points.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "compiler/jit/engine.h"
#include "runtime/acc_spill.h"

namespace polc::jit {

class NativeState {
 public:
  // Texts compare by content, which only the host can do: (a, b) of each side, as ir::Value.
  using TextEqual = std::function<bool(int64_t la, int64_t lb, int64_t ra, int64_t rb)>;

  explicit NativeState(const Engine& engine);
  NativeState(const NativeState&) = delete;
  NativeState& operator=(const NativeState&) = delete;

  // Computes the parameters (the interpreter does this when it is constructed). A status:
  // 0 or a failure for Failure().
  int32_t Init() { return entries_.init(&state_); }
  void SetTextEqual(TextEqual equal) { text_equal_ = std::move(equal); }

  // Starts a subject: forgets its memoized rules and zeroes its accumulators.
  void BeginSubject();
  // The subject output row (`out` holds GetLayout().subject_columns values).
  int32_t Subject(const ir::Value* subject, ir::Value* out) {
    return entries_.subject(&state_, subject, out);
  }
  // One event of the current subject, in settlement order: its output row, then the updates.
  int32_t Event(const ir::Value* subject, const ir::Value* event, ir::Value* out) {
    return entries_.event(&state_, subject, event, acc_.data(), out);
  }
  // `n` events (row-major), outputs row-major; on failure FailedEvent() says which.
  int32_t Events(const ir::Value* subject, const ir::Value* events, int64_t n, ir::Value* out) {
    return entries_.events(&state_, subject, events, n, acc_.data(), out);
  }
  // The `at year_end` output row, after the subject's last event.
  int32_t YearEnd(const ir::Value* subject, ir::Value* out) {
    return entries_.year_end(&state_, subject, acc_.data(), out);
  }
  int64_t FailedEvent() const { return state_.failed_event; }
  // After a failed Event/Events: whether the failing event's output row was complete.
  bool FailedAfterOutput() const { return state_.output_done != 0; }

  // The interpreter's message for a failed status.
  std::string Failure(int32_t status, const std::string& subject_key,
                      const std::string& event_key) const;

  const Layout& GetLayout() const { return engine_.GetLayout(); }
  const std::vector<int64_t>& AccRecord() const { return acc_; }

 private:
  static int32_t TextEqualThunk(void* host, int64_t la, int64_t lb, int64_t ra, int64_t rb);
  static int64_t* IntBucketThunk(void* host, int32_t acc, int64_t key, int32_t create);

  const Engine& engine_;
  EntryPoints entries_;
  JitState state_;
  std::vector<ir::Value> params_, subject_memo_;
  std::vector<uint8_t> subject_known_;
  std::vector<int64_t> acc_;
  // Int-keyed buckets past the inline ones (runtime/acc_spill.h, as the interpreter's).
  rt::AccSpill spill_;
  TextEqual text_equal_;
};

}  // namespace polc::jit
