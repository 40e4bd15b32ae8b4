// StringArena: copies of strings in a few large blocks, so that a table of
// tens of thousands of small strings (the catalog's dictionaries) costs a
// handful of allocations instead of one per string, and frees in as many.
//
// A copy never moves: blocks are never reallocated, so a string_view of a
// copy stays valid until the arena is destroyed (moving the arena keeps
// them valid too). Release() takes back the newest copies, which is how a
// dictionary undoes the appends of a failed write without leaking them.
//
// Thread-safety: none; the owner synchronizes.
#ifndef KPIDB_LIB_UTIL_STRING_ARENA_H_
#define KPIDB_LIB_UTIL_STRING_ARENA_H_

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

namespace kpidb {

class StringArena {
 public:
  StringArena() = default;
  StringArena(StringArena&&) = default;
  StringArena& operator=(StringArena&&) = default;
  StringArena(const StringArena&) = delete;
  StringArena& operator=(const StringArena&) = delete;

  // A copy of `s` that lives as long as the arena.
  std::string_view Copy(std::string_view s) {
    if (s.empty()) return std::string_view();
    if (blocks_.empty() || blocks_.back().size - blocks_.back().used < s.size()) {
      NewBlock(s.size());
    }
    Block& b = blocks_.back();
    char* dst = b.data.get() + b.used;
    std::memcpy(dst, s.data(), s.size());
    b.used += s.size();
    return std::string_view(dst, s.size());
  }

  // Makes the next block hold at least `bytes` (one allocation for a known
  // load).
  void Reserve(size_t bytes) {
    if (!blocks_.empty() && blocks_.back().size - blocks_.back().used >= bytes) return;
    NewBlock(bytes);
  }

  // Takes back the bytes of `s` if it is the newest copy (else keeps them
  // until the arena goes: an undo releases its copies newest first).
  void Release(std::string_view s) {
    if (s.empty() || blocks_.empty()) return;
    Block& b = blocks_.back();
    if (s.data() + s.size() == b.data.get() + b.used) b.used -= s.size();
  }

 private:
  static constexpr size_t kBlockBytes = 16 * 1024;

  struct Block {
    std::unique_ptr<char[]> data;
    size_t size = 0;
    size_t used = 0;
  };

  void NewBlock(size_t at_least) {
    const size_t size = std::max(at_least, kBlockBytes);
    blocks_.push_back(Block{std::unique_ptr<char[]>(new char[size]), size, 0});
  }

  std::vector<Block> blocks_;
};

}  // namespace kpidb

#endif  // KPIDB_LIB_UTIL_STRING_ARENA_H_
