// Changes of a derived query's rows: which period a row compares with,
// where that period's figure is, and the difference and percent as decks
// print them ("up 7.9% YoY", "down 1.5 pt.").
#ifndef KPIDB_LIB_ANALYTICS_CHANGE_H_
#define KPIDB_LIB_ANALYTICS_CHANGE_H_

#include <optional>
#include <span>
#include <vector>

#include "absl/status/status.h"
#include "kpidb/analytics.h"
#include "kpidb/decimal.h"
#include "kpidb/period.h"
#include "kpidb/unit.h"
#include "lib/derive/derive.h"

namespace kpidb::analytics {

// `p` moved back by `months` months: month-aligned periods stay aligned
// (FY2013Q3 -> FY2012Q3 for 12), other periods keep their length in days
// (a year back keeps the calendar dates); instants on a month's last day
// stay on one. Unset when there is no such period (an instant on the 30th
// moved to February).
std::optional<Period> ShiftBack(const Period& p, int months);

// The period that a row for period `p` compares with under `change` (not
// kNone): for YoY the same quarters of the fiscal year before when `grid`
// places `p`, else `p` shifted back a year; for a period-over-period change
// `p` shifted back by its own length (a quarter for an instant).
std::optional<Period> BasePeriodOf(DerivedQuery::Change change, const Period& p,
                                   const derive::QuarterGrid& grid);

// The figures of one series a change can compare with, sorted by period for
// lookup. Holds pointers into the spans given to Rebuild, and its buffer is
// kept from series to series.
class ChangeBases {
 public:
  // Every stored or derived figure (stored and derived periods never
  // coincide), and the TTMs whose period is neither: a TTM's YoY compares
  // with the TTM a year earlier. Each span must be in period order.
  void Rebuild(std::span<const derive::Figure> stored, std::span<const derive::Figure> derived,
               std::span<const derive::Figure> ttm);

  // The figure for `period`, the last of equal ones (as a linear scan would
  // find); null when there is none.
  const derive::Figure* Find(const Period& period) const;

 private:
  std::vector<const derive::Figure*> sorted_;
};

// The unit of changes of a `%` metric: percentage points.
const Unit& PointsUnit();

// A row's change against its base period; only `unit` is set when the row
// has no base.
struct RowChange {
  std::optional<Period> base;     // the period compared to
  std::optional<Decimal> change;  // row - base, in *unit
  std::optional<Decimal> percent;
  // The finer scale of the row's and the base's, PointsUnit() for a `%`
  // metric, the row's own without a base. Not owned: the query result's.
  const Unit* unit = nullptr;

  bool in_points() const { return unit == &PointsUnit(); }
};

// The change of `row` against `base` into *out. The percent is
// (row - base) / |base| * 100 with `percent_digits` digits, unset for a zero
// base or a `%` metric (whose change is in points). InvalidArgument when the
// units' dimensions differ; OutOfRange when a result does not fit.
//
// *difference is scratch, overwritten: callers keep one from row to row, as
// a fresh Figure per row (zeroed, then partly overwritten) cost about 2% of
// a YoY query.
[[nodiscard]] absl::Status ComputeChange(const derive::Figure& row, const derive::Figure& base,
                                         int percent_digits, Decimal::Rounding rounding,
                                         derive::Figure* difference, RowChange* out);

}  // namespace kpidb::analytics

#endif  // KPIDB_LIB_ANALYTICS_CHANGE_H_
