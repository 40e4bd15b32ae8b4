#include "kpidb/analytics.h"

#include <algorithm>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kpidb/ingest.h"
#include "tests/sample_testutil.h"
#include "tests/testutil.h"

namespace kpidb {
namespace {

using ::kpidb::testing::IsOk;
using ::kpidb::testing::ScopedTempDir;
using ::kpidb::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::Not;

// The bundled sample (IIJ's deck) in a fresh database.
class AnalyticsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<DB>> db = DB::Open(Options(), dir_.Sub("db"));
    ASSERT_THAT(db, IsOk());
    db_ = std::move(*db);
    IngestReport report;
    ASSERT_THAT(IngestFiles(db_.get(), kpidb::testing::SampleFiles(), IngestOptions(), &report),
                IsOk());
  }

  // "PERIOD=VALUE UNIT" plus " <- FORMULA" for derived rows.
  std::vector<std::string> Rows(const DerivedQuery& q) {
    absl::StatusOr<DerivedResult> r = ExecuteDerived(*db_, q);
    EXPECT_THAT(r, IsOk());
    std::vector<std::string> out;
    if (!r.ok()) return out;
    for (size_t s = 0; s < r->series.size(); ++s) {
      for (size_t i = r->series_begin(s); i < r->series_end(s); ++i) {
        std::string row = r->periods[i].Label(r->series[s].calendar) + "=" +
                          r->values[i].ToString() + " " + r->units[i].ToString();
        if (r->origins[i] == RowOrigin::kDerived) row += " <- " + r->derivations[i].ToString(r->series[s].calendar);
        out.push_back(row);
      }
    }
    return out;
  }

  static DerivedQuery Q(const char* metric, const char* scenario = "actual") {
    DerivedQuery q;
    q.query.companies = {"IIJ"};
    q.query.metric = metric;
    q.query.scenarios = {scenario};
    return q;
  }

  ScopedTempDir dir_;
  std::unique_ptr<DB> db_;
};

// Slide II-15: FY2012's fourth-quarter CAPEX is the year minus the nine
// months: 10,405 - 8,452 = 1,953.
TEST_F(AnalyticsTest, FourthQuarterCapexIsYearMinusNineMonths) {
  EXPECT_THAT(Rows(Q("capex")),
              ElementsAre("FY2012Q1-Q3=8452 JPY million", "FY2012Q4=1953 JPY million <- FY2012 - FY2012Q1-Q3",
                          "FY2012=10405 JPY million", "FY2013Q1-Q3=9863 JPY million"));
  DerivedQuery q = Q("capex");
  q.query.from = "4Q12";
  q.query.to = "4Q12";
  EXPECT_THAT(Rows(q), ElementsAre("FY2012Q4=1953 JPY million <- FY2012 - FY2012Q1-Q3"));
}

// Slide II-12's quarterly tax table: the years, halves and nine months.
TEST_F(AnalyticsTest, TaxYearsFromTheQuarterlyTable) {
  DerivedQuery q = Q("tax.current");
  q.query.from = "FY2012";
  q.query.to = "FY2012";
  std::vector<std::string> rows = Rows(q);
  EXPECT_THAT(rows, ::testing::Contains("FY2012=3135 JPY million <- FY2012H1 + FY2012H2"));
  EXPECT_THAT(rows, ::testing::Contains("FY2012H1=1127 JPY million <- FY2012Q1 + FY2012Q2"));
  q.query.from = "FY2013Q1-Q3";
  q.query.to = "FY2013Q1-Q3";
  EXPECT_THAT(Rows(q), ElementsAre("FY2013Q1=269 JPY million", "FY2013Q2=804 JPY million",
                                   "FY2013H1=1073 JPY million <- FY2013Q1 + FY2013Q2",
                                   "FY2013Q3=378 JPY million",
                                   "FY2013Q1-Q3=1451 JPY million <- FY2013H1 + FY2013Q3"));
}

