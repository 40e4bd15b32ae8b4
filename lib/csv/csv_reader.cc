#include "lib/csv/csv_reader.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "absl/status/status.h"
#include "lib/util/str_cat.h"

namespace kpidb::csv {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

constexpr char kUnexpectedQuote[] = "unexpected '\"' in unquoted field";
constexpr char kUnexpectedCr[] = "unexpected carriage return in unquoted field";
constexpr char kAfterClosingQuote[] =
    "unexpected character after closing quote";
constexpr char kUnterminated[] = "unterminated quoted field";

// The bytes that end the plain run of an unquoted field. One table lookup per
// byte keeps the hot loop to a load, a test and a branch. NUL stops the run
// so that a rejected one is seen; when NULs are data the loop goes on.
constexpr std::array<bool, 256> kSpecial = [] {
  std::array<bool, 256> table{};
  table[static_cast<unsigned char>(',')] = true;
  table[static_cast<unsigned char>('\n')] = true;
  table[static_cast<unsigned char>('\r')] = true;
  table[static_cast<unsigned char>('"')] = true;
  table[0] = true;
  return table;
}();

bool IsSpecial(char c) { return kSpecial[static_cast<unsigned char>(c)]; }

}  // namespace

Reader::Reader(std::string_view data, const ReaderOptions& options)
    : options_(options), pos_(data.data()), end_(data.data() + data.size()) {
  if (data.substr(0, kBom.size()) == kBom) pos_ += kBom.size();
}

const char* Reader::ParseQuotedField(const char* p, const char* limit,
                                     std::vector<std::string_view>* fields,
                                     const char** error, Fatal* fatal) {
  const char* const start = p;
  bool escaped = false;
  while (true) {
    const char* quote = static_cast<const char*>(
        std::memchr(p, '"', static_cast<size_t>(limit - p)));
    const char* const run_end = quote != nullptr ? quote : limit;
    if (options_.reject_nul) {
      const char* nul = static_cast<const char*>(
          std::memchr(p, '\0', static_cast<size_t>(run_end - p)));
      if (nul != nullptr) {
        line_ += std::count(p, nul, '\n');
        *fatal = Fatal::kNul;
        return nul;
      }
    }
    if (quote == nullptr) {
      if (limit != end_) {
        *fatal = Fatal::kTooLong;
        return limit;
      }
      // Everything up to the end of the input belongs to this field; there
      // is no reliable place to resynchronize, so the input is used up.
      if (*error == nullptr) *error = kUnterminated;
      fields->emplace_back(start, end_ - start);
      return end_;
    }
    line_ += std::count(p, quote, '\n');
    // A pair straddling the limit is taken for a closing quote: the record
    // is too long either way, which the caller finds at `limit`.
    if (quote + 1 != limit && quote[1] == '"') {
      escaped = true;
      p = quote + 2;
      continue;
    }
    // Closing quote.
    if (!escaped) {
      fields->emplace_back(start, quote - start);
    } else {
      // Rare: copy with each "" turned into ".
      const size_t offset = scratch_.size();
      for (const char* s = start; s < quote; ++s) {
        scratch_.push_back(*s);
        if (*s == '"') ++s;  // Skip the second quote of the pair.
      }
      scratch_fields_.push_back(
          {fields->size(), offset, scratch_.size() - offset});
      fields->emplace_back();
    }
    return quote + 1;
  }
}

absl::Status Reader::EndInput(Fatal fatal, Record* record) {
  pos_ = end_;
  if (fatal == Fatal::kNul) {
    record->line = line_;
    return absl::InvalidArgumentError(
        "NUL byte: the input is not UTF-8 text (UTF-16, or a binary file?); "
        "the rest of it is not read");
  }
  return absl::InvalidArgumentError(kpidb::StrCat(
      "line longer than ", options_.max_record_bytes,
      " bytes, the limit for one record (quoted line breaks included); the "
      "rest of the input is not read"));
}

absl::StatusOr<bool> Reader::Next(Record* record) {
  std::vector<std::string_view>& fields = record->fields;
  fields.clear();
  scratch_.clear();
  scratch_fields_.clear();

  const char* p = pos_;
  // Skip blank lines.
  while (true) {
    if (p == end_) {
      pos_ = p;
      return false;
    }
    if (*p == '\n') {
      ++p;
      ++line_;
    } else if (*p == '\r' && p + 1 != end_ && p[1] == '\n') {
      p += 2;
      ++line_;
    } else {
      break;
    }
  }
  record->line = line_;

  // No scan goes past `limit`: a record that reaches it without ending is
  // too long, found without reading the rest of it.
  const char* const limit =
      static_cast<size_t>(end_ - p) > options_.max_record_bytes
          ? p + options_.max_record_bytes
          : end_;
  // The first problem in the record; parsing continues to the record's end
  // so that the next call starts on a record boundary.
  const char* error = nullptr;
  Fatal fatal = Fatal::kNone;
  while (true) {  // One field per iteration.
    if (p != limit && *p == '"') {
      p = ParseQuotedField(p + 1, limit, &fields, &error, &fatal);
      if (fatal != Fatal::kNone) return EndInput(fatal, record);
      if (p != limit && *p != ',' && !LineBreakAt(p)) {
        if (error == nullptr) error = kAfterClosingQuote;
        // Treat the junk as part of this field and resume at the next
        // separator; quotes in it are not field openers.
        while (p != limit && *p != ',' && *p != '\n' &&
               !(*p == '\0' && options_.reject_nul)) {
          ++p;
        }
      }
    } else {
      const char* const start = p;
      while (true) {
        while (p != limit && !IsSpecial(*p)) ++p;
        if (p == limit || *p != '\0' || options_.reject_nul) break;
        ++p;  // A NUL that is data.
      }
      if (p != limit &&
          (*p == '"' || (*p == '\r' && (p + 1 == end_ || p[1] != '\n')))) {
        if (error == nullptr) {
          error = *p == '"' ? kUnexpectedQuote : kUnexpectedCr;
        }
        while (p != limit && *p != ',' && *p != '\n' &&
               !(*p == '\0' && options_.reject_nul)) {
          ++p;
        }
      }
      fields.emplace_back(start, p - start);
    }

    // p is at a separator, a line break, a rejected NUL, the limit or the
    // end of the input. After an error skip, a line break may be CRLF with
    // p at the LF.
    if (p == end_) break;
    if (*p == '\0' && options_.reject_nul) {
      return EndInput(Fatal::kNul, record);
    }
    if (p == limit && !LineBreakAt(p)) {
      return EndInput(Fatal::kTooLong, record);
    }
    if (*p == ',') {
      ++p;
      continue;
    }
    p += *p == '\r' ? 2 : 1;  // CRLF or LF.
    ++line_;
    break;
  }
  pos_ = p;

  if (error != nullptr) return absl::InvalidArgumentError(error);
  for (const ScratchField& f : scratch_fields_) {
    fields[f.field_index] =
        std::string_view(scratch_.data() + f.offset, f.length);
  }
  return true;
}

}  // namespace kpidb::csv
