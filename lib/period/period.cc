#include "kpidb/period.h"

#include <compare>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "lib/util/days.h"
#include "lib/util/quote.h"
#include "lib/util/str_cat.h"

// Parse() runs once per ingested row, so it is a hand-written scanner that
// neither allocates nor builds a Status on success; the reasons for a
// rejection are static strings and only the error path formats a message.
//
// Accepted labels (case-insensitive; surrounding whitespace is ignored; "_"
// below stands for optional blanks, i.e. spaces or tabs):
//
//   YYYY-MM-DD               an instant
//   YYYY-MM-DD/YYYY-MM-DD    a duration (no blanks around the slash)
//   FY year [_ part]         FY2013, FY2013Q3, FY2013Q1-Q3, FY2013 1H, FY13 3Q
//   part _ FY year           3Q FY13, 1Q-3Q FY2013, 1H FY13, Q3 FY2013
//   deck-part year           3Q13, 1Q-3Q13, 1H13, 3Q2013 (no blank)
//
//   year  two digits (20yy) or four digits (0001-9999)
//   part  Qa, Qa-Qb, Hn (canonical style) or aQ, aQ-bQ, nH (deck style);
//         both ends of a range use the same style.
//
// A quarter range Qa-Qb may start at any quarter (1 <= a <= b <= 4): besides
// the year-to-date forms Q1-Qn this reads "FY2013Q2-Q3" as Q2 start .. Q3 end.
// Label() never prints such a range (it has no canonical name and comes out
// as an explicit date range), so it is accepted only for input.

namespace kpidb {
namespace {

using Year = absl::civil_year_t;

// Fiscal labels and ISO dates both stick to four-digit years.
constexpr Year kMinYear = 1;
constexpr Year kMaxYear = 9999;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsBlank(char c) { return c == ' ' || c == '\t'; }

std::string_view StripWhitespace(std::string_view s) {
  while (!s.empty() &&
         absl::ascii_isspace(static_cast<unsigned char>(s.front()))) {
    s.remove_prefix(1);
  }
  while (!s.empty() &&
         absl::ascii_isspace(static_cast<unsigned char>(s.back()))) {
    s.remove_suffix(1);
  }
  return s;
}

bool IsValid(const FiscalCalendar& calendar) {
  return calendar.fiscal_year_end_month >= 1 &&
         calendar.fiscal_year_end_month <= 12 &&
         (calendar.naming == FiscalYearNaming::kEnd ||
          calendar.naming == FiscalYearNaming::kStart);
}

// The calendar year fiscal year `fy` ends in. With a December year end the
// fiscal year starts and ends in the same year, so both namings agree.
Year EndYear(const FiscalCalendar& calendar, Year fy) {
  return calendar.naming == FiscalYearNaming::kStart &&
                 calendar.fiscal_year_end_month != 12
             ? fy + 1
             : fy;
}

// Month arithmetic on plain month numbers (year * 12 + month - 1) rather
// than absl::CivilMonth/CivilDay steps: absl normalizes every step, and
// stepping a day back across a month boundary re-counts a year of months,
// which made resolving a label five times slower than scanning it.
using MonthNumber = int64_t;

MonthNumber ToMonthNumber(Year year, int month) {
  return year * 12 + (month - 1);
}

// First and last day of a month. absl builds a CivilDay from in-range fields
// cheaply.
absl::CivilDay FirstDay(MonthNumber n) {
  const Year year = n >= 0 ? n / 12 : (n - 11) / 12;
  return absl::CivilDay(year, static_cast<int>(n - year * 12) + 1, 1);
}

absl::CivilDay LastDay(MonthNumber n) {
  const Year year = n >= 0 ? n / 12 : (n - 11) / 12;
  const int month = static_cast<int>(n - year * 12) + 1;
  return absl::CivilDay(year, month, DaysInMonth(year, month));
}

// The first month of fiscal year `fy`.
MonthNumber FirstMonth(const FiscalCalendar& calendar, Year fy) {
  return ToMonthNumber(EndYear(calendar, fy), calendar.fiscal_year_end_month) -
         11;
}

// Quarters first..last (1-4) of fiscal year `fy`.
void FiscalQuarters(const FiscalCalendar& calendar, Year fy, int first,
                    int last, absl::CivilDay* start, absl::CivilDay* end) {
  const MonthNumber month = FirstMonth(calendar, fy);
  *start = FirstDay(month + 3 * (first - 1));
  *end = LastDay(month + 3 * last - 1);
}

// Writes "YYYY-MM-DD" (10 chars) for a year in 0..9999.
void WriteDate(absl::CivilDay day, char* out) {
  const int y = static_cast<int>(day.year());
  out[0] = static_cast<char>('0' + y / 1000);
  out[1] = static_cast<char>('0' + y / 100 % 10);
  out[2] = static_cast<char>('0' + y / 10 % 10);
  out[3] = static_cast<char>('0' + y % 10);
  out[4] = '-';
  out[5] = static_cast<char>('0' + day.month() / 10);
  out[6] = static_cast<char>('0' + day.month() % 10);
  out[7] = '-';
  out[8] = static_cast<char>('0' + day.day() / 10);
  out[9] = static_cast<char>('0' + day.day() % 10);
}

bool FitsWriteDate(absl::CivilDay day) {
  return day.year() >= 0 && day.year() <= kMaxYear;
}

int DigitValue(char c) { return c - '0'; }

constexpr char kFiveDigitYear[] = "a year has four digits, 0001-9999";

// True when `text` starts with a year of five or more digits and a '-':
// "10000-01-01" says more about the range of years than about the format.
bool StartsWithLongYear(std::string_view text) {
  size_t digits = 0;
  while (digits < text.size() && IsDigit(text[digits])) ++digits;
  return digits > 4 && digits < text.size() && text[digits] == '-';
}

// Returns nullptr on success, else why `text` is not a strict ISO date.
const char* ScanDate(std::string_view text, absl::CivilDay* day) {
  if (StartsWithLongYear(text)) return kFiveDigitYear;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') {
    return "expected YYYY-MM-DD";
  }
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!IsDigit(text[i])) return "expected YYYY-MM-DD";
  }
  const int y = DigitValue(text[0]) * 1000 + DigitValue(text[1]) * 100 +
                DigitValue(text[2]) * 10 + DigitValue(text[3]);
  const int m = DigitValue(text[5]) * 10 + DigitValue(text[6]);
  const int d = DigitValue(text[8]) * 10 + DigitValue(text[9]);
  if (y < kMinYear) return "year 0000 is outside the years 0001-9999";
  // Checked here rather than by comparing with absl's normalized result,
  // which would silently turn 2013-02-30 into 2013-03-02.
  if (m < 1 || m > 12 || d < 1 || d > DaysInMonth(y, m)) {
    return "no such date";
  }
  *day = absl::CivilDay(y, m, d);
  return nullptr;
}

