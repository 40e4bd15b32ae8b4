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

constexpr int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

constexpr YearMonthDay CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return YearMonthDay{yoe + era * 400 + (m <= 2), m, d};
}

constexpr bool IsLeapYear(int64_t y) {
  return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

constexpr int DaysInMonth(int64_t y, int m) {
  constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeapYear(y) ? 29 : kDays[m - 1];
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
