// Calendar dates as day numbers, shared by the interpreter and the JIT.
#include "runtime/date.h"

#include <algorithm>

#include <fmt/format.h>

namespace polc::rt {
namespace {

// Howard Hinnant's days_from_civil (proleptic Gregorian calendar).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

// Howard Hinnant's civil_from_days.
void CivilFromDays(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int64_t>(yoe) + era * 400 + (m <= 2);
}

// int32 days cannot reach beyond about 5.9 million years; clamping a little past that keeps
// absurd month or year counts from overflowing int64 (undefined behaviour) inside the
// algorithm. Such results are out of range anyway and simply wrap when narrowed to int32.
int64_t ClampYear(__int128 year) {
  // Far beyond any representable date, and small enough for int32 day numbers.
  constexpr int64_t kLimit = 1'000'000;
  return static_cast<int64_t>(std::clamp<__int128>(year, -kLimit, kLimit));
}

int32_t ToDays(int64_t y, unsigned m, unsigned d) {
  return static_cast<int32_t>(DaysFromCivil(y, m, d));
}

int ParseDigits(std::string_view text) {
  int value = 0;
  for (char c : text) value = value * 10 + (c - '0');
  return value;
}

}  // namespace

bool IsLeapYear(int64_t year) {
  return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

unsigned DaysInMonth(int64_t year, unsigned month) {
  static constexpr unsigned kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && IsLeapYear(year)) return 29;
  return kDays[(month - 1) % 12];
}

bool ParseDate(std::string_view text, int32_t& days, std::string& error) {
  if (text.empty()) {
    error = "date is empty";
    return false;
  }
  bool shaped = text.size() == 10 && text[4] == '-' && text[7] == '-';
  for (size_t i = 0; shaped && i < text.size(); ++i) {
    if (i != 4 && i != 7) shaped = text[i] >= '0' && text[i] <= '9';
  }
  if (!shaped) {
    error = fmt::format("date '{}' is not in YYYY-MM-DD form", text.substr(0, 40));
    return false;
  }
  const int year = ParseDigits(text.substr(0, 4));
  const auto month = static_cast<unsigned>(ParseDigits(text.substr(5, 2)));
  const auto day = static_cast<unsigned>(ParseDigits(text.substr(8, 2)));
  if (year < 1000) {
    error = fmt::format("date '{}' has a year before 1000", text);
    return false;
  }
  if (month < 1 || month > 12) {
    error = fmt::format("date '{}' has no month {}", text, month);
    return false;
  }
  if (day < 1 || day > DaysInMonth(year, month)) {
    error = fmt::format("date '{}' does not exist: {:04}-{:02} has {} days", text, year, month,
                        DaysInMonth(year, month));
    return false;
  }
  days = MakeDate(year, month, day);
  return true;
}

std::string FormatDate(int32_t days) {
  std::string out;
  AppendDate(out, days);
  return out;
}

void AppendDate(std::string& out, int32_t days) {
  int y = 0;
  unsigned m = 0;
  unsigned d = 0;
  SplitDate(days, y, m, d);
  if (y < 0 || y > 9999) {
    // Outside the four-digit years: as fmt's {:04} writes them.
    out += fmt::format("{:04}-{:02}-{:02}", y, m, d);
    return;
  }
  const unsigned year = static_cast<unsigned>(y);
  const char text[10] = {static_cast<char>('0' + year / 1000), static_cast<char>('0' + year / 100 % 10),
                         static_cast<char>('0' + year / 10 % 10), static_cast<char>('0' + year % 10), '-',
                         static_cast<char>('0' + m / 10), static_cast<char>('0' + m % 10), '-',
                         static_cast<char>('0' + d / 10), static_cast<char>('0' + d % 10)};
  out.append(text, sizeof(text));
}

int32_t MakeDate(int y, unsigned m, unsigned d) { return ToDays(y, m, d); }

void SplitDate(int32_t days, int& y, unsigned& m, unsigned& d) {
  int64_t year = 0;
  CivilFromDays(days, year, m, d);
  y = static_cast<int>(year);
}

int32_t AddMonths(int32_t days, int64_t months) {
  int64_t y = 0;
  unsigned m = 0;
  unsigned d = 0;
  CivilFromDays(days, y, m, d);
  const __int128 index = static_cast<__int128>(y) * 12 + (m - 1) + months;
  // Floor division so negative month indexes land in the right year.
  __int128 year = index / 12;
  if (index % 12 < 0) --year;
  const auto month = static_cast<unsigned>(index - year * 12) + 1;
  const int64_t target_year = ClampYear(year);
  return ToDays(target_year, month, std::min(d, DaysInMonth(target_year, month)));
}

int32_t ShiftYears(int32_t days, int64_t years) {
  int64_t y = 0;
  unsigned m = 0;
  unsigned d = 0;
  CivilFromDays(days, y, m, d);
  const int64_t target_year = ClampYear(static_cast<__int128>(y) + years);
  return ToDays(target_year, m, std::min(d, DaysInMonth(target_year, m)));
}

int32_t MinDate() { return ToDays(1000, 1, 1); }
int32_t MaxDate() { return ToDays(9999, 12, 31); }

bool AddDuration(int64_t date, int64_t months, int64_t days, int64_t& out) {
  if (date < MinDate() || date > MaxDate()) return false;
  const int64_t moved = AddMonths(static_cast<int32_t>(date), months);
  if (moved < MinDate() || moved > MaxDate()) return false;
  if (__builtin_add_overflow(moved, days, &out)) return false;
  return out >= MinDate() && out <= MaxDate();
}

}  // namespace polc::rt
