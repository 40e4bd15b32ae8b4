// DB::Write: the stages of a write, in order.
//
//   1. ResolveBatch   map the batch's strings to catalog ids, giving new
//                     strings provisional ids after the current ones
//   2. GroupBySeries  bucket the batch's facts by series, in batch order
//   3. MergeSeries    per series: read and decode the stored chunk, check
//                     the units' dimension, merge versions
//                     (version_merge.h), encode the changed chunk
//                     into the write's staged table files (staging.h),
//                     after the new catalog entries and company records
//   4. Commit         ingest the staged files: one MANIFEST record makes
//                     the whole write visible, atomic also across a crash;
//                     then the commit record (commit_record.h)
//
// Stage 3 takes the series in key order, as table files need. Any bad
// record stops the write after stage 3 with every bad record's tag, and
// nothing is written; a dry run stops there too.
#include <algorithm>
#include <functional>
#include <optional>
#include <tuple>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/types/span.h"
#include "lib/store/catalog_delta.h"
#include "lib/store/db_impl.h"
#include "lib/store/rocksdb_status.h"
#include "lib/store/series_chunk.h"
#include "lib/store/staging.h"
#include "lib/store/commit_record.h"
#include "lib/store/version_merge.h"
#include "lib/util/huge_page_allocator.h"
#include "lib/util/status_macros.h"
#include "lib/util/str_cat.h"

namespace kpidb::store {

// Catalog ids of a batch's strings, per kind, indexed by the batch's string
// id (UINT32_MAX where the batch never uses the string as that kind), and of
// its units.
struct BatchIds {
  explicit BatchIds(const WriteBatch::Rep& rep)
      : company(rep.strings.size(), UINT32_MAX),
        metric(rep.strings.size(), UINT32_MAX),
        scenario(rep.strings.size(), UINT32_MAX),
        source(rep.strings.size(), UINT32_MAX),
        unit(rep.units.size(), UINT32_MAX) {}
  std::vector<uint32_t> company, metric, scenario, source, unit;
};

// The batch's rows bucketed by series: the rows of series g are
// rows[begin[g], begin[g + 1]), in batch order.
struct SeriesGroups {
  struct Key {
    uint32_t metric, scenario, company;
    bool operator==(const Key&) const = default;
    template <typename H>
    friend H AbslHashValue(H h, const Key& k) {
      return H::combine(std::move(h), k.metric, k.scenario, k.company);
    }
  };
  std::vector<Key> keys;
  std::vector<uint32_t> order;  // group numbers in series key order
  std::vector<uint32_t> begin;
  std::vector<uint32_t, HugePageAllocator<uint32_t>> rows;

  absl::Span<const uint32_t> Rows(size_t g) const {
    return absl::Span<const uint32_t>(rows.data() + begin[g], begin[g + 1] - begin[g]);
  }
};

// The bad records of a write: at most `limit` kept (in the order found),
// reported in batch order.
class ErrorCollector {
 public:
  explicit ErrorCollector(size_t limit) : limit_(std::max<size_t>(limit, 1)) {}

  void Add(uint64_t tag, absl::Status status, std::optional<uint64_t> other = std::nullopt) {
    if (found_.size() < limit_) found_.push_back(RecordError{tag, std::move(status), other});
  }
  bool empty() const { return found_.empty(); }

  // The first error in batch order; the errors themselves into *out.
  [[nodiscard]] absl::Status Report(size_t max_errors, std::vector<RecordError>* out) {
    std::stable_sort(found_.begin(), found_.end(),
                     [](const RecordError& a, const RecordError& b) { return a.tag < b.tag; });
    absl::Status first = found_.front().status;
    if (out != nullptr) {
      if (found_.size() > max_errors) found_.resize(max_errors);
      *out = std::move(found_);
    }
    return first;
  }

