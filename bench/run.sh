#!/usr/bin/env bash
# Builds the benchmark (Release) and runs it: kpidb, SQLite and a naive
# RocksDB layout on the same synthetic dataset, in one run; then prints a
# markdown table of the ratios against the targets (bench/README.md).
#
#   bench/run.sh             full run: 2000 companies, 5M facts (a few minutes)
#   bench/run.sh --quick     100 companies, 250k facts (well under a minute)
#   bench/run.sh --companies=500 --benchmark_filter='series|ingest'
#
# Other arguments go to kpidb_bench (its own flags and Google Benchmark's).
# Environment: KPIDB_BENCH_BUILD_DIR (default build-bench), KPIDB_BENCH_JOBS
# (default 2), KPIDB_BENCH_OUT (JSON results; default in the build folder),
# plus kpidb_bench's own KPIDB_BENCH_COMPANIES, KPIDB_BENCH_DIR,
# KPIDB_BENCH_KEEP.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0
args=()
for a in "$@"; do
  case "$a" in
    --quick) quick=1; args+=("$a") ;;
    *) args+=("$a") ;;
  esac
done

build=${KPIDB_BENCH_BUILD_DIR:-build-bench}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DKPIDB_BUILD_TESTS=OFF -DKPIDB_BUILD_BENCHMARKS=ON >/dev/null
cmake --build "$build" --target kpidb_bench -j "${KPIDB_BENCH_JOBS:-2}"

suffix=""
[ "$quick" = 1 ] && suffix="-quick"
out=${KPIDB_BENCH_OUT:-$build/bench/results$suffix.json}
"$build/bench/kpidb_bench" --benchmark_out="$out" --benchmark_out_format=json \
  ${args[@]+"${args[@]}"}
echo
python3 bench/report.py "$out"
