// CheckDatabase (kpidb/check.h): every table file, key and value of a
// database against doc/format.md. doc/impl.md ("What kpidb-check checks")
// lists the checks in the order they run:
//
//   1. the commit record, read before RocksDB is opened (as DB::Open does);
//   2. RocksDB opened read-only with kpidb's own options (rocks_options.h);
//      when that fails, the failure is a problem and a best-effort open
//      reads what it can;
//   3. RocksDB's block checksums of every table file;
//   4. one full scan in key order (the catalog snapshot 'S', company records
//      'c', dictionaries 'd', meta 'm', series 's'): the catalog is complete
//      before the first key past 'd', so series are checked against it as
//      they stream by; after the scan, the snapshot against the entries;
//   5. the staging folder.
//
// A problem is recorded and the check goes on; nothing here returns early
// on damage. Repair happens in CheckDatabase, after a second check under
// the writer lock.
#include "kpidb/check.h"

#include <algorithm>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "kpidb/fact.h"
#include "kpidb/options.h"
#include "kpidb/unit.h"
#include "lib/store/catalog.h"
#include "lib/store/commit_record.h"
#include "lib/store/rocks_options.h"
#include "lib/store/rocksdb_status.h"
#include "lib/store/series_chunk.h"
#include "lib/store/staging.h"
#include "lib/util/quote.h"
#include "lib/util/resource_errors.h"
#include "lib/util/status_macros.h"
#include "lib/util/str_cat.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"
#include "rocksdb/metadata.h"
#include "rocksdb/sst_file_reader.h"

namespace kpidb {
namespace store {
namespace {

std::string_view KindName(DictKind kind) { return DictKindName(kind); }

// Bytes from disk quoted into a message, escaped and cut (lib/util/quote.h).
std::string Quoted(std::string_view bytes) { return QuoteForMessage(bytes); }

// One dictionary as found on disk. Ids arrive in increasing order (keys
// are big-endian), so gaps are seen as they happen.
struct FoundDict {
  enum class State { kOk, kInvalid, kDamaged };
  struct Entry {
    State state = State::kOk;
    std::string text;         // when not damaged
    std::optional<Unit> unit;  // unit dictionary: the parsed unit
  };
  absl::flat_hash_map<uint32_t, Entry> entries;
  absl::flat_hash_map<std::string, uint32_t> ids;  // text -> first id
  uint32_t next = 1;  // the id the next entry should have
  uint64_t count = 0;

  const Entry* Find(uint32_t id) const {
    auto it = entries.find(id);
    return it == entries.end() ? nullptr : &it->second;
  }
};

// One run of the checks over one RocksDB handle, filling one report.
class Checker {
 public:
  Checker(std::string path, rocksdb::Env* env, const CheckOptions& options)
      : path_(std::move(path)), env_(env), options_(options) {}

  // Runs every check, opening RocksDB read-only.
  void RunReadOnly() {
    ReadFirstCommitRecord();
    Options o;
    o.read_only = true;
    rocksdb::Options ro = RocksOptions(o, env_, path_);
    std::unique_ptr<rocksdb::DB> db = OpenReadOnly(ro);
    if (db != nullptr) CheckOpen(db.get(), ro);
    db.reset();
    FindLeftovers();
  }

  // Runs every check on `db`, opened by the caller as the writer.
  void RunOnWriter(rocksdb::DB* db, const rocksdb::Options& ro) {
    ro_ = ro;
    ReadFirstCommitRecord();
    CheckOpen(db, ro);
    FindLeftovers();
  }

  // Whether a repair has anything to do.
  bool WantsRepair() const {
    return commit_repair_.has_value() || !leftovers_.empty() || snapshot_repair_;
  }
  uint64_t unrepairable() const { return unrepairable_; }

