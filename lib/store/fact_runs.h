// FactRuns: the facts of a write, sorted by series, in bounded memory.
//
// A write adds its facts in input order, with catalog ids already resolved.
// They collect in a buffer; a full buffer is sorted by (series, input
// order) and spilled to a run file, so a write of any size holds one buffer
// in memory. Reading merges the runs (and the last buffer, which is never
// spilled): the facts of each series come together, series in key order,
// each series' facts in input order, as the version merge needs.
//
// Run files are scratch in a folder the writer owns: the database's staging
// folder (removed with it, and cleared by the next writer after a crash),
// or a temporary folder for a dry run, which must not touch the database.
//
// Thread-safety: one thread; the writer lock serializes writes.
#ifndef KPIDB_LIB_STORE_FACT_RUNS_H_
#define KPIDB_LIB_STORE_FACT_RUNS_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "lib/store/series_chunk.h"

namespace rocksdb {
class Env;
}  // namespace rocksdb

namespace kpidb::store {

// One fact of a write in storage form: its series, its row, and where it
// came from. A plain struct, written to run files as bytes (they live only
// as long as the write).
struct RunFact {
  uint32_t metric, scenario, company;  // catalog ids, old or new
  uint32_t seq;                        // input order within the write
  int32_t start, end, as_of;           // day numbers; as_of kRunNoAsOf if none
  uint32_t unit_id, source_id;
  int32_t exponent;
  int64_t mantissa;
  uint64_t tag;
  uint8_t instant;
  uint8_t pad[7];

  static constexpr int32_t kRunNoAsOf = INT32_MIN;

  auto SeriesKey() const { return std::tie(metric, scenario, company); }
  bool SameSeries(const RunFact& o) const {
    return metric == o.metric && scenario == o.scenario && company == o.company;
  }
  ChunkRow Row() const;
};

class FactRuns {
 public:
  // Spills to `dir` (created on first spill) through `env`, `buffer_facts`
  // facts per run.
  FactRuns(rocksdb::Env* env, std::string dir, size_t buffer_facts = size_t{1} << 20);
  FactRuns(const FactRuns&) = delete;
  FactRuns& operator=(const FactRuns&) = delete;
  ~FactRuns();  // removes the run files

  // REQUIRES: f.seq increases from call to call.
  [[nodiscard]] absl::Status Add(const RunFact& f);
  uint64_t size() const { return count_; }
  size_t spilled_runs() const { return files_.size(); }

  // Reads the facts back, one series at a time. Call once, after every Add.
  class Reader;
  [[nodiscard]] absl::StatusOr<std::unique_ptr<Reader>> Read();

 private:
  [[nodiscard]] absl::Status Spill();

  rocksdb::Env* env_;
  const std::string dir_;
  const size_t buffer_facts_;
  std::vector<RunFact> buffer_;
  std::vector<std::string> files_;
  std::vector<uint64_t> run_sizes_;  // facts in each file
  uint64_t count_ = 0;
};

class FactRuns::Reader {
 public:
  virtual ~Reader() = default;
  // The next series' facts into *facts (replacing them), in input order, at
  // most `limit` of them: the rest of a longer series is skipped and
  // *overflowed set. False after the last series or on error (then
  // status() says why).
  virtual bool NextSeries(std::vector<RunFact>* facts, size_t limit, bool* overflowed) = 0;
  [[nodiscard]] virtual absl::Status status() const = 0;
};

}  // namespace kpidb::store

#endif  // KPIDB_LIB_STORE_FACT_RUNS_H_
