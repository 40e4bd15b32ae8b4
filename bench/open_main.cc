// kpidb-bench-open: open_query/* of kpidb_bench on databases loaded
// elsewhere (bench/scale.sh: kpidb-ingest and kpidb-bench-sqlite-load of
// the generator's files), at any size.
//
//   kpidb-bench-open --kpidb=DIR --sqlite=FILE --companies=CSV [--iterations=N]
//
// Each iteration draws a series (a company from CSV, one of the
// generator's metrics, five fiscal years from FY2014-FY2023, seeded), then
// runs, in alternating order, kpidb (DB::Open read-only, the series query,
// close) and SQLite (sqlite3_open_v2 read-only, prepare the tight key-range
// query, run it, sort, close), each timed. Both must return the same rows
// (checked untimed, every iteration; exit status 1 otherwise). Prints one
// JSON object: per system p50/p90/p99/mean/min/max and the first
// iteration's time, in microseconds.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "bench/csv_reader.h"
#include "bench/generator.h"
#include "bench/latency_stats.h"
#include "bench/open_series.h"

namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "kpidb-bench-open: %s\n", what.c_str());
  std::exit(1);
}

std::string Stats(const std::vector<double>& us) {
  const kpidb_bench::LatencySummary s = kpidb_bench::Summarize(us);
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "{\"p50_us\": %.1f, \"p90_us\": %.1f, \"p99_us\": %.1f, \"mean_us\": %.1f, "
                "\"min_us\": %.1f, \"max_us\": %.1f, \"first_us\": %.1f}",
                s.p50, s.p90, s.p99, s.mean, s.min, s.max, us.front());
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  std::string kpidb_dir, sqlite_path, companies_path;
  int iterations = 200;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    auto value = [&](std::string_view flag, std::string* out) {
      if (a.size() > flag.size() + 1 && a.substr(0, flag.size()) == flag &&
          a[flag.size()] == '=') {
        *out = std::string(a.substr(flag.size() + 1));
        return true;
      }
      return false;
    };
    std::string v;
    if (value("--kpidb", &kpidb_dir) || value("--sqlite", &sqlite_path) ||
        value("--companies", &companies_path)) {
      continue;
    }
    if (value("--iterations", &v)) {
      iterations = std::atoi(v.c_str());
      continue;
    }
    Die("usage: kpidb-bench-open --kpidb=DIR --sqlite=FILE --companies=CSV [--iterations=N]");
  }
  if (kpidb_dir.empty() || sqlite_path.empty() || companies_path.empty() || iterations < 1) {
    Die("usage: kpidb-bench-open --kpidb=DIR --sqlite=FILE --companies=CSV [--iterations=N]");
  }

  // Company ids from the companies file; metric names and years from the
  // generator's definitions (one company's worth of data, discarded).
  std::vector<std::string> companies;
  {
    FILE* f = std::fopen(companies_path.c_str(), "r");
    if (f == nullptr) Die("cannot open " + companies_path);
    kpidb_bench::CsvReader csv(f);
    std::vector<std::string_view> fields;
    bool header = true;
    while (csv.Next(&fields)) {
      if (!header && !fields.empty()) companies.emplace_back(fields[0]);
      header = false;
    }
    std::fclose(f);
  }
  if (companies.empty()) Die(companies_path + ": no companies");
  kpidb_bench::GeneratorOptions gen;
  gen.companies = 1;
  const kpidb_bench::Dataset one = kpidb_bench::Generate(gen);
  constexpr int kSeriesYears = 5;  // as kpidb_bench's series query

  std::mt19937_64 rng(42);
  std::vector<double> k_us, s_us;
  kpidb::QueryResult result;
  std::vector<kpidb_bench::SeriesRow> rows;
  std::string error;
  size_t row_count = 0;
  for (int i = 0; i < iterations; ++i) {
    const std::string& company = companies[rng() % companies.size()];
    const std::string& metric = one.metrics[rng() % one.metrics.size()].name;
    const int first_fy = gen.first_fiscal_year +
                         static_cast<int>(rng() % (gen.fiscal_years - kSeriesYears + 1));
    const int last_fy = first_fy + kSeriesYears - 1;
    for (int turn = 0; turn < 2; ++turn) {
      const bool kpidb_turn = (turn == 0) == (i % 2 == 0);
      const Clock::time_point t0 = Clock::now();
      const bool ok = kpidb_turn ? kpidb_bench::KpidbOpenQueryClose(kpidb_dir, company, metric,
                                                                    first_fy, last_fy, &result,
                                                                    &error)
                                 : kpidb_bench::SqliteOpenQueryClose(sqlite_path, company,
                                                                     metric, first_fy, last_fy,
                                                                     &rows, &error);
      const double us = std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
      if (!ok) Die(error);
      (kpidb_turn ? k_us : s_us).push_back(us);
    }
    if (kpidb_bench::KpidbSeriesRows(result) != rows) {
      Die("kpidb and SQLite disagree on " + company + " " + metric + " FY" +
          std::to_string(first_fy) + "-FY" + std::to_string(last_fy) + ": " +
          std::to_string(result.size()) + " vs " + std::to_string(rows.size()) + " rows");
    }
    if (rows.size() != 5 * static_cast<size_t>(kSeriesYears)) {
      Die("series query returned " + std::to_string(rows.size()) + " rows, expected 25");
    }
    row_count += rows.size();
  }
  std::printf("{\"iterations\": %d, \"rows_per_query\": %.1f, \"kpidb\": %s, \"sqlite\": %s}\n",
              iterations, static_cast<double>(row_count) / iterations, Stats(k_us).c_str(),
              Stats(s_us).c_str());
  return 0;
}
