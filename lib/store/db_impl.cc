#include "lib/store/db_impl.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include "lib/store/commit_record.h"
#include "lib/store/info_log.h"
#include "lib/store/rocks_options.h"
#include "lib/store/rocksdb_status.h"
#include "lib/store/staging.h"
#include "lib/util/resource_errors.h"
#include "lib/util/status_macros.h"
#include "lib/util/quote.h"
#include "lib/util/str_cat.h"
#include "rocksdb/cache.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/table.h"
#include "rocksdb/write_batch.h"

namespace kpidb {

absl::StatusOr<std::unique_ptr<DB>> DB::Open(const Options& options,
                                             std::string_view path) {
  // RocksDB starts its background threads here: without memory for their
  // stacks, std::thread throws.
  return ReturnResourceErrors(
      path, [&] { return store::DBImpl::Open(options, path, store::DefaultEnv()); });
}

bool DB::Exists(std::string_view path) {
  // RocksDB names its live manifest in CURRENT; a directory without one has
  // no database (an interrupted first open leaves none either).
  std::error_code ec;
  return std::filesystem::exists(std::filesystem::path(path) / "CURRENT", ec);
}

namespace store {

rocksdb::Env* DefaultEnv() {
  static rocksdb::Env* const env = rocksdb::Env::Default();
  return env;
}

rocksdb::Options RocksOptions(const Options& options, rocksdb::Env* env,
                              const std::string& path) {
  rocksdb::Options ro;
  ro.env = env;
  ro.create_if_missing = options.create_if_missing && !options.read_only;
  ro.error_if_exists = options.error_if_exists;
  ro.max_background_jobs = 2;
  // Recovery reports damage instead of repairing it (doc/impl.md,
  // "Durability"): any damaged log record fails the open, the MANIFEST
  // must account for every log, and each table file must be the one the
  // MANIFEST names (paranoid_checks and unique ids are RocksDB's defaults,
  // set here so that no default change can drop them).
  ro.paranoid_checks = true;
  ro.wal_recovery_mode = rocksdb::WALRecoveryMode::kAbsoluteConsistency;
  ro.track_and_verify_wals_in_manifest = true;
  ro.verify_sst_unique_id_in_manifest = true;
  ro.skip_checking_sst_file_sizes_on_db_open = false;
  // Every table file is opened (and its footer and index checked) at open,
  // and stays open: a reader keeps reading files a writer's compaction
  // deletes meanwhile.
  ro.max_open_files = -1;
  // ... in the opening thread. RocksDB's default starts 16 threads to open
  // table files in parallel, which costs more than it saves for a
  // database of a few large files, and a failure to start one of them
  // (no memory for its stack) ends in std::terminate inside RocksDB (a
  // joinable std::thread destroyed while unwinding), which no caller can
  // turn into an error (tests/tools/out_of_memory_test.cc).
  ro.max_file_opening_threads = 1;
  ro.info_log = options.read_only
                    ? NewNullInfoLog()
                    : NewInfoLog(kpidb::StrCat(path, "/LOG"), rocksdb::InfoLogLevel::WARN_LEVEL);
  // Chunks are already compact integer encodings; LZ4 squeezes what is left
  // cheaply, ZSTD does better where data settles.
  ro.compression = rocksdb::kLZ4Compression;
  ro.bottommost_compression = rocksdb::kZSTD;
  // No ZSTD dictionary (max_dict_bytes 0). One trained per file took the
  // benchmark's 5M facts from 2.97 to 2.25 bytes a fact (2.96 -> 2.85 at
  // 50M), but with it the crash writer's compaction thread frees memory
  // the main thread read in a way ThreadSanitizer reports and cannot trace
  // (RocksDB is uninstrumented); until that is understood it stays off
  // (doc/impl.md, "Compression").
  ro.bottommost_compression_opts.enabled = true;
  ro.bottommost_compression_opts.max_dict_bytes = 0;
  ro.bottommost_compression_opts.zstd_max_train_bytes = 0;
  // No RocksDB row cache: in RocksDB 7.8 a row-cache hit on a key of an
  // ingested file (every kpidb write is one) reads as "not found"
  // (tests/store/durability_test.cc, RepeatedReadsOfIngestedData).
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.format_version = 5;
  // Every open reads each table's whole index (max_open_files = -1): kept
  // uncompressed, that is a read and no decompression. ZSTD on the
  // bottommost level made the index of a 50M-fact table (1.2 MB) cost ~3
  // ms of CPU at each open, for 0.5% of the file's size. (Partitioned
  // indexes and filters, read per partition instead, cost ~0.7-1 us more
  // per point query through the block cache and did not open faster:
  // doc/impl.md, "Opening".)
  table.enable_index_compression = false;
  ro.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return ro;
}

namespace {

// Whether `name` is a file RocksDB or kpidb puts in a database directory:
// a folder holding only these is an interrupted creation, not user files.
bool IsDatabaseFileName(std::string_view name) {
  auto starts = [&](std::string_view p) { return name.substr(0, p.size()) == p; };
  auto ends = [&](std::string_view p) {
    return name.size() >= p.size() && name.substr(name.size() - p.size()) == p;
  };
  return name == "LOCK" || name == "IDENTITY" || name == "staging" || starts("LOG") ||
         starts("CURRENT") || starts("MANIFEST-") || starts("OPTIONS-") ||
         starts(kCommitRecordName) || ends(".log") || ends(".sst") || ends(".dbtmp");
}

// What Open finds at `path` before RocksDB looks: a database, nothing it
// may create one in, or a reason to refuse.
[[nodiscard]] absl::Status CheckDirectory(const Options& options, const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status current = fs::status(fs::path(path) / "CURRENT", ec);
  if (ec && ec != std::errc::no_such_file_or_directory && ec != std::errc::not_a_directory) {
    if (ec == std::errc::permission_denied) {
      return absl::PermissionDeniedError(
          kpidb::StrCat("cannot read '", path, "': ", ec.message()));
    }
    return absl::UnavailableError(kpidb::StrCat("cannot read '", path, "': ", ec.message()));
  }
  if (fs::exists(current)) return absl::OkStatus();
  if (options.read_only || !options.create_if_missing) {
    return absl::NotFoundError(kpidb::StrCat("no kpidb database at '", path, "'"));
  }
  const fs::file_status dir = fs::status(path, ec);
  if (!fs::exists(dir)) return absl::OkStatus();
  if (!fs::is_directory(dir)) {
    return absl::FailedPreconditionError(
        kpidb::StrCat("'", path, "' is not a directory: a database is a folder"));
  }
  fs::directory_iterator it(path, ec);
  if (ec) {
    return ec == std::errc::permission_denied
               ? absl::PermissionDeniedError(
                     kpidb::StrCat("cannot read '", path, "': ", ec.message()))
               : absl::UnavailableError(kpidb::StrCat("cannot read '", path, "': ", ec.message()));
  }
  for (const fs::directory_entry& e : it) {
    const std::string name = e.path().filename().string();
    if (!IsDatabaseFileName(name)) {
      return absl::FailedPreconditionError(kpidb::StrCat(
          "'", path, "' holds other files ('", name,
          "') and no kpidb database: a new database needs a new or empty folder"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

namespace {

// What names the database's current state: CURRENT's text and the size of
// the MANIFEST it names. A writer's flush, compaction or commit changes it.
std::string ManifestState(rocksdb::Env* env, const std::string& path) {
  std::string current;
  if (!rocksdb::ReadFileToString(env, kpidb::StrCat(path, "/CURRENT"), &current).ok()) return "";
  while (!current.empty() && current.back() == '\n') current.pop_back();
  uint64_t size = 0;
  if (!env->GetFileSize(kpidb::StrCat(path, "/", current), &size).ok()) size = UINT64_MAX;
  return kpidb::StrCat(current, "@", size);
}

// Whether a failed open may be a race with a writer deleting files the
// MANIFEST it read still listed. RocksDB 7.8 reports such a file as
// PathNotFound, or as Corruption quoting the IO error ("Can't access
// ...: No such file or directory").
bool MissingFile(const rocksdb::Status& s) {
  return s.IsPathNotFound() || s.ToString().find("No such file") != std::string::npos;
}

}  // namespace

namespace {

// rocksdb::DB::OpenForReadOnly(options, ...) first tries to open the
// database as a "compacted DB" (all tables in one level), which recovers it
// completely, reading every table's index and filter, and on any other
// shape (kpidb's databases have their meta key's table in L0 beside the
// data) gives up and recovers it all again. The column-family overload
// recovers once.
rocksdb::Status OpenForReadOnly(const rocksdb::Options& ro, const std::string& path,
                                rocksdb::DB** db) {
  std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions(ro)}};
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::Status s =
      rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(ro), path, families, &handles, db);
  // The default family's handle is the database's own (DefaultColumnFamily).
  if (s.ok()) {
    for (rocksdb::ColumnFamilyHandle* h : handles) {
      s = (*db)->DestroyColumnFamilyHandle(h);
      if (!s.ok()) break;
    }
    if (!s.ok()) {
      delete *db;
      *db = nullptr;
    }
  }
  return s;
}

}  // namespace

namespace {
[[nodiscard]] absl::StatusOr<std::unique_ptr<rocksdb::DB>> OpenRocksDBUnordered(
    const rocksdb::Options& ro, const std::string& path, bool read_only);
}  // namespace

// Opens RocksDB. A read-only open may race a writer: its compaction or log
// cleanup deletes files the MANIFEST the open just read still lists. Such
// an open is retried, with the newer MANIFEST, as long as files are
// missing or the database's state moved during the attempt; a file still
// missing when nothing moves is damage.
[[nodiscard]] absl::StatusOr<std::unique_ptr<rocksdb::DB>> OpenRocksDB(
    const rocksdb::Options& ro, const std::string& path, bool read_only) {
  // RocksDB initializes statics lazily during the first open of a process
  // (option type maps, the block cache's entry-stats key, the default
  // Env's thread pools); a thread that finds one initialized reads its
  // guard with an inline load of the uninstrumented library, which
  // ThreadSanitizer cannot see, so concurrent first opens in several
  // threads looked like data races inside RocksDB. The first open runs
  // alone, inside a std::call_once (pthread_once, which TSan sees), so
  // every other open is ordered after those initializations. Later opens
  // only check the flag.
  static std::once_flag first_open;
  std::optional<absl::StatusOr<std::unique_ptr<rocksdb::DB>>> first;
  std::call_once(first_open, [&] { first.emplace(OpenRocksDBUnordered(ro, path, read_only)); });
  if (first.has_value()) return *std::move(first);
  return OpenRocksDBUnordered(ro, path, read_only);
}

namespace {

absl::StatusOr<std::unique_ptr<rocksdb::DB>> OpenRocksDBUnordered(const rocksdb::Options& ro,
                                                                  const std::string& path,
                                                                  bool read_only) {
  constexpr int kAttempts = 20;
  rocksdb::Status s;
  for (int attempt = 1; attempt <= kAttempts; ++attempt) {
    const std::string before = read_only ? ManifestState(ro.env, path) : "";
    rocksdb::DB* raw = nullptr;
    s = read_only ? OpenForReadOnly(ro, path, &raw) : rocksdb::DB::Open(ro, path, &raw);
    if (s.ok()) return std::unique_ptr<rocksdb::DB>(raw);
    if (!read_only) break;
    const bool moved = ManifestState(ro.env, path) != before;
    if (!moved && !MissingFile(s)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(attempt));
  }
  if (MissingFile(s)) {
    return absl::DataLossError(kpidb::StrCat(
        path, ": a file the database lists is missing (", s.ToString(), ")"));
  }
  return FromRocksDB(s, path);
}

}  // namespace

namespace {

// RocksDB retires a write-ahead log only when a flush moves past it, and
// kpidb writes (ingested table files) never flush: each writer open would
// leave one more empty log, which every later open reads. Rewriting the
// meta key (the same value) and flushing lets RocksDB delete them. A
// failure here only leaves the logs.
void RetireEmptyLogs(rocksdb::DB* db, rocksdb::Env* env, const std::string& path) {
  std::vector<std::string> children;
  if (!env->GetChildren(path, &children).ok()) return;
  int logs = 0;
  for (const std::string& name : children) {
    if (name.size() > 4 && name.compare(name.size() - 4, 4, ".log") == 0) ++logs;
  }
  if (logs <= 1) return;
  rocksdb::WriteOptions wo;
  wo.sync = true;
  if (db->Put(wo, kMetaKey, EncodeMetaValue()).ok()) {
    db->Flush(rocksdb::FlushOptions()).PermitUncheckedError();
  }
}

}  // namespace

DBImpl::DBImpl(const Options& options, std::string path, rocksdb::Options rocks_options,
               std::unique_ptr<rocksdb::DB> db)
    : options_(options),
      path_(std::move(path)),
      rocks_options_(std::move(rocks_options)),
      db_(std::move(db)),
      chunk_cache_(options.row_cache_bytes) {}

DBImpl::~DBImpl() {
  if (db_ != nullptr) db_->Close().PermitUncheckedError();
}

absl::StatusOr<std::unique_ptr<DB>> DBImpl::Open(const Options& options,
                                                 std::string_view path_view,
                                                 rocksdb::Env* env) {
  std::string path(path_view);
  KPIDB_RETURN_IF_ERROR(CheckDirectory(options, path));
  if (!options.read_only) {
    rocksdb::Status s = env->CreateDirIfMissing(path);
    if (!s.ok()) return FromRocksDB(s, path);
  }
  // Before RocksDB's open, so that a commit in between reads as newer data,
  // not as a loss (commit_record.h).
  KPIDB_ASSIGN_OR_RETURN(const std::optional<uint64_t> committed, ReadCommitRecord(env, path));
  rocksdb::Options ro = RocksOptions(options, env, path);
  KPIDB_ASSIGN_OR_RETURN(std::unique_ptr<rocksdb::DB> rocks,
                         OpenRocksDB(ro, path, options.read_only));
  const uint64_t found = rocks->GetLatestSequenceNumber();
  if (committed.has_value() && *committed > found) {
    return absl::DataLossError(kpidb::StrCat(
        path, ": the database ends at write ", found, " but write ", *committed,
        " was committed (", kCommitRecordName,
        "): RocksDB's MANIFEST or its files lost committed facts"));
  }
  std::unique_ptr<DBImpl> impl(new DBImpl(options, path, std::move(ro), std::move(rocks)));
  KPIDB_RETURN_IF_ERROR(impl->Initialize());
  if (!options.read_only) {
    KPIDB_RETURN_IF_ERROR(ClearStaging(env, StagingDir(path)));
    // A database of format version 1 (an older kpidb) has no catalog
    // snapshot: its first writer open adds one. Read-only opens read its
    // entries instead.
    if (impl->format_version_ < kFirstSnapshotVersion) {
      KPIDB_RETURN_IF_ERROR(impl->AddSnapshot());
    }
    RetireEmptyLogs(impl->db_.get(), env, path);
    const uint64_t now = impl->db_->GetLatestSequenceNumber();
    if (!committed.has_value() || *committed != now) {
      KPIDB_RETURN_IF_ERROR(WriteCommitRecord(env, path, now));
    }
  }
  return std::unique_ptr<DB>(std::move(impl));
}

absl::Status DBImpl::Initialize() {
  std::string meta;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), kMetaKey, &meta);
  if (s.IsNotFound()) {
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions()));
    it->SeekToFirst();
    if (it->Valid() || options_.read_only) {
      return absl::FailedPreconditionError(
          kpidb::StrCat("'", path_, "' is not a kpidb database"));
    }
    // A new database: the meta key and the empty catalog's snapshot, in one
    // batch and into a table file at once: no data lives only in the log.
    rocksdb::WriteBatch batch;
    s = batch.Put(kSnapshotKey, Catalog().EncodeSnapshot());
    if (s.ok()) s = batch.Put(kMetaKey, EncodeMetaValue());
    rocksdb::WriteOptions wo;
    wo.sync = true;
    if (s.ok()) s = db_->Write(wo, &batch);
    if (s.ok()) s = db_->Flush(rocksdb::FlushOptions());
    if (!s.ok()) return FromRocksDB(s, path_);
  } else if (!s.ok()) {
    return FromRocksDB(s, path_);
  } else {
    absl::StatusOr<uint8_t> version = DecodeMetaValue(meta);
    if (!version.ok()) {
      return absl::Status(version.status().code(),
                          kpidb::StrCat(path_, ": ", version.status().message()));
    }
    format_version_ = *version;
  }
  kpidb::MutexLock l(&catalog_mu_);
  absl::StatusOr<Catalog::Source> source = catalog_.Load(db_.get());
  if (!source.ok()) {
    return absl::Status(source.status().code(),
                        kpidb::StrCat(path_, ": ", source.status().message()));
  }
  if (*source == Catalog::Source::kEntries && format_version_ >= kFirstSnapshotVersion) {
    return absl::DataLossError(kpidb::StrCat(
        path_, ": the catalog snapshot (key 'S') is missing (kpidb-check --repair rewrites it "
               "from the catalog entries)"));
  }
  return absl::OkStatus();
}

absl::Status DBImpl::AddSnapshot() {
  std::string snapshot;
  {
    kpidb::ReaderMutexLock l(&catalog_mu_);
    snapshot = catalog_.EncodeSnapshot();
  }
  // The snapshot and the new version in one ingestion, as a write commits:
  // a crash leaves the database as it was (version 1, which opens by its
  // entries) or upgraded, never a version 2 without its snapshot.
  Staging staging(rocks_options_, StagingDir(path_));
  KPIDB_RETURN_IF_ERROR(staging.Put(kSnapshotKey, snapshot));
  KPIDB_RETURN_IF_ERROR(staging.Put(kMetaKey, EncodeMetaValue(kFormatVersion)));
  KPIDB_RETURN_IF_ERROR(staging.IngestInto(db_.get(), path_));
  format_version_ = kFormatVersion;
  return absl::OkStatus();
}

absl::StatusOr<Company> DBImpl::GetCompany(std::string_view id) const {
  kpidb::ReaderMutexLock l(&catalog_mu_);
  std::optional<uint32_t> cid = catalog_.dict(DictKind::kCompany).Find(id);
  if (cid.has_value()) {
    if (std::optional<Company> c = catalog_.company(*cid)) return *std::move(c);
  }
  return absl::NotFoundError(kpidb::StrCat("company ", QuoteForMessage(id), " is not defined"));
}

std::vector<Company> DBImpl::Companies() const {
  std::vector<Company> out;
  {
    kpidb::ReaderMutexLock l(&catalog_mu_);
    for (uint32_t id : catalog_.CompanyIds()) out.push_back(*catalog_.company(id));
  }
  std::sort(out.begin(), out.end(),
            [](const Company& a, const Company& b) { return a.id < b.id; });
  return out;
}

FiscalCalendar DBImpl::CalendarOf(std::string_view company) const {
  kpidb::ReaderMutexLock l(&catalog_mu_);
  std::optional<uint32_t> cid = catalog_.dict(DictKind::kCompany).Find(company);
  return cid.has_value() ? catalog_.CalendarOf(*cid) : FiscalCalendar::CalendarYear();
}

}  // namespace store
}  // namespace kpidb
