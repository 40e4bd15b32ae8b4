#include "kpidb/dump.h"

#include <algorithm>
#include <string>
#include <vector>

#include "lib/util/str_cat.h"
#include "fmt/format.h"
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

// Display width of UTF-8 text: code points, not bytes.
size_t Width(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

void WriteTable(const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows,
                const std::vector<bool>& right_align, std::ostream& out) {
  std::vector<size_t> widths(header.size());
  for (size_t c = 0; c < header.size(); ++c) widths[c] = Width(header[c]);
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size(); ++c) {
      widths[c] = std::max(widths[c], Width(row[c]));
    }
  }
  auto line = [&](const std::vector<std::string>& cells) {
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
  };
  line(header);
  std::vector<std::string> rule;
  for (size_t w : widths) rule.push_back(std::string(w, '-'));
  line(rule);
  for (const auto& row : rows) line(row);
}

}  // namespace

void WriteGrid(const std::vector<std::string>& header,
               const std::vector<std::vector<std::string>>& rows,
               const std::vector<bool>& right_align, DumpFormat format,
               std::ostream& out) {
  if (format == DumpFormat::kTable) {
    WriteTable(header, rows, right_align, out);
    return;
  }
  if (format == DumpFormat::kCsv) {
    std::string buf;
    for (size_t c = 0; c < header.size(); ++c) {
      if (c > 0) buf.push_back(',');
      PutCsvField(header[c], &buf);
    }
    out << buf << '\n';
    for (const auto& row : rows) {
      buf.clear();
      for (size_t c = 0; c < row.size(); ++c) {
        if (c > 0) buf.push_back(',');
        PutCsvField(row[c], &buf);
      }
      out << buf << '\n';
    }
    return;
  }
  for (const auto& row : rows) {
    nlohmann::ordered_json j;
    for (size_t c = 0; c < header.size() && c < row.size(); ++c) {
      j[header[c]] = row[c].empty() ? nlohmann::ordered_json(nullptr)
                                    : nlohmann::ordered_json(row[c]);
    }
    out << j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace)
        << '\n';
  }
}

absl::StatusOr<DumpFormat> ParseDumpFormat(std::string_view name) {
  if (name == "csv") return DumpFormat::kCsv;
  if (name == "jsonl") return DumpFormat::kJsonl;
  if (name == "table") return DumpFormat::kTable;
  return absl::InvalidArgumentError(kpidb::StrCat(
      "unknown format '", name, "': expected csv, jsonl or table"));
}

void WriteFacts(const QueryResult& r, DumpFormat format, std::ostream& out) {
  auto as_of_text = [&](size_t i) {
    return i < r.as_of.size() && r.as_of[i].has_value() ? FormatDate(*r.as_of[i])
                                                        : std::string();
  };
  auto source_text = [&](size_t i) {
    return i < r.source_ids.size() ? r.source(i) : std::string_view();
  };
  auto unit_text = [&](size_t i) {
    return i < r.unit_ids.size() ? r.unit(i).ToString() : std::string();
  };
  if (format == DumpFormat::kCsv) {
    std::string buf;
    out << kFactsHeader << '\n';
    for (size_t s = 0; s < r.series.size(); ++s) {
      const SeriesInfo& info = r.series[s];
      for (size_t i = r.series_begin(s); i < r.series_end(s); ++i) {
        buf.clear();
        PutCsvField(info.company, &buf);
        buf.push_back(',');
        PutCsvField(info.metric, &buf);
        buf.push_back(',');
        PutCsvField(r.periods[i].Label(info.calendar), &buf);
        buf.push_back(',');
        PutCsvField(r.values[i].ToString(), &buf);
        buf.push_back(',');
        PutCsvField(unit_text(i), &buf);
        buf.push_back(',');
        PutCsvField(info.scenario, &buf);
        buf.push_back(',');
        PutCsvField(as_of_text(i), &buf);
        buf.push_back(',');
        PutCsvField(source_text(i), &buf);
        buf.push_back('\n');
        out << buf;
      }
    }
    return;
  }
  if (format == DumpFormat::kJsonl) {
    for (size_t s = 0; s < r.series.size(); ++s) {
      const SeriesInfo& info = r.series[s];
      for (size_t i = r.series_begin(s); i < r.series_end(s); ++i) {
        nlohmann::ordered_json j;
        j["company"] = info.company;
        j["metric"] = info.metric;
        j["period"] = r.periods[i].Label(info.calendar);
        j["start"] = FormatDate(r.periods[i].start());
        j["end"] = FormatDate(r.periods[i].end());
        j["instant"] = r.periods[i].is_instant();
        j["value"] = r.values[i].ToString();
        j["unit"] = unit_text(i);
        j["scenario"] = info.scenario;
        const std::string a = as_of_text(i);
        j["as_of"] = a.empty() ? nlohmann::ordered_json(nullptr)
                               : nlohmann::ordered_json(a);
        j["source"] = std::string(source_text(i));
        out << j.dump(-1, ' ', false,
                      nlohmann::ordered_json::error_handler_t::replace)
            << '\n';
      }
    }
    return;
  }
  std::vector<std::vector<std::string>> rows;
  rows.reserve(r.size());
  for (size_t s = 0; s < r.series.size(); ++s) {
    const SeriesInfo& info = r.series[s];
    for (size_t i = r.series_begin(s); i < r.series_end(s); ++i) {
      rows.push_back({info.company, info.metric, info.scenario,
                      r.periods[i].Label(info.calendar),
                      r.values[i].ToGroupedString(), unit_text(i), as_of_text(i),
                      std::string(source_text(i))});
    }
  }
  WriteTable({"company", "metric", "scenario", "period", "value", "unit",
              "as_of", "source"},
             rows, {false, false, false, false, true, false, false, false}, out);
}

void WriteCompanies(std::span<const Company> companies, DumpFormat format,
                    std::ostream& out) {
  if (format == DumpFormat::kCsv) {
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
    return;
  }
  if (format == DumpFormat::kJsonl) {
    for (const Company& c : companies) {
      nlohmann::ordered_json j;
      j["company"] = c.id;
      j["name"] = c.name;
      j["fiscal_year_end"] = c.calendar.fiscal_year_end_month;
      j["fy_naming"] = std::string(FiscalYearNamingName(c.calendar.naming));
      j["currency"] = c.currency;
      out << j.dump(-1, ' ', false,
                    nlohmann::ordered_json::error_handler_t::replace)
          << '\n';
    }
    return;
  }
  std::vector<std::vector<std::string>> rows;
  for (const Company& c : companies) {
    rows.push_back({c.id, c.name, kpidb::StrCat(c.calendar.fiscal_year_end_month),
                    std::string(FiscalYearNamingName(c.calendar.naming)),
                    c.currency});
  }
  WriteTable({"company", "name", "fiscal_year_end", "fy_naming", "currency"},
             rows, {false, false, true, false, false}, out);
}

}  // namespace kpidb
