// DB::Execute: the stages of a query, in order, all under catalog_mu_
// (shared), so every catalog id a chunk refers to is present.
//
//   1. ResolveQuery  the metric pattern, scenarios and companies -> ids
//   2. ReadSeries    the candidate chunks: point lookups when companies are
//                    given, else a range scan of each metric's keys (all
//                    companies of a metric are adjacent); each chunk is
//                    decoded (only the columns asked for) and its rows
//                    selected (row_selection.h) by the range in its
//                    company's calendar (BoundFilters)
//   3. BuildResult   series sorted by company, metric, scenario, into the
//                    columnar QueryResult with small unit and source tables
//
// No explicit snapshot: one MultiGet reads all its keys at one sequence
// number, and one iterator (used for every range scan) reads an implicit
// snapshot taken when it is created.
#include <algorithm>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/container/inlined_vector.h"
#include "lib/period/bound.h"
#include "lib/store/chunk_cache.h"
#include "lib/store/db_impl.h"
#include "lib/store/query_scratch.h"
#include "lib/store/rocksdb_status.h"
#include "lib/store/row_selection.h"
#include "lib/store/series_chunk.h"
#include "lib/util/days.h"
#include "lib/util/resource_errors.h"
#include "lib/util/status_macros.h"
#include "lib/util/str_cat.h"

namespace kpidb::store {

// The catalog ids a query reads.
struct QueryIds {
  // Inline: most queries name one of each, and a heap allocation per list
  // was a tenth of a one-series query.
  using Ids = absl::InlinedVector<uint32_t, 4>;
  Ids metrics;
  Ids scenarios;  // every scenario when !by_scenario and by_company
  Ids companies;
  bool by_scenario = false;
  bool by_company = false;
};

namespace {

bool HasGlob(std::string_view s) { return s.find_first_of("*?") != std::string_view::npos; }

// The row filter of each calendar a query meets. Bounds resolve through
// each company's calendar; there are few distinct calendars, so each is
// resolved once.
class BoundFilters {
 public:
  // Checks the bounds by resolving them in `first`, the calendar of the
  // query's first company (or the calendar year): a bad label is an error
  // even when no series matches.
  [[nodiscard]] static absl::StatusOr<BoundFilters> Make(const Query& query,
                                                         const FiscalCalendar& first) {
    BoundFilters f(query);
    KPIDB_ASSIGN_OR_RETURN(RowFilter filter, f.Resolve(first));
    f.filters_.emplace_back(first, filter);
    return f;
  }

  // A label valid in one calendar can fall outside the years a period may
  // have in another (FY9999 of a March year-end ends in 10000): an error,
  // not a guess. The pointer is valid until the next call.
  [[nodiscard]] absl::StatusOr<const RowFilter*> For(const FiscalCalendar& calendar) {
    for (const auto& [c, f] : filters_) {
      if (c == calendar) return &f;
    }
    KPIDB_ASSIGN_OR_RETURN(RowFilter filter, Resolve(calendar));
    filters_.emplace_back(calendar, filter);
    return &filters_.back().second;
  }

 private:
  explicit BoundFilters(const Query& query) : query_(&query) {
    base_.all_versions = query.all_versions;
    if (query.as_of.has_value()) base_.as_of = ToDays(*query.as_of);
  }

  [[nodiscard]] absl::StatusOr<RowFilter> Resolve(const FiscalCalendar& calendar) const {
    const Query& q = *query_;
    KPIDB_ASSIGN_OR_RETURN(const ResolvedBounds b,
                           ResolveBounds(q.period, q.from, q.to, calendar));
    RowFilter f = base_;
    if (b.period.has_value()) {
      f.from = b.period->start_day_number();
      f.to = b.period->end_day_number();
      f.exact = true;
      f.instant = b.period->is_instant();
    }
    if (b.from.has_value()) f.from = b.from->start_day_number();
    if (b.to.has_value()) f.to = b.to->end_day_number();
    return f;
  }

  const Query* query_;
  RowFilter base_;
  // Few calendars meet in one query: inline, no allocation.
  absl::InlinedVector<std::pair<FiscalCalendar, RowFilter>, 2> filters_;
};

}  // namespace

// Decodes chunks and keeps their selected rows: the series with selected
// rows ("hits") and the rows themselves, in the query scratch.
class SeriesReader {
 public:
  // A series with selected rows: scratch.selected_rows[begin, end).
  struct Hit {
    uint32_t metric, scenario, company;
    size_t begin, end;
  };

  SeriesReader(const Catalog& catalog, BoundFilters* filters, uint32_t needed,
               QueryScratch* scratch)
      : catalog_(catalog), filters_(*filters), needed_(needed), scratch_(*scratch) {}

