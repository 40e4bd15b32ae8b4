// File: lib/format/coding.h
// -----------------------------------------------------------------------------
//
// Byte-level building blocks of the chunk format: little-endian fixed-width
// integers, LEB128 varints, ZigZag, and ByteReader, a cursor over untrusted
// bytes that never reads past the end of its input.
//
// Byte order is fixed (little-endian) regardless of the host, so files move
// between machines. Every reader function reports failure instead of
// asserting: the bytes come from disk and may be corrupt.
#ifndef KPIDB_LIB_FORMAT_CODING_H_
#define KPIDB_LIB_FORMAT_CODING_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace kpidb::format {

// A varint64 never needs more than this many bytes (ceil(64 / 7)).
inline constexpr int kMaxVarint64Length = 10;

// Writes `value` little-endian to dst[0..3] / dst[0..7]. Byte-at-a-time
// shifts instead of memcpy: compilers turn them into one store on
// little-endian hosts, and they stay correct on big-endian ones.
inline void EncodeFixed32(char* dst, uint32_t value) {
  for (int i = 0; i < 4; ++i) dst[i] = static_cast<char>(value >> (8 * i));
}
inline void EncodeFixed64(char* dst, uint64_t value) {
  for (int i = 0; i < 8; ++i) dst[i] = static_cast<char>(value >> (8 * i));
}

// Reads a little-endian value from p[0..3] / p[0..7]. The caller guarantees
// that many bytes are there; use ByteReader for untrusted input.
inline uint32_t DecodeFixed32(const char* p) {
  uint32_t value = 0;
  for (int i = 0; i < 4; ++i) {
    value |= static_cast<uint32_t>(static_cast<uint8_t>(p[i])) << (8 * i);
  }
  return value;
}
inline uint64_t DecodeFixed64(const char* p) {
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i) {
    value |= static_cast<uint64_t>(static_cast<uint8_t>(p[i])) << (8 * i);
  }
  return value;
}

// Append to *dst.
void PutFixed32(std::string* dst, uint32_t value);
void PutFixed64(std::string* dst, uint64_t value);
void PutVarint64(std::string* dst, uint64_t value);

// Bytes PutVarint64(value) appends: 1..kMaxVarint64Length.
constexpr int VarintLength(uint64_t value) {
  // 1 + floor(log2(value) / 7), with 0 taking one byte. (log2 * 9 + 73) / 64
  // equals it for every log2 in 0..63 (checked below) and needs no
  // division: EncodeBest() sizes every value of a column once per codec.
  const int log2 = 63 - __builtin_clzll(value | 1);
  return (log2 * 9 + 73) >> 6;
}

constexpr bool VarintLengthIsOnePlusLog2Over7() {
  for (int log2 = 0; log2 < 64; ++log2) {
    if (VarintLength(uint64_t{1} << log2) != 1 + log2 / 7) return false;
    if (VarintLength((uint64_t{2} << log2) - 1) != 1 + log2 / 7) return false;
  }
  return VarintLength(0) == 1;
}
static_assert(VarintLengthIsOnePlusLog2Over7());

// Writes the varint of `value` at dst, which has room for
// VarintLength(value) bytes, and returns the end of what it wrote.
inline char* EncodeVarint64(char* dst, uint64_t value) {
  while (value >= 0x80) {
    *dst++ = static_cast<char>(value | 0x80);
    value >>= 7;
  }
  *dst++ = static_cast<char>(value);
  return dst;
}

// The two consumers of a codec's varint walk (a function in each *_codec.cc
// that hands every varint of an encoding, in order, to a callable): one
// counts their bytes, the other writes them where the count made room.
// Sizing and encoding a column through the same walk keeps the size a codec
// predicts equal to what it writes, and writing in place saves an append
// per varint.
struct VarintCounter {
  size_t bytes = 0;
  void operator()(uint64_t value) {
    bytes += static_cast<size_t>(VarintLength(value));
  }
};

