// Views over derived results: the quarterly and yearly views, calendar
// alignment across fiscal years, screening and ranking (kpidb/analytics.h),
// on a small synthetic database of three companies.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kpidb/analytics.h"
#include "kpidb/ingest.h"
#include "tests/testutil.h"

namespace kpidb {
namespace {

using ::kpidb::testing::IsOk;
using ::kpidb::testing::ScopedTempDir;
using ::kpidb::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

// JPC and JP2 close their years in March (FY2013 = April 2013 - March 2014),
// USC in December. JPC reports cumulative figures, as Japanese decks do:
//   FY2012: Q1 250, Q2 310 (H1 560), Q3 340 (Q1-Q3 900), Q4 300 (FY 1200)
//   FY2013: Q1 280, Q2 320 (H1 600), Q3 350 (Q1-Q3 950)
constexpr char kCompanies[] =
    "company,name,fiscal_year_end,fy_naming,currency\n"
    "JPC,Japan Cumulative,3,start,JPY\n"
    "JP2,Japan Billions,3,start,JPY\n"
    "USC,US Calendar,12,end,USD\n";
constexpr char kFacts[] =
    "company,metric,period,value,unit,as_of\n"
    "JPC,revenue.total,FY2012Q1,250,JPY million,2012-08-01\n"
    "JPC,revenue.total,FY2012H1,560,JPY million,2012-11-01\n"
    "JPC,revenue.total,FY2012Q1-Q3,900,JPY million,2013-02-01\n"
    "JPC,revenue.total,FY2012,1200,JPY million,2013-05-01\n"
    "JPC,revenue.total,FY2013Q1,280,JPY million,2013-08-01\n"
    "JPC,revenue.total,FY2013H1,600,JPY million,2013-11-01\n"
    "JPC,revenue.total,FY2013Q1-Q3,950,JPY million,2014-02-01\n"
    "JP2,revenue.total,FY2013Q3,0.5,JPY billion,2014-02-01\n"
    "JP2,revenue.total,FY2012,1.1,JPY billion,2013-05-01\n"
    "USC,revenue.total,FY2013Q4,40,USD million,2014-02-01\n"
    "USC,revenue.total,FY2013,150,USD million,2014-02-01\n";

class ViewsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<DB>> db = DB::Open(Options(), dir_.Sub("db"));
    ASSERT_THAT(db, IsOk());
    db_ = std::move(*db);
    const std::vector<IngestInput> inputs = {{"companies.csv", kCompanies},
                                             {"facts.csv", kFacts}};
    IngestReport report;
    ASSERT_THAT(IngestInputs(db_.get(), inputs, IngestOptions(), &report), IsOk());
  }

  static std::string Row(const DerivedResult& r, size_t s, size_t i) {
    std::string row = r.series[s].company + " " + r.periods[i].Label(r.series[s].calendar) +
                      "=" + r.values[i].ToString() + " " + r.units[i].ToString();
    if (!r.change.empty() && r.change[i].has_value()) {
      row += " chg " + r.change[i]->ToString();
      if (r.change_percent[i].has_value()) row += " " + r.change_percent[i]->ToString() + "%";
    }
    if (r.origins[i] == RowOrigin::kDerived) row += " d";
    return row;
  }

  // "COMPANY PERIOD=VALUE UNIT [chg C P%] [d]" per row, in result order.
  std::vector<std::string> Rows(const DerivedQuery& q) {
    absl::StatusOr<DerivedResult> r = ExecuteDerived(*db_, q);
    EXPECT_THAT(r, IsOk());
    std::vector<std::string> out;
    if (!r.ok()) return out;
    EXPECT_EQ(r->series_offsets.size(), r->series.size() + 1);
    for (size_t s = 0; s < r->series.size(); ++s) {
      EXPECT_LT(r->series_begin(s), r->series_end(s)) << "empty series " << s;
      for (size_t i = r->series_begin(s); i < r->series_end(s); ++i) out.push_back(Row(*r, s, i));
    }
    return out;
  }

