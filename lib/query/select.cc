#include "lib/query/select.h"

#include <algorithm>
#include <tuple>

namespace kpidb::query {

void SelectRows(const std::vector<store::ChunkRow>& rows,
                const RowFilter& filter, std::vector<uint32_t>* out) {
  const size_t first = out->size();
  const size_t n = rows.size();
  // Chunk order puts the versions of one period next to each other, oldest
  // first (store/series_chunk.cc), so the latest visible version is the last
  // visible row of its run.
  for (size_t i = 0; i < n; ++i) {
    const store::ChunkRow& r = rows[i];
    if (r.start < filter.from || r.end > filter.to) continue;
    if (r.as_of != store::kNoAsOf && r.as_of > filter.as_of) continue;
    if (!filter.all_versions) {
      size_t j = i + 1;
      bool newer_visible = false;
      for (; j < n && rows[j].SamePeriod(r); ++j) {
        if (rows[j].as_of == store::kNoAsOf || rows[j].as_of <= filter.as_of) {
          newer_visible = true;
        }
      }
      if (newer_visible) continue;
    }
    out->push_back(static_cast<uint32_t>(i));
  }
  auto key = [&rows](uint32_t i) {
    const store::ChunkRow& r = rows[i];
    // An instant (length 0) sorts before a duration ending the same day.
    const int64_t length = r.instant ? 0 : r.end - r.start + 1;
    return std::make_tuple(r.end, length, r.start, r.as_of);
  };
  auto begin = out->begin() + static_cast<std::ptrdiff_t>(first);
  // Chunk order is often already output order for one length; check first.
  if (!std::is_sorted(begin, out->end(), [&](uint32_t a, uint32_t b) {
        return key(a) < key(b);
      })) {
    std::sort(begin, out->end(),
              [&](uint32_t a, uint32_t b) { return key(a) < key(b); });
  }
}

}  // namespace kpidb::query
