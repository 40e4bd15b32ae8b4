// The inside of a WriteBatch: facts in a compact interned form, so a bulk
// load of millions of facts does not hold millions of strings.
#ifndef KPIDB_LIB_STORE_WRITE_BATCH_REP_H_
#define KPIDB_LIB_STORE_WRITE_BATCH_REP_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "kpidb/fact.h"
#include "kpidb/unit.h"
#include "lib/util/str_cat.h"
#include "kpidb/write_batch.h"
#include "lib/util/huge_page_allocator.h"

namespace kpidb {

struct WriteBatch::Rep {
  static constexpr int32_t kNoAsOf = INT32_MIN;

  struct Row {
    uint32_t company;   // into strings
    uint32_t metric;    // into strings
    uint32_t scenario;  // into strings
    uint32_t source;    // into strings
    int32_t start;      // day numbers
    int32_t end;
    int32_t as_of;      // kNoAsOf when unset
    uint16_t unit;      // into units
    bool instant;
    int8_t exponent;
    int64_t mantissa;
    uint64_t tag;
  };

  std::vector<std::pair<Company, uint64_t>> companies;
  std::vector<Row, HugePageAllocator<Row>> rows;
  // Interned strings of every kind; index 0 is "".
  std::vector<std::string> strings = {std::string()};
  absl::flat_hash_map<std::string, uint32_t> string_ids = {{std::string(), 0}};
  // Strings already checked as company, metric or scenario identifiers.
  std::vector<uint8_t> validated = {0};
  std::vector<Unit> units;

  uint32_t Intern(std::string_view s);
  // Intern() with a one-entry cache: bulk inputs repeat the same company,
  // metric and scenario for many rows in a row.
  uint32_t Intern(std::string_view s, uint32_t* last) {
    if (*last < strings.size() && strings[*last] == s) return *last;
    *last = Intern(s);
    return *last;
  }
  uint32_t last_company = UINT32_MAX;
  uint32_t last_metric = UINT32_MAX;
  uint32_t last_scenario = UINT32_MAX;
  uint32_t last_source = UINT32_MAX;
};

}  // namespace kpidb

#endif  // KPIDB_LIB_STORE_WRITE_BATCH_REP_H_
