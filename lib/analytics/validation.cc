#include "lib/analytics/validation.h"

namespace kpidb::analytics {

absl::Status ValidateViewAndScreen(const DerivedQuery& dq) {
  if (dq.calendar_window.has_value()) {
    if (dq.calendar_window->is_instant()) {
      return absl::InvalidArgumentError("a calendar window must be a duration, not an instant");
    }
    if (!dq.query.from.empty() || !dq.query.to.empty() || !dq.query.period.empty()) {
      return absl::InvalidArgumentError(
          "a calendar window takes the place of from/to and period; leave them empty");
    }
  }
  if (Screening(dq) && dq.screen_on != DerivedQuery::ScreenOn::kValue &&
      dq.change == DerivedQuery::Change::kNone) {
    return absl::InvalidArgumentError("screening on a change needs a change (YoY or QoQ)");
  }
  return absl::OkStatus();
}

}  // namespace kpidb::analytics
