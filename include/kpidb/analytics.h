// File: kpidb/analytics.h
// -----------------------------------------------------------------------------
//
// Queries for figures a database does not hold directly but that follow
// exactly from what it holds: the third quarter alone when only the
// nine-month cumulative is reported, the fourth quarter as the year minus
// the first three, a year from its quarters, trailing twelve months.
//
//   kpidb::DerivedQuery q;
//   q.query.companies = {"IIJ"};
//   q.query.metric = "capex";
//   q.query.scenarios = {"actual"};
//   absl::StatusOr<kpidb::DerivedResult> r = kpidb::ExecuteDerived(*db, q);
//   // FY2012Q4 = 1953 JPY million, derived: "FY2012 - FY2012Q1-Q3"
//
// Derivation works on durations only (never on instants such as balances),
// inside one series (never mixing scenarios), exactly in decimal; mixed
// scales are combined in the finer one. A derived figure's as_of is the
// latest of its inputs', so with Query::as_of set the result is what could
// have been derived on that date. A stored figure always wins.
//
// Thread-safety: ExecuteDerived may run concurrently like DB::Execute.
#ifndef KPIDB_INCLUDE_KPIDB_ANALYTICS_H_
#define KPIDB_INCLUDE_KPIDB_ANALYTICS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "kpidb/db.h"
#include "kpidb/decimal.h"
#include "kpidb/derivation.h"
#include "kpidb/period.h"
#include "kpidb/query.h"
#include "kpidb/unit.h"

namespace kpidb {

struct DerivedQuery {
  // The selection, as for DB::Execute. all_versions must be false; the
  // column flags are ignored (units and as_of are always returned).
  Query query;
  // Add the quarters, halves, Q1-Q3 periods and fiscal years that can be
  // derived. Default: true.
  bool fiscal_periods = true;
  // Add trailing twelve months ending at each quarter whose four quarters
  // are stored or derived. Default: false.
  bool ttm = false;

  // Which rows to return: every period (default), or only fiscal quarters,
  // or only fiscal years, stored or derived ("the quarterly view").
  enum class View { kAll, kQuarters, kFiscalYears };
  View view = View::kAll;

  // Calendar alignment, for comparing companies whose fiscal years differ:
  // when set, each series returns only its periods of the window's length
  // that end inside the window. For calendar 2013Q4 (2013-10-01 to
  // 2013-12-31) that is FY2013Q3 of a company whose year ends in March and
  // FY2013Q4 of one on the calendar year; each row's period says which.
  // Lengths compare in whole months (in days for a window that is not whole
  // months). Takes the place of query.from/to/period, which must be empty;
  // an instant is not a window. Default: unset.
  std::optional<Period> calendar_window;

  // Change of each row against an earlier period of the same series
  // (stored or derived), as decks print it: an absolute difference and a
  // percent ("up 7.9% YoY"); for a `%` metric the difference is in `pt`
  // and there is no percent ("down 1.5 pt."). Default: none.
  enum class Change { kNone, kYearOverYear, kPeriodOverPeriod };
  Change change = Change::kNone;
  // Percent changes are (current - base) / |base| * 100, rounded to this
  // many digits after the point with `rounding`. Defaults: 1, half away
  // from zero (how decks round).
  int percent_digits = 1;
  Decimal::Rounding rounding = Decimal::Rounding::kHalfAwayFromZero;

  // Convert values (and absolute changes) to this unit on output, such as
  // "JPY billion": exact when `decimals` is unset, else rounded to that many
  // digits after the point. A unit of another dimension is an error.
  // Default: each row in its own unit.
  std::string unit;
  std::optional<int> decimals;

  // Screening: keep only the rows whose `screen_on` quantity is strictly
  // above `above` and/or strictly below `below`, compared as returned (after
  // the `unit` conversion, so set `unit` to screen across scales). Rows
  // without that quantity (no base period for a change) are dropped.
  // Screening on a change needs `change`. Default: no screening.
  enum class ScreenOn { kValue, kChange, kChangePercent };
  ScreenOn screen_on = ScreenOn::kValue;
  std::optional<Decimal> above;
  std::optional<Decimal> below;
};

enum class RowOrigin : uint8_t { kStored, kDerived };

// Columnar, like QueryResult: rows grouped by series, in period order.
// Read a row's units with unit(i) and change_unit(i), as QueryResult's
// unit(i): `units` and `change_units` are only their storage.
struct DerivedResult {
  std::vector<SeriesInfo> series;
  std::vector<size_t> series_offsets = {0};

