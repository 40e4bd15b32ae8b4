// The rules a DerivedQuery must follow before it reads anything, shared by
// ExecuteDerived and ExecuteDerivedHistory.
#ifndef KPIDB_LIB_ANALYTICS_VALIDATION_H_
#define KPIDB_LIB_ANALYTICS_VALIDATION_H_

#include "absl/status/status.h"
#include "kpidb/analytics.h"

namespace kpidb::analytics {

// Whether `dq` screens its rows (DerivedQuery::above or below is set).
inline bool Screening(const DerivedQuery& dq) {
  return dq.above.has_value() || dq.below.has_value();
}

// InvalidArgument when the calendar window is an instant or comes with a
// range or period, or when a screen on a change has no change to screen.
[[nodiscard]] absl::Status ValidateViewAndScreen(const DerivedQuery& dq);

}  // namespace kpidb::analytics

#endif  // KPIDB_LIB_ANALYTICS_VALIDATION_H_