 private:
  const size_t limit_;
  std::vector<RecordError> found_;
};

namespace {

std::string Describe(const ChunkRow& r, const Unit& unit) {
  absl::StatusOr<Decimal> d = Decimal::FromParts(r.mantissa, r.exponent);
  std::string text = d.ok() ? d->ToString() : "?";
  if (!unit.ToString().empty()) kpidb::StrAppend(&text, " ", unit.ToString());
  return text;
}

std::string DimensionName(const Unit& u) {
  return u.dimension().empty() ? std::string("a pure number")
                               : kpidb::StrCat("'", u.dimension(), "'");
}

SeriesGroups GroupBySeries(const WriteBatch::Rep& rep, const BatchIds& ids) {
  // Two passes (count, then place) rather than a growing vector per series.
  SeriesGroups groups;
  absl::flat_hash_map<SeriesGroups::Key, uint32_t> group_ids;
  std::vector<uint32_t, HugePageAllocator<uint32_t>> row_group(rep.rows.size());
  SeriesGroups::Key last{UINT32_MAX, UINT32_MAX, UINT32_MAX};
  uint32_t last_id = 0;
  for (uint32_t i = 0; i < rep.rows.size(); ++i) {
    const WriteBatch::Rep::Row& row = rep.rows[i];
    const SeriesGroups::Key k{ids.metric[row.metric], ids.scenario[row.scenario],
                              ids.company[row.company]};
    if (!(k == last)) {  // bulk inputs repeat a series for many rows
      auto [it, inserted] =
          group_ids.try_emplace(k, static_cast<uint32_t>(groups.keys.size()));
      if (inserted) groups.keys.push_back(k);
      last = k;
      last_id = it->second;
    }
    row_group[i] = last_id;
  }
  groups.begin.assign(groups.keys.size() + 1, 0);
  for (uint32_t g : row_group) ++groups.begin[g + 1];
  for (size_t g = 0; g < groups.keys.size(); ++g) groups.begin[g + 1] += groups.begin[g];
  groups.rows.resize(rep.rows.size());
  std::vector<uint32_t> fill(groups.begin.begin(), groups.begin.end() - 1);
  for (uint32_t i = 0; i < rep.rows.size(); ++i) groups.rows[fill[row_group[i]]++] = i;
  // Key order (metric, scenario, company), as the staged files need.
  groups.order.resize(groups.keys.size());
  for (uint32_t g = 0; g < groups.order.size(); ++g) groups.order[g] = g;
  auto key_less = [&](uint32_t a, uint32_t b) {
    const SeriesGroups::Key& x = groups.keys[a];
    const SeriesGroups::Key& y = groups.keys[b];
    return std::tie(x.metric, x.scenario, x.company) < std::tie(y.metric, y.scenario, y.company);
  };
  if (!std::is_sorted(groups.order.begin(), groups.order.end(), key_less)) {
    std::sort(groups.order.begin(), groups.order.end(), key_less);
  }
  return groups;
}

// One series of a write being merged: its stored rows, then the batch's.
class SeriesMerge {
 public:
  SeriesMerge(const WriteBatch::Rep& rep, const BatchIds& ids, const CatalogDelta& delta,
              SeriesGroups::Key key, ErrorCollector* errors)
      : rep_(rep), ids_(ids), delta_(delta), key_(key), errors_(*errors) {}

  std::string SeriesName() const {
    return delta_.SeriesName(key_.metric, key_.scenario, key_.company);
  }

  // Decodes the stored chunk (if any) into *rows. DataLoss if damaged.
  [[nodiscard]] absl::Status LoadStored(std::optional<std::string_view> chunk,
                                        std::vector<ChunkRow>* rows,
                                        std::vector<uint32_t>* origin) const {
    rows->clear();
    if (chunk.has_value()) {
      absl::Status d = DecodeChunk(*chunk, kNeedAll, rows);
      if (!d.ok()) {
        return absl::DataLossError(kpidb::StrCat("series ", SeriesName(), ": ", d.message()));
      }
      for (const ChunkRow& r : *rows) {
        if (r.unit_id >= delta_.units().size()) {
          return absl::DataLossError(
              kpidb::StrCat("series ", SeriesName(), ": chunk names an unknown unit"));
        }
      }
    }
    origin->assign(rows->size(), kStoredRow);
    return absl::OkStatus();
  }

