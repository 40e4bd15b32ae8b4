// The command-line tools as library functions, so tests run them in-process.
// Each parses its arguments, calls the public API, prints, and returns the
// process exit code: 0 success, 1 an error in the data or the database,
// 2 a usage error.
#ifndef KPIDB_TOOLS_TOOLS_H_
#define KPIDB_TOOLS_TOOLS_H_

#include <ostream>

namespace kpidb::tools {

int RunIngest(int argc, const char* const* argv, std::ostream& out,
              std::ostream& err);
int RunDump(int argc, const char* const* argv, std::ostream& out,
            std::ostream& err);
int RunQuery(int argc, const char* const* argv, std::ostream& out,
             std::ostream& err);
int RunCheck(int argc, const char* const* argv, std::ostream& out,
             std::ostream& err);

}  // namespace kpidb::tools

#endif  // KPIDB_TOOLS_TOOLS_H_
