// Small Status helpers that Debian 12's Abseil (20220623) does not ship.
#ifndef KPIDB_LIB_UTIL_STATUS_MACROS_H_
#define KPIDB_LIB_UTIL_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define KPIDB_STATUS_CONCAT_INNER_(a, b) a##b
#define KPIDB_STATUS_CONCAT_(a, b) KPIDB_STATUS_CONCAT_INNER_(a, b)

// Returns from the enclosing function when `expr` is not OK.
#define KPIDB_RETURN_IF_ERROR(expr)                  \
  do {                                               \
    ::absl::Status kpidb_status_ = (expr);           \
    if (!kpidb_status_.ok()) return kpidb_status_;   \
  } while (0)

// `KPIDB_ASSIGN_OR_RETURN(auto x, F());` assigns the value of a StatusOr or
// returns its error.
#define KPIDB_ASSIGN_OR_RETURN(lhs, expr) \
  KPIDB_ASSIGN_OR_RETURN_IMPL_(KPIDB_STATUS_CONCAT_(kpidb_statusor_, __LINE__), lhs, expr)
#define KPIDB_ASSIGN_OR_RETURN_IMPL_(var, lhs, expr) \
  auto var = (expr);                                 \
  if (!var.ok()) return std::move(var).status();     \
  lhs = std::move(var).value()

#endif  // KPIDB_LIB_UTIL_STATUS_MACROS_H_