  // Rewrites the commit record from `db`'s sequence number and removes
  // leftover files. REQUIRES: the caller holds the writer lock on `db`, and
  // unrepairable() == 0.
  [[nodiscard]] absl::Status Repair(rocksdb::DB* db) {
    if (!leftovers_.empty()) {
      KPIDB_RETURN_IF_ERROR(ClearStaging(env_, StagingDir(path_)));
      for (const std::string& name : leftovers_) {
        if (name.find('/') == std::string::npos) {  // beside the database's files
          rocksdb::Status s = env_->DeleteFile(kpidb::StrCat(path_, "/", name));
          if (!s.ok() && !s.IsNotFound() && !s.IsPathNotFound()) return FromRocksDB(s, name);
        }
        report_.repairs.push_back(kpidb::StrCat(name, ": removed"));
      }
    }
    if (snapshot_repair_) {
      // The entries are the source of truth and verified clean: the
      // snapshot follows from them. Ingested as a write commits, then the
      // commit record follows the database as after a write.
      Catalog entries;
      KPIDB_RETURN_IF_ERROR(entries.LoadEntries(db));
      Staging staging(ro_, StagingDir(path_));
      KPIDB_RETURN_IF_ERROR(staging.Put(kSnapshotKey, entries.EncodeSnapshot()));
      KPIDB_RETURN_IF_ERROR(staging.IngestInto(db, path_));
      KPIDB_RETURN_IF_ERROR(WriteCommitRecord(env_, path_, db->GetLatestSequenceNumber()));
      report_.repairs.push_back(
          "the catalog snapshot 'S': rewritten from the catalog entries");
      if (!commit_repair_.has_value()) report_.commit_record = db->GetLatestSequenceNumber();
    }
    if (commit_repair_.has_value()) {
      const uint64_t now = db->GetLatestSequenceNumber();
      KPIDB_RETURN_IF_ERROR(WriteCommitRecord(env_, path_, now));
      report_.repairs.push_back(kpidb::StrCat(kCommitRecordName, ": rewritten with write ", now,
                                              " (it was ", *commit_repair_, ")"));
      report_.commit_record = now;
    }
    DropRepairableProblems();
    return absl::OkStatus();
  }

  void Note(std::string note) { report_.notes.push_back(std::move(note)); }
  CheckReport TakeReport() { return std::move(report_); }

 private:
  void Problem(std::string where, std::string what,
               absl::StatusCode code = absl::StatusCode::kDataLoss, bool repairable = false) {
    if (!repairable) ++unrepairable_;
    if (report_.problems.size() >= options_.max_problems) {
      ++report_.unlisted_problems;
      if (repairable) ++unlisted_repairable_;
      return;
    }
    report_.problems.push_back(CheckProblem{std::move(where), std::move(what), code, repairable});
  }

  // A problem the commit record's rewrite fixes.
  void CommitRecordProblem(std::string what, absl::StatusCode code, std::string was) {
    if (!commit_repair_.has_value()) commit_repair_ = std::move(was);
    Problem(kCommitRecordName, std::move(what), code, /*repairable=*/true);
  }

  void DropRepairableProblems() {
    auto& p = report_.problems;
    p.erase(std::remove_if(p.begin(), p.end(), [](const CheckProblem& x) { return x.repairable; }),
            p.end());
    report_.unlisted_problems -= unlisted_repairable_;
    unlisted_repairable_ = 0;
  }

  // --- 1. The commit record -------------------------------------------------

  void ReadFirstCommitRecord() {
    absl::StatusOr<std::optional<uint64_t>> record = ReadCommitRecord(env_, path_);
    if (record.ok()) {
      first_record_ = *record;
      return;
    }
    record_unreadable_ = true;
    if (absl::IsDataLoss(record.status())) {
      CommitRecordProblem(
          kpidb::StrCat(record.status().message(),
                        ": DB::Open refuses the database until it is rewritten"),
          absl::StatusCode::kDataLoss, "damaged");
    } else {
      Problem(kCommitRecordName, std::string(record.status().message()), record.status().code());
    }
  }

