#include "lib/period/bound.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testutil.h"

namespace kpidb {
namespace {

using ::kpidb::testing::IsOk;
using ::kpidb::testing::StatusIs;
using ::testing::HasSubstr;

const FiscalCalendar kMarch{3, FiscalYearNaming::kStart};

TEST(ResolveBoundsTest, ParsesEachLabelThroughTheCalendar) {
  absl::StatusOr<ResolvedBounds> b = ResolveBounds("", "FY2013Q1", "FY2013", kMarch);
  ASSERT_THAT(b, IsOk());
  ASSERT_TRUE(b->from.has_value() && b->to.has_value());
  EXPECT_FALSE(b->period.has_value());
  EXPECT_EQ(b->from->start(), absl::CivilDay(2013, 4, 1));
  EXPECT_EQ(b->to->end(), absl::CivilDay(2014, 3, 31));

  b = ResolveBounds("FY2013", "", "", kMarch);
  ASSERT_THAT(b, IsOk());
  EXPECT_FALSE(b->from.has_value() || b->to.has_value());
  ASSERT_TRUE(b->period.has_value());
  EXPECT_EQ(b->period->start(), absl::CivilDay(2013, 4, 1));

  b = ResolveBounds("", "", "", kMarch);
  ASSERT_THAT(b, IsOk());
  EXPECT_FALSE(b->from.has_value() || b->to.has_value() || b->period.has_value());
}

TEST(ResolveBoundsTest, APeriodWithARangeIsRefusedBeforeAnyParse) {
  // The bad label is not reached: the rule comes first.
  absl::StatusOr<ResolvedBounds> b = ResolveBounds("FY2013", "FY2013Q5", "", kMarch);
  EXPECT_THAT(b, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(std::string(b.status().message()), HasSubstr("one period or a range"));
  EXPECT_THAT(ResolveBounds("FY2013", "", "FY2014", kMarch),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ResolveBoundsTest, ABadLabelNamesItself) {
  for (const char* label : {"FY2013Q5", "2013-02-30"}) {
    absl::StatusOr<ResolvedBounds> b = ResolveBounds("", label, "", kMarch);
    EXPECT_THAT(b, StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(std::string(b.status().message()), HasSubstr("bad period bound"));
    EXPECT_THAT(ResolveBounds(label, "", "", kMarch),
                StatusIs(absl::StatusCode::kInvalidArgument));
  }
}

}  // namespace
}  // namespace kpidb
