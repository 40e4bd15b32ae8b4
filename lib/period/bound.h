// Period bounds of a query: the labels a user writes for `from`, `to` or one
// `period`, resolved through one company's calendar. Shared by the store's
// selection and the derived queries, so both read a bound the same way.
#ifndef KPIDB_LIB_PERIOD_BOUND_H_
#define KPIDB_LIB_PERIOD_BOUND_H_

#include <optional>
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

// A query's bounds through one calendar: each label that is set, parsed.
// From and to leave period unset, and period leaves them unset.
struct ResolvedBounds {
  std::optional<Period> from;
  std::optional<Period> to;
  std::optional<Period> period;
};

// CheckPeriodOrRange, then ParseBound of each label that is set (from, to,
// period), so every reader of a query resolves its bounds one way.
[[nodiscard]] absl::StatusOr<ResolvedBounds> ResolveBounds(std::string_view period,
                                                           std::string_view from,
                                                           std::string_view to,
                                                           const FiscalCalendar& calendar);

}  // namespace kpidb

#endif  // KPIDB_LIB_PERIOD_BOUND_H_
