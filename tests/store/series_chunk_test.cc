#include "lib/store/series_chunk.h"

#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/format/coding.h"
#include "lib/util/checksum.h"
#include "lib/util/days.h"
#include "tests/testutil.h"

namespace kpidb::store {
namespace {

using ::kpidb::testing::IsOk;
using ::kpidb::testing::StatusIs;

int64_t Day(int y, int m, int d) { return DaysFromCivil(y, m, d); }

ChunkRow Row(int64_t start, int64_t end, bool instant, int64_t mantissa,
             int32_t exponent, uint32_t unit, int64_t as_of, uint32_t source) {
  ChunkRow r;
  r.start = start;
  r.end = end;
  r.instant = instant;
  r.mantissa = mantissa;
  r.exponent = exponent;
  r.unit_id = unit;
  r.as_of = as_of;
  r.source_id = source;
  return r;
}

auto Tie(const ChunkRow& r) {
  return std::make_tuple(r.start, r.end, r.instant, r.mantissa, r.exponent,
                         r.unit_id, r.as_of, r.source_id);
}

void ExpectSameRows(std::vector<ChunkRow> a, std::vector<ChunkRow> b) {
  auto less = [](const ChunkRow& x, const ChunkRow& y) { return Tie(x) < Tie(y); };
  std::sort(a.begin(), a.end(), less);
  std::sort(b.begin(), b.end(), less);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(Tie(a[i]), Tie(b[i])) << "row " << i;
  }
}

std::string Hex(std::string_view s) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    if (!out.empty()) out.push_back(' ');
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

std::vector<ChunkRow> MixedRows() {
  return {
      // IIJ-like quarters and a cumulative nine months.
      Row(Day(2013, 4, 1), Day(2013, 6, 30), false, 264, -1, 1, Day(2013, 8, 9), 1),
      Row(Day(2013, 7, 1), Day(2013, 9, 30), false, 280, -1, 1, Day(2013, 11, 8), 1),
      Row(Day(2013, 10, 1), Day(2013, 12, 31), false, 284, -1, 1, Day(2014, 2, 7), 2),
      Row(Day(2013, 4, 1), Day(2013, 12, 31), false, 82746, 0, 2, Day(2014, 2, 7), 2),
      // Two versions of a full-year target: no as_of, then revised.
      Row(Day(2013, 4, 1), Day(2014, 3, 31), false, 1170, -1, 1, kNoAsOf, 0),
      Row(Day(2013, 4, 1), Day(2014, 3, 31), false, 1140, -1, 1, Day(2014, 2, 7), 3),
      // Balance-sheet instants and a negative value.
      Row(Day(2013, 3, 31), Day(2013, 3, 31), true, -6399, 0, 2, Day(2014, 2, 7), 4),
      Row(Day(2013, 12, 31), Day(2013, 12, 31), true, -4386, 0, 2, Day(2014, 2, 7), 4),
      // A one-day duration (not an instant) and an odd 10-day window.
      Row(Day(2013, 12, 31), Day(2013, 12, 31), false, 5, 0, 3, kNoAsOf, 0),
      Row(Day(2014, 1, 3), Day(2014, 1, 12), false, 999999999999999999, 0, 3, kNoAsOf, 0),
      // Before 1970 and with an as_of before the period ends (a target).
      Row(Day(1965, 1, 1), Day(1965, 12, 31), false, -1, 5, 3, Day(1964, 6, 1), 0),
  };
}

TEST(SeriesChunkTest, RoundTripsEveryKindOfRow) {
  std::vector<ChunkRow> rows = MixedRows();
  const std::vector<ChunkRow> original = rows;
  const std::string chunk = EncodeChunk(&rows);
  std::vector<ChunkRow> decoded;
  ASSERT_THAT(DecodeChunk(chunk, kNeedAll, &decoded), IsOk());
  ExpectSameRows(decoded, original);
  // EncodeChunk reorders *rows into chunk order; decoding yields that order.
  ASSERT_EQ(decoded.size(), rows.size());
  for (size_t i = 0; i < rows.size(); ++i) EXPECT_EQ(Tie(decoded[i]), Tie(rows[i]));
}

TEST(SeriesChunkTest, VersionsOfOnePeriodAreAdjacentOldestFirst) {
  std::vector<ChunkRow> rows = MixedRows();
  EncodeChunk(&rows);
  for (size_t i = 0; i + 1 < rows.size(); ++i) {
    for (size_t j = i + 2; j < rows.size(); ++j) {
      if (rows[i].SamePeriod(rows[j])) {
        EXPECT_TRUE(rows[i + 1].SamePeriod(rows[i])) << "run broken at " << i;
      }
    }
    if (rows[i].SamePeriod(rows[i + 1])) {
      EXPECT_LT(rows[i].as_of, rows[i + 1].as_of);
    }
  }
}

TEST(SeriesChunkTest, ColumnMaskSkipsColumns) {
  std::vector<ChunkRow> rows = MixedRows();
  const std::string chunk = EncodeChunk(&rows);
  std::vector<ChunkRow> decoded;
  ASSERT_THAT(DecodeChunk(chunk, 0, &decoded), IsOk());
  ASSERT_EQ(decoded.size(), rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(decoded[i].start, rows[i].start);
    EXPECT_EQ(decoded[i].end, rows[i].end);
    EXPECT_EQ(decoded[i].mantissa, rows[i].mantissa);
    EXPECT_EQ(decoded[i].exponent, rows[i].exponent);
    EXPECT_EQ(decoded[i].unit_id, 0u);
    EXPECT_EQ(decoded[i].source_id, 0u);
    // The full-year target has two versions: as_of is decoded to check them.
    EXPECT_EQ(decoded[i].as_of, rows[i].as_of);
  }
  // Without versions, as_of is skipped too.
  std::vector<ChunkRow> single;
  for (const ChunkRow& r : rows) {
    if (single.empty() || !single.back().SamePeriod(r)) single.push_back(r);
  }
  ASSERT_LT(single.size(), rows.size());
  const std::string single_chunk = EncodeChunk(&single);
  ASSERT_THAT(DecodeChunk(single_chunk, 0, &decoded), IsOk());
  ASSERT_EQ(decoded.size(), single.size());
  for (const ChunkRow& r : decoded) EXPECT_EQ(r.as_of, kNoAsOf);
  ASSERT_THAT(DecodeChunk(single_chunk, kNeedAsOf, &decoded), IsOk());
  EXPECT_NE(decoded[0].as_of, kNoAsOf);
}

// A stored series always has a fact: a chunk without rows is damage.
TEST(SeriesChunkTest, EmptyChunkIsRefused) {
  std::vector<ChunkRow> rows;
  const std::string chunk = EncodeChunk(&rows);
  std::vector<ChunkRow> decoded = MixedRows();
  absl::Status s = DecodeChunk(chunk, kNeedAll, &decoded);
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(std::string(s.message()), ::testing::HasSubstr("no rows"));
}

// Ten fiscal years of quarters and years, as a regular reporter publishes
// them, take little more than the value bytes.
TEST(SeriesChunkTest, RegularQuartersAreCompact) {
  std::vector<ChunkRow> rows;
  int64_t value = 20000;
  for (int fy = 2010; fy < 2020; ++fy) {
    int64_t year_total = 0;
    for (int q = 0; q < 4; ++q) {
      const int m = 4 + 3 * q;
      const int y = fy + (m > 12);
      const int sm = (m - 1) % 12 + 1;
      const int em = sm + 2;
      value += (fy * 7 + q * 13) % 61 - 20;
      year_total += value;
      rows.push_back(Row(Day(y, sm, 1), Day(y, em, DaysInMonth(y, em)), false,
                         value, 0, 1, Day(y, em, DaysInMonth(y, em)) + 45, 7));
    }
    rows.push_back(Row(Day(fy, 4, 1), Day(fy + 1, 3, 31), false, year_total, 0,
                       1, Day(fy + 1, 3, 31) + 45, 7));
  }
  const std::string chunk = EncodeChunk(&rows);
  // 50 rows: values need ~1-3 bytes each; periods, units, as_of and sources
  // collapse into runs.
  EXPECT_LT(chunk.size(), 50u * 3);
  std::vector<ChunkRow> decoded;
  ASSERT_THAT(DecodeChunk(chunk, kNeedAll, &decoded), IsOk());
  ExpectSameRows(decoded, rows);
}

// The exact bytes of chunks (doc/format.md works through both).
TEST(SeriesChunkTest, GoldenBytes) {
  // Cash at 2013-12-31: 22,102 (unit id 1), as of 2014-02-07, source id 2.
  std::vector<ChunkRow> rows = {Row(Day(2013, 12, 31), Day(2013, 12, 31), true,
                                    22102, 0, 1, Day(2014, 2, 7), 2)};
  const std::string chunk = EncodeChunk(&rows);
  EXPECT_EQ(Hex(chunk),
            "01 01 "              // version 1, one row
            "01 03 8c fb 01 "     // start gap: plain, zigzag(16070)
            "01 01 00 "           // span: instant
            "01 03 ac d9 02 "     // mantissa: zigzag(22102)
            "01 01 00 "           // exponent 0
            "01 01 02 "           // unit id 1
            "01 01 4e "           // as_of: lag 38 days -> 39
            "01 01 04 "           // source id 2
            "d0 8c f9 a0");       // low 32 bits of XXH3-64, little-endian
  std::string_view payload;
  ASSERT_TRUE(VerifyChecksum(chunk, &payload));
  EXPECT_EQ(payload.size(), chunk.size() - 4);
}

TEST(SeriesChunkTest, GoldenBytesOfThreeQuarters) {
  // IIJ's revenue 1Q13-3Q13 in JPY billion: 26.4, 28.0, 28.4.
  std::vector<ChunkRow> rows;
  const int64_t starts[] = {Day(2013, 4, 1), Day(2013, 7, 1), Day(2013, 10, 1)};
  const int64_t ends[] = {Day(2013, 6, 30), Day(2013, 9, 30), Day(2013, 12, 31)};
  const int64_t values[] = {264, 280, 284};
  for (int i = 0; i < 3; ++i) {
    rows.push_back(Row(starts[i], ends[i], false, values[i], -1, 1, Day(2014, 2, 7), 1));
  }
  EXPECT_EQ(Hex(EncodeChunk(&rows)),
            "01 03 "                     // version 1, three rows
            "01 05 e8 f6 01 00 00 "      // start gaps: plain 15796, 0, 0
            "03 02 0c 03 "               // spans: run of 3 x 6 (3 months)
            "02 04 90 04 20 08 "         // mantissas: delta 264, +16, +4
            "03 02 01 03 "               // exponents: run of 3 x -1
            "03 02 02 03 "               // unit ids: run of 3 x 1
            "01 05 be 03 86 02 4e "      // as_of: plain 223, 131, 39
            "03 02 02 03 "               // source ids: run of 3 x 1
            "c0 5e 11 81");              // checksum
}

TEST(SeriesChunkTest, EveryFlippedByteIsDataLoss) {
  std::vector<ChunkRow> rows = MixedRows();
  const std::string chunk = EncodeChunk(&rows);
  std::vector<ChunkRow> decoded;
  for (size_t i = 0; i < chunk.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = chunk;
      bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
      EXPECT_THAT(DecodeChunk(bad, kNeedAll, &decoded),
                  StatusIs(absl::StatusCode::kDataLoss))
          << "byte " << i << " bit " << bit;
    }
  }
}

