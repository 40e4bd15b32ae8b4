// Tests of kpidb-ingest and kpidb-dump: in-process through RunIngest/RunDump
// for argument handling, and end-to-end through the built binaries.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kpidb/db.h"
#include "kpidb/dump.h"
#include "kpidb/ingest.h"
#include "kpidb/options.h"
#include "kpidb/query.h"
#include "kpidb/period.h"
#include "lib/csv/csv_reader.h"
#include "tools/tools.h"
#include "nlohmann/json.hpp"
#include "tests/testutil.h"
#include "tests/tools/tool_test_util.h"

namespace kpidb {
namespace {

using ::kpidb::testing::DirectoryListing;
using ::kpidb::testing::IsOk;
using ::kpidb::testing::LoadSample;
using ::kpidb::testing::ReadFile;
using ::kpidb::testing::RunBinary;
using ::kpidb::testing::RunInProcess;
using ::kpidb::testing::RunResult;
using ::kpidb::testing::SamplePath;
using ::kpidb::testing::ScopedTempDir;
using ::kpidb::testing::SnapshotAt;
using ::kpidb::testing::ToolFn;
using ::kpidb::testing::WriteFile;
using ::testing::ContainsRegex;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;
using ::testing::StartsWith;

constexpr char kFactsHeader[] =
    "company,metric,period,value,unit,scenario,as_of,source";

// --- In-process -------------------------------------------------------------

TEST(ToolsInProcessTest, IngestHelp) {
  RunResult r = RunInProcess(&tools::RunIngest, {"kpidb-ingest", "--help"});
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out + r.err, HasSubstr("Examples"));
  EXPECT_THAT(r.out + r.err, HasSubstr("--dry-run"));
}

TEST(ToolsInProcessTest, DumpHelp) {
  RunResult r = RunInProcess(&tools::RunDump, {"kpidb-dump", "--help"});
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out + r.err, HasSubstr("Examples"));
  EXPECT_THAT(r.out + r.err, HasSubstr("--all-versions"));
}

TEST(ToolsInProcessTest, IngestVersion) {
  RunResult r = RunInProcess(&tools::RunIngest, {"kpidb-ingest", "--version"});
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out + r.err, ContainsRegex("kpidb-ingest [0-9]+\\.[0-9]+"));
}

TEST(ToolsInProcessTest, DumpVersion) {
  RunResult r = RunInProcess(&tools::RunDump, {"kpidb-dump", "--version"});
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out + r.err, ContainsRegex("kpidb-dump [0-9]+\\.[0-9]+"));
}

TEST(ToolsInProcessTest, IngestUnknownFlag) {
  ScopedTempDir tmp;
  RunResult r = RunInProcess(
      &tools::RunIngest, {"kpidb-ingest", "--bogus-flag", tmp.Sub("db"),
                          SamplePath("companies.csv")});
  EXPECT_NE(r.exit_code, 0) << r;
  EXPECT_THAT(r.err, HasSubstr("--bogus-flag"));
  EXPECT_FALSE(std::filesystem::exists(tmp.Sub("db")));
}

TEST(ToolsInProcessTest, DumpUnknownFlag) {
  ScopedTempDir tmp;
  RunResult r = RunInProcess(&tools::RunDump,
                             {"kpidb-dump", "--bogus-flag", tmp.Sub("db")});
  EXPECT_NE(r.exit_code, 0) << r;
  EXPECT_THAT(r.err, HasSubstr("--bogus-flag"));
}

TEST(ToolsInProcessTest, IngestMissingDb) {
  RunResult r = RunInProcess(&tools::RunIngest, {"kpidb-ingest"});
  EXPECT_NE(r.exit_code, 0) << r;
  EXPECT_THAT(r.err, HasSubstr("DB"));
}

TEST(ToolsInProcessTest, IngestMissingFiles) {
  ScopedTempDir tmp;
  RunResult r = RunInProcess(&tools::RunIngest, {"kpidb-ingest", tmp.Sub("db")});
  EXPECT_NE(r.exit_code, 0) << r;
  EXPECT_THAT(r.err, HasSubstr("FILE"));
  EXPECT_FALSE(std::filesystem::exists(tmp.Sub("db")));
}

TEST(ToolsInProcessTest, DumpMissingDb) {
  RunResult r = RunInProcess(&tools::RunDump, {"kpidb-dump"});
  EXPECT_NE(r.exit_code, 0) << r;
  EXPECT_THAT(r.err, HasSubstr("DB"));
}

TEST(ToolsInProcessTest, DumpBadFormat) {
  ScopedTempDir tmp;
  RunResult r = RunInProcess(
      &tools::RunDump, {"kpidb-dump", "--format", "xml", tmp.Sub("db")});
  EXPECT_NE(r.exit_code, 0) << r;
  EXPECT_THAT(r.err, HasSubstr("xml"));
}

