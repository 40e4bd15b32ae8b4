// Which periods of a series a derived query's view and calendar window
// keep, and the quarter grid that answers it. Shared by ExecuteDerived and
// ExecuteDerivedHistory, so both apply a view the same way.
#ifndef KPIDB_LIB_ANALYTICS_SERIES_VIEW_H_
#define KPIDB_LIB_ANALYTICS_SERIES_VIEW_H_

#include <span>

#include "kpidb/analytics.h"
#include "kpidb/period.h"
#include "lib/derive/derive.h"

namespace kpidb::analytics {

// Whether `p` is a row `dq` returns by its view and calendar window.
// `grid` covers the fiscal years of every row of the series.
bool InView(const DerivedQuery& dq, const Period& p, const derive::QuarterGrid& grid);

// The quarter grid of a series: its data's fiscal years, one more each side
// (the bases of changes and derivations reach a year back).
derive::QuarterGrid GridOf(const FiscalCalendar& calendar, std::span<const Period> periods);

}  // namespace kpidb::analytics

#endif  // KPIDB_LIB_ANALYTICS_SERIES_VIEW_H_