  // The same rows in the order RankRows gives.
  std::vector<std::string> Ranked(const DerivedQuery& q, bool descending, size_t limit) {
    absl::StatusOr<DerivedResult> r = ExecuteDerived(*db_, q);
    EXPECT_THAT(r, IsOk());
    std::vector<std::string> out;
    if (!r.ok()) return out;
    absl::StatusOr<std::vector<RowRef>> order = RankRows(*r, descending, limit);
    EXPECT_THAT(order, IsOk());
    if (!order.ok()) return out;
    for (const RowRef& ref : *order) out.push_back(Row(*r, ref.series, ref.row));
    return out;
  }

  static DerivedQuery Revenue(std::vector<std::string> companies) {
    DerivedQuery q;
    q.query.companies = std::move(companies);
    q.query.metric = "revenue.total";
    return q;
  }

  ScopedTempDir dir_;
  std::unique_ptr<DB> db_;
};

TEST_F(ViewsTest, QuarterlyViewFromCumulativeFigures) {
  DerivedQuery q = Revenue({"JPC"});
  q.view = DerivedQuery::View::kQuarters;
  EXPECT_THAT(Rows(q), ElementsAre("JPC FY2012Q1=250 JPY million",
                                   "JPC FY2012Q2=310 JPY million d",
                                   "JPC FY2012Q3=340 JPY million d",
                                   "JPC FY2012Q4=300 JPY million d",
                                   "JPC FY2013Q1=280 JPY million",
                                   "JPC FY2013Q2=320 JPY million d",
                                   "JPC FY2013Q3=350 JPY million d"));
  // The range narrows the view; derivation still reads outside it.
  q.query.from = "FY2012Q4";
  q.query.to = "FY2013Q1";
  EXPECT_THAT(Rows(q), ElementsAre("JPC FY2012Q4=300 JPY million d",
                                   "JPC FY2013Q1=280 JPY million"));
  // A program can follow what a derived row rests on.
  absl::StatusOr<DerivedResult> r = ExecuteDerived(*db_, q);
  ASSERT_THAT(r, IsOk());
  ASSERT_EQ(r->size(), 2u);
  const FiscalCalendar& cal = r->series[0].calendar;
  const Derivation& d = r->derivations[0];
  EXPECT_EQ(d.op, Derivation::Op::kDifference);
  ASSERT_EQ(d.input_count(), 2);
  EXPECT_EQ(d.inputs[0].Label(cal), "FY2012");
  EXPECT_EQ(d.inputs[1].Label(cal), "FY2012Q1-Q3");
  EXPECT_EQ(d.ToString(cal), "FY2012 - FY2012Q1-Q3");
  EXPECT_FALSE(r->derivations[1].derived());
  EXPECT_EQ(r->derivations[1].input_count(), 0);
  EXPECT_EQ(r->derivations[1].ToString(cal), "");
}

// Query::period selects one period in each company's calendar, not the
// periods inside it: FY2012 is April 2012 - March 2013 for the March years.
TEST_F(ViewsTest, ExactPeriodInEachCompanysCalendar) {
  Query q;
  q.metric = "revenue.total";
  q.period = "FY2012";
  absl::StatusOr<QueryResult> stored = db_->Execute(q);
  ASSERT_THAT(stored, IsOk());
  std::vector<std::string> rows;
  for (size_t s = 0; s < stored->series.size(); ++s) {
    for (size_t i = stored->series_begin(s); i < stored->series_end(s); ++i) {
      rows.push_back(stored->series[s].company + " " +
                     stored->periods[i].Label(stored->series[s].calendar) + "=" +
                     stored->values[i].ToString());
    }
  }
  EXPECT_THAT(rows, ElementsAre("JP2 FY2012=1.1", "JPC FY2012=1200"));
  // Derived periods too, and changes still find their base outside it.
  DerivedQuery d = Revenue({"JPC"});
  d.query.period = "FY2013Q2";
  d.change = DerivedQuery::Change::kYearOverYear;
  EXPECT_THAT(Rows(d), ElementsAre("JPC FY2013Q2=320 JPY million chg 10 3.2% d"));
  d.query.period = "FY2013Q1-Q3";
  EXPECT_THAT(Rows(d), ElementsAre("JPC FY2013Q1-Q3=950 JPY million chg 50 5.6%"));
  // One period or a range, not both.
  q.from = "FY2012";
  EXPECT_THAT(db_->Execute(q), StatusIs(absl::StatusCode::kInvalidArgument));
  d.query.from = "FY2012";
  EXPECT_THAT(ExecuteDerived(*db_, d), StatusIs(absl::StatusCode::kInvalidArgument));
}

