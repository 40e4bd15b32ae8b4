// File: lib/csv/csv_reader.h
// -----------------------------------------------------------------------------
//
// A strict RFC 4180 CSV reader over an in-memory buffer, built for bulk
// ingest: fields are string_views into the input wherever possible, and a
// reused Record makes steady-state reading allocation-free.
//
//   csv::Reader reader(contents);
//   csv::Record record;
//   while (true) {
//     absl::StatusOr<bool> more = reader.Next(&record);
//     if (!more.ok()) {
//       // Report "FILE:LINE: error: MESSAGE" with record.line, then either
//       // stop or call Next() again to continue with the following record.
//       continue;
//     }
//     if (!*more) break;
//     Use(record.fields);
//   }
//
// Grammar (RFC 4180, with LF accepted as well as CRLF):
//   - Fields are separated by ',' and records by LF or CRLF. No other
//     separator, quote character or trimming is configurable.
//   - A field that starts with '"' is quoted: it ends at the next lone '"',
//     may contain ',', CR and LF, and writes '"' as '""'. The value is the text
//     between the quotes with '""' turned into '"'.
//   - A quoted field must be followed by ',', a line break or the end of the
//     input ("unexpected character after closing quote"); a '"' anywhere in
//     an unquoted field is an error ("unexpected '\"' in unquoted field").
//   - A CR in an unquoted field that is not part of a CRLF is an error
//     ("unexpected carriage return in unquoted field"): files with classic
//     Mac line endings would otherwise read as one huge record. Inside quotes
//     CR is data.
//   - Completely empty lines are skipped. A line holding only "" is a record
//     with one empty field. "a,b," has three fields, the last empty.
//   - The last record need not end with a line break.
//   - A UTF-8 byte order mark at the very start is skipped. Bytes are not
//     otherwise interpreted (unless ReaderOptions::reject_nul): see
//     IsValidUtf8() for validating text fields.
//
// Limits (ReaderOptions), so that a hostile or wrong input (a binary file,
// /dev/zero, a file without line breaks) is refused after a bounded amount
// of work instead of being scanned and split into fields whole:
//   - A record may be at most max_record_bytes long (default 1 MiB), counted
//     from its first byte to the line break that ends it, quoted line breaks
//     included; the reader never looks further than that into a record.
//     A longer one is an error ("line longer than 1048576 bytes...").
//   - With reject_nul, a NUL byte is an error ("NUL byte...").
// Both end the input: the reader cannot tell where the next record would
// start, and a caller reading a stream (lib/ingest/input_file.h) stops there
// too, so every later call returns false.
//
// Line numbers count LF characters (CRLF counts once) from 1, so they match
// what editors show; a record whose quoted field spans lines makes the next
// record start that many lines later.
//
// Thread-safety: a Reader is not thread-safe; use one per thread.
#ifndef KPIDB_LIB_CSV_CSV_READER_H_
#define KPIDB_LIB_CSV_CSV_READER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "lib/csv/utf8.h"  // IsValidUtf8(), which CSV callers need too.

namespace kpidb::csv {

// The default of ReaderOptions::max_record_bytes: 1 MiB.
inline constexpr size_t kDefaultMaxRecordBytes = size_t{1} << 20;

struct ReaderOptions {
  // The longest record accepted, in bytes from its first byte up to its line
  // break. Default: kDefaultMaxRecordBytes. REQUIRES: at least 1.
  size_t max_record_bytes = kDefaultMaxRecordBytes;
  // Whether a NUL byte is an error (the input is not text: UTF-16, a binary
  // file) rather than data. Default: false.
  bool reject_nul = false;
};

struct Record {
  // Valid until the next Next() call (fields that contained "" escapes live
  // in the Reader; all others point into the input). The vector is cleared,
  // not freed, on each call, so reusing one Record avoids allocation.
  std::vector<std::string_view> fields;
  int64_t line = 0;  // 1-based line where the record starts.
};

class Reader {
 public:
  // `data` must outlive the Reader. A UTF-8 BOM at the start is skipped.
  explicit Reader(std::string_view data, const ReaderOptions& options = {});

  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  // true: *record holds the next record. false: end of input.
  // InvalidArgument: the record starting at record->line is malformed; the
  // message names the problem without file or line (callers prefix
  // "FILE:LINE: error: ") and record->fields is unspecified. The reader has
  // already skipped to the start of the next record, so calling Next() again
  // continues; after an unterminated quoted field, a record longer than
  // max_record_bytes or a rejected NUL byte nothing is left and the next
  // call returns false. When a record has several problems, the first one is
  // reported, except that a record too long or a NUL byte is always
  // reported; for a NUL byte, record->line is the line of the NUL.
  [[nodiscard]] absl::StatusOr<bool> Next(Record* record);

 private:
  // A field whose value was unescaped into scratch_. Views into scratch_ are
  // made only once the record is complete, because appending may move it.
  struct ScratchField {
    size_t field_index;
    size_t offset;
    size_t length;
  };

  // Why a record ends the input.
  enum class Fatal { kNone, kTooLong, kNul };

  // Parses the quoted field whose opening quote is at p[-1], looking no
  // further than `limit`, and appends it to *fields. Returns the position
  // just after the closing quote. Without one: end_ when the input ends
  // first (then *error is set unless it already was), or `limit` when the
  // record is too long (then *fatal is set). A rejected NUL sets *fatal and
  // returns its position.
  const char* ParseQuotedField(const char* p, const char* limit,
                               std::vector<std::string_view>* fields,
                               const char** error, Fatal* fatal);
  // True when a line break (LF, or CR LF) starts at p. REQUIRES: p < end_.
  bool LineBreakAt(const char* p) const {
    return *p == '\n' || (*p == '\r' && p + 1 != end_ && p[1] == '\n');
  }
  // Ends the input with the error for `fatal`.
  [[nodiscard]] absl::Status EndInput(Fatal fatal, Record* record);

  const ReaderOptions options_;
  const char* pos_;
  const char* const end_;
  int64_t line_ = 1;  // Line of pos_.
  std::string scratch_;
  std::vector<ScratchField> scratch_fields_;
};

}  // namespace kpidb::csv

#endif  // KPIDB_LIB_CSV_CSV_READER_H_
