// kpidb-query on the bundled sample: in-process, and the built binary.
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testutil.h"
#include "tests/tools/tool_test_util.h"
#include "tools/tools.h"

namespace kpidb::tools {
namespace {

using ::kpidb::testing::LoadSample;
using ::kpidb::testing::RunInProcess;
using ::kpidb::testing::RunResult;
using ::kpidb::testing::ScopedTempDir;
using ::testing::HasSubstr;
using ::testing::Not;

class QueryToolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = dir_.Sub("db");
    ASSERT_NO_FATAL_FAILURE(LoadSample(db_));
  }

  RunResult Run(std::vector<std::string> args) {
    args.insert(args.begin(), "kpidb-query");
    return RunInProcess(&RunQuery, args);
  }

  ScopedTempDir dir_;
  std::string db_;
};

TEST_F(QueryToolTest, HelpDocumentsEveryFlagWithExamples) {
  RunResult r = Run({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* flag : {"--company", "--metric", "--scenario", "--from", "--to", "--period",
                           "--as-of", "--quarters", "--years", "--derive", "--ttm", "--change",
                           "--percent-digits", "--unit", "--decimals", "--top", "--bottom",
                           "--history", "--check", "--format", "--above", "--below",
                           "--screen", "--calendar-window", "Examples"}) {
    EXPECT_THAT(r.out, HasSubstr(flag)) << flag;
  }
  EXPECT_EQ(Run({"--version"}).exit_code, 0);
}

TEST_F(QueryToolTest, ArgumentErrorsExitTwoWithAMessage) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{db_, "--change", "mom"},
                                             {db_, "--top", "3", "--bottom", "3"},
                                             {db_, "--period", "FY2013", "--from", "FY2012"},
                                             {db_, "--decimals", "1"},
                                             {db_, "--format", "xml"},
                                             {db_, "--as-of", "2014-02-30"},
                                             {db_, "--from", "FY2013Q5"},
                                             {db_, "--history", "--change", "yoy"},
                                             {db_, "--history", "--top", "1"},
                                             {db_, "--history", "--above", "1"},
                                             {db_, "--screen", "percent", "--above", "1"},
                                             {db_, "--calendar-window", "2013-12-31"},
                                             {db_, "--no-such-flag"}}) {
    RunResult r = Run(args);
    EXPECT_EQ(r.exit_code, 2) << ::testing::PrintToString(args) << r.err;
    EXPECT_FALSE(r.err.empty()) << ::testing::PrintToString(args);
  }
  RunResult missing = Run({dir_.Sub("nothing-here")});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("no kpidb database"));
}

// Counts and digits out of range are usage errors naming the flag, never a
// silent default ("--top 0": no ranking; "--decimals -1": no rounding).
TEST_F(QueryToolTest, NumbersOutOfRangeAreUsageErrors) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"--top", "0"},           {"--top", "-1"},
      {"--top", "99999999999"}, {"--top", "4294967297"}, {"--top", "-4294967295"},
      {"--bottom", "0"},        {"--bottom", "-5"},
      {"--decimals", "-1"},     {"--decimals", "19"},
      {"--percent-digits", "-1"}, {"--percent-digits", "11"},
      {"--percent-digits", "4294967297"}};
  for (const auto& [flag, value] : bad) {
    std::vector<std::string> args = {db_, "--metric", "revenue.total", flag, value};
    if (flag == "--decimals") args.insert(args.end(), {"--unit", "JPY billion"});
    RunResult r = Run(args);
    EXPECT_EQ(r.exit_code, 2) << flag << " " << value << "\n" << r.err;
    EXPECT_THAT(r.err, HasSubstr(flag)) << flag << " " << value;
    EXPECT_EQ(r.out, "") << flag << " " << value;
  }
  EXPECT_EQ(Run({db_, "--metric", "revenue.total", "--top", "1"}).exit_code, 0);
  EXPECT_EQ(Run({db_, "--metric", "revenue.total", "--unit", "JPY billion", "--decimals",
                 "0"}).exit_code,
            0);
  RunResult help = Run({"--help"});
  EXPECT_THAT(help.out, HasSubstr("N >= 1"));
  EXPECT_THAT(help.out, HasSubstr("N from 0 to 18"));
  EXPECT_THAT(help.out, HasSubstr("N from 0 to 10"));
}

// The issue's first example, on the sample: derived and stored rows, YoY in
// JPY billion.
TEST_F(QueryToolTest, DerivedRowsChangesAndConversionAsCsv) {
  RunResult r = Run({db_, "--company", "IIJ", "--metric", "revenue.total", "--scenario", "actual",
                  "--derive", "--change", "yoy", "--unit", "JPY billion", "--format", "csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("company,metric,scenario,period,value,unit,change,change_unit,"
                               "change_percent,base,as_of,origin\n"));
  EXPECT_THAT(r.out, HasSubstr("IIJ,revenue.total,actual,FY2013Q1-Q3,82.746,JPY billion,6.046,"
                               "JPY billion,7.9%,FY2012Q1-Q3,2014-02-07,stored\n"));
  EXPECT_THAT(r.out, HasSubstr(",derived: FY2013Q1-Q3 - FY2013Q3\n"));
}