TEST_F(AnalyticsTest, TrailingTwelveMonths) {
  DerivedQuery q = Q("tax.current");
  q.fiscal_periods = false;
  q.ttm = true;
  std::vector<std::string> rows = Rows(q);
  EXPECT_THAT(rows, ::testing::Contains(
                        "2012-07-01/2013-06-30=3041 JPY million <- TTM: FY2012Q2 + FY2012Q3 + "
                        "FY2012Q4 + FY2013Q1"));
  EXPECT_THAT(rows, ::testing::Contains(
                        "2013-01-01/2013-12-31=2784 JPY million <- TTM: FY2012Q4 + FY2013Q1 + "
                        "FY2013Q2 + FY2013Q3"));
  // The TTM ending FY2012Q4 is the stored-derivable fiscal year itself.
  EXPECT_THAT(rows, ::testing::Contains("FY2012=3135 JPY million <- TTM: FY2012Q1 + FY2012Q2 + "
                                        "FY2012Q3 + FY2012Q4"));
}

// With both derived periods and TTMs, the TTM ending in the fourth quarter
// is the fiscal year: it appears once, as the year.
TEST_F(AnalyticsTest, TrailingTwelveMonthsDoNotRepeatTheYear) {
  DerivedQuery q = Q("tax.current");
  q.ttm = true;
  std::vector<std::string> rows = Rows(q);
  EXPECT_THAT(rows, ::testing::Contains("FY2012=3135 JPY million <- FY2012H1 + FY2012H2"));
  EXPECT_THAT(rows, ::testing::Contains(
                        "2013-01-01/2013-12-31=2784 JPY million <- TTM: FY2012Q4 + FY2013Q1 + "
                        "FY2013Q2 + FY2013Q3"));
  const auto fy2012 = std::count_if(rows.begin(), rows.end(), [](const std::string& r) {
    return r.rfind("FY2012=", 0) == 0;
  });
  EXPECT_EQ(fy2012, 1);
}

// Derived values follow the as_of cut: before the revision only the
// original target was known, and the stored fourth-quarter target (dated
// 2014-02-07) was not.
TEST_F(AnalyticsTest, AsOfAppliesToDerivedValues) {
  DerivedQuery q = Q("revenue.total", "target");
  q.query.from = "FY2013";
  q.query.to = "FY2013";
  // The nine months implied by the revised target and its fourth quarter.
  EXPECT_THAT(Rows(q), ElementsAre("FY2013Q1-Q3=82.7 JPY billion <- FY2013 - FY2013Q4",
                                   "FY2013Q4=31.3 JPY billion", "FY2013=114.0 JPY billion"));
  q.query.as_of = absl::CivilDay(2014, 1, 31);
  EXPECT_THAT(Rows(q), ElementsAre("FY2013=117.0 JPY billion"));
}

TEST_F(AnalyticsTest, InstantsAreNeverDerived) {
  EXPECT_THAT(Rows(Q("atm.count")), ElementsAre("2013-11-08=698 count", "2014-02-07=785 count"));
  // A date names the instant: the ATM count on the deck's date.
  DerivedQuery q = Q("atm.count");
  q.query.period = "2014-02-07";
  EXPECT_THAT(Rows(q), ElementsAre("2014-02-07=785 count"));
}

TEST_F(AnalyticsTest, AllVersionsIsRejected) {
  DerivedQuery q = Q("capex");
  q.query.all_versions = true;
  EXPECT_THAT(ExecuteDerived(*db_, q), StatusIs(absl::StatusCode::kInvalidArgument));
  q.query.all_versions = false;
  q.query.from = "FY2013Q5";
  EXPECT_THAT(ExecuteDerived(*db_, q), StatusIs(absl::StatusCode::kInvalidArgument));
}

// "Revenues JPY82,746 million (up 7.9% YoY)": the nine months against
// 1Q-3Q FY12's 76.7 billion, exactly in millions.
TEST_F(AnalyticsTest, YearOverYearAsTheDeckPrintsIt) {
  DerivedQuery q = Q("revenue.total");
  q.query.from = "FY2013Q1-Q3";
  q.query.to = "FY2013Q1-Q3";
  q.fiscal_periods = false;
  q.change = DerivedQuery::Change::kYearOverYear;
  absl::StatusOr<DerivedResult> r = ExecuteDerived(*db_, q);
  ASSERT_THAT(r, IsOk());
  // The range also holds the three stored quarters (no FY2012 quarters to
  // compare them with); the nine months come last.
  ASSERT_EQ(r->size(), 4u);
  const size_t i = 3;
  EXPECT_EQ(r->periods[i].Label(r->series[0].calendar), "FY2013Q1-Q3");
  ASSERT_TRUE(r->change[i].has_value());
  EXPECT_EQ(r->change[i]->ToString(), "6046");
  EXPECT_EQ(r->change_units[i].ToString(), "JPY million");
  EXPECT_EQ(r->change_base[i]->Label(r->series[0].calendar), "FY2012Q1-Q3");
  ASSERT_TRUE(r->change_percent[i].has_value());
  EXPECT_EQ(r->change_percent[i]->ToString(), "7.9");
  EXPECT_FALSE(r->change[0].has_value());
  q.percent_digits = 3;
  r = ExecuteDerived(*db_, q);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->change_percent[i]->ToString(), "7.883");
}

