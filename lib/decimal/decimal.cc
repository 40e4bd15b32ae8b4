#include "kpidb/decimal.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "lib/util/quote.h"
#include "lib/util/str_cat.h"

namespace kpidb {
namespace {

constexpr uint64_t kPow10[Decimal::kMaxDigits + 1] = {
    1ULL,
    10ULL,
    100ULL,
    1000ULL,
    10000ULL,
    100000ULL,
    1000000ULL,
    10000000ULL,
    100000000ULL,
    1000000000ULL,
    10000000000ULL,
    100000000000ULL,
    1000000000000ULL,
    10000000000000ULL,
    100000000000000ULL,
    1000000000000000ULL,
    10000000000000000ULL,
    100000000000000000ULL,
    1000000000000000000ULL,
};

// |mantissa| must stay below this (10^18).
constexpr uint64_t kMantissaLimit = kPow10[Decimal::kMaxDigits];

// Going through uint64_t keeps the negation defined even for INT64_MIN,
// although no valid Decimal holds that value.
uint64_t Magnitude(int64_t v) {
  return v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
}

int DigitCount(uint64_t v) {
  int n = 1;
  while (n < Decimal::kMaxDigits + 1 && v >= kPow10[n]) ++n;
  return n;
}

// Bulk ingest can hand us an arbitrarily long field: QuoteForMessage shows
// only its start.
[[nodiscard]] absl::Status ParseError(std::string_view text, std::string_view why) {
  return absl::InvalidArgumentError(
      kpidb::StrCat("invalid decimal ", QuoteForMessage(text, '"'), ": ", why));
}

// Length in bytes of a leading negative sign that is not ASCII '-':
// U+2212 MINUS SIGN (E2 88 92), U+25B2 BLACK UP-POINTING TRIANGLE (E2 96 B2)
// and U+25B3 WHITE UP-POINTING TRIANGLE (E2 96 B3). The triangles are how
// Japanese filings print a loss. Returns 0 if `s` does not start with one.
size_t UnicodeMinusLength(std::string_view s) {
  if (s.size() < 3 || s[0] != '\xE2') return 0;
  if (s[1] == '\x88' && s[2] == '\x92') return 3;
  if (s[1] == '\x96' && (s[2] == '\xB2' || s[2] == '\xB3')) return 3;
  return 0;
}

bool IsSignAt(std::string_view s, size_t i) {
  return s[i] == '-' || s[i] == '+' || s[i] == '(' || s[i] == ')' ||
         UnicodeMinusLength(s.substr(i)) > 0;
}

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// The scanners below return nullptr, or why the text is not a number: a
// static string, so that nothing is built unless parsing fails.

// Removes the parentheses around a negative number, or one leading sign,
// from *s (not empty); sets *negative.
const char* StripSign(std::string_view* s, bool* negative) {
  bool has_sign = false;
  if (s->front() == '(') {
    if (s->size() < 2 || s->back() != ')') return "unbalanced parenthesis";
    *s = s->substr(1, s->size() - 2);
    *negative = true;
    has_sign = true;
  } else if (s->back() == ')') {
    return "unbalanced parenthesis";
  }
  size_t sign_length = UnicodeMinusLength(*s);
  bool sign_is_negative = sign_length > 0;
  if (sign_length == 0 && !s->empty() &&
      (s->front() == '-' || s->front() == '+')) {
    sign_length = 1;
    sign_is_negative = s->front() == '-';
  }
  if (sign_length > 0) {
    if (has_sign) return "more than one sign";
    *negative = sign_is_negative;
    s->remove_prefix(sign_length);
  }
  return nullptr;
}

// Why s[i], which is not a digit, comma or point, cannot be in a number.
const char* WhyUnexpected(std::string_view s, size_t i) {
  if (s[i] == 'e' || s[i] == 'E') return "exponent notation is not accepted";
  if (s[i] == '%') return "'%' belongs in the unit, not the number";
  if (IsSignAt(s, i)) return "misplaced or repeated sign";
  return "unexpected character";
}

constexpr char kBadGrouping[] = "commas must separate groups of three digits";

// The digits, thousands separators and decimal point of an unsigned number.
class DigitScanner {
 public:
  const char* Scan(std::string_view s) {
    for (size_t i = 0; i < s.size(); ++i) {
      const unsigned digit = static_cast<unsigned char>(s[i]) - '0';
      const char* why = digit <= 9 ? AddDigit(digit) : AddOther(s, i);
      if (why != nullptr) return why;
    }
    return Finish();
  }

