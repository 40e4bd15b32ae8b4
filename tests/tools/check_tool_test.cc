// Tests of kpidb-check: flags in-process through RunCheck, and the built
// binary on the sample, on damage it cannot repair and on a commit record
// it can.
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kpidb/check.h"
#include "lib/store/catalog.h"
#include "lib/store/commit_record.h"
#include "lib/store/staging.h"
#include "lib/util/str_cat.h"
#include "nlohmann/json.hpp"
#include "rocksdb/db.h"
#include "tests/testutil.h"
#include "tests/tools/tool_test_util.h"
#include "tools/tools.h"

namespace kpidb {
namespace {

using ::kpidb::testing::DirectoryListing;
using ::kpidb::testing::LoadSample;
using ::kpidb::testing::ReadFile;
using ::kpidb::testing::RunBinary;
using ::kpidb::testing::RunInProcess;
using ::kpidb::testing::RunResult;
using ::kpidb::testing::ScopedTempDir;
using ::kpidb::testing::WriteFile;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

namespace fs = std::filesystem;

RunResult Check(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"kpidb-check"};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunInProcess(&tools::RunCheck, argv);
}

// --- Flags ------------------------------------------------------------------

TEST(CheckToolTest, Help) {
  RunResult r = Check({"--help"});
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("--repair"));
  EXPECT_THAT(r.out, HasSubstr("Examples"));
  EXPECT_THAT(r.out, HasSubstr("never repaired"));
}

TEST(CheckToolTest, Version) {
  RunResult r = Check({"--version"});
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, ContainsRegex("kpidb-check [0-9]+\\.[0-9]+"));
}

TEST(CheckToolTest, UsageErrorsExit2) {
  ScopedTempDir tmp;
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{}, {tmp.path(), "--bogus"}, {tmp.path(), "--format", "csv"},
        {tmp.path(), "--max-problems", "-1"}, {tmp.path(), "--max-problems", "1000001"},
        {tmp.path(), "--max-problems", "many"}}) {
    RunResult r = Check(args);
    EXPECT_EQ(r.exit_code, 2) << r;
    EXPECT_THAT(r.out, IsEmpty()) << r;
  }
}

TEST(CheckToolTest, NoDatabaseExits1) {
  ScopedTempDir tmp;
  RunResult r = Check({tmp.Sub("none")});
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("kpidb-check: no kpidb database at"));
  EXPECT_FALSE(fs::exists(tmp.Sub("none")));
}

// --- The binary ---------------------------------------------------------------

class CheckBinaryTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(LoadSample(db())); }
  std::string db() const { return tmp_.Sub("db"); }
  RunResult Run(std::vector<std::string> args) {
    args.insert(args.begin(), db());
    return RunBinary(KPIDB_CHECK_BIN, args, tmp_.path());
  }
  std::string Listing() {
    const std::string staging = store::StagingDir(db());
    return DirectoryListing(db()) +
           (fs::exists(staging) ? "staging:\n" + DirectoryListing(staging) : "");
  }
  // Flips a byte of the capex series' chunk, straight in RocksDB.
  void DamageCapex() {
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::Options(), db(), &raw).ok());
    store::Catalog catalog;
    ASSERT_TRUE(catalog.Load(raw).ok());
    const std::string key =
        store::SeriesKey(*catalog.dict(store::DictKind::kMetric).Find("capex"),
                         *catalog.dict(store::DictKind::kScenario).Find("actual"),
                         *catalog.dict(store::DictKind::kCompany).Find("IIJ"));
    std::string value;
    ASSERT_TRUE(raw->Get(rocksdb::ReadOptions(), key, &value).ok());
    value[4] ^= 0x20;
    ASSERT_TRUE(raw->Put(rocksdb::WriteOptions(), key, value).ok());
    delete raw;
  }

  ScopedTempDir tmp_;
};

