// Crash test: a writer process (kpidb_crash_writer) is killed with SIGKILL
// at random moments while it applies a deterministic sequence of batches:
// while it opens or creates the database, stages table files, ingests them,
// writes the commit record, and while RocksDB compacts in the background.
// After each kill the database, opened read-only, must be exactly the state
// after the last write the writer saw return, or, if it had begun the next
// one, the state after that one: a write that returned is never lost, and
// the write in flight is all or nothing. The next writer process then
// reopens the same database and continues from there.
//
// States are compared by kpidb's canonical dump (every fact, all versions,
// and the companies, as kpidb-dump prints them), computed once per state by
// applying the batches in this process. Each of those reference states is
// itself checked against a model of the batches that does not go through
// kpidb's storage (workload.h), so a wrong reference cannot hide a loss.
//
// Environment (each failure prints the seed and iteration to replay it):
//   KPIDB_CRASH_ITERATIONS  kills (default 50; 12 in sanitizer/Debug builds)
//   KPIDB_CRASH_SEED        workload and kill-time seed (default: random)
//   KPIDB_CRASH_BATCHES     batches in the sequence (default 24; 12)
// Thousands of kills (a few minutes per thousand in a Release build):
//   KPIDB_CRASH_ITERATIONS=3000 build/tests/kpidb_crash_test --gtest_filter='CrashTest.*'
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <sstream>
#include <string>
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

// What a killed writer printed.
struct Progress {
  bool opened = false;
  int last_begun = 0;      // 0: none
  int last_committed = 0;  // 0: none
  bool done = false;
  std::string error;
  int64_t opened_ns = 0;
  // From --trace, at the end of the output:
  std::set<std::string> open_files;  // "staging NAME", "table NAME"
  bool linked = false;               // the write in flight began ingesting
  std::map<int, double> batch_ms;    // how long each write that returned took
};

