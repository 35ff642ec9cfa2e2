// Exact money and rate arithmetic shared by the interpreter and the JIT, plus CSV value parsing.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace polc::rt {

// Money is int64 fen (0.01 yuan) and a rate is int64 basis points (1% = 100 bp), so every
// result is an exact integer and both engines agree to the fen.
inline constexpr int64_t kFenPerYuan = 100;
inline constexpr int64_t kBpPerWhole = 10000;

// fen * bp / 10000, rounded half up (floor(x + 1/2), also for negative products).
int64_t MulRate(int64_t fen, int64_t bp);

// Marginal brackets: row i covers (lowers[i], lowers[i+1]], the last row is open above, and
// lowers must ascend. Each row's rate is rates[i] + shift_bp. Rounds once, like MulRate.
// An amount <= 0 gives 0.
int64_t BracketSum(int64_t amount, const int64_t* lowers, const int64_t* rates, int64_t n,
                   int64_t shift_bp);

// Yuan with at most two decimals ("1234", "0.5", "1234.56"); no sign, spaces or exponent.
bool ParseMoney(std::string_view text, int64_t& fen, std::string& error);

// Always two decimals: "0.00", "1234.50", "-3.05".
std::string FormatMoney(int64_t fen);
// The same appended to `out`, without a format string or a temporary (result files).
void AppendMoney(std::string& out, int64_t fen);
// A decimal integer appended to `out`.
void AppendInt(std::string& out, int64_t value);

// A non-negative whole number made of digits only.
bool ParseCount(std::string_view text, int64_t& out, std::string& error);

}  // namespace polc::rt
