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

// `p` moved back by `months` months: month-aligned periods stay aligned
// (FY2013Q3 -> FY2012Q3 for 12), other periods keep their length in days.
std::optional<Period> ShiftBack(const Period& p, int months) {
  const absl::CivilDay s = p.start(), e = p.end();
  const bool month_end = (e + 1).day() == 1;
  auto month_end_of = [](absl::CivilMonth m) { return absl::CivilDay(m + 1) - 1; };
  if (p.is_instant()) {
    const absl::CivilMonth m = absl::CivilMonth(s) - months;
    if (month_end) return Period::Instant(month_end_of(m));
    const absl::CivilDay d(m.year(), m.month(), s.day());
    if (d.month() != m.month()) return std::nullopt;  // no such day
    return Period::Instant(d);
  }
  if (p.whole_months() > 0) {
    const absl::CivilMonth first = absl::CivilMonth(s) - months;
    const absl::CivilMonth last = absl::CivilMonth(e) - months;
    absl::StatusOr<Period> r = Period::Duration(absl::CivilDay(first), month_end_of(last));
    return r.ok() ? std::optional<Period>(*r) : std::nullopt;
  }
  // Not month-aligned: a year back keeps the calendar dates, a period back
  // is the same number of days immediately before.
  if (months == 12) {
    const absl::CivilDay ns(s.year() - 1, s.month(), s.day());
    const absl::CivilDay ne(e.year() - 1, e.month(), e.day());
    absl::StatusOr<Period> r = Period::Duration(ns, ne);
    return r.ok() ? std::optional<Period>(*r) : std::nullopt;
  }
  const int64_t len = p.length_days();
  absl::StatusOr<Period> r = Period::Duration(s - len, s - 1);
  return r.ok() ? std::optional<Period>(*r) : std::nullopt;
}


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

}  // namespace

namespace {

using analytics::GridOf;
using analytics::InView;
using analytics::Screening;
using analytics::ValidateViewAndScreen;

// Whether `x` passes the screen's thresholds; an absent quantity never does.
bool PassesScreen(const DerivedQuery& dq, const std::optional<Decimal>& x) {
  if (!x.has_value()) return false;
  if (dq.above.has_value() && !(*x > *dq.above)) return false;
  if (dq.below.has_value() && !(*x < *dq.below)) return false;
  return true;
}

bool PeriodLess(const query::Figure* a, const query::Figure* b) { return a->period < b->period; }

}  // namespace

