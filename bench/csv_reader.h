// A small streaming CSV reader (RFC 4180: quoted fields, doubled quotes,
// line breaks inside quotes; "\n" or "\r\n" line ends) for the benchmark's
// own tools: kpidb-bench-sqlite-load reads the generator's files with it,
// one record at a time, so its memory does not grow with the file.
#ifndef KPIDB_BENCH_CSV_READER_H_
#define KPIDB_BENCH_CSV_READER_H_

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace kpidb_bench {

class CsvReader {
 public:
  explicit CsvReader(FILE* file) : file_(file) {}
  ~CsvReader() { std::free(line_); }
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  // Reads the next record into *fields (views valid until the next call).
  // False at the end of the input or on an unterminated quote (error()).
  bool Next(std::vector<std::string_view>* fields) {
    fields->clear();
    record_.clear();
    unquoted_.clear();
    if (!Append()) return false;
    // A record ends at a line end outside quotes: an odd number of quotes
    // so far means the line break is inside a quoted field.
    while (quotes_ % 2 != 0) {
      record_ += '\n';
      if (!Append()) {
        error_ = true;
        return false;
      }
    }
    size_t pos = 0;
    while (true) {
      if (pos < record_.size() && record_[pos] == '"') {
        std::string& piece = unquoted_.emplace_back();  // a deque: never moves
        ++pos;
        while (pos < record_.size()) {
          const char c = record_[pos++];
          if (c != '"') {
            piece += c;
          } else if (pos < record_.size() && record_[pos] == '"') {
            piece += '"';
            ++pos;
          } else {
            break;
          }
        }
        fields->push_back(piece);
        // Up to the separator (text after the closing quote is dropped, as
        // most readers do).
        while (pos < record_.size() && record_[pos] != ',') ++pos;
      } else {
        const size_t comma = record_.find(',', pos);
        const size_t end = comma == std::string::npos ? record_.size() : comma;
        fields->push_back(std::string_view(record_).substr(pos, end - pos));
        pos = end;
      }
      if (pos >= record_.size()) break;
      ++pos;  // the comma
      if (pos == record_.size()) {
        fields->push_back(std::string_view());  // a trailing empty field
        break;
      }
    }
    return true;
  }

  bool error() const { return error_; }

 private:
  // Appends the next line, without its line end, to record_, and counts
  // its quotes (quotes_: over the whole record).
  bool Append() {
    if (record_.empty()) quotes_ = 0;
    const ssize_t n = getline(&line_, &capacity_, file_);
    if (n <= 0) return false;
    size_t len = static_cast<size_t>(n);
    if (len > 0 && line_[len - 1] == '\n') --len;
    if (len > 0 && line_[len - 1] == '\r') --len;
    const char* end = line_ + len;
    for (const char* q = line_;
         (q = static_cast<const char*>(std::memchr(q, '"', static_cast<size_t>(end - q))));
         ++q) {
      ++quotes_;
    }
    record_.append(line_, len);
    return true;
  }

  FILE* file_;
  char* line_ = nullptr;
  size_t capacity_ = 0;
  std::string record_;
  std::deque<std::string> unquoted_;
  size_t quotes_ = 0;
  bool error_ = false;
};

}  // namespace kpidb_bench

#endif  // KPIDB_BENCH_CSV_READER_H_
