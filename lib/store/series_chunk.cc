// Series chunk layout (doc/format.md, "Series chunk"):
//
//   chunk    := version:u8 (=1) row_count:varint64 column{7} checksum:fixed32
//   column   := encoding:u8 byte_length:varint64 bytes[byte_length]
//
// Rows are sorted by (span code, start, as_of), so that a run of quarters is
// contiguous: each start then follows the previous end and its gap is 0.
// Columns, each an int64 sequence encoded by lib/format:
//   0 start_gap  start - (previous row's end + 1); the first row's
//                "previous end + 1" is day 0 (1970-01-01)
//   1 span       0 instant; 2n a duration of n whole months (start on a
//                1st, end on a month's last day); 2d+1 any other duration
//                of d days
//   2 mantissa   3 exponent   4 unit id (catalog)
//   5 as_of      0 none; otherwise lag = as_of - end, stored as lag + 1
//                when lag >= 0 and as lag when negative
//   6 source id  (catalog; 0 means no source)
#include "lib/store/series_chunk.h"

#include <algorithm>
#include <tuple>
#include <utility>

#include "absl/types/span.h"
#include "lib/format/coding.h"
#include "lib/format/encoding.h"
#include "lib/util/checksum.h"
#include "lib/util/days.h"
#include "lib/util/status_macros.h"
#include "lib/util/str_cat.h"

