// Catalog value layouts (doc/format.md, "Catalog"):
//
//   meta     := "kpidb" version:u8 checksum:fixed32
//   dict     := text:bytes checksum:fixed32
//   company  := version:u8 (=1) fiscal_year_end_month:u8 naming:u8
//               name_len:varint64 name currency_len:varint64 currency
//               checksum:fixed32
#include "lib/store/catalog.h"

#include <memory>

#include "lib/format/coding.h"
#include "lib/store/rocksdb_status.h"
#include "lib/util/checksum.h"
#include "lib/util/status_macros.h"
#include "lib/util/str_cat.h"
#include "rocksdb/db.h"

namespace kpidb::store {
namespace {

constexpr std::string_view kMagic = "kpidb";

void PutBigEndian32(std::string* dst, uint32_t v) {
  char buf[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                 static_cast<char>(v >> 8), static_cast<char>(v)};
  dst->append(buf, 4);
}

uint32_t GetBigEndian32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return (static_cast<uint32_t>(u[0]) << 24) |
         (static_cast<uint32_t>(u[1]) << 16) |
         (static_cast<uint32_t>(u[2]) << 8) | static_cast<uint32_t>(u[3]);
}

}  // namespace

std::string DictKey(DictKind kind, uint32_t id) {
  std::string key(1, kDictPrefix);
  key.push_back(static_cast<char>(kind));
  PutBigEndian32(&key, id);
  return key;
}

std::string CompanyKey(uint32_t company_id) {
  std::string key(1, kCompanyPrefix);
  PutBigEndian32(&key, company_id);
  return key;
}

std::string SeriesKey(uint32_t metric, uint32_t scenario, uint32_t company) {
  std::string key;
  key.reserve(13);
  key.push_back(kSeriesPrefix);
  PutBigEndian32(&key, metric);
  PutBigEndian32(&key, scenario);
  PutBigEndian32(&key, company);
  return key;
}

bool ParseSeriesKey(std::string_view key, uint32_t* metric, uint32_t* scenario,
                    uint32_t* company) {
  if (key.size() != 13 || key[0] != kSeriesPrefix) return false;
  *metric = GetBigEndian32(key.data() + 1);
  *scenario = GetBigEndian32(key.data() + 5);
  *company = GetBigEndian32(key.data() + 9);
  return true;
}

bool ParseDictKey(std::string_view key, DictKind* kind, uint32_t* id) {
  if (key.size() != 6 || key[0] != kDictPrefix) return false;
  const uint8_t k = static_cast<uint8_t>(key[1]);
  if (k < 1 || k >= kNumDictKinds) return false;
  *kind = static_cast<DictKind>(k);
  *id = GetBigEndian32(key.data() + 2);
  return true;
}

bool ParseCompanyKey(std::string_view key, uint32_t* company_id) {
  if (key.size() != 5 || key[0] != kCompanyPrefix) return false;
  *company_id = GetBigEndian32(key.data() + 1);
  return true;
}

std::string EncodeMetaValue() {
  std::string v(kMagic);
  v.push_back(static_cast<char>(kFormatVersion));
  AppendChecksum(&v);
  return v;
}

absl::Status CheckMetaValue(std::string_view value) {
  std::string_view payload;
  if (!VerifyChecksum(value, &payload) || payload.size() != kMagic.size() + 1 ||
      payload.substr(0, kMagic.size()) != kMagic) {
    return absl::DataLossError("damaged database header (key 'm')");
  }
  const uint8_t version = static_cast<uint8_t>(payload.back());
  if (version != kFormatVersion) {
    return absl::FailedPreconditionError(kpidb::StrCat(
        "database format version ", version, " is not supported (this build reads ",
        kFormatVersion, ")"));
  }
  return absl::OkStatus();
}

std::string EncodeDictValue(std::string_view text) {
  std::string v(text);
  AppendChecksum(&v);
  return v;
}

absl::StatusOr<std::string_view> DecodeDictValue(std::string_view value) {
  std::string_view payload;
  if (!VerifyChecksum(value, &payload)) {
    return absl::DataLossError("damaged catalog entry: checksum mismatch");
  }
  return payload;
}

std::string EncodeCompanyValue(const Company& company) {
  std::string v;
  v.push_back(1);
  v.push_back(static_cast<char>(company.calendar.fiscal_year_end_month));
  v.push_back(static_cast<char>(company.calendar.naming));
  format::PutVarint64(&v, company.name.size());
  v.append(company.name);
  format::PutVarint64(&v, company.currency.size());
  v.append(company.currency);
  AppendChecksum(&v);
  return v;
}

