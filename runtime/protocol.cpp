// The per-claim protocol of protocol.h. Compiled twice: into polc_runtime (the interpreter)
// and by clang++-19 to bitcode the JIT links into each module; so nothing from the C++
// library, and no globals.
#include "runtime/protocol.h"

// runtime/abi.h; `const` so that, inlined into the JIT's code, the rare call does not make the
// optimizer assume memory changed.
extern "C" __attribute__((const, nothrow)) int64_t polc_rt_mul_rate(int64_t fen, int64_t bp);

namespace {

// The inline bucket of `key`, or null.
inline int64_t* IntFind(int64_t* base, int64_t key) {
  const int64_t count = base[1];
  for (int64_t i = 0; i < count; ++i) {
    if (base[2 + 2 * i] == key) return &base[3 + 2 * i];
  }
  return nullptr;
}

}  // namespace

extern "C" {

int64_t polc_acc_words(int32_t kind, int64_t enum_words) {
  switch (kind) {
    case POLC_ACC_ENUM: return enum_words + 1;
    case POLC_ACC_INT: return 2 + 2 * POLC_INLINE_INT_BUCKETS;
    default: return 1;
  }
}

int64_t polc_acc_total(const int64_t* base, int32_t kind, int64_t words, int64_t key_present,
                       int64_t key, void* host, polc_spill_fn spill, int32_t acc) {
  if (kind == POLC_ACC_ENUM) {
    const uint64_t slot = key_present ? static_cast<uint64_t>(key) : static_cast<uint64_t>(words - 1);
    return slot < static_cast<uint64_t>(words) ? base[slot] : 0;
  }
  if (kind != POLC_ACC_INT || !key_present) return base[0];
  int64_t* record = const_cast<int64_t*>(base);
  const int64_t* bucket = IntFind(record, key);
  if (bucket == nullptr && base[1] >= POLC_INLINE_INT_BUCKETS) bucket = spill(host, acc, key, 0);
  return bucket != nullptr ? *bucket : 0;
}

int64_t* polc_acc_bucket(int64_t* base, int32_t kind, int64_t words, int64_t key_present,
                         int64_t key, void* host, polc_spill_fn spill, int32_t acc) {
  if (kind == POLC_ACC_ENUM) {
    const uint64_t slot = key_present ? static_cast<uint64_t>(key) : static_cast<uint64_t>(words - 1);
    return slot < static_cast<uint64_t>(words) ? &base[slot] : nullptr;
  }
  if (kind != POLC_ACC_INT || !key_present) return base;
  int64_t* bucket = IntFind(base, key);
  if (bucket != nullptr) return bucket;
  const int64_t count = base[1];
  if (count >= POLC_INLINE_INT_BUCKETS) return spill(host, acc, key, 1);
  base[2 + 2 * count] = key;
  base[3 + 2 * count] = 0;
  base[1] = count + 1;
  return &base[3 + 2 * count];
}

int32_t polc_acc_apply(int64_t* bucket, int64_t amount, int64_t cap_present, int64_t cap) {
  int64_t total;
  if (__builtin_add_overflow(*bucket, amount, &total)) return POLC_APPLY_OVERFLOW;
  *bucket = total;
  // The language promises caps hold (amounts are bounded by room()); this enforces it.
  return cap_present && total > cap ? POLC_APPLY_OVER_CAP : POLC_APPLY_OK;
}

int64_t polc_acc_room(int64_t total, int64_t cap) {
  // The checker bounds totals by their caps, so cap - total does not overflow in practice;
  // it wraps as the lowering's `sub` always did.
  const int64_t room = static_cast<int64_t>(static_cast<uint64_t>(cap) - static_cast<uint64_t>(total));
  return room > 0 ? room : 0;
}

int64_t polc_table_find(const int64_t* keys, int64_t n, int64_t key) {
  int64_t lo = 0, hi = n;
  while (lo < hi) {
    const int64_t mid = lo + ((hi - lo) >> 1);
    if (keys[mid] < key) lo = mid + 1;
    else hi = mid;
  }
  return lo < n && keys[lo] == key ? lo : -1;
}

int32_t polc_table_word_inside(int64_t word, int64_t n) {
  return static_cast<uint64_t>(word) < static_cast<uint64_t>(n) ? 1 : 0;
}

int64_t polc_mul_rate(int64_t fen, int64_t bp) {
  int64_t product, shifted;
  if (__builtin_mul_overflow(fen, bp, &product) || __builtin_add_overflow(product, int64_t{5000}, &shifted)) {
    return polc_rt_mul_rate(fen, bp);
  }
  const int64_t q = shifted / 10000;
  return shifted % 10000 < 0 ? q - 1 : q;
}

}  // extern "C"
