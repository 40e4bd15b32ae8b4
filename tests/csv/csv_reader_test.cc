#include "lib/csv/csv_reader.h"

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/csv/utf8.h"
#include "lib/util/str_cat.h"

namespace kpidb::csv {
namespace {

// C-style escaping with \xHH for other bytes. Unlike absl::CHexEscape it
// never escapes the character after a \xHH, which keeps expectations short.
std::string Escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      default:
        if (static_cast<uint8_t>(c) < 0x20 || static_cast<uint8_t>(c) >= 0x7f) {
          out += absl::StrFormat("\\x%02x", static_cast<uint8_t>(c));
        } else {
          out += c;
        }
    }
  }
  return out;
}

// Reads all of `data` and renders each result on one line:
//   "LINE [field|field|...]"  for a record (fields C-escaped)
//   "LINE error: MESSAGE"     for an error
// so that a test states the whole outcome in one comparison.
std::vector<std::string> ReadAll(std::string_view data,
                                 const ReaderOptions& options = {}) {
  std::vector<std::string> out;
  Reader reader(data, options);
  Record record;
  // Every call consumes at least one byte or ends the input, so this bound
  // turns a reader that stops making progress into a failure, not a hang.
  for (size_t calls = 0; calls <= data.size() + 1; ++calls) {
    absl::StatusOr<bool> more = reader.Next(&record);
    if (!more.ok()) {
      EXPECT_EQ(more.status().code(), absl::StatusCode::kInvalidArgument);
      out.push_back(
          kpidb::StrCat(record.line, " error: ", more.status().message()));
      continue;
    }
    if (!*more) {
      // The end is sticky.
      absl::StatusOr<bool> again = reader.Next(&record);
      EXPECT_TRUE(again.ok() && !*again);
      return out;
    }
    out.push_back(kpidb::StrCat(
        record.line, " [",
        absl::StrJoin(
            record.fields, "|",
            [](std::string* s, std::string_view f) { s->append(Escape(f)); }),
        "]"));
  }
  ADD_FAILURE() << "reader made no progress";
  return out;
}

using Lines = std::vector<std::string>;

// ---------------------------------------------------------------------------
// Records and fields

TEST(CsvReaderTest, SimpleRecords) {
  EXPECT_EQ(ReadAll("date,kpi,value\n2024-03-31,revenue,82746\n"),
            (Lines{"1 [date|kpi|value]", "2 [2024-03-31|revenue|82746]"}));
}

TEST(CsvReaderTest, EmptyInput) {
  EXPECT_EQ(ReadAll(""), Lines{});
  EXPECT_EQ(ReadAll("\xEF\xBB\xBF"), Lines{});
  EXPECT_EQ(ReadAll("\n\n\r\n"), Lines{});
}

TEST(CsvReaderTest, NoFinalNewline) {
  EXPECT_EQ(ReadAll("a,b\n1,2"), (Lines{"1 [a|b]", "2 [1|2]"}));
  EXPECT_EQ(ReadAll("x"), (Lines{"1 [x]"}));
}

TEST(CsvReaderTest, Crlf) {
  EXPECT_EQ(ReadAll("a,b\r\n1,2\r\n"), (Lines{"1 [a|b]", "2 [1|2]"}));
  EXPECT_EQ(ReadAll("a,b\r\n1,2"), (Lines{"1 [a|b]", "2 [1|2]"}));
  EXPECT_EQ(ReadAll("a\r\n\r\nb\r\n"), (Lines{"1 [a]", "3 [b]"}));
  // Mixed line endings are fine.
  EXPECT_EQ(ReadAll("a\nb\r\nc\n"), (Lines{"1 [a]", "2 [b]", "3 [c]"}));
}

TEST(CsvReaderTest, EmptyFields) {
  EXPECT_EQ(ReadAll(",\n"), (Lines{"1 [|]"}));
  EXPECT_EQ(ReadAll(",,\n"), (Lines{"1 [||]"}));
  EXPECT_EQ(ReadAll("a,,c\n"), (Lines{"1 [a||c]"}));
  EXPECT_EQ(ReadAll(",b\n"), (Lines{"1 [|b]"}));
}

TEST(CsvReaderTest, TrailingCommaIsEmptyLastField) {
  EXPECT_EQ(ReadAll("a,b,\n"), (Lines{"1 [a|b|]"}));
  EXPECT_EQ(ReadAll("a,b,\r\n"), (Lines{"1 [a|b|]"}));
  EXPECT_EQ(ReadAll("a,b,"), (Lines{"1 [a|b|]"}));
}

