// Fuzz target for kpidb::Period (include/kpidb/period.h).
//
// Input: the text of a CSV period field, parsed under several fiscal
// calendars (the calendar year, March year-ends named both ways as in Japan
// and the US, June, September and January year-ends). For every label
// Parse() accepts:
//   - the period is well formed: start <= end, an instant is one day, and
//     both ends lie in the years 0001-9999 (period.h: "Duration and Parse
//     refuse other years");
//   - Label() is canonical: Parse(Label()) gives the same period and prints
//     the same label again;
//   - dates and explicit ranges mean the same under every calendar.
// When the input has at least 9 bytes, its first 9 also build a period from
// day numbers (any duration, or whole months so that fiscal labels come
// out) whose Label() must parse back to it under every calendar.
#include <cstddef>
#include <cstdint>
#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "absl/strings/ascii.h"
#include "kpidb/period.h"
#include "lib/util/days.h"
#include "lib/util/str_cat.h"
#include "tests/fuzz/fuzz_check.h"

namespace kpidb {
namespace {

using fuzz::Quote;

constexpr FiscalCalendar kCalendars[] = {
    {12, FiscalYearNaming::kEnd},   // the calendar year
    {3, FiscalYearNaming::kStart},  // Japan: FY2013 = 2013-04..2014-03
    {3, FiscalYearNaming::kEnd},    // FY2014 = 2013-04..2014-03
    {6, FiscalYearNaming::kEnd},
    {9, FiscalYearNaming::kStart},
    {1, FiscalYearNaming::kEnd},    // US retail
};

// Days of 0001-01-01 and 9999-12-31.
constexpr int64_t kFirstDay = DaysFromCivil(1, 1, 1);
constexpr int64_t kLastDay = DaysFromCivil(9999, 12, 31);

std::string Describe(const Period& p) {
  return kpidb::StrCat(p.is_instant() ? "instant " : "duration ",
                       FormatDate(p.start()), "..", FormatDate(p.end()), " (",
                       p.start_day_number(), "..", p.end_day_number(), ")");
}

std::string Describe(const FiscalCalendar& c) {
  return kpidb::StrCat("calendar{", c.fiscal_year_end_month, ", ",
                       FiscalYearNamingName(c.naming), "}");
}

void CheckWellFormed(const Period& p, std::string_view label,
                     const FiscalCalendar& c) {
  KPIDB_FUZZ_CHECK(p.start_day_number() <= p.end_day_number(), Quote(label),
                   " under ", Describe(c), " is ", Describe(p));
  KPIDB_FUZZ_CHECK(!p.is_instant() || p.start_day_number() == p.end_day_number(),
                   Quote(label), " under ", Describe(c), " is ", Describe(p));
  KPIDB_FUZZ_CHECK(
      p.start_day_number() >= kFirstDay && p.end_day_number() <= kLastDay,
      Quote(label), " under ", Describe(c), " is ", Describe(p),
      ", outside the years 0001-9999");
  const int months = p.whole_months();
  if (months > 0) {
    KPIDB_FUZZ_CHECK(p.start().day() == 1 && (p.end() + 1).day() == 1,
                     Describe(p), " has whole_months ", months);
  }
}

// Label() of `p` parses back to `p` and is a fixed point.
void CheckLabel(const Period& p, const FiscalCalendar& c, std::string_view origin) {
  const std::string label = p.Label(c);
  absl::StatusOr<Period> back = Period::Parse(label, c);
  KPIDB_FUZZ_CHECK(back.ok(), Describe(p), " (from ", Quote(origin), ") under ",
                   Describe(c), " is labelled ", Quote(label),
                   ", which fails to parse: ", back.status().message());
  KPIDB_FUZZ_CHECK(*back == p, Describe(p), " (from ", Quote(origin), ") under ",
                   Describe(c), " is labelled ", Quote(label),
                   ", which parses to ", Describe(*back));
  const std::string again = back->Label(c);
  KPIDB_FUZZ_CHECK(again == label, Quote(label), " under ", Describe(c),
                   " is not canonical: it prints back as ", Quote(again));
}

void CheckText(std::string_view text) {
  std::optional<Period> first;
  for (const FiscalCalendar& c : kCalendars) {
    absl::StatusOr<Period> p = Period::Parse(text, c);
    if (!p.ok()) {
      KPIDB_FUZZ_CHECK(p.status().code() == absl::StatusCode::kInvalidArgument,
                       Quote(text), ": ", p.status().ToString());
      continue;
    }
    CheckWellFormed(*p, text, c);
    CheckLabel(*p, c, text);
    // A date or an explicit range (a label starting with two digits, as
    // period.cc tells them apart) names days, not fiscal periods: the
    // calendar cannot change it.
    const absl::string_view stripped = absl::StripAsciiWhitespace(ToAbsl(text));
    const bool dates = stripped.size() >= 2 && absl::ascii_isdigit(stripped[0]) &&
                       absl::ascii_isdigit(stripped[1]);
    if (dates && first.has_value()) {
      KPIDB_FUZZ_CHECK(*first == *p, Quote(text), " is ", Describe(*first),
                       " under ", Describe(kCalendars[0]), " but ",
                       Describe(*p), " under ", Describe(c));
    }
    if (&c == &kCalendars[0]) first = *p;
  }
}

// A period from 9 bytes: a start day, a length and a kind, all folded into
// the years 0001-9999.
Period PeriodFromBytes(const uint8_t* p) {
  uint32_t a, b;
  std::memcpy(&a, p, 4);
  std::memcpy(&b, p + 4, 4);
  const uint8_t kind = p[8] % 3;
  if (kind == 0) {  // an instant
    const int64_t day = kFirstDay + a % (kLastDay - kFirstDay + 1);
    return Period::FromDayNumbers(day, day, true);
  }
  if (kind == 1) {  // whole months: what fiscal labels name
    constexpr int64_t kFirstMonth = 1 * 12, kLastMonth = 9999 * 12 + 11;
    const int64_t month = kFirstMonth + a % (kLastMonth - kFirstMonth + 1);
    const int64_t months = 1 + b % std::min<int64_t>(36, kLastMonth - month + 1);
    return Period::FromDayNumbers(MonthStartDay(month),
                                  MonthStartDay(month + months) - 1, false);
  }
  // Any duration; mostly short ones.
  const int64_t start = kFirstDay + a % (kLastDay - kFirstDay + 1);
  const int64_t max_length = (b & 1) ? 400 : kLastDay - start + 1;
  const int64_t length = 1 + (b >> 1) % std::min<int64_t>(max_length, kLastDay - start + 1);
  return Period::FromDayNumbers(start, start + length - 1, false);
}

void CheckBuilt(const Period& p) {
  for (const FiscalCalendar& c : kCalendars) {
    CheckWellFormed(p, "(from day numbers)", c);
    CheckLabel(p, c, "(from day numbers)");
  }
}

}  // namespace
}  // namespace kpidb

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  kpidb::CheckText(std::string_view(reinterpret_cast<const char*>(data), size));
  if (size >= 9) kpidb::CheckBuilt(kpidb::PeriodFromBytes(data));
  return 0;
}
