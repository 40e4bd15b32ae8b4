#include "kpidb/write_batch.h"

#include "lib/util/quote.h"
#include "lib/util/str_cat.h"
#include "lib/store/write_batch_rep.h"
#include "lib/util/days.h"

namespace kpidb {
namespace {

enum ValidatedAs : uint8_t {
  kAsCompany = 1,
  kAsMetric = 2,
  kAsScenario = 4,
};

// Day numbers of the years 0001..9999 fit an int32 with room to spare.
constexpr int64_t kMinDay = DaysFromCivil(1, 1, 1);
constexpr int64_t kMaxDay = DaysFromCivil(9999, 12, 31);

}  // namespace

uint32_t WriteBatch::Rep::Intern(std::string_view s) {
  auto it = string_ids.find(ToAbsl(s));
  if (it != string_ids.end()) return it->second;
  const uint32_t id = static_cast<uint32_t>(strings.size());
  strings.emplace_back(s);
  validated.push_back(0);
  string_ids.emplace(strings.back(), id);
  return id;
}

WriteBatch::WriteBatch() : rep_(std::make_unique<Rep>()) {}
WriteBatch::~WriteBatch() = default;
WriteBatch::WriteBatch(WriteBatch&&) noexcept = default;
WriteBatch& WriteBatch::operator=(WriteBatch&&) noexcept = default;

absl::Status WriteBatch::PutCompany(const Company& company, uint64_t tag) {
  if (absl::Status s = ValidateCompanyId(company.id); !s.ok()) return s;
  if (absl::Status s = company.calendar.Validate(); !s.ok()) return s;
  if (!company.currency.empty()) {
    absl::StatusOr<Unit> u = Unit::Parse(company.currency);
    if (!u.ok() || u->scale() != 0 || u->dimension().size() != 3) {
      return absl::InvalidArgumentError(kpidb::StrCat(
          "bad currency ", QuoteForMessage(company.currency), ": expected a code like JPY"));
    }
  }
  rep_->companies.emplace_back(company, tag);
  return absl::OkStatus();
}

absl::Status WriteBatch::PutFact(const Fact& fact, uint64_t tag) {
  return Put(fact.company, fact.metric, fact.scenario, fact.period, fact.value,
             fact.unit, fact.as_of, fact.source, tag);
}

absl::Status WriteBatch::Put(std::string_view company, std::string_view metric,
                             std::string_view scenario, const Period& period,
                             const Decimal& value, const Unit& unit,
                             std::optional<absl::CivilDay> as_of,
                             std::string_view source, uint64_t tag) {
  Rep& r = *rep_;
  if (scenario.empty()) scenario = kDefaultScenario;
  Rep::Row row;
  row.company = r.Intern(company, &r.last_company);
  if (!(r.validated[row.company] & kAsCompany)) {
    if (absl::Status s = ValidateCompanyId(company); !s.ok()) return s;
    r.validated[row.company] |= kAsCompany;
  }
  row.metric = r.Intern(metric, &r.last_metric);
  if (!(r.validated[row.metric] & kAsMetric)) {
    if (absl::Status s = ValidateMetric(metric); !s.ok()) return s;
    r.validated[row.metric] |= kAsMetric;
  }
  row.scenario = r.Intern(scenario, &r.last_scenario);
  if (!(r.validated[row.scenario] & kAsScenario)) {
    if (absl::Status s = ValidateScenario(scenario); !s.ok()) return s;
    r.validated[row.scenario] |= kAsScenario;
  }
  row.source = source.empty() ? 0 : r.Intern(source, &r.last_source);
  const int64_t start = period.start_day_number();
  const int64_t end = period.end_day_number();
  if (start < kMinDay || end > kMaxDay) {
    return absl::InvalidArgumentError("period outside the years 0001-9999");
  }
  row.start = static_cast<int32_t>(start);
  row.end = static_cast<int32_t>(end);
  row.instant = period.is_instant();
  row.as_of = Rep::kNoAsOf;
  if (as_of.has_value()) {
    const int64_t d = ToDays(*as_of);
    if (d < kMinDay || d > kMaxDay) {
      return absl::InvalidArgumentError("as_of outside the years 0001-9999");
    }
    row.as_of = static_cast<int32_t>(d);
  }
  row.mantissa = value.mantissa();
  row.exponent = static_cast<int8_t>(value.exponent());
  size_t u = 0;
  while (u < r.units.size() && !(r.units[u] == unit)) ++u;
  if (u == r.units.size()) {
    if (u > 0xffff) return absl::InvalidArgumentError("too many units");
    r.units.push_back(unit);
  }
  row.unit = static_cast<uint16_t>(u);
  row.tag = tag;
  r.rows.push_back(row);
  return absl::OkStatus();
}

void WriteBatch::Reserve(size_t facts) {
  rep_->rows.reserve(rep_->rows.size() + facts);
}

size_t WriteBatch::fact_count() const { return rep_->rows.size(); }
size_t WriteBatch::company_count() const { return rep_->companies.size(); }
void WriteBatch::Clear() { *rep_ = Rep(); }

}  // namespace kpidb
