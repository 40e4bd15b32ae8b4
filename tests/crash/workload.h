// The crash and stress tests' workload: a deterministic sequence of write
// batches (batch j from a seed), how a process applies one, and a model of
// the database after each batch that does not go through kpidb's storage.
//
// Shared by the test (tests/crash/*_test.cc) and its child programs
// (crash_writer.cc, crash_reader.cc), which must agree on every byte: the
// parent hands the children the Spec as text.
//
// A database state is summed up by a Fingerprint: the number of facts (all
// versions) and companies, and the sum of a 64-bit hash of each one's
// canonical text. Summing makes it independent of order, so the model can
// update it fact by fact, and two different states (a missing fact, one
// version too many, a torn write) differ in it except with probability
// about 2^-64.
#ifndef KPIDB_TESTS_CRASH_WORKLOAD_H_
#define KPIDB_TESTS_CRASH_WORKLOAD_H_

#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "kpidb/db.h"
#include "kpidb/dump.h"
#include "kpidb/fact.h"
#include "kpidb/ingest.h"
#include "kpidb/period.h"
#include "kpidb/query.h"
#include "kpidb/write_batch.h"

namespace kpidb::crash {

// --- Hashing ------------------------------------------------------------------

inline uint64_t Mix(uint64_t x) {  // splitmix64's finalizer
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

inline uint64_t Hash(std::initializer_list<uint64_t> parts) {
  uint64_t h = 0x243f6a8885a308d3ULL;
  for (uint64_t p : parts) h = Mix(h ^ Mix(p));
  return h;
}

// FNV-1a over the bytes, finalized; stable across processes and builds.
inline uint64_t HashText(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return Mix(h ^ s.size());
}

inline std::string Hex(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

// CLOCK_MONOTONIC in nanoseconds: one clock for the test and its children.
inline int64_t NowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// --- The workload -------------------------------------------------------------

struct Spec {
  uint64_t seed = 1;
  int companies = 8;
  int metrics = 30;
  int scenarios = 2;  // actual, target, forecast (at most 3)
  int years = 10;     // fiscal years 2005.. ; 9 periods each
  int touch = 3;      // a batch writes a series with probability 1/touch
  int periods = 12;   // periods written per series a batch writes
  // 0: batch j's facts are dated base + j days, so every batch adds new facts
  // and new versions and the database grows. Otherwise dated base + j % cycle:
  // later batches also replace values (WriteOptions::replace) and the
  // database's size levels off.
  int cycle = 0;
  // Batch j goes through the CSV ingest API when j % csv_every == 0 (0: never).
  int csv_every = 4;

  std::string ToString() const {
    std::ostringstream out;
    out << "seed=" << seed << ",companies=" << companies << ",metrics=" << metrics
        << ",scenarios=" << scenarios << ",years=" << years << ",touch=" << touch
        << ",periods=" << periods << ",cycle=" << cycle << ",csv_every=" << csv_every;
    return out.str();
  }

  static std::optional<Spec> Parse(std::string_view text) {
    Spec spec;
    while (!text.empty()) {
      size_t comma = text.find(',');
      std::string_view item = text.substr(0, comma);
      text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
      size_t eq = item.find('=');
      if (eq == std::string_view::npos) return std::nullopt;
      std::string key(item.substr(0, eq));
      std::string value(item.substr(eq + 1));
      char* end = nullptr;
      errno = 0;
      unsigned long long v = std::strtoull(value.c_str(), &end, 10);
      if (value.empty() || *end != '\0' || errno != 0) return std::nullopt;
      if (key == "seed") {
        spec.seed = v;
      } else {
        int* field = key == "companies"   ? &spec.companies
                     : key == "metrics"   ? &spec.metrics
                     : key == "scenarios" ? &spec.scenarios
                     : key == "years"     ? &spec.years
                     : key == "touch"     ? &spec.touch
                     : key == "periods"   ? &spec.periods
                     : key == "cycle"     ? &spec.cycle
                     : key == "csv_every" ? &spec.csv_every
                                          : nullptr;
        if (field == nullptr || v > 1'000'000) return std::nullopt;
        *field = static_cast<int>(v);
      }
    }
    if (spec.companies < 1 || spec.metrics < 1 || spec.scenarios < 1 || spec.scenarios > 3 ||
        spec.years < 1 || spec.touch < 1 || spec.periods < 1 || spec.periods > 9 * spec.years) {
      return std::nullopt;
    }
    return spec;
  }
};

struct CompanyDef {
  std::string id;
  std::string name;
  FiscalCalendar calendar;
  std::string currency;
};

struct FactDef {
  int company = 0;
  std::string metric;
  std::string scenario;
  std::string period;  // a label of the company's calendar
  std::string value;   // decimal text as a deck prints it
  std::string unit;
  absl::CivilDay as_of;
  std::string source;
};

struct Batch {
  int index = 0;
  std::vector<CompanyDef> companies;
  std::vector<FactDef> facts;
};

inline std::string CompanyId(int c) {
  return c == 1 ? "TSE:3774" : "CO" + std::to_string(c);
}

inline FiscalCalendar CalendarOfCompany(int c) {
  switch (c % 3) {
    case 0: return FiscalCalendar{3, FiscalYearNaming::kStart};
    case 1: return FiscalCalendar{12, FiscalYearNaming::kEnd};
    default: return FiscalCalendar{6, FiscalYearNaming::kEnd};
  }
}

inline CompanyDef DefineCompany(int c, int batch) {
  CompanyDef d;
  d.id = CompanyId(c);
  d.name = batch <= 1 ? "Company " + std::to_string(c)
                      : "Company " + std::to_string(c) + ", Inc. (rev. " +
                            std::to_string(batch) + ")";
  d.calendar = CalendarOfCompany(c);
  static const char* const kCurrencies[] = {"JPY", "USD", "EUR"};
  d.currency = kCurrencies[c % 3];
  return d;
}

inline std::string MetricName(int m) {
  return "kpi.g" + std::to_string(m % 4) + ".m" + std::to_string(m);
}

inline std::string ScenarioName(int s) {
  static const char* const kNames[] = {"actual", "target", "forecast"};
  return kNames[s];
}

inline absl::CivilDay BaseDay() { return absl::CivilDay(2015, 1, 1); }

inline std::string DayText(absl::CivilDay d) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02d", static_cast<int>(d.year()), d.month(),
                d.day());
  return buf;
}

// mantissa * 10^-fraction as plain text: "-12345.67", "0.005".
inline std::string DecimalText(int64_t mantissa, int fraction) {
  std::string digits = std::to_string(mantissa < 0 ? -mantissa : mantissa);
  if (fraction > 0) {
    if (static_cast<int>(digits.size()) <= fraction) {
      digits.insert(0, fraction + 1 - digits.size(), '0');
    }
    digits.insert(digits.size() - fraction, ".");
  }
  return (mantissa < 0 ? "-" : "") + digits;
}

// Period `p` (0 <= p < 9 * years) of a company: year 2005 + p / 9, and one of
// nine kinds, among them a year-to-date span and a balance-sheet instant.
inline std::string PeriodLabel(int p, const FiscalCalendar& cal) {
  const int fy = 2005 + p / 9;
  const std::string y = "FY" + std::to_string(fy);
  switch (p % 9) {
    case 0: return y + "Q1";
    case 1: return y + "Q2";
    case 2: return y + "Q3";
    case 3: return y + "Q4";
    case 4: return y + "H1";
    case 5: return y + "H2";
    case 6: return y;
    case 7: return y + "Q1-Q3";
    default: return DayText(cal.YearEnd(fy));
  }
}

inline std::string UnitText(int metric, uint64_t h) {
  switch (metric % 5) {
    case 0: {
      static const char* const k[] = {"JPY", "JPY thousand", "JPY million", "JPY billion"};
      return k[h % 4];
    }
    case 1: {
      static const char* const k[] = {"USD", "USD million", "USD billion"};
      return k[h % 3];
    }
    case 2: return "%";
    case 3: return h % 2 ? "count thousand" : "count";
    default: {
      static const char* const k[] = {"", "thousand", "million"};
      return k[h % 3];
    }
  }
}

inline int SeriesCount(const Spec& spec) {
  return spec.companies * spec.metrics * spec.scenarios;
}

// Batch j >= 1. Batch 1 defines every company; batch j > 1 renames company
// j % companies. Each series is written with probability 1/touch, at
// `periods` distinct periods, every fact dated by the batch.
inline Batch MakeBatch(const Spec& spec, int j) {
  Batch b;
  b.index = j;
  if (j == 1) {
    for (int c = 0; c < spec.companies; ++c) b.companies.push_back(DefineCompany(c, 1));
  } else {
    b.companies.push_back(DefineCompany(j % spec.companies, j));
  }
  const absl::CivilDay as_of = BaseDay() + (spec.cycle == 0 ? j : j % spec.cycle);
  const int num_periods = 9 * spec.years;
  std::vector<int> order(num_periods);
  for (int c = 0; c < spec.companies; ++c) {
    const FiscalCalendar cal = CalendarOfCompany(c);
    for (int m = 0; m < spec.metrics; ++m) {
      for (int s = 0; s < spec.scenarios; ++s) {
        const uint64_t series = Hash({spec.seed, uint64_t(j), uint64_t(c), uint64_t(m),
                                      uint64_t(s)});
        if (series % spec.touch != 0) continue;
        for (int p = 0; p < num_periods; ++p) order[p] = p;
        uint64_t r = series;
        for (int k = 0; k < spec.periods; ++k) {  // partial Fisher-Yates
          r = Mix(r);
          std::swap(order[k], order[k + static_cast<int>(r % (num_periods - k))]);
          const uint64_t h = Mix(r ^ 0x5bd1e995);
          FactDef f;
          f.company = c;
          f.metric = MetricName(m);
          f.scenario = ScenarioName(s);
          f.period = PeriodLabel(order[k], cal);
          const int64_t mantissa = static_cast<int64_t>(h % 20'000'001) - 10'000'000;
          f.value = DecimalText(mantissa, static_cast<int>((h >> 32) % 4));
          f.unit = UnitText(m, h >> 40);
          f.as_of = as_of;
          const uint64_t page = (h >> 48) % 40;
          f.source = (h >> 56) % 10 == 0 ? ""
                     : j % 7 == 0 ? "deck \"b" + std::to_string(j) + "\", p." + std::to_string(page)
                                  : "deck b" + std::to_string(j) + " p." + std::to_string(page);
          b.facts.push_back(std::move(f));
        }
      }
    }
  }
  return b;
}

// --- Applying a batch ---------------------------------------------------------

inline std::string CsvField(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + "\"";
}

inline bool UsesCsv(const Spec& spec, int j) {
  return spec.csv_every > 0 && j % spec.csv_every == 0;
}

// Writes batch `b` into `db`: through DB::Write, or through IngestInputs as
// a companies file and a facts file. Checks the summary too: every fact is
// new or a new version (or, with cycle, possibly a replacement).
[[nodiscard]] inline absl::Status ApplyBatch(DB* db, const Spec& spec, const Batch& b) {
  const bool replace = spec.cycle != 0;
  WriteSummary summary;
  if (UsesCsv(spec, b.index)) {
    std::string companies = "company,name,fiscal_year_end,fy_naming,currency\n";
    for (const CompanyDef& c : b.companies) {
      companies += CsvField(c.id) + "," + CsvField(c.name) + "," +
                   std::to_string(c.calendar.fiscal_year_end_month) + "," +
                   std::string(FiscalYearNamingName(c.calendar.naming)) + "," + c.currency + "\n";
    }
    std::string facts = "company,metric,period,value,unit,scenario,as_of,source\n";
    for (const FactDef& f : b.facts) {
      facts += CsvField(CompanyId(f.company)) + "," + f.metric + "," + f.period + "," + f.value +
               "," + f.unit + "," + f.scenario + "," + DayText(f.as_of) + "," +
               CsvField(f.source) + "\n";
    }
    std::vector<IngestInput> inputs = {{"companies.csv", std::move(companies)},
                                       {"facts.csv", std::move(facts)}};
    IngestOptions options;
    options.replace = replace;
    IngestReport report;
    absl::Status s = IngestInputs(db, inputs, options, &report);
    if (!s.ok()) {
      std::string first = report.errors.empty() ? "" : " (" + report.errors.front() + ")";
      return absl::Status(s.code(), "batch " + std::to_string(b.index) + " (csv): " +
                                        std::string(s.message()) + first);
    }
    summary = report.summary;
  } else {
    WriteBatch batch;
    batch.Reserve(b.facts.size());
    for (const CompanyDef& d : b.companies) {
      Company c;
      c.id = d.id;
      c.name = d.name;
      c.calendar = d.calendar;
      c.currency = d.currency;
      if (absl::Status s = batch.PutCompany(c); !s.ok()) return s;
    }
    uint64_t tag = 0;
    for (const FactDef& f : b.facts) {
      absl::StatusOr<Period> period = Period::Parse(f.period, CalendarOfCompany(f.company));
      absl::StatusOr<Decimal> value = Decimal::Parse(f.value);
      absl::StatusOr<Unit> unit = Unit::Parse(f.unit);
      if (!period.ok()) return period.status();
      if (!value.ok()) return value.status();
      if (!unit.ok()) return unit.status();
      absl::Status s = batch.Put(CompanyId(f.company), f.metric, f.scenario, *period, *value,
                                 *unit, f.as_of, f.source, ++tag);
      if (!s.ok()) return s;
    }
    WriteOptions options;
    options.replace = replace;
    std::vector<RecordError> errors;
    absl::StatusOr<WriteSummary> written = db->Write(options, batch, &errors, 3);
    if (!written.ok()) {
      return absl::Status(written.status().code(),
                          "batch " + std::to_string(b.index) + ": " +
                              std::string(written.status().message()));
    }
    summary = *written;
  }
  const size_t accounted =
      summary.new_facts + summary.versions_added + summary.replaced + summary.unchanged;
  if (summary.facts != b.facts.size() || accounted != b.facts.size() ||
      (!replace && (summary.replaced != 0 || summary.unchanged != 0))) {
    return absl::InternalError(
        "batch " + std::to_string(b.index) + ": summary does not add up: facts " +
        std::to_string(summary.facts) + " of " + std::to_string(b.facts.size()) + ", new " +
        std::to_string(summary.new_facts) + ", versions " +
        std::to_string(summary.versions_added) + ", replaced " +
        std::to_string(summary.replaced) + ", unchanged " + std::to_string(summary.unchanged));
  }
  return absl::OkStatus();
}

// --- States -------------------------------------------------------------------

struct Fingerprint {
  uint64_t facts = 0;
  uint64_t companies = 0;
  uint64_t hash = 0;

