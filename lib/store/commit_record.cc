#include "lib/store/commit_record.h"

#include <memory>

#include "lib/format/coding.h"
#include "lib/store/rocksdb_status.h"
#include "lib/util/checksum.h"
#include "lib/util/str_cat.h"
#include "rocksdb/env.h"
#include "rocksdb/file_system.h"

namespace kpidb::store {
namespace {

constexpr char kMagic[] = "kpidb-commit";  // 12 bytes, no terminator stored
constexpr size_t kMagicSize = sizeof(kMagic) - 1;
constexpr uint8_t kVersion = 1;
constexpr size_t kRecordSize = kMagicSize + 1 + 8 + 4;

}  // namespace

std::string CommitRecordPath(std::string_view db_path) {
  return kpidb::StrCat(db_path, "/", kCommitRecordName);
}

std::string EncodeCommitRecord(uint64_t sequence) {
  std::string out(kMagic, kMagicSize);
  out.push_back(static_cast<char>(kVersion));
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(sequence >> (8 * i)));
  AppendChecksum(&out);
  return out;
}

absl::StatusOr<uint64_t> DecodeCommitRecord(std::string_view bytes) {
  std::string_view payload;
  if (bytes.size() != kRecordSize || !VerifyChecksum(bytes, &payload) ||
      payload.substr(0, kMagicSize) != std::string_view(kMagic, kMagicSize) ||
      static_cast<uint8_t>(payload[kMagicSize]) != kVersion) {
    return absl::DataLossError("damaged commit record");
  }
  uint64_t sequence = 0;
  for (int i = 0; i < 8; ++i) {
    sequence |= uint64_t{static_cast<uint8_t>(payload[kMagicSize + 1 + i])} << (8 * i);
  }
  return sequence;
}

absl::StatusOr<std::optional<uint64_t>> ReadCommitRecord(rocksdb::Env* env,
                                                         std::string_view db_path) {
  const std::string path = CommitRecordPath(db_path);
  rocksdb::Status s = env->FileExists(path);
  if (s.IsNotFound()) return std::optional<uint64_t>();
  std::string bytes;
  if (s.ok()) s = rocksdb::ReadFileToString(env, path, &bytes);
  if (!s.ok()) return FromRocksDB(s, path);
  absl::StatusOr<uint64_t> sequence = DecodeCommitRecord(bytes);
  if (!sequence.ok()) {
    return absl::DataLossError(kpidb::StrCat(path, ": ", sequence.status().message()));
  }
  return std::optional<uint64_t>(*sequence);
}

absl::Status WriteCommitRecord(rocksdb::Env* env, std::string_view db_path, uint64_t sequence) {
  const std::string path = CommitRecordPath(db_path);
  const std::string tmp = kpidb::StrCat(path, ".tmp");
  rocksdb::Status s = rocksdb::WriteStringToFile(env, EncodeCommitRecord(sequence), tmp,
                                                 /*should_sync=*/true);
  if (s.ok()) s = env->RenameFile(tmp, path);
  if (!s.ok()) {
    env->DeleteFile(tmp).PermitUncheckedError();
    return FromRocksDB(s, path);
  }
  std::unique_ptr<rocksdb::FSDirectory> dir;
  rocksdb::IOStatus io = env->GetFileSystem()->NewDirectory(
      std::string(db_path), rocksdb::IOOptions(), &dir, nullptr);
  if (io.ok()) io = dir->FsyncWithDirOptions(rocksdb::IOOptions(), nullptr, rocksdb::DirFsyncOptions());
  if (io.ok()) io = dir->Close(rocksdb::IOOptions(), nullptr);
  if (!io.ok()) return FromRocksDB(io, path);
  return absl::OkStatus();
}

}  // namespace kpidb::store