// A flag's value is quoted into the message cut short, like any user text.
TEST(ToolsInProcessTest, LongFlagValuesAreCutInMessages) {
  ScopedTempDir tmp;
  const std::string huge(1 << 20, 'x');
  RunResult dump = RunInProcess(&tools::RunDump, {"kpidb-dump", "--format", huge, tmp.Sub("db")});
  EXPECT_EQ(dump.exit_code, 2) << dump;
  EXPECT_THAT(dump.err, HasSubstr("(1048576 bytes)"));
  EXPECT_LT(dump.err.size(), 400u);
  RunResult query = RunInProcess(
      &tools::RunQuery, {"kpidb-query", tmp.Sub("db"), "--calendar-window", huge});
  EXPECT_EQ(query.exit_code, 2) << query;
  EXPECT_THAT(query.err, HasSubstr("(1048576 bytes)"));
  EXPECT_LT(query.err.size(), 400u);
}

// tools/tools.h: "0 success, 1 an error in the data or the database,
// 2 a usage error".
TEST(ToolsInProcessTest, UsageErrorsExitWithTwo) {
  ScopedTempDir tmp;
  const std::string db = tmp.Sub("db");
  const std::string file = SamplePath("companies.csv");
  struct Case {
    ToolFn fn;
    std::vector<std::string> args;
  };
  const std::vector<Case> cases = {
      {&tools::RunIngest, {"kpidb-ingest", "--bogus-flag", db, file}},
      {&tools::RunIngest, {"kpidb-ingest"}},
      {&tools::RunIngest, {"kpidb-ingest", db}},
      {&tools::RunIngest, {"kpidb-ingest", "--max-errors", "abc", db, file}},
      {&tools::RunIngest, {"kpidb-ingest", "--as-of", "2014-02-30", db, file}},
      {&tools::RunDump, {"kpidb-dump", "--bogus-flag", db}},
      {&tools::RunDump, {"kpidb-dump"}},
      {&tools::RunDump, {"kpidb-dump", "--format", "xml", db}},
  };
  for (const Case& c : cases) {
    RunResult r = RunInProcess(c.fn, c.args);
    EXPECT_EQ(r.exit_code, 2) << ::testing::PrintToString(c.args) << "\n" << r;
  }
  EXPECT_FALSE(std::filesystem::exists(db));
}

// --max-errors -1 used to wrap around to "unlimited", and 0 to mean 1.
TEST(ToolsInProcessTest, MaxErrorsMustBeFromOneToAMillion) {
  ScopedTempDir tmp;
  const std::string db = tmp.Sub("db");
  const std::string file = SamplePath("companies.csv");
  for (const char* bad : {"-1", "0", "-18446744073709551615", "18446744073709551615",
                          "99999999999999999999999", "1000001", "1.5", "abc", ""}) {
    RunResult r = RunInProcess(&tools::RunIngest,
                               {"kpidb-ingest", "--max-errors", bad, db, file});
    EXPECT_EQ(r.exit_code, 2) << bad << "\n" << r;
    EXPECT_THAT(r.err, HasSubstr("--max-errors")) << bad;
  }
  EXPECT_FALSE(std::filesystem::exists(db));
  for (const char* good : {"1", "1000000"}) {
    RunResult r = RunInProcess(&tools::RunIngest,
                               {"kpidb-ingest", "--dry-run", "--max-errors", good, db, file});
    EXPECT_EQ(r.exit_code, 0) << good << "\n" << r;
  }
  RunResult help = RunInProcess(&tools::RunIngest, {"kpidb-ingest", "--help"});
  EXPECT_THAT(help.out, HasSubstr("N from 1 to 1000000"));
}

TEST(ToolsInProcessTest, IngestAndDumpInProcess) {
  ScopedTempDir tmp;
  RunResult in = RunInProcess(
      &tools::RunIngest,
      {"kpidb-ingest", tmp.Sub("db"), SamplePath("companies.csv"),
       SamplePath("iij-fy2013-1q3q.csv")});
  ASSERT_EQ(in.exit_code, 0) << in;
  EXPECT_THAT(in.out, HasSubstr("183"));
  RunResult d = RunInProcess(
      &tools::RunDump, {"kpidb-dump", tmp.Sub("db"), "--metric",
                        "revenue.segment.network_services"});
  ASSERT_EQ(d.exit_code, 0) << d;
  EXPECT_THAT(d.out, StartsWith(std::string(kFactsHeader) + "\n"));
  EXPECT_THAT(d.out, HasSubstr("IIJ,revenue.segment.network_services,"
                               "FY2013Q1-Q3,50301,JPY million,actual,"
                               "2014-02-07,"));
}