  // Against the database's sequence number. The record was read before
  // RocksDB was opened, so a writer committing meanwhile cannot make it look
  // newer than the database; it is read again now for "behind", so that a
  // record written meanwhile does not look stale.
  void CheckCommitRecord(rocksdb::DB* db) {
    const uint64_t found = db->GetLatestSequenceNumber();
    report_.sequence = found;
    if (record_unreadable_) return;
    if (!first_record_.has_value()) {
      CommitRecordProblem(
          kpidb::StrCat("missing: a truncated MANIFEST would go unnoticed without it (the "
                        "next writer open writes it)"),
          absl::StatusCode::kNotFound, "missing");
      return;
    }
    report_.commit_record = *first_record_;
    if (partial_) return;  // an older state of the database, on purpose
    if (*first_record_ > found) {
      Problem(kCommitRecordName,
              kpidb::StrCat("records write ", *first_record_, " but the database ends at write ",
                            found,
                            ": RocksDB's MANIFEST or its files lost committed facts. Not "
                            "repaired: restore a backup or ingest the data again (deleting ",
                            kCommitRecordName, " accepts the loss)"));
      return;
    }
    absl::StatusOr<std::optional<uint64_t>> again = ReadCommitRecord(env_, path_);
    const uint64_t now = again.ok() && again->has_value() ? **again : *first_record_;
    report_.commit_record = now;
    if (now < found) {
      CommitRecordProblem(
          kpidb::StrCat("records write ", now, " but the database is at write ", found,
                        ": a write ended without updating it (the next writer open rewrites "
                        "it)"),
          absl::StatusCode::kFailedPrecondition, kpidb::StrCat("at write ", now));
    }
  }

  // --- 2. Opening -----------------------------------------------------------

  std::unique_ptr<rocksdb::DB> OpenReadOnly(const rocksdb::Options& ro) {
    absl::StatusOr<std::unique_ptr<rocksdb::DB>> db = OpenRocksDB(ro, path_, /*read_only=*/true);
    if (db.ok()) return std::move(*db);
    Problem("database",
            kpidb::StrCat("RocksDB cannot open it as kpidb does: ", db.status().message()),
            db.status().code());
    // What RocksDB can still read: the newest state whose table files are
    // all present and intact, without the write-ahead log. Read-only, so
    // this too changes nothing.
    rocksdb::Options fallback = ro;
    fallback.best_efforts_recovery = true;
    fallback.paranoid_checks = false;
    rocksdb::DB* raw = nullptr;
    rocksdb::Status s = rocksdb::DB::OpenForReadOnly(fallback, path_, &raw);
    if (!s.ok()) {
      Note(kpidb::StrCat("nothing else was checked: RocksDB cannot open the database even "
                         "with best-effort recovery (",
                         s.ToString(), ")"));
      return nullptr;
    }
    partial_ = true;
    Note("RocksDB opened the database only with best-effort recovery: the checks below saw "
         "the newest state whose table files are all present, without the write-ahead log; "
         "data outside it was not checked");
    return std::unique_ptr<rocksdb::DB>(raw);
  }

  void CheckOpen(rocksdb::DB* db, const rocksdb::Options& ro) {
    CheckCommitRecord(db);
    CheckTables(db, ro);
    ScanKeys(db);
    CheckSnapshot(db);
  }

  // --- 3. Table files -------------------------------------------------------

  struct DamagedFile {
    std::string name;
    std::string smallest, largest;
  };

  void CheckTables(rocksdb::DB* db, const rocksdb::Options& ro) {
    std::vector<rocksdb::LiveFileMetaData> files;
    db->GetLiveFilesMetaData(&files);
    rocksdb::ReadOptions read;
    read.verify_checksums = true;
    read.fill_cache = false;
    rocksdb::Status all = db->VerifyChecksum(read);
    if (all.ok()) {
      report_.table_files = files.size();
      return;
    }
    // Name every damaged file, not just the first.
    for (const rocksdb::LiveFileMetaData& f : files) {
      const std::string file = kpidb::StrCat(f.db_path, f.name);
      rocksdb::SstFileReader reader(ro);
      rocksdb::Status s = reader.Open(file);
      if (s.ok()) s = reader.VerifyChecksum(read);
      if (s.ok()) {
        ++report_.table_files;
        continue;
      }
      const std::string name = std::filesystem::path(f.name).filename().string();
      Problem(kpidb::StrCat("table file ", name),
              kpidb::StrCat(s.ToString(), "; it holds keys from ", DescribeKey(f.smallestkey),
                            " to ", DescribeKey(f.largestkey)),
              FromRocksDB(s, name).code());
      damaged_files_.push_back({name, f.smallestkey, f.largestkey});
    }
    if (damaged_files_.empty()) {
      const absl::Status status = FromRocksDB(all, "table files");
      Problem("table files", std::string(status.message()), status.code());
    }
    std::sort(damaged_files_.begin(), damaged_files_.end(),
              [](const DamagedFile& a, const DamagedFile& b) { return a.smallest < b.smallest; });
  }

