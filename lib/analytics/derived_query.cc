// ExecuteDerived: one read of whole series, then per series: load its
// figures, resolve the range through its calendar, derive periods and TTMs,
// select the rows, build the change bases, and hand each row out (change,
// conversion, screen).
//
// Benchmarked (bench/README.md, derived_quarters and yoy): the buffers of
// the loop over series live in one SeriesBuffers per query and are reused,
// figures are filled in place, and rows are pointers merged with
// inplace_merge. Rows allocate only as the result's columns grow (a Unit
// copied per row, as before the split); per series, only what lib/derive
// returns (derived figures, TTMs, the quarter grid) allocates.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "kpidb/analytics.h"
#include "lib/analytics/change.h"
#include "lib/analytics/row_output.h"
#include "lib/analytics/series_range.h"
#include "lib/analytics/series_view.h"
#include "lib/analytics/validation.h"
#include "lib/period/bound.h"
#include "lib/derive/derive.h"
#include "lib/util/status_macros.h"

namespace kpidb {
namespace {

using derive::Figure;

// What a query decides once for all its series.
struct QueryPlan {
  QueryPlan(const DerivedQuery& derived_query, std::optional<Unit> target)
      : dq(derived_query), output(derived_query, std::move(target)) {}

  const DerivedQuery& dq;
  const bool with_change = dq.change != DerivedQuery::Change::kNone;
  // The kinds of derived span the view returns (changes compare a span with
  // one of its kind; a TTM adds up quarters).
  const uint16_t wanted_spans = static_cast<uint16_t>(
      (dq.view == DerivedQuery::View::kQuarters      ? derive::kQuarterSpans
       : dq.view == DerivedQuery::View::kFiscalYears ? derive::kYearSpans
                                                     : derive::kAllSpans) |
      (dq.ttm ? derive::kQuarterSpans : 0));
  const analytics::RowOutput output;
};

// The scratch of the loop over series, in one place: kept from series to
// series, so these vectors grow only when a series outgrows the ones before.
struct SeriesBuffers {
  std::vector<Figure> figures;     // the series' stored figures
  std::vector<Figure> derived;     // fiscal periods derived from them
  std::vector<Figure> ttm;         // trailing twelve months
  std::vector<Figure> ttm_inputs;  // figures and derived, which TTMs add up
  // Rows point into figures, derived and ttm: sorting and merging pointers
  // is cheaper than moving figures.
  std::vector<const Figure*> rows;
  analytics::ChangeBases bases;
  Figure difference;  // of a row and its base, overwritten row after row
};

// The series being handed out, and which of its periods are rows.
struct SeriesContext {
  const DerivedQuery& dq;
  const FiscalCalendar& calendar;
  const derive::QuarterGrid& grid;  // the data's fiscal years, one more each side
  const analytics::SeriesRange& range;

