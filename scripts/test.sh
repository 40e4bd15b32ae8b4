#!/usr/bin/env bash
# Runs every test: installs what is missing, builds kpidb with
# AddressSanitizer and UndefinedBehaviorSanitizer, and runs the whole suite
# (unit, durability, crash and end-to-end tests) with ctest; then builds the
# optimized tree (tools, benchmarks) and runs the suite there too; then
# replays every input the fuzzers ever failed on and fuzzes each target for
# KPIDB_FUZZ_SECONDS (default 20; scripts/fuzz.sh runs them long).
# KPIDB_TEST_SANITIZERS=0 skips the sanitizer pass, KPIDB_TEST_RELEASE=0 the
# optimized one, KPIDB_TEST_FUZZ=0 the fuzzing.
#
# Every option a pass depends on is set on its cmake line, so a build folder
# configured differently before (the quick start builds build/ without
# tests) cannot make a pass skip its tests; ctest fails if it finds none.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh
JOBS=$(nproc)

if [ "${KPIDB_TEST_SANITIZERS:-1}" != 0 ]; then
  cmake -S . -B build-sanitize -G Ninja -DCMAKE_BUILD_TYPE=Debug \
    -DKPIDB_SANITIZE=address,undefined -DKPIDB_BUILD_TESTS=ON \
    -DKPIDB_BUILD_TOOLS=ON -DKPIDB_BUILD_BENCHMARKS=OFF >/dev/null
  cmake --build build-sanitize -j "$JOBS"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-sanitize --output-on-failure --no-tests=error -j "$JOBS"
fi
if [ "${KPIDB_TEST_RELEASE:-1}" != 0 ]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DKPIDB_SANITIZE= \
    -DKPIDB_BUILD_TESTS=ON -DKPIDB_BUILD_TOOLS=ON -DKPIDB_BUILD_BENCHMARKS=ON >/dev/null
  cmake --build build -j "$JOBS"
  ctest --test-dir build --output-on-failure --no-tests=error -j "$JOBS"
fi
if [ "${KPIDB_TEST_FUZZ:-1}" != 0 ]; then
  scripts/fuzz.sh --replay
  KPIDB_FUZZ_SECONDS=${KPIDB_FUZZ_SECONDS:-20} scripts/fuzz.sh
fi
