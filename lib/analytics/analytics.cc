#include "kpidb/analytics.h"

#include <algorithm>
#include <limits>
#include <map>
#include <span>
#include <tuple>
#include <utility>

#include "lib/analytics/series_view.h"
#include "lib/analytics/validation.h"
#include "lib/query/derive.h"
#include "lib/period/bound.h"
#include "lib/util/days.h"
#include "lib/util/status_macros.h"
#include "lib/util/str_cat.h"

namespace kpidb {

namespace {

using analytics::GridOf;
using analytics::InView;
using analytics::Screening;
using analytics::ValidateViewAndScreen;

}  // namespace

absl::StatusOr<DerivedResult> ExecuteDerivedHistory(const DB& db,
                                                    const DerivedQuery& dq) {
  KPIDB_RETURN_IF_ERROR(ValidateViewAndScreen(dq));
  if (Screening(dq)) {
    return absl::InvalidArgumentError(
        "version history lists every version; screening does not apply to it");
  }
  // Stored versions: every one, in range.
  Query all = dq.query;
  all.all_versions = true;
  all.as_of.reset();
  all.with_units = true;
  all.with_as_of = true;
  all.with_sources = false;
  KPIDB_ASSIGN_OR_RETURN(QueryResult stored, db.Execute(all));

  // Derived figures: derive at every date an input became known (and once
  // with only the undated figures), keeping each value when it changes. The
  // inputs can lie outside the range or period (FY2013Q3 from FY2013H1 and
  // FY2013Q1-Q3), so the dates come from the whole series.
  std::vector<absl::CivilDay> cuts = {absl::CivilDay(1, 1, 1)};
  if (dq.fiscal_periods || dq.ttm) {
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
    // Without a range the stored rows already are the whole series.
    for (const auto& a : (narrowed ? whole_series : stored).as_of) {
      if (a.has_value()) cuts.push_back(*a);
    }
  }
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  // Series by (company, metric, scenario), the order results use.
  using SeriesKey = std::tuple<std::string, std::string, std::string>;
  struct Key {
    SeriesKey series;
    Period period;
    bool operator<(const Key& o) const {
      return std::tie(series, period) < std::tie(o.series, o.period);
    }
  };
  struct Version {
    Decimal value;
    Unit unit;
    std::optional<absl::CivilDay> as_of;
    Derivation derivation;
  };
  std::map<Key, std::vector<Version>> derived;
  std::map<SeriesKey, SeriesInfo> infos;
  auto series_key = [](const SeriesInfo& i) {
    return SeriesKey{i.company, i.metric, i.scenario};
  };
  if (dq.fiscal_periods || dq.ttm) {
    for (const absl::CivilDay& cut : cuts) {
      DerivedQuery at = dq;
      at.query.all_versions = false;
      at.query.as_of = cut;
      at.change = DerivedQuery::Change::kNone;
      at.unit.clear();
      KPIDB_ASSIGN_OR_RETURN(DerivedResult r, ExecuteDerived(db, at));
      for (size_t s = 0; s < r.series.size(); ++s) {
        const SeriesKey sk = series_key(r.series[s]);
        infos.emplace(sk, r.series[s]);
        for (size_t i = r.series_begin(s); i < r.series_end(s); ++i) {
          if (r.origins[i] != RowOrigin::kDerived) continue;
          std::vector<Version>& versions = derived[Key{sk, r.periods[i]}];
          if (!versions.empty() && versions.back().value.Identical(r.values[i]) &&
              versions.back().unit == r.units[i]) {
            continue;
          }
          versions.push_back(Version{r.values[i], r.units[i], r.as_of[i], r.derivations[i]});
        }
      }
    }
  }

  // Merge: stored versions and derived versions per series, in order.
  struct Row {
    Period period;
    std::optional<absl::CivilDay> as_of;
    Decimal value;
    Unit unit;
    Derivation derivation;
  };
  std::map<SeriesKey, std::vector<Row>> rows;
  for (size_t s = 0; s < stored.series.size(); ++s) {
    const SeriesKey sk = series_key(stored.series[s]);
    infos.emplace(sk, stored.series[s]);
    const size_t begin = stored.series_begin(s), end = stored.series_end(s);
    const query::QuarterGrid grid = GridOf(
        stored.series[s].calendar, std::span<const Period>(stored.periods.data() + begin, end - begin));
    for (size_t i = begin; i < end; ++i) {
      if (!InView(dq, stored.periods[i], grid)) continue;
      rows[sk].push_back(Row{stored.periods[i], stored.as_of[i], stored.values[i],
                             stored.unit(i), {}});
    }
  }
  for (auto& [key, versions] : derived) {
    for (Version& v : versions) {
      rows[key.series].push_back(Row{key.period, v.as_of, v.value, v.unit, v.derivation});
    }
  }
  DerivedResult out;
  for (auto& [sk, list] : rows) {
    std::stable_sort(list.begin(), list.end(), [](const Row& a, const Row& b) {
      if (a.period != b.period) return a.period < b.period;
      return a.as_of < b.as_of;  // no as_of first
    });
    out.series.push_back(infos[sk]);
    for (Row& r : list) {
      out.periods.push_back(r.period);
      out.values.push_back(r.value);
      out.units.push_back(r.unit);
      out.as_of.push_back(r.as_of);
      out.origins.push_back(r.derivation.derived() ? RowOrigin::kDerived : RowOrigin::kStored);
      out.derivations.push_back(r.derivation);
    }
    out.series_offsets.push_back(out.values.size());
  }
  return out;
}

}  // namespace kpidb