TEST(CsvReaderTest, BlankLinesSkippedButCounted) {
  EXPECT_EQ(ReadAll("\n\na\n\r\n\nb\n\n"), (Lines{"3 [a]", "6 [b]"}));
}

TEST(CsvReaderTest, WhitespaceIsData) {
  EXPECT_EQ(ReadAll(" a , b \n \n"), (Lines{"1 [ a | b ]", "2 [ ]"}));
  EXPECT_EQ(ReadAll("\t\n"), (Lines{"1 [\\t]"}));
}

TEST(CsvReaderTest, Bom) {
  EXPECT_EQ(ReadAll("\xEF\xBB\xBF"
                    "a,b\n1,2\n"),
            (Lines{"1 [a|b]", "2 [1|2]"}));
  EXPECT_EQ(ReadAll("\xEF\xBB\xBF\n\"q\"\n"), (Lines{"2 [q]"}));
  // Only at the very start; elsewhere it is data.
  EXPECT_EQ(ReadAll("a\n\xEF\xBB\xBF"
                    "b\n"),
            (Lines{"1 [a]", "2 [\\xef\\xbb\\xbfb]"}));
  // A partial BOM is data too.
  EXPECT_EQ(ReadAll("\xEF\xBB"
                    "a\n"),
            (Lines{"1 [\\xef\\xbba]"}));
}

TEST(CsvReaderTest, BytesAreNotInterpreted) {
  EXPECT_EQ(ReadAll(std::string_view("a\0b,\xff\n", 6)),
            (Lines{"1 [a\\x00b|\\xff]"}));
  EXPECT_EQ(ReadAll("\xE2\x96\xB2"
                    "1,998\n"),
            (Lines{"1 [\\xe2\\x96\\xb21|998]"}));
}

// ---------------------------------------------------------------------------
// Quoted fields

TEST(CsvReaderTest, QuotedFields) {
  EXPECT_EQ(ReadAll("\"a,b\",c\n"), (Lines{"1 [a,b|c]"}));
  EXPECT_EQ(ReadAll("\"a\",\"b\"\n"), (Lines{"1 [a|b]"}));
  EXPECT_EQ(ReadAll("x,\"y\""), (Lines{"1 [x|y]"}));
  EXPECT_EQ(ReadAll("\"y\"\r\n"), (Lines{"1 [y]"}));
  EXPECT_EQ(ReadAll("\"1,998\",\"(22,102)\"\n"), (Lines{"1 [1,998|(22,102)]"}));
}

TEST(CsvReaderTest, EmptyQuotedFields) {
  EXPECT_EQ(ReadAll("\"\"\n"), (Lines{"1 []"}));
  EXPECT_EQ(ReadAll("\"\",\"\"\n"), (Lines{"1 [|]"}));
  EXPECT_EQ(ReadAll("a,\"\"\n"), (Lines{"1 [a|]"}));
  EXPECT_EQ(ReadAll("\"\""), (Lines{"1 []"}));
}

TEST(CsvReaderTest, EscapedQuotes) {
  EXPECT_EQ(ReadAll("\"say \"\"hi\"\"\",x\n"), (Lines{"1 [say \\\"hi\\\"|x]"}));
  EXPECT_EQ(ReadAll("\"\"\"\"\n"), (Lines{"1 [\\\"]"}));
  EXPECT_EQ(ReadAll("\"\"\"\"\"\"\n"), (Lines{"1 [\\\"\\\"]"}));
  EXPECT_EQ(ReadAll("\"a\"\"1\",\"b\"\"2\",c,\"d\"\"\"\n"),
            (Lines{"1 [a\\\"1|b\\\"2|c|d\\\"]"}));
  EXPECT_EQ(ReadAll("\"x\"\"\""), (Lines{"1 [x\\\"]"}));
}

TEST(CsvReaderTest, QuotedLineBreaksMoveLaterLineNumbers) {
  EXPECT_EQ(ReadAll("\"x\ny\",z\nnext\n"), (Lines{"1 [x\\ny|z]", "3 [next]"}));
  EXPECT_EQ(ReadAll("h\n\"a\n\nb\",\"c\nd\"\n\nnext"),
            (Lines{"1 [h]", "2 [a\\n\\nb|c\\nd]", "7 [next]"}));
  // CRLF inside quotes is kept as data and counts as one line.
  EXPECT_EQ(ReadAll("\"x\r\ny\"\r\nnext\r\n"),
            (Lines{"1 [x\\r\\ny]", "3 [next]"}));
  // A lone CR inside quotes is data and no line break.
  EXPECT_EQ(ReadAll("\"a\rb\"\nnext\n"), (Lines{"1 [a\\rb]", "2 [next]"}));
  // Escapes and line breaks together.
  EXPECT_EQ(ReadAll("\"\"\"\n\"\"\"\nnext\n"),
            (Lines{"1 [\\\"\\n\\\"]", "3 [next]"}));
}

