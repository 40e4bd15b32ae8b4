// One DB handle shared by threads: readers running queries and the other
// const calls while writers commit through DB::Write and DB::NewBulkWrite.
// Every read must see whole writes, and what one thread saw, its later calls
// must not contradict. scripts/test.sh runs these under ThreadSanitizer too
// (the suite names match its "Concurrent" pattern).
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kpidb/db.h"
#include "tests/testutil.h"

namespace kpidb {
namespace {

using ::kpidb::testing::IsOk;
using ::kpidb::testing::ScopedTempDir;

const std::vector<std::string> kPairCompanies = {"X", "Y"};
const std::vector<std::string> kPairMetrics = {"stress.a", "stress.b"};

Period FiscalYear(int year) {
  return *Period::Parse("FY" + std::to_string(year), FiscalCalendar::CalendarYear());
}

Fact MakeFact(std::string company, std::string metric, Period period, int value) {
  Fact f;
  f.company = std::move(company);
  f.metric = std::move(metric);
  f.period = period;
  f.scenario = "actual";
  f.value = *Decimal::Parse(std::to_string(value));
  f.unit = *Unit::Parse("count");
  return f;
}

// Write number `i` (0-based): value i at FY(1950+i) in each of the four pair
// series, one new metric "stress.n<i>" (new catalog strings in every write)
// and one new company "C<i>".
std::vector<Fact> FactsOfWrite(int i) {
  std::vector<Fact> facts;
  for (const std::string& c : kPairCompanies) {
    for (const std::string& m : kPairMetrics) {
      facts.push_back(MakeFact(c, m, FiscalYear(1950 + i), i));
    }
  }
  facts.push_back(MakeFact("X", "stress.n" + std::to_string(i), FiscalYear(1950), i));
  return facts;
}
Company CompanyOfWrite(int i) {
  Company company;
  company.id = "C" + std::to_string(i);
  company.name = "Company " + std::to_string(i);
  company.calendar = FiscalCalendar::CalendarYear();
  return company;
}

// Write `i` as one batch.
WriteBatch OneBatch(int i) {
  WriteBatch batch;
  uint64_t tag = 1;
  for (const Fact& f : FactsOfWrite(i)) EXPECT_THAT(batch.PutFact(f, tag++), IsOk());
  EXPECT_THAT(batch.PutCompany(CompanyOfWrite(i), tag++), IsOk());
  return batch;
}

// Write `i` as batches of one fact each, the company last, for a bulk write.
std::vector<WriteBatch> Batches(int i) {
  std::vector<WriteBatch> batches;
  uint64_t tag = 1;
  for (const Fact& f : FactsOfWrite(i)) {
    batches.emplace_back();
    EXPECT_THAT(batches.back().PutFact(f, tag++), IsOk());
  }
  batches.emplace_back();
  EXPECT_THAT(batches.back().PutCompany(CompanyOfWrite(i), tag++), IsOk());
  return batches;
}

// How many writes a query result shows, or an empty string and *writes set
// when it is the state after exactly *writes whole writes; else what is wrong.
std::string CheckWholeWrites(const QueryResult& r, int* writes) {
  std::map<std::string, std::vector<std::string>> series;  // "company/metric" -> values
  for (size_t s = 0; s < r.series.size(); ++s) {
    std::vector<std::string>& values = series[r.series[s].company + "/" + r.series[s].metric];
    for (size_t i = r.series_begin(s); i < r.series_end(s); ++i) {
      values.push_back(r.values[i].ToString());
    }
  }
  int n = 0;
  while (series.count("X/stress.n" + std::to_string(n)) != 0) ++n;
  const size_t expected_series = n == 0 ? 0 : 4 + static_cast<size_t>(n);
  if (series.size() != expected_series) {
    return "saw " + std::to_string(series.size()) + " series after " + std::to_string(n) +
           " writes' new metrics, expected " + std::to_string(expected_series);
  }
  for (int k = 0; k < n; ++k) {
    const std::vector<std::string>& v = series["X/stress.n" + std::to_string(k)];
    if (v != std::vector<std::string>{std::to_string(k)}) return "stress.n" + std::to_string(k);
  }
  if (n > 0) {
    for (const std::string& c : kPairCompanies) {
      for (const std::string& m : kPairMetrics) {
        const std::vector<std::string>& v = series[c + "/" + m];
        if (v.size() != static_cast<size_t>(n)) {
          return c + "/" + m + " has " + std::to_string(v.size()) + " rows after " +
                 std::to_string(n) + " writes";
        }
        for (int k = 0; k < n; ++k) {
          if (v[k] != std::to_string(k)) return c + "/" + m + " row " + std::to_string(k);
        }
      }
    }
  }
  *writes = n;
  return "";
}

int CountWriteCompanies(const std::vector<Company>& companies) {
  int n = 0;
  for (const Company& c : companies) n += c.id[0] == 'C' ? 1 : 0;
  return n;
}

class ConcurrentDBTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<DB>> db = DB::Open(Options(), dir_.Sub("db"));
    ASSERT_THAT(db, IsOk());
    db_ = std::move(*db);
  }

