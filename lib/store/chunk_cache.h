// ChunkCache: encoded series chunks kept in memory after a point lookup, so
// that reading the same series again skips RocksDB's Get (memtable, bloom
// filter, index and data-block search: about 1 µs even when every block is
// cached, the larger part of a one-series query). It plays the part of
// RocksDB's row cache, which kpidb cannot use (RocksDB 7.8 misreads keys of
// ingested table files through it; doc/impl.md).
//
// Values are the chunk bytes exactly as stored, checksum included: a hit is
// decoded and verified like a read from disk, so the cache cannot hide
// damage that a read would report, only repeat a read already made.
//
// Consistency: a commit calls Clear() once the new chunks are visible.
// A reader takes epoch() before it reads RocksDB and passes it to Insert(),
// which drops the value if a Clear() came in between: a chunk read before
// a commit is never cached after it.
//
// Thread-safe. Sharded by series, each shard an LRU list under its own
// mutex; Lookup() returns a shared reference, so decoding runs unlocked and
// an evicted chunk lives until its last reader is done.
#ifndef KPIDB_LIB_STORE_CHUNK_CACHE_H_
#define KPIDB_LIB_STORE_CHUNK_CACHE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "lib/util/mutex.h"

namespace kpidb::store {

class ChunkCache {
 public:
  // The catalog ids of a series: its key in the cache.
  struct SeriesId {
    uint32_t metric, scenario, company;
    bool operator==(const SeriesId&) const = default;
    template <typename H>
    friend H AbslHashValue(H h, const SeriesId& s) {
      return H::combine(std::move(h), s.metric, s.scenario, s.company);
    }
  };

  // Holds at most about `capacity_bytes` of chunks and bookkeeping; 0
  // disables the cache (Lookup always misses, Insert keeps nothing).
  explicit ChunkCache(size_t capacity_bytes);
  ChunkCache(const ChunkCache&) = delete;
  ChunkCache& operator=(const ChunkCache&) = delete;

  bool enabled() const { return shard_capacity_ > 0; }

  // A cached chunk; keeps its bytes alive after eviction.
  class Ref {
   public:
    Ref() = default;
    explicit operator bool() const { return bytes_ != nullptr; }
    std::string_view view() const { return {bytes_.get(), size_}; }

   private:
    friend class ChunkCache;
    Ref(std::shared_ptr<const char[]> bytes, size_t size) : bytes_(std::move(bytes)), size_(size) {}
    std::shared_ptr<const char[]> bytes_;
    size_t size_ = 0;
  };

  // The chunk of `id`, or an empty Ref.
  Ref Lookup(const SeriesId& id);

  // The current epoch; take it before reading the chunk to be inserted.
  uint64_t epoch() const { return epoch_.load(std::memory_order_acquire); }

  // Keeps `chunk` as the value of `id`, unless the cache was cleared since
  // `epoch` (the chunk may predate a commit) or the chunk alone exceeds a
  // shard's capacity.
  void Insert(const SeriesId& id, std::string_view chunk, uint64_t epoch);

  // Drops every chunk and starts a new epoch.
  void Clear();

  // Bytes charged now (chunks and bookkeeping), for tests.
  size_t charge() const;

 private:
  static constexpr int kShards = 16;
  // Bookkeeping per entry, heap overhead included: the list node (64), the
  // bytes' shared_ptr control block (32) and a hash slot (32).
  static constexpr size_t kEntryOverhead = 128;

  struct Entry {
    SeriesId id;
    Ref chunk;
  };
  struct Shard {
    mutable kpidb::Mutex mu;
    std::list<Entry> lru ABSL_GUARDED_BY(mu);  // most recent first
    absl::flat_hash_map<SeriesId, std::list<Entry>::iterator> index ABSL_GUARDED_BY(mu);
    size_t charge ABSL_GUARDED_BY(mu) = 0;
  };

  Shard& ShardOf(const SeriesId& id);

  const size_t shard_capacity_;
  std::atomic<uint64_t> epoch_{0};
  Shard shards_[kShards];
};

}  // namespace kpidb::store

#endif  // KPIDB_LIB_STORE_CHUNK_CACHE_H_
