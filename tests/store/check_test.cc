// Tests of CheckDatabase (kpidb/check.h): the bundled sample checks clean
// with the counts the public API sees; then damage of each class, written
// straight into RocksDB under kpidb, is reported naming where it is, and
// repair fixes only the commit record and staged leftovers.
#include "kpidb/check.h"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kpidb/db.h"
#include "kpidb/options.h"
#include "kpidb/query.h"
#include "lib/format/coding.h"
#include "lib/format/encoding.h"
#include "lib/store/catalog.h"
#include "lib/store/commit_record.h"
#include "lib/store/series_chunk.h"
#include "lib/store/staging.h"
#include "lib/util/checksum.h"
#include "rocksdb/db.h"
#include "tests/sample_testutil.h"
#include "tests/testutil.h"

namespace kpidb {
namespace {

using ::kpidb::testing::DirectoryListing;
using ::kpidb::testing::IsOk;
using ::kpidb::testing::LoadSample;
using ::kpidb::testing::ReadFile;
using ::kpidb::testing::ScopedTempDir;
using ::kpidb::testing::StatusIs;
using ::kpidb::testing::WriteFile;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

namespace fs = std::filesystem;

// A problem whose `where` and `what` contain the given texts.
::testing::Matcher<const CheckProblem&> Problem(const std::string& where,
                                               const std::string& what) {
  return AllOf(Field(&CheckProblem::where, HasSubstr(where)),
               Field(&CheckProblem::what, HasSubstr(what)));
}

std::string Describe(const CheckReport& r) {
  std::string out;
  for (const CheckProblem& p : r.problems) {
    out += "problem: " + p.where + ": " + p.what + (p.repairable ? " [repairable]\n" : "\n");
  }
  for (const std::string& n : r.notes) out += "note: " + n + "\n";
  for (const std::string& s : r.repairs) out += "repaired: " + s + "\n";
  return out;
}

// A chunk of rows given column by column, in the order given: EncodeChunk
// sorts its rows, so out-of-order chunks are built here.
std::string ChunkOfColumns(const std::vector<std::vector<int64_t>>& columns) {
  std::string out(1, '\1');
  format::PutVarint64(&out, columns[0].size());
  for (const std::vector<int64_t>& c : columns) {
    std::string encoded;
    out.push_back(static_cast<char>(format::EncodeBest(c, &encoded)));
    format::PutVarint64(&out, encoded.size());
    out += encoded;
  }
  AppendChecksum(&out);
  return out;
}

class CheckTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(LoadSample(path())); }

  std::string path() const { return dir_.Sub("db"); }

  CheckReport Check(bool repair = false, size_t max_problems = 1000) {
    CheckOptions options;
    options.repair = repair;
    options.max_problems = max_problems;
    absl::StatusOr<CheckReport> r = CheckDatabase(path(), options);
    EXPECT_THAT(r, IsOk());
    return r.ok() ? *r : CheckReport();
  }

