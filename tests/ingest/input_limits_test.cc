// Tests of what ingest does with hostile inputs: very long fields and lines,
// NUL bytes, endless inputs. Each ends with a short, exact error naming the
// file and line, and nothing is written.
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kpidb/db.h"
#include "kpidb/ingest.h"
#include "kpidb/options.h"
#include "lib/csv/utf8.h"
#include "tests/testutil.h"

namespace kpidb {
namespace {

using ::kpidb::testing::IsOk;
using ::kpidb::testing::ScopedTempDir;
using ::testing::AllOf;
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

}  // namespace
}  // namespace kpidb
