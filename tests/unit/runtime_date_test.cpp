// Unit tests for day-number dates: parsing, formatting and calendar arithmetic.
#include "runtime/date.h"

#include <string>

#include <gtest/gtest.h>

#include "runtime/abi.h"

namespace polc::rt {
namespace {

int32_t D(std::string_view text) {
  int32_t days = 0;
  std::string error;
  EXPECT_TRUE(ParseDate(text, days, error)) << text << ": " << error;
  return days;
}

std::string DateError(std::string_view text) {
  int32_t days = 42;
  std::string error;
  EXPECT_FALSE(ParseDate(text, days, error)) << text;
  EXPECT_EQ(days, 42);
  return error;
}

TEST(RuntimeDate, DayNumbers) {
  EXPECT_EQ(MakeDate(1970, 1, 1), 0);
  EXPECT_EQ(MakeDate(1969, 12, 31), -1);
  EXPECT_EQ(MakeDate(2000, 3, 1), 11017);  // 10957 days to 2000-01-01, + 31 + 29
  EXPECT_EQ(D("2000-03-01"), 11017);
  EXPECT_EQ(FormatDate(-1), "1969-12-31");
  EXPECT_EQ(FormatDate(11017), "2000-03-01");
  int y = 0;
  unsigned m = 0;
  unsigned d = 0;
  SplitDate(MakeDate(2024, 2, 29), y, m, d);
  EXPECT_EQ(y, 2024);
  EXPECT_EQ(m, 2u);
  EXPECT_EQ(d, 29u);
}

TEST(RuntimeDate, ParseAccepts) {
  EXPECT_EQ(D("2024-02-29"), MakeDate(2024, 2, 29));
  EXPECT_EQ(D("2000-02-29"), MakeDate(2000, 2, 29));
  EXPECT_EQ(FormatDate(D("1000-01-01")), "1000-01-01");
  EXPECT_EQ(FormatDate(D("9999-12-31")), "9999-12-31");
  std::string appended = "on ";
  AppendDate(appended, D("2026-02-28"));
  EXPECT_EQ(appended, "on 2026-02-28");
  EXPECT_EQ(D("2026-12-31") - D("2026-01-01"), 364);
}

TEST(RuntimeDate, ParseRejects) {
  EXPECT_EQ(DateError("2026-13-01"), "date '2026-13-01' has no month 13");
  EXPECT_EQ(DateError("2026-00-10"), "date '2026-00-10' has no month 0");
  EXPECT_EQ(DateError("2026-02-29"), "date '2026-02-29' does not exist: 2026-02 has 28 days");
  EXPECT_EQ(DateError("1900-02-29"), "date '1900-02-29' does not exist: 1900-02 has 28 days");
  EXPECT_EQ(DateError("2026-04-31"), "date '2026-04-31' does not exist: 2026-04 has 30 days");
  EXPECT_EQ(DateError("2026-01-00"), "date '2026-01-00' does not exist: 2026-01 has 31 days");
  EXPECT_EQ(DateError("2026-1-1"), "date '2026-1-1' is not in YYYY-MM-DD form");
  EXPECT_EQ(DateError(""), "date is empty");
  EXPECT_EQ(DateError("2026/01/01"), "date '2026/01/01' is not in YYYY-MM-DD form");
  EXPECT_EQ(DateError("2026-01-01 "), "date '2026-01-01 ' is not in YYYY-MM-DD form");
  EXPECT_EQ(DateError("+026-01-01"), "date '+026-01-01' is not in YYYY-MM-DD form");
  EXPECT_EQ(DateError("0999-12-31"), "date '0999-12-31' has a year before 1000");
}

std::string PlusMonths(std::string_view date, int64_t months) {
  return FormatDate(AddMonths(D(date), months));
}

TEST(RuntimeDate, AddMonthsClampsToMonthEnd) {
  EXPECT_EQ(PlusMonths("2026-01-31", 1), "2026-02-28");
  EXPECT_EQ(PlusMonths("2024-01-31", 1), "2024-02-29");
  EXPECT_EQ(PlusMonths("2026-03-31", 1), "2026-04-30");
  EXPECT_EQ(PlusMonths("2026-03-31", -1), "2026-02-28");
  EXPECT_EQ(PlusMonths("2024-02-29", 12), "2025-02-28");
  EXPECT_EQ(PlusMonths("2026-08-31", 18), "2028-02-29");
}

TEST(RuntimeDate, AddMonthsAcrossYears) {
  EXPECT_EQ(PlusMonths("2026-05-15", 12), "2027-05-15");
  EXPECT_EQ(PlusMonths("2026-05-15", 0), "2026-05-15");
  EXPECT_EQ(PlusMonths("2026-01-15", -1), "2025-12-15");
  EXPECT_EQ(PlusMonths("2025-11-30", 3), "2026-02-28");
  EXPECT_EQ(PlusMonths("2026-12-01", 1), "2027-01-01");
  EXPECT_EQ(PlusMonths("2026-01-31", -13), "2024-12-31");
  EXPECT_EQ(PlusMonths("2026-01-01", -12 * 30), "1996-01-01");
  EXPECT_EQ(FormatDate(AddMonths(MakeDate(1969, 12, 31), 2)), "1970-02-28");
  EXPECT_EQ(FormatDate(polc_rt_add_months(D("2026-01-31"), 1)), "2026-02-28");
}

TEST(RuntimeDate, ShiftYearsOnLeapDay) {
  EXPECT_EQ(FormatDate(ShiftYears(D("2024-02-29"), 1)), "2025-02-28");
  EXPECT_EQ(FormatDate(ShiftYears(D("2024-02-29"), -1)), "2023-02-28");
  EXPECT_EQ(FormatDate(ShiftYears(D("2024-02-29"), 4)), "2028-02-29");
  EXPECT_EQ(FormatDate(ShiftYears(D("2024-02-29"), -4)), "2020-02-29");
  EXPECT_EQ(FormatDate(ShiftYears(D("2024-02-29"), 76)), "2100-02-28");
  EXPECT_EQ(FormatDate(ShiftYears(D("2024-02-28"), 1)), "2025-02-28");
  EXPECT_EQ(FormatDate(ShiftYears(D("2026-03-01"), -60)), "1966-03-01");
}

TEST(RuntimeDate, CalendarHelpers) {
  EXPECT_TRUE(IsLeapYear(2024));
  EXPECT_TRUE(IsLeapYear(2000));
  EXPECT_FALSE(IsLeapYear(1900));
  EXPECT_FALSE(IsLeapYear(2026));
  EXPECT_EQ(DaysInMonth(2026, 2), 28u);
  EXPECT_EQ(DaysInMonth(2024, 2), 29u);
  EXPECT_EQ(DaysInMonth(2026, 12), 31u);
  EXPECT_EQ(DaysInMonth(2026, 11), 30u);
}

}  // namespace
}  // namespace polc::rt
