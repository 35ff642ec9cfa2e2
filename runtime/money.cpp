// Exact money and rate arithmetic shared by the interpreter and the JIT, plus CSV value parsing.
#include "runtime/money.h"

#include <algorithm>
#include <limits>

#include <fmt/format.h>

namespace polc::rt {
namespace {

// Rounds a product of fen and basis points back to fen. C++ division truncates toward zero,
// so negative values are corrected to floor to keep one rule on both sides of zero.
int64_t RoundBp(__int128 product) {
  const __int128 shifted = product + kBpPerWhole / 2;
  __int128 quotient = shifted / kBpPerWhole;
  if (shifted % kBpPerWhole < 0) --quotient;
  return static_cast<int64_t>(quotient);
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Echoes the offending value in messages, cut short so a garbage cell cannot flood the log.
std::string Quoted(std::string_view text) {
  constexpr size_t kMaxEcho = 40;
  if (text.size() <= kMaxEcho) return fmt::format("'{}'", text);
  return fmt::format("'{}...'", text.substr(0, kMaxEcho));
}

bool HasSpace(std::string_view text) {
  return text.find_first_of(" \t\r\n\v\f") != std::string_view::npos;
}

// Shared front checks of ParseMoney and ParseCount, so both reject the same way.
bool CheckShape(std::string_view kind, std::string_view text, std::string& error) {
  if (text.empty()) {
    error = fmt::format("{} is empty", kind);
    return false;
  }
  if (HasSpace(text)) {
    error = fmt::format("{} {} has spaces", kind, Quoted(text));
    return false;
  }
  if (text[0] == '+' || text[0] == '-') {
    error = fmt::format("{} {} has a sign", kind, Quoted(text));
    return false;
  }
  return true;
}

}  // namespace

int64_t MulRate(int64_t fen, int64_t bp) {
  return RoundBp(static_cast<__int128>(fen) * bp);
}

int64_t BracketSum(int64_t amount, const int64_t* lowers, const int64_t* rates, int64_t n,
                   int64_t shift_bp) {
  if (amount <= 0 || n <= 0) return 0;
  __int128 total = 0;
  for (int64_t i = 0; i < n; ++i) {
    // Only the positive part of the amount is taxed, even if a table starts below zero.
    const int64_t lower = std::max<int64_t>(lowers[i], 0);
    if (amount <= lower) break;
    const int64_t upper = i + 1 < n ? std::min(amount, lowers[i + 1]) : amount;
    if (upper <= lower) continue;
    const __int128 rate = static_cast<__int128>(rates[i]) + shift_bp;
    total += static_cast<__int128>(upper - lower) * rate;
  }
  return RoundBp(total);
}

// The common cell: at most 15 digits (no overflow possible), an optional point and one or two
// decimals, nothing else. Anything else takes the checked path below, which gives the messages.
static bool ParsePlainMoney(std::string_view text, int64_t& fen) {
  if (text.empty() || text.size() > 15) return false;
  int64_t value = 0;
  size_t i = 0;
  for (; i < text.size() && IsDigit(text[i]); ++i) value = value * 10 + (text[i] - '0');
  if (i == 0) return false;
  if (i == text.size()) {
    fen = value * 100;
    return true;
  }
  if (text[i] != '.' || text.size() - i < 2 || text.size() - i > 3) return false;
  for (size_t k = i + 1; k < text.size(); ++k) {
    if (!IsDigit(text[k])) return false;
    value = value * 10 + (text[k] - '0');
  }
  fen = text.size() - i == 2 ? value * 10 : value;
  return true;
}

bool ParseMoney(std::string_view text, int64_t& fen, std::string& error) {
  if (ParsePlainMoney(text, fen)) return true;
  if (!CheckShape("money", text, error)) return false;
  size_t i = 0;
  while (i < text.size() && IsDigit(text[i])) ++i;
  const size_t whole_digits = i;
  bool has_point = false;
  size_t frac_digits = 0;
  if (i < text.size() && text[i] == '.') {
    has_point = true;
    ++i;
    while (i < text.size() && IsDigit(text[i])) ++i, ++frac_digits;
  }
  if (i < text.size()) {
    const bool exponent = (text[i] == 'e' || text[i] == 'E') && whole_digits + frac_digits > 0;
    error = fmt::format("money {} {}", Quoted(text),
                        exponent ? "has an exponent" : "is not a number");
    return false;
  }
  if (whole_digits == 0) {
    error = fmt::format("money {} has no digits before the decimal point", Quoted(text));
    return false;
  }
  if (has_point && frac_digits == 0) {
    error = fmt::format("money {} has no digits after the decimal point", Quoted(text));
    return false;
  }
  if (frac_digits > 2) {
    error = fmt::format("money {} has more than two decimals", Quoted(text));
    return false;
  }
  int64_t value = 0;
  for (size_t k = 0; k < text.size(); ++k) {
    if (text[k] == '.') continue;
    if (__builtin_mul_overflow(value, 10, &value) ||
        __builtin_add_overflow(value, text[k] - '0', &value)) {
      error = fmt::format("money {} is too large", Quoted(text));
      return false;
    }
  }
  // Scale "12" and "12.5" up to fen; the digits loop above already holds "12.34" in fen.
  for (size_t k = frac_digits; k < 2; ++k) {
    if (__builtin_mul_overflow(value, 10, &value)) {
      error = fmt::format("money {} is too large", Quoted(text));
      return false;
    }
  }
  fen = value;
  return true;
}

std::string FormatMoney(int64_t fen) {
  std::string out;
  AppendMoney(out, fen);
  return out;
}

void AppendMoney(std::string& out, int64_t fen) {
  // Unsigned magnitude so INT64_MIN has a representable absolute value.
  const uint64_t magnitude =
      fen < 0 ? uint64_t{0} - static_cast<uint64_t>(fen) : static_cast<uint64_t>(fen);
  char digits[24];
  char* end = digits + sizeof(digits);
  char* p = end;
  uint64_t whole = magnitude / 100;
  const unsigned cents = static_cast<unsigned>(magnitude % 100);
  *--p = static_cast<char>('0' + cents % 10);
  *--p = static_cast<char>('0' + cents / 10);
  *--p = '.';
  do {
    *--p = static_cast<char>('0' + whole % 10);
    whole /= 10;
  } while (whole != 0);
  if (fen < 0) *--p = '-';
  out.append(p, static_cast<size_t>(end - p));
}

void AppendInt(std::string& out, int64_t value) {
  const uint64_t magnitude =
      value < 0 ? uint64_t{0} - static_cast<uint64_t>(value) : static_cast<uint64_t>(value);
  char digits[24];
  char* end = digits + sizeof(digits);
  char* p = end;
  uint64_t rest = magnitude;
  do {
    *--p = static_cast<char>('0' + rest % 10);
    rest /= 10;
  } while (rest != 0);
  if (value < 0) *--p = '-';
  out.append(p, static_cast<size_t>(end - p));
}

bool ParseCount(std::string_view text, int64_t& out, std::string& error) {
  // The common cell: 1 to 18 digits, which cannot overflow.
  if (!text.empty() && text.size() <= 18) {
    int64_t value = 0;
    size_t i = 0;
    for (; i < text.size() && IsDigit(text[i]); ++i) value = value * 10 + (text[i] - '0');
    if (i == text.size()) {
      out = value;
      return true;
    }
  }
  if (!CheckShape("count", text, error)) return false;
  int64_t value = 0;
  for (char c : text) {
    if (!IsDigit(c)) {
      error = fmt::format("count {} is not a whole number", Quoted(text));
      return false;
    }
    if (__builtin_mul_overflow(value, 10, &value) ||
        __builtin_add_overflow(value, c - '0', &value)) {
      error = fmt::format("count {} is too large", Quoted(text));
      return false;
    }
  }
  out = value;
  return true;
}

}  // namespace polc::rt
