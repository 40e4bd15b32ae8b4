#include <algorithm>
#include <optional>
#include <tuple>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "kpidb/analytics.h"
#include "kpidb/db.h"
#include "kpidb/dump.h"
#include "kpidb/period.h"
#include "tools/selection.h"
#include "tools/tools.h"
#include "lib/util/str_cat.h"

namespace kpidb::tools {

int RunQuery(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  CLI::App app(
      "Analytic queries over a kpidb database: derived quarters and years, TTM,\n"
      "changes (YoY, QoQ), unit conversion, rankings across companies, version\n"
      "history and consistency checks. Never changes the database.",
      "kpidb-query");
  app.footer(
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
      "      --screen percent --above 5   # grew more than 5%");
  app.set_version_flag("--version", std::string("kpidb-query ") + KPIDB_VERSION);
  std::string db_path, change, unit, format = "table";
  Selection selection;
  std::string& from = selection.from;
  std::string& to = selection.to;
  bool quarters = false, years = false, derive = false, ttm = false, history = false,
       check = false;
  int decimals = -1, percent_digits = 1, top = 0, bottom = 0;
  app.add_option("DB", db_path, "Database directory")->required();
  AddSelectionOptions(app, &selection);
  std::string calendar_window;
  app.add_option("--calendar-window", calendar_window,
                 "Align companies by calendar: each one's period of the window's length "
                 "ending inside it (calendar 2013Q4: 'FY2013Q4' or '2013-10-01/2013-12-31')");
  app.add_flag("--quarters", quarters, "Quarterly view: stored and derived quarters only");
  app.add_flag("--years", years, "Yearly view: stored and derived fiscal years only");
  app.add_flag("--derive", derive, "Add every derivable quarter, half, Q1-Q3 and year");
  app.add_flag("--ttm", ttm, "Add trailing twelve months ending at each quarter");
  app.add_option("--change", change, "Change against yoy (a year earlier) or qoq (the previous period)")
      ->check(CLI::IsMember({"yoy", "qoq"}));
  app.add_option("--percent-digits", percent_digits, "Digits of percent changes")
      ->capture_default_str();
  app.add_option("--unit", unit, "Convert values to this unit, e.g. 'JPY billion'");
  app.add_option("--decimals", decimals, "Round converted values to this many decimals");
  app.add_option("--top", top, "The N largest values (across companies)");
  app.add_option("--bottom", bottom, "The N smallest values");
  std::string above, below, screen = "value";
  app.add_option("--above", above, "Keep rows whose --screen quantity is above this number");
  app.add_option("--below", below, "Keep rows whose --screen quantity is below this number");
  app.add_option("--screen", screen,
                 "What --above/--below compare: value (as shown, so use --unit across "
                 "scales), change or percent (need --change)")
      ->check(CLI::IsMember({"value", "change", "percent"}))
      ->capture_default_str();
  app.add_flag("--history", history,
               "Every version of each fact, oldest first, with as_of (with --derive, "
               "--quarters...: each value a derived figure took over time)");
  app.add_flag("--check", check, "List where quarters or segments do not add up");
  app.add_option("--format", format, "table, csv or jsonl")->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e, out, err) == 0 ? 0 : 2;
  }
  auto usage = [&](std::string_view msg) {
    err << "kpidb-query: " << msg << "\n";
    return 2;
  };
  absl::StatusOr<DumpFormat> fmt = ParseDumpFormat(format);
  if (!fmt.ok()) return usage(ToStd(fmt.status().message()));
  if (top > 0 && bottom > 0) return usage("use --top or --bottom, not both");
  if (top < 0 || bottom < 0) return usage("--top and --bottom take a positive count");
  if (quarters && years) return usage("use --quarters or --years, not both");
  if (decimals >= 0 && unit.empty()) return usage("--decimals needs --unit");
  if (percent_digits < 0 || percent_digits > 10) return usage("--percent-digits must be 0 to 10");
  std::optional<Decimal> above_v, below_v;
  for (auto [text, dest, name] : {std::tuple{&above, &above_v, "--above"},
                                  std::tuple{&below, &below_v, "--below"}}) {
    if (text->empty()) continue;
    absl::StatusOr<Decimal> d = Decimal::Parse(*text);
    if (!d.ok()) return usage(kpidb::StrCat(name, ": ", d.status().message()));
    *dest = *d;
  }
  if (screen != "value" && change.empty() && (above_v || below_v)) {
    return usage("--screen change/percent needs --change");
  }
  std::optional<Period> window;
  if (!calendar_window.empty()) {
    if (!from.empty() || !to.empty() || !selection.period.empty()) {
      return usage("--calendar-window cannot be combined with --period/--from/--to");
    }
    // Labels name calendar periods here: the calendar year's FY2013Q4 is
    // October to December 2013.
    absl::StatusOr<Period> w = Period::Parse(calendar_window, FiscalCalendar::CalendarYear());
    if (!w.ok() || w->is_instant()) {
      return usage(kpidb::StrCat("--calendar-window: not a period: ", calendar_window));
    }
    window = *w;
    derive = true;
  }
  if (history && (check || !change.empty() || !unit.empty() || top > 0 || bottom > 0 ||
                  above_v || below_v)) {
    return usage("--history lists versions; it does not combine with --check, --change, "
                 "--unit, --top, --bottom, --above or --below");
  }

  // With a derivation, --as-of applies to derived values too.
  absl::StatusOr<Query> selected = ToQuery(selection);
  if (!selected.ok()) return usage(ToStd(selected.status().message()));
  Query query = *std::move(selected);
  Options options;
  options.read_only = true;
  absl::StatusOr<std::unique_ptr<DB>> db = DB::Open(options, db_path);
  if (!db.ok()) {
    err << "kpidb-query: " << db.status().message() << "\n";
    return 1;
  }
  auto fail = [&](const absl::Status& s) {
    err << "kpidb-query: " << s.message() << "\n";
    return absl::IsInvalidArgument(s) ? 2 : 1;
  };

  if (check) {
    absl::StatusOr<std::vector<Discrepancy>> d = CheckConsistency(**db, query);
    if (!d.ok()) return fail(d.status());
    std::vector<std::vector<std::string>> rows;
    for (const Discrepancy& x : *d) {
      const FiscalCalendar cal = (*db)->CalendarOf(x.company);
      rows.push_back({x.company, x.metric, x.scenario, x.kind, x.period.Label(cal),
                      x.stored.ToGroupedString(), x.sum.ToGroupedString(),
                      x.difference.ToGroupedString(), x.unit.ToString(), x.parts});
    }
    WriteGrid({"company", "metric", "scenario", "check", "period", "stored", "sum",
               "difference", "unit", "parts"},
              rows, {false, false, false, false, false, true, true, true, false, false},
              *fmt, out);
    return 0;
  }
  const bool deriving = derive || quarters || years || ttm;
  if (history && !deriving) {
    query.all_versions = true;
    absl::StatusOr<QueryResult> r = (*db)->Execute(query);
    if (!r.ok()) return fail(r.status());
    WriteFacts(*r, *fmt, out);
    return 0;
  }

  DerivedQuery dq;
  dq.query = query;
  dq.fiscal_periods = derive || quarters || years;
  dq.ttm = ttm;
  dq.change = change == "yoy"   ? DerivedQuery::Change::kYearOverYear
              : change == "qoq" ? DerivedQuery::Change::kPeriodOverPeriod
                                : DerivedQuery::Change::kNone;
  dq.percent_digits = percent_digits;
  dq.unit = unit;
  if (decimals >= 0) dq.decimals = decimals;
  dq.view = quarters ? DerivedQuery::View::kQuarters
            : years  ? DerivedQuery::View::kFiscalYears
                     : DerivedQuery::View::kAll;
  dq.calendar_window = window;
  dq.screen_on = screen == "change"    ? DerivedQuery::ScreenOn::kChange
                 : screen == "percent" ? DerivedQuery::ScreenOn::kChangePercent
                                       : DerivedQuery::ScreenOn::kValue;
  dq.above = above_v;
  dq.below = below_v;
  // With --history, derived figures appear once per value they took as
  // their inputs were published.
  absl::StatusOr<DerivedResult> r =
      history ? ExecuteDerivedHistory(**db, dq) : ExecuteDerived(**db, dq);
  if (!r.ok()) return fail(r.status());

  std::vector<RowRef> order;
  if (top > 0 || bottom > 0) {
    absl::StatusOr<std::vector<RowRef>> ranked =
        RankRows(*r, top > 0, static_cast<size_t>(top > 0 ? top : bottom));
    if (!ranked.ok()) return fail(ranked.status());
    order = *std::move(ranked);
  } else {
    for (size_t s = 0; s < r->series.size(); ++s) {
      for (size_t i = r->series_begin(s); i < r->series_end(s); ++i) order.push_back({s, i});
    }
  }
  const bool with_change = dq.change != DerivedQuery::Change::kNone;
  std::vector<std::vector<std::string>> cells;
  cells.reserve(order.size());
  for (const RowRef& ref : order) {
    const SeriesInfo& info = r->series[ref.series];
    const size_t i = ref.row;
    std::vector<std::string> row = {info.company, info.metric, info.scenario,
                                    r->periods[i].Label(info.calendar),
                                    r->values[i].ToGroupedString(), r->units[i].ToString()};
    if (with_change) {
      const bool has = r->change[i].has_value();
      row.push_back(has ? r->change[i]->ToGroupedString() : "");
      row.push_back(has ? r->change_units[i].ToString() : "");
      row.push_back(r->change_percent[i].has_value() ? r->change_percent[i]->ToString() + "%"
                                                     : "");
      row.push_back(r->change_base[i].has_value() ? r->change_base[i]->Label(info.calendar)
                                                  : "");
    }
    row.push_back(r->as_of[i].has_value() ? FormatDate(*r->as_of[i]) : "");
    row.push_back(r->origins[i] == RowOrigin::kDerived ? "derived: " + r->derivations[i].ToString(info.calendar)
                                                       : "stored");
    cells.push_back(std::move(row));
  }
  std::vector<std::string> header = {"company", "metric", "scenario", "period", "value", "unit"};
  std::vector<bool> right = {false, false, false, false, true, false};
  if (with_change) {
    header.insert(header.end(), {"change", "change_unit", "change_percent", "base"});
    right.insert(right.end(), {true, false, true, false});
  }
  header.insert(header.end(), {"as_of", "origin"});
  right.insert(right.end(), {false, false});
  WriteGrid(header, cells, right, *fmt, out);
  return 0;
}

}  // namespace kpidb::tools
