// Tests of kpidb::IngestFilesInto: a load by database path, and above all
// what a dry run leaves on disk, which is nothing: neither a new database
// where there was none, nor a changed file in an existing one, nor its
// scratch database.
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kpidb/db.h"
#include "kpidb/ingest.h"
#include "kpidb/options.h"
#include "lib/util/str_cat.h"
#include "tests/sample_testutil.h"
#include "tests/testutil.h"

namespace kpidb {
namespace {

using ::kpidb::testing::DirectoryListing;
using ::kpidb::testing::IsOk;
using ::kpidb::testing::LoadSample;
using ::kpidb::testing::SampleFiles;
using ::kpidb::testing::SamplePath;
using ::kpidb::testing::ScopedTempDir;
using ::kpidb::testing::SnapshotAt;
using ::kpidb::testing::StatusIs;
using ::kpidb::testing::WriteFile;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

// Sets an environment variable for one scope: TMPDIR decides where a dry
// run makes its scratch database.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = getenv(name)) old_ = old;
    setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_.has_value()) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// Every count of a report, to compare a dry run with a real one.
std::string Counts(const IngestReport& r) {
  const WriteSummary& w = r.summary;
  return kpidb::StrCat("files ", r.files, ", facts ", r.facts_read, ", companies ",
                       r.companies_read, ", errors ", r.error_count, "; batch ", w.facts,
                       ", new ", w.new_facts, ", versions ", w.versions_added,
                       ", unchanged ", w.unchanged, ", replaced ", w.replaced,
                       ", companies added ", w.companies_added, ", changed ",
                       w.companies_changed, ", unchanged ", w.companies_unchanged);
}

class IngestIntoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    scratch_parent_ = tmp_.Sub("tmp");
    std::filesystem::create_directories(scratch_parent_);
  }

  [[nodiscard]] absl::Status IngestInto(const std::string& db_path,
                                        const std::vector<std::string>& files, bool dry_run) {
    IngestOptions options;
    options.dry_run = dry_run;
    return IngestFilesInto(db_path, files, options, &report_);
  }

  ScopedTempDir tmp_;
  // The temporary directory of the runs, checked for leftovers.
  std::string scratch_parent_;
  ScopedEnv tmpdir_{"TMPDIR", tmp_.Sub("tmp")};
  IngestReport report_;
};

TEST_F(IngestIntoTest, RealRunCreatesTheDatabaseAndWrites) {
  const std::string db = tmp_.Sub("db");
  ASSERT_THAT(IngestInto(db, SampleFiles(), /*dry_run=*/false), IsOk())
      << ::testing::PrintToString(report_.errors);
  EXPECT_TRUE(DB::Exists(db));
  EXPECT_EQ(report_.files, 2u);
  EXPECT_EQ(report_.facts_read, 183u);
  EXPECT_EQ(report_.summary.new_facts, 176u);
  EXPECT_EQ(report_.summary.versions_added, 7u);
  EXPECT_EQ(report_.summary.companies_added, 1u);
  const std::string reference = tmp_.Sub("reference");
  ASSERT_NO_FATAL_FAILURE(LoadSample(reference));
  EXPECT_EQ(SnapshotAt(db), SnapshotAt(reference));

  // Into the existing database: a second load of the same files changes nothing.
  ASSERT_THAT(IngestInto(db, SampleFiles(), /*dry_run=*/false), IsOk());
  EXPECT_EQ(report_.summary.unchanged, 183u);
  EXPECT_EQ(SnapshotAt(db), SnapshotAt(reference));
}

TEST_F(IngestIntoTest, DryRunOnMissingPathLeavesNothingAndReportsLikeARealRun) {
  const std::string missing = tmp_.Sub("missing");
  ASSERT_THAT(IngestInto(missing, SampleFiles(), /*dry_run=*/true), IsOk())
      << ::testing::PrintToString(report_.errors);
  const std::string dry = Counts(report_);
  EXPECT_FALSE(std::filesystem::exists(missing));
  EXPECT_TRUE(std::filesystem::is_empty(scratch_parent_)) << "the scratch database is left";

  ASSERT_THAT(IngestInto(tmp_.Sub("real"), SampleFiles(), /*dry_run=*/false), IsOk());
  EXPECT_EQ(dry, Counts(report_));
  EXPECT_EQ(report_.summary.new_facts, 176u);
}

TEST_F(IngestIntoTest, DryRunOnMissingPathReportsBadRecordsAndLeavesNothing) {
  const std::string bad = tmp_.Sub("bad.csv");
  ASSERT_NO_FATAL_FAILURE(WriteFile(bad,
                                    "company,metric,period,value\n"
                                    "IIJ,kpi,FY2013,1\n"
                                    "IIJ,kpi,FY2013Q5,1\n"));
  const std::string missing = tmp_.Sub("missing");
  EXPECT_THAT(IngestInto(missing, {bad}, /*dry_run=*/true),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(report_.errors, ElementsAre(StartsWith(bad + ":3: error: ")));
  EXPECT_FALSE(std::filesystem::exists(missing));
  EXPECT_TRUE(std::filesystem::is_empty(scratch_parent_));
}

TEST_F(IngestIntoTest, DryRunOnExistingDatabaseChangesNoFile) {
  const std::string db = tmp_.Sub("db");
  ASSERT_THAT(IngestInto(db, {SamplePath("companies.csv")}, /*dry_run=*/false), IsOk());
  const std::string files_before = DirectoryListing(db);
  const std::string data_before = SnapshotAt(db);
  ASSERT_THAT(IngestInto(db, {SamplePath("iij-fy2013-1q3q.csv")}, /*dry_run=*/true), IsOk())
      << ::testing::PrintToString(report_.errors);
  // Validated against what is stored: the company's calendar resolves the
  // labels, and the counts are those of a real run.
  EXPECT_EQ(report_.facts_read, 183u);
  EXPECT_EQ(report_.summary.new_facts, 176u);
  EXPECT_EQ(report_.summary.versions_added, 7u);
  EXPECT_EQ(DirectoryListing(db), files_before);
  EXPECT_EQ(SnapshotAt(db), data_before);
  EXPECT_TRUE(std::filesystem::is_empty(scratch_parent_));
}

// A dry run reads without the writer lock; a real run needs it.
TEST_F(IngestIntoTest, DryRunWorksBesideAWriterARealRunDoesNot) {
  const std::string db = tmp_.Sub("db");
  ASSERT_NO_FATAL_FAILURE(LoadSample(db));
  absl::StatusOr<std::unique_ptr<DB>> writer = DB::Open(Options(), db);
  ASSERT_THAT(writer, IsOk());
  EXPECT_THAT(IngestInto(db, SampleFiles(), /*dry_run=*/true), IsOk());
  EXPECT_EQ(report_.summary.unchanged, 183u);

  report_.errors = {"left from an earlier call"};
  const absl::Status s = IngestInto(db, SampleFiles(), /*dry_run=*/false);
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(std::string(s.message()), HasSubstr("locked"));
  EXPECT_THAT(report_.errors, IsEmpty());
}

TEST_F(IngestIntoTest, DryRunWithoutATemporaryDirectoryFails) {
  ScopedEnv no_tmp("TMPDIR", tmp_.Sub("no-such-dir"));
  const std::string missing = tmp_.Sub("missing");
  const absl::Status s = IngestInto(missing, SampleFiles(), /*dry_run=*/true);
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_EQ(s.message(), "cannot create a scratch directory for --dry-run");
  EXPECT_FALSE(std::filesystem::exists(missing));
}

}  // namespace
}  // namespace kpidb