  // --- 4. Keys ---------------------------------------------------------------

  // "series IIJ/capex/actual", "dictionary metric id 7", "key 'x'": a key
  // as the report names it, through the catalog as far as it is known.
  std::string DescribeKey(std::string_view key) const {
    uint32_t a, b, c;
    DictKind kind;
    if (ParseSeriesKey(key, &a, &b, &c)) return SeriesWhere(a, b, c);
    if (ParseDictKey(key, &kind, &a)) return kpidb::StrCat("dictionary ", KindName(kind), " id ", a);
    if (ParseCompanyKey(key, &a)) return CompanyWhere(a);
    if (key == kMetaKey) return "the meta key 'm'";
    if (key == kSnapshotKey) return "the catalog snapshot 'S'";
    return kpidb::StrCat("key ", Quoted(key));
  }

  // The catalog's text of `id` (quoted unless valid for its kind, which
  // makes it plain ASCII), or "[metric id 7]" when it has none.
  std::string Name(DictKind kind, uint32_t id) const {
    const FoundDict::Entry* e = dicts_[static_cast<int>(kind)].Find(id);
    if (e == nullptr || e->state == FoundDict::State::kDamaged) {
      return kpidb::StrCat("[", KindName(kind), " id ", id, "]");
    }
    return e->state == FoundDict::State::kOk ? e->text : Quoted(e->text);
  }

  std::string SeriesWhere(uint32_t metric, uint32_t scenario, uint32_t company) const {
    return kpidb::StrCat("series ", Name(DictKind::kCompany, company), "/",
                         Name(DictKind::kMetric, metric), "/",
                         Name(DictKind::kScenario, scenario));
  }

  std::string CompanyWhere(uint32_t id) const {
    const FoundDict::Entry* e = dicts_[static_cast<int>(DictKind::kCompany)].Find(id);
    if (e == nullptr || e->state == FoundDict::State::kDamaged) {
      return kpidb::StrCat("company record id ", id);
    }
    return kpidb::StrCat("company record id ", id, " (", Name(DictKind::kCompany, id), ")");
  }

  void ScanKeys(rocksdb::DB* db) {
    rocksdb::ReadOptions read;
    read.verify_checksums = true;
    read.fill_cache = false;
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(read));
    it->SeekToFirst();
    std::optional<std::string> last;  // the last key read
    size_t skipped = 0;               // damaged files stepped over
    while (true) {
      for (; it->Valid(); it->Next()) {
        const std::string_view key = SliceView(it->key());
        VisitKey(key, SliceView(it->value()));
        last = std::string(key);
      }
      if (it->status().ok()) break;
      const absl::Status status = FromRocksDB(it->status(), "scan");
      const std::string after =
          last.has_value() ? kpidb::StrCat("after ", DescribeKey(*last)) : "from the first key";
      // Go on past the keys of the next damaged file, if the failure is in one.
      const DamagedFile* next = nullptr;
      for (size_t i = skipped; i < damaged_files_.size() && next == nullptr; ++i) {
        if (!last.has_value() || damaged_files_[i].largest > *last) next = &damaged_files_[i];
        skipped = i + 1;
      }
      if (next == nullptr) {
        Problem("keys",
                kpidb::StrCat("the scan stopped ", after, ": ", status.message(),
                              "; the keys after it were not checked"),
                status.code());
        break;
      }
      Problem("keys",
              kpidb::StrCat("the scan stopped ", after, " (", status.message(),
                            "); it goes on after damaged table file ", next->name,
                            ", whose keys up to ", DescribeKey(next->largest),
                            " were not checked"),
              status.code());
      unread_.push_back({last, next->largest});
      it.reset(db->NewIterator(read));
      it->Seek(next->largest + std::string(1, '\0'));
      last = next->largest;
    }
    if (!catalog_done_) FinishCatalog();
    if (!meta_seen_ && !Unread(kMetaKey)) {
      Problem("the meta key 'm'",
              "missing: without it this is not a kpidb database (or its header was lost)");
    }
  }

