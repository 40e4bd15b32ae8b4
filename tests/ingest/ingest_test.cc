// Tests of kpidb::IngestInputs / IngestFiles: loading the sample, every kind
// of bad input (message "FILE:LINE: error: ...", nothing written), atomicity
// across files, and the accepted input forms.
#include "kpidb/ingest.h"

#include <fstream>
#include <limits>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kpidb/db.h"
#include "kpidb/dump.h"
#include "kpidb/options.h"
#include "kpidb/query.h"
#include "tests/sample_testutil.h"
#include "tests/testutil.h"

namespace kpidb {
namespace {

using ::kpidb::testing::IsOk;
using ::kpidb::testing::SamplePath;
using ::kpidb::testing::ScopedTempDir;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;
using ::testing::StartsWith;

constexpr char kHeader[] =
    "company,metric,period,value,unit,scenario,as_of,source\n";
constexpr char kCompaniesHeader[] =
    "company,name,fiscal_year_end,fy_naming,currency\n";

std::string ReadFileOrDie(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

IngestInput SampleInput(const std::string& name) {
  return IngestInput{name, ReadFileOrDie(SamplePath(name))};
}

// One row of a query result, flattened for comparisons.
struct Row {
  std::string metric;
  std::string scenario;
  std::string period;
  std::string start;
  std::string end;
  std::string value;
  std::string unit;
  std::string as_of;
  std::string source;
};

class IngestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_path_ = tmp_.Sub("db");
    absl::StatusOr<std::unique_ptr<DB>> db = DB::Open(Options(), db_path_);
    ASSERT_THAT(db, IsOk());
    db_ = std::move(*db);
  }

  [[nodiscard]] absl::Status Ingest(std::vector<IngestInput> inputs,
                                    const IngestOptions& options = {}) {
    report_ = IngestReport();
    return IngestInputs(db_.get(), inputs, options, &report_);
  }

  void LoadSample() {
    absl::Status s = Ingest({SampleInput("companies.csv"),
                             SampleInput("iij-fy2013-1q3q.csv")});
    ASSERT_THAT(s, IsOk()) << ::testing::PrintToString(report_.errors);
  }

  // Every fact (all versions) and every company, as CSV.
  std::string Snapshot() { return ::kpidb::testing::Snapshot(*db_); }

  std::vector<Row> Rows(Query q) {
    std::vector<Row> rows;
    absl::StatusOr<QueryResult> r = db_->Execute(q);
    EXPECT_THAT(r, IsOk());
    if (!r.ok()) return rows;
    for (size_t s = 0; s < r->series.size(); ++s) {
      const SeriesInfo& info = r->series[s];
      for (size_t i = r->series_begin(s); i < r->series_end(s); ++i) {
        rows.push_back(Row{
            info.metric, info.scenario, r->periods[i].Label(info.calendar),
            FormatDate(r->periods[i].start()), FormatDate(r->periods[i].end()),
            r->values[i].ToString(), r->unit(i).ToString(),
            r->as_of[i].has_value() ? FormatDate(*r->as_of[i]) : "",
            std::string(r->source(i))});
      }
    }
    return rows;
  }

  std::vector<Row> MetricRows(const std::string& metric, bool all_versions,
                              std::optional<absl::CivilDay> as_of = {}) {
    Query q;
    q.metric = metric;
    q.all_versions = all_versions;
    q.as_of = as_of;
    return Rows(q);
  }

  // Ingests `inputs`, which must be rejected with exactly `expected` error
  // messages (as matchers), leaving the database unchanged.
  template <typename ErrorsMatcher>
  void ExpectRejected(std::vector<IngestInput> inputs, ErrorsMatcher expected,
                      const IngestOptions& options = {}) {
    const std::string before = Snapshot();
    absl::Status s = Ingest(std::move(inputs), options);
    EXPECT_FALSE(s.ok());
    EXPECT_THAT(report_.errors, expected);
    EXPECT_GE(report_.error_count, report_.errors.size());
    EXPECT_EQ(Snapshot(), before) << "the database changed";
  }

