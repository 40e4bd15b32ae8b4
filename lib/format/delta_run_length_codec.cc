// Delta run-length encoding (Encoding::kDeltaRunLength = 4): the first
// value, then the differences between neighbours as runs.
//
//   column := [first run*]      (nothing when count == 0; else run lengths
//                                sum to exactly count - 1)
//   first  := zigzag varint64   (ZigZagEncode(v[0]))
//   run    := delta length      (`length` consecutive differences equal
//                                to `delta`)
//   delta  := zigzag varint64   (ZigZagEncode(v[i] - v[i-1]), modulo 2^64
//                                as in the delta codec)
//   length := varint64          (>= 1)
//
// A column with a constant step, such as consecutive day numbers, is a few
// bytes however long it is: {19000, 19001, ..., 19999} is the first value
// and one run (delta 1, length 999).
// Example: {5, 5, 5, 6, 8} -> 0a 00 02 02 01 04 01.

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
  if (values.empty()) return;
  emit(ZigZagEncode(values[0]));
  // Differences modulo 2^64: see the grammar above.
  auto delta = [&](size_t i) {
    return static_cast<uint64_t>(values[i]) -
           static_cast<uint64_t>(values[i - 1]);
  };
  size_t i = 1;
  while (i < values.size()) {
    const uint64_t d = delta(i);
    size_t end = i + 1;
    while (end < values.size() && delta(end) == d) ++end;
    emit(ZigZagEncode(static_cast<int64_t>(d)));
    emit(end - i);
    i = end;
  }
}

}  // namespace

size_t EncodedSizeDeltaRunLength(absl::Span<const int64_t> values) {
  VarintCounter counter;
  ForEachVarint(values, counter);
  return counter.bytes;
}

void EncodeDeltaRunLength(absl::Span<const int64_t> values, std::string* out) {
  VarintWriter writer(out, EncodedSizeDeltaRunLength(values));
  ForEachVarint(values, writer);
  writer.Finish();
}

absl::Status DecodeDeltaRunLength(std::string_view in, size_t count,
                                  int64_t* out) {
  ByteReader reader(in);
  if (count == 0) {
    if (!reader.empty()) {
      return absl::DataLossError(kpidb::StrCat(
          "delta_run_length column: ", reader.remaining(), " trailing bytes"));
    }
    return absl::OkStatus();
  }
  uint64_t zigzag;
  if (!reader.ReadVarint64(&zigzag)) {
    return absl::DataLossError(
        "delta_run_length column: bad or truncated first value");
  }
  uint64_t value = static_cast<uint64_t>(ZigZagDecode(zigzag));
  out[0] = static_cast<int64_t>(value);
  size_t i = 1;
  // Each run consumes at least two bytes and yields at least one value, so
  // the loop ends within min(count, in.size() / 2) iterations.
  while (i < count) {
    uint64_t length;
    if (!reader.ReadVarint64(&zigzag) || !reader.ReadVarint64(&length)) {
      return absl::DataLossError(kpidb::StrCat(
          "delta_run_length column: bad or truncated varint at value ", i));
    }
    if (length == 0) {
      return absl::DataLossError(kpidb::StrCat(
          "delta_run_length column: run of length 0 at value ", i));
    }
    if (length > count - i) {
      return absl::DataLossError(kpidb::StrCat(
          "delta_run_length column: run of ", length, " at value ", i,
          " overruns the column of ", count, " values"));
    }
    const uint64_t delta = static_cast<uint64_t>(ZigZagDecode(zigzag));
    if (delta == 0) {
      std::fill_n(out + i, length, static_cast<int64_t>(value));
    } else {
      for (uint64_t k = 0; k < length; ++k) {
        value += delta;
        out[i + k] = static_cast<int64_t>(value);
      }
    }
    i += length;
  }
  if (!reader.empty()) {
    return absl::DataLossError(kpidb::StrCat(
        "delta_run_length column: ", reader.remaining(), " trailing bytes"));
  }
  return absl::OkStatus();
}

}  // namespace kpidb::format::internal
