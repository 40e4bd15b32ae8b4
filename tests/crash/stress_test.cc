// Stress test: while a writer process (kpidb_crash_writer) applies batch
// after batch, and RocksDB compacts behind it, readers open the database
// read-only over and over: threads of this process (each handle read one
// to three times) and reader processes (kpidb_crash_reader, spawned again
// and again). Every read must succeed and see exactly the state after some
// batch, never a mix, and a state that fits its time: not older than the
// last write that returned before the read's open began, not newer than the
// last write begun before the read ended. Reads of one handle agree.
//
// The workload replaces values in place (Spec::cycle), so the database stays
// small and every write rewrites table files, and compactions keep deleting
// files: the race behind read-only opens failing with "No such file ...
// NNNNNN.sst" (DBImpl::Open retries them). The test counts the reader-process
// opens during which the writer deleted a table file.
//
// Environment:
//   KPIDB_STRESS_SECONDS    how long the writer writes (default 30)
//   KPIDB_STRESS_SEED       workload seed (default: random, printed)
//   KPIDB_STRESS_THREADS    reader threads (default 2)
//   KPIDB_STRESS_PROCESSES  reader processes at a time (default 2)
//   KPIDB_STRESS_REOPEN     the writer reopens after every N-th batch (default
//                           25; 0: never)
// Longer: KPIDB_STRESS_SECONDS=600 build/tests/kpidb_crash_test --gtest_filter='StressTest.*'
#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kpidb/db.h"
#include "tests/crash/crash_env.h"
#include "tests/crash/process.h"
#include "tests/crash/workload.h"
#include "tests/testutil.h"

namespace kpidb::crash {
namespace {

namespace fs = std::filesystem;
using ::kpidb::testing::IsOk;
using ::kpidb::testing::ScopedTempDir;

struct Read {
  std::string who;  // "thread 1 handle 7 read 2", "process 12 read 1"
  int64_t t0 = 0;       // before DB::Open
  int64_t t_open = 0;   // DB::Open returned
  int64_t t1 = 0;       // read done
  std::string error;    // empty when it succeeded
  Fingerprint fp;
  bool process = false;
  uint64_t handle = 0;  // thread reads of one handle share it (0: none)
};

class Reads {
 public:
  void Add(Read r) {
    std::lock_guard<std::mutex> l(mu_);
    reads_.push_back(std::move(r));
  }
  std::vector<Read> Take() {
    std::lock_guard<std::mutex> l(mu_);
    return std::move(reads_);
  }

