#include "kpidb/period.h"

#include <algorithm>
#include <compare>
#include <cstdint>
#include <initializer_list>
#include <ostream>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/util/str_cat.h"

namespace kpidb {

// Dates instead of a byte dump in gtest output.
void PrintTo(const Period& p, std::ostream* os) {
  if (p.is_instant()) {
    *os << "instant " << p.start();
  } else {
    *os << p.start() << ".." << p.end();
  }
}

void PrintTo(const FiscalCalendar& c, std::ostream* os) {
  *os << "{end month " << c.fiscal_year_end_month << ", "
      << FiscalYearNamingName(c.naming) << "}";
}

namespace {

using ::testing::HasSubstr;

using Day = absl::CivilDay;

const FiscalCalendar kIij{3, FiscalYearNaming::kStart};
const FiscalCalendar kJanEnd{1, FiscalYearNaming::kEnd};  // US retail
const FiscalCalendar kJunEnd{6, FiscalYearNaming::kEnd};
const FiscalCalendar kSepEnd{9, FiscalYearNaming::kEnd};
const FiscalCalendar kCalendar = FiscalCalendar::CalendarYear();

// The label as error messages quote it.
std::string Quoted(std::string_view label) {
  return kpidb::StrCat("\"", label, "\"");
}

uint32_t Seed() { return ::testing::UnitTest::GetInstance()->random_seed(); }

Period Dur(Day start, Day end) {
  absl::StatusOr<Period> p = Period::Duration(start, end);
  EXPECT_TRUE(p.ok()) << p.status();
  return p.ok() ? *p : Period();
}

Period P(std::string_view label, const FiscalCalendar& calendar) {
  absl::StatusOr<Period> p = Period::Parse(label, calendar);
  EXPECT_TRUE(p.ok()) << p.status();
  return p.ok() ? *p : Period();
}

std::string Describe(const FiscalCalendar& c) {
  return kpidb::StrCat("{", c.fiscal_year_end_month, ", ",
                       FiscalYearNamingName(c.naming), "}");
}

struct LabelCase {
  std::string_view label;
  FiscalCalendar calendar;
  Day start;
  Day end;
  std::string_view canonical;
};

void ExpectCase(const LabelCase& c) {
  SCOPED_TRACE(kpidb::StrCat(Quoted(c.label), " under ", Describe(c.calendar)));
  absl::StatusOr<Period> p = Period::Parse(c.label, c.calendar);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_FALSE(p->is_instant());
  EXPECT_EQ(p->start(), c.start);
  EXPECT_EQ(p->end(), c.end);
  EXPECT_EQ(p->Label(c.calendar), c.canonical);
  // The canonical label reads back to the same dates.
  EXPECT_EQ(P(c.canonical, c.calendar), *p);
}

// --- FiscalCalendar --------------------------------------------------------

TEST(FiscalCalendarTest, IijStartsInApril) {
  EXPECT_EQ(kIij.YearStart(2013), Day(2013, 4, 1));
  EXPECT_EQ(kIij.YearEnd(2013), Day(2014, 3, 31));
  EXPECT_EQ(kIij.FiscalYearOf(Day(2013, 4, 1)), 2013);
  EXPECT_EQ(kIij.FiscalYearOf(Day(2014, 3, 31)), 2013);
  EXPECT_EQ(kIij.FiscalYearOf(Day(2013, 3, 31)), 2012);
  EXPECT_EQ(kIij.FiscalYearOf(Day(2014, 4, 1)), 2014);
}

TEST(FiscalCalendarTest, EndNamingNamesByYearEnd) {
  EXPECT_EQ(kJanEnd.YearStart(2024), Day(2023, 2, 1));
  EXPECT_EQ(kJanEnd.YearEnd(2024), Day(2024, 1, 31));
  EXPECT_EQ(kJanEnd.FiscalYearOf(Day(2023, 2, 1)), 2024);
  EXPECT_EQ(kJanEnd.FiscalYearOf(Day(2023, 1, 31)), 2023);
  EXPECT_EQ(kJunEnd.YearStart(2024), Day(2023, 7, 1));
  EXPECT_EQ(kJunEnd.YearEnd(2024), Day(2024, 6, 30));
  EXPECT_EQ(kSepEnd.YearStart(2024), Day(2023, 10, 1));
  EXPECT_EQ(kSepEnd.YearEnd(2024), Day(2024, 9, 30));
  EXPECT_EQ(kSepEnd.FiscalYearOf(Day(2023, 9, 30)), 2023);
  EXPECT_EQ(kSepEnd.FiscalYearOf(Day(2023, 10, 1)), 2024);
}

TEST(FiscalCalendarTest, StartNamingOtherMonths) {
  const FiscalCalendar jan_start{1, FiscalYearNaming::kStart};
  EXPECT_EQ(jan_start.YearStart(2013), Day(2013, 2, 1));
  EXPECT_EQ(jan_start.YearEnd(2013), Day(2014, 1, 31));
  const FiscalCalendar jun_start{6, FiscalYearNaming::kStart};
  EXPECT_EQ(jun_start.YearStart(2013), Day(2013, 7, 1));
  EXPECT_EQ(jun_start.YearEnd(2013), Day(2014, 6, 30));
  EXPECT_EQ(jun_start.FiscalYearOf(Day(2014, 6, 30)), 2013);
}

TEST(FiscalCalendarTest, DecemberIsTheCalendarYearUnderBothNamings) {
  const FiscalCalendar dec_start{12, FiscalYearNaming::kStart};
  for (const FiscalCalendar& c : {kCalendar, dec_start}) {
    SCOPED_TRACE(Describe(c));
    EXPECT_EQ(c.YearStart(2013), Day(2013, 1, 1));
    EXPECT_EQ(c.YearEnd(2013), Day(2013, 12, 31));
    EXPECT_EQ(c.FiscalYearOf(Day(2013, 1, 1)), 2013);
    EXPECT_EQ(c.FiscalYearOf(Day(2013, 12, 31)), 2013);
  }
  EXPECT_EQ(kCalendar.fiscal_year_end_month, 12);
  EXPECT_EQ(kCalendar.naming, FiscalYearNaming::kEnd);
}

TEST(FiscalCalendarTest, FebruaryYearEndFollowsLeapYears) {
  const FiscalCalendar feb_end{2, FiscalYearNaming::kEnd};
  EXPECT_EQ(feb_end.YearStart(2024), Day(2023, 3, 1));
  EXPECT_EQ(feb_end.YearEnd(2024), Day(2024, 2, 29));
  EXPECT_EQ(feb_end.YearEnd(2023), Day(2023, 2, 28));
  EXPECT_EQ(feb_end.YearEnd(2100), Day(2100, 2, 28));  // not a leap year
  EXPECT_EQ(feb_end.YearEnd(2000), Day(2000, 2, 29));  // but this one is
  EXPECT_EQ(feb_end.FiscalYearOf(Day(2024, 2, 29)), 2024);
  EXPECT_EQ(feb_end.FiscalYearOf(Day(2024, 3, 1)), 2025);
  const FiscalCalendar feb_start{2, FiscalYearNaming::kStart};
  EXPECT_EQ(feb_start.YearStart(2023), Day(2023, 3, 1));
  EXPECT_EQ(feb_start.YearEnd(2023), Day(2024, 2, 29));
}

TEST(FiscalCalendarTest, Validate) {
  for (int month = 1; month <= 12; ++month) {
    EXPECT_TRUE(
        (FiscalCalendar{month, FiscalYearNaming::kEnd}.Validate().ok()));
    EXPECT_TRUE(
        (FiscalCalendar{month, FiscalYearNaming::kStart}.Validate().ok()));
  }
  for (int month : {0, 13, -1, 100}) {
    absl::Status s = FiscalCalendar{month, FiscalYearNaming::kEnd}.Validate();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << month;
    EXPECT_THAT(s.message(), HasSubstr(kpidb::StrCat(month)));
  }
  // The naming is persisted as an int; an unknown value is not a calendar.
  absl::Status s =
      FiscalCalendar{3, static_cast<FiscalYearNaming>(7)}.Validate();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
}

TEST(FiscalCalendarTest, Equality) {
  EXPECT_EQ(kIij, (FiscalCalendar{3, FiscalYearNaming::kStart}));
  EXPECT_NE(kIij, (FiscalCalendar{3, FiscalYearNaming::kEnd}));
  EXPECT_NE(kIij, (FiscalCalendar{4, FiscalYearNaming::kStart}));
}

TEST(FiscalYearNamingTest, ParseAndName) {
  EXPECT_EQ(*ParseFiscalYearNaming("start"), FiscalYearNaming::kStart);
  EXPECT_EQ(*ParseFiscalYearNaming("END"), FiscalYearNaming::kEnd);
  EXPECT_EQ(*ParseFiscalYearNaming("Start"), FiscalYearNaming::kStart);
  EXPECT_EQ(*ParseFiscalYearNaming(" end "), FiscalYearNaming::kEnd);
  for (FiscalYearNaming n :
       {FiscalYearNaming::kStart, FiscalYearNaming::kEnd}) {
    EXPECT_EQ(*ParseFiscalYearNaming(FiscalYearNamingName(n)), n);
  }
  EXPECT_EQ(FiscalYearNamingName(FiscalYearNaming::kStart), "start");
  EXPECT_EQ(FiscalYearNamingName(FiscalYearNaming::kEnd), "end");
  // Persisted values.
  EXPECT_EQ(static_cast<int>(FiscalYearNaming::kEnd), 0);
  EXPECT_EQ(static_cast<int>(FiscalYearNaming::kStart), 1);
  for (std::string_view bad : {"", "begin", "starts", "st art", "0", "1"}) {
    absl::StatusOr<FiscalYearNaming> n = ParseFiscalYearNaming(bad);
    ASSERT_FALSE(n.ok()) << bad;
    EXPECT_EQ(n.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(n.status().message(), HasSubstr(Quoted(bad)));
  }
}

// --- Parse and Label ---------------------------------------------------------

TEST(PeriodParseTest, IijCanonicalLabels) {
  const LabelCase cases[] = {
      {"FY2013", kIij, Day(2013, 4, 1), Day(2014, 3, 31), "FY2013"},
      {"FY2013H1", kIij, Day(2013, 4, 1), Day(2013, 9, 30), "FY2013H1"},
      {"FY2013H2", kIij, Day(2013, 10, 1), Day(2014, 3, 31), "FY2013H2"},
      {"FY2013Q1", kIij, Day(2013, 4, 1), Day(2013, 6, 30), "FY2013Q1"},
      {"FY2013Q2", kIij, Day(2013, 7, 1), Day(2013, 9, 30), "FY2013Q2"},
      {"FY2013Q3", kIij, Day(2013, 10, 1), Day(2013, 12, 31), "FY2013Q3"},
      {"FY2013Q4", kIij, Day(2014, 1, 1), Day(2014, 3, 31), "FY2013Q4"},
      {"FY2013Q1-Q3", kIij, Day(2013, 4, 1), Day(2013, 12, 31), "FY2013Q1-Q3"},
      // Year-to-date ranges that have a shorter name.
      {"FY2013Q1-Q1", kIij, Day(2013, 4, 1), Day(2013, 6, 30), "FY2013Q1"},
      {"FY2013Q1-Q2", kIij, Day(2013, 4, 1), Day(2013, 9, 30), "FY2013H1"},
      {"FY2013Q1-Q4", kIij, Day(2013, 4, 1), Day(2014, 3, 31), "FY2013"},
      // Other quarter ranges are read as Qa start .. Qb end.
      {"FY2013Q3-Q4", kIij, Day(2013, 10, 1), Day(2014, 3, 31), "FY2013H2"},
      {"FY2013Q3-Q3", kIij, Day(2013, 10, 1), Day(2013, 12, 31), "FY2013Q3"},
      {"FY2013Q2-Q3", kIij, Day(2013, 7, 1), Day(2013, 12, 31),
       "2013-07-01/2013-12-31"},
      {"FY2013Q2-Q4", kIij, Day(2013, 7, 1), Day(2014, 3, 31),
       "2013-07-01/2014-03-31"},
  };
  for (const LabelCase& c : cases) ExpectCase(c);
}

TEST(PeriodParseTest, IijDeckForms) {
  const Day q3_start(2013, 10, 1), q3_end(2013, 12, 31);
  const Day fy_start(2013, 4, 1), fy_end(2014, 3, 31);
  const Day h1_end(2013, 9, 30), h2_start(2013, 10, 1);
  const LabelCase cases[] = {
      {"3Q13", kIij, q3_start, q3_end, "FY2013Q3"},
      {"3Q FY13", kIij, q3_start, q3_end, "FY2013Q3"},
      {"3Q FY2013", kIij, q3_start, q3_end, "FY2013Q3"},
      {"1Q-3Q FY13", kIij, fy_start, q3_end, "FY2013Q1-Q3"},
      {"1Q-3Q FY2013", kIij, fy_start, q3_end, "FY2013Q1-Q3"},
      {"1Q-3Q13", kIij, fy_start, q3_end, "FY2013Q1-Q3"},
      {"FY13", kIij, fy_start, fy_end, "FY2013"},
      {"1H FY13", kIij, fy_start, h1_end, "FY2013H1"},
      {"2H FY2013", kIij, h2_start, fy_end, "FY2013H2"},
      {"1H13", kIij, fy_start, h1_end, "FY2013H1"},
      {"2H13", kIij, h2_start, fy_end, "FY2013H2"},
      {"FY2013 1H", kIij, fy_start, h1_end, "FY2013H1"},
      {"FY13 3Q", kIij, q3_start, q3_end, "FY2013Q3"},
      {"4Q13", kIij, Day(2014, 1, 1), fy_end, "FY2013Q4"},
      {"1Q-2Q13", kIij, fy_start, h1_end, "FY2013H1"},
      {"1Q-4Q FY13", kIij, fy_start, fy_end, "FY2013"},
      // Case, blanks and the obvious mixtures of the two styles.
      {"fy2013q3", kIij, q3_start, q3_end, "FY2013Q3"},
      {"3q13", kIij, q3_start, q3_end, "FY2013Q3"},
      {"1q-3q fy13", kIij, fy_start, q3_end, "FY2013Q1-Q3"},
      {"  FY2013Q3  ", kIij, q3_start, q3_end, "FY2013Q3"},
      {"\tfy13  3q\n", kIij, q3_start, q3_end, "FY2013Q3"},
      {"FY13Q3", kIij, q3_start, q3_end, "FY2013Q3"},
      {"FY2013 Q3", kIij, q3_start, q3_end, "FY2013Q3"},
      {"FY2013 Q1-Q3", kIij, fy_start, q3_end, "FY2013Q1-Q3"},
      {"FY13 1Q-3Q", kIij, fy_start, q3_end, "FY2013Q1-Q3"},
      {"Q3 FY2013", kIij, q3_start, q3_end, "FY2013Q3"},
      {"H1 FY13", kIij, fy_start, h1_end, "FY2013H1"},
      {"3QFY13", kIij, q3_start, q3_end, "FY2013Q3"},
      {"3Q2013", kIij, q3_start, q3_end, "FY2013Q3"},
  };
  for (const LabelCase& c : cases) ExpectCase(c);
}

TEST(PeriodParseTest, TwoDigitYearsAre2000s) {
  EXPECT_EQ(P("FY99", kCalendar).start(), Day(2099, 1, 1));
  EXPECT_EQ(P("FY00", kCalendar).start(), Day(2000, 1, 1));
  EXPECT_EQ(P("1Q05", kCalendar).start(), Day(2005, 1, 1));
  EXPECT_EQ(P("FY1999", kCalendar).start(), Day(1999, 1, 1));
  EXPECT_EQ(P("FY0001", kCalendar).Label(kCalendar), "FY0001");
}

TEST(PeriodParseTest, JanuaryYearEnd) {
  const LabelCase cases[] = {
      {"FY2024", kJanEnd, Day(2023, 2, 1), Day(2024, 1, 31), "FY2024"},
      {"FY2024Q1", kJanEnd, Day(2023, 2, 1), Day(2023, 4, 30), "FY2024Q1"},
      {"FY2024Q2", kJanEnd, Day(2023, 5, 1), Day(2023, 7, 31), "FY2024Q2"},
      {"FY2024Q3", kJanEnd, Day(2023, 8, 1), Day(2023, 10, 31), "FY2024Q3"},
      {"FY2024Q4", kJanEnd, Day(2023, 11, 1), Day(2024, 1, 31), "FY2024Q4"},
      {"FY2024H1", kJanEnd, Day(2023, 2, 1), Day(2023, 7, 31), "FY2024H1"},
      {"FY2024H2", kJanEnd, Day(2023, 8, 1), Day(2024, 1, 31), "FY2024H2"},
      {"FY2024Q1-Q3", kJanEnd, Day(2023, 2, 1), Day(2023, 10, 31),
       "FY2024Q1-Q3"},
      {"3Q FY24", kJanEnd, Day(2023, 8, 1), Day(2023, 10, 31), "FY2024Q3"},
      {"4Q24", kJanEnd, Day(2023, 11, 1), Day(2024, 1, 31), "FY2024Q4"},
      {"2023-02-01/2024-01-31", kJanEnd, Day(2023, 2, 1), Day(2024, 1, 31),
       "FY2024"},
  };
  for (const LabelCase& c : cases) ExpectCase(c);
}

TEST(PeriodParseTest, JuneYearEnd) {
  const LabelCase cases[] = {
      {"FY2024", kJunEnd, Day(2023, 7, 1), Day(2024, 6, 30), "FY2024"},
      {"FY2024Q1", kJunEnd, Day(2023, 7, 1), Day(2023, 9, 30), "FY2024Q1"},
      {"FY2024Q3", kJunEnd, Day(2024, 1, 1), Day(2024, 3, 31), "FY2024Q3"},
      {"1H FY24", kJunEnd, Day(2023, 7, 1), Day(2023, 12, 31), "FY2024H1"},
      {"FY24 2H", kJunEnd, Day(2024, 1, 1), Day(2024, 6, 30), "FY2024H2"},
      {"1Q-3Q FY2024", kJunEnd, Day(2023, 7, 1), Day(2024, 3, 31),
       "FY2024Q1-Q3"},
  };
  for (const LabelCase& c : cases) ExpectCase(c);
}

TEST(PeriodParseTest, SeptemberYearEnd) {
  const LabelCase cases[] = {
      {"FY2024", kSepEnd, Day(2023, 10, 1), Day(2024, 9, 30), "FY2024"},
      {"FY2024Q1", kSepEnd, Day(2023, 10, 1), Day(2023, 12, 31), "FY2024Q1"},
      {"FY2024Q2", kSepEnd, Day(2024, 1, 1), Day(2024, 3, 31), "FY2024Q2"},
      {"4Q24", kSepEnd, Day(2024, 7, 1), Day(2024, 9, 30), "FY2024Q4"},
      {"FY24 1H", kSepEnd, Day(2023, 10, 1), Day(2024, 3, 31), "FY2024H1"},
      {"1Q-3Q24", kSepEnd, Day(2023, 10, 1), Day(2024, 6, 30), "FY2024Q1-Q3"},
  };
  for (const LabelCase& c : cases) ExpectCase(c);
}

TEST(PeriodParseTest, CalendarYear) {
  const FiscalCalendar dec_start{12, FiscalYearNaming::kStart};
  for (const FiscalCalendar& cal : {kCalendar, dec_start}) {
    const LabelCase cases[] = {
        {"FY2013", cal, Day(2013, 1, 1), Day(2013, 12, 31), "FY2013"},
        {"FY2013Q1", cal, Day(2013, 1, 1), Day(2013, 3, 31), "FY2013Q1"},
        {"3Q13", cal, Day(2013, 7, 1), Day(2013, 9, 30), "FY2013Q3"},
        {"FY2013Q4", cal, Day(2013, 10, 1), Day(2013, 12, 31), "FY2013Q4"},
        {"2H FY13", cal, Day(2013, 7, 1), Day(2013, 12, 31), "FY2013H2"},
        {"1Q-3Q13", cal, Day(2013, 1, 1), Day(2013, 9, 30), "FY2013Q1-Q3"},
        {"2013-01-01/2013-12-31", cal, Day(2013, 1, 1), Day(2013, 12, 31),
         "FY2013"},
    };
    for (const LabelCase& c : cases) ExpectCase(c);
  }
}

TEST(PeriodParseTest, LeapYearFebruaryYearEnd) {
  const FiscalCalendar feb_end{2, FiscalYearNaming::kEnd};
  const LabelCase cases[] = {
      {"FY2024", feb_end, Day(2023, 3, 1), Day(2024, 2, 29), "FY2024"},
      {"FY2024Q4", feb_end, Day(2023, 12, 1), Day(2024, 2, 29), "FY2024Q4"},
      {"FY2023Q4", feb_end, Day(2022, 12, 1), Day(2023, 2, 28), "FY2023Q4"},
      {"2H FY24", feb_end, Day(2023, 9, 1), Day(2024, 2, 29), "FY2024H2"},
      {"2023-03-01/2024-02-29", feb_end, Day(2023, 3, 1), Day(2024, 2, 29),
       "FY2024"},
      // One day short of the year is no fiscal label.
      {"2023-03-01/2024-02-28", feb_end, Day(2023, 3, 1), Day(2024, 2, 28),
       "2023-03-01/2024-02-28"},
  };
  for (const LabelCase& c : cases) ExpectCase(c);
  absl::StatusOr<Period> leap_day = Period::Parse("2024-02-29", feb_end);
  ASSERT_TRUE(leap_day.ok()) << leap_day.status();
  EXPECT_TRUE(leap_day->is_instant());
  EXPECT_EQ(leap_day->Label(feb_end), "2024-02-29");
}

TEST(PeriodParseTest, DatesAndRanges) {
  absl::StatusOr<Period> instant = Period::Parse("2013-12-31", kIij);
  ASSERT_TRUE(instant.ok()) << instant.status();
  EXPECT_TRUE(instant->is_instant());
  EXPECT_EQ(instant->start(), Day(2013, 12, 31));
  EXPECT_EQ(instant->end(), Day(2013, 12, 31));
  EXPECT_EQ(instant->length_days(), 0);
  EXPECT_EQ(instant->Label(kIij), "2013-12-31");
  EXPECT_EQ(*instant, Period::Instant(Day(2013, 12, 31)));

  // A range that is a fiscal period comes out under its fiscal name.
  const LabelCase cases[] = {
      {"2013-04-01/2013-12-31", kIij, Day(2013, 4, 1), Day(2013, 12, 31),
       "FY2013Q1-Q3"},
      {"2013-04-01/2014-03-31", kIij, Day(2013, 4, 1), Day(2014, 3, 31),
       "FY2013"},
      {"2013-01-01/2013-12-31", kIij, Day(2013, 1, 1), Day(2013, 12, 31),
       "2013-01-01/2013-12-31"},
      {"2013-04-02/2013-06-30", kIij, Day(2013, 4, 2), Day(2013, 6, 30),
       "2013-04-02/2013-06-30"},
      {"2013-04-01/2013-06-29", kIij, Day(2013, 4, 1), Day(2013, 6, 29),
       "2013-04-01/2013-06-29"},
      {"2013-04-01/2013-05-31", kIij, Day(2013, 4, 1), Day(2013, 5, 31),
       "2013-04-01/2013-05-31"},
      // Two years is no fiscal label either.
      {"2013-04-01/2015-03-31", kIij, Day(2013, 4, 1), Day(2015, 3, 31),
       "2013-04-01/2015-03-31"},
      {" 2013-04-01/2013-12-31 ", kIij, Day(2013, 4, 1), Day(2013, 12, 31),
       "FY2013Q1-Q3"},
  };
  for (const LabelCase& c : cases) ExpectCase(c);

  // A one-day duration is not the instant of that day.
  absl::StatusOr<Period> one_day = Period::Parse("2013-04-01/2013-04-01", kIij);
  ASSERT_TRUE(one_day.ok()) << one_day.status();
  EXPECT_FALSE(one_day->is_instant());
  EXPECT_EQ(one_day->length_days(), 1);
  EXPECT_NE(*one_day, Period::Instant(Day(2013, 4, 1)));
  EXPECT_EQ(one_day->Label(kIij), "2013-04-01/2013-04-01");
}

// Each label is InvalidArgument under every calendar, quoting the label.
void ExpectRejected(std::initializer_list<std::string_view> bad) {
  for (std::string_view label : bad) {
    for (const FiscalCalendar& cal : {kIij, kJanEnd, kCalendar}) {
      absl::StatusOr<Period> p = Period::Parse(label, cal);
      ASSERT_FALSE(p.ok()) << "\"" << label << "\" -> "
                           << ::testing::PrintToString(*p);
      EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument) << label;
      EXPECT_THAT(p.status().message(), HasSubstr(Quoted(label)));
    }
  }
}

TEST(PeriodParseTest, Rejections) {
  ExpectRejected({
      "FY2013Q5",
      "FY2013H3",
      "Q3",
      "FY",
      "2013-02-30",
      "2013-13-01",
      "13-12-31",
      "2013-12-31/2013-01-01",
      "FY2013Q3-Q1",
      "FY20133",
      "",
      "   ",
  });
}

TEST(PeriodParseTest, RejectsTrailingGarbage) {
  ExpectRejected({
      "FY2013Q3x",
      "FY2013 extra",
      "3Q13x",
      "3Q13 FY13",
      "FY13 3Q 13",
      "FY2013Q1-Q3-Q4",
      "FY2013Q1-Q33",
      "FY2013Q10",
      "2013-12-31x",
      "2013-12-31/",
      "2013-12-31/2014-01-01x",
  });
}

TEST(PeriodParseTest, RejectsMalformedPartsAndYears) {
  ExpectRejected({
      "FY2013Q0",
      "FY2013H0",
      "FY2013H1-H2",
      "FY2013Q1-H2",
      "FY2013Q1-",
      "FY2013Q1-Q",
      "FY2013Q",
      "FY2013H",
      "0Q13",
      "5Q13",
      "3H13",
      "3Q",
      "1H",
      "3Q FY",
      "3Q FY133",
      "3Q 13",
      "Q313",
      "Q3 13",
      "1Q-Q3 FY13",
      "Q1-3Q FY13",
      "1Q - 3Q FY13",
      "1Q-3Q",
      "FY0000",
      "FY013",
      "FY1",
      "FY 2013",
      "FYFY",
      "F2013",
      "FX2013",
      "Y2013",
      "2013",
      "13",
      "X",
      "-",
      "/",
  });
}

// Dates that are not strict ISO dates or do not exist.
TEST(PeriodParseTest, RejectsDatesThatAreNotStrictIso) {
  ExpectRejected({
      "2013-2-01",
      "2013-12-1",
      "2013/12/31",
      "0000-01-01",
      "2023-02-29",
      "1900-02-29",
      "2013-00-10",
      "2013-04-31",
      "2013-04-00",
      "2013-12-31 / 2014-01-01",
      "2013-12-31/13-12-31",
      "2013-12-31//2014-01-01",
  });
}

TEST(PeriodParseTest, ErrorMessagesSayWhy) {
  auto message = [](std::string_view label) {
    return std::string(Period::Parse(label, kIij).status().message());
  };
  EXPECT_THAT(message("FY2013Q5"), HasSubstr("quarter must be 1 to 4"));
  EXPECT_THAT(message("FY2013H3"), HasSubstr("half must be 1 or 2"));
  EXPECT_THAT(message("Q3"), HasSubstr("missing fiscal year"));
  EXPECT_THAT(message("FY20133"), HasSubstr("2 or 4 digits"));
  EXPECT_THAT(message("FY2013Q3-Q1"), HasSubstr("backwards"));
  EXPECT_THAT(message("2013-02-30"), HasSubstr("no such date"));
  EXPECT_THAT(message("2013-12-31/2013-01-01"), HasSubstr("before"));
  EXPECT_THAT(message("FY2013Q3x"), HasSubstr("unexpected text"));
  EXPECT_THAT(message(""), HasSubstr("empty"));
}

TEST(PeriodParseTest, ErrorQuotesUnprintableAndLongLabelsSafely) {
  absl::Status s = Period::Parse("FY2013\x01", kIij).status();
  EXPECT_THAT(s.message(), HasSubstr("\"FY2013\\x01\""));
  const std::string long_label(10000, 'x');
  s = Period::Parse(long_label, kIij).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("10000 bytes"));
  EXPECT_LT(s.message().size(), 200u);
}

TEST(PeriodParseTest, InvalidCalendarRejectsFiscalLabelsOnly) {
  const FiscalCalendar bad{13, FiscalYearNaming::kEnd};
  absl::StatusOr<Period> p = Period::Parse("FY2013", bad);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(p.status().message(), HasSubstr("\"FY2013\""));
  EXPECT_THAT(p.status().message(), HasSubstr("calendar"));
  // Dates need no calendar; Label falls back to dates.
  absl::StatusOr<Period> range = Period::Parse("2013-01-01/2013-12-31", bad);
  ASSERT_TRUE(range.ok()) << range.status();
  EXPECT_EQ(range->Label(bad), "2013-01-01/2013-12-31");
}

TEST(PeriodLabelTest, SameDatesDifferentCalendars) {
  const Period p = Dur(Day(2013, 4, 1), Day(2013, 6, 30));
  EXPECT_EQ(p.Label(kIij), "FY2013Q1");
  EXPECT_EQ(p.Label((FiscalCalendar{3, FiscalYearNaming::kEnd})), "FY2014Q1");
  EXPECT_EQ(p.Label(kCalendar), "FY2013Q2");
  EXPECT_EQ(p.Label(kJanEnd), "2013-04-01/2013-06-30");
  EXPECT_EQ(p.Label(kJunEnd), "FY2013Q4");
  EXPECT_EQ(p.Label(kSepEnd), "FY2013Q3");
}

TEST(PeriodLabelTest, YearRangeEdges) {
  // FY9999 of IIJ would end in year 10000, and FY0001 of a January year end
  // start in year 0: periods stay inside 0001-9999, so these are refused
  // (under another calendar their dates would print as a range nothing
  // reads back). year_range_test.cc covers every calendar.
  for (const auto& [label, cal] : {std::pair{"FY9999", kIij}, std::pair{"FY0001", kJanEnd},
                                   std::pair{"FY0001Q4", kJanEnd}}) {
    absl::StatusOr<Period> p = Period::Parse(label, cal);
    ASSERT_FALSE(p.ok()) << label;
    EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(p.status().message(), HasSubstr("outside the years 0001-9999")) << label;
  }
  // Labels next to them, inside the years, read and print as usual.
  EXPECT_EQ(P("FY9999Q3", kIij).Label(kIij), "FY9999Q3");
  EXPECT_EQ(P("FY0002", kJanEnd).start(), Day(1, 2, 1));
  EXPECT_EQ(P("FY0002", kJanEnd).Label(kJanEnd), "FY0002");
  // 0001-01-01..0001-03-31 is Q4 of IIJ's fiscal year 0, which has no label:
  // its dates are printed instead.
  EXPECT_EQ(Dur(Day(1, 4, 1), Day(2, 3, 31)).Label(kIij), "FY0001");
  const Period before = Dur(Day(1, 1, 1), Day(1, 3, 31));
  EXPECT_EQ(before.Label(kIij), "0001-01-01/0001-03-31");
  EXPECT_EQ(P(before.Label(kIij), kIij), before);
}

// --- Dates -------------------------------------------------------------------

TEST(DateTest, ParseDateIsStrict) {
  EXPECT_EQ(*ParseDate("2013-12-31"), Day(2013, 12, 31));
  EXPECT_EQ(*ParseDate("0001-01-01"), Day(1, 1, 1));
  EXPECT_EQ(*ParseDate("9999-12-31"), Day(9999, 12, 31));
  EXPECT_EQ(*ParseDate("2000-02-29"), Day(2000, 2, 29));
  EXPECT_EQ(*ParseDate("2024-02-29"), Day(2024, 2, 29));
  for (std::string_view bad :
       {"", "2013-02-30", "2013-13-01", "13-12-31", "0000-12-31", "2013-2-01",
        " 2013-12-31", "2013-12-31 ", "2013-12-3a", "+013-12-31", "2013_12-31",
        "2013-12-31x", "20131231", "1900-02-29", "2013-06-31", "-013-12-31",
        "2013-12-00"}) {
    absl::StatusOr<Day> d = ParseDate(bad);
    ASSERT_FALSE(d.ok()) << bad;
    EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(d.status().message(), HasSubstr(Quoted(bad)));
  }
}

TEST(DateTest, FormatDateZeroPads) {
  EXPECT_EQ(FormatDate(Day(2013, 4, 1)), "2013-04-01");
  EXPECT_EQ(FormatDate(Day(5, 1, 2)), "0005-01-02");
  EXPECT_EQ(FormatDate(Day(9999, 12, 31)), "9999-12-31");
  // Years ParseDate does not read are still printed in full.
  EXPECT_EQ(FormatDate(Day(10000, 1, 1)), "10000-01-01");
  EXPECT_EQ(FormatDate(Day(-1, 1, 1)), "-1-01-01");
}

TEST(DateTest, EveryDayRoundTrips) {
  for (Day d(1999, 1, 1); d <= Day(2001, 12, 31); ++d) {
    const std::string s = FormatDate(d);
    absl::StatusOr<Day> back = ParseDate(s);
    ASSERT_TRUE(back.ok()) << s;
    ASSERT_EQ(*back, d) << s;
  }
}

// --- Period value semantics -------------------------------------------------

TEST(PeriodTest, Construction) {
  EXPECT_EQ(Period(), Period::Instant(Day(1970, 1, 1)));
  EXPECT_TRUE(Period().is_instant());
  const Period p = Dur(Day(2013, 1, 1), Day(2013, 12, 31));
  EXPECT_EQ(p.length_days(), 365);
  EXPECT_EQ(Dur(Day(2024, 1, 1), Day(2024, 12, 31)).length_days(), 366);
  absl::StatusOr<Period> backwards =
      Period::Duration(Day(2013, 12, 31), Day(2013, 1, 1));
  ASSERT_FALSE(backwards.ok());
  EXPECT_EQ(backwards.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(backwards.status().message(), HasSubstr("2013-12-31"));
}

TEST(PeriodTest, Within) {
  const Period q3 = P("FY2013Q3", kIij);
  EXPECT_TRUE(q3.Within(Day(2013, 10, 1), Day(2013, 12, 31)));
  EXPECT_TRUE(q3.Within(Day(2013, 1, 1), Day(2014, 12, 31)));
  EXPECT_FALSE(q3.Within(Day(2013, 10, 2), Day(2013, 12, 31)));
  EXPECT_FALSE(q3.Within(Day(2013, 10, 1), Day(2013, 12, 30)));
}

TEST(PeriodTest, OrderByEndThenShorterFirst) {
  // All end on 2013-12-31 except the last.
  const std::vector<Period> expected = {
      Period::Instant(Day(2013, 9, 30)),
      P("FY2013Q2", kIij),
      P("FY2013H1", kIij),
      Period::Instant(Day(2013, 12, 31)),
      Dur(Day(2013, 12, 31), Day(2013, 12, 31)),
      P("FY2013Q3", kIij),
      P("FY2013Q1-Q3", kIij),
      P("FY2013", kCalendar),
      Period::Instant(Day(2014, 1, 1)),
      P("FY2013Q4", kIij),
      P("FY2013H2", kIij),
      P("FY2013", kIij),
  };
  for (size_t i = 0; i < expected.size(); ++i) {
    for (size_t j = 0; j < expected.size(); ++j) {
      const std::strong_ordering want = i <=> j;
      EXPECT_EQ(expected[i] <=> expected[j], want)
          << ::testing::PrintToString(expected[i]) << " vs "
          << ::testing::PrintToString(expected[j]);
      EXPECT_EQ(expected[i] == expected[j], i == j);
    }
  }
  std::vector<Period> shuffled = expected;
  std::mt19937 rng(Seed());
  std::shuffle(shuffled.begin(), shuffled.end(), rng);
  std::sort(shuffled.begin(), shuffled.end());
  EXPECT_EQ(shuffled, expected);
}

// --- Properties --------------------------------------------------------------

FiscalCalendar RandomCalendar(std::mt19937& rng) {
  return FiscalCalendar{std::uniform_int_distribution<int>(1, 12)(rng),
                        std::uniform_int_distribution<int>(0, 1)(rng) == 0
                            ? FiscalYearNaming::kEnd
                            : FiscalYearNaming::kStart};
}

std::string FiscalLabel(int fy, int first, int last) {
  return absl::StrFormat("FY%04dQ%d-Q%d", fy, first, last);
}

TEST(PeriodPropertyTest, QuartersTileTheFiscalYear) {
  std::mt19937 rng(Seed());
  for (int iter = 0; iter < 2000; ++iter) {
    const FiscalCalendar cal = RandomCalendar(rng);
    const int fy = std::uniform_int_distribution<int>(1990, 2060)(rng);
    SCOPED_TRACE(kpidb::StrCat(Describe(cal), " FY", fy));

    // The year itself, checked against the definition rather than the code:
    // it ends on the last day of the end month, in year fy for kEnd and in
    // the year after the one it starts in (fy) for kStart.
    const Day start = cal.YearStart(fy), end = cal.YearEnd(fy);
    EXPECT_EQ(start.day(), 1);
    EXPECT_EQ(end.month(), cal.fiscal_year_end_month);
    EXPECT_EQ((end + 1).day(), 1);
    EXPECT_EQ(absl::CivilMonth(end) - absl::CivilMonth(start), 11);
    if (cal.naming == FiscalYearNaming::kEnd ||
        cal.fiscal_year_end_month == 12) {
      EXPECT_EQ(end.year(), fy);
    } else {
      EXPECT_EQ(start.year(), fy);
    }
    EXPECT_EQ(cal.YearEnd(fy - 1) + 1, start);
    EXPECT_EQ(cal.YearStart(fy + 1), end + 1);
    EXPECT_EQ(cal.FiscalYearOf(start), fy);
    EXPECT_EQ(cal.FiscalYearOf(end), fy);

    Period q[5];
    Day next = start;
    for (int n = 1; n <= 4; ++n) {
      q[n] = P(absl::StrFormat("FY%04dQ%d", fy, n), cal);
      EXPECT_EQ(q[n].start(), next) << "Q" << n;
      EXPECT_EQ(q[n].start().day(), 1);
      EXPECT_EQ((q[n].end() + 1).day(), 1);
      EXPECT_EQ(absl::CivilMonth(q[n].end()) - absl::CivilMonth(q[n].start()),
                2);
      next = q[n].end() + 1;
    }
    EXPECT_EQ(q[4].end(), end);

    const Period year = P(absl::StrFormat("FY%04d", fy), cal);
    EXPECT_EQ(year, Dur(start, end));
    EXPECT_EQ(P(absl::StrFormat("FY%04dH1", fy), cal),
              Dur(q[1].start(), q[2].end()));
    EXPECT_EQ(P(absl::StrFormat("FY%04dH2", fy), cal),
              Dur(q[3].start(), q[4].end()));
    for (int a = 1; a <= 4; ++a) {
      for (int b = a; b <= 4; ++b) {
        EXPECT_EQ(P(FiscalLabel(fy, a, b), cal), Dur(q[a].start(), q[b].end()))
            << a << "-" << b;
      }
    }

    // Deck forms name the same dates.
    const int n = std::uniform_int_distribution<int>(1, 4)(rng);
    EXPECT_EQ(P(absl::StrFormat("%dQ FY%04d", n, fy), cal), q[n]);
    EXPECT_EQ(P(absl::StrFormat("FY%04d %dQ", fy, n), cal), q[n]);
    EXPECT_EQ(P(absl::StrFormat("1Q-%dQ FY%d", n, fy), cal),
              Dur(start, q[n].end()));
    if (fy >= 2000 && fy <= 2099) {
      EXPECT_EQ(P(absl::StrFormat("%dQ%02d", n, fy - 2000), cal), q[n]);
      EXPECT_EQ(P(absl::StrFormat("FY%02d", fy - 2000), cal), year);
    }
  }
}

// Random periods of every shape: fiscal labels, month-aligned near misses,
// arbitrary durations and instants.
Period RandomPeriod(std::mt19937& rng, const FiscalCalendar& cal) {
  const int fy = std::uniform_int_distribution<int>(1990, 2060)(rng);
  const int kind = std::uniform_int_distribution<int>(0, 5)(rng);
  const Day year_start = cal.YearStart(fy);
  switch (kind) {
    case 0: {  // any quarter range
      const int a = std::uniform_int_distribution<int>(1, 4)(rng);
      const int b = std::uniform_int_distribution<int>(a, 4)(rng);
      return P(FiscalLabel(fy, a, b), cal);
    }
    case 1: {  // whole months, often but not always on quarter boundaries
      const int from = std::uniform_int_distribution<int>(-2, 14)(rng);
      const int months = std::uniform_int_distribution<int>(1, 15)(rng);
      const absl::CivilMonth m = absl::CivilMonth(year_start) + from;
      return Dur(Day(m), Day(m + months) - 1);
    }
    case 2: {  // a quarter or year nudged by a day
      const int a = std::uniform_int_distribution<int>(1, 4)(rng);
      const Period q = P(FiscalLabel(fy, a, a == 1 ? 4 : a), cal);
      const int ds = std::uniform_int_distribution<int>(-1, 1)(rng);
      const int de = std::uniform_int_distribution<int>(-1, 1)(rng);
      return Dur(q.start() + ds, q.end() + de);
    }
    case 3: {  // arbitrary
      const Day s =
          year_start + std::uniform_int_distribution<int>(0, 400)(rng);
      return Dur(s, s + std::uniform_int_distribution<int>(0, 800)(rng));
    }
    case 4:
      return Period::Instant(year_start +
                             std::uniform_int_distribution<int>(-5, 370)(rng));
    default: {  // a single-day duration
      const Day d =
          year_start + std::uniform_int_distribution<int>(0, 370)(rng);
      return Dur(d, d);
    }
  }
}

TEST(PeriodPropertyTest, LabelRoundTrips) {
  std::mt19937 rng(Seed());
  for (int iter = 0; iter < 20000; ++iter) {
    const FiscalCalendar cal = RandomCalendar(rng);
    const Period p = RandomPeriod(rng, cal);
    const std::string label = p.Label(cal);
    SCOPED_TRACE(kpidb::StrCat(Describe(cal), " ", label));
    absl::StatusOr<Period> back = Period::Parse(label, cal);
    ASSERT_TRUE(back.ok()) << back.status();
    ASSERT_EQ(*back, p);
    // Canonical: printing what was read prints the same label.
    EXPECT_EQ(back->Label(cal), label);
    // A label is a fiscal name exactly when it is not made of dates.
    if (p.is_instant()) {
      EXPECT_EQ(label, FormatDate(p.start()));
    } else if (label[0] != 'F') {
      EXPECT_EQ(label,
                kpidb::StrCat(FormatDate(p.start()), "/", FormatDate(p.end())));
    }
  }
}

TEST(PeriodPropertyTest, OrderingIsConsistentWithEquality) {
  std::mt19937 rng(Seed());
  auto sign = [](std::strong_ordering o) { return o < 0 ? -1 : o > 0 ? 1 : 0; };
  for (int iter = 0; iter < 20000; ++iter) {
    const FiscalCalendar cal = RandomCalendar(rng);
    const Period a = RandomPeriod(rng, cal);
    // Often the same period or one ending the same day.
    Period b = a;
    if (iter % 3 == 1) {
      const int back = std::uniform_int_distribution<int>(0, 100)(rng);
      b = Dur(a.end() - back, a.end());
    } else if (iter % 3 == 2) {
      b = RandomPeriod(rng, cal);
    }
    const std::strong_ordering ab = a <=> b;
    EXPECT_EQ(ab == 0, a == b);
    EXPECT_EQ(sign(ab), -sign(b <=> a));
    if (a.end() != b.end()) {
      EXPECT_EQ(ab < 0, a.end() < b.end());
    } else if (a.length_days() != b.length_days()) {
      EXPECT_EQ(ab < 0, a.length_days() < b.length_days());
    }
  }
}

TEST(PeriodPropertyTest, FiscalYearOfContainsTheDay) {
  std::mt19937 rng(Seed());
  const absl::civil_diff_t span = Day(9999, 12, 31) - Day(1, 1, 1);
  for (int iter = 0; iter < 20000; ++iter) {
    const FiscalCalendar cal = RandomCalendar(rng);
    // Half the days anywhere in 0001..9999, half near the 1990..2060 years.
    const Day d =
        iter % 2 == 0
            ? Day(1, 1, 1) + std::uniform_int_distribution<absl::civil_diff_t>(
                                 0, span)(rng)
            : Day(1990, 1, 1) +
                  std::uniform_int_distribution<int>(0, 71 * 366)(rng);
    const int fy = cal.FiscalYearOf(d);
    SCOPED_TRACE(kpidb::StrCat(Describe(cal), " ", FormatDate(d), " FY", fy));
    EXPECT_LE(cal.YearStart(fy), d);
    EXPECT_LE(d, cal.YearEnd(fy));
  }
  // Every day of a few years, under every calendar.
  for (int month = 1; month <= 12; ++month) {
    for (FiscalYearNaming naming :
         {FiscalYearNaming::kEnd, FiscalYearNaming::kStart}) {
      const FiscalCalendar cal{month, naming};
      for (Day d(2023, 1, 1); d <= Day(2025, 12, 31); ++d) {
        const int fy = cal.FiscalYearOf(d);
        ASSERT_TRUE(cal.YearStart(fy) <= d && d <= cal.YearEnd(fy))
            << Describe(cal) << " " << d;
      }
    }
  }
}

TEST(PeriodWholeMonthsTest, CountsMonthAlignedDurationsOnly) {
  const FiscalCalendar iij{3, FiscalYearNaming::kStart};
  EXPECT_EQ(Period::Parse("FY2013Q3", iij)->whole_months(), 3);
  EXPECT_EQ(Period::Parse("FY2013Q1-Q3", iij)->whole_months(), 9);
  EXPECT_EQ(Period::Parse("FY2013", iij)->whole_months(), 12);
  EXPECT_EQ(Period::Parse("2024-02-01/2024-02-29", iij)->whole_months(), 1);
  EXPECT_EQ(Period::Parse("2023-02-01/2023-02-28", iij)->whole_months(), 1);
  EXPECT_EQ(Period::Parse("2013-04-02/2013-06-30", iij)->whole_months(), 0);
  EXPECT_EQ(Period::Parse("2013-04-01/2013-06-29", iij)->whole_months(), 0);
  EXPECT_EQ(Period::Parse("2013-12-31", iij)->whole_months(), 0);
}

}  // namespace
}  // namespace kpidb
