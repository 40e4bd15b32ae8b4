#include "kpidb/dump.h"

#include <algorithm>
#include <string>
#include <vector>

#include "lib/util/quote.h"
#include "lib/util/str_cat.h"
#include "nlohmann/json.hpp"

namespace kpidb {
namespace {

constexpr std::string_view kFactsHeader =
    "company,metric,period,value,unit,scenario,as_of,source";
constexpr std::string_view kCompaniesHeader =
    "company,name,fiscal_year_end,fy_naming,currency";

// RFC 4180 quoting, only when needed. Leading/trailing spaces are quoted too
// so that no reader trims them away.
void PutCsvField(std::string_view f, std::string* out) {
  const bool quote =
      f.find_first_of(",\"\r\n") != std::string_view::npos ||
      (!f.empty() && (f.front() == ' ' || f.back() == ' '));
  if (!quote) {
    out->append(f);
    return;
  }
  out->push_back('"');
  for (char c : f) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

// One CSV line of `cells`, line break included.
void WriteCsvLine(const std::vector<std::string>& cells, std::string* buf,
                  std::ostream& out) {
  buf->clear();
  for (size_t c = 0; c < cells.size(); ++c) {
    if (c > 0) buf->push_back(',');
    PutCsvField(cells[c], buf);
  }
  out << *buf << '\n';
}

// Invalid UTF-8 is replaced rather than thrown on: a dump prints whatever the
// database holds.
void WriteJsonLine(const nlohmann::ordered_json& j, std::ostream& out) {
  out << j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace)
      << '\n';
}

// An empty cell is null in JSON: "no as_of", not the empty string.
nlohmann::ordered_json JsonOrNull(const std::string& cell) {
  return cell.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(cell);
}

// Display width of UTF-8 text: code points, not bytes.
size_t Width(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::vector<size_t> ColumnWidths(const std::vector<std::string>& header,
                                 const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths(header.size());
  for (size_t c = 0; c < header.size(); ++c) widths[c] = Width(header[c]);
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size(); ++c) {
      widths[c] = std::max(widths[c], Width(row[c]));
    }
  }
  return widths;
}

// One table line; trailing blanks are cut so that lines diff cleanly.
void WriteTableLine(const std::vector<std::string>& cells, const std::vector<size_t>& widths,
                    const std::vector<bool>& right_align, std::ostream& out) {
  std::string text;
  for (size_t c = 0; c < cells.size(); ++c) {
    const size_t pad = widths[c] - Width(cells[c]);
    const bool last = c + 1 == cells.size();
    if (right_align[c]) text.append(pad, ' ');
    text.append(cells[c]);
    if (!right_align[c] && !last) text.append(pad, ' ');
    if (!last) text.append("  ");
  }
  while (!text.empty() && text.back() == ' ') text.pop_back();
  out << text << '\n';
}

void WriteTable(const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows,
                const std::vector<bool>& right_align, std::ostream& out) {
  const std::vector<size_t> widths = ColumnWidths(header, rows);
  WriteTableLine(header, widths, right_align, out);
  std::vector<std::string> rule;
  for (size_t w : widths) rule.push_back(std::string(w, '-'));
  WriteTableLine(rule, widths, right_align, out);
  for (const auto& row : rows) WriteTableLine(row, widths, right_align, out);
}

void WriteCsvGrid(const std::vector<std::string>& header,
                  const std::vector<std::vector<std::string>>& rows, std::ostream& out) {
  std::string buf;
  WriteCsvLine(header, &buf, out);
  for (const auto& row : rows) WriteCsvLine(row, &buf, out);
}

void WriteJsonlGrid(const std::vector<std::string>& header,
                    const std::vector<std::vector<std::string>>& rows, std::ostream& out) {
  for (const auto& row : rows) {
    nlohmann::ordered_json j;
    for (size_t c = 0; c < header.size() && c < row.size(); ++c) {
      j[header[c]] = JsonOrNull(row[c]);
    }
    WriteJsonLine(j, out);
  }
}

// The optional columns of a QueryResult as text; empty when the result was
// queried without them.
std::string AsOfText(const QueryResult& r, size_t i) {
  return i < r.as_of.size() && r.as_of[i].has_value() ? FormatDate(*r.as_of[i])
                                                      : std::string();
}
std::string_view SourceText(const QueryResult& r, size_t i) {
  return i < r.source_ids.size() ? r.source(i) : std::string_view();
}
std::string UnitText(const QueryResult& r, size_t i) {
  return i < r.unit_ids.size() ? r.unit(i).ToString() : std::string();
}

// Calls fn(info, i) for every row of `r`, series by series.
template <typename Fn>
void ForEachRow(const QueryResult& r, Fn fn) {
  for (size_t s = 0; s < r.series.size(); ++s) {
    for (size_t i = r.series_begin(s); i < r.series_end(s); ++i) fn(r.series[s], i);
  }
}

void WriteFactsCsv(const QueryResult& r, std::ostream& out) {
  std::string buf;
  out << kFactsHeader << '\n';
  ForEachRow(r, [&](const SeriesInfo& info, size_t i) {
    buf.clear();
    PutCsvField(info.company, &buf);
    buf.push_back(',');
    PutCsvField(info.metric, &buf);
    buf.push_back(',');
    PutCsvField(r.periods[i].Label(info.calendar), &buf);
    buf.push_back(',');
    PutCsvField(r.values[i].ToString(), &buf);
    buf.push_back(',');
    PutCsvField(UnitText(r, i), &buf);
    buf.push_back(',');
    PutCsvField(info.scenario, &buf);
    buf.push_back(',');
    PutCsvField(AsOfText(r, i), &buf);
    buf.push_back(',');
    PutCsvField(SourceText(r, i), &buf);
    buf.push_back('\n');
    out << buf;
  });
}

void WriteFactsJsonl(const QueryResult& r, std::ostream& out) {
  ForEachRow(r, [&](const SeriesInfo& info, size_t i) {
    nlohmann::ordered_json j;
    j["company"] = info.company;
    j["metric"] = info.metric;
    j["period"] = r.periods[i].Label(info.calendar);
    j["start"] = FormatDate(r.periods[i].start());
    j["end"] = FormatDate(r.periods[i].end());
    j["instant"] = r.periods[i].is_instant();
    j["value"] = r.values[i].ToString();
    j["unit"] = UnitText(r, i);
    j["scenario"] = info.scenario;
    j["as_of"] = JsonOrNull(AsOfText(r, i));
    j["source"] = std::string(SourceText(r, i));
    WriteJsonLine(j, out);
  });
}

void WriteFactsTable(const QueryResult& r, std::ostream& out) {
  std::vector<std::vector<std::string>> rows;
  rows.reserve(r.size());
  ForEachRow(r, [&](const SeriesInfo& info, size_t i) {
    rows.push_back({info.company, info.metric, info.scenario,
                    r.periods[i].Label(info.calendar), r.values[i].ToGroupedString(),
                    UnitText(r, i), AsOfText(r, i), std::string(SourceText(r, i))});
  });
  WriteTable({"company", "metric", "scenario", "period", "value", "unit", "as_of", "source"},
             rows, {false, false, false, false, true, false, false, false}, out);
}

void WriteCompaniesCsv(std::span<const Company> companies, std::ostream& out) {
  out << kCompaniesHeader << '\n';
  std::string buf;
  for (const Company& c : companies) {
    buf.clear();
    PutCsvField(c.id, &buf);
    buf.push_back(',');
    PutCsvField(c.name, &buf);
    kpidb::StrAppend(&buf, ",", c.calendar.fiscal_year_end_month, ",",
                     FiscalYearNamingName(c.calendar.naming), ",");
    PutCsvField(c.currency, &buf);
    buf.push_back('\n');
    out << buf;
  }
}

void WriteCompaniesJsonl(std::span<const Company> companies, std::ostream& out) {
  for (const Company& c : companies) {
    nlohmann::ordered_json j;
    j["company"] = c.id;
    j["name"] = c.name;
    j["fiscal_year_end"] = c.calendar.fiscal_year_end_month;
    j["fy_naming"] = std::string(FiscalYearNamingName(c.calendar.naming));
    j["currency"] = c.currency;
    WriteJsonLine(j, out);
  }
}

void WriteCompaniesTable(std::span<const Company> companies, std::ostream& out) {
  std::vector<std::vector<std::string>> rows;
  for (const Company& c : companies) {
    rows.push_back({c.id, c.name, kpidb::StrCat(c.calendar.fiscal_year_end_month),
                    std::string(FiscalYearNamingName(c.calendar.naming)), c.currency});
  }
  WriteTable({"company", "name", "fiscal_year_end", "fy_naming", "currency"}, rows,
             {false, false, true, false, false}, out);
}

}  // namespace