// Cursor over a label that compares letters case-insensitively.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  bool AtEnd() const { return pos_ == text_.size(); }
  // The next byte, upper-cased; '\0' at the end.
  char Peek() const {
    return AtEnd()
               ? '\0'
               : absl::ascii_toupper(static_cast<unsigned char>(text_[pos_]));
  }
  void Advance() { ++pos_; }
  bool Consume(char upper) {
    if (AtEnd() || Peek() != upper) return false;
    ++pos_;
    return true;
  }
  void SkipBlanks() {
    while (!AtEnd() && IsBlank(text_[pos_])) ++pos_;
  }
  // Consumes a run of digits and returns its length; *value gets the number
  // when the run is short enough not to overflow (callers reject long runs).
  int Digits(int* value) {
    const size_t begin = pos_;
    int v = 0;
    while (!AtEnd() && IsDigit(text_[pos_])) {
      if (pos_ - begin < 9) v = v * 10 + DigitValue(text_[pos_]);
      ++pos_;
    }
    *value = v;
    return static_cast<int>(pos_ - begin);
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

// Quarters first..last of fiscal year `year`: FY2013H2 is {2013, 3, 4}.
struct FiscalSpec {
  Year year = 0;
  int first = 1;
  int last = 4;
};

// One token of a part: "Q3" / "H1" (canonical) or "3Q" / "1H" (deck).
struct PartToken {
  char kind;  // 'Q' or 'H'
  int number;
  bool deck;
};

bool ScanPartToken(Scanner& s, PartToken* token) {
  const char c = s.Peek();
  if (c == 'Q' || c == 'H') {
    s.Advance();
    const char n = s.Peek();
    if (!IsDigit(n)) return false;
    s.Advance();
    *token = PartToken{c, DigitValue(n), false};
    return true;
  }
  if (IsDigit(c)) {
    s.Advance();
    const char kind = s.Peek();
    if (kind != 'Q' && kind != 'H') return false;
    s.Advance();
    *token = PartToken{kind, DigitValue(c), true};
    return true;
  }
  return false;
}

// Scans a part into spec->first/last; *deck tells whether it was deck style
// (which is what allows a bare year to follow: "3Q13").
const char* ScanPart(Scanner& s, FiscalSpec* spec, bool* deck) {
  PartToken from;
  if (!ScanPartToken(s, &from)) {
    return "expected a quarter or half such as Q3, 3Q, H1 or 1H";
  }
  *deck = from.deck;
  if (from.kind == 'H') {
    if (from.number < 1 || from.number > 2) return "half must be 1 or 2";
    spec->first = 2 * from.number - 1;
    spec->last = 2 * from.number;
    return nullptr;
  }
  if (from.number < 1 || from.number > 4) return "quarter must be 1 to 4";
  PartToken to = from;
  if (s.Consume('-')) {
    if (!ScanPartToken(s, &to) || to.kind != 'Q' || to.deck != from.deck) {
      return from.deck ? "expected a quarter such as 3Q after '-'"
                       : "expected a quarter such as Q3 after '-'";
    }
    if (to.number < 1 || to.number > 4) return "quarter must be 1 to 4";
    if (to.number < from.number) return "quarter range runs backwards";
  }
  spec->first = from.number;
  spec->last = to.number;
  return nullptr;
}

const char* ScanYear(Scanner& s, Year* year) {
  int value;
  const int digits = s.Digits(&value);
  if (digits == 0) return "missing fiscal year";
  if (digits == 2) {
    *year = 2000 + value;
    return nullptr;
  }
  if (digits != 4) return "fiscal year must have 2 or 4 digits";
  if (value < kMinYear) return "fiscal year 0000 does not exist";
  *year = value;
  return nullptr;
}

const char* ScanFiscal(std::string_view text, FiscalSpec* spec) {
  Scanner s(text);
  const char* reason = nullptr;
  if (s.Consume('F')) {
    if (!s.Consume('Y')) return "expected FY";
    if ((reason = ScanYear(s, &spec->year)) != nullptr) return reason;
    s.SkipBlanks();
    if (!s.AtEnd()) {
      bool deck;
      if ((reason = ScanPart(s, spec, &deck)) != nullptr) return reason;
    }
  } else {
    bool deck;
    if ((reason = ScanPart(s, spec, &deck)) != nullptr) return reason;
    if (!(deck && IsDigit(s.Peek()))) {
      s.SkipBlanks();
      if (!s.Consume('F') || !s.Consume('Y')) return "missing fiscal year";
    }
    if ((reason = ScanYear(s, &spec->year)) != nullptr) return reason;
  }
  if (!s.AtEnd()) return "unexpected text after the period";
  return nullptr;
}

// True when [start, end] is quarters *first..*last of fiscal year *fy, with
// *fy in the range a canonical label can name.
// The fiscal year containing month `month` of `year` (FiscalCalendar's
// FiscalYearOf without building a CivilDay).
Year FiscalYearOfMonth(const FiscalCalendar& calendar, Year year, int month) {
  const Year end_year = month <= calendar.fiscal_year_end_month ? year : year + 1;
  return calendar.naming == FiscalYearNaming::kStart && calendar.fiscal_year_end_month != 12
             ? end_year - 1
             : end_year;
}

// Takes the dates as fields: labels are printed for every derived figure
// and every dumped row, and building CivilDays cost more than the rest.
bool MatchQuarters(const FiscalCalendar& calendar, const YearMonthDay& start,
                   const YearMonthDay& end, Year* fy, int* first, int* last) {
  if (!IsValid(calendar) || start.day != 1 ||
      end.day != DaysInMonth(end.year, end.month)) {
    return false;
  }
  *fy = FiscalYearOfMonth(calendar, start.year, start.month);
  if (*fy < kMinYear || *fy > kMaxYear) return false;
  // Month offsets of the start and of the day after the end from the fiscal
  // year's first month; quarter boundaries are multiples of 3.
  const MonthNumber year_start = FirstMonth(calendar, *fy);
  const MonthNumber from = ToMonthNumber(start.year, start.month) - year_start;
  const MonthNumber to = ToMonthNumber(end.year, end.month) + 1 - year_start;
  if (from % 3 != 0 || to % 3 != 0 || to <= from || to > 12) return false;
  *first = static_cast<int>(from / 3) + 1;
  *last = static_cast<int>(to / 3);
  return true;
}

// Labels and dates are quoted escaped and cut short (QuoteForMessage): a
// malformed row may carry an arbitrarily long field, and the error only
// needs enough of it to be found.
std::string Quote(std::string_view text) { return QuoteForMessage(text, '"'); }

[[nodiscard]] absl::Status LabelError(std::string_view label, std::string_view reason) {
  return absl::InvalidArgumentError(
      kpidb::StrCat("invalid period label ", Quote(label), ": ", reason));
}

}  // namespace