class VarintWriter {
 public:
  // Appends room for `bytes` bytes to *out, to be written by the calls.
  VarintWriter(std::string* out, size_t bytes) : out_(out) {
    const size_t start = out->size();
    out->resize(start + bytes);
    dst_ = out->data() + start;
  }

  void operator()(uint64_t value) { dst_ = EncodeVarint64(dst_, value); }

  // Trims *out to what the calls wrote. Had the room been sized wrongly, the
  // encoding's length would then differ from the size (which the codec
  // contract test checks) instead of ending in zero bytes.
  void Finish() { out_->resize(static_cast<size_t>(dst_ - out_->data())); }

 private:
  std::string* out_;
  char* dst_;
};

// ZigZag maps signed to unsigned so that values of small magnitude get short
// varints: 0->0, -1->1, 1->2, -2->3, ... INT64_MIN->UINT64_MAX. Both
// directions are total and exact; the shifts rely on C++20's definition of
// signed right shift and signed/unsigned conversion, so there is no UB.
inline constexpr uint64_t ZigZagEncode(int64_t value) {
  return (static_cast<uint64_t>(value) << 1) ^
         static_cast<uint64_t>(value >> 63);
}
inline constexpr int64_t ZigZagDecode(uint64_t value) {
  return static_cast<int64_t>((value >> 1) ^ (~(value & 1) + 1));
}

// A read cursor over a byte string. Each Read* either consumes exactly what it
// returns and yields true, or yields false; after a failure the position is
// unspecified and the reader should be abandoned (the caller reports
// corruption). Does not own the bytes.
class ByteReader {
 public:
  explicit ByteReader(std::string_view data)
      : p_(data.data()), end_(data.data() + data.size()) {}

  // LEB128, least significant group first. Fails on a truncated varint, on
  // one longer than kMaxVarint64Length bytes, and on one whose value does not
  // fit 64 bits. Non-minimal encodings (0x80 0x00 for 0) are accepted, as
  // in LevelDB and protobuf.
  bool ReadVarint64(uint64_t* value) {
    // Almost every varint in a column is one byte (small deltas, run
    // lengths), so that case stays inline and branch-light.
    if (p_ != end_ && static_cast<uint8_t>(*p_) < 0x80) {
      *value = static_cast<uint8_t>(*p_++);
      return true;
    }
    // Two bytes (values below 16384: most mantissa deltas) stay inline too.
    if (end_ - p_ >= 2 && static_cast<uint8_t>(p_[1]) < 0x80) {
      *value = (static_cast<uint64_t>(static_cast<uint8_t>(p_[0]) & 0x7f)) |
               (static_cast<uint64_t>(static_cast<uint8_t>(p_[1])) << 7);
      p_ += 2;
      return true;
    }
    return ReadVarint64Slow(value);
  }

  bool ReadFixed32(uint32_t* value) {
    if (remaining() < 4) return false;
    *value = DecodeFixed32(p_);
    p_ += 4;
    return true;
  }

  bool ReadFixed64(uint64_t* value) {
    if (remaining() < 8) return false;
    *value = DecodeFixed64(p_);
    p_ += 8;
    return true;
  }

  bool ReadByte(uint8_t* value) {
    if (p_ == end_) return false;
    *value = static_cast<uint8_t>(*p_++);
    return true;
  }

  // *bytes points into the reader's input.
  bool ReadBytes(size_t n, std::string_view* bytes) {
    if (remaining() < n) return false;
    *bytes = std::string_view(p_, n);
    p_ += n;
    return true;
  }

  bool empty() const { return p_ == end_; }
  size_t remaining() const { return static_cast<size_t>(end_ - p_); }
  // The bytes not read yet.
  std::string_view rest() const { return std::string_view(p_, remaining()); }

 private:
  bool ReadVarint64Slow(uint64_t* value);

  const char* p_;
  const char* end_;
};

}  // namespace kpidb::format

#endif  // KPIDB_LIB_FORMAT_CODING_H_
