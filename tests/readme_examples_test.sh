#!/usr/bin/env bash
# Runs every tool command shown in README.md, in order, in a scratch folder:
# the README's examples must run as shown. Each command must exit 0 and
# print something (a silent success would hide an empty result).
#
#   readme_examples_test.sh SOURCE_DIR TOOLS_DIR
set -euo pipefail
src=$1
tools=$2
work=$(mktemp -d "${TMPDIR:-/tmp}/kpidb-readme-XXXXXX")
trap 'rm -rf "$work"' EXIT
ln -s "$src/data" "$work/data"
cd "$work"

# Commands start with build/tools/; a trailing backslash continues a line.
commands=$(awk '
  /^```/ { in_block = !in_block; next }
  !in_block { next }
  pending != "" { line = pending $0 }
  pending == "" { line = $0 }
  pending = ""
  line ~ /\\$/ { sub(/\\$/, "", line); pending = line; next }
  line ~ /^build\/tools\// { print line }
' "$src/README.md")

count=0
while IFS= read -r cmd; do
  [ -z "$cmd" ] && continue
  count=$((count + 1))
  run=${cmd//build\/tools\//$tools/}
  if ! out=$(bash -c "$run" 2>&1); then
    echo "README example failed: $cmd" >&2
    echo "$out" >&2
    exit 1
  fi
  # Commands that redirect their output print nothing here; the rest must.
  if [[ "$cmd" != *">"* && -z "$out" ]]; then
    echo "README example printed nothing: $cmd" >&2
    exit 1
  fi
done <<< "$commands"

# The README shows at least the ingest, dump and query examples.
if [ "$count" -lt 10 ]; then
  echo "only $count README examples found; the extraction is broken" >&2
  exit 1
fi
echo "ran $count README examples"