  ScopedTempDir tmp_;
  std::string db_path_;
  std::unique_ptr<DB> db_;
  IngestReport report_;
};

// --- The sample ------------------------------------------------------------

TEST_F(IngestTest, LoadsSample) {
  ASSERT_NO_FATAL_FAILURE(LoadSample());
  EXPECT_EQ(report_.files, 2u);
  EXPECT_EQ(report_.facts_read, 183u);
  EXPECT_EQ(report_.companies_read, 1u);
  EXPECT_THAT(report_.errors, IsEmpty());
  EXPECT_EQ(report_.error_count, 0u);
  const WriteSummary& w = report_.summary;
  EXPECT_EQ(w.facts, 183u);
  EXPECT_EQ(w.new_facts + w.versions_added, 183u);
  // Seven FY2013 targets come in two versions (original and revised).
  EXPECT_EQ(w.versions_added, 7u);
  EXPECT_EQ(w.new_facts, 176u);
  EXPECT_EQ(w.unchanged, 0u);
  EXPECT_EQ(w.replaced, 0u);
  EXPECT_EQ(w.companies_added, 1u);

  absl::StatusOr<Company> iij = db_->GetCompany("IIJ");
  ASSERT_THAT(iij, IsOk());
  EXPECT_EQ(iij->name, "Internet Initiative Japan Inc.");
  EXPECT_EQ(iij->calendar.fiscal_year_end_month, 3);
  EXPECT_EQ(iij->calendar.naming, FiscalYearNaming::kStart);
  EXPECT_EQ(iij->currency, "JPY");

  Query all;
  all.all_versions = true;
  EXPECT_THAT(Rows(all), SizeIs(183));

  std::vector<Row> rows = MetricRows("revenue.segment.network_services", false);
  ASSERT_THAT(rows, SizeIs(1));
  EXPECT_EQ(rows[0].period, "FY2013Q1-Q3");
  EXPECT_EQ(rows[0].start, "2013-04-01");
  EXPECT_EQ(rows[0].end, "2013-12-31");
  EXPECT_EQ(rows[0].value, "50301");
  EXPECT_EQ(rows[0].unit, "JPY million");
  EXPECT_EQ(rows[0].as_of, "2014-02-07");
}

TEST_F(IngestTest, IngestFilesReadsPaths) {
  std::vector<std::string> paths = {SamplePath("iij-fy2013-1q3q.csv"),
                                    SamplePath("companies.csv")};
  absl::Status s = IngestFiles(db_.get(), paths, {}, &report_);
  ASSERT_THAT(s, IsOk()) << ::testing::PrintToString(report_.errors);
  EXPECT_EQ(report_.facts_read, 183u);
  EXPECT_EQ(report_.companies_read, 1u);
  EXPECT_EQ(report_.summary.new_facts + report_.summary.versions_added, 183u);
}

TEST_F(IngestTest, IngestFilesMissingFileIsNotFoundAndWritesNothing) {
  const std::string before = Snapshot();
  std::vector<std::string> paths = {SamplePath("companies.csv"),
                                    tmp_.Sub("no-such-file.csv")};
  absl::Status s = IngestFiles(db_.get(), paths, {}, &report_);
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("no-such-file.csv"));
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(IngestTest, ReingestingSampleChangesNothing) {
  ASSERT_NO_FATAL_FAILURE(LoadSample());
  const std::string before = Snapshot();
  ASSERT_NO_FATAL_FAILURE(LoadSample());
  const WriteSummary& w = report_.summary;
  EXPECT_EQ(w.unchanged, 183u);
  EXPECT_EQ(w.new_facts, 0u);
  EXPECT_EQ(w.versions_added, 0u);
  EXPECT_EQ(w.replaced, 0u);
  EXPECT_EQ(w.companies_added, 0u);
  EXPECT_EQ(w.companies_changed, 0u);
  EXPECT_EQ(w.companies_unchanged, 1u);
  EXPECT_EQ(Snapshot(), before);
}

// --- Bad input: malformed CSV ----------------------------------------------

TEST_F(IngestTest, UnterminatedQuote) {
  ASSERT_NO_FATAL_FAILURE(LoadSample());
  ExpectRejected({{"in.csv", std::string(kHeader) +
                                 "IIJ,new.a,FY2013,1,JPY million,actual,,ok\n"
                                 "IIJ,new.b,FY2013,2,JPY million,actual,,\"open\n"
                                 "IIJ,new.c,FY2013,3,JPY million,actual,,x\n"}},
                 ElementsAre(StartsWith("in.csv:3: error: ")));
}

TEST_F(IngestTest, StrayQuote) {
  ASSERT_NO_FATAL_FAILURE(LoadSample());
  ExpectRejected({{"in.csv", std::string(kHeader) +
                                 "IIJ,new.a,FY2013,1,JPY million,actual,,ok\n"
                                 "IIJ,new.b,FY2013,2,JPY mil\"lion,actual,,x\n"
                                 "IIJ,new.c,FY2013,3,JPY million,actual,,x\n"}},
                 ElementsAre(StartsWith("in.csv:3: error: ")));
}

TEST_F(IngestTest, LineOfRecordAfterQuotedNewline) {
  ASSERT_NO_FATAL_FAILURE(LoadSample());
  // Line 2-3: one record whose source spans two lines. Line 4: stray quote.
  // Line 5-7: a record spanning three lines with a bad value.
  ExpectRejected(
      {{"in.csv", std::string(kHeader) +
                      "IIJ,new.a,FY2013,1,JPY million,actual,,\"two\nlines\"\n"
                      "IIJ,new.b,FY2013,2,JPY mil\"lion,actual,,x\n"
                      "IIJ,new.c,FY2013,abc,JPY million,actual,,\"three\n\n"
                      "lines\"\n"
                      "IIJ,new.d,FY2013Q5,4,JPY million,actual,,x\n"}},
      ElementsAre(StartsWith("in.csv:4: error: "),
                  AllOf(StartsWith("in.csv:5: error: "), HasSubstr("abc")),
                  AllOf(StartsWith("in.csv:8: error: "), HasSubstr("FY2013Q5"))));
}

TEST_F(IngestTest, CrlfLineEndingsCountLines) {
  ASSERT_NO_FATAL_FAILURE(LoadSample());
  ExpectRejected(
      {{"in.csv",
        "company,metric,period,value,unit,scenario,as_of,source\r\n"
        "IIJ,new.a,FY2013,1,JPY million,actual,,\"a\r\nb\"\r\n"
        "IIJ,new.b,FY2013,12x,JPY million,actual,,x\r\n"}},
      ElementsAre(AllOf(StartsWith("in.csv:4: error: "), HasSubstr("12x"))));
}

// --- Bad input: header ------------------------------------------------------

TEST_F(IngestTest, UnknownColumn) {
  ASSERT_NO_FATAL_FAILURE(LoadSample());
  ExpectRejected({{"in.csv", "company,metric,period,value,colour\n"
                             "IIJ,new.a,FY2013,1,red\n"}},
                 ElementsAre(AllOf(StartsWith("in.csv:1: error: "),
                                   HasSubstr("unknown column"),
                                   HasSubstr("colour"))));
}

TEST_F(IngestTest, MissingRequiredColumn) {
  ASSERT_NO_FATAL_FAILURE(LoadSample());
  ExpectRejected({{"in.csv", "company,metric,value,unit\n"
                             "IIJ,new.a,1,JPY million\n"}},
                 ElementsAre(AllOf(StartsWith("in.csv:1: error: "),
                                   HasSubstr("missing"), HasSubstr("period"))));
}

TEST_F(IngestTest, MissingRequiredCompaniesColumn) {
  ASSERT_NO_FATAL_FAILURE(LoadSample());
  ExpectRejected({{"co.csv", "company,name,fiscal_year_end,currency\n"
                             "NEW,New Inc.,12,USD\n"}},
                 ElementsAre(AllOf(StartsWith("co.csv:1: error: "),
                                   HasSubstr("missing"),
                                   HasSubstr("fy_naming"))));
}

TEST_F(IngestTest, DuplicateColumn) {
  ASSERT_NO_FATAL_FAILURE(LoadSample());
  ExpectRejected({{"in.csv", "company,metric,period,value,value\n"
                             "IIJ,new.a,FY2013,1,2\n"}},
                 ElementsAre(AllOf(StartsWith("in.csv:1: error: "),
                                   HasSubstr("duplicate"), HasSubstr("value"))));
}

TEST_F(IngestTest, EmptyFile) {
  ASSERT_NO_FATAL_FAILURE(LoadSample());
  ExpectRejected({{"empty.csv", ""}},
                 ElementsAre(StartsWith("empty.csv:1: error: ")));
}

TEST_F(IngestTest, EmptyFileNextToGoodFileWritesNothing) {
  ASSERT_NO_FATAL_FAILURE(LoadSample());
  ExpectRejected({{"good.csv", std::string(kHeader) +
                                   "IIJ,new.a,FY2013,1,JPY million,actual,,x\n"},
                  {"empty.csv", ""}},
                 ElementsAre(StartsWith("empty.csv:1: error: ")));
}

// --- Bad input: fields ------------------------------------------------------

TEST_F(IngestTest, BadPeriodLabel) {
  ASSERT_NO_FATAL_FAILURE(LoadSample());
  ExpectRejected({{"in.csv", std::string(kHeader) +
                                 "IIJ,new.a,FY2013,1,JPY million,actual,,x\n"
                                 "IIJ,new.a,FY2013Q5,1,JPY million,actual,,x\n"}},
                 ElementsAre(AllOf(StartsWith("in.csv:3: error: "),
                                   HasSubstr("FY2013Q5"))));
}

TEST_F(IngestTest, NonNumberValues) {
  ASSERT_NO_FATAL_FAILURE(LoadSample());
  ExpectRejected({{"in.csv", std::string(kHeader) +
                                 "IIJ,new.a,FY2013,abc,JPY million,actual,,x\n"
                                 "IIJ,new.b,FY2013,1,JPY million,actual,,x\n"
                                 "IIJ,new.c,FY2013,12x,JPY million,actual,,x\n"}},
                 ElementsAre(AllOf(StartsWith("in.csv:2: error: "),
                                   HasSubstr("abc")),
                             AllOf(StartsWith("in.csv:4: error: "),
                                   HasSubstr("12x"))));
}

TEST_F(IngestTest, ValueBeyondEighteenDigits) {
  ASSERT_NO_FATAL_FAILURE(LoadSample());
  ExpectRejected(
      {{"in.csv", std::string(kHeader) +
                      "IIJ,new.a,FY2013,123456789012345678,JPY million,actual,,x\n"
                      "IIJ,new.b,FY2013,1234567890123456789,JPY million,actual,,x\n"}},
      ElementsAre(AllOf(StartsWith("in.csv:3: error: "),
                        HasSubstr("1234567890123456789"))));
}

TEST_F(IngestTest, EighteenDigitsAreAccepted) {
  ASSERT_THAT(Ingest({{"in.csv", std::string(kHeader) +
                                     "IIJ,new.a,FY2013,-123456789012345678,JPY "
                                     "million,actual,,x\n"}}),
              IsOk());
  std::vector<Row> rows = MetricRows("new.a", true);
  ASSERT_THAT(rows, SizeIs(1));
  EXPECT_EQ(rows[0].value, "-123456789012345678");
}

TEST_F(IngestTest, BadAsOfDate) {
  ASSERT_NO_FATAL_FAILURE(LoadSample());
  ExpectRejected({{"in.csv", std::string(kHeader) +
                                 "IIJ,new.a,FY2013,1,JPY million,actual,2014-02-30,x\n"}},
                 ElementsAre(AllOf(StartsWith("in.csv:2: error: "),
                                   HasSubstr("as_of"))));
}

// Periods and dates must lie in the years 0001-9999, however they are
// written: IIJ's FY9999 would end in 10000.
TEST_F(IngestTest, PeriodsAndDatesOutsideTheYearsAreRefused) {
  ASSERT_NO_FATAL_FAILURE(LoadSample());
  ExpectRejected(
      {{"in.csv", std::string(kHeader) +
                      "IIJ,new.a,FY9999Q3,1,JPY million,actual,,x\n"          // ok: 9999
                      "IIJ,new.a,FY9999,1,JPY million,actual,,x\n"            // line 3
                      "IIJ,new.a,4Q FY9999,1,JPY million,actual,,x\n"         // line 4
                      "IIJ,new.a,0000-12-31,1,JPY million,actual,,x\n"        // line 5
                      "IIJ,new.a,0001-01-01/0000-12-31,1,JPY million,actual,,x\n"
                      "IIJ,new.a,FY2013,1,JPY million,actual,0000-12-31,x\n"  // line 7
                      "IIJ,new.a,FY2013,1,JPY million,actual,10000-01-01,x\n"}},
      ElementsAre(AllOf(StartsWith("in.csv:3: error: "), HasSubstr("\"FY9999\""),
                        HasSubstr("10000-03-31, outside the years 0001-9999")),
                  AllOf(StartsWith("in.csv:4: error: "), HasSubstr("\"4Q FY9999\""),
                        HasSubstr("outside the years 0001-9999")),
                  AllOf(StartsWith("in.csv:5: error: "), HasSubstr("0001-9999")),
                  AllOf(StartsWith("in.csv:6: error: "), HasSubstr("0001-9999")),
                  AllOf(StartsWith("in.csv:7: error: bad as_of"), HasSubstr("0001-9999")),
                  AllOf(StartsWith("in.csv:8: error: bad as_of"), HasSubstr("10000-01-01"),
                        HasSubstr("0001-9999"))));
}

TEST_F(IngestTest, InvalidUtf8) {
  ASSERT_NO_FATAL_FAILURE(LoadSample());
  ExpectRejected({{"in.csv", std::string(kHeader) +
                                 "IIJ,new.a,FY2013,1,JPY million,actual,,ok\n"
                                 "IIJ,new.b,FY2013,1,JPY million,actual,,bad \xff\xfe\n"}},
                 ElementsAre(AllOf(StartsWith("in.csv:3: error: "),
                                   HasSubstr("UTF-8"))));
}

TEST_F(IngestTest, WrongFieldCount) {
  ASSERT_NO_FATAL_FAILURE(LoadSample());
  ExpectRejected({{"in.csv", std::string(kHeader) +
                                 "IIJ,new.a,FY2013,1,JPY million,actual,\n"
                                 "IIJ,new.b,FY2013,1,JPY million,actual,,x,extra\n"}},
                 ElementsAre(AllOf(StartsWith("in.csv:2: error: "),
                                   HasSubstr("8"), HasSubstr("7")),
                             AllOf(StartsWith("in.csv:3: error: "),
                                   HasSubstr("9"))));
}

TEST_F(IngestTest, BadCompaniesRows) {
  ASSERT_NO_FATAL_FAILURE(LoadSample());
  ExpectRejected({{"co.csv", std::string(kCompaniesHeader) +
                                 "AAA,A Inc.,12,end,USD\n"
                                 "BBB,B Inc.,13,end,USD\n"
                                 "CCC,C Inc.,3,middle,JPY\n"
                                 "-x,X Inc.,3,start,JPY\n"}},
                 ElementsAre(AllOf(StartsWith("co.csv:3: error: "),
                                   HasSubstr("13")),
                             AllOf(StartsWith("co.csv:4: error: "),
                                   HasSubstr("middle")),
                             AllOf(StartsWith("co.csv:5: error: "),
                                   HasSubstr("-x"))));
  EXPECT_FALSE(db_->GetCompany("AAA").ok()) << "good row of a bad file written";
}

// --- Bad input: conflicts ---------------------------------------------------

TEST_F(IngestTest, UnitConflictInsideOneFile) {
  ASSERT_NO_FATAL_FAILURE(LoadSample());
  ExpectRejected({{"in.csv", std::string(kHeader) +
                                 "IIJ,new.a,FY2012,1,JPY million,actual,,x\n"
                                 "IIJ,other,FY2012,1,count,actual,,x\n"
                                 "IIJ,new.a,FY2013,2,USD million,actual,,x\n"}},
                 ElementsAre(AllOf(StartsWith("in.csv:4: error: "),
                                   HasSubstr("USD"),
                                   HasSubstr("(see in.csv:2)"))));
}

TEST_F(IngestTest, UnitConflictWithStoredData) {
  ASSERT_NO_FATAL_FAILURE(LoadSample());
  ExpectRejected({{"in.csv", std::string(kHeader) +
                                 "IIJ,new.a,FY2013,1,JPY million,actual,,x\n"
                                 "IIJ,revenue.total,FY2014,2,USD million,actual,,x\n"}},
                 ElementsAre(AllOf(StartsWith("in.csv:3: error: "),
                                   HasSubstr("USD"), HasSubstr("JPY"))));
}

TEST_F(IngestTest, ConflictingDuplicateInsideOneBatch) {
  ASSERT_NO_FATAL_FAILURE(LoadSample());
  ExpectRejected(
      {{"a.csv", std::string(kHeader) +
                     "IIJ,new.a,FY2013,1,JPY million,actual,2014-05-01,x\n"
                     "IIJ,new.b,FY2013,1,JPY million,actual,2014-05-01,x\n"},
       {"b.csv", std::string(kHeader) +
                     "IIJ,new.c,FY2013,1,JPY million,actual,2014-05-01,x\n"
                     "IIJ,new.a,FY2013,2,JPY million,actual,2014-05-01,x\n"}},
      ElementsAre(AllOf(StartsWith("b.csv:3: error: "),
                        HasSubstr("(see a.csv:2)"))));
}

TEST_F(IngestTest, ConflictSeeLineIsWhereMultiLineRecordStarts) {
  ExpectRejected(
      {{"a.csv", std::string(kHeader) +
                     "IIJ,new.z,FY2013,1,count,actual,,\"x\ny\"\n"    // 2-3
                     "IIJ,new.a,FY2013,1,count,actual,,\"two\nlines\"\n"  // 4-5
                     "IIJ,new.b,FY2013,1,count,actual,,\"x\ny\"\n"    // 6-7
                     "IIJ,new.a,FY2013,2,count,actual,,\"two\nlines\"\n"}},  // 8
      ElementsAre(AllOf(StartsWith("a.csv:8: error: "),
                        HasSubstr("(see a.csv:4)"))));
}

TEST_F(IngestTest, IdenticalDuplicateInsideOneBatchIsFine) {
  ASSERT_THAT(Ingest({{"a.csv", std::string(kHeader) +
                                    "IIJ,new.a,FY2013,1,JPY million,actual,,x\n"
                                    "IIJ,new.a,FY2013,1,JPY million,actual,,x\n"}}),
              IsOk());
  EXPECT_EQ(report_.summary.new_facts, 1u);
  EXPECT_EQ(report_.summary.unchanged, 1u);
  EXPECT_THAT(MetricRows("new.a", true), SizeIs(1));
}

TEST_F(IngestTest, ConflictWithStoredFactThenReplace) {
  ASSERT_NO_FATAL_FAILURE(LoadSample());
  const std::vector<IngestInput> input = {
      {"fix.csv", std::string(kHeader) +
                      "IIJ,sga_rd,FY2013Q1-Q3,11307,JPY million,actual,2014-02-07,"
                      "\"IIJ 1Q-3Q FY2013 results (2014-02-07), slide II-11 SG&A "
                      "Expenses/R&D; SG&A and R&D expenses; II-1 prints JPY11.3 "
                      "billion\"\n"
                      "IIJ,revenue.total,FY2013Q1-Q3,82747,JPY million,actual,"
                      "2014-02-07,corrected\n"}};
  ExpectRejected(input, ElementsAre(AllOf(StartsWith("fix.csv:3: error: "),
                                          HasSubstr("82746"),
                                          HasSubstr("82747"))));

  IngestOptions replace;
  replace.replace = true;
  ASSERT_THAT(Ingest(input, replace), IsOk())
      << ::testing::PrintToString(report_.errors);
  EXPECT_EQ(report_.summary.replaced, 1u);
  EXPECT_EQ(report_.summary.unchanged, 1u);
  EXPECT_EQ(report_.summary.new_facts, 0u);
  EXPECT_EQ(report_.summary.versions_added, 0u);
  std::vector<Row> rows;
  for (const Row& r : MetricRows("revenue.total", true)) {
    if (r.period == "FY2013Q1-Q3") rows.push_back(r);
  }
  ASSERT_THAT(rows, SizeIs(1));
  EXPECT_EQ(rows[0].value, "82747");
  EXPECT_EQ(rows[0].source, "corrected");
}

// --- Several errors ---------------------------------------------------------

std::string ManyBadRecords() {
  return std::string(kHeader) +
         "IIJ,new.a,FY2013,1,JPY million,actual,,ok\n"      // 2
         "IIJ,new.b,FY2013Q5,1,JPY million,actual,,x\n"     // 3
         "IIJ,new.c,FY2013,1,JPY million,actual,,\"a\nb\"\n"  // 4-5
         "IIJ,new.d,FY2013,abc,JPY million,actual,,x\n"     // 6
         "IIJ,new.e,FY2013,1,JPY million,actual,2014-13-01,x\n"  // 7
         "IIJ,new.f,FY2013,1,JPY million,actual\n"          // 8
         "IIJ,new.g,FY2013,1,JPY million,actual,,x\n";      // 9
}

TEST_F(IngestTest, SeveralErrorsAreAllReported) {
  ASSERT_NO_FATAL_FAILURE(LoadSample());
  ExpectRejected({{"in.csv", ManyBadRecords()}},
                 ElementsAre(StartsWith("in.csv:3: error: "),
                             StartsWith("in.csv:6: error: "),
                             StartsWith("in.csv:7: error: "),
                             StartsWith("in.csv:8: error: ")));
  EXPECT_EQ(report_.error_count, 4u);
}

TEST_F(IngestTest, MaxErrorsLimitsMessages) {
  ASSERT_NO_FATAL_FAILURE(LoadSample());
  IngestOptions options;
  options.max_errors = 2;
  ExpectRejected({{"in.csv", ManyBadRecords()}},
                 ElementsAre(StartsWith("in.csv:3: error: "),
                             StartsWith("in.csv:6: error: ")),
                 options);
  EXPECT_GE(report_.error_count, 2u);
}

TEST_F(IngestTest, MaxErrorsStatusSaysAtLeast) {
  IngestOptions options;
  options.max_errors = 2;
  absl::Status s = Ingest({{"in.csv", ManyBadRecords()}}, options);
  EXPECT_THAT(std::string(s.message()), HasSubstr("at least 2 bad records"));
}

TEST_F(IngestTest, MaxErrorsLimitsConflictMessages) {
  ASSERT_NO_FATAL_FAILURE(LoadSample());
  IngestOptions options;
  options.max_errors = 2;
  // Three conflicts with stored facts (found by DB::Write, not the parser).
  ExpectRejected({{"in.csv", std::string(kHeader) +
                                 "IIJ,capex,FY2012,1,JPY million,actual,2014-02-07,x\n"
                                 "IIJ,capex,FY2013Q1-Q3,2,JPY million,actual,2014-02-07,x\n"
                                 "IIJ,capex,FY2012Q1-Q3,3,JPY million,actual,2014-02-07,x\n"}},
                 ElementsAre(StartsWith("in.csv:2: error: "),
                             StartsWith("in.csv:3: error: ")),
                 options);
}

// The same for bad records found when writing (conflicts): four bad records,
// two reported; the status must not claim there were only two.
TEST_F(IngestTest, TruncatedConflictStatusSaysAtLeast) {
  ASSERT_NO_FATAL_FAILURE(LoadSample());
  IngestOptions options;
  options.max_errors = 2;
  absl::Status s = Ingest(
      {{"in.csv", std::string(kHeader) +
                      "IIJ,capex,FY2012,1,JPY million,actual,2014-02-07,x\n"
                      "IIJ,capex,FY2013Q1-Q3,2,JPY million,actual,2014-02-07,x\n"
                      "IIJ,capex,FY2012Q1-Q3,3,JPY million,actual,2014-02-07,x\n"
                      "IIJ,sga_rd,FY2012Q1-Q3,4,JPY million,actual,2014-02-07,x\n"}},
      options);
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(report_.errors, SizeIs(2));
  EXPECT_THAT(std::string(s.message()), Not(::testing::StartsWith("2 bad records")))
      << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("at least 2 bad records"))
      << s;
}

