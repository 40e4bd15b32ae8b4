#include "lib/derive/derive.h"

#include <algorithm>
#include <utility>

#include "lib/util/days.h"
#include "lib/util/status_macros.h"
#include "lib/util/str_cat.h"

namespace kpidb::derive {
namespace {

// Whether span [i, j] is of a kind in `wanted` (unnamed spans never are).
bool Wanted(int i, int j, uint16_t wanted) {
  if (i == j) return wanted & kQuarterSpans;
  if ((i == 1 && j == 2) || (i == 3 && j == 4)) return wanted & kHalfSpans;
  if (i == 1 && j == 3) return wanted & kNineMonthSpans;
  if (i == 1 && j == 4) return wanted & kYearSpans;
  return false;
}

// Spans of quarters [i, j] of one fiscal year that have a canonical name.
bool Named(int i, int j) { return Wanted(i, j, kAllSpans); }

}  // namespace

QuarterGrid::QuarterGrid(const FiscalCalendar& calendar, int first_fy, int last_fy)
    : first_fy_(first_fy), years_(std::max(0, last_fy - first_fy + 1)) {
  const absl::CivilDay first = calendar.YearStart(first_fy);
  const int64_t month = first.year() * 12 + first.month() - 1;
  starts_.resize(static_cast<size_t>(4 * years_ + 1));
  for (size_t k = 0; k < starts_.size(); ++k) {
    starts_[k] = MonthStartDay(month + 3 * static_cast<int64_t>(k));
  }
}

bool QuarterGrid::Locate(const Period& p, int* y, int* first, int* last) const {
  if (p.is_instant() || years_ == 0) return false;
  const int64_t s = p.start_day_number();
  const int quarters = 4 * years_;
  if (s < starts_[0] || s >= starts_[static_cast<size_t>(quarters)]) return false;
  // Quarters last 90 to 92 days: dividing by 92 lands on the quarter or a
  // few before it (one per ~46 quarters), cheaper than a binary search.
  int k = static_cast<int>((s - starts_[0]) / 92);
  while (starts_[static_cast<size_t>(k) + 1] <= s) ++k;
  if (starts_[static_cast<size_t>(k)] != s) return false;
  const int year = k / 4;
  const int64_t after = p.end_day_number() + 1;
  for (int m = k + 1; m <= 4 * year + 4; ++m) {
    if (starts_[static_cast<size_t>(m)] == after) {
      *y = year;
      *first = k % 4 + 1;
      *last = m - 4 * year;
      return true;
    }
  }
  return false;
}


absl::StatusOr<Figure> Combine(const Figure& a, const Figure& b, bool subtract) {
  Figure out;
  KPIDB_RETURN_IF_ERROR(CombineInto(a, b, subtract, &out));
  return out;
}

absl::Status CombineInto(const Figure& a, const Figure& b, bool subtract, Figure* result) {
  Figure& out = *result;
  if (a.unit != b.unit && !a.unit->SameDimension(*b.unit)) {
    return absl::InvalidArgumentError(kpidb::StrCat(
        "cannot combine '", a.unit->ToString(), "' with '", b.unit->ToString(),
        "'"));
  }
  // The finer scale keeps every digit exact: 114.0 JPY billion -
  // 82746 JPY million = 31254.0 JPY million.
  const bool a_finer = a.unit->scale() <= b.unit->scale();
  const Unit& unit = a_finer ? *a.unit : *b.unit;
  if (a.unit->scale() == b.unit->scale()) {
    KPIDB_ASSIGN_OR_RETURN(out.value, subtract ? Decimal::Subtract(a.value, b.value)
                                               : Decimal::Add(a.value, b.value));
  } else {
    KPIDB_ASSIGN_OR_RETURN(Decimal av, a.value.Scaled(a.unit->scale() - unit.scale()));
    KPIDB_ASSIGN_OR_RETURN(Decimal bv, b.value.Scaled(b.unit->scale() - unit.scale()));
    KPIDB_ASSIGN_OR_RETURN(out.value, subtract ? Decimal::Subtract(av, bv)
                                               : Decimal::Add(av, bv));
  }
  out.unit = &unit;
  out.as_of = a.as_of;
  if (b.as_of.has_value() && (!out.as_of.has_value() || *b.as_of > *out.as_of)) {
    out.as_of = b.as_of;
  }
  out.derivation.op = subtract ? Derivation::Op::kDifference : Derivation::Op::kSum;
  out.derivation.inputs[0] = a.period;
  out.derivation.inputs[1] = b.period;
  return absl::OkStatus();
}

namespace {

// Which spans of a year can be derived, in which order and from what,
// depends only on which spans are stored: a plan per pattern, computed
// once per pattern and call, then applied to every year with that pattern
// (typically all of them).
struct Step {
  int8_t i, j;          // the span derived
  int8_t a_i, a_j;      // from [a_i, a_j]
  int8_t b_i, b_j;      // and [b_i, b_j]
  bool subtract;
};
struct Plan {
  uint16_t pattern = 0;  // bit SpanBit(i, j) set when [i, j] is stored
  int count = 0;
  Step steps[10];
  // The steps whose spans are wanted (the output), in period order, and
  // the steps needed to compute them.
  int output_count = 0;
  int8_t output[10];
  bool needed[10] = {};
};

int SpanBit(int i, int j) {
  constexpr int kFirst[5] = {0, 0, 4, 7, 9};  // bits of spans starting at i
  return kFirst[i] + (j - i);
}

// Derives one span at a time: named spans first (so formulas read
// FY2013Q1-Q3 - FY2013H1 rather than going through an unnamed Q2-Q3), then
// the formula whose inputs are closest to stored figures (H2 = Q3 + Q4, not
// FY - H1 where FY was itself derived), in a fixed order on ties so results
// are deterministic. At most 10 spans exist.
class StepSearch {
 public:
  explicit StepSearch(uint16_t pattern) {
    for (int i = 1; i <= 4; ++i) {
      for (int j = i; j <= 4; ++j) known_[i][j] = (pattern >> SpanBit(i, j)) & 1;
    }
  }

