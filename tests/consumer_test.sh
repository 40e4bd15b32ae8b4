#!/usr/bin/env bash
# Installs the built kpidb into a temporary prefix, builds the example
# consumer project (examples/consumer) against it with find_package(kpidb),
# and runs it. Arguments: build dir, source dir, extra compiler flags.
set -euo pipefail
build=$1 src=$2 flags=${3:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >/dev/null
# The package must need only what the public headers and the static library
# need (Abseil, RocksDB): the tools' CLI11 and the header-only libraries
# used inside the library are hidden from the consumer.
config="$work/prefix/lib/cmake/kpidb/kpidbConfig.cmake"
[ -f "$config" ] || config=$(find "$work/prefix" -name kpidbConfig.cmake | head -1)
if grep -Eq "CLI11|nlohmann|fmt|xxhash" "$config" "$(dirname "$config")"/kpidbTargets*.cmake; then
  echo "consumer: the installed package names a dependency it does not need:" >&2
  grep -En "CLI11|nlohmann|fmt|xxhash" "$config" "$(dirname "$config")"/kpidbTargets*.cmake >&2
  exit 1
fi
lib=$(find "$work/prefix" -name libkpidb.a | head -1)
syms=$(nm -C "$lib" 2>/dev/null || true)
if grep -q "CLI::\|kpidb::tools::" <<<"$syms"; then
  echo "consumer: libkpidb.a carries command-line code" >&2
  exit 1
fi
cmake -S "$src/examples/consumer" -B "$work/build" -G Ninja \
  -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_DISABLE_FIND_PACKAGE_CLI11=ON \
  -DCMAKE_DISABLE_FIND_PACKAGE_nlohmann_json=ON \
  -DCMAKE_DISABLE_FIND_PACKAGE_fmt=ON \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="$flags" >/dev/null
cmake --build "$work/build" >/dev/null
out=$("$work/build/kpidb_example" "$work/db")
echo "$out"
grep -q "^revenue.total FY2013 114.0 JPY billion (latest)$" <<<"$out"
grep -q "^revenue.total FY2013 117.0 JPY billion (as known on 2014-01-31)$" <<<"$out"
echo "consumer: 1 passed, 0 failed"
