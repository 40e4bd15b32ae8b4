// RocksDB's diagnostic log (the LOG file in a database directory), written
// by kpidb rather than by RocksDB's own logger: RocksDB's aborts the process
// when the disk is full, and a full disk must end in a clear error instead.
// Lines that cannot be written are dropped; nothing depends on them.
//
// Thread-safety: RocksDB logs from many threads; writes are serialized.
#ifndef KPIDB_LIB_STORE_INFO_LOG_H_
#define KPIDB_LIB_STORE_INFO_LOG_H_

#include <memory>
#include <string_view>

#include "rocksdb/env.h"

namespace kpidb::store {

// A logger appending lines of `level` and above to `path`; when the file
// cannot be opened, a logger that drops everything.
std::shared_ptr<rocksdb::Logger> NewInfoLog(std::string_view path, rocksdb::InfoLogLevel level);

// A logger that drops everything: read-only opens create no files.
std::shared_ptr<rocksdb::Logger> NewNullInfoLog();

}  // namespace kpidb::store

#endif  // KPIDB_LIB_STORE_INFO_LOG_H_
