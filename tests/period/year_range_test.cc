// The years a period may cover, 0001-9999, and the property that rests on
// them: every label Parse() accepts names dates that Label() prints back
// into a label Parse() reads as the same period, under any calendar.
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kpidb/period.h"
#include "lib/util/str_cat.h"

namespace kpidb {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using Day = absl::CivilDay;

const FiscalCalendar kIij{3, FiscalYearNaming::kStart};
const FiscalCalendar kJanEnd{1, FiscalYearNaming::kEnd};
const FiscalCalendar kMarEnd{3, FiscalYearNaming::kEnd};

// Every calendar: year-end months 1-12 under both namings.
std::vector<FiscalCalendar> AllCalendars() {
  std::vector<FiscalCalendar> all;
  for (int month = 1; month <= 12; ++month) {
    for (FiscalYearNaming naming : {FiscalYearNaming::kEnd, FiscalYearNaming::kStart}) {
      all.push_back(FiscalCalendar{month, naming});
    }
  }
  return all;
}

std::string Describe(const FiscalCalendar& c) {
  return kpidb::StrCat("{", c.fiscal_year_end_month, ", ", FiscalYearNamingName(c.naming), "}");
}

std::string Describe(const Period& p) {
  return p.is_instant() ? FormatDate(p.start())
                        : kpidb::StrCat(FormatDate(p.start()), "..", FormatDate(p.end()));
}

// --- Labels whose dates leave 0001-9999 ---------------------------------------

void ExpectOutOfRange(std::string_view label, const FiscalCalendar& calendar,
                      std::string_view dates) {
  absl::StatusOr<Period> p = Period::Parse(label, calendar);
  ASSERT_FALSE(p.ok()) << label << " " << Describe(calendar) << " parsed as " << Describe(*p);
  EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(p.status().message()),
              AllOf(HasSubstr(kpidb::StrCat("\"", label, "\"")), HasSubstr(dates),
                    HasSubstr("outside the years 0001-9999")))
      << label << " " << Describe(calendar);
}

TEST(PeriodYearRangeTest, FiscalYearsSpillingPastYear9999AreRefused) {
  // IIJ's FY9999 runs 9999-04-01 to 10000-03-31.
  ExpectOutOfRange("FY9999", kIij, "9999-04-01 to 10000-03-31");
  ExpectOutOfRange("FY9999H2", kIij, "9999-10-01 to 10000-03-31");
  ExpectOutOfRange("FY9999Q4", kIij, "10000-01-01 to 10000-03-31");
  ExpectOutOfRange("4Q FY9999", kIij, "10000-01-01 to 10000-03-31");
  ExpectOutOfRange("FY9999Q2-Q4", kIij, "9999-07-01 to 10000-03-31");
  // The parts inside year 9999 stay.
  EXPECT_EQ(Period::Parse("FY9999Q3", kIij)->end(), Day(9999, 12, 31));
  EXPECT_EQ(Period::Parse("FY9999Q1-Q3", kIij)->Label(kIij), "FY9999Q1-Q3");
  // A calendar year, or the end naming, never leaves 9999.
  EXPECT_EQ(Period::Parse("FY9999", FiscalCalendar::CalendarYear())->end(),
            Day(9999, 12, 31));
  EXPECT_EQ(Period::Parse("FY9999", kMarEnd)->end(), Day(9999, 3, 31));
}

TEST(PeriodYearRangeTest, FiscalYearsStartingInYearZeroAreRefused) {
  // FY0001 of a January year end runs 0000-02-01 to 0001-01-31.
  ExpectOutOfRange("FY0001", kJanEnd, "0000-02-01 to 0001-01-31");
  ExpectOutOfRange("FY0001Q4", kJanEnd, "0000-11-01 to 0001-01-31");
  ExpectOutOfRange("1H FY0001", kMarEnd, "0000-04-01 to 0000-09-30");
  ExpectOutOfRange("FY0001Q1-Q3", kMarEnd, "0000-04-01 to 0000-12-31");
  EXPECT_EQ(Period::Parse("FY0001Q4", kMarEnd)->start(), Day(1, 1, 1));
  EXPECT_EQ(Period::Parse("FY0001", kIij)->start(), Day(1, 4, 1));
  EXPECT_EQ(Period::Parse("FY0001", FiscalCalendar::CalendarYear())->start(), Day(1, 1, 1));
}

