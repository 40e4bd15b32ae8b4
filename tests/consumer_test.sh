#!/usr/bin/env bash
# Installs the built kpidb into a temporary prefix, builds the example
# consumer project (examples/consumer) against it with find_package(kpidb),
# and runs it. Arguments: build dir, source dir, extra compiler flags.
set -euo pipefail
build=$1 src=$2 flags=${3:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >/dev/null
cmake -S "$src/examples/consumer" -B "$work/build" -G Ninja \
  -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="$flags" >/dev/null
cmake --build "$work/build" >/dev/null
out=$("$work/build/kpidb_example" "$work/db")
echo "$out"
grep -q "^revenue.total FY2013 114.0 JPY billion (latest)$" <<<"$out"
grep -q "^revenue.total FY2013 117.0 JPY billion (as known on 2014-01-31)$" <<<"$out"
echo "consumer: 1 passed, 0 failed"
