// File: kpidb/period.h
// -----------------------------------------------------------------------------
//
// Periods and fiscal calendars.
//
// A Period is stored as absolute dates: either a duration [start, end]
// (inclusive, at least one day) or an instant (a single date, such as a
// balance-sheet date). Labels such as "FY2013Q3" are only a way to name dates,
// and they resolve through a company's FiscalCalendar:
//
//   kpidb::FiscalCalendar iij{/*fiscal_year_end_month=*/3,
//                             kpidb::FiscalYearNaming::kStart};
//   auto q3 = kpidb::Period::Parse("3Q13", iij);
//   // q3->start() == 2013-10-01, q3->end() == 2013-12-31
//   // q3->Label(iij) == "FY2013Q3"
//
// Canonical labels (what Label() prints and Parse() reads):
//   FY2013             the fiscal year
//   FY2013H1, FY2013H2 halves
//   FY2013Q1..FY2013Q4 quarters
//   FY2013Q1-Q3        cumulative year to date (Q1-Q2 is H1, Q1-Q4 is FY2013,
//                      Q1-Q1 is Q1: Label() prints the shortest name)
//   2013-12-31         an instant
//   2013-04-01/2013-12-31  an explicit duration that matches no label
// Parse() also reads the forms found in investor decks, case-insensitively:
//   "3Q13", "3Q FY13", "1Q-3Q FY13", "1Q-3Q FY2013", "FY13", "1H FY13",
//   "2H FY2013", "FY2013 1H", "1H13". Two-digit years mean 20xx.
//
// Fiscal years (FiscalCalendar): a fiscal year ends on the last day of
// `fiscal_year_end_month`. Naming kStart names it by the calendar year it
// starts in (IIJ: FY2013 = 2013-04-01..2014-03-31); kEnd names it by the year
// it ends in (US style: FY2013 of a January year-end runs 2012-02-01 to
// 2013-01-31). The calendar year is month 12 with either naming.
//
// Thread-safety: value types; const methods are safe from many threads.
#ifndef KPIDB_INCLUDE_KPIDB_PERIOD_H_
#define KPIDB_INCLUDE_KPIDB_PERIOD_H_

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"

namespace kpidb {

// How fiscal years are named. Persisted: never change these values.
enum class FiscalYearNaming : int {
  kEnd = 0,    // by the calendar year the fiscal year ends in (US style)
  kStart = 1,  // by the calendar year the fiscal year starts in (Japan style)
};

struct FiscalCalendar {
  // Month (1-12) whose last day ends the fiscal year.
  int fiscal_year_end_month = 12;
  FiscalYearNaming naming = FiscalYearNaming::kEnd;

  // The calendar year: January to December, named by that year.
  static FiscalCalendar CalendarYear() { return FiscalCalendar{}; }

  // InvalidArgument unless 1 <= fiscal_year_end_month <= 12.
  [[nodiscard]] absl::Status Validate() const;

  // First and last day of fiscal year `fy`.
  absl::CivilDay YearStart(int fy) const;
  absl::CivilDay YearEnd(int fy) const;

  // The fiscal year that contains `day`.
  int FiscalYearOf(absl::CivilDay day) const;

  friend bool operator==(const FiscalCalendar&, const FiscalCalendar&) = default;
};

// Parses "start" / "end" (the companies file's fy_naming column).
[[nodiscard]] absl::StatusOr<FiscalYearNaming> ParseFiscalYearNaming(std::string_view text);
std::string_view FiscalYearNamingName(FiscalYearNaming naming);

class Period {
 public:
  // The instant 1970-01-01.
  Period() = default;

  // Periods cover the years 0001-9999 (REQUIRES for Instant; Duration and
  // Parse refuse other years).
  static Period Instant(absl::CivilDay day) { return Period(day, day, true); }
  // InvalidArgument if end < start.
  [[nodiscard]] static absl::StatusOr<Period> Duration(absl::CivilDay start, absl::CivilDay end);

  // Builds a period from day numbers (days since 1970-01-01), the form
  // chunks store: cheaper than going through absl::CivilDay.
  // REQUIRES: start <= end, and start == end for an instant; both within
  // the years 0001-9999.
  static Period FromDayNumbers(int64_t start, int64_t end, bool instant) {
    return Period(static_cast<int32_t>(start), static_cast<int32_t>(end),
                  instant);
  }

  // Parses a canonical label, a deck form, an ISO date (instant) or an
  // explicit "START/END" range, resolving fiscal labels through `calendar`.
  // InvalidArgument quoting the label when it is not a period (for example
  // "FY2013Q5" or "2013-02-30"), or when any of its dates falls outside the
  // years 0001-9999: IIJ's FY9999 would end on 10000-03-31, FY0001 of a
  // January year end (naming kEnd) start on 0000-02-01. So every period
  // Parse() returns prints, under any calendar, as a label that Parse()
  // reads back as the same period.
  [[nodiscard]] static absl::StatusOr<Period> Parse(std::string_view label,
                                                    const FiscalCalendar& calendar);

  bool is_instant() const { return instant_; }
  absl::CivilDay start() const;
  // Same as start() for an instant.
  absl::CivilDay end() const;
  // start() and end() as day numbers (days since 1970-01-01).
  int64_t start_day_number() const { return start_; }
  int64_t end_day_number() const { return end_; }
  // Number of days covered; 0 for an instant.
  int length_days() const { return instant_ ? 0 : end_ - start_ + 1; }
  // Number of whole calendar months covered by a duration that starts on a
  // 1st and ends on a month's last day (3 for a quarter); 0 otherwise.
  int whole_months() const;

  // The canonical label under `calendar`; an explicit range when no fiscal
  // label matches the dates, the ISO date for an instant.
  std::string Label(const FiscalCalendar& calendar) const;

  // True when this period lies inside [from, to] (both inclusive days).
  bool Within(absl::CivilDay from, absl::CivilDay to) const {
    return start() >= from && end() <= to;
  }

  friend bool operator==(const Period&, const Period&) = default;
  // Output order: by end date, then shorter period first (an instant before
  // any duration ending the same day).
  friend std::strong_ordering operator<=>(const Period& a, const Period& b);

 private:
  Period(absl::CivilDay start, absl::CivilDay end, bool instant);
  Period(int32_t start, int32_t end, bool instant)
      : start_(start), end_(end), instant_(instant) {}

  // Day numbers: compact, and cheap to compare and sort.
  int32_t start_ = 0;
  int32_t end_ = 0;
  bool instant_ = true;
};

// Parses a strict ISO date "YYYY-MM-DD" (InvalidArgument otherwise, also for
// dates that do not exist such as 2013-02-30, and for the year 0000).
[[nodiscard]] absl::StatusOr<absl::CivilDay> ParseDate(std::string_view text);
// "YYYY-MM-DD".
std::string FormatDate(absl::CivilDay day);

}  // namespace kpidb

#endif  // KPIDB_INCLUDE_KPIDB_PERIOD_H_
