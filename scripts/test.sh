#!/usr/bin/env bash
# Runs every test: installs what is missing, builds kpidb with
# AddressSanitizer and UndefinedBehaviorSanitizer, and runs the whole suite
# (unit, durability, crash and end-to-end tests) with ctest; then builds the
# optimized tree (tools, benchmarks) and runs the suite there too; then
# replays every input the fuzzers ever failed on and fuzzes each target for
# KPIDB_FUZZ_SECONDS (default 20; scripts/fuzz.sh runs them long).
# Between the first two, a ThreadSanitizer pass builds the tests that run
# threads in build-tsan and runs them (see below).
# KPIDB_TEST_SANITIZERS=0 skips the sanitizer pass, KPIDB_TEST_TSAN=0 the
# ThreadSanitizer one, KPIDB_TEST_RELEASE=0 the optimized one,
# KPIDB_TEST_FUZZ=0 the fuzzing.
#
# Every option a pass depends on is set on its cmake line, so a build folder
# configured differently before (the quick start builds build/ without
# tests) cannot make a pass skip its tests; ctest fails if it finds none.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh
JOBS=$(nproc)

pass_start=$SECONDS
if [ "${KPIDB_TEST_SANITIZERS:-1}" != 0 ]; then
  cmake -S . -B build-sanitize -G Ninja -DCMAKE_BUILD_TYPE=Debug \
    -DKPIDB_SANITIZE=address,undefined -DKPIDB_BUILD_TESTS=ON \
    -DKPIDB_BUILD_TOOLS=ON -DKPIDB_BUILD_BENCHMARKS=OFF >/dev/null
  cmake --build build-sanitize -j "$JOBS"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-sanitize --output-on-failure --no-tests=error -j "$JOBS"
  echo "Sanitizer pass: $((SECONDS - pass_start)) s"
fi
# ThreadSanitizer, in a build folder of its own (TSan cannot be combined
# with ASan). Only the test binaries concurrency needs are built: the store
# tests, every test folder whose code starts threads, and in other folders
# the tests named like a concurrency test: suite or test name beginning
# with a word of TSAN_WORDS. The crash folder is one of the latter: its
# crash tests kill single-threaded writer processes (the ASan and optimized
# passes run them), its stress test runs reader threads beside a writer.
# Reports from libraries
# Debian builds without TSan are suppressed in tests/tsan.supp, each with
# why it is false (doc/impl.md, "Concurrency and ThreadSanitizer"); any
# other report stops its test binary (halt_on_error) and fails the pass.
if [ "${KPIDB_TEST_TSAN:-1}" != 0 ]; then
  tsan_start=$SECONDS
  TSAN_WORDS='Concurrent|Stress|Thread'
  cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DKPIDB_SANITIZE=thread -DKPIDB_BUILD_TESTS=ON -DKPIDB_BUILD_TOOLS=OFF \
    -DKPIDB_BUILD_BENCHMARKS=OFF >/dev/null
  targets=$(cmake --build build-tsan --target help |
            sed -n 's/^\(kpidb_[a-z_]*_test\): .*/\1/p')
  whole=() filtered=()
  for dir in tests/*/; do
    module=$(basename "$dir")
    grep -qx "kpidb_${module}_test" <<<"$targets" || continue
    if [ "$module" = store ] || { [ "$module" != crash ] &&
       grep -qE 'std::(j?thread|async)|pthread_create' "$dir"*.cc "$dir"*.h 2>/dev/null; }; then
      whole+=("$module")
    elif grep -qE "^TEST(_F|_P)?\((($TSAN_WORDS)\w*,|\w+, *($TSAN_WORDS))" \
         "$dir"*_test.cc; then
      filtered+=("$module")
    fi
  done
  built=()
  for module in "${whole[@]}" "${filtered[@]}"; do built+=("kpidb_${module}_test"); done
  cmake --build build-tsan -j "$JOBS" --target "${built[@]}"
  # The stress test's writer runs for KPIDB_STRESS_SECONDS (default 30).
  tsan_options="suppressions=$PWD/tests/tsan.supp:halt_on_error=1:second_deadlock_stack=1"
  tsan_env=(env "TSAN_OPTIONS=$tsan_options" "KPIDB_STRESS_SECONDS=${KPIDB_STRESS_SECONDS:-15}")
  # Every binary runs; the pass fails at the end if any failed.
  failed=()
  filter=""
  for word in ${TSAN_WORDS//|/ }; do filter+="$word*:*.$word*:*/$word*:"; done
  for module in "${whole[@]}" "${filtered[@]}"; do
    args=(--gtest_brief=1)
    case " ${filtered[*]} " in *" $module "*) args+=("--gtest_filter=$filter") ;; esac
    echo "ThreadSanitizer: kpidb_${module}_test ${args[*]}"
    "${tsan_env[@]}" "build-tsan/tests/kpidb_${module}_test" "${args[@]}" ||
      failed+=("kpidb_${module}_test")
  done
  echo "ThreadSanitizer pass: $((SECONDS - tsan_start)) s"
  if [ ${#failed[@]} -gt 0 ]; then
    echo "ThreadSanitizer pass failed: ${failed[*]}" >&2
    exit 1
  fi
fi
if [ "${KPIDB_TEST_RELEASE:-1}" != 0 ]; then
  release_start=$SECONDS
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DKPIDB_SANITIZE= \
    -DKPIDB_BUILD_TESTS=ON -DKPIDB_BUILD_TOOLS=ON -DKPIDB_BUILD_BENCHMARKS=ON >/dev/null
  cmake --build build -j "$JOBS"
  ctest --test-dir build --output-on-failure --no-tests=error -j "$JOBS"
  echo "Optimized pass: $((SECONDS - release_start)) s"
fi
if [ "${KPIDB_TEST_FUZZ:-1}" != 0 ]; then
  fuzz_start=$SECONDS
  scripts/fuzz.sh --replay
  KPIDB_FUZZ_SECONDS=${KPIDB_FUZZ_SECONDS:-20} scripts/fuzz.sh
  echo "Fuzzing pass: $((SECONDS - fuzz_start)) s"
fi
echo "All tests passed in $SECONDS s"
