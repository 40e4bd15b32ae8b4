// Fuzz target for kpidb::Unit (include/kpidb/unit.h).
//
// Input: the text of a CSV unit field. Checks, for every text Parse()
// accepts: the scale is 0, 3, 6, 9 or 12; ToString() is canonical (it
// parses back to an equal unit and prints the same text again); and the
// dimension is one the header documents. Rejections are InvalidArgument.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "kpidb/unit.h"
#include "tests/fuzz/fuzz_check.h"

namespace kpidb {
namespace {

using fuzz::Quote;

bool KnownDimension(const std::string& d) {
  if (d.empty() || d == "%" || d == "pt" || d == "count") return true;
  if (d.size() != 3) return false;
  for (char c : d) {
    if (c < 'A' || c > 'Z') return false;
  }
  return true;
}

void Check(std::string_view text) {
  absl::StatusOr<Unit> u = Unit::Parse(text);
  if (!u.ok()) {
    KPIDB_FUZZ_CHECK(u.status().code() == absl::StatusCode::kInvalidArgument,
                     Quote(text), ": ", u.status().ToString());
    return;
  }
  const int s = u->scale();
  KPIDB_FUZZ_CHECK(s == 0 || s == 3 || s == 6 || s == 9 || s == 12, Quote(text),
                   " has scale ", s);
  KPIDB_FUZZ_CHECK(KnownDimension(u->dimension()), Quote(text),
                   " has dimension ", Quote(u->dimension()));
  KPIDB_FUZZ_CHECK(
      s == 0 || (u->dimension() != "%" && u->dimension() != "pt"), Quote(text),
      " is a ratio with a scale");
  const std::string printed = u->ToString();
  absl::StatusOr<Unit> back = Unit::Parse(printed);
  KPIDB_FUZZ_CHECK(back.ok(), Quote(text), " prints ", Quote(printed),
                   " which fails to parse: ", back.status().message());
  KPIDB_FUZZ_CHECK(*back == *u, Quote(text), " prints ", Quote(printed),
                   " which parses to another unit, ", Quote(back->ToString()));
  KPIDB_FUZZ_CHECK(back->ToString() == printed, Quote(printed),
                   " is not canonical: it prints back as ",
                   Quote(back->ToString()));
  KPIDB_FUZZ_CHECK(u->SameDimension(*back), Quote(text));
}

}  // namespace
}  // namespace kpidb

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  kpidb::Check(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
