// Durability: no committed fact lives only in RocksDB's log, damage to any
// file gives an error or the exact original answer (never a smaller one),
// and a full disk, failing syncs or an unwritable folder end in a clear
// error with the database as it was.
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kpidb/db.h"
#include "lib/store/catalog.h"
#include "lib/store/commit_record.h"
#include "lib/store/db_impl.h"
#include "rocksdb/db.h"
#include "tests/durability/fault_fs.h"
#include "tests/sample_testutil.h"
#include "tests/testutil.h"

namespace kpidb {
namespace {

namespace fs = std::filesystem;
using ::kpidb::testing::FaultEnv;
using ::kpidb::testing::IsOk;
using ::kpidb::testing::ScopedTempDir;
using ::kpidb::testing::StatusIs;
using ::testing::HasSubstr;

// `n` quarterly facts of a few series, versions dated `as_of`.
WriteBatch Facts(int n, int as_of_year, std::string_view value = "100") {
  WriteBatch batch;
  const FiscalCalendar cal = FiscalCalendar::CalendarYear();
  for (int i = 0; i < n; ++i) {
    Fact f;
    f.company = "C" + std::to_string(i % 7);
    f.metric = "m.x" + std::to_string(i % 5);
    f.scenario = "actual";
    f.period = *Period::Parse(
        "FY" + std::to_string(1990 + (i / 35) / 4) + "Q" + std::to_string((i / 35) % 4 + 1), cal);
    f.value = *Decimal::Parse(value);
    f.unit = *Unit::Parse("USD million");
    f.as_of = absl::CivilDay(as_of_year, 1, 1);
    EXPECT_THAT(batch.PutFact(f, static_cast<uint64_t>(i) + 1), IsOk());
  }
  return batch;
}

std::string Answer(const std::string& path) {
  Options o;
  o.read_only = true;
  absl::StatusOr<std::unique_ptr<DB>> db = DB::Open(o, path);
  if (!db.ok()) return "error: " + db.status().ToString();
  Query q;
  q.all_versions = true;
  absl::StatusOr<QueryResult> r = (*db)->Execute(q);
  if (!r.ok()) return "error: " + r.status().ToString();
  return kpidb::testing::Snapshot(**db);
}

uint64_t LogBytes(const std::string& dir) {
  uint64_t bytes = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".log") bytes += e.file_size();
  }
  return bytes;
}

class DurabilityTest : public ::testing::Test {
 protected:
  std::string path() const { return dir_.Sub("db"); }
  // Two writes: the sample, then 200 facts.
  void Build() {
    kpidb::testing::LoadSample(path());
    absl::StatusOr<std::unique_ptr<DB>> db = DB::Open(Options(), path());
    ASSERT_THAT(db, IsOk());
    ASSERT_THAT((*db)->Write(WriteOptions(), Facts(200, 2020)), IsOk());
  }
  // Where ProbeWrite leaves the database it wrote to.
  std::string probe_path() const { return dir_.Sub("probe"); }
  // The bytes a successful write of `batch` takes, written to a copy of the
  // database at probe_path(): where the full-disk tests place their faults.
  void ProbeWrite(const WriteBatch& batch, int64_t* needed) {
    fs::copy(path(), probe_path());
    FaultEnv fault;
    absl::StatusOr<std::unique_ptr<DB>> db =
        store::DBImpl::Open(Options(), probe_path(), fault.env.get());
    ASSERT_THAT(db, IsOk());
    const int64_t start = fault.fs->space;
    ASSERT_THAT((*db)->Write(WriteOptions(), batch), IsOk());
    *needed = start - fault.fs->space;
  }
  ScopedTempDir dir_;
};

// The log holds nothing once a write returns, so damage to it cannot lose
// a committed fact, and no open has a log to replay.
TEST_F(DurabilityTest, NoCommittedFactLivesOnlyInTheLog) {
  absl::StatusOr<std::unique_ptr<DB>> db = DB::Open(Options(), path());
  ASSERT_THAT(db, IsOk());
  EXPECT_EQ(LogBytes(path()), 0u);
  for (int i = 0; i < 3; ++i) {
    ASSERT_THAT((*db)->Write(WriteOptions(), Facts(50, 2020 + i)), IsOk());
    EXPECT_EQ(LogBytes(path()), 0u) << "after write " << i;
  }
  db->reset();
  EXPECT_EQ(LogBytes(path()), 0u);
}