  // RocksDB itself, under kpidb, as tests/store/db_test.cc's CorruptionTest
  // does.
  void WithRaw(const std::function<void(rocksdb::DB*)>& f) {
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::Options(), path(), &raw).ok());
    f(raw);
    delete raw;
  }
  void Put(const std::string& key, const std::string& value) {
    WithRaw([&](rocksdb::DB* db) {
      ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), key, value).ok()) << key;
    });
  }
  void Delete(const std::string& key) {
    WithRaw([&](rocksdb::DB* db) {
      ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), key).ok()) << key;
    });
  }
  std::string Get(const std::string& key) {
    std::string value;
    WithRaw([&](rocksdb::DB* db) {
      ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), key, &value).ok()) << key;
    });
    return value;
  }
  void Poke(const std::string& key, const std::function<void(std::string*)>& damage) {
    std::string value = Get(key);
    damage(&value);
    Put(key, value);
  }

  // The catalog as kpidb loads it (from an undamaged database).
  store::Catalog LoadCatalog() {
    store::Catalog catalog;
    WithRaw([&](rocksdb::DB* db) { ASSERT_THAT(catalog.Load(db), IsOk()); });
    return catalog;
  }
  uint32_t Id(const store::Catalog& catalog, store::DictKind kind, const std::string& s) {
    std::optional<uint32_t> id = catalog.dict(kind).Find(s);
    EXPECT_TRUE(id.has_value()) << s;
    return id.value_or(0);
  }
  std::string SeriesKeyOf(const std::string& company, const std::string& metric,
                          const std::string& scenario) {
    const store::Catalog c = LoadCatalog();
    return store::SeriesKey(Id(c, store::DictKind::kMetric, metric),
                            Id(c, store::DictKind::kScenario, scenario),
                            Id(c, store::DictKind::kCompany, company));
  }
  std::vector<store::ChunkRow> Rows(const std::string& key) {
    std::vector<store::ChunkRow> rows;
    EXPECT_THAT(store::DecodeChunk(Get(key), store::kNeedAll, &rows), IsOk());
    return rows;
  }

  bool Opens() {
    Options options;
    options.read_only = true;
    return DB::Open(options, path()).ok();
  }

  // Everything in the database directory and its staging folder.
  std::string Listing() {
    std::string staging = store::StagingDir(path());
    return DirectoryListing(path()) +
           (fs::exists(staging) ? "staging:\n" + DirectoryListing(staging) : "");
  }

  // Checks with --repair that nothing is repaired, nothing changes and the
  // problems stay.
  void ExpectRepairRefused() {
    const std::string before = Listing();
    const CheckReport r = Check(/*repair=*/true);
    EXPECT_FALSE(r.ok()) << Describe(r);
    EXPECT_THAT(r.repairs, IsEmpty()) << Describe(r);
    EXPECT_THAT(r.notes, Contains(HasSubstr("--repair changed nothing"))) << Describe(r);
    EXPECT_EQ(Listing(), before);
  }

  ScopedTempDir dir_;
};

// --- A clean database -------------------------------------------------------

TEST_F(CheckTest, SampleChecksCleanWithTheCountsTheAPISees) {
  // What a reader of the public API counts, independently of the checker.
  std::set<std::string> metrics, scenarios, companies, units, sources;
  size_t facts = 0, series = 0, defined = 0;
  {
    Options options;
    options.read_only = true;
    absl::StatusOr<std::unique_ptr<DB>> db = DB::Open(options, path());
    ASSERT_THAT(db, IsOk());
    Query q;
    q.all_versions = true;
    absl::StatusOr<QueryResult> r = (*db)->Execute(q);
    ASSERT_THAT(r, IsOk());
    series = r->series.size();
    for (size_t s = 0; s < r->series.size(); ++s) {
      metrics.insert(r->series[s].metric);
      scenarios.insert(r->series[s].scenario);
      companies.insert(r->series[s].company);
      for (size_t i = r->series_begin(s); i < r->series_end(s); ++i) {
        ++facts;
        if (!r->unit(i).ToString().empty()) units.insert(r->unit(i).ToString());
        if (!r->source(i).empty()) sources.insert(std::string(r->source(i)));
      }
    }
    for (const Company& c : (*db)->Companies()) {
      companies.insert(c.id);
      ++defined;
    }
  }
  const std::string before = Listing();
  const CheckReport r = Check();
  EXPECT_TRUE(r.ok()) << Describe(r);
  EXPECT_THAT(r.problems, IsEmpty());
  EXPECT_THAT(r.notes, IsEmpty());
  EXPECT_THAT(r.repairs, IsEmpty());
  ASSERT_GT(facts, 50u);
  EXPECT_EQ(r.series, series);
  EXPECT_EQ(r.facts, facts);
  EXPECT_EQ(r.metrics, metrics.size());
  EXPECT_EQ(r.scenarios, scenarios.size());
  EXPECT_EQ(r.company_ids, companies.size());
  EXPECT_EQ(r.units, units.size());
  EXPECT_EQ(r.sources, sources.size());
  EXPECT_EQ(r.companies, defined);
  EXPECT_EQ(r.dictionary_entries,
            metrics.size() + scenarios.size() + companies.size() + units.size() + sources.size());
  // The meta key, the catalog snapshot, the dictionaries, the company
  // records and the series.
  EXPECT_EQ(r.keys, 2 + r.dictionary_entries + r.companies + r.series);
  EXPECT_GE(r.table_files, 1u);
  EXPECT_GT(r.sequence, 0u);
  EXPECT_EQ(r.commit_record, r.sequence);
  // A check changes nothing, and with nothing to repair neither does repair.
  EXPECT_EQ(Listing(), before);
  const CheckReport repaired = Check(/*repair=*/true);
  EXPECT_TRUE(repaired.ok()) << Describe(repaired);
  EXPECT_THAT(repaired.repairs, IsEmpty());
  EXPECT_EQ(Listing(), before);
}

