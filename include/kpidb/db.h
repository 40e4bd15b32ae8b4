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

  // Applies `batch` atomically: when Write() returns OK every fact is in
  // synced table files (never only in a log); on error nothing is written.
  // When the error is about records, `errors` (if not null) receives up to
  // `max_errors` of them with their tags, and the returned status is the
  // first one.
  [[nodiscard]] virtual absl::StatusOr<WriteSummary> Write(
      const WriteOptions& options, const WriteBatch& batch,
      std::vector<RecordError>* errors = nullptr, size_t max_errors = 100) = 0;

  // A write too large for one WriteBatch in memory, given in pieces. Add()
  // batches one after another, then Commit(): the facts of every batch are
  // applied as one atomic write, exactly as one Write() of their union
  // would (later company definitions win; errors name the batches' tags,
  // so give every record a distinct tag). Memory stays bounded whatever
  // the total: facts spill to sorted runs on disk (in the database's
  // staging folder; a dry run uses the system's temporary folder).
  //
  // The bulk write holds the writer lock from NewBulkWrite() until it is
  // destroyed: other Write() calls wait. Destroying it without a
  // successful Commit() writes nothing. Not thread-safe itself, but not
  // tied to a thread: one thread may begin it and another finish it. While
  // one is alive, a Write() or NewBulkWrite() on the same DB waits for it,
  // so the code holding it must not call them (it would wait for itself).
  class BulkWrite {
   public:
    virtual ~BulkWrite() = default;
    // Adds `batch`'s facts and company definitions. Errors: resource
    // errors (ResourceExhausted for a full disk) only; bad records are
    // reported by Commit().
    [[nodiscard]] virtual absl::Status Add(const WriteBatch& batch) = 0;
    // As Write(): on error nothing is written, and `errors` (if not null)
    // receives up to `max_errors` bad records. Call at most once.
    [[nodiscard]] virtual absl::StatusOr<WriteSummary> Commit(
        std::vector<RecordError>* errors = nullptr, size_t max_errors = 100) = 0;
  };

  // Starts a bulk write. FailedPrecondition on a read-only handle unless
  // options.dry_run.
  [[nodiscard]] virtual absl::StatusOr<std::unique_ptr<BulkWrite>> NewBulkWrite(
      const WriteOptions& options) = 0;

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
