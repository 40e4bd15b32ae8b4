// Synthetic, deterministic KPI dataset for the benchmarks (bench/README.md).
//
// N companies x 50 metrics x 10 fiscal years x (4 quarters + the year) =
// 2,500 facts per company; 5,000,000 at the default N = 2000. Company i's
// data depends only on i (each company has its own PRNG stream derived from a
// fixed seed), so a quick run on 100 companies reads the same first 100
// companies as the full run.
//
//   kpidb_bench::Dataset data = kpidb_bench::Generate({.companies = 100});
//   kpidb_bench::WriteCsv(data, "/tmp/d/companies.csv", "/tmp/d/facts.csv");
//   for (const kpidb_bench::FactRow& r : data.rows) ...
//
// Nothing here is tuned to a codec: levels are log-normal per company, each
// series has its own growth, seasonality and noise, values are rounded to the
// precision the company reports in, and flows' fiscal-year values are the
// exact sums of their quarters.
//
// GeneratorOptions::cumulative gives the same figures as Japanese decks
// report them: flows year to date (FY2015Q1, FY2015H1, FY2015Q1-Q3, FY2015),
// for the derived-period benchmarks.
#ifndef KPIDB_BENCH_GENERATOR_H_
#define KPIDB_BENCH_GENERATOR_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kpidb/fact.h"
#include "kpidb/period.h"

namespace kpidb_bench {

// Day numbers (days since 1970-01-01) <-> civil dates, Howard Hinnant's
// algorithms; the bench keeps dates as day numbers.
int64_t DaysFromCivil(int64_t y, int m, int d);
void CivilFromDays(int64_t z, int64_t* y, int* m, int* d);
// "YYYY-MM-DD".
std::string IsoDate(int64_t day);

struct GeneratorOptions {
  int companies = 2000;
  int first_fiscal_year = 2014;
  int fiscal_years = 10;
  uint64_t seed = 0x6b706964625f3031;  // "kpidb_01"
  // Report flows (kFlow, kCountFlow) the way Japanese decks do: year to date
  // (Q1, H1, Q1-Q3 and the fiscal year, each the exact sum of its standalone
  // quarters) instead of the four standalone quarters and the year. Stocks
  // and percentages are unchanged. Every draw from the PRNG is the same
  // either way, so the standalone quarters behind the cumulative figures are
  // the default dataset's quarters. 2,090 facts per company instead of 2,500.
  bool cumulative = false;
};

// How a metric behaves.
enum class MetricKind : uint8_t {
  kFlow,        // currency flow; fiscal year = exact sum of its quarters
  kStock,       // currency balance; fiscal year = its Q4 value
  kCountFlow,   // count flow (new customers); year = sum of quarters
  kCountStock,  // count at period end (headcount); year = Q4 value
  kPercent,     // ratio in %, one decimal; year = mean of quarters, rounded
};

struct MetricInfo {
  std::string name;  // "revenue.segment.s3"
  MetricKind kind;
  double share_lo, share_hi;  // level relative to the company's revenue
  double volatility;          // relative quarterly noise
};

struct CompanyInfo {
  std::string id;        // "C00001" or "TSE:1002"
  std::string name;      // may contain a comma (quoted in CSV)
  kpidb::FiscalCalendar calendar;
  std::string currency;  // "JPY" or "USD"
  std::string money_unit;  // "JPY million", "USD billion", "JPY thousand"
  int money_decimals;      // digits after the point of its money figures
};

// One fact. Everything a loader needs is precomputed (untimed), so a load
// benchmark measures the store, not the generator.
struct FactRow {
  int64_t mantissa;
  int32_t start, end;   // day numbers, inclusive
  int32_t as_of;        // day number
  uint32_t company;     // index into Dataset::companies
  uint16_t metric;      // index into Dataset::metrics
  uint16_t source;      // index into Dataset::sources
  int16_t fiscal_year;
  int8_t quarter;       // last quarter covered, 1..4; 0 for the fiscal year
  int8_t exponent;
  uint8_t unit;         // index into Dataset::units
  bool cumulative;      // H1 or Q1-Q3 (year to date from Q1; cumulative
                        // datasets only; Q1 and the year are not flagged)
  char label[12];       // canonical label: "FY2015Q3", "FY2015",
                        // "FY2015H1", "FY2015Q1-Q3"
  char value[24];       // the value as reported: "5123.4", "-12"

  bool is_year() const { return quarter == 0; }
};

struct Dataset {
  GeneratorOptions options;
  std::vector<CompanyInfo> companies;
  std::vector<MetricInfo> metrics;
  std::vector<std::string> units;    // unit texts: "JPY million", "%", "count"
  std::vector<std::string> sources;  // "FY2015 annual report", ...
  std::vector<FactRow> rows;         // company, fiscal year, metric, period

  static constexpr std::string_view kScenario = "actual";
  size_t facts() const { return rows.size(); }
};

// Generates the dataset. Deterministic for given options.
Dataset Generate(const GeneratorOptions& options);

// Writes companies.csv and facts.csv in kpidb's CSV formats
// (include/kpidb/ingest.h). Returns false (with a message on stderr) on I/O
// errors.
bool WriteCsv(const Dataset& data, const std::string& companies_path,
              const std::string& facts_path);

// Exact decimal parsing of the plain text the generator prints ("-5123.4"):
// what an application does with a value column stored as text. False for
// anything else.
bool ParsePlainDecimal(std::string_view text, int64_t* mantissa,
                       int* exponent);

// Exact sum of decimals at mixed exponents (mantissa * 10^exponent), in 128
// bits. Used by every system's "sum of a metric" benchmark and for the ground
// truth.
class ExactSum {
 public:
  void Add(int64_t mantissa, int exponent);
  __int128 mantissa() const { return mantissa_; }
  int exponent() const { return exponent_; }
  // Plain decimal text of the sum, "123456.7".
  std::string ToString() const;
  double ToDouble() const;
  friend bool operator==(const ExactSum& a, const ExactSum& b);

 private:
  __int128 mantissa_ = 0;
  int exponent_ = 0;
  bool empty_ = true;
};

}  // namespace kpidb_bench

#endif  // KPIDB_BENCH_GENERATOR_H_