  // Whether `key` lies in a range the scan stepped over: its absence is
  // no finding of its own.
  bool Unread(std::string_view key) const {
    for (const UnreadRange& r : unread_) {
      if ((!r.after.has_value() || key > *r.after) && key <= r.last) return true;
    }
    return false;
  }

  void VisitKey(std::string_view key, std::string_view value) {
    ++report_.keys;
    if (!catalog_done_ && !key.empty() && key[0] > kDictPrefix) FinishCatalog();
    const char prefix = key.empty() ? '\0' : key[0];
    uint32_t a, b, c;
    DictKind kind;
    if (prefix == kCompanyPrefix && ParseCompanyKey(key, &a)) {
      company_values_.emplace_back(a, std::string(value));
    } else if (prefix == kDictPrefix && ParseDictKey(key, &kind, &a)) {
      VisitDictEntry(kind, a, value);
    } else if (key == kMetaKey) {
      VisitMeta(value);
    } else if (key == kSnapshotKey) {
      snapshot_ = std::string(value);
    } else if (prefix == kSeriesPrefix && ParseSeriesKey(key, &a, &b, &c)) {
      VisitSeries(a, b, c, value);
    } else {
      Problem(kpidb::StrCat("key ", Quoted(key)),
              kpidb::StrCat("not a kpidb key (", key.size(), " bytes): doc/format.md has only "
                            "'S', 'm', 'c' + 4 bytes, 'd' + kind 1..5 + 4 bytes and 's' + 12 bytes"));
    }
  }

  void VisitMeta(std::string_view value) {
    meta_seen_ = true;
    absl::StatusOr<uint8_t> version = DecodeMetaValue(value);
    if (!version.ok()) {
      Problem("the meta key 'm'", std::string(version.status().message()),
              version.status().code());
      return;
    }
    format_version_ = *version;
  }

  void VisitDictEntry(DictKind kind, uint32_t id, std::string_view value) {
    FoundDict& dict = dicts_[static_cast<int>(kind)];
    const std::string where = kpidb::StrCat("dictionary ", KindName(kind), " id ", id);
    ++dict.count;
    ++report_.dictionary_entries;
    if (id == 0) {
      Problem(where, "id 0 stands for the empty string and is never stored");
      return;
    }
    if (id > dict.next && !Unread(DictKey(kind, dict.next))) {
      Problem(id - 1 == dict.next
                  ? kpidb::StrCat("dictionary ", KindName(kind), " id ", dict.next)
                  : kpidb::StrCat("dictionary ", KindName(kind), " ids ", dict.next, "..", id - 1),
              kpidb::StrCat("missing: ids are dense from 1, and entries go on at id ", id));
    }
    dict.next = id + 1;
    FoundDict::Entry& e = dict.entries[id];
    absl::StatusOr<std::string_view> text = DecodeDictValue(value);
    if (!text.ok()) {
      e.state = FoundDict::State::kDamaged;
      Problem(where, std::string(text.status().message()), text.status().code());
      return;
    }
    e.text = std::string(*text);
    auto [first, inserted] = dict.ids.emplace(e.text, id);
    if (!inserted) {
      e.state = FoundDict::State::kInvalid;
      Problem(where, kpidb::StrCat(Quoted(e.text), " repeats id ", first->second,
                                   ": each string is stored once"));
      return;
    }
    if (std::string why = InvalidText(kind, e.text, &e.unit); !why.empty()) {
      e.state = FoundDict::State::kInvalid;
      Problem(where, std::move(why));
    }
  }

  // Why `text` is not a valid string of `kind` (empty when it is); the
  // parsed unit of a unit entry.
  static std::string InvalidText(DictKind kind, const std::string& text,
                                 std::optional<Unit>* unit) {
    if (text.empty()) return "the empty string: id 0 stands for it and is never stored";
    bool valid = true;
    std::string_view expected;
    switch (kind) {
      case DictKind::kCompany:
        valid = ValidateCompanyId(text).ok();
        expected = "a company id ([A-Za-z0-9][A-Za-z0-9._:-]*)";
        break;
      case DictKind::kMetric:
        valid = ValidateMetric(text).ok();
        expected = "a metric name ([a-z0-9_]+(\\.[a-z0-9_]+)*)";
        break;
      case DictKind::kScenario:
        valid = ValidateScenario(text).ok();
        expected = "a scenario ([a-z0-9_]+)";
        break;
      case DictKind::kUnit: {
        absl::StatusOr<Unit> u = Unit::Parse(text);
        if (!u.ok()) return kpidb::StrCat(Quoted(text), " is not a unit kpidb knows");
        *unit = *u;
        if (u->ToString() != text) {
          return kpidb::StrCat(Quoted(text), " is not in canonical form (",
                               Quoted(u->ToString()), ")");
        }
        return "";
      }
      case DictKind::kSource:
        return "";  // free text
    }
    if (valid) return "";
    return kpidb::StrCat(Quoted(text), " is not ", expected);
  }

