#!/usr/bin/env bash
# Installs the Debian 12 packages kpidb builds with, if any is missing.
# Safe to run again: it does nothing when everything is there.
set -euo pipefail

PACKAGES=(
  g++ cmake ninja-build pkg-config
  librocksdb-dev libabsl-dev libcli11-dev nlohmann-json3-dev
  libxxhash-dev libgtest-dev libgmock-dev libbenchmark-dev libsqlite3-dev
  clang libclang-rt-14-dev llvm  # scripts/fuzz.sh: libFuzzer, llvm-symbolizer
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "kpidb: installing missing packages: ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