  uint64_t magnitude() const { return magnitude_; }
  int fraction_digits() const { return fraction_digits_; }

 private:
  const char* AddDigit(unsigned digit) {
    // Leading zeros carry no precision; every digit after the first
    // non-zero one does, trailing zeros included.
    if (significant_digits_ > 0 || digit != 0) {
      if (++significant_digits_ > Decimal::kMaxDigits) {
        return "more than 18 significant digits";
      }
      magnitude_ = magnitude_ * 10 + digit;
    }
    if (seen_point_) {
      if (++fraction_digits_ > -Decimal::kMinExponent) {
        return "more than 40 digits after the point";
      }
    } else {
      ++integer_digits_;
      ++group_digits_;
    }
    return nullptr;
  }

  const char* AddOther(std::string_view s, size_t i) {
    if (s[i] == ',') return AddComma(s[0]);
    if (s[i] == '.') return AddPoint();
    return WhyUnexpected(s, i);
  }

  // `first` is the number's first character.
  const char* AddComma(char first) {
    if (seen_point_) return "comma after the decimal point";
    if (grouped_ ? group_digits_ != 3
                 : (group_digits_ == 0 || group_digits_ > 3)) {
      return kBadGrouping;
    }
    // "0,5" is far more likely a European decimal comma than a grouped
    // integer; guessing would silently scale the value by 1000.
    if (!grouped_ && first == '0') {
      return "leading zero before a thousands separator";
    }
    grouped_ = true;
    group_digits_ = 0;
    return nullptr;
  }

  const char* AddPoint() {
    if (seen_point_) return "more than one decimal point";
    if (grouped_ && group_digits_ != 3) return kBadGrouping;
    seen_point_ = true;
    return nullptr;
  }

  const char* Finish() const {
    if (integer_digits_ == 0 && fraction_digits_ == 0) return "no digits";
    // "5." is a truncated field at least as often as a deliberate integer.
    if (seen_point_ && fraction_digits_ == 0) {
      return "no digits after the decimal point";
    }
    if (grouped_ && !seen_point_ && group_digits_ != 3) return kBadGrouping;
    return nullptr;
  }