// A ratio changes in percentage points and has no percent change.
TEST_F(AnalyticsTest, RatioChangesArePoints) {
  DerivedQuery q = Q("gross_margin_ratio.total");
  q.query.from = "FY2013Q1-Q3";
  q.query.to = "FY2013Q1-Q3";
  q.change = DerivedQuery::Change::kYearOverYear;
  absl::StatusOr<DerivedResult> r = ExecuteDerived(*db_, q);
  ASSERT_THAT(r, IsOk());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ(r->change[0]->ToString(), "-1.4");
  EXPECT_EQ(r->change_units[0].ToString(), "pt");
  EXPECT_FALSE(r->change_percent[0].has_value());
}

TEST_F(AnalyticsTest, QuarterOverQuarterAndMissingBases) {
  DerivedQuery q = Q("tax.current");
  q.query.from = "FY2013Q3";
  q.query.to = "FY2013Q3";
  q.change = DerivedQuery::Change::kPeriodOverPeriod;
  absl::StatusOr<DerivedResult> r = ExecuteDerived(*db_, q);
  ASSERT_THAT(r, IsOk());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ(r->change[0]->ToString(), "-426");  // 378 - 804
  EXPECT_EQ(r->change_percent[0]->ToString(), "-53.0");
  // FY2012Q1 has no quarter before it in the data.
  q.query.from = "FY2012Q1";
  q.query.to = "FY2012Q1";
  r = ExecuteDerived(*db_, q);
  ASSERT_THAT(r, IsOk());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_FALSE(r->change[0].has_value());
  EXPECT_FALSE(r->change_base[0].has_value());
}

TEST_F(AnalyticsTest, ConversionOnRead) {
  DerivedQuery q = Q("revenue.total");
  q.fiscal_periods = false;
  q.unit = "JPY billion";
  q.decimals = 1;
  absl::StatusOr<DerivedResult> r = ExecuteDerived(*db_, q);
  ASSERT_THAT(r, IsOk());
  std::vector<std::string> rows;
  for (size_t i = 0; i < r->size(); ++i) {
    rows.push_back(r->periods[i].Label(r->series[0].calendar) + "=" + r->values[i].ToString() +
                   " " + r->units[i].ToString());
  }
  EXPECT_THAT(rows, ElementsAre("FY2012Q1-Q3=76.7 JPY billion", "FY2013Q1=26.4 JPY billion",
                                "FY2013Q2=28.0 JPY billion", "FY2013Q3=28.4 JPY billion",
                                "FY2013Q1-Q3=82.7 JPY billion"));
  q.decimals = std::nullopt;
  q.unit = "JPY million";
  r = ExecuteDerived(*db_, q);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->values[0].ToString(), "76700");  // exact
  q.unit = "USD million";
  EXPECT_THAT(ExecuteDerived(*db_, q), StatusIs(absl::StatusCode::kInvalidArgument));
}

// The deck's quarterly revenue chart (JPY billion, rounded) against the
// nine-month total (JPY million), and the segment gross margins (the deck
// gives no equipment-sales margin) against the total gross margin. The four
// segment revenues add up exactly, so they are not listed.
TEST_F(AnalyticsTest, CheckListsWhereFiguresDisagree) {
  Query q;
  q.companies = {"IIJ"};
  absl::StatusOr<std::vector<Discrepancy>> d = CheckConsistency(*db_, q);
  ASSERT_THAT(d, IsOk());
  std::vector<std::string> rows;
  for (const Discrepancy& x : *d) {
    rows.push_back(x.metric + "/" + x.scenario + " " + x.kind + " " +
                   x.period.Label(FiscalCalendar{3, FiscalYearNaming::kStart}) + ": " +
                   x.stored.ToString() + " vs " + x.sum.ToString() + " = " +
                   x.difference.ToString() + " " + x.unit.ToString() + " (" + x.parts + ")");
  }
  EXPECT_THAT(rows, ::testing::Contains(
                        "revenue.total/actual quarters FY2013Q1-Q3: 82746 vs 82800 = -54 JPY "
                        "million (FY2013Q1 + FY2013Q2 + FY2013Q3)"));
  for (const std::string& row : rows) {
    EXPECT_THAT(row, Not(::testing::StartsWith("revenue.total/actual segments"))) << row;
  }
  q.metric = "revenue.*";
  d = CheckConsistency(*db_, q);
  ASSERT_THAT(d, IsOk());
  for (const Discrepancy& x : *d) EXPECT_EQ(x.metric.rfind("revenue.", 0), 0u) << x.metric;
}

