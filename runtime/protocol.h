// The per-claim protocol, written once: the accumulators' flat record (reading a total,
// finding or creating a bucket, applying an update against its cap), table lookups and
// money x rate rounding. The interpreter calls these functions natively; the JIT links the
// same source, compiled to LLVM bitcode at build time, into every optimized module and inlines
// it (compiler/jit/protocol_link.cpp); unoptimized JIT code calls these native copies
// (runtime/abi.cpp). Either way the two engines cannot drift.
//
// Plain C types only: protocol.cpp is compiled by the host compiler and by clang++-19 to
// bitcode, without the C++ library.
//
// An event settles in this order (both engines): its output row; then, for every accumulator
// in declaration order, its condition, key, amount and cap, all against the totals before
// the event; then the updates in declaration order (polc_acc_bucket, polc_acc_apply), the
// first failing one (overflow, or a total over its cap) failing the event.
#pragma once

#include <stdint.h>

// The flat int64 record of one accumulator (one record per subject, accumulators one after
// another):
//   unkeyed:                  [total]
//   keyed by n enum words:    [total of word 0 .. word n-1, total for an absent key]
//   keyed by int:             [total for an absent key, bucket count, (key, total) x 8];
//                             the ninth distinct key and later go to the host's spill callback.
#define POLC_ACC_NONE 0
#define POLC_ACC_ENUM 1
#define POLC_ACC_INT 2
#define POLC_INLINE_INT_BUCKETS 8

// polc_acc_apply's results.
#define POLC_APPLY_OK 0
#define POLC_APPLY_OVERFLOW 1
#define POLC_APPLY_OVER_CAP 2

extern "C" {

// The bucket of an int `key` past the inline ones (created at 0 when `create` is set), or
// null when it has none; `host` is passed back.
typedef int64_t* (*polc_spill_fn)(void* host, int32_t acc, int64_t key, int32_t create);

// How many words an accumulator of `kind` takes (`enum_words`: the enumeration's size).
int64_t polc_acc_words(int32_t kind, int64_t enum_words);

// The total for `key` (present or not) in the record at `base` (`words` long); an unknown
// word or key reads as 0.
int64_t polc_acc_total(const int64_t* base, int32_t kind, int64_t words, int64_t key_present,
                       int64_t key, void* host, polc_spill_fn spill, int32_t acc);

// The bucket an update of `key` adds to: a new int key takes the next inline bucket, then
// the host's. Null only for an enum word outside the enumeration.
int64_t* polc_acc_bucket(int64_t* base, int32_t kind, int64_t words, int64_t key_present,
                         int64_t key, void* host, polc_spill_fn spill, int32_t acc);

// Adds `amount` to `*bucket`: POLC_APPLY_OVERFLOW (bucket unchanged) when the sum does not
// fit, POLC_APPLY_OVER_CAP (bucket updated) when a present cap is exceeded, else OK.
int32_t polc_acc_apply(int64_t* bucket, int64_t amount, int64_t cap_present, int64_t cap);

// room(): what is left under the cap, never below 0.
int64_t polc_acc_room(int64_t total, int64_t cap);

// The index of `key` in the `n` ascending keys of an int-keyed table, or -1.
int64_t polc_table_find(const int64_t* keys, int64_t n, int64_t key);

// Whether enum `word` is a row of a table of `n` rows.
int32_t polc_table_word_inside(int64_t word, int64_t n);

// money (fen) x rate (basis points), rounded half up to the fen: floor((fen*bp + 5000) / 10000)
// in int64 when nothing overflows, else polc_rt_mul_rate (runtime/abi.h, exact in 128 bits).
int64_t polc_mul_rate(int64_t fen, int64_t bp);

}  // extern "C"
