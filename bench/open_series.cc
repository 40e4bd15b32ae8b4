#include "bench/open_series.h"

#include <memory>
#include <utility>

#include "absl/time/civil_time.h"
#include "bench/generator.h"
#include "kpidb/db.h"
#include "kpidb/options.h"

namespace kpidb_bench {

std::string FiscalYearLabel(int fy) { return "FY" + std::to_string(fy); }

kpidb::Query KpidbSeriesQuery(std::string_view company, std::string_view metric, int first_fy,
                              int last_fy) {
  kpidb::Query q;
  q.companies = {std::string(company)};
  q.metric = std::string(metric);
  q.scenarios = {"actual"};
  q.from = FiscalYearLabel(first_fy);
  q.to = FiscalYearLabel(last_fy);
  q.with_as_of = false;
  q.with_sources = false;
  return q;
}

bool KpidbOpenQueryClose(const std::string& dir, std::string_view company,
                         std::string_view metric, int first_fy, int last_fy,
                         kpidb::QueryResult* result, std::string* error) {
  kpidb::Options options;
  options.read_only = true;
  absl::StatusOr<std::unique_ptr<kpidb::DB>> db = kpidb::DB::Open(options, dir);
  if (!db.ok()) {
    *error = "kpidb open " + dir + ": " + std::string(db.status().message());
    return false;
  }
  absl::StatusOr<kpidb::QueryResult> r =
      (*db)->Execute(KpidbSeriesQuery(company, metric, first_fy, last_fy));
  if (!r.ok()) {
    *error = "kpidb query: " + std::string(r.status().message());
    return false;
  }
  *result = std::move(*r);
  db->reset();  // close
  return true;
}

std::vector<SeriesRow> KpidbSeriesRows(const kpidb::QueryResult& r) {
  std::vector<SeriesRow> out;
  auto day = [](absl::CivilDay d) { return DaysFromCivil(d.year(), d.month(), d.day()); };
  for (size_t i = 0; i < r.size(); ++i) {
    out.push_back(SeriesRow{day(r.periods[i].start()), day(r.periods[i].end()),
                            r.values[i].mantissa(), r.values[i].exponent(),
                            r.unit(i).ToString()});
  }
  return out;
}

bool SqliteOpenQueryClose(const std::string& path, std::string_view company,
                          std::string_view metric, int first_fy, int last_fy,
                          std::vector<SeriesRow>* rows, std::string* error) {
  rows->clear();
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr) !=
      SQLITE_OK) {
    *error = "sqlite open " + path + ": " + (db ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_close(db);
    return false;
  }
  sqlite3_stmt* st = nullptr;
  bool ok = sqlite3_prepare_v2(db, kSqliteTightSeriesSql, -1, &st, nullptr) == SQLITE_OK;
  if (!ok) *error = std::string("sqlite prepare: ") + sqlite3_errmsg(db);
  bool bad_value = false;
  ok = ok && StepTightSeries(
                 db, st, company, metric, first_fy, last_fy,
                 [&](int64_t start, int64_t end, std::string_view value, std::string_view unit) {
                   SeriesRow& r = rows->emplace_back();
                   r.start = start;
                   r.end = end;
                   bad_value |= !ParsePlainDecimal(value, &r.mantissa, &r.exponent);
                   r.unit = unit;
                 },
                 error);
  if (ok && bad_value) {
    *error = "sqlite: bad stored value";
    ok = false;
  }
  if (ok) SortSeriesRows(rows);
  sqlite3_finalize(st);
  sqlite3_close(db);
  return ok;
}

}  // namespace kpidb_bench
