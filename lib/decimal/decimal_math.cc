// Exact decimal arithmetic. Operands are aligned to a common exponent in
// 128-bit integers (two 18-digit mantissas and a shift of up to 20 digits
// fit), the result is computed exactly, and only then checked against the
// 18-digit limit, dropping trailing zeros first.
#include <cstdint>

#include "absl/status/status.h"
#include "kpidb/decimal.h"
#include "lib/util/str_cat.h"

namespace kpidb {
namespace {

using int128 = __int128;

constexpr int128 kLimit = 1'000'000'000'000'000'000;  // 10^18
// 10^38 < 2^127: the largest power of ten an int128 holds.
constexpr int kMaxPow128 = 38;

// 10^0 .. 10^38. A table: derivations add many figures, and computing the
// powers and the overflow bound (a 128-bit division) per call showed up in
// profiles.
struct Pow10Table {
  int128 p[kMaxPow128 + 1];
};
constexpr Pow10Table MakePow10Table() {
  Pow10Table t{};
  t.p[0] = 1;
  for (int i = 1; i <= kMaxPow128; ++i) t.p[i] = t.p[i - 1] * 10;
  return t;
}
constexpr Pow10Table kPow10 = MakePow10Table();

int128 Abs128(int128 v) { return v < 0 ? -v : v; }

// v * 10^n, or false on overflow of |result| < 10^38.
bool ShiftUp(int128 v, int n, int128* out) {
  if (v == 0) {
    *out = 0;
    return true;
  }
  if (n > kMaxPow128) return false;
  // |v| * 10^n < 10^38  <=>  |v| < 10^(38 - n).
  if (Abs128(v) >= kPow10.p[kMaxPow128 - n]) return false;
  *out = v * kPow10.p[n];
  return true;
}

[[nodiscard]] absl::Status TooLarge(const char* op) {
  return absl::OutOfRangeError(kpidb::StrCat(
      "decimal ", op, " result needs more than ", Decimal::kMaxDigits,
      " digits or leaves the exponent range"));
}

// Builds a Decimal from an exact int128 mantissa, dropping trailing zeros
// only when the digits would not fit otherwise.
[[nodiscard]] absl::StatusOr<Decimal> Normalize(int128 m, int64_t e, const char* op) {
  while (Abs128(m) >= kLimit && m % 10 == 0 && e < Decimal::kMaxExponent) {
    m /= 10;
    ++e;
  }
  if (Abs128(m) >= kLimit || e < Decimal::kMinExponent ||
      e > Decimal::kMaxExponent) {
    return TooLarge(op);
  }
  return Decimal::FromValidParts(static_cast<int64_t>(m), static_cast<int>(e));
}

[[nodiscard]] absl::StatusOr<Decimal> AddSigned(const Decimal& a, int64_t b_mantissa,
                                                int b_exponent, const char* op) {
  if (a.exponent() == b_exponent) {
    // The common case (figures of one series): two mantissas below 10^18
    // add without overflow in 64 bits.
    const int64_t m = a.mantissa() + b_mantissa;
    if (m < static_cast<int64_t>(kLimit) && m > -static_cast<int64_t>(kLimit)) {
      return Decimal::FromValidParts(m, b_exponent);
    }
    return Normalize(m, b_exponent, op);
  }
  const int e = a.exponent() < b_exponent ? a.exponent() : b_exponent;
  int128 x, y;
  if (!ShiftUp(a.mantissa(), a.exponent() - e, &x) ||
      !ShiftUp(b_mantissa, b_exponent - e, &y)) {
    return TooLarge(op);
  }
  return Normalize(x + y, e, op);
}

// num / den rounded to an integer, in T (int64_t or int128). Compares |r|
// with |den| - |r| rather than doubling |r|, which could overflow T.
template <typename T>
T DivideRoundedIn(T num, T den, Decimal::Rounding rounding) {
  T q = num / den;
  const T r = num % den;
  if (r == 0 || rounding == Decimal::Rounding::kTowardZero) return q;
  const bool negative = (num < 0) != (den < 0);
  const T abs_r = r < 0 ? -r : r;
  const T rest = (den < 0 ? -den : den) - abs_r;
  bool up;
  if (rounding == Decimal::Rounding::kHalfAwayFromZero) {
    up = abs_r >= rest;
  } else {
    up = abs_r > rest || (abs_r == rest && q % 2 != 0);
  }
  if (up) q += negative ? -1 : 1;
  return q;
}

// num / den rounded to an integer. Most quotients (percent changes of
// figures) fit 64 bits, where one hardware division replaces two calls to
// the 128-bit division routines.
int128 DivideRounded(int128 num, int128 den, Decimal::Rounding rounding) {
  constexpr int128 kMax64 = INT64_MAX;
  if (num >= -kMax64 && num <= kMax64 && den >= -kMax64 && den <= kMax64) {
    return DivideRoundedIn<int64_t>(static_cast<int64_t>(num), static_cast<int64_t>(den),
                                    rounding);
  }
  return DivideRoundedIn<int128>(num, den, rounding);
}

}  // namespace

absl::StatusOr<Decimal> Decimal::Add(const Decimal& a, const Decimal& b) {
  return AddSigned(a, b.mantissa(), b.exponent(), "sum");
}

absl::StatusOr<Decimal> Decimal::Subtract(const Decimal& a, const Decimal& b) {
  return AddSigned(a, -b.mantissa(), b.exponent(), "difference");
}

absl::StatusOr<Decimal> Decimal::Multiply(const Decimal& a, const Decimal& b) {
  return Normalize(int128{a.mantissa()} * b.mantissa(),
                   int64_t{a.exponent()} + b.exponent(), "product");
}

absl::StatusOr<Decimal> Decimal::Divide(const Decimal& a, const Decimal& b,
                                        int fraction_digits, Rounding rounding) {
  if (b.is_zero()) return absl::InvalidArgumentError("decimal division by zero");
  if (fraction_digits < -kMaxExponent || fraction_digits > -kMinExponent) {
    return absl::InvalidArgumentError(
        kpidb::StrCat("fraction digits ", fraction_digits, " out of range"));
  }
  // a/b = (ma / mb) * 10^(ea - eb); the result's mantissa is that times
  // 10^fraction_digits.
  const int k = a.exponent() - b.exponent() + fraction_digits;
  int128 num = a.mantissa();
  int128 den = b.mantissa();
  if (k >= 0) {
    if (!ShiftUp(num, k, &num)) return TooLarge("quotient");
  } else if (!ShiftUp(den, -k, &den)) {
    // The quotient is smaller than one unit of the last kept digit.
    den = 0;
  }
  const int128 q = den == 0 ? 0 : DivideRounded(num, den, rounding);
  if (Abs128(q) >= kLimit) return TooLarge("quotient");
  return FromValidParts(static_cast<int64_t>(q), -fraction_digits);
}

absl::StatusOr<Decimal> Decimal::Rounded(int fraction_digits,
                                         Rounding rounding) const {
  return Divide(*this, Decimal::FromValidParts(1, 0), fraction_digits, rounding);
}

}  // namespace kpidb
