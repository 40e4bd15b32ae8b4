#include "lib/store/db_impl.h"

#include <algorithm>
#include <filesystem>
#include <tuple>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/types/span.h"
#include "lib/util/str_cat.h"
#include "lib/period/bound.h"
#include "lib/store/row_selection.h"
#include "lib/store/rocksdb_status.h"
#include "lib/store/series_chunk.h"
#include "lib/store/write_batch_rep.h"
#include "lib/util/days.h"
#include "lib/util/huge_page_allocator.h"
#include "lib/util/status_macros.h"
#include "rocksdb/cache.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/table.h"
#include "rocksdb/write_batch.h"

namespace kpidb {

absl::StatusOr<std::unique_ptr<DB>> DB::Open(const Options& options,
                                             std::string_view path) {
  return store::DBImpl::Open(options, path);
}

bool DB::Exists(std::string_view path) {
  // RocksDB names its live manifest in CURRENT; a directory without one has
  // no database (an interrupted first open leaves none either).
  std::error_code ec;
  return std::filesystem::exists(std::filesystem::path(path) / "CURRENT", ec);
}

namespace store {
namespace {

Dictionary& Dict(Dictionary* dicts, DictKind k) {
  return dicts[static_cast<int>(k)];
}
const Dictionary& Dict(const Dictionary* dicts, DictKind k) {
  return dicts[static_cast<int>(k)];
}

rocksdb::Options RocksOptions(const Options& options) {
  rocksdb::Options ro;
  ro.create_if_missing = options.create_if_missing && !options.read_only;
  ro.error_if_exists = options.error_if_exists;
  ro.max_background_jobs = 2;
  ro.keep_log_file_num = 2;
  ro.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  // Chunks are already compact integer encodings; LZ4 squeezes what is left
  // cheaply, ZSTD does better where data settles.
  ro.compression = rocksdb::kLZ4Compression;
  ro.bottommost_compression = rocksdb::kZSTD;
  if (options.row_cache_bytes > 0) {
    ro.row_cache = rocksdb::NewLRUCache(options.row_cache_bytes);
  }
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.format_version = 5;
  ro.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return ro;
}

// A series inside one write.
struct GroupKey {
  uint32_t metric, scenario, company;
  bool operator==(const GroupKey&) const = default;
  template <typename H>
  friend H AbslHashValue(H h, const GroupKey& k) {
    return H::combine(std::move(h), k.metric, k.scenario, k.company);
  }
};

bool HasGlob(std::string_view s) {
  return s.find_first_of("*?") != std::string_view::npos;
}

std::string Describe(const ChunkRow& r, const Unit& unit) {
  absl::StatusOr<Decimal> d = Decimal::FromParts(r.mantissa, r.exponent);
  std::string text = d.ok() ? d->ToString() : "?";
  if (!unit.ToString().empty()) kpidb::StrAppend(&text, " ", unit.ToString());
  return text;
}

}  // namespace

DBImpl::DBImpl(const Options& options, std::string path,
               std::unique_ptr<rocksdb::DB> db)
    : options_(options), path_(std::move(path)), db_(std::move(db)) {}

DBImpl::~DBImpl() {
  if (db_ != nullptr) db_->Close().PermitUncheckedError();
}

absl::StatusOr<std::unique_ptr<DB>> DBImpl::Open(const Options& options,
                                                 std::string_view path_view) {
  std::string path(path_view);
  if (!DB::Exists(path) && (options.read_only || !options.create_if_missing)) {
    return absl::NotFoundError(
        kpidb::StrCat("no kpidb database at '", path, "'"));
  }
  rocksdb::Options ro = RocksOptions(options);
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = options.read_only
                          ? rocksdb::DB::OpenForReadOnly(ro, path, &raw)
                          : rocksdb::DB::Open(ro, path, &raw);
  if (!s.ok()) return FromRocksDB(s, path);
  std::unique_ptr<DBImpl> impl(
      new DBImpl(options, path, std::unique_ptr<rocksdb::DB>(raw)));
  KPIDB_RETURN_IF_ERROR(impl->Initialize());
  return std::unique_ptr<DB>(std::move(impl));
}

absl::Status DBImpl::Initialize() {
  std::string meta;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), kMetaKey, &meta);
  if (s.IsNotFound()) {
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions()));
    it->SeekToFirst();
    if (it->Valid() || options_.read_only) {
      return absl::FailedPreconditionError(
          kpidb::StrCat("'", path_, "' is not a kpidb database"));
    }
    rocksdb::WriteOptions wo;
    wo.sync = true;
    s = db_->Put(wo, kMetaKey, EncodeMetaValue());
    if (!s.ok()) return FromRocksDB(s, path_);
  } else if (!s.ok()) {
    return FromRocksDB(s, path_);
  } else {
    absl::Status m = CheckMetaValue(meta);
    if (!m.ok()) return absl::Status(m.code(), kpidb::StrCat(path_, ": ", m.message()));
  }
  absl::MutexLock l(&catalog_mu_);
  absl::Status c = LoadCatalog();
  if (!c.ok()) return absl::Status(c.code(), kpidb::StrCat(path_, ": ", c.message()));
  return absl::OkStatus();
}

