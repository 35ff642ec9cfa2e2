// The calling convention between JIT-compiled policies and the host: the state block, the
// entry points' signatures and the accumulator layout. Both lower.cpp (which emits code
// against it) and the host (which calls that code) include this one header.
#pragma once

#include <cstddef>
#include <cstdint>

#include "compiler/ir/ir.h"
#include "runtime/protocol.h"

namespace polc::jit {

// Values cross the boundary as ir::Value itself, so the host can hand record rows and read
// output rows without converting; the module declares the same struct as {i64, i64, i8}.
static_assert(sizeof(ir::Value) == 24 && offsetof(ir::Value, a) == 0 &&
                  offsetof(ir::Value, b) == 8 && offsetof(ir::Value, present) == 16,
              "ir::Value must match the JIT's {i64, i64, i8} value struct");

// Callbacks for the rare operations that need host data: text equality compares strings in
// the host's pools; an int-keyed accumulator spills past its inline buckets to the host.
using TextEqualFn = int32_t (*)(void* host, int64_t la, int64_t lb, int64_t ra, int64_t rb);
// Returns the bucket of `key` (created at 0 when `create` is set), or null when absent.
using IntBucketFn = polc_spill_fn;

// One per settling thread. The module reads it as {ptr, ptr, ptr, ptr, ptr, ptr, i64, i64, i64}.
struct JitState {
  ir::Value* params = nullptr;         // [param count], written by polc_init
  ir::Value* subject_memo = nullptr;   // [subject memo slots]: Const and Subject rules
  uint8_t* subject_known = nullptr;    // [subject memo slots], cleared by polc_begin_subject
  void* host = nullptr;                // passed back to the callbacks
  TextEqualFn text_equal = nullptr;
  IntBucketFn int_bucket = nullptr;
  int64_t error_detail = 0;            // the number a failure message shows, if any
  int64_t failed_event = -1;           // polc_events: index of the event that failed
  int64_t output_done = 0;             // polc_event: 1 once the output row is complete, so a
                                       // failing update still delivers the row (as interp does)
};
static_assert(offsetof(JitState, error_detail) == 48 && offsetof(JitState, failed_event) == 56 &&
                  offsetof(JitState, output_done) == 64,
              "JitState layout is mirrored in lower.cpp");

// Entry points. A status is 0 on success, else 1 + the index of an ErrorSite (lower.h).
using InitFn = int32_t (*)(JitState* state);
using BeginSubjectFn = void (*)(JitState* state, int64_t* acc);
using SubjectFn = int32_t (*)(JitState* state, const ir::Value* subject, ir::Value* out);
using EventFn = int32_t (*)(JitState* state, const ir::Value* subject, const ir::Value* event,
                            int64_t* acc, ir::Value* out);
// `n` events of one subject in settlement order, `events` row-major (event field count values
// per row), `out` row-major (event output column count values per row).
using EventsFn = int32_t (*)(JitState* state, const ir::Value* subject, const ir::Value* events,
                             int64_t n, int64_t* acc, ir::Value* out);
// The subject's `at year_end` output row, after its last event (the accumulators hold the
// year's totals); `out` holds Layout::year_end_columns values.
using YearEndFn = int32_t (*)(JitState* state, const ir::Value* subject, int64_t* acc, ir::Value* out);

inline constexpr const char* kInitName = "polc_init";
inline constexpr const char* kBeginSubjectName = "polc_begin_subject";
inline constexpr const char* kSubjectName = "polc_subject";
inline constexpr const char* kEventName = "polc_event";
inline constexpr const char* kEventsName = "polc_events";
inline constexpr const char* kYearEndName = "polc_year_end";

}  // namespace polc::jit
