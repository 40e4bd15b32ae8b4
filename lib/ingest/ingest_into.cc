// IngestFilesInto: a load by database path, which is what lets a dry run
// decide for itself what to open (see kpidb/ingest.h).
#include "kpidb/ingest.h"

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>

#include "absl/status/statusor.h"
#include "kpidb/db.h"
#include "lib/util/resource_errors.h"
#include "lib/util/status_macros.h"

namespace kpidb {
namespace {

// A new empty temporary directory, removed with its contents on destruction.
class ScratchDirectory {
 public:
  // Unavailable when none can be made.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<ScratchDirectory>> Create() {
    std::error_code ec;
    std::string path =
        (std::filesystem::temp_directory_path(ec) / "kpidb-dry-run-XXXXXX").string();
    if (ec || mkdtemp(path.data()) == nullptr) {
      // kpidb-ingest prints this as it is; it names the flag users set.
      return absl::UnavailableError("cannot create a scratch directory for --dry-run");
    }
    return std::unique_ptr<ScratchDirectory>(new ScratchDirectory(std::move(path)));
  }

  ScratchDirectory(const ScratchDirectory&) = delete;
  ScratchDirectory& operator=(const ScratchDirectory&) = delete;
  ~ScratchDirectory() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }

  const std::string& path() const { return path_; }

 private:
  explicit ScratchDirectory(std::string path) : path_(std::move(path)) {}

  std::string path_;
};

// The handle is closed on return, before a scratch database is removed.
[[nodiscard]] absl::Status OpenAndIngest(const Options& db_options, std::string_view db_path,
                                         std::span<const std::string> paths,
                                         const IngestOptions& options, IngestReport* report) {
  KPIDB_ASSIGN_OR_RETURN(std::unique_ptr<DB> db, DB::Open(db_options, db_path));
  return IngestFiles(db.get(), paths, options, report);
}

}  // namespace

absl::Status IngestFilesInto(std::string_view db_path, std::span<const std::string> paths,
                             const IngestOptions& options, IngestReport* report) {
  return ReturnResourceErrors(db_path, [&]() -> absl::Status {
  *report = IngestReport();
  if (!options.dry_run) return OpenAndIngest(Options(), db_path, paths, options, report);
  if (DB::Exists(db_path)) {
    // Read-only: no writer lock taken, no file of the database touched.
    Options read_only;
    read_only.read_only = true;
    return OpenAndIngest(read_only, db_path, paths, options, report);
  }
  // Opening a missing database would create it; validating against an empty
  // one elsewhere gives the same report.
  KPIDB_ASSIGN_OR_RETURN(std::unique_ptr<ScratchDirectory> scratch, ScratchDirectory::Create());
  return OpenAndIngest(Options(), scratch->path(), paths, options, report);
  });
}

}  // namespace kpidb
