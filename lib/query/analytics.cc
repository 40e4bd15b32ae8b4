#include "kpidb/analytics.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "lib/query/derive.h"
#include "lib/util/status_macros.h"
#include "lib/util/str_cat.h"

namespace kpidb {

absl::StatusOr<DerivedResult> ExecuteDerived(const DB& db,
                                             const DerivedQuery& dq) {
  if (dq.query.all_versions) {
    return absl::InvalidArgumentError(
        "derived queries read one version per period; all_versions is not "
        "supported");
  }
  // Read whole series: a derived period in range can need inputs outside it
  // (FY2012Q4 needs FY2012 and FY2012Q1-Q3).
  Query read = dq.query;
  read.from.clear();
  read.to.clear();
  read.with_units = true;
  read.with_as_of = true;
  read.with_sources = false;
  KPIDB_ASSIGN_OR_RETURN(QueryResult stored, db.Execute(read));

  DerivedResult out;
  std::vector<query::Figure> figures, rows;
  for (size_t s = 0; s < stored.series.size(); ++s) {
    const SeriesInfo& info = stored.series[s];
    const FiscalCalendar& cal = info.calendar;
    figures.clear();
    for (size_t i = stored.series_begin(s); i < stored.series_end(s); ++i) {
      figures.push_back(query::Figure{stored.periods[i], stored.values[i],
                                      stored.unit(i), stored.as_of[i], ""});
    }
    // The range, through this company's calendar.
    absl::CivilDay from = absl::CivilDay(1, 1, 1);
    absl::CivilDay to = absl::CivilDay(9999, 12, 31);
    if (!dq.query.from.empty()) {
      absl::StatusOr<Period> p = Period::Parse(dq.query.from, cal);
      if (!p.ok()) return absl::InvalidArgumentError(p.status().message());
      from = p->start();
    }
    if (!dq.query.to.empty()) {
      absl::StatusOr<Period> p = Period::Parse(dq.query.to, cal);
      if (!p.ok()) return absl::InvalidArgumentError(p.status().message());
      to = p->end();
    }
    rows.clear();
    for (const query::Figure& f : figures) {
      if (f.period.Within(from, to)) rows.push_back(f);
    }
    if (!figures.empty() && (dq.fiscal_periods || dq.ttm)) {
      // Fiscal years touched by the data and the range.
      int first_fy = std::numeric_limits<int>::max();
      int last_fy = std::numeric_limits<int>::min();
      for (const query::Figure& f : figures) {
        first_fy = std::min(first_fy, cal.FiscalYearOf(f.period.start()));
        last_fy = std::max(last_fy, cal.FiscalYearOf(f.period.end()));
      }
      if (!dq.query.from.empty()) first_fy = std::max(first_fy, cal.FiscalYearOf(from) - 1);
      if (!dq.query.to.empty()) last_fy = std::min(last_fy, cal.FiscalYearOf(to));
      if (first_fy <= last_fy) {
        KPIDB_ASSIGN_OR_RETURN(std::vector<query::Figure> derived,
                               query::DeriveFiscalPeriods(figures, cal, first_fy, last_fy));
        if (dq.ttm) {
          std::vector<query::Figure> all = figures;
          all.insert(all.end(), derived.begin(), derived.end());
          KPIDB_ASSIGN_OR_RETURN(std::vector<query::Figure> ttm,
                                 query::TrailingTwelveMonths(all, cal, first_fy, last_fy));
          // A stored figure for the same dates wins.
          for (query::Figure& t : ttm) {
            const bool stored_same = std::any_of(
                figures.begin(), figures.end(),
                [&](const query::Figure& f) { return f.period == t.period; });
            if (!stored_same && t.period.Within(from, to)) rows.push_back(std::move(t));
          }
        }
        if (dq.fiscal_periods) {
          for (query::Figure& d : derived) {
            if (d.period.Within(from, to)) rows.push_back(std::move(d));
          }
        }
      }
    }
    if (rows.empty()) continue;
    std::stable_sort(rows.begin(), rows.end(),
                     [](const query::Figure& a, const query::Figure& b) {
                       return a.period < b.period;
                     });
    out.series.push_back(info);
    for (query::Figure& f : rows) {
      out.periods.push_back(f.period);
      out.values.push_back(f.value);
      out.units.push_back(f.unit);
      out.as_of.push_back(f.as_of);
      out.origins.push_back(f.formula.empty() ? RowOrigin::kStored : RowOrigin::kDerived);
      out.formulas.push_back(std::move(f.formula));
    }
    out.series_offsets.push_back(out.values.size());
  }
  return out;
}

}  // namespace kpidb
