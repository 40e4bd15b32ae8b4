// The series query of kpidb_bench (one company, one metric, five fiscal
// years: 20 quarters and 5 years) in two forms shared by kpidb_bench and
// kpidb-bench-open (bench/README.md, "Tight SQLite range" and "Open time"):
//
// - SQLite's tight primary-key range: WHERE company, metric, scenario and
//   `period` (the key's last column) between label bounds, instead of the
//   series query's period_start/period_end filter, which the key cannot
//   narrow;
// - a cold-process-like open: open a database read-only, run the series
//   query once, close it (kpidb and SQLite).
#ifndef KPIDB_BENCH_OPEN_SERIES_H_
#define KPIDB_BENCH_OPEN_SERIES_H_

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kpidb/query.h"

namespace kpidb_bench {

// Canonical labels sort as text in period order within and across fiscal
// years: FY2017 < FY2017Q1 < ... < FY2017Q4 < FY2018 (and FY2017H1,
// FY2017Q1-Q3 between FY2017Q1 and FY2018). So `period >= 'FY2017' AND
// period < 'FY2022'` selects the labels of fiscal years 2017-2021 and of
// the periods in them, whatever the company's calendar: the rows kpidb's
// from="FY2017", to="FY2021" selects through that calendar (the
// benchmarks verify this on every checked draw). The rows come in key
// order (FY2017, FY2017Q1..Q4, FY2018...); SortSeriesRows() puts them in
// the series query's order, in the application.
inline constexpr const char* kSqliteTightSeriesSql =
    "SELECT period_start, period_end, value, unit FROM facts"
    " WHERE company = ?1 AND metric = ?2 AND scenario = 'actual'"
    " AND period >= ?3 AND period < ?4";

// One row of a series as the baselines return it: day numbers, the exact
// decimal (mantissa * 10^exponent) and the unit text.
struct SeriesRow {
  int64_t start = 0, end = 0;
  int64_t mantissa = 0;
  int exponent = 0;
  std::string unit;
  bool operator==(const SeriesRow&) const = default;
};

// "FY2017".
std::string FiscalYearLabel(int fy);

// Binds company, metric and the label bounds [FY`first_fy`, FY`last_fy`+1)
// to `st` (kSqliteTightSeriesSql), steps it and resets it. Each row's
// columns go to add(start, end, value text, unit text). False on a SQLite
// error (*error says which).
template <typename Add>
bool StepTightSeries(sqlite3* db, sqlite3_stmt* st, std::string_view company,
                     std::string_view metric, int first_fy, int last_fy, Add add,
                     std::string* error) {
  // Labels are short: no allocation (small-string buffers).
  const std::string lo = FiscalYearLabel(first_fy);
  const std::string hi = FiscalYearLabel(last_fy + 1);
  sqlite3_bind_text(st, 1, company.data(), static_cast<int>(company.size()), SQLITE_STATIC);
  sqlite3_bind_text(st, 2, metric.data(), static_cast<int>(metric.size()), SQLITE_STATIC);
  sqlite3_bind_text(st, 3, lo.data(), static_cast<int>(lo.size()), SQLITE_STATIC);
  sqlite3_bind_text(st, 4, hi.data(), static_cast<int>(hi.size()), SQLITE_STATIC);
  int rc;
  auto text = [&](int col) {
    return std::string_view(reinterpret_cast<const char*>(sqlite3_column_text(st, col)),
                            static_cast<size_t>(sqlite3_column_bytes(st, col)));
  };
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    add(sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1), text(2), text(3));
  }
  sqlite3_reset(st);
  if (rc != SQLITE_DONE) {
    *error = std::string("tight series query: ") + sqlite3_errmsg(db);
    return false;
  }
  return true;
}

// Sorts rows into the series query's order, the order kpidb returns: by
// period end, then the longer period first (FY2017Q4 before FY2017, which
// ends on the same day). Insertion sort: 25 rows arrive nearly in order
// (only each year's row is out of place).
template <typename Row>
void SortSeriesRows(std::vector<Row>* rows) {
  for (size_t i = 1; i < rows->size(); ++i) {
    for (size_t j = i; j > 0; --j) {
      Row& a = (*rows)[j - 1];
      Row& b = (*rows)[j];
      if (a.end < b.end || (a.end == b.end && a.start >= b.start)) break;
      std::swap(a, b);
    }
  }
}

// kpidb's series query: companies={company}, metric, scenarios={"actual"},
// from=FY`first_fy`, to=FY`last_fy`, period/value/unit only (no as_of or
// source), as in kpidb_bench's series_query.
kpidb::Query KpidbSeriesQuery(std::string_view company, std::string_view metric, int first_fy,
                              int last_fy);

// A cold-process-like run, kpidb: DB::Open(read_only) on `dir`, Execute
// the series query, close (destroy the handle). *result keeps the rows.
// False with *error on a failure.
bool KpidbOpenQueryClose(const std::string& dir, std::string_view company,
                         std::string_view metric, int first_fy, int last_fy,
                         kpidb::QueryResult* result, std::string* error);

// kpidb's rows in the common form (untimed: verification).
std::vector<SeriesRow> KpidbSeriesRows(const kpidb::QueryResult& r);

// A cold-process-like run, SQLite: sqlite3_open_v2(SQLITE_OPEN_READONLY)
// on `path`, prepare kSqliteTightSeriesSql, run it, sort the rows
// (SortSeriesRows), finalize, close. Values are parsed into exact decimals
// (ParsePlainDecimal), as the in-process benchmark does.
bool SqliteOpenQueryClose(const std::string& path, std::string_view company,
                          std::string_view metric, int first_fy, int last_fy,
                          std::vector<SeriesRow>* rows, std::string* error);

}  // namespace kpidb_bench

#endif  // KPIDB_BENCH_OPEN_SERIES_H_
