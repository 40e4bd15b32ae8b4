#include "lib/store/db_impl.h"

#include <algorithm>
#include <filesystem>
#include <utility>

#include "lib/store/rocksdb_status.h"
#include "lib/util/status_macros.h"
#include "lib/util/str_cat.h"
#include "rocksdb/cache.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/table.h"

namespace kpidb {

absl::StatusOr<std::unique_ptr<DB>> DB::Open(const Options& options,
                                             std::string_view path) {
  return store::DBImpl::Open(options, path);
}

bool DB::Exists(std::string_view path) {
  // RocksDB names its live manifest in CURRENT; a directory without one has
  // no database (an interrupted first open leaves none either).
  std::error_code ec;
  return std::filesystem::exists(std::filesystem::path(path) / "CURRENT", ec);
}

namespace store {
namespace {

rocksdb::Options RocksOptions(const Options& options) {
  rocksdb::Options ro;
  ro.create_if_missing = options.create_if_missing && !options.read_only;
  ro.error_if_exists = options.error_if_exists;
  ro.max_background_jobs = 2;
  ro.keep_log_file_num = 2;
  ro.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  // Chunks are already compact integer encodings; LZ4 squeezes what is left
  // cheaply, ZSTD does better where data settles.
  ro.compression = rocksdb::kLZ4Compression;
  ro.bottommost_compression = rocksdb::kZSTD;
  if (options.row_cache_bytes > 0) {
    ro.row_cache = rocksdb::NewLRUCache(options.row_cache_bytes);
  }
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.format_version = 5;
  ro.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return ro;
}

}  // namespace

DBImpl::DBImpl(const Options& options, std::string path,
               std::unique_ptr<rocksdb::DB> db)
    : options_(options), path_(std::move(path)), db_(std::move(db)) {}

DBImpl::~DBImpl() {
  if (db_ != nullptr) db_->Close().PermitUncheckedError();
}

absl::StatusOr<std::unique_ptr<DB>> DBImpl::Open(const Options& options,
                                                 std::string_view path_view) {
  std::string path(path_view);
  if (!DB::Exists(path) && (options.read_only || !options.create_if_missing)) {
    return absl::NotFoundError(
        kpidb::StrCat("no kpidb database at '", path, "'"));
  }
  rocksdb::Options ro = RocksOptions(options);
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = options.read_only
                          ? rocksdb::DB::OpenForReadOnly(ro, path, &raw)
                          : rocksdb::DB::Open(ro, path, &raw);
  if (!s.ok()) return FromRocksDB(s, path);
  std::unique_ptr<DBImpl> impl(
      new DBImpl(options, path, std::unique_ptr<rocksdb::DB>(raw)));
  KPIDB_RETURN_IF_ERROR(impl->Initialize());
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
    rocksdb::WriteOptions wo;
    wo.sync = true;
    s = db_->Put(wo, kMetaKey, EncodeMetaValue());
    if (!s.ok()) return FromRocksDB(s, path_);
  } else if (!s.ok()) {
    return FromRocksDB(s, path_);
  } else {
    absl::Status m = CheckMetaValue(meta);
    if (!m.ok()) return absl::Status(m.code(), kpidb::StrCat(path_, ": ", m.message()));
  }
  absl::MutexLock l(&catalog_mu_);
  absl::Status c = catalog_.Load(db_.get());
  if (!c.ok()) return absl::Status(c.code(), kpidb::StrCat(path_, ": ", c.message()));
  return absl::OkStatus();
}

absl::StatusOr<Company> DBImpl::GetCompany(std::string_view id) const {
  absl::ReaderMutexLock l(&catalog_mu_);
  std::optional<uint32_t> cid = catalog_.dict(DictKind::kCompany).Find(id);
  if (cid.has_value()) {
    auto it = catalog_.companies().find(*cid);
    if (it != catalog_.companies().end()) return it->second;
  }
  return absl::NotFoundError(kpidb::StrCat("company '", id, "' is not defined"));
}

std::vector<Company> DBImpl::Companies() const {
  std::vector<Company> out;
  {
    absl::ReaderMutexLock l(&catalog_mu_);
    for (const auto& [id, c] : catalog_.companies()) out.push_back(c);
  }
  std::sort(out.begin(), out.end(),
            [](const Company& a, const Company& b) { return a.id < b.id; });
  return out;
}

FiscalCalendar DBImpl::CalendarOf(std::string_view company) const {
  absl::ReaderMutexLock l(&catalog_mu_);
  std::optional<uint32_t> cid = catalog_.dict(DictKind::kCompany).Find(company);
  return cid.has_value() ? catalog_.CalendarOf(*cid) : FiscalCalendar::CalendarYear();
}

}  // namespace store
}  // namespace kpidb
