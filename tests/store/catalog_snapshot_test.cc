// The catalog snapshot (lib/store/catalog.h, doc/format.md "Catalog
// snapshot"): the in-memory dictionary, the snapshot's round trip and its
// refusal of damage, an open that reads it instead of the entries, the
// upgrade of a database without one, writes keeping it in step, and
// disagreements with the entries, at open and in kpidb-check.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kpidb/check.h"
#include "kpidb/db.h"
#include "kpidb/options.h"
#include "kpidb/query.h"
#include "lib/store/catalog.h"
#include "lib/store/db_impl.h"
#include "rocksdb/db.h"
#include "tests/sample_testutil.h"
#include "tests/testutil.h"

namespace kpidb::store {
namespace {

using ::kpidb::testing::IsOk;
using ::kpidb::testing::ScopedTempDir;
using ::kpidb::testing::StatusIs;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::Field;
using ::testing::HasSubstr;

Company MakeCompany(std::string id, std::string name, int month, std::string currency) {
  Company c;
  c.id = std::move(id);
  c.name = std::move(name);
  c.calendar = {month, FiscalYearNaming::kStart};
  c.currency = std::move(currency);
  return c;
}

// A catalog of every kind, some companies with records.
Catalog SmallCatalog() {
  Catalog c;
  c.Append(DictKind::kCompany, {"IIJ", "ACME", "TSE:3774"});
  c.Append(DictKind::kMetric, {"revenue.total", "capex"});
  c.Append(DictKind::kScenario, {"actual", "target"});
  c.Append(DictKind::kUnit, {"JPY million", "%"});
  c.Append(DictKind::kSource, {"deck, slide II-13", ""});
  c.TruncateTo(DictKind::kSource, 2);  // drops the (invalid) empty string again
  c.SetCompany(1, MakeCompany("IIJ", "Internet Initiative Japan Inc.", 3, "JPY"));
  c.SetCompany(3, MakeCompany("TSE:3774", "", 12, ""));
  return c;
}

// --- The dictionary -----------------------------------------------------------

TEST(DictionaryTest, ViewsStayValidAcrossAppendsAndTruncateUndoes) {
  Dictionary d;
  const uint32_t first = d.Add("first");
  const std::string_view view = d.Get(first);
  const char* where = view.data();
  for (int i = 0; i < 100000; ++i) d.Add("string number " + std::to_string(i));
  EXPECT_EQ(d.Get(first).data(), where);
  EXPECT_EQ(view, "first");
  EXPECT_EQ(d.Find("string number 99999"), std::optional<uint32_t>(100001));
  d.Truncate(2);
  EXPECT_EQ(d.size(), 2u);
  EXPECT_EQ(d.Find("string number 0"), std::nullopt);
  EXPECT_EQ(d.Add("again"), 2u);
  EXPECT_EQ(d.Find("again"), std::optional<uint32_t>(2));
  EXPECT_EQ(d.Find(""), std::optional<uint32_t>(0));
  EXPECT_EQ(view, "first");
}

// --- The value ------------------------------------------------------------------

TEST(CatalogSnapshotTest, RoundTrip) {
  const Catalog c = SmallCatalog();
  const std::string value = c.EncodeSnapshot();
  Catalog back;
  ASSERT_THAT(back.LoadSnapshot(value), IsOk());
  EXPECT_EQ(CatalogDifference(c, back), "");
  EXPECT_EQ(back.EncodeSnapshot(), value);
  EXPECT_EQ(back.dict(DictKind::kCompany).Find("TSE:3774"), std::optional<uint32_t>(3));
  EXPECT_EQ(back.dict(DictKind::kSource).size(), 2u);
  ASSERT_EQ(back.units().size(), 3u);
  EXPECT_EQ(back.units()[2].ToString(), "%");
  EXPECT_EQ(back.company(1), c.company(1));
  EXPECT_EQ(back.company(1)->name, "Internet Initiative Japan Inc.");
  EXPECT_EQ(back.company(2), std::nullopt);
  EXPECT_EQ(back.CalendarOf(1).fiscal_year_end_month, 3);
  EXPECT_EQ(back.CalendarOf(2), FiscalCalendar::CalendarYear());
  EXPECT_EQ(back.entries_read(), 0u);
  // A difference is named.
  Catalog other = SmallCatalog();
  other.Append(DictKind::kMetric, {"headcount"});
  EXPECT_THAT(CatalogDifference(c, other), HasSubstr("dictionary metric: 2 entries against 3"));
  other = SmallCatalog();
  other.SetCompany(3, MakeCompany("TSE:3774", "renamed", 12, ""));
  EXPECT_THAT(CatalogDifference(c, other), HasSubstr("company record id 3"));
  // The empty catalog's.
  Catalog empty;
  ASSERT_THAT(empty.LoadSnapshot(Catalog().EncodeSnapshot()), IsOk());
  EXPECT_EQ(empty.dict(DictKind::kMetric).size(), 1u);
}

std::string Hex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 3) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

// doc/format.md's worked examples, byte for byte.
TEST(CatalogSnapshotTest, FormatMdExamples) {
  EXPECT_EQ(Catalog().EncodeSnapshot(), Hex("01 00 00 00 00 00 00 1a c6 25 80 "));
  Catalog c;
  c.Append(DictKind::kCompany, {"IIJ", "ACME"});
  c.Append(DictKind::kMetric, {"capex"});
  c.Append(DictKind::kScenario, {"actual"});
  c.Append(DictKind::kUnit, {"JPY million"});
  c.SetCompany(1, MakeCompany("IIJ", "IIJ Inc.", 3, "JPY"));
  const std::string expected =
      Hex("01 02 03 49 49 4a 04 41 43 4d 45 01 05 63 61 70 65 78 01 06 61 63 74 75 61 6c "
          "01 0b 4a 50 59 20 6d 69 6c 6c 69 6f 6e 00 01 01 03 01 08 49 49 4a 20 49 6e 63 2e "
          "03 4a 50 59 32 d7 e8 50 ");
  EXPECT_EQ(c.EncodeSnapshot(), expected);
}

// Every single-byte change and every truncation is DataLoss, never a crash
// (tests/fuzz/catalog_fuzzer.cc goes further).
TEST(CatalogSnapshotTest, DamageIsDataLoss) {
  const std::string value = SmallCatalog().EncodeSnapshot();
  for (size_t i = 0; i < value.size(); ++i) {
    for (int bit : {0x01, 0x80}) {
      std::string damaged = value;
      damaged[i] = static_cast<char>(damaged[i] ^ bit);
      Catalog c;
      EXPECT_THAT(c.LoadSnapshot(damaged), StatusIs(absl::StatusCode::kDataLoss))
          << "byte " << i;
    }
  }
  for (size_t n = 0; n < value.size(); ++n) {
    Catalog c;
    EXPECT_THAT(c.LoadSnapshot(value.substr(0, n)), StatusIs(absl::StatusCode::kDataLoss));
  }
}

// --- Databases ---------------------------------------------------------------------

class SnapshotDBTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(kpidb::testing::LoadSample(path())); }

  std::string path() const { return dir_.Sub("db"); }

  absl::StatusOr<std::unique_ptr<DB>> Open(bool read_only) {
    Options o;
    o.read_only = read_only;
    return DB::Open(o, path());
  }
  uint64_t EntriesRead(const DB& db) {
    return static_cast<const DBImpl&>(db).catalog_entries_read_for_testing();
  }

  // RocksDB itself, under kpidb.
  void WithRaw(const std::function<void(rocksdb::DB*)>& f) {
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::Options(), path(), &raw).ok());
    f(raw);
    delete raw;
  }
  // The value of `key`, or "<none>".
  std::string Raw(const std::string& key) {
    std::string value;
    WithRaw([&](rocksdb::DB* db) {
      rocksdb::Status s = db->Get(rocksdb::ReadOptions(), key, &value);
      if (s.IsNotFound()) value = "<none>";
    });
    return value;
  }
  void RawPut(const std::string& key, const std::string& value) {
    WithRaw([&](rocksdb::DB* db) { ASSERT_TRUE(db->Put({}, key, value).ok()); });
  }
  // One write through kpidb, of the batch `fill` makes.
  absl::Status Write(const std::function<absl::Status(WriteBatch*)>& fill) {
    absl::StatusOr<std::unique_ptr<DB>> db = Open(false);
    if (!db.ok()) return db.status();
    WriteBatch batch;
    absl::Status s = fill(&batch);
    if (!s.ok()) return s;
    return (*db)->Write(WriteOptions(), batch).status();
  }
  // Two more company records (the sample defines one).
  void DefineCompanies() {
    ASSERT_THAT(Write([](WriteBatch* b) {
                  absl::Status s = b->PutCompany(MakeCompany("ACME", "Acme Corp.", 12, "USD"));
                  if (s.ok()) s = b->PutCompany(MakeCompany("TSE:3774", "IIJ (TSE)", 3, "JPY"));
                  return s;
                }),
                IsOk());
  }
  void RawDelete(const std::string& key) {
    WithRaw([&](rocksdb::DB* db) { ASSERT_TRUE(db->Delete({}, key).ok()); });
  }

  // The snapshot as stored, and the catalog the entries make.
  Catalog StoredSnapshot() {
    Catalog c;
    EXPECT_THAT(c.LoadSnapshot(Raw(kSnapshotKey)), IsOk());
    return c;
  }
  Catalog StoredEntries() {
    Catalog c;
    WithRaw([&](rocksdb::DB* db) { EXPECT_THAT(c.LoadEntries(db), IsOk()); });
    return c;
  }
  void ExpectSnapshotMatchesEntries() {
    const Catalog entries = StoredEntries();
    EXPECT_GT(entries.entries_read(), 10u);
    EXPECT_EQ(CatalogDifference(StoredSnapshot(), entries), "");
  }

  CheckReport Check(bool repair = false) {
    CheckOptions options;
    options.repair = repair;
    absl::StatusOr<CheckReport> r = CheckDatabase(path(), options);
    EXPECT_THAT(r, IsOk());
    return r.ok() ? *r : CheckReport();
  }

  ScopedTempDir dir_;
};