TEST_F(CheckTest, NoDatabaseIsNotFound) {
  EXPECT_THAT(CheckDatabase(dir_.Sub("nothing")), StatusIs(absl::StatusCode::kNotFound));
  fs::create_directories(dir_.Sub("empty"));
  EXPECT_THAT(CheckDatabase(dir_.Sub("empty")), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_FALSE(fs::exists(dir_.Sub("nothing")));
  EXPECT_TRUE(fs::is_empty(dir_.Sub("empty")));
}

// A writer in this process: a read-only check runs beside it; a repair
// needs its lock.
TEST_F(CheckTest, RunsBesideAWriterAndRepairNeedsItsLock) {
  absl::StatusOr<std::unique_ptr<DB>> db = DB::Open(Options(), path());
  ASSERT_THAT(db, IsOk());
  const CheckReport r = Check();
  EXPECT_TRUE(r.ok()) << Describe(r);
  EXPECT_GT(r.facts, 0u);
  fs::create_directories(store::StagingDir(path()));
  WriteFile(store::StagingDir(path()) + "/1.sst", "partial");
  CheckOptions options;
  options.repair = true;
  EXPECT_THAT(CheckDatabase(path(), options), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_TRUE(fs::exists(store::StagingDir(path()) + "/1.sst"));
}

// --- Series chunks ------------------------------------------------------------

TEST_F(CheckTest, DamagedChunkChecksum) {
  const std::string key = SeriesKeyOf("IIJ", "capex", "actual");
  Poke(key, [](std::string* v) { (*v)[3] ^= 0x10; });
  const CheckReport r = Check();
  EXPECT_THAT(r.problems, Contains(Problem("series IIJ/capex/actual", "checksum mismatch")))
      << Describe(r);
  EXPECT_FALSE(r.ok());
  ExpectRepairRefused();
}

TEST_F(CheckTest, ChecksumValidChunkWithDuplicateRows) {
  const std::string key = SeriesKeyOf("IIJ", "capex", "actual");
  std::vector<store::ChunkRow> rows = Rows(key);
  ASSERT_FALSE(rows.empty());
  rows.push_back(rows[0]);
  Put(key, store::EncodeChunk(&rows));
  const CheckReport r = Check();
  EXPECT_THAT(r.problems, Contains(Problem("series IIJ/capex/actual", "rows out of order")))
      << Describe(r);
  EXPECT_THAT(r.problems, SizeIs(2)) << Describe(r);  // and the stale commit record
  ExpectRepairRefused();
}

TEST_F(CheckTest, ChecksumValidChunkWithUnsortedRows) {
  const std::string key = SeriesKeyOf("IIJ", "capex", "actual");
  const uint32_t unit = Rows(key).at(0).unit_id;
  // Two instants, days 16000 and 16070, each 1 (exponent 0) in `unit`.
  auto chunk = [&](int64_t first, int64_t second) {
    return ChunkOfColumns({{first, second - (first + 1)}, {0, 0}, {1, 1}, {0, 0},
                           {unit, unit}, {0, 0}, {0, 0}});
  };
  // The same encoder in order gives a sound chunk: only the order is wrong.
  std::vector<store::ChunkRow> rows;
  ASSERT_THAT(store::DecodeChunk(chunk(16000, 16070), store::kNeedAll, &rows), IsOk());
  Put(key, chunk(16070, 16000));
  const CheckReport r = Check();
  EXPECT_THAT(r.problems, Contains(Problem("series IIJ/capex/actual", "rows out of order")))
      << Describe(r);
  ExpectRepairRefused();
}

TEST_F(CheckTest, UnknownUnitAndSourceIdsInAChunk) {
  const std::string key = SeriesKeyOf("IIJ", "capex", "actual");
  std::vector<store::ChunkRow> rows = Rows(key);
  rows.back().unit_id = 99;
  rows.front().source_id = 777;
  Put(key, store::EncodeChunk(&rows));
  const CheckReport r = Check();
  EXPECT_THAT(r.problems, Contains(Problem("series IIJ/capex/actual",
                                           "unit id 99, which is not in the catalog")))
      << Describe(r);
  EXPECT_THAT(r.problems, Contains(Problem("series IIJ/capex/actual",
                                           "source id 777, which is not in the catalog")))
      << Describe(r);
  ExpectRepairRefused();
}

TEST_F(CheckTest, MixedUnitDimensionsInASeries) {
  const store::Catalog catalog = LoadCatalog();
  const uint32_t percent = Id(catalog, store::DictKind::kUnit, "%");
  const std::string key = SeriesKeyOf("IIJ", "capex", "actual");
  std::vector<store::ChunkRow> rows = Rows(key);
  ASSERT_GE(rows.size(), 2u);
  ASSERT_NE(rows[0].unit_id, percent);
  rows[1].unit_id = percent;
  Put(key, store::EncodeChunk(&rows));
  const CheckReport r = Check();
  EXPECT_THAT(r.problems, Contains(Problem("series IIJ/capex/actual",
                                           "units of different dimensions")))
      << Describe(r);
  ExpectRepairRefused();
}

// --- Series keys ----------------------------------------------------------------

TEST_F(CheckTest, SeriesKeysWithUnknownIds) {
  const store::Catalog c = LoadCatalog();
  const uint32_t metric = Id(c, store::DictKind::kMetric, "capex");
  const uint32_t scenario = Id(c, store::DictKind::kScenario, "actual");
  const uint32_t company = Id(c, store::DictKind::kCompany, "IIJ");
  const std::string chunk = Get(store::SeriesKey(metric, scenario, company));
  Put(store::SeriesKey(metric, scenario, 7), chunk);
  Put(store::SeriesKey(9999, scenario, company), chunk);
  Put(store::SeriesKey(metric, 0, company), chunk);
  const CheckReport r = Check();
  EXPECT_THAT(r.problems,
              Contains(Problem("series [company id 7]/capex/actual",
                               "company id 7, which is not in the catalog")))
      << Describe(r);
  EXPECT_THAT(r.problems, Contains(Problem("series IIJ/[metric id 9999]/actual",
                                           "metric id 9999, which is not in the catalog")))
      << Describe(r);
  EXPECT_THAT(r.problems, Contains(Problem("series IIJ/capex/[scenario id 0]",
                                           "scenario id 0 (the empty string)")))
      << Describe(r);
  ExpectRepairRefused();
}

// --- Dictionaries -----------------------------------------------------------------

TEST_F(CheckTest, DictionaryGap) {
  const store::Catalog c = LoadCatalog();
  const uint32_t capex = Id(c, store::DictKind::kMetric, "capex");
  ASSERT_LT(capex + 1, c.dict(store::DictKind::kMetric).size());  // not the last one
  Delete(store::DictKey(store::DictKind::kMetric, capex));
  // DB::Open reads the catalog from its snapshot, which still has the
  // entry, and checks only the last ids against the entries: the check
  // finds the gap.
  EXPECT_TRUE(Opens());
  const CheckReport r = Check();
  EXPECT_THAT(r.problems, Contains(Problem(
                              "dictionary metric id " + std::to_string(capex), "missing")))
      << Describe(r);
  // The series that used it.
  EXPECT_THAT(r.problems, Contains(Problem("series IIJ/[metric id " + std::to_string(capex) +
                                               "]/actual",
                                           "not in the catalog")))
      << Describe(r);
  ExpectRepairRefused();
}

TEST_F(CheckTest, DuplicateDictionaryString) {
  const store::Catalog c = LoadCatalog();
  const uint32_t n = c.dict(store::DictKind::kMetric).size();  // the next id
  const uint32_t capex = Id(c, store::DictKind::kMetric, "capex");
  Put(store::DictKey(store::DictKind::kMetric, n), store::EncodeDictValue("capex"));
  EXPECT_FALSE(Opens());
  const CheckReport r = Check();
  EXPECT_THAT(r.problems,
              Contains(Problem("dictionary metric id " + std::to_string(n),
                               "'capex' repeats id " + std::to_string(capex))))
      << Describe(r);
  ExpectRepairRefused();
}

TEST_F(CheckTest, StringsInvalidForTheirKind) {
  const store::Catalog c = LoadCatalog();
  auto next = [&](store::DictKind k) { return c.dict(k).size(); };
  Put(store::DictKey(store::DictKind::kMetric, next(store::DictKind::kMetric)),
      store::EncodeDictValue("Revenue Total"));
  Put(store::DictKey(store::DictKind::kUnit, next(store::DictKind::kUnit)),
      store::EncodeDictValue("JPY  million"));
  Put(store::DictKey(store::DictKind::kCompany, next(store::DictKind::kCompany)),
      store::EncodeDictValue(""));
  const CheckReport r = Check();
  EXPECT_THAT(r.problems, Contains(Problem("dictionary metric id", "'Revenue Total' is not a "
                                                                   "metric name")))
      << Describe(r);
  EXPECT_THAT(r.problems, Contains(Problem("dictionary unit id",
                                           "'JPY  million' is not in canonical form "
                                           "('JPY million')")))
      << Describe(r);
  EXPECT_THAT(r.problems, Contains(Problem("dictionary company id", "the empty string")))
      << Describe(r);
}

TEST_F(CheckTest, DamagedDictionaryValueNamesTheSeriesAffected) {
  const store::Catalog c = LoadCatalog();
  const uint32_t target = Id(c, store::DictKind::kScenario, "target");
  Poke(store::DictKey(store::DictKind::kScenario, target), [](std::string* v) { (*v)[0] ^= 1; });
  // DB::Open reads the snapshot, intact, and checks the entry with the last
  // scenario id only; the check reports everything.
  ASSERT_LT(target + 1, c.dict(store::DictKind::kScenario).size());
  EXPECT_TRUE(Opens());
  const CheckReport r = Check();
  const std::string where = "dictionary scenario id " + std::to_string(target);
  EXPECT_THAT(r.problems, Contains(Problem(where, "checksum mismatch"))) << Describe(r);
  EXPECT_THAT(r.problems,
              Contains(Problem("series IIJ/revenue.total/[scenario id " + std::to_string(target) +
                                   "]",
                               "whose dictionary entry is damaged")))
      << Describe(r);
  // Every other series was still checked.
  EXPECT_GT(r.series, 10u);
  EXPECT_GT(r.facts, 50u);
  ExpectRepairRefused();
}

// --- Company records, other keys, the meta key ------------------------------------

TEST_F(CheckTest, DamagedCompanyRecord) {
  const store::Catalog c = LoadCatalog();
  const uint32_t iij = Id(c, store::DictKind::kCompany, "IIJ");
  Poke(store::CompanyKey(iij), [](std::string* v) { (*v)[1] = 13; });  // month 13
  Put(store::CompanyKey(4242), Get(store::CompanyKey(iij)));
  const CheckReport r = Check();
  EXPECT_THAT(r.problems, Contains(Problem("company record id " + std::to_string(iij) + " (IIJ)",
                                           "damaged company record")))
      << Describe(r);
  EXPECT_THAT(r.problems, Contains(Problem("company record id 4242",
                                           "the company dictionary has no id 4242")))
      << Describe(r);
  EXPECT_EQ(r.companies, 2u);
  ExpectRepairRefused();
}

TEST_F(CheckTest, KeysOfNoKnownKind) {
  Put("x123", "junk");
  Put(std::string("s\0\0\0\1", 5), "short series key");
  Put(std::string("d\x09\0\0\0\1", 6), store::EncodeDictValue("kind 9"));
  Put("meta", "not the meta key");
  const CheckReport r = Check();
  EXPECT_THAT(r.problems, Contains(Problem("key 'x123'", "not a kpidb key"))) << Describe(r);
  EXPECT_THAT(r.problems, Contains(Problem("key 's\\x00\\x00\\x00\\x01'", "not a kpidb key")))
      << Describe(r);
  EXPECT_THAT(r.problems, Contains(Problem("key 'd\\t\\x00", "not a kpidb key"))) << Describe(r);
  EXPECT_THAT(r.problems, Contains(Problem("key 'meta'", "not a kpidb key"))) << Describe(r);
  ExpectRepairRefused();
}

TEST_F(CheckTest, DamagedOrMissingMetaKey) {
  Poke(store::kMetaKey, [](std::string* v) { (*v)[0] ^= 1; });
  CheckReport r = Check();
  EXPECT_THAT(r.problems, Contains(Problem("the meta key 'm'", "damaged database header")))
      << Describe(r);
  Delete(store::kMetaKey);
  r = Check();
  EXPECT_THAT(r.problems, Contains(Problem("the meta key 'm'", "missing"))) << Describe(r);
}

TEST_F(CheckTest, MaxProblemsListsSomeAndCountsTheRest) {
  for (int i = 0; i < 5; ++i) Put("x" + std::to_string(i), "junk");
  const CheckReport r = Check(/*repair=*/false, /*max_problems=*/2);
  EXPECT_THAT(r.problems, SizeIs(2)) << Describe(r);
  // Five keys and the stale commit record.
  EXPECT_EQ(r.unlisted_problems, 4u);
  EXPECT_FALSE(r.ok());
  const CheckReport none = Check(/*repair=*/false, /*max_problems=*/0);
  EXPECT_THAT(none.problems, IsEmpty());
  EXPECT_EQ(none.unlisted_problems, 6u);
  EXPECT_FALSE(none.ok());
}

// --- RocksDB's files ----------------------------------------------------------------

std::vector<std::string> TableFiles(const std::string& dir) {
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".sst") files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end(),
            [](const std::string& a, const std::string& b) {
              return fs::file_size(a) > fs::file_size(b);
            });
  return files;
}

