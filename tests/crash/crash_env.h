// Settings of the crash and stress tests from the environment, and whether
// this is a slow (sanitizer or unoptimized) build that should do less.
#ifndef KPIDB_TESTS_CRASH_CRASH_ENV_H_
#define KPIDB_TESTS_CRASH_CRASH_ENV_H_

#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>

namespace kpidb::crash {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__) || !defined(NDEBUG)
inline constexpr bool kSlowBuild = true;
#else
inline constexpr bool kSlowBuild = false;
#endif

// The integer in environment variable `name`, or `fallback` when unset.
inline long EnvInt(const char* name, long fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  char* end = nullptr;
  const long x = std::strtol(v, &end, 10);
  return *end == '\0' ? x : fallback;
}

// The seed in environment variable `name`, or a fresh random one (printed by
// the caller, so that a failure can be replayed).
inline uint64_t EnvSeed(const char* name) {
  const char* v = std::getenv(name);
  if (v != nullptr && *v != '\0') return std::strtoull(v, nullptr, 10);
  std::random_device rd;
  return (uint64_t{rd()} << 32 | rd()) % 1'000'000'000'000ULL;
}

}  // namespace kpidb::crash

#endif  // KPIDB_TESTS_CRASH_CRASH_ENV_H_