TEST(CsvReaderTest, PlainAndQuotedFieldsPointIntoInput) {
  const std::string data = "abc,\"d,e\",\"f\"\"g\"\n";
  Reader reader(data);
  Record record;
  ASSERT_TRUE(*reader.Next(&record));
  ASSERT_EQ(record.fields.size(), 3u);
  EXPECT_EQ(record.fields[0].data(), data.data());
  EXPECT_EQ(record.fields[1].data(), data.data() + 5);
  EXPECT_EQ(record.fields[1], "d,e");
  // Unescaping needs a copy, which must not live in the input.
  EXPECT_EQ(record.fields[2], "f\"g");
  EXPECT_FALSE(record.fields[2].data() >= data.data() &&
               record.fields[2].data() < data.data() + data.size());
}

TEST(CsvReaderTest, ManyEscapedFieldsInOneRecord) {
  // Enough unescaped bytes to make the scratch buffer grow several times
  // while the record is parsed; every view must still be right at the end.
  std::string data;
  std::vector<std::string> expected;
  for (int i = 0; i < 200; ++i) {
    std::string value =
        std::string(i * 7, 'a' + i % 26) + "\"" + std::to_string(i);
    expected.push_back(value);
    if (i > 0) data += ",";
    // Appended piece by piece: GCC 12 at -O3 warns falsely (-Wrestrict) on
    // "literal" + std::string&&.
    data += '"';
    data.append(static_cast<size_t>(i) * 7, static_cast<char>('a' + i % 26));
    data += "\"\"";
    data += std::to_string(i);
    data += '"';
  }
  data += "\nnext\n";
  Reader reader(data);
  Record record;
  ASSERT_TRUE(*reader.Next(&record));
  ASSERT_EQ(record.fields.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i)
    EXPECT_EQ(record.fields[i], expected[i]) << i;
  ASSERT_TRUE(*reader.Next(&record));
  EXPECT_EQ(record.line, 2);
  EXPECT_EQ(record.fields, std::vector<std::string_view>{"next"});
}

TEST(CsvReaderTest, ReusedRecordKeepsItsCapacity) {
  std::string data;
  for (int i = 0; i < 100; ++i) data += "a,b,c,d,e,f\n";
  Reader reader(data);
  Record record;
  ASSERT_TRUE(*reader.Next(&record));
  const std::string_view* storage = record.fields.data();
  for (int i = 1; i < 100; ++i) {
    ASSERT_TRUE(*reader.Next(&record));
    EXPECT_EQ(record.fields.size(), 6u);
    EXPECT_EQ(record.fields.data(), storage)
        << "the fields vector was reallocated";
    EXPECT_EQ(record.line, i + 1);
  }
  EXPECT_FALSE(*reader.Next(&record));
}

// ---------------------------------------------------------------------------
// Errors, and continuing after them

TEST(CsvReaderTest, QuoteInUnquotedField) {
  EXPECT_EQ(ReadAll("a,b\"c,d\nnext\n"),
            (Lines{"1 error: unexpected '\"' in unquoted field", "2 [next]"}));
  EXPECT_EQ(ReadAll("ok\n5\" pipe\nnext"),
            (Lines{"1 [ok]", "2 error: unexpected '\"' in unquoted field",
                   "3 [next]"}));
  EXPECT_EQ(ReadAll("a\"\r\nnext\r\n"),
            (Lines{"1 error: unexpected '\"' in unquoted field", "2 [next]"}));
  EXPECT_EQ(ReadAll("x,a\""),
            (Lines{"1 error: unexpected '\"' in unquoted field"}));
}

TEST(CsvReaderTest, CharacterAfterClosingQuote) {
  EXPECT_EQ(
      ReadAll("\"a\"b,c\nnext\n"),
      (Lines{"1 error: unexpected character after closing quote", "2 [next]"}));
  EXPECT_EQ(
      ReadAll("x,\"a\" \nnext\n"),
      (Lines{"1 error: unexpected character after closing quote", "2 [next]"}));
  // A CR after the closing quote must be part of CRLF.
  EXPECT_EQ(
      ReadAll("\"a\"\rb\nnext\n"),
      (Lines{"1 error: unexpected character after closing quote", "2 [next]"}));
  EXPECT_EQ(ReadAll("\"a\"\r"),
            (Lines{"1 error: unexpected character after closing quote"}));
  EXPECT_EQ(ReadAll("\"a\"x"),
            (Lines{"1 error: unexpected character after closing quote"}));
}

