#include "lib/analytics/row_output.h"

#include "lib/util/status_macros.h"
#include "lib/util/str_cat.h"

namespace kpidb::analytics {
namespace {

// Whether `x` passes the screen's thresholds; an absent quantity never does.
bool Passes(const DerivedQuery& dq, const std::optional<Decimal>& x) {
  if (!x.has_value()) return false;
  if (dq.above.has_value() && !(*x > *dq.above)) return false;
  if (dq.below.has_value() && !(*x < *dq.below)) return false;
  return true;
}

}  // namespace

absl::StatusOr<Decimal> ToUnit(const Decimal& v, const Unit& from, const Unit& to,
                               std::optional<int> decimals) {
  if (!from.SameDimension(to)) {
    return absl::InvalidArgumentError(kpidb::StrCat(
        "cannot convert '", from.ToString(), "' to '", to.ToString(), "'"));
  }
  KPIDB_ASSIGN_OR_RETURN(Decimal x, v.Scaled(from.scale() - to.scale()));
  if (decimals.has_value()) return x.Rounded(*decimals);
  return x;
}

absl::Status RowOutput::ConvertToTarget(const derive::Figure& row, RowChange* change,
                                        OutputValue* out) const {
  KPIDB_ASSIGN_OR_RETURN(const Decimal value,
                         ToUnit(row.value, *row.unit, *target_, dq_.decimals));
  if (change->change.has_value() && !change->in_points()) {
    KPIDB_ASSIGN_OR_RETURN(change->change,
                           ToUnit(*change->change, *change->unit, *target_, dq_.decimals));
    change->unit = &*target_;
  }
  *out = OutputValue{value, &*target_};
  return absl::OkStatus();
}

bool RowOutput::PassesScreen(const Decimal& value, const RowChange& change) const {
  if (dq_.screen_on == DerivedQuery::ScreenOn::kValue) return Passes(dq_, value);
  if (dq_.screen_on == DerivedQuery::ScreenOn::kChange) return Passes(dq_, change.change);
  return Passes(dq_, change.percent);
}

}  // namespace kpidb::analytics
