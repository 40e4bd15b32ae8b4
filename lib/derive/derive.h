// Derived periods of one series: quarters, halves, years and cumulative
// periods that are not stored but follow exactly from stored ones
// (FY2013Q3 = FY2013Q1-Q3 - FY2013H1; FY2012Q4 = FY2012 - FY2012Q1-Q3;
// FY = H1 + H2...), and trailing twelve months. Pure functions over the
// figures of one series, so they are tested without a database.
#ifndef KPIDB_LIB_DERIVE_DERIVE_H_
#define KPIDB_LIB_DERIVE_DERIVE_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "kpidb/decimal.h"
#include "kpidb/derivation.h"
#include "kpidb/period.h"
#include "kpidb/unit.h"

namespace kpidb::derive {

// One value of a series: stored, or derived with the formula that made it.
struct Figure {
  Period period;
  Decimal value;
  // Not owned: a unit of the query result the figures come from (a derived
  // figure's is one of its inputs'). Units are strings, and copying one per
  // figure was a tenth of a derived query's time.
  const Unit* unit = nullptr;
  std::optional<absl::CivilDay> as_of;
  // Kept as periods: most derived figures are inputs of others or filtered
  // out, and only the returned ones need their formula printed.
  Derivation derivation;
};

// The fiscal quarters of years [first_fy, last_fy] as day numbers, and where
// a period sits among them. Derivation and views match many periods against
// quarter boundaries; comparing day numbers spares a civil-date conversion
// per comparison, which dominated profiles.
class QuarterGrid {
 public:
  QuarterGrid(const FiscalCalendar& calendar, int first_fy, int last_fy);

  int years() const { return years_; }
  int first_fy() const { return first_fy_; }

  // Quarters q..r (1-4) of year index y (fiscal year first_fy() + y).
  Period Span(int y, int q, int r) const {
    return Period::FromDayNumbers(starts_[static_cast<size_t>(4 * y + q - 1)],
                                  starts_[static_cast<size_t>(4 * y + r)] - 1, false);
  }

  // For a duration from the start of a quarter to the end of a quarter of
  // the same fiscal year of the grid: true, with the year index and the
  // first and last quarter (1-4). False for anything else.
  bool Locate(const Period& p, int* y, int* first, int* last) const;

 private:
  int first_fy_;
  int years_;
  std::vector<int64_t> starts_;  // first day of each quarter, then a sentinel
};

// a + b or a - b of two figures of one series: exact, in the finer of the
// two scales, as_of the later of the two. InvalidArgument when the units'
// dimensions differ; OutOfRange when the result does not fit 18 digits.
// The result's period is left for the caller to set.
[[nodiscard]] absl::StatusOr<Figure> Combine(const Figure& a, const Figure& b, bool subtract);
// Same, into *out (its period untouched): the hot path of derivation. *out
// must be neither a nor b.
[[nodiscard]] absl::Status CombineInto(const Figure& a, const Figure& b, bool subtract,
                                       Figure* out);

// The fiscal quarters, halves, years and Q1-Q3 periods of fiscal years
// [first_fy, last_fy] that are not in `stored` but can be derived from its
// durations (instants are ignored: a balance is not a flow). A stored figure
// always wins. Sorted in period order.
//
// `wanted` narrows the output to some kinds of span (kQuarterSpans,
// kYearSpans, or'd); the figures returned are the same as without it, only
// the work for the others is skipped.
inline constexpr uint16_t kQuarterSpans = 1 << 0;  // FY2013Q1 ... FY2013Q4
inline constexpr uint16_t kHalfSpans = 1 << 1;     // FY2013H1, FY2013H2
inline constexpr uint16_t kNineMonthSpans = 1 << 2;  // FY2013Q1-Q3
inline constexpr uint16_t kYearSpans = 1 << 3;     // FY2013
inline constexpr uint16_t kAllSpans = 0xf;
[[nodiscard]] absl::StatusOr<std::vector<Figure>> DeriveFiscalPeriods(
    std::span<const Figure> stored, const FiscalCalendar& calendar,
    int first_fy, int last_fy, uint16_t wanted = kAllSpans);

// Trailing twelve months ending at each fiscal quarter of [first_fy,
// last_fy] whose four quarters are in `quarters` (stored or derived).
[[nodiscard]] absl::StatusOr<std::vector<Figure>> TrailingTwelveMonths(
    std::span<const Figure> quarters, const FiscalCalendar& calendar,
    int first_fy, int last_fy);

}  // namespace kpidb::derive

#endif  // KPIDB_LIB_DERIVE_DERIVE_H_
