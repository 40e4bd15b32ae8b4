// The crash and stress tests' writer: opens (or creates) a database and
// applies batches --first..--last of the workload (tests/crash/workload.h),
// reporting its progress on standard output, one line each, so that a
// parent that kills it knows what it had done:
//
//   opened T               DB::Open returned (T: CLOCK_MONOTONIC ns)
//   begin J T              about to write batch J
//   committed J T          the write of batch J returned OK
//   reopened T             closed and opened the database again
//   done                   stopped normally
//   error MESSAGE          something failed (exit status 2)
// and with --trace, file activity, to tell where a kill landed or what a
// reader's open raced (T: CLOCK_MONOTONIC ns):
//   fs open T KIND NAME    a staging or table file was created
//   fs close T KIND NAME   ... and closed (KIND: staging, table)
//   fs link T NAME         a staged file was linked into the database (ingest)
//   fs delete T NAME       a table file of the database was deleted
//
//   kpidb_crash_writer --db=PATH --spec=SPEC --first=1 --last=40
//       [--pause-ms=0] [--seconds=0] [--reopen-every=0] [--trace]
//
// --seconds stops after that long (0: no limit); --reopen-every=R closes and
// reopens the writer after every R-th batch; --pause-ms sleeps between batches.
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <thread>

#include "kpidb/db.h"
#include "lib/store/db_impl.h"
#include "rocksdb/env.h"
#include "rocksdb/file_system.h"
#include "tests/crash/workload.h"

namespace {

using kpidb::crash::NowNs;
using kpidb::crash::Say;

std::string Now() { return std::to_string(NowNs()) + " "; }

// Reports the creation and closing of staging files (a write being staged)
// and of table files in the database folder (compaction output: the writer
// flushes only when it creates a database), and links (ingestion). It only
// watches: every call goes to the default file system.
class TracingFileSystem : public rocksdb::FileSystemWrapper {
 public:
  TracingFileSystem() : rocksdb::FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  static const char* kClassName() { return "TracingFileSystem"; }
  const char* Name() const override { return kClassName(); }

  rocksdb::IOStatus NewWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                    std::unique_ptr<rocksdb::FSWritableFile>* r,
                                    rocksdb::IODebugContext* dbg) override {
    const char* kind = f.find("/staging/") != std::string::npos ? "staging"
                       : f.size() > 4 && f.compare(f.size() - 4, 4, ".sst") == 0 ? "table"
                                                                                   : nullptr;
    if (kind != nullptr) Say("fs open " + Now() + kind + " " + f);
    std::unique_ptr<rocksdb::FSWritableFile> file;
    rocksdb::IOStatus s = target()->NewWritableFile(f, o, &file, dbg);
    if (s.ok() && kind != nullptr) {
      *r = std::make_unique<File>(std::move(file), std::string(kind) + " " + f);
    } else if (s.ok()) {
      *r = std::move(file);
    } else if (kind != nullptr) {
      Say("fs close " + Now() + kind + " " + f);
    }
    return s;
  }
  rocksdb::IOStatus LinkFile(const std::string& src, const std::string& dst,
                             const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
    Say("fs link " + Now() + src);
    return target()->LinkFile(src, dst, o, dbg);
  }
  rocksdb::IOStatus DeleteFile(const std::string& f, const rocksdb::IOOptions& o,
                               rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = target()->DeleteFile(f, o, dbg);
    if (f.find("/staging/") == std::string::npos && f.size() > 4 &&
        f.compare(f.size() - 4, 4, ".sst") == 0) {
      Say("fs delete " + Now() + f);
    }
    return s;
  }

 private:
  class File : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    File(std::unique_ptr<rocksdb::FSWritableFile> f, std::string what)
        : rocksdb::FSWritableFileOwnerWrapper(std::move(f)), what_(std::move(what)) {}
    ~File() override { Say("fs close " + Now() + what_); }

   private:
    std::string what_;
  };
};

int Fail(const std::string& message) {
  Say("error " + message);
  std::cerr << "kpidb_crash_writer: " << message << "\n";
  return 2;
}

bool Flag(std::string_view arg, std::string_view name, std::string* value) {
  if (arg.substr(0, name.size()) != name || arg.size() <= name.size() ||
      arg[name.size()] != '=') {
    return false;
  }
  *value = std::string(arg.substr(name.size() + 1));
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::string db_path, spec_text, value;
  long first = 1, last = 0, pause_ms = 0, seconds = 0, reopen_every = 0;
  bool trace = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--trace") {
      trace = true;
      continue;
    }
    if (Flag(a, "--db", &db_path) || Flag(a, "--spec", &spec_text)) continue;
    long* target = Flag(a, "--first", &value)          ? &first
                   : Flag(a, "--last", &value)         ? &last
                   : Flag(a, "--pause-ms", &value)     ? &pause_ms
                   : Flag(a, "--seconds", &value)      ? &seconds
                   : Flag(a, "--reopen-every", &value) ? &reopen_every
                                                       : nullptr;
    char* end = nullptr;
    if (target == nullptr || value.empty() ||
        (*target = std::strtol(value.c_str(), &end, 10), *end != '\0')) {
      return Fail("usage: bad argument '" + std::string(a) + "'");
    }
  }
  std::optional<kpidb::crash::Spec> spec = kpidb::crash::Spec::Parse(spec_text);
  if (db_path.empty() || !spec.has_value() || first < 1) {
    return Fail("usage: --db=PATH --spec=SPEC --first=J --last=N");
  }
  // DB::Open is DBImpl::Open on the default Env; --trace only watches it.
  std::unique_ptr<rocksdb::Env> env;
  if (trace) env = rocksdb::NewCompositeEnv(std::make_shared<TracingFileSystem>());
  auto open = [&] {
    return trace ? kpidb::store::DBImpl::Open(kpidb::Options(), db_path, env.get())
                 : kpidb::DB::Open(kpidb::Options(), db_path);
  };
  const int64_t start = NowNs();
  absl::StatusOr<std::unique_ptr<kpidb::DB>> db = open();
  if (!db.ok()) return Fail("open: " + db.status().ToString());
  Say("opened " + std::to_string(NowNs()));
  for (long j = first; j <= last; ++j) {
    if (seconds > 0 && NowNs() - start > seconds * 1'000'000'000) break;
    const kpidb::crash::Batch batch = kpidb::crash::MakeBatch(*spec, static_cast<int>(j));
    Say("begin " + std::to_string(j) + " " + std::to_string(NowNs()));
    if (absl::Status s = kpidb::crash::ApplyBatch(db->get(), *spec, batch); !s.ok()) {
      return Fail(s.ToString());
    }
    Say("committed " + std::to_string(j) + " " + std::to_string(NowNs()));
    if (reopen_every > 0 && j % reopen_every == 0 && j < last) {
      db->reset();
      db = open();
      if (!db.ok()) return Fail("reopen: " + db.status().ToString());
      Say("reopened " + std::to_string(NowNs()));
    }
    if (pause_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms));
  }
  db->reset();
  Say("done");
  return 0;
}
