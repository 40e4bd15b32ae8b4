// An allocator for large, short-lived buffers (the rows of a bulk load) that
// asks the kernel for transparent huge pages. Touching fresh memory costs a
// page fault per 4 KiB page, which profiles of 5M-fact loads showed as a
// large share of the time (more so in virtual machines); with 2 MiB pages
// there are 512 times fewer. Small buffers use the ordinary heap.
#ifndef KPIDB_LIB_UTIL_HUGE_PAGE_ALLOCATOR_H_
#define KPIDB_LIB_UTIL_HUGE_PAGE_ALLOCATOR_H_

#include <sys/mman.h>

#include <cstddef>
#include <new>

namespace kpidb {

template <typename T>
class HugePageAllocator {
 public:
  using value_type = T;

  HugePageAllocator() = default;
  template <typename U>
  HugePageAllocator(const HugePageAllocator<U>&) {}

  T* allocate(size_t n) {
    const size_t bytes = n * sizeof(T);
    if (bytes < kThreshold) return static_cast<T*>(::operator new(bytes));
    void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    // Advice only: without THP support this changes nothing.
    madvise(p, bytes, MADV_HUGEPAGE);
    return static_cast<T*>(p);
  }

  void deallocate(T* p, size_t n) {
    const size_t bytes = n * sizeof(T);
    if (bytes < kThreshold) {
      ::operator delete(p);
    } else {
      munmap(p, bytes);
    }
  }

  template <typename U>
  bool operator==(const HugePageAllocator<U>&) const {
    return true;
  }

 private:
  static constexpr size_t kThreshold = size_t{4} << 20;
};

}  // namespace kpidb

#endif  // KPIDB_LIB_UTIL_HUGE_PAGE_ALLOCATOR_H_