  friend bool operator==(const Fingerprint&, const Fingerprint&) = default;
  std::string ToString() const {
    return std::to_string(facts) + " facts, " + std::to_string(companies) + " companies, #" +
           Hex(hash);
  }
};

inline std::string RowKey(std::string_view company, std::string_view metric,
                          std::string_view scenario, std::string_view period,
                          std::string_view as_of) {
  std::string k;
  for (std::string_view part : {company, metric, scenario, period, as_of}) {
    k.append(part);
    k.push_back('\x1f');
  }
  return k;
}

inline uint64_t RowHash(std::string_view key, std::string_view value, std::string_view unit,
                        std::string_view source) {
  std::string row(key);
  for (std::string_view part : {value, unit, source}) {
    row.append(part);
    row.push_back('\x1f');
  }
  return HashText(row);
}

inline uint64_t CompanyHash(const Company& c) {
  return HashText("company\x1f" + c.id + "\x1f" + c.name + "\x1f" +
                  std::to_string(c.calendar.fiscal_year_end_month) + "\x1f" +
                  std::string(FiscalYearNamingName(c.calendar.naming)) + "\x1f" + c.currency);
}

// The fingerprint of a query result of every fact (all versions) and of
// the companies.
inline Fingerprint FingerprintOf(const QueryResult& r, const std::vector<Company>& companies) {
  Fingerprint fp;
  for (size_t s = 0; s < r.series.size(); ++s) {
    const SeriesInfo& info = r.series[s];
    for (size_t i = r.series_begin(s); i < r.series_end(s); ++i) {
      const std::string as_of = r.as_of[i].has_value() ? DayText(*r.as_of[i]) : "";
      fp.hash += RowHash(RowKey(info.company, info.metric, info.scenario,
                                r.periods[i].Label(info.calendar), as_of),
                         r.values[i].ToString(), r.unit(i).ToString(), r.source(i));
      ++fp.facts;
    }
  }
  for (const Company& c : companies) {
    fp.hash += CompanyHash(c);
    ++fp.companies;
  }
  return fp;
}

[[nodiscard]] inline absl::StatusOr<QueryResult> ReadEverything(const DB& db) {
  Query q;
  q.all_versions = true;
  return db.Execute(q);
}

// Every fact (all versions) and company of an open database.
[[nodiscard]] inline absl::StatusOr<Fingerprint> FingerprintOf(const DB& db) {
  absl::StatusOr<QueryResult> r = ReadEverything(db);
  if (!r.ok()) return r.status();
  return FingerprintOf(*r, db.Companies());
}

// The database after each batch, without kpidb's storage: a map of facts,
// updated batch by batch. Labels, values and units are put in canonical form
// with kpidb's value types (Period, Decimal, Unit), as a reader prints them.
class Model {
 public:
  explicit Model(const Spec& spec) : spec_(spec) {}

