#include "kpidb/unit.h"

#include <ostream>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/util/str_cat.h"

namespace kpidb {
namespace {

using ::testing::HasSubstr;

// As std::string, so that a failing matcher prints text rather than the
// character-by-character dump gMock uses for absl::string_view.
template <typename T>
std::string Message(const absl::StatusOr<T>& s) {
  return std::string(s.status().message());
}

Unit U(std::string_view text) {
  absl::StatusOr<Unit> u = Unit::Parse(text);
  EXPECT_TRUE(u.ok()) << u.status();
  return u.ok() ? *u : Unit();
}

struct UnitCase {
  std::string_view text;
  std::string_view dimension;
  int scale;
  std::string_view canonical;
};

void PrintTo(const UnitCase& c, std::ostream* os) {
  *os << "\"" << c.text << "\" -> \"" << c.canonical << "\"";
}

class UnitAcceptTest : public ::testing::TestWithParam<UnitCase> {};

TEST_P(UnitAcceptTest, ParsesToDimensionScaleAndCanonicalText) {
  const UnitCase& c = GetParam();
  absl::StatusOr<Unit> u = Unit::Parse(c.text);
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->dimension(), c.dimension);
  EXPECT_EQ(u->scale(), c.scale);
  EXPECT_EQ(u->ToString(), c.canonical);

  // The canonical text is a fixed point.
  absl::StatusOr<Unit> again = Unit::Parse(u->ToString());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, *u);
  EXPECT_EQ(again->ToString(), c.canonical);
}

INSTANTIATE_TEST_SUITE_P(
    Dimensions, UnitAcceptTest,
    ::testing::Values(UnitCase{"", "", 0, ""}, UnitCase{"JPY", "JPY", 0, "JPY"},
                      UnitCase{"USD", "USD", 0, "USD"},
                      UnitCase{"EUR", "EUR", 0, "EUR"},
                      // Any three capital letters: ISO 4217 style, not the
                      // ISO 4217 list.
                      UnitCase{"XYZ", "XYZ", 0, "XYZ"},
                      UnitCase{"count", "count", 0, "count"},
                      UnitCase{"%", "%", 0, "%"},
                      UnitCase{"pt", "pt", 0, "pt"}));

INSTANTIATE_TEST_SUITE_P(
    Scales, UnitAcceptTest,
    ::testing::Values(UnitCase{"JPY thousand", "JPY", 3, "JPY thousand"},
                      UnitCase{"JPY million", "JPY", 6, "JPY million"},
                      UnitCase{"USD million", "USD", 6, "USD million"},
                      UnitCase{"JPY billion", "JPY", 9, "JPY billion"},
                      UnitCase{"JPY trillion", "JPY", 12, "JPY trillion"},
                      UnitCase{"count thousand", "count", 3, "count thousand"},
                      UnitCase{"count million", "count", 6, "count million"},
                      UnitCase{"thousand", "", 3, "thousand"},
                      UnitCase{"million", "", 6, "million"},
                      UnitCase{"billion", "", 9, "billion"},
                      UnitCase{"trillion", "", 12, "trillion"}));

INSTANTIATE_TEST_SUITE_P(
    Normalized, UnitAcceptTest,
    ::testing::Values(UnitCase{"JPY  million", "JPY", 6, "JPY million"},
                      UnitCase{"JPY Million", "JPY", 6, "JPY million"},
                      UnitCase{"JPY MILLION", "JPY", 6, "JPY million"},
                      UnitCase{"JPY mIlLiOn", "JPY", 6, "JPY million"},
                      UnitCase{"  JPY million  ", "JPY", 6, "JPY million"},
                      UnitCase{" JPY ", "JPY", 0, "JPY"},
                      UnitCase{"count   Thousand", "count", 3,
                               "count thousand"},
                      UnitCase{"Billion", "", 9, "billion"},
                      UnitCase{" % ", "%", 0, "%"},
                      // Spacing only: the pure-number unit.
                      UnitCase{"   ", "", 0, ""}));

