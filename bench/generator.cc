#include "bench/generator.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <unordered_map>

#include "absl/time/civil_time.h"
#include "kpidb/decimal.h"

namespace kpidb_bench {

int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, int* m, int* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  *d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2);
}

std::string IsoDate(int64_t day) {
  int64_t y;
  int m, d;
  CivilFromDays(day, &y, &m, &d);
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02d", static_cast<int>(y), m, d);
  return buf;
}

namespace {

// splitmix64: derives independent per-company seeds from one seed.
uint64_t SplitMix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::vector<MetricInfo> Metrics() {
  using K = MetricKind;
  // name, kind, level range relative to quarterly revenue (counts: relative
  // to the company's headcount; percent: the ratio itself), noise.
  std::vector<MetricInfo> m = {
      {"revenue.total", K::kFlow, 1.0, 1.0, 0.03},
      {"revenue.segment.s1", K::kFlow, 0.25, 0.45, 0.06},
      {"revenue.segment.s2", K::kFlow, 0.10, 0.30, 0.07},
      {"revenue.segment.s3", K::kFlow, 0.05, 0.20, 0.08},
      {"revenue.segment.s4", K::kFlow, 0.03, 0.15, 0.09},
      {"revenue.segment.s5", K::kFlow, 0.02, 0.10, 0.10},
      {"revenue.segment.s6", K::kFlow, 0.01, 0.08, 0.12},
      {"revenue.segment.s7", K::kFlow, 0.005, 0.05, 0.15},
      {"revenue.segment.s8", K::kFlow, 0.001, 0.03, 0.20},
      {"revenue.region.japan", K::kFlow, 0.30, 0.90, 0.04},
      {"revenue.region.americas", K::kFlow, 0.05, 0.40, 0.06},
      {"revenue.region.europe", K::kFlow, 0.02, 0.25, 0.07},
      {"revenue.region.asia", K::kFlow, 0.02, 0.25, 0.08},
      {"cost_of_sales", K::kFlow, 0.45, 0.80, 0.04},
      {"gross_profit", K::kFlow, 0.15, 0.50, 0.08},
      {"opex.total", K::kFlow, 0.10, 0.40, 0.04},
      {"opex.sga", K::kFlow, 0.05, 0.25, 0.05},
      {"opex.rnd", K::kFlow, 0.01, 0.12, 0.06},
      {"opex.personnel", K::kFlow, 0.05, 0.20, 0.03},
      {"opex.marketing", K::kFlow, 0.01, 0.08, 0.12},
      {"opex.depreciation", K::kFlow, 0.02, 0.08, 0.02},
      {"opex.rent", K::kFlow, 0.01, 0.05, 0.01},
      {"opex.outsourcing", K::kFlow, 0.01, 0.10, 0.08},
      {"opex.other", K::kFlow, 0.005, 0.05, 0.20},
      {"operating_income", K::kFlow, 0.02, 0.15, 0.45},
      {"ordinary_income", K::kFlow, 0.02, 0.15, 0.45},
      {"pretax_income", K::kFlow, 0.02, 0.14, 0.50},
      {"net_income", K::kFlow, 0.01, 0.10, 0.60},
      {"ebitda", K::kFlow, 0.05, 0.25, 0.25},
      {"capex", K::kFlow, 0.02, 0.12, 0.30},
      {"capex.maintenance", K::kFlow, 0.01, 0.06, 0.15},
      {"capex.growth", K::kFlow, 0.005, 0.08, 0.50},
      {"capex.software", K::kFlow, 0.002, 0.03, 0.30},
      {"cash_flow.operating", K::kFlow, 0.03, 0.20, 0.50},
      {"cash_flow.investing", K::kFlow, -0.15, -0.02, 0.50},
      {"cash_flow.free", K::kFlow, 0.00, 0.10, 1.00},
      {"orders.received", K::kFlow, 0.80, 1.20, 0.15},
      {"orders.backlog", K::kStock, 0.50, 3.00, 0.08},
      {"dividends.paid", K::kFlow, 0.00, 0.04, 0.10},
      {"interest_expense", K::kFlow, 0.001, 0.02, 0.05},
      {"tax_expense", K::kFlow, 0.005, 0.05, 0.50},
      {"headcount", K::kCountStock, 1.0, 1.0, 0.01},
      {"headcount.contract", K::kCountStock, 0.05, 0.40, 0.04},
      {"customers.active", K::kCountStock, 2.0, 400.0, 0.02},
      {"customers.new", K::kCountFlow, 0.05, 20.0, 0.15},
      {"stores.count", K::kCountStock, 0.002, 0.05, 0.01},
      {"margin.gross", K::kPercent, 15.0, 60.0, 1.2},
      {"margin.operating", K::kPercent, -3.0, 25.0, 1.5},
      {"margin.net", K::kPercent, -5.0, 15.0, 2.0},
      {"roe", K::kPercent, -5.0, 25.0, 2.5},
  };
  return m;
}

// Rounds a / b (b > 0) half away from zero.
int64_t DivRound(int64_t a, int64_t b) {
  return a >= 0 ? (a + b / 2) / b : -((-a + b / 2) / b);
}

}  // namespace

