#include "lib/store/info_log.h"

#include <cstdarg>
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <string>

namespace kpidb::store {
namespace {

class FileInfoLog final : public rocksdb::Logger {
 public:
  FileInfoLog(std::FILE* file, rocksdb::InfoLogLevel level)
      : rocksdb::Logger(level), file_(file) {}
  ~FileInfoLog() override {
    if (file_ != nullptr) std::fclose(file_);
  }

  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    if (file_ == nullptr) return;
    char line[1024];
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    const size_t head = std::strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%SZ ", &tm);
    va_list copy;
    va_copy(copy, ap);
    const int n = std::vsnprintf(line + head, sizeof(line) - head, format, copy);
    va_end(copy);
    if (n < 0) return;
    size_t len = head + std::min<size_t>(static_cast<size_t>(n), sizeof(line) - head - 2);
    line[len++] = '\n';
    std::lock_guard<std::mutex> l(mu_);
    // A short write (a full disk) loses this line, nothing else.
    if (std::fwrite(line, 1, len, file_) == len) std::fflush(file_);
  }

 private:
  std::mutex mu_;
  std::FILE* file_;
};

class NullInfoLog final : public rocksdb::Logger {
 public:
  NullInfoLog() : rocksdb::Logger(rocksdb::InfoLogLevel::HEADER_LEVEL) {}
  using rocksdb::Logger::Logv;
  void Logv(const char*, va_list) override {}
};

}  // namespace

std::shared_ptr<rocksdb::Logger> NewInfoLog(std::string_view path, rocksdb::InfoLogLevel level) {
  std::FILE* f = std::fopen(std::string(path).c_str(), "ae");
  if (f == nullptr) return NewNullInfoLog();
  return std::make_shared<FileInfoLog>(f, level);
}

std::shared_ptr<rocksdb::Logger> NewNullInfoLog() { return std::make_shared<NullInfoLog>(); }

}  // namespace kpidb::store
