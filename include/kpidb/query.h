// File: kpidb/query.h
// -----------------------------------------------------------------------------
//
// Query selects facts; QueryResult returns them as columns.
//
//   kpidb::Query q;
//   q.companies = {"IIJ"};
//   q.metric = "revenue.segment.*";
//   q.from = "FY2012";                 // labels resolve through each
//   q.to = "FY2013";                   // fact's own company calendar
//   absl::StatusOr<kpidb::QueryResult> r = db->Execute(q);
//   for (size_t s = 0; s < r->series.size(); ++s)
//     for (size_t i = r->series_begin(s); i < r->series_end(s); ++i)
//       std::cout << r->series[s].metric << " "
//                 << r->periods[i].Label(r->series[s].calendar) << " "
//                 << r->values[i].ToString() << " "
//                 << r->unit(i).ToString() << "\n";
//
// A period is in range when it lies inside [from.start, to.end]. Rows are
// grouped by series (sorted by company, metric, scenario) and, inside a
// series, in period order (end date, then shorter first), versions of one
// period oldest first.
//
// Thread-safety: plain data; const access from many threads is safe.
#ifndef KPIDB_INCLUDE_KPIDB_QUERY_H_
#define KPIDB_INCLUDE_KPIDB_QUERY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/civil_time.h"
#include "kpidb/decimal.h"
#include "kpidb/period.h"
#include "kpidb/unit.h"

namespace kpidb {

struct Query {
  // Companies to read; empty means every company.
  std::vector<std::string> companies;
  // Exact metric or glob ("revenue.segment.*"); empty means every metric.
  std::string metric;
  // Scenarios to read; empty means every scenario.
  std::vector<std::string> scenarios;
  // Period range bounds: a label ("FY2013", "3Q13"), a date or a range; the
  // range starts at from's start and ends at to's end. Empty: unbounded.
  std::string from;
  std::string to;
  // Exactly one period instead of a range, resolved through each company's
  // calendar: "FY2013" selects each company's own fiscal 2013 (not the
  // quarters inside it), "2014-02-07" the instant on that day. Leave from
  // and to empty with it. Empty: no such filter.
  std::string period;
  // Read the database as it was known on this date: versions whose as_of is
  // later are ignored. Unset: the latest versions.
  std::optional<absl::CivilDay> as_of;
  // Return every version (up to as_of) instead of the latest per period.
  bool all_versions = false;
  // Columns to decode. Periods and values are always returned; leaving these
  // off skips decoding the other columns.
  bool with_units = true;
  bool with_as_of = true;
  bool with_sources = true;
};

struct SeriesInfo {
  std::string company;
  std::string metric;
  std::string scenario;
  // The company's calendar, for printing period labels.
  FiscalCalendar calendar;
};

class QueryResult {
 public:
  // The series that have at least one row, in output order.
  std::vector<SeriesInfo> series;
  // Rows of series[s] are [series_offsets[s], series_offsets[s + 1]).
  std::vector<size_t> series_offsets = {0};

  // One entry per row.
  std::vector<Period> periods;
  std::vector<Decimal> values;
  std::vector<uint32_t> unit_ids;    // into unit_table (with_units)
  std::vector<std::optional<absl::CivilDay>> as_of;  // (with_as_of)
  std::vector<uint32_t> source_ids;  // into source_table (with_sources)

  std::vector<Unit> unit_table;
  std::vector<std::string> source_table;

  size_t size() const { return values.size(); }
  size_t series_begin(size_t s) const { return series_offsets[s]; }
  size_t series_end(size_t s) const { return series_offsets[s + 1]; }
  const Unit& unit(size_t row) const { return unit_table[unit_ids[row]]; }
  std::string_view source(size_t row) const {
    return source_table[source_ids[row]];
  }
};

}  // namespace kpidb

#endif  // KPIDB_INCLUDE_KPIDB_QUERY_H_
