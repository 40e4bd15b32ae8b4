#include "lib/csv/utf8.h"

#include <cstdint>
#include <cstring>

namespace kpidb::csv {
namespace {

constexpr uint64_t kHighBits = 0x8080808080808080ull;

bool IsContinuation(uint8_t byte) { return (byte & 0xC0) == 0x80; }

}  // namespace

bool IsValidUtf8(std::string_view text) {
  const uint8_t* p = reinterpret_cast<const uint8_t*>(text.data());
  const uint8_t* const end = p + text.size();
  while (p != end) {
    // KPI files are nearly all ASCII (digits, dates, English names), so skip
    // whole blocks, then words, with no high bit before looking at bytes one
    // by one. (The 64-byte loop is one the compiler vectorizes.)
    while (end - p >= 64) {
      uint64_t acc = 0;
      for (int i = 0; i < 8; ++i) {
        uint64_t word;
        std::memcpy(&word, p + 8 * i, sizeof(word));
        acc |= word;
      }
      if ((acc & kHighBits) != 0) break;
      p += 64;
    }
    while (end - p >= 8) {
      uint64_t word;
      std::memcpy(&word, p, sizeof(word));
      if ((word & kHighBits) != 0) break;
      p += 8;
    }
    if (p == end) break;
    const uint8_t lead = *p;
    if (lead < 0x80) {
      ++p;
      continue;
    }
    // The ranges for the second byte are Unicode's Table 3-7; narrowing
    // them for E0, ED, F0 and F4 is what rules out overlongs, surrogates
    // and code points above U+10FFFF.
    if (lead < 0xC2) return false;  // Stray continuation, or overlong C0/C1.
    if (lead < 0xE0) {
      if (end - p < 2 || !IsContinuation(p[1])) return false;
      p += 2;
      continue;
    }
    if (lead < 0xF0) {
      if (end - p < 3) return false;
      const uint8_t low = lead == 0xE0 ? 0xA0 : 0x80;
      const uint8_t high = lead == 0xED ? 0x9F : 0xBF;
      if (p[1] < low || p[1] > high || !IsContinuation(p[2])) return false;
      p += 3;
      continue;
    }
    if (lead < 0xF5) {
      if (end - p < 4) return false;
      const uint8_t low = lead == 0xF0 ? 0x90 : 0x80;
      const uint8_t high = lead == 0xF4 ? 0x8F : 0xBF;
      if (p[1] < low || p[1] > high || !IsContinuation(p[2]) ||
          !IsContinuation(p[3])) {
        return false;
      }
      p += 4;
      continue;
    }
    return false;  // F5..FF never occur in UTF-8.
  }
  return true;
}

}  // namespace kpidb::csv
