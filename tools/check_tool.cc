// kpidb-check: flags -> kpidb::CheckDatabase -> the report, as lines for
// people or JSON lines.
#include <cstdint>
#include <optional>
#include <string>

#include "CLI/CLI.hpp"
#include "kpidb/check.h"
#include "lib/util/str_cat.h"
#include "nlohmann/json.hpp"
#include "tools/cli.h"
#include "tools/tools.h"

namespace kpidb::tools {
namespace {

constexpr std::string_view kTool = "kpidb-check";

constexpr char kAbout[] =
    "Verify every table file, key, dictionary entry, company record and series chunk of a "
    "kpidb database, and the format's invariants. Exit status 0 when clean, 1 when problems "
    "were found (or could not be checked), 2 for a usage error. Changes nothing unless "
    "--repair is given.";

constexpr char kFooter[] =
    "Repair (--repair) fixes only what needs no guessing, and only when everything else\n"
    "verified clean: a missing, damaged or stale commit record (KPIDB-COMMIT) is rewritten\n"
    "from the database's current state, a missing, damaged or differing catalog snapshot\n"
    "(key 'S') is rewritten from the catalog entries, and files an interrupted write left\n"
    "in staging/ are removed. It needs the writer lock. A damaged chunk, dictionary entry or company\n"
    "record, or an unknown id, is never repaired: the report names the series and entries\n"
    "affected, to restore from a backup or ingest again.\n\n"
    "Examples:\n"
    "  kpidb-check kpis.db\n"
    "  kpidb-check kpis.db --format jsonl --max-problems 100\n"
    "  kpidb-check kpis.db --repair";

// --max-problems at most: each problem is a message kept in memory.
constexpr int64_t kMaxMaxProblems = 1'000'000;

// The flags as given, before any check but CLI11's.
struct CheckFlags {
  std::string db_path;
  bool repair = false;
  std::string format = "table";
  // Signed, so that a negative count is refused by the range check rather
  // than wrapped around.
  int64_t max_problems = 1000;
};

void AddCheckFlags(CLI::App& app, CheckFlags* f) {
  app.add_option("DB", f->db_path, "Database directory")->required();
  app.add_flag("--repair", f->repair,
               "Rewrite a bad commit record and remove staged leftovers, when nothing else "
               "is wrong (needs the writer lock)");
  app.add_option("--format", f->format, "table (lines for people) or jsonl")
      ->check(CLI::IsMember({"table", "jsonl"}))
      ->capture_default_str();
  app.add_option("--max-problems", f->max_problems,
                 "List at most N problems (the rest are counted), N from 0 to 1000000")
      ->type_name("N")
      ->check(CLI::Range(int64_t{0}, kMaxMaxProblems).description(""))
      ->capture_default_str();
}

std::string Plural(uint64_t n, std::string_view one, std::string_view many) {
  return kpidb::StrCat(n, " ", n == 1 ? one : many);
}

std::string CommitRecordLine(const CheckReport& r) {
  if (!r.commit_record.has_value()) {
    return kpidb::StrCat("none readable (the database is at write ", r.sequence, ")");
  }
  return kpidb::StrCat("write ", *r.commit_record, " (the database is at write ", r.sequence,
                       ")");
}

uint64_t ProblemCount(const CheckReport& r) { return r.problems.size() + r.unlisted_problems; }

void PrintTable(const std::string& path, const CheckReport& r, std::ostream& out) {
  auto line = [&](std::string_view what, const std::string& text) {
    out << what << std::string(15 - what.size(), ' ') << text << "\n";
  };
  line("database", path);
  line("table files", kpidb::StrCat(r.table_files, " verified (every block's checksum)"));
  line("keys", kpidb::StrCat(r.keys, " read"));
  line("dictionaries",
       kpidb::StrCat(Plural(r.dictionary_entries, "entry", "entries"), ": ",
                     Plural(r.company_ids, "company id", "company ids"), ", ",
                     Plural(r.metrics, "metric", "metrics"), ", ",
                     Plural(r.scenarios, "scenario", "scenarios"), ", ",
                     Plural(r.units, "unit", "units"), ", ",
                     Plural(r.sources, "source", "sources")));
  line("companies", Plural(r.companies, "record", "records"));
  line("series", kpidb::StrCat(r.series, ", with ", Plural(r.facts, "fact", "facts")));
  line("commit record", CommitRecordLine(r));
  for (const CheckProblem& p : r.problems) {
    out << "problem: " << p.where << ": " << p.what << (p.repairable ? " [--repair]" : "")
        << "\n";
  }
  if (r.unlisted_problems > 0) {
    out << "problem: " << r.unlisted_problems << " more not listed (--max-problems)\n";
  }
  for (const std::string& n : r.notes) out << "note: " << n << "\n";
  for (const std::string& s : r.repairs) out << "repaired: " << s << "\n";
  line("result", r.ok() ? std::string("clean")
                        : Plural(ProblemCount(r), "problem", "problems"));
}

void PrintJsonl(const std::string& path, const CheckReport& r, std::ostream& out) {
  for (const CheckProblem& p : r.problems) {
    nlohmann::json j = {{"type", "problem"},
                        {"where", p.where},
                        {"what", p.what},
                        {"code", absl::StatusCodeToString(p.code)},
                        {"repairable", p.repairable}};
    out << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  }
  for (const std::string& n : r.notes) {
    out << nlohmann::json({{"type", "note"}, {"what", n}}).dump(
               -1, ' ', false, nlohmann::json::error_handler_t::replace)
        << "\n";
  }
  for (const std::string& s : r.repairs) {
    out << nlohmann::json({{"type", "repair"}, {"what", s}}).dump(
               -1, ' ', false, nlohmann::json::error_handler_t::replace)
        << "\n";
  }
  nlohmann::json summary = {{"type", "summary"},
                            {"database", path},
                            {"ok", r.ok()},
                            {"problems", ProblemCount(r)},
                            {"unlisted_problems", r.unlisted_problems},
                            {"table_files", r.table_files},
                            {"keys", r.keys},
                            {"dictionary_entries", r.dictionary_entries},
                            {"company_ids", r.company_ids},
                            {"metrics", r.metrics},
                            {"scenarios", r.scenarios},
                            {"units", r.units},
                            {"sources", r.sources},
                            {"companies", r.companies},
                            {"series", r.series},
                            {"facts", r.facts},
                            {"sequence", r.sequence},
                            {"commit_record", nullptr}};
  if (r.commit_record.has_value()) summary["commit_record"] = *r.commit_record;
  out << summary.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

}  // namespace

int RunCheck(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  CLI::App app(kAbout, std::string(kTool));
  DescribeTool(app, kFooter);
  CheckFlags flags;
  AddCheckFlags(app, &flags);
  if (std::optional<int> done = ParseArgs(app, argc, argv, out, err)) return *done;
  CheckOptions options;
  options.repair = flags.repair;
  options.max_problems = static_cast<size_t>(flags.max_problems);  // 0 to kMaxMaxProblems
  absl::StatusOr<CheckReport> report = CheckDatabase(flags.db_path, options);
  if (!report.ok()) return Fail(err, kTool, ToStd(report.status().message()), 1);
  if (flags.format == "jsonl") {
    PrintJsonl(flags.db_path, *report, out);
  } else {
    PrintTable(flags.db_path, *report, out);
  }
  out.flush();
  if (!out.good()) return 1;
  return report->ok() ? 0 : 1;
}

}  // namespace kpidb::tools
