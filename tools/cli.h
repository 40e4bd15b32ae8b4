// What the three tools do alike around CLI11: parsing, where its exceptions
// stay, and the one format of their error lines.
#ifndef KPIDB_TOOLS_CLI_H_
#define KPIDB_TOOLS_CLI_H_

#include <optional>
#include <ostream>
#include <string_view>

#include "CLI/CLI.hpp"

namespace kpidb::tools {

// Gives `app` the parts every tool has: its help footer (examples) and a
// --version flag printing "NAME VERSION".
void DescribeTool(CLI::App& app, std::string_view footer);

// Parses the command line into the options of `app`. The exit code when
// parsing ends the run: 0 after --help or --version (printed to `out`), 2
// after a usage error (printed to `err`); nullopt when the tool goes on.
std::optional<int> ParseArgs(CLI::App& app, int argc, const char* const* argv,
                             std::ostream& out, std::ostream& err);

// Prints "TOOL: MESSAGE" on a line of `err` and returns `exit_code`.
int Fail(std::ostream& err, std::string_view tool, std::string_view message, int exit_code);

}  // namespace kpidb::tools

#endif  // KPIDB_TOOLS_CLI_H_
