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

#include "lib/util/str_cat.h"
#include "lib/format/coding.h"
#include "lib/format/encoding.h"
#include "lib/util/checksum.h"
#include "lib/util/days.h"

namespace kpidb::store {
namespace {

constexpr uint8_t kChunkVersion = 1;
// Bounds that keep decoding away from overflow and huge allocations.
constexpr uint64_t kMaxChunkRows = 1u << 24;
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

absl::Status DecodeChunk(std::string_view chunk, uint32_t needed,
                         std::vector<ChunkRow>* rows) {
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
  if (n > kMaxChunkRows) return Corrupt("row count out of range");
  std::string_view columns[kNumChunkColumns];
  uint8_t encodings[kNumChunkColumns];
  for (int c = 0; c < kNumChunkColumns; ++c) {
    uint64_t len;
    if (!in.ReadByte(&encodings[c]) || !in.ReadVarint64(&len) ||
        !in.ReadBytes(len, &columns[c])) {
      return Corrupt(kpidb::StrCat("truncated column ", c));
    }
  }
  if (!in.empty()) return Corrupt("trailing bytes");

  // resize, not assign: the loops below set every field (scratch vectors
  // are reused, and re-initializing them showed in profiles).
  rows->resize(n);
  // Scratch columns, kept per thread: queries decode thousands of chunks.
  thread_local std::vector<int64_t> a, b;
  if (a.size() < n) {
    a.resize(n);
    b.resize(n);
  }
  auto decode = [&](int c, std::vector<int64_t>* out) -> absl::Status {
    absl::Status s = format::DecodeColumn(encodings[c], columns[c], n,
                                          out->data());
    if (!s.ok()) {
      return Corrupt(kpidb::StrCat("column ", c, ": ", s.message()));
    }
    return absl::OkStatus();
  };
  // Periods.
  if (absl::Status s = decode(kColStartGap, &a); !s.ok()) return s;
  if (absl::Status s = decode(kColSpan, &b); !s.ok()) return s;
  int64_t next = 0;
  // The month index (year * 12 + month - 1) after the previous row's end,
  // when that row ended on a month's last day: a start with gap 0 is then
  // that month's 1st, and needs no date conversion.
  bool next_is_first = false;
  int64_t next_month = 0;
  for (size_t i = 0; i < n; ++i) {
    ChunkRow& r = (*rows)[i];
    r.instant = false;
    r.unit_id = 0;
    r.as_of = kNoAsOf;
    r.source_id = 0;
    if (a[i] > 2 * kMaxAbsDay || a[i] < -2 * kMaxAbsDay) {
      return Corrupt("period start out of range");
    }
    r.start = next + a[i];
    if (r.start > kMaxAbsDay || r.start < -kMaxAbsDay) {
      return Corrupt("period start out of range");
    }
    const int64_t code = b[i];
    if (code == 0) {
      r.instant = true;
      r.end = r.start;
      next_is_first = false;
    } else if (code < 0 || code == 1 || code > 4 * kMaxAbsDay) {
      return Corrupt("period span out of range");
    } else if (code % 2 == 0) {
      int64_t first_month;
      if (next_is_first && a[i] == 0) {
        first_month = next_month;
      } else {
        const YearMonthDay s = CivilFromDays(r.start);
        if (s.day != 1) return Corrupt("month span not starting on a 1st");
        first_month = s.year * 12 + (s.month - 1);
      }
      next_month = first_month + code / 2;
      r.end = MonthStartDay(next_month) - 1;
      next_is_first = true;
    } else {
      r.end = r.start + (code - 1) / 2 - 1;
      next_is_first = false;
    }
    if (r.end > kMaxAbsDay) return Corrupt("period end out of range");
    next = r.end + 1;
  }
  // Values.
  if (absl::Status s = decode(kColMantissa, &a); !s.ok()) return s;
  if (absl::Status s = decode(kColExponent, &b); !s.ok()) return s;
  for (size_t i = 0; i < n; ++i) {
    if (a[i] > kMaxMantissa || a[i] < -kMaxMantissa) {
      return Corrupt("mantissa out of range");
    }
    if (b[i] < -40 || b[i] > 40) return Corrupt("exponent out of range");
    (*rows)[i].mantissa = a[i];
    (*rows)[i].exponent = static_cast<int32_t>(b[i]);
  }
  auto decode_id = [&](int c, uint32_t ChunkRow::*field) -> absl::Status {
    if (absl::Status s = decode(c, &a); !s.ok()) return s;
    for (size_t i = 0; i < n; ++i) {
      if (a[i] < 0 || a[i] > 0xffffffffLL) return Corrupt("id out of range");
      (*rows)[i].*field = static_cast<uint32_t>(a[i]);
    }
    return absl::OkStatus();
  };
  if (needed & kNeedUnits) {
    if (absl::Status s = decode_id(kColUnit, &ChunkRow::unit_id); !s.ok()) {
      return s;
    }
  }
  if (needed & kNeedAsOf) {
    if (absl::Status s = decode(kColAsOf, &a); !s.ok()) return s;
    for (size_t i = 0; i < n; ++i) {
      const int64_t v = a[i];
      if (v > 2 * kMaxAbsDay || v < -2 * kMaxAbsDay) {
        return Corrupt("as_of out of range");
      }
      ChunkRow& r = (*rows)[i];
      r.as_of = v == 0 ? kNoAsOf : r.end + (v > 0 ? v - 1 : v);
    }
  }
  if (needed & kNeedSources) {
    if (absl::Status s = decode_id(kColSource, &ChunkRow::source_id);
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

}  // namespace kpidb::store
