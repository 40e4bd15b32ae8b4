// kpidb-bench-sqlite-load: loads the generator's CSV files into SQLite the
// way kpidb_bench's ingest/sqlite does (same table, pragmas, one
// transaction, the index built afterwards), but streaming the files as a
// user would, so that bench/scale.sh can compare its process (peak memory,
// wall time, bytes) with `kpidb-ingest` on the same files.
//
//   kpidb-bench-sqlite-load DB_FILE COMPANIES_CSV FACTS_CSV
//
// Rows: company, metric, period (the label as given, canonical in the
// generator's files), period_start and period_end (day numbers: the label
// resolved through the company's fiscal calendar from COMPANIES_CSV, with
// kpidb::Period::Parse, the resolution kpidb applies), value (the text as
// given), unit, scenario. as_of and source are read but not stored (the
// issue's schema, as in kpidb_bench). Prints one JSON object on stdout:
// facts, load_s (BEGIN to COMMIT, file reading included), index_s,
// analyze_s, bytes and bytes_with_index (the file after
// wal_checkpoint(TRUNCATE)), maxrss_kib (getrusage of this process).
#include <sqlite3.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "absl/time/civil_time.h"
#include "bench/csv_reader.h"
#include "bench/generator.h"
#include "bench/sqlite_schema.h"
#include "kpidb/period.h"

namespace {

using Clock = std::chrono::steady_clock;
using kpidb_bench::CsvReader;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "kpidb-bench-sqlite-load: %s\n", what.c_str());
  std::exit(1);
}

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

void Exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    const std::string msg = std::string(sql) + ": " + (err ? err : "?");
    sqlite3_free(err);
    Die(msg);
  }
}

uint64_t FileBytes(sqlite3* db, const std::string& path) {
  Exec(db, "PRAGMA wal_checkpoint(TRUNCATE)");
  std::error_code ec;
  uint64_t total = std::filesystem::file_size(path);
  const uint64_t wal = std::filesystem::file_size(path + "-wal", ec);
  if (!ec) total += wal;
  return total;
}

FILE* OpenFile(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr) Die("cannot open " + path);
  return f;
}

// Column positions by header name; -1 when absent.
std::vector<int> Columns(const std::vector<std::string_view>& header,
                         std::initializer_list<std::string_view> names) {
  std::vector<int> out;
  for (std::string_view name : names) {
    int at = -1;
    for (size_t i = 0; i < header.size(); ++i) {
      if (header[i] == name) at = static_cast<int>(i);
    }
    out.push_back(at);
  }
  return out;
}