Dataset Generate(const GeneratorOptions& options) {
  Dataset data;
  data.options = options;
  data.metrics = Metrics();
  const int num_metrics = static_cast<int>(data.metrics.size());
  const int years = options.fiscal_years;
  const int quarters = 4 * years;

  std::unordered_map<std::string, uint8_t> unit_index;
  auto unit_id = [&](const std::string& text) -> uint8_t {
    auto it = unit_index.find(text);
    if (it != unit_index.end()) return it->second;
    const uint8_t id = static_cast<uint8_t>(data.units.size());
    data.units.push_back(text);
    unit_index.emplace(text, id);
    return id;
  };
  // Sources: per fiscal year Q1..Q3 quarterly reports, then the annual one
  // (which carries Q4 and the year).
  for (int y = 0; y < years; ++y) {
    const int fy = options.first_fiscal_year + y;
    for (int q = 1; q <= 3; ++q) {
      data.sources.push_back("FY" + std::to_string(fy) + "Q" +
                             std::to_string(q) + " quarterly report");
    }
    data.sources.push_back("FY" + std::to_string(fy) + " annual report");
  }

  int flows = 0;
  for (const MetricInfo& m : data.metrics) {
    flows += m.kind == MetricKind::kFlow || m.kind == MetricKind::kCountFlow;
  }
  const int rows_per_year = options.cumulative ? 5 * num_metrics - flows : 5 * num_metrics;
  data.rows.reserve(static_cast<size_t>(options.companies) * rows_per_year * years);
  std::vector<int64_t> mantissas(static_cast<size_t>(num_metrics) * quarters);
  std::vector<int> exponents(num_metrics);
  std::vector<uint8_t> units(num_metrics);

  for (int ci = 0; ci < options.companies; ++ci) {
    std::mt19937_64 rng(SplitMix64(options.seed ^ SplitMix64(ci + 1)));
    std::uniform_real_distribution<double> uni(0.0, 1.0);
    std::normal_distribution<double> normal(0.0, 1.0);

    CompanyInfo c;
    char buf[64];
    if (uni(rng) < 0.15 && ci < 9000) {
      std::snprintf(buf, sizeof(buf), "TSE:%04d", 1000 + ci);
    } else {
      std::snprintf(buf, sizeof(buf), "C%05d", ci + 1);
    }
    c.id = buf;
    static const char* kSuffix[] = {" Co., Ltd.", " Holdings", " Inc.",
                                    " Corporation", " Group"};
    c.name = "Sample Company " + std::to_string(ci + 1) +
             kSuffix[rng() % std::size(kSuffix)];
    const double cal = uni(rng);
    if (cal < 0.6) {
      c.calendar = {3, kpidb::FiscalYearNaming::kStart};
      c.currency = "JPY";
    } else if (cal < 0.9) {
      c.calendar = {12, kpidb::FiscalYearNaming::kEnd};
      c.currency = uni(rng) < 0.5 ? "JPY" : "USD";
    } else {
      c.calendar = {uni(rng) < 0.5 ? 6 : 9, kpidb::FiscalYearNaming::kEnd};
      c.currency = "USD";
    }
    // Quarterly revenue in currency millions: log-normal company sizes.
    double revenue = std::exp((c.currency == "JPY" ? std::log(20000.0)
                                                   : std::log(150.0)) +
                              1.2 * normal(rng));
    const double scale_pick = uni(rng);
    if (scale_pick < 0.85) {
      c.money_unit = c.currency + " million";
      c.money_decimals = uni(rng) < 0.7 ? 0 : 1;
    } else if (scale_pick < 0.95) {
      c.money_unit = c.currency + " billion";
      c.money_decimals = uni(rng) < 0.5 ? 1 : 2;
      revenue /= 1000.0;
    } else {
      c.money_unit = c.currency + " thousand";
      c.money_decimals = 0;
      revenue *= 1000.0;
    }
    const double headcount = std::exp(std::log(2500.0) + 1.1 * normal(rng));
    const double company_growth = 0.04 + 0.05 * normal(rng);
    double season[4];
    double season_sum = 0;
    for (double& s : season) {
      s = std::max(0.5, 1.0 + 0.06 * normal(rng));
      season_sum += s;
    }
    for (double& s : season) s *= 4.0 / season_sum;

    // Quarterly mantissas of every series.
    for (int m = 0; m < num_metrics; ++m) {
      const MetricInfo& mi = data.metrics[m];
      const double share = mi.share_lo + (mi.share_hi - mi.share_lo) * uni(rng);
      const double growth = company_growth + 0.03 * normal(rng);
      int decimals = 0;
      switch (mi.kind) {
        case MetricKind::kFlow:
        case MetricKind::kStock:
          decimals = c.money_decimals;
          units[m] = unit_id(c.money_unit);
          break;
        case MetricKind::kCountFlow:
        case MetricKind::kCountStock:
          units[m] = unit_id("count");
          break;
        case MetricKind::kPercent:
          decimals = 1;
          units[m] = unit_id("%");
          break;
      }
      exponents[m] = -decimals;
      const double quantum = std::pow(10.0, decimals);
      double drift = 0;  // percent metrics: a slow random walk
      for (int t = 0; t < quarters; ++t) {
        const double trend = std::pow(1.0 + growth, t / 4.0);
        double v = 0;
        switch (mi.kind) {
          case MetricKind::kFlow:
            v = revenue * share * trend * season[t % 4] *
                (1.0 + mi.volatility * normal(rng));
            break;
          case MetricKind::kStock:
            v = revenue * share * trend * (1.0 + mi.volatility * normal(rng));
            break;
          case MetricKind::kCountFlow:
            v = std::max(0.0, headcount * share * trend * season[t % 4] *
                                  (1.0 + mi.volatility * normal(rng)));
            break;
          case MetricKind::kCountStock:
            v = std::max(0.0, headcount * share * trend *
                                  (1.0 + mi.volatility * normal(rng)));
            break;
          case MetricKind::kPercent:
            drift += 0.3 * normal(rng);
            v = share + drift + mi.volatility * normal(rng);
            break;
        }
        mantissas[static_cast<size_t>(m) * quarters + t] =
            std::llround(v * quantum);
      }
    }

    // Rows: fiscal year, metric, then Q1..Q4 and the year (cumulative
    // flows: Q1, H1, Q1-Q3 and the year).
    const uint32_t company_index = static_cast<uint32_t>(data.companies.size());
    const size_t company_first_row = data.rows.size();
    for (int y = 0; y < years; ++y) {
      const int fy = options.first_fiscal_year + y;
      const absl::CivilDay ys = c.calendar.YearStart(fy);
      const absl::CivilDay ye = c.calendar.YearEnd(fy);
      int32_t qstart[4], qend[4], qasof[4];
      for (int q = 0; q < 4; ++q) {
        const absl::CivilMonth first = absl::CivilMonth(ys) + 3 * q;
        const absl::CivilDay s(first);
        const absl::CivilDay e = absl::CivilDay(first + 3) - 1;
        qstart[q] = static_cast<int32_t>(DaysFromCivil(s.year(), s.month(), s.day()));
        qend[q] = static_cast<int32_t>(DaysFromCivil(e.year(), e.month(), e.day()));
        qasof[q] = qend[q] + 30 + static_cast<int32_t>(rng() % 31);
      }
      const int32_t ystart =
          static_cast<int32_t>(DaysFromCivil(ys.year(), ys.month(), ys.day()));
      const int32_t yend =
          static_cast<int32_t>(DaysFromCivil(ye.year(), ye.month(), ye.day()));
      if (ystart != qstart[0] || yend != qend[3]) {
        std::fprintf(stderr, "generator: calendar arithmetic mismatch\n");
        std::abort();
      }
      for (int m = 0; m < num_metrics; ++m) {
        const int64_t* series = &mantissas[static_cast<size_t>(m) * quarters + 4 * y];
        int64_t year_mantissa = 0;
        bool flow = false;
        switch (data.metrics[m].kind) {
          case MetricKind::kFlow:
          case MetricKind::kCountFlow:
            year_mantissa = series[0] + series[1] + series[2] + series[3];
            flow = true;
            break;
          case MetricKind::kStock:
          case MetricKind::kCountStock:
            year_mantissa = series[3];
            break;
          case MetricKind::kPercent:
            year_mantissa =
                DivRound(series[0] + series[1] + series[2] + series[3], 4);
            break;
        }
        // Year to date from Q1: Q1, H1, Q1-Q3, then the year.
        const bool ytd = options.cumulative && flow;
        int64_t to_date = 0;
        for (int q = 0; q <= 4; ++q) {
          if (ytd && q == 3) continue;  // Q4 alone is not reported
          FactRow r{};
          r.company = company_index;
          r.metric = static_cast<uint16_t>(m);
          r.fiscal_year = static_cast<int16_t>(fy);
          r.exponent = static_cast<int8_t>(exponents[m]);
          r.unit = units[m];
          if (q < 4) {
            r.quarter = static_cast<int8_t>(q + 1);
            r.end = qend[q];
            r.as_of = qasof[q];
            r.source = static_cast<uint16_t>(4 * y + std::min(q, 3));
            if (ytd) {
              to_date += series[q];
              r.mantissa = to_date;
              r.start = qstart[0];
              r.cumulative = q > 0;
              static const char* kToDate[] = {"Q1", "H1", "Q1-Q3"};
              std::snprintf(r.label, sizeof(r.label), "FY%d%s", fy, kToDate[q]);
            } else {
              r.mantissa = series[q];
              r.start = qstart[q];
              std::snprintf(r.label, sizeof(r.label), "FY%dQ%d", fy, q + 1);
            }
          } else {
            r.quarter = 0;
            r.mantissa = year_mantissa;
            r.start = ystart;
            r.end = yend;
            r.as_of = qasof[3];
            r.source = static_cast<uint16_t>(4 * y + 3);
            std::snprintf(r.label, sizeof(r.label), "FY%d", fy);
          }
          const std::string text =
              kpidb::Decimal::FromParts(r.mantissa, r.exponent)->ToString();
          if (text.size() >= sizeof(r.value)) std::abort();
          std::memcpy(r.value, text.c_str(), text.size() + 1);
          data.rows.push_back(r);
        }
      }
    }
    // Self-check: the labels are canonical and resolve to the generated
    // dates. Every year of the first metric (a flow: year to date in a
    // cumulative dataset) and of the last (a percentage: quarters).
    for (size_t i = company_first_row; i < data.rows.size(); ++i) {
      const FactRow& r = data.rows[i];
      if (r.metric != 0 && r.metric != num_metrics - 1) continue;
      absl::StatusOr<kpidb::Period> p = kpidb::Period::Parse(r.label, c.calendar);
      if (!p.ok() ||
          DaysFromCivil(p->start().year(), p->start().month(), p->start().day()) != r.start ||
          DaysFromCivil(p->end().year(), p->end().month(), p->end().day()) != r.end ||
          p->Label(c.calendar) != r.label) {
        std::fprintf(stderr, "generator: label %s does not resolve to %s..%s\n",
                     r.label, IsoDate(r.start).c_str(), IsoDate(r.end).c_str());
        std::abort();
      }
    }
    data.companies.push_back(std::move(c));
  }
  return data;
}