  // The catalog is complete: company records can be checked against it.
  void FinishCatalog() {
    catalog_done_ = true;
    const FoundDict& ids = dicts_[static_cast<int>(DictKind::kCompany)];
    for (const auto& [id, value] : company_values_) {
      ++report_.companies;
      const std::string where = CompanyWhere(id);
      if (id == 0) {
        Problem(where, "company id 0 is the empty string: no company has it");
      } else if (ids.Find(id) == nullptr) {
        Problem(where, kpidb::StrCat("the company dictionary has no id ", id));
      }
      absl::StatusOr<Company> company = DecodeCompanyValue(value);
      if (!company.ok()) {
        Problem(where, std::string(company.status().message()), company.status().code());
        continue;
      }
      // The rule of WriteBatch::PutCompany.
      if (!company->currency.empty()) {
        absl::StatusOr<Unit> u = Unit::Parse(company->currency);
        if (!u.ok() || u->scale() != 0 || u->dimension().size() != 3) {
          Problem(where, kpidb::StrCat("currency ", Quoted(company->currency),
                                       " is not a code like JPY"));
        }
      }
    }
    company_values_.clear();
    report_.company_ids = ids.count;
    report_.metrics = dicts_[static_cast<int>(DictKind::kMetric)].count;
    report_.scenarios = dicts_[static_cast<int>(DictKind::kScenario)].count;
    report_.units = dicts_[static_cast<int>(DictKind::kUnit)].count;
    report_.sources = dicts_[static_cast<int>(DictKind::kSource)].count;
  }

  // Why `id` of `kind` cannot be used by a series (empty when it can).
  // Id 0 is the empty string: allowed where `zero_ok`.
  std::string BadReference(DictKind kind, uint32_t id, bool zero_ok) const {
    if (id == 0) {
      return zero_ok ? "" : kpidb::StrCat(KindName(kind), " id 0 (the empty string)");
    }
    const FoundDict::Entry* e = dicts_[static_cast<int>(kind)].Find(id);
    if (e == nullptr) {
      if (Unread(DictKey(kind, id))) return "";  // reported with its table file
      return kpidb::StrCat(KindName(kind), " id ", id, ", which is not in the catalog");
    }
    if (e->state == FoundDict::State::kDamaged) {
      return kpidb::StrCat(KindName(kind), " id ", id, ", whose dictionary entry is damaged");
    }
    return "";
  }

