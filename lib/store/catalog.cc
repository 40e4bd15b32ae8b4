// Catalog value layouts (doc/format.md, "Catalog"):
//
//   meta     := "kpidb" version:u8 checksum:fixed32
//   dict     := text:bytes checksum:fixed32
//   company  := version:u8 (=1) fiscal_year_end_month:u8 naming:u8
//               name_len:varint64 name currency_len:varint64 currency
//               checksum:fixed32
//   snapshot := version:u8 (=1) (count:varint64 (len:varint64 text){count}){5}
//               count:varint64 (id:varint64 fiscal_year_end_month:u8
//               naming:u8 name_len:varint64 name currency_len:varint64
//               currency){count} checksum:fixed32
#include "lib/store/catalog.h"

#include <algorithm>
#include <memory>

#include "lib/format/coding.h"
#include "lib/store/rocksdb_status.h"
#include "lib/util/checksum.h"
#include "lib/util/quote.h"
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

std::string_view DictKindName(DictKind kind) {
  static constexpr std::string_view kNames[kNumDictKinds] = {"", "company", "metric",
                                                             "scenario", "unit", "source"};
  const int k = static_cast<int>(kind);
  return k > 0 && k < kNumDictKinds ? kNames[k] : "unknown";
}

std::string EncodeMetaValue(uint8_t version) {
  std::string v(kMagic);
  v.push_back(static_cast<char>(version));
  AppendChecksum(&v);
  return v;
}

absl::StatusOr<uint8_t> DecodeMetaValue(std::string_view value) {
  std::string_view payload;
  if (!VerifyChecksum(value, &payload) || payload.size() != kMagic.size() + 1 ||
      payload.substr(0, kMagic.size()) != kMagic) {
    return absl::DataLossError("damaged database header (key 'm')");
  }
  const uint8_t version = static_cast<uint8_t>(payload.back());
  if (version < 1 || version > kFormatVersion) {
    return absl::FailedPreconditionError(kpidb::StrCat(
        "database format version ", version, " is not supported (this build reads 1 to ",
        kFormatVersion, ")"));
  }
  return version;
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
  const std::string_view copy = arena_.Copy(s);
  strings_.push_back(copy);
  ids_.emplace(ToAbsl(copy), id);
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

absl::Status Dictionary::LoadSection(format::ByteReader* in, uint64_t count) {
  auto damaged = [](std::string_view what) {
    return absl::DataLossError(kpidb::StrCat("damaged catalog snapshot (key 'S'): ", what));
  };
  // Every string takes at least its length byte: a count past the bytes
  // left is damage, found before anything is reserved for it.
  if (size() != 1 || count > in->remaining()) return damaged("dictionary count out of range");
  // The strings first as views of the snapshot, then the whole section
  // copied into the arena at once and the views moved onto the copy.
  const std::string_view section_start = in->rest();
  strings_.reserve(static_cast<size_t>(count) + 1);
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t length;
    std::string_view text;
    if (!in->ReadVarint64(&length) || !in->ReadBytes(length, &text)) {
      return damaged("truncated dictionary");
    }
    strings_.push_back(text);
  }
  const std::string_view section =
      section_start.substr(0, section_start.size() - in->remaining());
  const char* copy = arena_.Copy(section).data();
  ids_.reserve(strings_.size());
  for (uint32_t id = 1; id < strings_.size(); ++id) {
    std::string_view& s = strings_[id];
    s = std::string_view(copy + (s.data() - section.data()), s.size());
    if (!ids_.emplace(ToAbsl(s), id).second) {
      return damaged(kpidb::StrCat("string ", QuoteForMessage(s), " repeated at id ", id));
    }
  }
  return absl::OkStatus();
}

void Dictionary::Truncate(uint32_t n) {
  while (strings_.size() > n && strings_.size() > 1) {
    const std::string_view s = strings_.back();
    ids_.erase(ToAbsl(s));
    arena_.Release(s);
    strings_.pop_back();
  }
}

