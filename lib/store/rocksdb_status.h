// The one place where RocksDB statuses become absl::Status values.
#ifndef KPIDB_LIB_STORE_ROCKSDB_STATUS_H_
#define KPIDB_LIB_STORE_ROCKSDB_STATUS_H_

#include <string_view>

#include "absl/status/status.h"
#include "rocksdb/status.h"

namespace kpidb::store {

// Maps `s` to the most specific absl code; `context` (for example the
// database path) starts the message.
absl::Status FromRocksDB(const rocksdb::Status& s, std::string_view context);

}  // namespace kpidb::store

#endif  // KPIDB_LIB_STORE_ROCKSDB_STATUS_H_