  std::vector<Period> periods;
  std::vector<Decimal> values;
  std::vector<Unit> units;  // storage of unit(i)
  std::vector<std::optional<absl::CivilDay>> as_of;
  std::vector<RowOrigin> origins;
  // What each row was computed from (Derivation::Op::kStored for stored
  // rows): derivations[i].ToString(series[s].calendar) is
  // "FY2013Q1-Q3 - FY2013H1".
  std::vector<Derivation> derivations;

  // With a change requested, per row (unset when there is no base period,
  // or for the percent, when the base is zero or the metric is a `%`):
  std::vector<std::optional<Period>> change_base;   // the period compared to
  std::vector<std::optional<Decimal>> change;       // current - base
  std::vector<Unit> change_units;                   // storage of change_unit(i)
  std::vector<std::optional<Decimal>> change_percent;

  size_t size() const { return values.size(); }
  size_t series_begin(size_t s) const { return series_offsets[s]; }
  size_t series_end(size_t s) const { return series_offsets[s + 1]; }
  // The unit of values[row]: the target unit when DerivedQuery::unit is set.
  const Unit& unit(size_t row) const { return units[row]; }
  // The unit of change[row]: `pt` for a % metric; only with a change
  // requested.
  const Unit& change_unit(size_t row) const { return change_units[row]; }
};

// One row of a DerivedResult: its series and its index in the columns.
struct RowRef {
  size_t series;
  size_t row;
  bool operator==(const RowRef&) const = default;
};

// The rows of `result`, across all its series, ordered by quantity (the value
// at scale 10^0, so 1.2 JPY billion ranks above 900 JPY million): largest
// first when `descending` (a top-N), smallest first otherwise; ties keep
// result order. At most `limit` rows; 0 means all. InvalidArgument when the
// rows are of different dimensions (JPY and USD do not rank together).
[[nodiscard]] absl::StatusOr<std::vector<RowRef>> RankRows(const DerivedResult& result,
                                                           bool descending, size_t limit = 0);

// Every version over time: each stored version of the selected facts
// (oldest first per period), and each derived figure every time its value
// changed as its inputs were published (as_of: when it became derivable with
// that value). `view` and `calendar_window` apply; changes, conversion and
// query.as_of do not, and screening is InvalidArgument;
// query.all_versions is ignored. Rows in period order, then as_of.
[[nodiscard]] absl::StatusOr<DerivedResult> ExecuteDerivedHistory(const DB& db,
                                                                  const DerivedQuery& query);

// Where stored figures disagree with each other.
struct Discrepancy {
  std::string company;
  std::string metric;
  std::string scenario;
  // "quarters" (a stored span of quarters against the sum of its stored
  // quarters) or "segments" (a P.total against the sum of its stored
  // P.segment.* children for the same period).
  std::string kind;
  Period period;
  Decimal stored;      // the stored figure
  Decimal sum;         // the sum of its parts, in `unit`
  Decimal difference;  // stored - sum
  Unit unit;           // the finer scale of the figures compared
  std::string parts;   // what was summed: "FY2013Q1 + FY2013Q2 + FY2013Q3"
};

// Lists every discrepancy among the latest versions (as of query.as_of) of
// the selected series (query.companies, query.scenarios; query.metric
// narrows the metrics checked). Figures that agree as numbers are not listed
// (117 and 117.0 agree); ratios (`%`, `pt`) are not checked, as they do not
// add up.
[[nodiscard]] absl::StatusOr<std::vector<Discrepancy>> CheckConsistency(const DB& db,
                                                                        const Query& query);

// Runs `query`: stored figures in its range plus the derived ones asked for.
// InvalidArgument for a bad query (or all_versions); OutOfRange if a derived
// value does not fit 18 digits; DataLoss for damaged data.
[[nodiscard]] absl::StatusOr<DerivedResult> ExecuteDerived(const DB& db,
                                                           const DerivedQuery& query);

}  // namespace kpidb

#endif  // KPIDB_INCLUDE_KPIDB_ANALYTICS_H_
