// The catalog: dictionaries that map the strings of a database (companies,
// metrics, scenarios, units, sources) to the small ids chunks store, and the
// company records. It lives in RocksDB under the 'd' and 'c' keys
// (doc/format.md) and in memory while a database is open.
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
#include "lib/util/str_cat.h"

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

// Key prefixes. Persisted.
inline constexpr char kMetaKey[] = "m";
inline constexpr char kCompanyPrefix = 'c';
inline constexpr char kDictPrefix = 'd';
inline constexpr char kSeriesPrefix = 's';
inline constexpr uint8_t kFormatVersion = 1;

std::string DictKey(DictKind kind, uint32_t id);
std::string CompanyKey(uint32_t company_id);
std::string SeriesKey(uint32_t metric, uint32_t scenario, uint32_t company);
// Parse keys; false if `key` is not one of that kind.
bool ParseSeriesKey(std::string_view key, uint32_t* metric, uint32_t* scenario,
                    uint32_t* company);
bool ParseDictKey(std::string_view key, DictKind* kind, uint32_t* id);
bool ParseCompanyKey(std::string_view key, uint32_t* company_id);

// Values (each ends with a checksum, lib/util/checksum.h).
std::string EncodeMetaValue();
[[nodiscard]] absl::Status CheckMetaValue(std::string_view value);
std::string EncodeDictValue(std::string_view text);
[[nodiscard]] absl::StatusOr<std::string_view> DecodeDictValue(std::string_view value);
std::string EncodeCompanyValue(const Company& company);
[[nodiscard]] absl::StatusOr<Company> DecodeCompanyValue(std::string_view value);

// Strings of one kind and their ids. Id 0 is the empty string; real entries
// start at 1 and are only ever appended.
class Dictionary {
 public:
  Dictionary() : strings_{std::string()} { ids_.emplace(std::string(), 0); }

  std::optional<uint32_t> Find(std::string_view s) const {
    auto it = ids_.find(ToAbsl(s));
    if (it == ids_.end()) return std::nullopt;
    return it->second;
  }
  bool Contains(uint32_t id) const { return id < strings_.size(); }
  // REQUIRES: Contains(id).
  const std::string& Get(uint32_t id) const { return strings_[id]; }
  uint32_t size() const { return static_cast<uint32_t>(strings_.size()); }

  // Appends `s` (not present yet) and returns its id.
  uint32_t Add(std::string_view s);
  // Sets entry `id` while loading; DataLoss on a gap or duplicate.
  [[nodiscard]] absl::Status Load(uint32_t id, std::string_view s);
  // Drops entries with id >= size (undoes Adds of a failed write).
  void Truncate(uint32_t size);

 private:
  std::vector<std::string> strings_;
  absl::flat_hash_map<std::string, uint32_t> ids_;
};

// The catalog in memory: the dictionaries, the parsed units, the defined
// companies and every company id's calendar. Not synchronized: DBImpl
// guards it (queries read it shared; a commit appends exclusively).
class Catalog {
 public:
  Catalog();

  // Reads every catalog entry of `db`, verifying each checksum. DataLoss
  // for a damaged entry.
  [[nodiscard]] absl::Status Load(rocksdb::DB* db);

  const Dictionary& dict(DictKind kind) const {
    return dicts_[static_cast<int>(kind)];
  }
  // Parsed units, indexed by unit dictionary id.
  const std::vector<Unit>& units() const { return units_; }
  // Defined companies by company dictionary id.
  const absl::flat_hash_map<uint32_t, Company>& companies() const {
    return companies_;
  }
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
  [[nodiscard]] absl::Status LoadDictionaries(rocksdb::Iterator* it);
  [[nodiscard]] absl::Status LoadCompanies(rocksdb::Iterator* it);

  Dictionary dicts_[kNumDictKinds];
  std::vector<Unit> units_;
  absl::flat_hash_map<uint32_t, Company> companies_;
  std::vector<FiscalCalendar> calendars_;
};

}  // namespace kpidb::store

#endif  // KPIDB_LIB_STORE_CATALOG_H_