// --period is one period (the nine months), --from/--to a range.
TEST(ToolsInProcessTest, DumpPeriodIsExactlyThatPeriod) {
  ScopedTempDir tmp;
  RunResult in = RunInProcess(
      &tools::RunIngest,
      {"kpidb-ingest", tmp.Sub("db"), SamplePath("companies.csv"),
       SamplePath("iij-fy2013-1q3q.csv")});
  ASSERT_EQ(in.exit_code, 0) << in;
  RunResult d = RunInProcess(&tools::RunDump,
                             {"kpidb-dump", tmp.Sub("db"), "--metric", "revenue.total",
                              "--scenario", "actual", "--period", "FY2013Q1-Q3"});
  ASSERT_EQ(d.exit_code, 0) << d;
  EXPECT_EQ(std::count(d.out.begin(), d.out.end(), '\n'), 2) << d.out;
  EXPECT_THAT(d.out, HasSubstr("IIJ,revenue.total,FY2013Q1-Q3,82746,"));
  RunResult both = RunInProcess(&tools::RunDump, {"kpidb-dump", tmp.Sub("db"), "--period",
                                                  "FY2013", "--from", "FY2012"});
  EXPECT_EQ(both.exit_code, 2) << both;
  EXPECT_THAT(both.err, HasSubstr("--period"));
}

TEST(ToolsInProcessTest, IngestQuietPrintsNothing) {
  ScopedTempDir tmp;
  RunResult r = RunInProcess(&tools::RunIngest,
                             {"kpidb-ingest", "-q", tmp.Sub("db"),
                              SamplePath("companies.csv")});
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "");
}

// --- End-to-end with the built binaries ---------------------------------------

class ToolsBinaryTest : public ::testing::Test {
 protected:
  void SetUp() override { db_ = tmp_.Sub("db"); }

  RunResult Run(const std::string& binary, const std::vector<std::string>& args,
                const std::string& stdin_path = "") {
    return RunBinary(binary, args, tmp_.path(), stdin_path);
  }
  RunResult Ingest(const std::vector<std::string>& args,
                   const std::string& stdin_path = "") {
    return Run(KPIDB_INGEST_BIN, args, stdin_path);
  }
  RunResult Dump(const std::vector<std::string>& args) {
    return Run(KPIDB_DUMP_BIN, args);
  }

  // Full dump (all versions) and companies of `db`, read in-process through a
  // read-only handle (which works while another handle holds the writer).
  std::string Snapshot(const std::string& db) { return SnapshotAt(db); }

  ScopedTempDir tmp_;
  std::string db_;
};

// Parses CSV output into records (header included).
std::vector<std::vector<std::string>> ParseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  csv::Reader reader(text);
  csv::Record rec;
  while (true) {
    absl::StatusOr<bool> more = reader.Next(&rec);
    EXPECT_TRUE(more.ok()) << more.status() << " at line " << rec.line;
    if (!more.ok() || !*more) break;
    rows.emplace_back(rec.fields.begin(), rec.fields.end());
  }
  return rows;
}

// Column `index` of parsed CSV rows (header excluded).
std::vector<std::string> Column(const std::vector<std::vector<std::string>>& rows,
                                size_t index) {
  std::vector<std::string> out;
  for (size_t i = 1; i < rows.size(); ++i) {
    out.push_back(index < rows[i].size() ? rows[i][index] : "<missing>");
  }
  return out;
}

const FiscalCalendar kIij{3, FiscalYearNaming::kStart};

TEST_F(ToolsBinaryTest, LoadSampleAndSummary) {
  RunResult r = Ingest({db_, SamplePath("companies.csv"),
                        SamplePath("iij-fy2013-1q3q.csv")});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("read 183 facts and 1 company from 2 files"));
  EXPECT_THAT(r.out, HasSubstr("176 new"));
  EXPECT_THAT(r.out, HasSubstr("7 versions added"));
  EXPECT_THAT(r.out, HasSubstr("1 added"));

  // Loading again changes nothing.
  const std::string before = Snapshot(db_);
  r = Ingest({db_, SamplePath("iij-fy2013-1q3q.csv"), SamplePath("companies.csv")});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("183 unchanged"));
  EXPECT_EQ(Snapshot(db_), before);
}

