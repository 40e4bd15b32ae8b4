// How derived queries hand rows out: the value (and change) in the target
// unit when one is set, the screen, and the appending of rows and series to
// a DerivedResult's columns.
#ifndef KPIDB_LIB_ANALYTICS_ROW_OUTPUT_H_
#define KPIDB_LIB_ANALYTICS_ROW_OUTPUT_H_

#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "kpidb/analytics.h"
#include "kpidb/decimal.h"
#include "kpidb/derivation.h"
#include "kpidb/period.h"
#include "kpidb/unit.h"
#include "lib/analytics/change.h"
#include "lib/analytics/validation.h"
#include "lib/derive/derive.h"

namespace kpidb::analytics {

// `v`, in `from`, in `to`: exact when `decimals` is unset, else rounded to
// that many digits after the point. InvalidArgument across dimensions.
[[nodiscard]] absl::StatusOr<Decimal> ToUnit(const Decimal& v, const Unit& from, const Unit& to,
                                             std::optional<int> decimals);

// A row's value as returned. `unit` is not owned: the row's own, or the
// RowOutput's target.
struct OutputValue {
  Decimal value;
  const Unit* unit = nullptr;
};

// The conversion and screen of one derived query, decided once for all its
// rows. The common case (no target unit, no screen) is inline: it runs for
// every row of a benchmarked query.
class RowOutput {
 public:
  // `target`: DerivedQuery::unit parsed, unset when empty. `dq` must outlive
  // this object.
  RowOutput(const DerivedQuery& dq, std::optional<Unit> target)
      : dq_(dq), target_(std::move(target)), screening_(Screening(dq)) {}
  RowOutput(const RowOutput&) = delete;  // values point at target_
  RowOutput& operator=(const RowOutput&) = delete;

  // The value of `row` as returned into *out, and *change converted along
  // with it (a change in points stays in points).
  [[nodiscard]] absl::Status Convert(const derive::Figure& row, RowChange* change,
                                     OutputValue* out) const {
    if (!target_.has_value()) {
      *out = OutputValue{row.value, row.unit};
      return absl::OkStatus();
    }
    return ConvertToTarget(row, change, out);
  }

  // Whether the screen keeps a row with `value` and `change`: always without
  // a screen; never when the screened quantity is absent.
  bool Keeps(const Decimal& value, const RowChange& change) const {
    return !screening_ || PassesScreen(value, change);
  }

 private:
  [[nodiscard]] absl::Status ConvertToTarget(const derive::Figure& row, RowChange* change,
                                             OutputValue* out) const;
  bool PassesScreen(const Decimal& value, const RowChange& change) const;

  const DerivedQuery& dq_;
  const std::optional<Unit> target_;
  const bool screening_;
};

// Appends a row to the columns of `out`, the change columns aside.
inline void AppendRow(const Period& period, const Decimal& value, const Unit& unit,
                      const std::optional<absl::CivilDay>& as_of, const Derivation& derivation,
                      DerivedResult* out) {
  out->periods.push_back(period);
  out->values.push_back(value);
  out->units.push_back(unit);
  out->as_of.push_back(as_of);
  out->origins.push_back(derivation.derived() ? RowOrigin::kDerived : RowOrigin::kStored);
  out->derivations.push_back(derivation);
}

// Appends the change columns of the row just appended.
inline void AppendChange(const RowChange& change, DerivedResult* out) {
  out->change_base.push_back(change.base);
  out->change.push_back(change.change);
  out->change_units.push_back(*change.unit);
  out->change_percent.push_back(change.percent);
}

// Ends series `info` after the rows appended since the previous one ended.
inline void CloseSeries(const SeriesInfo& info, DerivedResult* out) {
  out->series.push_back(info);
  out->series_offsets.push_back(out->size());
}

}  // namespace kpidb::analytics

#endif  // KPIDB_LIB_ANALYTICS_ROW_OUTPUT_H_
