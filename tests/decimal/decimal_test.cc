#include "kpidb/decimal.h"

#include <algorithm>
#include <climits>
#include <compare>
#include <cstdint>
#include <ostream>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/util/str_cat.h"
#include "tests/decimal/decimal_test_util.h"

namespace kpidb {
namespace {

using ::kpidb::testing::P;
using ::testing::HasSubstr;

constexpr int64_t kMaxMantissa = 999'999'999'999'999'999;  // 10^18 - 1

Decimal D(int64_t mantissa, int exponent) {
  absl::StatusOr<Decimal> d = Decimal::FromParts(mantissa, exponent);
  EXPECT_TRUE(d.ok()) << d.status();
  return d.ok() ? *d : Decimal();
}

// As std::string, so that a failing matcher prints text rather than the
// character-by-character dump gMock uses for absl::string_view.
template <typename T>
std::string Message(const absl::StatusOr<T>& s) {
  return std::string(s.status().message());
}

std::string Zeros(int n) { return std::string(static_cast<size_t>(n), '0'); }

// ---------------------------------------------------------------------------
// Parse: accepted forms.

struct ParseCase {
  std::string_view text;
  int64_t mantissa;
  int exponent;
};

void PrintTo(const ParseCase& c, std::ostream* os) {
  *os << "\"" << c.text << "\" -> " << c.mantissa << "e" << c.exponent;
}

class ParseAcceptTest : public ::testing::TestWithParam<ParseCase> {};

TEST_P(ParseAcceptTest, YieldsMantissaAndExponent) {
  const ParseCase& c = GetParam();
  absl::StatusOr<Decimal> d = Decimal::Parse(c.text);
  ASSERT_TRUE(d.ok()) << "\"" << c.text << "\": " << d.status();
  EXPECT_EQ(d->mantissa(), c.mantissa) << "\"" << c.text << "\"";
  EXPECT_EQ(d->exponent(), c.exponent) << "\"" << c.text << "\"";
}

INSTANTIATE_TEST_SUITE_P(
    Plain, ParseAcceptTest,
    ::testing::Values(
        ParseCase{"82746", 82746, 0}, ParseCase{"-1998", -1998, 0},
        ParseCase{"+3.5", 35, -1}, ParseCase{"117.0", 1170, -1},
        ParseCase{"0.10", 10, -2}, ParseCase{".5", 5, -1},
        ParseCase{"-.5", -5, -1}, ParseCase{"0", 0, 0}, ParseCase{"0.0", 0, -1},
        ParseCase{"0.000", 0, -3}, ParseCase{"-0", 0, 0}, ParseCase{"+0", 0, 0},
        ParseCase{"-0.00", 0, -2}, ParseCase{"000123", 123, 0},
        ParseCase{"1000", 1000, 0}, ParseCase{"1", 1, 0}, ParseCase{"9", 9, 0},
        ParseCase{"3.14159", 314159, -5}, ParseCase{"-0.001", -1, -3}));

INSTANTIATE_TEST_SUITE_P(
    Separators, ParseAcceptTest,
    ::testing::Values(ParseCase{"1,998", 1998, 0},
                      ParseCase{"22,102", 22102, 0},
                      ParseCase{"999,999", 999999, 0},
                      ParseCase{"1,234,567.89", 123456789, -2},
                      ParseCase{"-1,998.5", -19985, -1},
                      ParseCase{"100,000.000", 100000000, -3},
                      ParseCase{"1,000", 1000, 0}));

// "\xE2\x88\x92" is U+2212 MINUS SIGN, "\xE2\x96\xB2" U+25B2 (▲) and
// "\xE2\x96\xB3" U+25B3 (△); the escapes make the bytes under test explicit.
INSTANTIATE_TEST_SUITE_P(
    Negatives, ParseAcceptTest,
    ::testing::Values(ParseCase{"(1,998)", -1998, 0},
                      ParseCase{"(1998)", -1998, 0}, ParseCase{"(0.5)", -5, -1},
                      ParseCase{"(0)", 0, 0}, ParseCase{"▲1,998", -1998, 0},
                      ParseCase{"\xE2\x96\xB2"
                                "1,998",
                                -1998, 0},
                      ParseCase{"△1,998", -1998, 0},
                      ParseCase{"\xE2\x96\xB3"
                                "1,998",
                                -1998, 0},
                      ParseCase{"▲0.3", -3, -1}, ParseCase{"−1998", -1998, 0},
                      ParseCase{"\xE2\x88\x92"
                                "1998",
                                -1998, 0},
                      ParseCase{"\xE2\x88\x92"
                                "1,998.50",
                                -199850, -2}));

INSTANTIATE_TEST_SUITE_P(Spaces, ParseAcceptTest,
                         ::testing::Values(ParseCase{" 82746", 82746, 0},
                                           ParseCase{"82746   ", 82746, 0},
                                           ParseCase{"  (1,998)  ", -1998, 0},
                                           ParseCase{" ▲1,998 ", -1998, 0},
                                           ParseCase{" 0.10 ", 10, -2}));

INSTANTIATE_TEST_SUITE_P(
    Limits, ParseAcceptTest,
    ::testing::Values(
        // 18 significant digits: the maximum, both fast and general path.
        ParseCase{"999999999999999999", kMaxMantissa, 0},
        ParseCase{"-999999999999999999", -kMaxMantissa, 0},
        ParseCase{"999,999,999,999,999,999", kMaxMantissa, 0},
        ParseCase{"(999,999,999,999,999,999)", -kMaxMantissa, 0},
        ParseCase{"0.999999999999999999", kMaxMantissa, -18},
        ParseCase{"1.00000000000000000", 100000000000000000, -17},
        ParseCase{"100000000000000000", 100000000000000000, 0},
        // Leading zeros are not significant, so they do not count.
        ParseCase{"0000000000000000000000000001", 1, 0},
        ParseCase{"0000000000000999999999999999999", kMaxMantissa, 0},
        ParseCase{"0.000000000000000001", 1, -18},
        ParseCase{"0.0000000000000000001", 1, -19},
        // 40 fraction digits is the smallest exponent.
        ParseCase{"0.0000000000000000000000000000000000000001", 1, -40},
        ParseCase{"0.0000000000000000000000000000000000000000", 0, -40}));

// ---------------------------------------------------------------------------
// Parse: rejections.

class ParseRejectTest : public ::testing::TestWithParam<std::string_view> {};

TEST_P(ParseRejectTest, IsInvalidArgumentQuotingTheText) {
  const std::string_view text = GetParam();
  absl::StatusOr<Decimal> d = Decimal::Parse(text);
  ASSERT_FALSE(d.ok()) << "\"" << text << "\" parsed as " << d->ToString();
  EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument);
  // A byte that is not UTF-8 is shown escaped, so the message stays UTF-8.
  const std::string quoted = text == "1\xE2\x88" ? std::string("\"1\\xe2\\x88\"")
                                                : kpidb::StrCat("\"", text, "\"");
  EXPECT_THAT(Message(d), HasSubstr(quoted));
}

INSTANTIATE_TEST_SUITE_P(
    Malformed, ParseRejectTest,
    ::testing::Values("", " ", "   ", "abc", "1e3", "1E3", "1.5e-3", "7.9%",
                      "%", "1,99,8", "12,34", "1,2345", "(1998", "1998)",
                      ")1998(", "--1", "++1", "-+1", "▲-1", "-▲1", "▲▲1",
                      "(-1)", "(▲1)", "-(1)", "1.2.3", "1..2", ",123", "123,",
                      "1,,234", ",", "-", "+", "▲", "−", "( )", "()", ".", "-.",
                      "5.", "-5.", "1,234.", "1.234,5", "1,234.567,8",
                      "1,234,56.7", "0,123", "00,123", "1 998", "- 1", "▲ 1",
                      "( 1 )", "1998-", "1-998", "0x10", "NaN", "inf",
                      "１２",         // full-width digits
                      "٣",            // Arabic-Indic 3
                      "▼1",           // not a minus
                      "1\xE2\x88"));  // truncated U+2212 at the end

INSTANTIATE_TEST_SUITE_P(
    TooLong, ParseRejectTest,
    ::testing::Values(
        // 19 significant digits.
        "1000000000000000000", "9999999999999999999", "-1000000000000000000",
        "1,000,000,000,000,000,000", "1.000000000000000000",
        "0.1000000000000000000", "0.0000000000000000001000000000000000000",
        "99999999999999999999999999999999999",
        // 41 fraction digits: exponent below kMinExponent, zero or not.
        "0.00000000000000000000000000000000000000001",
        "0.00000000000000000000000000000000000000000"));

// Only ASCII spaces are trimmed; other whitespace is rejected, and the
// message escapes it so that the log line stays readable.
TEST(DecimalParseTest, ErrorMessageEscapesControlCharactersAndQuotes) {
  const struct {
    std::string_view text;
    std::string_view quoted;
  } kCases[] = {
      {"\t1", R"("\t1")"},
      {"1\t", R"("1\t")"},
      {"1\n", R"("1\n")"},
      {"1\"\n2", R"("1\"\n2")"},
  };
  for (const auto& c : kCases) {
    absl::StatusOr<Decimal> d = Decimal::Parse(c.text);
    ASSERT_FALSE(d.ok()) << c.quoted;
    EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(Message(d), HasSubstr(c.quoted));
  }
}

TEST(DecimalParseTest, ErrorMessageTruncatesHugeFieldsOnUtf8Boundary) {
  // 21 three-byte signs = 63 bytes, so the 64-byte cut lands inside the
  // 22nd sign and must back off to keep the message valid UTF-8.
  std::string text;
  for (int i = 0; i < 400; ++i) text += "▲";
  absl::StatusOr<Decimal> d = Decimal::Parse(text);
  ASSERT_FALSE(d.ok());
  std::string expected_prefix = "\"";
  for (int i = 0; i < 21; ++i) expected_prefix += "▲";
  expected_prefix += "\"...";
  EXPECT_THAT(Message(d), HasSubstr(expected_prefix));
  EXPECT_THAT(Message(d), HasSubstr("1200 bytes"));
  EXPECT_LT(d.status().message().size(), 200u);
}

TEST(DecimalParseTest, ErrorMessagesSayWhy) {
  EXPECT_THAT(Message(Decimal::Parse("1e3")), HasSubstr("exponent"));
  EXPECT_THAT(Message(Decimal::Parse("7.9%")), HasSubstr("%"));
  EXPECT_THAT(Message(Decimal::Parse("1,99,8")), HasSubstr("three"));
  EXPECT_THAT(Message(Decimal::Parse("--1")), HasSubstr("sign"));
  EXPECT_THAT(Message(Decimal::Parse("(1998")), HasSubstr("parenthesis"));
  EXPECT_THAT(Message(Decimal::Parse("1000000000000000000")), HasSubstr("18"));
}

// Every reason the parser gives, in full: one text per rejection path.
TEST(DecimalParseTest, EveryRejectionHasItsMessage) {
  const struct {
    std::string_view text;
    std::string_view message;
  } kCases[] = {
      {"", "invalid decimal \"\": no digits"},
      {"   ", "invalid decimal \"   \": no digits"},
      {"-", "invalid decimal \"-\": no digits"},
      {"()", "invalid decimal \"()\": no digits"},
      {".", "invalid decimal \".\": no digits"},
      {"(1998", "invalid decimal \"(1998\": unbalanced parenthesis"},
      {"(", "invalid decimal \"(\": unbalanced parenthesis"},
      {"1998)", "invalid decimal \"1998)\": unbalanced parenthesis"},
      {"(-1)", "invalid decimal \"(-1)\": more than one sign"},
      {"(▲1)", "invalid decimal \"(▲1)\": more than one sign"},
      {"1000000000000000000",
       "invalid decimal \"1000000000000000000\": more than 18 significant "
       "digits"},
      {"0.00000000000000000000000000000000000000001",
       "invalid decimal \"0.00000000000000000000000000000000000000001\": "
       "more than 40 digits after the point"},
      {"1.234,5", "invalid decimal \"1.234,5\": comma after the decimal point"},
      {"1,99,8",
       "invalid decimal \"1,99,8\": commas must separate groups of three "
       "digits"},
      {",123",
       "invalid decimal \",123\": commas must separate groups of three "
       "digits"},
      {"1,234,56.7",
       "invalid decimal \"1,234,56.7\": commas must separate groups of "
       "three digits"},
      {"12,34",
       "invalid decimal \"12,34\": commas must separate groups of three "
       "digits"},
      {"0,123",
       "invalid decimal \"0,123\": leading zero before a thousands "
       "separator"},
      {"1.2.3", "invalid decimal \"1.2.3\": more than one decimal point"},
      {"1e3", "invalid decimal \"1e3\": exponent notation is not accepted"},
      {"7.9%",
       "invalid decimal \"7.9%\": '%' belongs in the unit, not the number"},
      {"--1", "invalid decimal \"--1\": misplaced or repeated sign"},
      {"1998-", "invalid decimal \"1998-\": misplaced or repeated sign"},
      {"1▲", "invalid decimal \"1▲\": misplaced or repeated sign"},
      {"abc", "invalid decimal \"abc\": unexpected character"},
      {"1 998", "invalid decimal \"1 998\": unexpected character"},
      {"5.", "invalid decimal \"5.\": no digits after the decimal point"},
  };
  for (const auto& c : kCases) {
    absl::StatusOr<Decimal> d = Decimal::Parse(c.text);
    ASSERT_FALSE(d.ok()) << c.text;
    EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(Message(d), c.message);
  }
}

// The fast path takes up to 18 plain ASCII digits; make sure the general path
// agrees with it on the same digits.
TEST(DecimalParseTest, FastAndGeneralPathsAgree) {
  for (std::string_view digits :
       {"0", "7", "000", "0123", "82746", "999999999999999999",
        "000000000000000001", "100000000000000000"}) {
    const Decimal fast = P(digits);
    const Decimal general = P(kpidb::StrCat(" ", digits));
    const Decimal plus = P(kpidb::StrCat("+", digits));
    EXPECT_TRUE(fast.Identical(general)) << digits;
    EXPECT_TRUE(fast.Identical(plus)) << digits;
  }
}

// ---------------------------------------------------------------------------
// FromParts.

TEST(DecimalFromPartsTest, AcceptsTheFullRange) {
  for (int64_t m :
       {int64_t{0}, int64_t{1}, int64_t{-1}, kMaxMantissa, -kMaxMantissa}) {
    for (int e : {Decimal::kMinExponent, -1, 0, 1, Decimal::kMaxExponent}) {
      absl::StatusOr<Decimal> d = Decimal::FromParts(m, e);
      ASSERT_TRUE(d.ok()) << m << "e" << e << ": " << d.status();
      EXPECT_EQ(d->mantissa(), m);
      EXPECT_EQ(d->exponent(), e);
    }
  }
}

TEST(DecimalFromPartsTest, RejectsOutOfRangeParts) {
  for (int64_t m : {kMaxMantissa + 1, -(kMaxMantissa + 1), INT64_MAX, INT64_MIN,
                    INT64_MIN + 1}) {
    absl::StatusOr<Decimal> d = Decimal::FromParts(m, 0);
    EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument) << m;
  }
  for (int e : {Decimal::kMinExponent - 1, Decimal::kMaxExponent + 1, INT_MIN,
                INT_MAX}) {
    absl::StatusOr<Decimal> d = Decimal::FromParts(1, e);
    EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument) << e;
  }
}