namespace {

void AppendCsvField(std::string* out, std::string_view f) {
  if (f.find_first_of(",\"\n\r") == std::string_view::npos) {
    out->append(f);
    return;
  }
  out->push_back('"');
  for (char ch : f) {
    if (ch == '"') out->push_back('"');
    out->push_back(ch);
  }
  out->push_back('"');
}

bool WriteFile(const std::string& path, const std::string& text) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) {
    std::perror(path.c_str());
    return false;
  }
  const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  if (std::fclose(f) != 0 || !ok) {
    std::perror(path.c_str());
    return false;
  }
  return true;
}

}  // namespace

bool WriteCsv(const Dataset& data, const std::string& companies_path,
              const std::string& facts_path) {
  std::string out = "company,name,fiscal_year_end,fy_naming,currency\n";
  for (const CompanyInfo& c : data.companies) {
    AppendCsvField(&out, c.id);
    out.push_back(',');
    AppendCsvField(&out, c.name);
    out.append(",");
    out.append(std::to_string(c.calendar.fiscal_year_end_month));
    out.append(",");
    out.append(kpidb::FiscalYearNamingName(c.calendar.naming));
    out.append(",");
    out.append(c.currency);
    out.push_back('\n');
  }
  if (!WriteFile(companies_path, out)) return false;

  out.clear();
  out.reserve(data.rows.size() * 80);
  out.append("company,metric,period,value,unit,scenario,as_of,source\n");
  for (const FactRow& r : data.rows) {
    AppendCsvField(&out, data.companies[r.company].id);
    out.push_back(',');
    out.append(data.metrics[r.metric].name);
    out.push_back(',');
    out.append(r.label);
    out.push_back(',');
    out.append(r.value);
    out.push_back(',');
    out.append(data.units[r.unit]);
    out.push_back(',');
    out.append(Dataset::kScenario);
    out.push_back(',');
    out.append(IsoDate(r.as_of));
    out.push_back(',');
    AppendCsvField(&out, data.sources[r.source]);
    out.push_back('\n');
  }
  return WriteFile(facts_path, out);
}

