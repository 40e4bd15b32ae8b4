// The catalog: dictionaries that map the strings of a database (companies,
// metrics, scenarios, units, sources) to the small ids chunks store, and the
// company records. It lives in RocksDB under the 'd' and 'c' keys, and as a
// whole in the snapshot key 'S' (doc/format.md), and in memory while a
// database is open.
#ifndef KPIDB_LIB_STORE_CATALOG_H_
#define KPIDB_LIB_STORE_CATALOG_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "kpidb/fact.h"
#include "kpidb/unit.h"
#include "lib/format/coding.h"
#include "lib/util/str_cat.h"
#include "lib/util/string_arena.h"

namespace rocksdb {
class DB;
class Iterator;
}  // namespace rocksdb

namespace kpidb::store {

// Dictionary kinds. Persisted in keys: never change these values.
enum class DictKind : uint8_t {
  kCompany = 1,
  kMetric = 2,
  kScenario = 3,
  kUnit = 4,
  kSource = 5,
};
inline constexpr int kNumDictKinds = 6;  // index 0 unused

// Key prefixes. Persisted. (The snapshot key "S", below, sorts before all.)
inline constexpr char kMetaKey[] = "m";
inline constexpr char kCompanyPrefix = 'c';
inline constexpr char kDictPrefix = 'd';
inline constexpr char kSeriesPrefix = 's';
// The format version new databases get; DecodeMetaValue also reads 1.
inline constexpr uint8_t kFormatVersion = 2;

std::string DictKey(DictKind kind, uint32_t id);
std::string CompanyKey(uint32_t company_id);
std::string SeriesKey(uint32_t metric, uint32_t scenario, uint32_t company);
// Parse keys; false if `key` is not one of that kind.
bool ParseSeriesKey(std::string_view key, uint32_t* metric, uint32_t* scenario,
                    uint32_t* company);
bool ParseDictKey(std::string_view key, DictKind* kind, uint32_t* id);
bool ParseCompanyKey(std::string_view key, uint32_t* company_id);
// "company", "metric", ... for messages.
std::string_view DictKindName(DictKind kind);

// Values (each ends with a checksum, lib/util/checksum.h).
std::string EncodeMetaValue(uint8_t version = kFormatVersion);
std::string EncodeDictValue(std::string_view text);
[[nodiscard]] absl::StatusOr<std::string_view> DecodeDictValue(std::string_view value);
std::string EncodeCompanyValue(const Company& company);
[[nodiscard]] absl::StatusOr<Company> DecodeCompanyValue(std::string_view value);

// The catalog snapshot (key "S"): the whole catalog in one value, so that
// an open reads it with one Get instead of iterating every entry
// (doc/format.md, "Catalog snapshot"). The per-entry keys stay the format's
// source of truth; a write that changes the catalog writes the snapshot in
// the same ingestion as its entries.
inline constexpr char kSnapshotKey[] = "S";
// The format version that has the snapshot; version 1 databases have none
// until a writer opens them (DBImpl::Open).
inline constexpr uint8_t kFirstSnapshotVersion = 2;

// The database format version of a meta value: DataLoss if damaged,
// FailedPrecondition for a version this build does not read.
[[nodiscard]] absl::StatusOr<uint8_t> DecodeMetaValue(std::string_view value);

// Strings of one kind and their ids. Id 0 is the empty string; real entries
// start at 1 and are only ever appended. The strings live in an arena (a
// few blocks, not one allocation per string); a string_view from Get() or
// Find() stays valid while the dictionary lives, across later appends.
class Dictionary {
 public:
  Dictionary() : strings_{std::string_view()} { ids_.emplace(absl::string_view(), 0); }
  Dictionary(Dictionary&&) = default;
  Dictionary& operator=(Dictionary&&) = default;

  std::optional<uint32_t> Find(std::string_view s) const {
    auto it = ids_.find(ToAbsl(s));
    if (it == ids_.end()) return std::nullopt;
    return it->second;
  }
  bool Contains(uint32_t id) const { return id < strings_.size(); }
  // REQUIRES: Contains(id).
  std::string_view Get(uint32_t id) const { return strings_[id]; }
  uint32_t size() const { return static_cast<uint32_t>(strings_.size()); }

  // Appends `s` (not present yet) and returns its id.
  uint32_t Add(std::string_view s);
  // Sets entry `id` while loading; DataLoss on a gap or duplicate.
  [[nodiscard]] absl::Status Load(uint32_t id, std::string_view s);
  // Loads entries 1..count of an empty dictionary from a snapshot's
  // dictionary section at *in (count times length:varint64 text); DataLoss
  // if it does not parse or repeats a string.
  [[nodiscard]] absl::Status LoadSection(format::ByteReader* in, uint64_t count);
  // Drops entries with id >= size (undoes Adds of a failed write).
  void Truncate(uint32_t size);

 private:
  StringArena arena_;
  std::vector<std::string_view> strings_;
  absl::flat_hash_map<absl::string_view, uint32_t> ids_;
};

// The catalog in memory: the dictionaries, the parsed units, the defined
// companies and every company id's calendar. Not synchronized: DBImpl
// guards it (queries read it shared; a commit appends exclusively).
class Catalog {
 public:
  Catalog();
  Catalog(Catalog&&) = default;
  Catalog& operator=(Catalog&&) = default;

