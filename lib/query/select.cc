#include "lib/query/select.h"

#include "lib/util/str_cat.h"

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
  // Chunk order sorts each span group (all quarters, all years...) by
  // start, which is output order inside the group; so the selection is a few
  // ascending runs, merged here in linear time instead of sorted.
  const size_t n_sel = out->size() - first;
  if (n_sel < 2) return;
  thread_local std::vector<size_t> run_starts;
  run_starts.clear();
  run_starts.push_back(first);
  for (size_t i = first + 1; i < out->size(); ++i) {
    if (key((*out)[i]) < key((*out)[i - 1])) run_starts.push_back(i);
  }
  if (run_starts.size() == 1) return;
  if (run_starts.size() > 8) {
    // Many kinds of period in one series: a plain sort is cheaper.
    std::sort(out->begin() + static_cast<std::ptrdiff_t>(first), out->end(),
              [&](uint32_t a, uint32_t b) { return key(a) < key(b); });
    return;
  }
  run_starts.push_back(out->size());
  thread_local std::vector<size_t> heads;
  thread_local std::vector<uint32_t> merged;
  heads.assign(run_starts.begin(), run_starts.end() - 1);
  merged.clear();
  const size_t runs = heads.size();
  for (size_t produced = 0; produced < n_sel; ++produced) {
    size_t best = runs;
    for (size_t r = 0; r < runs; ++r) {
      if (heads[r] == run_starts[r + 1]) continue;
      if (best == runs || key((*out)[heads[r]]) < key((*out)[heads[best]])) best = r;
    }
    merged.push_back((*out)[heads[best]++]);
  }
  std::copy(merged.begin(), merged.end(), out->begin() + static_cast<std::ptrdiff_t>(first));
}

absl::StatusOr<Period> ParseBound(std::string_view label,
                                  const FiscalCalendar& calendar) {
  absl::StatusOr<Period> p = Period::Parse(label, calendar);
  if (!p.ok()) {
    return absl::InvalidArgumentError(
        kpidb::StrCat("bad period bound: ", p.status().message()));
  }
  return p;
}

}  // namespace kpidb::query