  // The next span to derive into *step; false when no other can be.
  bool Next(Step* step) {
    if (!FindBest(true) && !FindBest(false)) return false;
    known_[best_.i][best_.j] = true;
    depth_[best_.i][best_.j] = best_depth_;
    *step = best_;
    return true;
  }

 private:
  // The shallowest formula for a span not yet known (a named one when
  // `named_only`) into best_; false when there is none.
  bool FindBest(bool named_only) {
    found_ = false;
    for (int i = 1; i <= 4; ++i) {
      for (int j = i; j <= 4; ++j) {
        if (known_[i][j] || (named_only && !Named(i, j))) continue;
        // Differences of known spans sharing an end (cumulative figures):
        // [i, j] = [i, k] - [j+1, k] and [k, j] - [k, i-1].
        for (int k = j + 1; k <= 4; ++k) Consider(i, j, i, k, j + 1, k, true);
        for (int k = i - 1; k >= 1; --k) Consider(i, j, k, j, k, i - 1, true);
        // Sums of adjacent spans: [i, j] = [i, k] + [k+1, j].
        for (int k = i; k < j; ++k) Consider(i, j, i, k, k + 1, j, false);
      }
    }
    return found_;
  }

  // [i, j] from [ai, aj] and [bi, bj], if both are known and it is the
  // shallowest formula so far (the first on ties).
  void Consider(int i, int j, int ai, int aj, int bi, int bj, bool subtract) {
    if (!known_[ai][aj] || !known_[bi][bj]) return;
    const int d = std::max(depth_[ai][aj], depth_[bi][bj]) + 1;
    if (found_ && d >= best_depth_) return;
    best_ = Step{static_cast<int8_t>(i),  static_cast<int8_t>(j),  static_cast<int8_t>(ai),
                 static_cast<int8_t>(aj), static_cast<int8_t>(bi), static_cast<int8_t>(bj),
                 subtract};
    best_depth_ = d;
    found_ = true;
  }

