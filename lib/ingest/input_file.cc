#include "lib/ingest/input_file.h"

#include <algorithm>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
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

// An unnamed file for a stream's bytes, in $TMPDIR or /tmp; -1 with errno
// set when none can be made.
int OpenTemporaryFile(std::string* dir) {
  const char* tmpdir = std::getenv("TMPDIR");
  *dir = tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp";
  const int fd = ::open(dir->c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)) return fd;
  // A file system without O_TMPFILE: a named file, unlinked at once.
  std::string name = kpidb::StrCat(*dir, "/kpidb-stdin-XXXXXX");
  const int named = mkostemp(name.data(), O_CLOEXEC);
  if (named >= 0) unlink(name.c_str());
  return named;
}

// Writes all of `data` to `fd`.
bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

}  // namespace

InputFile::~InputFile() {
  if (map_ != nullptr) munmap(map_, size_);
}

absl::Status InputFile::Open(const std::string& path, size_t max_line_bytes,
                             size_t spill_bytes) {
  if (path == "-") return ReadText(STDIN_FILENO, "standard input", max_line_bytes, spill_bytes);
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
    if (Map(fd, static_cast<size_t>(st.st_size))) {
      ::close(fd);
      return absl::OkStatus();
    }
    // A failed mmap falls back to reading.
  }
  absl::Status s = ReadText(fd, path, max_line_bytes, spill_bytes);
  ::close(fd);
  return s;
}

bool InputFile::Map(int fd, size_t size) {
  // Small files are faulted in at once (cheaper than a fault a page);
  // large ones are read ahead as the reader goes, and Release() drops
  // what it passed, so memory does not grow with the input.
  const int populate = size <= kPopulateBytes ? MAP_POPULATE : 0;
  void* m = mmap(nullptr, size, PROT_READ, MAP_PRIVATE | populate, fd, 0);
  if (m == MAP_FAILED) return false;
  if (populate == 0) madvise(m, size, MADV_SEQUENTIAL);
  map_ = m;
  size_ = size;
  view_ = std::string_view(static_cast<const char*>(m), size);
  return true;
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

absl::Status InputFile::ReadText(int fd, const std::string& path, size_t max_line_bytes,
                                 size_t spill_bytes) {
  char buf[1 << 16];
  size_t line_bytes = 0;  // of the line being read, so far
  int spill = -1;         // the temporary file, once data_ outgrew spill_bytes
  size_t spilled_bytes = 0;
  std::string spill_dir;
  auto spill_error = [&](std::string_view what) {
    const int err = errno;
    std::string msg = kpidb::StrCat(path, ": ", what, " a temporary file in ", spill_dir,
                                    " (set TMPDIR to choose another folder): ",
                                    std::strerror(err));
    if (spill >= 0) ::close(spill);
    data_.clear();
    view_ = data_;
    return err == ENOSPC || err == EDQUOT ? absl::ResourceExhaustedError(msg)
                                          : absl::UnavailableError(msg);
  };
  while (true) {
    const ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      absl::Status s = Errno(path, "read error");
      if (spill >= 0) ::close(spill);
      view_ = data_;
      return s;
    }
    const std::string_view chunk(buf, static_cast<size_t>(n));
    if (spill < 0 && data_.size() + chunk.size() > spill_bytes) {
      spill = OpenTemporaryFile(&spill_dir);
      if (spill < 0) return spill_error("cannot create");
      if (!WriteAll(spill, data_)) return spill_error("cannot write");
      spilled_bytes = data_.size();
      std::string().swap(data_);
    }
    if (spill >= 0) {
      if (!WriteAll(spill, chunk)) return spill_error("cannot write");
      spilled_bytes += chunk.size();
    } else {
      data_.append(chunk);
    }
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
  if (spill >= 0) {
    const bool mapped = Map(spill, spilled_bytes);
    if (!mapped) return spill_error("cannot map");
    ::close(spill);  // the mapping keeps the file until it is unmapped
    spilled_ = true;
    return absl::OkStatus();
  }
  view_ = data_;
  return absl::OkStatus();
}

}  // namespace kpidb::ingest
