// File: tests/fuzz/fuzz_check.h
// -----------------------------------------------------------------------------
//
// What the fuzz targets share: an invariant check that stops the run with a
// message libFuzzer reports as a crash (so the input is saved as a
// reproducer), and a printable view of bytes for those messages.
//
//   KPIDB_FUZZ_CHECK(back.ok(), "Parse(ToString()) failed: ", text, " -> ",
//                    printed);
//
// A failed check prints "kpidb fuzz invariant failed: FILE:LINE: MESSAGE"
// to stderr and aborts. Each part of the message goes through StrCat
// (lib/util/str_cat.h), so strings, numbers and Status messages all work.
#ifndef KPIDB_TESTS_FUZZ_FUZZ_CHECK_H_
#define KPIDB_TESTS_FUZZ_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "absl/strings/escaping.h"
#include "lib/util/str_cat.h"

namespace kpidb::fuzz {

[[noreturn]] inline void Fail(const char* file, int line, const std::string& message) {
  std::fprintf(stderr, "kpidb fuzz invariant failed: %s:%d: %s\n", file, line,
               message.c_str());
  std::fflush(stderr);
  std::abort();
}

// `bytes` as a C-escaped, quoted string, cut to a readable length.
inline std::string Quote(std::string_view bytes) {
  constexpr size_t kMax = 200;
  std::string out = kpidb::StrCat(
      "\"", absl::CHexEscape(ToAbsl(bytes.substr(0, kMax))), "\"");
  if (bytes.size() > kMax) kpidb::StrAppend(&out, "... (", bytes.size(), " bytes)");
  return out;
}

}  // namespace kpidb::fuzz

#define KPIDB_FUZZ_CHECK(cond, ...)                                       \
  do {                                                                    \
    if (!(cond)) {                                                        \
      ::kpidb::fuzz::Fail(__FILE__, __LINE__,                             \
                          ::kpidb::StrCat("(" #cond ") " __VA_OPT__(, ) \
                                              __VA_ARGS__));              \
    }                                                                     \
  } while (false)

#endif  // KPIDB_TESTS_FUZZ_FUZZ_CHECK_H_
