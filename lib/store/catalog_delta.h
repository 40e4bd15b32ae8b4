// The catalog entries one write adds. Strings new to the catalog get ids
// after the current ones, in the order the batch names them; they become
// visible to queries only when the write commits (DBImpl::Write), and are
// rolled back if RocksDB refuses the commit.
#ifndef KPIDB_LIB_STORE_CATALOG_DELTA_H_
#define KPIDB_LIB_STORE_CATALOG_DELTA_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "kpidb/fact.h"
#include "kpidb/unit.h"
#include "lib/store/catalog.h"

namespace kpidb::store {

class Staging;

// Thread-safety: used by the one writer (DBImpl holds write_mu_), which is
// the only thread that changes the catalog, so it may read `catalog`
// throughout; applying it needs catalog_mu_ held exclusively.
class CatalogDelta {
 public:
  explicit CatalogDelta(const Catalog& catalog);

  // The id of `s`: its catalog id, or a new one after the catalog's.
  uint32_t Resolve(DictKind kind, std::string_view s);
  // Resolve() for a unit, which also records its parsed form.
  uint32_t ResolveUnit(const Unit& unit);
  // A company record the write defines (the last definition wins).
  void DefineCompany(uint32_t id, const Company& company);

  // Whether `id` of `kind` existed before this write.
  bool Known(DictKind kind, uint32_t id) const { return id < base_size_[Index(kind)]; }
  // The string of an old or new id.
  std::string_view Name(DictKind kind, uint32_t id) const;
  // "IIJ/revenue.total/actual", for messages.
  std::string SeriesName(uint32_t metric, uint32_t scenario, uint32_t company) const;
  // Every unit by id, old and new.
  const std::vector<Unit>& units() const { return units_; }
  const absl::flat_hash_map<uint32_t, Company>& companies() const { return companies_; }

  // Whether the write adds a string or sets a company record that differs
  // from the catalog's.
  bool ChangesCatalog() const;
  // The new catalog snapshot (when ChangesCatalog()), company records and
  // dictionary entries, in key order, into the write's staged files (before
  // any series key, which sorts after them): the snapshot is committed with
  // the entries it mirrors.
  [[nodiscard]] absl::Status AddTo(Staging* staging) const;
  // Appends the new strings before the commit (readers are excluded)...
  void AppendStrings(Catalog* catalog) const;
  // ...takes them back if the commit failed...
  void Undo(Catalog* catalog) const;
  // ...or adds the units and company records once it succeeded.
  void Finish(Catalog* catalog);

 private:
  static int Index(DictKind kind) { return static_cast<int>(kind); }

  const Catalog& catalog_;
  // Catalog sizes when the write began: ids at or past these are new.
  uint32_t base_size_[kNumDictKinds];
  // New strings by kind, in id order, and their ids.
  std::vector<std::string> added_[kNumDictKinds];
  absl::flat_hash_map<std::string, uint32_t> added_ids_[kNumDictKinds];
  std::vector<Unit> units_;
  absl::flat_hash_map<uint32_t, Company> companies_;
};

}  // namespace kpidb::store

#endif  // KPIDB_LIB_STORE_CATALOG_DELTA_H_