TEST(CsvReaderTest, LoneCarriageReturn) {
  // Classic Mac line endings are rejected rather than read as one record.
  EXPECT_EQ(ReadAll("a,b\rc,d\nnext\n"),
            (Lines{"1 error: unexpected carriage return in unquoted field",
                   "2 [next]"}));
  EXPECT_EQ(ReadAll("a\r"),
            (Lines{"1 error: unexpected carriage return in unquoted field"}));
  EXPECT_EQ(ReadAll("\r"),
            (Lines{"1 error: unexpected carriage return in unquoted field"}));
  EXPECT_EQ(ReadAll("a\r\r\nnext\n"),
            (Lines{"1 error: unexpected carriage return in unquoted field",
                   "2 [next]"}));
}

TEST(CsvReaderTest, UnterminatedQuotedField) {
  EXPECT_EQ(ReadAll("a\n\"b,c\nd\ne\n"),
            (Lines{"1 [a]", "2 error: unterminated quoted field"}));
  EXPECT_EQ(ReadAll("a,\""), (Lines{"1 error: unterminated quoted field"}));
  EXPECT_EQ(ReadAll("\"abc\"\"\n"),
            (Lines{"1 error: unterminated quoted field"}));
}

TEST(CsvReaderTest, ErrorInMultiLineRecordReportsItsFirstLine) {
  // The bad record spans lines 2-4; parsing resumes at line 5, honouring the
  // quoted field that follows the error.
  EXPECT_EQ(ReadAll("x\n\"multi\nline\"junk,\"more\nlines\"\nnext\n"),
            (Lines{"1 [x]", "2 error: unexpected character after closing quote",
                   "5 [next]"}));
}

TEST(CsvReaderTest, FirstErrorOfARecordWins) {
  EXPECT_EQ(ReadAll("a\"b,\"c\"d\nnext\n"),
            (Lines{"1 error: unexpected '\"' in unquoted field", "2 [next]"}));
  EXPECT_EQ(
      ReadAll("\"c\"d,a\"b,e\rf\nnext\n"),
      (Lines{"1 error: unexpected character after closing quote", "2 [next]"}));
  EXPECT_EQ(ReadAll("a\"b,\"unterminated\nnext\n"),
            (Lines{"1 error: unexpected '\"' in unquoted field"}));
}

TEST(CsvReaderTest, ContinuesAfterRecoverableErrors) {
  EXPECT_EQ(
      ReadAll("h1,h2\n"
              "1,2\n"
              "3,4\"\n"
              "\n"
              "5,6\n"
              "\"7\"x,8\r\n"
              "9,\"1\n0\"\n"
              "a\rb\n"
              "11,12"),
      (Lines{"1 [h1|h2]", "2 [1|2]",
             "3 error: unexpected '\"' in unquoted field", "5 [5|6]",
             "6 error: unexpected character after closing quote", "7 [9|1\\n0]",
             "9 error: unexpected carriage return in unquoted field",
             "10 [11|12]"}));
}

// ---------------------------------------------------------------------------
// Limits: records too long, NUL bytes

constexpr char kTooLong8[] =
    " error: line longer than 8 bytes, the limit for one record (quoted line "
    "breaks included); the rest of the input is not read";
constexpr char kNul[] =
    " error: NUL byte: the input is not UTF-8 text (UTF-16, or a binary "
    "file?); the rest of it is not read";

ReaderOptions MaxRecordBytes(size_t max) {
  ReaderOptions options;
  options.max_record_bytes = max;
  return options;
}

ReaderOptions RejectNul() {
  ReaderOptions options;
  options.reject_nul = true;
  return options;
}

TEST(CsvReaderTest, RecordAsLongAsTheLimitIsRead) {
  const ReaderOptions max8 = MaxRecordBytes(8);
  EXPECT_EQ(ReadAll("abcdefgh\nnext", max8), (Lines{"1 [abcdefgh]", "2 [next]"}));
  EXPECT_EQ(ReadAll("abcdefgh\r\nnext", max8), (Lines{"1 [abcdefgh]", "2 [next]"}));
  EXPECT_EQ(ReadAll("abcdefgh", max8), (Lines{"1 [abcdefgh]"}));
  EXPECT_EQ(ReadAll("a,b,c,d,\n", max8), (Lines{"1 [a|b|c|d|]"}));
  EXPECT_EQ(ReadAll("\"a\nb\"\"\"\n\n\nxyz", max8), (Lines{"1 [a\\nb\\\"]", "5 [xyz]"}));
  // The limit is per record, not per input.
  EXPECT_EQ(ReadAll("abcdefgh\nabcdefgh\n\n\n\nabcdefgh\n", max8),
            (Lines{"1 [abcdefgh]", "2 [abcdefgh]", "6 [abcdefgh]"}));
}

