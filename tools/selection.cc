#include "tools/selection.h"

#include "kpidb/period.h"
#include "lib/util/str_cat.h"

namespace kpidb::tools {

void AddSelectionOptions(CLI::App& app, Selection* s) {
  app.add_option("--company", s->companies, "Company id (repeat or comma-separate); default all")
      ->delimiter(',');
  app.add_option("--metric", s->metric, "Metric name or glob, e.g. 'revenue.segment.*'");
  app.add_option("--scenario", s->scenarios,
                 "Scenario (repeat or comma-separate); default all")
      ->delimiter(',');
  app.add_option("--from", s->from,
                 "First period: a label (FY2013, 3Q13) or a date; years 0001-9999");
  app.add_option("--to", s->to, "Last period: a label or a date");
  app.add_option("--period", s->period,
                 "Exactly this period, in each company's calendar: FY2013 is the year, "
                 "not the quarters in it");
  app.add_option("--as-of", s->as_of, "As known on this date (YYYY-MM-DD)");
}

absl::StatusOr<Query> ToQuery(const Selection& s) {
  Query q;
  q.companies = s.companies;
  q.metric = s.metric;
  q.scenarios = s.scenarios;
  q.from = s.from;
  q.to = s.to;
  if (!s.period.empty() && (!s.from.empty() || !s.to.empty())) {
    return absl::InvalidArgumentError("--period cannot be combined with --from/--to");
  }
  q.period = s.period;
  if (!s.as_of.empty()) {
    absl::StatusOr<absl::CivilDay> d = ParseDate(s.as_of);
    if (!d.ok()) {
      return absl::InvalidArgumentError(kpidb::StrCat("--as-of: ", d.status().message()));
    }
    q.as_of = *d;
  }
  return q;
}

}  // namespace kpidb::tools
