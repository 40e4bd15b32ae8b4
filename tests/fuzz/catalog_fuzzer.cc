// Fuzz target for the catalog's keys and values (lib/store/catalog.h,
// doc/format.md "Keys", "Meta value", "Catalog", "Catalog snapshot").
//
// The first input byte picks what the rest is:
//   byte & 8   a catalog snapshot value; else by byte % 4:
//   byte % 4   0 a company value, 1 a dictionary value, 2 the meta value,
//              3 a key (parsed as series, dictionary and company key)
//   byte & 4   for values: append the right checksum to the rest first, so
//              that the decoder gets past it
// Checks: a value or key that is accepted re-encodes to itself (for a
// company value: decodes to the same record, and re-encodes to the same
// bytes unless its varints were longer than needed); its fields are within
// the ranges of doc/format.md; a refusal is DataLoss (FailedPrecondition for
// a sound meta value of another format version). An accepted snapshot
// re-encodes to a value that loads to the same catalog (the same bytes when
// its varints were minimal), and its dictionaries hold distinct non-empty
// strings that Find() maps back to their ids.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "kpidb/fact.h"
#include "lib/store/catalog.h"
#include "lib/util/checksum.h"
#include "tests/fuzz/fuzz_check.h"

namespace kpidb::store {
namespace {

using fuzz::Quote;

void CheckCompanyValue(std::string_view value) {
  absl::StatusOr<Company> c = DecodeCompanyValue(value);
  if (!c.ok()) {
    KPIDB_FUZZ_CHECK(c.status().code() == absl::StatusCode::kDataLoss,
                     Quote(value), ": ", c.status().ToString());
    return;
  }
  KPIDB_FUZZ_CHECK(c->calendar.Validate().ok(), Quote(value),
                   " decodes to an invalid calendar: month ",
                   c->calendar.fiscal_year_end_month, ", naming ",
                   static_cast<int>(c->calendar.naming));
  const std::string again = EncodeCompanyValue(*c);
  absl::StatusOr<Company> back = DecodeCompanyValue(again);
  KPIDB_FUZZ_CHECK(back.ok() && *back == *c, Quote(value), " re-encodes to ",
                   Quote(again), ", which decodes differently");
  // Same fields with minimal varints: never longer, and the same bytes when
  // the original's varints were minimal too (then the lengths agree).
  KPIDB_FUZZ_CHECK(again.size() <= value.size() &&
                       (again.size() < value.size() || again == value),
                   Quote(value), " re-encodes to ", Quote(again));
}

void CheckDictValue(std::string_view value) {
  absl::StatusOr<std::string_view> text = DecodeDictValue(value);
  if (!text.ok()) {
    KPIDB_FUZZ_CHECK(text.status().code() == absl::StatusCode::kDataLoss,
                     Quote(value), ": ", text.status().ToString());
    return;
  }
  KPIDB_FUZZ_CHECK(text->size() + 4 == value.size() &&
                       text->data() == value.data(),
                   Quote(value), ": the text is not the value's bytes but the last four");
  KPIDB_FUZZ_CHECK(EncodeDictValue(*text) == value, Quote(value),
                   " re-encodes differently");
}

void CheckMetaValueBytes(std::string_view value) {
  const absl::StatusOr<uint8_t> version = DecodeMetaValue(value);
  if (version.ok()) {
    KPIDB_FUZZ_CHECK(*version >= 1 && *version <= kFormatVersion &&
                         value == EncodeMetaValue(*version),
                     Quote(value), " is accepted as the meta value of version ",
                     static_cast<int>(*version));
    return;
  }
  const absl::Status s = version.status();
  if (s.code() == absl::StatusCode::kFailedPrecondition) {
    // Sound, but another version: "kpidb", a version byte, the checksum.
    std::string_view payload;
    KPIDB_FUZZ_CHECK(VerifyChecksum(value, &payload) && payload.size() == 6 &&
                         payload.substr(0, 5) == "kpidb" &&
                         (payload[5] == 0 ||
                          static_cast<uint8_t>(payload[5]) > kFormatVersion),
                     Quote(value), ": ", s.ToString());
    return;
  }
  KPIDB_FUZZ_CHECK(s.code() == absl::StatusCode::kDataLoss, Quote(value), ": ",
                   s.ToString());
}

void CheckSnapshotValue(std::string_view value) {
  Catalog catalog;
  const absl::Status s = catalog.LoadSnapshot(value);
  if (!s.ok()) {
    KPIDB_FUZZ_CHECK(s.code() == absl::StatusCode::kDataLoss, Quote(value), ": ",
                     s.ToString());
    return;
  }
  for (int k = 1; k < kNumDictKinds; ++k) {
    const Dictionary& d = catalog.dict(static_cast<DictKind>(k));
    for (uint32_t id = 1; id < d.size(); ++id) {
      KPIDB_FUZZ_CHECK(!d.Get(id).empty() && d.Find(d.Get(id)) == id, Quote(value),
                       ": dictionary ", k, " id ", id, " is not a distinct string");
    }
  }
  KPIDB_FUZZ_CHECK(catalog.units().size() == catalog.dict(DictKind::kUnit).size(),
                   Quote(value), ": units not all parsed");
  for (uint32_t id : catalog.CompanyIds()) {
    KPIDB_FUZZ_CHECK(catalog.dict(DictKind::kCompany).Contains(id) && id != 0 &&
                         catalog.company(id)->calendar.Validate().ok(),
                     Quote(value), ": company record id ", id);
  }
  const std::string again = catalog.EncodeSnapshot();
  Catalog back;
  KPIDB_FUZZ_CHECK(back.LoadSnapshot(again).ok() && CatalogDifference(catalog, back).empty(),
                   Quote(value), " re-encodes to ", Quote(again),
                   ", which loads differently");
  KPIDB_FUZZ_CHECK(again.size() <= value.size() &&
                       (again.size() < value.size() || again == value),
                   Quote(value), " re-encodes to ", Quote(again));
}

void CheckKey(std::string_view key) {
  int kinds = 0;
  uint32_t metric, scenario, company;
  if (ParseSeriesKey(key, &metric, &scenario, &company)) {
    ++kinds;
    KPIDB_FUZZ_CHECK(SeriesKey(metric, scenario, company) == key, Quote(key),
                     " parses as series key (", metric, ", ", scenario, ", ",
                     company, ") which encodes differently");
  }
  DictKind kind;
  uint32_t id;
  if (ParseDictKey(key, &kind, &id)) {
    ++kinds;
    const int k = static_cast<int>(kind);
    KPIDB_FUZZ_CHECK(k >= 1 && k <= 5, Quote(key), " parses as dictionary kind ", k);
    KPIDB_FUZZ_CHECK(DictKey(kind, id) == key, Quote(key),
                     " parses as dictionary key (", k, ", ", id,
                     ") which encodes differently");
  }
  if (ParseCompanyKey(key, &company)) {
    ++kinds;
    KPIDB_FUZZ_CHECK(CompanyKey(company) == key, Quote(key),
                     " parses as company key ", company, " which encodes differently");
  }
  KPIDB_FUZZ_CHECK(kinds <= 1, Quote(key), " parses as ", kinds, " kinds of key");
}

}  // namespace
}  // namespace kpidb::store

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] & 8) {
    if (data[0] & 4) kpidb::AppendChecksum(&bytes);
    kpidb::store::CheckSnapshotValue(bytes);
    return 0;
  }
  const int what = data[0] % 4;
  if (what != 3 && (data[0] & 4)) kpidb::AppendChecksum(&bytes);
  switch (what) {
    case 0:
      kpidb::store::CheckCompanyValue(bytes);
      break;
    case 1:
      kpidb::store::CheckDictValue(bytes);
      break;
    case 2:
      kpidb::store::CheckMetaValueBytes(bytes);
      break;
    default:
      kpidb::store::CheckKey(bytes);
      break;
  }
  return 0;
}