TEST(CsvReaderTest, LongerRecordEndsTheInput) {
  const ReaderOptions max8 = MaxRecordBytes(8);
  EXPECT_EQ(ReadAll("abcdefghi\nnext\n", max8), (Lines{std::string("1") + kTooLong8}));
  EXPECT_EQ(ReadAll("ok\nabcdefghi", max8), (Lines{"1 [ok]", std::string("2") + kTooLong8}));
  EXPECT_EQ(ReadAll("abcdefgh,\nnext\n", max8), (Lines{std::string("1") + kTooLong8}));
  EXPECT_EQ(ReadAll("a,b,c,d,e\n", max8), (Lines{std::string("1") + kTooLong8}));
  // A lone CR just past the limit is a byte of the record, not its end.
  EXPECT_EQ(ReadAll("abcdefgh\rx\n", max8), (Lines{std::string("1") + kTooLong8}));
  // Quoted line breaks count; the record keeps its first line.
  EXPECT_EQ(ReadAll("x\n\"ab\ncd\nef\"\nnext\n", max8),
            (Lines{"1 [x]", std::string("2") + kTooLong8}));
  // A quoted field that never closes within the limit is too long, not
  // unterminated.
  EXPECT_EQ(ReadAll("\"abcdefghijkl", max8), (Lines{std::string("1") + kTooLong8}));
  // A doubled quote straddling the limit.
  EXPECT_EQ(ReadAll("\"abcdef\"\"x\"\n", max8), (Lines{std::string("1") + kTooLong8}));
  EXPECT_EQ(ReadAll("\"abcdef\"x\n", max8), (Lines{std::string("1") + kTooLong8}));
  // Too long wins over an earlier problem of the same record, which would
  // otherwise resume on a line that is not a record's start.
  EXPECT_EQ(ReadAll("a\"bcdefghij\nnext\n", max8), (Lines{std::string("1") + kTooLong8}));
}

TEST(CsvReaderTest, DefaultLimitIsOneMebibyte) {
  EXPECT_EQ(kDefaultMaxRecordBytes, size_t{1} << 20);
  const std::string max = std::string(kDefaultMaxRecordBytes, 'a') + "\n";
  Reader ok(max);
  Record record;
  ASSERT_TRUE(*ok.Next(&record));
  EXPECT_EQ(record.fields[0].size(), kDefaultMaxRecordBytes);
  // Half a million fields would be many string_views; the reader stops at
  // the limit instead of splitting them all.
  std::string fields;
  while (fields.size() <= 8 * kDefaultMaxRecordBytes) fields += "a,";
  Reader too_long(fields);
  absl::StatusOr<bool> more = too_long.Next(&record);
  ASSERT_FALSE(more.ok());
  EXPECT_THAT(std::string(more.status().message()),
              ::testing::StartsWith("line longer than 1048576 bytes"));
  EXPECT_LE(record.fields.size(), kDefaultMaxRecordBytes / 2 + 1);
  more = too_long.Next(&record);
  EXPECT_TRUE(more.ok() && !*more);
}

TEST(CsvReaderTest, RejectedNulEndsTheInputNamingItsLine) {
  const ReaderOptions no_nul = RejectNul();
  EXPECT_EQ(ReadAll(std::string(100, '\0'), no_nul), (Lines{std::string("1") + kNul}));
  EXPECT_EQ(ReadAll(std::string_view("a,b\nc\0d\ne\n", 10), no_nul),
            (Lines{"1 [a|b]", std::string("2") + kNul}));
  EXPECT_EQ(ReadAll(std::string_view("a,\0\n", 4), no_nul), (Lines{std::string("1") + kNul}));
  // In a quoted field spanning lines: the line of the NUL.
  EXPECT_EQ(ReadAll(std::string_view("x\n\"a\nb\0\"\nnext\n", 13), no_nul),
            (Lines{"1 [x]", std::string("3") + kNul}));
  // After a closing quote, and after another problem of the record.
  EXPECT_EQ(ReadAll(std::string_view("\"a\"x\0\nnext\n", 11), no_nul),
            (Lines{std::string("1") + kNul}));
  EXPECT_EQ(ReadAll(std::string_view("a\"b\0\nnext\n", 10), no_nul),
            (Lines{std::string("1") + kNul}));
  // UTF-16 text, the usual way a NUL gets into a CSV file.
  EXPECT_EQ(ReadAll(std::string_view("\xFF\xFE" "a\0,\0b\0\n\0", 10), no_nul),
            (Lines{std::string("1") + kNul}));
}

