// File: kpidb/ingest.h
// -----------------------------------------------------------------------------
//
// Loading CSV files into a database: the library behind `kpidb-ingest`.
//
// Two kinds of file, told apart by their header (columns by name, any order):
//   facts      company,metric,period,value[,unit][,scenario][,as_of][,source]
//   companies  company,name,fiscal_year_end,fy_naming,currency
// Companies files are applied before facts files, so fact labels such as
// "FY2013" resolve through calendars defined in the same call.
//
// One call is atomic across all its inputs: either every record is valid and
// all of them are written in one DB::Write(), or nothing is written and
// `report->errors` lists the bad records as "FILE:LINE: error: MESSAGE" (LINE
// is where the record starts).
//
// Inputs must be UTF-8 text. A record longer than kMaxRecordBytes (1 MiB,
// quoted line breaks included) or a NUL byte is an error at its line that
// also ends the reading of that input, so a binary file, /dev/zero or a file
// without line breaks is refused after at most about 1 MiB.
//
//   kpidb::IngestReport report;
//   absl::Status s = kpidb::IngestFiles(db.get(), {"companies.csv",
//                                       "facts.csv"}, {}, &report);
//   for (const std::string& e : report.errors) std::cerr << e << "\n";
//
// Thread-safety: IngestFiles may run concurrently with queries on the same DB.
#ifndef KPIDB_INCLUDE_KPIDB_INGEST_H_
#define KPIDB_INCLUDE_KPIDB_INGEST_H_

#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "kpidb/db.h"
#include "kpidb/write_batch.h"

namespace kpidb {

// The longest record an input may hold, in bytes from its first byte to the
// line break that ends it (quoted line breaks included): 1 MiB.
inline constexpr size_t kMaxRecordBytes = size_t{1} << 20;

struct IngestOptions {
  // as_of given to facts whose as_of field is empty or absent. Default: none.
  std::optional<absl::CivilDay> default_as_of;
  // Allow changing a stored value at the same key and as_of
  // (WriteOptions::replace). Default: false.
  bool replace = false;
  // Validate everything against the database, write nothing. Default: false.
  bool dry_run = false;
  // Stop collecting error messages after this many; at least 1 (0 is
  // InvalidArgument). Default: 20.
  size_t max_errors = 20;
  // Called every `progress_every` records when the inputs total at least
  // `progress_min_bytes`; may be empty. Defaults: 1,000,000 and 32 MiB.
  std::function<void(size_t records, size_t total_bytes, size_t bytes_done)>
      progress;
  size_t progress_every = 1'000'000;
  size_t progress_min_bytes = 32u << 20;
};

struct IngestReport {
  size_t files = 0;
  size_t facts_read = 0;
  size_t companies_read = 0;
  WriteSummary summary;
  // "FILE:LINE: error: MESSAGE", at most max_errors of them.
  std::vector<std::string> errors;
  // Number of bad records found (may exceed errors.size()).
  size_t error_count = 0;
};

// An input already in memory; `name` is used in messages.
struct IngestInput {
  std::string name;
  std::string data;
};

// Reads and loads the files at `paths` ("-" is standard input). On error
// nothing is written, the returned status says why (InvalidArgument for bad
// records, NotFound for a missing file...) and report->errors names each bad
// record.
[[nodiscard]] absl::Status IngestFiles(DB* db, std::span<const std::string> paths,
                                       const IngestOptions& options, IngestReport* report);

// Same for inputs in memory.
[[nodiscard]] absl::Status IngestInputs(DB* db, std::span<const IngestInput> inputs,
                                        const IngestOptions& options, IngestReport* report);

// IngestFiles into the database in directory `db_path`, which is opened for
// the call and created if missing. With options.dry_run nothing on disk
// changes, and the report is the one a real run would give: an existing
// database is opened read-only (no writer lock, so a dry run works while
// another process writes), and when there is none the files are validated
// against an empty scratch database in a temporary directory, removed
// before returning.
//
// Errors: those of DB::Open (FailedPrecondition when another handle, in this
// process or another, writes the database), Unavailable when a dry run
// cannot make its scratch directory, then those of IngestFiles. *report is
// reset first, so it holds no errors when the database did not open.
//
// Thread-safety: opens and closes its own handle; a call that writes fails
// as above while any writer handle on `db_path` is open.
[[nodiscard]] absl::Status IngestFilesInto(std::string_view db_path,
                                           std::span<const std::string> paths,
                                           const IngestOptions& options,
                                           IngestReport* report);

}  // namespace kpidb

#endif  // KPIDB_INCLUDE_KPIDB_INGEST_H_
