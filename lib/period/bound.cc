#include "lib/period/bound.h"

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

}  // namespace kpidb