TEST(PeriodYearRangeTest, DatesOutsideTheYearsAreRefused) {
  for (std::string_view label :
       {"0000-12-31", "0000-01-01/0001-12-31", "0001-01-01/0000-12-31", "10000-01-01",
        "9999-12-31/10000-01-01", "+9999-12-31"}) {
    absl::StatusOr<Period> p = Period::Parse(label, kIij);
    ASSERT_FALSE(p.ok()) << label;
    EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(p.status().message()), HasSubstr(kpidb::StrCat("\"", label, "\"")));
  }
  EXPECT_THAT(std::string(Period::Parse("0000-12-31", kIij).status().message()),
              HasSubstr("0001-9999"));
  EXPECT_THAT(std::string(ParseDate("0000-12-31").status().message()), HasSubstr("0001-9999"));
  for (std::string_view label :
       {"10000-01-01", "9999-12-31/10000-01-01", "12345-01-01/2013-01-01"}) {
    EXPECT_THAT(std::string(Period::Parse(label, kIij).status().message()),
                HasSubstr("a year has four digits, 0001-9999"))
        << label;
  }
  EXPECT_THAT(std::string(ParseDate("10000-01-01").status().message()),
              HasSubstr("a year has four digits, 0001-9999"));
  EXPECT_EQ(Period::Parse("0001-01-01/9999-12-31", kIij)->length_days(), 3652059);
}

// --- Round trips -----------------------------------------------------------------

// Years near both ends and a few ordinary ones.
const int kYears[] = {1, 2, 3, 99, 100, 999, 1000, 1999, 2000, 2013, 2099, 2100, 9997, 9998, 9999};

std::vector<std::string> Parts() {
  std::vector<std::string> parts = {"", "H1", "H2"};
  for (int a = 1; a <= 4; ++a) {
    parts.push_back(absl::StrFormat("Q%d", a));
    for (int b = 1; b <= 4; ++b) parts.push_back(absl::StrFormat("Q%d-Q%d", a, b));
  }
  return parts;
}

std::vector<std::string> DeckParts() {
  std::vector<std::string> parts = {"1H", "2H", "3H"};
  for (int a = 0; a <= 5; ++a) {
    parts.push_back(absl::StrFormat("%dQ", a));
    for (int b = 1; b <= 4; ++b) parts.push_back(absl::StrFormat("%dQ-%dQ", a, b));
  }
  return parts;
}

// Fiscal labels in every form Parse() reads, at the edge years.
std::vector<std::string> FiscalLabels() {
  std::vector<std::string> labels;
  for (int year : kYears) {
    const std::string yyyy = absl::StrFormat("%04d", year);
    for (const std::string& part : Parts()) {
      labels.push_back("FY" + yyyy + part);
      if (!part.empty()) labels.push_back(part + " FY" + yyyy);
    }
    for (const std::string& part : DeckParts()) {
      labels.push_back(part + " FY" + yyyy);
      labels.push_back("FY" + yyyy + " " + part);
      labels.push_back(part + yyyy);
    }
  }
  for (int yy : {0, 1, 13, 99}) {
    const std::string two = absl::StrFormat("%02d", yy);
    labels.push_back("FY" + two);
    for (const std::string& part : DeckParts()) {
      labels.push_back(part + two);
      labels.push_back(part + " FY" + two);
    }
  }
  labels.push_back("FY0000");
  labels.push_back("fy9999q4");
  labels.push_back("  1q-3q fy9999\t");
  return labels;
}

std::vector<Day> EdgeDays() {
  std::vector<Day> days;
  for (int year : kYears) {
    for (int month : {1, 2, 3, 4, 6, 9, 10, 11, 12}) {
      const Day first(year, month, 1);
      days.push_back(first);
      days.push_back(Day(absl::CivilMonth(first) + 1) - 1);  // last day
    }
  }
  for (int year : {4, 100, 400, 9996}) days.push_back(Day(year, 2, 28) + 1);
  return days;
}