  ScopedTempDir dir_;
  std::unique_ptr<DB> db_;
};

// Readers query, list companies and look one up while one writer thread
// commits writes through DB::Write and DB::NewBulkWrite (several batches),
// with dry runs and abandoned bulk writes in between. Every query shows the
// state after a whole number of writes, never fewer than the same thread
// saw before, and the companies list agrees with it.
TEST_F(ConcurrentDBTest, ReadersSeeWholeWritesAndBulkWrites) {
  constexpr int kWrites = 36;
  constexpr int kReaders = 3;
  std::atomic<bool> done{false};
  std::atomic<int> reads{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kReaders; ++t) {
    threads.emplace_back([&, t] {
      int last = 0;
      while (!done.load()) {
        Query q;
        q.metric = "stress.*";
        absl::StatusOr<QueryResult> r = db_->Execute(q);
        if (!r.ok()) {
          ADD_FAILURE() << "reader " << t << ": " << r.status();
          return;
        }
        int writes = 0;
        const std::string wrong = CheckWholeWrites(*r, &writes);
        if (!wrong.empty()) {
          ADD_FAILURE() << "reader " << t << " saw part of a write: " << wrong;
          return;
        }
        if (writes < last) {
          ADD_FAILURE() << "reader " << t << " saw " << writes << " writes after " << last;
          return;
        }
        // Companies commit with their write's facts: a later call sees at
        // least as many, and a later query at least as many as it.
        const int companies = CountWriteCompanies(db_->Companies());
        if (companies < writes) {
          ADD_FAILURE() << "reader " << t << ": " << companies << " companies after a query saw "
                        << writes << " writes";
          return;
        }
        last = companies;
        if (writes > 0) {
          absl::StatusOr<Company> c0 = db_->GetCompany("C0");
          if (!c0.ok() || c0->name != "Company 0") {
            ADD_FAILURE() << "reader " << t << ": C0 " << c0.status();
            return;
          }
          (void)db_->CalendarOf("C" + std::to_string(writes - 1));
        }
        reads.fetch_add(1);
      }
    });
  }
  struct Joiner {
    std::atomic<bool>& done;
    std::vector<std::thread>& threads;
    ~Joiner() {
      done = true;
      for (std::thread& t : threads) t.join();
    }
  } joiner{done, threads};

  std::thread writer([&] {
    for (int i = 0; i < kWrites; ++i) {
      WriteOptions options;
      options.sync = false;
      if (i % 3 == 1) {
        // A dry run checks the write and changes nothing.
        WriteOptions dry = options;
        dry.dry_run = true;
        absl::StatusOr<WriteSummary> s = db_->Write(dry, OneBatch(i));
        ASSERT_THAT(s, IsOk());
        EXPECT_EQ(s->facts, 5u);
      } else if (i % 3 == 2) {
        // A bulk write destroyed without Commit() writes nothing.
        absl::StatusOr<std::unique_ptr<DB::BulkWrite>> bulk = db_->NewBulkWrite(options);
        ASSERT_THAT(bulk, IsOk());
        for (const WriteBatch& b : Batches(i)) ASSERT_THAT((*bulk)->Add(b), IsOk());
      }
      if (i % 2 == 0) {
        ASSERT_THAT(db_->Write(options, OneBatch(i)), IsOk()) << "write " << i;
      } else {
        absl::StatusOr<std::unique_ptr<DB::BulkWrite>> bulk = db_->NewBulkWrite(options);
        ASSERT_THAT(bulk, IsOk());
        for (const WriteBatch& b : Batches(i)) ASSERT_THAT((*bulk)->Add(b), IsOk());
        ASSERT_THAT((*bulk)->Commit(), IsOk()) << "bulk write " << i;
      }
      // Let reads run between writes, however fast the writes are.
      const int seen = reads.load();
      for (int spin = 0; spin < 2000 && reads.load() < seen + kReaders; ++spin) {
        std::this_thread::sleep_for(std::chrono::microseconds(250));
      }
    }
  });
  writer.join();
  done = true;

  Query q;
  q.metric = "stress.*";
  absl::StatusOr<QueryResult> r = db_->Execute(q);
  ASSERT_THAT(r, IsOk());
  int writes = 0;
  EXPECT_EQ(CheckWholeWrites(*r, &writes), "");
  EXPECT_EQ(writes, kWrites);
  EXPECT_EQ(CountWriteCompanies(db_->Companies()), kWrites);
  EXPECT_GT(reads.load(), kWrites);
}