TEST_F(CheckTest, DamagedTableFileBlock) {
  const std::vector<std::string> files = TableFiles(path());
  ASSERT_FALSE(files.empty());
  // A byte of the largest file's first data block (blocks start at 0).
  std::string bytes = ReadFile(files[0]);
  bytes[20] ^= 0x55;
  WriteFile(files[0], bytes);
  const std::string name = fs::path(files[0]).filename().string();
  const std::string before = Listing();
  const CheckReport r = Check();
  EXPECT_FALSE(r.ok());
  EXPECT_THAT(r.problems, Contains(Problem("table file " + name, "checksum mismatch")))
      << Describe(r);
  EXPECT_THAT(r.problems, Contains(Problem("keys", "were not checked"))) << Describe(r);
  // Keys it holds are not reported missing as well.
  EXPECT_THAT(r.problems, Not(Contains(Problem("the meta key", "missing")))) << Describe(r);
  EXPECT_EQ(Listing(), before);
  ExpectRepairRefused();
}

TEST_F(CheckTest, MissingTableFileStillGetsAReport) {
  // Remove a table file the MANIFEST lists (compaction may have merged
  // the writes into one).
  absl::StatusOr<std::unique_ptr<DB>> db = DB::Open(Options(), path());
  ASSERT_THAT(db, IsOk());
  WriteBatch batch;
  Fact f;
  f.company = "NEW";
  f.metric = "headcount";
  f.period = *Period::Parse("FY2020", FiscalCalendar::CalendarYear());
  f.value = *Decimal::Parse("10");
  f.unit = *Unit::Parse("count");
  ASSERT_THAT(batch.PutFact(f), IsOk());
  ASSERT_THAT((*db)->Write(WriteOptions(), batch), IsOk());
  db->reset();
  const std::vector<std::string> files = TableFiles(path());
  ASSERT_GE(files.size(), 1u);
  fs::remove(files[0]);
  EXPECT_FALSE(Opens());
  const std::string before = Listing();
  const CheckReport r = Check();
  const std::string name = fs::path(files[0]).stem().string();
  EXPECT_THAT(r.problems, Contains(Problem("database", name))) << Describe(r);
  EXPECT_FALSE(r.ok());
  EXPECT_THAT(r.notes, Not(IsEmpty())) << Describe(r);
  EXPECT_EQ(Listing(), before);
  ExpectRepairRefused();
}