absl::Status FiscalCalendar::Validate() const {
  if (fiscal_year_end_month < 1 || fiscal_year_end_month > 12) {
    return absl::InvalidArgumentError(kpidb::StrCat(
        "fiscal year end month must be 1 to 12, got ", fiscal_year_end_month));
  }
  // The naming is persisted as an int, so a corrupt or newer file can hold
  // a value this build does not know.
  if (naming != FiscalYearNaming::kEnd && naming != FiscalYearNaming::kStart) {
    return absl::InvalidArgumentError(
        kpidb::StrCat("unknown fiscal year naming ", static_cast<int>(naming)));
  }
  return absl::OkStatus();
}

absl::CivilDay FiscalCalendar::YearStart(int fy) const {
  return FirstDay(FirstMonth(*this, fy));
}

absl::CivilDay FiscalCalendar::YearEnd(int fy) const {
  return LastDay(FirstMonth(*this, fy) + 11);
}

int FiscalCalendar::FiscalYearOf(absl::CivilDay day) const {
  return static_cast<int>(FiscalYearOfMonth(*this, day.year(), day.month()));
}

absl::StatusOr<FiscalYearNaming> ParseFiscalYearNaming(std::string_view text) {
  const absl::string_view word = ToAbsl(StripWhitespace(text));
  if (absl::EqualsIgnoreCase(word, "start")) return FiscalYearNaming::kStart;
  if (absl::EqualsIgnoreCase(word, "end")) return FiscalYearNaming::kEnd;
  return absl::InvalidArgumentError(
      kpidb::StrCat("invalid fiscal year naming ", Quote(text),
                    ": expected \"start\" or \"end\""));
}