// A derived figure's history when the query names its period: its inputs
// (FY2013H1, FY2013Q1-Q3) lie outside that period, yet their publication
// dates are when the figure changed.
TEST_F(ViewsTest, HistoryOfOnePeriodFollowsInputsOutsideIt) {
  DerivedQuery q = Revenue({"JPC"});
  q.query.period = "FY2013Q3";
  EXPECT_THAT(Rows(q), ElementsAre("JPC FY2013Q3=350 JPY million d"));
  absl::StatusOr<DerivedResult> h = ExecuteDerivedHistory(*db_, q);
  ASSERT_THAT(h, IsOk());
  ASSERT_EQ(h->size(), 1u);
  EXPECT_EQ(Row(*h, 0, 0), "JPC FY2013Q3=350 JPY million d");
  ASSERT_TRUE(h->as_of[0].has_value());
  EXPECT_EQ(*h->as_of[0], absl::CivilDay(2014, 2, 1));
}

// Column flags are the library's business in derived queries: turning them
// off in the selection changes nothing.
TEST_F(ViewsTest, ColumnFlagsAreIgnored) {
  DerivedQuery q = Revenue({"JPC"});
  q.query.with_units = false;
  q.query.with_as_of = false;
  q.view = DerivedQuery::View::kFiscalYears;
  absl::StatusOr<DerivedResult> h = ExecuteDerivedHistory(*db_, q);
  ASSERT_THAT(h, IsOk());
  ASSERT_EQ(h->size(), 1u);
  EXPECT_EQ(Row(*h, 0, 0), "JPC FY2012=1200 JPY million");
  EXPECT_THAT(CheckConsistency(*db_, q.query), IsOk());
  EXPECT_THAT(Rows(q), ElementsAre("JPC FY2012=1200 JPY million"));
}

// A TTM's YoY change compares with the TTM a year earlier.
TEST_F(ViewsTest, TrailingTwelveMonthsChangeYearOverYear) {
  // Twelve quarters of a calendar-year company, 100, 101, ... 111.
  std::string facts = "company,metric,period,value,unit\n";
  for (int i = 0; i < 12; ++i) {
    facts += "USC,orders,FY" + std::to_string(2011 + i / 4) + "Q" + std::to_string(i % 4 + 1) +
             "," + std::to_string(100 + i) + ",USD million\n";
  }
  const std::vector<IngestInput> inputs = {{"orders.csv", facts}};
  IngestReport report;
  ASSERT_THAT(IngestInputs(db_.get(), inputs, IngestOptions(), &report), IsOk());
  DerivedQuery q;
  q.query.companies = {"USC"};
  q.query.metric = "orders";
  q.query.period = "2012-04-01/2013-03-31";
  q.fiscal_periods = false;
  q.ttm = true;
  q.change = DerivedQuery::Change::kYearOverYear;
  // 2012Q2-2013Q1: 105 + 106 + 107 + 108 = 426; a year earlier 2011Q2-2012Q1:
  // 101 + 102 + 103 + 104 = 410; up 16, 3.9%.
  EXPECT_THAT(Rows(q), ElementsAre("USC 2012-04-01/2013-03-31=426 USD million chg 16 3.9% d"));
}

TEST_F(ViewsTest, YearlyViewKeepsFiscalYearsOnly) {
  DerivedQuery q = Revenue({"JPC", "USC"});
  q.view = DerivedQuery::View::kFiscalYears;
  EXPECT_THAT(Rows(q), ElementsAre("JPC FY2012=1200 JPY million", "USC FY2013=150 USD million"));
  // Without derivation the view still filters the stored rows.
  q.fiscal_periods = false;
  q.view = DerivedQuery::View::kQuarters;
  EXPECT_THAT(Rows(q), ElementsAre("JPC FY2012Q1=250 JPY million",
                                   "JPC FY2013Q1=280 JPY million",
                                   "USC FY2013Q4=40 USD million"));
}

