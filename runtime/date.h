// Calendar dates as day numbers, shared by the interpreter and the JIT.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace polc::rt {

// A date is int32 days since 1970-01-01, so comparisons and day differences are plain integer
// operations in both engines.

bool IsLeapYear(int64_t year);
unsigned DaysInMonth(int64_t year, unsigned month);

// Strict ISO "YYYY-MM-DD": exactly 10 characters, a real calendar date, year 1000..9999.
bool ParseDate(std::string_view text, int32_t& days, std::string& error);
std::string FormatDate(int32_t days);
// The same appended to `out`, without a format string or a temporary (result files).
void AppendDate(std::string& out, int32_t days);

// m is 1..12 and d is a valid day of that month.
int32_t MakeDate(int y, unsigned m, unsigned d);
void SplitDate(int32_t days, int& y, unsigned& m, unsigned& d);

// Calendar months; the day is clamped to the end of the target month (01-31 + 1 -> 02-28).
int32_t AddMonths(int32_t days, int64_t months);

// Same date N years away; 29 February becomes 28 February in a non-leap target year.
int32_t ShiftYears(int32_t days, int64_t years);

// The representable dates: 1000-01-01 .. 9999-12-31 (what ParseDate accepts and FormatDate
// writes as YYYY-MM-DD). Date arithmetic that leaves this range is a run-time error.
int32_t MinDate();
int32_t MaxDate();
// date + months (clamped to the month's end) + days, in `out`; false when the result is not
// representable (nor are the intermediate steps: no wrap-around).
bool AddDuration(int64_t date, int64_t months, int64_t days, int64_t& out);

}  // namespace polc::rt
