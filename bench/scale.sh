#!/usr/bin/env bash
# Peak memory, load time, bytes and open time at scale: kpidb-ingest and a
# streaming SQLite loader on the generator's CSV files, each in a process of
# its own, then opens of both databases (in-process and as commands).
# bench/README.md, "Scale: memory, load and open time".
#
#   bench/scale.sh                      5M facts (2000 companies), generated
#   bench/scale.sh --facts 50m          50M facts (20000 companies, 4.4 GB CSV)
#   bench/scale.sh --data /work/bigdata/5m --work /work/bench-scratch/s5m
#   bench/scale.sh --companies 100      a quick check (250k facts)
#
# Other arguments go to bench/scale.py (--keep, --open-iterations N,
# --command-runs N, --out FILE). Environment: KPIDB_BENCH_BUILD_DIR (default
# build-bench, shared with run.sh), KPIDB_BENCH_JOBS (default 2).
set -euo pipefail
cd "$(dirname "$0")/.."

build=${KPIDB_BENCH_BUILD_DIR:-build-bench}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DKPIDB_BUILD_TESTS=OFF -DKPIDB_BUILD_BENCHMARKS=ON -DKPIDB_BUILD_TOOLS=ON >/dev/null
cmake --build "$build" -j "${KPIDB_BENCH_JOBS:-2}" --target kpidb-ingest kpidb-dump \
  kpidb-bench-generate kpidb-bench-sqlite-load kpidb-bench-open

exec python3 bench/scale.py --build "$build" "$@"