  void VisitSeries(uint32_t metric, uint32_t scenario, uint32_t company, std::string_view value) {
    ++report_.series;
    const std::string where = SeriesWhere(metric, scenario, company);
    for (auto [kind, id] : {std::pair{DictKind::kCompany, company},
                            std::pair{DictKind::kMetric, metric},
                            std::pair{DictKind::kScenario, scenario}}) {
      if (std::string why = BadReference(kind, id, /*zero_ok=*/false); !why.empty()) {
        Problem(where, kpidb::StrCat("its key names ", why));
      }
    }
    absl::Status s = DecodeChunk(value, kNeedAll, &rows_);
    if (!s.ok()) {
      Problem(where, std::string(s.message()), s.code());
      return;
    }
    report_.facts += rows_.size();
    // Each distinct unit and source id once.
    std::vector<uint32_t> unit_ids, source_ids;
    for (const ChunkRow& r : rows_) {
      unit_ids.push_back(r.unit_id);
      source_ids.push_back(r.source_id);
    }
    for (std::vector<uint32_t>* v : {&unit_ids, &source_ids}) {
      std::sort(v->begin(), v->end());
      v->erase(std::unique(v->begin(), v->end()), v->end());
    }
    for (uint32_t id : source_ids) {
      if (std::string why = BadReference(DictKind::kSource, id, true); !why.empty()) {
        Problem(where, kpidb::StrCat("its facts name ", why));
      }
    }
    const Unit kPureNumber;
    const Unit* first = nullptr;
    uint32_t first_id = 0;
    bool mixed = false;
    for (uint32_t id : unit_ids) {
      if (std::string why = BadReference(DictKind::kUnit, id, true); !why.empty()) {
        Problem(where, kpidb::StrCat("its facts name ", why));
        continue;
      }
      const Unit* u = &kPureNumber;
      if (id != 0) {
        const FoundDict::Entry* e = dicts_[static_cast<int>(DictKind::kUnit)].Find(id);
        if (!e->unit.has_value()) continue;  // reported with its entry
        u = &*e->unit;
      }
      if (first == nullptr) {
        first = u;
        first_id = id;
      } else if (!mixed && !first->SameDimension(*u)) {
        mixed = true;
        Problem(where, kpidb::StrCat("its facts have units of different dimensions: ",
                                     Quoted(first->ToString()), " (unit id ", first_id, ") and ",
                                     Quoted(u->ToString()), " (unit id ", id,
                                     "); a series has one dimension"));
      }
    }
  }

  // The catalog snapshot against the entries. A damaged or differing
  // snapshot is repairable: the entries, once verified clean, say what it
  // must be.
  void CheckSnapshot(rocksdb::DB* db) {
    const std::string where = "the catalog snapshot 'S'";
    constexpr std::string_view kRepair = "; --repair rewrites it from the catalog entries";
    if (!snapshot_.has_value()) {
      if (Unread(kSnapshotKey)) return;
      if (format_version_ < kFirstSnapshotVersion) {
        Note("format version 1 (written by an older kpidb): no catalog snapshot, so DB::Open "
             "reads every catalog entry; the next writer open adds it");
        return;
      }
      Problem(where, kpidb::StrCat("missing: DB::Open refuses the database without it", kRepair),
              absl::StatusCode::kDataLoss, /*repairable=*/true);
      snapshot_repair_ = true;
      return;
    }
    Catalog snapshot;
    absl::Status s = snapshot.LoadSnapshot(*snapshot_);
    snapshot_.reset();
    if (!s.ok()) {
      Problem(where, kpidb::StrCat(s.message(), kRepair), s.code(), /*repairable=*/true);
      snapshot_repair_ = true;
      return;
    }
    // Entries that do not load are damage reported by the scan; there is
    // nothing sound to compare the snapshot with.
    Catalog entries;
    if (!entries.LoadEntries(db).ok()) return;
    const std::string difference = CatalogDifference(snapshot, entries);
    if (!difference.empty()) {
      Problem(where,
              kpidb::StrCat("disagrees with the catalog entries (", difference,
                            ", the snapshot's first): DB::Open refuses the database when it "
                            "notices, and reads the snapshot's catalog when not",
                            kRepair),
              absl::StatusCode::kDataLoss, /*repairable=*/true);
      snapshot_repair_ = true;
    }
  }

  // --- 5. Leftovers ---------------------------------------------------------

  void FindLeftovers() {
    std::vector<std::string> children;
    const std::string staging = StagingDir(path_);
    rocksdb::Status s = env_->GetChildren(staging, &children);
    std::sort(children.begin(), children.end());
    if (s.ok()) {
      for (const std::string& name : children) {
        if (name == "." || name == "..") continue;
        leftovers_.push_back(kpidb::StrCat("staging/", name));
        Note(kpidb::StrCat("staging/", name,
                           ": a file of a write that was interrupted (or is still running); "
                           "not part of the database, harmless; removed by --repair or the "
                           "next writer open"));
      }
    }
    const std::string tmp = kpidb::StrCat(kCommitRecordName, ".tmp");
    if (env_->FileExists(kpidb::StrCat(path_, "/", tmp)).ok()) {
      leftovers_.push_back(tmp);
      Note(kpidb::StrCat(tmp, ": a commit record never renamed into place; harmless; removed "
                              "by --repair"));
    }
  }

  const std::string path_;
  rocksdb::Env* const env_;
  const CheckOptions options_;
  CheckReport report_;
  uint64_t unrepairable_ = 0;
  uint64_t unlisted_repairable_ = 0;

