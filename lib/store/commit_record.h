// The commit record: the RocksDB sequence number of the last committed
// write, in a small file beside RocksDB's own (doc/format.md, "Commit
// record"). RocksDB's MANIFEST says which table files make up the database;
// cut its end and the newest writes vanish without any error. The record is
// written after each commit, so an open that finds the database older than
// the record knows committed facts were lost and refuses with DataLoss.
//
// Order matters on both sides: a writer writes the record after the
// MANIFEST; a reader reads it before opening RocksDB, so a commit landing
// between the two reads cannot look like a loss.
//
// Thread-safety: free functions; the writer lock serializes writes.
#ifndef KPIDB_LIB_STORE_COMMIT_RECORD_H_
#define KPIDB_LIB_STORE_COMMIT_RECORD_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace rocksdb {
class Env;
}  // namespace rocksdb

namespace kpidb::store {

inline constexpr char kCommitRecordName[] = "KPIDB-COMMIT";

std::string CommitRecordPath(std::string_view db_path);

std::string EncodeCommitRecord(uint64_t sequence);
// DataLoss for anything but an exact record.
[[nodiscard]] absl::StatusOr<uint64_t> DecodeCommitRecord(std::string_view bytes);

// The recorded sequence number, or nullopt when there is no record (a
// database from before records, or one never written to). DataLoss, naming
// the file, when it is damaged.
[[nodiscard]] absl::StatusOr<std::optional<uint64_t>> ReadCommitRecord(rocksdb::Env* env,
                                                                      std::string_view db_path);

// Replaces the record with `sequence`: a synced temporary file renamed over
// the old one, then the directory synced, so a crash leaves the old record
// or the new one.
[[nodiscard]] absl::Status WriteCommitRecord(rocksdb::Env* env, std::string_view db_path,
                                             uint64_t sequence);

}  // namespace kpidb::store

#endif  // KPIDB_LIB_STORE_COMMIT_RECORD_H_
