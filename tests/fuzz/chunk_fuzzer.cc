// Fuzz target for the series chunk decoder (lib/store/series_chunk.h).
//
// The first input byte picks a mode, the rest is its data:
//   0      the data is a whole chunk, checksum included (almost always
//          refused: this keeps the checksum check itself honest);
//   1, 3   the data is a chunk without its checksum, which the target
//          appends, so that the decoder gets past it to the columns;
//   2      the data describes rows (structured mode): they are made valid,
//          encoded with EncodeChunk and decoded again.
//
// Whenever DecodeChunk returns OK, the rows must satisfy doc/format.md
// ("Series chunk"), checked here against the spec rather than the code:
//   - every column decodes to row_count values; start <= end, an instant is
//     one day; start, end and as_of are day numbers within +-4,000,000;
//   - |mantissa| < 10^18 and the exponent is within -40..40;
//   - the span column holds the code the spec gives the period: 0 for an
//     instant, 2n for n whole calendar months starting on a 1st, 2d+1 for
//     any other duration of d days;
//   - rows are sorted by (span, start, as_of), no as_of first, and no two
//     rows share (start, end, instant, as_of);
//   - EncodeChunk of the rows decodes to the same rows;
//   - decoding only some columns gives the same periods and values and
//     leaves the other columns at their defaults.
// The structured mode checks that whatever valid rows EncodeChunk is given
// come back exactly.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <fuzzer/FuzzedDataProvider.h>

#include "lib/format/coding.h"
#include "lib/format/encoding.h"
#include "lib/store/series_chunk.h"
#include "lib/util/checksum.h"
#include "lib/util/days.h"
#include "lib/util/str_cat.h"
#include "tests/fuzz/fuzz_check.h"