::testing::Matcher<const CheckProblem&> SnapshotProblem(const std::string& what) {
  return AllOf(Field(&CheckProblem::where, "the catalog snapshot 'S'"),
               Field(&CheckProblem::what, HasSubstr(what)),
               Field(&CheckProblem::repairable, true));
}

TEST_F(SnapshotDBTest, OpenReadsTheSnapshotNotTheEntries) {
  ExpectSnapshotMatchesEntries();
  for (bool read_only : {true, false}) {
    absl::StatusOr<std::unique_ptr<DB>> db = Open(read_only);
    ASSERT_THAT(db, IsOk());
    EXPECT_EQ(EntriesRead(**db), 0u);
    absl::StatusOr<Company> iij = (*db)->GetCompany("IIJ");
    ASSERT_THAT(iij, IsOk());
    EXPECT_EQ(iij->calendar.fiscal_year_end_month, 3);
    Query q;
    q.companies = {"IIJ"};
    q.metric = "revenue.total";
    absl::StatusOr<QueryResult> r = (*db)->Execute(q);
    ASSERT_THAT(r, IsOk());
    EXPECT_GT(r->size(), 0u);
  }
  // What the open reads is the snapshot: damaged, it fails the open.
  std::string value = Raw(kSnapshotKey);
  value[value.size() / 2] ^= 0x20;
  RawPut(kSnapshotKey, value);
  for (bool read_only : {true, false}) {
    absl::StatusOr<std::unique_ptr<DB>> db = Open(read_only);
    EXPECT_THAT(db, StatusIs(absl::StatusCode::kDataLoss));
    EXPECT_THAT(std::string(db.status().message()),
                HasSubstr("damaged catalog snapshot (key 'S'): checksum mismatch"));
  }
  // kpidb-check reports it, and repair rewrites it from the entries.
  CheckReport r = Check();
  EXPECT_THAT(r.problems, Contains(SnapshotProblem("checksum mismatch")));
  r = Check(/*repair=*/true);
  EXPECT_TRUE(r.ok());
  EXPECT_THAT(r.repairs, Contains(HasSubstr("the catalog snapshot 'S': rewritten")));
  EXPECT_TRUE(Check().ok());
  ExpectSnapshotMatchesEntries();
  EXPECT_THAT(Open(true), IsOk());
}

