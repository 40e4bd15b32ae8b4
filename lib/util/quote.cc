#include "lib/util/quote.h"

#include <algorithm>

#include "lib/util/str_cat.h"

namespace kpidb {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void AppendHexEscape(std::string* out, unsigned char c) {
  out->append("\\x");
  out->push_back(kHex[c >> 4]);
  out->push_back(kHex[c & 0xF]);
}

}  // namespace

std::string QuoteForMessage(std::string_view text, char quote) {
  std::string out;
  out.reserve(std::min(text.size(), kMaxQuotedBytes) + 8);
  out.push_back(quote);
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t length = Utf8SequenceLength(text, pos);
    // A byte that starts no valid sequence is shown (and counted) alone.
    const size_t take = length == 0 ? 1 : length;
    if (pos + take > kMaxQuotedBytes) break;
    const unsigned char c = static_cast<unsigned char>(text[pos]);
    if (length == 0) {
      AppendHexEscape(&out, c);
    } else if (length > 1) {
      out.append(text.substr(pos, length));
    } else if (c == '\\' || c == static_cast<unsigned char>(quote)) {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c == '\n') {
      out.append("\\n");
    } else if (c == '\r') {
      out.append("\\r");
    } else if (c == '\t') {
      out.append("\\t");
    } else if (c < 0x20 || c == 0x7F) {
      AppendHexEscape(&out, c);
    } else {
      out.push_back(static_cast<char>(c));
    }
    pos += take;
  }
  if (pos == text.size()) {
    out.push_back(quote);
    return out;
  }
  kpidb::StrAppend(&out, quote, "... (", text.size(), " bytes)");
  return out;
}

}  // namespace kpidb