TEST_F(IngestTest, ZeroMaxErrorsIsInvalidAndReadsNothing) {
  IngestOptions options;
  options.max_errors = 0;
  absl::Status s = Ingest({SampleInput("companies.csv")}, options);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("max_errors"));
  EXPECT_TRUE(db_->Companies().empty()) << "written although refused";
}

// max_errors + 1 used to wrap around to 0, which lost every conflict.
TEST_F(IngestTest, UnlimitedMaxErrorsStillListsConflicts) {
  ASSERT_NO_FATAL_FAILURE(LoadSample());
  IngestOptions options;
  options.max_errors = std::numeric_limits<size_t>::max();
  ExpectRejected({{"in.csv", std::string(kHeader) +
                                 "IIJ,capex,FY2012,1,JPY million,actual,2014-02-07,x\n"
                                 "IIJ,capex,FY2013Q1-Q3,2,JPY million,actual,2014-02-07,x\n"}},
                 ElementsAre(StartsWith("in.csv:2: error: "), StartsWith("in.csv:3: error: ")),
                 options);
}

// --- Round trip through the dump format -----------------------------------------

TEST_F(IngestTest, DumpOfTrickyFactsReingestsIdentically) {
  ASSERT_THAT(
      Ingest({{"c.csv", std::string(kCompaniesHeader) +
                            "ACME,\"Acme, \"\"the\"\" Corp.\",1,end,USD\n"
                            "IIJ,Internet Initiative Japan Inc.,3,start,JPY\n"
                            "TSE:9999, leading space ,12,end,\n"},
              {"f.csv",
               std::string(kHeader) +
                   "ACME,sales,FY13,\"(1,998)\",USD million,actual,,\"a, \"\"quoted\"\"\nsource\"\n"
                   "ACME,sales,1H FY13,0.10,USD million,actual,2013-09-01, leading and trailing \n"
                   "ACME,sales,2013-04-01/2013-05-15,-0.5,USD thousand,forecast,,\n"
                   "IIJ,ratio,3Q13,117.0,%,target,,\xE2\x96\xB2 note\n"
                   "IIJ,ratio,3Q13,114.0,%,target,2014-02-07,\"\"\n"
                   "IIJ,count,2013-12-31,119000,count,actual,2014-02-07,x\n"
                   "TSE:9999,plain,FY2013Q2,5,,actual,,\n"}}),
      IsOk())
      << ::testing::PrintToString(report_.errors);
  Query q;
  q.all_versions = true;
  absl::StatusOr<QueryResult> r = db_->Execute(q);
  ASSERT_THAT(r, IsOk());
  std::ostringstream facts, companies;
  WriteFacts(*r, DumpFormat::kCsv, facts);
  WriteCompanies(db_->Companies(), DumpFormat::kCsv, companies);
  EXPECT_THAT(facts.str(), HasSubstr("ACME,sales,2013-04-01/2013-05-15,-0.5,"
                                     "USD thousand,forecast,,\n"));
  EXPECT_THAT(facts.str(), HasSubstr("ACME,sales,FY2013H1,0.10,USD million,"
                                     "actual,2013-09-01,\" leading and trailing \"\n"));
  EXPECT_THAT(facts.str(), HasSubstr("ACME,sales,FY2013,-1998,USD million,actual,,"
                                     "\"a, \"\"quoted\"\"\nsource\"\n"));

  absl::StatusOr<std::unique_ptr<DB>> other =
      DB::Open(Options(), tmp_.Sub("restored"));
  ASSERT_THAT(other, IsOk());
  IngestReport report;
  std::vector<IngestInput> backup = {{"facts.csv", facts.str()},
                                     {"companies.csv", companies.str()}};
  ASSERT_THAT(IngestInputs(other->get(), backup, {}, &report), IsOk())
      << ::testing::PrintToString(report.errors);
  EXPECT_EQ(report.summary.new_facts + report.summary.versions_added, 7u);
  absl::StatusOr<QueryResult> r2 = (*other)->Execute(q);
  ASSERT_THAT(r2, IsOk());
  std::ostringstream facts2, companies2;
  WriteFacts(*r2, DumpFormat::kCsv, facts2);
  WriteCompanies((*other)->Companies(), DumpFormat::kCsv, companies2);
  EXPECT_EQ(facts2.str(), facts.str());
  EXPECT_EQ(companies2.str(), companies.str());
}

