#include <random>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kpidb/decimal.h"
#include "tests/decimal/decimal_test_util.h"
#include "tests/testutil.h"

namespace kpidb {
namespace {

using ::kpidb::testing::IsOk;
using ::kpidb::testing::P;
using ::kpidb::testing::Pow10;
using ::kpidb::testing::StatusIs;
using R = Decimal::Rounding;

std::string Add(const char* a, const char* b) {
  absl::StatusOr<Decimal> r = Decimal::Add(P(a), P(b));
  return r.ok() ? r->ToString() : std::string(r.status().message());
}
std::string Sub(const char* a, const char* b) {
  absl::StatusOr<Decimal> r = Decimal::Subtract(P(a), P(b));
  return r.ok() ? r->ToString() : std::string(r.status().message());
}
std::string Div(const char* a, const char* b, int digits, R rounding = R::kHalfAwayFromZero) {
  absl::StatusOr<Decimal> r = Decimal::Divide(P(a), P(b), digits, rounding);
  return r.ok() ? r->ToString() : std::string(r.status().message());
}

TEST(DecimalMathTest, SumsKeepTheFinerPrecision) {
  EXPECT_EQ(Add("82.7", "0.05"), "82.75");
  EXPECT_EQ(Sub("117.0", "3"), "114.0");
  EXPECT_EQ(Add("50301", "29197"), "79498");
  EXPECT_EQ(Add("-1998", "1998"), "0");
  EXPECT_EQ(Add("0.10", "0.20"), "0.30");
  // The deck's nine-month figures: the four segments add up to the total.
  absl::StatusOr<Decimal> sum = P("50301");
  for (const char* s : {"29197", "1178", "2070"}) sum = Decimal::Add(*sum, P(s));
  ASSERT_THAT(sum, IsOk());
  EXPECT_EQ(sum->ToString(), "82746");
}

TEST(DecimalMathTest, MixedScalesAreExact) {
  // 82.746 JPY billion - 82,700 JPY million, both in JPY million:
  // 82.746 billion = 82746 million (scale by 10^3).
  absl::StatusOr<Decimal> billion_in_million = P("82.746").Scaled(3);
  ASSERT_THAT(billion_in_million, IsOk());
  absl::StatusOr<Decimal> d = Decimal::Subtract(*billion_in_million, P("82700"));
  ASSERT_THAT(d, IsOk());
  // 82.746 billion is 82746 million exactly: the difference is 46 million.
  EXPECT_EQ(d->ToString(), "46");
}

TEST(DecimalMathTest, OverflowIsAnErrorNotARoundedValue) {
  EXPECT_THAT(Decimal::Add(P("999999999999999999"), P("2")),
              StatusIs(absl::StatusCode::kOutOfRange));
  // 10^18 itself is representable: one trailing zero is dropped, no more.
  absl::StatusOr<Decimal> big = Decimal::Add(P("999999999999999999"), P("1"));
  ASSERT_THAT(big, IsOk());
  EXPECT_EQ(big->mantissa(), 100000000000000000);
  EXPECT_EQ(big->exponent(), 1);
  // Trailing zeros are dropped when that makes it fit.
  absl::StatusOr<Decimal> r = Decimal::Add(P("999999999999999990"), P("10"));
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->Compare(*Decimal::FromParts(1, 18)), 0);
  // Exponents too far apart to align.
  EXPECT_THAT(Decimal::Add(*Decimal::FromParts(1, 30), *Decimal::FromParts(1, -30)),
              StatusIs(absl::StatusCode::kOutOfRange));
  EXPECT_THAT(Decimal::Multiply(P("999999999999"), P("999999999999")),
              StatusIs(absl::StatusCode::kOutOfRange));
}

TEST(DecimalMathTest, Multiply) {
  EXPECT_EQ(Decimal::Multiply(P("1.5"), P("-2.25"))->ToString(), "-3.375");
  EXPECT_EQ(Decimal::Multiply(P("82746"), P("100"))->ToString(), "8274600");
  EXPECT_EQ(Decimal::Multiply(P("0"), P("1.23"))->ToString(), "0.00");
}

TEST(DecimalMathTest, DivideRoundsAsAsked) {
  // Revenue up 7.9% YoY: (82746 - 76700) / 76700 with one digit of percent.
  EXPECT_EQ(Div("604600", "76700", 1), "7.9");
  EXPECT_EQ(Div("1", "8", 2), "0.13");
  EXPECT_EQ(Div("-1", "8", 2), "-0.13");
  EXPECT_EQ(Div("1", "8", 2, R::kHalfEven), "0.12");
  EXPECT_EQ(Div("3", "8", 2, R::kHalfEven), "0.38");
  EXPECT_EQ(Div("1", "8", 2, R::kTowardZero), "0.12");
  EXPECT_EQ(Div("-1", "8", 2, R::kTowardZero), "-0.12");
  EXPECT_EQ(Div("10", "4", 0), "3");
  EXPECT_EQ(Div("10", "4", 0, R::kHalfEven), "2");
  EXPECT_EQ(Div("12345", "1", -2), "12300");
  EXPECT_EQ(Div("2", "3", 5), "0.66667");
  EXPECT_EQ(Div("1", "3", 0), "0");
  EXPECT_EQ(Decimal::Divide(P("1"), *Decimal::FromParts(1, 30), 3)->ToString(), "0.000");
  EXPECT_THAT(Decimal::Divide(P("1"), P("0.0"), 2),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Decimal::Divide(P("1"), P("3"), 41),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Decimal::Divide(P("999999999999999999"), P("0.001"), 2),
              StatusIs(absl::StatusCode::kOutOfRange));
}

TEST(DecimalMathTest, RoundedSetsTheDigits) {
  EXPECT_EQ(P("82.746").Rounded(1)->ToString(), "82.7");
  EXPECT_EQ(P("82").Rounded(2)->ToString(), "82.00");
  EXPECT_EQ(P("-0.05").Rounded(1)->ToString(), "-0.1");
  EXPECT_EQ(P("0.05").Rounded(1, R::kHalfEven)->ToString(), "0.0");
  EXPECT_EQ(P("82746").Rounded(-3)->ToString(), "83000");
  EXPECT_EQ(P("-5").Negated().ToString(), "5");
  EXPECT_EQ(P("-5.0").Abs().ToString(), "5.0");
}

// Random operands against a reference computed in 128-bit integers at a
// common exponent (seeded from --gtest_random_seed).
TEST(DecimalMathTest, MatchesReferenceArithmetic) {
  std::mt19937_64 rng = kpidb::testing::SeededRng();
  for (int i = 0; i < 20000; ++i) {
    const int64_t ma = static_cast<int64_t>(rng() % 2'000'000'000) - 1'000'000'000;
    const int64_t mb = static_cast<int64_t>(rng() % 2'000'000'000) - 1'000'000'000;
    // Exponents within 8 of each other: aligned sums stay below 10^18.
    const int ea = static_cast<int>(rng() % 9) - 4;
    const int eb = static_cast<int>(rng() % 9) - 4;
    const Decimal a = *Decimal::FromParts(ma, ea);
    const Decimal b = *Decimal::FromParts(mb, eb);
    // Reference at exponent -6.
    const __int128 ra = ma * Pow10(ea + 6);
    const __int128 rb = mb * Pow10(eb + 6);
    auto at_minus6 = [&](const Decimal& d) {
      return static_cast<__int128>(d.mantissa()) * Pow10(d.exponent() + 6);
    };
    absl::StatusOr<Decimal> sum = Decimal::Add(a, b);
    ASSERT_THAT(sum, IsOk());
    ASSERT_TRUE(at_minus6(*sum) == ra + rb) << a.ToString() << " + " << b.ToString();
    EXPECT_EQ(sum->exponent(), std::min(ea, eb));
    absl::StatusOr<Decimal> diff = Decimal::Subtract(a, b);
    ASSERT_THAT(diff, IsOk());
    ASSERT_TRUE(at_minus6(*diff) == ra - rb);
    if (mb != 0) {
      // Quotient to 4 digits, truncated: reference floor toward zero.
      absl::StatusOr<Decimal> q = Decimal::Divide(a, b, 4, R::kTowardZero);
      const __int128 expected = ra * 10000 / rb;
      if (expected >= Pow10(18) || expected <= -Pow10(18)) {
        EXPECT_THAT(q, StatusIs(absl::StatusCode::kOutOfRange));
        continue;
      }
      ASSERT_THAT(q, IsOk());
      ASSERT_TRUE(static_cast<__int128>(q->mantissa()) == expected)
          << a.ToString() << " / " << b.ToString() << " = " << q->ToString();
      EXPECT_EQ(q->exponent(), -4);
    }
  }
}

// Division with each rounding, for operands of every width (the quotient is
// computed in 64 bits when it fits and in 128 otherwise), against a
// reference that rounds by doubling the remainder in 128 bits.
TEST(DecimalMathTest, DivideRoundingMatchesReferenceAtEveryWidth) {
  std::mt19937_64 rng = kpidb::testing::SeededRng();
  auto mantissa = [&]() {
    const int digits = 1 + static_cast<int>(rng() % 18);
    int64_t m = static_cast<int64_t>(rng() % static_cast<uint64_t>(Pow10(digits)));
    if (m == 0) m = 1;
    return rng() % 2 ? -m : m;
  };
  int checked = 0, wide = 0;
  for (int i = 0; i < 20000; ++i) {
    const int64_t ma = mantissa();
    const int64_t mb = mantissa();
    const int ea = static_cast<int>(rng() % 13) - 6;
    const int eb = static_cast<int>(rng() % 13) - 6;
    const int digits = static_cast<int>(rng() % 7);
    const R rounding = static_cast<R>(rng() % 3);
    // a/b * 10^digits = num / den with k = ea - eb + digits.
    const int k = ea - eb + digits;
    __int128 num = ma, den = mb;
    if (k >= 0) {
      if (k > 20) continue;  // may leave 128 bits: OutOfRange, tested above
      num *= Pow10(k);
    } else {
      if (-k > 20) continue;
      den *= Pow10(-k);
    }
    __int128 q = num / den;
    const __int128 r = num % den;
    if (r != 0 && rounding != R::kTowardZero) {
      const __int128 twice = (r < 0 ? -r : r) * 2;
      const __int128 d = den < 0 ? -den : den;
      const bool up = rounding == R::kHalfAwayFromZero
                          ? twice >= d
                          : twice > d || (twice == d && q % 2 != 0);
      if (up) q += (num < 0) != (den < 0) ? -1 : 1;
    }
    const absl::StatusOr<Decimal> got =
        Decimal::Divide(*Decimal::FromParts(ma, ea), *Decimal::FromParts(mb, eb), digits, rounding);
    if (q >= Pow10(18) || q <= -Pow10(18)) {
      EXPECT_THAT(got, StatusIs(absl::StatusCode::kOutOfRange));
      continue;
    }
    ASSERT_THAT(got, IsOk());
    ASSERT_TRUE(static_cast<__int128>(got->mantissa()) == q)
        << ma << "e" << ea << " / " << mb << "e" << eb << " at " << digits << " digits, rounding "
        << static_cast<int>(rounding) << ": " << got->ToString();
    EXPECT_EQ(got->exponent(), -digits);
    ++checked;
    wide += num > INT64_MAX || num < -INT64_MAX || den > INT64_MAX || den < -INT64_MAX;
  }
  // Both paths were exercised.
  EXPECT_GT(checked, 5000);
  EXPECT_GT(wide, 500);
  EXPECT_GT(checked - wide, 500);
}

}  // namespace
}  // namespace kpidb