// Dates and ranges at the edges, as text; some do not exist.
std::vector<std::string> DateLabels() {
  std::vector<std::string> labels = {"0000-12-31", "0000-02-29", "0004-02-29", "0100-02-29",
                                     "0400-02-29", "9996-02-29", "9999-12-31", "9999-12-32",
                                     "10000-01-01"};
  const std::vector<Day> days = EdgeDays();
  std::mt19937 rng(::testing::UnitTest::GetInstance()->random_seed());
  for (const Day& d : days) labels.push_back(FormatDate(d));
  for (int i = 0; i < 400; ++i) {
    const Day a = days[rng() % days.size()];
    const Day b = days[rng() % days.size()];
    labels.push_back(FormatDate(a) + "/" + FormatDate(b));
  }
  labels.push_back("0000-04-01/0001-03-31");
  labels.push_back("9999-04-01/10000-03-31");
  return labels;
}

// Random strings from the pieces labels are made of, to reach forms the
// lists above do not think of.
std::vector<std::string> RandomLabels() {
  const std::vector<std::string> pieces = {"FY", "fy", "Q", "q", "H", "-", " ",  "/",  "0",
                                           "1",  "2",  "3", "4", "9", "99", "00", "0000",
                                           "9999", "0001", "2013", "-12-31", "-01-01"};
  std::mt19937 rng(::testing::UnitTest::GetInstance()->random_seed() + 1);
  std::vector<std::string> labels;
  for (int i = 0; i < 20000; ++i) {
    std::string label;
    const int n = 1 + static_cast<int>(rng() % 6);
    for (int k = 0; k < n; ++k) label += pieces[rng() % pieces.size()];
    labels.push_back(label);
  }
  return labels;
}

// Parse(label) then, under every calendar, Label() and Parse() again.
// Counts in *parsed the (label, calendar) pairs that parsed; stops at the
// first failure.
void CheckRoundTrips(const std::vector<std::string>& labels, int* parsed) {
  const std::vector<FiscalCalendar> calendars = AllCalendars();
  const Day first(1, 1, 1), last(9999, 12, 31);
  *parsed = 0;
  for (const std::string& label : labels) {
    for (const FiscalCalendar& cal : calendars) {
      absl::StatusOr<Period> p = Period::Parse(label, cal);
      if (!p.ok()) {
        EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument) << label;
        continue;
      }
      ++*parsed;
      SCOPED_TRACE(kpidb::StrCat("\"", label, "\" ", Describe(cal), " = ", Describe(*p)));
      ASSERT_GE(p->start(), first);
      ASSERT_LE(p->end(), last);
      for (const FiscalCalendar& out : calendars) {
        const std::string printed = p->Label(out);
        absl::StatusOr<Period> back = Period::Parse(printed, out);
        ASSERT_TRUE(back.ok()) << "printed under " << Describe(out) << " as \"" << printed
                               << "\": " << back.status();
        ASSERT_EQ(*back, *p) << "printed under " << Describe(out) << " as \"" << printed
                             << "\", read back as " << Describe(*back);
        ASSERT_EQ(back->Label(out), printed);
      }
    }
  }
}

TEST(PeriodYearRangeTest, FiscalLabelsRoundTripUnderEveryCalendar) {
  int parsed = 0;
  ASSERT_NO_FATAL_FAILURE(CheckRoundTrips(FiscalLabels(), &parsed));
  EXPECT_GT(parsed, 10000);
}

TEST(PeriodYearRangeTest, DatesAndRangesRoundTripUnderEveryCalendar) {
  int parsed = 0;
  ASSERT_NO_FATAL_FAILURE(CheckRoundTrips(DateLabels(), &parsed));
  EXPECT_GT(parsed, 1000);
}

TEST(PeriodYearRangeTest, RandomLabelsRoundTripUnderEveryCalendar) {
  int parsed = 0;
  ASSERT_NO_FATAL_FAILURE(CheckRoundTrips(RandomLabels(), &parsed));
  EXPECT_GT(parsed, 100);
}

}  // namespace
}  // namespace kpidb
