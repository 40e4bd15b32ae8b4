#include "tools/cli.h"

#include <exception>
#include <iostream>
#include <new>
#include <string>

#include "lib/util/str_cat.h"
#include "tools/tools.h"

namespace kpidb::tools {

void DescribeTool(CLI::App& app, std::string_view footer) {
  app.footer(std::string(footer));
  app.set_version_flag("--version", kpidb::StrCat(app.get_name(), " ", KPIDB_VERSION));
}

std::optional<int> ParseArgs(CLI::App& app, int argc, const char* const* argv,
                             std::ostream& out, std::ostream& err) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Help and version exit 0; every parse error is a usage error.
    return app.exit(e, out, err) == 0 ? 0 : 2;
  }
  return std::nullopt;
}

int Fail(std::ostream& err, std::string_view tool, std::string_view message, int exit_code) {
  err << tool << ": " << message << "\n";
  return exit_code;
}

int MainGuarded(std::string_view tool, std::ostream& err,
                int (*run)(int, const char* const*, std::ostream&, std::ostream&), int argc,
                const char* const* argv) {
  try {
    return run(argc, argv, std::cout, err);
  } catch (const std::bad_alloc&) {
    return Fail(err, tool, "out of memory", 1);
  } catch (const std::exception& e) {
    return Fail(err, tool, e.what(), 1);
  }
}

}  // namespace kpidb::tools