TEST(CsvReaderTest, NulIsDataByDefault) {
  EXPECT_EQ(ReadAll(std::string_view("\0,\"\0\",\0\0\n", 9)),
            (Lines{"1 [\\x00|\\x00|\\x00\\x00]"}));
  // Junk after a closing quote runs to the separator, NULs included.
  EXPECT_EQ(ReadAll(std::string_view("\"a\"x\0y\nnext\n", 12)),
            (Lines{"1 error: unexpected character after closing quote", "2 [next]"}));
}

// A random file written the way a correct CSV writer would: its records, the
// line each starts on, and each one's length in bytes up to its line break.
struct WellFormedFile {
  std::string data;
  std::vector<std::vector<std::string>> records;
  std::vector<int64_t> lines;
  std::vector<size_t> lengths;
};

WellFormedFile RandomWellFormedFile(std::mt19937& rng) {
  const char alphabet[] = {'a', '1', ',', '"', '\n', '\r', ' ', '\xE2'};
  WellFormedFile file;
  std::vector<std::vector<std::string>>& records = file.records;
  std::string& data = file.data;
  records.resize(rng() % 20);
  int64_t line = 1;
  for (size_t r = 0; r < records.size(); ++r) {
    while (rng() % 4 == 0) {  // Blank lines.
      data += rng() % 2 ? "\n" : "\r\n";
      ++line;
    }
    file.lines.push_back(line);
    const size_t record_start = data.size();
    std::vector<std::string>& fields = records[r];
    fields.resize(1 + rng() % 5);
    for (size_t f = 0; f < fields.size(); ++f) {
      std::string& value = fields[f];
      value.resize(rng() % 6);
      for (char& c : value) c = alphabet[rng() % sizeof(alphabet)];
      const bool must_quote =
          value.find_first_of(",\"\r\n") != std::string::npos ||
          (fields.size() == 1 && value.empty());
      if (f > 0) data += ',';
      if (must_quote || rng() % 4 == 0) {
        data += '"';
        for (char c : value) {
          if (c == '"') data += '"';
          if (c == '\n') ++line;
          data += c;
        }
        data += '"';
      } else {
        data += value;
      }
    }
    file.lengths.push_back(data.size() - record_start);
    if (r + 1 < records.size() || rng() % 2) {
      data += rng() % 2 ? "\n" : "\r\n";
      ++line;
    }
  }
  return file;
}

TEST(CsvReaderTest, RandomWellFormedFilesReadBackExactly) {
  // Writes random records the way a correct CSV writer would, then checks
  // every field and line number.
  const uint32_t seed = ::testing::UnitTest::GetInstance()->random_seed();
  SCOPED_TRACE(kpidb::StrCat("random seed ", seed));
  std::mt19937 rng(seed);
  for (int iteration = 0; iteration < 500; ++iteration) {
    const WellFormedFile file = RandomWellFormedFile(rng);
    const std::string& data = file.data;
    const std::vector<std::vector<std::string>>& records = file.records;
    const std::vector<int64_t>& lines = file.lines;

    Reader reader(data);
    Record record;
    for (size_t r = 0; r < records.size(); ++r) {
      absl::StatusOr<bool> more = reader.Next(&record);
      ASSERT_TRUE(more.ok() && *more) << more.status() << " " << Escape(data);
      EXPECT_EQ(record.line, lines[r]) << Escape(data);
      ASSERT_EQ(record.fields.size(), records[r].size()) << Escape(data);
      for (size_t f = 0; f < record.fields.size(); ++f) {
        EXPECT_EQ(record.fields[f], records[r][f]) << Escape(data);
      }
    }
    absl::StatusOr<bool> more = reader.Next(&record);
    EXPECT_TRUE(more.ok() && !*more) << Escape(data);
  }
}