// RocksDB 7.8's row cache answered "not found" for keys of ingested files
// on its second read; repeated reads of one series must agree.
TEST_F(DurabilityTest, RepeatedReadsOfIngestedData) {
  Build();
  Options o;
  o.read_only = true;
  absl::StatusOr<std::unique_ptr<DB>> db = DB::Open(o, path());
  ASSERT_THAT(db, IsOk());
  Query q;
  q.companies = {"C1"};
  q.metric = "m.x1";
  for (int i = 0; i < 4; ++i) {
    absl::StatusOr<QueryResult> r = (*db)->Execute(q);
    ASSERT_THAT(r, IsOk());
    EXPECT_FALSE(r->values.empty()) << "read " << i;
  }
}

// A read-only open reads; it never deletes, repairs or creates a file.
TEST_F(DurabilityTest, ReadOnlyOpenChangesNothing) {
  Build();
  const std::string before = kpidb::testing::DirectoryListing(path());
  EXPECT_NE(Answer(path()).substr(0, 6), "error:");
  EXPECT_EQ(kpidb::testing::DirectoryListing(path()), before);
}

// What one damaged copy of the database answers.
struct Damage {
  std::string file;
  std::string what;
};

void Corrupt(const std::string& file, const std::string& kind, uint64_t at) {
  if (kind == "delete") {
    fs::remove(file);
  } else if (kind == "truncate") {
    fs::resize_file(file, at);
  } else {  // flip
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(at));
    char c = 0;
    f.read(&c, 1);
    c = static_cast<char>(c ^ 0x20);
    f.seekp(static_cast<std::streamoff>(at));
    f.write(&c, 1);
  }
}

// Flips and truncations in every kind of file (table files, log, MANIFEST,
// CURRENT, OPTIONS, the commit record): each open and read gives an error
// or the exact original answer, and a writer's open repairs nothing into a
// smaller database either.
TEST_F(DurabilityTest, DamageGivesAnErrorOrTheExactAnswer) {
  Build();
  const std::string expected = Answer(path());
  ASSERT_NE(expected.substr(0, 6), "error:");
  std::mt19937_64 rng = kpidb::testing::SeededRng();
  int cases = 0, errors = 0;
  for (const auto& e : fs::directory_iterator(path())) {
    if (!e.is_regular_file()) continue;
    const std::string name = e.path().filename().string();
    if (name == "LOCK" || name == "LOG") continue;  // not read
    const uint64_t size = e.file_size();
    std::vector<std::pair<std::string, uint64_t>> damages = {{"delete", 0}};
    if (size > 0) {
      damages.push_back({"truncate", 0});
      damages.push_back({"truncate", size / 2});
      damages.push_back({"truncate", size - 1});
      for (uint64_t at : {uint64_t{0}, size / 3, size / 2, size - 1, rng() % size, rng() % size}) {
        damages.push_back({"flip", at});
      }
    }
    for (const auto& [kind, at] : damages) {
      SCOPED_TRACE(name + " " + kind + " at " + std::to_string(at));
      for (bool writer_first : {false, true}) {
        const std::string copy = dir_.Sub("copy");
        fs::remove_all(copy);
        fs::copy(path(), copy);
        Corrupt((fs::path(copy) / name).string(), kind, at);
        if (writer_first) {
          // A writer's open must not turn damage into a smaller database.
          // Either result is fine here; what a reader sees next is checked.
          DB::Open(Options(), copy).IgnoreError();
        }
        const std::string got = Answer(copy);
        ++cases;
        if (got.substr(0, 6) == "error:") {
          ++errors;
        } else {
          EXPECT_EQ(got, expected);
        }
      }
    }
  }
  // The table files and MANIFEST damage must have been caught somewhere.
  EXPECT_GT(errors, 10) << cases << " cases";
}

