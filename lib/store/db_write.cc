// DB::Write and DB::BulkWrite: the stages of a write, in order.
//
//   1. ResolveBatch   per added batch: map its strings to catalog ids,
//                     giving new strings provisional ids after the current
//                     ones (CatalogDelta), and add its facts to the write's
//                     FactRuns, which keeps memory bounded by spilling
//                     sorted runs (fact_runs.h)
//   2. MergeSeries    per series, in key order (the runs merged): read and
//                     decode the stored chunk, check the units' dimension,
//                     merge versions (version_merge.h), encode the changed
//                     chunk into the write's staged table files
//                     (staging.h), after the new catalog entries
//   3. Commit         ingest the staged files: one MANIFEST record makes
//                     the whole write visible, atomic also across a crash;
//                     then the commit record (commit_record.h)
//
// Any bad record stops the write after stage 2 with every bad record's tag,
// and nothing is written; a dry run stops there too. DB::Write is a bulk
// write of one batch.
#include <algorithm>
#include <atomic>
#include <filesystem>
#include <unistd.h>
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
#include "lib/store/fact_runs.h"
#include "lib/util/huge_page_allocator.h"
#include "lib/util/resource_errors.h"
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

// One series of a write being merged: its stored rows, then the write's.
class SeriesMerge {
 public:
  SeriesMerge(const CatalogDelta& delta, std::span<const RunFact> facts, ErrorCollector* errors)
      : delta_(delta), facts_(facts), errors_(*errors) {}

  std::string SeriesName() const {
    const RunFact& f = facts_.front();
    return delta_.SeriesName(f.metric, f.scenario, f.company);
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

  // Appends the write's facts of the series, skipping (and reporting) those
  // whose unit's dimension differs from the series' (the stored rows', else
  // its first new fact's). origin[] is the fact's index in facts_.
  void AppendNewRows(std::vector<ChunkRow>* rows, std::vector<uint32_t>* origin) {
    const Unit* dimension = rows->empty() ? nullptr : &delta_.units()[(*rows)[0].unit_id];
    std::optional<uint64_t> dimension_tag;  // set when the write chose it
    for (uint32_t i = 0; i < facts_.size(); ++i) {
      const RunFact& f = facts_[i];
      const Unit& unit = delta_.units()[f.unit_id];
      if (dimension == nullptr) {
        dimension = &unit;
        dimension_tag = f.tag;
      } else if (!dimension->SameDimension(unit)) {
        errors_.Add(f.tag,
                    absl::InvalidArgumentError(kpidb::StrCat(
                        "unit '", unit.ToString(), "' conflicts with series ", SeriesName(),
                        ", whose values are in ", DimensionName(*dimension),
                        dimension_tag.has_value() ? "" : " (stored)")),
                    dimension_tag);
        continue;
      }
      rows->push_back(f.Row());
      origin->push_back(i);
    }
  }

  // Reports the merge's conflicts.
  void Report(const MergeResult& result, const std::vector<ChunkRow>& rows,
              std::span<const uint32_t> origin) {
    auto describe = [&](uint32_t i) { return Describe(rows[i], delta_.units()[rows[i].unit_id]); };
    for (const MergeConflict& c : result.conflicts) {
      const uint64_t tag = facts_[origin[c.row]].tag;
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
                    facts_[origin[c.other]].tag);
      }
    }
  }

 private:
  const CatalogDelta& delta_;
  const std::span<const RunFact> facts_;
  ErrorCollector& errors_;
};

}  // namespace

// A bulk write holds the writer lock for its whole life: from creation,
// through every Add, to Commit or destruction.
class BulkWriteImpl final : public DB::BulkWrite {
 public:
  BulkWriteImpl(DBImpl* db, const WriteOptions& options, std::string spill_dir, bool temporary)
      ABSL_NO_THREAD_SAFETY_ANALYSIS : db_(*db), options_(options), spill_dir_(std::move(spill_dir)), temporary_(temporary) {
    db_.LockWriter();
    delta_.emplace(db_.SnapshotCatalog());
    runs_.emplace(db_.env(), spill_dir_, db_.spill_facts_);
  }
  ~BulkWriteImpl() override ABSL_NO_THREAD_SAFETY_ANALYSIS {
    runs_.reset();
    if (temporary_) db_.env()->DeleteDir(spill_dir_).PermitUncheckedError();
    db_.UnlockWriter();
  }

  [[nodiscard]] absl::Status Add(const WriteBatch& batch) override {
    return ReturnResourceErrors(db_.path(), [&] { return AddUnguarded(batch); });
  }

