#include "lib/util/checksum.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace kpidb {

uint32_t Checksum(std::string_view data) {
  return static_cast<uint32_t>(XXH3_64bits(data.data(), data.size()));
}

void AppendChecksum(std::string* dst) {
  const uint32_t c = Checksum(*dst);
  char buf[4] = {static_cast<char>(c & 0xff), static_cast<char>((c >> 8) & 0xff),
                 static_cast<char>((c >> 16) & 0xff),
                 static_cast<char>((c >> 24) & 0xff)};
  dst->append(buf, 4);
}

bool VerifyChecksum(std::string_view data, std::string_view* payload) {
  if (data.size() < 4) return false;
  const size_t n = data.size() - 4;
  const auto* p = reinterpret_cast<const unsigned char*>(data.data() + n);
  const uint32_t stored = static_cast<uint32_t>(p[0]) |
                          (static_cast<uint32_t>(p[1]) << 8) |
                          (static_cast<uint32_t>(p[2]) << 16) |
                          (static_cast<uint32_t>(p[3]) << 24);
  *payload = data.substr(0, n);
  return Checksum(*payload) == stored;
}

}  // namespace kpidb
