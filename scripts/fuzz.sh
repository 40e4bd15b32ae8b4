#!/usr/bin/env bash
# Builds kpidb's libFuzzer targets (tests/fuzz/) with clang, ASan and UBSan in
# build-fuzz/ and runs each for a bounded time; fails if any target finds a
# crash, a leak, a hang or a broken invariant, and prints the reproducer.
#
#   scripts/fuzz.sh                   every target, KPIDB_FUZZ_SECONDS each
#   scripts/fuzz.sh TARGET [SECONDS]  one target (a long run: SECONDS=3600)
#   scripts/fuzz.sh --merge TARGET    add the inputs of TARGET's last run that
#                                     reach new code to tests/fuzz/corpus/TARGET
#   scripts/fuzz.sh --replay          run every target once over the inputs
#                                     in tests/fuzz/TARGET/crashes-found/
#
# Targets: decimal unit period csv chunk catalog. Each run fuzzes a fresh
# copy of the seeds, build-fuzz/fuzz-run/TARGET/corpus, and never writes
# into tests/; reproducers are saved next to it. KPIDB_FUZZ_SECONDS (default
# 40) is the time per target; KPIDB_FUZZ_CMAKE_ARGS adds cmake arguments
# (say -DCMAKE_CXX_COMPILER_LAUNCHER=ccache).
set -euo pipefail
cd "$(dirname "$0")/.."

TARGETS=(decimal unit period csv chunk catalog)
# Longest input each target is given: a few fields' worth of text for the
# value parsers, a CSV file of some dozen lines, chunks of a few hundred rows.
declare -A MAX_LEN=([decimal]=64 [unit]=48 [period]=64 [csv]=4096 [chunk]=2048 [catalog]=256)
BUILD=build-fuzz
RUNS=$BUILD/fuzz-run

usage() {
  sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

known_target() {
  local t
  for t in "${TARGETS[@]}"; do [ "$t" = "$1" ] && return 0; done
  echo "fuzz.sh: unknown target '$1' (targets: ${TARGETS[*]})" >&2
  exit 2
}

build() {
  scripts/deps.sh
  # shellcheck disable=SC2086
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_CXX_COMPILER=clang++ \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKPIDB_BUILD_FUZZERS=ON \
    -DKPIDB_SANITIZE=address,undefined -DKPIDB_BUILD_TESTS=OFF \
    -DKPIDB_BUILD_TOOLS=OFF -DKPIDB_BUILD_BENCHMARKS=OFF \
    ${KPIDB_FUZZ_CMAKE_ARGS:-} >/dev/null
  cmake --build "$BUILD" --target kpidb_fuzzers -j "$(nproc)"
}

binary() { echo "$BUILD/tests/fuzz/kpidb_fuzz_$1"; }

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# Fuzzes target $1 for $2 seconds; false if it found something.
run() {
  local t=$1 seconds=$2 work=$RUNS/$1
  rm -rf "$work"
  mkdir -p "$work/corpus"
  cp tests/fuzz/corpus/"$t"/* "$work/corpus/"
  local args=(-max_total_time="$seconds" -max_len="${MAX_LEN[$t]}" -timeout=20
              -rss_limit_mb=2560 -print_final_stats=1 -artifact_prefix="$work/")
  [ -f "tests/fuzz/dict/$t.dict" ] && args+=(-dict="tests/fuzz/dict/$t.dict")
  echo "== fuzz $t: ${seconds}s, inputs up to ${MAX_LEN[$t]} bytes"
  local start=$SECONDS
  if "$(binary "$t")" "${args[@]}" "$work/corpus" >"$work/log" 2>&1; then
    echo "   ok: $(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$work/log" |
                     grep -Eo '[0-9]+$') runs in $((SECONDS - start))s," \
         "corpus $(find "$work/corpus" -type f | wc -l) inputs"
    return 0
  fi
  echo "   FAILED: $t (log: $work/log)"
  grep -E 'kpidb fuzz invariant failed|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error|SUMMARY' \
    "$work/log" | head -5 | sed 's/^/   /'
  local f
  for f in "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-*; do
    [ -e "$f" ] || continue
    echo "   reproducer: $f"
    echo "   replay:     $(binary "$t") $f"
  done
  return 1
}

case "${1:-}" in
  -h|--help)
    usage
    ;;
  --merge)
    [ $# -eq 2 ] || usage
    known_target "$2"
    [ -d "$RUNS/$2/corpus" ] || { echo "fuzz.sh: no run of $2 to merge ($RUNS/$2/corpus)" >&2; exit 1; }
    build
    "$(binary "$2")" -merge=1 -max_len="${MAX_LEN[$2]}" "tests/fuzz/corpus/$2" "$RUNS/$2/corpus"
    echo "merged into tests/fuzz/corpus/$2: review and commit what is new (git status)"
    ;;
  --replay)
    [ $# -eq 1 ] || usage
    build
    status=0
    for t in "${TARGETS[@]}"; do
      for f in tests/fuzz/"$t"/crashes-found/*; do
        if [ ! -f "$f" ] || [ "${f##*.}" = md ]; then continue; fi
        if out=$("$(binary "$t")" "$f" 2>&1); then
          echo "fixed:   $t $f"
        else
          echo "failing: $t $f"
          grep -E 'kpidb fuzz invariant failed|ERROR:|runtime error' <<<"$out" |
            head -1 | cut -c1-300 | sed 's/^/         /'
          status=1
        fi
      done
    done
    exit $status
    ;;
  '')
    build
    failed=()
    for t in "${TARGETS[@]}"; do
      run "$t" "${KPIDB_FUZZ_SECONDS:-40}" || failed+=("$t")
    done
    if [ ${#failed[@]} -gt 0 ]; then
      echo "fuzz.sh: found problems in: ${failed[*]}" >&2
      exit 1
    fi
    ;;
  *)
    [ $# -le 2 ] || usage
    known_target "$1"
    build
    run "$1" "${2:-${KPIDB_FUZZ_SECONDS:-40}}"
    ;;
esac
