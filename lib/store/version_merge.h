// The merge of one series' stored facts with the facts a write brings for
// it: which are new facts, new versions of known periods, repeats of what is
// stored, replacements, or conflicts. Pure over chunk rows, so it is tested
// without a database (tests/store/version_merge_test.cc); DBImpl::Write
// turns conflicts into messages.
#ifndef KPIDB_LIB_STORE_VERSION_MERGE_H_
#define KPIDB_LIB_STORE_VERSION_MERGE_H_

#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "lib/store/series_chunk.h"

namespace kpidb::store {

// origin[] value of a row that comes from the stored chunk.
inline constexpr uint32_t kStoredRow = std::numeric_limits<uint32_t>::max();

// A batch row that cannot be merged. Rows are indexes into the merged rows.
struct MergeConflict {
  enum class Kind {
    // Differs from the stored fact with the same period and as_of, and the
    // write does not replace.
    kStored,
    // Differs from an earlier batch row with the same period and as_of:
    // two inputs disagree, and even a replacing write cannot choose.
    kDuplicate,
  };
  Kind kind;
  uint32_t row;    // the batch row in conflict
  uint32_t other;  // the stored row (kStored) or the earlier batch row
};

struct MergeResult {
  // Whether the series must be rewritten.
  bool changed = false;
  // Batch rows by what they are (as WriteSummary counts them).
  size_t new_facts = 0;       // first version of a period
  size_t versions_added = 0;  // a new as_of for a known period
  size_t unchanged = 0;       // identical to the stored fact or an earlier row
  size_t replaced = 0;        // a new value for a stored period and as_of
  // In the order found: by period, then as_of, then batch order.
  std::vector<MergeConflict> conflicts;
};

// Buffers a merge reuses; one per writer.
struct MergeScratch {
  std::vector<uint32_t> order;
  std::vector<uint8_t> keep;
};

// Merges one series. On entry `rows` holds the stored rows (each key once)
// followed by the batch rows for the series in batch order; origin[i] is
// kStoredRow for a stored row and anything else for a batch row. Facts are
// identical when value, unit and source match.
//
// When the result has no conflicts, `rows` is left holding the merged
// series, one row per (period, as_of), in no particular order (EncodeChunk
// sorts). With conflicts, rows keep their positions, so that the conflicts'
// indexes still name them.
MergeResult MergeVersions(bool replace, std::span<const uint32_t> origin,
                          std::vector<ChunkRow>* rows, MergeScratch* scratch);

}  // namespace kpidb::store

#endif  // KPIDB_LIB_STORE_VERSION_MERGE_H_