// Two threads write at once: the writes are serialized, none is lost.
TEST_F(ConcurrentDBTest, WritersAreSerialized) {
  constexpr int kWrites = 15;
  std::vector<std::thread> writers;
  for (const std::string company : {"P", "Q"}) {
    writers.emplace_back([this, company] {
      for (int i = 0; i < kWrites; ++i) {
        WriteOptions options;
        options.sync = false;
        WriteBatch b;
        ASSERT_THAT(b.PutFact(MakeFact(company, "serial.m", FiscalYear(1950 + i), i)), IsOk());
        if (i % 2 == 0) {
          ASSERT_THAT(db_->Write(options, b), IsOk());
        } else {
          absl::StatusOr<std::unique_ptr<DB::BulkWrite>> bulk = db_->NewBulkWrite(options);
          ASSERT_THAT(bulk, IsOk());
          ASSERT_THAT((*bulk)->Add(b), IsOk());
          ASSERT_THAT((*bulk)->Commit(), IsOk());
        }
      }
    });
  }
  for (std::thread& t : writers) t.join();
  Query q;
  q.metric = "serial.m";
  absl::StatusOr<QueryResult> r = db_->Execute(q);
  ASSERT_THAT(r, IsOk());
  ASSERT_EQ(r->series.size(), 2u);
  EXPECT_EQ(r->size(), 2u * kWrites);
}

// A bulk write is not tied to the thread that began it: it may be handed to
// another thread, which adds, commits and destroys it (the writer lock goes
// with it), and the first thread may write again afterwards.
TEST_F(ConcurrentDBTest, BulkWriteMayEndOnAnotherThread) {
  WriteOptions options;
  options.sync = false;
  absl::StatusOr<std::unique_ptr<DB::BulkWrite>> bulk = db_->NewBulkWrite(options);
  ASSERT_THAT(bulk, IsOk());
  std::thread other([&] {
    WriteBatch b;
    ASSERT_THAT(b.PutFact(MakeFact("X", "handoff.m", FiscalYear(2000), 1)), IsOk());
    ASSERT_THAT((*bulk)->Add(b), IsOk());
    EXPECT_THAT((*bulk)->Commit(), IsOk());
    bulk->reset();
  });
  other.join();
  // And one begun on another thread ends here, abandoned.
  std::unique_ptr<DB::BulkWrite> abandoned;
  std::thread begin([&] {
    absl::StatusOr<std::unique_ptr<DB::BulkWrite>> b = db_->NewBulkWrite(options);
    ASSERT_THAT(b, IsOk());
    abandoned = std::move(*b);
  });
  begin.join();
  abandoned.reset();
  WriteBatch b;
  ASSERT_THAT(b.PutFact(MakeFact("X", "handoff.m", FiscalYear(2001), 2)), IsOk());
  ASSERT_THAT(db_->Write(options, b), IsOk());
  Query q;
  q.metric = "handoff.m";
  absl::StatusOr<QueryResult> r = db_->Execute(q);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->size(), 2u);
}

}  // namespace
}  // namespace kpidb
