// The bridge to RocksDB's own types: the one place where RocksDB statuses
// become absl::Status values, and slices become string views.
#ifndef KPIDB_LIB_STORE_ROCKSDB_STATUS_H_
#define KPIDB_LIB_STORE_ROCKSDB_STATUS_H_

#include <string_view>

#include "absl/status/status.h"
#include "rocksdb/slice.h"
#include "rocksdb/status.h"

namespace kpidb::store {

// Maps `s` to the most specific absl code; `context` (for example the
// database path) starts the message.
[[nodiscard]] absl::Status FromRocksDB(const rocksdb::Status& s,
                                       std::string_view context);

inline std::string_view SliceView(const rocksdb::Slice& s) {
  return std::string_view(s.data(), s.size());
}

}  // namespace kpidb::store

#endif  // KPIDB_LIB_STORE_ROCKSDB_STATUS_H_