// --- Progress ---------------------------------------------------------------

TEST_F(IngestTest, ProgressIsReported) {
  std::vector<IngestInput> inputs = {SampleInput("companies.csv"),
                                     SampleInput("iij-fy2013-1q3q.csv")};
  const size_t total = inputs[0].data.size() + inputs[1].data.size();
  std::vector<std::tuple<size_t, size_t, size_t>> calls;
  IngestOptions options;
  options.progress_every = 1;
  options.progress_min_bytes = 0;
  options.progress = [&](size_t records, size_t total_bytes, size_t done) {
    calls.emplace_back(records, total_bytes, done);
  };
  ASSERT_THAT(Ingest(inputs, options), IsOk());
  ASSERT_THAT(calls, SizeIs(184));
  size_t last_done = 0;
  for (size_t i = 0; i < calls.size(); ++i) {
    auto [records, total_bytes, done] = calls[i];
    EXPECT_EQ(records, i + 1);
    EXPECT_EQ(total_bytes, total);
    EXPECT_LE(done, total);
    EXPECT_GE(done, last_done) << "call " << i;
    last_done = done;
  }
  EXPECT_GT(last_done, total / 2);

  // Below progress_min_bytes: no calls.
  calls.clear();
  options.progress_min_bytes = total + 1;
  ASSERT_THAT(Ingest(inputs, options), IsOk());
  EXPECT_THAT(calls, IsEmpty());
}