namespace kpidb::store {
namespace {

constexpr uint8_t kChunkVersion = 1;
// Bounds that keep decoding away from overflow and huge allocations.
constexpr int64_t kMaxAbsDay = 4'000'000;  // about year 12900
constexpr int64_t kMaxMantissa = 999'999'999'999'999'999;

int64_t SpanCode(const ChunkRow& r) {
  if (r.instant) return 0;
  const YearMonthDay s = CivilFromDays(r.start);
  const YearMonthDay e = CivilFromDays(r.end);
  if (s.day == 1 && e.day == DaysInMonth(e.year, e.month)) {
    const int64_t months =
        (e.year * 12 + e.month) - (s.year * 12 + s.month) + 1;
    return 2 * months;
  }
  return 2 * (r.end - r.start + 1) + 1;
}

int64_t AsOfCode(const ChunkRow& r) {
  if (r.as_of == kNoAsOf) return 0;
  const int64_t lag = r.as_of - r.end;
  return lag >= 0 ? lag + 1 : lag;
}

[[nodiscard]] absl::Status Corrupt(std::string_view what) {
  return absl::DataLossError(kpidb::StrCat("damaged series chunk: ", what));
}

}  // namespace

std::string EncodeChunk(std::vector<ChunkRow>* rows) {
  const size_t n = rows->size();
  // Sort indexes, not rows: rows are 56 bytes, and a batch usually arrives
  // in period order, so each span group is already in start order.
  std::vector<int64_t> codes(n);
  for (size_t i = 0; i < n; ++i) codes[i] = SpanCode((*rows)[i]);
  std::vector<uint32_t> order(n);
  for (uint32_t i = 0; i < n; ++i) order[i] = i;
  auto less = [&](uint32_t x, uint32_t y) {
    const ChunkRow& a = (*rows)[x];
    const ChunkRow& b = (*rows)[y];
    // Versions without as_of (kNoAsOf, the minimum) sort first.
    return std::tie(codes[x], a.start, a.as_of) < std::tie(codes[y], b.start, b.as_of);
  };
  std::vector<int64_t> span(n);
  if (!std::is_sorted(order.begin(), order.end(), less)) {
    std::stable_sort(order.begin(), order.end(), less);
    std::vector<ChunkRow> sorted(n);
    for (size_t i = 0; i < n; ++i) sorted[i] = (*rows)[order[i]];
    rows->swap(sorted);
  }
  for (size_t i = 0; i < n; ++i) span[i] = codes[order[i]];
  std::vector<int64_t> col(n);
  std::string out;
  out.push_back(static_cast<char>(kChunkVersion));
  format::PutVarint64(&out, n);
  std::string encoded;
  auto put_column = [&](const std::vector<int64_t>& values) {
    encoded.clear();
    const format::Encoding e = format::EncodeBest(values, &encoded);
    out.push_back(static_cast<char>(e));
    format::PutVarint64(&out, encoded.size());
    out.append(encoded);
  };
  int64_t next = 0;
  for (size_t i = 0; i < n; ++i) {
    col[i] = (*rows)[i].start - next;
    next = (*rows)[i].end + 1;
  }
  put_column(col);
  put_column(span);
  for (size_t i = 0; i < n; ++i) col[i] = (*rows)[i].mantissa;
  put_column(col);
  for (size_t i = 0; i < n; ++i) col[i] = (*rows)[i].exponent;
  put_column(col);
  for (size_t i = 0; i < n; ++i) col[i] = (*rows)[i].unit_id;
  put_column(col);
  for (size_t i = 0; i < n; ++i) col[i] = AsOfCode((*rows)[i]);
  put_column(col);
  for (size_t i = 0; i < n; ++i) col[i] = (*rows)[i].source_id;
  put_column(col);
  AppendChecksum(&out);
  return out;
}

namespace {

// A chunk whose checksum, header and column framing are sound: the row
// count and each column's encoding id and bytes.
struct ChunkColumns {
  size_t rows = 0;
  uint8_t encodings[kNumChunkColumns];
  std::string_view bytes[kNumChunkColumns];
};

[[nodiscard]] absl::Status ReadChunkColumns(std::string_view chunk,
                                            ChunkColumns* columns) {
  std::string_view payload;
  if (!VerifyChecksum(chunk, &payload)) return Corrupt("checksum mismatch");
  format::ByteReader in(payload);
  uint8_t version;
  uint64_t n;
  if (!in.ReadByte(&version)) return Corrupt("truncated header");
  if (version != kChunkVersion) {
    return Corrupt(kpidb::StrCat("unknown chunk version ", version));
  }
  if (!in.ReadVarint64(&n)) return Corrupt("truncated header");
  if (n > kMaxSeriesRows) return Corrupt("row count out of range");
  if (n == 0) return Corrupt("no rows");
  columns->rows = n;
  for (int c = 0; c < kNumChunkColumns; ++c) {
    uint64_t len;
    if (!in.ReadByte(&columns->encodings[c]) || !in.ReadVarint64(&len) ||
        !in.ReadBytes(len, &columns->bytes[c])) {
      return Corrupt(kpidb::StrCat("truncated column ", c));
    }
  }
  if (!in.empty()) return Corrupt("trailing bytes");
  return absl::OkStatus();
}

// Out of line: DecodeChunkColumn is inlined seven times, its error path
// need not be.
[[nodiscard]] absl::Status CorruptColumn(int c, const absl::Status& s) {
  return Corrupt(kpidb::StrCat("column ", c, ": ", s.message()));
}

// Column `c`'s values into out[0..columns.rows-1]. Forced inline: compiled
// with -fPIC, as kpidb's modules are, GCC leaves it a call, which cost 4%
// of decoding a 50-row chunk.
[[nodiscard, gnu::always_inline]] inline absl::Status DecodeChunkColumn(
    const ChunkColumns& columns, int c, int64_t* out) {
  absl::Status s = format::DecodeColumn(columns.encodings[c], columns.bytes[c],
                                        columns.rows, out);
  if (!s.ok()) return CorruptColumn(c, s);
  return s;
}

// Two scratch columns of at least n values. Kept per thread: queries decode
// thousands of chunks.
std::pair<int64_t*, int64_t*> ScratchColumns(size_t n) {
  thread_local std::vector<int64_t> a, b;
  if (a.size() < n) {
    a.resize(n);
    b.resize(n);
  }
  return {a.data(), b.data()};
}

// Turns the gap and span columns back into dates, row by row. Each Next()
// returns nullptr, or why the row is damaged.
class PeriodDecoder {
 public:
  // Also checks the rows' order: (span code, start) never decreases. With
  // canonical span codes, equal (code, start) means the same period, whose
  // versions RebuildAsOf then checks.
  const char* Next(int64_t gap, int64_t code, ChunkRow* r) {
    if (const char* why = DecodePeriod(gap, code, r)) return why;
    if (code < prev_code_ || (code == prev_code_ && r->start < prev_start_)) {
      return "rows out of order";
    }
    repeats_ |= code == prev_code_ && r->start == prev_start_;
    prev_code_ = code;
    prev_start_ = r->start;
    return nullptr;
  }