namespace {

// Builds a snapshot value: see the layout at the top of this file.
class SnapshotEncoder {
 public:
  explicit SnapshotEncoder(size_t size_hint) {
    out_.reserve(size_hint);
    out_.push_back(1);  // version
  }
  void StartDictionary(uint64_t count) { format::PutVarint64(&out_, count); }
  void AddString(std::string_view s) {
    format::PutVarint64(&out_, s.size());
    out_.append(s);
  }
  void StartCompanies(uint64_t count) { format::PutVarint64(&out_, count); }
  void AddCompany(uint32_t id, const FiscalCalendar& calendar, std::string_view name,
                  std::string_view currency) {
    format::PutVarint64(&out_, id);
    out_.push_back(static_cast<char>(calendar.fiscal_year_end_month));
    out_.push_back(static_cast<char>(calendar.naming));
    AddString(name);
    AddString(currency);
  }
  std::string Finish() {
    AppendChecksum(&out_);
    return std::move(out_);
  }

 private:
  std::string out_;
};

absl::Status SnapshotDamaged(std::string_view what) {
  return absl::DataLossError(kpidb::StrCat("damaged catalog snapshot (key 'S'): ", what));
}

absl::Status Disagrees(std::string_view what) {
  return absl::DataLossError(kpidb::StrCat(
      "the catalog snapshot (key 'S') disagrees with the catalog entries: ", what,
      " (kpidb-check names every difference; --repair rewrites the snapshot from the "
      "entries)"));
}

}  // namespace

Catalog::Catalog() : units_(1, Unit()) {}

absl::StatusOr<Catalog::Source> Catalog::Load(rocksdb::DB* db) {
  rocksdb::PinnableSlice value;
  rocksdb::Status s =
      db->Get(rocksdb::ReadOptions(), db->DefaultColumnFamily(), kSnapshotKey, &value);
  if (s.IsNotFound()) {
    KPIDB_RETURN_IF_ERROR(LoadEntries(db));
    return Source::kEntries;
  }
  if (!s.ok()) return FromRocksDB(s, "catalog snapshot");
  KPIDB_RETURN_IF_ERROR(LoadSnapshot(SliceView(value)));
  KPIDB_RETURN_IF_ERROR(VerifySnapshot(db));
  return Source::kSnapshot;
}

absl::Status Catalog::LoadEntries(rocksdb::DB* db) {
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
  KPIDB_RETURN_IF_ERROR(LoadDictionaries(it.get()));
  return LoadCompanies(it.get());
}

absl::Status Catalog::LoadDictionaries(rocksdb::Iterator* it) {
  for (it->Seek(std::string(1, kDictPrefix)); it->Valid() && it->key()[0] == kDictPrefix;
       it->Next()) {
    ++entries_read_;
    DictKind kind;
    uint32_t id;
    if (!ParseDictKey(SliceView(it->key()), &kind, &id)) {
      return absl::DataLossError("damaged catalog: bad dictionary key");
    }
    KPIDB_ASSIGN_OR_RETURN(std::string_view text, DecodeDictValue(SliceView(it->value())));
    KPIDB_RETURN_IF_ERROR(dicts_[static_cast<int>(kind)].Load(id, text));
  }
  if (!it->status().ok()) return FromRocksDB(it->status(), "catalog");
  return ParseUnits();
}

absl::Status Catalog::ParseUnits() {
  const Dictionary& units = dict(DictKind::kUnit);
  units_.assign(1, Unit());
  units_.reserve(units.size());
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
    ++entries_read_;
    uint32_t id;
    if (!ParseCompanyKey(SliceView(it->key()), &id)) {
      return absl::DataLossError("damaged catalog: bad company key");
    }
    if (id == 0 || !company_ids.Contains(id)) {
      return absl::DataLossError("damaged catalog: company without id");
    }
    KPIDB_ASSIGN_OR_RETURN(const Company c, DecodeCompanyValue(SliceView(it->value())));
    SetCompany(id, c);
  }
  if (!it->status().ok()) return FromRocksDB(it->status(), "catalog");
  return absl::OkStatus();
}