TEST_F(ToolsBinaryTest, CsvDumpHeaderAndOrder) {
  ASSERT_NO_FATAL_FAILURE(LoadSample(db_));
  RunResult r = Dump({db_, "--format", "csv", "--all-versions"});
  ASSERT_EQ(r.exit_code, 0) << r;
  ASSERT_THAT(r.out, StartsWith(std::string(kFactsHeader) + "\n"));
  std::vector<std::vector<std::string>> rows = ParseCsv(r.out);
  ASSERT_THAT(rows, SizeIs(184));
  using Key = std::tuple<std::string, std::string, std::string, absl::CivilDay,
                         int, std::optional<absl::CivilDay>>;
  std::optional<Key> previous;
  for (size_t i = 1; i < rows.size(); ++i) {
    const std::vector<std::string>& row = rows[i];
    ASSERT_THAT(row, SizeIs(8)) << "row " << i;
    absl::StatusOr<Period> p = Period::Parse(row[2], kIij);
    ASSERT_TRUE(p.ok()) << p.status();
    std::optional<absl::CivilDay> as_of;
    if (!row[6].empty()) as_of = *ParseDate(row[6]);
    Key key{row[0], row[1], row[5], p->end(), p->length_days(), as_of};
    if (previous.has_value()) {
      EXPECT_LT(*previous, key) << "row " << i << " out of order: " << row[1]
                                << " " << row[2] << " " << row[5];
    }
    previous = key;
  }
}

TEST_F(ToolsBinaryTest, GoldenAllVersionsDump) {
  ASSERT_NO_FATAL_FAILURE(LoadSample(db_));
  RunResult r = Dump({db_, "--all-versions"});
  ASSERT_EQ(r.exit_code, 0) << r;
  const std::string golden =
      ReadFile(std::string(KPIDB_TESTDATA_DIR) + "/sample_dump.csv");
  ASSERT_FALSE(golden.empty());
  EXPECT_EQ(r.out, golden);
  // Spot checks of values as reported.
  EXPECT_THAT(r.out, HasSubstr(",revenue.total,FY2013Q1-Q3,82746,JPY million,"));
  EXPECT_THAT(r.out, HasSubstr(",revenue.total,FY2013,117.0,JPY billion,target,,"));
  EXPECT_THAT(r.out, HasSubstr(",revenue_ratio.recurring,FY2013Q1-Q3,82.0,%,"));
  EXPECT_THAT(r.out, HasSubstr(",balance_sheet.retained_earnings,2013-03-31,-6399,"));
}

TEST_F(ToolsBinaryTest, JsonlDump) {
  ASSERT_NO_FATAL_FAILURE(LoadSample(db_));
  RunResult r = Dump({db_, "--format", "jsonl", "--metric",
                      "revenue.segment.network_services"});
  ASSERT_EQ(r.exit_code, 0) << r;
  std::istringstream lines(r.out);
  std::string line;
  std::vector<nlohmann::json> objects;
  while (std::getline(lines, line)) {
    objects.push_back(nlohmann::json::parse(line));
  }
  ASSERT_THAT(objects, SizeIs(1));
  const nlohmann::json& j = objects[0];
  EXPECT_EQ(j["company"], "IIJ");
  EXPECT_EQ(j["metric"], "revenue.segment.network_services");
  EXPECT_EQ(j["period"], "FY2013Q1-Q3");
  EXPECT_EQ(j["start"], "2013-04-01");
  EXPECT_EQ(j["end"], "2013-12-31");
  ASSERT_TRUE(j["value"].is_string());
  EXPECT_EQ(j["value"], "50301");
  EXPECT_EQ(j["unit"], "JPY million");
  EXPECT_EQ(j["scenario"], "actual");
  EXPECT_EQ(j["as_of"], "2014-02-07");

  r = Dump({db_, "--format", "jsonl", "--metric", "revenue.total", "--scenario",
            "target", "--all-versions", "--from", "FY2013", "--to", "FY2013"});
  ASSERT_EQ(r.exit_code, 0) << r;
  std::istringstream lines2(r.out);
  std::vector<std::string> values;
  while (std::getline(lines2, line)) {
    nlohmann::json o = nlohmann::json::parse(line);
    ASSERT_TRUE(o["value"].is_string());
    values.push_back(o["value"].get<std::string>() + "@" +
                     (o["as_of"].is_null() ? "" : o["as_of"].get<std::string>()));
  }
  EXPECT_THAT(values, ElementsAre("31.3@2014-02-07", "117.0@", "114.0@2014-02-07"));
}

