// Out of memory is an error, never an abort. kpidb-ingest used to die with
// "terminate called after throwing an instance of 'std::system_error'"
// (exit 134, a core dump) when its address space ran out: RocksDB could
// not start a thread. Under every address-space limit (ulimit -v) from too
// small to enough, it must now load the file or exit 1 saying it ran out of
// memory, and leave the database in its old state or the new one. Reading
// is not there yet (the disabled test below).
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kpidb/db.h"
#include "kpidb/query.h"
#include "tests/tools/tool_test_util.h"

namespace kpidb::testing {
namespace {

using ::testing::HasSubstr;

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

// Facts in the database at `path` (0 when it has none or cannot be read).
size_t FactCount(const std::string& path) {
  Options options;
  options.read_only = true;
  absl::StatusOr<std::unique_ptr<DB>> db = DB::Open(options, path);
  EXPECT_THAT(db, IsOk());
  if (!db.ok()) return 0;
  Query all;
  all.all_versions = true;
  absl::StatusOr<QueryResult> r = (*db)->Execute(all);
  EXPECT_THAT(r, IsOk());
  return r.ok() ? r->size() : 0;
}

TEST(OutOfMemoryTest, IngestUnderEveryAddressSpaceLimitLoadsOrFailsCleanly) {
  if (kSanitized) {
    GTEST_SKIP() << "AddressSanitizer and ThreadSanitizer reserve terabytes of address "
                    "space, so ulimit -v cannot apply; the optimized pass runs this test";
  }
  ScopedTempDir dir;
  const std::string facts = SamplePath("iij-fy2013-1q3q.csv");
  // The new state's size, loaded without a limit.
  const std::string reference = dir.Sub("reference");
  ASSERT_EQ(RunBinary(KPIDB_INGEST_BIN, {"-q", reference, SamplePath("companies.csv"), facts},
                      dir.path())
                .exit_code,
            0);
  const size_t all_facts = FactCount(reference);
  ASSERT_GT(all_facts, 100u);

  int loaded = 0, refused = 0;
  // Fine steps: the band between "cannot start" and "enough" is narrow.
  for (int mib = 8; mib <= 160; mib += 4) {
    SCOPED_TRACE(mib);
    // The old state: the company, no facts.
    const std::string db = dir.Sub("db" + std::to_string(mib));
    ASSERT_EQ(RunBinary(KPIDB_INGEST_BIN, {"-q", db, SamplePath("companies.csv")}, dir.path())
                  .exit_code,
              0);
    const std::string limit = "ulimit -v " + std::to_string(mib * 1024) + "; exec ";
    // Below what the program needs to start at all, the dynamic loader
    // fails before kpidb runs: not kpidb's to report.
    if (RunBinary("/bin/sh", {"-c", limit + ShellQuote(KPIDB_INGEST_BIN) + " --version"},
                  dir.path())
            .exit_code != 0) {
      continue;
    }
    const RunResult r = RunBinary(
        "/bin/sh", {"-c", limit + ShellQuote(KPIDB_INGEST_BIN) + " -q " + ShellQuote(db) + " " +
                              ShellQuote(facts)},
        dir.path());
    // 134 was the abort; any signal shows as 128 + its number.
    ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r;
    if (r.exit_code == 1) {
      ++refused;
      EXPECT_THAT(r.err, HasSubstr("out of memory")) << r;
      EXPECT_EQ(FactCount(db), 0u) << "a failed ingest wrote something";
    } else {
      ++loaded;
      EXPECT_EQ(FactCount(db), all_facts);
    }
  }
  // The sweep went from too little memory to enough.
  EXPECT_GT(refused, 0);
  EXPECT_GT(loaded, 0);
}

// Reading under every limit: the rows or a clean error. KNOWN FAILURE,
// hence disabled (reported on the issue): at some limits (it depends on
// the address-space layout, so not on every run) kpidb-dump aborts inside
// RocksDB, "ZSTD_Uncompress: Assertion `context != nullptr' failed": a
// decompression context RocksDB allocates lazily (per core) and does not
// check. Run it with --gtest_also_run_disabled_tests.
TEST(OutOfMemoryTest, DISABLED_DumpUnderEveryAddressSpaceLimitReadsOrFailsCleanly) {
  if (kSanitized) GTEST_SKIP() << "see IngestUnderEveryAddressSpaceLimitLoadsOrFailsCleanly";
  ScopedTempDir dir;
  const std::string db = dir.Sub("db");
  ASSERT_EQ(RunBinary(KPIDB_INGEST_BIN, {"-q", db, SamplePath("companies.csv"),
                                         SamplePath("iij-fy2013-1q3q.csv")},
                      dir.path())
                .exit_code,
            0);
  for (int mib = 8; mib <= 160; mib += 2) {
    SCOPED_TRACE(mib);
    const std::string limit = "ulimit -v " + std::to_string(mib * 1024) + "; exec ";
    const RunResult dump = RunBinary(
        "/bin/sh", {"-c", limit + ShellQuote(KPIDB_DUMP_BIN) + " " + ShellQuote(db)}, dir.path());
    if (dump.err.find("error while loading shared libraries") != std::string::npos) continue;
    ASSERT_TRUE(dump.exit_code == 0 || dump.exit_code == 1) << dump;
    if (dump.exit_code == 1) {
      EXPECT_THAT(dump.err, HasSubstr("out of memory")) << dump;
    }
  }
}

}  // namespace
}  // namespace kpidb::testing