  // Appends the batch's rows of the series, skipping (and reporting) those
  // whose unit's dimension differs from the series' (the stored rows', else
  // its first batch row's).
  void AppendBatchRows(absl::Span<const uint32_t> members, std::vector<ChunkRow>* rows,
                       std::vector<uint32_t>* origin) {
    const Unit* dimension = rows->empty() ? nullptr : &delta_.units()[(*rows)[0].unit_id];
    std::optional<uint64_t> dimension_tag;  // set when the batch chose it
    for (uint32_t bi : members) {
      const WriteBatch::Rep::Row& b = rep_.rows[bi];
      const Unit& unit = rep_.units[b.unit];
      if (dimension == nullptr) {
        dimension = &unit;
        dimension_tag = b.tag;
      } else if (!dimension->SameDimension(unit)) {
        errors_.Add(b.tag,
                    absl::InvalidArgumentError(kpidb::StrCat(
                        "unit '", unit.ToString(), "' conflicts with series ", SeriesName(),
                        ", whose values are in ", DimensionName(*dimension),
                        dimension_tag.has_value() ? "" : " (stored)")),
                    dimension_tag);
        continue;
      }
      rows->push_back(ToChunkRow(b));
      origin->push_back(bi);
    }
  }

  // Reports the merge's conflicts.
  void Report(const MergeResult& result, const std::vector<ChunkRow>& rows,
              std::span<const uint32_t> origin) {
    auto describe = [&](uint32_t i) { return Describe(rows[i], delta_.units()[rows[i].unit_id]); };
    for (const MergeConflict& c : result.conflicts) {
      const uint64_t tag = rep_.rows[origin[c.row]].tag;
      if (c.kind == MergeConflict::Kind::kStored) {
        errors_.Add(tag, absl::AlreadyExistsError(kpidb::StrCat(
                             "conflicts with stored fact: ", SeriesName(), " is ",
                             describe(c.other), " for this period and as_of, not ",
                             describe(c.row), " (use --replace to change it)")));
      } else {
        errors_.Add(tag,
                    absl::AlreadyExistsError(kpidb::StrCat(
                        "conflicting duplicate: ", SeriesName(), " ", describe(c.row),
                        " differs from ", describe(c.other),
                        " given for the same period and as_of")),
                    rep_.rows[origin[c.other]].tag);
      }
    }
  }

 private:
  ChunkRow ToChunkRow(const WriteBatch::Rep::Row& b) const {
    ChunkRow r;
    r.start = b.start;
    r.end = b.end;
    r.instant = b.instant;
    r.mantissa = b.mantissa;
    r.exponent = b.exponent;
    r.unit_id = ids_.unit[b.unit];
    r.as_of = b.as_of == WriteBatch::Rep::kNoAsOf ? kNoAsOf : b.as_of;
    r.source_id = ids_.source[b.source];
    return r;
  }

  const WriteBatch::Rep& rep_;
  const BatchIds& ids_;
  const CatalogDelta& delta_;
  const SeriesGroups::Key key_;
  ErrorCollector& errors_;
};

}  // namespace

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
  ErrorCollector found(max_errors);
  std::optional<CatalogDelta> delta;
  {
    // Only writers change the catalog, and this one holds write_mu_: the
    // delta may read the catalog after the lock is released.
    absl::ReaderMutexLock l(&catalog_mu_);
    delta.emplace(catalog_);
  }
  const BatchIds ids = ResolveBatch(rep, &*delta, &summary);
  const SeriesGroups groups = GroupBySeries(rep, ids);
  std::optional<Staging> staging;
  if (!options.dry_run) {
    staging.emplace(rocks_options_, StagingDir(path_));
    KPIDB_RETURN_IF_ERROR(delta->AddTo(&*staging));
  }
  KPIDB_RETURN_IF_ERROR(MergeSeries(options, rep, ids, *delta, groups, &summary, &found,
                                    staging.has_value() ? &*staging : nullptr));
  if (!found.empty()) return found.Report(max_errors, errors);
  if (options.dry_run) return summary;
  KPIDB_RETURN_IF_ERROR(Commit(&*delta, &*staging));
  return summary;
}

