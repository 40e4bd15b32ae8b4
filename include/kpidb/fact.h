// File: kpidb/fact.h
// -----------------------------------------------------------------------------
//
// A Fact is one published figure: (company, metric, period, scenario, as_of)
// -> value, unit, source. A Company carries the fiscal calendar its period
// labels resolve through.
//
//   kpidb::Fact f;
//   f.company = "IIJ";
//   f.metric = "revenue.total";
//   f.period = *kpidb::Period::Parse("FY2013", iij_calendar);
//   f.scenario = "target";
//   f.value = *kpidb::Decimal::Parse("114.0");
//   f.unit = *kpidb::Unit::Parse("JPY billion");
//   f.as_of = absl::CivilDay(2014, 2, 7);
//
// Identifiers:
//   company   [A-Za-z0-9][A-Za-z0-9._:-]*   ("IIJ", "TSE:3774")
//   metric    [a-z0-9_]+(\.[a-z0-9_]+)*     ("revenue.segment.network_services")
//   scenario  [a-z0-9_]+                    ("actual", "target", "forecast")
//
// Thread-safety: plain structs; no internal synchronization.
#ifndef KPIDB_INCLUDE_KPIDB_FACT_H_
#define KPIDB_INCLUDE_KPIDB_FACT_H_

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "kpidb/decimal.h"
#include "kpidb/period.h"
#include "kpidb/unit.h"

namespace kpidb {

inline constexpr std::string_view kDefaultScenario = "actual";

struct Fact {
  std::string company;
  std::string metric;
  Period period;
  std::string scenario = std::string(kDefaultScenario);
  Decimal value;
  Unit unit;
  // The date the figure became known (publication date). Unset means known
  // since always: older than any dated version.
  std::optional<absl::CivilDay> as_of;
  // Free text naming where the figure comes from (document, page).
  std::string source;
};

struct Company {
  std::string id;
  std::string name;
  FiscalCalendar calendar;
  // Reporting currency code such as "JPY"; may be empty.
  std::string currency;

  friend bool operator==(const Company&, const Company&) = default;
};

// InvalidArgument naming the field unless the identifier matches its pattern.
[[nodiscard]] absl::Status ValidateCompanyId(std::string_view id);
[[nodiscard]] absl::Status ValidateMetric(std::string_view metric);
[[nodiscard]] absl::Status ValidateScenario(std::string_view scenario);
// Checks every identifier of `fact`, and that its currency code (if any) is
// well formed.
[[nodiscard]] absl::Status ValidateFact(const Fact& fact);

// True when `metric` matches `pattern`: an exact name, or a glob where `*`
// matches any run of characters (including dots) and `?` one character:
// "revenue.segment.*", "*.ratio", "capex".
bool MetricMatches(std::string_view pattern, std::string_view metric);

}  // namespace kpidb

#endif  // KPIDB_INCLUDE_KPIDB_FACT_H_
