#include "lib/format/encoding.h"

#include <iterator>
#include <string>

#include "absl/strings/str_cat.h"

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

Encoding EncodeBest(absl::Span<const int64_t> values, std::string* out) {
  // Trying every codec costs a few passes over the column, which is cheap
  // next to writing it; guessing from statistics would be fragile.
  const Codec* best = &kCodecs[0];
  std::string best_bytes;
  best->encode(values, &best_bytes);
  std::string candidate;
  for (size_t i = 1; i < std::size(kCodecs); ++i) {
    candidate.clear();
    kCodecs[i].encode(values, &candidate);
    // Strictly smaller only: on a tie the earlier (lower id) codec stays.
    if (candidate.size() < best_bytes.size()) {
      best = &kCodecs[i];
      best_bytes.swap(candidate);
    }
  }
  out->append(best_bytes);
  return best->id;
}

absl::Status DecodeColumn(uint8_t encoding_id, std::string_view in,
                          size_t count, int64_t* out) {
  const Codec* codec = FindCodec(encoding_id);
  if (codec == nullptr) {
    return absl::DataLossError(absl::StrCat("unknown column encoding id ",
                                            static_cast<int>(encoding_id)));
  }
  return codec->decode(in, count, out);
}

}  // namespace kpidb::format
