// An input of kpidb::IngestFiles: a file mapped into memory, or standard
// input (or a pipe, a device) read into a string. Mapping avoids copying
// inputs of hundreds of megabytes. A stream longer than kSpillBytes is
// copied into an unnamed temporary file (O_TMPFILE in $TMPDIR, else /tmp:
// it vanishes when closed, also on a crash) and mapped like a file, so
// memory does not grow with what is piped in either.
//
// What is read, rather than mapped, is read only as far as it can be text
// that a csv::Reader with max_record_bytes == max_line_bytes and reject_nul
// accepts: reading stops after the chunk holding a NUL byte, or once a line
// (the bytes between two LFs) is longer than max_line_bytes + 1 (a record
// of max_line_bytes and the CR of its CRLF is fine). What was read is kept
// and holds the problem, so the reader reports it with its line and stops
// there, before the cut: nothing after it is ever taken for data. An
// endless input such as /dev/zero costs one chunk, one without line breaks
// about max_line_bytes.
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

  // Reads `path` ("-" is standard input), stopping early as described
  // above. NotFound for a missing file, InvalidArgument for a directory,
  // Unavailable for other read errors, ResourceExhausted when the
  // temporary file of a stream finds no space; the message starts with the
  // path. `spill_bytes` is kSpillBytes but in tests.
  // REQUIRES: max_line_bytes >= 1.
  [[nodiscard]] absl::Status Open(const std::string& path, size_t max_line_bytes,
                                  size_t spill_bytes = kSpillBytes);

  // The contents; valid while this object lives.
  std::string_view view() const { return view_; }

  // Gives back the memory of view()[begin, end) of a mapped file: the
  // caller is done with it for now (touching it again reads it again from
  // the file).
  void Release(size_t begin, size_t end);

  // Mapped files up to this size are read in whole at Open().
  static constexpr size_t kPopulateBytes = size_t{64} << 20;
  // Streams longer than this go through a temporary file.
  static constexpr size_t kSpillBytes = size_t{64} << 20;

  // Whether a stream went through a temporary file (for tests).
  bool spilled() const { return spilled_; }

 private:
  // Reads what cannot be mapped: standard input, pipes, devices, empty
  // files; `path` names it in messages.
  [[nodiscard]] absl::Status ReadText(int fd, const std::string& path, size_t max_line_bytes,
                                      size_t spill_bytes);
  // Maps `size` bytes of `fd` (read-only, private); false if mmap fails.
  bool Map(int fd, size_t size);

  void* map_ = nullptr;
  bool spilled_ = false;
  size_t size_ = 0;
  std::string data_;
  std::string_view view_;
};

}  // namespace kpidb::ingest

#endif  // KPIDB_LIB_INGEST_INPUT_FILE_H_
