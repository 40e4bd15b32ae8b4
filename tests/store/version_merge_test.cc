#include "lib/store/version_merge.h"

#include <algorithm>
#include <map>
#include <random>
#include <tuple>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testutil.h"

namespace kpidb::store {
namespace {

using ::testing::ElementsAre;
using Kind = MergeConflict::Kind;

ChunkRow Row(int64_t start, int64_t end, int64_t as_of, int64_t mantissa, uint32_t unit = 1,
             uint32_t source = 0) {
  ChunkRow r;
  r.start = start;
  r.end = end;
  r.as_of = as_of;
  r.mantissa = mantissa;
  r.unit_id = unit;
  r.source_id = source;
  return r;
}

// A merge of `stored` (origin kStoredRow) and `batch` (origin 0, 1, ...).
struct Merge {
  std::vector<ChunkRow> rows;
  std::vector<uint32_t> origin;
  MergeResult result;

  Merge(const std::vector<ChunkRow>& stored, const std::vector<ChunkRow>& batch,
        bool replace = false) {
    rows = stored;
    origin.assign(stored.size(), kStoredRow);
    for (uint32_t i = 0; i < batch.size(); ++i) {
      rows.push_back(batch[i]);
      origin.push_back(i);
    }
    MergeScratch scratch;
    result = MergeVersions(replace, origin, &rows, &scratch);
  }