std::string_view FiscalYearNamingName(FiscalYearNaming naming) {
  switch (naming) {
    case FiscalYearNaming::kStart:
      return "start";
    case FiscalYearNaming::kEnd:
      return "end";
  }
  return "unknown";
}

absl::StatusOr<Period> Period::Duration(absl::CivilDay start,
                                        absl::CivilDay end) {
  if (end < start) {
    return absl::InvalidArgumentError(
        kpidb::StrCat("period ends (", FormatDate(end), ") before it starts (",
                      FormatDate(start), ")"));
  }
  if (start.year() < 1 || end.year() > 9999) {
    return absl::InvalidArgumentError(
        kpidb::StrCat("period ", FormatDate(start), "/", FormatDate(end),
                      " is outside the years 0001-9999"));
  }
  return Period(start, end, false);
}

absl::StatusOr<Period> Period::Parse(std::string_view label,
                                     const FiscalCalendar& calendar) {
  const std::string_view text = StripWhitespace(label);
  if (text.empty()) return LabelError(label, "empty");

  // No fiscal label starts with two digits (deck parts are one digit and a
  // letter), so this tells dates from labels without backtracking.
  if (text.size() >= 2 && IsDigit(text[0]) && IsDigit(text[1])) {
    absl::CivilDay start;
    const char* reason = nullptr;
    if (text.size() == 10) {
      if ((reason = ScanDate(text, &start)) != nullptr) {
        return LabelError(label, reason);
      }
      return Period(start, start, true);
    }
    if (text.size() != 21 || text[10] != '/') {
      const size_t slash = text.find('/');
      if (StartsWithLongYear(text) ||
          (slash != std::string_view::npos && StartsWithLongYear(text.substr(slash + 1)))) {
        return LabelError(label, kFiveDigitYear);
      }
      return LabelError(label, "expected YYYY-MM-DD or YYYY-MM-DD/YYYY-MM-DD");
    }
    absl::CivilDay end;
    if ((reason = ScanDate(text.substr(0, 10), &start)) != nullptr ||
        (reason = ScanDate(text.substr(11), &end)) != nullptr) {
      return LabelError(label, reason);
    }
    if (end < start) return LabelError(label, "range ends before it starts");
    return Period(start, end, false);
  }

  FiscalSpec spec;
  if (const char* reason = ScanFiscal(text, &spec); reason != nullptr) {
    return LabelError(label, reason);
  }
  if (!IsValid(calendar)) {
    return LabelError(label,
                      kpidb::StrCat("invalid fiscal calendar (year end month ",
                                    calendar.fiscal_year_end_month, ", naming ",
                                    static_cast<int>(calendar.naming), ")"));
  }
  absl::CivilDay start, end;
  FiscalQuarters(calendar, spec.year, spec.first, spec.last, &start, &end);
  // A fiscal year named 0001 or 9999 can spill into year 0 or 10000, whose
  // dates neither print as a label Parse() reads nor store.
  if (start.year() < kMinYear || end.year() > kMaxYear) {
    return LabelError(label, kpidb::StrCat("it runs ", FormatDate(start), " to ",
                                           FormatDate(end),
                                           ", outside the years 0001-9999"));
  }
  return Period(start, end, false);
}

