// Row selection inside one decoded series: the period range, the as_of cut
// and the choice of the latest version, then output order. Pure functions
// over chunk rows, so they are tested without a database.
#ifndef KPIDB_LIB_STORE_ROW_SELECTION_H_
#define KPIDB_LIB_STORE_ROW_SELECTION_H_

#include <cstdint>
#include <limits>
#include <vector>

#include "lib/store/series_chunk.h"

namespace kpidb::store {

struct RowFilter {
  // Day-number bounds: a row is kept when from <= start and end <= to.
  int64_t from = std::numeric_limits<int64_t>::min();
  int64_t to = std::numeric_limits<int64_t>::max();
  // Versions with as_of after this day are invisible (rows without as_of
  // always count as known).
  int64_t as_of = std::numeric_limits<int64_t>::max();
  bool all_versions = false;
  // Exactly the period [from, to] (an instant when `instant`), not the rows
  // inside it.
  bool exact = false;
  bool instant = false;
};

// Appends to *out the indexes of the selected rows of `rows` (in chunk
// order, as DecodeChunk returns them), sorted in output order: period end,
// then shorter first, then start, then as_of (oldest first).
void SelectRows(const std::vector<ChunkRow>& rows,
                const RowFilter& filter, std::vector<uint32_t>* out);

}  // namespace kpidb::store

#endif  // KPIDB_LIB_STORE_ROW_SELECTION_H_
