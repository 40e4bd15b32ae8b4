// Derived periods of one series: quarters, halves, years and cumulative
// periods that are not stored but follow exactly from stored ones
// (FY2013Q3 = FY2013Q1-Q3 - FY2013H1; FY2012Q4 = FY2012 - FY2012Q1-Q3;
// FY = H1 + H2...), and trailing twelve months. Pure functions over the
// figures of one series, so they are tested without a database.
#ifndef KPIDB_LIB_QUERY_DERIVE_H_
#define KPIDB_LIB_QUERY_DERIVE_H_

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "kpidb/decimal.h"
#include "kpidb/period.h"
#include "kpidb/unit.h"

namespace kpidb::query {

// One value of a series: stored, or derived with the formula that made it.
struct Figure {
  Period period;
  Decimal value;
  Unit unit;
  std::optional<absl::CivilDay> as_of;
  // Empty for a stored figure; "FY2013Q1-Q3 - FY2013H1" for a derived one.
  std::string formula;
};

// a + b or a - b of two figures of one series: exact, in the finer of the
// two scales, as_of the later of the two. InvalidArgument when the units'
// dimensions differ; OutOfRange when the result does not fit 18 digits.
absl::StatusOr<Figure> Combine(const Figure& a, const Figure& b, bool subtract,
                               const FiscalCalendar& calendar);

// The fiscal quarters, halves, years and Q1-Q3 periods of fiscal years
// [first_fy, last_fy] that are not in `stored` but can be derived from its
// durations (instants are ignored: a balance is not a flow). A stored figure
// always wins. Sorted in period order.
absl::StatusOr<std::vector<Figure>> DeriveFiscalPeriods(
    std::span<const Figure> stored, const FiscalCalendar& calendar,
    int first_fy, int last_fy);

// Trailing twelve months ending at each fiscal quarter of [first_fy,
// last_fy] whose four quarters are in `quarters` (stored or derived).
absl::StatusOr<std::vector<Figure>> TrailingTwelveMonths(
    std::span<const Figure> quarters, const FiscalCalendar& calendar,
    int first_fy, int last_fy);

}  // namespace kpidb::query

#endif  // KPIDB_LIB_QUERY_DERIVE_H_