TEST_F(CheckBinaryTest, SampleIsClean) {
  // The counts the API reports (tests/store/check_test.cc checks them).
  absl::StatusOr<CheckReport> api = CheckDatabase(db());
  ASSERT_TRUE(api.ok()) << api.status();
  ASSERT_GT(api->facts, 0u);
  const std::string before = Listing();
  RunResult r = Run({});
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, ContainsRegex(kpidb::StrCat("series +", api->series, ", with ",
                                                 api->facts, " facts")));
  EXPECT_THAT(r.out, ContainsRegex(kpidb::StrCat("dictionaries +", api->dictionary_entries,
                                                 " entries: 1 company id, ", api->metrics,
                                                 " metrics")));
  EXPECT_THAT(r.out, ContainsRegex("result +clean"));
  EXPECT_THAT(r.out, Not(HasSubstr("problem")));
  EXPECT_THAT(r.err, IsEmpty());
  EXPECT_EQ(Listing(), before);
}

TEST_F(CheckBinaryTest, JsonLines) {
  DamageCapex();
  RunResult r = Run({"--format", "jsonl"});
  EXPECT_EQ(r.exit_code, 1) << r;
  std::istringstream lines(r.out);
  std::string line;
  std::vector<nlohmann::json> objects;
  while (std::getline(lines, line)) objects.push_back(nlohmann::json::parse(line));
  ASSERT_GE(objects.size(), 2u) << r;
  const nlohmann::json& summary = objects.back();
  EXPECT_EQ(summary["type"], "summary");
  EXPECT_EQ(summary["ok"], false);
  EXPECT_GT(summary["series"], 10);
  EXPECT_EQ(summary["problems"], objects.size() - 1);
  bool found = false;
  for (const nlohmann::json& o : objects) {
    if (o["type"] == "problem" && o["where"] == "series IIJ/capex/actual") {
      found = true;
      EXPECT_EQ(o["code"], "DATA_LOSS");
      EXPECT_EQ(o["repairable"], false);
      EXPECT_THAT(o["what"].get<std::string>(), HasSubstr("checksum mismatch"));
    }
  }
  EXPECT_TRUE(found) << r;
}

TEST_F(CheckBinaryTest, DamagedChunkExits1AndRepairChangesNothing) {
  DamageCapex();
  const std::string before = Listing();
  RunResult r = Run({});
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_THAT(r.out, HasSubstr("problem: series IIJ/capex/actual: damaged series chunk"));
  EXPECT_THAT(r.out, ContainsRegex("result +2 problems"));  // and the stale commit record
  EXPECT_EQ(Listing(), before);
  r = Run({"--repair"});
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_THAT(r.out, HasSubstr("note: --repair changed nothing"));
  EXPECT_THAT(r.out, Not(HasSubstr("repaired:")));
  EXPECT_EQ(Listing(), before);
}

TEST_F(CheckBinaryTest, MaxProblems) {
  DamageCapex();
  RunResult r = Run({"--max-problems", "0"});
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_THAT(r.out, HasSubstr("problem: 2 more not listed"));
  EXPECT_THAT(r.out, Not(HasSubstr("problem: series")));
}

TEST_F(CheckBinaryTest, RepairRewritesADamagedCommitRecord) {
  const std::string record = store::CommitRecordPath(db());
  std::string bytes = ReadFile(record);
  bytes.back() ^= 1;
  WriteFile(record, bytes);
  fs::create_directories(store::StagingDir(db()));
  WriteFile(store::StagingDir(db()) + "/3.sst", "leftover");
  RunResult r = Run({});
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_THAT(r.out, HasSubstr("problem: KPIDB-COMMIT:"));
  EXPECT_THAT(r.out, HasSubstr("[--repair]"));
  EXPECT_THAT(r.out, HasSubstr("note: staging/3.sst"));
  EXPECT_EQ(ReadFile(record), bytes);
  r = Run({"--repair"});
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("repaired: KPIDB-COMMIT: rewritten"));
  EXPECT_THAT(r.out, HasSubstr("repaired: staging/3.sst: removed"));
  EXPECT_THAT(r.out, ContainsRegex("result +clean"));
  EXPECT_NE(ReadFile(record), bytes);
  EXPECT_FALSE(fs::exists(store::StagingDir(db()) + "/3.sst"));
  // Now clean without repair, and the database opens.
  r = Run({});
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, Not(HasSubstr("note:")));
}

}  // namespace
}  // namespace kpidb
