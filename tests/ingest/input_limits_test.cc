// Tests of what ingest does with hostile inputs: very long fields and lines,
// NUL bytes, endless inputs. Each ends with a short, exact error naming the
// file and line, and nothing is written.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kpidb/db.h"
#include "kpidb/ingest.h"
#include "kpidb/options.h"
#include "lib/csv/utf8.h"
#include "lib/ingest/input_file.h"
#include "tests/testutil.h"

namespace kpidb {
namespace {

using ::kpidb::testing::IsOk;
using ::kpidb::testing::ScopedTempDir;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;
using ::testing::StartsWith;

constexpr char kFactsHeader[] = "company,metric,period,value,unit,scenario,as_of,source\n";
constexpr char kCompaniesHeader[] = "company,name,fiscal_year_end,fy_naming,currency\n";

class InputLimitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<DB>> db = DB::Open(Options(), tmp_.Sub("db"));
    ASSERT_THAT(db, IsOk());
    db_ = std::move(*db);
  }

  // Ingests one input named "in.csv", which must be rejected.
  void ExpectRejected(const std::string& data) {
    report_ = IngestReport();
    const std::vector<IngestInput> inputs = {{"in.csv", data}};
    EXPECT_FALSE(IngestInputs(db_.get(), inputs, {}, &report_).ok());
    EXPECT_EQ(report_.summary.facts, 0u);
  }

  ScopedTempDir tmp_;
  std::unique_ptr<DB> db_;
  IngestReport report_;
};

// --- User text quoted into messages ------------------------------------------