  [[nodiscard]] absl::StatusOr<WriteSummary> Commit(std::vector<RecordError>* errors,
                                                    size_t max_errors) override {
    return ReturnResourceErrors(db_.path(), [&] { return CommitUnguarded(errors, max_errors); });
  }

 private:
  [[nodiscard]] absl::Status AddUnguarded(const WriteBatch& batch) ABSL_NO_THREAD_SAFETY_ANALYSIS {
    if (done_) return absl::FailedPreconditionError("bulk write already committed");
    const WriteBatch::Rep& rep = batch.rep();
    const BatchIds ids = db_.ResolveBatch(rep, &*delta_);
    for (const WriteBatch::Rep::Row& row : rep.rows) {
      if (seq_ == UINT32_MAX) {
        return absl::ResourceExhaustedError("a write holds at most 4,294,967,295 facts");
      }
      RunFact f{};
      f.metric = ids.metric[row.metric];
      f.scenario = ids.scenario[row.scenario];
      f.company = ids.company[row.company];
      f.seq = seq_++;
      f.start = row.start;
      f.end = row.end;
      f.as_of = row.as_of;  // both use INT32_MIN for "none"
      f.unit_id = ids.unit[row.unit];
      f.source_id = row.source == 0 ? 0 : ids.source[row.source];
      f.exponent = row.exponent;
      f.mantissa = row.mantissa;
      f.tag = row.tag;
      f.instant = row.instant ? 1 : 0;
      KPIDB_RETURN_IF_ERROR(runs_->Add(f));
    }
    return absl::OkStatus();
  }

  [[nodiscard]] absl::StatusOr<WriteSummary> CommitUnguarded(std::vector<RecordError>* errors,
                                                             size_t max_errors)
      ABSL_NO_THREAD_SAFETY_ANALYSIS {
    if (done_) return absl::FailedPreconditionError("bulk write already committed");
    done_ = true;
    WriteSummary summary = db_.CountCompanies(*delta_);
    summary.facts = runs_->size();
    ErrorCollector found(max_errors);
    std::optional<Staging> staging;
    if (!options_.dry_run) {
      staging.emplace(db_.rocks_options(), StagingDir(db_.path()));
      KPIDB_RETURN_IF_ERROR(delta_->AddTo(&*staging));
    }
    KPIDB_ASSIGN_OR_RETURN(std::unique_ptr<FactRuns::Reader> reader, runs_->Read());
    KPIDB_RETURN_IF_ERROR(db_.MergeSeries(options_, *delta_, reader.get(), &summary, &found,
                                          staging.has_value() ? &*staging : nullptr));
    if (!found.empty()) return found.Report(max_errors, errors);
    if (options_.dry_run) return summary;
    KPIDB_RETURN_IF_ERROR(db_.Commit(&*delta_, &*staging));
    return summary;
  }

  DBImpl& db_;
  const WriteOptions options_;
  const std::string spill_dir_;
  const bool temporary_;
  std::optional<CatalogDelta> delta_;
  std::optional<FactRuns> runs_;
  uint32_t seq_ = 0;
  bool done_ = false;
};

