// Fuzz target for kpidb::Decimal (include/kpidb/decimal.h).
//
// Input: the text of a CSV value field. Checks, for every text Parse()
// accepts:
//   - the value is in range (|mantissa| < 10^18, exponent in -40..0: Parse
//     never makes a positive exponent);
//   - Parse(ToString()) and Parse(ToGroupedString()) give back the identical
//     value (same mantissa and exponent, so the same digits), and printing
//     that again gives the same text;
//   - Rounded(fraction_digits()) is the identical value.
// The same bytes are also read as two decimals built from parts (mantissa,
// exponent) to check printing of positive exponents, Compare() against
// Identical() and the exact arithmetic: a + b - b == a and a * 1 == a
// whenever the operations succeed; results stay in range.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "kpidb/decimal.h"
#include "lib/util/str_cat.h"
#include "tests/fuzz/fuzz_check.h"

namespace kpidb {
namespace {

using fuzz::Quote;

bool InRange(const Decimal& d) {
  const int64_t m = d.mantissa();
  return m < 1'000'000'000'000'000'000 && m > -1'000'000'000'000'000'000 &&
         d.exponent() >= Decimal::kMinExponent &&
         d.exponent() <= Decimal::kMaxExponent;
}

std::string Describe(const Decimal& d) {
  return kpidb::StrCat("{", d.mantissa(), "e", d.exponent(), "}");
}

int DigitCount(int64_t m) {
  uint64_t v = m < 0 ? 0 - static_cast<uint64_t>(m) : static_cast<uint64_t>(m);
  int n = 1;
  while (v >= 10) {
    v /= 10;
    ++n;
  }
  return n;
}

// `printed` (from ToString or ToGroupedString of d) parses back to exactly d
// and prints the same way again.
void CheckReparses(const Decimal& d, const std::string& printed, bool grouped) {
  absl::StatusOr<Decimal> back = Decimal::Parse(printed);
  KPIDB_FUZZ_CHECK(back.ok(), "Parse(", grouped ? "ToGroupedString" : "ToString",
                   "()) of ", Describe(d), " = ", Quote(printed),
                   " fails: ", back.status().message());
  KPIDB_FUZZ_CHECK(back->Identical(d), Quote(printed), " parses to ",
                   Describe(*back), ", printed from ", Describe(d));
  const std::string again = grouped ? back->ToGroupedString() : back->ToString();
  KPIDB_FUZZ_CHECK(again == printed, Describe(d), " prints ", Quote(printed),
                   " then ", Quote(again));
}

void CheckParsed(std::string_view text) {
  absl::StatusOr<Decimal> d = Decimal::Parse(text);
  if (!d.ok()) {
    KPIDB_FUZZ_CHECK(d.status().code() == absl::StatusCode::kInvalidArgument,
                     Quote(text), ": ", d.status().ToString());
    return;
  }
  KPIDB_FUZZ_CHECK(InRange(*d) && d->exponent() <= 0, Quote(text),
                   " parses to ", Describe(*d));
  CheckReparses(*d, d->ToString(), /*grouped=*/false);
  CheckReparses(*d, d->ToGroupedString(), /*grouped=*/true);
  absl::StatusOr<Decimal> rounded = d->Rounded(d->fraction_digits());
  KPIDB_FUZZ_CHECK(rounded.ok() && rounded->Identical(*d), Describe(*d),
                   ".Rounded(", d->fraction_digits(), ") changes it");
}

// A decimal from 9 input bytes: mantissa (8 bytes, folded into range) and
// exponent (1 byte, folded into range).
Decimal FromBytes(const uint8_t* p) {
  int64_t raw;
  std::memcpy(&raw, p, sizeof(raw));
  const int64_t m = raw % 1'000'000'000'000'000'000;
  const int e = static_cast<int>(p[8] % 81) - 40;
  absl::StatusOr<Decimal> d = Decimal::FromParts(m, e);
  KPIDB_FUZZ_CHECK(d.ok(), "FromParts(", m, ", ", e, "): ", d.status().message());
  return *d;
}

void CheckFromParts(const Decimal& a) {
  const std::string printed = a.ToString();
  if (a.exponent() <= 0) {
    CheckReparses(a, printed, /*grouped=*/false);
    return;
  }
  // A positive exponent prints trailing zeros: it parses back equal (not
  // identical: the zeros become mantissa digits) when the digits fit.
  absl::StatusOr<Decimal> back = Decimal::Parse(printed);
  if (a.is_zero() || DigitCount(a.mantissa()) + a.exponent() <= Decimal::kMaxDigits) {
    KPIDB_FUZZ_CHECK(back.ok(), Describe(a), " prints ", Quote(printed),
                     " which fails to parse: ", back.status().message());
    KPIDB_FUZZ_CHECK(back->Compare(a) == 0, Describe(a), " prints ",
                     Quote(printed), " which parses to ", Describe(*back));
  }
}

void CheckArithmetic(const Decimal& a, const Decimal& b) {
  const int ab = a.Compare(b);
  KPIDB_FUZZ_CHECK(ab >= -1 && ab <= 1 && b.Compare(a) == -ab, Describe(a),
                   " vs ", Describe(b), ": Compare is not antisymmetric");
  KPIDB_FUZZ_CHECK(!a.Identical(b) || ab == 0, Describe(a), " identical to ",
                   Describe(b), " but compares ", ab);
  KPIDB_FUZZ_CHECK(a.Compare(a) == 0 && a.Negated().Compare(a) == -a.Compare(Decimal()),
                   Describe(a), ": Compare with itself or its negation is wrong");

  absl::StatusOr<Decimal> sum = Decimal::Add(a, b);
  if (sum.ok()) {
    KPIDB_FUZZ_CHECK(InRange(*sum), Describe(a), " + ", Describe(b), " = ",
                     Describe(*sum));
    // Ordering: a + b compares to a as b compares to zero.
    KPIDB_FUZZ_CHECK(sum->Compare(a) == b.Compare(Decimal()), Describe(a), " + ",
                     Describe(b), " = ", Describe(*sum), " is on the wrong side of a");
    absl::StatusOr<Decimal> back = Decimal::Subtract(*sum, b);
    if (back.ok()) {
      KPIDB_FUZZ_CHECK(back->Compare(a) == 0, "(", Describe(a), " + ",
                       Describe(b), ") - b = ", Describe(*back));
    }
  } else {
    KPIDB_FUZZ_CHECK(sum.status().code() == absl::StatusCode::kOutOfRange,
                     Describe(a), " + ", Describe(b), ": ", sum.status().ToString());
  }
  absl::StatusOr<Decimal> diff = Decimal::Subtract(a, b);
  if (diff.ok()) {
    KPIDB_FUZZ_CHECK(InRange(*diff), Describe(a), " - ", Describe(b), " = ",
                     Describe(*diff));
    KPIDB_FUZZ_CHECK(diff->Compare(Decimal()) == ab, Describe(a), " - ",
                     Describe(b), " = ", Describe(*diff), " has the wrong sign");
  }
  absl::StatusOr<Decimal> one = Decimal::Multiply(a, Decimal::FromValidParts(1, 0));
  KPIDB_FUZZ_CHECK(one.ok() && one->Compare(a) == 0, Describe(a), " * 1");
  absl::StatusOr<Decimal> product = Decimal::Multiply(a, b);
  if (product.ok()) {
    KPIDB_FUZZ_CHECK(InRange(*product), Describe(a), " * ", Describe(b), " = ",
                     Describe(*product));
    const int sign_a = a.Compare(Decimal()), sign_b = b.Compare(Decimal());
    KPIDB_FUZZ_CHECK(product->Compare(Decimal()) == sign_a * sign_b, Describe(a),
                     " * ", Describe(b), " = ", Describe(*product),
                     " has the wrong sign");
  }
  // Division and rounding must not crash; a quotient rounded toward zero
  // never exceeds the exact one in magnitude, so |q * b| <= |a|.
  for (int digits : {0, 2, -3}) {
    absl::StatusOr<Decimal> q =
        Decimal::Divide(a, b, digits, Decimal::Rounding::kTowardZero);
    if (!q.ok()) continue;
    KPIDB_FUZZ_CHECK(InRange(*q), Describe(a), " / ", Describe(b), " = ",
                     Describe(*q));
    absl::StatusOr<Decimal> qb = Decimal::Multiply(*q, b);
    if (qb.ok()) {
      KPIDB_FUZZ_CHECK(qb->Abs().Compare(a.Abs()) <= 0, Describe(a), " / ",
                       Describe(b), " rounded toward zero to ", digits,
                       " digits = ", Describe(*q), ", too large");
    }
  }
  for (auto rounding : {Decimal::Rounding::kHalfAwayFromZero,
                        Decimal::Rounding::kHalfEven,
                        Decimal::Rounding::kTowardZero}) {
    absl::StatusOr<Decimal> r = a.Rounded(1, rounding);
    if (r.ok()) {
      KPIDB_FUZZ_CHECK(InRange(*r) && r->exponent() == -1, Describe(a),
                       ".Rounded(1) = ", Describe(*r));
    }
  }
}

}  // namespace
}  // namespace kpidb

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  kpidb::CheckParsed(text);
  if (size >= 18) {
    const kpidb::Decimal a = kpidb::FromBytes(data);
    const kpidb::Decimal b = kpidb::FromBytes(data + 9);
    kpidb::CheckFromParts(a);
    kpidb::CheckArithmetic(a, b);
  }
  return 0;
}