absl::Status Catalog::LoadSnapshot(std::string_view value) {
  std::string_view payload;
  if (!VerifyChecksum(value, &payload)) return SnapshotDamaged("checksum mismatch");
  format::ByteReader in(payload);
  uint8_t version;
  if (!in.ReadByte(&version)) return SnapshotDamaged("truncated");
  if (version != 1) return SnapshotDamaged(kpidb::StrCat("unknown version ", version));
  for (int k = 1; k < kNumDictKinds; ++k) {
    uint64_t count;
    if (!in.ReadVarint64(&count)) return SnapshotDamaged("truncated");
    KPIDB_RETURN_IF_ERROR(dicts_[k].LoadSection(&in, count));
  }
  KPIDB_RETURN_IF_ERROR(ParseUnits());

  // Company records: the section is copied as it is, ids included, and
  // each record found in it by its offset.
  uint64_t count;
  if (!in.ReadVarint64(&count) || count > in.remaining()) {
    return SnapshotDamaged("company count out of range");
  }
  const uint32_t ids = dict(DictKind::kCompany).size();
  company_records_.assign(in.rest());
  company_record_at_.assign(ids, 0);
  calendars_.assign(ids, FiscalCalendar::CalendarYear());
  format::ByteReader records(company_records_);
  uint64_t previous = 0;
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t id, name_length, currency_length;
    if (!records.ReadVarint64(&id)) return SnapshotDamaged("truncated company record");
    const size_t offset = company_records_.size() - records.remaining();
    uint8_t month, naming;
    std::string_view name, currency;
    if (!records.ReadByte(&month) || !records.ReadByte(&naming) ||
        !records.ReadVarint64(&name_length) || !records.ReadBytes(name_length, &name) ||
        !records.ReadVarint64(&currency_length) ||
        !records.ReadBytes(currency_length, &currency)) {
      return SnapshotDamaged("truncated company record");
    }
    if (id <= previous || id >= ids) {
      return SnapshotDamaged(kpidb::StrCat("company record id ", id, " out of order or unknown"));
    }
    if (month < 1 || month > 12 || naming > 1) {
      return SnapshotDamaged(kpidb::StrCat("company record id ", id, ": bad fiscal calendar"));
    }
    previous = id;
    company_record_at_[id] = static_cast<uint32_t>(offset + 1);
    calendars_[id] = FiscalCalendar{month, static_cast<FiscalYearNaming>(naming)};
  }
  if (!records.empty()) return SnapshotDamaged("trailing bytes");
  return absl::OkStatus();
}

Catalog::RecordView Catalog::Record(uint32_t id) const {
  // Parsed when loaded or encoded by SetCompany: these reads succeed.
  format::ByteReader in(std::string_view(company_records_).substr(company_record_at_[id] - 1));
  uint8_t month = 12, naming = 0;
  uint64_t length = 0;
  RecordView r;
  (void)(in.ReadByte(&month) && in.ReadByte(&naming) && in.ReadVarint64(&length) &&
         in.ReadBytes(length, &r.name) && in.ReadVarint64(&length) &&
         in.ReadBytes(length, &r.currency));
  r.calendar = FiscalCalendar{month, static_cast<FiscalYearNaming>(naming)};
  return r;
}

