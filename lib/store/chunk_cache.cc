#include "lib/store/chunk_cache.h"

#include <cstring>

#include "absl/hash/hash.h"

namespace kpidb::store {

ChunkCache::ChunkCache(size_t capacity_bytes) : shard_capacity_(capacity_bytes / kShards) {}

ChunkCache::Shard& ChunkCache::ShardOf(const SeriesId& id) {
  // The high bits: the shard's hash map uses the low ones.
  return shards_[absl::Hash<SeriesId>()(id) >> 60];
}

ChunkCache::Ref ChunkCache::Lookup(const SeriesId& id) {
  if (!enabled()) return Ref();
  Shard& s = ShardOf(id);
  kpidb::MutexLock l(&s.mu);
  auto it = s.index.find(id);
  if (it == s.index.end()) return Ref();
  s.lru.splice(s.lru.begin(), s.lru, it->second);
  return it->second->chunk;
}

void ChunkCache::Insert(const SeriesId& id, std::string_view chunk, uint64_t epoch) {
  const size_t charge = chunk.size() + kEntryOverhead;
  if (charge > shard_capacity_) return;
  // Built before taking the lock: the copy is the expensive part. One
  // allocation holds the control block and the bytes.
  std::shared_ptr<char[]> bytes = std::make_shared_for_overwrite<char[]>(chunk.size());
  std::memcpy(bytes.get(), chunk.data(), chunk.size());
  Ref value(std::move(bytes), chunk.size());
  Shard& s = ShardOf(id);
  kpidb::MutexLock l(&s.mu);
  // Under the shard lock: a Clear() that started after this check clears
  // this shard after the entry is in.
  if (epoch != epoch_.load(std::memory_order_acquire)) return;
  auto [it, inserted] = s.index.try_emplace(id);
  if (!inserted) {
    s.charge -= it->second->chunk.size_ + kEntryOverhead;
    s.lru.erase(it->second);
  }
  s.lru.push_front(Entry{id, std::move(value)});
  it->second = s.lru.begin();
  s.charge += charge;
  while (s.charge > shard_capacity_) {
    const Entry& victim = s.lru.back();
    s.charge -= victim.chunk.size_ + kEntryOverhead;
    s.index.erase(victim.id);
    s.lru.pop_back();
  }
}

void ChunkCache::Clear() {
  epoch_.fetch_add(1, std::memory_order_acq_rel);
  for (Shard& s : shards_) {
    kpidb::MutexLock l(&s.mu);
    s.index.clear();
    s.lru.clear();
    s.charge = 0;
  }
}

size_t ChunkCache::charge() const {
  size_t total = 0;
  for (const Shard& s : shards_) {
    kpidb::MutexLock l(&s.mu);
    total += s.charge;
  }
  return total;
}

}  // namespace kpidb::store