  // Whether some period had more than one row (versions).
  bool repeats() const { return repeats_; }

 private:
  const char* DecodePeriod(int64_t gap, int64_t code, ChunkRow* r) {
    // A gap spans at most from one end of the day range to the other.
    if (gap > 2 * kMaxAbsDay + 1 || gap < -2 * kMaxAbsDay - 1) {
      return "period start out of range";
    }
    r->start = next_ + gap;
    if (r->start > kMaxAbsDay || r->start < -kMaxAbsDay) {
      return "period start out of range";
    }
    r->instant = code == 0;
    if (code == 0) {
      r->end = r->start;
      next_is_first_ = false;
    } else if (code < 0 || code == 1 || code > 4 * kMaxAbsDay) {
      return "period span out of range";
    } else if (code % 2 == 0) {
      if (const char* why = EndMonths(gap, code / 2, r)) return why;
    } else {
      r->end = r->start + (code - 1) / 2 - 1;
      next_is_first_ = false;
    }
    if (r->end > kMaxAbsDay) return "period end out of range";
    // Whole months have an even code; an odd one for them would let one
    // period appear under two codes. Odd codes are rare (weeks, odd
    // windows), so the date conversions cost little.
    if (code % 2 == 1 && CivilFromDays(r->start).day == 1 &&
        CivilFromDays(r->end + 1).day == 1) {
      return "span not in canonical form";
    }
    next_ = r->end + 1;
    return nullptr;
  }

  // Ends *r after `months` whole months.
  const char* EndMonths(int64_t gap, int64_t months, ChunkRow* r) {
    int64_t first_month;
    if (next_is_first_ && gap == 0) {
      first_month = next_month_;
    } else {
      const YearMonthDay s = CivilFromDays(r->start);
      if (s.day != 1) return "month span not starting on a 1st";
      first_month = s.year * 12 + (s.month - 1);
    }
    next_month_ = first_month + months;
    r->end = MonthStartDay(next_month_) - 1;
    next_is_first_ = true;
    return nullptr;
  }

