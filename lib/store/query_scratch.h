// Buffers the query path reuses from one query to the next on the same
// thread. Fresh multi-megabyte vectors cost a page fault per 4 KiB, which
// dominated large queries; keeping them per thread makes a query's memory
// warm. Kept apart from the query logic so that it reads as what it does.
#ifndef KPIDB_LIB_STORE_QUERY_SCRATCH_H_
#define KPIDB_LIB_STORE_QUERY_SCRATCH_H_

#include <cstdint>
#include <vector>

#include "lib/store/series_chunk.h"

namespace kpidb::store {

struct QueryScratch {
  // Selected rows of every series, one after another.
  std::vector<ChunkRow> selected_rows;
  // The chunk being read, and the indexes of its selected rows.
  std::vector<ChunkRow> decoded;
  std::vector<uint32_t> selected;
  // Source id -> index in the result's source table (UINT32_MAX: none
  // yet), and the ids set, to reset them after the query.
  std::vector<uint32_t> source_slot;
  std::vector<uint32_t> touched_sources;

  // This thread's buffers, cleared for a new query; Release() when done.
  // REQUIRES: no other query on this thread holds them (queries do not
  // nest).
  static QueryScratch& Acquire() {
    thread_local QueryScratch scratch;
    scratch.selected_rows.clear();
    return scratch;
  }

  // Resets the source slots, and gives back the memory of one huge query
  // rather than pinning it forever.
  void Release() {
    for (uint32_t id : touched_sources) source_slot[id] = UINT32_MAX;
    touched_sources.clear();
    if (selected_rows.capacity() > (size_t{1} << 20)) {
      std::vector<ChunkRow>().swap(selected_rows);
    }
  }
};

// Acquires this thread's scratch for one query and releases it at scope
// exit, on every return path.
class ScratchLease {
 public:
  ScratchLease() : scratch_(QueryScratch::Acquire()) {}
  ~ScratchLease() { scratch_.Release(); }
  ScratchLease(const ScratchLease&) = delete;
  ScratchLease& operator=(const ScratchLease&) = delete;
  QueryScratch& operator*() const { return scratch_; }
  QueryScratch* operator->() const { return &scratch_; }

 private:
  QueryScratch& scratch_;
};

}  // namespace kpidb::store

#endif  // KPIDB_LIB_STORE_QUERY_SCRATCH_H_
