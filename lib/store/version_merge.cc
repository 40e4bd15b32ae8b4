#include "lib/store/version_merge.h"

#include <algorithm>
#include <tuple>

namespace kpidb::store {
namespace {

bool Identical(const ChunkRow& a, const ChunkRow& b) {
  return a.mantissa == b.mantissa && a.exponent == b.exponent &&
         a.unit_id == b.unit_id && a.source_id == b.source_id;
}

// Sorting makes rows with the same key neighbours, stored first (they come
// first in `rows`) and then in batch order; cheaper than hashing every row.
void SortByKey(const std::vector<ChunkRow>& rows, std::vector<uint32_t>* order) {
  order->resize(rows.size());
  for (uint32_t i = 0; i < order->size(); ++i) (*order)[i] = i;
  std::sort(order->begin(), order->end(), [&](uint32_t x, uint32_t y) {
    const ChunkRow& a = rows[x];
    const ChunkRow& b = rows[y];
    return std::tie(a.start, a.end, a.instant, a.as_of, x) <
           std::tie(b.start, b.end, b.instant, b.as_of, y);
  });
}

// One merge in progress: the rows, where they came from, and the result.
class Merger {
 public:
  Merger(bool replace, std::span<const uint32_t> origin, std::vector<ChunkRow>* rows,
         MergeScratch* scratch)
      : replace_(replace), origin_(origin), rows_(*rows), order_(scratch->order),
        keep_(scratch->keep) {}

  MergeResult Run() {
    SortByKey(rows_, &order_);
    keep_.assign(rows_.size(), 1);
    for (size_t i = 0; i < order_.size();) i = MergePeriod(i);
    if (result_.changed && result_.conflicts.empty()) DropRepeats();
    return std::move(result_);
  }

 private:
  bool Stored(uint32_t row) const { return origin_[row] == kStoredRow; }

  // The rows of one period start at order_[i]; returns where the next
  // period starts. Its versions are runs of one as_of.
  size_t MergePeriod(size_t i) {
    size_t j = i;
    bool period_known = false;  // a version of the period is stored
    while (j < order_.size() && rows_[order_[j]].SamePeriod(rows_[order_[i]])) {
      period_known = period_known || Stored(order_[j]);
      ++j;
    }
    for (size_t k = i; k < j;) {
      size_t l = k + 1;
      while (l < j && rows_[order_[l]].as_of == rows_[order_[k]].as_of) ++l;
      MergeVersion(k, l, &period_known);
      k = l;
    }
    return j;
  }

  // order_[k, l): the rows of one period and as_of. The first is the fact
  // that stays (the stored one if any); the others repeat, replace or
  // conflict with it.
  void MergeVersion(size_t k, size_t l, bool* period_known) {
    const uint32_t anchor = order_[k];
    uint32_t first_batch = kStoredRow;
    if (!Stored(anchor)) {
      first_batch = anchor;
      result_.changed = true;
      ++(*period_known ? result_.versions_added : result_.new_facts);
      *period_known = true;
    }
    for (size_t m = k + 1; m < l; ++m) {
      const uint32_t row = order_[m];
      keep_[row] = 0;
      if (first_batch == kStoredRow) {
        first_batch = row;
        AgainstStored(anchor, row);
      } else if (Identical(rows_[first_batch], rows_[row])) {
        ++result_.unchanged;
      } else {
        result_.conflicts.push_back({MergeConflict::Kind::kDuplicate, row, first_batch});
      }
    }
  }

  // The first batch row for a stored key.
  void AgainstStored(uint32_t stored, uint32_t row) {
    ChunkRow& old = rows_[stored];
    if (Identical(old, rows_[row])) {
      ++result_.unchanged;
    } else if (replace_) {
      old = rows_[row];
      result_.changed = true;
      ++result_.replaced;
    } else {
      result_.conflicts.push_back({MergeConflict::Kind::kStored, row, stored});
    }
  }

  void DropRepeats() {
    size_t w = 0;
    for (size_t i = 0; i < rows_.size(); ++i) {
      if (keep_[i]) rows_[w++] = rows_[i];
    }
    rows_.resize(w);
  }

  const bool replace_;
  const std::span<const uint32_t> origin_;
  std::vector<ChunkRow>& rows_;
  std::vector<uint32_t>& order_;
  std::vector<uint8_t>& keep_;
  MergeResult result_;
};

}  // namespace

MergeResult MergeVersions(bool replace, std::span<const uint32_t> origin,
                          std::vector<ChunkRow>* rows, MergeScratch* scratch) {
  return Merger(replace, origin, rows, scratch).Run();
}

}  // namespace kpidb::store
