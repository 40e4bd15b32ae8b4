#!/usr/bin/env bash
# Every function kpidb declares in a header (public, internal, tools) that
# returns absl::Status or absl::StatusOr carries [[nodiscard]], so dropping
# its result is a compile error (-Werror=unused-result) whatever Abseil's
# own markings. Lists each declaration without it.
# Argument: source dir.
set -euo pipefail
src=$1
missing=$(find "$src/include" "$src/lib" "$src/tools" -name '*.h' -print0 | sort -z |
  xargs -0 awk '
    FNR == 1 { prev = "" }
    {
      line = $0
      # A declaration starts a line: optional specifiers, the Status type,
      # a name and "(".
      if (line ~ /^[ \t]*((static|virtual|inline|friend|constexpr)[ \t]+)*(::)?absl::Status(Or<.*>)?[ \t]+[A-Za-z_][A-Za-z0-9_:]*\(/ &&
          line !~ /\[\[nodiscard\]\]/ && prev !~ /\[\[nodiscard\]\][ \t]*$/) {
        printf "%s:%d: %s\n", FILENAME, FNR, line
      }
      prev = line
    }')
checked=$(find "$src/include" "$src/lib" "$src/tools" -name '*.h' | wc -l)
if [ -n "$missing" ]; then
  echo "Status-returning declarations without [[nodiscard]]:"
  echo "$missing"
  echo "nodiscard: 0 passed, 1 failed ($checked headers)"
  exit 1
fi
echo "nodiscard: 1 passed, 0 failed ($checked headers)"
