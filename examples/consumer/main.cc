// A complete program using kpidb as a library: define a company, write two
// versions of a target, and read the revenue target back, now and as known
// on an earlier date.
#include <iostream>
#include <memory>

#include "kpidb/db.h"

int main(int argc, char** argv) {
  const char* path = argc > 1 ? argv[1] : "/tmp/kpidb-example";
  absl::StatusOr<std::unique_ptr<kpidb::DB>> db =
      kpidb::DB::Open(kpidb::Options(), path);
  if (!db.ok()) {
    std::cerr << db.status() << "\n";
    return 1;
  }

  // IIJ's fiscal year ends in March and is named by the year it starts in.
  kpidb::Company iij;
  iij.id = "IIJ";
  iij.name = "Internet Initiative Japan Inc.";
  iij.calendar = {3, kpidb::FiscalYearNaming::kStart};
  iij.currency = "JPY";

  kpidb::WriteBatch batch;
  if (absl::Status s = batch.PutCompany(iij); !s.ok()) {
    std::cerr << s << "\n";
    return 1;
  }
  kpidb::Fact target;
  target.company = "IIJ";
  target.metric = "revenue.total";
  target.period = *kpidb::Period::Parse("FY2013", iij.calendar);
  target.scenario = "target";
  target.unit = *kpidb::Unit::Parse("JPY billion");
  target.value = *kpidb::Decimal::Parse("117.0");  // original target
  (void)batch.PutFact(target);
  target.value = *kpidb::Decimal::Parse("114.0");  // revised on 2014-02-07
  target.as_of = absl::CivilDay(2014, 2, 7);
  (void)batch.PutFact(target);

  absl::StatusOr<kpidb::WriteSummary> written =
      (*db)->Write(kpidb::WriteOptions(), batch);
  if (!written.ok()) {
    std::cerr << written.status() << "\n";
    return 1;
  }

  kpidb::Query query;
  query.companies = {"IIJ"};
  query.metric = "revenue.*";
  query.scenarios = {"target"};
  query.from = "FY2013";
  query.to = "FY2013";
  for (auto as_of : {std::optional<absl::CivilDay>(),
                     std::optional<absl::CivilDay>(absl::CivilDay(2014, 1, 31))}) {
    query.as_of = as_of;
    absl::StatusOr<kpidb::QueryResult> r = (*db)->Execute(query);
    if (!r.ok()) {
      std::cerr << r.status() << "\n";
      return 1;
    }
    for (size_t s = 0; s < r->series.size(); ++s) {
      for (size_t i = r->series_begin(s); i < r->series_end(s); ++i) {
        std::cout << r->series[s].metric << " "
                  << r->periods[i].Label(r->series[s].calendar) << " "
                  << r->values[i].ToString() << " " << r->unit(i).ToString()
                  << (as_of ? " (as known on 2014-01-31)" : " (latest)")
                  << "\n";
      }
    }
  }
  return 0;
}