  int64_t prev_code_ = 0;
  int64_t prev_start_ = std::numeric_limits<int64_t>::min();
  bool repeats_ = false;
  int64_t next_ = 0;  // the day after the previous row's end
  // When the previous row ended on a month's last day, next_ is the 1st of
  // month next_month_ (year * 12 + month - 1): a month span with gap 0 then
  // starts there and needs no date conversion.
  bool next_is_first_ = false;
  int64_t next_month_ = 0;
};

// Sets every row's period from the gap and span columns, and clears the
// fields of columns decoded later or not at all: `rows` is reused scratch.
// *repeats tells whether a period has several rows (versions).
[[nodiscard]] absl::Status RebuildPeriods(const int64_t* gaps,
                                          const int64_t* spans,
                                          absl::Span<ChunkRow> rows, bool* repeats) {
  PeriodDecoder periods;
  for (size_t i = 0; i < rows.size(); ++i) {
    ChunkRow& r = rows[i];
    r.unit_id = 0;
    r.as_of = kNoAsOf;
    r.source_id = 0;
    if (const char* why = periods.Next(gaps[i], spans[i], &r)) {
      return Corrupt(why);
    }
  }
  *repeats = periods.repeats();
  return absl::OkStatus();
}

[[nodiscard]] absl::Status RebuildValues(const int64_t* mantissas,
                                         const int64_t* exponents,
                                         absl::Span<ChunkRow> rows) {
  for (size_t i = 0; i < rows.size(); ++i) {
    if (mantissas[i] > kMaxMantissa || mantissas[i] < -kMaxMantissa) {
      return Corrupt("mantissa out of range");
    }
    if (exponents[i] < -40 || exponents[i] > 40) {
      return Corrupt("exponent out of range");
    }
    rows[i].mantissa = mantissas[i];
    rows[i].exponent = static_cast<int32_t>(exponents[i]);
  }
  return absl::OkStatus();
}

[[nodiscard]] absl::Status RebuildIds(const int64_t* ids,
                                      uint32_t ChunkRow::*field,
                                      absl::Span<ChunkRow> rows) {
  for (size_t i = 0; i < rows.size(); ++i) {
    if (ids[i] < 0 || ids[i] > 0xffffffffLL) return Corrupt("id out of range");
    rows[i].*field = static_cast<uint32_t>(ids[i]);
  }
  return absl::OkStatus();
}

// Inverse of AsOfCode(); needs the periods.
[[nodiscard]] absl::Status RebuildAsOf(const int64_t* codes,
                                       absl::Span<ChunkRow> rows) {
  for (size_t i = 0; i < rows.size(); ++i) {
    const int64_t v = codes[i];
    if (v > 2 * kMaxAbsDay + 1 || v < -2 * kMaxAbsDay) {
      return Corrupt("as_of out of range");
    }
    ChunkRow& r = rows[i];
    r.as_of = v == 0 ? kNoAsOf : r.end + (v > 0 ? v - 1 : v);
    if (v != 0 && (r.as_of > kMaxAbsDay || r.as_of < -kMaxAbsDay)) {
      return Corrupt("as_of out of range");
    }
    // Versions of one period: strictly increasing as_of, none first.
    if (i > 0 && rows[i - 1].SamePeriod(r) && rows[i - 1].as_of >= r.as_of) {
      return Corrupt("rows out of order");
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status DecodeChunk(std::string_view chunk, uint32_t needed,
                         std::vector<ChunkRow>* rows) {
  ChunkColumns columns;
  KPIDB_RETURN_IF_ERROR(ReadChunkColumns(chunk, &columns));
  const auto [a, b] = ScratchColumns(columns.rows);
  KPIDB_RETURN_IF_ERROR(DecodeChunkColumn(columns, kColStartGap, a));
  KPIDB_RETURN_IF_ERROR(DecodeChunkColumn(columns, kColSpan, b));
  // Only now, with two columns holding the declared row count, are the
  // rows allocated: a small damaged chunk claiming many rows fails above.
  // resize, not assign: RebuildPeriods and RebuildValues set every field
  // (rows are reused scratch, and re-initializing them showed in profiles).
  rows->resize(columns.rows);
  const absl::Span<ChunkRow> out(*rows);
  bool repeats = false;
  KPIDB_RETURN_IF_ERROR(RebuildPeriods(a, b, out, &repeats));
  KPIDB_RETURN_IF_ERROR(DecodeChunkColumn(columns, kColMantissa, a));
  KPIDB_RETURN_IF_ERROR(DecodeChunkColumn(columns, kColExponent, b));
  KPIDB_RETURN_IF_ERROR(RebuildValues(a, b, out));
  if (needed & kNeedUnits) {
    KPIDB_RETURN_IF_ERROR(DecodeChunkColumn(columns, kColUnit, a));
    KPIDB_RETURN_IF_ERROR(RebuildIds(a, &ChunkRow::unit_id, out));
  }
  // Versions are checked whenever there are any, wanted or not: a
  // repeated row or versions out of order is damage to report, not a
  // choice between rows to make.
  if ((needed & kNeedAsOf) || repeats) {
    KPIDB_RETURN_IF_ERROR(DecodeChunkColumn(columns, kColAsOf, a));
    KPIDB_RETURN_IF_ERROR(RebuildAsOf(a, out));
  }
  if (needed & kNeedSources) {
    KPIDB_RETURN_IF_ERROR(DecodeChunkColumn(columns, kColSource, a));
    KPIDB_RETURN_IF_ERROR(RebuildIds(a, &ChunkRow::source_id, out));
  }
  return absl::OkStatus();
}

}  // namespace kpidb::store
