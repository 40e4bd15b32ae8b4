// Plain encoding (Encoding::kPlain = 1): every value on its own.
//
//   column := value*            (exactly `count` values)
//   value  := zigzag varint64   (ZigZagEncode(v) as LEB128)
//
// The fallback for columns without structure (e.g. mantissas of unrelated
// KPIs): small magnitudes of either sign still take one or two bytes.
// Example: {5, 5, 5, 6, 8} -> 0a 0a 0a 0c 10.

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "lib/format/coding.h"
#include "lib/format/encoding.h"
#include "lib/util/str_cat.h"

namespace kpidb::format::internal {

namespace {

// Hands each varint of the encoding of `values` to `emit`, in order: the
// one description of the bytes that both sizing and encoding follow.
template <typename Emit>
void ForEachVarint(absl::Span<const int64_t> values, Emit& emit) {
  for (int64_t v : values) emit(ZigZagEncode(v));
}

}  // namespace

size_t EncodedSizePlain(absl::Span<const int64_t> values) {
  VarintCounter counter;
  ForEachVarint(values, counter);
  return counter.bytes;
}

void EncodePlain(absl::Span<const int64_t> values, std::string* out) {
  VarintWriter writer(out, EncodedSizePlain(values));
  ForEachVarint(values, writer);
  writer.Finish();
}

absl::Status DecodePlain(std::string_view in, size_t count, int64_t* out) {
  // Every value takes at least one byte; checking up front also bounds the
  // loop by the input size when `count` itself is corrupt.
  if (in.size() < count) {
    return absl::DataLossError(kpidb::StrCat(
        "plain column: ", in.size(), " bytes cannot hold ", count, " values"));
  }
  ByteReader reader(in);
  for (size_t i = 0; i < count; ++i) {
    uint64_t zigzag;
    if (!reader.ReadVarint64(&zigzag)) {
      return absl::DataLossError(
          kpidb::StrCat("plain column: bad or truncated varint at value ", i));
    }
    out[i] = ZigZagDecode(zigzag);
  }
  if (!reader.empty()) {
    return absl::DataLossError(
        kpidb::StrCat("plain column: ", reader.remaining(), " trailing bytes"));
  }
  return absl::OkStatus();
}

}  // namespace kpidb::format::internal