// --- The commit record and staging: what repair fixes -------------------------------

TEST_F(CheckTest, DamagedCommitRecordIsRepaired) {
  const std::string record = store::CommitRecordPath(path());
  std::string bytes = ReadFile(record);
  bytes[3] ^= 1;
  WriteFile(record, bytes);
  EXPECT_FALSE(Opens());
  const std::string before = Listing();
  CheckReport r = Check();
  EXPECT_THAT(r.problems, Contains(AllOf(Problem("KPIDB-COMMIT", "damaged commit record"),
                                         Field(&CheckProblem::repairable, true))))
      << Describe(r);
  EXPECT_THAT(r.problems, SizeIs(1)) << Describe(r);
  EXPECT_EQ(Listing(), before);  // nothing without repair
  r = Check(/*repair=*/true);
  EXPECT_TRUE(r.ok()) << Describe(r);
  EXPECT_THAT(r.repairs, Contains(HasSubstr("KPIDB-COMMIT: rewritten"))) << Describe(r);
  EXPECT_TRUE(Opens());
  r = Check();
  EXPECT_TRUE(r.ok()) << Describe(r);
  EXPECT_EQ(r.commit_record, r.sequence);
}

TEST_F(CheckTest, MissingCommitRecordIsRepaired) {
  fs::remove(store::CommitRecordPath(path()));
  CheckReport r = Check();
  EXPECT_THAT(r.problems, Contains(AllOf(Problem("KPIDB-COMMIT", "missing"),
                                         Field(&CheckProblem::code, absl::StatusCode::kNotFound))))
      << Describe(r);
  EXPECT_FALSE(fs::exists(store::CommitRecordPath(path())));
  r = Check(/*repair=*/true);
  EXPECT_TRUE(r.ok()) << Describe(r);
  EXPECT_THAT(r.repairs, SizeIs(1)) << Describe(r);
  EXPECT_TRUE(fs::exists(store::CommitRecordPath(path())));
  EXPECT_TRUE(Check().ok());
}

