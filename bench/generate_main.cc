// kpidb-bench-generate: writes the benchmark dataset as CSV files, for
// loading with kpidb-ingest (and profiling it) outside the benchmark.
//
//   kpidb-bench-generate [--companies=N] [--cumulative] OUT_DIR
//   kpidb-ingest DB OUT_DIR/companies.csv OUT_DIR/facts.csv
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

#include "bench/generator.h"

int main(int argc, char** argv) {
  kpidb_bench::GeneratorOptions options;
  std::string out;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a.rfind("--companies=", 0) == 0) {
      options.companies = std::atoi(argv[i] + 12);
    } else if (a == "--cumulative") {
      options.cumulative = true;  // flows year to date (generator.h)
    } else if (!a.empty() && a[0] != '-' && out.empty()) {
      out = a;
    } else {
      std::fprintf(stderr, "usage: %s [--companies=N] [--cumulative] OUT_DIR\n", argv[0]);
      return 2;
    }
  }
  if (out.empty() || options.companies < 1) {
    std::fprintf(stderr, "usage: %s [--companies=N] OUT_DIR\n", argv[0]);
    return 2;
  }
  std::filesystem::create_directories(out);
  const kpidb_bench::Dataset data = kpidb_bench::Generate(options);
  if (!kpidb_bench::WriteCsv(data, out + "/companies.csv", out + "/facts.csv")) return 1;
  std::printf("%zu companies, %zu facts: %s/companies.csv %s/facts.csv\n",
              data.companies.size(), data.facts(), out.c_str(), out.c_str());
  return 0;
}