// --- Atomicity and ordering -------------------------------------------------

TEST_F(IngestTest, NothingFromGoodFileWhenAnotherFileIsBad) {
  ASSERT_NO_FATAL_FAILURE(LoadSample());
  ExpectRejected({{"a.csv", std::string(kHeader) +
                                "IIJ,new.a,FY2013,1,JPY million,actual,,x\n"
                                "IIJ,new.b,FY2013,2,JPY million,actual,,x\n"},
                  {"companies.csv", std::string(kCompaniesHeader) +
                                        "NEW,New Inc.,12,end,USD\n"},
                  {"b.csv", std::string(kHeader) +
                                "IIJ,new.c,FY2013,1,JPY million,actual,,x\n"
                                "IIJ,new.d,FY2013,zzz,JPY million,actual,,x\n"}},
                 ElementsAre(StartsWith("b.csv:3: error: ")));
  EXPECT_THAT(MetricRows("new.a", true), IsEmpty());
  EXPECT_FALSE(db_->GetCompany("NEW").ok());
}

TEST_F(IngestTest, NothingWrittenOnEmptyDbWhenSecondFileIsBad) {
  ExpectRejected({SampleInput("companies.csv"), SampleInput("iij-fy2013-1q3q.csv"),
                  {"b.csv", std::string(kHeader) + "IIJ,x,FY2013Q5,1,,,,\n"}},
                 ElementsAre(StartsWith("b.csv:2: error: ")));
  EXPECT_TRUE(db_->Companies().empty());
}