absl::Status DBImpl::CheckWritable() const {
  if (commit_interrupted_.load()) {
    return absl::FailedPreconditionError(kpidb::StrCat(
        path_, ": an earlier write ran out of memory while committing; reopen the database "
               "(it holds that write or none of it)"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<DB::BulkWrite>> DBImpl::NewBulkWrite(
    const WriteOptions& options) {
  return ReturnResourceErrors(path_, [&] { return NewBulkWriteUnguarded(options); });
}

absl::StatusOr<std::unique_ptr<DB::BulkWrite>> DBImpl::NewBulkWriteUnguarded(
    const WriteOptions& options) {
  KPIDB_RETURN_IF_ERROR(CheckWritable());
  if (options_.read_only && !options.dry_run) {
    return absl::FailedPreconditionError(
        kpidb::StrCat(path_, ": database is open read-only"));
  }
  if (!options.dry_run) {
    return std::unique_ptr<DB::BulkWrite>(
        std::make_unique<BulkWriteImpl>(this, options, StagingDir(path_), false));
  }
  // A dry run must not touch the database: its runs go to a temporary folder.
  static std::atomic<uint64_t> dry_runs{0};
  std::error_code ec;
  const std::filesystem::path tmp = std::filesystem::temp_directory_path(ec);
  if (ec) return absl::UnavailableError(kpidb::StrCat("no temporary folder: ", ec.message()));
  const std::string dir = (tmp / kpidb::StrCat("kpidb-dry-run-", ::getpid(), "-",
                                               dry_runs.fetch_add(1)))
                              .string();
  return std::unique_ptr<DB::BulkWrite>(std::make_unique<BulkWriteImpl>(this, options, dir, true));
}

absl::StatusOr<WriteSummary> DBImpl::Write(const WriteOptions& options,
                                           const WriteBatch& batch,
                                           std::vector<RecordError>* errors,
                                           size_t max_errors) {
  KPIDB_ASSIGN_OR_RETURN(std::unique_ptr<DB::BulkWrite> write, NewBulkWrite(options));
  KPIDB_RETURN_IF_ERROR(write->Add(batch));
  return write->Commit(errors, max_errors);
}

CatalogDelta DBImpl::SnapshotCatalog() const {
  // Only writers change the catalog, and the caller holds write_mu_: the
  // delta may read the catalog after the lock is released.
  kpidb::ReaderMutexLock l(&catalog_mu_);
  return CatalogDelta(catalog_);
}

WriteSummary DBImpl::CountCompanies(const CatalogDelta& delta) const {
  WriteSummary summary;
  kpidb::ReaderMutexLock l(&catalog_mu_);
  for (const auto& [id, company] : delta.companies()) {
    const std::optional<Company> stored = catalog_.company(id);
    ++(!stored.has_value()    ? summary.companies_added
       : *stored == company   ? summary.companies_unchanged
                              : summary.companies_changed);
  }
  return summary;
}

BatchIds DBImpl::ResolveBatch(const WriteBatch::Rep& rep, CatalogDelta* delta) const {
  BatchIds ids(rep);
  // Companies first: later definitions in the write win.
  for (const auto& [company, tag] : rep.companies) {
    delta->DefineCompany(delta->Resolve(DictKind::kCompany, company.id), company);
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

absl::Status DBImpl::MergeSeries(const WriteOptions& options, const CatalogDelta& delta,
                                 FactRuns::Reader* facts, WriteSummary* summary,
                                 ErrorCollector* errors, Staging* out) const {
  // Reused across series: a bulk load merges hundreds of thousands.
  std::vector<RunFact> series;
  std::vector<ChunkRow> rows;
  std::vector<uint32_t> origin;
  MergeScratch scratch;
  rocksdb::PinnableSlice stored;
  const rocksdb::ReadOptions read_options;
  bool overflowed = false;
  while (facts->NextSeries(&series, kMaxSeriesRows + 1, &overflowed)) {
    const RunFact& key = series.front();
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
    SeriesMerge merge(delta, series, errors);
    KPIDB_RETURN_IF_ERROR(merge.LoadStored(chunk, &rows, &origin));
    merge.AppendNewRows(&rows, &origin);
    const MergeResult result = MergeVersions(options.replace, origin, &rows, &scratch);
    summary->new_facts += result.new_facts;
    summary->versions_added += result.versions_added;
    summary->unchanged += result.unchanged;
    summary->replaced += result.replaced;
    merge.Report(result, rows, origin);
    if (overflowed || rows.size() > kMaxSeriesRows) {
      errors->Add(series.front().tag,
                  absl::ResourceExhaustedError(kpidb::StrCat(
                      "series ", merge.SeriesName(), " would hold more than the ",
                      kMaxSeriesRows, " facts one series may hold")));
    }
    // After the first bad record the write will fail: encoding is wasted.
    if (result.changed && errors->empty() && out != nullptr) {
      KPIDB_RETURN_IF_ERROR(out->Put(series_key, EncodeChunk(&rows)));
    }
  }
  return facts->status();
}

absl::Status DBImpl::Commit(CatalogDelta* delta, Staging* staging) {
  if (staging->keys() == 0) return absl::OkStatus();
  {
    kpidb::MutexLock catalog_lock(&catalog_mu_);
    try {
      delta->AppendStrings(&catalog_);
      absl::Status s = staging->IngestInto(db_.get(), path_);
      // Also after a failure: whether RocksDB applied nothing is its
      // promise, not something to stake cached answers on.
      chunk_cache_.Clear();
      if (!s.ok()) {
        delta->Undo(&catalog_);
        return s;
      }
      delta->Finish(&catalog_);
    } catch (...) {
      // Out of memory somewhere between the catalog's first change and its
      // last, perhaps after RocksDB committed: the catalog in memory can no
      // longer be trusted to assign ids (db_impl.h).
      commit_interrupted_.store(true);
      chunk_cache_.Clear();
      throw;
    }
  }
  // The write is durable now. A record that cannot be updated (a full
  // disk) only stays older than the database, which an open accepts.
  WriteCommitRecord(rocks_options_.env, path_, db_->GetLatestSequenceNumber()).IgnoreError();
  return absl::OkStatus();
}

}  // namespace kpidb::store
