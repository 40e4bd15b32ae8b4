#include "lib/period/bound.h"

#include "lib/util/status_macros.h"
#include "lib/util/str_cat.h"

namespace kpidb {

absl::Status CheckPeriodOrRange(std::string_view period, std::string_view from,
                                std::string_view to) {
  if (!period.empty() && (!from.empty() || !to.empty())) {
    return absl::InvalidArgumentError(
        "a query selects one period or a range: set period, or from and to");
  }
  return absl::OkStatus();
}

absl::StatusOr<Period> ParseBound(std::string_view label,
                                  const FiscalCalendar& calendar) {
  absl::StatusOr<Period> p = Period::Parse(label, calendar);
  if (!p.ok()) {
    return absl::InvalidArgumentError(
        kpidb::StrCat("bad period bound: ", p.status().message()));
  }
  return p;
}

absl::StatusOr<ResolvedBounds> ResolveBounds(std::string_view period, std::string_view from,
                                             std::string_view to,
                                             const FiscalCalendar& calendar) {
  KPIDB_RETURN_IF_ERROR(CheckPeriodOrRange(period, from, to));
  ResolvedBounds b;
  if (!from.empty()) {
    KPIDB_ASSIGN_OR_RETURN(b.from, ParseBound(from, calendar));
  }
  if (!to.empty()) {
    KPIDB_ASSIGN_OR_RETURN(b.to, ParseBound(to, calendar));
  }
  if (!period.empty()) {
    KPIDB_ASSIGN_OR_RETURN(b.period, ParseBound(period, calendar));
  }
  return b;
}

}  // namespace kpidb