absl::Status Catalog::VerifySnapshot(rocksdb::DB* db) const {
  const rocksdb::ReadOptions read;
  std::string value;
  for (int k = 1; k < kNumDictKinds; ++k) {
    const DictKind kind = static_cast<DictKind>(k);
    const Dictionary& d = dicts_[k];
    const uint32_t last = d.size() - 1;
    const std::string name = kpidb::StrCat("dictionary ", DictKindName(kind), " id ");
    if (last > 0) {
      rocksdb::Status s = db->Get(read, DictKey(kind, last), &value);
      if (s.IsNotFound()) {
        return Disagrees(kpidb::StrCat(name, last, " is in the snapshot but not stored"));
      }
      if (!s.ok()) return FromRocksDB(s, "catalog");
      absl::StatusOr<std::string_view> text = DecodeDictValue(value);
      if (!text.ok()) {
        return absl::DataLossError(kpidb::StrCat(name, last, ": ", text.status().message()));
      }
      if (*text != d.Get(last)) {
        return Disagrees(kpidb::StrCat(name, last, " is ", QuoteForMessage(d.Get(last)),
                                       " in the snapshot but ", QuoteForMessage(*text),
                                       " stored"));
      }
    }
    if (last == UINT32_MAX) continue;
    rocksdb::Status s = db->Get(read, DictKey(kind, last + 1), &value);
    if (s.ok()) {
      return Disagrees(kpidb::StrCat(name, last + 1, " is stored but not in the snapshot"));
    }
    if (!s.IsNotFound()) return FromRocksDB(s, "catalog");
  }
  // Company records: the last one, and none after it (ids are sparse, so
  // that takes a seek).
  uint32_t last = 0;
  for (uint32_t id = static_cast<uint32_t>(company_record_at_.size()); id-- > 1;) {
    if (HasRecord(id)) {
      last = id;
      break;
    }
  }
  if (last > 0) {
    rocksdb::Status s = db->Get(read, CompanyKey(last), &value);
    if (s.IsNotFound()) {
      return Disagrees(
          kpidb::StrCat("company record id ", last, " is in the snapshot but not stored"));
    }
    if (!s.ok()) return FromRocksDB(s, "catalog");
    absl::StatusOr<Company> stored = DecodeCompanyValue(value);
    if (!stored.ok()) {
      return absl::DataLossError(
          kpidb::StrCat("company record id ", last, ": ", stored.status().message()));
    }
    stored->id = std::string(dict(DictKind::kCompany).Get(last));
    if (*stored != *company(last)) {
      return Disagrees(kpidb::StrCat("company record id ", last, " (",
                                     QuoteForMessage(stored->id),
                                     ") differs from the one stored"));
    }
  }
  if (last != UINT32_MAX) {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(read));
    it->Seek(last == 0 ? std::string(1, kCompanyPrefix) : CompanyKey(last + 1));
    uint32_t id;
    if (it->Valid() && ParseCompanyKey(SliceView(it->key()), &id)) {
      return Disagrees(
          kpidb::StrCat("company record id ", id, " is stored but not in the snapshot"));
    }
    if (!it->status().ok()) return FromRocksDB(it->status(), "catalog");
  }
  return absl::OkStatus();
}

std::string Catalog::EncodeSnapshot() const {
  static const std::vector<std::string> kNone[kNumDictKinds];
  return EncodeSnapshot(kNone, {});
}

std::string Catalog::EncodeSnapshot(
    const std::vector<std::string> (&added)[kNumDictKinds],
    const absl::flat_hash_map<uint32_t, Company>& defined) const {
  // Company ids with a record, old and new, in increasing order.
  std::vector<uint32_t> ids = CompanyIds();
  for (const auto& [id, company] : defined) {
    if (!HasRecord(id)) ids.push_back(id);
  }
  std::sort(ids.begin(), ids.end());
  size_t bytes = 16 + ids.size() * 48;
  for (int k = 1; k < kNumDictKinds; ++k) bytes += dicts_[k].size() * 16 + added[k].size() * 16;
  SnapshotEncoder out(bytes);
  for (int k = 1; k < kNumDictKinds; ++k) {
    const Dictionary& d = dicts_[k];
    out.StartDictionary(d.size() - 1 + added[k].size());
    for (uint32_t id = 1; id < d.size(); ++id) out.AddString(d.Get(id));
    for (const std::string& s : added[k]) out.AddString(s);
  }
  out.StartCompanies(ids.size());
  for (uint32_t id : ids) {
    auto it = defined.find(id);
    if (it != defined.end()) {
      out.AddCompany(id, it->second.calendar, it->second.name, it->second.currency);
    } else {
      const RecordView r = Record(id);
      out.AddCompany(id, r.calendar, r.name, r.currency);
    }
  }
  return out.Finish();
}