  // The merged series as (start, end, as_of, mantissa), sorted.
  std::vector<std::tuple<int64_t, int64_t, int64_t, int64_t>> Series() const {
    std::vector<std::tuple<int64_t, int64_t, int64_t, int64_t>> out;
    for (const ChunkRow& r : rows) out.emplace_back(r.start, r.end, r.as_of, r.mantissa);
    std::sort(out.begin(), out.end());
    return out;
  }
};

TEST(VersionMergeTest, NewPeriodsAreNewFacts) {
  Merge m({}, {Row(0, 89, kNoAsOf, 10), Row(90, 180, kNoAsOf, 20)});
  EXPECT_TRUE(m.result.changed);
  EXPECT_EQ(m.result.new_facts, 2u);
  EXPECT_EQ(m.result.versions_added, 0u);
  EXPECT_TRUE(m.result.conflicts.empty());
  EXPECT_EQ(m.rows.size(), 2u);
}

TEST(VersionMergeTest, IdenticalReingestChangesNothing) {
  Merge m({Row(0, 89, 5, 10)}, {Row(0, 89, 5, 10)});
  EXPECT_FALSE(m.result.changed);
  EXPECT_EQ(m.result.unchanged, 1u);
  EXPECT_EQ(m.result.new_facts + m.result.versions_added + m.result.replaced, 0u);
  EXPECT_TRUE(m.result.conflicts.empty());
}

TEST(VersionMergeTest, NewAsOfOfAStoredPeriodIsAVersion) {
  // Dated after, dated before and undated versions of a stored period.
  Merge m({Row(0, 89, 5, 10)}, {Row(0, 89, 9, 11), Row(0, 89, 2, 9), Row(0, 89, kNoAsOf, 8)});
  EXPECT_TRUE(m.result.changed);
  EXPECT_EQ(m.result.versions_added, 3u);
  EXPECT_EQ(m.result.new_facts, 0u);
  EXPECT_EQ(m.rows.size(), 4u);
}

TEST(VersionMergeTest, SeveralVersionsOfANewPeriodCountOneNewFact) {
  Merge m({}, {Row(0, 89, 9, 11), Row(0, 89, 2, 9)});
  EXPECT_EQ(m.result.new_facts, 1u);
  EXPECT_EQ(m.result.versions_added, 1u);
}

TEST(VersionMergeTest, InstantAndDurationOfOneDayAreDifferentPeriods) {
  ChunkRow instant = Row(10, 10, kNoAsOf, 1);
  instant.instant = true;
  Merge m({Row(10, 10, kNoAsOf, 2)}, {instant});
  EXPECT_EQ(m.result.new_facts, 1u);
  EXPECT_TRUE(m.result.conflicts.empty());
}

TEST(VersionMergeTest, ADifferentValueForAStoredKeyConflictsAndKeepsPositions) {
  Merge m({Row(0, 89, 5, 10), Row(90, 180, 5, 20)}, {Row(90, 180, 5, 21)});
  ASSERT_EQ(m.result.conflicts.size(), 1u);
  EXPECT_EQ(m.result.conflicts[0].kind, Kind::kStored);
  EXPECT_EQ(m.result.conflicts[0].row, 2u);    // the batch row
  EXPECT_EQ(m.result.conflicts[0].other, 1u);  // the stored row
  EXPECT_EQ(m.rows.size(), 3u);
  EXPECT_EQ(m.rows[1].mantissa, 20);
  EXPECT_EQ(m.rows[2].mantissa, 21);
}

TEST(VersionMergeTest, UnitOrSourceChangeIsAChangeToo) {
  Merge by_unit({Row(0, 89, 5, 10, 1)}, {Row(0, 89, 5, 10, 2)});
  EXPECT_EQ(by_unit.result.conflicts.size(), 1u);
  Merge by_source({Row(0, 89, 5, 10, 1, 3)}, {Row(0, 89, 5, 10, 1, 4)});
  EXPECT_EQ(by_source.result.conflicts.size(), 1u);
}

TEST(VersionMergeTest, ReplaceOverwritesTheStoredFact) {
  Merge m({Row(0, 89, 5, 10)}, {Row(0, 89, 5, 12)}, /*replace=*/true);
  EXPECT_TRUE(m.result.changed);
  EXPECT_EQ(m.result.replaced, 1u);
  EXPECT_TRUE(m.result.conflicts.empty());
  EXPECT_THAT(m.Series(), ElementsAre(std::make_tuple(0, 89, 5, 12)));
}

TEST(VersionMergeTest, RepeatsInsideTheBatchAreUnchanged) {
  Merge m({}, {Row(0, 89, 5, 10), Row(0, 89, 5, 10)});
  EXPECT_EQ(m.result.new_facts, 1u);
  EXPECT_EQ(m.result.unchanged, 1u);
  EXPECT_THAT(m.Series(), ElementsAre(std::make_tuple(0, 89, 5, 10)));
}

TEST(VersionMergeTest, DisagreeingBatchRowsConflictEvenWhenReplacing) {
  Merge m({}, {Row(0, 89, 5, 10), Row(0, 89, 5, 11)}, /*replace=*/true);
  ASSERT_EQ(m.result.conflicts.size(), 1u);
  EXPECT_EQ(m.result.conflicts[0].kind, Kind::kDuplicate);
  EXPECT_EQ(m.result.conflicts[0].row, 1u);
  EXPECT_EQ(m.result.conflicts[0].other, 0u);
}

TEST(VersionMergeTest, LaterBatchRowsCompareWithTheFirstNotTheStored) {
  // The first batch row repeats the stored fact; the second disagrees with
  // it: two inputs disagree.
  Merge m({Row(0, 89, 5, 10)}, {Row(0, 89, 5, 10), Row(0, 89, 5, 11)});
  EXPECT_EQ(m.result.unchanged, 1u);
  ASSERT_EQ(m.result.conflicts.size(), 1u);
  EXPECT_EQ(m.result.conflicts[0].kind, Kind::kDuplicate);
  EXPECT_EQ(m.result.conflicts[0].row, 2u);
  EXPECT_EQ(m.result.conflicts[0].other, 1u);
}

// Random merges against a model that follows the rules key by key.
TEST(VersionMergeTest, MatchesAKeyByKeyModel) {
  std::mt19937_64 rng = kpidb::testing::SeededRng();
  for (int round = 0; round < 2000; ++round) {
    auto pick = [&](int n) { return static_cast<int64_t>(rng() % static_cast<uint64_t>(n)); };
    const bool replace = rng() % 2 == 0;
    using Key = std::tuple<int64_t, int64_t>;  // (period start, as_of)
    auto as_of = [&] { int64_t a = pick(4); return a == 3 ? kNoAsOf : a; };
    std::map<Key, int64_t> stored;
    for (int i = pick(5); i > 0; --i) stored.emplace(Key{pick(3) * 90, as_of()}, pick(3));
    std::vector<ChunkRow> stored_rows, batch;
    for (const auto& [k, v] : stored) {
      stored_rows.push_back(Row(std::get<0>(k), std::get<0>(k) + 89, std::get<1>(k), v));
    }
    for (int i = pick(7); i > 0; --i) batch.push_back(Row(pick(3) * 90, 0, as_of(), pick(3)));
    for (ChunkRow& r : batch) r.end = r.start + 89;

    // The model.
    MergeResult want;
    std::map<Key, int64_t> final_rows = stored;
    std::map<Key, size_t> first_batch;  // key -> index in batch
    std::map<int64_t, int> new_keys;    // period -> new keys in it
    size_t conflicts = 0;
    for (size_t i = 0; i < batch.size(); ++i) {
      const Key k{batch[i].start, batch[i].as_of};
      const int64_t v = batch[i].mantissa;
      auto first = first_batch.find(k);
      if (first != first_batch.end()) {
        if (batch[first->second].mantissa == v) ++want.unchanged; else ++conflicts;
        continue;
      }
      first_batch.emplace(k, i);
      auto s = stored.find(k);
      if (s == stored.end()) {
        ++new_keys[batch[i].start];
        final_rows[k] = v;
      } else if (s->second == v) {
        ++want.unchanged;
      } else if (replace) {
        ++want.replaced;
        final_rows[k] = v;
      } else {
        ++conflicts;
      }
    }
    for (const auto& [period, n] : new_keys) {
      bool period_stored = false;
      for (const auto& [k, v] : stored) period_stored |= std::get<0>(k) == period;
      want.new_facts += period_stored ? 0 : 1;
      want.versions_added += static_cast<size_t>(n) - (period_stored ? 0 : 1);
    }

    Merge got(stored_rows, batch, replace);
    SCOPED_TRACE(round);
    EXPECT_EQ(got.result.new_facts, want.new_facts);
    EXPECT_EQ(got.result.versions_added, want.versions_added);
    EXPECT_EQ(got.result.unchanged, want.unchanged);
    EXPECT_EQ(got.result.replaced, want.replaced);
    EXPECT_EQ(got.result.conflicts.size(), conflicts);
    EXPECT_EQ(got.result.changed, !new_keys.empty() || want.replaced > 0);
    if (conflicts == 0) {
      std::vector<std::tuple<int64_t, int64_t, int64_t, int64_t>> expected;
      for (const auto& [k, v] : final_rows) {
        expected.emplace_back(std::get<0>(k), std::get<0>(k) + 89, std::get<1>(k), v);
      }
      std::sort(expected.begin(), expected.end());
      if (got.result.changed) {
        EXPECT_EQ(got.Series(), expected);
      }
    }
  }
}

}  // namespace
}  // namespace kpidb::store
