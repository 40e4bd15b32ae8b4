// kpidb-dump: flags -> a Query -> DB::Execute -> kpidb/dump.h's printers.
#include <memory>
#include <optional>
#include <string>

#include "CLI/CLI.hpp"
#include "kpidb/db.h"
#include "kpidb/dump.h"
#include "lib/util/str_cat.h"
#include "tools/cli.h"
#include "tools/selection.h"
#include "tools/tools.h"

namespace kpidb::tools {
namespace {

constexpr std::string_view kTool = "kpidb-dump";

constexpr char kAbout[] =
    "Print the facts (or companies) of a kpidb database. Never changes the database.";

constexpr char kFooter[] =
    "Examples:\n"
    "  kpidb-dump kpis.db --company IIJ --metric 'revenue.segment.*' --format table\n"
    "  kpidb-dump kpis.db --metric capex --from FY2012 --to FY2013\n"
    "  kpidb-dump kpis.db --scenario target --all-versions\n"
    "  kpidb-dump kpis.db --as-of 2014-01-31 --metric revenue.total\n"
    "  kpidb-dump kpis.db --companies > companies.csv   # backup, part 1\n"
    "  kpidb-dump kpis.db --all-versions > facts.csv    # backup, part 2";

// The flags as given, before any check.
struct DumpFlags {
  std::string db_path;
  Selection selection;
  bool all_versions = false;
  std::string format = "csv";
  bool list_companies = false;
};

void AddDumpFlags(CLI::App& app, DumpFlags* f) {
  app.add_option("DB", f->db_path, "Database directory")->required();
  AddSelectionOptions(app, &f->selection);
  app.add_flag("--all-versions", f->all_versions, "Every version of each fact, oldest first");
  app.add_option("--format", f->format, "csv, jsonl or table")->capture_default_str();
  app.add_flag("--companies", f->list_companies, "Print the companies file instead");
}

// The exit code: a bad selection is a usage error, anything else the
// database's. Output is flushed to see whether it all got out.
int PrintFacts(const DB& db, const Query& query, DumpFormat format, std::ostream& out,
               std::ostream& err) {
  absl::StatusOr<QueryResult> result = db.Execute(query);
  if (!result.ok()) {
    return Fail(err, kTool, ToStd(result.status().message()),
                absl::IsInvalidArgument(result.status()) ? 2 : 1);
  }
  WriteFacts(*result, format, out);
  out.flush();
  return out.good() ? 0 : 1;
}

}  // namespace

int RunDump(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  CLI::App app(kAbout, std::string(kTool));
  DescribeTool(app, kFooter);
  DumpFlags flags;
  AddDumpFlags(app, &flags);
  if (std::optional<int> done = ParseArgs(app, argc, argv, out, err)) return *done;
  absl::StatusOr<DumpFormat> format = ParseDumpFormat(flags.format);
  if (!format.ok()) {
    return Fail(err, kTool, kpidb::StrCat("--format: ", format.status().message()), 2);
  }
  absl::StatusOr<Query> query = ToQuery(flags.selection);
  if (!query.ok()) return Fail(err, kTool, ToStd(query.status().message()), 2);
  query->all_versions = flags.all_versions;
  Options options;
  options.read_only = true;
  absl::StatusOr<std::unique_ptr<DB>> db = DB::Open(options, flags.db_path);
  if (!db.ok()) return Fail(err, kTool, ToStd(db.status().message()), 1);
  if (flags.list_companies) {
    WriteCompanies((*db)->Companies(), *format, out);
    return 0;
  }
  return PrintFacts(**db, *query, *format, out, err);
}

}  // namespace kpidb::tools