TEST(SeriesChunkTest, EveryTruncationIsDataLoss) {
  std::vector<ChunkRow> rows = MixedRows();
  const std::string chunk = EncodeChunk(&rows);
  std::vector<ChunkRow> decoded;
  for (size_t n = 0; n < chunk.size(); ++n) {
    EXPECT_THAT(DecodeChunk(chunk.substr(0, n), kNeedAll, &decoded),
                StatusIs(absl::StatusCode::kDataLoss))
        << "length " << n;
  }
  EXPECT_THAT(DecodeChunk(chunk + "x", kNeedAll, &decoded),
              StatusIs(absl::StatusCode::kDataLoss));
}

// Damage that a checksum cannot catch (a bug that wrote a bad chunk with a
// valid checksum) is still refused by the structural checks.
class BadStructureTest : public ::testing::Test {
 protected:
  // A one-row chunk from explicit column payloads (all plain-encoded).
  static std::string Build(uint8_t version, uint64_t rows,
                           const std::vector<std::vector<uint64_t>>& zigzag_cols,
                           uint8_t encoding = 1) {
    std::string out;
    out.push_back(static_cast<char>(version));
    format::PutVarint64(&out, rows);
    for (const auto& col : zigzag_cols) {
      std::string bytes;
      for (uint64_t v : col) format::PutVarint64(&bytes, v);
      out.push_back(static_cast<char>(encoding));
      format::PutVarint64(&out, bytes.size());
      out.append(bytes);
    }
    AppendChecksum(&out);
    return out;
  }
  static uint64_t Z(int64_t v) { return format::ZigZagEncode(v); }
  static std::vector<std::vector<uint64_t>> Cols(int64_t gap, int64_t span,
                                                 int64_t mantissa, int64_t exponent) {
    return {{Z(gap)}, {Z(span)}, {Z(mantissa)}, {Z(exponent)}, {Z(1)}, {Z(0)}, {Z(0)}};
  }
  [[nodiscard]] absl::Status Decode(const std::string& chunk) {
    return DecodeChunk(chunk, kNeedAll, &rows_);
  }
  std::vector<ChunkRow> rows_;
};

