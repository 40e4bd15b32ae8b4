// A series chunk holds every fact (all periods, all versions) of one series
// (company, metric, scenario) as seven encoded columns. doc/format.md gives
// the byte layout; this file is its only writer and reader.
#ifndef KPIDB_LIB_STORE_SERIES_CHUNK_H_
#define KPIDB_LIB_STORE_SERIES_CHUNK_H_

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace kpidb::store {

// Sentinel for "no as_of" in ChunkRow::as_of.
inline constexpr int64_t kNoAsOf = std::numeric_limits<int64_t>::min();

// One fact in storage form. Dates are day numbers (days since 1970-01-01).
struct ChunkRow {
  int64_t start = 0;
  int64_t end = 0;  // inclusive; equals start for an instant
  bool instant = false;
  int64_t mantissa = 0;
  int32_t exponent = 0;
  uint32_t unit_id = 0;
  int64_t as_of = kNoAsOf;
  uint32_t source_id = 0;  // 0: no source

  // The fact's identity inside its series: period and version.
  bool SameKey(const ChunkRow& o) const {
    return start == o.start && end == o.end && instant == o.instant &&
           as_of == o.as_of;
  }
  bool SamePeriod(const ChunkRow& o) const {
    return start == o.start && end == o.end && instant == o.instant;
  }
};

// The most facts one series may hold. Writes that would exceed it are
// refused; a chunk declaring more is damaged. Bounds what decoding one
// chunk may allocate (about 72 bytes a row).
inline constexpr uint64_t kMaxSeriesRows = 1u << 20;

// Column numbers, in the order they appear in a chunk. Persisted.
enum ChunkColumn : int {
  kColStartGap = 0,
  kColSpan = 1,
  kColMantissa = 2,
  kColExponent = 3,
  kColUnit = 4,
  kColAsOf = 5,
  kColSource = 6,
  kNumChunkColumns = 7,
};

// Bit masks of columns a reader needs. Periods (gap + span) and values
// (mantissa + exponent) are always decoded.
enum ChunkColumnMask : uint32_t {
  kNeedUnits = 1u << kColUnit,
  kNeedAsOf = 1u << kColAsOf,
  kNeedSources = 1u << kColSource,
  kNeedAll = kNeedUnits | kNeedAsOf | kNeedSources,
};

// Sorts rows into chunk order (see doc/format.md) and encodes them.
// REQUIRES: no two rows have the same key.
std::string EncodeChunk(std::vector<ChunkRow>* rows);

// Decodes a chunk into *rows (replacing its contents). Columns outside
// `needed` are left at their defaults, except as_of, which is also decoded
// whenever a period has several rows (its versions are then checked).
// DataLoss for any damage: bad checksum, unknown version or encoding,
// truncated or inconsistent columns, no rows, rows out of order or
// repeated. A row's as_of is kNoAsOf when not decoded, so without
// kNeedAsOf every row is a period's only version.
[[nodiscard]] absl::Status DecodeChunk(std::string_view chunk, uint32_t needed,
                                       std::vector<ChunkRow>* rows);

}  // namespace kpidb::store

#endif  // KPIDB_LIB_STORE_SERIES_CHUNK_H_
