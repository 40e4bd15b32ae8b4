// Helpers shared by the tests in tests/decimal/.
#ifndef KPIDB_TESTS_DECIMAL_DECIMAL_TEST_UTIL_H_
#define KPIDB_TESTS_DECIMAL_DECIMAL_TEST_UTIL_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "kpidb/decimal.h"

namespace kpidb::testing {

// The decimal `text` parses to; a test failure (and zero) if it does not.
inline Decimal P(std::string_view text) {
  absl::StatusOr<Decimal> d = Decimal::Parse(text);
  EXPECT_TRUE(d.ok()) << d.status();
  return d.ok() ? *d : Decimal();
}

// 10^n for 0 <= n <= 38, for reference arithmetic in 128-bit integers that
// shares no code with the library's.
inline __int128 Pow10(int n) {
  __int128 p = 1;
  for (int i = 0; i < n; ++i) p *= 10;
  return p;
}

}  // namespace kpidb::testing

#endif  // KPIDB_TESTS_DECIMAL_DECIMAL_TEST_UTIL_H_
