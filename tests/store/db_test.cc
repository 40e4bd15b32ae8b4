#include "kpidb/db.h"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <thread>
#include <tuple>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/store/catalog.h"
#include "lib/store/db_impl.h"
#include "lib/store/series_chunk.h"
#include "rocksdb/db.h"
#include "tests/testutil.h"

namespace kpidb {
namespace {

using ::kpidb::testing::IsOk;
using ::kpidb::testing::ScopedTempDir;
using ::kpidb::testing::StatusIs;
using ::testing::HasSubstr;

const FiscalCalendar kIIJ{3, FiscalYearNaming::kStart};

Decimal D(std::string_view s) { return *Decimal::Parse(s); }
Unit U(std::string_view s) { return *Unit::Parse(s); }
Period P(std::string_view label, const FiscalCalendar& cal = kIIJ) {
  return *Period::Parse(label, cal);
}
absl::CivilDay Day(int y, int m, int d) { return absl::CivilDay(y, m, d); }

Fact F(std::string company, std::string metric, Period period, std::string value,
       std::string unit = "JPY million", std::string scenario = "actual",
       std::optional<absl::CivilDay> as_of = std::nullopt, std::string source = "") {
  Fact f;
  f.company = std::move(company);
  f.metric = std::move(metric);
  f.period = period;
  f.scenario = std::move(scenario);
  f.value = D(value);
  f.unit = U(unit);
  f.as_of = as_of;
  f.source = std::move(source);
  return f;
}

Company IIJ() {
  Company c;
  c.id = "IIJ";
  c.name = "Internet Initiative Japan Inc.";
  c.calendar = kIIJ;
  c.currency = "JPY";
  return c;
}

class DBTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  void Reopen(Options options = Options()) {
    db_.reset();
    absl::StatusOr<std::unique_ptr<DB>> db = DB::Open(options, path());
    ASSERT_THAT(db, IsOk());
    db_ = std::move(*db);
  }
  std::string path() const { return dir_.Sub("db"); }

  absl::StatusOr<WriteSummary> Put(std::vector<Fact> facts,
                                   WriteOptions options = WriteOptions(),
                                   std::vector<RecordError>* errors = nullptr) {
    WriteBatch batch;
    uint64_t tag = 1;
    for (const Fact& f : facts) {
      absl::Status s = batch.PutFact(f, tag++);
      if (!s.ok()) return s;
    }
    options.sync = false;
    return db_->Write(options, batch, errors);
  }

  void DefineIIJ() {
    WriteBatch batch;
    ASSERT_THAT(batch.PutCompany(IIJ()), IsOk());
    ASSERT_THAT(db_->Write(WriteOptions(), batch), IsOk());
  }

  QueryResult Run(Query q) {
    absl::StatusOr<QueryResult> r = db_->Execute(q);
    EXPECT_THAT(r, IsOk());
    return r.ok() ? *std::move(r) : QueryResult();
  }

  // company/metric/scenario period=value unit [as_of] per row.
  std::vector<std::string> Rows(Query q) {
    QueryResult r = Run(q);
    std::vector<std::string> out;
    for (size_t s = 0; s < r.series.size(); ++s) {
      const SeriesInfo& info = r.series[s];
      for (size_t i = r.series_begin(s); i < r.series_end(s); ++i) {
        std::string row = info.company + "/" + info.metric + "/" + info.scenario +
                          " " + r.periods[i].Label(info.calendar) + "=" +
                          r.values[i].ToString();
        // Appended in pieces: GCC 12 at -O3 warns falsely (-Wrestrict,
        // bug 105651) on "literal" + std::string&&.
        if (!r.unit_ids.empty()) {
          row += ' ';
          row += r.unit(i).ToString();
        }
        if (!r.as_of.empty() && r.as_of[i].has_value()) {
          row += " @";
          row += FormatDate(*r.as_of[i]);
        }
        out.push_back(row);
      }
    }
    return out;
  }

