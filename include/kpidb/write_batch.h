// File: kpidb/write_batch.h
// -----------------------------------------------------------------------------
//
// WriteBatch holds company definitions and facts that DB::Write() applies
// atomically: all of them or, on any error, none.
//
//   kpidb::WriteBatch batch;
//   batch.PutCompany(iij);
//   KPIDB_RETURN_IF_ERROR(batch.PutFact(fact, /*tag=*/line_number));
//   absl::StatusOr<kpidb::WriteSummary> s = db->Write({}, batch);
//
// Each record may carry a caller-chosen `tag` (a line number, say); errors
// that DB::Write() finds in a record are reported with its tag. Companies in a
// batch are applied before its facts, so fact labels resolved by the caller
// should use the batch's calendars.
//
// Thread-safety: a WriteBatch is not thread-safe; const methods may be called
// from many threads once no one mutates it.
#ifndef KPIDB_INCLUDE_KPIDB_WRITE_BATCH_H_
#define KPIDB_INCLUDE_KPIDB_WRITE_BATCH_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "kpidb/decimal.h"
#include "kpidb/fact.h"
#include "kpidb/period.h"
#include "kpidb/unit.h"

namespace kpidb {

class WriteBatch {
 public:
  WriteBatch();
  ~WriteBatch();
  WriteBatch(WriteBatch&&) noexcept;
  WriteBatch& operator=(WriteBatch&&) noexcept;
  WriteBatch(const WriteBatch&) = delete;
  WriteBatch& operator=(const WriteBatch&) = delete;

  // Adds or redefines a company. InvalidArgument for a bad id or calendar.
  [[nodiscard]] absl::Status PutCompany(const Company& company, uint64_t tag = 0);

  // Adds a fact. InvalidArgument (naming the field) for a bad identifier;
  // nothing is added then.
  [[nodiscard]] absl::Status PutFact(const Fact& fact, uint64_t tag = 0);

  // Same as PutFact() without building a Fact: the hot path of bulk loads.
  // An empty scenario means kDefaultScenario.
  [[nodiscard]] absl::Status Put(std::string_view company, std::string_view metric,
                   std::string_view scenario, const Period& period,
                   const Decimal& value, const Unit& unit,
                   std::optional<absl::CivilDay> as_of,
                   std::string_view source, uint64_t tag = 0);

  // Makes room for `facts` more facts: a hint that spares a bulk load the
  // copies of a growing buffer.
  void Reserve(size_t facts);

  size_t fact_count() const;
  size_t company_count() const;
  void Clear();

  // Implementation detail; opaque to users.
  struct Rep;
  const Rep& rep() const { return *rep_; }

 private:
  std::unique_ptr<Rep> rep_;
};

// What a write did (or, for a dry run, would do).
struct WriteSummary {
  size_t facts = 0;            // facts in the batch
  size_t new_facts = 0;        // key (company, metric, period, scenario) new
  size_t versions_added = 0;   // known key, new as_of
  size_t unchanged = 0;        // identical to a stored fact (or a duplicate)
  size_t replaced = 0;         // changed value at the same key and as_of
  size_t companies_added = 0;
  size_t companies_changed = 0;
  size_t companies_unchanged = 0;
};

// One bad record found by DB::Write().
struct RecordError {
  uint64_t tag = 0;
  absl::Status status;
  // The other record of a conflict inside the batch, if any.
  std::optional<uint64_t> other_tag;
};

}  // namespace kpidb

#endif  // KPIDB_INCLUDE_KPIDB_WRITE_BATCH_H_
