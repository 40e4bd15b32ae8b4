// An input of kpidb::IngestFiles: a file mapped into memory, or standard
// input read into a string. Mapping avoids copying inputs of hundreds of
// megabytes.
#ifndef KPIDB_LIB_INGEST_INPUT_FILE_H_
#define KPIDB_LIB_INGEST_INPUT_FILE_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace kpidb::ingest {

class InputFile {
 public:
  InputFile() = default;
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;
  ~InputFile();

  // Reads `path` ("-" is standard input). NotFound for a missing file,
  // InvalidArgument for a directory, Unavailable for other read errors; the
  // message starts with the path.
  [[nodiscard]] absl::Status Open(const std::string& path);

  // The contents; valid while this object lives.
  std::string_view view() const { return view_; }

 private:
  [[nodiscard]] absl::Status ReadStandardInput();
  // Reads what cannot be mapped: pipes, devices, empty files.
  [[nodiscard]] absl::Status ReadAll(int fd, const std::string& path);

  void* map_ = nullptr;
  size_t size_ = 0;
  std::string data_;
  std::string_view view_;
};

}  // namespace kpidb::ingest

#endif  // KPIDB_LIB_INGEST_INPUT_FILE_H_
