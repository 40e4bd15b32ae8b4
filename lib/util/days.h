// Fast conversions between civil dates and day numbers (days since
// 1970-01-01), after Howard Hinnant's "chrono-Compatible Low-Level Date
// Algorithms". Chunks store dates as day numbers and the query path converts
// many of them, so these avoid absl's general civil-time normalization.
#ifndef KPIDB_LIB_UTIL_DAYS_H_
#define KPIDB_LIB_UTIL_DAYS_H_

#include <cstdint>

#include "absl/time/civil_time.h"

namespace kpidb {

struct YearMonthDay {
  int64_t year;
  int month;  // 1-12
  int day;    // 1-31
};

// Both work on years shifted by 40000 (100 whole 400-year eras, so the
// calendar repeats exactly) to keep every intermediate non-negative: the
// divisions are then by unsigned constants, which compile to multiplies.
// Chunk decoding converts a date per row, and signed division showed up as
// `idiv` in profiles. Valid for years after -40000.
inline constexpr int64_t kShiftYears = 40000;
inline constexpr int64_t kShiftDays = kShiftYears / 400 * 146097;

constexpr int64_t DaysFromCivil(int64_t y, int m, int d) {
  const uint64_t yy = static_cast<uint64_t>(y + kShiftYears - (m <= 2));
  const uint64_t era = yy / 400;
  const uint64_t yoe = yy - era * 400;
  const uint64_t mp = static_cast<uint64_t>(m > 2 ? m - 3 : m + 9);
  const uint64_t doy = (153 * mp + 2) / 5 + static_cast<uint64_t>(d) - 1;
  const uint64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<int64_t>(era * 146097 + doe) - 719468 - kShiftDays;
}

constexpr YearMonthDay CivilFromDays(int64_t days) {
  const uint64_t z = static_cast<uint64_t>(days + 719468 + kShiftDays);
  const uint64_t era = z / 146097;
  const uint64_t doe = z - era * 146097;
  const uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const uint64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const uint64_t mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return YearMonthDay{static_cast<int64_t>(yoe + era * 400) - kShiftYears + (m <= 2),
                      m, d};
}

static_assert(DaysFromCivil(1970, 1, 1) == 0);
static_assert(DaysFromCivil(2013, 12, 31) == 16070);
static_assert(DaysFromCivil(1, 1, 1) == -719162);
static_assert(CivilFromDays(16070).year == 2013 && CivilFromDays(16070).day == 31);
static_assert(CivilFromDays(-719162).year == 1 && CivilFromDays(-719162).month == 1);
static_assert(CivilFromDays(DaysFromCivil(-8800, 2, 29)).day == 29);

constexpr bool IsLeapYear(int64_t y) {
  return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

constexpr int DaysInMonth(int64_t y, int m) {
  constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeapYear(y) ? 29 : kDays[m - 1];
}

// Day number of the first day of month `month_index` (year * 12 + month - 1).
// A table covers 1900-2199, where nearly all data lives; other months are
// computed.
namespace days_internal {
inline constexpr int64_t kTableFirstYear = 1900;
inline constexpr int kTableYears = 300;
struct MonthTable {
  int32_t first_day[kTableYears * 12 + 1];
};
constexpr MonthTable MakeMonthTable() {
  MonthTable t{};
  for (int i = 0; i <= kTableYears * 12; ++i) {
    t.first_day[i] = static_cast<int32_t>(
        DaysFromCivil(kTableFirstYear + i / 12, i % 12 + 1, 1));
  }
  return t;
}
inline constexpr MonthTable kMonthTable = MakeMonthTable();
}  // namespace days_internal

inline int64_t MonthStartDay(int64_t month_index) {
  const int64_t i = month_index - days_internal::kTableFirstYear * 12;
  if (i >= 0 && i <= days_internal::kTableYears * 12) {
    return days_internal::kMonthTable.first_day[i];
  }
  const int64_t y = month_index >= 0 ? month_index / 12 : -((-month_index + 11) / 12);
  return DaysFromCivil(y, static_cast<int>(month_index - y * 12) + 1, 1);
}

inline int64_t ToDays(absl::CivilDay day) {
  return DaysFromCivil(day.year(), day.month(), day.day());
}

inline absl::CivilDay FromDays(int64_t days) {
  const YearMonthDay ymd = CivilFromDays(days);
  return absl::CivilDay(ymd.year, ymd.month, ymd.day);
}

}  // namespace kpidb

#endif  // KPIDB_LIB_UTIL_DAYS_H_
