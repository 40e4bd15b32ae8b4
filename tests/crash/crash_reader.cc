// The stress test's reader process: opens a database read-only --reads
// times, each time reading every fact (all versions) and company, and
// prints one line per read:
//
//   read T0 TO T1 FACTS COMPANIES HASH  (tests/crash/workload.h, Fingerprint)
//   error T0 TO T1 STATUS               the open or the read failed
//
// T0 is just before DB::Open, TO when it returned, T1 after the read
// (CLOCK_MONOTONIC ns). A
// failed read does not stop the others; the exit status is 0 unless the
// arguments are bad.
//
//   kpidb_crash_reader --db=PATH [--reads=1]
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

#include "kpidb/db.h"
#include "tests/crash/workload.h"

int main(int argc, char** argv) {
  using kpidb::crash::NowNs;
  std::string db_path;
  long reads = 1;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a.substr(0, 5) == "--db=") {
      db_path = std::string(a.substr(5));
    } else if (a.substr(0, 8) == "--reads=") {
      reads = std::strtol(argv[i] + 8, nullptr, 10);
    } else {
      std::cerr << "usage: kpidb_crash_reader --db=PATH [--reads=N]\n";
      return 2;
    }
  }
  if (db_path.empty() || reads < 1) {
    std::cerr << "usage: kpidb_crash_reader --db=PATH [--reads=N]\n";
    return 2;
  }
  kpidb::Options options;
  options.read_only = true;
  for (long i = 0; i < reads; ++i) {
    const int64_t t0 = NowNs();
    absl::StatusOr<std::unique_ptr<kpidb::DB>> db = kpidb::DB::Open(options, db_path);
    const int64_t t_open = NowNs();
    absl::StatusOr<kpidb::crash::Fingerprint> fp =
        db.ok() ? kpidb::crash::FingerprintOf(**db)
                : absl::StatusOr<kpidb::crash::Fingerprint>(db.status());
    db = absl::StatusOr<std::unique_ptr<kpidb::DB>>(nullptr);  // closes
    const int64_t t1 = NowNs();
    const std::string times = std::to_string(t0) + " " + std::to_string(t_open) + " " + std::to_string(t1) + " ";
    if (fp.ok()) {
      kpidb::crash::Say("read " + times + std::to_string(fp->facts) + " " +
                        std::to_string(fp->companies) + " " + kpidb::crash::Hex(fp->hash));
    } else {
      std::string message = fp.status().ToString();
      for (char& ch : message) {
        if (ch == '\n') ch = ' ';
      }
      kpidb::crash::Say("error " + times + message);
    }
  }
  return 0;
}
