#include "lib/analytics/change.h"

#include <algorithm>
#include <cstddef>
#include <iterator>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "lib/util/status_macros.h"

namespace kpidb::analytics {
namespace {

absl::CivilDay MonthEndOf(absl::CivilMonth m) { return absl::CivilDay(m + 1) - 1; }

std::optional<Period> DurationOrNone(absl::CivilDay start, absl::CivilDay end) {
  absl::StatusOr<Period> r = Period::Duration(start, end);
  return r.ok() ? std::optional<Period>(*r) : std::nullopt;
}

std::optional<Period> ShiftInstantBack(const Period& p, int months) {
  const absl::CivilDay s = p.start();
  const absl::CivilMonth m = absl::CivilMonth(s) - months;
  if ((s + 1).day() == 1) return Period::Instant(MonthEndOf(m));  // month ends stay ends
  const absl::CivilDay d(m.year(), m.month(), s.day());
  if (d.month() != m.month()) return std::nullopt;  // no such day
  return Period::Instant(d);
}

bool PeriodLess(const derive::Figure* a, const derive::Figure* b) { return a->period < b->period; }

// Merges the pointers appended since `middle` into the sorted ones before.
void MergeTail(std::vector<const derive::Figure*>* v, size_t middle) {
  std::inplace_merge(v->begin(), v->begin() + static_cast<ptrdiff_t>(middle), v->end(),
                     PeriodLess);
}

// 100 * difference / |base|, with the base in the difference's finer scale.
[[nodiscard]] absl::StatusOr<Decimal> PercentOf(const derive::Figure& difference,
                                                const derive::Figure& base, int digits,
                                                Decimal::Rounding rounding) {
  KPIDB_ASSIGN_OR_RETURN(const Decimal b,
                         base.value.Scaled(base.unit->scale() - difference.unit->scale()));
  KPIDB_ASSIGN_OR_RETURN(const Decimal hundred_d,
                         Decimal::Multiply(difference.value, Decimal::FromValidParts(100, 0)));
  return Decimal::Divide(hundred_d, b.Abs(), digits, rounding);
}

}  // namespace

std::optional<Period> ShiftBack(const Period& p, int months) {
  if (p.is_instant()) return ShiftInstantBack(p, months);
  const absl::CivilDay s = p.start(), e = p.end();
  if (p.whole_months() > 0) {
    return DurationOrNone(absl::CivilDay(absl::CivilMonth(s) - months),
                          MonthEndOf(absl::CivilMonth(e) - months));
  }
  // Not month-aligned: a year back keeps the calendar dates, a period back
  // is the same number of days immediately before.
  if (months == 12) {
    return DurationOrNone(absl::CivilDay(s.year() - 1, s.month(), s.day()),
                          absl::CivilDay(e.year() - 1, e.month(), e.day()));
  }
  const int64_t len = p.length_days();
  return DurationOrNone(s - len, s - 1);
}

std::optional<Period> BasePeriodOf(DerivedQuery::Change change, const Period& p,
                                   const derive::QuarterGrid& grid) {
  int months = 12;
  if (change == DerivedQuery::Change::kPeriodOverPeriod) {
    months = p.is_instant() ? 3 : p.whole_months();
  }
  int y, first, last;
  if (months == 12 && grid.Locate(p, &y, &first, &last) && y > 0) {
    return grid.Span(y - 1, first, last);  // the same quarters a year back
  }
  if (months > 0 || !p.is_instant()) return ShiftBack(p, months);
  return std::nullopt;
}

void ChangeBases::Rebuild(std::span<const derive::Figure> stored,
                          std::span<const derive::Figure> derived,
                          std::span<const derive::Figure> ttm) {
  sorted_.clear();
  sorted_.reserve(stored.size() + derived.size() + ttm.size());
  for (const derive::Figure& f : stored) sorted_.push_back(&f);
  for (const derive::Figure& d : derived) sorted_.push_back(&d);
  MergeTail(&sorted_, stored.size());
  const size_t middle = sorted_.size();
  for (const derive::Figure& t : ttm) {
    const bool taken = std::binary_search(
        sorted_.begin(), sorted_.begin() + static_cast<ptrdiff_t>(middle), &t, PeriodLess);
    if (!taken) sorted_.push_back(&t);
  }
  MergeTail(&sorted_, middle);
}

const derive::Figure* ChangeBases::Find(const Period& period) const {
  auto it = std::upper_bound(
      sorted_.begin(), sorted_.end(), period,
      [](const Period& p, const derive::Figure* b) { return p < b->period; });
  if (it != sorted_.begin() && (*std::prev(it))->period == period) return *std::prev(it);
  return nullptr;
}

const Unit& PointsUnit() {
  static const Unit* const kPoints = new Unit(*Unit::Parse("pt"));
  return *kPoints;
}

absl::Status ComputeChange(const derive::Figure& row, const derive::Figure& base,
                           int percent_digits, Decimal::Rounding rounding,
                           derive::Figure* difference, RowChange* out) {
  KPIDB_RETURN_IF_ERROR(derive::CombineInto(row, base, true, difference));
  out->base = base.period;
  out->change = difference->value;
  out->unit = difference->unit;
  if (row.unit->dimension() == "%") {
    out->unit = &PointsUnit();
  } else if (!base.value.is_zero()) {
    KPIDB_ASSIGN_OR_RETURN(out->percent, PercentOf(*difference, base, percent_digits, rounding));
  }
  return absl::OkStatus();
}

}  // namespace kpidb::analytics
