#include "lib/ingest/input_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <iterator>

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

absl::Status InputFile::Open(const std::string& path) {
  if (path == "-") return ReadStandardInput();
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
    void* m = mmap(nullptr, size_, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    if (m != MAP_FAILED) {
      ::close(fd);
      map_ = m;
      view_ = std::string_view(static_cast<const char*>(m), size_);
      return absl::OkStatus();
    }
    size_ = 0;  // a failed mmap falls back to reading
  }
  absl::Status s = ReadAll(fd, path);
  ::close(fd);
  return s;
}

absl::Status InputFile::ReadStandardInput() {
  data_.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  if (std::cin.bad()) return absl::UnavailableError("cannot read standard input");
  view_ = data_;
  return absl::OkStatus();
}

absl::Status InputFile::ReadAll(int fd, const std::string& path) {
  char buf[1 << 16];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof(buf))) > 0) data_.append(buf, static_cast<size_t>(n));
  absl::Status s = n < 0 ? Errno(path, "read error") : absl::OkStatus();
  view_ = data_;
  return s;
}

}  // namespace kpidb::ingest