// A restated year changes the derived fourth quarter: the history lists
// each value with the date it became derivable.
// Slide II-2: the four segment revenues of 1Q-3Q FY2013 add up to the
// nine-month total (50,301 + 29,197 + 1,178 + 2,070 = 82,746); a restated
// segment that breaks the sum is listed, and not before its as_of.
TEST_F(AnalyticsTest, SegmentsAddUpToTheNineMonthTotal) {
  Query q;
  q.companies = {"IIJ"};
  q.metric = "revenue.*";
  auto segment_rows = [&](const Query& query) {
    absl::StatusOr<std::vector<Discrepancy>> d = CheckConsistency(*db_, query);
    EXPECT_THAT(d, IsOk());
    std::vector<std::string> rows;
    if (!d.ok()) return rows;
    for (const Discrepancy& x : *d) {
      if (x.kind != "segments") continue;
      rows.push_back(x.metric + " " + x.period.Label(FiscalCalendar{3, FiscalYearNaming::kStart}) +
                     ": " + x.stored.ToString() + " vs " + x.sum.ToString() + " = " +
                     x.difference.ToString() + " " + x.unit.ToString() + " (" + x.parts + ")");
    }
    return rows;
  };
  EXPECT_THAT(segment_rows(q), ::testing::IsEmpty());
  const std::vector<IngestInput> restated = {
      {"restated.csv",
       "company,metric,period,value,unit,as_of\n"
       "IIJ,revenue.segment.equipment_sales,FY2013Q1-Q3,1179,JPY million,2014-03-01\n"}};
  IngestReport report;
  ASSERT_THAT(IngestInputs(db_.get(), restated, IngestOptions(), &report), IsOk());
  EXPECT_THAT(segment_rows(q),
              ElementsAre("revenue.total FY2013Q1-Q3: 82746 vs 82747 = -1 JPY million "
                          "(revenue.segment.atm_operation + revenue.segment.equipment_sales + "
                          "revenue.segment.network_services + "
                          "revenue.segment.systems_integration)"));
  q.as_of = absl::CivilDay(2014, 2, 7);
  EXPECT_THAT(segment_rows(q), ::testing::IsEmpty());
}

TEST_F(AnalyticsTest, DerivedHistoryFollowsRestatements) {
  const std::vector<IngestInput> inputs = {
      {"restated.csv",
       "company,metric,period,value,unit,as_of\n"
       "IIJ,opex,FY2012Q1-Q3,8452,JPY million,2013-02-08\n"
       "IIJ,opex,FY2012,10405,JPY million,2013-05-15\n"
       "IIJ,opex,FY2012,10500,JPY million,2014-05-14\n"}};
  IngestReport report;
  ASSERT_THAT(IngestInputs(db_.get(), inputs, IngestOptions(), &report), IsOk());
  DerivedQuery q = Q("opex");
  absl::StatusOr<DerivedResult> r = ExecuteDerivedHistory(*db_, q);
  ASSERT_THAT(r, IsOk());
  std::vector<std::string> rows;
  for (size_t i = 0; i < r->size(); ++i) {
    rows.push_back(r->periods[i].Label(r->series[0].calendar) + "=" + r->values[i].ToString() +
                   " @" + (r->as_of[i] ? FormatDate(*r->as_of[i]) : "-") +
                   (r->origins[i] == RowOrigin::kDerived ? " derived" : ""));
  }
  EXPECT_THAT(rows, ElementsAre("FY2012Q1-Q3=8452 @2013-02-08", "FY2012Q4=1953 @2013-05-15 derived",
                                "FY2012Q4=2048 @2014-05-14 derived", "FY2012=10405 @2013-05-15",
                                "FY2012=10500 @2014-05-14"));
}

}  // namespace
}  // namespace kpidb
