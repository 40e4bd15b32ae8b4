#include "lib/store/chunk_cache.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace kpidb::store {
namespace {

using SeriesId = ChunkCache::SeriesId;

std::string Chunk(uint32_t n, size_t size = 100) { return std::string(size, char('a' + n % 26)); }

TEST(ChunkCacheTest, MissThenHit) {
  ChunkCache cache(1 << 20);
  const SeriesId id{1, 2, 3};
  EXPECT_FALSE(cache.Lookup(id));
  cache.Insert(id, "chunk bytes", cache.epoch());
  ChunkCache::Ref ref = cache.Lookup(id);
  ASSERT_TRUE(ref);
  EXPECT_EQ(ref.view(), "chunk bytes");
  // Ids differ in each position.
  EXPECT_FALSE(cache.Lookup(SeriesId{2, 2, 3}));
  EXPECT_FALSE(cache.Lookup(SeriesId{1, 3, 3}));
  EXPECT_FALSE(cache.Lookup(SeriesId{1, 2, 4}));
}

TEST(ChunkCacheTest, InsertReplaces) {
  ChunkCache cache(1 << 20);
  const SeriesId id{1, 1, 1};
  cache.Insert(id, "old", cache.epoch());
  const size_t charge = cache.charge();
  cache.Insert(id, "new", cache.epoch());
  EXPECT_EQ(cache.Lookup(id).view(), "new");
  EXPECT_EQ(cache.charge(), charge);
}

TEST(ChunkCacheTest, ClearDropsEverythingAndStaleInsertsAreIgnored) {
  ChunkCache cache(1 << 20);
  const uint64_t before = cache.epoch();
  cache.Insert(SeriesId{1, 1, 1}, "a", before);
  cache.Clear();
  EXPECT_FALSE(cache.Lookup(SeriesId{1, 1, 1}));
  EXPECT_EQ(cache.charge(), 0u);
  // Read before the commit, inserted after it: dropped.
  cache.Insert(SeriesId{2, 2, 2}, "b", before);
  EXPECT_FALSE(cache.Lookup(SeriesId{2, 2, 2}));
  cache.Insert(SeriesId{2, 2, 2}, "b", cache.epoch());
  EXPECT_TRUE(cache.Lookup(SeriesId{2, 2, 2}));
}

TEST(ChunkCacheTest, StaysWithinCapacityAndEvictsLeastRecentlyUsed) {
  const size_t capacity = 64 << 10;
  ChunkCache cache(capacity);
  // Far more than fits.
  for (uint32_t i = 0; i < 10'000; ++i) {
    cache.Insert(SeriesId{i, 1, 1}, Chunk(i), cache.epoch());
    ASSERT_LE(cache.charge(), capacity);
  }
  EXPECT_GT(cache.charge(), capacity / 2);
  EXPECT_FALSE(cache.Lookup(SeriesId{0, 1, 1}));
  ChunkCache::Ref last = cache.Lookup(SeriesId{9'999, 1, 1});
  ASSERT_TRUE(last);
  EXPECT_EQ(last.view(), Chunk(9'999));
  // A chunk used again survives inserts that evict its older neighbours.
  std::vector<uint32_t> kept;
  for (uint32_t i = 9'000; i < 10'000; ++i) {
    if (cache.Lookup(SeriesId{i, 1, 1})) kept.push_back(i);
  }
  ASSERT_GT(kept.size(), 2u);
  const uint32_t hot = kept.front();
  for (uint32_t i = 20'000; i < 20'000 + 4 * kept.size(); ++i) {
    ASSERT_TRUE(cache.Lookup(SeriesId{hot, 1, 1})) << i;
    cache.Insert(SeriesId{i, 1, 1}, Chunk(i), cache.epoch());
  }
  EXPECT_FALSE(cache.Lookup(SeriesId{kept.back(), 1, 1}));
}

TEST(ChunkCacheTest, EvictedChunkStaysValidForItsReader) {
  ChunkCache cache(16 << 10);
  cache.Insert(SeriesId{1, 1, 1}, Chunk(1, 200), cache.epoch());
  ChunkCache::Ref ref = cache.Lookup(SeriesId{1, 1, 1});
  ASSERT_TRUE(ref);
  cache.Clear();
  for (uint32_t i = 2; i < 1000; ++i) cache.Insert(SeriesId{i, 1, 1}, Chunk(i, 200), cache.epoch());
  EXPECT_EQ(ref.view(), Chunk(1, 200));
}

TEST(ChunkCacheTest, ZeroCapacityKeepsNothing) {
  ChunkCache cache(0);
  EXPECT_FALSE(cache.enabled());
  cache.Insert(SeriesId{1, 1, 1}, "a", cache.epoch());
  EXPECT_FALSE(cache.Lookup(SeriesId{1, 1, 1}));
  EXPECT_EQ(cache.charge(), 0u);
}

TEST(ChunkCacheTest, ChunkLargerThanAShardIsNotKept) {
  ChunkCache cache(16 << 10);  // 1 KiB a shard
  cache.Insert(SeriesId{1, 1, 1}, std::string(4096, 'x'), cache.epoch());
  EXPECT_FALSE(cache.Lookup(SeriesId{1, 1, 1}));
}

// Readers and a clearing writer at once (run under ThreadSanitizer by the
// test command): a reader sees either nothing or a whole chunk of its id.
TEST(ChunkCacheTest, ConcurrentReadersAndClears) {
  ChunkCache cache(256 << 10);
  std::atomic<bool> stop{false};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&, t] {
      for (uint32_t i = 0; !stop.load(); i = (i + 1) % 500) {
        const SeriesId id{i, 1, static_cast<uint32_t>(t)};
        if (ChunkCache::Ref ref = cache.Lookup(id)) {
          ASSERT_EQ(ref.view(), Chunk(i));
        } else {
          cache.Insert(id, Chunk(i), cache.epoch());
        }
      }
    });
  }
  for (int k = 0; k < 200; ++k) {
    cache.Clear();
    std::this_thread::yield();
  }
  stop = true;
  for (std::thread& t : readers) t.join();
  EXPECT_LE(cache.charge(), size_t{256} << 10);
}

}  // namespace
}  // namespace kpidb::store