TEST_F(BadStructureTest, ValidHandBuiltChunkDecodes) {
  ASSERT_THAT(Decode(Build(1, 1, Cols(Day(2013, 4, 1), 24, 5, 0))), IsOk());
  ASSERT_EQ(rows_.size(), 1u);
  EXPECT_EQ(rows_[0].end, Day(2014, 3, 31));
}

TEST_F(BadStructureTest, UnknownVersion) {
  absl::Status s = Decode(Build(2, 1, Cols(0, 0, 5, 0)));
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(std::string(s.message()), ::testing::HasSubstr("version"));
}

TEST_F(BadStructureTest, UnknownEncoding) {
  EXPECT_THAT(Decode(Build(1, 1, Cols(0, 0, 5, 0), /*encoding=*/9)),
              StatusIs(absl::StatusCode::kDataLoss));
}

TEST_F(BadStructureTest, RowCountDisagreesWithColumns) {
  EXPECT_THAT(Decode(Build(1, 2, Cols(0, 0, 5, 0))),
              StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(Decode(Build(1, uint64_t{1} << 40, Cols(0, 0, 5, 0))),
              StatusIs(absl::StatusCode::kDataLoss));
}

TEST_F(BadStructureTest, ZeroLengthDuration) {
  EXPECT_THAT(Decode(Build(1, 1, Cols(Day(2013, 4, 1), 1, 5, 0))),
              StatusIs(absl::StatusCode::kDataLoss));
}

TEST_F(BadStructureTest, MonthSpanNotOnFirstOfMonth) {
  EXPECT_THAT(Decode(Build(1, 1, Cols(Day(2013, 4, 2), 6, 5, 0))),
              StatusIs(absl::StatusCode::kDataLoss));
}

TEST_F(BadStructureTest, ValuesOutOfRange) {
  EXPECT_THAT(Decode(Build(1, 1, Cols(0, 0, 1'000'000'000'000'000'000, 0))),
              StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(Decode(Build(1, 1, Cols(0, 0, 5, 41))),
              StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(Decode(Build(1, 1, Cols(int64_t{1} << 40, 0, 5, 0))),
              StatusIs(absl::StatusCode::kDataLoss));
}

TEST_F(BadStructureTest, NegativeId) {
  auto cols = Cols(0, 0, 5, 0);
  cols[4] = {Z(-1)};
  EXPECT_THAT(Decode(Build(1, 1, cols)), StatusIs(absl::StatusCode::kDataLoss));
}

// Every structural check, with its exact message: DecodeChunk's messages
// are what a user sees of a damaged database.
TEST_F(BadStructureTest, EveryCheckHasItsMessage) {
  const std::string prefix = "damaged series chunk: ";
  auto message = [&](const std::string& chunk) {
    absl::Status s = Decode(chunk);
    EXPECT_THAT(s, StatusIs(absl::StatusCode::kDataLoss));
    return std::string(s.message());
  };
  auto with_checksum = [](std::string payload) {
    AppendChecksum(&payload);
    return payload;
  };
  const std::string valid = Build(1, 1, Cols(Day(2013, 4, 1), 24, 5, 0));
  std::string flipped = valid;
  flipped[2] ^= 1;
  EXPECT_EQ(message(flipped), prefix + "checksum mismatch");
  EXPECT_EQ(message("abc"), prefix + "checksum mismatch");
  EXPECT_EQ(message(with_checksum("")), prefix + "truncated header");
  EXPECT_EQ(message(with_checksum("\x01")), prefix + "truncated header");
  EXPECT_EQ(message(Build(2, 1, Cols(0, 0, 5, 0))),
            prefix + "unknown chunk version 2");
  EXPECT_EQ(message(Build(1, uint64_t{1} << 40, Cols(0, 0, 5, 0))),
            prefix + "row count out of range");
  EXPECT_EQ(message(with_checksum("\x01\x01")), prefix + "truncated column 0");
  std::string three_columns = valid.substr(0, valid.size() - 4);
  three_columns.resize(three_columns.size() - 9);  // the last three columns
  EXPECT_EQ(message(with_checksum(three_columns)),
            prefix + "truncated column 4");
  EXPECT_EQ(message(with_checksum(valid.substr(0, valid.size() - 4) + "x")),
            prefix + "trailing bytes");
  EXPECT_EQ(message(Build(1, 2, Cols(0, 0, 5, 0))),
            prefix + "column 0: plain column: 1 bytes cannot hold 2 values");
  EXPECT_EQ(message(Build(1, 1, Cols(0, 0, 5, 0), /*encoding=*/9)),
            prefix + "column 0: unknown column encoding id 9");
  EXPECT_EQ(message(Build(1, 1, Cols(int64_t{1} << 40, 0, 5, 0))),
            prefix + "period start out of range");
  EXPECT_EQ(message(Build(1, 1, Cols(4'000'001, 0, 5, 0))),
            prefix + "period start out of range");
  EXPECT_EQ(message(Build(1, 1, Cols(0, 1, 5, 0))),
            prefix + "period span out of range");
  EXPECT_EQ(message(Build(1, 1, Cols(0, -2, 5, 0))),
            prefix + "period span out of range");
  EXPECT_EQ(message(Build(1, 1, Cols(Day(2013, 4, 2), 6, 5, 0))),
            prefix + "month span not starting on a 1st");
  EXPECT_EQ(message(Build(1, 1, Cols(3'999'999, 2 * 10 + 1, 5, 0))),
            prefix + "period end out of range");
  EXPECT_EQ(message(Build(1, 1, Cols(0, 0, -1'000'000'000'000'000'000, 0))),
            prefix + "mantissa out of range");
  EXPECT_EQ(message(Build(1, 1, Cols(0, 0, 5, -41))),
            prefix + "exponent out of range");
  auto cols = Cols(0, 0, 5, 0);
  cols[4] = {Z(-1)};
  EXPECT_EQ(message(Build(1, 1, cols)), prefix + "id out of range");
  cols = Cols(0, 0, 5, 0);
  cols[6] = {Z(int64_t{1} << 32)};
  EXPECT_EQ(message(Build(1, 1, cols)), prefix + "id out of range");
  cols = Cols(0, 0, 5, 0);
  cols[5] = {Z(8'000'001)};
  EXPECT_EQ(message(Build(1, 1, cols)), prefix + "as_of out of range");
  cols = Cols(0, 0, 5, 0);
  cols[5] = {Z(2), Z(3)};
  EXPECT_EQ(message(Build(1, 1, cols)),
            prefix + "column 5: plain column: 1 trailing bytes");
}

// Checksum-valid chunks that break the format's order rules: each would
// mislead the version merge (which relies on sorted, unique rows) into
// reading out of bounds, so the decoder refuses them.
class BadOrderTest : public BadStructureTest {
 protected:
  // Rows of (start day, span code, as_of code); values 5, unit 1, no source.
  static std::string Rows(const std::vector<std::tuple<int64_t, int64_t, int64_t>>& rows) {
    std::vector<std::vector<uint64_t>> cols(kNumChunkColumns);
    int64_t next = 0;
    for (const auto& [start, span, as_of] : rows) {
      cols[kColStartGap].push_back(Z(start - next));
      cols[kColSpan].push_back(Z(span));
      cols[kColMantissa].push_back(Z(5));
      cols[kColExponent].push_back(Z(0));
      cols[kColUnit].push_back(Z(1));
      cols[kColAsOf].push_back(Z(as_of));
      cols[kColSource].push_back(Z(0));
      // The decoder's rule for the next gap: the day after this row's end.
      if (span == 0) {
        next = start + 1;
      } else if (span % 2 == 1) {
        next = start + (span - 1) / 2;
      } else {
        const YearMonthDay s = CivilFromDays(start);
        const int64_t m = s.year * 12 + (s.month - 1) + span / 2;
        next = DaysFromCivil(m / 12, static_cast<int>(m % 12) + 1, 1);
      }
    }
    return Build(1, rows.size(), cols);
  }
  void ExpectRefused(const std::string& chunk, std::string_view why) {
    absl::Status s = Decode(chunk);
    EXPECT_THAT(s, StatusIs(absl::StatusCode::kDataLoss));
    EXPECT_THAT(std::string(s.message()), ::testing::HasSubstr(why));
  }
  static constexpr int64_t kQ = 6;  // a quarter's span code
};

TEST_F(BadOrderTest, OrderedRowsDecode) {
  const int64_t q1 = Day(2013, 4, 1), q2 = Day(2013, 7, 1);
  ASSERT_THAT(Decode(Rows({{q1, kQ, 0}, {q1, kQ, 40}, {q1, kQ, 41}, {q2, kQ, 0},
                           {q1, 2 * 12, 0}})),
              IsOk());
  EXPECT_EQ(rows_.size(), 5u);
}

TEST_F(BadOrderTest, DuplicateRows) {
  const int64_t q1 = Day(2013, 4, 1);
  ExpectRefused(Rows({{q1, kQ, 40}, {q1, kQ, 40}}), "rows out of order");
  ExpectRefused(Rows({{q1, kQ, 0}, {q1, kQ, 0}}), "rows out of order");
  ExpectRefused(Rows({{q1, 0, 0}, {q1, 0, 0}}), "rows out of order");
}

TEST_F(BadOrderTest, VersionsOutOfOrder) {
  const int64_t q1 = Day(2013, 4, 1);
  ExpectRefused(Rows({{q1, kQ, 41}, {q1, kQ, 40}}), "rows out of order");
  ExpectRefused(Rows({{q1, kQ, 41}, {q1, kQ, 0}}), "rows out of order");
}

// Queries skip the as_of column when they need no as_of; a period with
// several rows still has them checked.
TEST_F(BadOrderTest, VersionsAreCheckedWhenAsOfIsNotAsked) {
  const int64_t q1 = Day(2013, 4, 1);
  std::vector<ChunkRow> rows;
  for (const std::string& bad : {Rows({{q1, kQ, 40}, {q1, kQ, 40}}),
                                 Rows({{q1, kQ, 41}, {q1, kQ, 40}}),
                                 Rows({{q1, kQ, 41}, {q1, kQ, 0}})}) {
    EXPECT_THAT(DecodeChunk(bad, 0, &rows), StatusIs(absl::StatusCode::kDataLoss));
  }
  ASSERT_THAT(DecodeChunk(Rows({{q1, kQ, 0}, {q1, kQ, 40}}), 0, &rows), IsOk());
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].as_of, kNoAsOf);
  EXPECT_EQ(rows[1].as_of, rows[1].end + 39);
}

TEST_F(BadOrderTest, UnsortedPeriods) {
  const int64_t q1 = Day(2013, 4, 1), q2 = Day(2013, 7, 1);
  ExpectRefused(Rows({{q2, kQ, 0}, {q1, kQ, 0}}), "rows out of order");
  // Spans sort first: a year before a quarter is out of order.
  ExpectRefused(Rows({{q1, 2 * 12, 0}, {q1, kQ, 0}}), "rows out of order");
}

// A month-aligned period written as a day count would let the same period
// appear twice under two span codes.
TEST_F(BadOrderTest, NonCanonicalSpan) {
  const int64_t q1 = Day(2013, 4, 1);
  ExpectRefused(Rows({{q1, 2 * 91 + 1, 0}}), "span not in canonical form");
  // Day counts that are not whole months stay valid.
  ASSERT_THAT(Decode(Rows({{q1, 2 * 90 + 1, 0}, {q1 + 1, 2 * 91 + 1, 0}})), IsOk());
}

// The row count is checked against the columns before rows are allocated:
// a tiny chunk claiming a million rows is refused without a big allocation.
TEST_F(BadOrderTest, HugeRowCountRefusedBeforeAllocating) {
  std::vector<ChunkRow> rows;
  absl::Status s = DecodeChunk(Build(1, 1'000'000, Cols(0, 0, 5, 0)), kNeedAll, &rows);
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_LT(rows.capacity(), 1000u);
  EXPECT_THAT(Decode(Build(1, uint64_t{1} << 24, Cols(0, 0, 5, 0))),
              StatusIs(absl::StatusCode::kDataLoss));
}

// Random rows round-trip (seeded from --gtest_random_seed).
TEST(SeriesChunkTest, RandomRowsRoundTrip) {
  std::mt19937_64 rng = kpidb::testing::SeededRng();
  for (int iter = 0; iter < 200; ++iter) {
    std::vector<ChunkRow> rows;
    const int n = 1 + static_cast<int>(rng() % 60);  // a chunk has rows
    for (int i = 0; i < n; ++i) {
      const int64_t start = static_cast<int64_t>(rng() % 40000) - 10000;
      const bool instant = rng() % 4 == 0;
      int64_t end = instant ? start : start + static_cast<int64_t>(rng() % 800);
      if (!instant && rng() % 2 == 0) {
        // Month-aligned duration.
        const YearMonthDay s = CivilFromDays(start);
        const int months = 1 + static_cast<int>(rng() % 24);
        const int64_t last = s.year * 12 + (s.month - 1) + months - 1;
        const int64_t ey = last / 12;
        const int em = static_cast<int>(last % 12) + 1;
        const int64_t first = DaysFromCivil(s.year, s.month, 1);
        rows.push_back(Row(first, DaysFromCivil(ey, em, DaysInMonth(ey, em)), false,
                           0, 0, 0, kNoAsOf, 0));
      } else {
        rows.push_back(Row(start, end, instant, 0, 0, 0, kNoAsOf, 0));
      }
      ChunkRow& r = rows.back();
      r.mantissa = static_cast<int64_t>(rng() % 2'000'000'000'000'000'000ULL) -
                   999'999'999'999'999'999LL;
      r.exponent = static_cast<int32_t>(rng() % 81) - 40;
      r.unit_id = static_cast<uint32_t>(rng() % 5);
      r.source_id = static_cast<uint32_t>(rng() % 1000);
      r.as_of = rng() % 3 == 0 ? kNoAsOf : r.end + static_cast<int64_t>(rng() % 1000) - 300;
    }
    // Keys must be unique inside a chunk.
    std::sort(rows.begin(), rows.end(), [](const ChunkRow& a, const ChunkRow& b) {
      return std::tie(a.start, a.end, a.instant, a.as_of) <
             std::tie(b.start, b.end, b.instant, b.as_of);
    });
    rows.erase(std::unique(rows.begin(), rows.end(),
                           [](const ChunkRow& a, const ChunkRow& b) { return a.SameKey(b); }),
               rows.end());
    const std::vector<ChunkRow> original = rows;
    const std::string chunk = EncodeChunk(&rows);
    std::vector<ChunkRow> decoded;
    ASSERT_THAT(DecodeChunk(chunk, kNeedAll, &decoded), IsOk());
    ExpectSameRows(decoded, original);
  }
}

}  // namespace
}  // namespace kpidb::store
