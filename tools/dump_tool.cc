#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_split.h"
#include "kpidb/db.h"
#include "kpidb/dump.h"
#include "kpidb/period.h"
#include "tools/selection.h"
#include "tools/tools.h"

namespace kpidb::tools {

int RunDump(int argc, const char* const* argv, std::ostream& out,
            std::ostream& err) {
  CLI::App app(
      "Print the facts (or companies) of a kpidb database. Never changes the "
      "database.",
      "kpidb-dump");
  app.footer(
      "Examples:\n"
      "  kpidb-dump kpis.db --company IIJ --metric 'revenue.segment.*' --format table\n"
      "  kpidb-dump kpis.db --metric capex --from FY2012 --to FY2013\n"
      "  kpidb-dump kpis.db --scenario target --all-versions\n"
      "  kpidb-dump kpis.db --as-of 2014-01-31 --metric revenue.total\n"
      "  kpidb-dump kpis.db --companies > companies.csv   # backup, part 1\n"
      "  kpidb-dump kpis.db --all-versions > facts.csv    # backup, part 2");
  app.set_version_flag("--version", std::string("kpidb-dump ") + KPIDB_VERSION);
  std::string db_path, format = "csv";
  Selection selection;
  bool all_versions = false, list_companies = false;
  app.add_option("DB", db_path, "Database directory")->required();
  AddSelectionOptions(app, &selection);
  app.add_flag("--all-versions", all_versions,
               "Every version of each fact, oldest first");
  app.add_option("--format", format, "csv, jsonl or table")->capture_default_str();
  app.add_flag("--companies", list_companies, "Print the companies file instead");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Help and version exit 0; every parse error is a usage error.
    return app.exit(e, out, err) == 0 ? 0 : 2;
  }
  absl::StatusOr<DumpFormat> fmt = ParseDumpFormat(format);
  if (!fmt.ok()) {
    err << "kpidb-dump: --format: " << fmt.status().message() << "\n";
    return 2;
  }
  absl::StatusOr<Query> selected = ToQuery(selection);
  if (!selected.ok()) {
    err << "kpidb-dump: " << selected.status().message() << "\n";
    return 2;
  }
  Query query = *std::move(selected);
  query.all_versions = all_versions;
  Options options;
  options.read_only = true;
  absl::StatusOr<std::unique_ptr<DB>> db = DB::Open(options, db_path);
  if (!db.ok()) {
    err << "kpidb-dump: " << db.status().message() << "\n";
    return 1;
  }
  if (list_companies) {
    WriteCompanies((*db)->Companies(), *fmt, out);
    return 0;
  }
  absl::StatusOr<QueryResult> result = (*db)->Execute(query);
  if (!result.ok()) {
    err << "kpidb-dump: " << result.status().message() << "\n";
    return absl::IsInvalidArgument(result.status()) ? 2 : 1;
  }
  WriteFacts(*result, *fmt, out);
  out.flush();
  return out.good() ? 0 : 1;
}

}  // namespace kpidb::tools