TEST(DecimalTest, DefaultIsZeroWithExponentZero) {
  constexpr Decimal zero;
  EXPECT_EQ(zero.mantissa(), 0);
  EXPECT_EQ(zero.exponent(), 0);
  EXPECT_TRUE(zero.is_zero());
  EXPECT_FALSE(zero.is_negative());
  EXPECT_EQ(zero.ToString(), "0");
  EXPECT_TRUE(zero.Identical(D(0, 0)));
}

TEST(DecimalTest, Accessors) {
  EXPECT_EQ(P("117.0").fraction_digits(), 1);
  EXPECT_EQ(P("0.10").fraction_digits(), 2);
  EXPECT_EQ(P("82746").fraction_digits(), 0);
  EXPECT_EQ(D(1998, 3).fraction_digits(), 0);
  EXPECT_TRUE(P("-0.0").is_zero());
  EXPECT_FALSE(P("-0.0").is_negative());
  EXPECT_TRUE(P("(1)").is_negative());
  EXPECT_FALSE(P("1").is_negative());
}

// ---------------------------------------------------------------------------
// ToString / ToGroupedString.

struct FormatCase {
  int64_t mantissa;
  int exponent;
  std::string_view plain;
  std::string_view grouped;
};

void PrintTo(const FormatCase& c, std::ostream* os) {
  *os << c.mantissa << "e" << c.exponent << " -> \"" << c.plain << "\"";
}