  ScopedTempDir dir_;
  std::unique_ptr<DB> db_;
};

TEST_F(DBTest, WritesAndReadsBackExactly) {
  WriteBatch batch;
  ASSERT_THAT(batch.PutCompany(IIJ()), IsOk());
  ASSERT_THAT(batch.PutFact(F("IIJ", "revenue.total", P("FY2013Q1-Q3"), "82746")), IsOk());
  ASSERT_THAT(batch.PutFact(F("IIJ", "revenue.total", P("FY2012Q1-Q3"), "76.7",
                              "JPY billion")),
              IsOk());
  ASSERT_THAT(batch.PutFact(F("IIJ", "balance_sheet.accumulated_deficit",
                              P("2013-12-31"), "(4,386)")),
              IsOk());
  absl::StatusOr<WriteSummary> s = db_->Write(WriteOptions(), batch);
  ASSERT_THAT(s, IsOk());
  EXPECT_EQ(s->new_facts, 3u);
  EXPECT_EQ(s->companies_added, 1u);
  EXPECT_THAT(Rows(Query()),
              ::testing::ElementsAre(
                  "IIJ/balance_sheet.accumulated_deficit/actual 2013-12-31=-4386 JPY million",
                  "IIJ/revenue.total/actual FY2012Q1-Q3=76.7 JPY billion",
                  "IIJ/revenue.total/actual FY2013Q1-Q3=82746 JPY million"));
  Reopen();
  EXPECT_EQ(Rows(Query()).size(), 3u);
  EXPECT_THAT(db_->GetCompany("IIJ"), IsOk());
  EXPECT_EQ(db_->GetCompany("IIJ")->calendar, kIIJ);
  EXPECT_THAT(db_->GetCompany("NOPE"), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(db_->CalendarOf("NOPE"), FiscalCalendar::CalendarYear());
}

TEST_F(DBTest, PeriodOrderIsEndThenShorterFirst) {
  DefineIIJ();
  ASSERT_THAT(Put({F("IIJ", "capex", P("FY2012"), "10405"),
                   F("IIJ", "capex", P("FY2012Q1-Q3"), "8452"),
                   F("IIJ", "capex", P("FY2013Q1-Q3"), "9863"),
                   F("IIJ", "capex", P("FY2012Q3"), "3000"),
                   F("IIJ", "capex", P("2012-12-31"), "1")}),
              IsOk());
  EXPECT_THAT(Rows(Query()),
              ::testing::ElementsAre("IIJ/capex/actual 2012-12-31=1 JPY million",
                                     "IIJ/capex/actual FY2012Q3=3000 JPY million",
                                     "IIJ/capex/actual FY2012Q1-Q3=8452 JPY million",
                                     "IIJ/capex/actual FY2012=10405 JPY million",
                                     "IIJ/capex/actual FY2013Q1-Q3=9863 JPY million"));
}

TEST_F(DBTest, LabelsAndRangesFollowEachCompanysCalendar) {
  WriteBatch batch;
  ASSERT_THAT(batch.PutCompany(IIJ()), IsOk());
  Company us{"SNOW", "Snowflake", FiscalCalendar{1, FiscalYearNaming::kEnd}, "USD"};
  ASSERT_THAT(batch.PutCompany(us), IsOk());
  ASSERT_THAT(db_->Write(WriteOptions(), batch), IsOk());
  ASSERT_THAT(Put({F("IIJ", "capex", P("FY2013Q3"), "1"),
                   F("IIJ", "capex", P("FY2013Q4"), "2"),
                   F("SNOW", "capex", P("FY2024Q1", us.calendar), "3", "USD million"),
                   F("SNOW", "capex", P("FY2023Q4", us.calendar), "4", "USD million")}),
              IsOk());
  Query q;
  q.from = "FY2013Q3";
  q.to = "FY2013Q3";
  // IIJ FY2013Q3 is 2013-10..12; SNOW's FY2013Q3 is 2012-08..10: none there.
  EXPECT_THAT(Rows(q), ::testing::ElementsAre("IIJ/capex/actual FY2013Q3=1 JPY million"));
  q.from = "FY2024";
  q.to = "FY2024";
  EXPECT_THAT(Rows(q), ::testing::ElementsAre("SNOW/capex/actual FY2024Q1=3 USD million"));
  q.from = "2013-11-01";
  q.to = "2014-03-31";
  EXPECT_THAT(Rows(q), ::testing::ElementsAre("IIJ/capex/actual FY2013Q4=2 JPY million"));
  q.from = "FY2013Q5";
  EXPECT_THAT(db_->Execute(q), StatusIs(absl::StatusCode::kInvalidArgument));
}

// FY9999 is a year of a calendar-year company, but IIJ's FY9999 would end
// in 10000: the bound is an error for the query, whichever company comes
// first, never a crash or a silent skip.
TEST_F(DBTest, BoundOutsideOneCompanysYearsIsAnError) {
  WriteBatch batch;
  ASSERT_THAT(batch.PutCompany(IIJ()), IsOk());
  ASSERT_THAT(batch.PutCompany(Company{"CY", "Calendar Co", FiscalCalendar::CalendarYear(),
                                       "USD"}),
              IsOk());
  ASSERT_THAT(db_->Write(WriteOptions(), batch), IsOk());
  ASSERT_THAT(Put({F("IIJ", "capex", P("FY2013Q3"), "1"),
                   F("CY", "capex", P("FY2013", FiscalCalendar::CalendarYear()), "2",
                     "USD million")}),
              IsOk());
  Query q;
  q.from = "FY9999";
  EXPECT_THAT(db_->Execute(q), StatusIs(absl::StatusCode::kInvalidArgument));
  q.companies = {"CY", "IIJ"};
  EXPECT_THAT(db_->Execute(q), StatusIs(absl::StatusCode::kInvalidArgument));
  q.companies = {"CY"};
  EXPECT_THAT(Rows(q), ::testing::IsEmpty());
  q.companies = {"IIJ"};
  EXPECT_THAT(db_->Execute(q), StatusIs(absl::StatusCode::kInvalidArgument));
}

// One-series queries go through the chunk cache: every commit, of any
// kind, must show in the next query, and the answers must not depend on
// the cache.
TEST_F(DBTest, OneSeriesQueriesSeeEveryCommit) {
  for (size_t cache_bytes : {size_t{0}, size_t{1} << 20}) {
    SCOPED_TRACE(cache_bytes);
    Options options;
    options.row_cache_bytes = cache_bytes;
    db_.reset();
    absl::StatusOr<std::unique_ptr<DB>> db =
        DB::Open(options, dir_.Sub(kpidb::StrCat("cache", cache_bytes)));
    ASSERT_THAT(db, IsOk());
    db_ = *std::move(db);
    DefineIIJ();
    Query q;
    q.companies = {"IIJ"};
    q.metric = "capex";
    q.scenarios = {"actual"};
    ASSERT_THAT(Put({F("IIJ", "capex", P("FY2013Q1"), "1")}), IsOk());
    EXPECT_THAT(Rows(q), ::testing::ElementsAre("IIJ/capex/actual FY2013Q1=1 JPY million"));
    EXPECT_THAT(Rows(q), ::testing::ElementsAre("IIJ/capex/actual FY2013Q1=1 JPY million"));
    // A new period, a replaced value, a new version: each seen at once.
    ASSERT_THAT(Put({F("IIJ", "capex", P("FY2013Q2"), "2")}), IsOk());
    EXPECT_THAT(Rows(q), ::testing::ElementsAre("IIJ/capex/actual FY2013Q1=1 JPY million",
                                                "IIJ/capex/actual FY2013Q2=2 JPY million"));
    WriteOptions replace;
    replace.replace = true;
    ASSERT_THAT(Put({F("IIJ", "capex", P("FY2013Q2"), "3")}, replace), IsOk());
    Fact revised = F("IIJ", "capex", P("FY2013Q1"), "4");
    revised.as_of = absl::CivilDay(2014, 1, 31);
    ASSERT_THAT(Put({revised}), IsOk());
    EXPECT_THAT(Rows(q),
                ::testing::ElementsAre("IIJ/capex/actual FY2013Q1=4 JPY million @2014-01-31",
                                       "IIJ/capex/actual FY2013Q2=3 JPY million"));
    // A failed write changes nothing, cached or not.
    ASSERT_THAT(Put({F("IIJ", "capex", P("FY2013Q2"), "5")}),
                StatusIs(absl::StatusCode::kAlreadyExists));
    EXPECT_THAT(Rows(q),
                ::testing::ElementsAre("IIJ/capex/actual FY2013Q1=4 JPY million @2014-01-31",
                                       "IIJ/capex/actual FY2013Q2=3 JPY million"));
    // A bulk write commits once, at the end.
    absl::StatusOr<std::unique_ptr<DB::BulkWrite>> bulk = db_->NewBulkWrite(WriteOptions());
    ASSERT_THAT(bulk, IsOk());
    WriteBatch more;
    ASSERT_THAT(more.PutFact(F("IIJ", "capex", P("FY2013Q3"), "6"), 1), IsOk());
    ASSERT_THAT((*bulk)->Add(more), IsOk());
    EXPECT_EQ(Rows(q).size(), 2u);
    ASSERT_THAT((*bulk)->Commit(), IsOk());
    bulk->reset();
    EXPECT_EQ(Rows(q).size(), 3u);
  }
}

TEST_F(DBTest, MetricGlobsScenariosAndCompanies) {
  DefineIIJ();
  ASSERT_THAT(Put({F("IIJ", "revenue.segment.network_services", P("FY2013Q1-Q3"), "50301"),
                   F("IIJ", "revenue.segment.systems_integration", P("FY2013Q1-Q3"), "29197"),
                   F("IIJ", "revenue.total", P("FY2013Q1-Q3"), "82746"),
                   F("IIJ", "revenue.total", P("FY2013"), "114.0", "JPY billion", "target",
                     Day(2014, 2, 7)),
                   F("ACME", "revenue.total", P("FY2013", FiscalCalendar::CalendarYear()),
                     "5")}),
              IsOk());
  Query q;
  q.metric = "revenue.segment.*";
  EXPECT_EQ(Rows(q).size(), 2u);
  q.metric = "*.total";
  q.scenarios = {"target"};
  EXPECT_THAT(Rows(q), ::testing::ElementsAre(
                           "IIJ/revenue.total/target FY2013=114.0 JPY billion @2014-02-07"));
  q.scenarios = {};
  q.companies = {"ACME"};
  EXPECT_THAT(Rows(q), ::testing::ElementsAre("ACME/revenue.total/actual FY2013=5 JPY million"));
  q.companies = {"ACME", "IIJ"};
  q.scenarios = {"actual", "target"};
  EXPECT_EQ(Rows(q).size(), 3u);
  q.companies = {"UNKNOWN"};
  EXPECT_TRUE(Rows(q).empty());
  q.companies = {"bad id!"};
  EXPECT_THAT(db_->Execute(q), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(DBTest, VersionsAnyLoadOrderLatestWinsAndAsOfTravels) {
  DefineIIJ();
  // Revised first, then the original (no as_of), then a later restatement.
  ASSERT_THAT(Put({F("IIJ", "revenue.total", P("FY2013"), "114.0", "JPY billion",
                     "target", Day(2014, 2, 7))}),
              IsOk());
  absl::StatusOr<WriteSummary> s =
      Put({F("IIJ", "revenue.total", P("FY2013"), "117.0", "JPY billion", "target"),
           F("IIJ", "revenue.total", P("FY2013"), "114500", "JPY million", "target",
             Day(2014, 5, 14))});
  ASSERT_THAT(s, IsOk());
  EXPECT_EQ(s->versions_added, 2u);
  EXPECT_EQ(s->new_facts, 0u);
  Query q;
  EXPECT_THAT(Rows(q), ::testing::ElementsAre(
                           "IIJ/revenue.total/target FY2013=114500 JPY million @2014-05-14"));
  q.as_of = Day(2014, 3, 1);
  EXPECT_THAT(Rows(q), ::testing::ElementsAre(
                           "IIJ/revenue.total/target FY2013=114.0 JPY billion @2014-02-07"));
  q.as_of = Day(2014, 2, 6);
  EXPECT_THAT(Rows(q), ::testing::ElementsAre(
                           "IIJ/revenue.total/target FY2013=117.0 JPY billion"));
  q.as_of = std::nullopt;
  q.all_versions = true;
  EXPECT_THAT(Rows(q),
              ::testing::ElementsAre(
                  "IIJ/revenue.total/target FY2013=117.0 JPY billion",
                  "IIJ/revenue.total/target FY2013=114.0 JPY billion @2014-02-07",
                  "IIJ/revenue.total/target FY2013=114500 JPY million @2014-05-14"));
  q.as_of = Day(2014, 2, 7);
  EXPECT_EQ(Rows(q).size(), 2u);
}

TEST_F(DBTest, IdenticalRewriteIsNoOpAndConflictWritesNothing) {
  DefineIIJ();
  const Fact f = F("IIJ", "capex", P("FY2012"), "10405", "JPY million", "actual",
                   Day(2014, 2, 7), "slide II-15");
  ASSERT_THAT(Put({f}), IsOk());
  absl::StatusOr<WriteSummary> again = Put({f});
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(again->unchanged, 1u);
  EXPECT_EQ(again->new_facts, 0u);

  Fact changed = f;
  changed.value = D("10406");
  const Fact other = F("IIJ", "capex", P("FY2013"), "1");
  std::vector<RecordError> errors;
  absl::StatusOr<WriteSummary> bad = Put({other, changed}, WriteOptions(), &errors);
  EXPECT_THAT(bad, StatusIs(absl::StatusCode::kAlreadyExists));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].tag, 2u);
  EXPECT_THAT(std::string(errors[0].status.message()), HasSubstr("10405"));
  // Atomic: the good fact in the failed batch is not there either.
  EXPECT_THAT(Rows(Query()), ::testing::ElementsAre(
                                 "IIJ/capex/actual FY2012=10405 JPY million @2014-02-07"));

  // Same value, reported with another precision: a change, not a no-op.
  Fact precision = f;
  precision.value = D("10405.0");
  EXPECT_THAT(Put({precision}), StatusIs(absl::StatusCode::kAlreadyExists));

  WriteOptions replace;
  replace.replace = true;
  absl::StatusOr<WriteSummary> replaced = Put({changed}, replace);
  ASSERT_THAT(replaced, IsOk());
  EXPECT_EQ(replaced->replaced, 1u);
  EXPECT_THAT(Rows(Query()), ::testing::ElementsAre(
                                 "IIJ/capex/actual FY2012=10406 JPY million @2014-02-07"));
}

TEST_F(DBTest, ConflictingDuplicateInsideOneBatch) {
  std::vector<RecordError> errors;
  WriteOptions replace;
  replace.replace = true;  // even --replace cannot choose between two inputs
  EXPECT_THAT(Put({F("IIJ", "capex", P("FY2012"), "1"), F("IIJ", "capex", P("FY2012"), "2")},
                  replace, &errors),
              StatusIs(absl::StatusCode::kAlreadyExists));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].tag, 2u);
  EXPECT_EQ(errors[0].other_tag, std::optional<uint64_t>(1));
  EXPECT_TRUE(Rows(Query()).empty());
  // An identical duplicate is fine.
  absl::StatusOr<WriteSummary> s =
      Put({F("IIJ", "capex", P("FY2012"), "1"), F("IIJ", "capex", P("FY2012"), "1")});
  ASSERT_THAT(s, IsOk());
  EXPECT_EQ(s->new_facts, 1u);
  EXPECT_EQ(s->unchanged, 1u);
}

