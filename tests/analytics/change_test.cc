// Changes of derived rows (lib/analytics/change.h): the base period, the
// lookup of its figure, and the change and percent.
#include "lib/analytics/change.h"

#include <map>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testutil.h"

namespace kpidb::analytics {
namespace {

using ::kpidb::testing::IsOk;
using ::kpidb::testing::StatusIs;

const FiscalCalendar kMarch{3, FiscalYearNaming::kStart};
constexpr Decimal::Rounding kHalfAway = Decimal::Rounding::kHalfAwayFromZero;

Period P(const char* label) { return *Period::Parse(label, kMarch); }
Period Days(absl::CivilDay start, absl::CivilDay end) { return *Period::Duration(start, end); }

// Figures point at their unit, as into a query result; these outlive the
// tests.
const Unit* UnitOf(const std::string& text) {
  static auto* units = new std::map<std::string, Unit>();
  auto it = units->find(text);
  if (it == units->end()) it = units->emplace(text, *Unit::Parse(text)).first;
  return &it->second;
}

derive::Figure F(const char* label, const char* value, const char* unit = "JPY million") {
  derive::Figure f;
  f.period = P(label);
  f.value = *Decimal::Parse(value);
  f.unit = UnitOf(unit);
  return f;
}

// FY2012 to FY2014, as GridOf makes it for data in FY2013.
derive::QuarterGrid Grid() { return derive::QuarterGrid(kMarch, 2012, 2014); }

TEST(ShiftBackTest, MonthAlignedPeriodsStayAligned) {
  EXPECT_EQ(ShiftBack(P("FY2013Q3"), 12), P("FY2012Q3"));
  EXPECT_EQ(ShiftBack(P("FY2013Q3"), 3), P("FY2013Q2"));
  EXPECT_EQ(ShiftBack(P("FY2013H1"), 6), P("FY2012H2"));
}

TEST(ShiftBackTest, InstantsKeepMonthEnds) {
  EXPECT_EQ(ShiftBack(P("2013-05-31"), 3), P("2013-02-28"));
  EXPECT_EQ(ShiftBack(P("2012-02-29"), 12), P("2011-02-28"));
  EXPECT_EQ(ShiftBack(P("2013-11-08"), 12), P("2012-11-08"));
  EXPECT_EQ(ShiftBack(P("2013-03-30"), 1), std::nullopt);  // no 30 February
}

// Periods that are not whole months: a year back keeps the dates, any
// other shift is the same number of days just before.
TEST(ShiftBackTest, OtherPeriodsKeepTheirLengthInDays) {
  const Period p = Days(absl::CivilDay(2013, 1, 15), absl::CivilDay(2013, 2, 14));
  EXPECT_EQ(ShiftBack(p, 12), Days(absl::CivilDay(2012, 1, 15), absl::CivilDay(2012, 2, 14)));
  EXPECT_EQ(ShiftBack(p, 0), Days(absl::CivilDay(2012, 12, 15), absl::CivilDay(2013, 1, 14)));
}

TEST(BasePeriodOfTest, YearOverYearIsTheSameQuartersAYearBack) {
  const derive::QuarterGrid grid = Grid();
  constexpr auto kYoY = DerivedQuery::Change::kYearOverYear;
  EXPECT_EQ(BasePeriodOf(kYoY, P("FY2013Q3"), grid), P("FY2012Q3"));
  EXPECT_EQ(BasePeriodOf(kYoY, P("FY2013Q1-Q3"), grid), P("FY2012Q1-Q3"));
  EXPECT_EQ(BasePeriodOf(kYoY, P("FY2013"), grid), P("FY2012"));
  // The grid's first year has no year before it in the grid: shifted back.
  EXPECT_EQ(BasePeriodOf(kYoY, P("FY2012Q2"), grid), P("FY2011Q2"));
  // Not on the grid: a TTM, an instant.
  const Period ttm = Days(absl::CivilDay(2013, 1, 1), absl::CivilDay(2013, 12, 31));
  EXPECT_EQ(BasePeriodOf(kYoY, ttm, grid),
            Days(absl::CivilDay(2012, 1, 1), absl::CivilDay(2012, 12, 31)));
  EXPECT_EQ(BasePeriodOf(kYoY, P("2014-02-07"), grid), P("2013-02-07"));
}

TEST(BasePeriodOfTest, PeriodOverPeriodIsThePeriodBefore) {
  const derive::QuarterGrid grid = Grid();
  constexpr auto kPoP = DerivedQuery::Change::kPeriodOverPeriod;
  EXPECT_EQ(BasePeriodOf(kPoP, P("FY2013Q3"), grid), P("FY2013Q2"));
  EXPECT_EQ(BasePeriodOf(kPoP, P("FY2013Q1"), grid), P("FY2012Q4"));
  EXPECT_EQ(BasePeriodOf(kPoP, P("FY2013H2"), grid), P("FY2013H1"));
  EXPECT_EQ(BasePeriodOf(kPoP, P("FY2013"), grid), P("FY2012"));  // 12 months: on the grid
  EXPECT_EQ(BasePeriodOf(kPoP, P("2014-02-07"), grid), P("2013-11-07"));  // a quarter back
}

TEST(ChangeBasesTest, FindsStoredDerivedAndTtmFigures) {
  // Each span in period order, as ExecuteDerived gives them.
  const std::vector<derive::Figure> stored = {F("FY2012Q1", "100"), F("FY2012Q1-Q3", "330"),
                                             F("FY2012", "440")};
  const std::vector<derive::Figure> derived = {F("FY2012Q2", "110"), F("FY2012H1", "210"),
                                              F("FY2012Q3", "120"), F("FY2012Q4", "110")};
  derive::Figure ttm_2012 = F("FY2012", "999");  // the TTM ending in Q4 is the year
  derive::Figure ttm_later = F("FY2012Q1", "0");
  ttm_later.period = Days(absl::CivilDay(2012, 7, 1), absl::CivilDay(2013, 6, 30));
  const std::vector<derive::Figure> ttm = {ttm_2012, ttm_later};
  ChangeBases bases;
  bases.Rebuild(stored, derived, ttm);
  EXPECT_EQ(bases.Find(P("FY2012Q1")), &stored[0]);
  EXPECT_EQ(bases.Find(P("FY2012Q3")), &derived[2]);
  EXPECT_EQ(bases.Find(P("FY2012")), &stored[2]);  // not the TTM of the same dates
  EXPECT_EQ(bases.Find(ttm_later.period), &ttm[1]);
  EXPECT_EQ(bases.Find(P("FY2012H2")), nullptr);
  EXPECT_EQ(bases.Find(P("FY2011Q1")), nullptr);
}

// Rebuilding for the next series forgets the previous one.
TEST(ChangeBasesTest, RebuildReplacesTheSeries) {
  const std::vector<derive::Figure> first = {F("FY2012Q1", "1"), F("FY2012Q2", "2")};
  const std::vector<derive::Figure> second = {F("FY2012Q2", "3")};
  ChangeBases bases;
  bases.Rebuild(first, {}, {});
  EXPECT_EQ(bases.Find(P("FY2012Q1")), &first[0]);
  bases.Rebuild(second, {}, {});
  EXPECT_EQ(bases.Find(P("FY2012Q1")), nullptr);
  EXPECT_EQ(bases.Find(P("FY2012Q2")), &second[0]);
}

// Two figures of one period (which a series does not hold): the last, as a
// linear scan would find.
TEST(ChangeBasesTest, LastOfEqualPeriodsWins) {
  const std::vector<derive::Figure> stored = {F("FY2012Q1", "1"), F("FY2012Q1", "2")};
  ChangeBases bases;
  bases.Rebuild(stored, {}, {});
  EXPECT_EQ(bases.Find(P("FY2012Q1")), &stored[1]);
}

// Tax, FY2013Q3 against FY2013Q2: 378 - 804 = -426, -53.0%.
TEST(ComputeChangeTest, DifferenceAndPercentOfTheBase) {
  const derive::Figure row = F("FY2013Q3", "378");
  const derive::Figure base = F("FY2013Q2", "804");
  RowChange change;
  derive::Figure scratch;
  change.unit = row.unit;
  ASSERT_THAT(ComputeChange(row, base, 1, kHalfAway, &scratch, &change), IsOk());
  EXPECT_EQ(change.base, P("FY2013Q2"));
  EXPECT_EQ(change.change->ToString(), "-426");
  EXPECT_EQ(change.percent->ToString(), "-53.0");
  EXPECT_EQ(change.unit, UnitOf("JPY million"));
  EXPECT_FALSE(change.in_points());
  ASSERT_THAT(ComputeChange(row, base, 3, kHalfAway, &scratch, &change), IsOk());
  EXPECT_EQ(change.percent->ToString(), "-52.985");
}

// Revenue, FY2013Q1-Q3 against FY2012Q1-Q3 in billions: exact in millions.
TEST(ComputeChangeTest, MixedScalesAreExactInTheFinerOne) {
  const derive::Figure row = F("FY2013Q1-Q3", "82746");
  const derive::Figure base = F("FY2012Q1-Q3", "76.7", "JPY billion");
  RowChange change;
  derive::Figure scratch;
  ASSERT_THAT(ComputeChange(row, base, 1, kHalfAway, &scratch, &change), IsOk());
  EXPECT_EQ(change.change->ToString(), "6046");
  EXPECT_EQ(change.unit, UnitOf("JPY million"));
  EXPECT_EQ(change.percent->ToString(), "7.9");
}

TEST(ComputeChangeTest, RatiosChangeInPointsWithoutPercent) {
  RowChange change;
  derive::Figure scratch;
  ASSERT_THAT(ComputeChange(F("FY2013Q3", "17.9", "%"), F("FY2012Q3", "19.3", "%"), 1,
                            kHalfAway, &scratch, &change),
              IsOk());
  EXPECT_EQ(change.change->ToString(), "-1.4");
  EXPECT_EQ(change.unit, &PointsUnit());
  EXPECT_EQ(change.unit->ToString(), "pt");
  EXPECT_TRUE(change.in_points());
  EXPECT_FALSE(change.percent.has_value());
}

TEST(ComputeChangeTest, ZeroBaseHasNoPercent) {
  RowChange change;
  derive::Figure scratch;
  ASSERT_THAT(ComputeChange(F("FY2013Q3", "5"), F("FY2012Q3", "0"), 1,
                            kHalfAway, &scratch, &change),
              IsOk());
  EXPECT_EQ(change.change->ToString(), "5");
  EXPECT_FALSE(change.percent.has_value());
}

TEST(ComputeChangeTest, OtherDimensionIsInvalidArgument) {
  RowChange change;
  derive::Figure scratch;
  EXPECT_THAT(ComputeChange(F("FY2013Q3", "5"), F("FY2012Q3", "4", "USD million"), 1,
                            kHalfAway, &scratch, &change),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace kpidb::analytics