absl::Status DBImpl::LoadCatalog() {
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(std::string(1, kDictPrefix));
       it->Valid() && it->key()[0] == kDictPrefix; it->Next()) {
    const rocksdb::Slice k = it->key();
    const int kind = k.size() == 6 ? static_cast<uint8_t>(k[1]) : 0;
    if (kind < 1 || kind >= kNumDictKinds) {
      return absl::DataLossError("damaged catalog: bad dictionary key");
    }
    const uint32_t id = (static_cast<uint32_t>(static_cast<uint8_t>(k[2])) << 24) |
                        (static_cast<uint32_t>(static_cast<uint8_t>(k[3])) << 16) |
                        (static_cast<uint32_t>(static_cast<uint8_t>(k[4])) << 8) |
                        static_cast<uint32_t>(static_cast<uint8_t>(k[5]));
    KPIDB_ASSIGN_OR_RETURN(std::string_view text,
                           DecodeDictValue(std::string_view(it->value().data(),
                                                            it->value().size())));
    KPIDB_RETURN_IF_ERROR(dicts_[kind].Load(id, text));
  }
  if (!it->status().ok()) return FromRocksDB(it->status(), "catalog");
  const Dictionary& units = Dict(dicts_, DictKind::kUnit);
  units_.assign(1, Unit());
  for (uint32_t id = 1; id < units.size(); ++id) {
    absl::StatusOr<Unit> u = Unit::Parse(units.Get(id));
    if (!u.ok()) return absl::DataLossError("damaged catalog: bad unit");
    units_.push_back(*u);
  }
  const Dictionary& company_ids = Dict(dicts_, DictKind::kCompany);
  for (it->Seek(std::string(1, kCompanyPrefix));
       it->Valid() && it->key()[0] == kCompanyPrefix; it->Next()) {
    const rocksdb::Slice k = it->key();
    if (k.size() != 5) return absl::DataLossError("damaged catalog: bad company key");
    const uint32_t id = (static_cast<uint32_t>(static_cast<uint8_t>(k[1])) << 24) |
                        (static_cast<uint32_t>(static_cast<uint8_t>(k[2])) << 16) |
                        (static_cast<uint32_t>(static_cast<uint8_t>(k[3])) << 8) |
                        static_cast<uint32_t>(static_cast<uint8_t>(k[4]));
    if (id == 0 || !company_ids.Contains(id)) {
      return absl::DataLossError("damaged catalog: company without id");
    }
    KPIDB_ASSIGN_OR_RETURN(
        Company c, DecodeCompanyValue(std::string_view(it->value().data(),
                                                       it->value().size())));
    c.id = company_ids.Get(id);
    if (calendars_.size() <= id) calendars_.resize(id + 1);
    calendars_[id] = c.calendar;
    companies_[id] = std::move(c);
  }
  if (!it->status().ok()) return FromRocksDB(it->status(), "catalog");
  return absl::OkStatus();
}

FiscalCalendar DBImpl::CalendarOfId(uint32_t company_id) const {
  return company_id < calendars_.size() ? calendars_[company_id]
                                        : FiscalCalendar::CalendarYear();
}

std::string DBImpl::SeriesName(uint32_t metric, uint32_t scenario,
                               uint32_t company) const {
  return kpidb::StrCat(Dict(dicts_, DictKind::kCompany).Get(company), "/",
                      Dict(dicts_, DictKind::kMetric).Get(metric), "/",
                      Dict(dicts_, DictKind::kScenario).Get(scenario));
}

absl::StatusOr<Company> DBImpl::GetCompany(std::string_view id) const {
  absl::ReaderMutexLock l(&catalog_mu_);
  std::optional<uint32_t> cid = Dict(dicts_, DictKind::kCompany).Find(id);
  if (cid.has_value()) {
    auto it = companies_.find(*cid);
    if (it != companies_.end()) return it->second;
  }
  return absl::NotFoundError(kpidb::StrCat("company '", id, "' is not defined"));
}

std::vector<Company> DBImpl::Companies() const {
  std::vector<Company> out;
  {
    absl::ReaderMutexLock l(&catalog_mu_);
    for (const auto& [id, c] : companies_) out.push_back(c);
  }
  std::sort(out.begin(), out.end(),
            [](const Company& a, const Company& b) { return a.id < b.id; });
  return out;
}