TEST_F(CheckTest, StaleCommitRecordIsRepaired) {
  // A raw write moves the database past the record, as a write that ended
  // before updating it would.
  Put(store::kMetaKey, store::EncodeMetaValue());
  CheckReport r = Check();
  EXPECT_THAT(r.problems, Contains(Problem("KPIDB-COMMIT", "records write"))) << Describe(r);
  ASSERT_TRUE(r.commit_record.has_value());
  EXPECT_LT(*r.commit_record, r.sequence);
  r = Check(/*repair=*/true);
  EXPECT_TRUE(r.ok()) << Describe(r);
  EXPECT_THAT(r.repairs, Contains(HasSubstr("rewritten"))) << Describe(r);
  EXPECT_EQ(r.commit_record, r.sequence);
}

TEST_F(CheckTest, CommitRecordNewerThanTheDatabaseIsNotRepaired) {
  const CheckReport clean = Check();
  WriteFile(store::CommitRecordPath(path()), store::EncodeCommitRecord(clean.sequence + 100));
  const CheckReport r = Check();
  EXPECT_THAT(r.problems, Contains(AllOf(Problem("KPIDB-COMMIT", "lost committed facts"),
                                         Field(&CheckProblem::repairable, false))))
      << Describe(r);
  ExpectRepairRefused();
}

