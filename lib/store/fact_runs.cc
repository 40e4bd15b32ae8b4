#include "lib/store/fact_runs.h"

#include <algorithm>
#include <cstring>
#include <queue>
#include <utility>

#include "lib/store/rocksdb_status.h"
#include "lib/util/status_macros.h"
#include "lib/util/str_cat.h"
#include "rocksdb/env.h"

namespace kpidb::store {

static_assert(sizeof(RunFact) == 64, "run files hold RunFact bytes");

ChunkRow RunFact::Row() const {
  ChunkRow r;
  r.start = start;
  r.end = end;
  r.instant = instant != 0;
  r.mantissa = mantissa;
  r.exponent = exponent;
  r.unit_id = unit_id;
  r.as_of = as_of == kRunNoAsOf ? kNoAsOf : as_of;
  r.source_id = source_id;
  return r;
}

namespace {

// (metric, scenario, company, seq) as two 64-bit comparisons: sorting runs
// is a sixth of a large ingest, and four chained ones cost more.
bool Before(const RunFact& a, const RunFact& b) {
  const uint64_t ah = (uint64_t{a.metric} << 32) | a.scenario;
  const uint64_t bh = (uint64_t{b.metric} << 32) | b.scenario;
  if (ah != bh) return ah < bh;
  return ((uint64_t{a.company} << 32) | a.seq) < ((uint64_t{b.company} << 32) | b.seq);
}

// One sorted run: the last buffer in memory, or a spilled file read in
// blocks.
class RunCursor {
 public:
  // In memory.
  explicit RunCursor(std::vector<RunFact> facts) : block_(std::move(facts)) {}
  // A file of `count` facts.
  RunCursor(std::unique_ptr<rocksdb::SequentialFile> file, std::string name, uint64_t count)
      : file_(std::move(file)), name_(std::move(name)), left_in_file_(count) {}

  // Moves to the next fact; false at the end or on error.
  bool Advance(absl::Status* status) {
    if (++pos_ < block_.size()) return true;
    if (file_ == nullptr || left_in_file_ == 0) return false;
    constexpr size_t kBlockFacts = 4096;  // 256 KiB a run
    const size_t n = static_cast<size_t>(std::min<uint64_t>(left_in_file_, kBlockFacts));
    block_.resize(n);
    rocksdb::Slice got;
    rocksdb::Status s = file_->Read(n * sizeof(RunFact), &got, reinterpret_cast<char*>(block_.data()));
    if (s.ok() && got.size() != n * sizeof(RunFact)) {
      s = rocksdb::Status::Corruption("short read");
    }
    if (!s.ok()) {
      *status = FromRocksDB(s, name_);
      return false;
    }
    if (got.data() != reinterpret_cast<const char*>(block_.data())) {
      std::memcpy(block_.data(), got.data(), got.size());
    }
    left_in_file_ -= n;
    pos_ = 0;
    return true;
  }
  const RunFact& fact() const { return block_[pos_]; }

 private:
  std::vector<RunFact> block_;
  size_t pos_ = static_cast<size_t>(-1);  // Advance() first
  std::unique_ptr<rocksdb::SequentialFile> file_;
  std::string name_;
  uint64_t left_in_file_ = 0;
};

class MergingReader final : public FactRuns::Reader {
 public:
  explicit MergingReader(std::vector<std::unique_ptr<RunCursor>> runs) : runs_(std::move(runs)) {
    for (size_t i = 0; i < runs_.size(); ++i) Push(i);
  }

  bool NextSeries(std::vector<RunFact>* facts, size_t limit, bool* overflowed) override {
    facts->clear();
    *overflowed = false;
    RunFact first{};
    bool any = false;
    while (!heap_.empty() && status_.ok()) {
      const size_t i = heap_.top();
      const RunFact& f = runs_[i]->fact();
      if (any && !first.SameSeries(f)) break;
      if (!any) {
        first = f;
        any = true;
      }
      if (facts->size() < limit) {
        facts->push_back(f);
      } else {
        *overflowed = true;
      }
      heap_.pop();
      Push(i);
    }
    return status_.ok() && any;
  }
  [[nodiscard]] absl::Status status() const override { return status_; }

 private:
  void Push(size_t i) {
    if (runs_[i]->Advance(&status_)) heap_.push(i);
  }
  struct Later {
    const MergingReader* r;
    bool operator()(size_t a, size_t b) const {
      return Before(r->runs_[b]->fact(), r->runs_[a]->fact());
    }
  };

  std::vector<std::unique_ptr<RunCursor>> runs_;
  std::priority_queue<size_t, std::vector<size_t>, Later> heap_{Later{this}};
  absl::Status status_;
};

}  // namespace

FactRuns::FactRuns(rocksdb::Env* env, std::string dir, size_t buffer_facts)
    : env_(env), dir_(std::move(dir)), buffer_facts_(std::max<size_t>(buffer_facts, 1)) {}

FactRuns::~FactRuns() {
  for (const std::string& f : files_) env_->DeleteFile(f).PermitUncheckedError();
}

absl::Status FactRuns::Add(const RunFact& f) {
  if (buffer_.size() >= buffer_facts_) KPIDB_RETURN_IF_ERROR(Spill());
  if (buffer_.capacity() == 0) buffer_.reserve(std::min<size_t>(buffer_facts_, 1 << 16));
  buffer_.push_back(f);
  ++count_;
  return absl::OkStatus();
}

absl::Status FactRuns::Spill() {
  // Facts arrive in seq order, so a stable sort by series alone would do;
  // sorting by (series, seq) says so.
  std::sort(buffer_.begin(), buffer_.end(), Before);
  if (files_.empty()) {
    rocksdb::Status s = env_->CreateDirIfMissing(dir_);
    if (!s.ok()) return FromRocksDB(s, dir_);
  }
  const std::string name = kpidb::StrCat(dir_, "/run-", files_.size() + 1);
  std::unique_ptr<rocksdb::WritableFile> file;
  rocksdb::Status s = env_->NewWritableFile(name, &file, rocksdb::EnvOptions());
  if (!s.ok()) return FromRocksDB(s, name);
  files_.push_back(name);
  s = file->Append(rocksdb::Slice(reinterpret_cast<const char*>(buffer_.data()),
                                  buffer_.size() * sizeof(RunFact)));
  if (s.ok()) s = file->Close();
  if (!s.ok()) return FromRocksDB(s, name);
  run_sizes_.push_back(buffer_.size());
  buffer_.clear();
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<FactRuns::Reader>> FactRuns::Read() {
  std::vector<std::unique_ptr<RunCursor>> runs;
  for (size_t i = 0; i < files_.size(); ++i) {
    std::unique_ptr<rocksdb::SequentialFile> file;
    rocksdb::Status s = env_->NewSequentialFile(files_[i], &file, rocksdb::EnvOptions());
    if (!s.ok()) return FromRocksDB(s, files_[i]);
    runs.push_back(std::make_unique<RunCursor>(std::move(file), files_[i], run_sizes_[i]));
  }
  std::sort(buffer_.begin(), buffer_.end(), Before);
  runs.push_back(std::make_unique<RunCursor>(std::move(buffer_)));
  buffer_ = {};
  return std::unique_ptr<Reader>(std::make_unique<MergingReader>(std::move(runs)));
}

}  // namespace kpidb::store
