// Helpers shared by kpidb's tests.
#ifndef KPIDB_TESTS_TESTUTIL_H_
#define KPIDB_TESTS_TESTUTIL_H_

#include <filesystem>
#include <random>
#include <string>

#include <unistd.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kpidb::testing {

// EXPECT_THAT(status_or_statusor, IsOk());
MATCHER(IsOk, "is OK") {
  if constexpr (requires { arg.status(); }) {
    if (!arg.ok()) *result_listener << "status: " << arg.status();
    return arg.ok();
  } else {
    if (!arg.ok()) *result_listener << "status: " << arg;
    return arg.ok();
  }
}

// EXPECT_THAT(s, StatusIs(absl::StatusCode::kDataLoss));
MATCHER_P(StatusIs, code, "has status code " + absl::StatusCodeToString(code)) {
  absl::Status s;
  if constexpr (requires { arg.status(); }) {
    s = arg.status();
  } else {
    s = arg;
  }
  *result_listener << "status: " << s;
  return s.code() == code;
}

// A fresh directory for the current test, removed on destruction.
class ScopedTempDir {
 public:
  ScopedTempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    // The process id keeps two runs of one test (two build folders, two
    // checkouts) from removing each other's files.
    path_ = std::filesystem::path(::testing::TempDir()) /
            (std::string("kpidb_") + info->test_suite_name() + "_" + info->name() + "_" +
             std::to_string(::getpid()));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScopedTempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string path() const { return path_.string(); }
  std::string Sub(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// A PRNG seeded from GoogleTest's seed (--gtest_random_seed) so failures
// replay.
inline std::mt19937_64 SeededRng() {
  return std::mt19937_64(::testing::UnitTest::GetInstance()->random_seed());
}

}  // namespace kpidb::testing

#endif  // KPIDB_TESTS_TESTUTIL_H_