FiscalCalendar DBImpl::CalendarOf(std::string_view company) const {
  absl::ReaderMutexLock l(&catalog_mu_);
  std::optional<uint32_t> cid = Dict(dicts_, DictKind::kCompany).Find(company);
  return cid.has_value() ? CalendarOfId(*cid) : FiscalCalendar::CalendarYear();
}

// ---------------------------------------------------------------------------
// Write: group the batch by series, merge each group into the stored chunk,
// and commit every changed chunk plus new catalog entries in one RocksDB
// write batch, which RocksDB applies atomically (also across a crash: the
// write-ahead log replays it whole or not at all).

absl::StatusOr<WriteSummary> DBImpl::Write(const WriteOptions& options,
                                           const WriteBatch& batch,
                                           std::vector<RecordError>* errors,
                                           size_t max_errors) {
  if (options_.read_only && !options.dry_run) {
    return absl::FailedPreconditionError(
        kpidb::StrCat(path_, ": database is open read-only"));
  }
  absl::MutexLock write_lock(&write_mu_);
  const WriteBatch::Rep& rep = batch.rep();
  WriteSummary summary;
  summary.facts = rep.rows.size();
  std::vector<RecordError> found;
  auto fail = [&](uint64_t tag, absl::Status st,
                  std::optional<uint64_t> other = std::nullopt) {
    if (found.size() < std::max<size_t>(max_errors, 1)) {
      found.push_back(RecordError{tag, std::move(st), other});
    }
  };

  // Snapshot the catalog sizes: ids at or past these are new in this batch.
  uint32_t base_size[kNumDictKinds];
  // New strings of this batch by kind, in id order.
  std::vector<std::string> added[kNumDictKinds];
  absl::flat_hash_map<std::string, uint32_t> added_ids[kNumDictKinds];
  absl::flat_hash_map<uint32_t, Company> company_updates;
  // Batch string id -> catalog id, per kind (UINT32_MAX: not mapped yet).
  std::vector<uint32_t> map_company(rep.strings.size(), UINT32_MAX);
  std::vector<uint32_t> map_metric(rep.strings.size(), UINT32_MAX);
  std::vector<uint32_t> map_scenario(rep.strings.size(), UINT32_MAX);
  std::vector<uint32_t> map_source(rep.strings.size(), UINT32_MAX);
  std::vector<uint32_t> map_unit(rep.units.size(), UINT32_MAX);
  std::vector<Unit> units_by_id;

  {
    absl::ReaderMutexLock l(&catalog_mu_);
    for (int k = 1; k < kNumDictKinds; ++k) base_size[k] = dicts_[k].size();
    units_by_id = units_;
    auto resolve = [&](DictKind kind, std::string_view s) -> uint32_t {
      const int k = static_cast<int>(kind);
      if (std::optional<uint32_t> id = dicts_[k].Find(s)) return *id;
      auto it = added_ids[k].find(ToAbsl(s));
      if (it != added_ids[k].end()) return it->second;
      const uint32_t id = base_size[k] + static_cast<uint32_t>(added[k].size());
      added[k].emplace_back(s);
      added_ids[k].emplace(std::string(s), id);
      return id;
    };
    // Companies first: later definitions in the batch win.
    for (const auto& [company, tag] : rep.companies) {
      (void)tag;
      const uint32_t id = resolve(DictKind::kCompany, company.id);
      company_updates[id] = company;
    }
    for (const auto& [id, company] : company_updates) {
      auto it = companies_.find(id);
      if (it == companies_.end()) {
        ++summary.companies_added;
      } else if (it->second == company) {
        ++summary.companies_unchanged;
      } else {
        ++summary.companies_changed;
      }
    }
    for (size_t u = 0; u < rep.units.size(); ++u) {
      map_unit[u] = resolve(DictKind::kUnit, rep.units[u].ToString());
      if (map_unit[u] >= units_by_id.size()) {
        units_by_id.resize(map_unit[u] + 1);
        units_by_id[map_unit[u]] = rep.units[u];
      }
    }
    for (const WriteBatch::Rep::Row& row : rep.rows) {
      if (map_company[row.company] == UINT32_MAX) {
        map_company[row.company] =
            resolve(DictKind::kCompany, rep.strings[row.company]);
      }
      if (map_metric[row.metric] == UINT32_MAX) {
        map_metric[row.metric] =
            resolve(DictKind::kMetric, rep.strings[row.metric]);
      }
      if (map_scenario[row.scenario] == UINT32_MAX) {
        map_scenario[row.scenario] =
            resolve(DictKind::kScenario, rep.strings[row.scenario]);
      }
      if (map_source[row.source] == UINT32_MAX) {
        map_source[row.source] =
            row.source == 0 ? 0
                            : resolve(DictKind::kSource, rep.strings[row.source]);
      }
    }
  }

  // Group rows by series, keeping batch order inside each group.
  // Bucket the rows by series in two passes (count, then place) rather than
  // growing one vector per series.
  absl::flat_hash_map<GroupKey, uint32_t> group_ids;
  std::vector<GroupKey> group_keys;
  std::vector<uint32_t, HugePageAllocator<uint32_t>> row_group(rep.rows.size());
  std::vector<uint32_t> group_begin;
  {
    GroupKey last{UINT32_MAX, UINT32_MAX, UINT32_MAX};
    uint32_t last_id = 0;
    for (uint32_t i = 0; i < rep.rows.size(); ++i) {
      const WriteBatch::Rep::Row& row = rep.rows[i];
      const GroupKey k{map_metric[row.metric], map_scenario[row.scenario],
                       map_company[row.company]};
      if (!(k == last)) {
        auto [it, inserted] =
            group_ids.try_emplace(k, static_cast<uint32_t>(group_keys.size()));
        if (inserted) group_keys.push_back(k);
        last = k;
        last_id = it->second;
      }
      row_group[i] = last_id;
    }
    group_begin.assign(group_keys.size() + 1, 0);
    for (uint32_t g : row_group) ++group_begin[g + 1];
    for (size_t g = 0; g < group_keys.size(); ++g) {
      group_begin[g + 1] += group_begin[g];
    }
  }
  std::vector<uint32_t, HugePageAllocator<uint32_t>> grouped_rows(rep.rows.size());
  {
    std::vector<uint32_t> fill(group_begin.begin(), group_begin.end() - 1);
    for (uint32_t i = 0; i < rep.rows.size(); ++i) {
      grouped_rows[fill[row_group[i]]++] = i;
    }
  }

  rocksdb::WriteBatch wb(rep.rows.size() * 4 + group_keys.size() * 48);
  std::vector<ChunkRow> rows;
  std::string existing;
  std::vector<uint32_t> origin, order;
  std::vector<uint8_t> keep;
  const rocksdb::ReadOptions read_options;

  for (size_t g = 0; g < group_keys.size(); ++g) {
    const GroupKey& gk = group_keys[g];
    const absl::Span<const uint32_t> members(grouped_rows.data() + group_begin[g],
                                             group_begin[g + 1] - group_begin[g]);
    rows.clear();
    const std::string key = SeriesKey(gk.metric, gk.scenario, gk.company);
    auto series_name = [&]() {
      auto name = [&](DictKind kind, uint32_t id) -> std::string {
        const int k = static_cast<int>(kind);
        absl::ReaderMutexLock l(&catalog_mu_);
        return id < base_size[k] ? dicts_[k].Get(id)
                                 : added[k][id - base_size[k]];
      };
      return kpidb::StrCat(name(DictKind::kCompany, gk.company), "/",
                          name(DictKind::kMetric, gk.metric), "/",
                          name(DictKind::kScenario, gk.scenario));
    };
    bool stored = false;
    if (gk.metric < base_size[static_cast<int>(DictKind::kMetric)] &&
        gk.scenario < base_size[static_cast<int>(DictKind::kScenario)] &&
        gk.company < base_size[static_cast<int>(DictKind::kCompany)]) {
      rocksdb::Status s = db_->Get(read_options, key, &existing);
      if (s.ok()) {
        stored = true;
      } else if (!s.IsNotFound()) {
        return FromRocksDB(s, path_);
      }
    }
    if (stored) {
      absl::Status d = DecodeChunk(existing, kNeedAll, &rows);
      if (!d.ok()) {
        return absl::DataLossError(
            kpidb::StrCat("series ", series_name(), ": ", d.message()));
      }
      for (const ChunkRow& r : rows) {
        if (r.unit_id >= units_by_id.size()) {
          return absl::DataLossError(kpidb::StrCat(
              "series ", series_name(), ": chunk names an unknown unit"));
        }
      }
    }
    const size_t stored_count = rows.size();
    // origin[i]: the batch row that rows[i] came from, kStored for stored.
    constexpr uint32_t kStored = UINT32_MAX;
    origin.assign(stored_count, kStored);

    // The series' dimension: from the stored rows, else its first batch row.
    const Unit* dimension = nullptr;
    uint64_t dimension_tag = 0;
    bool dimension_from_batch = false;
    if (!rows.empty()) dimension = &units_by_id[rows[0].unit_id];
    for (uint32_t bi : members) {
      const WriteBatch::Rep::Row& b = rep.rows[bi];
      const Unit& unit = rep.units[b.unit];
      if (dimension == nullptr) {
        dimension = &unit;
        dimension_tag = b.tag;
        dimension_from_batch = true;
      } else if (!dimension->SameDimension(unit)) {
        auto dim = [](const Unit& u) {
          return u.dimension().empty() ? std::string("a pure number")
                                       : kpidb::StrCat("'", u.dimension(), "'");
        };
        fail(b.tag,
             absl::InvalidArgumentError(kpidb::StrCat(
                 "unit '", unit.ToString(), "' conflicts with series ",
                 series_name(), ", whose values are in ", dim(*dimension),
                 dimension_from_batch ? "" : " (stored)")),
             dimension_from_batch ? std::optional<uint64_t>(dimension_tag)
                                  : std::nullopt);
        continue;
      }
      ChunkRow r;
      r.start = b.start;
      r.end = b.end;
      r.instant = b.instant;
      r.mantissa = b.mantissa;
      r.exponent = b.exponent;
      r.unit_id = map_unit[b.unit];
      r.as_of = b.as_of == WriteBatch::Rep::kNoAsOf ? kNoAsOf : b.as_of;
      r.source_id = map_source[b.source];
      rows.push_back(r);
      origin.push_back(bi);
    }

    // Merge by sorting: rows with the same key become neighbours, stored
    // first and then in batch order. (Cheaper than hashing every row.)
    order.resize(rows.size());
    for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](uint32_t x, uint32_t y) {
      const ChunkRow& a = rows[x];
      const ChunkRow& b = rows[y];
      return std::tie(a.start, a.end, a.instant, a.as_of, x) <
             std::tie(b.start, b.end, b.instant, b.as_of, y);
    });
    keep.assign(rows.size(), 1);
    auto identical = [](const ChunkRow& a, const ChunkRow& b) {
      return a.mantissa == b.mantissa && a.exponent == b.exponent &&
             a.unit_id == b.unit_id && a.source_id == b.source_id;
    };
    auto tag_of = [&](uint32_t i) { return rep.rows[origin[i]].tag; };
    bool changed = false;
    for (size_t i = 0; i < order.size();) {
      // [i, j): one period; its versions are [k, l) runs of one as_of.
      size_t j = i;
      bool period_known = false;
      while (j < order.size() && rows[order[j]].SamePeriod(rows[order[i]])) {
        period_known = period_known || origin[order[j]] == kStored;
        ++j;
      }
      for (size_t k = i; k < j;) {
        size_t l = k + 1;
        while (l < j && rows[order[l]].as_of == rows[order[k]].as_of) ++l;
        const uint32_t anchor = order[k];
        uint32_t first_batch = kStored;
        if (origin[anchor] != kStored) {
          first_batch = anchor;
          changed = true;
          if (period_known) {
            ++summary.versions_added;
          } else {
            ++summary.new_facts;
          }
          period_known = true;
        }
        for (size_t m = k + 1; m < l; ++m) {
          const uint32_t idx = order[m];
          keep[idx] = 0;
          const ChunkRow& r = rows[idx];
          const Unit& unit = units_by_id[r.unit_id];
          if (first_batch == kStored) {
            // The first batch row for a stored key.
            first_batch = idx;
            ChunkRow& old = rows[anchor];
            if (identical(old, r)) {
              ++summary.unchanged;
            } else if (options.replace) {
              old = r;
              changed = true;
              ++summary.replaced;
            } else {
              fail(tag_of(idx),
                   absl::AlreadyExistsError(kpidb::StrCat(
                       "conflicts with stored fact: ", series_name(), " is ",
                       Describe(old, units_by_id[old.unit_id]),
                       " for this period and as_of, not ", Describe(r, unit),
                       " (use --replace to change it)")));
            }
          } else if (identical(rows[first_batch], r)) {
            ++summary.unchanged;
          } else {
            // Two inputs disagree: even --replace cannot choose.
            const ChunkRow& other = rows[first_batch];
            fail(tag_of(idx),
                 absl::AlreadyExistsError(kpidb::StrCat(
                     "conflicting duplicate: ", series_name(), " ",
                     Describe(r, unit), " differs from ",
                     Describe(other, units_by_id[other.unit_id]),
                     " given for the same period and as_of")),
                 tag_of(first_batch));
          }
        }
        k = l;
      }
      i = j;
    }
    if (changed && found.empty() && !options.dry_run) {
      size_t w = 0;
      for (size_t i = 0; i < rows.size(); ++i) {
        if (keep[i]) rows[w++] = rows[i];
      }
      rows.resize(w);
    }
    if (changed && found.empty() && !options.dry_run) {
      wb.Put(key, EncodeChunk(&rows));
    }
  }

  if (!found.empty()) {
    // Errors in batch order, so messages follow the input.
    std::stable_sort(found.begin(), found.end(),
                     [](const RecordError& a, const RecordError& b) {
                       return a.tag < b.tag;
                     });
    absl::Status first = found.front().status;
    if (errors != nullptr) {
      if (found.size() > max_errors) found.resize(max_errors);
      *errors = std::move(found);
    }
    return first;
  }
  if (options.dry_run) return summary;

  for (const auto& [id, company] : company_updates) {
    wb.Put(CompanyKey(id), EncodeCompanyValue(company));
  }
  for (int k = 1; k < kNumDictKinds; ++k) {
    for (size_t i = 0; i < added[k].size(); ++i) {
      wb.Put(DictKey(static_cast<DictKind>(k),
                     base_size[k] + static_cast<uint32_t>(i)),
             EncodeDictValue(added[k][i]));
    }
  }
  if (wb.Count() == 0) return summary;

  absl::MutexLock catalog_lock(&catalog_mu_);
  for (int k = 1; k < kNumDictKinds; ++k) {
    for (const std::string& s : added[k]) dicts_[k].Add(s);
  }
  rocksdb::WriteOptions wo;
  wo.sync = options.sync;
  rocksdb::Status s = db_->Write(wo, &wb);
  if (!s.ok()) {
    for (int k = 1; k < kNumDictKinds; ++k) dicts_[k].Truncate(base_size[k]);
    return FromRocksDB(s, path_);
  }
  units_ = std::move(units_by_id);
  for (auto& [id, company] : company_updates) {
    if (calendars_.size() <= id) calendars_.resize(id + 1);
    calendars_[id] = company.calendar;
    companies_[id] = company;
  }
  return summary;
}

