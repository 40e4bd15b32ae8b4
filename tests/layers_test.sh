#!/usr/bin/env bash
# The layering check (cmake/CheckLayers.cmake) passes on the tree as it is
# and fails, naming the file, when a module includes one above it, when a
# public header includes a higher one, and when a tool reaches into lib/.
# Arguments: source dir, the manifest the build wrote (kpidb_layers.cmake).
set -euo pipefail
src=$1 manifest=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0

check() {  # check <tree> -> output of the check; exit status kept
  cmake -DSOURCE_DIR="$1" -DMANIFEST="$manifest" -P "$src/cmake/CheckLayers.cmake" 2>&1
}
fresh() {
  rm -rf "$work/tree" && mkdir -p "$work/tree"
  cp -r "$src/lib" "$src/include" "$src/tools" "$work/tree/"
}
expect_violation() {  # expect_violation <name> <file> <line to add> <message part>
  fresh
  echo "$3" >>"$work/tree/$2"
  if out=$(check "$work/tree"); then
    echo "FAIL $1: the check accepted $3 in $2"; failed=$((failed + 1))
  elif grep -qF "$4" <<<"$out"; then
    echo "ok   $1"; passed=$((passed + 1))
  else
    echo "FAIL $1: unexpected message:"; echo "$out"; failed=$((failed + 1))
  fi
}

fresh
if out=$(check "$work/tree"); then
  echo "ok   tree as it is"; passed=$((passed + 1))
else
  echo "FAIL tree as it is:"; echo "$out"; failed=$((failed + 1))
fi
expect_violation "store includes query" lib/store/catalog.cc \
  '#include "lib/derive/derive.h"' "lib/store/catalog.cc: lib/store includes lib/derive"
expect_violation "period includes a public header above it" lib/period/period.cc \
  '#include "kpidb/db.h"' "lib/period includes kpidb/db.h (lib/store)"
expect_violation "public header includes a higher one" include/kpidb/fact.h \
  '#include "kpidb/analytics.h"' "public header fact.h (lib/fact) includes kpidb/analytics.h"
expect_violation "public header includes lib/" include/kpidb/unit.h \
  '#include "lib/util/str_cat.h"' "a public header includes lib/"
expect_violation "tool reaches into the store" tools/dump_tool.cc \
  '#include "lib/store/catalog.h"' "tools/ may include public headers and lib/util only"
fresh
mkdir -p "$work/tree/lib/newthing" && echo "int x;" >"$work/tree/lib/newthing/a.cc"
if out=$(check "$work/tree"); then
  echo "FAIL undeclared folder accepted"; failed=$((failed + 1))
elif grep -qF "not a module" <<<"$out"; then
  echo "ok   undeclared lib/ folder"; passed=$((passed + 1))
else
  echo "FAIL undeclared folder: $out"; failed=$((failed + 1))
fi
echo "layers: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
