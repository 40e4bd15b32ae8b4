#include "lib/store/fact_runs.h"

#include <filesystem>
#include <map>
#include <random>
#include <tuple>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/env.h"
#include "tests/testutil.h"

namespace kpidb::store {
namespace {

using ::kpidb::testing::IsOk;
using ::kpidb::testing::ScopedTempDir;

RunFact Fact(uint32_t metric, uint32_t scenario, uint32_t company, uint32_t seq) {
  RunFact f{};
  f.metric = metric;
  f.scenario = scenario;
  f.company = company;
  f.seq = seq;
  f.start = static_cast<int32_t>(seq);
  f.end = static_cast<int32_t>(seq) + 10;
  f.as_of = RunFact::kRunNoAsOf;
  f.mantissa = seq * 3;
  f.tag = seq + 1000;
  return f;
}

// Facts come back grouped by series in key order, each series in input
// order, every fact exactly once, however many runs were spilled.
TEST(FactRunsTest, MergesSpilledRunsBySeriesInInputOrder) {
  ScopedTempDir dir;
  std::mt19937_64 rng = kpidb::testing::SeededRng();
  for (size_t buffer : {size_t{1}, size_t{7}, size_t{100}, size_t{5000}}) {
    SCOPED_TRACE(buffer);
    const std::string runs_dir = dir.Sub("runs");
    std::map<std::tuple<uint32_t, uint32_t, uint32_t>, std::vector<uint32_t>> model;
    size_t spilled = 0;
    {
      FactRuns runs(rocksdb::Env::Default(), runs_dir, buffer);
      for (uint32_t seq = 0; seq < 3000; ++seq) {
        const RunFact f = Fact(1 + rng() % 4, 1 + rng() % 2, 1 + rng() % 30, seq);
        model[{f.metric, f.scenario, f.company}].push_back(seq);
        ASSERT_THAT(runs.Add(f), IsOk());
      }
      EXPECT_EQ(runs.size(), 3000u);
      spilled = runs.spilled_runs();
      absl::StatusOr<std::unique_ptr<FactRuns::Reader>> reader = runs.Read();
      ASSERT_THAT(reader, IsOk());
      std::vector<RunFact> series;
      bool overflowed = false;
      auto expected = model.begin();
      while ((*reader)->NextSeries(&series, 1u << 20, &overflowed)) {
        ASSERT_NE(expected, model.end());
        EXPECT_FALSE(overflowed);
        std::vector<uint32_t> seqs;
        for (const RunFact& f : series) {
          EXPECT_EQ(std::make_tuple(f.metric, f.scenario, f.company), expected->first);
          EXPECT_EQ(f.tag, f.seq + 1000u);
          EXPECT_EQ(f.mantissa, int64_t{f.seq} * 3);
          seqs.push_back(f.seq);
        }
        EXPECT_EQ(seqs, expected->second);
        ++expected;
      }
      EXPECT_THAT((*reader)->status(), IsOk());
      EXPECT_EQ(expected, model.end());
    }
    EXPECT_EQ(spilled, buffer >= 3000 ? 0u : (3000 - 1) / buffer);
    // The run files are gone with the FactRuns.
    if (std::filesystem::exists(runs_dir)) {
      EXPECT_TRUE(std::filesystem::is_empty(runs_dir));
    }
  }
}

TEST(FactRunsTest, LongSeriesIsCutAtTheLimitAndSkipped) {
  ScopedTempDir dir;
  FactRuns runs(rocksdb::Env::Default(), dir.Sub("runs"), 16);
  uint32_t seq = 0;
  for (int i = 0; i < 50; ++i) ASSERT_THAT(runs.Add(Fact(1, 1, 1, seq++)), IsOk());
  ASSERT_THAT(runs.Add(Fact(1, 1, 2, seq++)), IsOk());
  absl::StatusOr<std::unique_ptr<FactRuns::Reader>> reader = runs.Read();
  ASSERT_THAT(reader, IsOk());
  std::vector<RunFact> series;
  bool overflowed = false;
  ASSERT_TRUE((*reader)->NextSeries(&series, 20, &overflowed));
  EXPECT_TRUE(overflowed);
  EXPECT_EQ(series.size(), 20u);
  ASSERT_TRUE((*reader)->NextSeries(&series, 20, &overflowed));
  EXPECT_FALSE(overflowed);
  ASSERT_EQ(series.size(), 1u);
  EXPECT_EQ(series[0].company, 2u);
  EXPECT_FALSE((*reader)->NextSeries(&series, 20, &overflowed));
}

}  // namespace
}  // namespace kpidb::store
