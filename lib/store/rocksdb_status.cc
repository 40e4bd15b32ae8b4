#include "lib/store/rocksdb_status.h"

#include "absl/strings/match.h"
#include "lib/util/str_cat.h"

namespace kpidb::store {

absl::Status FromRocksDB(const rocksdb::Status& s, std::string_view context) {
  if (s.ok()) return absl::OkStatus();
  const std::string msg = kpidb::StrCat(context, ": ", s.ToString());
  if (s.IsIOError() && (absl::StrContains(s.ToString(), "lock") ||
                        absl::StrContains(s.ToString(), "LOCK"))) {
    return absl::FailedPreconditionError(kpidb::StrCat(
        context, ": database is locked by another process (", s.ToString(),
        ")"));
  }
  if (s.IsNoSpace() || absl::StrContains(s.ToString(), "No space left on device")) {
    return absl::ResourceExhaustedError(kpidb::StrCat(
        context, ": no space left on device (", s.ToString(), ")"));
  }
  if (s.IsIOError() && absl::StrContains(s.ToString(), "Permission denied")) {
    return absl::PermissionDeniedError(msg);
  }
  if (s.IsMemoryLimit()) return absl::ResourceExhaustedError(msg);
  if (s.IsCorruption()) return absl::DataLossError(msg);
  if (s.IsNotFound()) return absl::NotFoundError(msg);
  if (s.IsInvalidArgument()) return absl::InvalidArgumentError(msg);
  if (s.IsNotSupported()) return absl::UnimplementedError(msg);
  if (s.IsBusy() || s.IsTryAgain()) return absl::UnavailableError(msg);
  if (s.IsAborted()) return absl::AbortedError(msg);
  if (s.IsIncomplete()) return absl::UnavailableError(msg);
  return absl::InternalError(msg);
}

}  // namespace kpidb::store
