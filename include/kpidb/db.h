// File: kpidb/db.h
// -----------------------------------------------------------------------------
//
// DB is an embedded store of company KPIs on a directory: facts keyed by
// (company, metric, period, scenario, as_of), stored as column chunks per
// series (doc/format.md).
//
//   absl::StatusOr<std::unique_ptr<kpidb::DB>> db =
//       kpidb::DB::Open(kpidb::Options(), "/tmp/kpis");
//   if (!db.ok()) return db.status();
//   absl::StatusOr<kpidb::QueryResult> r = (*db)->Execute(query);
//
// Thread-safety: a DB may be shared by many threads. Execute() and the other
// const methods run concurrently, each on a consistent snapshot; Write() calls
// are serialized inside the DB. Only one process may open a directory for
// writing: a second gets FailedPrecondition ("locked").
#ifndef KPIDB_INCLUDE_KPIDB_DB_H_
#define KPIDB_INCLUDE_KPIDB_DB_H_

#include <memory>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "kpidb/fact.h"
#include "kpidb/options.h"
#include "kpidb/query.h"
#include "kpidb/write_batch.h"

namespace kpidb {

class DB {
 public:
  // Opens the database in directory `path`, creating it if missing (unless
  // options.read_only or !options.create_if_missing). On success the caller
  // owns the handle; closing is destroying it. Errors: NotFound (no database
  // and not creating one), AlreadyExists (error_if_exists),
  // FailedPrecondition (locked by another writer, or not a kpidb database),
  // DataLoss (damaged catalog).
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<DB>> Open(const Options& options,
                                                  std::string_view path);

  // Whether directory `path` holds a database, that is, whether Open would
  // open one rather than create one (or report NotFound). Reads no data and
  // takes no lock; Open still tells a kpidb database from another RocksDB.
  static bool Exists(std::string_view path);

  DB() = default;
  DB(const DB&) = delete;
  DB& operator=(const DB&) = delete;
  virtual ~DB() = default;

  // Applies `batch` atomically. On error nothing is written; when the error
  // is about records, `errors` (if not null) receives up to `max_errors` of
  // them with their tags, and the returned status is the first one.
  [[nodiscard]] virtual absl::StatusOr<WriteSummary> Write(
      const WriteOptions& options, const WriteBatch& batch,
      std::vector<RecordError>* errors = nullptr, size_t max_errors = 100) = 0;

  // Runs a query on a consistent snapshot. InvalidArgument for a bad bound
  // label or pattern; DataLoss if a chunk it reads is damaged.
  [[nodiscard]] virtual absl::StatusOr<QueryResult> Execute(const Query& query) const = 0;

  // The defined company `id`: NotFound if it was never defined.
  [[nodiscard]] virtual absl::StatusOr<Company> GetCompany(std::string_view id) const = 0;

  // Every defined company, sorted by id.
  virtual std::vector<Company> Companies() const = 0;

  // The calendar period labels of `company` resolve through: its defined
  // calendar, or the calendar year for an unknown company.
  virtual FiscalCalendar CalendarOf(std::string_view company) const = 0;
};

}  // namespace kpidb

#endif  // KPIDB_INCLUDE_KPIDB_DB_H_
