// Checksums of values kpidb writes: the low 32 bits of XXH3-64 (libxxhash),
// stored little-endian after the bytes they cover. RocksDB checksums its
// blocks too; this one also catches damage that reaches a value some other
// way (a bad copy, a bug) and lets a reader refuse it with DataLoss.
#ifndef KPIDB_LIB_UTIL_CHECKSUM_H_
#define KPIDB_LIB_UTIL_CHECKSUM_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace kpidb {

uint32_t Checksum(std::string_view data);

// Appends Checksum(*dst) to *dst.
void AppendChecksum(std::string* dst);

// Checks the trailing checksum of `data` and returns the bytes it covers in
// *payload. False if `data` is shorter than 4 bytes or the checksum differs.
bool VerifyChecksum(std::string_view data, std::string_view* payload);

}  // namespace kpidb

#endif  // KPIDB_LIB_UTIL_CHECKSUM_H_
