// File: kpidb/decimal.h
// -----------------------------------------------------------------------------
//
// Decimal is an exact decimal number as a company reported it: a signed
// mantissa of at most 18 digits and a power-of-ten exponent. kpidb never
// stores or returns a binary float.
//
// The reported precision is part of the value: "117.0" is mantissa 1170 with
// exponent -1 and prints back as "117.0", not "117". Two decimals can be equal
// as numbers (Compare() == 0) without being identical (Identical()).
//
//   absl::StatusOr<kpidb::Decimal> d = kpidb::Decimal::Parse("(1,998)");
//   // d->mantissa() == -1998, d->exponent() == 0, d->ToString() == "-1998"
//
// Thread-safety: Decimal is a value type; const methods are safe to call from
// many threads.
#ifndef KPIDB_INCLUDE_KPIDB_DECIMAL_H_
#define KPIDB_INCLUDE_KPIDB_DECIMAL_H_

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace kpidb {

class Decimal {
 public:
  // At most this many significant digits in the mantissa (|mantissa| < 10^18).
  static constexpr int kMaxDigits = 18;
  // Exponents outside [kMinExponent, kMaxExponent] are rejected.
  static constexpr int kMinExponent = -40;
  static constexpr int kMaxExponent = 40;

  // Zero, with exponent 0.
  constexpr Decimal() = default;

  // Builds mantissa * 10^exponent. InvalidArgument if |mantissa| >= 10^18 or
  // the exponent is out of range.
  [[nodiscard]] static absl::StatusOr<Decimal> FromParts(int64_t mantissa, int exponent);

  // FromParts() for parts already known to be valid (decoded from a checked
  // chunk, say), without the cost of a StatusOr.
  // REQUIRES: |mantissa| < 10^18, kMinExponent <= exponent <= kMaxExponent.
  static constexpr Decimal FromValidParts(int64_t mantissa, int exponent) {
    return Decimal(mantissa, exponent);
  }

  // Parses a number as printed in a results deck or a CSV field:
  //   plain          "82746", "-1998", "+3.5", "117.0", ".5", "0.10"
  //   separators     "1,998", "22,102"  (commas must group by three digits)
  //   negatives      "(1,998)" (accounting), "▲1,998", "△1,998" (Japanese),
  //                  "−1998" (U+2212 minus sign)
  // Leading/trailing ASCII spaces are ignored. The mantissa keeps every digit
  // after the first non-zero one ("0.10" is mantissa 10, exponent -2), at most
  // kMaxDigits of them. Anything else (empty text, letters, "%", two signs,
  // misplaced commas, exponents such as "1e3") is InvalidArgument with a
  // message that quotes the text.
  [[nodiscard]] static absl::StatusOr<Decimal> Parse(std::string_view text);

  int64_t mantissa() const { return mantissa_; }
  int exponent() const { return exponent_; }

  // Number of digits after the decimal point as reported (max(0, -exponent)).
  int fraction_digits() const { return exponent_ < 0 ? -exponent_ : 0; }

  // The value as reported, plain ASCII: "-1998", "117.0", "0.10", "1998000"
  // (a positive exponent prints trailing zeros). Parse(ToString()) is
  // identical to *this when exponent() <= 0, as for every value Parse()
  // produces; for a positive exponent it compares equal when the digits fit.
  std::string ToString() const;

  // Like ToString() with thousands separators in the integer part:
  // "82,746", "-1,998.5".
  std::string ToGroupedString() const;

  // Numeric comparison: -1, 0 or 1. "117.0" compares equal to "117".
  int Compare(const Decimal& other) const;

  // True when mantissa and exponent are both the same: the same number
  // reported with the same precision.
  bool Identical(const Decimal& other) const {
    return mantissa_ == other.mantissa_ && exponent_ == other.exponent_;
  }

  // This value times 10^power, exactly (exponent + power). For scale
  // conversions: 82,746 (million) -> 82.746 (billion) is Scaled(-3).
  // OutOfRange when the exponent leaves the allowed range.
  [[nodiscard]] absl::StatusOr<Decimal> Scaled(int power) const;

  // --- Exact arithmetic -----------------------------------------------------
  //
  // Results are exact or an error, never silently rounded. Sums keep the
  // finer of the two precisions (82.7 + 0.05 = 82.75; 117.0 - 3 = 114.0).
  // OutOfRange when a result would need more than kMaxDigits digits (after
  // dropping trailing zeros) or leave the exponent range.

  [[nodiscard]] static absl::StatusOr<Decimal> Add(const Decimal& a, const Decimal& b);
  [[nodiscard]] static absl::StatusOr<Decimal> Subtract(const Decimal& a, const Decimal& b);
  [[nodiscard]] static absl::StatusOr<Decimal> Multiply(const Decimal& a, const Decimal& b);

  // How Divide() and Rounded() round the last kept digit.
  enum class Rounding {
    kHalfAwayFromZero,  // 0.125 -> 0.13, -0.125 -> -0.13 (as decks print)
    kHalfEven,          // 0.125 -> 0.12, 0.135 -> 0.14 (banker's)
    kTowardZero,        // truncate
  };

  // a / b with exactly `fraction_digits` digits after the point (negative:
  // rounds to tens, hundreds...). InvalidArgument when b is zero.
  [[nodiscard]] static absl::StatusOr<Decimal> Divide(
      const Decimal& a, const Decimal& b, int fraction_digits,
      Rounding rounding = Rounding::kHalfAwayFromZero);

  // This value with exactly `fraction_digits` digits after the point:
  // rounded when it had more, padded with zeros when it had fewer
  // (82.746 -> 82.7 at 1 digit; 82 -> 82.00 at 2).
  [[nodiscard]] absl::StatusOr<Decimal> Rounded(
      int fraction_digits, Rounding rounding = Rounding::kHalfAwayFromZero) const;

  Decimal Negated() const { return Decimal(-mantissa_, exponent_); }
  Decimal Abs() const { return mantissa_ < 0 ? Negated() : *this; }

  bool is_zero() const { return mantissa_ == 0; }
  bool is_negative() const { return mantissa_ < 0; }

  // Numeric ordering and equality (see Compare()).
  friend bool operator==(const Decimal& a, const Decimal& b) {
    return a.Compare(b) == 0;
  }
  friend std::strong_ordering operator<=>(const Decimal& a, const Decimal& b) {
    return a.Compare(b) <=> 0;
  }

 private:
  constexpr Decimal(int64_t mantissa, int exponent)
      : mantissa_(mantissa), exponent_(exponent) {}

  int64_t mantissa_ = 0;
  int exponent_ = 0;
};

}  // namespace kpidb

#endif  // KPIDB_INCLUDE_KPIDB_DECIMAL_H_