// ---------------------------------------------------------------------------
// Execute

absl::StatusOr<QueryResult> DBImpl::Execute(const Query& query) const {
  absl::ReaderMutexLock l(&catalog_mu_);
  const Dictionary& metrics = Dict(dicts_, DictKind::kMetric);
  const Dictionary& scenarios = Dict(dicts_, DictKind::kScenario);
  const Dictionary& company_dict = Dict(dicts_, DictKind::kCompany);

  std::vector<uint32_t> metric_ids;
  if (query.metric.empty() || HasGlob(query.metric)) {
    for (uint32_t id = 1; id < metrics.size(); ++id) {
      if (query.metric.empty() || MetricMatches(query.metric, metrics.Get(id))) {
        metric_ids.push_back(id);
      }
    }
  } else {
    KPIDB_RETURN_IF_ERROR(ValidateMetric(query.metric));
    if (std::optional<uint32_t> id = metrics.Find(query.metric)) {
      metric_ids.push_back(*id);
    }
  }
  std::vector<uint32_t> scenario_ids;
  for (const std::string& s : query.scenarios) {
    KPIDB_RETURN_IF_ERROR(ValidateScenario(s));
    if (std::optional<uint32_t> id = scenarios.Find(s)) scenario_ids.push_back(*id);
  }
  std::vector<uint32_t> company_ids;
  for (const std::string& c : query.companies) {
    KPIDB_RETURN_IF_ERROR(ValidateCompanyId(c));
    if (std::optional<uint32_t> id = company_dict.Find(c)) company_ids.push_back(*id);
  }
  const bool by_scenario = !query.scenarios.empty();
  const bool by_company = !query.companies.empty();
  // Bounds resolve through each company's calendar. There are few distinct
  // calendars, so each is resolved once; the first resolution also checks
  // the bounds' syntax.
  RowFilter base_filter;
  base_filter.all_versions = query.all_versions;
  if (query.as_of.has_value()) base_filter.as_of = ToDays(*query.as_of);
  std::vector<std::pair<FiscalCalendar, RowFilter>> filters;
  auto resolve_bounds =
      [&](const FiscalCalendar& cal) -> absl::StatusOr<RowFilter> {
    RowFilter f = base_filter;
    if (!query.period.empty()) {
      KPIDB_RETURN_IF_ERROR(CheckPeriodOrRange(query.period, query.from, query.to));
      KPIDB_ASSIGN_OR_RETURN(Period p, ParseBound(query.period, cal));
      f.from = p.start_day_number();
      f.to = p.end_day_number();
      f.exact = true;
      f.instant = p.is_instant();
      return f;
    }
    if (!query.from.empty()) {
      KPIDB_ASSIGN_OR_RETURN(Period p, ParseBound(query.from, cal));
      f.from = p.start_day_number();
    }
    if (!query.to.empty()) {
      KPIDB_ASSIGN_OR_RETURN(Period p, ParseBound(query.to, cal));
      f.to = p.end_day_number();
    }
    return f;
  };
  {
    const FiscalCalendar cal = FiscalCalendar::CalendarYear();
    KPIDB_ASSIGN_OR_RETURN(RowFilter f, resolve_bounds(cal));
    filters.emplace_back(cal, f);
  }
  auto filter_for = [&](uint32_t company) -> const RowFilter& {
    const FiscalCalendar cal = CalendarOfId(company);
    for (const auto& [c, f] : filters) {
      if (c == cal) return f;
    }
    // Valid syntax was checked above; a fiscal label resolves under any
    // valid calendar.
    filters.emplace_back(cal, *resolve_bounds(cal));
    return filters.back().second;
  };

  uint32_t needed = kNeedAsOf;  // version selection reads as_of
  if (query.with_units) needed |= kNeedUnits;
  if (query.with_sources) needed |= kNeedSources;

  // A series with selected rows: rows[begin, end) of `selected_rows`.
  struct Hit {
    uint32_t metric, scenario, company;
    size_t begin, end;
  };
  std::vector<Hit> hits;
  // Scratch kept per thread across queries: fresh multi-megabyte buffers
  // cost a page fault per 4 KiB, which dominated large queries.
  thread_local std::vector<ChunkRow> selected_rows;
  thread_local std::vector<ChunkRow> decoded;
  thread_local std::vector<uint32_t> selected;
  selected_rows.clear();
  struct ScratchTrim {
    ~ScratchTrim() {
      // Do not pin the memory of one huge query forever.
      if (selected_rows.capacity() > (size_t{1} << 20)) {
        std::vector<ChunkRow>().swap(selected_rows);
      }
    }
  } trim;

  // No explicit snapshot: one MultiGet reads all its keys at one sequence
  // number, and one iterator (used for every range scan below) reads an
  // implicit snapshot taken when it is created.
  rocksdb::ReadOptions ro;

  auto consume = [&](uint32_t m, uint32_t sc, uint32_t c,
                     std::string_view value) -> absl::Status {
    absl::Status d = DecodeChunk(value, needed, &decoded);
    if (!d.ok()) {
      return absl::DataLossError(
          kpidb::StrCat("series ", SeriesName(m, sc, c), ": ", d.message()));
    }
    selected.clear();
    SelectRows(decoded, filter_for(c), &selected);
    if (selected.empty()) return absl::OkStatus();
    const size_t begin = selected_rows.size();
    for (uint32_t i : selected) selected_rows.push_back(decoded[i]);
    hits.push_back(Hit{m, sc, c, begin, selected_rows.size()});
    return absl::OkStatus();
  };

  if (by_company) {
    // Few companies: point lookups. Without a scenario filter, every
    // scenario (there are few) is looked up.
    if (!by_scenario) {
      for (uint32_t id = 1; id < scenarios.size(); ++id) scenario_ids.push_back(id);
    }
    std::vector<std::string> keys;
    std::vector<std::tuple<uint32_t, uint32_t, uint32_t>> ids;
    for (uint32_t m : metric_ids) {
      for (uint32_t sc : scenario_ids) {
        for (uint32_t c : company_ids) {
          keys.push_back(SeriesKey(m, sc, c));
          ids.emplace_back(m, sc, c);
        }
      }
    }
    if (keys.size() == 1) {
      // One series: a plain Get (through RocksDB's row cache) is cheaper
      // than a MultiGet batch.
      rocksdb::PinnableSlice value;
      rocksdb::Status st = db_->Get(ro, db_->DefaultColumnFamily(), keys[0], &value);
      if (!st.ok() && !st.IsNotFound()) return FromRocksDB(st, path_);
      if (st.ok()) {
        auto [m, sc, c] = ids[0];
        KPIDB_RETURN_IF_ERROR(
            consume(m, sc, c, std::string_view(value.data(), value.size())));
      }
      keys.clear();
    }
    std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
    std::vector<rocksdb::PinnableSlice> values(keys.size());
    std::vector<rocksdb::Status> statuses(keys.size());
    if (!keys.empty()) {
      db_->MultiGet(ro, db_->DefaultColumnFamily(), keys.size(), slices.data(),
                    values.data(), statuses.data());
    }
    for (size_t i = 0; i < keys.size(); ++i) {
      if (statuses[i].IsNotFound()) continue;
      if (!statuses[i].ok()) return FromRocksDB(statuses[i], path_);
      auto [m, sc, c] = ids[i];
      KPIDB_RETURN_IF_ERROR(consume(
          m, sc, c, std::string_view(values[i].data(), values[i].size())));
    }
  } else {
    absl::flat_hash_set<uint32_t> scenario_set(scenario_ids.begin(),
                                               scenario_ids.end());
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
    for (uint32_t m : metric_ids) {
      std::string prefix = SeriesKey(m, 0, 0).substr(0, 5);
      if (scenario_ids.size() == 1) {
        prefix = SeriesKey(m, scenario_ids[0], 0).substr(0, 9);
      } else if (by_scenario && scenario_ids.empty()) {
        continue;
      }
      for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
           it->Next()) {
        uint32_t km, ks, kc;
        if (!ParseSeriesKey(std::string_view(it->key().data(), it->key().size()),
                            &km, &ks, &kc)) {
          return absl::DataLossError("damaged series key");
        }
        if (by_scenario && !scenario_set.contains(ks)) continue;
        KPIDB_RETURN_IF_ERROR(consume(
            km, ks, kc,
            std::string_view(it->value().data(), it->value().size())));
      }
      if (!it->status().ok()) return FromRocksDB(it->status(), path_);
    }
  }

  auto series_less = [&](const Hit& a, const Hit& b) {
    const std::string& ac = company_dict.Get(a.company);
    const std::string& bc = company_dict.Get(b.company);
    if (ac != bc) return ac < bc;
    const std::string& am = metrics.Get(a.metric);
    const std::string& bm = metrics.Get(b.metric);
    if (am != bm) return am < bm;
    return scenarios.Get(a.scenario) < scenarios.Get(b.scenario);
  };
  // Ids are often given in name order (a bulk load sorted by company), so
  // a scan usually yields sorted series already.
  if (!std::is_sorted(hits.begin(), hits.end(), series_less)) {
    std::sort(hits.begin(), hits.end(), series_less);
  }

  QueryResult result;
  const size_t total = selected_rows.size();
  result.series.reserve(hits.size());
  result.series_offsets.reserve(hits.size() + 1);
  result.periods.reserve(total);
  result.values.reserve(total);
  std::vector<uint32_t> unit_slot(needed & kNeedUnits ? units_.size() : 0,
                                  UINT32_MAX);
  // Source id -> index in result.source_table, in a per-thread vector
  // indexed by id (reset after use) rather than a hash map per query.
  const Dictionary& sources = Dict(dicts_, DictKind::kSource);
  thread_local std::vector<uint32_t> source_slot;
  thread_local std::vector<uint32_t> touched_sources;
  if (query.with_sources && source_slot.size() < sources.size()) {
    source_slot.resize(sources.size(), UINT32_MAX);
  }
  struct SlotReset {
    ~SlotReset() {
      for (uint32_t id : touched_sources) source_slot[id] = UINT32_MAX;
      touched_sources.clear();
    }
  } slot_reset;
  for (const Hit& h : hits) {
    result.series.push_back(SeriesInfo{company_dict.Get(h.company),
                                       metrics.Get(h.metric),
                                       scenarios.Get(h.scenario),
                                       CalendarOfId(h.company)});
    for (size_t ri = h.begin; ri < h.end; ++ri) {
      const ChunkRow& r = selected_rows[ri];
      // DecodeChunk checked the ranges these rely on.
      result.periods.push_back(Period::FromDayNumbers(r.start, r.end, r.instant));
      result.values.push_back(Decimal::FromValidParts(r.mantissa, r.exponent));
      if (query.with_units) {
        if (r.unit_id >= units_.size()) {
          return absl::DataLossError("damaged chunk: unknown unit id");
        }
        uint32_t& slot = unit_slot[r.unit_id];
        if (slot == UINT32_MAX) {
          slot = static_cast<uint32_t>(result.unit_table.size());
          result.unit_table.push_back(units_[r.unit_id]);
        }
        result.unit_ids.push_back(slot);
      }
      if (query.with_as_of) {
        result.as_of.push_back(r.as_of == kNoAsOf
                                   ? std::nullopt
                                   : std::optional<absl::CivilDay>(
                                         FromDays(r.as_of)));
      }
      if (query.with_sources) {
        if (!sources.Contains(r.source_id)) {
          return absl::DataLossError("damaged chunk: unknown source id");
        }
        uint32_t& slot = source_slot[r.source_id];
        if (slot == UINT32_MAX) {
          slot = static_cast<uint32_t>(result.source_table.size());
          touched_sources.push_back(r.source_id);
          result.source_table.push_back(sources.Get(r.source_id));
        }
        result.source_ids.push_back(slot);
      }
    }
    result.series_offsets.push_back(result.periods.size());
  }
  return result;
}

}  // namespace store
}  // namespace kpidb