TEST_F(IngestTest, CompaniesAppliedFirstWhateverTheOrder) {
  ASSERT_THAT(Ingest({SampleInput("iij-fy2013-1q3q.csv"),
                      SampleInput("companies.csv")}),
              IsOk())
      << ::testing::PrintToString(report_.errors);
  std::vector<Row> rows = MetricRows("revenue.total", false);
  bool found = false;
  for (const Row& r : rows) {
    if (r.scenario == "target" && r.period == "FY2013") {
      found = true;
      EXPECT_EQ(r.start, "2013-04-01");
      EXPECT_EQ(r.end, "2014-03-31");
      EXPECT_EQ(r.value, "114.0");
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(IngestTest, CompanyDefinedInSameCallAsDeckLabels) {
  ASSERT_THAT(Ingest({{"f.csv", "company,metric,period,value\n"
                                "ACME,sales,FY13,5\n"
                                "ACME,sales,3Q13,1\n"},
                      {"c.csv", std::string(kCompaniesHeader) +
                                    "ACME,Acme Corp.,1,end,USD\n"}}),
              IsOk())
      << ::testing::PrintToString(report_.errors);
  std::vector<Row> rows = MetricRows("sales", false);
  ASSERT_THAT(rows, SizeIs(2));
  // Fiscal year ending in January, named by the year it ends in.
  EXPECT_EQ(rows[0].period, "FY2013Q3");
  EXPECT_EQ(rows[0].start, "2012-08-01");
  EXPECT_EQ(rows[0].end, "2012-10-31");
  EXPECT_EQ(rows[1].period, "FY2013");
  EXPECT_EQ(rows[1].start, "2012-02-01");
  EXPECT_EQ(rows[1].end, "2013-01-31");
}

// --- Accepted input forms ---------------------------------------------------

TEST_F(IngestTest, AcceptsDeckNumberAndPeriodForms) {
  ASSERT_THAT(Ingest({SampleInput("companies.csv"),
                      {"deck.csv",
                       std::string(kHeader) +
                           "IIJ,m.paren,FY2013Q3,\"(1,998)\",JPY million,actual,,x\n"
                           "IIJ,m.black,FY2013Q3,\"\xE2\x96\xB2" "1,998\",JPY million,actual,,x\n"
                           "IIJ,m.white,FY2013Q3,\"\xE2\x96\xB3" "1,998\",JPY million,actual,,x\n"
                           "IIJ,m.black_plain,FY2013Q3,\xE2\x96\xB2" "1998,JPY million,actual,,x\n"
                           "IIJ,m.grouped,FY2013Q3,\"22,102\",JPY million,actual,,x\n"
                           "IIJ,m.q,3Q13,117.0,JPY billion,actual,,x\n"
                           "IIJ,m.ytd,1Q-3Q FY13,0.10,%,actual,,x\n"
                           "IIJ,m.fy,FY13,82746,JPY million,actual,,x\n"
                           "IIJ,m.half,1H FY13,5,count,actual,,x\n"}}),
              IsOk())
      << ::testing::PrintToString(report_.errors);
  auto only = [&](const std::string& metric) {
    std::vector<Row> rows = MetricRows(metric, true);
    EXPECT_THAT(rows, SizeIs(1)) << metric;
    return rows.empty() ? Row() : rows[0];
  };
  EXPECT_EQ(only("m.paren").value, "-1998");
  EXPECT_EQ(only("m.black").value, "-1998");
  EXPECT_EQ(only("m.white").value, "-1998");
  EXPECT_EQ(only("m.black_plain").value, "-1998");
  EXPECT_EQ(only("m.grouped").value, "22102");
  Row q = only("m.q");
  EXPECT_EQ(q.period, "FY2013Q3");
  EXPECT_EQ(q.start, "2013-10-01");
  EXPECT_EQ(q.end, "2013-12-31");
  EXPECT_EQ(q.value, "117.0");
  Row ytd = only("m.ytd");
  EXPECT_EQ(ytd.period, "FY2013Q1-Q3");
  EXPECT_EQ(ytd.start, "2013-04-01");
  EXPECT_EQ(ytd.end, "2013-12-31");
  EXPECT_EQ(ytd.value, "0.10");
  Row fy = only("m.fy");
  EXPECT_EQ(fy.period, "FY2013");
  EXPECT_EQ(fy.start, "2013-04-01");
  EXPECT_EQ(fy.end, "2014-03-31");
  EXPECT_EQ(fy.value, "82746");
  Row half = only("m.half");
  EXPECT_EQ(half.period, "FY2013H1");
  EXPECT_EQ(half.start, "2013-04-01");
  EXPECT_EQ(half.end, "2013-09-30");
}

TEST_F(IngestTest, DefaultAsOfFillsEmptyAsOf) {
  IngestOptions options;
  options.default_as_of = absl::CivilDay(2014, 5, 15);
  ASSERT_THAT(
      Ingest({{"a.csv", std::string(kHeader) +
                            "IIJ,m.empty,FY2013,1,JPY million,actual,,x\n"
                            "IIJ,m.given,FY2013,1,JPY million,actual,2014-02-07,x\n"},
              {"b.csv", "company,metric,period,value\n"
                        "IIJ,m.absent,FY2013,1\n"}},
             options),
      IsOk())
      << ::testing::PrintToString(report_.errors);
  EXPECT_EQ(MetricRows("m.empty", true).at(0).as_of, "2014-05-15");
  EXPECT_EQ(MetricRows("m.absent", true).at(0).as_of, "2014-05-15");
  EXPECT_EQ(MetricRows("m.given", true).at(0).as_of, "2014-02-07");
}

TEST_F(IngestTest, NoDefaultAsOfLeavesAsOfEmpty) {
  ASSERT_THAT(Ingest({{"b.csv", "company,metric,period,value\n"
                                "IIJ,m.absent,FY2013,1\n"}}),
              IsOk());
  EXPECT_EQ(MetricRows("m.absent", true).at(0).as_of, "");
}

TEST_F(IngestTest, ScenarioDefaultsToActual) {
  ASSERT_THAT(Ingest({{"a.csv", std::string(kHeader) +
                                    "IIJ,m.empty,FY2013,1,JPY million,,,x\n"},
                      {"b.csv", "metric,value,period,company\n"
                                "m.absent,2,FY2013,IIJ\n"}}),
              IsOk())
      << ::testing::PrintToString(report_.errors);
  std::vector<Row> rows = MetricRows("m.*", true);
  ASSERT_THAT(rows, SizeIs(2));
  EXPECT_EQ(rows[0].metric, "m.absent");
  EXPECT_EQ(rows[0].scenario, "actual");
  EXPECT_EQ(rows[0].value, "2");
  EXPECT_EQ(rows[0].unit, "");
  EXPECT_EQ(rows[1].metric, "m.empty");
  EXPECT_EQ(rows[1].scenario, "actual");
}

TEST_F(IngestTest, DryRunReportsAndWritesNothing) {
  const std::string before = Snapshot();
  IngestOptions options;
  options.dry_run = true;
  ASSERT_THAT(Ingest({SampleInput("companies.csv"),
                      SampleInput("iij-fy2013-1q3q.csv")},
                     options),
              IsOk())
      << ::testing::PrintToString(report_.errors);
  EXPECT_EQ(report_.facts_read, 183u);
  EXPECT_EQ(report_.companies_read, 1u);
  EXPECT_EQ(report_.summary.new_facts, 176u);
  EXPECT_EQ(report_.summary.versions_added, 7u);
  EXPECT_EQ(report_.summary.companies_added, 1u);
  EXPECT_EQ(Snapshot(), before);
  EXPECT_TRUE(db_->Companies().empty());
}

TEST_F(IngestTest, DryRunStillFindsConflicts) {
  ASSERT_NO_FATAL_FAILURE(LoadSample());
  IngestOptions options;
  options.dry_run = true;
  ExpectRejected({{"in.csv", std::string(kHeader) +
                                 "IIJ,capex,FY2012,1,JPY million,actual,2014-02-07,x\n"}},
                 ElementsAre(StartsWith("in.csv:2: error: ")), options);
}

TEST_F(IngestTest, VersionsAndReadingAsOf) {
  ASSERT_THAT(Ingest({{"v1.csv", std::string(kHeader) +
                                     "IIJ,kpi,FY2013,100,count,actual,2014-01-10,v1\n"}}),
              IsOk());
  EXPECT_EQ(report_.summary.new_facts, 1u);
  ASSERT_THAT(Ingest({{"v2.csv", std::string(kHeader) +
                                     "IIJ,kpi,FY2013,120,count,actual,2014-02-10,v2\n"}}),
              IsOk());
  EXPECT_EQ(report_.summary.new_facts, 0u);
  EXPECT_EQ(report_.summary.versions_added, 1u);

  std::vector<Row> latest = MetricRows("kpi", false);
  ASSERT_THAT(latest, SizeIs(1));
  EXPECT_EQ(latest[0].value, "120");
  EXPECT_EQ(latest[0].as_of, "2014-02-10");

  std::vector<Row> then = MetricRows("kpi", false, absl::CivilDay(2014, 1, 31));
  ASSERT_THAT(then, SizeIs(1));
  EXPECT_EQ(then[0].value, "100");
  EXPECT_EQ(then[0].source, "v1");

  EXPECT_THAT(MetricRows("kpi", false, absl::CivilDay(2014, 1, 9)), IsEmpty());

  std::vector<Row> all = MetricRows("kpi", true);
  ASSERT_THAT(all, SizeIs(2));
  EXPECT_EQ(all[0].value, "100");
  EXPECT_EQ(all[1].value, "120");
}

TEST_F(IngestTest, SampleTargetsAsOfBeforeRevision) {
  ASSERT_NO_FATAL_FAILURE(LoadSample());
  Query q;
  q.metric = "revenue.total";
  q.scenarios = {"target"};
  q.from = "FY2013";
  q.to = "FY2013";
  q.as_of = absl::CivilDay(2014, 1, 31);
  std::vector<Row> rows = Rows(q);
  ASSERT_THAT(rows, SizeIs(1));
  EXPECT_EQ(rows[0].period, "FY2013");
  EXPECT_EQ(rows[0].value, "117.0");
  EXPECT_EQ(rows[0].as_of, "");
}

}  // namespace
}  // namespace kpidb
