// The flags that select facts, shared by kpidb-dump and kpidb-query so the
// two tools spell and check them the same way.
#ifndef KPIDB_TOOLS_SELECTION_H_
#define KPIDB_TOOLS_SELECTION_H_

#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "kpidb/query.h"

namespace kpidb::tools {

struct Selection {
  std::vector<std::string> companies;
  std::string metric;
  std::vector<std::string> scenarios;
  std::string from;
  std::string to;
  std::string period;
  std::string as_of;
};

// Adds --company, --metric, --scenario, --from, --to, --period and --as-of.
void AddSelectionOptions(CLI::App& app, Selection* selection);

// The query the flags describe. InvalidArgument ("--as-of: ...") for a bad
// date or --period with --from/--to; labels are checked when the query runs.
[[nodiscard]] absl::StatusOr<Query> ToQuery(const Selection& selection);

}  // namespace kpidb::tools

#endif  // KPIDB_TOOLS_SELECTION_H_