BatchIds DBImpl::ResolveBatch(const WriteBatch::Rep& rep, CatalogDelta* delta,
                              WriteSummary* summary) const {
  BatchIds ids(rep);
  // Companies first: later definitions in the batch win.
  for (const auto& [company, tag] : rep.companies) {
    delta->DefineCompany(delta->Resolve(DictKind::kCompany, company.id), company);
  }
  {
    absl::ReaderMutexLock l(&catalog_mu_);
    for (const auto& [id, company] : delta->companies()) {
      auto it = catalog_.companies().find(id);
      ++(it == catalog_.companies().end() ? summary->companies_added
         : it->second == company          ? summary->companies_unchanged
                                          : summary->companies_changed);
    }
  }
  for (size_t u = 0; u < rep.units.size(); ++u) ids.unit[u] = delta->ResolveUnit(rep.units[u]);
  auto map = [&](std::vector<uint32_t>& slots, DictKind kind, uint32_t string_id) {
    if (slots[string_id] == UINT32_MAX) {
      slots[string_id] = delta->Resolve(kind, rep.strings[string_id]);
    }
  };
  for (const WriteBatch::Rep::Row& row : rep.rows) {
    map(ids.company, DictKind::kCompany, row.company);
    map(ids.metric, DictKind::kMetric, row.metric);
    map(ids.scenario, DictKind::kScenario, row.scenario);
    if (row.source == 0) {
      ids.source[0] = 0;  // no source
    } else {
      map(ids.source, DictKind::kSource, row.source);
    }
  }
  return ids;
}

absl::Status DBImpl::MergeSeries(const WriteOptions& options, const WriteBatch::Rep& rep,
                                 const BatchIds& ids, const CatalogDelta& delta,
                                 const SeriesGroups& groups, WriteSummary* summary,
                                 ErrorCollector* errors, Staging* out) const {
  // Reused across series: a bulk load merges hundreds of thousands.
  std::vector<ChunkRow> rows;
  std::vector<uint32_t> origin;
  MergeScratch scratch;
  rocksdb::PinnableSlice stored;
  const rocksdb::ReadOptions read_options;
  for (const uint32_t g : groups.order) {
    const SeriesGroups::Key& key = groups.keys[g];
    const std::string series_key = SeriesKey(key.metric, key.scenario, key.company);
    std::optional<std::string_view> chunk;
    stored.Reset();
    // A series with a new company, metric or scenario cannot be stored yet.
    if (delta.Known(DictKind::kMetric, key.metric) &&
        delta.Known(DictKind::kScenario, key.scenario) &&
        delta.Known(DictKind::kCompany, key.company)) {
      rocksdb::Status s =
          db_->Get(read_options, db_->DefaultColumnFamily(), series_key, &stored);
      if (s.ok()) {
        chunk = SliceView(stored);
      } else if (!s.IsNotFound()) {
        return FromRocksDB(s, path_);
      }
    }
    SeriesMerge merge(rep, ids, delta, key, errors);
    KPIDB_RETURN_IF_ERROR(merge.LoadStored(chunk, &rows, &origin));
    merge.AppendBatchRows(groups.Rows(g), &rows, &origin);
    const MergeResult result = MergeVersions(options.replace, origin, &rows, &scratch);
    summary->new_facts += result.new_facts;
    summary->versions_added += result.versions_added;
    summary->unchanged += result.unchanged;
    summary->replaced += result.replaced;
    merge.Report(result, rows, origin);
    if (rows.size() > kMaxSeriesRows) {
      errors->Add(rep.rows[groups.Rows(g).front()].tag,
                  absl::ResourceExhaustedError(kpidb::StrCat(
                      "series ", merge.SeriesName(), " would hold ", rows.size(),
                      " facts, more than the ", kMaxSeriesRows, " one series may hold")));
    }
    // After the first bad record the write will fail: encoding is wasted.
    if (result.changed && errors->empty() && out != nullptr) {
      KPIDB_RETURN_IF_ERROR(out->Put(series_key, EncodeChunk(&rows)));
    }
  }
  return absl::OkStatus();
}

absl::Status DBImpl::Commit(CatalogDelta* delta, Staging* staging) {
  if (staging->keys() == 0) return absl::OkStatus();
  {
    absl::MutexLock catalog_lock(&catalog_mu_);
    delta->AppendStrings(&catalog_);
    absl::Status s = staging->IngestInto(db_.get(), path_);
    if (!s.ok()) {
      delta->Undo(&catalog_);
      return s;
    }
    delta->Finish(&catalog_);
  }
  // The write is durable now. A record that cannot be updated (a full
  // disk) only stays older than the database, which an open accepts.
  WriteCommitRecord(rocks_options_.env, path_, db_->GetLatestSequenceNumber()).IgnoreError();
  return absl::OkStatus();
}

}  // namespace kpidb::store
