#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "lib/util/str_cat.h"
#include "kpidb/db.h"
#include "kpidb/ingest.h"
#include "kpidb/period.h"
#include "tools/tools.h"

namespace kpidb::tools {

int RunIngest(int argc, const char* const* argv, std::ostream& out,
              std::ostream& err) {
  CLI::App app(
      "Load CSV files of facts and companies into a kpidb database.\n"
      "One run is atomic: if any record is bad, nothing is written.",
      "kpidb-ingest");
  app.footer(
      "Files:\n"
      "  facts:     company,metric,period,value[,unit,scenario,as_of,source]\n"
      "  companies: company,name,fiscal_year_end,fy_naming,currency\n"
      "  Companies files are applied first; '-' reads standard input.\n\n"
      "Examples:\n"
      "  kpidb-ingest kpis.db data/sample/companies.csv data/sample/iij-fy2013-1q3q.csv\n"
      "  kpidb-ingest --dry-run kpis.db new-deck.csv\n"
      "  kpidb-ingest --as-of 2014-02-07 kpis.db deck.csv\n"
      "  cat facts.csv | kpidb-ingest kpis.db -");
  app.set_version_flag("--version", std::string("kpidb-ingest ") + KPIDB_VERSION);
  std::string db_path;
  std::vector<std::string> files;
  std::string as_of;
  bool replace = false, dry_run = false, quiet = false;
  size_t max_errors = 20;
  app.add_option("DB", db_path, "Database directory (created if missing)")->required();
  app.add_option("FILE", files, "CSV files to load ('-' for stdin)")->required();
  app.add_option("--as-of", as_of, "as_of date (YYYY-MM-DD) for facts without one");
  app.add_flag("--replace", replace,
               "Allow changing a stored value at the same key and as_of");
  app.add_flag("--dry-run", dry_run, "Validate only; write nothing");
  app.add_option("--max-errors", max_errors, "Report at most this many bad records")
      ->capture_default_str();
  app.add_flag("-q,--quiet", quiet, "No progress or summary output");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Help and version exit 0; every parse error is a usage error.
    return app.exit(e, out, err) == 0 ? 0 : 2;
  }

  IngestOptions options;
  options.replace = replace;
  options.dry_run = dry_run;
  options.max_errors = std::max<size_t>(max_errors, 1);
  if (!as_of.empty()) {
    absl::StatusOr<absl::CivilDay> d = ParseDate(as_of);
    if (!d.ok()) {
      err << "kpidb-ingest: --as-of: " << d.status().message() << "\n";
      return 2;
    }
    options.default_as_of = *d;
  }
  if (!quiet) {
    options.progress = [&err](size_t records, size_t total, size_t done) {
      err << "kpidb-ingest: " << records << " records read ("
          << (total > 0 ? done * 100 / total : 100) << "%)\n";
    };
  }
  // A dry run never changes anything on disk: it reads an existing database
  // without the writer lock, and validates against an empty scratch
  // database when there is none yet.
  Options db_options;
  std::string scratch;
  if (dry_run) {
    std::error_code ec;
    if (DB::Exists(db_path)) {
      db_options.read_only = true;
    } else {
      std::string tmpl =
          (std::filesystem::temp_directory_path(ec) / "kpidb-dry-run-XXXXXX").string();
      if (ec || mkdtemp(tmpl.data()) == nullptr) {
        err << "kpidb-ingest: cannot create a scratch directory for --dry-run\n";
        return 1;
      }
      scratch = tmpl;
      db_path = scratch;
    }
  }
  struct ScratchRemover {
    const std::string& dir;
    ~ScratchRemover() {
      std::error_code ec;
      if (!dir.empty()) std::filesystem::remove_all(dir, ec);
    }
  } remover{scratch};
  absl::StatusOr<std::unique_ptr<DB>> db = DB::Open(db_options, db_path);
  if (!db.ok()) {
    err << "kpidb-ingest: " << db.status().message() << "\n";
    return 1;
  }
  IngestReport report;
  absl::Status s = IngestFiles(db->get(), files, options, &report);
  for (const std::string& e : report.errors) err << e << "\n";
  if (!s.ok()) {
    err << "kpidb-ingest: " << s.message() << "\n";
    return 1;
  }
  if (!quiet) {
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
  return 0;
}

}  // namespace kpidb::tools