class FormatTest : public ::testing::TestWithParam<FormatCase> {};

TEST_P(FormatTest, PrintsAsReported) {
  const FormatCase& c = GetParam();
  const Decimal d = D(c.mantissa, c.exponent);
  EXPECT_EQ(d.ToString(), c.plain);
  EXPECT_EQ(d.ToGroupedString(), c.grouped);
}

INSTANTIATE_TEST_SUITE_P(
    All, FormatTest,
    ::testing::Values(
        FormatCase{0, 0, "0", "0"}, FormatCase{0, -1, "0.0", "0.0"},
        FormatCase{0, -3, "0.000", "0.000"},
        // Zero has no digits to pad, whatever its exponent.
        FormatCase{0, 5, "0", "0"}, FormatCase{7, 0, "7", "7"},
        FormatCase{-7, 0, "-7", "-7"}, FormatCase{100, 0, "100", "100"},
        FormatCase{1000, 0, "1000", "1,000"},
        FormatCase{82746, 0, "82746", "82,746"},
        FormatCase{-1998, 0, "-1998", "-1,998"},
        FormatCase{123456, 0, "123456", "123,456"},
        FormatCase{-100000, 0, "-100000", "-100,000"},
        FormatCase{1170, -1, "117.0", "117.0"},
        FormatCase{10, -2, "0.10", "0.10"}, FormatCase{5, -1, "0.5", "0.5"},
        FormatCase{-5, -1, "-0.5", "-0.5"},
        FormatCase{-19985, -1, "-1998.5", "-1,998.5"},
        FormatCase{123456789, -2, "1234567.89", "1,234,567.89"},
        FormatCase{12345, -5, "0.12345", "0.12345"},
        FormatCase{12345, -6, "0.012345", "0.012345"},
        FormatCase{1, -18, "0.000000000000000001", "0.000000000000000001"},
        FormatCase{1998, 3, "1998000", "1,998,000"},
        FormatCase{-1998, 3, "-1998000", "-1,998,000"},
        FormatCase{1, 1, "10", "10"}, FormatCase{12, 2, "1200", "1,200"},
        FormatCase{kMaxMantissa, 0, "999999999999999999",
                   "999,999,999,999,999,999"},
        FormatCase{-kMaxMantissa, -18, "-0.999999999999999999",
                   "-0.999999999999999999"},
        FormatCase{-kMaxMantissa, -9, "-999999999.999999999",
                   "-999,999,999.999999999"}));