// Every record up to the first one longer than the limit reads back
// exactly; that one is the error, at its line, and ends the input.
TEST(CsvReaderTest, RandomWellFormedFilesStopAtTheFirstRecordTooLong) {
  const uint32_t seed = ::testing::UnitTest::GetInstance()->random_seed();
  SCOPED_TRACE(kpidb::StrCat("random seed ", seed));
  std::mt19937 rng(seed);
  for (int iteration = 0; iteration < 2000; ++iteration) {
    const WellFormedFile file = RandomWellFormedFile(rng);
    const size_t max = 1 + rng() % 30;
    Reader reader(file.data, MaxRecordBytes(max));
    Record record;
    size_t r = 0;
    for (; r < file.records.size() && file.lengths[r] <= max; ++r) {
      absl::StatusOr<bool> more = reader.Next(&record);
      ASSERT_TRUE(more.ok() && *more) << more.status() << " " << Escape(file.data);
      EXPECT_EQ(record.line, file.lines[r]);
      EXPECT_EQ(record.fields, std::vector<std::string_view>(file.records[r].begin(),
                                                              file.records[r].end()))
          << Escape(file.data);
    }
    absl::StatusOr<bool> more = reader.Next(&record);
    if (r < file.records.size()) {
      ASSERT_FALSE(more.ok()) << "max " << max << " " << Escape(file.data);
      EXPECT_THAT(std::string(more.status().message()),
                  ::testing::StartsWith(kpidb::StrCat("line longer than ", max, " bytes")));
      EXPECT_EQ(record.line, file.lines[r]) << Escape(file.data);
      more = reader.Next(&record);
    }
    EXPECT_TRUE(more.ok() && !*more) << Escape(file.data);
  }
}

TEST(CsvReaderTest, RandomInputNeverHangsOrCrashes) {
  const uint32_t seed = ::testing::UnitTest::GetInstance()->random_seed();
  SCOPED_TRACE(kpidb::StrCat("random seed ", seed));
  std::mt19937 rng(seed);
  const char alphabet[] = {'a',  '1', ',',    '"',    '\n',
                           '\r', ' ', '\xEF', '\xBB', '\xBF', '\0'};
  for (int iteration = 0; iteration < 3000; ++iteration) {
    std::string data(rng() % 40, ' ');
    for (char& c : data) c = alphabet[rng() % sizeof(alphabet)];
    // Exact-size heap copy so ASan sees any read past the end.
    std::vector<char> copy(data.begin(), data.end());
    // Every third input with a small limit, every other one refusing NULs.
    ReaderOptions options;
    if (iteration % 3 == 0) options.max_record_bytes = 1 + rng() % 10;
    options.reject_nul = iteration % 2 == 0;
    Reader reader(std::string_view(copy.data(), copy.size()), options);
    Record record;
    int64_t last_line = 0;
    size_t calls = 0;
    while (true) {
      ASSERT_LE(++calls, data.size() + 2) << Escape(data);
      absl::StatusOr<bool> more = reader.Next(&record);
      if (more.ok() && !*more) break;
      ASSERT_GT(record.line, last_line) << Escape(data);
      last_line = record.line;
    }
  }
}

// ---------------------------------------------------------------------------
// IsValidUtf8

TEST(Utf8Test, Valid) {
  const char* valid[] = {
      "",
      "plain ascii, 0-9",
      "\xE2\x96\xB2"
      "1,998",         // ▲1,998 (Japanese negative sign)
      "\xE2\x96\xB3",  // △
      "\xE2\x88\x92"
      "5",                         // −5 (U+2212 minus sign)
      "\xE6\x97\xA5\xE6\x9C\xAC",  // 日本
      "\xF0\x9F\x98\x80",          // 😀 U+1F600, four bytes
      "\xC2\x80",                  // U+0080, smallest two-byte
      "\xDF\xBF",                  // U+07FF
      "\xE0\xA0\x80",              // U+0800, smallest three-byte
      "\xED\x9F\xBF",              // U+D7FF, just below the surrogates
      "\xEE\x80\x80",              // U+E000, just above them
      "\xEF\xBF\xBF",              // U+FFFF
      "\xF0\x90\x80\x80",          // U+10000, smallest four-byte
      "\xF4\x8F\xBF\xBF",          // U+10FFFF, the largest code point
      "\xEF\xBB\xBF"
      "bom",
  };
  for (const char* s : valid) EXPECT_TRUE(IsValidUtf8(s)) << Escape(s);
  EXPECT_TRUE(IsValidUtf8(std::string_view("a\0b", 3)));
}

TEST(Utf8Test, Invalid) {
  const char* invalid[] = {
      "\x80",  // Stray continuation byte.
      "a\xBF",
      "\xC0\xAF",                  // Overlong '/'.
      "\xC1\xBF",                  // Overlong.
      "\xE0\x80\xAF",              // Overlong three-byte.
      "\xE0\x9F\xBF",              // Overlong U+07FF.
      "\xF0\x80\x80\xAF",          // Overlong four-byte.
      "\xF0\x8F\xBF\xBF",          // Overlong U+FFFF.
      "\xED\xA0\x80",              // U+D800, a surrogate.
      "\xED\xBF\xBF",              // U+DFFF.
      "\xED\xA0\xBD\xED\xB8\x80",  // CESU-8 surrogate pair for 😀.
      "\xF4\x90\x80\x80",          // U+110000.
      "\xF5\x80\x80\x80",
      "\xF7\xBF\xBF\xBF",
      "\xF8\x88\x80\x80\x80",  // Old five-byte form.
      "\xFE",
      "\xFF",
      "\xE2\x96",      // Truncated ▲.
      "\xF0\x9F\x98",  // Truncated emoji.
      "\xC2",
      "\xC2\x41",  // Bad continuation.
      "\xE2\x96\x41",
      "\xE2\x41\xB2",
      "\xF0\x9F\x41\x80",
      "\xF0\x9F\x98\x41",
  };
  for (const char* s : invalid) EXPECT_FALSE(IsValidUtf8(s)) << Escape(s);
}