TEST_F(ToolsBinaryTest, TableDump) {
  ASSERT_NO_FATAL_FAILURE(LoadSample(db_));
  RunResult r = Dump({db_, "--format", "table", "--metric", "revenue.segment.*"});
  ASSERT_EQ(r.exit_code, 0) << r;
  std::istringstream in(r.out);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  ASSERT_THAT(lines, SizeIs(2 + 4)) << r.out;
  // Column spans from the rule line of dashes.
  const std::string& rule = lines[1];
  std::vector<std::pair<size_t, size_t>> spans;
  for (size_t i = 0; i < rule.size();) {
    if (rule[i] != '-') {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < rule.size() && rule[j] == '-') ++j;
    spans.emplace_back(i, j - i);
    i = j;
  }
  ASSERT_THAT(spans, SizeIs(8)) << rule;
  auto cell = [&](const std::string& line, size_t c) {
    std::string s = spans[c].first < line.size()
                        ? line.substr(spans[c].first, spans[c].second)
                        : "";
    return s;
  };
  auto trim = [](std::string s) {
    while (!s.empty() && s.back() == ' ') s.pop_back();
    while (!s.empty() && s.front() == ' ') s.erase(0, 1);
    return s;
  };
  const std::vector<std::string> header = {"company", "metric", "scenario", "period",
                                           "value",   "unit",   "as_of",    "source"};
  for (size_t c = 0; c < header.size(); ++c) {
    EXPECT_EQ(trim(cell(lines[0], c)), header[c]);
  }
  std::vector<std::string> metrics, values;
  for (size_t i = 2; i < lines.size(); ++i) {
    // Columns are separated by blanks at the same positions in every line.
    for (size_t c = 1; c < spans.size(); ++c) {
      const size_t gap = spans[c].first - 1;
      ASSERT_LT(gap, lines[i].size());
      EXPECT_EQ(lines[i][gap], ' ') << "line " << i << ": " << lines[i];
    }
    metrics.push_back(trim(cell(lines[i], 1)));
    // Values are right-aligned: the cell ends with a digit.
    const std::string v = cell(lines[i], 4);
    EXPECT_TRUE(!v.empty() && std::isdigit(static_cast<unsigned char>(v.back())))
        << "'" << v << "'";
    values.push_back(trim(v));
    EXPECT_EQ(trim(cell(lines[i], 0)), "IIJ");
    EXPECT_EQ(trim(cell(lines[i], 3)), "FY2013Q1-Q3");
    EXPECT_EQ(trim(cell(lines[i], 5)), "JPY million");
  }
  EXPECT_THAT(metrics, ElementsAre("revenue.segment.atm_operation",
                                   "revenue.segment.equipment_sales",
                                   "revenue.segment.network_services",
                                   "revenue.segment.systems_integration"));
  EXPECT_THAT(values, ElementsAre("2,070", "1,178", "50,301", "29,197"));
}

TEST_F(ToolsBinaryTest, MetricGlob) {
  ASSERT_NO_FATAL_FAILURE(LoadSample(db_));
  RunResult r = Dump({db_, "--metric", "revenue.segment.*"});
  ASSERT_EQ(r.exit_code, 0) << r;
  std::vector<std::vector<std::string>> rows = ParseCsv(r.out);
  EXPECT_THAT(Column(rows, 1), ElementsAre("revenue.segment.atm_operation",
                                           "revenue.segment.equipment_sales",
                                           "revenue.segment.network_services",
                                           "revenue.segment.systems_integration"));
  EXPECT_THAT(Column(rows, 3), ElementsAre("2070", "1178", "50301", "29197"));
}

TEST_F(ToolsBinaryTest, FromToFiscalYear) {
  ASSERT_NO_FATAL_FAILURE(LoadSample(db_));
  RunResult r = Dump({db_, "--metric", "revenue.total", "--from", "FY2013",
                      "--to", "FY2013"});
  ASSERT_EQ(r.exit_code, 0) << r;
  std::vector<std::vector<std::string>> rows = ParseCsv(r.out);
  std::vector<std::string> got;
  for (size_t i = 1; i < rows.size(); ++i) {
    got.push_back(rows[i][5] + " " + rows[i][2] + " " + rows[i][3]);
  }
  EXPECT_THAT(got, ElementsAre("actual FY2013Q1 26.4", "actual FY2013Q2 28.0",
                               "actual FY2013Q3 28.4", "actual FY2013Q1-Q3 82746",
                               "target FY2013Q4 31.3", "target FY2013 114.0"));

  r = Dump({db_, "--metric", "revenue.total", "--from", "FY2012", "--to", "FY2012"});
  ASSERT_EQ(r.exit_code, 0) << r;
  rows = ParseCsv(r.out);
  EXPECT_THAT(Column(rows, 2), ElementsAre("FY2012Q1-Q3"));
  EXPECT_THAT(Column(rows, 3), ElementsAre("76.7"));

  // Deck label and date bounds.
  r = Dump({db_, "--metric", "tax.current", "--from", "3Q12", "--to", "2013-06-30"});
  ASSERT_EQ(r.exit_code, 0) << r;
  rows = ParseCsv(r.out);
  EXPECT_THAT(Column(rows, 2), ElementsAre("FY2012Q3", "FY2012Q4", "FY2013Q1"));
  EXPECT_THAT(Column(rows, 3), ElementsAre("675", "1333", "269"));
}

