// The codec registry. It knows each codec only through its entry points in
// encoding.h; the byte grammar and the size of an encoding belong to the
// codec's own *_codec.cc file.
#include "lib/format/encoding.h"

#include <iterator>
#include <string>

#include "lib/util/str_cat.h"

namespace kpidb::format {
namespace {

// Sorted by id; FindCodec() relies on ids being small and dense.
constexpr Codec kCodecs[] = {
    {Encoding::kPlain, "plain", &internal::EncodePlain,
     &internal::EncodedSizePlain, &internal::DecodePlain},
    {Encoding::kDelta, "delta", &internal::EncodeDelta,
     &internal::EncodedSizeDelta, &internal::DecodeDelta},
    {Encoding::kRunLength, "run_length", &internal::EncodeRunLength,
     &internal::EncodedSizeRunLength, &internal::DecodeRunLength},
    {Encoding::kDeltaRunLength, "delta_run_length",
     &internal::EncodeDeltaRunLength, &internal::EncodedSizeDeltaRunLength,
     &internal::DecodeDeltaRunLength},
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

Encoding EncodeBest(absl::Span<const int64_t> values, std::string* out) {
  // Strictly smaller only: on a tie the lower id wins (kCodecs is in id
  // order).
  const Codec* best = &kCodecs[0];
  size_t best_size = best->encoded_size(values);
  for (size_t i = 1; i < std::size(kCodecs); ++i) {
    const size_t size = kCodecs[i].encoded_size(values);
    if (size < best_size) {
      best = &kCodecs[i];
      best_size = size;
    }
  }
  best->encode(values, out);
  return best->id;
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
