#include "lib/csv/utf8.h"

#include <cstdint>
#include <cstring>

#include "lib/util/utf8.h"

namespace kpidb::csv {
namespace {

constexpr uint64_t kHighBits = 0x8080808080808080ull;

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
    // One character at a time, by the table of valid sequences
    // (Unicode's Table 3-7, in lib/util/utf8.h).
    const size_t offset = static_cast<size_t>(p - reinterpret_cast<const uint8_t*>(text.data()));
    const size_t length = Utf8SequenceLength(text, offset);
    if (length == 0) return false;
    p += length;
  }
  return true;
}

}  // namespace kpidb::csv