TEST(DecimalFormatTest, ExtremeExponents) {
  EXPECT_EQ(D(1, 40).ToString(), std::string("1") + Zeros(40));
  EXPECT_EQ(D(-kMaxMantissa, 40).ToString(), std::string("-999999999999999999") + Zeros(40));
  EXPECT_EQ(D(1, -40).ToString(), std::string("0.") + Zeros(39) + "1");
  EXPECT_EQ(D(-kMaxMantissa, -40).ToString(),
            std::string("-0.") + Zeros(22) + "999999999999999999");
  EXPECT_EQ(
      D(1, 40).ToGroupedString(), std::string("10") + [] {
        std::string s;
        for (int i = 0; i < 13; ++i) s += ",000";
        return s;
      }());
}

// Parse(ToString()) is identical for every value Parse can produce, i.e.
// every exponent <= 0 (Parse never yields a positive exponent).
TEST(DecimalRoundTripTest, NonPositiveExponentsAreIdentical) {
  for (int64_t m :
       {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{10}, int64_t{-1998},
        int64_t{1170}, int64_t{123456789}, kMaxMantissa, -kMaxMantissa}) {
    for (int e : {0, -1, -2, -3, -17, -18, -19, -39, -40}) {
      const Decimal d = D(m, e);
      for (const std::string& text : {d.ToString(), d.ToGroupedString()}) {
        absl::StatusOr<Decimal> back = Decimal::Parse(text);
        ASSERT_TRUE(back.ok()) << text << ": " << back.status();
        EXPECT_TRUE(back->Identical(d))
            << text << " -> " << back->mantissa() << "e" << back->exponent();
      }
    }
  }
}

