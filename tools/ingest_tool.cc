// kpidb-ingest: flags -> IngestOptions -> kpidb::IngestFilesInto -> a summary.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "kpidb/ingest.h"
#include "kpidb/period.h"
#include "lib/util/str_cat.h"
#include "tools/cli.h"
#include "tools/tools.h"

namespace kpidb::tools {
namespace {

constexpr std::string_view kTool = "kpidb-ingest";

constexpr char kAbout[] =
    "Load CSV files of facts and companies into a kpidb database.\n"
    "One run is atomic: if any record is bad, nothing is written.";

constexpr char kFooter[] =
    "Files:\n"
    "  facts:     company,metric,period,value[,unit,scenario,as_of,source]\n"
    "  companies: company,name,fiscal_year_end,fy_naming,currency\n"
    "  Companies files are applied first; '-' reads standard input.\n"
    "  UTF-8 text; a line (a record, quoted line breaks included) may be at\n"
    "  most 1 MiB (1048576 bytes), and a NUL byte is refused: either is an\n"
    "  error at its line that stops the reading of that file.\n"
    "  Periods and as_of dates lie in the years 0001-9999 (IIJ's FY9999,\n"
    "  which would end in 10000, is refused).\n\n"
    "Examples:\n"
    "  kpidb-ingest kpis.db data/sample/companies.csv data/sample/iij-fy2013-1q3q.csv\n"
    "  kpidb-ingest --dry-run kpis.db new-deck.csv\n"
    "  kpidb-ingest --as-of 2014-02-07 kpis.db deck.csv\n"
    "  cat facts.csv | kpidb-ingest kpis.db -";

// --max-errors at most: each error is a message kept in memory.
constexpr int64_t kMaxMaxErrors = 1'000'000;

// The flags as given, before any check but CLI11's.
struct IngestFlags {
  std::string db_path;
  std::vector<std::string> files;
  std::string as_of;
  bool replace = false;
  bool dry_run = false;
  // Signed, so that a negative count is read as one (an unsigned option
  // wraps "-1" around) and refused by the range check.
  int64_t max_errors = 20;
  bool quiet = false;
};

void AddIngestFlags(CLI::App& app, IngestFlags* f) {
  app.add_option("DB", f->db_path, "Database directory (created if missing)")->required();
  app.add_option("FILE", f->files, "CSV files to load ('-' for stdin)")->required();
  app.add_option("--as-of", f->as_of,
                 "as_of date (YYYY-MM-DD, years 0001-9999) for facts without one");
  app.add_flag("--replace", f->replace,
               "Allow changing a stored value at the same key and as_of");
  app.add_flag("--dry-run", f->dry_run, "Validate only; write nothing");
  app.add_option("--max-errors", f->max_errors,
                 "Report at most N bad records, N from 1 to 1000000")
      ->type_name("N")
      ->check(CLI::Range(int64_t{1}, kMaxMaxErrors).description(""))
      ->capture_default_str();
  app.add_flag("-q,--quiet", f->quiet, "No progress or summary output");
}

// InvalidArgument for a bad --as-of. Progress goes to `err` unless --quiet.
[[nodiscard]] absl::StatusOr<IngestOptions> ToIngestOptions(const IngestFlags& f,
                                                            std::ostream& err) {
  IngestOptions options;
  options.replace = f.replace;
  options.dry_run = f.dry_run;
  options.max_errors = static_cast<size_t>(f.max_errors);  // 1 to kMaxMaxErrors
  if (!f.as_of.empty()) {
    absl::StatusOr<absl::CivilDay> d = ParseDate(f.as_of);
    if (!d.ok()) {
      return absl::InvalidArgumentError(kpidb::StrCat("--as-of: ", d.status().message()));
    }
    options.default_as_of = *d;
  }
  if (!f.quiet) {
    options.progress = [&err](size_t records, size_t total, size_t done) {
      err << "kpidb-ingest: " << records << " records read ("
          << (total > 0 ? done * 100 / total : 100) << "%)\n";
    };
  }
  return options;
}

void PrintSummary(const IngestReport& report, bool dry_run, std::ostream& out) {
  const WriteSummary& w = report.summary;
  out << (dry_run ? "dry run, nothing written: " : "") << "read "
      << report.facts_read << " fact" << (report.facts_read == 1 ? "" : "s")
      << " and " << report.companies_read << " compan"
      << (report.companies_read == 1 ? "y" : "ies") << " from "
      << report.files << " file" << (report.files == 1 ? "" : "s") << "\n"
      << "facts: " << w.new_facts << " new, " << w.unchanged
      << " unchanged, " << w.versions_added << " versions added, "
      << w.replaced << " replaced\n"
      << "companies: " << w.companies_added << " added, "
      << w.companies_changed << " changed, " << w.companies_unchanged
      << " unchanged\n";
}

}  // namespace

int RunIngest(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  CLI::App app(kAbout, std::string(kTool));
  DescribeTool(app, kFooter);
  IngestFlags flags;
  AddIngestFlags(app, &flags);
  if (std::optional<int> done = ParseArgs(app, argc, argv, out, err)) return *done;
  absl::StatusOr<IngestOptions> options = ToIngestOptions(flags, err);
  if (!options.ok()) return Fail(err, kTool, ToStd(options.status().message()), 2);
  IngestReport report;
  const absl::Status s = IngestFilesInto(flags.db_path, flags.files, *options, &report);
  for (const std::string& e : report.errors) err << e << "\n";
  if (!s.ok()) return Fail(err, kTool, ToStd(s.message()), 1);
  if (!flags.quiet) PrintSummary(report, flags.dry_run, out);
  return 0;
}

}  // namespace kpidb::tools