TEST_F(QueryToolTest, QuartersViewDerivesTheFourthQuarter) {
  RunResult r = Run({db_, "--company", "IIJ", "--metric", "capex", "--quarters", "--format", "csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "company,metric,scenario,period,value,unit,as_of,origin\n"
            "IIJ,capex,actual,FY2012Q4,\"1,953\",JPY million,2014-02-07,"
            "derived: FY2012 - FY2012Q1-Q3\n");
}

TEST_F(QueryToolTest, TopAndBottomRankByQuantityAcrossScales) {
  // FY2013Q1-Q3 revenue 82,746 million against quarters in billions.
  RunResult r = Run({db_, "--metric", "revenue.total", "--scenario", "actual", "--top", "2",
                  "--format", "csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream lines(r.out);
  std::string header, first, second, extra;
  std::getline(lines, header);
  std::getline(lines, first);
  std::getline(lines, second);
  EXPECT_FALSE(std::getline(lines, extra));
  EXPECT_THAT(first, HasSubstr("FY2013Q1-Q3,\"82,746\",JPY million"));
  EXPECT_THAT(second, HasSubstr("FY2012Q1-Q3,76.7,JPY billion"));
  r = Run({db_, "--metric", "revenue.total", "--scenario", "actual", "--bottom", "1",
           "--format", "csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("FY2013Q1,26.4,JPY billion"));
}

// --period is that one period: the nine months, not the quarters in them
// (--from/--to give the range).
TEST_F(QueryToolTest, PeriodSelectsExactlyThatPeriod) {
  RunResult r = Run({db_, "--company", "IIJ", "--metric", "revenue.total", "--scenario", "actual",
                  "--period", "FY2013Q1-Q3", "--change", "yoy", "--format", "csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "company,metric,scenario,period,value,unit,change,change_unit,change_percent,base,"
            "as_of,origin\n"
            "IIJ,revenue.total,actual,FY2013Q1-Q3,\"82,746\",JPY million,\"6,046\",JPY million,"
            "7.9%,FY2012Q1-Q3,2014-02-07,stored\n");
  r = Run({db_, "--company", "IIJ", "--metric", "revenue.total", "--scenario", "actual",
           "--from", "FY2013Q1-Q3", "--to", "FY2013Q1-Q3", "--format", "csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("FY2013Q1,26.4,"));
}

// Percent (a ratio) and JPY do not rank together: an argument error, not a
// silent mix.
TEST_F(QueryToolTest, RankingMixedUnitsIsAnError) {
  RunResult r = Run({db_, "--company", "IIJ", "--metric", "*", "--period", "FY2013Q1-Q3",
                  "--top", "3"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("cannot rank values of different units"));
}

// How the FY2013 revenue target moved from 117.0 to 114.0 billion, and when.
TEST_F(QueryToolTest, HistoryOfTheRevisedTarget) {
  RunResult r = Run({db_, "--company", "IIJ", "--metric", "revenue.total", "--period", "FY2013",
                  "--scenario", "target", "--history", "--format", "csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("IIJ,revenue.total,FY2013,117.0,JPY billion,target,,"));
  EXPECT_THAT(r.out, HasSubstr("IIJ,revenue.total,FY2013,114.0,JPY billion,target,2014-02-07,"));
  EXPECT_LT(r.out.find(",117.0,"), r.out.find(",114.0,"));
}

TEST_F(QueryToolTest, CheckListsDisagreementsButNotRatios) {
  RunResult r = Run({db_, "--company", "IIJ", "--check", "--format", "csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("IIJ,revenue.total,actual,quarters,FY2013Q1-Q3,\"82,746\","
                               "\"82,800\",-54,JPY million,"));
  EXPECT_THAT(r.out, Not(HasSubstr("gross_margin_ratio")));
}

TEST_F(QueryToolTest, AsOfAppliesToTheAnalysis) {
  RunResult r = Run({db_, "--company", "IIJ", "--metric", "revenue.total", "--scenario", "target",
                  "--as-of", "2014-01-31", "--format", "csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(",FY2013,117.0,JPY billion,,stored\n"));
  EXPECT_THAT(r.out, Not(HasSubstr("114.0")));
}

// The built binary, end to end (the in-process runs above test the logic).
TEST_F(QueryToolTest, BuiltBinaryRunsTheIssueExample) {
  const std::string out = dir_.Sub("out.txt");
  const std::string cmd = std::string(KPIDB_QUERY_BIN) + " " + db_ +
                          " --company IIJ --metric 'revenue.*' --from FY2012 --to FY2013"
                          " --quarters --change yoy --unit 'JPY billion' --format table > " +
                          out + " 2>&1";
  const int status = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  std::ifstream f(out);
  std::stringstream text;
  text << f.rdbuf();
  EXPECT_THAT(text.str(), HasSubstr("change_percent"));
  EXPECT_THAT(text.str(), HasSubstr("FY2013Q3"));
  EXPECT_THAT(text.str(), HasSubstr("JPY billion"));
  const std::string bad = std::string(KPIDB_QUERY_BIN) + " " + db_ + " --change mom >/dev/null 2>&1";
  const int bad_status = std::system(bad.c_str());
  ASSERT_TRUE(WIFEXITED(bad_status));
  EXPECT_EQ(WEXITSTATUS(bad_status), 2);
}

// Screening: the revenue rows that grew more than 5% YoY, and values
// above a threshold in one unit.
TEST_F(QueryToolTest, ScreeningByChangeOrValue) {
  RunResult r = Run({db_, "--metric", "revenue.*", "--scenario", "actual", "--change", "yoy",
                  "--screen", "percent", "--above", "5", "--format", "csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Total revenue +7.9%; the large customers' revenue FY12 over FY11
  // (12.8 -> 14.7 billion) +14.8%; segment revenues have no FY12 figures.
  EXPECT_THAT(r.out, HasSubstr("IIJ,revenue.total,actual,FY2013Q1-Q3,"));
  EXPECT_THAT(r.out, HasSubstr("IIJ,revenue.large_customers,actual,FY2012,14.7,JPY billion,1.9,"
                               "JPY billion,14.8%,FY2011,"));
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 3) << r.out;
  r = Run({db_, "--metric", "revenue.segment.*", "--unit", "JPY million", "--above", "20000",
           "--format", "csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("revenue.segment.network_services"));
  EXPECT_THAT(r.out, HasSubstr("revenue.segment.systems_integration"));
  EXPECT_THAT(r.out, Not(HasSubstr("atm_operation")));
  EXPECT_EQ(Run({db_, "--screen", "percent", "--above", "5"}).exit_code, 2);
  EXPECT_EQ(Run({db_, "--above", "five"}).exit_code, 2);
}

// Calendar alignment: IIJ's fiscal FY2013Q3 is calendar 2013Q4, and its
// FY2012 (April 2012 - March 2013, derived from the quarterly tax table) is
// the twelve months ending in calendar 2013.
TEST_F(QueryToolTest, CalendarWindowAlignsFiscalPeriods) {
  RunResult r = Run({db_, "--metric", "tax.current", "--calendar-window", "FY2013Q4", "--format",
                  "csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "company,metric,scenario,period,value,unit,as_of,origin\n"
            "IIJ,tax.current,actual,FY2013Q3,378,JPY million,2014-02-07,stored\n");
  r = Run({db_, "--metric", "tax.current", "--calendar-window", "2013-01-01/2013-12-31",
           "--format", "csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "company,metric,scenario,period,value,unit,as_of,origin\n"
            "IIJ,tax.current,actual,FY2012,\"3,135\",JPY million,2014-02-07,"
            "derived: FY2012H1 + FY2012H2\n");
  EXPECT_EQ(Run({db_, "--calendar-window", "FY2013Q4", "--period", "FY2013"}).exit_code, 2);
  EXPECT_EQ(Run({db_, "--calendar-window", "2013-12-31"}).exit_code, 2);
}

// A derived figure's history: the nine-month revenue target implied by the
// full-year target and the fourth-quarter target. Before 2014-02-07 there
// was no fourth-quarter target, so nothing could be derived; from then on
// it is 114.0 - 31.3 = 82.7.
TEST_F(QueryToolTest, HistoryOfDerivedFigures) {
  RunResult r = Run({db_, "--company", "IIJ", "--metric", "revenue.total", "--scenario", "target",
                  "--derive", "--history", "--format", "csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "company,metric,scenario,period,value,unit,as_of,origin\n"
            "IIJ,revenue.total,target,FY2013Q1-Q3,82.7,JPY billion,2014-02-07,"
            "derived: FY2013 - FY2013Q4\n"
            "IIJ,revenue.total,target,FY2013Q4,31.3,JPY billion,2014-02-07,stored\n"
            "IIJ,revenue.total,target,FY2013,117.0,JPY billion,,stored\n"
            "IIJ,revenue.total,target,FY2013,114.0,JPY billion,2014-02-07,stored\n");
}

}  // namespace
}  // namespace kpidb::tools