TEST_F(SnapshotDBTest, WritesKeepTheSnapshotInStep) {
  const std::string before = Raw(kSnapshotKey);
  Fact f;
  f.company = "IIJ";
  f.metric = "capex";
  f.period = *Period::Parse("FY2030", FiscalCalendar::CalendarYear());
  f.value = *Decimal::Parse("1");
  f.unit = *Unit::Parse("JPY million");
  // A write of known strings only: the catalog and its snapshot stay.
  ASSERT_THAT(Write([&](WriteBatch* b) { return b->PutFact(f); }), IsOk());
  EXPECT_TRUE(Raw(kSnapshotKey) == before);
  // New strings and a changed company record.
  Company iij = StoredSnapshot().company(1).value_or(Company());
  ASSERT_EQ(iij.id, "IIJ");
  iij.name = "IIJ, renamed";
  ASSERT_THAT(Write([&](WriteBatch* b) {
                f.company = "NEWCO";
                f.metric = "brand.new_metric";
                f.source = "a new source";
                absl::Status s = b->PutCompany(MakeCompany("NEWCO", "New Co", 6, "EUR"));
                if (s.ok()) s = b->PutCompany(iij);
                if (s.ok()) s = b->PutFact(f);
                return s;
              }),
              IsOk());
  const std::string after = Raw(kSnapshotKey);
  EXPECT_FALSE(after == before);
  ExpectSnapshotMatchesEntries();
  // A failing write (a conflict) changes nothing.
  EXPECT_THAT(Write([&](WriteBatch* b) {
                f.company = "ANOTHER";
                f.value = *Decimal::Parse("2");
                absl::Status s = b->PutFact(f);
                f.company = "NEWCO";
                if (s.ok()) s = b->PutFact(f);  // conflicts with the stored 1
                return s;
              }),
              StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_TRUE(Raw(kSnapshotKey) == after);
  const Catalog snapshot = StoredSnapshot();
  EXPECT_EQ(snapshot.dict(DictKind::kCompany).Find("ANOTHER"), std::nullopt);
  const std::optional<uint32_t> newco = snapshot.dict(DictKind::kCompany).Find("NEWCO");
  ASSERT_TRUE(newco.has_value());
  EXPECT_EQ(snapshot.company(*newco)->currency, "EUR");
  absl::StatusOr<std::unique_ptr<DB>> db = Open(true);
  ASSERT_THAT(db, IsOk());
  EXPECT_EQ(EntriesRead(**db), 0u);
  EXPECT_EQ((*db)->GetCompany("IIJ")->name, "IIJ, renamed");
  EXPECT_EQ((*db)->GetCompany("ANOTHER").status().code(), absl::StatusCode::kNotFound);
  db->reset();
  EXPECT_TRUE(Check().ok());
}

// A database of format version 1 (an older kpidb) has no snapshot: it
// opens from its entries, read-only opens leave it so, and the first
// writer open adds the snapshot and version 2.
TEST_F(SnapshotDBTest, MissingSnapshotOpensAndTheWriterAddsIt) {
  RawDelete(kSnapshotKey);
  RawPut(kMetaKey, EncodeMetaValue(1));
  const std::string expected = kpidb::testing::SnapshotAt(path());
  {
    absl::StatusOr<std::unique_ptr<DB>> db = Open(true);
    ASSERT_THAT(db, IsOk());
    EXPECT_GT(EntriesRead(**db), 10u);
    EXPECT_EQ(kpidb::testing::Snapshot(**db), expected);
  }
  EXPECT_EQ(Raw(kSnapshotKey), "<none>");
  CheckReport r = Check();
  EXPECT_THAT(r.notes, Contains(HasSubstr("format version 1"))) << r.notes.size();
  {
    absl::StatusOr<std::unique_ptr<DB>> db = Open(false);
    ASSERT_THAT(db, IsOk());
    EXPECT_GT(EntriesRead(**db), 10u);
  }
  EXPECT_EQ(Raw(kMetaKey), EncodeMetaValue(2));
  ExpectSnapshotMatchesEntries();
  // In a table file, not only in the log: an open that ignores the log
  // finds it.
  {
    rocksdb::Options o;
    o.avoid_flush_during_recovery = true;
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::OpenForReadOnly(o, path(), &raw).ok());
    std::unique_ptr<rocksdb::DB> owned(raw);
    std::vector<rocksdb::LiveFileMetaData> files;
    raw->GetLiveFilesMetaData(&files);
    bool in_table = false;
    for (const rocksdb::LiveFileMetaData& f : files) {
      in_table |= f.smallestkey <= kSnapshotKey && kSnapshotKey <= f.largestkey;
    }
    EXPECT_TRUE(in_table);
  }
  absl::StatusOr<std::unique_ptr<DB>> db = Open(true);
  ASSERT_THAT(db, IsOk());
  EXPECT_EQ(EntriesRead(**db), 0u);
  EXPECT_EQ(kpidb::testing::Snapshot(**db), expected);
  EXPECT_TRUE(Check().ok());
}