TEST(DecimalRoundTripTest, ReportedTextsPrintBackUnchanged) {
  for (std::string_view text :
       {"82746", "-1998", "117.0", "0.10", "0.0", "0", "3.5", "-0.5",
        "1234567.89", "999999999999999999", "0.000000000000000001"}) {
    EXPECT_EQ(P(text).ToString(), text);
  }
  for (std::string_view text : {"82,746", "-1,998.5", "1,234,567.89", "999"}) {
    EXPECT_EQ(P(text).ToGroupedString(), text);
  }
  // Other spellings print in the canonical form.
  EXPECT_EQ(P("(1,998)").ToString(), "-1998");
  EXPECT_EQ(P("▲1,998").ToString(), "-1998");
  EXPECT_EQ(P("+3.5").ToString(), "3.5");
  EXPECT_EQ(P(".5").ToString(), "0.5");
  EXPECT_EQ(P("-0.00").ToString(), "0.00");
}

// NOTE: decimal.h says Parse(ToString()) is identical to *this, but for a
// positive exponent that cannot hold: ToString() prints trailing zeros and
// Parse() keeps every digit as mantissa with exponent 0 (and rejects more
// than 18 of them). What does hold is numeric equality when the digits fit.
TEST(DecimalRoundTripTest, PositiveExponentsRoundTripNumerically) {
  const Decimal d = D(1998, 3);
  ASSERT_EQ(d.ToString(), "1998000");
  const Decimal back = P(d.ToString());
  EXPECT_EQ(back, d);
  EXPECT_EQ(back.mantissa(), 1998000);
  EXPECT_EQ(back.exponent(), 0);
  EXPECT_FALSE(back.Identical(d));
  EXPECT_EQ(P(d.ToGroupedString()), d);

  const Decimal negative = D(-1998, 3);
  EXPECT_EQ(P(negative.ToString()), negative);

  // More than 18 digits once the zeros are written out: not parseable.
  const Decimal big = D(kMaxMantissa, 1);
  EXPECT_EQ(Decimal::Parse(big.ToString()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// ---------------------------------------------------------------------------
// Compare.

// The operands stay StatusOr until the test body so that a Parse() or
// FromParts() regression fails one test instead of aborting the binary while
// the cases are registered.
struct CompareCase {
  absl::StatusOr<Decimal> a;
  absl::StatusOr<Decimal> b;
  int expected;  // a.Compare(b)
};

void PrintTo(const CompareCase& c, std::ostream* os) {
  const auto print = [os](const absl::StatusOr<Decimal>& d) {
    if (d.ok()) {
      *os << d->mantissa() << "e" << d->exponent();
    } else {
      *os << d.status();
    }
  };
  print(c.a);
  *os << " vs ";
  print(c.b);
  *os << " -> " << c.expected;
}

class CompareTest : public ::testing::TestWithParam<CompareCase> {};

TEST_P(CompareTest, OrdersNumerically) {
  ASSERT_TRUE(GetParam().a.ok()) << GetParam().a.status();
  ASSERT_TRUE(GetParam().b.ok()) << GetParam().b.status();
  const Decimal& a = *GetParam().a;
  const Decimal& b = *GetParam().b;
  const int expected = GetParam().expected;
  const std::string label = kpidb::StrCat(
      a.mantissa(), "e", a.exponent(), " vs ", b.mantissa(), "e", b.exponent());
  EXPECT_EQ(a.Compare(b), expected) << label;
  EXPECT_EQ(b.Compare(a), -expected) << label;
  EXPECT_EQ(a == b, expected == 0) << label;
  EXPECT_EQ(a <=> b, expected <=> 0) << label;
}

std::vector<CompareCase> CompareCases() {
  const auto d = [](int64_t m, int e) { return Decimal::FromParts(m, e); };
  const auto p = [](std::string_view s) { return Decimal::Parse(s); };
  return {
      {p("117.0"), p("117"), 0},
      {p("0.10"), p("0.1"), 0},
      {p("0.1"), p("0.10000000001"), -1},
      {p("0.10000000001"), p("0.1"), 1},
      {p("-117.0"), p("-117"), 0},
      {p("-1998"), p("1998"), -1},
      {p("-1998"), p("-1997"), -1},
      {p("-0.1"), p("-0.10000000001"), 1},
      {p("0"), p("0.000"), 0},
      {p("-0"), p("0"), 0},
      {d(0, 40), d(0, -40), 0},
      {p("0"), p("0.000000000000000001"), -1},
      {p("0"), p("-0.000000000000000001"), 1},
      {p("(1,998)"), p("▲1998"), 0},
      {d(1998, 3), p("1998000"), 0},
      {d(1998, 3), p("1998001"), -1},
      {d(1998, 3), p("1997999.999999"), 1},
      {d(1, 1), d(9, 0), 1},
      {d(1, 1), d(10, 0), 0},
      {d(1, 1), d(11, 0), -1},
      {p("99.9"), p("100"), -1},
      {p("100.0"), p("99.99999999"), 1},
      // Near 10^18 with far-apart exponents: aligning the exponents naively
      // would overflow int64 (and, at 80 apart, even __int128).
      {d(kMaxMantissa, 0), d(1, 18), -1},
      {d(kMaxMantissa, 1), d(1, 19), -1},
      {d(100000000000000000, 1), d(1, 18), 0},
      {d(100000000000000000, 1), d(1000000000, 9), 0},
      {d(kMaxMantissa, -17), d(1, 1), -1},
      {d(kMaxMantissa, -17), d(999999999999999998, -17), 1},
      {d(kMaxMantissa, 40), d(1, 40), 1},
      {d(100000000000000000, 23), d(1, 40), 0},
      {d(100000000000000001, 23), d(1, 40), 1},
      {d(-100000000000000000, 23), d(-1, 40), 0},
      {d(kMaxMantissa, 40), d(kMaxMantissa, -40), 1},
      {d(1, 40), d(kMaxMantissa, -40), 1},
      {d(1, -40), d(kMaxMantissa, 40), -1},
      {d(-kMaxMantissa, 40), d(-1, -40), -1},
      {d(-kMaxMantissa, 40), d(kMaxMantissa, 40), -1},
      {d(-kMaxMantissa, 0), d(-1, 18), 1},
      {d(-100000000000000000, 1), d(-1, 18), 0},
      {d(kMaxMantissa, 0), d(kMaxMantissa, 0), 0},
      {d(kMaxMantissa, -18), d(1, 0), -1},
      {d(1, -40), d(0, 40), 1},
      {d(-1, -40), d(0, -40), -1},
  };
}

INSTANTIATE_TEST_SUITE_P(Table, CompareTest,
                         ::testing::ValuesIn(CompareCases()));

TEST(DecimalCompareTest, EqualButNotIdentical) {
  EXPECT_EQ(P("117.0"), P("117"));
  EXPECT_FALSE(P("117.0").Identical(P("117")));
  EXPECT_TRUE(P("117.0").Identical(P("117.0")));
  EXPECT_TRUE(P("0.10").Identical(D(10, -2)));
}

// ---------------------------------------------------------------------------
// Scaled.

TEST(DecimalScaledTest, ShiftsTheExponentExactly) {
  const Decimal million = P("82,746");
  absl::StatusOr<Decimal> billion = million.Scaled(-3);
  ASSERT_TRUE(billion.ok()) << billion.status();
  EXPECT_TRUE(billion->Identical(D(82746, -3)));
  EXPECT_EQ(billion->ToString(), "82.746");

  absl::StatusOr<Decimal> thousand = million.Scaled(3);
  ASSERT_TRUE(thousand.ok()) << thousand.status();
  EXPECT_TRUE(thousand->Identical(D(82746, 3)));
  EXPECT_EQ(thousand->ToString(), "82746000");

  EXPECT_TRUE(P("117.0").Scaled(0)->Identical(P("117.0")));
  EXPECT_TRUE(P("-0.10").Scaled(-2)->Identical(D(-10, -4)));
}

TEST(DecimalScaledTest, ReachesTheLimitsButNotBeyond) {
  EXPECT_TRUE(D(1, 39).Scaled(1)->Identical(D(1, 40)));
  EXPECT_TRUE(D(1, -39).Scaled(-1)->Identical(D(1, -40)));
  EXPECT_TRUE(D(7, -40).Scaled(80)->Identical(D(7, 40)));
  EXPECT_TRUE(D(7, 40).Scaled(-80)->Identical(D(7, -40)));

  for (const auto& [d, power] :
       std::vector<std::pair<Decimal, int>>{{D(1, 40), 1},
                                            {D(1, -40), -1},
                                            {D(0, 0), 41},
                                            {D(0, 0), -41},
                                            {D(7, -40), 81},
                                            {D(-7, 40), -81},
                                            {D(1, 40), INT_MAX},
                                            {D(1, -40), INT_MIN},
                                            {D(1, 0), INT_MAX},
                                            {D(1, 0), INT_MIN}}) {
    absl::StatusOr<Decimal> scaled = d.Scaled(power);
    EXPECT_EQ(scaled.status().code(), absl::StatusCode::kOutOfRange)
        << d.ToString() << " * 10^" << power;
  }
}

// ---------------------------------------------------------------------------
// Property test. Failures replay with --gtest_random_seed=<seed in the log>.

// Reference ordering of |m| * 10^e, by string arithmetic so that it does not
// share any reasoning with Compare(): write every value out at exponent
// kMinExponent and compare the digit strings.
int ReferenceCompare(const Decimal& a, const Decimal& b) {
  const auto magnitude_digits = [](const Decimal& d) {
    std::string s =
        std::to_string(d.mantissa() < 0 ? -d.mantissa() : d.mantissa());
    s += Zeros(d.exponent() - Decimal::kMinExponent);
    s.erase(0, std::min(s.find_first_not_of('0'), s.size()));
    return s;
  };
  const auto sign = [](const Decimal& d) {
    return (d.mantissa() > 0) - (d.mantissa() < 0);
  };
  if (sign(a) != sign(b)) return sign(a) < sign(b) ? -1 : 1;
  const std::string x = magnitude_digits(a);
  const std::string y = magnitude_digits(b);
  int order = x.size() != y.size() ? (x.size() < y.size() ? -1 : 1)
                                   : (x < y ? -1 : (x > y ? 1 : 0));
  return sign(a) < 0 ? -order : order;
}

class DecimalPropertyTest : public ::testing::Test {
 protected:
  DecimalPropertyTest()
      : seed_(static_cast<unsigned>(
            ::testing::UnitTest::GetInstance()->random_seed())),
        rng_(seed_) {}

  int Uniform(int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng_);
  }

  // Digit counts and exponents are drawn uniformly so that short mantissas,
  // the 18-digit edge and the exponent limits all show up often.
  int64_t RandomMantissa() {
    const int digits = Uniform(0, Decimal::kMaxDigits);
    if (digits == 0) return 0;
    int64_t m = Uniform(1, 9);
    for (int i = 1; i < digits; ++i) m = m * 10 + Uniform(0, 9);
    return Uniform(0, 1) ? -m : m;
  }

  Decimal RandomDecimal() {
    return D(RandomMantissa(),
             Uniform(Decimal::kMinExponent, Decimal::kMaxExponent));
  }

  // A value equal or adjacent to `d` but spelled with another exponent, the
  // case where Compare() has to align exponents.
  Decimal Neighbour(const Decimal& d) {
    int64_t m = d.mantissa();
    int e = d.exponent();
    // Append or strip trailing zeros while staying in range.
    const int shift = Uniform(-5, 5);
    for (int i = 0; i < shift && e > Decimal::kMinExponent &&
                    (m < 0 ? -m : m) < 100000000000000000;
         ++i) {
      m *= 10;
      --e;
    }
    for (int i = 0; i > shift && m % 10 == 0 && e < Decimal::kMaxExponent;
         --i) {
      m /= 10;
      ++e;
    }
    const int nudge = Uniform(-1, 1);
    if ((m < 0 ? -m : m) + 1 < 1000000000000000000) m += nudge;
    return D(m, e);
  }

  const unsigned seed_;
  std::mt19937_64 rng_;
};

TEST_F(DecimalPropertyTest, ParseOfToStringAndCompareAgreeWithReference) {
  SCOPED_TRACE(kpidb::StrCat("replay with --gtest_random_seed=", seed_));
  constexpr int kIterations = 20000;
  for (int i = 0; i < kIterations; ++i) {
    const Decimal a = RandomDecimal();
    const std::string label =
        kpidb::StrCat(a.mantissa(), "e", a.exponent(), " (", a.ToString(), ")");

    // Round trip through both spellings.
    for (const std::string& text : {a.ToString(), a.ToGroupedString()}) {
      absl::StatusOr<Decimal> back = Decimal::Parse(text);
      const int written_digits =
          static_cast<int>(
              std::to_string(a.mantissa() < 0 ? -a.mantissa() : a.mantissa())
                  .size()) +
          std::max(a.exponent(), 0);
      if (a.exponent() <= 0) {
        ASSERT_TRUE(back.ok()) << label << ": " << back.status();
        ASSERT_TRUE(back->Identical(a)) << label;
      } else if (a.is_zero()) {
        ASSERT_TRUE(back.ok()) << label << ": " << back.status();
        ASSERT_TRUE(back->Identical(D(0, 0))) << label;
      } else if (written_digits <= Decimal::kMaxDigits) {
        ASSERT_TRUE(back.ok()) << label << ": " << back.status();
        ASSERT_EQ(back->Compare(a), 0) << label;
        ASSERT_EQ(back->exponent(), 0) << label;
      } else {
        ASSERT_FALSE(back.ok()) << label;
      }
    }

    // Comparison against an unrelated value and against a close one.
    for (const Decimal& b : {RandomDecimal(), Neighbour(a)}) {
      const int got = a.Compare(b);
      ASSERT_EQ(got, ReferenceCompare(a, b))
          << label << " vs " << b.mantissa() << "e" << b.exponent();
      ASSERT_EQ(b.Compare(a), -got)
          << label << " vs " << b.mantissa() << "e" << b.exponent();
    }
    ASSERT_EQ(a.Compare(a), 0) << label;
  }
}

TEST_F(DecimalPropertyTest, SortingByCompareMatchesReference) {
  SCOPED_TRACE(kpidb::StrCat("replay with --gtest_random_seed=", seed_));
  std::vector<Decimal> values;
  for (int i = 0; i < 500; ++i) {
    values.push_back(RandomDecimal());
    values.push_back(Neighbour(values.back()));
  }
  std::sort(values.begin(), values.end(),
            [](const Decimal& x, const Decimal& y) { return x < y; });
  for (size_t i = 1; i < values.size(); ++i) {
    ASSERT_LE(ReferenceCompare(values[i - 1], values[i]), 0) << i;
  }
}

}  // namespace
}  // namespace kpidb
