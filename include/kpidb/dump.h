// File: kpidb/dump.h
// -----------------------------------------------------------------------------
//
// Printing query results and companies: the library behind `kpidb-dump`.
//
// Formats:
//   csv    the facts header company,metric,period,value,unit,scenario,as_of,
//          source (RFC 4180); what kpidb-ingest reads back
//   jsonl  one JSON object per row with the same fields plus the period's
//          "start" and "end" dates; "value" is a string so that no JSON
//          reader turns it into a binary float
//   table  aligned columns with thousands separators, for people
// Values print as reported: in the unit and with the digits they were
// ingested with ("82746" JPY million, "117.0" JPY billion). Periods print as
// canonical labels of each company's calendar.
//
// Thread-safety: stateless functions.
#ifndef KPIDB_INCLUDE_KPIDB_DUMP_H_
#define KPIDB_INCLUDE_KPIDB_DUMP_H_

#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "kpidb/fact.h"
#include "kpidb/query.h"

namespace kpidb {

enum class DumpFormat { kCsv, kJsonl, kTable };

// "csv", "jsonl" or "table"; InvalidArgument otherwise.
[[nodiscard]] absl::StatusOr<DumpFormat> ParseDumpFormat(std::string_view name);

// Writes the rows of `result` (which must have units, as_of and sources).
void WriteFacts(const QueryResult& result, DumpFormat format, std::ostream& out);

// Writes companies as a companies file (csv), JSON lines or a table.
void WriteCompanies(std::span<const Company> companies, DumpFormat format,
                    std::ostream& out);

// Writes a grid of text cells in `format`: csv (a header line, RFC 4180
// quoting), jsonl (one object per row keyed by the header; an empty cell is
// null) or table (aligned; right_align[c] for numeric columns).
void WriteGrid(const std::vector<std::string>& header,
               const std::vector<std::vector<std::string>>& rows,
               const std::vector<bool>& right_align, DumpFormat format,
               std::ostream& out);

}  // namespace kpidb

#endif  // KPIDB_INCLUDE_KPIDB_DUMP_H_
