// Views over a series (lib/analytics/series_view.h): the quarter grid of
// its data, and which periods a view and a calendar window keep.
#include "lib/analytics/series_view.h"

#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kpidb::analytics {
namespace {

const FiscalCalendar kMarch{3, FiscalYearNaming::kStart};

Period P(const char* label) { return *Period::Parse(label, kMarch); }

TEST(GridOfTest, DataYearsAndOneMoreEachSide) {
  const std::vector<Period> periods = {P("FY2012Q1"), P("2013-11-08"), P("FY2013")};
  const derive::QuarterGrid grid = GridOf(kMarch, periods);
  EXPECT_EQ(grid.first_fy(), 2011);
  EXPECT_EQ(grid.years(), 4);  // FY2011 to FY2014
  EXPECT_EQ(GridOf(kMarch, {}).years(), 0);
}

TEST(InViewTest, ViewsKeepTheirKindOfPeriod) {
  const derive::QuarterGrid grid(kMarch, 2012, 2014);
  DerivedQuery dq;
  EXPECT_TRUE(InView(dq, P("2013-11-08"), grid));
  dq.view = DerivedQuery::View::kQuarters;
  EXPECT_TRUE(InView(dq, P("FY2013Q2"), grid));
  EXPECT_FALSE(InView(dq, P("FY2013H1"), grid));
  EXPECT_FALSE(InView(dq, P("2013-11-08"), grid));
  EXPECT_FALSE(InView(dq, P("FY2020Q1"), grid));  // outside the grid
  dq.view = DerivedQuery::View::kFiscalYears;
  EXPECT_TRUE(InView(dq, P("FY2013"), grid));
  EXPECT_FALSE(InView(dq, P("FY2013Q1-Q3"), grid));
}

// Calendar 2013Q4 is FY2013Q3 for a March year-end: same length, ending
// inside the window.
TEST(InViewTest, CalendarWindowKeepsPeriodsOfItsLengthEndingInside) {
  const derive::QuarterGrid grid(kMarch, 2012, 2014);
  DerivedQuery dq;
  dq.calendar_window = *Period::Duration(absl::CivilDay(2013, 10, 1), absl::CivilDay(2013, 12, 31));
  EXPECT_TRUE(InView(dq, P("FY2013Q3"), grid));
  EXPECT_FALSE(InView(dq, P("FY2013Q2"), grid));     // ends before
  EXPECT_FALSE(InView(dq, P("FY2013Q1-Q3"), grid));  // longer
  EXPECT_FALSE(InView(dq, P("2013-11-08"), grid));   // an instant
  // Three whole months ending inside, whatever the fiscal quarters.
  const Period shifted =
      *Period::Duration(absl::CivilDay(2013, 9, 1), absl::CivilDay(2013, 11, 30));
  EXPECT_TRUE(InView(dq, shifted, grid));
}

}  // namespace
}  // namespace kpidb::analytics
