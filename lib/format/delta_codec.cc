// Delta encoding (Encoding::kDelta = 2): the first value, then the
// difference of each value from the one before.
//
//   column := [first delta*]    (nothing when count == 0; else count-1 deltas)
//   first  := zigzag varint64   (ZigZagEncode(v[0]))
//   delta  := zigzag varint64   (ZigZagEncode(v[i] - v[i-1]))
//
// The difference is computed modulo 2^64 (v[i] - v[i-1] as uint64, then
// reinterpreted as int64), so it is defined for every pair of int64 values
// and decoding, which adds modulo 2^64, restores the exact input even across
// INT64_MIN/INT64_MAX. For increasing sequences with an irregular step
// (cumulative counters, sorted ids).
// Example: {5, 5, 5, 6, 8} -> 0a 00 00 02 04.

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
  uint64_t previous = 0;
  for (int64_t value : values) {
    const uint64_t v = static_cast<uint64_t>(value);
    // For the first value, v - 0 is the value itself.
    emit(ZigZagEncode(static_cast<int64_t>(v - previous)));
    previous = v;
  }
}

}  // namespace

size_t EncodedSizeDelta(absl::Span<const int64_t> values) {
  VarintCounter counter;
  ForEachVarint(values, counter);
  return counter.bytes;
}

void EncodeDelta(absl::Span<const int64_t> values, std::string* out) {
  VarintWriter writer(out, EncodedSizeDelta(values));
  ForEachVarint(values, writer);
  writer.Finish();
}

absl::Status DecodeDelta(std::string_view in, size_t count, int64_t* out) {
  // At least one byte per value; also bounds the work for a corrupt count.
  if (in.size() < count) {
    return absl::DataLossError(kpidb::StrCat(
        "delta column: ", in.size(), " bytes cannot hold ", count, " values"));
  }
  ByteReader reader(in);
  uint64_t value = 0;
  for (size_t i = 0; i < count; ++i) {
    uint64_t zigzag;
    if (!reader.ReadVarint64(&zigzag)) {
      return absl::DataLossError(
          kpidb::StrCat("delta column: bad or truncated varint at value ", i));
    }
    value += static_cast<uint64_t>(ZigZagDecode(zigzag));
    out[i] = static_cast<int64_t>(value);
  }
  if (!reader.empty()) {
    return absl::DataLossError(
        kpidb::StrCat("delta column: ", reader.remaining(), " trailing bytes"));
  }
  return absl::OkStatus();
}

}  // namespace kpidb::format::internal
