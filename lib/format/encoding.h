// File: lib/format/encoding.h
// -----------------------------------------------------------------------------
//
// Encodings of int64 columns. Every column kpidb stores (day numbers, lengths,
// mantissas, exponents, dictionary ids) is a sequence of int64, written with
// one of a few codecs; the chunk records which one by its Encoding id, and
// the value count separately (codecs do not store it).
//
//   std::string bytes;
//   Encoding used = EncodeBest(days, &bytes);
//   ...
//   std::vector<int64_t> back(days.size());
//   KPIDB_RETURN_IF_ERROR(DecodeColumn(static_cast<uint8_t>(used), bytes,
//                                      back.size(), back.data()));
//
// The byte grammar of every codec is in doc/encodings.md.
//
// Thread-safety: everything here is stateless and safe to call concurrently.
#ifndef KPIDB_LIB_FORMAT_ENCODING_H_
#define KPIDB_LIB_FORMAT_ENCODING_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/types/span.h"

namespace kpidb::format {

// Persisted in chunks: never change or reuse these values.
enum class Encoding : uint8_t {
  kPlain = 1,
  kDelta = 2,
  kRunLength = 3,
  kDeltaRunLength = 4,
};

struct Codec {
  Encoding id;
  const char* name;  // Lower-case, for tools and messages: "delta_run_length".
  // Appends the encoding of `values` to *out. Empty input appends nothing.
  void (*encode)(absl::Span<const int64_t> values, std::string* out);
  // Exactly the number of bytes encode(values) appends, computed without
  // writing them: EncodeBest() asks every codec on every column a write
  // touches, and encodes with one only.
  size_t (*encoded_size)(absl::Span<const int64_t> values);
  // Decodes exactly `count` values into out[0..count-1], consuming all of
  // `in`. DataLoss on any inconsistency; on error out[] holds garbage but
  // nothing past out[count-1] has been written.
  absl::Status (*decode)(std::string_view in, size_t count, int64_t* out);
};

// The codec with this id, or nullptr for ids no codec uses.
const Codec* FindCodec(uint8_t id);

// Every codec, in increasing id order.
absl::Span<const Codec> AllCodecs();

// Appends the smallest encoding of `values` to *out and returns which one it
// used (ties: lowest id). Sizes come from each codec's encoded_size(), so
// only the chosen codec writes.
Encoding EncodeBest(absl::Span<const int64_t> values, std::string* out);

// Decodes exactly `count` values, consuming exactly all of `in`; DataLoss on
// any inconsistency: truncated input, trailing bytes, a run overrunning
// count, unknown id.
[[nodiscard]] absl::Status DecodeColumn(uint8_t encoding_id, std::string_view in, size_t count,
                                        int64_t* out);

namespace internal {

// The codec entry points, one set per *_codec.cc file. Only the registry in
// encoding.cc should name them; everyone else goes through FindCodec(). The
// registry refers to them explicitly (rather than codecs registering
// themselves from static initializers) so that linking kpidb as a static
// library can never drop a codec.
void EncodePlain(absl::Span<const int64_t> values, std::string* out);
size_t EncodedSizePlain(absl::Span<const int64_t> values);
[[nodiscard]] absl::Status DecodePlain(std::string_view in, size_t count, int64_t* out);
void EncodeDelta(absl::Span<const int64_t> values, std::string* out);
size_t EncodedSizeDelta(absl::Span<const int64_t> values);
[[nodiscard]] absl::Status DecodeDelta(std::string_view in, size_t count, int64_t* out);
void EncodeRunLength(absl::Span<const int64_t> values, std::string* out);
size_t EncodedSizeRunLength(absl::Span<const int64_t> values);
[[nodiscard]] absl::Status DecodeRunLength(std::string_view in, size_t count, int64_t* out);
void EncodeDeltaRunLength(absl::Span<const int64_t> values, std::string* out);
size_t EncodedSizeDeltaRunLength(absl::Span<const int64_t> values);
[[nodiscard]] absl::Status DecodeDeltaRunLength(std::string_view in, size_t count, int64_t* out);

}  // namespace internal
}  // namespace kpidb::format

#endif  // KPIDB_LIB_FORMAT_ENCODING_H_
