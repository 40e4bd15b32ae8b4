// How derived rows are handed out (lib/analytics/row_output.h): unit
// conversion, the screen, and the result's columns.
#include "lib/analytics/row_output.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testutil.h"

namespace kpidb::analytics {
namespace {

using ::kpidb::testing::IsOk;
using ::kpidb::testing::StatusIs;

const FiscalCalendar kMarch{3, FiscalYearNaming::kStart};

Decimal D(const char* text) { return *Decimal::Parse(text); }

class RowOutputTest : public ::testing::Test {
 protected:
  derive::Figure Row(const char* value) const {
    derive::Figure f;
    f.period = *Period::Parse("FY2013Q1-Q3", kMarch);
    f.value = D(value);
    f.unit = &millions_;
    return f;
  }

  const Unit millions_ = *Unit::Parse("JPY million");
  const Unit billions_ = *Unit::Parse("JPY billion");
};

TEST_F(RowOutputTest, ToUnitIsExactOrRounded) {
  absl::StatusOr<Decimal> exact = ToUnit(D("82746"), millions_, billions_, std::nullopt);
  ASSERT_THAT(exact, IsOk());
  EXPECT_EQ(exact->ToString(), "82.746");
  absl::StatusOr<Decimal> rounded = ToUnit(D("82746"), millions_, billions_, 1);
  ASSERT_THAT(rounded, IsOk());
  EXPECT_EQ(rounded->ToString(), "82.7");
  EXPECT_THAT(ToUnit(D("1"), millions_, *Unit::Parse("USD million"), std::nullopt),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(RowOutputTest, WithoutTargetTheRowKeepsItsUnit) {
  const DerivedQuery dq;
  const RowOutput output(dq, std::nullopt);
  const derive::Figure row = Row("82746");
  RowChange change;
  change.unit = row.unit;
  change.change = D("6046");
  OutputValue v;
  ASSERT_THAT(output.Convert(row, &change, &v), IsOk());
  EXPECT_EQ(v.value.ToString(), "82746");
  EXPECT_EQ(v.unit, &millions_);
  EXPECT_EQ(change.change->ToString(), "6046");
  EXPECT_EQ(change.unit, &millions_);
}

TEST_F(RowOutputTest, TargetConvertsValueAndChange) {
  DerivedQuery dq;
  dq.decimals = 1;
  const RowOutput output(dq, billions_);
  const derive::Figure row = Row("82746");
  RowChange change;
  change.unit = row.unit;
  change.change = D("6046");
  OutputValue v;
  ASSERT_THAT(output.Convert(row, &change, &v), IsOk());
  EXPECT_EQ(v.value.ToString(), "82.7");
  EXPECT_EQ(*v.unit, billions_);
  EXPECT_EQ(change.change->ToString(), "6.0");
  EXPECT_EQ(*change.unit, billions_);
}

// A ratio's change is in points whatever the target (the conversion of
// the value itself fails first for a ratio in a money unit).
TEST_F(RowOutputTest, ChangesInPointsAreNotConverted) {
  const DerivedQuery dq;
  const Unit percent = *Unit::Parse("%");
  const RowOutput output(dq, percent);
  derive::Figure row = Row("17.9");
  row.unit = &percent;
  RowChange change;
  change.change = D("-1.4");
  change.unit = &PointsUnit();
  OutputValue v;
  ASSERT_THAT(output.Convert(row, &change, &v), IsOk());
  EXPECT_EQ(change.change->ToString(), "-1.4");
  EXPECT_TRUE(change.in_points());
}

TEST_F(RowOutputTest, ScreenKeepsRowsStrictlyInsideTheThresholds) {
  DerivedQuery dq;
  EXPECT_TRUE(RowOutput(dq, std::nullopt).Keeps(D("5"), RowChange()));
  dq.above = D("5");
  dq.below = D("10");
  const RowOutput on_value(dq, std::nullopt);
  EXPECT_FALSE(on_value.Keeps(D("5"), RowChange()));
  EXPECT_TRUE(on_value.Keeps(D("5.1"), RowChange()));
  EXPECT_FALSE(on_value.Keeps(D("10"), RowChange()));
}

TEST_F(RowOutputTest, ScreenOnAChangeDropsRowsWithoutOne) {
  DerivedQuery dq;
  dq.above = D("0");
  dq.screen_on = DerivedQuery::ScreenOn::kChangePercent;
  const RowOutput output(dq, std::nullopt);
  RowChange change;
  change.change = D("3");
  EXPECT_FALSE(output.Keeps(D("100"), change));  // no percent (zero base)
  change.percent = D("2.5");
  EXPECT_TRUE(output.Keeps(D("-100"), change));
  dq.screen_on = DerivedQuery::ScreenOn::kChange;
  const RowOutput on_change(dq, std::nullopt);
  EXPECT_FALSE(on_change.Keeps(D("100"), RowChange()));
  EXPECT_TRUE(on_change.Keeps(D("-100"), change));
}

TEST_F(RowOutputTest, AppendsRowsAndSeries) {
  DerivedResult out;
  Derivation derivation;
  derivation.op = Derivation::Op::kDifference;
  const Period q4 = *Period::Parse("FY2012Q4", kMarch);
  AppendRow(q4, D("1953"), millions_, absl::CivilDay(2013, 5, 15), derivation, &out);
  RowChange change;
  change.unit = &PointsUnit();
  AppendChange(change, &out);
  SeriesInfo info;
  info.company = "IIJ";
  CloseSeries(info, &out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out.series_end(0), 1u);
  EXPECT_EQ(out.series[0].company, "IIJ");
  EXPECT_EQ(out.unit(0), millions_);
  EXPECT_EQ(out.change_unit(0).ToString(), "pt");
  EXPECT_EQ(out.origins[0], RowOrigin::kDerived);
  EXPECT_FALSE(out.change[0].has_value());
}

}  // namespace
}  // namespace kpidb::analytics
