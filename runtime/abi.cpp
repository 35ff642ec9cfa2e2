// C entry points that JIT-compiled policies call, so both engines share one implementation.
#include "runtime/abi.h"

#include "runtime/date.h"
#include "runtime/money.h"
#include "runtime/protocol.h"

extern "C" {

int64_t polc_rt_mul_rate(int64_t fen, int64_t bp) { return polc::rt::MulRate(fen, bp); }

int64_t polc_rt_bracket_sum(int64_t amount, const int64_t* lowers, const int64_t* rates,
                            int64_t n, int64_t shift) {
  return polc::rt::BracketSum(amount, lowers, rates, n, shift);
}

int32_t polc_rt_add_months(int32_t days, int64_t months) {
  return polc::rt::AddMonths(days, months);
}

int32_t polc_rt_add_duration(int64_t date, int64_t months, int64_t days, int64_t* out) {
  return polc::rt::AddDuration(date, months, days, *out) ? 1 : 0;
}

}  // extern "C"

namespace polc::rt {

std::span<const AbiSymbol> AbiSymbols() {
  static const AbiSymbol kSymbols[] = {
      {"polc_rt_mul_rate", reinterpret_cast<void*>(&polc_rt_mul_rate)},
      {"polc_rt_bracket_sum", reinterpret_cast<void*>(&polc_rt_bracket_sum)},
      {"polc_rt_add_months", reinterpret_cast<void*>(&polc_rt_add_months)},
      {"polc_rt_add_duration", reinterpret_cast<void*>(&polc_rt_add_duration)},
      // The per-claim protocol (runtime/protocol.h): linked in as bitcode when optimizing,
      // called here otherwise.
      {"polc_acc_words", reinterpret_cast<void*>(&polc_acc_words)},
      {"polc_acc_total", reinterpret_cast<void*>(&polc_acc_total)},
      {"polc_acc_bucket", reinterpret_cast<void*>(&polc_acc_bucket)},
      {"polc_acc_apply", reinterpret_cast<void*>(&polc_acc_apply)},
      {"polc_acc_room", reinterpret_cast<void*>(&polc_acc_room)},
      {"polc_table_find", reinterpret_cast<void*>(&polc_table_find)},
      {"polc_table_word_inside", reinterpret_cast<void*>(&polc_table_word_inside)},
      {"polc_mul_rate", reinterpret_cast<void*>(&polc_mul_rate)},
  };
  return kSymbols;
}

}  // namespace polc::rt
