// Run-length encoding (Encoding::kRunLength = 3): maximal runs of equal
// values.
//
//   column := run*              (run lengths sum to exactly `count`)
//   run    := value length
//   value  := zigzag varint64   (ZigZagEncode(v))
//   length := varint64          (>= 1)
//
// The encoder always emits maximal runs, but the decoder also accepts two
// adjacent runs of the same value: that is still unambiguous.
// For constant or slowly changing columns (unit exponents, dictionary ids
// of a sorted dimension).
// Example: {5, 5, 5, 6, 8} -> 0a 03 0c 01 10 01.

#include <algorithm>
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
  size_t i = 0;
  while (i < values.size()) {
    size_t end = i + 1;
    while (end < values.size() && values[end] == values[i]) ++end;
    emit(ZigZagEncode(values[i]));
    emit(end - i);
    i = end;
  }
}

}  // namespace

size_t EncodedSizeRunLength(absl::Span<const int64_t> values) {
  VarintCounter counter;
  ForEachVarint(values, counter);
  return counter.bytes;
}

void EncodeRunLength(absl::Span<const int64_t> values, std::string* out) {
  VarintWriter writer(out, EncodedSizeRunLength(values));
  ForEachVarint(values, writer);
  writer.Finish();
}

absl::Status DecodeRunLength(std::string_view in, size_t count, int64_t* out) {
  ByteReader reader(in);
  size_t i = 0;
  // Each run consumes at least two bytes and yields at least one value, so
  // the loop ends within min(count, in.size() / 2) iterations.
  while (i < count) {
    uint64_t zigzag, length;
    if (!reader.ReadVarint64(&zigzag) || !reader.ReadVarint64(&length)) {
      return absl::DataLossError(kpidb::StrCat(
          "run_length column: bad or truncated varint at value ", i));
    }
    if (length == 0) {
      return absl::DataLossError(
          kpidb::StrCat("run_length column: run of length 0 at value ", i));
    }
    if (length > count - i) {
      return absl::DataLossError(
          kpidb::StrCat("run_length column: run of ", length, " at value ", i,
                        " overruns the column of ", count, " values"));
    }
    std::fill_n(out + i, length, ZigZagDecode(zigzag));
    i += length;
  }
  if (!reader.empty()) {
    return absl::DataLossError(kpidb::StrCat(
        "run_length column: ", reader.remaining(), " trailing bytes"));
  }
  return absl::OkStatus();
}

}  // namespace kpidb::format::internal
