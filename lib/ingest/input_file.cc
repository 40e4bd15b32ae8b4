#include "lib/ingest/input_file.h"

#include <algorithm>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "lib/util/str_cat.h"

namespace kpidb::ingest {
namespace {

// The error of the last system call on `path`.
[[nodiscard]] absl::Status Errno(const std::string& path, std::string_view what) {
  const int err = errno;
  std::string msg = kpidb::StrCat(path, ": ", what, ": ", std::strerror(err));
  return err == ENOENT ? absl::NotFoundError(msg) : absl::UnavailableError(msg);
}

}  // namespace

InputFile::~InputFile() {
  if (map_ != nullptr) munmap(map_, size_);
}

absl::Status InputFile::Open(const std::string& path, size_t max_line_bytes) {
  if (path == "-") return ReadText(STDIN_FILENO, "standard input", max_line_bytes);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Errno(path, "cannot open");
  struct stat st;
  if (fstat(fd, &st) != 0) {
    absl::Status s = Errno(path, "cannot stat");
    ::close(fd);
    return s;
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    return absl::InvalidArgumentError(kpidb::StrCat(path, ": is a directory"));
  }
  if (S_ISREG(st.st_mode) && st.st_size > 0) {
    size_ = static_cast<size_t>(st.st_size);
    // Small files are faulted in at once (cheaper than a fault a page);
    // large ones are read ahead as the reader goes, and Release() drops
    // what it passed, so memory does not grow with the input.
    const int populate = size_ <= kPopulateBytes ? MAP_POPULATE : 0;
    void* m = mmap(nullptr, size_, PROT_READ, MAP_PRIVATE | populate, fd, 0);
    if (m != MAP_FAILED) {
      if (populate == 0) madvise(m, size_, MADV_SEQUENTIAL);
      ::close(fd);
      map_ = m;
      view_ = std::string_view(static_cast<const char*>(m), size_);
      return absl::OkStatus();
    }
    size_ = 0;  // a failed mmap falls back to reading
  }
  absl::Status s = ReadText(fd, path, max_line_bytes);
  ::close(fd);
  return s;
}

void InputFile::Release(size_t begin, size_t end) {
  if (map_ == nullptr) return;
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  // Whole pages inside [begin, end) only: the rest may still be read.
  const size_t first = (begin + page - 1) / page * page;
  const size_t last = std::min(end, size_) / page * page;
  if (last > first) {
    // The mapping is private and read-only: dropped pages are read again
    // from the file if touched, so this only gives memory back.
    madvise(static_cast<char*>(map_) + first, last - first, MADV_DONTNEED);
  }
}

absl::Status InputFile::ReadText(int fd, const std::string& path, size_t max_line_bytes) {
  char buf[1 << 16];
  size_t line_bytes = 0;  // of the line being read, so far
  while (true) {
    const ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      absl::Status s = Errno(path, "read error");
      view_ = data_;
      return s;
    }
    const std::string_view chunk(buf, static_cast<size_t>(n));
    data_.append(chunk);
    if (chunk.find('\0') != std::string_view::npos) break;
    // A line of max_line_bytes + 1 bytes may be a record of max_line_bytes
    // and the CR of its CRLF, which the reader accepts: stopping there
    // would cut the input short without an error.
    bool too_long = false;
    for (size_t pos = 0; !too_long;) {
      const size_t lf = chunk.find('\n', pos);
      line_bytes += (lf == std::string_view::npos ? chunk.size() : lf) - pos;
      too_long = line_bytes > max_line_bytes + 1;
      if (lf == std::string_view::npos) break;
      line_bytes = 0;
      pos = lf + 1;
    }
    if (too_long) break;
  }
  view_ = data_;
  return absl::OkStatus();
}

}  // namespace kpidb::ingest
