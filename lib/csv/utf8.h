// File: lib/csv/utf8.h
// -----------------------------------------------------------------------------
//
// UTF-8 validation for text that arrives in CSV files. The CSV reader itself
// works on bytes; callers validate the fields they keep as text (names,
// units) so that nothing malformed reaches storage or output.
#ifndef KPIDB_LIB_CSV_UTF8_H_
#define KPIDB_LIB_CSV_UTF8_H_

#include <string_view>

namespace kpidb::csv {

// True when `text` is valid UTF-8 as defined by Unicode (Table 3-7): no
// overlong forms, no surrogates (U+D800..U+DFFF), nothing above U+10FFFF, no
// truncated sequences. The empty string and NUL bytes are valid. Runs of
// ASCII are checked 8 bytes at a time.
bool IsValidUtf8(std::string_view text);

}  // namespace kpidb::csv

#endif  // KPIDB_LIB_CSV_UTF8_H_
