// CheckConsistency: stored spans of quarters against the sum of their
// stored quarters, and P.total against the sum of its P.segment.* children.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/time/civil_time.h"
#include "kpidb/analytics.h"
#include "lib/derive/derive.h"
#include "lib/util/status_macros.h"
#include "lib/util/str_cat.h"

namespace kpidb {
namespace {

// The figures a stored one should add up to, and what they are for people
// ("FY2013Q1 + FY2013Q2").
struct Parts {
  std::vector<derive::Figure> figures;
  std::string labels;

  void Add(derive::Figure f, std::string_view label) {
    figures.push_back(std::move(f));
    kpidb::StrAppend(&labels, labels.empty() ? "" : " + ", label);
  }
};

// The latest version of every metric of the selected companies and
// scenarios: children and parents may fall outside the metric pattern.
[[nodiscard]] absl::StatusOr<QueryResult> ReadAllMetrics(const DB& db, const Query& query) {
  Query read = query;
  read.metric.clear();
  read.from.clear();
  read.to.clear();
  read.period.clear();
  read.all_versions = false;
  read.with_units = true;
  read.with_as_of = true;
  read.with_sources = false;
  return db.Execute(read);
}

derive::Figure FigureAt(const QueryResult& r, size_t i) {
  return derive::Figure{r.periods[i], r.values[i], &r.unit(i), r.as_of[i], {}};
}

// Sum of figures of one dimension, exactly, in the finest scale among them.
[[nodiscard]] absl::StatusOr<derive::Figure> SumOf(std::span<const derive::Figure> parts) {
  derive::Figure sum = parts[0];
  for (size_t i = 1; i < parts.size(); ++i) {
    KPIDB_ASSIGN_OR_RETURN(derive::Figure next, derive::Combine(sum, parts[i], false));
    next.period = sum.period;
    sum = std::move(next);
  }
  return sum;
}

// Ratios do not add up: a total's margin is not the sum of its segments'.
bool Additive(const Unit& unit) {
  return unit.dimension() != "%" && unit.dimension() != "pt";
}

bool Selected(const Query& query, const std::string& metric) {
  return query.metric.empty() || MetricMatches(query.metric, metric);
}

// Lists `stored` when it differs from the sum of `parts`.
[[nodiscard]] absl::Status AddIfDifferent(const SeriesInfo& info, std::string kind,
                                          const derive::Figure& stored, Parts parts,
                                          std::vector<Discrepancy>* out) {
  KPIDB_ASSIGN_OR_RETURN(const derive::Figure sum, SumOf(parts.figures));
  KPIDB_ASSIGN_OR_RETURN(derive::Figure diff, derive::Combine(stored, sum, true));
  if (diff.value.is_zero()) return absl::OkStatus();
  KPIDB_ASSIGN_OR_RETURN(Decimal stored_v,
                         stored.value.Scaled(stored.unit->scale() - diff.unit->scale()));
  KPIDB_ASSIGN_OR_RETURN(Decimal sum_v, sum.value.Scaled(sum.unit->scale() - diff.unit->scale()));
  out->push_back(Discrepancy{info.company, info.metric, info.scenario, std::move(kind),
                             stored.period, stored_v, sum_v, diff.value, *diff.unit,
                             std::move(parts.labels)});
  return absl::OkStatus();
}

// The stored quarters of fiscal year `fy` of series `s` that lie within `p`.
Parts StoredQuartersWithin(const QueryResult& r, size_t s, const Period& p, int fy) {
  const FiscalCalendar& cal = r.series[s].calendar;
  Parts parts;
  parts.figures.reserve(4);
  for (int q = 1; q <= 4; ++q) {
    const absl::StatusOr<Period> parsed = Period::Parse(kpidb::StrCat("FY", fy, "Q", q), cal);
    if (!parsed.ok()) continue;
    const Period& qp = *parsed;
    if (qp.start() < p.start() || qp.end() > p.end()) continue;
    for (size_t j = r.series_begin(s); j < r.series_end(s); ++j) {
      if (r.periods[j] == qp) parts.Add(FigureAt(r, j), qp.Label(cal));
    }
  }
  return parts;
}

// Row `i` of series `s` against its stored quarters: only spans of two or
// more whole quarters of one fiscal year, all of them stored.
[[nodiscard]] absl::Status CheckAgainstQuarters(const QueryResult& r, size_t s, size_t i,
                                                std::vector<Discrepancy>* out) {
  const Period& p = r.periods[i];
  if (p.is_instant() || !Additive(r.unit(i))) return absl::OkStatus();
  const FiscalCalendar& cal = r.series[s].calendar;
  const int fy = cal.FiscalYearOf(p.start());
  const absl::StatusOr<Period> first_q = Period::Parse(kpidb::StrCat("FY", fy, "Q1"), cal);
  if (!first_q.ok()) return absl::OkStatus();  // a fiscal year outside 0001-9999
  Parts quarters = StoredQuartersWithin(r, s, p, fy);
  const int64_t months =
      static_cast<int64_t>(absl::CivilMonth(p.end()) - absl::CivilMonth(p.start())) + 1;
  const size_t count = quarters.figures.size();
  if (count < 2 || static_cast<int64_t>(count) * 3 != months || p.start() < first_q->start()) {
    return absl::OkStatus();
  }
  return AddIfDifferent(r.series[s], "quarters", FigureAt(r, i), std::move(quarters), out);
}

// Quarters against the spans that contain them.
[[nodiscard]] absl::Status CheckQuarterSums(const QueryResult& r, const Query& query,
                                            std::vector<Discrepancy>* out) {
  for (size_t s = 0; s < r.series.size(); ++s) {
    if (!Selected(query, r.series[s].metric)) continue;
    for (size_t i = r.series_begin(s); i < r.series_end(s); ++i) {
      KPIDB_RETURN_IF_ERROR(CheckAgainstQuarters(r, s, i, out));
    }
  }
  return absl::OkStatus();
}

// The P.segment.* series (one level down) of the company and scenario of
// total `s` (P.total); none when series `s` is not a total.
std::vector<size_t> SegmentsOf(const QueryResult& r, size_t s) {
  const SeriesInfo& parent = r.series[s];
  const std::string& m = parent.metric;
  constexpr std::string_view kTotal = ".total";
  std::vector<size_t> children;
  if (m.size() <= kTotal.size() ||
      m.compare(m.size() - kTotal.size(), kTotal.size(), kTotal) != 0) {
    return children;
  }
  const std::string prefix = m.substr(0, m.size() - kTotal.size()) + ".segment.";
  for (size_t c = 0; c < r.series.size(); ++c) {
    const SeriesInfo& ci = r.series[c];
    if (ci.company == parent.company && ci.scenario == parent.scenario &&
        ci.metric.size() > prefix.size() && ci.metric.compare(0, prefix.size(), prefix) == 0 &&
        ci.metric.find('.', prefix.size()) == std::string::npos) {
      children.push_back(c);
    }
  }
  return children;
}

// The figures of `children` for period `p`.
Parts ChildFiguresFor(const QueryResult& r, std::span<const size_t> children, const Period& p) {
  Parts parts;
  for (size_t c : children) {
    for (size_t j = r.series_begin(c); j < r.series_end(c); ++j) {
      if (r.periods[j] == p) parts.Add(FigureAt(r, j), r.series[c].metric);
    }
  }
  return parts;
}

// P.total against its P.segment.* children, period by period, where every
// child reports the period.
[[nodiscard]] absl::Status CheckSegmentSums(const QueryResult& r, const Query& query,
                                            std::vector<Discrepancy>* out) {
  for (size_t s = 0; s < r.series.size(); ++s) {
    if (!Selected(query, r.series[s].metric)) continue;
    const std::vector<size_t> children = SegmentsOf(r, s);
    if (children.empty()) continue;
    for (size_t i = r.series_begin(s); i < r.series_end(s); ++i) {
      if (!Additive(r.unit(i))) continue;
      Parts found = ChildFiguresFor(r, children, r.periods[i]);
      if (found.figures.size() != children.size()) continue;
      KPIDB_RETURN_IF_ERROR(
          AddIfDifferent(r.series[s], "segments", FigureAt(r, i), std::move(found), out));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<Discrepancy>> CheckConsistency(const DB& db, const Query& query) {
  KPIDB_ASSIGN_OR_RETURN(const QueryResult r, ReadAllMetrics(db, query));
  std::vector<Discrepancy> out;
  KPIDB_RETURN_IF_ERROR(CheckQuarterSums(r, query, &out));
  KPIDB_RETURN_IF_ERROR(CheckSegmentSums(r, query, &out));
  return out;
}

}  // namespace kpidb
