#include "lib/store/row_selection.h"

#include <algorithm>
#include <span>
#include <tuple>

namespace kpidb::store {
namespace {

// Buffers the ordering step reuses on each thread: it runs once per series
// of every query, and allocating them per call showed in profiles.
struct SelectionScratch {
  struct Key {
    int64_t end, length, start, as_of;
    bool operator<(const Key& o) const {
      return std::tie(end, length, start, as_of) < std::tie(o.end, o.length, o.start, o.as_of);
    }
  };
  std::vector<Key> keys;
  std::vector<size_t> run_starts;
  std::vector<size_t> heads;
  std::vector<uint32_t> order;
  std::vector<uint32_t> merged;

  static SelectionScratch& ThisThread() {
    thread_local SelectionScratch scratch;
    return scratch;
  }
};

// Appends the indexes of the rows `filter` keeps, in chunk order.
void FilterRows(const std::vector<ChunkRow>& rows, const RowFilter& filter,
                std::vector<uint32_t>* out) {
  const size_t n = rows.size();
  // Chunk order puts the versions of one period next to each other, oldest
  // first (store/series_chunk.cc), so the latest visible version is the last
  // visible row of its run.
  for (size_t i = 0; i < n; ++i) {
    const ChunkRow& r = rows[i];
    if (r.start < filter.from || r.end > filter.to) continue;
    if (filter.exact &&
        (r.start != filter.from || r.end != filter.to || r.instant != filter.instant)) {
      continue;
    }
    if (r.as_of != kNoAsOf && r.as_of > filter.as_of) continue;
    if (!filter.all_versions) {
      size_t j = i + 1;
      bool newer_visible = false;
      for (; j < n && rows[j].SamePeriod(r); ++j) {
        if (rows[j].as_of == kNoAsOf || rows[j].as_of <= filter.as_of) {
          newer_visible = true;
        }
      }
      if (newer_visible) continue;
    }
    out->push_back(static_cast<uint32_t>(i));
  }
}

// OrderSelection for the usual case, two or three runs of dates in the
// chunk's range: the key packed in one integer, (end, length), which orders
// like the full key because the start follows from them and the versions
// of a period are adjacent in one run, oldest first, and the merge is
// stable. False, leaving `selected` as it was, when a date is out of the
// packed range or there are more than kMaxRuns runs.
bool OrderSelectionPacked(const std::vector<ChunkRow>& rows, std::span<uint32_t> selected) {
  constexpr int64_t kDayBias = int64_t{1} << 23;  // DecodeChunk bounds days by 4'000'000
  constexpr size_t kMaxRuns = 4;
  constexpr size_t kMaxRows = 256;
  const size_t n = selected.size();
  if (n > kMaxRows) return false;
  uint64_t keys[kMaxRows];
  size_t run_starts[kMaxRuns + 1];
  size_t runs = 0;
  for (size_t k = 0; k < n; ++k) {
    const ChunkRow& r = rows[selected[k]];
    const int64_t length = r.instant ? 0 : r.end - r.start + 1;
    if (r.end <= -kDayBias || r.end >= kDayBias || length < 0 || length >= (int64_t{1} << 25)) {
      return false;
    }
    keys[k] = (static_cast<uint64_t>(r.end + kDayBias) << 25) | static_cast<uint64_t>(length);
    if (k == 0 || keys[k] < keys[k - 1]) {
      if (runs == kMaxRuns) return false;
      run_starts[runs++] = k;
    }
  }
  if (runs == 1) return true;
  uint32_t merged[kMaxRows];
  if (runs == 2) {
    // The usual case (quarters, then years): a plain two-way merge, taking
    // from the first run on ties so that the merge stays stable.
    size_t a = 0, b = run_starts[1], out = 0;
    const size_t a_end = run_starts[1];
    while (a < a_end && b < n) merged[out++] = selected[keys[b] < keys[a] ? b++ : a++];
    while (a < a_end) merged[out++] = selected[a++];
    while (b < n) merged[out++] = selected[b++];
    std::copy(merged, merged + n, selected.begin());
    return true;
  }
  run_starts[runs] = n;
  size_t heads[kMaxRuns];
  for (size_t r = 0; r < runs; ++r) heads[r] = run_starts[r];
  for (size_t produced = 0; produced < n; ++produced) {
    size_t best = runs;
    for (size_t r = 0; r < runs; ++r) {
      if (heads[r] == run_starts[r + 1]) continue;
      if (best == runs || keys[heads[r]] < keys[heads[best]]) best = r;
    }
    merged[produced] = selected[heads[best]++];
  }
  std::copy(merged, merged + n, selected.begin());
  return true;
}

// Puts `selected` (indexes of `rows`, in chunk order) in output order.
// Chunk order sorts each span group (all quarters, all years...) by start,
// which is output order inside the group; so the selection is a few
// ascending runs, merged here in linear time instead of sorted. Keys are
// computed once per row: rebuilding them at every comparison of the merge
// was a tenth of a derived query.
void OrderSelection(const std::vector<ChunkRow>& rows, std::span<uint32_t> selected) {
  const size_t n_sel = selected.size();
  if (n_sel < 2) return;
  if (OrderSelectionPacked(rows, selected)) return;
  SelectionScratch& scratch = SelectionScratch::ThisThread();
  std::vector<SelectionScratch::Key>& keys = scratch.keys;
  keys.resize(n_sel);
  for (size_t k = 0; k < n_sel; ++k) {
    const ChunkRow& r = rows[selected[k]];
    // An instant (length 0) sorts before a duration ending the same day.
    keys[k] = SelectionScratch::Key{r.end, r.instant ? 0 : r.end - r.start + 1, r.start, r.as_of};
  }
  std::vector<size_t>& run_starts = scratch.run_starts;
  run_starts.clear();
  run_starts.push_back(0);
  for (size_t k = 1; k < n_sel; ++k) {
    if (keys[k] < keys[k - 1]) run_starts.push_back(k);
  }
  if (run_starts.size() == 1) return;
  std::vector<uint32_t>& merged = scratch.merged;
  merged.clear();
  if (run_starts.size() > 8) {
    // Many kinds of period in one series: a plain sort is cheaper.
    std::vector<uint32_t>& order = scratch.order;
    order.resize(n_sel);
    for (size_t k = 0; k < n_sel; ++k) order[k] = static_cast<uint32_t>(k);
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return keys[a] < keys[b]; });
    for (uint32_t k : order) merged.push_back(selected[k]);
  } else {
    run_starts.push_back(n_sel);
    std::vector<size_t>& heads = scratch.heads;
    heads.assign(run_starts.begin(), run_starts.end() - 1);
    const size_t runs = heads.size();
    for (size_t produced = 0; produced < n_sel; ++produced) {
      size_t best = runs;
      for (size_t r = 0; r < runs; ++r) {
        if (heads[r] == run_starts[r + 1]) continue;
        if (best == runs || keys[heads[r]] < keys[heads[best]]) best = r;
      }
      merged.push_back(selected[heads[best]++]);
    }
  }
  std::copy(merged.begin(), merged.end(), selected.begin());
}

}  // namespace

void SelectRows(const std::vector<ChunkRow>& rows, const RowFilter& filter,
                std::vector<uint32_t>* out) {
  const size_t first = out->size();
  FilterRows(rows, filter, out);
  OrderSelection(rows, std::span<uint32_t>(out->data() + first, out->size() - first));
}

}  // namespace kpidb::store
