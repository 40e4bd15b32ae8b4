#!/usr/bin/env bash
# Quick start: install what is missing, build, load the bundled IIJ sample
# into ./kpidb-sample and print a few queries.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh
# The tools only; scripts/test.sh sets every option it needs itself, so
# either script can run first.
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DKPIDB_SANITIZE= \
  -DKPIDB_BUILD_TOOLS=ON -DKPIDB_BUILD_TESTS=OFF -DKPIDB_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build build --target kpidb-ingest kpidb-dump kpidb-query

DB=kpidb-sample
BIN=build/tools
echo
echo "== Loading the sample into ./$DB"
"$BIN/kpidb-ingest" "$DB" data/sample/companies.csv data/sample/iij-fy2013-1q3q.csv

show() {
  echo
  echo "== $1"
  shift
  "$BIN/kpidb-dump" "$DB" --format table "$@" | cut -c1-150
}
show "Segment revenues, nine months to December 2013" \
  --company IIJ --metric 'revenue.segment.*'
show "CAPEX (including capital leases)" --company IIJ --metric capex
show "ATMs placed" --company IIJ --metric atm.count
show "FY2013 revenue target: every version (original, then revised on 2014-02-07)" \
  --company IIJ --metric revenue.total --scenario target --from FY2013 --to FY2013 --all-versions
show "The same target as known on 2014-01-31 (before the revision)" \
  --company IIJ --metric revenue.total --scenario target --from FY2013 --to FY2013 --as-of 2014-01-31
echo
echo "== CAPEX by quarter: FY2012Q4 derived as the year minus the nine months"
"$BIN/kpidb-query" "$DB" --company IIJ --metric capex --quarters | cut -c1-150
echo
echo "== Revenue, nine months to December: up 7.9% YoY (JPY billion)"
"$BIN/kpidb-query" "$DB" --company IIJ --metric revenue.total --scenario actual \
  --period FY2013Q1-Q3 --change yoy --unit 'JPY billion' | cut -c1-150
echo
echo "== Where the deck's figures do not add up (quarters vs. the nine months)"
"$BIN/kpidb-query" "$DB" --company IIJ --check | cut -c1-150
