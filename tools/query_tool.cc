// kpidb-query: flags -> a checked plan (a DerivedQuery, a consistency check
// or a version history) -> the analytics API -> printed grids.
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "CLI/CLI.hpp"
#include "kpidb/analytics.h"
#include "kpidb/db.h"
#include "kpidb/decimal.h"
#include "kpidb/dump.h"
#include "kpidb/period.h"
#include "lib/util/quote.h"
#include "lib/util/status_macros.h"
#include "lib/util/str_cat.h"
#include "tools/cli.h"
#include "tools/query_print.h"
#include "tools/selection.h"
#include "tools/tools.h"

namespace kpidb::tools {
namespace {

constexpr std::string_view kTool = "kpidb-query";

constexpr char kAbout[] =
    "Analytic queries over a kpidb database: derived quarters and years, TTM,\n"
    "changes (YoY, QoQ), unit conversion, rankings across companies, version\n"
    "history and consistency checks. Never changes the database.";

constexpr char kFooter[] =
    "Derived rows are marked with the formula they come from; stored figures\n"
    "always win. Percent changes: (current - base) / |base| * 100, rounded half\n"
    "away from zero to --percent-digits; a % metric changes in pt.\n\n"
    "Examples:\n"
    "  kpidb-query kpis.db --company IIJ --metric 'revenue.*' --from FY2012 --to FY2013 \\\n"
    "      --quarters --change yoy --unit 'JPY billion' --format table\n"
    "  kpidb-query kpis.db --company IIJ --metric capex --derive\n"
    "  kpidb-query kpis.db --metric revenue.total --period FY2013 --top 10\n"
    "  kpidb-query kpis.db --company IIJ --metric revenue.total --period FY2013 \\\n"
    "      --scenario target --history\n"
    "  kpidb-query kpis.db --company IIJ --check\n"
    "  kpidb-query kpis.db --metric revenue.total --calendar-window FY2013Q4 --top 10\n"
    "      # each company's quarter ending in Oct-Dec 2013, whatever its fiscal year\n"
    "  kpidb-query kpis.db --metric revenue.total --period FY2013 --change yoy \\\n"
    "      --screen percent --above 5   # grew more than 5%";

// --decimals at most: a Decimal has at most 18 digits.
constexpr int kMaxDecimals = Decimal::kMaxDigits;

// The flags as given, before any check but CLI11's (the ranges of numbers).
struct QueryFlags {
  std::string db_path;
  Selection selection;
  std::string calendar_window;
  bool quarters = false;
  bool years = false;
  bool derive = false;
  bool ttm = false;
  std::string change;
  int percent_digits = 1;
  std::string unit;
  int decimals = -1;  // -1: not given
  int top = 0;        // 0: not given
  int bottom = 0;     // 0: not given
  std::string above;
  std::string below;
  std::string screen = "value";
  bool history = false;
  bool check = false;
  std::string format = "table";
};

// What to run and how to print it, from flags that passed every check.
struct QueryPlan {
  enum class Action { kCheck, kListVersions, kDerive };
  Action action = Action::kDerive;
  // With kDerive: every value each figure took instead of the latest.
  bool history = false;
  // derived.query is the selection of every action.
  DerivedQuery derived;
  size_t top = 0;
  size_t bottom = 0;
  DumpFormat format = DumpFormat::kTable;
};

struct Thresholds {
  std::optional<Decimal> above;
  std::optional<Decimal> below;
};

// --- Flags ---------------------------------------------------------------------
// Help lists the options in the order they are added.

void AddPeriodFlags(CLI::App& app, QueryFlags* f) {
  app.add_option("--calendar-window", f->calendar_window,
                 "Align companies by calendar: each one's period of the window's length "
                 "ending inside it (calendar 2013Q4: 'FY2013Q4' or '2013-10-01/2013-12-31')");
  app.add_flag("--quarters", f->quarters, "Quarterly view: stored and derived quarters only");
  app.add_flag("--years", f->years, "Yearly view: stored and derived fiscal years only");
  app.add_flag("--derive", f->derive, "Add every derivable quarter, half, Q1-Q3 and year");
  app.add_flag("--ttm", f->ttm, "Add trailing twelve months ending at each quarter");
}

void AddValueFlags(CLI::App& app, QueryFlags* f) {
  app.add_option("--change", f->change,
                 "Change against yoy (a year earlier) or qoq (the previous period)")
      ->check(CLI::IsMember({"yoy", "qoq"}));
  app.add_option("--percent-digits", f->percent_digits,
                 "Digits of percent changes, N from 0 to 10")
      ->type_name("N")
      ->capture_default_str();
  app.add_option("--unit", f->unit, "Convert values to this unit, e.g. 'JPY billion'");
  app.add_option("--decimals", f->decimals,
                 "Round converted values to N decimals, N from 0 to 18")
      ->type_name("N")
      ->check(CLI::Range(0, kMaxDecimals).description(""));
}

void AddRankingFlags(CLI::App& app, QueryFlags* f) {
  // Counts must be positive: 0 or a negative number is a usage error, not
  // "no ranking" or a wrapped-around huge count.
  app.add_option("--top", f->top, "The N largest values (across companies), N >= 1")
      ->type_name("N")
      ->check(CLI::Range(1, std::numeric_limits<int>::max()).description(""));
  app.add_option("--bottom", f->bottom, "The N smallest values, N >= 1")
      ->type_name("N")
      ->check(CLI::Range(1, std::numeric_limits<int>::max()).description(""));
  app.add_option("--above", f->above, "Keep rows whose --screen quantity is above this number");
  app.add_option("--below", f->below, "Keep rows whose --screen quantity is below this number");
  app.add_option("--screen", f->screen,
                 "What --above/--below compare: value (as shown, so use --unit across "
                 "scales), change or percent (need --change)")
      ->check(CLI::IsMember({"value", "change", "percent"}))
      ->capture_default_str();
}

void AddQueryFlags(CLI::App& app, QueryFlags* f) {
  app.add_option("DB", f->db_path, "Database directory")->required();
  AddSelectionOptions(app, &f->selection);
  AddPeriodFlags(app, f);
  AddValueFlags(app, f);
  AddRankingFlags(app, f);
  app.add_flag("--history", f->history,
               "Every version of each fact, oldest first, with as_of (with --derive, "
               "--quarters...: each value a derived figure took over time)");
  app.add_flag("--check", f->check, "List where quarters or segments do not add up");
  app.add_option("--format", f->format, "table, csv or jsonl")->capture_default_str();
}

// --- Checks: each error is a usage error (InvalidArgument) ----------------------

[[nodiscard]] absl::Status CheckNumbers(const QueryFlags& f) {
  using absl::InvalidArgumentError;
  if (f.top > 0 && f.bottom > 0) return InvalidArgumentError("use --top or --bottom, not both");
  if (f.quarters && f.years) return InvalidArgumentError("use --quarters or --years, not both");
  if (f.decimals >= 0 && f.unit.empty()) return InvalidArgumentError("--decimals needs --unit");
  if (f.percent_digits < 0 || f.percent_digits > 10) {
    return InvalidArgumentError("--percent-digits must be 0 to 10");
  }
  return absl::OkStatus();
}

[[nodiscard]] absl::StatusOr<std::optional<Decimal>> ParseThreshold(std::string_view flag,
                                                                     const std::string& text) {
  if (text.empty()) return std::nullopt;
  absl::StatusOr<Decimal> d = Decimal::Parse(text);
  if (!d.ok()) return absl::InvalidArgumentError(kpidb::StrCat(flag, ": ", d.status().message()));
  return std::optional<Decimal>(*d);
}

[[nodiscard]] absl::StatusOr<Thresholds> ParseThresholds(const QueryFlags& f) {
  Thresholds t;
  KPIDB_ASSIGN_OR_RETURN(t.above, ParseThreshold("--above", f.above));
  KPIDB_ASSIGN_OR_RETURN(t.below, ParseThreshold("--below", f.below));
  if (f.screen != "value" && f.change.empty() && (t.above || t.below)) {
    return absl::InvalidArgumentError("--screen change/percent needs --change");
  }
  return t;
}

[[nodiscard]] absl::StatusOr<std::optional<Period>> ParseCalendarWindow(const QueryFlags& f) {
  if (f.calendar_window.empty()) return std::nullopt;
  const Selection& s = f.selection;
  if (!s.from.empty() || !s.to.empty() || !s.period.empty()) {
    return absl::InvalidArgumentError(
        "--calendar-window cannot be combined with --period/--from/--to");
  }
  // Labels name calendar periods here: the calendar year's FY2013Q4 is
  // October to December 2013.
  absl::StatusOr<Period> w = Period::Parse(f.calendar_window, FiscalCalendar::CalendarYear());
  if (!w.ok() || w->is_instant()) {
    return absl::InvalidArgumentError(
        kpidb::StrCat("--calendar-window: not a period: ",
                      QuoteForMessage(f.calendar_window)));
  }
  return std::optional<Period>(*w);
}

[[nodiscard]] absl::Status CheckHistoryAlone(const QueryFlags& f, const Thresholds& t) {
  if (f.history && (f.check || !f.change.empty() || !f.unit.empty() || f.top > 0 ||
                    f.bottom > 0 || t.above || t.below)) {
    return absl::InvalidArgumentError(
        "--history lists versions; it does not combine with --check, --change, "
        "--unit, --top, --bottom, --above or --below");
  }
  return absl::OkStatus();
}

// --- Plan -------------------------------------------------------------------------

DerivedQuery ToDerivedQuery(const QueryFlags& f, Query query, const Thresholds& t,
                            std::optional<Period> window) {
  DerivedQuery dq;
  dq.query = std::move(query);
  // A calendar window compares derived periods too.
  dq.fiscal_periods = f.derive || f.quarters || f.years || window.has_value();
  dq.ttm = f.ttm;
  dq.change = f.change == "yoy"   ? DerivedQuery::Change::kYearOverYear
              : f.change == "qoq" ? DerivedQuery::Change::kPeriodOverPeriod
                                  : DerivedQuery::Change::kNone;
  dq.percent_digits = f.percent_digits;
  dq.unit = f.unit;
  if (f.decimals >= 0) dq.decimals = f.decimals;
  dq.view = f.quarters ? DerivedQuery::View::kQuarters
            : f.years  ? DerivedQuery::View::kFiscalYears
                       : DerivedQuery::View::kAll;
  dq.calendar_window = window;
  dq.screen_on = f.screen == "change"    ? DerivedQuery::ScreenOn::kChange
                 : f.screen == "percent" ? DerivedQuery::ScreenOn::kChangePercent
                                         : DerivedQuery::ScreenOn::kValue;
  dq.above = t.above;
  dq.below = t.below;
  return dq;
}

QueryPlan::Action ActionOf(const QueryFlags& f, const DerivedQuery& dq) {
  if (f.check) return QueryPlan::Action::kCheck;
  // Without a derivation, --history lists the stored versions as kpidb-dump does.
  if (f.history && !dq.fiscal_periods && !dq.ttm) return QueryPlan::Action::kListVersions;
  return QueryPlan::Action::kDerive;
}

// Checks in the order users see their messages: flag by flag, then the selection.
[[nodiscard]] absl::StatusOr<QueryPlan> ToPlan(const QueryFlags& f) {
  QueryPlan plan;
  KPIDB_ASSIGN_OR_RETURN(plan.format, ParseDumpFormat(f.format));
  KPIDB_RETURN_IF_ERROR(CheckNumbers(f));
  KPIDB_ASSIGN_OR_RETURN(const Thresholds thresholds, ParseThresholds(f));
  KPIDB_ASSIGN_OR_RETURN(const std::optional<Period> window, ParseCalendarWindow(f));
  KPIDB_RETURN_IF_ERROR(CheckHistoryAlone(f, thresholds));
  // With a derivation, --as-of applies to derived values too.
  KPIDB_ASSIGN_OR_RETURN(Query query, ToQuery(f.selection));
  plan.derived = ToDerivedQuery(f, std::move(query), thresholds, window);
  plan.action = ActionOf(f, plan.derived);
  plan.history = f.history;
  plan.top = static_cast<size_t>(f.top);
  plan.bottom = static_cast<size_t>(f.bottom);
  return plan;
}

// --- Run and print: nothing is printed on error ---------------------------------

[[nodiscard]] absl::Status PrintDiscrepancies(const DB& db, const QueryPlan& plan,
                                              std::ostream& out) {
  KPIDB_ASSIGN_OR_RETURN(const std::vector<Discrepancy> found,
                         CheckConsistency(db, plan.derived.query));
  WriteDiscrepancies(db, found, plan.format, out);
  return absl::OkStatus();
}

[[nodiscard]] absl::Status PrintVersions(const DB& db, const QueryPlan& plan, std::ostream& out) {
  Query query = plan.derived.query;
  query.all_versions = true;
  KPIDB_ASSIGN_OR_RETURN(const QueryResult result, db.Execute(query));
  WriteFacts(result, plan.format, out);
  return absl::OkStatus();
}

// The rows to print, in order: the top or bottom N, or all of them.
[[nodiscard]] absl::StatusOr<std::vector<RowRef>> RowsToPrint(const DerivedResult& r,
                                                              const QueryPlan& plan) {
  if (plan.top > 0) return RankRows(r, /*descending=*/true, plan.top);
  if (plan.bottom > 0) return RankRows(r, /*descending=*/false, plan.bottom);
  std::vector<RowRef> all;
  for (size_t s = 0; s < r.series.size(); ++s) {
    for (size_t i = r.series_begin(s); i < r.series_end(s); ++i) all.push_back({s, i});
  }
  return all;
}

[[nodiscard]] absl::Status PrintDerived(const DB& db, const QueryPlan& plan, std::ostream& out) {
  // With --history, derived figures appear once per value they took as
  // their inputs were published.
  KPIDB_ASSIGN_OR_RETURN(const DerivedResult result,
                         plan.history ? ExecuteDerivedHistory(db, plan.derived)
                                      : ExecuteDerived(db, plan.derived));
  KPIDB_ASSIGN_OR_RETURN(const std::vector<RowRef> order, RowsToPrint(result, plan));
  const bool with_change = plan.derived.change != DerivedQuery::Change::kNone;
  WriteDerivedRows(result, order, with_change, plan.format, out);
  return absl::OkStatus();
}

[[nodiscard]] absl::Status RunPlan(const DB& db, const QueryPlan& plan, std::ostream& out) {
  if (plan.action == QueryPlan::Action::kCheck) return PrintDiscrepancies(db, plan, out);
  if (plan.action == QueryPlan::Action::kListVersions) return PrintVersions(db, plan, out);
  return PrintDerived(db, plan, out);
}

}  // namespace

int RunQuery(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  CLI::App app(kAbout, std::string(kTool));
  DescribeTool(app, kFooter);
  QueryFlags flags;
  AddQueryFlags(app, &flags);
  if (std::optional<int> done = ParseArgs(app, argc, argv, out, err)) return *done;
  absl::StatusOr<QueryPlan> plan = ToPlan(flags);
  if (!plan.ok()) return Fail(err, kTool, ToStd(plan.status().message()), 2);
  Options options;
  options.read_only = true;
  absl::StatusOr<std::unique_ptr<DB>> db = DB::Open(options, flags.db_path);
  if (!db.ok()) return Fail(err, kTool, ToStd(db.status().message()), 1);
  const absl::Status s = RunPlan(**db, *plan, out);
  if (!s.ok()) return Fail(err, kTool, ToStd(s.message()), absl::IsInvalidArgument(s) ? 2 : 1);
  return 0;
}

}  // namespace kpidb::tools
