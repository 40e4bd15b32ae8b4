// The locks of lib/: kpidb::Mutex, a reader-writer lock (an absl::Mutex
// that ThreadSanitizer can see), and kpidb::HandoffMutex, an exclusive lock
// that any thread may release.
//
// Debian's Abseil is a shared library built without -fsanitize=thread, so
// under TSan an absl::Mutex's lock and unlock are invisible: every access
// it orders looks like a data race. kpidb::Mutex is an absl::Mutex, and
// when compiled with TSan (ABSL_HAVE_THREAD_SANITIZER: gcc's
// __SANITIZE_THREAD__ or clang's thread_sanitizer feature) it also makes
// the calls an instrumented Abseil makes itself (its
// ABSL_TSAN_MUTEX_PRE_LOCK ... macros): __tsan_mutex_pre_lock and
// post_lock around Lock, __tsan_mutex_pre_unlock and post_unlock around
// Unlock, with __tsan_mutex_read_lock for the shared side. TSan then knows
// it as a reader-writer mutex: an unlock happens before the next lock that
// can conflict with it (a reader's unlock before a writer's lock, not
// before another reader's), it checks lock order (lock-order-inversion
// reports) and misuse (unlocking a mutex this thread does not hold).
//
// Without TSan the wrapper is the absl::Mutex and nothing else: the
// annotations compile to nothing and every member is an inline call
// forwarding to Abseil, so the normal build costs exactly what absl::Mutex
// did. The same lock runs in both builds, so what TSan checks is the lock
// kpidb ships (std::shared_mutex would have swapped in glibc's rwlock,
// which lets a stream of readers starve a writer).
//
// The thread-safety annotations are Abseil's, so ABSL_GUARDED_BY(mu_) and
// the rest keep working with clang's -Wthread-safety.
#ifndef KPIDB_LIB_UTIL_MUTEX_H_
#define KPIDB_LIB_UTIL_MUTEX_H_

#include <semaphore>

#include "absl/base/config.h"
#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

#ifdef ABSL_HAVE_THREAD_SANITIZER
#include <sanitizer/tsan_interface.h>
#define KPIDB_TSAN_MUTEX_(call) call
#else
#define KPIDB_TSAN_MUTEX_(call) static_cast<void>(0)
#endif

namespace kpidb {

class ABSL_LOCKABLE Mutex {
 public:
  // absl::Mutex's inline constructor already announces the mutex to TSan
  // (__tsan_mutex_create at its address, which the calls below use).
  Mutex() = default;
  // Its destructor is in the uninstrumented library: announce the end here.
  ~Mutex() { KPIDB_TSAN_MUTEX_(__tsan_mutex_destroy(&mu_, __tsan_mutex_not_static)); }
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() {
    KPIDB_TSAN_MUTEX_(__tsan_mutex_pre_lock(&mu_, 0));
    mu_.Lock();
    KPIDB_TSAN_MUTEX_(__tsan_mutex_post_lock(&mu_, 0, 0));
  }
  void Unlock() ABSL_UNLOCK_FUNCTION() {
    KPIDB_TSAN_MUTEX_(__tsan_mutex_pre_unlock(&mu_, 0));
    mu_.Unlock();
    KPIDB_TSAN_MUTEX_(__tsan_mutex_post_unlock(&mu_, 0));
  }
  void ReaderLock() ABSL_SHARED_LOCK_FUNCTION() {
    KPIDB_TSAN_MUTEX_(__tsan_mutex_pre_lock(&mu_, __tsan_mutex_read_lock));
    mu_.ReaderLock();
    KPIDB_TSAN_MUTEX_(__tsan_mutex_post_lock(&mu_, __tsan_mutex_read_lock, 0));
  }
  void ReaderUnlock() ABSL_UNLOCK_FUNCTION() {
    KPIDB_TSAN_MUTEX_(__tsan_mutex_pre_unlock(&mu_, __tsan_mutex_read_lock));
    mu_.ReaderUnlock();
    KPIDB_TSAN_MUTEX_(__tsan_mutex_post_unlock(&mu_, __tsan_mutex_read_lock));
  }

 private:
  absl::Mutex mu_;
};

// Holds `mu` exclusively for its scope.
class ABSL_SCOPED_LOCKABLE MutexLock {
 public:
  explicit MutexLock(Mutex* mu) ABSL_EXCLUSIVE_LOCK_FUNCTION(mu) : mu_(*mu) { mu_.Lock(); }
  ~MutexLock() ABSL_UNLOCK_FUNCTION() { mu_.Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex& mu_;
};

// Holds `mu` shared for its scope.
class ABSL_SCOPED_LOCKABLE ReaderMutexLock {
 public:
  explicit ReaderMutexLock(Mutex* mu) ABSL_SHARED_LOCK_FUNCTION(mu) : mu_(*mu) {
    mu_.ReaderLock();
  }
  ~ReaderMutexLock() ABSL_UNLOCK_FUNCTION() { mu_.ReaderUnlock(); }
  ReaderMutexLock(const ReaderMutexLock&) = delete;
  ReaderMutexLock& operator=(const ReaderMutexLock&) = delete;

 private:
  Mutex& mu_;
};

// An exclusive lock that the thread taking it need not be the one to
// release: it is held by an object that may move between threads (a bulk
// write holds the writer lock from its creation to its destruction). An
// absl::Mutex must be unlocked by the thread holding it; Debian's Abseil,
// built with its debug checks, aborts otherwise ("thread releasing lock it
// does not hold"). A binary semaphore has no owner; its atomics are inline
// library code, compiled with TSan when kpidb is, so TSan sees an Unlock
// happen before the next Lock without annotations.
class ABSL_LOCKABLE HandoffMutex {
 public:
  HandoffMutex() = default;
  HandoffMutex(const HandoffMutex&) = delete;
  HandoffMutex& operator=(const HandoffMutex&) = delete;

  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() { free_.acquire(); }
  void Unlock() ABSL_UNLOCK_FUNCTION() { free_.release(); }

 private:
  std::binary_semaphore free_{1};
};

}  // namespace kpidb

#undef KPIDB_TSAN_MUTEX_

#endif  // KPIDB_LIB_UTIL_MUTEX_H_
