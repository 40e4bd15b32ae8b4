#include "lib/analytics/series_view.h"

#include <algorithm>
#include <cstdint>
#include <limits>

#include "lib/util/days.h"

namespace kpidb::analytics {
namespace {

// Whether `p` is of the kind of period the view returns.
bool InKindOfView(DerivedQuery::View view, const Period& p, const derive::QuarterGrid& grid) {
  if (view == DerivedQuery::View::kAll) return true;
  int y, first, last;
  if (!grid.Locate(p, &y, &first, &last)) return false;
  if (view == DerivedQuery::View::kQuarters && first != last) return false;
  if (view == DerivedQuery::View::kFiscalYears && (first != 1 || last != 4)) return false;
  return true;
}

// Whether `p` ends inside `window` and is as long as it.
bool InCalendarWindow(const Period& window, const Period& p) {
  if (p.is_instant() || p.end_day_number() < window.start_day_number() ||
      p.end_day_number() > window.end_day_number()) {
    return false;
  }
  const int window_months = window.whole_months();
  return window_months > 0 ? p.whole_months() == window_months
                           : p.length_days() == window.length_days();
}

}  // namespace

bool InView(const DerivedQuery& dq, const Period& p, const derive::QuarterGrid& grid) {
  if (!InKindOfView(dq.view, p, grid)) return false;
  return !dq.calendar_window.has_value() || InCalendarWindow(*dq.calendar_window, p);
}

derive::QuarterGrid GridOf(const FiscalCalendar& calendar, std::span<const Period> periods) {
  if (periods.empty()) return derive::QuarterGrid(calendar, 0, -1);
  // FiscalYearOf is monotonic in the day: the extremes suffice.
  int64_t lo = std::numeric_limits<int64_t>::max();
  int64_t hi = std::numeric_limits<int64_t>::min();
  for (const Period& p : periods) {
    lo = std::min(lo, p.start_day_number());
    hi = std::max(hi, p.end_day_number());
  }
  return derive::QuarterGrid(calendar, calendar.FiscalYearOf(FromDays(lo)) - 1,
                            calendar.FiscalYearOf(FromDays(hi)) + 1);
}

}  // namespace kpidb::analytics