TEST_F(CheckTest, StagedLeftoversAreNotesAndRepairRemovesThem) {
  const std::string staging = store::StagingDir(path());
  fs::create_directories(staging);
  WriteFile(staging + "/1.sst", "half a table file");
  WriteFile(store::CommitRecordPath(path()) + ".tmp", "half a record");
  CheckReport r = Check();
  EXPECT_TRUE(r.ok()) << Describe(r);
  EXPECT_THAT(r.notes, Contains(HasSubstr("staging/1.sst"))) << Describe(r);
  EXPECT_THAT(r.notes, Contains(HasSubstr("KPIDB-COMMIT.tmp"))) << Describe(r);
  EXPECT_TRUE(fs::exists(staging + "/1.sst"));
  r = Check(/*repair=*/true);
  EXPECT_TRUE(r.ok()) << Describe(r);
  EXPECT_THAT(r.repairs, Contains(HasSubstr("staging/1.sst: removed"))) << Describe(r);
  EXPECT_FALSE(fs::exists(staging + "/1.sst"));
  EXPECT_FALSE(fs::exists(store::CommitRecordPath(path()) + ".tmp"));
  EXPECT_THAT(Check().notes, IsEmpty());
}

// Damage elsewhere: not even the commit record or the leftovers are touched.
TEST_F(CheckTest, RepairChangesNothingWhenAnythingElseIsDamaged) {
  const std::string key = SeriesKeyOf("IIJ", "capex", "actual");
  Poke(key, [](std::string* v) { (*v)[3] ^= 0x10; });
  fs::remove(store::CommitRecordPath(path()));
  fs::create_directories(store::StagingDir(path()));
  WriteFile(store::StagingDir(path()) + "/1.sst", "leftover");
  ExpectRepairRefused();
  const CheckReport r = Check();
  EXPECT_THAT(r.problems, Contains(Problem("KPIDB-COMMIT", "missing"))) << Describe(r);
  EXPECT_THAT(r.problems, Contains(Problem("series IIJ/capex/actual", "checksum"))) << Describe(r);
  EXPECT_TRUE(fs::exists(store::StagingDir(path()) + "/1.sst"));
}

}  // namespace
}  // namespace kpidb