  // The commit record as read before RocksDB was opened.
  std::optional<uint64_t> first_record_;
  bool record_unreadable_ = false;
  // What the record was, when a rewrite would fix it.
  std::optional<std::string> commit_repair_;
  // RocksDB opened only with best-effort recovery.
  bool partial_ = false;

  std::vector<DamagedFile> damaged_files_;
  // Key ranges the scan stepped over: (after, last], from the first key
  // when `after` is unset.
  struct UnreadRange {
    std::optional<std::string> after;
    std::string last;
  };
  std::vector<UnreadRange> unread_;
  FoundDict dicts_[kNumDictKinds];
  std::vector<std::pair<uint32_t, std::string>> company_values_;  // until the catalog is done
  bool catalog_done_ = false;
  bool meta_seen_ = false;
  // The meta key's format version, when it could be read.
  uint8_t format_version_ = kFormatVersion;
  // The snapshot's value, from the scan until it is checked.
  std::optional<std::string> snapshot_;
  // Whether repair rewrites the snapshot, and the options of the writer
  // handle it ingests with.
  bool snapshot_repair_ = false;
  rocksdb::Options ro_;
  std::vector<ChunkRow> rows_;  // scratch
  // Leftover files, relative to the database directory.
  std::vector<std::string> leftovers_;
};

// NotFound unless `path` holds a database (or what is left of one: a
// MANIFEST without CURRENT is damage to report, not an empty folder).
[[nodiscard]] absl::Status FindDatabase(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::exists(fs::path(path) / "CURRENT", ec)) return absl::OkStatus();
  fs::directory_iterator it(path, ec);
  if (ec == std::errc::permission_denied) {
    return absl::PermissionDeniedError(kpidb::StrCat("cannot read '", path, "': ", ec.message()));
  }
  if (!ec) {
    for (const fs::directory_entry& e : it) {
      if (e.path().filename().string().starts_with("MANIFEST-")) return absl::OkStatus();
    }
  }
  return absl::NotFoundError(kpidb::StrCat("no kpidb database at '", path, "'"));
}

std::string RepairRefused(uint64_t problems) {
  return kpidb::StrCat("--repair changed nothing: ", problems,
                       problems == 1 ? " problem needs" : " problems need",
                       " a backup or the original data (repair rewrites the commit record "
                       "only when everything else verified clean)");
}

}  // namespace
}  // namespace store

namespace {

absl::StatusOr<CheckReport> CheckDatabaseUnguarded(std::string_view path_view,
                                                   const CheckOptions& options) {
  using store::Checker;
  const std::string path(path_view);
  rocksdb::Env* env = store::DefaultEnv();
  KPIDB_RETURN_IF_ERROR(store::FindDatabase(path));
  Checker check(path, env, options);
  check.RunReadOnly();
  if (!options.repair) return check.TakeReport();
  if (check.unrepairable() > 0) {
    check.Note(store::RepairRefused(check.unrepairable()));
    return check.TakeReport();
  }
  if (!check.WantsRepair()) return check.TakeReport();
  // Under the writer lock nothing changes between the check and the repair.
  Options writer;
  writer.create_if_missing = false;
  rocksdb::Options ro = store::RocksOptions(writer, env, path);
  // No compaction deleting files while they are checked one by one.
  ro.disable_auto_compactions = true;
  KPIDB_ASSIGN_OR_RETURN(std::unique_ptr<rocksdb::DB> db,
                         store::OpenRocksDB(ro, path, /*read_only=*/false));
  Checker again(path, env, options);
  again.RunOnWriter(db.get(), ro);
  if (again.unrepairable() > 0) {
    again.Note(store::RepairRefused(again.unrepairable()));
  } else {
    KPIDB_RETURN_IF_ERROR(again.Repair(db.get()));
  }
  rocksdb::Status s = db->Close();
  if (!s.ok()) return store::FromRocksDB(s, path);
  return again.TakeReport();
}

}  // namespace

absl::StatusOr<CheckReport> CheckDatabase(std::string_view path, const CheckOptions& options) {
  return ReturnResourceErrors(path, [&] { return CheckDatabaseUnguarded(path, options); });
}

}  // namespace kpidb
