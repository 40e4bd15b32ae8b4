#include "lib/csv/csv_reader.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "absl/status/status.h"

namespace kpidb::csv {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

constexpr char kUnexpectedQuote[] = "unexpected '\"' in unquoted field";
constexpr char kUnexpectedCr[] = "unexpected carriage return in unquoted field";
constexpr char kAfterClosingQuote[] =
    "unexpected character after closing quote";
constexpr char kUnterminated[] = "unterminated quoted field";

// The bytes that end the plain run of an unquoted field. One table lookup per
// byte keeps the hot loop to a load, a test and a branch.
constexpr std::array<bool, 256> kSpecial = [] {
  std::array<bool, 256> table{};
  table[static_cast<unsigned char>(',')] = true;
  table[static_cast<unsigned char>('\n')] = true;
  table[static_cast<unsigned char>('\r')] = true;
  table[static_cast<unsigned char>('"')] = true;
  return table;
}();

bool IsSpecial(char c) { return kSpecial[static_cast<unsigned char>(c)]; }

}  // namespace

Reader::Reader(std::string_view data)
    : pos_(data.data()), end_(data.data() + data.size()) {
  if (data.substr(0, kBom.size()) == kBom) pos_ += kBom.size();
}

const char* Reader::ParseQuotedField(const char* p,
                                     std::vector<std::string_view>* fields,
                                     const char** error) {
  const char* const start = p;
  bool escaped = false;
  while (true) {
    const char* quote = static_cast<const char*>(
        std::memchr(p, '"', static_cast<size_t>(end_ - p)));
    if (quote == nullptr) {
      // Everything up to the end of the input belongs to this field; there
      // is no reliable place to resynchronize, so the input is used up.
      if (*error == nullptr) *error = kUnterminated;
      fields->emplace_back(start, end_ - start);
      return end_;
    }
    line_ += std::count(p, quote, '\n');
    if (quote + 1 != end_ && quote[1] == '"') {
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

  // The first problem in the record; parsing continues to the record's end
  // so that the next call starts on a record boundary.
  const char* error = nullptr;
  while (true) {  // One field per iteration.
    if (p != end_ && *p == '"') {
      p = ParseQuotedField(p + 1, &fields, &error);
      if (p != end_ && *p != ',' && *p != '\n' &&
          !(*p == '\r' && p + 1 != end_ && p[1] == '\n')) {
        if (error == nullptr) error = kAfterClosingQuote;
        // Treat the junk as part of this field and resume at the next
        // separator; quotes in it are not field openers.
        while (p != end_ && *p != ',' && *p != '\n') ++p;
      }
    } else {
      const char* const start = p;
      while (p != end_ && !IsSpecial(*p)) ++p;
      if (p != end_ &&
          (*p == '"' || (*p == '\r' && (p + 1 == end_ || p[1] != '\n')))) {
        if (error == nullptr) {
          error = *p == '"' ? kUnexpectedQuote : kUnexpectedCr;
        }
        while (p != end_ && *p != ',' && *p != '\n') ++p;
      }
      fields.emplace_back(start, p - start);
    }

    // p is at a separator, a line break or the end of the input. After an
    // error skip, a line break may be CRLF with p at the LF.
    if (p == end_) break;
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
