#include "lib/analytics/series_range.h"

#include <utility>

#include "lib/period/bound.h"
#include "lib/util/days.h"
#include "lib/util/status_macros.h"

namespace kpidb::analytics {

absl::StatusOr<SeriesRange> ResolveSeriesRange(const DerivedQuery& dq,
                                               const FiscalCalendar& calendar) {
  SeriesRange range;
  if (dq.calendar_window.has_value()) {
    // A calendar window keeps periods ending inside it, so they start at
    // most their length (and a margin of 62 days) before it.
    const Period& w = *dq.calendar_window;
    range.from = w.start() - w.length_days() - 62;
    range.to = w.end();
  }
  KPIDB_ASSIGN_OR_RETURN(
      ResolvedBounds b,
      ResolveBounds(dq.query.period, dq.query.from, dq.query.to, calendar));
  if (b.from.has_value()) range.from = b.from->start();
  if (b.to.has_value()) range.to = b.to->end();
  if (b.period.has_value()) {
    range.exact = std::move(b.period);
    range.from = range.exact->start();
    range.to = range.exact->end();
  }
  range.bounded = dq.calendar_window.has_value() || !dq.query.from.empty() ||
                  range.exact.has_value();
  range.from_day = ToDays(range.from);
  range.to_day = ToDays(range.to);
  return range;
}

}  // namespace kpidb::analytics