std::optional<Company> Catalog::company(uint32_t id) const {
  if (!HasRecord(id)) return std::nullopt;
  const RecordView r = Record(id);
  Company c;
  c.id = std::string(dict(DictKind::kCompany).Get(id));
  c.name = std::string(r.name);
  c.calendar = r.calendar;
  c.currency = std::string(r.currency);
  return c;
}

std::vector<uint32_t> Catalog::CompanyIds() const {
  std::vector<uint32_t> ids;
  for (uint32_t id = 0; id < company_record_at_.size(); ++id) {
    if (company_record_at_[id] != 0) ids.push_back(id);
  }
  return ids;
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
  if (HasRecord(id)) {
    const RecordView r = Record(id);
    // An unchanged record (a companies file loaded again) adds no bytes.
    if (r.calendar == company.calendar && r.name == company.name &&
        r.currency == company.currency) {
      return;
    }
  }
  if (company_record_at_.size() <= id) company_record_at_.resize(id + 1, 0);
  if (calendars_.size() <= id) calendars_.resize(id + 1);
  company_record_at_[id] = static_cast<uint32_t>(company_records_.size() + 1);
  calendars_[id] = company.calendar;
  company_records_.push_back(static_cast<char>(company.calendar.fiscal_year_end_month));
  company_records_.push_back(static_cast<char>(company.calendar.naming));
  format::PutVarint64(&company_records_, company.name.size());
  company_records_.append(company.name);
  format::PutVarint64(&company_records_, company.currency.size());
  company_records_.append(company.currency);
}

std::string CatalogDifference(const Catalog& a, const Catalog& b) {
  for (int k = 1; k < kNumDictKinds; ++k) {
    const DictKind kind = static_cast<DictKind>(k);
    const Dictionary& x = a.dict(kind);
    const Dictionary& y = b.dict(kind);
    const uint32_t n = std::min(x.size(), y.size());
    for (uint32_t id = 1; id < n; ++id) {
      if (x.Get(id) != y.Get(id)) {
        return kpidb::StrCat("dictionary ", DictKindName(kind), " id ", id, ": ",
                             QuoteForMessage(x.Get(id)), " against ", QuoteForMessage(y.Get(id)));
      }
    }
    if (x.size() != y.size()) {
      return kpidb::StrCat("dictionary ", DictKindName(kind), ": ", x.size() - 1,
                           " entries against ", y.size() - 1);
    }
  }
  const std::vector<uint32_t> ids_a = a.CompanyIds(), ids_b = b.CompanyIds();
  for (size_t i = 0; i < std::max(ids_a.size(), ids_b.size()); ++i) {
    if (i >= ids_a.size() || i >= ids_b.size() || ids_a[i] != ids_b[i]) {
      const uint32_t id = i >= ids_a.size()   ? ids_b[i]
                          : i >= ids_b.size() ? ids_a[i]
                                              : std::min(ids_a[i], ids_b[i]);
      return kpidb::StrCat("company record id ", id, ": present in one only");
    }
    if (a.company(ids_a[i]) != b.company(ids_b[i])) {
      return kpidb::StrCat("company record id ", ids_a[i], " (",
                           QuoteForMessage(a.company(ids_a[i])->id), "): records differ");
    }
  }
  return "";
}

}  // namespace kpidb::store