absl::StatusOr<Company> DecodeCompanyValue(std::string_view value) {
  std::string_view payload;
  auto damaged = [](std::string_view what) {
    return absl::DataLossError(kpidb::StrCat("damaged company record: ", what));
  };
  if (!VerifyChecksum(value, &payload)) return damaged("checksum mismatch");
  format::ByteReader in(payload);
  uint8_t version, month, naming;
  uint64_t len;
  std::string_view name, currency;
  if (!in.ReadByte(&version) || !in.ReadByte(&month) || !in.ReadByte(&naming) ||
      !in.ReadVarint64(&len) || !in.ReadBytes(len, &name) ||
      !in.ReadVarint64(&len) || !in.ReadBytes(len, &currency) || !in.empty()) {
    return damaged("truncated");
  }
  if (version != 1) return damaged("unknown version");
  if (month < 1 || month > 12) return damaged("bad fiscal year end month");
  if (naming > 1) return damaged("bad fiscal year naming");
  Company c;
  c.name = std::string(name);
  c.currency = std::string(currency);
  c.calendar.fiscal_year_end_month = month;
  c.calendar.naming = static_cast<FiscalYearNaming>(naming);
  return c;
}

uint32_t Dictionary::Add(std::string_view s) {
  const uint32_t id = size();
  strings_.emplace_back(s);
  ids_.emplace(strings_.back(), id);
  return id;
}

absl::Status Dictionary::Load(uint32_t id, std::string_view s) {
  if (id != size() || ids_.contains(ToAbsl(s))) {
    return absl::DataLossError(
        kpidb::StrCat("damaged catalog: entry ", id, " out of sequence"));
  }
  Add(s);
  return absl::OkStatus();
}

void Dictionary::Truncate(uint32_t n) {
  while (strings_.size() > n && strings_.size() > 1) {
    ids_.erase(strings_.back());
    strings_.pop_back();
  }
}

Catalog::Catalog() : units_(1, Unit()) {}

absl::Status Catalog::Load(rocksdb::DB* db) {
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
  KPIDB_RETURN_IF_ERROR(LoadDictionaries(it.get()));
  return LoadCompanies(it.get());
}

absl::Status Catalog::LoadDictionaries(rocksdb::Iterator* it) {
  for (it->Seek(std::string(1, kDictPrefix)); it->Valid() && it->key()[0] == kDictPrefix;
       it->Next()) {
    DictKind kind;
    uint32_t id;
    if (!ParseDictKey(SliceView(it->key()), &kind, &id)) {
      return absl::DataLossError("damaged catalog: bad dictionary key");
    }
    KPIDB_ASSIGN_OR_RETURN(std::string_view text, DecodeDictValue(SliceView(it->value())));
    KPIDB_RETURN_IF_ERROR(dicts_[static_cast<int>(kind)].Load(id, text));
  }
  if (!it->status().ok()) return FromRocksDB(it->status(), "catalog");
  const Dictionary& units = dict(DictKind::kUnit);
  units_.assign(1, Unit());
  for (uint32_t id = 1; id < units.size(); ++id) {
    absl::StatusOr<Unit> u = Unit::Parse(units.Get(id));
    if (!u.ok()) return absl::DataLossError("damaged catalog: bad unit");
    units_.push_back(*u);
  }
  return absl::OkStatus();
}

absl::Status Catalog::LoadCompanies(rocksdb::Iterator* it) {
  const Dictionary& company_ids = dict(DictKind::kCompany);
  for (it->Seek(std::string(1, kCompanyPrefix));
       it->Valid() && it->key()[0] == kCompanyPrefix; it->Next()) {
    uint32_t id;
    if (!ParseCompanyKey(SliceView(it->key()), &id)) {
      return absl::DataLossError("damaged catalog: bad company key");
    }
    if (id == 0 || !company_ids.Contains(id)) {
      return absl::DataLossError("damaged catalog: company without id");
    }
    KPIDB_ASSIGN_OR_RETURN(Company c, DecodeCompanyValue(SliceView(it->value())));
    c.id = company_ids.Get(id);
    SetCompany(id, c);
  }
  if (!it->status().ok()) return FromRocksDB(it->status(), "catalog");
  return absl::OkStatus();
}

std::string Catalog::SeriesName(uint32_t metric, uint32_t scenario,
                                uint32_t company) const {
  return kpidb::StrCat(dict(DictKind::kCompany).Get(company), "/",
                       dict(DictKind::kMetric).Get(metric), "/",
                       dict(DictKind::kScenario).Get(scenario));
}

void Catalog::Append(DictKind kind, const std::vector<std::string>& strings) {
  for (const std::string& s : strings) dicts_[static_cast<int>(kind)].Add(s);
}

void Catalog::TruncateTo(DictKind kind, uint32_t size) {
  dicts_[static_cast<int>(kind)].Truncate(size);
}

void Catalog::SetCompany(uint32_t id, const Company& company) {
  if (calendars_.size() <= id) calendars_.resize(id + 1);
  calendars_[id] = company.calendar;
  companies_[id] = company;
}

}  // namespace kpidb::store