  uint64_t magnitude_ = 0;
  int significant_digits_ = 0;
  int integer_digits_ = 0;
  int fraction_digits_ = 0;
  int group_digits_ = 0;  // digits since the last comma or the start
  bool grouped_ = false;  // saw a thousands separator
  bool seen_point_ = false;
};

// The general parser, for anything the digits-only fast path in
// Decimal::Parse() does not take. One pass, no allocation unless it fails.
// Writes the result through the out-parameters because the (mantissa,
// exponent) constructor is private to Decimal.
[[nodiscard]] absl::Status ParseGeneral(std::string_view text,
                                        int64_t* mantissa, int* exponent) {
  std::string_view s = TrimSpaces(text);
  if (s.empty()) return ParseError(text, "no digits");
  bool negative = false;
  DigitScanner digits;
  const char* why = StripSign(&s, &negative);
  if (why == nullptr) why = digits.Scan(s);
  if (why != nullptr) return ParseError(text, why);
  const int64_t value = static_cast<int64_t>(digits.magnitude());
  *mantissa = negative ? -value : value;
  *exponent = -digits.fraction_digits();
  return absl::OkStatus();
}

// Shared by ToString() and ToGroupedString().
std::string Format(int64_t mantissa, int exponent, bool grouped) {
  // Mantissa digits, least significant first.
  char digits[Decimal::kMaxDigits + 2];
  int num_digits = 0;
  uint64_t m = Magnitude(mantissa);
  do {
    digits[num_digits++] = static_cast<char>('0' + m % 10);
    m /= 10;
  } while (m != 0);

  const int fraction_digits = exponent < 0 ? -exponent : 0;
  // Zero has no significant digit to pad, so a positive exponent on zero
  // prints as plain "0" rather than "000".
  const int trailing_zeros = (exponent > 0 && mantissa != 0) ? exponent : 0;
  const int integer_from_mantissa =
      num_digits > fraction_digits ? num_digits - fraction_digits : 0;
  int integer_length = integer_from_mantissa + trailing_zeros;

  std::string out;
  out.reserve(2 + integer_length + integer_length / 3 + fraction_digits);
  if (mantissa < 0) out.push_back('-');
  if (integer_length == 0) {
    out.push_back('0');
  } else {
    for (int k = 0; k < integer_length; ++k) {
      if (grouped && k > 0 && (integer_length - k) % 3 == 0) out.push_back(',');
      out.push_back(k < integer_from_mantissa ? digits[num_digits - 1 - k]
                                              : '0');
    }
  }
  if (fraction_digits > 0) {
    out.push_back('.');
    // Fraction position j (0 = right after the point) holds mantissa digit
    // fraction_digits - 1 - j counted from the least significant end, or a
    // leading zero when the mantissa is shorter than the fraction.
    for (int j = 0; j < fraction_digits; ++j) {
      const int index = fraction_digits - 1 - j;
      out.push_back(index < num_digits ? digits[index] : '0');
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<Decimal> Decimal::FromParts(int64_t mantissa, int exponent) {
  if (Magnitude(mantissa) >= kMantissaLimit) {
    return absl::InvalidArgumentError(kpidb::StrCat(
        "Decimal mantissa ", mantissa, " has more than 18 digits"));
  }
  if (exponent < kMinExponent || exponent > kMaxExponent) {
    return absl::InvalidArgumentError(
        kpidb::StrCat("Decimal exponent ", exponent, " is outside [",
                      kMinExponent, ", ", kMaxExponent, "]"));
  }
  return Decimal(mantissa, exponent);
}

absl::StatusOr<Decimal> Decimal::Parse(std::string_view text) {
  // Most ingested cells are bare unsigned integers; 18 characters of ASCII
  // digits always fit below 10^18, so no overflow check is needed here.
  if (!text.empty() && text.size() <= static_cast<size_t>(kMaxDigits)) {
    uint64_t value = 0;
    size_t i = 0;
    for (; i < text.size(); ++i) {
      const unsigned digit = static_cast<unsigned char>(text[i]) - '0';
      if (digit > 9) break;
      value = value * 10 + digit;
    }
    if (i == text.size()) return Decimal(static_cast<int64_t>(value), 0);
  }
  int64_t mantissa = 0;
  int exponent = 0;
  absl::Status status = ParseGeneral(text, &mantissa, &exponent);
  if (!status.ok()) return status;
  return Decimal(mantissa, exponent);
}

std::string Decimal::ToString() const {
  return Format(mantissa_, exponent_, /*grouped=*/false);
}

std::string Decimal::ToGroupedString() const {
  return Format(mantissa_, exponent_, /*grouped=*/true);
}

int Decimal::Compare(const Decimal& other) const {
  const int sign = (mantissa_ > 0) - (mantissa_ < 0);
  const int other_sign = (other.mantissa_ > 0) - (other.mantissa_ < 0);
  if (sign != other_sign) return sign < other_sign ? -1 : 1;
  if (sign == 0) return 0;

  // Same sign, both non-zero: compare magnitudes. A magnitude with d digits
  // and exponent e lies in [10^(d+e-1), 10^(d+e)), so different d+e decide
  // at once. Equal d+e means the exponents differ by the difference of the
  // digit counts, so shifting the coarser one to the finer exponent yields
  // at most kMaxDigits digits: it fits in uint64_t without overflow, where
  // naively aligning exponents up to 80 apart would not even fit __int128.
  uint64_t a = Magnitude(mantissa_);
  uint64_t b = Magnitude(other.mantissa_);
  const int a_top = DigitCount(a) + exponent_;
  const int b_top = DigitCount(b) + other.exponent_;
  int magnitude_order;
  if (a_top != b_top) {
    magnitude_order = a_top < b_top ? -1 : 1;
  } else {
    if (exponent_ > other.exponent_) {
      a *= kPow10[exponent_ - other.exponent_];
    } else {
      b *= kPow10[other.exponent_ - exponent_];
    }
    magnitude_order = (a > b) - (a < b);
  }
  return sign > 0 ? magnitude_order : -magnitude_order;
}

absl::StatusOr<Decimal> Decimal::Scaled(int power) const {
  // Widen first: an int power near INT_MAX must not overflow the sum.
  const int64_t exponent = int64_t{exponent_} + power;
  if (exponent < kMinExponent || exponent > kMaxExponent) {
    return absl::OutOfRangeError(kpidb::StrCat(
        "Decimal ", ToString(), " scaled by 10^", power,
        " leaves the exponent range [", kMinExponent, ", ", kMaxExponent, "]"));
  }
  return Decimal(mantissa_, static_cast<int>(exponent));
}

}  // namespace kpidb
