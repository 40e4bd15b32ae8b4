// How kpidb-query prints what the analytics return: grids of text cells in
// the dump formats (kpidb/dump.h's WriteGrid). This stays in tools/ because
// lib/dump sits below lib/analytics and so cannot name its types.
#ifndef KPIDB_TOOLS_QUERY_PRINT_H_
#define KPIDB_TOOLS_QUERY_PRINT_H_

#include <ostream>
#include <span>

#include "kpidb/analytics.h"
#include "kpidb/db.h"
#include "kpidb/dump.h"

namespace kpidb::tools {

// One row per discrepancy; periods are labelled in each company's calendar,
// looked up in `db`.
void WriteDiscrepancies(const DB& db, std::span<const Discrepancy> found, DumpFormat format,
                        std::ostream& out);

// The rows `order` of `result`, in that order. `with_change` adds the
// change, change_unit, change_percent and base columns.
void WriteDerivedRows(const DerivedResult& result, std::span<const RowRef> order,
                      bool with_change, DumpFormat format, std::ostream& out);

}  // namespace kpidb::tools

#endif  // KPIDB_TOOLS_QUERY_PRINT_H_
