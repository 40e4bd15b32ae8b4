// ResolveSeriesRange (lib/analytics/series_range.h): a derived query's range
// through one series' calendar.
#include "lib/analytics/series_range.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testutil.h"

namespace kpidb::analytics {
namespace {

using ::kpidb::testing::IsOk;
using ::kpidb::testing::StatusIs;
using ::testing::HasSubstr;

// IIJ's calendar: FY2013 is April 2013 to March 2014.
const FiscalCalendar kMarch{3, FiscalYearNaming::kStart};

Period P(const char* label, const FiscalCalendar& calendar = kMarch) {
  return *Period::Parse(label, calendar);
}

TEST(SeriesRangeTest, UnboundedCoversEveryPeriod) {
  absl::StatusOr<SeriesRange> r = ResolveSeriesRange(DerivedQuery(), kMarch);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->from, absl::CivilDay(1, 1, 1));
  EXPECT_EQ(r->to, absl::CivilDay(9999, 12, 31));
  EXPECT_FALSE(r->bounded);
  EXPECT_FALSE(r->exact.has_value());
  EXPECT_TRUE(r->Contains(P("FY2013")));
  EXPECT_TRUE(r->Contains(P("2014-02-07")));
}

// The same labels select each company's own fiscal periods.
TEST(SeriesRangeTest, BoundsResolveThroughTheCalendar) {
  DerivedQuery dq;
  dq.query.from = "FY2013";
  dq.query.to = "FY2013Q2";
  absl::StatusOr<SeriesRange> march = ResolveSeriesRange(dq, kMarch);
  ASSERT_THAT(march, IsOk());
  EXPECT_EQ(march->from, absl::CivilDay(2013, 4, 1));
  EXPECT_EQ(march->to, absl::CivilDay(2013, 9, 30));
  EXPECT_TRUE(march->bounded);
  EXPECT_TRUE(march->Contains(P("FY2013H1")));
  EXPECT_FALSE(march->Contains(P("FY2013Q3")));
  EXPECT_FALSE(march->Contains(P("FY2012Q4")));

  absl::StatusOr<SeriesRange> december = ResolveSeriesRange(dq, FiscalCalendar::CalendarYear());
  ASSERT_THAT(december, IsOk());
  EXPECT_EQ(december->from, absl::CivilDay(2013, 1, 1));
  EXPECT_EQ(december->to, absl::CivilDay(2013, 6, 30));
}

// Only a lower bound moves where derivation starts.
TEST(SeriesRangeTest, AnUpperBoundAloneIsNotBounded) {
  DerivedQuery dq;
  dq.query.to = "FY2013";
  absl::StatusOr<SeriesRange> r = ResolveSeriesRange(dq, kMarch);
  ASSERT_THAT(r, IsOk());
  EXPECT_FALSE(r->bounded);
  EXPECT_EQ(r->from, absl::CivilDay(1, 1, 1));
  EXPECT_EQ(r->to, absl::CivilDay(2014, 3, 31));
}

// An exact period is that period only, not the periods inside it.
TEST(SeriesRangeTest, ExactPeriodContainsOnlyItself) {
  DerivedQuery dq;
  dq.query.period = "FY2013";
  absl::StatusOr<SeriesRange> r = ResolveSeriesRange(dq, kMarch);
  ASSERT_THAT(r, IsOk());
  ASSERT_TRUE(r->exact.has_value());
  EXPECT_EQ(*r->exact, P("FY2013"));
  EXPECT_TRUE(r->bounded);
  EXPECT_EQ(r->from, absl::CivilDay(2013, 4, 1));
  EXPECT_EQ(r->to, absl::CivilDay(2014, 3, 31));
  EXPECT_TRUE(r->Contains(P("FY2013")));
  EXPECT_FALSE(r->Contains(P("FY2013Q1")));
  EXPECT_FALSE(r->Contains(P("FY2013H2")));
}

// A window keeps periods ending inside it: the range starts a window's
// length (92 days) and 62 days more before it.
TEST(SeriesRangeTest, CalendarWindowReachesBackItsLength) {
  DerivedQuery dq;
  dq.calendar_window = *Period::Duration(absl::CivilDay(2013, 10, 1), absl::CivilDay(2013, 12, 31));
  absl::StatusOr<SeriesRange> r = ResolveSeriesRange(dq, kMarch);
  ASSERT_THAT(r, IsOk());
  EXPECT_TRUE(r->bounded);
  EXPECT_EQ(r->from, absl::CivilDay(2013, 4, 30));
  EXPECT_EQ(r->to, absl::CivilDay(2013, 12, 31));
  EXPECT_TRUE(r->Contains(P("FY2013Q3")));  // October to December
  EXPECT_TRUE(r->Contains(P("FY2013Q2")));  // the window's view decides, not the range
  EXPECT_FALSE(r->Contains(P("FY2013Q1")));
}

TEST(SeriesRangeTest, BadBoundIsInvalidArgument) {
  DerivedQuery dq;
  dq.query.from = "FY2013Q5";
  absl::StatusOr<SeriesRange> r = ResolveSeriesRange(dq, kMarch);
  EXPECT_THAT(r, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("bad period bound"));
  dq.query.from.clear();
  dq.query.period = "2013-02-30";
  EXPECT_THAT(ResolveSeriesRange(dq, kMarch), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace kpidb::analytics
