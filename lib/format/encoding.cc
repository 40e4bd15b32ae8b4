#include "lib/format/encoding.h"

#include <iterator>
#include <string>

#include "lib/format/coding.h"
#include "lib/util/str_cat.h"

namespace kpidb::format {
namespace {

// Sorted by id; FindCodec() relies on ids being small and dense.
constexpr Codec kCodecs[] = {
    {Encoding::kPlain, "plain", &internal::EncodePlain, &internal::DecodePlain},
    {Encoding::kDelta, "delta", &internal::EncodeDelta, &internal::DecodeDelta},
    {Encoding::kRunLength, "run_length", &internal::EncodeRunLength,
     &internal::DecodeRunLength},
    {Encoding::kDeltaRunLength, "delta_run_length",
     &internal::EncodeDeltaRunLength, &internal::DecodeDeltaRunLength},
};

constexpr bool CodecsDenseFromOne() {
  for (size_t i = 0; i < std::size(kCodecs); ++i) {
    if (static_cast<size_t>(kCodecs[i].id) != i + 1) return false;
  }
  return true;
}
static_assert(CodecsDenseFromOne(), "kCodecs[i] must have id i + 1");

}  // namespace

const Codec* FindCodec(uint8_t id) {
  if (id == 0 || id > std::size(kCodecs)) return nullptr;
  return &kCodecs[id - 1];
}

absl::Span<const Codec> AllCodecs() { return kCodecs; }

namespace {

// Exact encoded sizes of every codec, in one pass and without writing: this
// runs for every column of every chunk a write touches. Must agree with the
// codecs' grammars (each codec file); the contract test checks that the
// chosen codec's bytes are what it writes.
struct Sizes {
  size_t plain = 0, delta = 0, run_length = 0, delta_run_length = 0;
};

uint64_t Diff(int64_t a, int64_t b) {
  // a - b modulo 2^64, as the delta codecs compute it.
  return ZigZagEncode(static_cast<int64_t>(static_cast<uint64_t>(a) -
                                           static_cast<uint64_t>(b)));
}

Sizes ComputeSizes(absl::Span<const int64_t> v) {
  Sizes s;
  const size_t n = v.size();
  if (n == 0) return s;
  const size_t first = static_cast<size_t>(VarintLength(ZigZagEncode(v[0])));
  s.plain = first;
  s.delta = first;
  s.delta_run_length = first;
  // Runs of equal values.
  size_t run = 1;
  for (size_t i = 1; i < n; ++i) {
    const uint64_t zz = ZigZagEncode(v[i]);
    s.plain += static_cast<size_t>(VarintLength(zz));
    s.delta += static_cast<size_t>(VarintLength(Diff(v[i], v[i - 1])));
    if (v[i] == v[i - 1]) {
      ++run;
    } else {
      s.run_length += static_cast<size_t>(VarintLength(ZigZagEncode(v[i - 1])) +
                                          VarintLength(run));
      run = 1;
    }
  }
  s.run_length += static_cast<size_t>(VarintLength(ZigZagEncode(v[n - 1])) +
                                      VarintLength(run));
  // Runs of equal differences.
  if (n > 1) {
    uint64_t d = Diff(v[1], v[0]);
    size_t drun = 1;
    for (size_t i = 2; i < n; ++i) {
      const uint64_t di = Diff(v[i], v[i - 1]);
      if (di == d) {
        ++drun;
      } else {
        s.delta_run_length +=
            static_cast<size_t>(VarintLength(d) + VarintLength(drun));
        d = di;
        drun = 1;
      }
    }
    s.delta_run_length += static_cast<size_t>(VarintLength(d) + VarintLength(drun));
  }
  return s;
}

}  // namespace

Encoding EncodeBest(absl::Span<const int64_t> values, std::string* out) {
  const Sizes s = ComputeSizes(values);
  // Strictly smaller only: on a tie the lower id wins (kCodecs is in id
  // order).
  const size_t sizes[] = {s.plain, s.delta, s.run_length, s.delta_run_length};
  size_t best = 0;
  for (size_t i = 1; i < std::size(kCodecs); ++i) {
    if (sizes[i] < sizes[best]) best = i;
  }
  kCodecs[best].encode(values, out);
  return kCodecs[best].id;
}

absl::Status DecodeColumn(uint8_t encoding_id, std::string_view in,
                          size_t count, int64_t* out) {
  const Codec* codec = FindCodec(encoding_id);
  if (codec == nullptr) {
    return absl::DataLossError(kpidb::StrCat("unknown column encoding id ",
                                             static_cast<int>(encoding_id)));
  }
  return codec->decode(in, count, out);
}

}  // namespace kpidb::format