int64_t DayNumber(absl::CivilDay d) {
  return kpidb_bench::DaysFromCivil(d.year(), d.month(), d.day());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s DB_FILE COMPANIES_CSV FACTS_CSV\n", argv[0]);
    return 2;
  }
  const std::string db_path = argv[1], companies_path = argv[2], facts_path = argv[3];
  if (std::filesystem::exists(db_path)) Die(db_path + " exists: give a new file");

  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK) {
    Die("open " + db_path);
  }
  for (const char* pragma : kpidb_bench::kSqliteLoadPragmas) Exec(db, pragma);
  Exec(db, kpidb_bench::kSqliteSchema);

  const Clock::time_point t0 = Clock::now();
  // Calendars, by company id.
  std::unordered_map<std::string, kpidb::FiscalCalendar> calendars;
  std::vector<std::string_view> fields;
  {
    FILE* f = OpenFile(companies_path);
    CsvReader csv(f);
    if (!csv.Next(&fields)) Die(companies_path + ": no header");
    const std::vector<int> col = Columns(fields, {"company", "fiscal_year_end", "fy_naming"});
    for (int c : col) {
      if (c < 0) Die(companies_path + ": missing column");
    }
    while (csv.Next(&fields)) {
      if (fields.size() <= static_cast<size_t>(std::max({col[0], col[1], col[2]}))) {
        Die(companies_path + ": short record");
      }
      kpidb::FiscalCalendar cal;
      cal.fiscal_year_end_month = std::atoi(std::string(fields[col[1]]).c_str());
      absl::StatusOr<kpidb::FiscalYearNaming> naming =
          kpidb::ParseFiscalYearNaming(fields[col[2]]);
      if (!naming.ok() || !cal.Validate().ok()) Die(companies_path + ": bad calendar");
      cal.naming = *naming;
      calendars[std::string(fields[col[0]])] = cal;
    }
    if (csv.error()) Die(companies_path + ": unterminated quote");
    std::fclose(f);
  }

  Exec(db, "BEGIN");
  sqlite3_stmt* ins = nullptr;
  if (sqlite3_prepare_v2(db, kpidb_bench::kSqliteInsertSql, -1, &ins, nullptr) != SQLITE_OK) {
    Die(std::string("prepare: ") + sqlite3_errmsg(db));
  }
  uint64_t facts = 0;
  {
    FILE* f = OpenFile(facts_path);
    CsvReader csv(f);
    if (!csv.Next(&fields)) Die(facts_path + ": no header");
    const std::vector<int> col =
        Columns(fields, {"company", "metric", "period", "value", "unit", "scenario"});
    size_t need = 0;
    for (int c : col) {
      if (c < 0) Die(facts_path + ": missing column (company, metric, period, value, unit, scenario)");
      need = std::max(need, static_cast<size_t>(c) + 1);
    }
    // The last company's calendar: rows come grouped by company.
    std::string last_company;
    const kpidb::FiscalCalendar* cal = nullptr;
    while (csv.Next(&fields)) {
      if (fields.size() < need) Die(facts_path + ": short record at fact " + std::to_string(facts + 1));
      const std::string_view company = fields[col[0]], label = fields[col[2]];
      if (cal == nullptr || company != last_company) {
        auto it = calendars.find(std::string(company));
        if (it == calendars.end()) Die("unknown company " + std::string(company));
        last_company = company;
        cal = &it->second;
      }
      absl::StatusOr<kpidb::Period> period = kpidb::Period::Parse(label, *cal);
      if (!period.ok()) Die("bad period " + std::string(label));
      auto bind = [&](int param, std::string_view text) {
        sqlite3_bind_text(ins, param, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
      };
      bind(1, company);
      bind(2, fields[col[1]]);
      bind(3, label);
      sqlite3_bind_int64(ins, 4, DayNumber(period->start()));
      sqlite3_bind_int64(ins, 5, DayNumber(period->end()));
      bind(6, fields[col[3]]);
      bind(7, fields[col[4]]);
      bind(8, fields[col[5]]);
      if (sqlite3_step(ins) != SQLITE_DONE) Die(std::string("insert: ") + sqlite3_errmsg(db));
      sqlite3_reset(ins);
      ++facts;
    }
    if (csv.error()) Die(facts_path + ": unterminated quote");
    std::fclose(f);
  }
  sqlite3_finalize(ins);
  Exec(db, "COMMIT");
  const Clock::time_point t1 = Clock::now();
  const uint64_t bytes = FileBytes(db, db_path);
  const Clock::time_point i0 = Clock::now();
  Exec(db, kpidb_bench::kSqliteIndexSql);
  const Clock::time_point i1 = Clock::now();
  Exec(db, "ANALYZE");
  const Clock::time_point a1 = Clock::now();
  const uint64_t bytes_with_index = FileBytes(db, db_path);
  if (sqlite3_close(db) != SQLITE_OK) Die("close");

  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  std::printf(
      "{\"facts\": %llu, \"load_s\": %.3f, \"index_s\": %.3f, \"analyze_s\": %.3f, "
      "\"bytes\": %llu, \"bytes_with_index\": %llu, \"maxrss_kib\": %ld, "
      "\"sqlite_version\": \"%s\"}\n",
      static_cast<unsigned long long>(facts), Seconds(t0, t1), Seconds(i0, i1), Seconds(i1, a1),
      static_cast<unsigned long long>(bytes), static_cast<unsigned long long>(bytes_with_index),
      ru.ru_maxrss, sqlite3_libversion());
  return 0;
}