// Cutting the end of the MANIFEST drops its last records: the last write's
// table file no longer belongs to the database. The commit record tells.
TEST_F(DurabilityTest, TruncatedManifestIsDataLoss) {
  Build();
  const std::string expected = Answer(path());
  std::string manifest;
  for (const auto& e : fs::directory_iterator(path())) {
    if (e.path().filename().string().rfind("MANIFEST-", 0) == 0) manifest = e.path().string();
  }
  ASSERT_FALSE(manifest.empty());
  const uint64_t size = fs::file_size(manifest);
  int data_loss = 0;
  for (uint64_t cut = 1; cut < std::min<uint64_t>(size, 400); cut += 7) {
    SCOPED_TRACE("cut " + std::to_string(cut));
    const std::string copy = dir_.Sub("copy");
    fs::remove_all(copy);
    fs::copy(path(), copy);
    fs::resize_file((fs::path(copy) / fs::path(manifest).filename()), size - cut);
    Options o;
    o.read_only = true;
    absl::StatusOr<std::unique_ptr<DB>> db = DB::Open(o, copy);
    if (!db.ok()) {
      if (db.status().code() == absl::StatusCode::kDataLoss) ++data_loss;
      continue;
    }
    EXPECT_EQ(kpidb::testing::Snapshot(**db), expected);
  }
  EXPECT_GT(data_loss, 0);
}

