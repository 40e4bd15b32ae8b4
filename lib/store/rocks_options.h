// How kpidb opens RocksDB: the options every handle on a database uses and
// the open itself. DB::Open (db_impl.cc) and the checker (check.cc) share
// them, so that kpidb-check reads a database exactly as kpidb does: the same
// table format, the same recovery that reports damage instead of repairing
// it, every table file opened and its footer checked at open.
//
// Thread-safety: free functions.
#ifndef KPIDB_LIB_STORE_ROCKS_OPTIONS_H_
#define KPIDB_LIB_STORE_ROCKS_OPTIONS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "kpidb/options.h"
#include "rocksdb/db.h"
#include "rocksdb/options.h"

namespace kpidb::store {

// RocksDB's options for the database at `path` opened with `options`
// (read_only opens create no files, not even RocksDB's LOG).
rocksdb::Options RocksOptions(const Options& options, rocksdb::Env* env,
                              const std::string& path);

// Opens RocksDB with `ro`, read-only or as the writer (taking its LOCK). A
// read-only open racing a writer's compaction retries; a table file still
// missing after that is DataLoss.
[[nodiscard]] absl::StatusOr<std::unique_ptr<rocksdb::DB>> OpenRocksDB(
    const rocksdb::Options& ro, const std::string& path, bool read_only);

}  // namespace kpidb::store

#endif  // KPIDB_LIB_STORE_ROCKS_OPTIONS_H_
