// Fuzz target for reading CSV: the RFC 4180 reader (lib/csv/csv_reader.h)
// and the ingest of facts and companies files (include/kpidb/ingest.h).
//
// Input: arbitrary bytes, read two ways.
//   1. csv::Reader over the whole input must terminate (each call consumes
//      input), number records by non-decreasing lines that exist in the
//      input, and, for an input without errors, read back the same records
//      from its own re-serialization (every field quoted).
//   2. kpidb::IngestInputs, as a dry run, into a database created once per
//      process that holds two companies (IIJ with a March year-end, ACME
//      with the calendar year) and some of IIJ's facts, so that new rows
//      meet stored chunks, versions and conflicts. The input is split into
//      files at each line "=====" (files are told apart by their header).
//      Errors are expected; the target checks only that nothing crashes and
//      that the report is consistent: an OK status has no errors, every
//      error reads "FILE:LINE: error: ...", at most max_errors are listed.
//      The input's length picks the options (replace, a default as_of), so
//      that one input always runs the same way.
// A dry run writes nothing, so every input sees the same database.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/civil_time.h"
#include "kpidb/db.h"
#include "kpidb/ingest.h"
#include "kpidb/options.h"
#include "lib/csv/csv_reader.h"
#include "lib/util/str_cat.h"
#include "tests/fuzz/fuzz_check.h"

