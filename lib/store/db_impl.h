// DBImpl: the DB on RocksDB. Never installed; users see kpidb/db.h only.
//
// Concurrency: `catalog_mu_` guards the in-memory catalog. Queries hold it
// shared for their whole run; a write holds it exclusively only while it
// appends new catalog entries and commits its RocksDB batch, so a reader never
// meets a chunk whose ids its catalog lacks. `write_mu_` serializes writers,
// which read existing chunks, merge and re-encode them (read-merge-write).
#ifndef KPIDB_LIB_STORE_DB_IMPL_H_
#define KPIDB_LIB_STORE_DB_IMPL_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "kpidb/db.h"
#include "lib/store/catalog.h"
#include "rocksdb/db.h"

namespace kpidb::store {

class DBImpl final : public DB {
 public:
  static absl::StatusOr<std::unique_ptr<DB>> Open(const Options& options,
                                                  std::string_view path);
  ~DBImpl() override;

  absl::StatusOr<WriteSummary> Write(const WriteOptions& options,
                                     const WriteBatch& batch,
                                     std::vector<RecordError>* errors,
                                     size_t max_errors) override;
  absl::StatusOr<QueryResult> Execute(const Query& query) const override;
  absl::StatusOr<Company> GetCompany(std::string_view id) const override;
  std::vector<Company> Companies() const override;
  FiscalCalendar CalendarOf(std::string_view company) const override;

 private:
  DBImpl(const Options& options, std::string path,
         std::unique_ptr<rocksdb::DB> db);

  absl::Status Initialize();
  absl::Status LoadCatalog() ABSL_EXCLUSIVE_LOCKS_REQUIRED(catalog_mu_);
  FiscalCalendar CalendarOfId(uint32_t company_id) const
      ABSL_SHARED_LOCKS_REQUIRED(catalog_mu_);
  std::string SeriesName(uint32_t metric, uint32_t scenario,
                         uint32_t company) const
      ABSL_SHARED_LOCKS_REQUIRED(catalog_mu_);

  const Options options_;
  const std::string path_;
  std::unique_ptr<rocksdb::DB> db_;

  absl::Mutex write_mu_;
  mutable absl::Mutex catalog_mu_;
  Dictionary dicts_[kNumDictKinds] ABSL_GUARDED_BY(catalog_mu_);
  // Parsed units, indexed like dicts_[kUnit].
  std::vector<Unit> units_ ABSL_GUARDED_BY(catalog_mu_);
  // Defined companies by company dictionary id.
  absl::flat_hash_map<uint32_t, Company> companies_
      ABSL_GUARDED_BY(catalog_mu_);
  // Calendar of every company id (the calendar year when undefined): the
  // query path looks one up per series.
  std::vector<FiscalCalendar> calendars_ ABSL_GUARDED_BY(catalog_mu_);
};

}  // namespace kpidb::store

#endif  // KPIDB_LIB_STORE_DB_IMPL_H_