 private:
  std::mutex mu_;
  std::vector<Read> reads_;
};

TEST(StressTest, ReadersSeeWholeStatesWhileAWriterIngestsAndCompacts) {
  const uint64_t seed = EnvSeed("KPIDB_STRESS_SEED");
  const long seconds = EnvInt("KPIDB_STRESS_SECONDS", 30);
  const int threads = static_cast<int>(EnvInt("KPIDB_STRESS_THREADS", 2));
  const int processes = static_cast<int>(EnvInt("KPIDB_STRESS_PROCESSES", 2));
  const long reopen_every = EnvInt("KPIDB_STRESS_REOPEN", 25);
  Spec spec;
  spec.seed = seed;
  spec.companies = 6;
  spec.metrics = 20;
  spec.years = 6;
  spec.touch = 2;
  spec.periods = 4;
  spec.cycle = 3;
  spec.csv_every = 5;
  const std::string replay = "KPIDB_STRESS_SEED=" + std::to_string(seed) +
                             " KPIDB_STRESS_SECONDS=" + std::to_string(seconds);
  std::cout << "stress test: " << replay << " (" << threads << " reader threads, " << processes
            << " reader processes, writer reopens every " << reopen_every << " batches; spec "
            << spec.ToString() << ")\n";
  ScopedTempDir dir;
  const std::string db_path = dir.Sub("db");

  Child writer;
  ASSERT_EQ(writer.Start({KPIDB_CRASH_WRITER_BIN, "--db=" + db_path, "--spec=" + spec.ToString(),
                          "--first=1", "--last=100000000", "--seconds=" + std::to_string(seconds),
                          "--reopen-every=" + std::to_string(reopen_every), "--trace"},
                         dir.Sub("writer.stderr")),
            "");
  // Readers start once the database exists.
  writer.ReadUntil(NowNs() + int64_t{60} * 1'000'000'000,
                   [](const std::string& line) { return line.rfind("opened", 0) == 0; });
  ASSERT_TRUE(std::any_of(writer.lines().begin(), writer.lines().end(),
                          [](const Child::Line& l) { return l.text.rfind("opened", 0) == 0; }))
      << "the writer did not open the database: "
      << (writer.lines().empty() ? "" : writer.lines().back().text);

  std::atomic<bool> stop{false};
  Reads reads;
  std::atomic<uint64_t> next_handle{1};
  std::atomic<int> process_failures{0};
  std::vector<std::string> process_problems;
  std::mutex problems_mu;
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      std::mt19937_64 rng(seed + t);
      Options ro;
      ro.read_only = true;
      while (!stop) {
        Read r;
        r.t0 = NowNs();
        absl::StatusOr<std::unique_ptr<DB>> db = DB::Open(ro, db_path);
        r.t_open = NowNs();
        r.handle = next_handle++;
        if (!db.ok()) {
          r.t1 = r.t_open;
          r.who = "thread " + std::to_string(t) + " open";
          r.error = db.status().ToString();
          reads.Add(r);
          continue;
        }
        const int n = 1 + static_cast<int>(rng() % 3);
        for (int i = 1; i <= n && !stop; ++i) {
          absl::StatusOr<Fingerprint> fp = FingerprintOf(**db);
          Read ri = r;
          ri.t1 = NowNs();
          ri.who = "thread " + std::to_string(t) + " handle " + std::to_string(r.handle) +
                   " read " + std::to_string(i);
          if (fp.ok()) {
            ri.fp = *fp;
          } else {
            ri.error = fp.status().ToString();
          }
          reads.Add(ri);
        }
      }
    });
  }
  for (int p = 0; p < processes; ++p) {
    workers.emplace_back([&, p] {
      for (int run = 0; !stop; ++run) {
        Child reader;
        const std::string err = dir.Sub("reader" + std::to_string(p) + ".stderr");
        std::string started = reader.Start({KPIDB_CRASH_READER_BIN, "--db=" + db_path, "--reads=2"},
                                           err);
        reader.ReadToEnd();
        const int status = started.empty() ? reader.Wait() : 0;
        std::string problem;
        if (!started.empty()) {
          problem = started;
        } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !reader.partial().empty()) {
          std::ifstream in(err);
          std::stringstream ss;
          ss << in.rdbuf();
          problem = "reader process " + DescribeWaitStatus(status) + ": " + ss.str();
        }
        if (!problem.empty()) {
          ++process_failures;
          std::lock_guard<std::mutex> l(problems_mu);
          process_problems.push_back(problem);
        }
        int i = 0;
        for (const Child::Line& line : reader.lines()) {
          std::istringstream in(line.text);
          std::string word;
          Read r;
          r.process = true;
          r.who = "process " + std::to_string(p) + " run " + std::to_string(run) + " read " +
                  std::to_string(++i);
          in >> word >> r.t0 >> r.t_open >> r.t1;
          if (word == "read") {
            std::string hash;
            in >> r.fp.facts >> r.fp.companies >> hash;
            r.fp.hash = std::strtoull(hash.c_str(), nullptr, 16);
          } else {
            std::getline(in >> std::ws, r.error);
            r.error = word + ": " + r.error;
          }
          if (!in && word == "read") r.error = "unreadable line '" + line.text + "'";
          reads.Add(r);
        }
      }
    });
  }

  // The writer stops by itself after `seconds`.
  writer.ReadUntil(NowNs() + (seconds + 120) * int64_t{1'000'000'000});
  const bool writer_ended = writer.ReadUntil(NowNs());
  if (!writer_ended) writer.Kill();
  writer.ReadToEnd();
  const int writer_status = writer.Wait();
  stop = true;
  for (std::thread& w : workers) w.join();

  // What the writer did, with the times its writes began and returned, and
  // when it deleted table files.
  std::map<int, int64_t> begun, committed;
  std::vector<int64_t> deletions;
  int linked = 0, compaction_outputs = 0, reopens = 0;
  bool done = false;
  std::string writer_errors;
  for (const Child::Line& line : writer.lines()) {
    std::istringstream in(line.text);
    std::string word, event;
    int j;
    int64_t ns;
    in >> word;
    if (word == "begin" && in >> j >> ns) {
      begun[j] = ns;
    } else if (word == "committed" && in >> j >> ns) {
      committed[j] = ns;
    } else if (word == "fs" && in >> event >> ns) {
      if (event == "delete") deletions.push_back(ns);
      if (event == "link") ++linked;
      std::string kind;
      if (event == "open" && in >> kind && kind == "table") ++compaction_outputs;
    } else if (word == "reopened") {
      ++reopens;
    } else if (word == "done") {
      done = true;
    } else if (word != "opened") {
      writer_errors += line.text + "\n";
    }
  }
  ASSERT_TRUE(writer_ended && done && writer_errors.empty() && WIFEXITED(writer_status) &&
              WEXITSTATUS(writer_status) == 0)
      << replay << ": writer " << DescribeWaitStatus(writer_status) << ": " << writer_errors;
  const int last = committed.empty() ? 0 : committed.rbegin()->first;
  ASSERT_EQ(static_cast<int>(committed.size()), last);

  absl::StatusOr<std::vector<Fingerprint>> states = ModelStates(spec, last);
  ASSERT_THAT(states, IsOk());
  std::unordered_map<uint64_t, int> state_of;
  for (int k = 0; k <= last; ++k) state_of[(*states)[k].hash] = k;
  ASSERT_EQ(static_cast<int>(state_of.size()), last + 1) << "two states of the sequence are equal";

  // Check every read.
  std::vector<Read> all = reads.Take();
  std::vector<std::string> failures = process_problems;
  std::map<uint64_t, int> handle_state;
  std::set<int> seen;
  int thread_reads = 0, process_reads = 0, process_opens_racing_deletes = 0;
  std::sort(deletions.begin(), deletions.end());
  for (const Read& r : all) {
    (r.process ? process_reads : thread_reads)++;
    if (!r.error.empty()) {
      failures.push_back(r.who + " failed: " + r.error);
      continue;
    }
    auto it = state_of.find(r.fp.hash);
    if (it == state_of.end() || (*states)[it->second] != r.fp) {
      failures.push_back(r.who + " saw no state of the sequence: " + r.fp.ToString());
      continue;
    }
    const int k = it->second;
    seen.insert(k);
    if (k > 0 && begun.at(k) >= r.t1) {
      failures.push_back(r.who + " saw state " + std::to_string(k) +
                         ", whose write began after the read ended");
    }
    if (committed.count(k + 1) && committed.at(k + 1) <= r.t0) {
      failures.push_back(r.who + " saw state " + std::to_string(k) + ", but write " +
                         std::to_string(k + 1) + " had returned before its open began");
    }
    if (r.handle != 0) {
      auto [h, added] = handle_state.try_emplace(r.handle, k);
      if (!added && h->second != k) {
        failures.push_back(r.who + " saw state " + std::to_string(k) + ", an earlier read of " +
                           "its handle state " + std::to_string(h->second));
      }
    }
    if (r.process) {
      auto d = std::lower_bound(deletions.begin(), deletions.end(), r.t0);
      process_opens_racing_deletes += d != deletions.end() && *d <= r.t_open;
    }
  }
  size_t live_tables = 0;
  for (const auto& e : fs::directory_iterator(db_path)) live_tables += e.path().extension() == ".sst";

  std::cout << "writer: " << last << " batches in " << seconds << " s, " << reopens
            << " reopens, " << linked << " table files ingested, " << compaction_outputs
            << " compaction outputs, " << deletions.size() << " table files deleted, "
            << live_tables << " live\n"
            << "readers: " << thread_reads << " thread reads, " << process_reads
            << " process reads (" << process_opens_racing_deletes
            << " opens while a table file was deleted), " << seen.size()
            << " distinct states, " << failures.size() << " failures\n";
  for (size_t i = 0; i < failures.size() && i < 20; ++i) {
    ADD_FAILURE() << replay << ": " << failures[i];
  }
  EXPECT_TRUE(failures.empty()) << failures.size() << " failed reads; " << replay;

  // The test did what it claims: the writer wrote and compacted, readers
  // read often, in both ways, and saw the database change under them.
  const int min_reads = static_cast<int>(std::max<long>(10, seconds * (kSlowBuild ? 1 : 2)));
  EXPECT_GE(last, 20) << "the writer wrote too little";
  EXPECT_GT(deletions.size(), 10u) << "compactions deleted too few table files";
  if (threads > 0) {
    EXPECT_GE(thread_reads, min_reads);
  }
  if (processes > 0) {
    EXPECT_GE(process_reads, min_reads);
  }
  EXPECT_GE(seen.size(), std::min<size_t>(10, last)) << "reads saw too few distinct states";
}

}  // namespace
}  // namespace kpidb::crash
