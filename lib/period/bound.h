// Period bounds of a query: the labels a user writes for `from`, `to` or one
// `period`, resolved through one company's calendar. Shared by the store's
// selection and the derived queries, so both read a bound the same way.
#ifndef KPIDB_LIB_PERIOD_BOUND_H_
#define KPIDB_LIB_PERIOD_BOUND_H_

#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "kpidb/period.h"

namespace kpidb {

// InvalidArgument when both a period and a range bound are set: a query
// selects one period or a range.
[[nodiscard]] absl::Status CheckPeriodOrRange(std::string_view period,
                                              std::string_view from,
                                              std::string_view to);

// A `from`, `to` or `period` label through one company's calendar:
// InvalidArgument ("bad period bound: ...") when it is not a period.
[[nodiscard]] absl::StatusOr<Period> ParseBound(std::string_view label,
                                                const FiscalCalendar& calendar);

}  // namespace kpidb

#endif  // KPIDB_LIB_PERIOD_BOUND_H_
