// An ingest larger than one batch and one in-memory run: the bulk write
// gets several batches, spills sorted runs, and the result is exactly the
// input, committed once.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kpidb/db.h"
#include "kpidb/ingest.h"
#include "lib/store/db_impl.h"
#include "tests/testutil.h"

namespace kpidb {
namespace {

using ::kpidb::testing::IsOk;
using ::kpidb::testing::ScopedTempDir;
using ::kpidb::testing::StatusIs;
using ::testing::HasSubstr;

constexpr int kCompanies = 1000;
constexpr int kQuarters = 300;  // 75 years: 300,000 facts, over one batch

std::string Value(int c, int q) { return std::to_string(c * 1000 + q); }

std::string FactsCsv(bool with_conflict) {
  std::string csv = "company,metric,period,value,unit\n";
  for (int q = 0; q < kQuarters; ++q) {
    for (int c = 0; c < kCompanies; ++c) {
      // Appended in pieces: GCC 12 warns falsely (-Wrestrict, bug 105651)
      // on "literal" + std::string&&.
      csv += 'C';
      csv += std::to_string(c);
      csv += ",revenue,FY";
      csv += std::to_string(1950 + q / 4);
      csv += 'Q';
      csv += std::to_string(q % 4 + 1);
      csv += ',';
      csv += Value(c, q);
      csv += ",USD million\n";
    }
  }
  // Line 2 says C0's FY1950Q1 is 0; the last line disagrees.
  if (with_conflict) csv += "C0,revenue,FY1950Q1,1,USD million\n";
  return csv;
}

class BulkIngestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<DB>> db = DB::Open(Options(), dir_.Sub("db"));
    ASSERT_THAT(db, IsOk());
    db_ = std::move(*db);
    // Spill a run every 40,000 facts: several runs and several batches.
    static_cast<store::DBImpl*>(db_.get())->set_spill_facts_for_testing(40'000);
  }
  ScopedTempDir dir_;
  std::unique_ptr<DB> db_;
};

TEST_F(BulkIngestTest, LargeIngestIsExactlyItsInput) {
  IngestReport report;
  const std::vector<IngestInput> inputs = {{"facts.csv", FactsCsv(false)}};
  ASSERT_THAT(IngestInputs(db_.get(), inputs, IngestOptions(), &report), IsOk());
  EXPECT_EQ(report.facts_read, size_t{kCompanies} * kQuarters);
  EXPECT_EQ(report.summary.new_facts, size_t{kCompanies} * kQuarters);
  Query q;
  q.with_sources = false;
  absl::StatusOr<QueryResult> r = db_->Execute(q);
  ASSERT_THAT(r, IsOk());
  ASSERT_EQ(r->series.size(), size_t{kCompanies});
  ASSERT_EQ(r->values.size(), size_t{kCompanies} * kQuarters);
  for (size_t s = 0; s < r->series.size(); ++s) {
    const int c = std::stoi(r->series[s].company.substr(1));
    ASSERT_EQ(r->series_end(s) - r->series_begin(s), size_t{kQuarters});
    for (size_t i = r->series_begin(s); i < r->series_end(s); ++i) {
      const int q = static_cast<int>(i - r->series_begin(s));
      ASSERT_EQ(r->values[i].ToString(), Value(c, q)) << r->series[s].company << " " << q;
    }
  }
}

// A conflict between the first and the last line, in different batches and
// runs, is found and names both lines; nothing is written.
TEST_F(BulkIngestTest, ConflictAcrossBatchesWritesNothing) {
  IngestReport report;
  const std::vector<IngestInput> inputs = {{"facts.csv", FactsCsv(true)}};
  EXPECT_THAT(IngestInputs(db_.get(), inputs, IngestOptions(), &report),
              StatusIs(absl::StatusCode::kAlreadyExists));
  ASSERT_EQ(report.errors.size(), 1u);
  EXPECT_THAT(report.errors[0], HasSubstr("facts.csv:300002: error: conflicting duplicate"));
  EXPECT_THAT(report.errors[0], HasSubstr("(see facts.csv:2)"));
  absl::StatusOr<QueryResult> r = db_->Execute(Query());
  ASSERT_THAT(r, IsOk());
  EXPECT_TRUE(r->values.empty());
}

}  // namespace
}  // namespace kpidb
