#include "lib/format/coding.h"

#include <algorithm>

namespace kpidb::format {

void PutFixed32(std::string* dst, uint32_t value) {
  char buf[4];
  EncodeFixed32(buf, value);
  dst->append(buf, sizeof(buf));
}

void PutFixed64(std::string* dst, uint64_t value) {
  char buf[8];
  EncodeFixed64(buf, value);
  dst->append(buf, sizeof(buf));
}

void PutVarint64(std::string* dst, uint64_t value) {
  char buf[kMaxVarint64Length];
  dst->append(buf, static_cast<size_t>(EncodeVarint64(buf, value) - buf));
}


bool ByteReader::ReadVarint64Slow(uint64_t* value) {
  // Work on locals so the compiler keeps them in registers, and store the
  // new position only on success.
  const char* p = p_;
  const size_t limit = std::min<size_t>(remaining(), kMaxVarint64Length);
  uint64_t result = 0;
  for (size_t i = 0; i < limit; ++i) {
    const uint64_t byte = static_cast<uint8_t>(p[i]);
    result |= (byte & 0x7f) << (7 * i);
    if (byte < 0x80) {
      // The tenth byte may carry only bit 63; more would overflow.
      if (i == kMaxVarint64Length - 1 && byte > 1) return false;
      *value = result;
      p_ = p + i + 1;
      return true;
    }
  }
  // Truncated, or ten bytes that all have the continuation bit.
  return false;
}

}  // namespace kpidb::format
