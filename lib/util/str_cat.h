// String concatenation that takes std::string_view. Debian 12's Abseil is
// built with its own absl::string_view (ABSL_OPTION_USE_STD_STRING_VIEW 0),
// so absl::StrCat does not accept std::string_view; kpidb's APIs use the
// standard type, and these helpers bridge the two. kpidb code builds strings
// with kpidb::StrCat / StrAppend only, never absl::StrCat.
//
// Accepted arguments: std::string_view, absl::string_view, std::string,
// const char*, char (as a character) and integers (in decimal). Everything
// else fails to compile on purpose: bool, floating point and unscoped enums
// would otherwise convert silently to a char, and nullptr to a null string.
#ifndef KPIDB_LIB_UTIL_STR_CAT_H_
#define KPIDB_LIB_UTIL_STR_CAT_H_

#include <charconv>
#include <concepts>
#include <cstddef>
#include <string>
#include <string_view>

#include "absl/strings/string_view.h"

namespace kpidb {

inline absl::string_view ToAbsl(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}
inline std::string_view ToStd(absl::string_view s) {
  return std::string_view(s.data(), s.size());
}

namespace str_cat_internal {
inline void Append(std::string* out, std::string_view s) { out->append(s); }
inline void Append(std::string* out, absl::string_view s) {
  out->append(s.data(), s.size());
}
inline void Append(std::string* out, const std::string& s) { out->append(s); }
inline void Append(std::string* out, const char* s) { out->append(s); }
void Append(std::string* out, std::nullptr_t) = delete;
// A template so that only a real char matches: a plain `char` overload would
// also take bool, double and enums through implicit conversions.
template <std::same_as<char> T>
void Append(std::string* out, T c) {
  out->push_back(c);
}
template <std::integral T>
  requires(!std::same_as<T, char> && !std::same_as<T, bool>)
void Append(std::string* out, T v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, static_cast<size_t>(r.ptr - buf));
}

template <typename T>
concept Appendable = requires(std::string* out, const T& v) {
  Append(out, v);
};
}  // namespace str_cat_internal

template <str_cat_internal::Appendable... Args>
std::string StrCat(const Args&... args) {
  std::string out;
  (str_cat_internal::Append(&out, args), ...);
  return out;
}

template <str_cat_internal::Appendable... Args>
void StrAppend([[maybe_unused]] std::string* out, const Args&... args) {
  (str_cat_internal::Append(out, args), ...);
}

}  // namespace kpidb

#endif  // KPIDB_LIB_UTIL_STR_CAT_H_
