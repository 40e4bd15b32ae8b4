// File: lib/util/quote.h
// -----------------------------------------------------------------------------
//
// Quoting text that came from a user (a CSV header name, a cell, a label, a
// unit, a flag's value) into an error message. Such text can be arbitrarily
// long and arbitrary bytes: a 500 MB column name must not make a 500 MB
// message, and a message must stay one line of valid UTF-8 whatever it
// quotes. Every message that quotes user text goes through QuoteForMessage.
//
//   QuoteForMessage("colour")                 -> 'colour'
//   QuoteForMessage("a\nb", '"')              -> "a\nb"   (escaped, one line)
//   QuoteForMessage(std::string(500 << 20, 'x'))
//       -> 'xxxxxxxx'... (524288000 bytes)   (the first kMaxQuotedBytes bytes)
//
// Thread-safety: pure functions.
#ifndef KPIDB_LIB_UTIL_QUOTE_H_
#define KPIDB_LIB_UTIL_QUOTE_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "lib/util/utf8.h"

namespace kpidb {

// How many bytes of the quoted text a message shows at most.
inline constexpr size_t kMaxQuotedBytes = 64;

// `text` between `quote` characters, escaped so that the result is valid
// UTF-8 on one line: backslash and `quote` are escaped with a backslash,
// tab, LF and CR as \t, \n and \r, other ASCII control characters and every
// byte that is not part of a valid UTF-8 sequence as \xNN; valid UTF-8
// sequences are copied. When `text` is longer than kMaxQuotedBytes, only
// its longest prefix of at most kMaxQuotedBytes bytes that ends on a
// character boundary is shown, followed by "..." and the full length after
// the quotes: 'abc'... (524288000 bytes). The result is at most
// 4 * kMaxQuotedBytes + 40 bytes long.
std::string QuoteForMessage(std::string_view text, char quote = '\'');

}  // namespace kpidb

#endif  // KPIDB_LIB_UTIL_QUOTE_H_
