#include "lib/query/derive.h"

#include <algorithm>
#include <map>
#include <utility>

#include "lib/util/status_macros.h"
#include "lib/util/str_cat.h"

namespace kpidb::query {
namespace {

// The dates of quarter q (1-4) of fiscal year fy.
struct QuarterDates {
  absl::CivilDay start[5];
  absl::CivilDay end[5];
};

QuarterDates QuartersOf(const FiscalCalendar& calendar, int fy) {
  QuarterDates d;
  const absl::CivilDay year_start = calendar.YearStart(fy);
  for (int q = 1; q <= 4; ++q) {
    const absl::CivilMonth m = absl::CivilMonth(year_start) + 3 * (q - 1);
    d.start[q] = absl::CivilDay(m);
    d.end[q] = absl::CivilDay(m + 3) - 1;
  }
  return d;
}

// Spans of quarters [i, j] of one fiscal year that have a canonical name.
bool Named(int i, int j) {
  return i == j || (i == 1 && j == 2) || (i == 3 && j == 4) ||
         (i == 1 && j == 3) || (i == 1 && j == 4);
}

}  // namespace

absl::StatusOr<Figure> Combine(const Figure& a, const Figure& b, bool subtract,
                               const FiscalCalendar& calendar) {
  if (!a.unit.SameDimension(b.unit)) {
    return absl::InvalidArgumentError(kpidb::StrCat(
        "cannot combine '", a.unit.ToString(), "' with '", b.unit.ToString(),
        "'"));
  }
  // The finer scale keeps every digit exact: 114.0 JPY billion -
  // 82746 JPY million = 31254.0 JPY million.
  const bool a_finer = a.unit.scale() <= b.unit.scale();
  const Unit& unit = a_finer ? a.unit : b.unit;
  KPIDB_ASSIGN_OR_RETURN(Decimal av, a.value.Scaled(a.unit.scale() - unit.scale()));
  KPIDB_ASSIGN_OR_RETURN(Decimal bv, b.value.Scaled(b.unit.scale() - unit.scale()));
  KPIDB_ASSIGN_OR_RETURN(Decimal v, subtract ? Decimal::Subtract(av, bv)
                                             : Decimal::Add(av, bv));
  Figure out;
  out.value = v;
  out.unit = unit;
  out.as_of = a.as_of;
  if (b.as_of.has_value() && (!out.as_of.has_value() || *b.as_of > *out.as_of)) {
    out.as_of = b.as_of;
  }
  out.formula = kpidb::StrCat(a.period.Label(calendar), subtract ? " - " : " + ",
                              b.period.Label(calendar));
  return out;
}

absl::StatusOr<std::vector<Figure>> DeriveFiscalPeriods(
    std::span<const Figure> stored, const FiscalCalendar& calendar,
    int first_fy, int last_fy) {
  std::vector<Figure> derived;
  for (int fy = first_fy; fy <= last_fy; ++fy) {
    const QuarterDates q = QuartersOf(calendar, fy);
    // known[i][j]: the figure for quarters i..j, stored or derived.
    std::optional<Figure> known[5][5];
    bool is_stored[5][5] = {};
    for (const Figure& f : stored) {
      if (f.period.is_instant()) continue;
      for (int i = 1; i <= 4; ++i) {
        if (f.period.start() != q.start[i]) continue;
        for (int j = i; j <= 4; ++j) {
          if (f.period.end() == q.end[j]) {
            known[i][j] = f;
            is_stored[i][j] = true;
          }
        }
      }
    }
    // Derive one span at a time: named spans first (so formulas read
    // FY2013Q1-Q3 - FY2013H1 rather than going through an unnamed Q2-Q3),
    // then the formula whose inputs are closest to stored figures (H2 =
    // Q3 + Q4, not FY - H1 where FY was itself derived), in a fixed order
    // on ties so results are deterministic. At most 10 spans exist.
    int depth[5][5] = {};
    auto derive_one = [&](bool named_only) -> absl::StatusOr<bool> {
      struct Candidate {
        int i, j;
        int a_i, a_j, b_i, b_j;
        bool subtract;
        int depth;
      };
      std::optional<Candidate> best;
      auto consider = [&](int i, int j, int ai, int aj, int bi, int bj, bool subtract) {
        if (!known[ai][aj] || !known[bi][bj]) return;
        const int d = std::max(depth[ai][aj], depth[bi][bj]) + 1;
        if (!best || d < best->depth) best = Candidate{i, j, ai, aj, bi, bj, subtract, d};
      };
      for (int i = 1; i <= 4; ++i) {
        for (int j = i; j <= 4; ++j) {
          if (known[i][j].has_value() || (named_only && !Named(i, j))) continue;
          // Differences of known spans sharing an end (cumulative figures):
          // [i, j] = [i, k] - [j+1, k] and [k, j] - [k, i-1].
          for (int k = j + 1; k <= 4; ++k) consider(i, j, i, k, j + 1, k, true);
          for (int k = i - 1; k >= 1; --k) consider(i, j, k, j, k, i - 1, true);
          // Sums of adjacent spans: [i, j] = [i, k] + [k+1, j].
          for (int k = i; k < j; ++k) consider(i, j, i, k, k + 1, j, false);
        }
      }
      if (!best) return false;
      const Candidate& c = *best;
      KPIDB_ASSIGN_OR_RETURN(
          Figure made, Combine(*known[c.a_i][c.a_j], *known[c.b_i][c.b_j], c.subtract, calendar));
      const absl::StatusOr<Period> target = Period::Duration(q.start[c.i], q.end[c.j]);
      if (!target.ok()) return target.status();
      made.period = *target;
      known[c.i][c.j] = std::move(made);
      depth[c.i][c.j] = c.depth;
      return true;
    };
    while (true) {
      KPIDB_ASSIGN_OR_RETURN(bool named, derive_one(true));
      if (named) continue;
      KPIDB_ASSIGN_OR_RETURN(bool any, derive_one(false));
      if (!any) break;
    }
    for (int i = 1; i <= 4; ++i) {
      for (int j = i; j <= 4; ++j) {
        if (known[i][j] && !is_stored[i][j] && Named(i, j)) {
          derived.push_back(*known[i][j]);
        }
      }
    }
  }
  std::sort(derived.begin(), derived.end(),
            [](const Figure& a, const Figure& b) { return a.period < b.period; });
  return derived;
}

absl::StatusOr<std::vector<Figure>> TrailingTwelveMonths(
    std::span<const Figure> quarters, const FiscalCalendar& calendar,
    int first_fy, int last_fy) {
  // Quarters by (fy, q).
  std::map<std::pair<int, int>, const Figure*> by_quarter;
  for (int fy = first_fy - 1; fy <= last_fy; ++fy) {
    const QuarterDates q = QuartersOf(calendar, fy);
    for (const Figure& f : quarters) {
      if (f.period.is_instant()) continue;
      for (int i = 1; i <= 4; ++i) {
        if (f.period.start() == q.start[i] && f.period.end() == q.end[i]) {
          by_quarter[{fy, i}] = &f;
        }
      }
    }
  }
  std::vector<Figure> out;
  for (int fy = first_fy; fy <= last_fy; ++fy) {
    for (int i = 1; i <= 4; ++i) {
      // The four quarters ending with (fy, i), oldest first.
      const Figure* parts[4];
      bool complete = true;
      for (int back = 3; back >= 0; --back) {
        int y = fy, qq = i - back;
        if (qq <= 0) {
          qq += 4;
          --y;
        }
        auto it = by_quarter.find({y, qq});
        if (it == by_quarter.end()) {
          complete = false;
          break;
        }
        parts[3 - back] = it->second;
      }
      if (!complete) continue;
      Figure sum = *parts[0];
      for (int k = 1; k < 4; ++k) {
        KPIDB_ASSIGN_OR_RETURN(Figure next, Combine(sum, *parts[k], false, calendar));
        next.period = parts[k]->period;
        sum = std::move(next);
      }
      const absl::StatusOr<Period> ttm =
          Period::Duration(parts[0]->period.start(), parts[3]->period.end());
      if (!ttm.ok()) return ttm.status();
      sum.period = *ttm;
      sum.formula = kpidb::StrCat("TTM: ", parts[0]->period.Label(calendar), " + ",
                                  parts[1]->period.Label(calendar), " + ",
                                  parts[2]->period.Label(calendar), " + ",
                                  parts[3]->period.Label(calendar));
      out.push_back(std::move(sum));
    }
  }
  return out;
}

}  // namespace kpidb::query
