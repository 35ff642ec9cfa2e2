// Unit tests for fixed-point money, rates, brackets and CSV value parsing.
#include "runtime/money.h"

#include <cstdint>
#include <limits>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "runtime/abi.h"
#include "runtime/date.h"

namespace polc::rt {
namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

TEST(RuntimeMoney, MulRateRoundsHalfUp) {
  EXPECT_EQ(MulRate(1, 5000), 1);   // 0.5 fen
  EXPECT_EQ(MulRate(3, 5000), 2);   // 1.5 fen
  EXPECT_EQ(MulRate(1, 4999), 0);   // 0.4999 fen
  EXPECT_EQ(MulRate(98800'00, 6500), 64220'00);
  EXPECT_EQ(MulRate(12345, 3333), 4115);  // 4114.5885
  EXPECT_EQ(MulRate(12345, 0), 0);
  EXPECT_EQ(MulRate(0, 6500), 0);
  EXPECT_EQ(MulRate(100, 10000), 100);
}

TEST(RuntimeMoney, MulRateNegativeUsesFloor) {
  EXPECT_EQ(MulRate(-1, 5000), 0);   // -0.5 -> floor(0.0)
  EXPECT_EQ(MulRate(-1, 6000), -1);  // -0.6 -> floor(-0.1)
  EXPECT_EQ(MulRate(-3, 5000), -1);  // -1.5 -> floor(-1.0)
  EXPECT_EQ(MulRate(1, -6000), -1);
  EXPECT_EQ(MulRate(-98800'00, 6500), -64220'00);
}

TEST(RuntimeMoney, MulRateDoesNotOverflowIntermediate) {
  EXPECT_EQ(MulRate(kMax, 10000), kMax);
  EXPECT_EQ(MulRate(kMax, 5000), 4611686018427387904);  // ...903.5 rounds up
}

const int64_t kLowers[] = {0, 30000'00, 80000'00, 150000'00};
const int64_t kRates[] = {6000, 6500, 7500, 8500};

TEST(RuntimeMoney, BracketSumMarginal) {
  // 30000.00 * 60% + 7670.00 * 65% = 18000.00 + 4985.50
  EXPECT_EQ(BracketSum(37670'00, kLowers, kRates, 4, 0), 22985'50);
  // +5 points: 30000.00 * 65% + 7670.00 * 70% = 19500.00 + 5369.00
  EXPECT_EQ(BracketSum(37670'00, kLowers, kRates, 4, 500), 24869'00);
  // -10 points: 15000.00 + 4218.50
  EXPECT_EQ(BracketSum(37670'00, kLowers, kRates, 4, -1000), 19218'50);
  // Exactly on a boundary uses only the lower row.
  EXPECT_EQ(BracketSum(30000'00, kLowers, kRates, 4, 0), 18000'00);
  EXPECT_EQ(BracketSum(30000'01, kLowers, kRates, 4, 0), 18000'00 + 1);  // 0.65 fen
}

TEST(RuntimeMoney, BracketSumOpenTopRow) {
  // 18000 + 50000*65% + 70000*75% + 50000*85% = 18000 + 32500 + 52500 + 42500
  EXPECT_EQ(BracketSum(200000'00, kLowers, kRates, 4, 0), 145500'00);
  const int64_t lowers[] = {0};
  const int64_t rates[] = {6000};
  EXPECT_EQ(BracketSum(1000, lowers, rates, 1, 0), 600);
}

TEST(RuntimeMoney, BracketSumRoundsOnceAtTheEnd) {
  const int64_t lowers[] = {0, 1};
  const int64_t rates[] = {5000, 5000};
  // 0.5 + 0.5 = 1 fen; rounding per row would give 2.
  EXPECT_EQ(BracketSum(2, lowers, rates, 2, 0), 1);
  EXPECT_EQ(BracketSum(3, lowers, rates, 2, 0), 2);  // 1.5
}

TEST(RuntimeMoney, BracketSumNonPositiveAmount) {
  EXPECT_EQ(BracketSum(0, kLowers, kRates, 4, 0), 0);
  EXPECT_EQ(BracketSum(-500'00, kLowers, kRates, 4, 0), 0);
  EXPECT_EQ(BracketSum(500'00, kLowers, kRates, 0, 0), 0);
}

TEST(RuntimeMoney, AbiWrappersMatch) {
  EXPECT_EQ(polc_rt_mul_rate(3, 5000), 2);
  EXPECT_EQ(polc_rt_bracket_sum(37670'00, kLowers, kRates, 4, 500), 24869'00);
  int64_t moved = 0;
  EXPECT_EQ(polc_rt_add_duration(MakeDate(2024, 2, 29), 12, 1, &moved), 1);
  EXPECT_EQ(moved, MakeDate(2025, 3, 1));
  EXPECT_EQ(polc_rt_add_duration(MakeDate(2024, 2, 29), 1000000000, 0, &moved), 0);
  EXPECT_EQ(polc_rt_add_duration(MakeDate(9999, 12, 31), 0, 1, &moved), 0);
  EXPECT_EQ(polc_rt_add_duration(MakeDate(1000, 1, 1), 0, -1, &moved), 0);
  EXPECT_EQ(polc_rt_add_duration(MakeDate(2026, 1, 1), 0, kMax, &moved), 0);
  // The four helpers above and the eight protocol functions the unoptimized JIT calls.
  std::set<std::string> names;
  for (const AbiSymbol& symbol : AbiSymbols()) {
    EXPECT_NE(symbol.address, nullptr) << symbol.name;
    names.insert(symbol.name);
  }
  EXPECT_EQ(names.size(), 12u);
  EXPECT_TRUE(names.count("polc_acc_apply") == 1 && names.count("polc_mul_rate") == 1);
}

int64_t Money(std::string_view text) {
  int64_t fen = -1;
  std::string error;
  EXPECT_TRUE(ParseMoney(text, fen, error)) << text << ": " << error;
  return fen;
}

std::string MoneyError(std::string_view text) {
  int64_t fen = 12345;
  std::string error;
  EXPECT_FALSE(ParseMoney(text, fen, error)) << text;
  EXPECT_EQ(fen, 12345) << "output must be untouched on failure";
  return error;
}

TEST(RuntimeMoney, ParseMoneyAccepts) {
  EXPECT_EQ(Money("1234"), 1234'00);
  EXPECT_EQ(Money("1234.5"), 1234'50);
  EXPECT_EQ(Money("1234.56"), 1234'56);
  EXPECT_EQ(Money("0"), 0);
  EXPECT_EQ(Money("0.5"), 50);
  EXPECT_EQ(Money("0.05"), 5);
  EXPECT_EQ(Money("007.10"), 710);
  EXPECT_EQ(Money("92233720368547758.07"), kMax);
}

TEST(RuntimeMoney, ParseMoneyRejectsWithReason) {
  EXPECT_EQ(MoneyError("12.345"), "money '12.345' has more than two decimals");
  EXPECT_EQ(MoneyError(""), "money is empty");
  EXPECT_EQ(MoneyError("-3"), "money '-3' has a sign");
  EXPECT_EQ(MoneyError("+3"), "money '+3' has a sign");
  EXPECT_EQ(MoneyError(".5"), "money '.5' has no digits before the decimal point");
  EXPECT_EQ(MoneyError("12."), "money '12.' has no digits after the decimal point");
  EXPECT_EQ(MoneyError(" 12"), "money ' 12' has spaces");
  EXPECT_EQ(MoneyError("12 "), "money '12 ' has spaces");
  EXPECT_EQ(MoneyError("1e5"), "money '1e5' has an exponent");
  EXPECT_EQ(MoneyError("1.5E2"), "money '1.5E2' has an exponent");
  EXPECT_EQ(MoneyError("abc"), "money 'abc' is not a number");
  EXPECT_EQ(MoneyError("1,000"), "money '1,000' is not a number");
  EXPECT_EQ(MoneyError("1.2.3"), "money '1.2.3' is not a number");
  EXPECT_EQ(MoneyError("92233720368547758.08"), "money '92233720368547758.08' is too large");
  EXPECT_EQ(MoneyError("92233720368547759"), "money '92233720368547759' is too large");
  EXPECT_EQ(MoneyError("99999999999999999999999"),
            "money '99999999999999999999999' is too large");
}

TEST(RuntimeMoney, FormatMoney) {
  EXPECT_EQ(FormatMoney(0), "0.00");
  EXPECT_EQ(FormatMoney(1234'50), "1234.50");
  EXPECT_EQ(FormatMoney(-305), "-3.05");
  EXPECT_EQ(FormatMoney(5), "0.05");
  EXPECT_EQ(FormatMoney(-5), "-0.05");
  EXPECT_EQ(FormatMoney(kMax), "92233720368547758.07");
  EXPECT_EQ(FormatMoney(kMin), "-92233720368547758.08");
  EXPECT_EQ(Money(FormatMoney(64220'00)), 64220'00);
}

TEST(RuntimeMoney, AppendMoneyAndIntAppendToWhatIsThere) {
  std::string out = "x,";
  AppendMoney(out, -1234'56);
  out += ',';
  AppendInt(out, 0);
  out += ',';
  AppendInt(out, kMin);
  out += ',';
  AppendInt(out, kMax);
  out += ',';
  AppendInt(out, -42);
  EXPECT_EQ(out, "x,-1234.56,0,-9223372036854775808,9223372036854775807,-42");
}

TEST(RuntimeMoney, ParseCount) {
  int64_t out = -1;
  std::string error;
  EXPECT_TRUE(ParseCount("0", out, error));
  EXPECT_EQ(out, 0);
  EXPECT_TRUE(ParseCount("42", out, error));
  EXPECT_EQ(out, 42);
  EXPECT_TRUE(ParseCount("9223372036854775807", out, error));
  EXPECT_EQ(out, kMax);

  const auto reject = [](std::string_view text) {
    int64_t value = 7;
    std::string message;
    EXPECT_FALSE(ParseCount(text, value, message)) << text;
    EXPECT_EQ(value, 7);
    return message;
  };
  EXPECT_EQ(reject(""), "count is empty");
  EXPECT_EQ(reject("-1"), "count '-1' has a sign");
  EXPECT_EQ(reject("+1"), "count '+1' has a sign");
  EXPECT_EQ(reject(" 1"), "count ' 1' has spaces");
  EXPECT_EQ(reject("1.0"), "count '1.0' is not a whole number");
  EXPECT_EQ(reject("1e3"), "count '1e3' is not a whole number");
  EXPECT_EQ(reject("9223372036854775808"), "count '9223372036854775808' is too large");
}

}  // namespace
}  // namespace polc::rt