  [[nodiscard]] absl::Status Apply(const Batch& b) {
    for (const CompanyDef& d : b.companies) {
      Company c;
      c.id = d.id;
      c.name = d.name;
      c.calendar = d.calendar;
      c.currency = d.currency;
      auto [it, added] = companies_.try_emplace(c.id, 0);
      if (!added) fp_.hash -= it->second;
      it->second = CompanyHash(c);
      fp_.hash += it->second;
    }
    for (const FactDef& f : b.facts) {
      const FiscalCalendar cal = CalendarOfCompany(f.company);
      absl::StatusOr<Period> period = Period::Parse(f.period, cal);
      absl::StatusOr<Decimal> value = Decimal::Parse(f.value);
      absl::StatusOr<Unit> unit = Unit::Parse(f.unit);
      if (!period.ok()) return period.status();
      if (!value.ok()) return value.status();
      if (!unit.ok()) return unit.status();
      const std::string key = RowKey(CompanyId(f.company), f.metric, f.scenario,
                                     period->Label(cal), DayText(f.as_of));
      const uint64_t h = RowHash(key, value->ToString(), unit->ToString(), f.source);
      auto [it, added] = rows_.try_emplace(key, 0);
      if (!added) {
        if (spec_.cycle == 0) {
          return absl::InternalError("model: batch " + std::to_string(b.index) +
                                     " repeats a key without cycle");
        }
        fp_.hash -= it->second;
      }
      it->second = h;
      fp_.hash += h;
    }
    fp_.facts = rows_.size();
    fp_.companies = companies_.size();
    return absl::OkStatus();
  }

