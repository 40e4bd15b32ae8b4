#include "lib/store/staging.h"

#include <utility>

#include "lib/store/rocksdb_status.h"
#include "lib/util/status_macros.h"
#include "lib/util/str_cat.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"
#include "rocksdb/sst_file_writer.h"

namespace kpidb::store {

std::string StagingDir(std::string_view db_path) {
  return kpidb::StrCat(db_path, "/staging");
}

absl::Status ClearStaging(rocksdb::Env* env, const std::string& dir) {
  std::vector<std::string> children;
  rocksdb::Status s = env->GetChildren(dir, &children);
  if (s.IsNotFound() || s.IsPathNotFound()) return absl::OkStatus();
  if (!s.ok()) return FromRocksDB(s, dir);
  for (const std::string& name : children) {
    if (name == "." || name == "..") continue;
    s = env->DeleteFile(kpidb::StrCat(dir, "/", name));
    if (!s.ok() && !s.IsNotFound() && !s.IsPathNotFound()) return FromRocksDB(s, dir);
  }
  return absl::OkStatus();
}

namespace {

// Staged files are compressed as the bottommost level is: an ingest into
// an empty key range lands there directly and is never compacted again.
rocksdb::Options StagedFileOptions(rocksdb::Options options) {
  if (options.bottommost_compression != rocksdb::kDisableCompressionOption) {
    options.compression = options.bottommost_compression;
    options.compression_opts = options.bottommost_compression_opts;
  }
  return options;
}

}  // namespace

Staging::Staging(const rocksdb::Options& options, std::string dir, uint64_t file_bytes)
    : options_(StagedFileOptions(options)), dir_(std::move(dir)), file_bytes_(file_bytes) {}

Staging::~Staging() {
  writer_.reset();  // abandons an unfinished file
  if (ingested_) return;
  for (const std::string& f : files_) options_.env->DeleteFile(f).PermitUncheckedError();
}

absl::Status Staging::Put(std::string_view key, std::string_view value) {
  if (writer_ != nullptr && writer_->FileSize() >= file_bytes_) {
    KPIDB_RETURN_IF_ERROR(Finish());
  }
  if (writer_ == nullptr) {
    if (files_.empty()) {
      rocksdb::Status s = options_.env->CreateDirIfMissing(dir_);
      if (!s.ok()) return FromRocksDB(s, dir_);
    }
    files_.push_back(kpidb::StrCat(dir_, "/", files_.size() + 1, ".sst"));
    writer_ = std::make_unique<rocksdb::SstFileWriter>(rocksdb::EnvOptions(options_), options_);
    rocksdb::Status s = writer_->Open(files_.back());
    if (!s.ok()) return FromRocksDB(s, files_.back());
  }
  rocksdb::Status s =
      writer_->Put(rocksdb::Slice(key.data(), key.size()), rocksdb::Slice(value.data(), value.size()));
  if (!s.ok()) return FromRocksDB(s, files_.back());
  ++keys_;
  return absl::OkStatus();
}

absl::Status Staging::Finish() {
  // SstFileWriter::Finish syncs the file before it returns.
  rocksdb::Status s = writer_->Finish();
  writer_.reset();
  if (!s.ok()) return FromRocksDB(s, files_.back());
  return absl::OkStatus();
}

absl::Status Staging::IngestInto(rocksdb::DB* db, std::string_view context) {
  if (keys_ == 0) return absl::OkStatus();
  if (writer_ != nullptr) KPIDB_RETURN_IF_ERROR(Finish());
  rocksdb::IngestExternalFileOptions io;
  io.move_files = true;  // hard links: no copy of a large ingest
  // The sequence number lives in the MANIFEST record; rewriting it into
  // the synced file would be one more write to get wrong.
  io.write_global_seqno = false;
  rocksdb::Status s = db->IngestExternalFile(files_, io);
  if (!s.ok()) return FromRocksDB(s, context);
  ingested_ = true;
  // move_files leaves the staged names as extra links; the database holds
  // its own.
  for (const std::string& f : files_) options_.env->DeleteFile(f).PermitUncheckedError();
  return absl::OkStatus();
}

}  // namespace kpidb::store
