// String concatenation that takes std::string_view. Debian 12's Abseil is
// built with its own absl::string_view (ABSL_OPTION_USE_STD_STRING_VIEW 0),
// so absl::StrCat does not accept std::string_view; kpidb's APIs use the
// standard type, and these helpers bridge the two.
#ifndef KPIDB_LIB_UTIL_STR_CAT_H_
#define KPIDB_LIB_UTIL_STR_CAT_H_

#include <charconv>
#include <concepts>
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
inline void Append(std::string* out, char c) { out->push_back(c); }
template <std::integral T>
  requires(!std::same_as<T, char> && !std::same_as<T, bool>)
void Append(std::string* out, T v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, r.ptr);
}
}  // namespace str_cat_internal

template <typename... Args>
std::string StrCat(const Args&... args) {
  std::string out;
  (str_cat_internal::Append(&out, args), ...);
  return out;
}

template <typename... Args>
void StrAppend(std::string* out, const Args&... args) {
  (str_cat_internal::Append(out, args), ...);
}

}  // namespace kpidb

#endif  // KPIDB_LIB_UTIL_STR_CAT_H_