TEST_F(ToolsBinaryTest, ScenarioTargetAllVersions) {
  ASSERT_NO_FATAL_FAILURE(LoadSample(db_));
  RunResult r = Dump({db_, "--scenario", "target", "--all-versions", "--metric",
                      "revenue.total"});
  ASSERT_EQ(r.exit_code, 0) << r;
  std::vector<std::vector<std::string>> rows = ParseCsv(r.out);
  std::vector<std::string> got;
  for (size_t i = 1; i < rows.size(); ++i) {
    got.push_back(rows[i][2] + " " + rows[i][3] + " " + rows[i][6]);
  }
  EXPECT_THAT(got, ElementsAre("FY2013Q4 31.3 2014-02-07", "FY2013 117.0 ",
                               "FY2013 114.0 2014-02-07"));

  // Without a metric: every target, all scenarios equal to "target".
  r = Dump({db_, "--scenario", "target", "--all-versions"});
  ASSERT_EQ(r.exit_code, 0) << r;
  rows = ParseCsv(r.out);
  EXPECT_THAT(rows, SizeIs(1 + 16));
  for (const std::string& s : Column(rows, 5)) EXPECT_EQ(s, "target");
}

TEST_F(ToolsBinaryTest, AsOfShowsOriginalTarget) {
  ASSERT_NO_FATAL_FAILURE(LoadSample(db_));
  RunResult r = Dump({db_, "--as-of", "2014-01-31", "--metric", "revenue.total"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, std::string(kFactsHeader) + "\n" +
                       "IIJ,revenue.total,FY2013,117.0,JPY billion,target,,"
                       "\"IIJ 1Q-3Q FY2013 results (2014-02-07), slide II-1 "
                       "Consolidated Financial Results for 1Q-3Q FY2013; original "
                       "target (announcement date not in this deck: as_of left "
                       "empty); slide I prints JPY117 billion\"\n");
}

TEST_F(ToolsBinaryTest, BackupRoundTrip) {
  ASSERT_NO_FATAL_FAILURE(LoadSample(db_));
  RunResult companies = Dump({db_, "--companies"});
  ASSERT_EQ(companies.exit_code, 0) << companies;
  EXPECT_EQ(companies.out, ReadFile(SamplePath("companies.csv")));
  RunResult facts = Dump({db_, "--all-versions"});
  ASSERT_EQ(facts.exit_code, 0) << facts;
  WriteFile(tmp_.Sub("companies.csv"), companies.out);
  WriteFile(tmp_.Sub("facts.csv"), facts.out);

  const std::string restored = tmp_.Sub("restored");
  RunResult r = Ingest({restored, tmp_.Sub("facts.csv"), tmp_.Sub("companies.csv")});
  ASSERT_EQ(r.exit_code, 0) << r;
  RunResult facts2 = Dump({restored, "--all-versions"});
  ASSERT_EQ(facts2.exit_code, 0) << facts2;
  EXPECT_EQ(facts2.out, facts.out);
  RunResult companies2 = Dump({restored, "--companies"});
  ASSERT_EQ(companies2.exit_code, 0) << companies2;
  EXPECT_EQ(companies2.out, companies.out);
}

TEST_F(ToolsBinaryTest, DumpWithoutDatabaseFailsAndCreatesNothing) {
  const std::string missing = tmp_.Sub("no-such-db");
  RunResult r = Dump({missing});
  EXPECT_NE(r.exit_code, 0) << r;
  EXPECT_THAT(r.err, ContainsRegex("[Nn]o (kpidb )?database"));
  EXPECT_FALSE(std::filesystem::exists(missing));

  const std::string empty_dir = tmp_.Sub("empty-dir");
  std::filesystem::create_directories(empty_dir);
  r = Dump({empty_dir, "--companies"});
  EXPECT_NE(r.exit_code, 0) << r;
  EXPECT_THAT(r.err, ContainsRegex("[Nn]o (kpidb )?database"));
  EXPECT_TRUE(std::filesystem::is_empty(empty_dir));
}

TEST_F(ToolsBinaryTest, SecondWriterIsLockedOutButReadersWork) {
  ASSERT_NO_FATAL_FAILURE(LoadSample(db_));
  const std::string before = Snapshot(db_);
  absl::StatusOr<std::unique_ptr<DB>> held = DB::Open(Options(), db_);
  ASSERT_THAT(held, IsOk());

  const std::string facts = tmp_.Sub("new.csv");
  WriteFile(facts, std::string(kFactsHeader) +
                       "\nIIJ,new.metric,FY2013,1,count,actual,,x\n");
  RunResult r = Ingest({db_, facts});
  EXPECT_NE(r.exit_code, 0) << r;
  EXPECT_THAT(r.err, HasSubstr("locked"));

  // Reading works while this process holds the writer lock.
  RunResult d = Dump({db_, "--metric", "revenue.segment.*"});
  EXPECT_EQ(d.exit_code, 0) << d;
  EXPECT_THAT(ParseCsv(d.out), SizeIs(5));
  EXPECT_EQ(Snapshot(db_), before);

  held->reset();
  EXPECT_EQ(Snapshot(db_), before);
}

TEST_F(ToolsBinaryTest, BadInputFileFailsWithLineAndWritesNothing) {
  ASSERT_NO_FATAL_FAILURE(LoadSample(db_));
  const std::string before = Snapshot(db_);
  const std::string bad = tmp_.Sub("bad.csv");
  WriteFile(bad, std::string(kFactsHeader) +
                     "\nIIJ,new.a,FY2013,1,count,actual,,ok\n"
                     "IIJ,new.b,FY2013Q5,1,count,actual,,x\n"
                     "IIJ,new.c,FY2013,12x,count,actual,,x\n");
  RunResult r = Ingest({db_, bad});
  EXPECT_NE(r.exit_code, 0) << r;
  EXPECT_THAT(r.err, HasSubstr(bad + ":3: error:"));
  EXPECT_THAT(r.err, HasSubstr(bad + ":4: error:"));
  EXPECT_THAT(r.err, HasSubstr("FY2013Q5"));
  EXPECT_EQ(Snapshot(db_), before);

  // --max-errors 1 prints only the first.
  r = Ingest({"--max-errors", "1", db_, bad});
  EXPECT_NE(r.exit_code, 0) << r;
  EXPECT_THAT(r.err, HasSubstr(bad + ":3: error:"));
  EXPECT_THAT(r.err, Not(HasSubstr(bad + ":4: error:")));
  EXPECT_EQ(Snapshot(db_), before);
}

TEST_F(ToolsBinaryTest, MissingInputFileFailsAndWritesNothing) {
  ASSERT_NO_FATAL_FAILURE(LoadSample(db_));
  const std::string before = Snapshot(db_);
  RunResult r = Ingest({db_, SamplePath("companies.csv"), tmp_.Sub("nope.csv")});
  EXPECT_NE(r.exit_code, 0) << r;
  EXPECT_THAT(r.err, HasSubstr("nope.csv"));
  EXPECT_EQ(Snapshot(db_), before);
}

TEST_F(ToolsBinaryTest, StdinInput) {
  RunResult r = Ingest({db_, SamplePath("companies.csv"), "-"},
                       SamplePath("iij-fy2013-1q3q.csv"));
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("read 183 facts"));
  RunResult d = Dump({db_, "--all-versions"});
  ASSERT_EQ(d.exit_code, 0) << d;
  EXPECT_EQ(d.out, ReadFile(std::string(KPIDB_TESTDATA_DIR) + "/sample_dump.csv"));

  // Errors in standard input name it.
  const std::string bad = tmp_.Sub("bad.csv");
  WriteFile(bad, std::string(kFactsHeader) + "\nIIJ,new.a,FY2013,abc,,,,\n");
  r = Ingest({db_, "-"}, bad);
  EXPECT_NE(r.exit_code, 0) << r;
  EXPECT_THAT(r.err, HasSubstr("<stdin>:2: error:"));
}