// Calendar 2013Q4 is each company's quarter ending October to December
// 2013: the third fiscal quarter of a March year, the fourth of a calendar
// year.
TEST_F(ViewsTest, CalendarWindowAlignsDifferentFiscalYears) {
  DerivedQuery q = Revenue({});
  q.calendar_window = *Period::Duration(absl::CivilDay(2013, 10, 1), absl::CivilDay(2013, 12, 31));
  EXPECT_THAT(Rows(q), ElementsAre("JP2 FY2013Q3=0.5 JPY billion",
                                   "JPC FY2013Q3=350 JPY million d",
                                   "USC FY2013Q4=40 USD million"));
  // Twelve months ending in calendar 2013: March years' FY2012, the
  // calendar year's FY2013.
  q.calendar_window = *Period::Duration(absl::CivilDay(2013, 1, 1), absl::CivilDay(2013, 12, 31));
  EXPECT_THAT(Rows(q), ElementsAre("JP2 FY2012=1.1 JPY billion", "JPC FY2012=1200 JPY million",
                                   "USC FY2013=150 USD million"));
  // Calendar 2013Q1: JPC's fourth quarter, derived as the year minus the
  // nine months.
  q.calendar_window = *Period::Duration(absl::CivilDay(2013, 1, 1), absl::CivilDay(2013, 3, 31));
  EXPECT_THAT(Rows(q), ElementsAre("JPC FY2012Q4=300 JPY million d"));
}