// 100,001 bytes that a cut at a fixed byte count would split inside a
// character: 'a' then two-byte 'é's.
std::string LongText() {
  std::string text = "a";
  while (text.size() < 100'000) text += "\xC3\xA9";
  return text;
}

// Every error is short, valid UTF-8, names the line and shows the length of
// the text it quotes instead of the text.
void ExpectBoundedErrors(const IngestReport& report, const std::string& line_prefix) {
  ASSERT_THAT(report.errors, SizeIs(1));
  const std::string& e = report.errors[0];
  EXPECT_LE(e.size(), 800u) << e.substr(0, 300);
  EXPECT_TRUE(csv::IsValidUtf8(e)) << e.substr(0, 300);
  EXPECT_THAT(e, AllOf(StartsWith(line_prefix), HasSubstr("(100001 bytes)")))
      << e.substr(0, 300);
}

TEST_F(InputLimitsTest, LongHeaderNamesAreCutInMessages) {
  const std::string text = LongText();
  ExpectRejected("company,metric,period,value," + text + "\nIIJ,m,FY2013,1,x\n");
  ExpectBoundedErrors(report_, "in.csv:1: error: unknown column 'a\xC3\xA9");
  ExpectRejected("company,metric,period,value,\"" + text + "\",\"" + text + "\"\n");
  ASSERT_THAT(report_.errors, SizeIs(1));
  EXPECT_LE(report_.errors[0].size(), 1000u);
  EXPECT_TRUE(csv::IsValidUtf8(report_.errors[0]));
}

TEST_F(InputLimitsTest, LongFieldsAreCutInMessages) {
  const std::string text = LongText();
  // One bad field per row, each in a different column.
  const std::vector<std::string> rows = {
      text + ",m,FY2013,1,,,,",                        // company id
      "IIJ," + text + ",FY2013,1,,,,",                 // metric
      "IIJ,m,FY" + text + ",1,,,,",                    // period label
      "IIJ,m,FY2013," + text + ",,,,",                 // value
      "IIJ,m,FY2013,1," + text + ",,,",                // unit (as a whole)
      "IIJ,m,FY2013,1,JPY " + text + ",,,",            // unit (scale word)
      "IIJ,m,FY2013,1,,," + text + ",",                // as_of
      "IIJ,m,FY2013,1,,IIJ" + text + ",,",             // scenario
  };
  for (const std::string& row : rows) {
    SCOPED_TRACE(row.substr(0, 40));
    ExpectRejected(kFactsHeader + row + "\n");
    ASSERT_THAT(report_.errors, SizeIs(1));
    const std::string& e = report_.errors[0];
    EXPECT_LE(e.size(), 800u) << e.substr(0, 300);
    EXPECT_TRUE(csv::IsValidUtf8(e)) << e.substr(0, 300);
    EXPECT_THAT(e, AllOf(StartsWith("in.csv:2: error: "), HasSubstr(" bytes)")))
        << e.substr(0, 300);
  }
}

TEST_F(InputLimitsTest, LongCompaniesFieldsAreCutInMessages) {
  const std::string text = LongText();
  for (const std::string& row : {"NEW,New," + text + ",end,USD",  // fiscal_year_end
                                 "NEW,New,3," + text + ",USD",    // fy_naming
                                 text + ",New,3,end,USD"}) {  // company id
    SCOPED_TRACE(row.substr(0, 40));
    ExpectRejected(kCompaniesHeader + row + "\n");
    ExpectBoundedErrors(report_, "in.csv:2: error: ");
  }
}

// --- Long lines and NUL bytes ------------------------------------------------

constexpr char kTooLong[] =
    "error: line longer than 1048576 bytes, the limit for one record (quoted line "
    "breaks included); the rest of the input is not read";
constexpr char kNul[] =
    "error: NUL byte: the input is not UTF-8 text (UTF-16, or a binary file?); "
    "the rest of it is not read";

TEST_F(InputLimitsTest, LineLongerThanTheLimitEndsTheInputAtItsLine) {
  const std::string data = std::string(kFactsHeader) +
                           "IIJ,m,FY2013,abc,,,,\n" +                          // line 2: bad value
                           "IIJ,m,FY2013,1,,,," + std::string(2 << 20, 'x') +  // line 3
                           "\nIIJ,m,FY2014,xyz,,,,\n";                         // not read
  ExpectRejected(data);
  EXPECT_THAT(report_.errors, ElementsAre(StartsWith("in.csv:2: error: invalid decimal"),
                                          std::string("in.csv:3: ") + kTooLong));
}

TEST_F(InputLimitsTest, HeaderLongerThanTheLimit) {
  ExpectRejected(std::string(kMaxRecordBytes + 1, 'c') + "\nIIJ,m,FY2013,1\n");
  EXPECT_THAT(report_.errors, ElementsAre(std::string("in.csv:1: ") + kTooLong));
}

TEST_F(InputLimitsTest, QuotedFieldLongerThanTheLimit) {
  // Short lines, but one quoted field joins them into a record of 2 MiB.
  std::string field;
  while (field.size() < (2 << 20)) field += "a line of the source\n";
  ExpectRejected(std::string(kFactsHeader) + "IIJ,m,FY2013,1,,,,ok\n" + "IIJ,m,FY2014,1,,,,\"" +
                 field + "\"\n");
  EXPECT_THAT(report_.errors, ElementsAre(std::string("in.csv:3: ") + kTooLong));
}

TEST_F(InputLimitsTest, RecordOfExactlyTheLimitIsLoaded) {
  const std::string row = "IIJ,m,FY2013,1,,,,";
  const std::string data = std::string(kFactsHeader) + row +
                           std::string(kMaxRecordBytes - row.size(), 's') + "\r\n";
  const std::vector<IngestInput> inputs = {{"in.csv", data}};
  EXPECT_THAT(IngestInputs(db_.get(), inputs, {}, &report_), IsOk());
  EXPECT_EQ(report_.summary.new_facts, 1u);
}

TEST_F(InputLimitsTest, NulByteEndsTheInputAtItsLine) {
  const std::string data = std::string(kFactsHeader) + "IIJ,m,FY2013,abc,,,,\n" +
                           "IIJ,m,FY2014,1,,,,\"two\nlines\"\n" +
                           "IIJ,m,FY2015,1,,,,\"x\ny" + std::string(1, '\0') + "\"\n" +
                           "IIJ,m,FY2016,xyz,,,,\n";
  ExpectRejected(data);
  EXPECT_THAT(report_.errors, ElementsAre(StartsWith("in.csv:2: error: invalid decimal"),
                                          std::string("in.csv:6: ") + kNul));
}

TEST_F(InputLimitsTest, Utf16FileIsRefusedAtOnce) {
  std::string data = "\xFF\xFE";
  for (char c : std::string(kFactsHeader) + "IIJ,m,FY2013,1,,,,\n") {
    data += c;
    data += '\0';
  }
  ExpectRejected(data);
  EXPECT_THAT(report_.errors, ElementsAre(std::string("in.csv:1: ") + kNul));
}

// An endless stream through a pipe, as `kpidb-ingest DB /dev/zero` or
// `... | kpidb-ingest DB -` read it: a thread writes up to 64 MiB of
// `byte`, and ingest must stop after the first MiB or so.
class EndlessInputTest : public InputLimitsTest {
 protected:
  // Ingests the pipe, then returns how many bytes the writer got in.
  size_t IngestEndless(char byte) { return IngestPiped(std::string(1 << 16, byte), 1024); }

  // Ingests `chunk` written `times` times through a pipe; returns how many
  // bytes the writer got in before ingest closed it.
  size_t IngestPiped(const std::string& chunk, size_t times) {
    int fds[2];
    EXPECT_EQ(pipe(fds), 0);
    // A write to a pipe whose reader is gone fails with EPIPE instead of
    // killing the test.
    struct sigaction ignore = {}, old = {};
    ignore.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &ignore, &old);
    std::atomic<size_t> written{0};
    std::thread writer([&] {
      const size_t total = chunk.size() * times;
      while (written < total) {
        const size_t offset = written % chunk.size();
        const ssize_t n = write(fds[1], chunk.data() + offset, chunk.size() - offset);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        written += static_cast<size_t>(n);
      }
      close(fds[1]);
    });
    path_ = "/dev/fd/" + std::to_string(fds[0]);
    const std::vector<std::string> paths = {path_};
    status_ = IngestFiles(db_.get(), paths, {}, &report_);
    close(fds[0]);  // the writer, if still writing, gets EPIPE
    writer.join();
    sigaction(SIGPIPE, &old, nullptr);
    return written;
  }

  std::string path_;
  absl::Status status_;
};