class UnitRejectTest : public ::testing::TestWithParam<std::string_view> {};

TEST_P(UnitRejectTest, IsInvalidArgumentQuotingTheText) {
  const std::string_view text = GetParam();
  absl::StatusOr<Unit> u = Unit::Parse(text);
  ASSERT_FALSE(u.ok()) << "\"" << text << "\" parsed as \"" << u->ToString()
                       << "\"";
  EXPECT_EQ(u.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(u), HasSubstr(kpidb::StrCat("\"", text, "\"")));
}

INSTANTIATE_TEST_SUITE_P(
    All, UnitRejectTest,
    ::testing::Values(
        // Currency codes are exactly three capital ASCII letters.
        "jpy", "Jpy", "JPYY", "JP", "J", "JP1", "JPY1", "ＪＰＹ", "円",
        // Unknown or misplaced scale words.
        "JPY zillion", "JPY k", "JPY mn", "JPY millions", "JPY thousands",
        "million JPY", "thousand count", "million million", "JPY million JPY",
        "JPY million billion",
        // Ratios take no scale.
        "% million", "pt thousand", "%  million",
        // Dimension spellings are case sensitive; only scale words are not.
        "Count", "COUNT", "counts", "PT", "Pt", "percent", "%%", "% pt",
        // Only ASCII spaces separate words.
        "JPY\xC2\xA0million",  // U+00A0 NO-BREAK SPACE
        "JPY_million", "JPY-million", "JPY,million"));

TEST(UnitParseTest, TabIsNotASeparatorAndIsEscapedInTheMessage) {
  absl::StatusOr<Unit> u = Unit::Parse("JPY\tmillion");
  ASSERT_FALSE(u.ok());
  EXPECT_EQ(u.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(u), HasSubstr(R"("JPY\tmillion")"));
}

TEST(UnitParseTest, MessagesSayWhy) {
  EXPECT_THAT(Message(Unit::Parse("JPY zillion")),
              HasSubstr("unknown scale word \"zillion\""));
  EXPECT_THAT(Message(Unit::Parse("jpy")),
              HasSubstr("unknown dimension \"jpy\""));
  EXPECT_THAT(Message(Unit::Parse("% million")), HasSubstr("no scale"));
  EXPECT_THAT(Message(Unit::Parse("million JPY")),
              HasSubstr("follow the dimension"));
}

TEST(UnitTest, DefaultIsThePureNumber) {
  const Unit unit;
  EXPECT_EQ(unit.dimension(), "");
  EXPECT_EQ(unit.scale(), 0);
  EXPECT_EQ(unit.ToString(), "");
  EXPECT_EQ(unit, U(""));
}

TEST(UnitTest, SameDimensionIgnoresScale) {
  EXPECT_TRUE(U("JPY million").SameDimension(U("JPY billion")));
  EXPECT_TRUE(U("JPY million").SameDimension(U("JPY")));
  EXPECT_TRUE(U("count").SameDimension(U("count thousand")));
  EXPECT_TRUE(U("").SameDimension(U("million")));
  EXPECT_TRUE(U("%").SameDimension(U("%")));

  EXPECT_FALSE(U("JPY million").SameDimension(U("USD million")));
  EXPECT_FALSE(U("%").SameDimension(U("pt")));
  EXPECT_FALSE(U("count").SameDimension(U("")));
  EXPECT_FALSE(U("JPY").SameDimension(U("")));
}

TEST(UnitTest, EqualityNeedsDimensionAndScale) {
  EXPECT_EQ(U("JPY million"), U("JPY  Million"));
  EXPECT_FALSE(U("JPY million") == U("JPY billion"));
  EXPECT_FALSE(U("JPY million") == U("USD million"));
  EXPECT_FALSE(U("million") == U("count million"));
  EXPECT_FALSE(U("") == U("thousand"));
}

}  // namespace
}  // namespace kpidb