TEST(Utf8Test, EveryAlignmentAroundTheAsciiFastPath) {
  // The bad or multi-byte sequence lands at every offset within and across
  // the 8-byte words the fast path reads.
  for (size_t before = 0; before <= 17; ++before) {
    for (size_t after = 0; after <= 9; ++after) {
      const std::string pad_before(before, 'x');
      const std::string pad_after(after, 'y');
      EXPECT_TRUE(IsValidUtf8(pad_before + "\xF0\x9F\x98\x80" + pad_after));
      EXPECT_TRUE(IsValidUtf8(pad_before + "\xE2\x96\xB2" + pad_after));
      EXPECT_FALSE(IsValidUtf8(pad_before + "\xED\xA0\x80" + pad_after));
      EXPECT_FALSE(IsValidUtf8(pad_before + "\x80" + pad_after));
      // Truncated at the very end of the input.
      EXPECT_FALSE(IsValidUtf8(pad_before + "\xF0\x9F\x98"));
      EXPECT_TRUE(IsValidUtf8(pad_before + pad_after));
    }
  }
}

// An independent, slow validator: decode the code point, then check it.
bool ReferenceIsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const uint8_t c = s[i];
    int length;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      length = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      length = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      length = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (s.size() - i < static_cast<size_t>(length)) return false;
    for (int k = 1; k < length; ++k) {
      const uint8_t b = s[i + k];
      if ((b & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (b & 0x3F);
    }
    const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min[length] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += length;
  }
  return true;
}

TEST(Utf8Test, MatchesReferenceOnAllShortSequences) {
  std::string s;
  for (int a = 0; a < 256; ++a) {
    s.assign(1, static_cast<char>(a));
    ASSERT_EQ(IsValidUtf8(s), ReferenceIsValidUtf8(s)) << Escape(s);
    for (int b = 0; b < 256; ++b) {
      s.assign({static_cast<char>(a), static_cast<char>(b)});
      ASSERT_EQ(IsValidUtf8(s), ReferenceIsValidUtf8(s)) << Escape(s);
    }
  }
  // Three- and four-byte leads with every second byte and the edge values of
  // the later ones.
  const int edges[] = {0x00, 0x7F, 0x80, 0x8F, 0x90,
                       0x9F, 0xA0, 0xBF, 0xC0, 0xFF};
  for (int a = 0xE0; a < 0x100; ++a) {
    for (int b = 0; b < 256; ++b) {
      for (int c : edges) {
        s.assign(
            {static_cast<char>(a), static_cast<char>(b), static_cast<char>(c)});
        ASSERT_EQ(IsValidUtf8(s), ReferenceIsValidUtf8(s)) << Escape(s);
        for (int d : edges) {
          s.assign({static_cast<char>(a), static_cast<char>(b),
                    static_cast<char>(c), static_cast<char>(d)});
          ASSERT_EQ(IsValidUtf8(s), ReferenceIsValidUtf8(s)) << Escape(s);
        }
      }
    }
  }
}

TEST(Utf8Test, MatchesReferenceOnRandomText) {
  const uint32_t seed = ::testing::UnitTest::GetInstance()->random_seed();
  SCOPED_TRACE(kpidb::StrCat("random seed ", seed));
  std::mt19937 rng(seed);
  const std::string pieces[] = {
      "a",        "0123456789", "\xE2\x96\xB2", "\xF0\x9F\x98\x80",
      "\xC3\xA9", "\x80",       "\xED\xA0\x80", "\xF4\x90\x80\x80",
      "\xE2",     "\xF0\x9F"};
  for (int iteration = 0; iteration < 20000; ++iteration) {
    std::string s;
    const int n = static_cast<int>(rng() % 12);
    for (int k = 0; k < n; ++k) s += pieces[rng() % std::size(pieces)];
    ASSERT_EQ(IsValidUtf8(s), ReferenceIsValidUtf8(s)) << Escape(s);
  }
}

}  // namespace
}  // namespace kpidb::csv
