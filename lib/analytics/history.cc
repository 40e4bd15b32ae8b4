// ExecuteDerivedHistory: every stored version, and each derived figure
// every time its value changed as its inputs were published. Derived
// versions come from ExecuteDerived run as of each date an input became
// known; not benchmarked, so it favours plain maps over speed.
#include <algorithm>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "absl/time/civil_time.h"
#include "kpidb/analytics.h"
#include "lib/analytics/row_output.h"
#include "lib/analytics/series_view.h"
#include "lib/analytics/validation.h"
#include "lib/derive/derive.h"
#include "lib/util/status_macros.h"

namespace kpidb {
namespace {

// Series by (company, metric, scenario), the order results use.
using SeriesKey = std::tuple<std::string, std::string, std::string>;

SeriesKey KeyOf(const SeriesInfo& info) {
  return SeriesKey{info.company, info.metric, info.scenario};
}

// A derived figure: its series and period.
struct FigureKey {
  SeriesKey series;
  Period period;
  bool operator<(const FigureKey& o) const {
    return std::tie(series, period) < std::tie(o.series, o.period);
  }
};

struct Version {
  Decimal value;
  Unit unit;
  std::optional<absl::CivilDay> as_of;
  Derivation derivation;
};

struct Row {
  Period period;
  std::optional<absl::CivilDay> as_of;
  Decimal value;
  Unit unit;
  Derivation derivation;
};

// The distinct values of each derived figure, oldest first.
using DerivedVersions = std::map<FigureKey, std::vector<Version>>;
using SeriesRows = std::map<SeriesKey, std::vector<Row>>;
using SeriesInfos = std::map<SeriesKey, SeriesInfo>;

[[nodiscard]] absl::Status ValidateHistoryQuery(const DerivedQuery& dq) {
  KPIDB_RETURN_IF_ERROR(analytics::ValidateViewAndScreen(dq));
  if (analytics::Screening(dq)) {
    return absl::InvalidArgumentError(
        "version history lists every version; screening does not apply to it");
  }
  return absl::OkStatus();
}

// Every stored version in range, whatever the query's as_of.
Query AllVersionsQuery(const Query& query) {
  Query all = query;
  all.all_versions = true;
  all.as_of.reset();
  all.with_units = true;
  all.with_as_of = true;
  all.with_sources = false;
  return all;
}

// The dates to derive at: every date an input became known, and the start
// of time (only the undated figures), in order. The inputs can lie outside
// the range or period (FY2013Q3 from FY2013H1 and FY2013Q1-Q3), so the dates
// come from the whole series; `stored` (read with `all`) is the whole series
// when `all` has no range.
[[nodiscard]] absl::StatusOr<std::vector<absl::CivilDay>> DerivationCuts(
    const DB& db, const Query& all, const QueryResult& stored) {
  std::vector<absl::CivilDay> cuts = {absl::CivilDay(1, 1, 1)};
  const bool narrowed = !all.from.empty() || !all.to.empty() || !all.period.empty();
  QueryResult whole_series;
  if (narrowed) {
    Query whole = all;
    whole.from.clear();
    whole.to.clear();
    whole.period.clear();
    whole.with_units = false;
    KPIDB_ASSIGN_OR_RETURN(whole_series, db.Execute(whole));
  }
  for (const auto& a : (narrowed ? whole_series : stored).as_of) {
    if (a.has_value()) cuts.push_back(*a);
  }
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  return cuts;
}

// The derived rows of `r` that differ from the last version kept.
void AddChangedVersions(const DerivedResult& r, DerivedVersions* derived, SeriesInfos* infos) {
  for (size_t s = 0; s < r.series.size(); ++s) {
    const SeriesKey sk = KeyOf(r.series[s]);
    infos->emplace(sk, r.series[s]);
    for (size_t i = r.series_begin(s); i < r.series_end(s); ++i) {
      if (r.origins[i] != RowOrigin::kDerived) continue;
      std::vector<Version>& versions = (*derived)[FigureKey{sk, r.periods[i]}];
      if (!versions.empty() && versions.back().value.Identical(r.values[i]) &&
          versions.back().unit == r.unit(i)) {
        continue;
      }
      versions.push_back(Version{r.values[i], r.unit(i), r.as_of[i], r.derivations[i]});
    }
  }
}

// Derives as of each cut, keeping each value when it changes.
[[nodiscard]] absl::Status CollectDerivedVersions(const DB& db, const DerivedQuery& dq,
                                                  std::span<const absl::CivilDay> cuts,
                                                  DerivedVersions* derived, SeriesInfos* infos) {
  for (const absl::CivilDay& cut : cuts) {
    DerivedQuery at = dq;
    at.query.all_versions = false;
    at.query.as_of = cut;
    at.change = DerivedQuery::Change::kNone;
    at.unit.clear();
    KPIDB_ASSIGN_OR_RETURN(const DerivedResult r, ExecuteDerived(db, at));
    AddChangedVersions(r, derived, infos);
  }
  return absl::OkStatus();
}

// The stored versions the view and window keep, per series.
void AddStoredRows(const DerivedQuery& dq, const QueryResult& stored, SeriesRows* rows,
                   SeriesInfos* infos) {
  for (size_t s = 0; s < stored.series.size(); ++s) {
    const SeriesKey sk = KeyOf(stored.series[s]);
    infos->emplace(sk, stored.series[s]);
    const size_t begin = stored.series_begin(s), end = stored.series_end(s);
    const derive::QuarterGrid grid =
        analytics::GridOf(stored.series[s].calendar,
                          std::span<const Period>(stored.periods.data() + begin, end - begin));
    for (size_t i = begin; i < end; ++i) {
      if (!analytics::InView(dq, stored.periods[i], grid)) continue;
      (*rows)[sk].push_back(
          Row{stored.periods[i], stored.as_of[i], stored.values[i], stored.unit(i), {}});
    }
  }
}

void AddDerivedRows(const DerivedVersions& derived, SeriesRows* rows) {
  for (const auto& [key, versions] : derived) {
    for (const Version& v : versions) {
      (*rows)[key.series].push_back(Row{key.period, v.as_of, v.value, v.unit, v.derivation});
    }
  }
}

// The rows of every series, each in period order, then as_of (none first).
DerivedResult InResultOrder(SeriesRows* rows, SeriesInfos* infos) {
  DerivedResult out;
  for (auto& [sk, list] : *rows) {
    std::stable_sort(list.begin(), list.end(), [](const Row& a, const Row& b) {
      if (a.period != b.period) return a.period < b.period;
      return a.as_of < b.as_of;
    });
    for (const Row& r : list) {
      analytics::AppendRow(r.period, r.value, r.unit, r.as_of, r.derivation, &out);
    }
    analytics::CloseSeries((*infos)[sk], &out);
  }
  return out;
}

}  // namespace

absl::StatusOr<DerivedResult> ExecuteDerivedHistory(const DB& db, const DerivedQuery& dq) {
  KPIDB_RETURN_IF_ERROR(ValidateHistoryQuery(dq));
  const Query all = AllVersionsQuery(dq.query);
  KPIDB_ASSIGN_OR_RETURN(const QueryResult stored, db.Execute(all));
  DerivedVersions derived;
  SeriesInfos infos;
  if (dq.fiscal_periods || dq.ttm) {
    KPIDB_ASSIGN_OR_RETURN(const std::vector<absl::CivilDay> cuts,
                           DerivationCuts(db, all, stored));
    KPIDB_RETURN_IF_ERROR(CollectDerivedVersions(db, dq, cuts, &derived, &infos));
  }
  SeriesRows rows;
  AddStoredRows(dq, stored, &rows, &infos);
  AddDerivedRows(derived, &rows);
  return InResultOrder(&rows, &infos);
}

}  // namespace kpidb
