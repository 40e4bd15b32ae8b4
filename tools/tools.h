// The command-line tools as library functions, so tests run them in-process.
// Each parses its arguments, calls the public API, prints, and returns the
// process exit code: 0 success, 1 an error in the data or the database,
// 2 a usage error.
#ifndef KPIDB_TOOLS_TOOLS_H_
#define KPIDB_TOOLS_TOOLS_H_

#include <ostream>
#include <string_view>

namespace kpidb::tools {

int RunIngest(int argc, const char* const* argv, std::ostream& out,
              std::ostream& err);
int RunDump(int argc, const char* const* argv, std::ostream& out,
            std::ostream& err);
int RunQuery(int argc, const char* const* argv, std::ostream& out,
             std::ostream& err);
int RunCheck(int argc, const char* const* argv, std::ostream& out,
             std::ostream& err);

// Runs `run` (one of the above), turning an exception that escaped it into
// "TOOL: MESSAGE" and exit code 1: the library returns out of memory as a
// status, so this is a backstop against a core dump, not the error path.
int MainGuarded(std::string_view tool, std::ostream& err, int (*run)(int, const char* const*,
                                                                     std::ostream&, std::ostream&),
                int argc, const char* const* argv);

}  // namespace kpidb::tools

#endif  // KPIDB_TOOLS_TOOLS_H_