// `... | kpidb-ingest DB -` with an input that is not text: the tool stops
// reading at the first chunk (it used to read until memory ran out).
TEST_F(ToolsBinaryTest, StdinOfNulBytesFailsAtOnce) {
  const std::string err_path = tmp_.Sub("stderr.txt");
  // At most 64 MiB, so that a tool reading it all still ends.
  const std::string cmd = "head -c 67108864 /dev/zero | " +
                          ::kpidb::testing::ShellQuote(KPIDB_INGEST_BIN) + " " +
                          ::kpidb::testing::ShellQuote(db_) + " - 2>" +
                          ::kpidb::testing::ShellQuote(err_path);
  const int status = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1);
  EXPECT_THAT(ReadFile(err_path), StartsWith("<stdin>:1: error: NUL byte"));
}

TEST_F(ToolsBinaryTest, DryRunPrintsSummaryAndWritesNothing) {
  RunResult r = Ingest({db_, SamplePath("companies.csv")});
  ASSERT_EQ(r.exit_code, 0) << r;
  const std::string before = Snapshot(db_);
  r = Ingest({"--dry-run", db_, SamplePath("iij-fy2013-1q3q.csv")});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("dry run"));
  EXPECT_THAT(r.out, HasSubstr("read 183 facts"));
  EXPECT_THAT(r.out, HasSubstr("176 new"));
  EXPECT_EQ(Snapshot(db_), before);
  RunResult d = Dump({db_});
  EXPECT_EQ(d.out, std::string(kFactsHeader) + "\n");
}

TEST_F(ToolsBinaryTest, DryRunOnMissingDatabaseCreatesNothing) {
  const std::string missing = tmp_.Sub("no-such-db");
  RunResult r = Ingest({"--dry-run", missing, SamplePath("companies.csv"),
                        SamplePath("iij-fy2013-1q3q.csv")});
  EXPECT_FALSE(std::filesystem::exists(missing))
      << "--dry-run created a database on disk; " << r;
}