  bool Wanted(const Period& p) const { return range.Contains(p) && analytics::InView(dq, p, grid); }
};

[[nodiscard]] absl::Status ValidateDerivedQuery(const DerivedQuery& dq) {
  if (dq.query.all_versions) {
    return absl::InvalidArgumentError(
        "derived queries read one version per period; all_versions is not "
        "supported");
  }
  return analytics::ValidateViewAndScreen(dq);
}

[[nodiscard]] absl::StatusOr<std::optional<Unit>> ParseTargetUnit(const std::string& unit) {
  if (unit.empty()) return std::optional<Unit>();
  KPIDB_ASSIGN_OR_RETURN(Unit target, Unit::Parse(unit));
  return std::optional<Unit>(std::move(target));
}

// Whole series: a derived period in range can need inputs outside it
// (FY2012Q4 needs FY2012 and FY2012Q1-Q3), and a change needs the year
// before. Each series applies the range itself (SeriesRange).
[[nodiscard]] absl::StatusOr<QueryResult> ReadWholeSeries(const DB& db, const Query& query) {
  KPIDB_RETURN_IF_ERROR(CheckPeriodOrRange(query.period, query.from, query.to));
  Query read = query;
  read.from.clear();
  read.to.clear();
  read.period.clear();
  read.with_units = true;
  read.with_as_of = true;
  read.with_sources = false;
  return db.Execute(read);
}

// A first guess (derived rows come on top), to spare most regrowth.
void ReserveRows(size_t stored_rows, bool with_change, DerivedResult* out) {
  const size_t guess = stored_rows + stored_rows / 2;
  out->periods.reserve(guess);
  out->values.reserve(guess);
  out->units.reserve(guess);
  out->as_of.reserve(guess);
  out->origins.reserve(guess);
  out->derivations.reserve(guess);
  if (!with_change) return;
  out->change_base.reserve(guess);
  out->change.reserve(guess);
  out->change_units.reserve(guess);
  out->change_percent.reserve(guess);
}

// Rows [begin, end) of `stored` as figures. Filled in place: building each
// Figure on the stack and copying it in stalled on store forwarding (a
// tenth of a 10-year quarterly view). Elements kept from the previous
// series are stored figures too, so their derivation is already kStored.
void LoadFigures(const QueryResult& stored, size_t begin, size_t end,
                 std::vector<Figure>* figures) {
  figures->resize(end - begin);
  for (size_t i = begin; i < end; ++i) {
    Figure& f = (*figures)[i - begin];
    f.period = stored.periods[i];
    f.value = stored.values[i];
    f.unit = &stored.unit(i);
    f.as_of = stored.as_of[i];
  }
}

struct FiscalYears {
  int first;
  int last;
};

// The fiscal years to derive: the data's within the range, plus the year
// before the range (a change can compare with a derived period of it).
FiscalYears YearsToDerive(const SeriesContext& series) {
  const derive::QuarterGrid& grid = series.grid;
  FiscalYears years{grid.first_fy() + 1, grid.first_fy() + grid.years() - 2};
  if (series.range.bounded) {
    years.first = std::max(years.first, series.calendar.FiscalYearOf(series.range.from) - 1);
  }
  years.last = std::min(years.last, series.calendar.FiscalYearOf(series.range.to));
  return years;
}

// Derived periods and TTMs into buf->derived and buf->ttm: for the rows, and
// as bases of changes.
[[nodiscard]] absl::Status DeriveSeriesPeriods(const QueryPlan& plan, const SeriesContext& series,
                                               SeriesBuffers* buf) {
  buf->derived.clear();
  buf->ttm.clear();
  if (!plan.dq.fiscal_periods && !plan.dq.ttm && !plan.with_change) return absl::OkStatus();
  const FiscalYears years = YearsToDerive(series);
  if (years.first > years.last) return absl::OkStatus();
  KPIDB_ASSIGN_OR_RETURN(buf->derived,
                         derive::DeriveFiscalPeriods(buf->figures, series.calendar, years.first,
                                                    years.last, plan.wanted_spans));
  if (!plan.dq.ttm) return absl::OkStatus();
  buf->ttm_inputs.assign(buf->figures.begin(), buf->figures.end());
  buf->ttm_inputs.insert(buf->ttm_inputs.end(), buf->derived.begin(), buf->derived.end());
  KPIDB_ASSIGN_OR_RETURN(buf->ttm, derive::TrailingTwelveMonths(buf->ttm_inputs, series.calendar,
                                                               years.first, years.last));
  return absl::OkStatus();
}

bool PeriodLess(const Figure* a, const Figure* b) { return a->period < b->period; }

// Merges the rows appended since `middle` into the sorted ones before it
// (earlier ones first on equal periods).
void MergeTail(std::vector<const Figure*>* rows, size_t middle) {
  std::inplace_merge(rows->begin(), rows->begin() + static_cast<ptrdiff_t>(middle), rows->end(),
                     PeriodLess);
}

bool HasPeriod(std::span<const Figure> figures, const Period& p) {
  return std::any_of(figures.begin(), figures.end(),
                     [&p](const Figure& f) { return f.period == p; });
}

// The TTMs returned as rows: a stored figure for the same dates wins, and so
// does a derived fiscal year already returned (the TTM ending in Q4 is that
// year): one row per period.
void AddTtmRows(const SeriesContext& series, SeriesBuffers* buf) {
  const size_t middle = buf->rows.size();
  for (const Figure& t : buf->ttm) {
    if (HasPeriod(buf->figures, t.period)) continue;
    if (series.dq.fiscal_periods && HasPeriod(buf->derived, t.period)) continue;
    if (series.Wanted(t.period)) buf->rows.push_back(&t);
  }
  MergeTail(&buf->rows, middle);
}

// The rows the view, range and window want into buf->rows, in period order:
// the stored figures are, and derived ones are merged in.
void SelectRows(const SeriesContext& series, SeriesBuffers* buf) {
  std::vector<const Figure*>& rows = buf->rows;
  rows.clear();
  rows.reserve(2 * buf->figures.size());
  for (const Figure& f : buf->figures) {
    if (series.Wanted(f.period)) rows.push_back(&f);
  }
  if (series.dq.fiscal_periods) {
    const size_t middle = rows.size();
    for (const Figure& d : buf->derived) {
      if (series.Wanted(d.period)) rows.push_back(&d);
    }
    MergeTail(&rows, middle);
  }
  if (series.dq.ttm) AddTtmRows(series, buf);
}

// Hands row `f` out: its change, the conversion, the screen, the columns.
[[nodiscard]] absl::Status HandOutRow(const QueryPlan& plan, const SeriesContext& series,
                                      const Figure& f, SeriesBuffers* buf, DerivedResult* out) {
  analytics::RowChange change;
  change.unit = f.unit;
  if (plan.with_change) {
    const std::optional<Period> bp = analytics::BasePeriodOf(plan.dq.change, f.period, series.grid);
    const Figure* base = bp.has_value() ? buf->bases.Find(*bp) : nullptr;
    if (base != nullptr) {
      KPIDB_RETURN_IF_ERROR(analytics::ComputeChange(f, *base, plan.dq.percent_digits,
                                                     plan.dq.rounding, &buf->difference, &change));
    }
  }
  analytics::OutputValue v;
  KPIDB_RETURN_IF_ERROR(plan.output.Convert(f, &change, &v));
  if (!plan.output.Keeps(v.value, change)) return absl::OkStatus();
  analytics::AppendRow(f.period, v.value, *v.unit, f.as_of, f.derivation, out);
  if (plan.with_change) analytics::AppendChange(change, out);
  return absl::OkStatus();
}

// Appends the rows of series `s` of `stored`, and the series itself unless
// the screen dropped them all.
[[nodiscard]] absl::Status AppendSeries(const QueryPlan& plan, const QueryResult& stored, size_t s,
                                        SeriesBuffers* buf, DerivedResult* out) {
  const size_t begin = stored.series_begin(s), end = stored.series_end(s);
  if (begin == end) return absl::OkStatus();
  const SeriesInfo& info = stored.series[s];
  LoadFigures(stored, begin, end, &buf->figures);
  const derive::QuarterGrid grid = analytics::GridOf(
      info.calendar, std::span<const Period>(stored.periods.data() + begin, end - begin));
  KPIDB_ASSIGN_OR_RETURN(const analytics::SeriesRange range,
                         analytics::ResolveSeriesRange(plan.dq, info.calendar));
  const SeriesContext series{plan.dq, info.calendar, grid, range};
  KPIDB_RETURN_IF_ERROR(DeriveSeriesPeriods(plan, series, buf));
  SelectRows(series, buf);
  if (buf->rows.empty()) return absl::OkStatus();
  if (plan.with_change) buf->bases.Rebuild(buf->figures, buf->derived, buf->ttm);
  const size_t rows_before = out->size();
  for (const Figure* row : buf->rows) {
    KPIDB_RETURN_IF_ERROR(HandOutRow(plan, series, *row, buf, out));
  }
  if (out->size() > rows_before) analytics::CloseSeries(info, out);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<DerivedResult> ExecuteDerived(const DB& db, const DerivedQuery& dq) {
  KPIDB_RETURN_IF_ERROR(ValidateDerivedQuery(dq));
  KPIDB_ASSIGN_OR_RETURN(std::optional<Unit> target, ParseTargetUnit(dq.unit));
  KPIDB_ASSIGN_OR_RETURN(const QueryResult stored, ReadWholeSeries(db, dq.query));
  const QueryPlan plan(dq, std::move(target));
  DerivedResult out;
  ReserveRows(stored.size(), plan.with_change, &out);
  SeriesBuffers buffers;
  for (size_t s = 0; s < stored.series.size(); ++s) {
    KPIDB_RETURN_IF_ERROR(AppendSeries(plan, stored, s, &buffers, &out));
  }
  return out;
}

}  // namespace kpidb
