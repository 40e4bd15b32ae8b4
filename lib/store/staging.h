// Staging: how every write reaches the database. A write's keys and values
// (catalog entries, then series chunks, in key order) go into RocksDB table
// files in the database's staging folder; IngestInto() then makes all of
// them part of the database in one MANIFEST record. Until that record is
// written nothing of the write is visible, and a crash or an error at any
// point leaves the database as it was; after it, the data sits in synced
// table files, never only in a log (doc/impl.md, "Durability").
//
// A write's memory is one table block at a time, whatever its size: the
// files are written as the keys arrive.
//
// Thread-safety: one thread uses a Staging; the writer lock serializes them.
#ifndef KPIDB_LIB_STORE_STAGING_H_
#define KPIDB_LIB_STORE_STAGING_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "rocksdb/options.h"

namespace rocksdb {
class DB;
class SstFileWriter;
}  // namespace rocksdb

namespace kpidb::store {

// The staging folder inside a database directory. Only the writer (which
// holds RocksDB's LOCK) creates or empties it.
std::string StagingDir(std::string_view db_path);

// Removes what a killed writer left in `dir`: files never ingested.
[[nodiscard]] absl::Status ClearStaging(rocksdb::Env* env, const std::string& dir);

class Staging {
 public:
  // Files go to `dir`, written with `options` (table format, compression,
  // env); a new file starts after `file_bytes`.
  Staging(const rocksdb::Options& options, std::string dir,
          uint64_t file_bytes = uint64_t{256} << 20);
  Staging(const Staging&) = delete;
  Staging& operator=(const Staging&) = delete;
  // Deletes the files unless they were ingested.
  ~Staging();

  // Adds one key. REQUIRES: keys strictly increase over the Staging's life.
  [[nodiscard]] absl::Status Put(std::string_view key, std::string_view value);

  uint64_t keys() const { return keys_; }

  // Finishes the files and ingests them into `db` atomically. A Staging
  // with no keys ingests nothing. `context` starts error messages.
  [[nodiscard]] absl::Status IngestInto(rocksdb::DB* db, std::string_view context);

 private:
  [[nodiscard]] absl::Status Finish();

  const rocksdb::Options options_;
  const std::string dir_;
  const uint64_t file_bytes_;
  std::unique_ptr<rocksdb::SstFileWriter> writer_;
  std::vector<std::string> files_;  // finished or being written
  uint64_t keys_ = 0;
  bool ingested_ = false;
};

}  // namespace kpidb::store

#endif  // KPIDB_LIB_STORE_STAGING_H_