TEST_F(SnapshotDBTest, Version2WithoutSnapshotIsDataLossAndRepaired) {
  RawDelete(kSnapshotKey);
  EXPECT_THAT(Open(true), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(Open(false), StatusIs(absl::StatusCode::kDataLoss));
  CheckReport r = Check();
  EXPECT_THAT(r.problems, Contains(SnapshotProblem("missing")));
  r = Check(/*repair=*/true);
  EXPECT_TRUE(r.ok());
  ExpectSnapshotMatchesEntries();
  EXPECT_THAT(Open(true), IsOk());
}

// An entry past the snapshot's last id, or a last entry that differs: the
// open's few reads notice, DataLoss naming it; kpidb-check reports it and,
// the entries being clean, repair rewrites the snapshot.
TEST_F(SnapshotDBTest, EntriesPastTheSnapshotAreDataLoss) {
  const Catalog c = StoredSnapshot();
  const uint32_t next = c.dict(DictKind::kMetric).size();
  RawPut(DictKey(DictKind::kMetric, next), EncodeDictValue("sneaked.in"));
  absl::StatusOr<std::unique_ptr<DB>> db = Open(true);
  EXPECT_THAT(db, StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(std::string(db.status().message()),
              HasSubstr("dictionary metric id " + std::to_string(next) +
                        " is stored but not in the snapshot"));
  CheckReport r = Check();
  EXPECT_THAT(r.problems, Contains(SnapshotProblem("dictionary metric: " +
                                                   std::to_string(next - 1) +
                                                   " entries against " + std::to_string(next))));
  r = Check(/*repair=*/true);
  EXPECT_TRUE(r.ok());
  db = Open(true);
  ASSERT_THAT(db, IsOk());
  EXPECT_EQ(EntriesRead(**db), 0u);
}

TEST_F(SnapshotDBTest, LastEntryDifferingIsDataLoss) {
  const Catalog c = StoredSnapshot();
  const uint32_t last = c.dict(DictKind::kSource).size() - 1;
  RawPut(DictKey(DictKind::kSource, last), EncodeDictValue("another text"));
  absl::StatusOr<std::unique_ptr<DB>> db = Open(true);
  EXPECT_THAT(db, StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(std::string(db.status().message()),
              HasSubstr("dictionary source id " + std::to_string(last) + " is '"));
  EXPECT_THAT(Check().problems, Contains(SnapshotProblem("dictionary source id " +
                                                         std::to_string(last))));
}

TEST_F(SnapshotDBTest, CompanyRecordsPastOrMissingAreDataLoss) {
  DefineCompanies();
  const Catalog c = StoredSnapshot();
  const std::vector<uint32_t> ids = c.CompanyIds();
  ASSERT_GE(ids.size(), 2u);
  const uint32_t unused = c.dict(DictKind::kCompany).size() + 5;
  RawPut(CompanyKey(unused), EncodeCompanyValue(*c.company(ids[0])));
  absl::StatusOr<std::unique_ptr<DB>> db = Open(true);
  EXPECT_THAT(db, StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(std::string(db.status().message()),
              HasSubstr("company record id " + std::to_string(unused) + " is stored"));
  RawDelete(CompanyKey(unused));
  RawDelete(CompanyKey(ids.back()));
  db = Open(true);
  EXPECT_THAT(db, StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(std::string(db.status().message()),
              HasSubstr("company record id " + std::to_string(ids.back()) +
                        " is in the snapshot but not stored"));
}

// A change in the middle of the catalog escapes the open's few reads (the
// open then serves the snapshot's catalog); kpidb-check compares
// everything.
TEST_F(SnapshotDBTest, CheckFindsADifferenceInTheMiddle) {
  DefineCompanies();
  const Catalog c = StoredSnapshot();
  const std::vector<uint32_t> ids = c.CompanyIds();
  ASSERT_GE(ids.size(), 2u);
  Company changed = *c.company(ids[0]);
  changed.name = "Renamed behind kpidb's back";
  RawPut(CompanyKey(ids[0]), EncodeCompanyValue(changed));
  EXPECT_THAT(Open(true), IsOk());
  const CheckReport r = Check();
  EXPECT_THAT(r.problems,
              Contains(SnapshotProblem("company record id " + std::to_string(ids[0]))));
  EXPECT_FALSE(r.ok());
}

}  // namespace
}  // namespace kpidb::store
