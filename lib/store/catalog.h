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
// Parses a series key; false if it is not one.
bool ParseSeriesKey(std::string_view key, uint32_t* metric, uint32_t* scenario,
                    uint32_t* company);

// Values (each ends with a checksum, lib/util/checksum.h).
std::string EncodeMetaValue();
absl::Status CheckMetaValue(std::string_view value);
std::string EncodeDictValue(std::string_view text);
absl::StatusOr<std::string_view> DecodeDictValue(std::string_view value);
std::string EncodeCompanyValue(const Company& company);
absl::StatusOr<Company> DecodeCompanyValue(std::string_view value);

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
  absl::Status Load(uint32_t id, std::string_view s);
  // Drops entries with id >= size (undoes Adds of a failed write).
  void Truncate(uint32_t size);

 private:
  std::vector<std::string> strings_;
  absl::flat_hash_map<std::string, uint32_t> ids_;
};

}  // namespace kpidb::store

#endif  // KPIDB_LIB_STORE_CATALOG_H_
