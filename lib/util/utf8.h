// File: lib/util/utf8.h
// -----------------------------------------------------------------------------
//
// The one table of valid UTF-8 sequences, shared by the CSV reader's
// validation (lib/csv/utf8.h) and by message quoting (lib/util/quote.h).
#ifndef KPIDB_LIB_UTIL_UTF8_H_
#define KPIDB_LIB_UTIL_UTF8_H_

#include <cstddef>
#include <string_view>

namespace kpidb {

// The length of the UTF-8 sequence starting at text[pos] when it is a
// complete and valid one as defined by Unicode (Table 3-7: no overlong
// forms, no surrogates, nothing above U+10FFFF), else 0.
// REQUIRES: pos < text.size().
inline size_t Utf8SequenceLength(std::string_view text, size_t pos) {
  const auto byte = [&](size_t i) {
    return static_cast<unsigned char>(text[pos + i]);
  };
  const auto continuation = [&](size_t i) { return (byte(i) & 0xC0) == 0x80; };
  const size_t left = text.size() - pos;
  const unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  if (lead < 0xC2) return 0;  // a stray continuation, or overlong C0/C1
  if (lead < 0xE0) return left >= 2 && continuation(1) ? 2 : 0;
  if (lead < 0xF0) {
    if (left < 3) return 0;
    // Narrower second bytes after E0 and ED rule out overlongs and
    // surrogates.
    const unsigned char low = lead == 0xE0 ? 0xA0 : 0x80;
    const unsigned char high = lead == 0xED ? 0x9F : 0xBF;
    return byte(1) >= low && byte(1) <= high && continuation(2) ? 3 : 0;
  }
  if (lead < 0xF5) {
    if (left < 4) return 0;
    // After F0 and F4: no overlongs, nothing above U+10FFFF.
    const unsigned char low = lead == 0xF0 ? 0x90 : 0x80;
    const unsigned char high = lead == 0xF4 ? 0x8F : 0xBF;
    return byte(1) >= low && byte(1) <= high && continuation(2) &&
                   continuation(3)
               ? 4
               : 0;
  }
  return 0;  // F5..FF never occur in UTF-8
}

}  // namespace kpidb

#endif  // KPIDB_LIB_UTIL_UTF8_H_