TEST_F(ToolsBinaryTest, AsOfFlagFillsAsOf) {
  ASSERT_NO_FATAL_FAILURE(LoadSample(db_));
  const std::string facts = tmp_.Sub("deck.csv");
  WriteFile(facts,
            "company,metric,period,value,unit,as_of\n"
            "IIJ,revenue.total,FY2013,113.5,JPY billion,\n"
            "IIJ,new.kpi,4Q13,7,count,2014-04-01\n");
  // The FY2013 scenario defaults to actual, so this is a new actual fact.
  RunResult r = Ingest({"--as-of", "2014-05-15", db_, facts});
  ASSERT_EQ(r.exit_code, 0) << r;
  RunResult d = Dump({db_, "--metric", "new.kpi"});
  ASSERT_EQ(d.exit_code, 0) << d;
  EXPECT_EQ(d.out, std::string(kFactsHeader) +
                       "\nIIJ,new.kpi,FY2013Q4,7,count,actual,2014-04-01,\n");
  d = Dump({db_, "--metric", "revenue.total", "--from", "FY2013", "--to",
            "FY2013", "--scenario", "actual"});
  ASSERT_EQ(d.exit_code, 0) << d;
  EXPECT_THAT(d.out,
              HasSubstr("\nIIJ,revenue.total,FY2013,113.5,JPY billion,actual,"
                        "2014-05-15,\n"));

  r = Ingest({"--as-of", "2014-02-30", db_, facts});
  EXPECT_NE(r.exit_code, 0) << r;
  EXPECT_THAT(r.err, HasSubstr("2014-02-30"));
}

}  // namespace
// kpidb-ingest writes one RocksDB batch at the end, so a process killed at
// any moment leaves either the old database or the whole load.
TEST_F(ToolsBinaryTest, KilledIngestIsAllOrNothing) {
  ASSERT_NO_FATAL_FAILURE(LoadSample(db_));
  const std::string big = tmp_.Sub("big.csv");
  constexpr int kFacts = 200000;
  {
    std::ofstream f(big);
    f << "company,metric,period,value,unit,as_of\n";
    for (int i = 0; i < kFacts; ++i) {
      f << "K" << (i / 500) << ",m" << (i / 50 % 10) << ",FY" << (1900 + i % 50)
        << "," << i << ",count,2020-01-01\n";
    }
  }
  auto count_facts = [&]() -> size_t {
    Options options;
    options.read_only = true;
    absl::StatusOr<std::unique_ptr<DB>> handle = DB::Open(options, db_);
    EXPECT_THAT(handle, IsOk());
    if (!handle.ok()) return 0;
    Query q;
    q.all_versions = true;
    q.with_sources = false;
    absl::StatusOr<QueryResult> r = (*handle)->Execute(q);
    EXPECT_THAT(r, IsOk());
    return r.ok() ? r->size() : 0;
  };
  const size_t before = count_facts();
  ASSERT_EQ(before, 183u);
  int killed_midway = 0;
  for (int delay_ms : {30, 120, 300, 700}) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      const int devnull = open("/dev/null", O_WRONLY);
      dup2(devnull, 1);
      dup2(devnull, 2);
      execl(KPIDB_INGEST_BIN, KPIDB_INGEST_BIN, "-q", db_.c_str(), big.c_str(),
            static_cast<char*>(nullptr));
      _exit(127);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    kill(pid, SIGKILL);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    const size_t now = count_facts();
    if (WIFSIGNALED(status)) ++killed_midway;
    // All or nothing, whenever the kill landed.
    EXPECT_TRUE(now == before || now == before + kFacts)
        << "after a kill at " << delay_ms << " ms: " << now << " facts";
    if (now != before) break;  // loaded completely: later runs are no-ops
  }
  EXPECT_GT(killed_midway, 0) << "no run was killed before it finished";
  // And the load still works afterwards.
  RunResult r = Ingest({"-q", db_, big});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(count_facts(), before + kFacts);
}

TEST_F(ToolsBinaryTest, DumpNeverChangesTheDatabaseDirectory) {
  ASSERT_NO_FATAL_FAILURE(LoadSample(db_));
  const std::string before = DirectoryListing(db_);
  for (const char* format : {"csv", "jsonl", "table"}) {
    RunResult r = Dump({db_, "--all-versions", "--format", format});
    ASSERT_EQ(r.exit_code, 0) << r;
  }
  RunResult c = Dump({db_, "--companies"});
  ASSERT_EQ(c.exit_code, 0) << c;
  RunResult d = Ingest({"--dry-run", db_, SamplePath("iij-fy2013-1q3q.csv")});
  ASSERT_EQ(d.exit_code, 0) << d;
  EXPECT_EQ(DirectoryListing(db_), before);
}

}  // namespace kpidb