Progress ParseProgress(const Child& child) {
  Progress p;
  int64_t begun_ns = 0;
  for (const Child::Line& line : child.lines()) {
    std::istringstream in(line.text);
    std::string word;
    in >> word;
    if (word == "opened") {
      p.opened = true;
      in >> p.opened_ns;
    } else if (word == "begin") {
      in >> p.last_begun >> begun_ns;
      p.linked = false;
    } else if (word == "committed") {
      int64_t ns = 0;
      in >> p.last_committed >> ns;
      if (p.last_committed == p.last_begun) p.batch_ms[p.last_committed] = (ns - begun_ns) / 1e6;
    } else if (word == "done") {
      p.done = true;
    } else if (word == "fs") {
      std::string event, rest;
      int64_t ns;
      in >> event >> ns >> std::ws;
      std::getline(in, rest);
      if (event == "open") p.open_files.insert(rest);
      if (event == "close") p.open_files.erase(rest);
      if (event == "link") p.linked = true;
    } else {
      p.error += line.text + "; ";
    }
  }
  return p;
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int CountTableFiles(const std::string& dir) {
  int n = 0;
  for (const auto& e : fs::directory_iterator(dir)) n += e.path().extension() == ".sst";
  return n;
}

TEST(CrashTest, KilledWriterLeavesOldOrNewState) {
  const uint64_t seed = EnvSeed("KPIDB_CRASH_SEED");
  const int iterations = static_cast<int>(EnvInt("KPIDB_CRASH_ITERATIONS", kSlowBuild ? 12 : 50));
  const int n = static_cast<int>(EnvInt("KPIDB_CRASH_BATCHES", kSlowBuild ? 12 : 24));
  ASSERT_GE(n, 2);
  // About 5,000 facts a batch (tens of ms to write in a Release build); a
  // tenth of that in slow builds.
  Spec spec;
  spec.seed = seed;
  spec.companies = kSlowBuild ? 6 : 10;
  spec.metrics = kSlowBuild ? 15 : 40;
  spec.touch = 3;
  spec.periods = kSlowBuild ? 8 : 18;
  spec.csv_every = 4;
  const std::string replay = "KPIDB_CRASH_SEED=" + std::to_string(seed) +
                             " KPIDB_CRASH_BATCHES=" + std::to_string(n);
  std::cout << "crash test: " << replay << " KPIDB_CRASH_ITERATIONS=" << iterations
            << " (spec " << spec.ToString() << ")\n";
  ScopedTempDir dir;

  // The model's states, then kpidb's: the reference, built in this process
  // with the same batches, dumped after each, and timed to spread the kills.
  absl::StatusOr<std::vector<Fingerprint>> model = ModelStates(spec, n);
  ASSERT_THAT(model, IsOk());
  std::vector<uint64_t> reference(n + 1);
  std::vector<double> batch_ms(n + 1, 0);
  {
    absl::StatusOr<std::unique_ptr<DB>> db = DB::Open(Options(), dir.Sub("reference"));
    ASSERT_THAT(db, IsOk());
    for (int k = 0; k <= n; ++k) {
      if (k > 0) {
        const int64_t t0 = NowNs();
        ASSERT_THAT(ApplyBatch(db->get(), spec, MakeBatch(spec, k)), IsOk()) << replay;
        batch_ms[k] = (NowNs() - t0) / 1e6;
      }
      absl::StatusOr<Observed> seen = Observe(**db);
      ASSERT_THAT(seen, IsOk());
      ASSERT_EQ(seen->fp, (*model)[k]) << "kpidb's state after batch " << k
                                       << " is not the model's; " << replay;
      reference[k] = seen->dump_hash;
    }
    // Every batch changes the state, so "old or new" is a real choice.
    ASSERT_EQ(std::set<uint64_t>(reference.begin(), reference.end()).size(), reference.size());
    // RocksDB compacted: every write ingested at least one table file, and
    // fewer remain.
    EXPECT_LT(CountTableFiles(dir.Sub("reference")), n)
        << "no compaction ran, so no kill could land in one";
  }
  double total_ms = 0;
  for (double ms : batch_ms) total_ms += ms;
  std::cout << "reference: " << n << " batches, " << (*model)[n].ToString() << ", "
            << static_cast<int>(total_ms) << " ms of writes\n";

  // Which reference state a dump is, for messages.
  auto describe = [&](const Observed& seen) -> std::string {
    for (int k = 0; k <= n; ++k) {
      if (seen.dump_hash == reference[k]) return "state " + std::to_string(k);
    }
    for (int k = 0; k <= n; ++k) {
      if (seen.fp == (*model)[k]) return "the facts of state " + std::to_string(k) +
                                         " in another order or form";
    }
    return "no state of the sequence: " + seen.fp.ToString();
  };

  const std::string db_path = dir.Sub("db");
  std::mt19937_64 rng(seed ^ 0x6b696c6c);  // "kill"
  int state = 0;      // the state the database holds
  bool exists = false;  // whether a writer ever finished opening it
  double open_ms = kSlowBuild ? 400 : 60;  // child start to "opened", adapted
  std::map<std::string, int> where;  // where the kills landed
  int in_flight_kept = 0, in_flight_dropped = 0, kills_compacting = 0;
  int aimed = 0, aimed_hit = 0;  // kills aimed at a traced event, and those that found it
  int no_database_yet = 0;       // creations killed before there was a database
  const int64_t start = NowNs();
  for (int it = 0; it < iterations; ++it) {
    // Where to kill: a fifth of the time while the writer starts and opens
    // (recovery, creation); three tenths just after it begins writing a
    // compaction output (half of these), staging a write or ingesting one
    // (the N-th such event, N random); otherwise at a time spread over its
    // writes and a little beyond.
    double writes_ms = 0;
    for (int k = state + 1; k <= n; ++k) writes_ms += batch_ms[k];
    std::uniform_real_distribution<double> unit(0, 1);
    const double mode = unit(rng);
    double delay_ms = mode < 0.2 ? open_ms * unit(rng) : open_ms + 1.1 * writes_ms * unit(rng);
    std::string event;  // kill after the writer traces this: table, staging, link
    int event_count = 0;
    if (mode >= 0.2 && mode < 0.5) {
      static const char* const kEvents[] = {"table", "table", "staging", "link"};
      const int e = std::uniform_int_distribution<int>(0, 3)(rng);
      event = kEvents[e];
      // One staging file and one link per write; a compaction about every
      // fourth write.
      const int expected = e <= 1 ? (n - state) / 5 : n - state;
      event_count = std::uniform_int_distribution<int>(1, std::max(1, expected))(rng);
      delay_ms = 1.5 * (open_ms + writes_ms);  // if the event does not come
    }
    const double event_delay_ms = 3 * unit(rng);
    const std::string context =
        replay + " iteration " + std::to_string(it) + " (kill " +
        (event.empty() ? "after " + std::to_string(static_cast<int>(delay_ms)) + " ms"
                       : std::to_string(event_delay_ms).substr(0, 4) + " ms after " + event +
                             " event #" + std::to_string(event_count)) +
        ", from state " + std::to_string(state) + ")";
    Child child;
    const std::string err_path = dir.Sub("writer.stderr");
    const int64_t t0 = NowNs();
    ASSERT_EQ(child.Start({KPIDB_CRASH_WRITER_BIN, "--db=" + db_path, "--spec=" + spec.ToString(),
                           "--first=" + std::to_string(state + 1),
                           "--last=" + std::to_string(n), "--trace"},
                          err_path),
              "");
    int events = 0;
    bool ended = child.ReadUntil(
        t0 + static_cast<int64_t>(delay_ms * 1e6), [&](const std::string& line) {
          // "fs open T table NAME", "fs open T staging NAME", "fs link T NAME"
          std::istringstream in(line);
          std::string fs, what, kind;
          int64_t ns;
          if (event.empty() || !(in >> fs >> what >> ns) || fs != "fs") return false;
          const bool match = event == "link" ? what == "link"
                                             : what == "open" && in >> kind && kind == event;
          return match && ++events == event_count;
        });
    if (!event.empty()) {
      ++aimed;
      aimed_hit += events == event_count;
    }
    if (!ended && events == event_count && !event.empty()) {
      ended = child.ReadUntil(NowNs() + static_cast<int64_t>(event_delay_ms * 1e6));
    }
    if (!ended) child.Kill();
    child.ReadToEnd();
    const int status = child.Wait();
    const Progress p = ParseProgress(child);
    // Later kills aim by how fast this writer really opens and writes.
    if (p.opened) open_ms = 0.8 * open_ms + 0.2 * (p.opened_ns - t0) / 1e6;
    for (const auto& [j, ms] : p.batch_ms) batch_ms[j] = 0.5 * batch_ms[j] + 0.5 * ms;

    // The writer was killed, or finished every batch; nothing else.
    const bool killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
    const bool finished = WIFEXITED(status) && WEXITSTATUS(status) == 0 && p.done;
    ASSERT_TRUE(p.error.empty() && child.partial().empty() && (killed || finished))
        << context << ": the writer " << DescribeWaitStatus(status) << ", said '" << p.error
        << child.partial() << "'; stderr: " << ReadText(err_path);
    if (finished) {
      ASSERT_EQ(p.last_committed, n) << context;
    }

    // The states a reader may see now.
    const int committed = p.last_committed > 0 ? p.last_committed : state;
    std::vector<int> allowed = {committed};
    if (p.last_begun > p.last_committed && p.last_begun == committed + 1) {
      allowed.push_back(committed + 1);
    }
    bool staging = false, compacting = false;
    for (const std::string& f : p.open_files) {
      (f.substr(0, 8) == "staging " ? staging : compacting) = true;
    }
    where[finished    ? "after the last batch"
          : !p.opened ? (exists ? "while opening" : "while creating")
          : p.last_begun > p.last_committed
              ? (staging ? "staging a write" : p.linked ? "ingesting" : "merging a write")
              : "between writes"]++;
    kills_compacting += compacting;

    Options ro;
    ro.read_only = true;
    absl::StatusOr<std::unique_ptr<DB>> db = DB::Open(ro, db_path);
    int seen = -1;
    if (!db.ok()) {
      // A creation killed before DB::Open returned made no database: a
      // read-only open may say so (no CURRENT yet, or RocksDB files without
      // kpidb's meta key yet); the next writer creates it.
      const bool no_database =
          db.status().code() == absl::StatusCode::kNotFound ||
          (db.status().code() == absl::StatusCode::kFailedPrecondition &&
           db.status().message().find("is not a kpidb database") != std::string_view::npos);
      ASSERT_TRUE(!exists && !p.opened && no_database)
          << context << ": read-only open failed: " << db.status();
      seen = 0;
      ++no_database_yet;
    } else {
      absl::StatusOr<Observed> observed = Observe(**db);
      ASSERT_THAT(observed, IsOk()) << context;
      for (int k : allowed) {
        if (reference[k] == observed->dump_hash && (*model)[k] == observed->fp) seen = k;
      }
      ASSERT_NE(seen, -1) << context << ": the writer had committed batch " << committed
                          << (allowed.size() > 1 ? " and begun the next" : "")
                          << ", but the database holds " << describe(*observed);
      exists = true;
    }
    if (allowed.size() > 1) ++(seen == committed ? in_flight_dropped : in_flight_kept);
    if (iterations >= 200 && (it + 1) % 100 == 0) {
      std::cout << it + 1 << " kills, " << (NowNs() - start) / 1'000'000'000 << " s" << std::endl;
    }
    state = seen;
    if (state == n) {  // start over, so that kills land in creations too
      db = absl::StatusOr<std::unique_ptr<DB>>(nullptr);
      fs::remove_all(db_path);
      state = 0;
      exists = false;
    }
  }

  // A writer in this process reopens what the last kill left and finishes.
  {
    absl::StatusOr<std::unique_ptr<DB>> db = DB::Open(Options(), db_path);
    ASSERT_THAT(db, IsOk()) << replay << " after the last iteration";
    for (int k = state + 1; k <= n; ++k) {
      ASSERT_THAT(ApplyBatch(db->get(), spec, MakeBatch(spec, k)), IsOk()) << replay;
    }
    absl::StatusOr<Observed> observed = Observe(**db);
    ASSERT_THAT(observed, IsOk());
    EXPECT_EQ(observed->dump_hash, reference[n])
        << replay << ": finished as " << describe(*observed);
  }
  std::cout << iterations << " kills in " << (NowNs() - start) / 1'000'000 << " ms:";
  for (const auto& [name, count] : where) std::cout << " " << count << " " << name << ";";
  std::cout << " " << aimed_hit << " of " << aimed << " aimed at an event found it; "
            << kills_compacting << " while a compaction wrote a table; write in flight kept "
            << in_flight_kept << ", dropped " << in_flight_dropped << "; " << no_database_yet
            << " killed creations left no database yet\n";
}

// What writers opening after kills leave in the folder: the staged files of
// a killed write are removed by the next writer's open, and RocksDB's logs,
// which hold nothing (writes are ingested), do not pile up, one per open.
TEST(CrashTest, ReopensAfterKillsLeaveNoFilesBehind) {
  const uint64_t seed = EnvSeed("KPIDB_CRASH_SEED");
  Spec spec;
  spec.seed = seed;
  spec.companies = 3;
  spec.metrics = 6;
  spec.years = 3;
  spec.touch = 1;
  spec.periods = 6;
  spec.csv_every = 3;
  const int n = 8;
  absl::StatusOr<std::vector<Fingerprint>> model = ModelStates(spec, n);
  ASSERT_THAT(model, IsOk());
  ScopedTempDir dir;
  const std::string db_path = dir.Sub("db");
  auto count = [&](const std::string& folder, const std::string& ext) {
    int c = 0;
    if (!fs::exists(folder)) return 0;
    for (const auto& e : fs::directory_iterator(folder)) c += ext.empty() || e.path().extension() == ext;
    return c;
  };
  for (int j = 1; j <= n; ++j) {
    // A writer killed while it stages batch j.
    Child child;
    ASSERT_EQ(child.Start({KPIDB_CRASH_WRITER_BIN, "--db=" + db_path, "--spec=" + spec.ToString(),
                           "--first=" + std::to_string(j), "--last=" + std::to_string(j),
                           "--trace"},
                          dir.Sub("writer.stderr")),
              "");
    child.ReadUntil(NowNs() + int64_t{60} * 1'000'000'000, [](const std::string& line) {
      return line.rfind("fs close", 0) == 0 && line.find(" staging ") != std::string::npos;
    });
    child.Kill();
    child.ReadToEnd();
    child.Wait();
    // The next writer clears what it staged, and writes batch j itself
    // unless the killed one got it in.
    absl::StatusOr<std::unique_ptr<DB>> db = DB::Open(Options(), db_path);
    ASSERT_THAT(db, IsOk()) << "seed " << seed << " batch " << j;
    EXPECT_EQ(count(db_path + "/staging", ""), 0) << "staged files of a killed write remain";
    absl::StatusOr<Fingerprint> fp = FingerprintOf(**db);
    ASSERT_THAT(fp, IsOk());
    if (*fp != (*model)[j]) {
      ASSERT_EQ(*fp, (*model)[j - 1]) << "seed " << seed << " batch " << j;
      ASSERT_THAT(ApplyBatch(db->get(), spec, MakeBatch(spec, j)), IsOk());
    }
  }
  // 2 * n writer opens so far; RocksDB needs the current log only.
  EXPECT_LE(count(db_path, ".log"), 2) << "each writer open left a log file behind";
}

}  // namespace
}  // namespace kpidb::crash
