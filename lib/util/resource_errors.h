// Out of memory and out of threads are errors, never aborts. The C++
// library reports them with exceptions (std::bad_alloc from new,
// std::system_error when std::thread cannot start one, which RocksDB does
// when it starts its background threads); an exception escaping a kpidb
// call would terminate the process with a core dump. Every public entry
// point that allocates or reaches RocksDB runs its body through
// ReturnResourceErrors, which turns them into ResourceExhausted.
//
// What is left behind is consistent because writes are atomic (a write
// commits with one RocksDB ingest, and its staged files are removed as the
// exception unwinds); the one step that changes shared state in memory,
// a commit, marks its handle unusable for writes if it is interrupted
// (DBImpl::Commit).
#ifndef KPIDB_LIB_UTIL_RESOURCE_ERRORS_H_
#define KPIDB_LIB_UTIL_RESOURCE_ERRORS_H_

#include <new>
#include <string_view>
#include <system_error>
#include <utility>

#include "absl/status/status.h"
#include "lib/util/str_cat.h"

namespace kpidb {

// Runs fn(), which returns an absl::Status or absl::StatusOr; returns its
// result, or ResourceExhausted "<context>: out of memory" (or the
// system_error's text) if it throws one of those.
template <typename F>
auto ReturnResourceErrors(std::string_view context, F&& fn) -> decltype(fn()) {
  try {
    return std::forward<F>(fn)();
  } catch (const std::bad_alloc&) {
    return absl::ResourceExhaustedError(kpidb::StrCat(context, ": out of memory"));
  } catch (const std::system_error& e) {
    return absl::ResourceExhaustedError(
        kpidb::StrCat(context, ": out of memory or threads (", e.what(), ")"));
  }
}

}  // namespace kpidb

#endif  // KPIDB_LIB_UTIL_RESOURCE_ERRORS_H_