TEST_F(ViewsTest, CalendarWindowRejectsRangesAndInstants) {
  DerivedQuery q = Revenue({});
  q.calendar_window = *Period::Duration(absl::CivilDay(2013, 10, 1), absl::CivilDay(2013, 12, 31));
  q.query.from = "FY2013";
  EXPECT_THAT(ExecuteDerived(*db_, q), StatusIs(absl::StatusCode::kInvalidArgument));
  q.query.from.clear();
  q.calendar_window = Period::Instant(absl::CivilDay(2013, 12, 31));
  EXPECT_THAT(ExecuteDerived(*db_, q), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(ViewsTest, ScreeningOnValues) {
  DerivedQuery q = Revenue({"JPC"});
  q.view = DerivedQuery::View::kQuarters;
  q.query.from = "FY2013";
  q.query.to = "FY2013";
  q.above = *Decimal::Parse("300");
  EXPECT_THAT(Rows(q), ElementsAre("JPC FY2013Q2=320 JPY million d",
                                   "JPC FY2013Q3=350 JPY million d"));
  q.below = *Decimal::Parse("340");
  EXPECT_THAT(Rows(q), ElementsAre("JPC FY2013Q2=320 JPY million d"));
  // Strictly above: 320 is not above 320.
  q.above = *Decimal::Parse("320");
  EXPECT_THAT(Rows(q), IsEmpty());
  // Values compare as returned: in billions after a conversion.
  q.above = *Decimal::Parse("0.3");
  q.below.reset();
  q.unit = "JPY billion";
  EXPECT_THAT(Rows(q), ElementsAre("JPC FY2013Q2=0.320 JPY billion d",
                                   "JPC FY2013Q3=0.350 JPY billion d"));
}

// FY2013 against FY2012: Q1 +30 (12.0%), Q2 +10 (3.2%), Q3 +10 (2.9%).
TEST_F(ViewsTest, ScreeningOnChanges) {
  DerivedQuery q = Revenue({"JPC", "JP2"});
  q.view = DerivedQuery::View::kQuarters;
  q.change = DerivedQuery::Change::kYearOverYear;
  q.screen_on = DerivedQuery::ScreenOn::kChangePercent;
  q.above = *Decimal::Parse("5");
  // FY2012's quarters have no base and JP2 has no quarter a year earlier:
  // they are dropped, and JP2's series with them.
  EXPECT_THAT(Rows(q), ElementsAre("JPC FY2013Q1=280 JPY million chg 30 12.0%"));
  q.screen_on = DerivedQuery::ScreenOn::kChange;
  q.above.reset();
  q.below = *Decimal::Parse("20");
  EXPECT_THAT(Rows(q), ElementsAre("JPC FY2013Q2=320 JPY million chg 10 3.2% d",
                                   "JPC FY2013Q3=350 JPY million chg 10 2.9% d"));
  // A change screen without a change is a mistake, not an empty answer.
  q.change = DerivedQuery::Change::kNone;
  EXPECT_THAT(ExecuteDerived(*db_, q), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(ViewsTest, RankingComparesQuantitiesAcrossScales) {
  DerivedQuery q = Revenue({"JPC", "JP2"});
  q.calendar_window = *Period::Duration(absl::CivilDay(2013, 10, 1), absl::CivilDay(2013, 12, 31));
  // 0.5 JPY billion is 500 JPY million: above JPC's 350.
  EXPECT_THAT(Ranked(q, /*descending=*/true, 0),
              ElementsAre("JP2 FY2013Q3=0.5 JPY billion", "JPC FY2013Q3=350 JPY million d"));
  EXPECT_THAT(Ranked(q, /*descending=*/true, 1), ElementsAre("JP2 FY2013Q3=0.5 JPY billion"));
  EXPECT_THAT(Ranked(q, /*descending=*/false, 1),
              ElementsAre("JPC FY2013Q3=350 JPY million d"));
}

TEST_F(ViewsTest, RankingKeepsResultOrderOnTies) {
  // 1,200 JPY million ranks above 1.1 JPY billion.
  DerivedQuery q = Revenue({"JPC", "JP2"});
  q.view = DerivedQuery::View::kFiscalYears;
  EXPECT_THAT(Ranked(q, true, 0),
              ElementsAre("JPC FY2012=1200 JPY million", "JP2 FY2012=1.1 JPY billion"));
  // JP2's 0.3 JPY billion equals JPC's derived 300 JPY million: in either
  // direction the two keep the result's order (JP2's series first).
  const std::vector<IngestInput> tie = {
      {"tie.csv", "company,metric,period,value,unit\nJP2,revenue.total,FY2012Q4,0.3,JPY billion\n"}};
  IngestReport report;
  ASSERT_THAT(IngestInputs(db_.get(), tie, IngestOptions(), &report), IsOk());
  q.view = DerivedQuery::View::kQuarters;
  q.query.from = "FY2012Q4";
  q.query.to = "FY2012Q4";
  EXPECT_THAT(Ranked(q, true, 0),
              ElementsAre("JP2 FY2012Q4=0.3 JPY billion", "JPC FY2012Q4=300 JPY million d"));
  EXPECT_THAT(Ranked(q, false, 0),
              ElementsAre("JP2 FY2012Q4=0.3 JPY billion", "JPC FY2012Q4=300 JPY million d"));
}

TEST_F(ViewsTest, RankingRefusesMixedDimensions) {
  DerivedQuery q = Revenue({});
  q.calendar_window = *Period::Duration(absl::CivilDay(2013, 10, 1), absl::CivilDay(2013, 12, 31));
  absl::StatusOr<DerivedResult> r = ExecuteDerived(*db_, q);
  ASSERT_THAT(r, IsOk());
  EXPECT_THAT(RankRows(*r, true, 3), StatusIs(absl::StatusCode::kInvalidArgument));
  // Converting is no way around it: JPY and USD stay different dimensions.
  q.unit = "JPY million";
  EXPECT_THAT(ExecuteDerived(*db_, q), StatusIs(absl::StatusCode::kInvalidArgument));
  // An empty result ranks to nothing.
  EXPECT_THAT(RankRows(DerivedResult(), true, 3), IsOk());
  EXPECT_THAT(*RankRows(DerivedResult(), true, 3), IsEmpty());
}

TEST_F(ViewsTest, HistoryAppliesTheViewAndRefusesScreening) {
  DerivedQuery q = Revenue({"JPC"});
  q.view = DerivedQuery::View::kFiscalYears;
  absl::StatusOr<DerivedResult> r = ExecuteDerivedHistory(*db_, q);
  ASSERT_THAT(r, IsOk());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ(r->periods[0].Label(r->series[0].calendar), "FY2012");
  q.above = *Decimal::Parse("1");
  EXPECT_THAT(ExecuteDerivedHistory(*db_, q), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace kpidb