TEST_F(EndlessInputTest, EndlessNulBytesStopAtOnce) {
  const size_t written = IngestEndless('\0');
  EXPECT_FALSE(status_.ok());
  EXPECT_THAT(report_.errors, ElementsAre(path_ + ":1: " + kNul));
  // What was read, plus what the pipe buffers (up to 1 MiB).
  EXPECT_LT(written, 4u << 20);
}

TEST_F(EndlessInputTest, EndlessLineStopsAfterTheLimit) {
  const size_t written = IngestEndless('x');
  EXPECT_FALSE(status_.ok());
  EXPECT_THAT(report_.errors, ElementsAre(path_ + ":1: " + kTooLong));
  EXPECT_LT(written, 4u << 20);
}

// A stream is not cut short at a record of exactly the limit with CRLF:
// its line is one byte longer than the record.
TEST_F(EndlessInputTest, RecordOfExactlyTheLimitWithCrlfInAStreamIsLoaded) {
  const std::string row = "IIJ,m,FY2013,1,,,,";
  std::string data = std::string(kFactsHeader) + row +
                     std::string(kMaxRecordBytes - row.size(), 's') + "\r\n";
  // Enough rows after it to fill several reads.
  for (int year = 2014; year < 9000; ++year) {
    data += "IIJ,m,FY" + std::to_string(year) + ",1,,,,\r\n";
  }
  IngestPiped(data, 1);
  EXPECT_THAT(status_, IsOk()) << ::testing::PrintToString(report_.errors);
  EXPECT_EQ(report_.summary.new_facts, 1u + (9000 - 2014));
}

// A stream longer than InputFile::kSpillBytes goes through a temporary
// file, so memory does not grow with what is piped in: the view is the
// same bytes, and the early stops (NUL, overlong line) still hold.
class SpilledStreamTest : public ::testing::Test {
 protected:
  // Opens `data` written through a pipe, spilling after `spill_bytes`.
  absl::Status OpenPiped(const std::string& data, size_t spill_bytes) {
    int fds[2];
    EXPECT_EQ(pipe(fds), 0);
    struct sigaction ignore = {}, old = {};
    ignore.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &ignore, &old);
    std::thread writer([&] {
      std::string_view rest = data;
      while (!rest.empty()) {
        const ssize_t n = write(fds[1], rest.data(), rest.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        rest.remove_prefix(static_cast<size_t>(n));
      }
      close(fds[1]);
    });
    absl::Status s = file_.Open("/dev/fd/" + std::to_string(fds[0]), kMaxRecordBytes, spill_bytes);
    close(fds[0]);
    writer.join();
    sigaction(SIGPIPE, &old, nullptr);
    return s;
  }

  ingest::InputFile file_;
};

TEST_F(SpilledStreamTest, LongStreamIsMappedFromATemporaryFile) {
  std::string data = kFactsHeader;
  for (int year = 2000; year < 9000; ++year) data += "IIJ,m,FY" + std::to_string(year) + ",1,,,,\n";
  ASSERT_THAT(OpenPiped(data, 4096), IsOk());
  EXPECT_TRUE(file_.spilled());
  EXPECT_EQ(file_.view(), data);
  // Released pages read back the same bytes.
  file_.Release(0, data.size());
  EXPECT_EQ(file_.view(), data);
}

TEST_F(SpilledStreamTest, ShortStreamStaysInMemory) {
  const std::string data = std::string(kFactsHeader) + "IIJ,m,FY2013,1,,,,\n";
  ASSERT_THAT(OpenPiped(data, 4096), IsOk());
  EXPECT_FALSE(file_.spilled());
  EXPECT_EQ(file_.view(), data);
}

TEST_F(SpilledStreamTest, NulStillEndsASpilledStream) {
  std::string data(100'000, 'x');
  for (size_t i = 80; i < data.size(); i += 81) data[i] = '\n';
  data[50'000] = '\0';
  data += std::string(1 << 20, 'y');
  ASSERT_THAT(OpenPiped(data, 4096), IsOk());
  EXPECT_TRUE(file_.spilled());
  // Up to the end of the read that held the NUL, and nothing of the rest.
  EXPECT_GT(file_.view().size(), 50'000u);
  EXPECT_LT(file_.view().size(), 50'000u + (1u << 16) + 1);
  EXPECT_EQ(file_.view(), std::string_view(data).substr(0, file_.view().size()));
}

TEST_F(SpilledStreamTest, UnwritableTemporaryFolderIsAClearError) {
  const char* old = std::getenv("TMPDIR");
  const std::string saved = old != nullptr ? old : "";
  setenv("TMPDIR", "/nonexistent-kpidb-test-dir", 1);
  absl::Status s = OpenPiped(std::string(100'000, 'x'), 4096);
  if (old != nullptr) {
    setenv("TMPDIR", saved.c_str(), 1);
  } else {
    unsetenv("TMPDIR");
  }
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.message()),
              AllOf(StartsWith("/dev/fd/"), HasSubstr("/nonexistent-kpidb-test-dir"),
                    HasSubstr("TMPDIR")));
}

}  // namespace
}  // namespace kpidb
