// Helpers for tests over the bundled sample (data/sample/): its files,
// loading them into a database, and a database's contents as text to
// compare before and after. Shared by the ingest and the tools tests.
#ifndef KPIDB_TESTS_SAMPLE_TESTUTIL_H_
#define KPIDB_TESTS_SAMPLE_TESTUTIL_H_

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kpidb/db.h"
#include "kpidb/dump.h"
#include "kpidb/ingest.h"
#include "kpidb/options.h"
#include "kpidb/query.h"
#include "lib/util/str_cat.h"
#include "tests/testutil.h"

namespace kpidb::testing {

inline std::string SamplePath(const std::string& name) {
  return std::string(KPIDB_SOURCE_DIR) + "/data/sample/" + name;
}

// The sample's companies and facts files, in the order the README loads them.
inline std::vector<std::string> SampleFiles() {
  return {SamplePath("companies.csv"), SamplePath("iij-fy2013-1q3q.csv")};
}

// The bytes of `path`; empty when it cannot be read.
inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void WriteFile(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary);
  out << data;
  ASSERT_TRUE(out.good()) << path;
}

// Loads the sample into the database at `db_path`, creating it. In-process,
// which is faster than the binary; call with ASSERT_NO_FATAL_FAILURE.
inline void LoadSample(const std::string& db_path) {
  absl::StatusOr<std::unique_ptr<DB>> db = DB::Open(Options(), db_path);
  ASSERT_THAT(db, IsOk());
  IngestReport report;
  ASSERT_THAT(IngestFiles(db->get(), SampleFiles(), IngestOptions(), &report), IsOk());
}

// Every fact (all versions) and every company of `db`, as CSV.
inline std::string Snapshot(const DB& db) {
  Query q;
  q.all_versions = true;
  absl::StatusOr<QueryResult> r = db.Execute(q);
  EXPECT_THAT(r, IsOk());
  std::ostringstream out;
  if (r.ok()) WriteFacts(*r, DumpFormat::kCsv, out);
  WriteCompanies(db.Companies(), DumpFormat::kCsv, out);
  return out.str();
}

// The same, read through a read-only handle on `db_path` (which works while
// another handle holds the writer).
inline std::string SnapshotAt(const std::string& db_path) {
  Options options;
  options.read_only = true;
  absl::StatusOr<std::unique_ptr<DB>> handle = DB::Open(options, db_path);
  EXPECT_THAT(handle, IsOk());
  if (!handle.ok()) return "";
  return Snapshot(**handle);
}

// Each file in `dir` with its size, modification time and a hash of its
// bytes, one per line and sorted: equal listings mean nothing in the
// directory was written.
inline std::string DirectoryListing(const std::string& dir) {
  std::vector<std::string> lines;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    struct stat st;
    if (stat(e.path().c_str(), &st) != 0) continue;
    const size_t hash =
        e.is_regular_file() ? std::hash<std::string>()(ReadFile(e.path().string())) : 0;
    lines.push_back(kpidb::StrCat(e.path().filename().string(), " ", st.st_size, " ",
                                  st.st_mtim.tv_sec, ".", st.st_mtim.tv_nsec, " ", hash));
  }
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const std::string& l : lines) kpidb::StrAppend(&out, l, "\n");
  return out;
}

}  // namespace kpidb::testing

#endif  // KPIDB_TESTS_SAMPLE_TESTUTIL_H_
