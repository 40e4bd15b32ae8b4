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

// RocksDB's default Env, reached through a function-local static of
// kpidb's own. RocksDB creates it (and its thread pools) lazily in a static
// of its uninstrumented library; a thread that finds it created reads that
// static's guard with an inline load ThreadSanitizer cannot see, so its
// first use looked unordered after the creation (a false data race in
// ThreadPoolImpl when two threads open their first databases at once).
// Through this static every caller is ordered after the creation in a way
// TSan sees; in a normal build it is one load.
rocksdb::Env* DefaultEnv();

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