namespace kpidb::store {
namespace {

using fuzz::Quote;

constexpr int64_t kMaxAbsDay = 4'000'000;
constexpr int64_t kMaxMantissa = 999'999'999'999'999'999;
constexpr size_t kMaxStructuredRows = 300;
constexpr size_t kMaxRoundTripRows = 1 << 16;

auto Tie(const ChunkRow& r) {
  return std::make_tuple(r.start, r.end, r.instant, r.mantissa, r.exponent,
                         r.unit_id, r.as_of, r.source_id);
}

std::string Describe(const ChunkRow& r) {
  return kpidb::StrCat(
      "{start ", r.start, ", end ", r.end, r.instant ? ", instant" : "",
      ", value ", r.mantissa, "e", r.exponent, ", unit ", r.unit_id, ", as_of ",
      r.as_of == kNoAsOf ? std::string("none") : kpidb::StrCat(r.as_of),
      ", source ", r.source_id, "}");
}

// The span code doc/format.md gives a row's period.
int64_t SpecSpanCode(const ChunkRow& r) {
  if (r.instant) return 0;
  const YearMonthDay s = CivilFromDays(r.start);
  const YearMonthDay e = CivilFromDays(r.end);
  if (s.day == 1 && e.day == DaysInMonth(e.year, e.month)) {
    return 2 * ((e.year * 12 + e.month) - (s.year * 12 + s.month) + 1);
  }
  return 2 * (r.end - r.start + 1) + 1;
}

// The span column of a chunk that DecodeChunk accepted, read with the
// framing of doc/format.md and lib/format's codecs.
std::vector<int64_t> SpanColumn(std::string_view chunk) {
  std::string_view payload;
  KPIDB_FUZZ_CHECK(VerifyChecksum(chunk, &payload), "accepted a bad checksum");
  format::ByteReader in(payload);
  uint8_t version = 0;
  uint64_t rows = 0;
  KPIDB_FUZZ_CHECK(in.ReadByte(&version) && version == 1 && in.ReadVarint64(&rows),
                   "accepted a bad header");
  std::vector<int64_t> spans(rows);
  for (int c = 0; c < kNumChunkColumns; ++c) {
    uint8_t encoding = 0;
    uint64_t length = 0;
    std::string_view bytes;
    KPIDB_FUZZ_CHECK(in.ReadByte(&encoding) && in.ReadVarint64(&length) &&
                         in.ReadBytes(length, &bytes),
                     "accepted a truncated column ", c);
    std::vector<int64_t> values(rows);
    const absl::Status s = format::DecodeColumn(encoding, bytes, rows, values.data());
    KPIDB_FUZZ_CHECK(s.ok(), "accepted column ", c,
                     ", which does not decode to row_count = ", rows,
                     " values: ", s.message());
    if (c == kColSpan) spans = values;
  }
  KPIDB_FUZZ_CHECK(in.empty(), "accepted trailing bytes");
  return spans;
}

// The rules of doc/format.md for rows decoded from `chunk`.
void CheckFormatRules(std::string_view chunk, const std::vector<ChunkRow>& rows) {
  const std::vector<int64_t> spans = SpanColumn(chunk);
  KPIDB_FUZZ_CHECK(spans.size() == rows.size(), "row_count ", spans.size(),
                   ", decoded ", rows.size(), " rows");
  for (size_t i = 0; i < rows.size(); ++i) {
    const ChunkRow& r = rows[i];
    const std::string row = kpidb::StrCat("row ", i, " ", Describe(r));
    KPIDB_FUZZ_CHECK(r.start <= r.end && (!r.instant || r.start == r.end), row);
    KPIDB_FUZZ_CHECK(r.start >= -kMaxAbsDay && r.end <= kMaxAbsDay, row,
                     ": period outside +-4,000,000 days");
    KPIDB_FUZZ_CHECK(r.as_of == kNoAsOf || (r.as_of >= -kMaxAbsDay && r.as_of <= kMaxAbsDay),
                     row, ": as_of outside +-4,000,000 days");
    KPIDB_FUZZ_CHECK(r.mantissa >= -kMaxMantissa && r.mantissa <= kMaxMantissa, row,
                     ": |mantissa| >= 10^18");
    KPIDB_FUZZ_CHECK(r.exponent >= -40 && r.exponent <= 40, row,
                     ": exponent outside -40..40");
    KPIDB_FUZZ_CHECK(spans[i] == SpecSpanCode(r), row, ": span code ", spans[i],
                     ", the spec's code for this period is ", SpecSpanCode(r));
    if (i > 0) {
      const ChunkRow& p = rows[i - 1];
      KPIDB_FUZZ_CHECK(
          std::tie(spans[i - 1], p.start, p.as_of) <= std::tie(spans[i], r.start, r.as_of),
          row, " (span ", spans[i], ") sorts before row ", i - 1, " ",
          Describe(p), " (span ", spans[i - 1], "): rows are not in (span, start, as_of) order");
      // Sorted, and with the span a function of the period, rows with the
      // same key would be neighbours.
      KPIDB_FUZZ_CHECK(!r.SameKey(p), row, ": the same (start, end, instant, as_of) as row ",
                       i - 1);
    }
  }
}

void ExpectSameRows(const std::vector<ChunkRow>& want, const std::vector<ChunkRow>& got,
                    std::string_view what) {
  KPIDB_FUZZ_CHECK(want.size() == got.size(), what, ": ", want.size(), " rows became ",
                   got.size());
  for (size_t i = 0; i < want.size(); ++i) {
    KPIDB_FUZZ_CHECK(Tie(want[i]) == Tie(got[i]), what, ": row ", i, " ",
                     Describe(want[i]), " became ", Describe(got[i]));
  }
}

// Decoding only some columns agrees with the full decode. as_of is
// decoded anyway when a period has versions (they are checked).
void CheckPartialDecodes(std::string_view chunk, const std::vector<ChunkRow>& all) {
  bool versions = false;
  for (size_t i = 1; i < all.size(); ++i) versions |= all[i - 1].SamePeriod(all[i]);
  for (uint32_t needed : {0u, uint32_t{kNeedUnits}, uint32_t{kNeedAsOf},
                          uint32_t{kNeedSources}, uint32_t{kNeedUnits | kNeedSources}}) {
    std::vector<ChunkRow> rows(3);  // stale contents must be replaced
    rows[0].unit_id = rows[0].source_id = 7;
    rows[0].as_of = 7;
    const absl::Status s = DecodeChunk(chunk, needed, &rows);
    KPIDB_FUZZ_CHECK(s.ok(), "decodes whole but not with columns mask ", needed,
                     ": ", s.message());
    std::vector<ChunkRow> want = all;
    for (ChunkRow& r : want) {
      if (!(needed & kNeedUnits)) r.unit_id = 0;
      if (!(needed & kNeedAsOf) && !versions) r.as_of = kNoAsOf;
      if (!(needed & kNeedSources)) r.source_id = 0;
    }
    ExpectSameRows(want, rows, kpidb::StrCat("decoding with columns mask ", needed));
  }
}

// Everything that must hold of a chunk DecodeChunk accepts. A few bytes
// of run-length columns can describe millions of rows; those get the format
// rules only, as a full round trip under the sanitizers would take longer
// than libFuzzer's per-input timeout.
void CheckAccepted(std::string_view chunk, const std::vector<ChunkRow>& rows) {
  CheckFormatRules(chunk, rows);
  if (rows.size() > kMaxRoundTripRows) return;
  CheckPartialDecodes(chunk, rows);
  std::vector<ChunkRow> sorted = rows;
  const std::string again = EncodeChunk(&sorted);
  // Rows in chunk order stay in that order.
  ExpectSameRows(rows, sorted, "EncodeChunk's sort of decoded rows");
  std::vector<ChunkRow> back;
  const absl::Status s = DecodeChunk(again, kNeedAll, &back);
  KPIDB_FUZZ_CHECK(s.ok(), "re-encoded chunk ", Quote(again),
                   " is refused: ", s.message());
  ExpectSameRows(rows, back, "decode(encode(rows))");
}

void DecodeAny(std::string_view chunk) {
  std::vector<ChunkRow> rows;
  const absl::Status s = DecodeChunk(chunk, kNeedAll, &rows);
  if (!s.ok()) {
    KPIDB_FUZZ_CHECK(s.code() == absl::StatusCode::kDataLoss, s.ToString());
    return;
  }
  CheckAccepted(chunk, rows);
}

// --- Structured mode ----------------------------------------------------------

int64_t Day(FuzzedDataProvider& in, int64_t lo = -kMaxAbsDay, int64_t hi = kMaxAbsDay) {
  // Often the ends of the range, mostly dates of this era (where the month
  // table of days.h is used).
  const int pick = in.ConsumeIntegralInRange(0, 7);
  if (pick == 0) return lo;
  if (pick == 1) return hi;
  const int64_t era_lo = std::max(lo, DaysFromCivil(1890, 1, 1));
  const int64_t era_hi = std::min(hi, DaysFromCivil(2210, 1, 1));
  if (pick < 5 && era_lo <= era_hi) return in.ConsumeIntegralInRange(era_lo, era_hi);
  return in.ConsumeIntegralInRange(lo, hi);
}

// A dictionary id: mostly a small one.
uint32_t Id(FuzzedDataProvider& in) {
  return in.ConsumeBool() ? in.ConsumeIntegralInRange<uint32_t>(0, 5)
                          : in.ConsumeIntegral<uint32_t>();
}

// Rows made valid by construction: days in range, a month span on whole
// months, unique keys. Periods often follow one another (gap 0), which is
// the decoder's fast path for runs of months.
std::vector<ChunkRow> MakeRows(FuzzedDataProvider& in) {
  std::vector<ChunkRow> rows;
  std::set<std::tuple<int64_t, int64_t, bool, int64_t>> keys;
  int64_t next = 0;
  bool has_previous = false;
  while (in.remaining_bytes() > 0 && rows.size() < kMaxStructuredRows) {
    ChunkRow r;
    const int kind = in.ConsumeIntegralInRange(0, 3);
    const bool follow = in.ConsumeBool() && next <= kMaxAbsDay;
    if (kind == 3 && has_previous) {
      // Another version of the previous period.
      r.start = rows.back().start;
      r.end = rows.back().end;
      r.instant = rows.back().instant;
    } else if (kind == 0) {
      r.instant = true;
      r.start = r.end = follow ? next : Day(in);
    } else if (kind == 1 || kind == 3) {
      // n whole months.
      const YearMonthDay s = CivilFromDays(follow ? next : Day(in));
      const int64_t month = s.year * 12 + s.month - 1 + (follow && s.day == 1 ? 0 : 1);
      const int64_t months = in.ConsumeBool() ? 3 * in.ConsumeIntegralInRange(1, 4)
                                              : in.ConsumeIntegralInRange(1, 1000);
      r.start = MonthStartDay(month);
      r.end = MonthStartDay(month + months) - 1;
      if (r.start < -kMaxAbsDay || r.end > kMaxAbsDay) continue;
    } else {
      r.start = follow ? next : Day(in);
      const int64_t length = in.ConsumeBool()
                                 ? in.ConsumeIntegralInRange(1, 400)
                                 : in.ConsumeIntegralInRange<int64_t>(1, 2 * kMaxAbsDay);
      r.end = r.start + length - 1;
      if (r.end > kMaxAbsDay) continue;
    }
    r.mantissa = in.ConsumeBool() ? in.ConsumeIntegralInRange<int64_t>(-100000, 100000)
                                  : in.ConsumeIntegralInRange(-kMaxMantissa, kMaxMantissa);
    r.exponent = in.ConsumeIntegralInRange(-40, 40);
    r.unit_id = Id(in);
    r.source_id = Id(in);
    if (in.ConsumeBool()) r.as_of = Day(in, std::max(-kMaxAbsDay, r.end - 1000), kMaxAbsDay);
    if (!keys.emplace(r.start, r.end, r.instant, r.as_of).second) continue;
    rows.push_back(r);
    has_previous = true;
    next = r.end + 1;
  }
  return rows;
}

void RoundTrip(FuzzedDataProvider& in) {
  std::vector<ChunkRow> rows = MakeRows(in);
  const std::vector<ChunkRow> given = rows;
  const std::string chunk = EncodeChunk(&rows);
  // EncodeChunk sorted the rows; it must not have lost or changed any.
  std::vector<ChunkRow> a = given, b = rows;
  std::sort(a.begin(), a.end(), [](auto& x, auto& y) { return Tie(x) < Tie(y); });
  std::sort(b.begin(), b.end(), [](auto& x, auto& y) { return Tie(x) < Tie(y); });
  ExpectSameRows(a, b, "EncodeChunk's sort");
  std::vector<ChunkRow> back;
  const absl::Status s = DecodeChunk(chunk, kNeedAll, &back);
  if (given.empty()) {
    // A stored series always has a fact (doc/format.md): no rows is damage.
    KPIDB_FUZZ_CHECK(s.code() == absl::StatusCode::kDataLoss,
                     "a chunk without rows is accepted: ", s.message());
    return;
  }
  KPIDB_FUZZ_CHECK(s.ok(), "EncodeChunk of ", given.size(), " valid rows (first ",
                   given.empty() ? std::string("none") : Describe(given[0]),
                   ") is refused: ", s.message(), "; chunk ", Quote(chunk));
  ExpectSameRows(rows, back, "decode(EncodeChunk(rows))");
  CheckAccepted(chunk, back);
}

}  // namespace
}  // namespace kpidb::store

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0:
      kpidb::store::DecodeAny(rest);
      break;
    case 2: {
      FuzzedDataProvider in(data + 1, size - 1);
      kpidb::store::RoundTrip(in);
      break;
    }
    default: {
      std::string chunk(rest);
      kpidb::AppendChecksum(&chunk);
      kpidb::store::DecodeAny(chunk);
      break;
    }
  }
  return 0;
}
