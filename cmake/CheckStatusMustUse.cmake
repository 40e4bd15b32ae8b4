# Proves that the build rejects an ignored absl::Status and StatusOr: with
# -Werror=unused-result a call whose Status is dropped must not compile,
# and a consumed one must. Debian 12's Abseil declares both types
# [[nodiscard]] (absl/status/internal/status_internal.h, statusor.h); if an
# Abseil without that marker is found, configuring fails here rather than
# letting dropped errors through silently.
include(CheckCXXSourceCompiles)
include(CMakePushCheckState)

cmake_push_check_state(RESET)
get_target_property(_kpidb_absl_inc absl::status INTERFACE_INCLUDE_DIRECTORIES)
set(CMAKE_REQUIRED_INCLUDES ${_kpidb_absl_inc})
set(CMAKE_REQUIRED_FLAGS "-std=c++20 -Werror=unused-result")
set(CMAKE_REQUIRED_QUIET ON)
# Compile only: the question is what the compiler accepts, not linking.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
check_cxx_source_compiles([[
#include "absl/status/statusor.h"
absl::Status F();
int main() { absl::Status s = F(); return s.ok() ? 0 : 1; }
absl::Status F() { return absl::OkStatus(); }
]] KPIDB_STATUS_USED_COMPILES)
check_cxx_source_compiles([[
#include "absl/status/status.h"
absl::Status F();
int main() { F(); return 0; }
absl::Status F() { return absl::OkStatus(); }
]] KPIDB_IGNORED_STATUS_COMPILES)
check_cxx_source_compiles([[
#include "absl/status/statusor.h"
absl::StatusOr<int> F();
int main() { F(); return 0; }
absl::StatusOr<int> F() { return 1; }
]] KPIDB_IGNORED_STATUSOR_COMPILES)
unset(CMAKE_TRY_COMPILE_TARGET_TYPE)
cmake_pop_check_state()

if(NOT KPIDB_STATUS_USED_COMPILES)
  message(FATAL_ERROR "cannot compile a program using absl::Status")
endif()
if(KPIDB_IGNORED_STATUS_COMPILES OR KPIDB_IGNORED_STATUSOR_COMPILES)
  message(FATAL_ERROR
    "this Abseil does not mark absl::Status/StatusOr [[nodiscard]], so an "
    "ignored error would compile; kpidb relies on -Werror=unused-result")
endif()
