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
//     otherwise interpreted: see IsValidUtf8() for validating text fields.
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

#include "absl/status/statusor.h"
#include "lib/csv/utf8.h"  // IsValidUtf8(), which CSV callers need too.

namespace kpidb::csv {

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
  explicit Reader(std::string_view data);

  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  // true: *record holds the next record. false: end of input.
  // InvalidArgument: the record starting at record->line is malformed; the
  // message names the problem without file or line (callers prefix
  // "FILE:LINE: error: ") and record->fields is unspecified. The reader has
  // already skipped to the start of the next record, so calling Next() again
  // continues; after an unterminated quoted field nothing is left and the
  // next call returns false. When a record has several problems, the first
  // one is reported.
  [[nodiscard]] absl::StatusOr<bool> Next(Record* record);

 private:
  // A field whose value was unescaped into scratch_. Views into scratch_ are
  // made only once the record is complete, because appending may move it.
  struct ScratchField {
    size_t field_index;
    size_t offset;
    size_t length;
  };

  // Parses the quoted field whose opening quote is at p[-1], appending it to
  // *fields. Returns the position just after the closing quote, or end_ if
  // there is none (then *error is set unless it already was).
  const char* ParseQuotedField(const char* p,
                               std::vector<std::string_view>* fields,
                               const char** error);

  const char* pos_;
  const char* const end_;
  int64_t line_ = 1;  // Line of pos_.
  std::string scratch_;
  std::vector<ScratchField> scratch_fields_;
};

}  // namespace kpidb::csv

#endif  // KPIDB_LIB_CSV_CSV_READER_H_
