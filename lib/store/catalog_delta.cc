#include "lib/store/catalog_delta.h"

#include <algorithm>

#include "lib/store/staging.h"
#include "lib/util/status_macros.h"
#include "lib/util/str_cat.h"

namespace kpidb::store {

CatalogDelta::CatalogDelta(const Catalog& catalog)
    : catalog_(catalog), units_(catalog.units()) {
  for (int k = 0; k < kNumDictKinds; ++k) {
    base_size_[k] = k == 0 ? 0 : catalog.dict(static_cast<DictKind>(k)).size();
  }
}

uint32_t CatalogDelta::Resolve(DictKind kind, std::string_view s) {
  const int k = Index(kind);
  if (std::optional<uint32_t> id = catalog_.dict(kind).Find(s)) return *id;
  auto it = added_ids_[k].find(ToAbsl(s));
  if (it != added_ids_[k].end()) return it->second;
  const uint32_t id = base_size_[k] + static_cast<uint32_t>(added_[k].size());
  added_[k].emplace_back(s);
  added_ids_[k].emplace(std::string(s), id);
  return id;
}

uint32_t CatalogDelta::ResolveUnit(const Unit& unit) {
  const uint32_t id = Resolve(DictKind::kUnit, unit.ToString());
  if (id >= units_.size()) {
    units_.resize(id + 1);
    units_[id] = unit;
  }
  return id;
}

void CatalogDelta::DefineCompany(uint32_t id, const Company& company) {
  companies_[id] = company;
}

std::string_view CatalogDelta::Name(DictKind kind, uint32_t id) const {
  const int k = Index(kind);
  return id < base_size_[k] ? catalog_.dict(kind).Get(id)
                            : std::string_view(added_[k][id - base_size_[k]]);
}

bool CatalogDelta::ChangesCatalog() const {
  for (int k = 1; k < kNumDictKinds; ++k) {
    if (!added_[k].empty()) return true;
  }
  for (const auto& [id, company] : companies_) {
    if (catalog_.company(id) != company) return true;
  }
  return false;
}

std::string CatalogDelta::SeriesName(uint32_t metric, uint32_t scenario,
                                     uint32_t company) const {
  return kpidb::StrCat(Name(DictKind::kCompany, company), "/",
                       Name(DictKind::kMetric, metric), "/",
                       Name(DictKind::kScenario, scenario));
}

absl::Status CatalogDelta::AddTo(Staging* staging) const {
  // "S" sorts before every other key.
  if (ChangesCatalog()) {
    KPIDB_RETURN_IF_ERROR(staging->Put(kSnapshotKey, catalog_.EncodeSnapshot(added_, companies_)));
  }
  std::vector<uint32_t> companies;
  for (const auto& [id, company] : companies_) companies.push_back(id);
  std::sort(companies.begin(), companies.end());
  for (uint32_t id : companies) {
    KPIDB_RETURN_IF_ERROR(
        staging->Put(CompanyKey(id), EncodeCompanyValue(companies_.at(id))));
  }
  for (int k = 1; k < kNumDictKinds; ++k) {
    for (size_t i = 0; i < added_[k].size(); ++i) {
      KPIDB_RETURN_IF_ERROR(staging->Put(
          DictKey(static_cast<DictKind>(k), base_size_[k] + static_cast<uint32_t>(i)),
          EncodeDictValue(added_[k][i])));
    }
  }
  return absl::OkStatus();
}

void CatalogDelta::AppendStrings(Catalog* catalog) const {
  for (int k = 1; k < kNumDictKinds; ++k) catalog->Append(static_cast<DictKind>(k), added_[k]);
}

void CatalogDelta::Undo(Catalog* catalog) const {
  for (int k = 1; k < kNumDictKinds; ++k) {
    catalog->TruncateTo(static_cast<DictKind>(k), base_size_[k]);
  }
}

void CatalogDelta::Finish(Catalog* catalog) {
  catalog->SetUnits(std::move(units_));
  for (const auto& [id, company] : companies_) catalog->SetCompany(id, company);
}

}  // namespace kpidb::store