namespace kpidb {
namespace {

using fuzz::Quote;

constexpr char kCompanies[] =
    "company,name,fiscal_year_end,fy_naming,currency\n"
    "IIJ,Internet Initiative Japan Inc.,3,start,JPY\n"
    "ACME,Acme Corp.,12,end,USD\n";

constexpr char kFacts[] =
    "company,metric,period,value,unit,scenario,as_of,source\n"
    "IIJ,revenue.total,FY2013Q1-Q3,82746,JPY million,actual,2014-02-07,deck I\n"
    "IIJ,revenue.total,FY2013,117.0,JPY billion,target,,deck II-1\n"
    "IIJ,revenue.total,FY2013,114.0,JPY billion,target,2014-02-07,deck II-1\n"
    "IIJ,revenue.total,FY2013Q1,26.4,JPY billion,actual,2014-02-07,deck II-6\n"
    "IIJ,revenue.total,FY2013Q2,28.0,JPY billion,actual,2014-02-07,deck II-6\n"
    "IIJ,revenue.total,FY2013Q3,28.4,JPY billion,actual,2014-02-07,deck II-6\n"
    "IIJ,cash,2013-12-31,\"22,102\",JPY million,actual,2014-02-07,deck II-13\n"
    "IIJ,headcount,2013-12-31,2776,count,actual,,\n"
    "ACME,revenue.total,FY2013H1,(1.5),USD billion,actual,2013-08-01,\n";

// The database every input is ingested into (dry run), and its directory.
struct Fixture {
  std::string dir;
  std::unique_ptr<DB> db;
};
Fixture* fixture = nullptr;

// Removes the directory at exit but leaves the database open: closing it
// from an exit handler would run after RocksDB's own static objects are
// destroyed (they are made later, inside DB::Open), and crash. The handle
// stays reachable, so LeakSanitizer does not count it.
void RemoveFixture() {
  if (fixture == nullptr) return;
  std::error_code ignored;
  std::filesystem::remove_all(fixture->dir, ignored);
}

void MakeFixture() {
  const char* tmp = std::getenv("TMPDIR");
  std::string dir = kpidb::StrCat(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp",
                                  "/kpidb-fuzz-csv-XXXXXX");
  KPIDB_FUZZ_CHECK(mkdtemp(dir.data()) != nullptr, "cannot create ", dir);
  fixture = new Fixture{dir, nullptr};
  std::atexit(RemoveFixture);
  absl::StatusOr<std::unique_ptr<DB>> db = DB::Open(Options(), dir + "/db");
  KPIDB_FUZZ_CHECK(db.ok(), "cannot open a database in ", dir, ": ",
                   db.status().message());
  fixture->db = std::move(*db);
  const IngestInput inputs[] = {{"companies.csv", kCompanies}, {"facts.csv", kFacts}};
  IngestReport report;
  const absl::Status s = IngestInputs(fixture->db.get(), inputs, IngestOptions(), &report);
  KPIDB_FUZZ_CHECK(s.ok(), "cannot load the fixture: ", s.message(), " ",
                   report.errors.empty() ? std::string() : report.errors[0]);
}

std::string QuoteCsvField(std::string_view f) {
  std::string out = "\"";
  for (char c : f) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

void CheckReader(std::string_view data) {
  int64_t lines = 1;
  for (char c : data) lines += c == '\n';
  csv::Reader reader(data);
  csv::Record record;
  std::vector<std::vector<std::string>> records;
  bool had_error = false;
  int64_t last_line = 0;
  // Every call consumes at least one byte, or ends the input.
  for (size_t calls = 0;; ++calls) {
    KPIDB_FUZZ_CHECK(calls <= data.size() + 1, "csv::Reader made ", calls,
                     " calls on ", data.size(), " bytes without finishing");
    absl::StatusOr<bool> more = reader.Next(&record);
    if (more.ok() && !*more) break;
    KPIDB_FUZZ_CHECK(record.line >= last_line && record.line >= 1 && record.line <= lines,
                     "record at line ", record.line, " after line ", last_line,
                     " in ", lines, " lines");
    last_line = record.line;
    if (!more.ok()) {
      KPIDB_FUZZ_CHECK(more.status().code() == absl::StatusCode::kInvalidArgument,
                       more.status().ToString());
      had_error = true;
      continue;
    }
    KPIDB_FUZZ_CHECK(!record.fields.empty(), "a record without fields at line ",
                     record.line);
    size_t bytes = 0;
    std::vector<std::string> fields;
    for (std::string_view f : record.fields) {
      bytes += f.size();
      fields.emplace_back(f);
    }
    KPIDB_FUZZ_CHECK(bytes <= data.size(), "fields of ", bytes,
                     " bytes from an input of ", data.size());
    records.push_back(std::move(fields));
  }
  if (had_error) return;
  // Written back with every field quoted, the records read the same.
  std::string written;
  for (const std::vector<std::string>& r : records) {
    for (size_t i = 0; i < r.size(); ++i) {
      if (i > 0) written.push_back(',');
      written += QuoteCsvField(r[i]);
    }
    written.push_back('\n');
  }
  csv::Reader again(written);
  for (size_t i = 0;; ++i) {
    absl::StatusOr<bool> more = again.Next(&record);
    KPIDB_FUZZ_CHECK(more.ok(), "re-serialized records fail at record ", i, ": ",
                     more.status().message(), "; written ", Quote(written));
    if (!*more) {
      KPIDB_FUZZ_CHECK(i == records.size(), "re-serialized ", records.size(),
                       " records read back as ", i);
      break;
    }
    KPIDB_FUZZ_CHECK(i < records.size(), "re-serialized records read back as more");
    const std::vector<std::string>& want = records[i];
    KPIDB_FUZZ_CHECK(record.fields.size() == want.size(), "record ", i, " has ",
                     want.size(), " fields, re-serialized ", record.fields.size());
    for (size_t f = 0; f < want.size(); ++f) {
      KPIDB_FUZZ_CHECK(record.fields[f] == want[f], "record ", i, " field ", f, " ",
                       Quote(want[f]), " re-serialized reads as ",
                       Quote(record.fields[f]));
    }
  }
}

void CheckIngest(std::string_view data) {
  constexpr std::string_view kSeparator = "\n=====\n";
  const size_t size = data.size();
  std::vector<IngestInput> inputs;
  while (true) {
    const size_t cut = data.find(kSeparator);
    const std::string_view part = data.substr(0, cut);
    inputs.push_back(IngestInput{kpidb::StrCat("in", inputs.size(), ".csv"), std::string(part)});
    if (cut == std::string_view::npos) break;
    data.remove_prefix(cut + kSeparator.size());
  }
  IngestOptions options;
  options.dry_run = true;
  options.max_errors = 5;
  options.replace = size % 2 == 1;
  if (size % 4 >= 2) options.default_as_of = absl::CivilDay(2014, 3, 31);
  IngestReport report;
  const absl::Status s = IngestInputs(fixture->db.get(), inputs, options, &report);
  KPIDB_FUZZ_CHECK(report.files == inputs.size(), report.files, " files reported");
  KPIDB_FUZZ_CHECK(report.errors.size() <= options.max_errors &&
                       report.errors.size() <= report.error_count,
                   report.errors.size(), " errors listed, ", report.error_count,
                   " counted");
  if (s.ok()) {
    KPIDB_FUZZ_CHECK(report.error_count == 0 && report.errors.empty(),
                     "OK with errors: ", report.errors.empty() ? "" : report.errors[0]);
    KPIDB_FUZZ_CHECK(report.summary.facts == report.facts_read,
                     "summary counts ", report.summary.facts, " facts, ",
                     report.facts_read, " read");
    return;
  }
  for (const std::string& e : report.errors) {
    const size_t colon = e.find(':');
    const bool named = colon != std::string::npos && e.compare(0, 2, "in") == 0;
    const size_t error = e.find(": error: ");
    bool line = error != std::string::npos && error > colon + 1;
    for (size_t i = colon + 1; line && i < error; ++i) {
      line = e[i] >= '0' && e[i] <= '9';
    }
    KPIDB_FUZZ_CHECK(named && line, "error not as FILE:LINE: error: MESSAGE: ",
                     Quote(e), " (status ", s.ToString(), ")");
  }
}

}  // namespace
}  // namespace kpidb

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  kpidb::MakeFixture();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  kpidb::CheckReader(text);
  kpidb::CheckIngest(text);
  return 0;
}
