// C entry points that JIT-compiled policies call, so both engines share one implementation.
#pragma once

#include <cstdint>
#include <span>

// C linkage makes these names global whatever namespace they sit in, so they live at global
// scope where the JIT looks them up.
extern "C" {
int64_t polc_rt_mul_rate(int64_t fen, int64_t bp);
int64_t polc_rt_bracket_sum(int64_t amount, const int64_t* lowers, const int64_t* rates,
                            int64_t n, int64_t shift);
int32_t polc_rt_add_months(int32_t days, int64_t months);
// date + months + days (rt::AddDuration): 1 with the date in *out, 0 when out of range.
int32_t polc_rt_add_duration(int64_t date, int64_t months, int64_t days, int64_t* out);
}

namespace polc::rt {

struct AbiSymbol {
  const char* name;
  void* address;
};

// The JIT should register these addresses explicitly: a static library only links objects
// that something references, so looking the names up in the process could find nothing.
std::span<const AbiSymbol> AbiSymbols();

}  // namespace polc::rt
