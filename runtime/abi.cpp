// C entry points that JIT-compiled policies call, so both engines share one implementation.
#include "runtime/abi.h"

#include "runtime/date.h"
#include "runtime/money.h"

extern "C" {

int64_t polc_rt_mul_rate(int64_t fen, int64_t bp) { return polc::rt::MulRate(fen, bp); }

int64_t polc_rt_bracket_sum(int64_t amount, const int64_t* lowers, const int64_t* rates,
                            int64_t n, int64_t shift) {
  return polc::rt::BracketSum(amount, lowers, rates, n, shift);
}

int32_t polc_rt_add_months(int32_t days, int64_t months) {
  return polc::rt::AddMonths(days, months);
}

}  // extern "C"

namespace polc::rt {

std::span<const AbiSymbol> AbiSymbols() {
  static const AbiSymbol kSymbols[] = {
      {"polc_rt_mul_rate", reinterpret_cast<void*>(&polc_rt_mul_rate)},
      {"polc_rt_bracket_sum", reinterpret_cast<void*>(&polc_rt_bracket_sum)},
      {"polc_rt_add_months", reinterpret_cast<void*>(&polc_rt_add_months)},
  };
  return kSymbols;
}

}  // namespace polc::rt