  [[nodiscard]] absl::Status Consume(uint32_t metric, uint32_t scenario, uint32_t company,
                                     std::string_view chunk) {
    // Keys of a range scan come from disk: their ids must be in the catalog
    // before anything looks them up.
    if (!catalog_.dict(DictKind::kMetric).Contains(metric) || metric == 0 ||
        !catalog_.dict(DictKind::kScenario).Contains(scenario) || scenario == 0 ||
        !catalog_.dict(DictKind::kCompany).Contains(company) || company == 0) {
      return absl::DataLossError(kpidb::StrCat(
          "damaged series key: metric ", metric, ", scenario ", scenario, ", company ",
          company, " are not in the catalog"));
    }
    absl::Status d = DecodeChunk(chunk, needed_, &scratch_.decoded);
    if (!d.ok()) {
      return absl::DataLossError(kpidb::StrCat(
          "series ", catalog_.SeriesName(metric, scenario, company), ": ", d.message()));
    }
    KPIDB_ASSIGN_OR_RETURN(const RowFilter* filter, filters_.For(catalog_.CalendarOf(company)));
    scratch_.selected.clear();
    SelectRows(scratch_.decoded, *filter, &scratch_.selected);
    if (scratch_.selected.empty()) return absl::OkStatus();
    const size_t begin = scratch_.selected_rows.size();
    for (uint32_t i : scratch_.selected) scratch_.selected_rows.push_back(scratch_.decoded[i]);
    hits_.push_back(Hit{metric, scenario, company, begin, scratch_.selected_rows.size()});
    return absl::OkStatus();
  }

  std::vector<Hit>& hits() { return hits_; }
  const std::vector<ChunkRow>& rows() const { return scratch_.selected_rows; }
  QueryScratch& scratch() { return scratch_; }