  const Fingerprint& fingerprint() const { return fp_; }

 private:
  Spec spec_;
  std::unordered_map<std::string, uint64_t> rows_;
  std::map<std::string, uint64_t> companies_;
  Fingerprint fp_;
};

// Fingerprints of states 0..n (state k: after batches 1..k).
[[nodiscard]] inline absl::StatusOr<std::vector<Fingerprint>> ModelStates(const Spec& spec,
                                                                         int n) {
  Model model(spec);
  std::vector<Fingerprint> out = {model.fingerprint()};
  for (int j = 1; j <= n; ++j) {
    if (absl::Status s = model.Apply(MakeBatch(spec, j)); !s.ok()) return s;
    out.push_back(model.fingerprint());
  }
  return out;
}

// kpidb's canonical dump: every fact with all its versions (kpidb::WriteFacts,
// CSV), then the companies, as kpidb-dump prints them.
inline std::string CanonicalDump(const QueryResult& r, const std::vector<Company>& companies) {
  std::ostringstream out;
  WriteFacts(r, DumpFormat::kCsv, out);
  WriteCompanies(companies, DumpFormat::kCsv, out);
  return out.str();
}

// A database as the tests see it, from one read: the hash of its canonical
// dump and its fingerprint.
struct Observed {
  uint64_t dump_hash = 0;
  Fingerprint fp;
};

[[nodiscard]] inline absl::StatusOr<Observed> Observe(const DB& db) {
  absl::StatusOr<QueryResult> r = ReadEverything(db);
  if (!r.ok()) return r.status();
  const std::vector<Company> companies = db.Companies();
  return Observed{HashText(CanonicalDump(*r, companies)), FingerprintOf(*r, companies)};
}

// --- Child process output -----------------------------------------------------

// One line to standard output in one write(2), so that a parent reading the
// pipe sees whole lines even when the child is killed right after.
inline void Say(const std::string& line) {
  std::string l = line + "\n";
  const char* p = l.data();
  size_t left = l.size();
  while (left > 0) {
    ssize_t n = ::write(1, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    p += n;
    left -= static_cast<size_t>(n);
  }
}

}  // namespace kpidb::crash

#endif  // KPIDB_TESTS_CRASH_WORKLOAD_H_