TEST_F(DurabilityTest, DamagedCommitRecordIsDataLossNamingIt) {
  Build();
  const std::string record = store::CommitRecordPath(path());
  Corrupt(record, "flip", 3);
  Options o;
  o.read_only = true;
  absl::StatusOr<std::unique_ptr<DB>> db = DB::Open(o, path());
  EXPECT_THAT(db, StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(std::string(db.status().message()), HasSubstr(store::kCommitRecordName));
}

// A full disk at every point of a write: a clear "no space left on device"
// (ResourceExhausted), and the database exactly as it was.
TEST_F(DurabilityTest, FullDiskAtAnyPointLosesNothing) {
  Build();
  const std::string before = Answer(path());
  const WriteBatch more = Facts(300, 2021, "7");
  int64_t needed = 0;
  ASSERT_NO_FATAL_FAILURE(ProbeWrite(more, &needed));
  ASSERT_GT(needed, 0);
  int failed = 0;
  for (int64_t space = 0; space < needed; space += std::max<int64_t>(needed / 16, 1)) {
    SCOPED_TRACE("space " + std::to_string(space));
    const std::string copy = dir_.Sub("copy");
    fs::remove_all(copy);
    fs::copy(path(), copy);
    bool this_failed = false;
    {
      FaultEnv fault;
      absl::StatusOr<std::unique_ptr<DB>> db =
          store::DBImpl::Open(Options(), copy, fault.env.get());
      ASSERT_THAT(db, IsOk());
      fault.fs->space = space;
      absl::StatusOr<WriteSummary> w = (*db)->Write(WriteOptions(), more);
      this_failed = !w.ok();
      if (!w.ok()) {
        ++failed;
        EXPECT_THAT(w, StatusIs(absl::StatusCode::kResourceExhausted));
        EXPECT_THAT(std::string(w.status().message()), HasSubstr("no space left on device"));
        // The handle stays usable for reads.
        EXPECT_THAT((*db)->Execute(Query()), IsOk());
      }
    }
    if (this_failed) {
      EXPECT_EQ(Answer(copy), before) << "a failed write changed the database";
    }
  }
  EXPECT_GT(failed, 0);
}

// The catalog snapshot commits with the entries it mirrors: a write that
// adds companies, a metric and a source and fails at any point of a full
// disk leaves the stored snapshot byte for byte as it was, the handle's
// catalog without the new strings, and a database that opens (the
// snapshot still agreeing with the entries) with the old catalog.
TEST_F(DurabilityTest, FullDiskLeavesTheCatalogSnapshotAsItWas) {
  Build();
  auto stored_snapshot = [](const std::string& db_path) {
    rocksdb::DB* raw = nullptr;
    std::string value = "<cannot open>";
    if (rocksdb::DB::OpenForReadOnly(rocksdb::Options(), db_path, &raw).ok()) {
      if (!raw->Get(rocksdb::ReadOptions(), store::kSnapshotKey, &value).ok()) value = "<none>";
      delete raw;
    }
    return value;
  };
  const std::string snapshot = stored_snapshot(path());
  ASSERT_GT(snapshot.size(), 100u);
  const std::string before = Answer(path());
  WriteBatch more;
  for (int i = 0; i < 20; ++i) {
    Company c;
    c.id = "NEW" + std::to_string(i);
    c.name = "New company " + std::to_string(i);
    c.currency = "EUR";
    ASSERT_THAT(more.PutCompany(c), IsOk());
    Fact f;
    f.company = c.id;
    f.metric = "brand.new_metric";
    f.period = *Period::Parse("FY2020", FiscalCalendar::CalendarYear());
    f.value = *Decimal::Parse("5");
    f.source = "a new source";
    ASSERT_THAT(more.PutFact(f), IsOk());
  }
  int64_t needed = 0;
  ASSERT_NO_FATAL_FAILURE(ProbeWrite(more, &needed));
  EXPECT_NE(stored_snapshot(probe_path()), snapshot);
  int failed = 0;
  for (int64_t space = 0; space < needed; space += std::max<int64_t>(needed / 16, 1)) {
    SCOPED_TRACE("space " + std::to_string(space));
    const std::string copy = dir_.Sub("copy");
    fs::remove_all(copy);
    fs::copy(path(), copy);
    {
      FaultEnv fault;
      absl::StatusOr<std::unique_ptr<DB>> db =
          store::DBImpl::Open(Options(), copy, fault.env.get());
      ASSERT_THAT(db, IsOk());
      fault.fs->space = space;
      if ((*db)->Write(WriteOptions(), more).ok()) continue;
      ++failed;
      EXPECT_EQ((*db)->GetCompany("NEW0").status().code(), absl::StatusCode::kNotFound);
    }
    EXPECT_TRUE(stored_snapshot(copy) == snapshot) << "a failed write changed the snapshot";
    EXPECT_EQ(Answer(copy), before);
  }
  EXPECT_GT(failed, 0);
}

TEST_F(DurabilityTest, FailingSyncIsAClearErrorAndLosesNothing) {
  Build();
  const std::string before = Answer(path());
  {
    FaultEnv fault;
    absl::StatusOr<std::unique_ptr<DB>> db = store::DBImpl::Open(Options(), path(), fault.env.get());
    ASSERT_THAT(db, IsOk());
    fault.fs->fail_sync = true;
    absl::StatusOr<WriteSummary> w = (*db)->Write(WriteOptions(), Facts(40, 2022, "9"));
    EXPECT_FALSE(w.ok());
    EXPECT_THAT(std::string(w.status().message()), HasSubstr("fsync"));
  }
  EXPECT_EQ(Answer(path()), before);
}

TEST_F(DurabilityTest, UnwritableFolderIsPermissionDenied) {
  Build();
  const std::string before = Answer(path());
  {
    FaultEnv fault;
    absl::StatusOr<std::unique_ptr<DB>> db = store::DBImpl::Open(Options(), path(), fault.env.get());
    ASSERT_THAT(db, IsOk());
    fault.fs->deny_create = true;
    absl::StatusOr<WriteSummary> w = (*db)->Write(WriteOptions(), Facts(40, 2022, "9"));
    EXPECT_THAT(w, StatusIs(absl::StatusCode::kPermissionDenied));
    EXPECT_THAT(std::string(w.status().message()), HasSubstr(path()));
  }
  EXPECT_EQ(Answer(path()), before);
  FaultEnv fault;
  fault.fs->deny_create = true;
  EXPECT_THAT(store::DBImpl::Open(Options(), dir_.Sub("new"), fault.env.get()),
              StatusIs(absl::StatusCode::kPermissionDenied));
}

// A folder with the user's files is not a database, and kpidb does not
// scatter one among them.
TEST_F(DurabilityTest, NonEmptyFolderIsRefusedAndUntouched) {
  const std::string folder = dir_.Sub("mine");
  fs::create_directories(folder);
  std::ofstream(folder + "/notes.txt") << "mine\n";
  const std::string before = kpidb::testing::DirectoryListing(folder);
  absl::StatusOr<std::unique_ptr<DB>> db = DB::Open(Options(), folder);
  EXPECT_THAT(db, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(std::string(db.status().message()), HasSubstr("notes.txt"));
  EXPECT_EQ(kpidb::testing::DirectoryListing(folder), before);
  std::ofstream(dir_.Sub("file")) << "x";
  EXPECT_THAT(DB::Open(Options(), dir_.Sub("file")),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

// Files a killed writer staged but never ingested are not part of the
// database, and the next writer removes them.
TEST_F(DurabilityTest, LeftoverStagedFilesAreIgnoredAndCleared) {
  Build();
  const std::string before = Answer(path());
  const std::string staging = path() + "/staging";
  fs::create_directories(staging);
  std::ofstream(staging + "/1.sst") << "half a table";
  EXPECT_EQ(Answer(path()), before);
  ASSERT_THAT(DB::Open(Options(), path()), IsOk());
  EXPECT_TRUE(fs::is_empty(staging));
  EXPECT_EQ(Answer(path()), before);
}

}  // namespace
}  // namespace kpidb