  bool known_[5][5] = {};
  int depth_[5][5] = {};  // steps from stored figures
  Step best_{};
  int best_depth_ = 0;
  bool found_ = false;
};

// plan->output: the steps whose spans are wanted, in period order within a
// year (by last quarter, then the shorter first).
void SelectOutput(uint16_t wanted, Plan* plan) {
  for (int k = 0; k < plan->count; ++k) {
    if (Wanted(plan->steps[k].i, plan->steps[k].j, wanted)) {
      plan->output[plan->output_count++] = static_cast<int8_t>(k);
    }
  }
  std::sort(plan->output, plan->output + plan->output_count, [&](int8_t a, int8_t b) {
    const Step& x = plan->steps[a];
    const Step& y = plan->steps[b];
    return x.j != y.j ? x.j < y.j : x.i > y.i;
  });
}

// plan->needed: the output and, backwards, the derived inputs of needed
// steps.
void MarkNeeded(Plan* plan) {
  int step_of[5][5];
  for (auto& row : step_of) std::fill(row, row + 5, -1);
  for (int k = 0; k < plan->count; ++k) step_of[plan->steps[k].i][plan->steps[k].j] = k;
  for (int o = 0; o < plan->output_count; ++o) plan->needed[plan->output[o]] = true;
  for (int k = plan->count - 1; k >= 0; --k) {
    if (!plan->needed[k]) continue;
    const Step& st = plan->steps[k];
    for (const int input : {step_of[st.a_i][st.a_j], step_of[st.b_i][st.b_j]}) {
      if (input >= 0) plan->needed[input] = true;
    }
  }
}

Plan MakePlan(uint16_t pattern, uint16_t wanted) {
  Plan plan;
  plan.pattern = pattern;
  StepSearch search(pattern);
  Step step{};
  while (plan.count < 10 && search.Next(&step)) plan.steps[plan.count++] = step;
  SelectOutput(wanted, &plan);
  MarkNeeded(&plan);
  return plan;
}

// The stored spans of one fiscal year.
struct Spans {
  const Figure* at[5][5] = {};
  uint16_t pattern = 0;
};

// The stored spans of each year of `grid`, found in one pass (the last of
// duplicates wins, as the caller's order is the store's).
std::vector<Spans> StoredSpansByYear(std::span<const Figure> stored, const QuarterGrid& grid) {
  std::vector<Spans> by_year(static_cast<size_t>(grid.years()));
  for (const Figure& f : stored) {
    int y, i, j;
    if (grid.Locate(f.period, &y, &i, &j)) {
      Spans& spans = by_year[static_cast<size_t>(y)];
      spans.at[i][j] = &f;
      spans.pattern = static_cast<uint16_t>(spans.pattern | (1u << SpanBit(i, j)));
    }
  }
  return by_year;
}

// The plan for `pattern`, made on its first use in *plans.
const Plan& PlanFor(uint16_t pattern, uint16_t wanted, std::vector<Plan>* plans) {
  const Plan* plan = nullptr;
  for (const Plan& p : *plans) {
    if (p.pattern == pattern) plan = &p;
  }
  if (plan != nullptr) return *plan;
  plans->push_back(MakePlan(pattern, wanted));
  return plans->back();
}

// Year index `y` of `grid` by `plan`: its output spans appended to *derived
// in period order. `made` holds 10 figures, reassigned from year to year.
[[nodiscard]] absl::Status DeriveYear(const Plan& plan, const Spans& spans,
                                      const QuarterGrid& grid, int y, Figure* made,
                                      std::vector<Figure>* derived) {
  // known[i][j]: the figure for quarters i..j, stored or made here.
  const Figure* known[5][5];
  std::copy(&spans.at[0][0], &spans.at[0][0] + 25, &known[0][0]);
  for (int k = 0; k < plan.count; ++k) {
    if (!plan.needed[k]) continue;
    const Step& st = plan.steps[k];
    KPIDB_RETURN_IF_ERROR(
        CombineInto(*known[st.a_i][st.a_j], *known[st.b_i][st.b_j], st.subtract, &made[k]));
    made[k].period = grid.Span(y, st.i, st.j);
    known[st.i][st.j] = &made[k];
  }
  // Named spans only (an unnamed one, Q2-Q3 or Q2-Q4, was only a step).
  for (int k = 0; k < plan.output_count; ++k) {
    derived->push_back(std::move(made[plan.output[k]]));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<Figure>> DeriveFiscalPeriods(
    std::span<const Figure> stored, const FiscalCalendar& calendar,
    int first_fy, int last_fy, uint16_t wanted) {
  std::vector<Figure> derived;
  if (first_fy > last_fy) return derived;
  const QuarterGrid grid(calendar, first_fy, last_fy);
  const std::vector<Spans> stored_spans = StoredSpansByYear(stored, grid);
  std::vector<Plan> plans;
  derived.reserve(static_cast<size_t>(grid.years()) * 4);
  Figure made[10];
  // Years come in order, and each year's spans in period order: the whole
  // list is sorted.
  for (int y = 0; y < grid.years(); ++y) {
    const Spans& spans = stored_spans[static_cast<size_t>(y)];
    if (spans.pattern == 0) continue;
    const Plan& plan = PlanFor(spans.pattern, wanted, &plans);
    if (plan.output_count == 0) continue;
    KPIDB_RETURN_IF_ERROR(DeriveYear(plan, spans, grid, y, made, &derived));
  }
  return derived;
}

absl::StatusOr<std::vector<Figure>> TrailingTwelveMonths(
    std::span<const Figure> quarters, const FiscalCalendar& calendar,
    int first_fy, int last_fy) {
  std::vector<Figure> out;
  if (first_fy > last_fy) return out;
  // Quarters by position in the grid (year index * 4 + quarter - 1), from
  // the year before first_fy: a TTM reaches three quarters back.
  const QuarterGrid grid(calendar, first_fy - 1, last_fy);
  std::vector<const Figure*> by_quarter(static_cast<size_t>(4 * grid.years()), nullptr);
  for (const Figure& f : quarters) {
    int y, i, j;
    if (grid.Locate(f.period, &y, &i, &j) && i == j) {
      by_quarter[static_cast<size_t>(4 * y + i - 1)] = &f;
    }
  }
  for (size_t end = 4; end < by_quarter.size(); ++end) {
    // The four quarters ending with `end`, oldest first.
    const Figure* parts[4];
    bool complete = true;
    for (int k = 0; k < 4; ++k) {
      parts[k] = by_quarter[end - 3 + static_cast<size_t>(k)];
      complete = complete && parts[k] != nullptr;
    }
    if (!complete) continue;
    Figure sum = *parts[0];
    for (int k = 1; k < 4; ++k) {
      KPIDB_ASSIGN_OR_RETURN(Figure next, Combine(sum, *parts[k], false));
      sum = std::move(next);
    }
    sum.period = Period::FromDayNumbers(parts[0]->period.start_day_number(),
                                        parts[3]->period.end_day_number(), false);
    sum.derivation.op = Derivation::Op::kTrailingTwelveMonths;
    for (int k = 0; k < 4; ++k) sum.derivation.inputs[k] = parts[k]->period;
    out.push_back(std::move(sum));
  }
  return out;
}

}  // namespace kpidb::derive