Period::Period(absl::CivilDay start, absl::CivilDay end, bool instant)
    : start_(static_cast<int32_t>(ToDays(start))),
      end_(static_cast<int32_t>(ToDays(end))),
      instant_(instant) {}

int Period::whole_months() const {
  if (instant_) return 0;
  const YearMonthDay s = CivilFromDays(start_);
  const YearMonthDay e = CivilFromDays(end_);
  if (s.day != 1 || e.day != DaysInMonth(e.year, e.month)) return 0;
  return static_cast<int>((e.year * 12 + e.month) - (s.year * 12 + s.month) + 1);
}

absl::CivilDay Period::start() const { return FromDays(start_); }
absl::CivilDay Period::end() const { return FromDays(end_); }

std::string Period::Label(const FiscalCalendar& calendar) const {
  if (instant_) return FormatDate(start());
  Year fy;
  int first, last;
  if (MatchQuarters(calendar, CivilFromDays(start_), CivilFromDays(end_), &fy, &first, &last)) {
    // The shortest name: a whole year, a half, a single quarter, or the one
    // year-to-date range that has no other name. Q2-Q3 and Q2-Q4 have no
    // canonical name and fall through to the explicit range.
    const char q[] = {'Q', static_cast<char>('0' + first)};
    std::string_view suffix;
    bool named = true;
    if (first == 1 && last == 4) {
      suffix = "";
    } else if (first == 1 && last == 2) {
      suffix = "H1";
    } else if (first == 3 && last == 4) {
      suffix = "H2";
    } else if (first == last) {
      suffix = std::string_view(q, sizeof(q));
    } else if (first == 1 && last == 3) {
      suffix = "Q1-Q3";
    } else {
      named = false;
    }
    if (named) {
      char buf[16] = {'F', 'Y'};
      const int y = static_cast<int>(fy);
      buf[2] = static_cast<char>('0' + y / 1000);
      buf[3] = static_cast<char>('0' + y / 100 % 10);
      buf[4] = static_cast<char>('0' + y / 10 % 10);
      buf[5] = static_cast<char>('0' + y % 10);
      suffix.copy(buf + 6, suffix.size());
      return std::string(buf, 6 + suffix.size());
    }
  }

  const absl::CivilDay start_c = start();
  const absl::CivilDay end_c = end();
  if (FitsWriteDate(start_c) && FitsWriteDate(end_c)) {
    char buf[21];
    WriteDate(start_c, buf);
    buf[10] = '/';
    WriteDate(end_c, buf + 11);
    return std::string(buf, sizeof(buf));
  }
  return kpidb::StrCat(FormatDate(start_c), "/", FormatDate(end_c));
}

std::strong_ordering operator<=>(const Period& a, const Period& b) {
  if (a.end_ != b.end_) {
    return a.end_ < b.end_ ? std::strong_ordering::less
                           : std::strong_ordering::greater;
  }
  // Same end: the shorter first, so an instant (length 0) precedes every
  // duration and a quarter precedes the year-to-date range ending with it.
  const int64_t a_length = a.length_days();
  const int64_t b_length = b.length_days();
  if (a_length != b_length) return a_length <=> b_length;
  // Equal end and length imply an equal start and kind; these only keep the
  // order total and consistent with operator== whatever the fields hold.
  if (a.start_ != b.start_) {
    return a.start_ < b.start_ ? std::strong_ordering::less
                               : std::strong_ordering::greater;
  }
  return a.instant_ <=> b.instant_;
}

absl::StatusOr<absl::CivilDay> ParseDate(std::string_view text) {
  absl::CivilDay day;
  if (const char* reason = ScanDate(text, &day); reason != nullptr) {
    return absl::InvalidArgumentError(
        kpidb::StrCat("invalid date ", Quote(text), ": ", reason));
  }
  return day;
}

std::string FormatDate(absl::CivilDay day) {
  if (FitsWriteDate(day)) {
    char buf[10];
    WriteDate(day, buf);
    return std::string(buf, sizeof(buf));
  }
  // Outside what ParseDate reads back; printed only so that nothing is lost.
  return absl::StrFormat("%d-%02d-%02d", day.year(), day.month(), day.day());
}

}  // namespace kpidb