void WriteGrid(const std::vector<std::string>& header,
               const std::vector<std::vector<std::string>>& rows,
               const std::vector<bool>& right_align, DumpFormat format,
               std::ostream& out) {
  switch (format) {
    case DumpFormat::kTable:
      return WriteTable(header, rows, right_align, out);
    case DumpFormat::kCsv:
      return WriteCsvGrid(header, rows, out);
    case DumpFormat::kJsonl:
      return WriteJsonlGrid(header, rows, out);
  }
}

absl::StatusOr<DumpFormat> ParseDumpFormat(std::string_view name) {
  if (name == "csv") return DumpFormat::kCsv;
  if (name == "jsonl") return DumpFormat::kJsonl;
  if (name == "table") return DumpFormat::kTable;
  return absl::InvalidArgumentError(kpidb::StrCat(
      "unknown format ", QuoteForMessage(name), ": expected csv, jsonl or table"));
}

void WriteFacts(const QueryResult& r, DumpFormat format, std::ostream& out) {
  switch (format) {
    case DumpFormat::kCsv:
      return WriteFactsCsv(r, out);
    case DumpFormat::kJsonl:
      return WriteFactsJsonl(r, out);
    case DumpFormat::kTable:
      return WriteFactsTable(r, out);
  }
}

void WriteCompanies(std::span<const Company> companies, DumpFormat format,
                    std::ostream& out) {
  switch (format) {
    case DumpFormat::kCsv:
      return WriteCompaniesCsv(companies, out);
    case DumpFormat::kJsonl:
      return WriteCompaniesJsonl(companies, out);
    case DumpFormat::kTable:
      return WriteCompaniesTable(companies, out);
  }
}

}  // namespace kpidb
