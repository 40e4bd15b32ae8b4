// A derived query's range through one series' calendar. ExecuteDerived reads
// whole series (a derived period in range can need inputs outside it, and a
// change needs the year before), so each series applies the range itself,
// with the labels resolved through its company's calendar.
#ifndef KPIDB_LIB_ANALYTICS_SERIES_RANGE_H_
#define KPIDB_LIB_ANALYTICS_SERIES_RANGE_H_

#include <cstdint>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "kpidb/analytics.h"
#include "kpidb/period.h"

namespace kpidb::analytics {

struct SeriesRange {
  // The days a row must lie within, inclusive; unbounded: all of 0001-9999.
  absl::CivilDay from = absl::CivilDay(1, 1, 1);
  absl::CivilDay to = absl::CivilDay(9999, 12, 31);
  // `from` and `to` as day numbers: Contains runs for every figure.
  int64_t from_day = 0;
  int64_t to_day = 0;
  // query.period, when set: the one period returned.
  std::optional<Period> exact;
  // Whether something other than the default bounds `from` (query.from,
  // query.period or a calendar window): derivation then starts the year
  // before it rather than at the data's first year.
  bool bounded = false;

  // Whether `p` lies within [from, to] and, with an exact period, is it.
  bool Contains(const Period& p) const {
    return p.start_day_number() >= from_day && p.end_day_number() <= to_day &&
           (!exact.has_value() || p == *exact);
  }
};

// The range of `dq` (query.from, query.to, query.period or
// calendar_window) through `calendar`. A calendar window keeps periods
// ending inside it, so the range starts a period's length before the
// window. InvalidArgument for a period combined with from/to, and ("bad
// period bound: ...") for a label that is not a period.
[[nodiscard]] absl::StatusOr<SeriesRange> ResolveSeriesRange(const DerivedQuery& dq,
                                                             const FiscalCalendar& calendar);

}  // namespace kpidb::analytics

#endif  // KPIDB_LIB_ANALYTICS_SERIES_RANGE_H_