TEST_F(DBTest, UnitDimensionMustMatchTheSeries) {
  ASSERT_THAT(Put({F("IIJ", "capex", P("FY2012"), "10405", "JPY million")}), IsOk());
  // Another scale of the same currency is fine.
  ASSERT_THAT(Put({F("IIJ", "capex", P("FY2011"), "9.1", "JPY billion")}), IsOk());
  std::vector<RecordError> errors;
  EXPECT_THAT(Put({F("IIJ", "capex", P("FY2013"), "1", "USD million")}, WriteOptions(),
                  &errors),
              StatusIs(absl::StatusCode::kInvalidArgument));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(std::string(errors[0].status.message()), HasSubstr("USD million"));
  errors.clear();
  EXPECT_THAT(Put({F("IIJ", "atm.count", P("2013-12-31"), "698", "count"),
                   F("IIJ", "atm.count", P("2014-02-07"), "78.5", "%")},
                  WriteOptions(), &errors),
              StatusIs(absl::StatusCode::kInvalidArgument));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].other_tag, std::optional<uint64_t>(1));
  EXPECT_EQ(Rows(Query()).size(), 2u);
}

TEST_F(DBTest, DryRunCountsButWritesNothing) {
  WriteOptions dry;
  dry.dry_run = true;
  absl::StatusOr<WriteSummary> s = Put({F("IIJ", "capex", P("FY2012"), "1")}, dry);
  ASSERT_THAT(s, IsOk());
  EXPECT_EQ(s->new_facts, 1u);
  EXPECT_TRUE(Rows(Query()).empty());
}