absl::StatusOr<DerivedResult> ExecuteDerived(const DB& db,
                                             const DerivedQuery& dq) {
  if (dq.query.all_versions) {
    return absl::InvalidArgumentError(
        "derived queries read one version per period; all_versions is not "
        "supported");
  }
  KPIDB_RETURN_IF_ERROR(ValidateViewAndScreen(dq));
  std::optional<Unit> target;
  if (!dq.unit.empty()) {
    KPIDB_ASSIGN_OR_RETURN(target, Unit::Parse(dq.unit));
  }
  const bool with_change = dq.change != DerivedQuery::Change::kNone;
  // Read whole series: a derived period in range can need inputs outside it
  // (FY2012Q4 needs FY2012 and FY2012Q1-Q3), and a change needs the year
  // before.
  KPIDB_RETURN_IF_ERROR(CheckPeriodOrRange(dq.query.period, dq.query.from, dq.query.to));
  Query read = dq.query;
  read.from.clear();
  read.to.clear();
  read.period.clear();
  read.with_units = true;
  read.with_as_of = true;
  read.with_sources = false;
  KPIDB_ASSIGN_OR_RETURN(QueryResult stored, db.Execute(read));

  DerivedResult out;
  {
    // A first guess (derived rows come on top), to spare most regrowth.
    const size_t guess = stored.size() + stored.size() / 2;
    out.periods.reserve(guess);
    out.values.reserve(guess);
    out.units.reserve(guess);
    out.as_of.reserve(guess);
    out.origins.reserve(guess);
    out.derivations.reserve(guess);
    if (with_change) {
      out.change_base.reserve(guess);
      out.change.reserve(guess);
      out.change_units.reserve(guess);
      out.change_percent.reserve(guess);
    }
  }
  // The kinds of derived span the view returns (changes compare a span
  // with one of its kind; a TTM adds up quarters).
  uint16_t wanted_spans = dq.view == DerivedQuery::View::kQuarters      ? query::kQuarterSpans
                          : dq.view == DerivedQuery::View::kFiscalYears ? query::kYearSpans
                                                                        : query::kAllSpans;
  if (dq.ttm) wanted_spans |= query::kQuarterSpans;
  std::vector<query::Figure> figures, derived, ttm;
  query::Figure difference;  // of a row and its base
  const Unit points = *Unit::Parse("pt");
  // Rows and bases point into figures, derived and ttm: sorting and merging
  // pointers is cheaper than moving figures.
  std::vector<const query::Figure*> rows, bases;
  for (size_t s = 0; s < stored.series.size(); ++s) {
    const SeriesInfo& info = stored.series[s];
    const FiscalCalendar& cal = info.calendar;
    const size_t begin = stored.series_begin(s), end = stored.series_end(s);
    if (begin == end) continue;
    // Filled in place: building each Figure on the stack and copying it in
    // stalled on store forwarding (a tenth of a 10-year quarterly view).
    // Elements kept from the previous series are stored figures too, so
    // their derivation is already kStored.
    figures.resize(end - begin);
    for (size_t i = begin; i < end; ++i) {
      query::Figure& f = figures[i - begin];
      f.period = stored.periods[i];
      f.value = stored.values[i];
      f.unit = &stored.unit(i);
      f.as_of = stored.as_of[i];
    }
    // Fiscal years of the data, one more each side.
    const query::QuarterGrid grid =
        GridOf(cal, std::span<const Period>(stored.periods.data() + begin, end - begin));
    // The range, through this company's calendar. A calendar window keeps
    // periods ending inside it, so they start at most their length before.
    absl::CivilDay from = absl::CivilDay(1, 1, 1);
    absl::CivilDay to = absl::CivilDay(9999, 12, 31);
    if (dq.calendar_window.has_value()) {
      const Period& w = *dq.calendar_window;
      from = w.start() - w.length_days() - 62;
      to = w.end();
    }
    if (!dq.query.from.empty()) {
      KPIDB_ASSIGN_OR_RETURN(Period p, ParseBound(dq.query.from, cal));
      from = p.start();
    }
    if (!dq.query.to.empty()) {
      KPIDB_ASSIGN_OR_RETURN(Period p, ParseBound(dq.query.to, cal));
      to = p.end();
    }
    std::optional<Period> exact;
    if (!dq.query.period.empty()) {
      KPIDB_ASSIGN_OR_RETURN(exact, ParseBound(dq.query.period, cal));
      from = exact->start();
      to = exact->end();
    }
    const bool bounded = dq.calendar_window.has_value() || !dq.query.from.empty() ||
                         exact.has_value();
    const int64_t from_day = ToDays(from), to_day = ToDays(to);
    auto wanted = [&](const Period& p) {
      return p.start_day_number() >= from_day && p.end_day_number() <= to_day &&
             (!exact.has_value() || p == *exact) && InView(dq, p, grid);
    };
    // Rows in period order: the stored ones are, and derived ones are merged
    // in (stored first on equal periods, which never happens).
    rows.clear();
    rows.reserve(2 * figures.size());
    for (const query::Figure& f : figures) {
      if (wanted(f.period)) rows.push_back(&f);
    }
    // Derived periods: for the rows, and as bases of changes (a change can
    // compare with a derived period of the year before the range).
    derived.clear();
    ttm.clear();
    if (dq.fiscal_periods || dq.ttm || with_change) {
      // Fiscal years of the data within the range, plus the year before the
      // range.
      int first_fy = grid.first_fy() + 1;
      int last_fy = grid.first_fy() + grid.years() - 2;
      if (bounded) first_fy = std::max(first_fy, cal.FiscalYearOf(from) - 1);
      last_fy = std::min(last_fy, cal.FiscalYearOf(to));
      if (first_fy <= last_fy) {
        KPIDB_ASSIGN_OR_RETURN(
            derived, query::DeriveFiscalPeriods(figures, cal, first_fy, last_fy, wanted_spans));
        if (dq.fiscal_periods) {
          const size_t middle = rows.size();
          for (const query::Figure& d : derived) {
            if (wanted(d.period)) rows.push_back(&d);
          }
          std::inplace_merge(rows.begin(), rows.begin() + static_cast<ptrdiff_t>(middle),
                             rows.end(), PeriodLess);
        }
        if (dq.ttm) {
          std::vector<query::Figure> all = figures;
          all.insert(all.end(), derived.begin(), derived.end());
          KPIDB_ASSIGN_OR_RETURN(ttm, query::TrailingTwelveMonths(all, cal, first_fy, last_fy));
          // A stored figure for the same dates wins, and so does a derived
          // fiscal year already returned (the TTM ending in Q4 is that year):
          // one row per period.
          const size_t middle = rows.size();
          auto same_period = [](const Period& p) {
            return [&p](const query::Figure& f) { return f.period == p; };
          };
          for (const query::Figure& t : ttm) {
            if (std::any_of(figures.begin(), figures.end(), same_period(t.period))) continue;
            if (dq.fiscal_periods &&
                std::any_of(derived.begin(), derived.end(), same_period(t.period))) {
              continue;
            }
            if (wanted(t.period)) rows.push_back(&t);
          }
          std::inplace_merge(rows.begin(), rows.begin() + static_cast<ptrdiff_t>(middle),
                             rows.end(), PeriodLess);
        }
      }
    }
    if (rows.empty()) continue;
    // Bases for changes, in period order for lookup: every stored or derived
    // figure of the series (stored and derived periods never coincide), and
    // the TTMs that are neither (a TTM's YoY compares with the TTM a year
    // earlier).
    bases.clear();
    if (with_change) {
      bases.reserve(figures.size() + derived.size() + ttm.size());
      for (const query::Figure& f : figures) bases.push_back(&f);
      for (const query::Figure& d : derived) bases.push_back(&d);
      std::inplace_merge(bases.begin(), bases.begin() + static_cast<ptrdiff_t>(figures.size()),
                         bases.end(), PeriodLess);
      const size_t middle = bases.size();
      for (const query::Figure& t : ttm) {
        const bool taken = std::binary_search(bases.begin(), bases.begin() + static_cast<ptrdiff_t>(middle),
                                              &t, PeriodLess);
        if (!taken) bases.push_back(&t);
      }
      std::inplace_merge(bases.begin(), bases.begin() + static_cast<ptrdiff_t>(middle), bases.end(),
                         PeriodLess);
    }
    const size_t rows_before = out.values.size();
    for (const query::Figure* row : rows) {
      const query::Figure& f = *row;
      std::optional<Period> base_period;
      std::optional<Decimal> change, percent;
      const Unit* change_unit = f.unit;
      if (with_change) {
        int months = 12;
        if (dq.change == DerivedQuery::Change::kPeriodOverPeriod) {
          months = f.period.is_instant() ? 3 : f.period.whole_months();
        }
        std::optional<Period> bp;
        int y, first, last;
        if (months == 12 && grid.Locate(f.period, &y, &first, &last) && y > 0) {
          bp = grid.Span(y - 1, first, last);  // the same quarters a year back
        } else if (months > 0 || !f.period.is_instant()) {
          bp = ShiftBack(f.period, months);
        }
        const query::Figure* base = nullptr;
        if (bp.has_value()) {
          // The last of equal periods, as a linear scan would find.
          auto it = std::upper_bound(bases.begin(), bases.end(), *bp,
                                     [](const Period& p, const query::Figure* b) {
                                       return p < b->period;
                                     });
          if (it != bases.begin() && (*std::prev(it))->period == *bp) base = *std::prev(it);
        }
        if (base != nullptr) {
          KPIDB_RETURN_IF_ERROR(query::CombineInto(f, *base, true, &difference));
          const query::Figure& d = difference;
          base_period = base->period;
          change = d.value;
          change_unit = d.unit;
          if (f.unit->dimension() == "%") {
            change_unit = &points;
          } else if (!base->value.is_zero()) {
            // Percent of the base, in the finer scale of the two.
            KPIDB_ASSIGN_OR_RETURN(Decimal b, base->value.Scaled(base->unit->scale() - d.unit->scale()));
            KPIDB_ASSIGN_OR_RETURN(Decimal hundred_d,
                                   Decimal::Multiply(d.value, Decimal::FromValidParts(100, 0)));
            KPIDB_ASSIGN_OR_RETURN(percent, Decimal::Divide(hundred_d, b.Abs(), dq.percent_digits,
                                                            dq.rounding));
          }
        }
      }
      Decimal value = f.value;
      const Unit* unit = f.unit;
      if (target.has_value()) {
        KPIDB_ASSIGN_OR_RETURN(value, ToUnit(f.value, *f.unit, *target, dq.decimals));
        if (change.has_value() && change_unit != &points) {
          KPIDB_ASSIGN_OR_RETURN(change, ToUnit(*change, *change_unit, *target, dq.decimals));
          change_unit = &*target;
        }
        unit = &*target;
      }
      if (Screening(dq)) {
        const std::optional<Decimal>& x = dq.screen_on == DerivedQuery::ScreenOn::kValue
                                              ? std::optional<Decimal>(value)
                                          : dq.screen_on == DerivedQuery::ScreenOn::kChange
                                              ? change
                                              : percent;
        if (!PassesScreen(dq, x)) continue;
      }
      out.periods.push_back(f.period);
      out.values.push_back(value);
      out.units.push_back(*unit);
      out.as_of.push_back(f.as_of);
      out.origins.push_back(f.derivation.derived() ? RowOrigin::kDerived : RowOrigin::kStored);
      out.derivations.push_back(f.derivation);
      if (with_change) {
        out.change_base.push_back(base_period);
        out.change.push_back(change);
        out.change_units.push_back(*change_unit);
        out.change_percent.push_back(percent);
      }
    }
    if (out.values.size() == rows_before) continue;  // all screened out
    out.series.push_back(info);
    out.series_offsets.push_back(out.values.size());
  }
  return out;
}

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