bool ParsePlainDecimal(std::string_view text, int64_t* mantissa,
                       int* exponent) {
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) {
    negative = text[i] == '-';
    ++i;
  }
  int64_t m = 0;
  int digits = 0, fraction = 0;
  bool point = false;
  for (; i < text.size(); ++i) {
    const char ch = text[i];
    if (ch == '.' && !point) {
      point = true;
    } else if (ch >= '0' && ch <= '9') {
      if (++digits > 18) return false;
      m = m * 10 + (ch - '0');
      if (point) ++fraction;
    } else {
      return false;
    }
  }
  if (digits == 0) return false;
  *mantissa = negative ? -m : m;
  *exponent = -fraction;
  return true;
}

namespace {
__int128 Pow10x(int n) {
  __int128 p = 1;
  while (n-- > 0) p *= 10;
  return p;
}
}  // namespace

void ExactSum::Add(int64_t mantissa, int exponent) {
  if (empty_) {
    mantissa_ = mantissa;
    exponent_ = exponent;
    empty_ = false;
  } else if (exponent >= exponent_) {
    mantissa_ += static_cast<__int128>(mantissa) * Pow10x(exponent - exponent_);
  } else {
    mantissa_ = mantissa_ * Pow10x(exponent_ - exponent) + mantissa;
    exponent_ = exponent;
  }
}

bool operator==(const ExactSum& a, const ExactSum& b) {
  const int e = std::min(a.exponent_, b.exponent_);
  return a.mantissa_ * Pow10x(a.exponent_ - e) ==
         b.mantissa_ * Pow10x(b.exponent_ - e);
}

std::string ExactSum::ToString() const {
  const bool negative = mantissa_ < 0;
  unsigned __int128 v = negative ? -static_cast<unsigned __int128>(mantissa_)
                                 : static_cast<unsigned __int128>(mantissa_);
  std::string digits;
  do {
    digits.push_back(static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  } while (v != 0);
  std::reverse(digits.begin(), digits.end());
  if (exponent_ > 0) {
    digits.append(static_cast<size_t>(exponent_), '0');
  } else if (exponent_ < 0) {
    const size_t frac = static_cast<size_t>(-exponent_);
    if (digits.size() <= frac) digits.insert(0, frac - digits.size() + 1, '0');
    digits.insert(digits.begin() + static_cast<std::ptrdiff_t>(digits.size() - frac), '.');
  }
  return negative ? "-" + digits : digits;
}

double ExactSum::ToDouble() const {
  return static_cast<double>(mantissa_) * std::pow(10.0, exponent_);
}

}  // namespace kpidb_bench