 private:
  const Catalog& catalog_;
  BoundFilters& filters_;
  const uint32_t needed_;
  QueryScratch& scratch_;
  std::vector<Hit> hits_;
};

namespace {

// Point lookups of every (metric, scenario, company) the query names.
[[nodiscard]] absl::Status LookUp(rocksdb::DB* db, const std::string& path,
                                  const QueryIds& ids, ChunkCache* cache,
                                  SeriesReader* reader) {
  const size_t count = ids.metrics.size() * ids.scenarios.size() * ids.companies.size();
  if (count == 0) return absl::OkStatus();
  rocksdb::ReadOptions ro;
  if (count == 1) {
    // One series: the chunk cache, else a plain Get (cheaper than a
    // MultiGet batch). Series that do not exist are not cached: a query
    // naming them is rare.
    const uint32_t m = ids.metrics[0], sc = ids.scenarios[0], c = ids.companies[0];
    const ChunkCache::SeriesId id{m, sc, c};
    if (ChunkCache::Ref chunk = cache->Lookup(id)) {
      return reader->Consume(m, sc, c, chunk.view());
    }
    const uint64_t epoch = cache->epoch();
    rocksdb::PinnableSlice value;
    rocksdb::Status st = db->Get(ro, db->DefaultColumnFamily(), SeriesKey(m, sc, c), &value);
    if (st.IsNotFound()) return absl::OkStatus();
    if (!st.ok()) return FromRocksDB(st, path);
    // Only a chunk that decodes is kept: a damaged one is reported again
    // by the next read, from disk.
    KPIDB_RETURN_IF_ERROR(reader->Consume(m, sc, c, SliceView(value)));
    cache->Insert(id, SliceView(value), epoch);
    return absl::OkStatus();
  }
  std::vector<std::string> keys;
  std::vector<std::tuple<uint32_t, uint32_t, uint32_t>> series;
  keys.reserve(count);
  series.reserve(count);
  for (uint32_t m : ids.metrics) {
    for (uint32_t sc : ids.scenarios) {
      for (uint32_t c : ids.companies) {
        keys.push_back(SeriesKey(m, sc, c));
        series.emplace_back(m, sc, c);
      }
    }
  }
  std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
  std::vector<rocksdb::PinnableSlice> values(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  db->MultiGet(ro, db->DefaultColumnFamily(), keys.size(), slices.data(), values.data(),
               statuses.data());
  for (size_t i = 0; i < keys.size(); ++i) {
    if (statuses[i].IsNotFound()) continue;
    if (!statuses[i].ok()) return FromRocksDB(statuses[i], path);
    auto [m, sc, c] = series[i];
    KPIDB_RETURN_IF_ERROR(reader->Consume(m, sc, c, SliceView(values[i])));
  }
  return absl::OkStatus();
}

// A range scan of each metric's series, of one scenario when the query
// names one.
[[nodiscard]] absl::Status Scan(rocksdb::DB* db, const std::string& path, const QueryIds& ids,
                                SeriesReader* reader) {
  const absl::flat_hash_set<uint32_t> scenario_set(ids.scenarios.begin(), ids.scenarios.end());
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
  for (uint32_t m : ids.metrics) {
    std::string prefix = SeriesKey(m, 0, 0).substr(0, 5);
    if (ids.scenarios.size() == 1) {
      prefix = SeriesKey(m, ids.scenarios[0], 0).substr(0, 9);
    } else if (ids.by_scenario && ids.scenarios.empty()) {
      continue;  // the query's scenarios do not exist
    }
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      uint32_t km, ks, kc;
      if (!ParseSeriesKey(SliceView(it->key()), &km, &ks, &kc)) {
        return absl::DataLossError("damaged series key");
      }
      if (ids.by_scenario && !scenario_set.contains(ks)) continue;
      KPIDB_RETURN_IF_ERROR(reader->Consume(km, ks, kc, SliceView(it->value())));
    }
    if (!it->status().ok()) return FromRocksDB(it->status(), path);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<QueryResult> DBImpl::Execute(const Query& query) const {
  // A query's memory grows with its result.
  return ReturnResourceErrors(path_, [&] { return ExecuteUnguarded(query); });
}

absl::StatusOr<QueryResult> DBImpl::ExecuteUnguarded(const Query& query) const {
  kpidb::ReaderMutexLock l(&catalog_mu_);
  KPIDB_ASSIGN_OR_RETURN(const QueryIds ids, ResolveQuery(query));
  KPIDB_ASSIGN_OR_RETURN(
      BoundFilters filters,
      BoundFilters::Make(query, ids.companies.empty() ? FiscalCalendar::CalendarYear()
                                                      : catalog_.CalendarOf(ids.companies[0])));
  // Without an as_of cut the latest version is the last row of its period
  // (chunk order), so as_of is read only to be returned or to cut;
  // DecodeChunk reads it anyway for a series with versions, to check them.
  uint32_t needed = 0;
  if (query.with_as_of || query.as_of.has_value()) needed |= kNeedAsOf;
  if (query.with_units) needed |= kNeedUnits;
  if (query.with_sources) needed |= kNeedSources;
  ScratchLease scratch;
  SeriesReader reader(catalog_, &filters, needed, &*scratch);
  KPIDB_RETURN_IF_ERROR(ReadSeries(ids, &reader));
  return BuildResult(query, &reader);
}

absl::StatusOr<QueryIds> DBImpl::ResolveQuery(const Query& query) const {
  const Dictionary& metrics = catalog_.dict(DictKind::kMetric);
  const Dictionary& scenarios = catalog_.dict(DictKind::kScenario);
  const Dictionary& companies = catalog_.dict(DictKind::kCompany);
  QueryIds ids;
  if (query.metric.empty() || HasGlob(query.metric)) {
    for (uint32_t id = 1; id < metrics.size(); ++id) {
      if (query.metric.empty() || MetricMatches(query.metric, metrics.Get(id))) {
        ids.metrics.push_back(id);
      }
    }
  } else {
    KPIDB_RETURN_IF_ERROR(ValidateMetric(query.metric));
    if (std::optional<uint32_t> id = metrics.Find(query.metric)) ids.metrics.push_back(*id);
  }
  for (const std::string& s : query.scenarios) {
    KPIDB_RETURN_IF_ERROR(ValidateScenario(s));
    if (std::optional<uint32_t> id = scenarios.Find(s)) ids.scenarios.push_back(*id);
  }
  for (const std::string& c : query.companies) {
    KPIDB_RETURN_IF_ERROR(ValidateCompanyId(c));
    if (std::optional<uint32_t> id = companies.Find(c)) ids.companies.push_back(*id);
  }
  ids.by_scenario = !query.scenarios.empty();
  ids.by_company = !query.companies.empty();
  if (ids.by_company && !ids.by_scenario) {
    // Point lookups without a scenario filter look up every scenario
    // (there are few).
    for (uint32_t id = 1; id < scenarios.size(); ++id) ids.scenarios.push_back(id);
  }
  return ids;
}

absl::Status DBImpl::ReadSeries(const QueryIds& ids, SeriesReader* reader) const {
  // Few companies: point lookups; otherwise every company of each metric.
  return ids.by_company ? LookUp(db_.get(), path_, ids, &chunk_cache_, reader)
                        : Scan(db_.get(), path_, ids, reader);
}

namespace {

// Appends the rows of one hit to `result`. Units and sources go into small
// per-result tables through slot vectors indexed by catalog id.
[[nodiscard]] absl::Status AppendRows(const Query& query, const Catalog& catalog,
                                      const std::vector<ChunkRow>& rows,
                                      const SeriesReader::Hit& h, std::vector<uint32_t>* unit_slot,
                                      QueryScratch* scratch, QueryResult* result) {
  // Column by column: one loop per output vector, without per-row branches
  // on the query's options.
  const size_t n = h.end - h.begin;
  const size_t base = result->periods.size();
  const ChunkRow* in = rows.data() + h.begin;
  result->periods.resize(base + n);
  result->values.resize(base + n);
  Period* periods = result->periods.data() + base;
  Decimal* values = result->values.data() + base;
  for (size_t i = 0; i < n; ++i) {
    // DecodeChunk checked the ranges these rely on.
    periods[i] = Period::FromDayNumbers(in[i].start, in[i].end, in[i].instant);
    values[i] = Decimal::FromValidParts(in[i].mantissa, in[i].exponent);
  }
  if (query.with_units) {
    const std::vector<Unit>& units = catalog.units();
    for (size_t i = 0; i < n; ++i) {
      const uint32_t id = in[i].unit_id;
      if (id >= units.size()) return absl::DataLossError("damaged chunk: unknown unit id");
      uint32_t& slot = (*unit_slot)[id];
      if (slot == UINT32_MAX) {
        slot = static_cast<uint32_t>(result->unit_table.size());
        result->unit_table.push_back(units[id]);
      }
      result->unit_ids.push_back(slot);
    }
  }
  if (query.with_as_of) {
    for (size_t i = 0; i < n; ++i) {
      result->as_of.push_back(in[i].as_of == kNoAsOf
                                  ? std::nullopt
                                  : std::optional<absl::CivilDay>(FromDays(in[i].as_of)));
    }
  }
  if (query.with_sources) {
    const Dictionary& sources = catalog.dict(DictKind::kSource);
    for (size_t i = 0; i < n; ++i) {
      const uint32_t id = in[i].source_id;
      if (!sources.Contains(id)) return absl::DataLossError("damaged chunk: unknown source id");
      uint32_t& slot = scratch->source_slot[id];
      if (slot == UINT32_MAX) {
        slot = static_cast<uint32_t>(result->source_table.size());
        scratch->touched_sources.push_back(id);
        result->source_table.emplace_back(sources.Get(id));
      }
      result->source_ids.push_back(slot);
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<QueryResult> DBImpl::BuildResult(const Query& query, SeriesReader* reader) const {
  const Dictionary& metrics = catalog_.dict(DictKind::kMetric);
  const Dictionary& scenarios = catalog_.dict(DictKind::kScenario);
  const Dictionary& companies = catalog_.dict(DictKind::kCompany);
  std::vector<SeriesReader::Hit>& hits = reader->hits();
  auto series_less = [&](const SeriesReader::Hit& a, const SeriesReader::Hit& b) {
    const std::string_view ac = companies.Get(a.company);
    const std::string_view bc = companies.Get(b.company);
    if (ac != bc) return ac < bc;
    const std::string_view am = metrics.Get(a.metric);
    const std::string_view bm = metrics.Get(b.metric);
    if (am != bm) return am < bm;
    return scenarios.Get(a.scenario) < scenarios.Get(b.scenario);
  };
  // Ids are often given in name order (a bulk load sorted by company), so
  // a scan usually yields sorted series already.
  if (!std::is_sorted(hits.begin(), hits.end(), series_less)) {
    std::sort(hits.begin(), hits.end(), series_less);
  }
  QueryResult result;
  const std::vector<ChunkRow>& rows = reader->rows();
  result.series.reserve(hits.size());
  result.series_offsets.reserve(hits.size() + 1);
  result.periods.reserve(rows.size());
  result.values.reserve(rows.size());
  if (query.with_units) result.unit_ids.reserve(rows.size());
  if (query.with_as_of) result.as_of.reserve(rows.size());
  if (query.with_sources) result.source_ids.reserve(rows.size());
  std::vector<uint32_t> unit_slot(query.with_units ? catalog_.units().size() : 0, UINT32_MAX);
  QueryScratch& scratch = reader->scratch();
  const uint32_t source_count = catalog_.dict(DictKind::kSource).size();
  if (query.with_sources && scratch.source_slot.size() < source_count) {
    scratch.source_slot.resize(source_count, UINT32_MAX);
  }
  for (const SeriesReader::Hit& h : hits) {
    result.series.push_back(SeriesInfo{std::string(companies.Get(h.company)),
                                       std::string(metrics.Get(h.metric)),
                                       std::string(scenarios.Get(h.scenario)),
                                       catalog_.CalendarOf(h.company)});
    KPIDB_RETURN_IF_ERROR(AppendRows(query, catalog_, rows, h, &unit_slot, &scratch, &result));
    result.series_offsets.push_back(result.periods.size());
  }
  return result;
}

}  // namespace kpidb::store