TEST_F(DBTest, BadIdentifiersAreRejectedAtPut) {
  WriteBatch batch;
  EXPECT_THAT(batch.PutFact(F("-x", "capex", P("FY2012"), "1")),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(batch.PutFact(F("IIJ", "Capex", P("FY2012"), "1")),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(batch.PutFact(F("IIJ", "capex.", P("FY2012"), "1")),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(batch.PutFact(F("IIJ", "capex", P("FY2012"), "1", "JPY", "Actual")),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(batch.fact_count(), 0u);
  Company bad = IIJ();
  bad.calendar.fiscal_year_end_month = 13;
  EXPECT_THAT(batch.PutCompany(bad), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(DBTest, ColumnsCanBeSkipped) {
  ASSERT_THAT(Put({F("IIJ", "capex", P("FY2012"), "1", "JPY million", "actual",
                     Day(2014, 2, 7), "deck")}),
              IsOk());
  Query q;
  q.with_sources = false;
  q.with_as_of = false;
  q.with_units = false;
  QueryResult r = Run(q);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_TRUE(r.source_ids.empty());
  EXPECT_TRUE(r.as_of.empty());
  EXPECT_TRUE(r.unit_ids.empty());
  q = Query();
  r = Run(q);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r.source(0), "deck");
  EXPECT_EQ(r.unit(0).ToString(), "JPY million");
}

TEST(DBOpenTest, ReadOnlyNeverCreates) {
  ScopedTempDir dir;
  Options ro;
  ro.read_only = true;
  EXPECT_THAT(DB::Open(ro, dir.Sub("none")), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_FALSE(std::filesystem::exists(dir.Sub("none")));
  Options no_create;
  no_create.create_if_missing = false;
  EXPECT_THAT(DB::Open(no_create, dir.Sub("none")), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_FALSE(std::filesystem::exists(dir.Sub("none")));
}

TEST(DBOpenTest, SecondWriterIsToldItIsLocked) {
  ScopedTempDir dir;
  absl::StatusOr<std::unique_ptr<DB>> first = DB::Open(Options(), dir.path());
  ASSERT_THAT(first, IsOk());
  absl::StatusOr<std::unique_ptr<DB>> second = DB::Open(Options(), dir.path());
  EXPECT_THAT(second, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(std::string(second.status().message()), HasSubstr("locked"));
  // Readers are welcome while the writer holds the lock.
  Options ro;
  ro.read_only = true;
  absl::StatusOr<std::unique_ptr<DB>> reader = DB::Open(ro, dir.path());
  ASSERT_THAT(reader, IsOk());
  WriteBatch batch;
  EXPECT_THAT((*reader)->Write(WriteOptions(), batch),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  Options exclusive;
  exclusive.error_if_exists = true;
  first->reset();
  EXPECT_FALSE(DB::Open(exclusive, dir.path()).ok());
}

TEST(DBOpenTest, ForeignRocksDBIsNotADatabase) {
  ScopedTempDir dir;
  {
    rocksdb::Options o;
    o.create_if_missing = true;
    rocksdb::DB* raw;
    ASSERT_TRUE(rocksdb::DB::Open(o, dir.path(), &raw).ok());
    ASSERT_TRUE(raw->Put(rocksdb::WriteOptions(), "hello", "world").ok());
    delete raw;
  }
  absl::StatusOr<std::unique_ptr<DB>> db = DB::Open(Options(), dir.path());
  EXPECT_THAT(db, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(std::string(db.status().message()), HasSubstr("not a kpidb database"));
}

// Damage written straight into RocksDB, under kpidb.
class CorruptionTest : public DBTest {
 protected:
  void Poke(const std::string& key, const std::function<void(std::string*)>& damage) {
    db_.reset();
    rocksdb::DB* raw;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::Options(), path(), &raw).ok());
    std::string value;
    ASSERT_TRUE(raw->Get(rocksdb::ReadOptions(), key, &value).ok()) << key;
    damage(&value);
    ASSERT_TRUE(raw->Put(rocksdb::WriteOptions(), key, value).ok());
    delete raw;
  }
};

TEST_F(CorruptionTest, DamagedChunkIsDataLossNotACrash) {
  ASSERT_THAT(Put({F("IIJ", "capex", P("FY2012"), "10405"),
                   F("IIJ", "capex", P("FY2013"), "1")}),
              IsOk());
  // First metric, scenario and company ids are all 1.
  Poke(store::SeriesKey(1, 1, 1), [](std::string* v) { (*v)[3] ^= 0x10; });
  Reopen();
  absl::StatusOr<QueryResult> r = db_->Execute(Query());
  EXPECT_THAT(r, StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("IIJ/capex/actual"));
  // Writing into the damaged series is refused too, and changes nothing.
  EXPECT_THAT(Put({F("IIJ", "capex", P("FY2014"), "2")}),
              StatusIs(absl::StatusCode::kDataLoss));
}

TEST_F(CorruptionTest, TruncatedChunkIsDataLoss) {
  ASSERT_THAT(Put({F("IIJ", "capex", P("FY2012"), "10405")}), IsOk());
  Poke(store::SeriesKey(1, 1, 1), [](std::string* v) { v->resize(v->size() / 2); });
  Reopen();
  EXPECT_THAT(db_->Execute(Query()), StatusIs(absl::StatusCode::kDataLoss));
}

// A chunk with a valid checksum but repeated rows (as a buggy writer would
// leave) is refused by queries and by writes into its series, instead of
// misleading the version merge.
TEST_F(CorruptionTest, ChecksumValidChunkWithRepeatedRowsIsDataLoss) {
  ASSERT_THAT(Put({F("IIJ", "capex", P("FY2012"), "10405")}), IsOk());
  Poke(store::SeriesKey(1, 1, 1), [](std::string* v) {
    std::vector<store::ChunkRow> rows;
    ASSERT_THAT(store::DecodeChunk(*v, store::kNeedAll, &rows), IsOk());
    rows.push_back(rows[0]);
    rows.push_back(rows[0]);
    *v = store::EncodeChunk(&rows);
  });
  Reopen();
  absl::StatusOr<QueryResult> r = db_->Execute(Query());
  EXPECT_THAT(r, StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("rows out of order"));
  EXPECT_THAT(Put({F("IIJ", "capex", P("FY2012"), "10405", "JPY million", "actual",
                     Day(2014, 5, 1))}),
              StatusIs(absl::StatusCode::kDataLoss));
}

// A series key naming ids the dictionaries lack: DataLoss naming the id,
// never a row with an empty company (or a read past the dictionary).
TEST_F(CorruptionTest, SeriesKeyWithUnknownIdsIsDataLoss) {
  ASSERT_THAT(Put({F("IIJ", "capex", P("FY2012"), "10405")}), IsOk());
  std::string chunk;
  Poke(store::SeriesKey(1, 1, 1), [&](std::string* v) { chunk = *v; });
  // (A key under an unknown metric is never read by a query, which scans
  // known metrics only; kpidb-check reports it.)
  for (const std::string& key : {store::SeriesKey(1, 1, 7), store::SeriesKey(1, 9, 1)}) {
    SCOPED_TRACE(key);
    {
      db_.reset();
      rocksdb::DB* raw;
      ASSERT_TRUE(rocksdb::DB::Open(rocksdb::Options(), path(), &raw).ok());
      ASSERT_TRUE(raw->Put(rocksdb::WriteOptions(), key, chunk).ok());
      delete raw;
    }
    Reopen();
    absl::StatusOr<QueryResult> r = db_->Execute(Query());
    EXPECT_THAT(r, StatusIs(absl::StatusCode::kDataLoss));
    EXPECT_THAT(std::string(r.status().message()), HasSubstr("not in the catalog"));
    Query by_company;
    by_company.companies = {"IIJ"};
    by_company.metric = "capex";
    // The damaged key is not among those a named series reads, so this
    // stays an exact answer.
    EXPECT_THAT(db_->Execute(by_company), IsOk());
    db_.reset();
    rocksdb::DB* raw;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::Options(), path(), &raw).ok());
    ASSERT_TRUE(raw->Delete(rocksdb::WriteOptions(), key).ok());
    delete raw;
    Reopen();
  }
}

TEST_F(CorruptionTest, DamagedCatalogFailsOpen) {
  ASSERT_THAT(Put({F("IIJ", "capex", P("FY2012"), "10405")}), IsOk());
  Poke(store::DictKey(store::DictKind::kMetric, 1), [](std::string* v) { (*v)[0] ^= 1; });
  EXPECT_THAT(DB::Open(Options(), path()), StatusIs(absl::StatusCode::kDataLoss));
}

// A bulk write of several batches is one write of their union: the same
// database, the same summary; errors across batches name their tags; and
// nothing is written until Commit.
TEST_F(DBTest, BulkWriteIsOneWriteOfItsBatches) {
  static_cast<store::DBImpl*>(db_.get())->set_spill_facts_for_testing(3);
  std::vector<Fact> facts;
  for (int year = 2005; year < 2015; ++year) {
    for (const char* metric : {"capex", "revenue.total", "opex"}) {
      facts.push_back(F("IIJ", metric, P("FY" + std::to_string(year)), std::to_string(year)));
      facts.push_back(F("ACME", metric, P("FY" + std::to_string(year)), "7"));
    }
  }
  absl::StatusOr<std::unique_ptr<DB::BulkWrite>> bulk = db_->NewBulkWrite(WriteOptions());
  ASSERT_THAT(bulk, IsOk());
  uint64_t tag = 1;
  for (size_t i = 0; i < facts.size(); i += 7) {
    WriteBatch batch;
    if (i == 14) {
      ASSERT_THAT(batch.PutCompany(IIJ()), IsOk());
    }
    for (size_t j = i; j < std::min(facts.size(), i + 7); ++j) {
      ASSERT_THAT(batch.PutFact(facts[j], tag++), IsOk());
    }
    ASSERT_THAT((*bulk)->Add(batch), IsOk());
  }
  // Nothing visible before the commit.
  EXPECT_TRUE(Rows(Query()).empty());
  absl::StatusOr<WriteSummary> summary = (*bulk)->Commit();
  ASSERT_THAT(summary, IsOk());
  EXPECT_EQ(summary->facts, facts.size());
  EXPECT_EQ(summary->new_facts, facts.size());
  EXPECT_EQ(summary->companies_added, 1u);
  EXPECT_THAT((*bulk)->Commit(), StatusIs(absl::StatusCode::kFailedPrecondition));
  bulk->reset();
  const std::vector<std::string> bulk_rows = Rows(Query());

  // The same facts in one Write into another database.
  absl::StatusOr<std::unique_ptr<DB>> db2 = DB::Open(Options(), dir_.Sub("db2"));
  ASSERT_THAT(db2, IsOk());
  WriteBatch all;
  ASSERT_THAT(all.PutCompany(IIJ()), IsOk());
  tag = 1;
  for (const Fact& f : facts) ASSERT_THAT(all.PutFact(f, tag++), IsOk());
  ASSERT_THAT((*db2)->Write(WriteOptions(), all), IsOk());
  std::swap(db_, *db2);
  EXPECT_EQ(Rows(Query()), bulk_rows);
  std::swap(db_, *db2);
  EXPECT_EQ(bulk_rows.size(), facts.size());
}

TEST_F(DBTest, BulkWriteConflictsAcrossBatchesAndUncommittedWritesNothing) {
  static_cast<store::DBImpl*>(db_.get())->set_spill_facts_for_testing(2);
  {
    absl::StatusOr<std::unique_ptr<DB::BulkWrite>> bulk = db_->NewBulkWrite(WriteOptions());
    ASSERT_THAT(bulk, IsOk());
    WriteBatch a, b;
    ASSERT_THAT(a.PutFact(F("IIJ", "capex", P("FY2012"), "1"), 10), IsOk());
    ASSERT_THAT(a.PutFact(F("IIJ", "capex", P("FY2013"), "1"), 11), IsOk());
    ASSERT_THAT(b.PutFact(F("IIJ", "capex", P("FY2014"), "1"), 20), IsOk());
    ASSERT_THAT(b.PutFact(F("IIJ", "capex", P("FY2012"), "2"), 21), IsOk());
    ASSERT_THAT((*bulk)->Add(a), IsOk());
    ASSERT_THAT((*bulk)->Add(b), IsOk());
    std::vector<RecordError> errors;
    EXPECT_THAT((*bulk)->Commit(&errors), StatusIs(absl::StatusCode::kAlreadyExists));
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].tag, 21u);
    EXPECT_EQ(errors[0].other_tag, std::optional<uint64_t>(10));
  }
  EXPECT_TRUE(Rows(Query()).empty());
  {
    absl::StatusOr<std::unique_ptr<DB::BulkWrite>> bulk = db_->NewBulkWrite(WriteOptions());
    ASSERT_THAT(bulk, IsOk());
    WriteBatch a;
    ASSERT_THAT(a.PutFact(F("IIJ", "capex", P("FY2012"), "1"), 1), IsOk());
    ASSERT_THAT((*bulk)->Add(a), IsOk());
    // Dropped without Commit.
  }
  EXPECT_TRUE(Rows(Query()).empty());
  // The writer lock was released: a plain write goes through.
  EXPECT_THAT(Put({F("IIJ", "capex", P("FY2012"), "1")}), IsOk());
}

// Random writes against a std::map model, with reopens (seeded by
// --gtest_random_seed).
TEST_F(DBTest, MatchesAModelUnderRandomWrites) {
  std::mt19937_64 rng = kpidb::testing::SeededRng();
  using Key = std::tuple<std::string, std::string, int, int, int64_t>;  // company, metric, fy, q, as_of
  std::map<Key, std::string> model;
  const char* companies[] = {"A", "B", "TSE:3774"};
  const char* metrics[] = {"m.a", "m.b", "capex"};
  for (int round = 0; round < 40; ++round) {
    std::vector<Fact> facts;
    std::map<Key, std::string> pending;
    const bool replace = rng() % 3 == 0;
    const int n = 1 + static_cast<int>(rng() % 12);
    for (int i = 0; i < n; ++i) {
      const std::string c = companies[rng() % 3];
      const std::string m = metrics[rng() % 3];
      const int fy = 2010 + static_cast<int>(rng() % 4);
      const int q = static_cast<int>(rng() % 5);  // 0: the year
      const int64_t as_of_choice = static_cast<int64_t>(rng() % 3);  // 0: none
      const std::string value = std::to_string(rng() % 5);
      const Key key{c, m, fy, q, as_of_choice};
      if (pending.count(key)) continue;  // keep batches free of duplicates
      pending[key] = value;
      const std::string label =
          q == 0 ? "FY" + std::to_string(fy) : "FY" + std::to_string(fy) + "Q" + std::to_string(q);
      std::optional<absl::CivilDay> as_of;
      if (as_of_choice > 0) as_of = Day(2020, 1, static_cast<int>(as_of_choice));
      facts.push_back(F(c, m, P(label, FiscalCalendar::CalendarYear()), value, "count",
                        "actual", as_of));
    }
    bool conflict = false;
    for (const auto& [k, v] : pending) {
      auto it = model.find(k);
      if (it != model.end() && it->second != v && !replace) conflict = true;
    }
    WriteOptions wo;
    wo.replace = replace;
    absl::StatusOr<WriteSummary> s = Put(facts, wo);
    if (conflict) {
      EXPECT_THAT(s, StatusIs(absl::StatusCode::kAlreadyExists)) << "round " << round;
    } else {
      ASSERT_THAT(s, IsOk()) << "round " << round;
      for (const auto& [k, v] : pending) model[k] = v;
    }
    if (rng() % 5 == 0) Reopen();
    // Compare every version.
    Query all;
    all.all_versions = true;
    QueryResult r = Run(all);
    std::map<Key, std::string> seen;
    for (size_t si = 0; si < r.series.size(); ++si) {
      for (size_t i = r.series_begin(si); i < r.series_end(si); ++i) {
        const Period& p = r.periods[i];
        const int fy = p.start().year();
        const int q = p.length_days() > 100 ? 0 : (p.start().month() - 1) / 3 + 1;
        const int64_t a = r.as_of[i].has_value() ? r.as_of[i]->day() : 0;
        seen[Key{r.series[si].company, r.series[si].metric, fy, q, a}] =
            r.values[i].ToString();
      }
    }
    ASSERT_EQ(seen, model) << "round " << round;
  }
}

// Readers always see whole batches: each batch writes the same number of
// facts to two series.
TEST_F(DBTest, ConcurrentReadersSeeWholeBatches) {
  std::atomic<bool> done{false};
  std::atomic<int> checks{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      while (!done.load()) {
        Query q;
        q.metric = "pair.*";
        absl::StatusOr<QueryResult> r = db_->Execute(q);
        ASSERT_TRUE(r.ok()) << r.status();
        if (r->series.size() == 2) {
          EXPECT_EQ(r->series_end(0) - r->series_begin(0),
                    r->series_end(1) - r->series_begin(1));
        } else {
          EXPECT_EQ(r->size(), 0u);
        }
        checks.fetch_add(1);
      }
    });
  }
  // Stop and join the readers however the writes end.
  struct Joiner {
    std::atomic<bool>& done;
    std::vector<std::thread>& threads;
    ~Joiner() {
      done = true;
      for (auto& t : threads) t.join();
    }
  } joiner{done, readers};
  int overlapped = 0;
  for (int i = 0; i < 60; ++i) {
    const std::string label = "FY" + std::to_string(1950 + i);
    ASSERT_THAT(Put({F("X", "pair.a", P(label), std::to_string(i), "count"),
                     F("X", "pair.b", P(label), std::to_string(i), "count")}),
                IsOk());
    // Let at least one read run between writes (bounded), so reads really
    // interleave with writes however fast the writes are.
    const int seen = checks.load();
    for (int spin = 0; spin < 10000 && checks.load() == seen; ++spin) {
      std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
    if (checks.load() > seen) ++overlapped;
  }
  EXPECT_GT(overlapped, 0);
}

}  // namespace
}  // namespace kpidb

namespace kpidb {
namespace {

TEST(DBExistsTest, TrueOnlyOnceADatabaseIsCreated) {
  kpidb::testing::ScopedTempDir dir;
  const std::string path = dir.Sub("db");
  EXPECT_FALSE(DB::Exists(path));             // no directory
  std::filesystem::create_directories(path);
  EXPECT_FALSE(DB::Exists(path));             // an empty directory
  Options read_only;
  read_only.read_only = true;
  EXPECT_FALSE(DB::Open(read_only, path).ok());
  EXPECT_FALSE(DB::Exists(path));             // a failed open creates nothing
  {
    absl::StatusOr<std::unique_ptr<DB>> db = DB::Open(Options(), path);
    ASSERT_TRUE(db.ok()) << db.status();
  }
  EXPECT_TRUE(DB::Exists(path));
  EXPECT_TRUE(DB::Open(read_only, path).ok());
}

}  // namespace
}  // namespace kpidb
