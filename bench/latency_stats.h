// Summary statistics of per-iteration latencies: one definition for every
// benchmark program, so that their p50 and p99 mean the same thing.
#ifndef KPIDB_BENCH_LATENCY_STATS_H_
#define KPIDB_BENCH_LATENCY_STATS_H_

#include <algorithm>
#include <cstddef>
#include <vector>

namespace kpidb_bench {

struct LatencySummary {
  double p50 = 0, p90 = 0, p99 = 0, mean = 0, min = 0, max = 0;
};

// Nearest-rank percentiles of `us` (taken by value: sorted here).
// REQUIRES: !us.empty().
inline LatencySummary Summarize(std::vector<double> us) {
  std::sort(us.begin(), us.end());
  auto pct = [&](double p) {
    const size_t i = static_cast<size_t>(p * static_cast<double>(us.size() - 1) + 0.5);
    return us[std::min(i, us.size() - 1)];
  };
  double sum = 0;
  for (double x : us) sum += x;
  LatencySummary s;
  s.p50 = pct(0.50);
  s.p90 = pct(0.90);
  s.p99 = pct(0.99);
  s.mean = sum / static_cast<double>(us.size());
  s.min = us.front();
  s.max = us.back();
  return s;
}

}  // namespace kpidb_bench

#endif  // KPIDB_BENCH_LATENCY_STATS_H_
