#include "tools/query_print.h"

#include <string>
#include <vector>

#include "kpidb/period.h"

namespace kpidb::tools {
namespace {

// A grid's header and which of its columns are numbers (right-aligned in a
// table).
struct Columns {
  std::vector<std::string> header;
  std::vector<bool> right_align;
};

Columns DerivedColumns(bool with_change) {
  Columns c{{"company", "metric", "scenario", "period", "value", "unit"},
            {false, false, false, false, true, false}};
  if (with_change) {
    c.header.insert(c.header.end(), {"change", "change_unit", "change_percent", "base"});
    c.right_align.insert(c.right_align.end(), {true, false, true, false});
  }
  c.header.insert(c.header.end(), {"as_of", "origin"});
  c.right_align.insert(c.right_align.end(), {false, false});
  return c;
}

// A row without a base period has empty change cells.
void AppendChangeCells(const DerivedResult& r, size_t i, const FiscalCalendar& calendar,
                       std::vector<std::string>* row) {
  const bool has = r.change[i].has_value();
  row->push_back(has ? r.change[i]->ToGroupedString() : "");
  row->push_back(has ? r.change_unit(i).ToString() : "");
  row->push_back(r.change_percent[i].has_value() ? r.change_percent[i]->ToString() + "%" : "");
  row->push_back(r.change_base[i].has_value() ? r.change_base[i]->Label(calendar) : "");
}

std::string OriginText(const DerivedResult& r, size_t i, const FiscalCalendar& calendar) {
  return r.origins[i] == RowOrigin::kDerived
             ? "derived: " + r.derivations[i].ToString(calendar)
             : "stored";
}

std::vector<std::string> DerivedCells(const DerivedResult& r, RowRef ref, bool with_change) {
  const SeriesInfo& info = r.series[ref.series];
  const size_t i = ref.row;
  std::vector<std::string> row = {info.company,
                                  info.metric,
                                  info.scenario,
                                  r.periods[i].Label(info.calendar),
                                  r.values[i].ToGroupedString(),
                                  r.unit(i).ToString()};
  if (with_change) AppendChangeCells(r, i, info.calendar, &row);
  row.push_back(r.as_of[i].has_value() ? FormatDate(*r.as_of[i]) : "");
  row.push_back(OriginText(r, i, info.calendar));
  return row;
}

std::vector<std::string> DiscrepancyCells(const Discrepancy& x, const FiscalCalendar& calendar) {
  return {x.company,
          x.metric,
          x.scenario,
          x.kind,
          x.period.Label(calendar),
          x.stored.ToGroupedString(),
          x.sum.ToGroupedString(),
          x.difference.ToGroupedString(),
          x.unit.ToString(),
          x.parts};
}

}  // namespace

void WriteDiscrepancies(const DB& db, std::span<const Discrepancy> found, DumpFormat format,
                        std::ostream& out) {
  std::vector<std::vector<std::string>> rows;
  for (const Discrepancy& x : found) rows.push_back(DiscrepancyCells(x, db.CalendarOf(x.company)));
  WriteGrid({"company", "metric", "scenario", "check", "period", "stored", "sum", "difference",
             "unit", "parts"},
            rows, {false, false, false, false, false, true, true, true, false, false}, format,
            out);
}

void WriteDerivedRows(const DerivedResult& result, std::span<const RowRef> order,
                      bool with_change, DumpFormat format, std::ostream& out) {
  std::vector<std::vector<std::string>> rows;
  rows.reserve(order.size());
  for (const RowRef& ref : order) rows.push_back(DerivedCells(result, ref, with_change));
  const Columns columns = DerivedColumns(with_change);
  WriteGrid(columns.header, rows, columns.right_align, format, out);
}

}  // namespace kpidb::tools
