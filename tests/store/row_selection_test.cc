#include "lib/store/row_selection.h"

#include <algorithm>
#include <random>
#include <tuple>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/util/days.h"

namespace kpidb::store {
namespace {

using ::testing::ElementsAre;

int64_t Day(int y, int m, int d) { return DaysFromCivil(y, m, d); }

ChunkRow Row(int64_t start, int64_t end, int64_t as_of, int64_t value,
             bool instant = false) {
  ChunkRow r;
  r.start = start;
  r.end = end;
  r.instant = instant;
  r.as_of = as_of;
  r.mantissa = value;
  return r;
}

std::vector<int64_t> Values(const std::vector<ChunkRow>& rows, const RowFilter& f) {
  std::vector<uint32_t> idx;
  SelectRows(rows, f, &idx);
  std::vector<int64_t> out;
  for (uint32_t i : idx) out.push_back(rows[i].mantissa);
  return out;
}

// Rows in chunk order: (span, start, as_of).
std::vector<ChunkRow> Sample() {
  return {
      Row(Day(2013, 12, 31), Day(2013, 12, 31), Day(2014, 2, 7), 1, true),
      Row(Day(2013, 4, 1), Day(2013, 6, 30), Day(2013, 8, 1), 10),
      Row(Day(2013, 7, 1), Day(2013, 9, 30), Day(2013, 11, 1), 20),
      Row(Day(2013, 10, 1), Day(2013, 12, 31), Day(2014, 2, 7), 30),
      Row(Day(2013, 4, 1), Day(2013, 12, 31), Day(2014, 2, 7), 60),
      // Three versions of FY2013: none, 2014-02-07, 2014-05-14.
      Row(Day(2013, 4, 1), Day(2014, 3, 31), kNoAsOf, 1170),
      Row(Day(2013, 4, 1), Day(2014, 3, 31), Day(2014, 2, 7), 1140),
      Row(Day(2013, 4, 1), Day(2014, 3, 31), Day(2014, 5, 14), 1150),
  };
}

TEST(SelectRowsTest, LatestVersionInOutputOrder) {
  // End, then shorter first: instant, Q3, Q1-Q3 all end 2013-12-31.
  EXPECT_THAT(Values(Sample(), RowFilter()), ElementsAre(10, 20, 1, 30, 60, 1150));
}

TEST(SelectRowsTest, AllVersionsOldestFirst) {
  RowFilter f;
  f.all_versions = true;
  EXPECT_THAT(Values(Sample(), f), ElementsAre(10, 20, 1, 30, 60, 1170, 1140, 1150));
}

TEST(SelectRowsTest, AsOfHidesLaterVersionsAndFacts) {
  RowFilter f;
  f.as_of = Day(2014, 3, 1);
  EXPECT_THAT(Values(Sample(), f), ElementsAre(10, 20, 1, 30, 60, 1140));
  f.as_of = Day(2014, 1, 1);
  EXPECT_THAT(Values(Sample(), f), ElementsAre(10, 20, 1170));
  f.all_versions = true;
  f.as_of = Day(2014, 2, 7);
  EXPECT_THAT(Values(Sample(), f), ElementsAre(10, 20, 1, 30, 60, 1170, 1140));
}

TEST(SelectRowsTest, RangeKeepsPeriodsInside) {
  RowFilter f;
  f.from = Day(2013, 7, 1);
  f.to = Day(2013, 12, 31);
  EXPECT_THAT(Values(Sample(), f), ElementsAre(20, 1, 30));
  f.from = Day(2013, 4, 1);
  f.to = Day(2013, 6, 30);
  EXPECT_THAT(Values(Sample(), f), ElementsAre(10));
  f.to = Day(2013, 6, 29);
  EXPECT_TRUE(Values(Sample(), f).empty());
}

TEST(SelectRowsTest, AppendsAfterExistingIndexes) {
  std::vector<uint32_t> idx = {99};
  SelectRows(Sample(), RowFilter(), &idx);
  ASSERT_EQ(idx.size(), 7u);
  EXPECT_EQ(idx[0], 99u);
}

// Output order must not depend on how many kinds of period a series mixes
// (a few runs are merged, many are sorted): compare with a reference sort.
TEST(SelectRowsTest, OrderMatchesReferenceSortForAnyMix) {
  std::mt19937_64 rng(::testing::UnitTest::GetInstance()->random_seed());
  for (int iter = 0; iter < 300; ++iter) {
    std::vector<ChunkRow> rows;
    const int kinds = 1 + static_cast<int>(rng() % 12);
    for (int k = 0; k < kinds; ++k) {
      const int64_t len = k == 0 ? 0 : 30 * k + static_cast<int64_t>(rng() % 5);
      int64_t start = 15000 + static_cast<int64_t>(rng() % 100);
      for (int i = 0; i < 1 + static_cast<int>(rng() % 10); ++i) {
        rows.push_back(Row(start, start + (len == 0 ? 0 : len - 1), kNoAsOf,
                           static_cast<int64_t>(rows.size()), len == 0));
        // Some periods have later versions, adjacent and oldest first.
        for (int v = static_cast<int>(rng() % 4); v >= 1 && v <= 2; --v) {
          rows.push_back(Row(start, start + (len == 0 ? 0 : len - 1), 20000 - 10 * v,
                             static_cast<int64_t>(rows.size()), len == 0));
        }
        start += len + 1 + static_cast<int64_t>(rng() % 3);  // keys stay unique
      }
    }
    // Chunk order: by (length kind, start), as EncodeChunk leaves them.
    std::vector<uint32_t> idx;
    RowFilter all;
    all.all_versions = true;
    SelectRows(rows, all, &idx);
    std::vector<uint32_t> expected(rows.size());
    for (uint32_t i = 0; i < expected.size(); ++i) expected[i] = i;
    std::sort(expected.begin(), expected.end(), [&](uint32_t a, uint32_t b) {
      auto key = [&](uint32_t i) {
        const ChunkRow& r = rows[i];
        return std::make_tuple(r.end, r.instant ? 0 : r.end - r.start + 1, r.start, r.as_of);
      };
      return key(a) < key(b);
    });
    ASSERT_EQ(idx, expected) << "iteration " << iter << ", " << kinds << " kinds";
  }
}

}  // namespace
}  // namespace kpidb::store