  // Where Load() found the catalog.
  enum class Source { kSnapshot, kEntries };

  // Reads the catalog of `db`: from its snapshot when it has one, verified
  // against the entries (VerifySnapshot), else from every entry. DataLoss
  // for a damaged snapshot, a snapshot that disagrees with the entries, or
  // a damaged entry read.
  [[nodiscard]] absl::StatusOr<Source> Load(rocksdb::DB* db);
  // Reads every catalog entry ('d' and 'c' keys) of `db`, verifying each
  // checksum, into an empty catalog. DataLoss for a damaged entry.
  [[nodiscard]] absl::Status LoadEntries(rocksdb::DB* db);
  // Decodes a snapshot value into an empty catalog. DataLoss if damaged.
  [[nodiscard]] absl::Status LoadSnapshot(std::string_view value);
  // The few reads that tie a loaded snapshot to the entries of `db`: per
  // dictionary, the entry with the snapshot's last id is stored and equal,
  // and none follows it; the company record with the last id likewise.
  // That catches a snapshot older or newer than the entries (a lost write,
  // a bug); a change in the middle is left to kpidb-check, which compares
  // everything. DataLoss naming the first disagreement.
  [[nodiscard]] absl::Status VerifySnapshot(rocksdb::DB* db) const;
  // The snapshot value of this catalog (doc/format.md, "Catalog snapshot").
  std::string EncodeSnapshot() const;
  // The snapshot value of this catalog as a write will leave it: `added[k]`
  // appended to dictionary k, and the records `defined` set (a
  // CatalogDelta's, before it commits).
  std::string EncodeSnapshot(const std::vector<std::string> (&added)[kNumDictKinds],
                             const absl::flat_hash_map<uint32_t, Company>& defined) const;

  // Entries read by Load and LoadEntries (not by LoadSnapshot): tests show
  // that an open with a snapshot reads none.
  uint64_t entries_read() const { return entries_read_; }

  const Dictionary& dict(DictKind kind) const {
    return dicts_[static_cast<int>(kind)];
  }
  // Parsed units, indexed by unit dictionary id.
  const std::vector<Unit>& units() const { return units_; }
  // The company record of company id `id`, if it has one.
  std::optional<Company> company(uint32_t id) const;
  // Ids of the companies with a record, in increasing order.
  std::vector<uint32_t> CompanyIds() const;
  // The calendar of a company id: its defined one, else the calendar year.
  // The query path looks one up per series, hence the vector.
  const FiscalCalendar& CalendarOf(uint32_t company_id) const {
    static const FiscalCalendar kCalendarYear = FiscalCalendar::CalendarYear();
    return company_id < calendars_.size() ? calendars_[company_id] : kCalendarYear;
  }
  // "IIJ/revenue.total/actual", for messages.
  std::string SeriesName(uint32_t metric, uint32_t scenario, uint32_t company) const;

  // Applying a write: strings appended to `kind` (ids follow the current
  // size), undone by TruncateTo when the commit fails; then the units and
  // company records, once it succeeded.
  void Append(DictKind kind, const std::vector<std::string>& strings);
  void TruncateTo(DictKind kind, uint32_t size);
  void SetUnits(std::vector<Unit> units) { units_ = std::move(units); }
  void SetCompany(uint32_t id, const Company& company);

 private:
  // A company record's fields, viewing company_records_.
  struct RecordView {
    FiscalCalendar calendar;
    std::string_view name;
    std::string_view currency;
  };

  [[nodiscard]] absl::Status LoadDictionaries(rocksdb::Iterator* it);
  [[nodiscard]] absl::Status LoadCompanies(rocksdb::Iterator* it);
  [[nodiscard]] absl::Status ParseUnits();
  bool HasRecord(uint32_t id) const {
    return id < company_record_at_.size() && company_record_at_[id] != 0;
  }
  // REQUIRES: HasRecord(id).
  RecordView Record(uint32_t id) const;

  Dictionary dicts_[kNumDictKinds];
  std::vector<Unit> units_;
  // The company records, encoded as in the snapshot but without their ids
  // (doc/format.md), one after another: a load copies the snapshot's
  // section in one piece and keeps 4 bytes per company id, instead of a
  // struct and strings per record. company_record_at_[id] is the offset of
  // id's record plus one, 0 when it has none: offsets, not pointers, as
  // SetCompany appends. A changed record leaves its old bytes behind
  // (companies change rarely).
  std::string company_records_;
  std::vector<uint32_t> company_record_at_;
  std::vector<FiscalCalendar> calendars_;
  uint64_t entries_read_ = 0;
};

// The first difference between two catalogs' dictionaries and company
// records ("dictionary metric id 7: 'a' against 'b'"), empty when they are
// equal.
std::string CatalogDifference(const Catalog& a, const Catalog& b);

}  // namespace kpidb::store

#endif  // KPIDB_LIB_STORE_CATALOG_H_
