#include "lib/util/days.h"

#include "absl/time/civil_time.h"
#include "gtest/gtest.h"
#include "lib/util/checksum.h"

namespace kpidb {
namespace {

// Every day from year -1000 to 10000 against absl's civil-time arithmetic.
TEST(DaysTest, MatchesAbseilEveryDay) {
  const absl::CivilDay epoch(1970, 1, 1);
  const int64_t first = DaysFromCivil(-1000, 1, 1);
  const int64_t last = DaysFromCivil(10000, 12, 31);
  EXPECT_EQ(absl::CivilDay(-1000, 1, 1) - epoch, first);
  for (int64_t n = first; n <= last; ++n) {
    const absl::CivilDay d = epoch + n;
    const YearMonthDay ymd = CivilFromDays(n);
    ASSERT_EQ(ymd.year, d.year()) << n;
    ASSERT_EQ(ymd.month, d.month()) << n;
    ASSERT_EQ(ymd.day, d.day()) << n;
    ASSERT_EQ(DaysFromCivil(d.year(), d.month(), d.day()), n);
    ASSERT_EQ(ToDays(d), n);
    ASSERT_EQ(FromDays(n), d);
  }
}

TEST(DaysTest, DaysInMonthAndLeapYears) {
  EXPECT_EQ(DaysInMonth(2024, 2), 29);
  EXPECT_EQ(DaysInMonth(2023, 2), 28);
  EXPECT_EQ(DaysInMonth(1900, 2), 28);
  EXPECT_EQ(DaysInMonth(2000, 2), 29);
  EXPECT_EQ(DaysInMonth(2013, 12), 31);
  EXPECT_EQ(DaysInMonth(2013, 9), 30);
}

TEST(ChecksumTest, DetectsChangesAndTruncation) {
  std::string v = "series chunk";
  AppendChecksum(&v);
  std::string_view payload;
  ASSERT_TRUE(VerifyChecksum(v, &payload));
  EXPECT_EQ(payload, "series chunk");
  for (size_t i = 0; i < v.size(); ++i) {
    std::string bad = v;
    bad[i] ^= 0x01;
    EXPECT_FALSE(VerifyChecksum(bad, &payload)) << i;
  }
  EXPECT_FALSE(VerifyChecksum(v.substr(0, 3), &payload));
  EXPECT_FALSE(VerifyChecksum(v.substr(0, v.size() - 1), &payload));
}

}  // namespace
}  // namespace kpidb
