#include "kpidb/fact.h"

#include "lib/util/quote.h"
#include "lib/util/str_cat.h"

namespace kpidb {
namespace {

bool IsLowerWordChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9');
}

}  // namespace

absl::Status ValidateCompanyId(std::string_view id) {
  bool ok = !id.empty() && IsAlnum(id[0]);
  for (size_t i = 1; ok && i < id.size(); ++i) {
    const char c = id[i];
    ok = IsAlnum(c) || c == '.' || c == '_' || c == ':' || c == '-';
  }
  if (ok) return absl::OkStatus();
  return absl::InvalidArgumentError(kpidb::StrCat(
      "bad company id ", QuoteForMessage(id), ": expected [A-Za-z0-9][A-Za-z0-9._:-]*"));
}

absl::Status ValidateMetric(std::string_view metric) {
  // [a-z0-9_]+(\.[a-z0-9_]+)*: no empty segment, so no leading, trailing or
  // doubled dot.
  bool ok = !metric.empty();
  bool segment_empty = true;
  for (size_t i = 0; ok && i < metric.size(); ++i) {
    const char c = metric[i];
    if (c == '.') {
      ok = !segment_empty;
      segment_empty = true;
    } else {
      ok = IsLowerWordChar(c);
      segment_empty = false;
    }
  }
  if (ok && !segment_empty) return absl::OkStatus();
  return absl::InvalidArgumentError(kpidb::StrCat(
      "bad metric ", QuoteForMessage(metric),
      ": expected lowercase dotted words such as revenue.segment.cloud"));
}

absl::Status ValidateScenario(std::string_view scenario) {
  bool ok = !scenario.empty();
  for (char c : scenario) ok = ok && IsLowerWordChar(c);
  if (ok) return absl::OkStatus();
  return absl::InvalidArgumentError(kpidb::StrCat(
      "bad scenario ", QuoteForMessage(scenario), ": expected [a-z0-9_]+ such as actual"));
}

absl::Status ValidateFact(const Fact& fact) {
  if (absl::Status s = ValidateCompanyId(fact.company); !s.ok()) return s;
  if (absl::Status s = ValidateMetric(fact.metric); !s.ok()) return s;
  return ValidateScenario(fact.scenario);
}

bool MetricMatches(std::string_view pattern, std::string_view metric) {
  // Iterative glob with single-star backtracking: linear in practice.
  size_t p = 0, m = 0;
  size_t star = std::string_view::npos, mark = 0;
  while (m < metric.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == metric[m])) {
      ++p;
      ++m;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = m;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      m = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace kpidb
