#include "lib/derive/derive.h"

#include <map>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testutil.h"

namespace kpidb::derive {
namespace {

using ::kpidb::testing::IsOk;
using ::kpidb::testing::StatusIs;
using ::testing::ElementsAre;

const FiscalCalendar kIij{3, FiscalYearNaming::kStart};

// Figures point at their unit, as they point into a query result in the
// library: these outlive every test.
const Unit* UnitOf(const std::string& text) {
  static auto* units = new std::map<std::string, Unit>();
  auto it = units->find(text);
  if (it == units->end()) it = units->emplace(text, *Unit::Parse(text)).first;
  return &it->second;
}

Figure F(const char* label, const char* value, const char* unit = "JPY million",
         std::optional<absl::CivilDay> as_of = absl::CivilDay(2014, 2, 7)) {
  Figure f;
  f.period = *Period::Parse(label, kIij);
  f.value = *Decimal::Parse(value);
  f.unit = UnitOf(unit);
  f.as_of = as_of;
  return f;
}

// "LABEL=VALUE UNIT [formula]" per figure.
std::vector<std::string> Show(const std::vector<Figure>& figures) {
  std::vector<std::string> out;
  for (const Figure& f : figures) {
    out.push_back(f.period.Label(kIij) + "=" + f.value.ToString() + " " +
                  f.unit->ToString() + " [" + f.derivation.ToString(kIij) + "]");
  }
  return out;
}

// The deck (slide II-15): CAPEX FY12 10,405 and 1Q-3Q FY12 8,452, so the
// fourth quarter of FY2012 was 1,953.
TEST(DeriveTest, FourthQuarterIsYearMinusNineMonths) {
  const std::vector<Figure> stored = {F("FY2012Q1-Q3", "8452"), F("FY2012", "10405")};
  absl::StatusOr<std::vector<Figure>> d = DeriveFiscalPeriods(stored, kIij, 2012, 2012);
  ASSERT_THAT(d, IsOk());
  EXPECT_THAT(Show(*d), ElementsAre("FY2012Q4=1953 JPY million [FY2012 - FY2012Q1-Q3]"));
}

// Slide II-12's quarterly current income tax: the year, halves and nine
// months follow from the quarters.
TEST(DeriveTest, YearsAndHalvesFromQuarters) {
  const std::vector<Figure> stored = {F("FY2012Q1", "363"), F("FY2012Q2", "764"),
                                      F("FY2012Q3", "675"), F("FY2012Q4", "1,333")};
  absl::StatusOr<std::vector<Figure>> d = DeriveFiscalPeriods(stored, kIij, 2012, 2012);
  ASSERT_THAT(d, IsOk());
  EXPECT_THAT(Show(*d), ElementsAre("FY2012H1=1127 JPY million [FY2012Q1 + FY2012Q2]",
                                    "FY2012Q1-Q3=1802 JPY million [FY2012H1 + FY2012Q3]",
                                    "FY2012H2=2008 JPY million [FY2012Q3 + FY2012Q4]",
                                    "FY2012=3135 JPY million [FY2012H1 + FY2012H2]"));
}

TEST(DeriveTest, StandaloneQuartersFromCumulativeFigures) {
  const std::vector<Figure> stored = {F("FY2013Q1", "100"), F("FY2013H1", "250"),
                                      F("FY2013Q1-Q3", "420")};
  absl::StatusOr<std::vector<Figure>> d = DeriveFiscalPeriods(stored, kIij, 2013, 2013);
  ASSERT_THAT(d, IsOk());
  EXPECT_THAT(Show(*d), ElementsAre("FY2013Q2=150 JPY million [FY2013H1 - FY2013Q1]",
                                    "FY2013Q3=170 JPY million [FY2013Q1-Q3 - FY2013H1]"));
}

// The revised full-year target in JPY billion minus the nine months in JPY
// million: exact, in the finer scale.
TEST(DeriveTest, MixedScalesAreExactInTheFinerScale) {
  const std::vector<Figure> stored = {F("FY2013Q1-Q3", "82746"),
                                      F("FY2013", "114.0", "JPY billion")};
  absl::StatusOr<std::vector<Figure>> d = DeriveFiscalPeriods(stored, kIij, 2013, 2013);
  ASSERT_THAT(d, IsOk());
  EXPECT_THAT(Show(*d), ElementsAre("FY2013Q4=31254 JPY million [FY2013 - FY2013Q1-Q3]"));
}

TEST(DeriveTest, StoredFiguresWinAndInstantsAreIgnored) {
  const std::vector<Figure> stored = {F("FY2012Q1-Q3", "8452"), F("FY2012", "10405"),
                                      F("FY2012Q4", "2000"), F("2013-03-31", "1")};
  absl::StatusOr<std::vector<Figure>> d = DeriveFiscalPeriods(stored, kIij, 2012, 2012);
  ASSERT_THAT(d, IsOk());
  EXPECT_TRUE(d->empty()) << ::testing::PrintToString(Show(*d));
}

TEST(DeriveTest, AsOfIsTheLatestInput) {
  const std::vector<Figure> stored = {F("FY2012Q1-Q3", "8452", "JPY million", absl::CivilDay(2013, 2, 8)),
                                      F("FY2012", "10405", "JPY million", absl::CivilDay(2013, 5, 15))};
  absl::StatusOr<std::vector<Figure>> d = DeriveFiscalPeriods(stored, kIij, 2012, 2012);
  ASSERT_THAT(d, IsOk());
  ASSERT_EQ(d->size(), 1u);
  EXPECT_EQ((*d)[0].as_of, absl::CivilDay(2013, 5, 15));
  const std::vector<Figure> undated = {F("FY2012Q1-Q3", "8452", "JPY million", std::nullopt),
                                       F("FY2012", "10405", "JPY million", std::nullopt)};
  d = DeriveFiscalPeriods(undated, kIij, 2012, 2012);
  ASSERT_THAT(d, IsOk());
  ASSERT_EQ(d->size(), 1u);
  EXPECT_EQ((*d)[0].as_of, std::nullopt);
}

TEST(DeriveTest, DimensionMismatchIsAnError) {
  const std::vector<Figure> stored = {F("FY2012Q1-Q3", "8452", "JPY million"),
                                      F("FY2012", "10", "USD million")};
  EXPECT_THAT(DeriveFiscalPeriods(stored, kIij, 2012, 2012),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(DeriveTest, NothingToDeriveFromAlone) {
  const std::vector<Figure> stored = {F("FY2013Q1-Q3", "82746")};
  absl::StatusOr<std::vector<Figure>> d = DeriveFiscalPeriods(stored, kIij, 2013, 2013);
  ASSERT_THAT(d, IsOk());
  EXPECT_TRUE(d->empty());
}

TEST(DeriveTest, TrailingTwelveMonthsCrossFiscalYears) {
  std::vector<Figure> quarters = {F("FY2012Q2", "764"), F("FY2012Q3", "675"),
                                  F("FY2012Q4", "1333"), F("FY2013Q1", "269"),
                                  F("FY2013Q2", "804")};
  absl::StatusOr<std::vector<Figure>> t = TrailingTwelveMonths(quarters, kIij, 2013, 2013);
  ASSERT_THAT(t, IsOk());
  ASSERT_EQ(t->size(), 2u);
  EXPECT_EQ((*t)[0].period.Label(kIij), "2012-07-01/2013-06-30");
  EXPECT_EQ((*t)[0].value.ToString(), "3041");  // 764 + 675 + 1333 + 269
  EXPECT_EQ((*t)[0].derivation.ToString(kIij), "TTM: FY2012Q2 + FY2012Q3 + FY2012Q4 + FY2013Q1");
  EXPECT_EQ((*t)[1].period.Label(kIij), "2012-10-01/2013-09-30");
  EXPECT_EQ((*t)[1].value.ToString(), "3081");  // 675 + 1333 + 269 + 804
}

}  // namespace
}  // namespace kpidb::derive

namespace kpidb::derive {
namespace {

// QuarterGrid::Locate against the calendar's own arithmetic: every span of
// quarters of every year is found, and nothing a day off is.
TEST(QuarterGridTest, LocatesEverySpanAndNothingElse) {
  for (const FiscalCalendar& cal :
       {FiscalCalendar{3, FiscalYearNaming::kStart}, FiscalCalendar{12, FiscalYearNaming::kEnd},
        FiscalCalendar{6, FiscalYearNaming::kEnd}, FiscalCalendar{1, FiscalYearNaming::kStart}}) {
    const QuarterGrid grid(cal, 1995, 2040);
    ASSERT_EQ(grid.years(), 46);
    for (int fy = 1995; fy <= 2040; ++fy) {
      const absl::CivilMonth first(cal.YearStart(fy));
      for (int i = 1; i <= 4; ++i) {
        for (int j = i; j <= 4; ++j) {
          const absl::CivilDay start(first + 3 * (i - 1));
          const absl::CivilDay end = absl::CivilDay(first + 3 * j) - 1;
          const Period p = *Period::Duration(start, end);
          int y = -1, a = -1, b = -1;
          ASSERT_TRUE(grid.Locate(p, &y, &a, &b)) << p.Label(cal);
          EXPECT_EQ(y, fy - 1995);
          EXPECT_EQ(a, i);
          EXPECT_EQ(b, j);
          EXPECT_EQ(grid.Span(y, a, b), p);
          EXPECT_FALSE(grid.Locate(*Period::Duration(start + 1, end), &y, &a, &b));
          EXPECT_FALSE(grid.Locate(*Period::Duration(start, end - 1), &y, &a, &b));
          EXPECT_FALSE(grid.Locate(*Period::Duration(start - 1, end), &y, &a, &b));
          EXPECT_FALSE(grid.Locate(Period::Instant(start), &y, &a, &b));
        }
      }
      // Four quarters across a fiscal year end are no span of one year.
      const Period across = *Period::Duration(absl::CivilDay(first + 3),
                                              absl::CivilDay(first + 15) - 1);
      int y, a, b;
      EXPECT_FALSE(grid.Locate(across, &y, &a, &b));
    }
    int y, a, b;
    EXPECT_FALSE(grid.Locate(*Period::Parse("FY1994Q4", cal), &y, &a, &b));
    EXPECT_FALSE(grid.Locate(*Period::Parse("FY2041Q1", cal), &y, &a, &b));
  }
  // An empty grid locates nothing.
  const QuarterGrid empty(kIij, 2013, 2012);
  int y, a, b;
  EXPECT_FALSE(empty.Locate(*Period::Parse("FY2013Q1", kIij), &y, &a, &b));
}

}  // namespace
}  // namespace kpidb::derive

namespace kpidb::derive {
namespace {

// Narrowing the output to some kinds of span skips work but never changes a
// figure or its formula: for every pattern of stored spans of a year (with
// values that do not add up, so the formula chosen matters), each kind mask
// returns exactly the full output's spans of those kinds.
TEST(DeriveTest, WantedSpansOnlyFilterTheOutput) {
  struct Span {
    int i, j;
  };
  std::vector<Span> spans;
  for (int i = 1; i <= 4; ++i) {
    for (int j = i; j <= 4; ++j) spans.push_back({i, j});
  }
  auto kind_of = [](const Period& p) -> uint16_t {
    const std::string label = p.Label(kIij);
    if (label.size() == 6) return kYearSpans;                           // FY2013
    if (label.find('H') != std::string::npos) return kHalfSpans;        // FY2013H1
    if (label.find('-') != std::string::npos) return kNineMonthSpans;   // FY2013Q1-Q3
    return kQuarterSpans;                                               // FY2013Q2
  };
  auto show = [](const std::vector<Figure>& figures) {
    std::vector<std::string> out;
    for (const Figure& f : figures) {
      out.push_back(f.period.Label(kIij) + "=" + f.value.ToString() + " [" +
                    f.derivation.ToString(kIij) + "]");
    }
    return out;
  };
  const absl::CivilMonth first(kIij.YearStart(2013));
  for (uint32_t pattern = 1; pattern < (1u << spans.size()); ++pattern) {
    std::vector<Figure> stored;
    for (size_t b = 0; b < spans.size(); ++b) {
      if (!(pattern >> b & 1)) continue;
      Figure f;
      f.period = *Period::Duration(absl::CivilDay(first + 3 * (spans[b].i - 1)),
                                   absl::CivilDay(first + 3 * spans[b].j) - 1);
      f.value = Decimal::FromValidParts(static_cast<int64_t>(100 + 7 * b + pattern % 13), 0);
      f.unit = UnitOf("JPY million");
      stored.push_back(f);
    }
    std::sort(stored.begin(), stored.end(),
              [](const Figure& a, const Figure& b) { return a.period < b.period; });
    absl::StatusOr<std::vector<Figure>> all = DeriveFiscalPeriods(stored, kIij, 2013, 2013);
    ASSERT_THAT(all, IsOk());
    for (uint16_t mask = 1; mask <= kAllSpans; ++mask) {
      absl::StatusOr<std::vector<Figure>> some =
          DeriveFiscalPeriods(stored, kIij, 2013, 2013, mask);
      ASSERT_THAT(some, IsOk());
      std::vector<Figure> expected;
      for (const Figure& f : *all) {
        if (kind_of(f.period) & mask) expected.push_back(f);
      }
      ASSERT_EQ(show(*some), show(expected)) << "pattern " << pattern << " mask " << mask;
    }
  }
}

}  // namespace
}  // namespace kpidb::derive
