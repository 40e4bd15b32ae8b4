// DBImpl: the DB on RocksDB. Never installed; users see kpidb/db.h only.
//
// Its work is split by job: opening and the catalog here (db_impl.cc), the
// stages of a write in db_write.cc, the stages of a query in db_query.cc.
//
// Concurrency: `catalog_mu_` guards the in-memory catalog. Queries hold it
// shared for their whole run; a write holds it exclusively only while it
// appends new catalog entries and commits its RocksDB batch, so a reader never
// meets a chunk whose ids its catalog lacks. `write_mu_` serializes writers,
// which read existing chunks, merge and re-encode them (read-merge-write);
// a bulk write holds it for its whole life, and may end on another thread
// than it began (a HandoffMutex, not tied to a thread).
#ifndef KPIDB_LIB_STORE_DB_IMPL_H_
#define KPIDB_LIB_STORE_DB_IMPL_H_

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "kpidb/db.h"
#include "lib/store/catalog.h"
#include "lib/store/chunk_cache.h"
#include "lib/store/fact_runs.h"
#include "lib/store/write_batch_rep.h"
#include "lib/util/mutex.h"
#include "rocksdb/db.h"

namespace kpidb::store {

class CatalogDelta;
class ErrorCollector;
struct BatchIds;
struct QueryIds;
class SeriesReader;
class Staging;

class DBImpl final : public DB {
 public:
  // DB::Open on `env`: tests pass one that injects faults (a full disk,
  // failing syncs).
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<DB>> Open(const Options& options,
                                                                std::string_view path,
                                                                rocksdb::Env* env);
  ~DBImpl() override;

  [[nodiscard]] absl::StatusOr<std::unique_ptr<BulkWrite>> NewBulkWrite(
      const WriteOptions& options) override;
  [[nodiscard]] absl::StatusOr<WriteSummary> Write(const WriteOptions& options,
                                                   const WriteBatch& batch,
                                                   std::vector<RecordError>* errors,
                                                   size_t max_errors) override;
  [[nodiscard]] absl::StatusOr<QueryResult> Execute(const Query& query) const override;
  [[nodiscard]] absl::StatusOr<Company> GetCompany(std::string_view id) const override;
  std::vector<Company> Companies() const override;
  FiscalCalendar CalendarOf(std::string_view company) const override;

  // Facts a write holds in memory before it spills a sorted run
  // (fact_runs.h). Tests make it small to exercise spilling.
  void set_spill_facts_for_testing(size_t n) { spill_facts_ = n; }
  // Catalog entries the open read one by one: none when it had a snapshot.
  uint64_t catalog_entries_read_for_testing() const {
    kpidb::ReaderMutexLock l(&catalog_mu_);
    return catalog_.entries_read();
  }

 private:
  friend class BulkWriteImpl;

  DBImpl(const Options& options, std::string path, rocksdb::Options rocks_options,
         std::unique_ptr<rocksdb::DB> db);

  // Reads the meta key (creating a new database's) and loads the catalog.
  [[nodiscard]] absl::Status Initialize();
  [[nodiscard]] absl::StatusOr<std::unique_ptr<BulkWrite>> NewBulkWriteUnguarded(
      const WriteOptions& options);
  // Upgrades a format version 1 database: writes its catalog snapshot and
  // version 2 meta key. Writer opens only.
  [[nodiscard]] absl::Status AddSnapshot();

  // Write stages (db_write.cc), in order. The writer holds write_mu_.
  void LockWriter() ABSL_EXCLUSIVE_LOCK_FUNCTION(write_mu_) { write_mu_.Lock(); }
  void UnlockWriter() ABSL_UNLOCK_FUNCTION(write_mu_) { write_mu_.Unlock(); }
  CatalogDelta SnapshotCatalog() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  BatchIds ResolveBatch(const WriteBatch::Rep& rep, CatalogDelta* delta) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  WriteSummary CountCompanies(const CatalogDelta& delta) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  [[nodiscard]] absl::Status MergeSeries(const WriteOptions& options, const CatalogDelta& delta,
                                         FactRuns::Reader* facts, WriteSummary* summary,
                                         ErrorCollector* errors, Staging* out) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  [[nodiscard]] absl::Status Commit(CatalogDelta* delta, Staging* staging)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  rocksdb::Env* env() const { return rocks_options_.env; }
  const rocksdb::Options& rocks_options() const { return rocks_options_; }
  const std::string& path() const { return path_; }

  [[nodiscard]] absl::StatusOr<QueryResult> ExecuteUnguarded(const Query& query) const;
  // FailedPrecondition once a commit was interrupted (Commit()). Checked
  // when a write starts: a write holds the writer lock to its end, so no
  // other commit can be interrupted meanwhile.
  [[nodiscard]] absl::Status CheckWritable() const;

  // Query stages (db_query.cc), in order, under catalog_mu_ (shared).
  [[nodiscard]] absl::StatusOr<QueryIds> ResolveQuery(const Query& query) const
      ABSL_SHARED_LOCKS_REQUIRED(catalog_mu_);
  [[nodiscard]] absl::Status ReadSeries(const QueryIds& ids, SeriesReader* reader) const
      ABSL_SHARED_LOCKS_REQUIRED(catalog_mu_);
  [[nodiscard]] absl::StatusOr<QueryResult> BuildResult(const Query& query,
                                                        SeriesReader* reader) const
      ABSL_SHARED_LOCKS_REQUIRED(catalog_mu_);

  const Options options_;
  const std::string path_;
  const rocksdb::Options rocks_options_;  // also for the files a write stages
  size_t spill_facts_ = size_t{1} << 20;
  std::unique_ptr<rocksdb::DB> db_;
  // The meta key's format version (after an upgrade, kFormatVersion).
  uint8_t format_version_ = kFormatVersion;

  kpidb::HandoffMutex write_mu_;
  mutable kpidb::Mutex catalog_mu_;
  Catalog catalog_ ABSL_GUARDED_BY(catalog_mu_);
  // Chunks of one-series lookups; cleared by each commit.
  mutable ChunkCache chunk_cache_;
  // Set when an exception (out of memory) interrupted a commit: whether its
  // ingest happened is unknown, so the in-memory catalog may disagree with
  // the database, and no write may assign ids from it. Reads stay safe: a
  // chunk naming an id the catalog lacks is DataLoss, extra ids are unused.
  std::atomic<bool> commit_interrupted_{false};
};

}  // namespace kpidb::store

#endif  // KPIDB_LIB_STORE_DB_IMPL_H_
