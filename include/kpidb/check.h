// File: kpidb/check.h
// -----------------------------------------------------------------------------
//
// Checking a database: the library behind `kpidb-check`. CheckDatabase reads
// every table file, key and value of a database and verifies them against
// doc/format.md: RocksDB's block checksums, the kind and length of every key,
// every dictionary (ids 1..n dense, values intact, strings unique and valid
// for their kind), every company record, the catalog snapshot (intact and
// equal to the catalog entries), every series chunk (intact, rows
// sorted and unique, versions in order, ids present in their dictionaries,
// one unit dimension per series) and the commit record. doc/impl.md ("What
// kpidb-check checks") lists each check.
//
// It does not stop at the first problem: a database that DB::Open refuses
// (a damaged catalog entry, a missing table file) still gets a report
// naming everything found, with where each problem is ("series
// IIJ/revenue.total/actual", "dictionary metric id 7"), so that the
// affected series can be restored from a backup or ingested again.
//
//   kpidb::CheckOptions options;
//   absl::StatusOr<kpidb::CheckReport> report =
//       kpidb::CheckDatabase("kpis.db", options);
//   if (!report.ok()) return report.status();  // could not check at all
//   for (const kpidb::CheckProblem& p : report->problems) {
//     std::cerr << p.where << ": " << p.what << "\n";
//   }
//
// Repair (CheckOptions::repair) fixes only what needs no guessing, and only
// when everything else verified clean:
//   * a missing, damaged or stale commit record (KPIDB-COMMIT) is rewritten
//     from the database's current RocksDB sequence number;
//   * a missing, damaged or differing catalog snapshot (key 'S') is
//     rewritten from the catalog entries, the format's source of truth;
//   * files an interrupted write left in the staging folder are removed.
// Anything else (a damaged chunk, dictionary entry or company record, an
// unknown id, a commit record newer than the database) is never changed:
// only a backup or the original data can restore it.
//
// Thread-safety: CheckDatabase may run while another handle (in this or
// another process) has the database open, also for writing. Without repair
// it opens the database read-only, takes no lock, writes nothing and checks
// the data as of its start. With repair, when something is to be repaired,
// it takes the writer lock (FailedPrecondition while a writer holds it),
// checks again under it and repairs then.
#ifndef KPIDB_INCLUDE_KPIDB_CHECK_H_
#define KPIDB_INCLUDE_KPIDB_CHECK_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace kpidb {

struct CheckOptions {
  // Repair what can be repaired without guessing (see above). Default: a
  // check that changes nothing.
  bool repair = false;

  // Problems listed in CheckReport::problems; further ones are only counted
  // (CheckReport::unlisted_problems).
  size_t max_problems = 1000;
};

// One thing found wrong.
struct CheckProblem {
  // What is affected, for people: "series IIJ/revenue.total/actual",
  // "dictionary metric id 7", "company record id 3 (IIJ)", "table file
  // 000012.sst", "key 'x\x01'", "KPIDB-COMMIT", "database".
  std::string where;
  // What is wrong with it, and for problems that are not repaired what the
  // user can do.
  std::string what;
  // kDataLoss for damaged or inconsistent data; kNotFound for a missing
  // commit record; kFailedPrecondition for a stale one or an unsupported
  // format version; others as RocksDB reported them.
  absl::StatusCode code = absl::StatusCode::kDataLoss;
  // CheckOptions::repair fixes it (when no other problem is found).
  bool repairable = false;
};

struct CheckReport {
  // --- What was verified -----------------------------------------------------

  // RocksDB table files whose every block's checksum was verified.
  uint64_t table_files = 0;
  // Keys read by the full scan, of any kind.
  uint64_t keys = 0;
  // Dictionary entries (all kinds), then per kind.
  uint64_t dictionary_entries = 0;
  uint64_t company_ids = 0;
  uint64_t metrics = 0;
  uint64_t scenarios = 0;
  uint64_t units = 0;
  uint64_t sources = 0;
  // Company records (defined companies).
  uint64_t companies = 0;
  // Series keys, and the facts (rows, every version) of their chunks.
  uint64_t series = 0;
  uint64_t facts = 0;
  // The database's RocksDB sequence number (its last write), and the one
  // the commit record holds, when it could be read.
  uint64_t sequence = 0;
  std::optional<uint64_t> commit_record;

  // --- What was found --------------------------------------------------------

  // In the order found, at most CheckOptions::max_problems.
  std::vector<CheckProblem> problems;
  // Problems found beyond max_problems.
  uint64_t unlisted_problems = 0;
  // Harmless findings: files an interrupted (or still running) write left
  // in the staging folder; a check that could read only part of the
  // database.
  std::vector<std::string> notes;
  // What repair changed, one line each. A repaired problem is no longer in
  // `problems`.
  std::vector<std::string> repairs;

  // No problem left (after repairs).
  bool ok() const { return problems.empty() && unlisted_problems == 0; }
};

// Checks the database at `path` (and with options.repair, repairs it; see
// above). The report lists every problem in the data; an error status means
// the check could not run at all: NotFound when `path` holds no database,
// PermissionDenied or Unavailable when it cannot be read, FailedPrecondition
// when a repair needs the writer lock another process holds, or the error
// of a repair that failed.
[[nodiscard]] absl::StatusOr<CheckReport> CheckDatabase(
    std::string_view path, const CheckOptions& options = CheckOptions());

}  // namespace kpidb

#endif  // KPIDB_INCLUDE_KPIDB_CHECK_H_
