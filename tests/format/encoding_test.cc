#include "lib/format/encoding.h"

#include <cstdint>
#include <limits>
#include <ostream>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/types/span.h"
#include "gtest/gtest.h"
#include "lib/format/coding.h"
#include "lib/util/str_cat.h"

namespace kpidb::format {

// Readable parameter names in gtest output instead of a byte dump.
void PrintTo(const Codec& codec, std::ostream* os) { *os << codec.name; }

namespace {

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

// "0a 0c" <-> "\x0a\x0c"
std::string ToHex(std::string_view bytes) {
  std::vector<std::string> parts;
  for (char c : bytes)
    parts.push_back(absl::StrFormat("%02x", static_cast<uint8_t>(c)));
  return absl::StrJoin(parts, " ");
}

std::string FromHex(std::string_view hex) {
  std::string bytes;
  for (size_t i = 0; i < hex.size();) {
    if (hex[i] == ' ') {
      ++i;
      continue;
    }
    bytes.push_back(static_cast<char>(
        std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
    i += 2;
  }
  return bytes;
}

uint32_t Seed() { return ::testing::UnitTest::GetInstance()->random_seed(); }

std::string Encode(const Codec& codec, absl::Span<const int64_t> values) {
  std::string out;
  codec.encode(values, &out);
  return out;
}

// Decodes into a buffer with guard values on both sides so that a write
// outside out[0..count-1] is caught even without ASan.
[[nodiscard]] absl::Status GuardedDecode(uint8_t id, std::string_view in, size_t count,
                                         std::vector<int64_t>* values) {
  constexpr int64_t kGuard = 0x5a5a5a5a5a5a5a5a;
  std::vector<int64_t> buffer(count + 2, kGuard);
  absl::Status status = DecodeColumn(id, in, count, buffer.data() + 1);
  EXPECT_EQ(buffer.front(), kGuard) << "wrote before out[0]";
  EXPECT_EQ(buffer.back(), kGuard) << "wrote past out[count-1]";
  values->assign(buffer.begin() + 1, buffer.end() - 1);
  return status;
}

uint8_t Id(const Codec& codec) { return static_cast<uint8_t>(codec.id); }

// Up to 39 values of one of the shapes chunk columns have.
std::vector<int64_t> RandomShortColumn(std::mt19937_64& rng) {
  const size_t n = rng() % 40;
  std::vector<int64_t> v(n);
  const int shape = static_cast<int>(rng() % 5);
  int64_t x = static_cast<int64_t>(rng());
  for (size_t i = 0; i < n; ++i) {
    switch (shape) {
      case 0: v[i] = static_cast<int64_t>(rng()); break;                    // random
      case 1: v[i] = static_cast<int64_t>(rng() % 3); break;                // few values
      case 2: x += 91 + static_cast<int64_t>(rng() % 2); v[i] = x; break;   // dates
      case 3: v[i] = (i / 4) % 2 == 0 ? INT64_MIN : INT64_MAX; break;       // extremes
      default: x += static_cast<int64_t>(rng() % 300) - 150; v[i] = x;      // walk
    }
  }
  return v;
}

// ---------------------------------------------------------------------------
// coding.h

TEST(CodingTest, FixedIsLittleEndian) {
  std::string s;
  PutFixed32(&s, 0x04030201u);
  PutFixed64(&s, 0x0807060504030201ull);
  EXPECT_EQ(ToHex(s), "01 02 03 04 01 02 03 04 05 06 07 08");
  EXPECT_EQ(DecodeFixed32(s.data()), 0x04030201u);
  EXPECT_EQ(DecodeFixed64(s.data() + 4), 0x0807060504030201ull);

  ByteReader reader(s);
  uint32_t v32;
  uint64_t v64;
  ASSERT_TRUE(reader.ReadFixed32(&v32));
  EXPECT_EQ(v32, 0x04030201u);
  ASSERT_TRUE(reader.ReadFixed64(&v64));
  EXPECT_EQ(v64, 0x0807060504030201ull);
  EXPECT_TRUE(reader.empty());
  EXPECT_FALSE(reader.ReadFixed32(&v32));
}

TEST(CodingTest, FixedHighBitsSurvive) {
  std::string s;
  PutFixed32(&s, 0xfffffffeu);
  PutFixed64(&s, 0xfedcba9876543210ull);
  EXPECT_EQ(DecodeFixed32(s.data()), 0xfffffffeu);
  EXPECT_EQ(DecodeFixed64(s.data() + 4), 0xfedcba9876543210ull);
}

TEST(CodingTest, ShortFixedFails) {
  std::string s = "\x01\x02\x03";
  ByteReader reader(s);
  uint32_t v32;
  EXPECT_FALSE(reader.ReadFixed32(&v32));
  ByteReader reader64(std::string_view("1234567"));
  uint64_t v64;
  EXPECT_FALSE(reader64.ReadFixed64(&v64));
}

TEST(CodingTest, VarintGolden) {
  struct Case {
    uint64_t value;
    const char* hex;
  };
  const Case cases[] = {
      {0, "00"},
      {1, "01"},
      {127, "7f"},
      {128, "80 01"},
      {300, "ac 02"},
      {16383, "ff 7f"},
      {16384, "80 80 01"},
      {std::numeric_limits<uint64_t>::max(), "ff ff ff ff ff ff ff ff ff 01"},
  };
  for (const Case& c : cases) {
    std::string s;
    PutVarint64(&s, c.value);
    EXPECT_EQ(ToHex(s), c.hex) << c.value;
    EXPECT_EQ(VarintLength(c.value), static_cast<int>(s.size())) << c.value;
    ByteReader reader(s);
    uint64_t back;
    ASSERT_TRUE(reader.ReadVarint64(&back)) << c.value;
    EXPECT_EQ(back, c.value);
    EXPECT_TRUE(reader.empty());
  }
}

TEST(CodingTest, VarintRoundTripsEveryBitLength) {
  std::string s;
  std::vector<uint64_t> values;
  for (int bits = 0; bits <= 64; ++bits) {
    const uint64_t v = bits == 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
    values.push_back(v);
    values.push_back(v + 1);
  }
  for (uint64_t v : values) PutVarint64(&s, v);
  ByteReader reader(s);
  for (uint64_t v : values) {
    uint64_t back;
    ASSERT_TRUE(reader.ReadVarint64(&back));
    EXPECT_EQ(back, v);
  }
  EXPECT_TRUE(reader.empty());
}

// EncodeBest() sizes columns with VarintLength(): it must be the length
// PutVarint64() writes at every bit length and on both sides of each.
TEST(CodingTest, VarintLengthIsWhatPutVarint64Writes) {
  for (int bits = 0; bits <= 64; ++bits) {
    const uint64_t top = bits == 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
    for (uint64_t v : {top - 1, top, top + 1}) {
      std::string s;
      PutVarint64(&s, v);
      EXPECT_EQ(VarintLength(v), static_cast<int>(s.size())) << v;
      char buf[kMaxVarint64Length];
      EXPECT_EQ(EncodeVarint64(buf, v) - buf, static_cast<ptrdiff_t>(s.size()));
      EXPECT_EQ(std::string_view(buf, s.size()), s) << v;
    }
  }
}

TEST(CodingTest, BadVarintsFail) {
  const char* bad[] = {
      "",                                  // nothing
      "80",                                // truncated
      "ff ff",                             // truncated
      "ff ff ff ff ff ff ff ff ff",        // nine continuation bytes, no end
      "ff ff ff ff ff ff ff ff ff 02",     // 65th bit set: overflow
      "ff ff ff ff ff ff ff ff ff 7f",     // overflow
      "80 80 80 80 80 80 80 80 80 80 00",  // eleven bytes
      "ff ff ff ff ff ff ff ff ff 81 00",  // eleven bytes
  };
  for (const char* hex : bad) {
    const std::string s = FromHex(hex);
    ByteReader reader(s);
    uint64_t v;
    EXPECT_FALSE(reader.ReadVarint64(&v)) << hex;
  }
}

TEST(CodingTest, NonMinimalVarintIsAccepted) {
  const std::string s = FromHex("80 00");
  ByteReader reader(s);
  uint64_t v = 99;
  ASSERT_TRUE(reader.ReadVarint64(&v));
  EXPECT_EQ(v, 0u);
  EXPECT_TRUE(reader.empty());
}

TEST(CodingTest, ZigZag) {
  EXPECT_EQ(ZigZagEncode(0), 0u);
  EXPECT_EQ(ZigZagEncode(-1), 1u);
  EXPECT_EQ(ZigZagEncode(1), 2u);
  EXPECT_EQ(ZigZagEncode(-2), 3u);
  EXPECT_EQ(ZigZagEncode(kMax), 0xfffffffffffffffeull);
  EXPECT_EQ(ZigZagEncode(kMin), 0xffffffffffffffffull);
  for (int64_t v : {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{63},
                    int64_t{-64}, int64_t{1} << 40, -(int64_t{1} << 40), kMin,
                    kMax, kMin + 1, kMax - 1}) {
    EXPECT_EQ(ZigZagDecode(ZigZagEncode(v)), v);
  }
  for (uint64_t u : {uint64_t{0}, uint64_t{1}, uint64_t{2}, ~uint64_t{0},
                     ~uint64_t{0} - 1}) {
    EXPECT_EQ(ZigZagEncode(ZigZagDecode(u)), u);
  }
}

TEST(CodingTest, ByteReaderBounds) {
  const std::string s = "abc";
  ByteReader reader(s);
  EXPECT_EQ(reader.remaining(), 3u);
  uint8_t byte;
  ASSERT_TRUE(reader.ReadByte(&byte));
  EXPECT_EQ(byte, 'a');
  std::string_view bytes;
  EXPECT_FALSE(reader.ReadBytes(3, &bytes));
  ASSERT_TRUE(reader.ReadBytes(2, &bytes));
  EXPECT_EQ(bytes, "bc");
  EXPECT_TRUE(reader.empty());
  EXPECT_EQ(reader.remaining(), 0u);
  EXPECT_FALSE(reader.ReadByte(&byte));
  ASSERT_TRUE(reader.ReadBytes(0, &bytes));
  EXPECT_TRUE(bytes.empty());
  EXPECT_FALSE(reader.ReadBytes(std::numeric_limits<size_t>::max(), &bytes));
}

// ---------------------------------------------------------------------------
// Registry

TEST(RegistryTest, FindCodec) {
  EXPECT_EQ(FindCodec(0), nullptr);
  EXPECT_EQ(FindCodec(5), nullptr);
  EXPECT_EQ(FindCodec(99), nullptr);
  EXPECT_EQ(FindCodec(255), nullptr);
  for (Encoding e : {Encoding::kPlain, Encoding::kDelta, Encoding::kRunLength,
                     Encoding::kDeltaRunLength}) {
    const Codec* codec = FindCodec(static_cast<uint8_t>(e));
    ASSERT_NE(codec, nullptr);
    EXPECT_EQ(codec->id, e);
  }
}

TEST(RegistryTest, AllCodecsSortedWithUniqueNames) {
  absl::Span<const Codec> codecs = AllCodecs();
  ASSERT_EQ(codecs.size(), 4u);
  std::set<std::string> names;
  for (size_t i = 0; i < codecs.size(); ++i) {
    if (i > 0) {
      EXPECT_LT(Id(codecs[i - 1]), Id(codecs[i]));
    }
    EXPECT_EQ(FindCodec(Id(codecs[i])), &codecs[i]);
    EXPECT_TRUE(names.insert(codecs[i].name).second) << codecs[i].name;
  }
  EXPECT_EQ(std::string(FindCodec(1)->name), "plain");
  EXPECT_EQ(std::string(FindCodec(2)->name), "delta");
  EXPECT_EQ(std::string(FindCodec(3)->name), "run_length");
  EXPECT_EQ(std::string(FindCodec(4)->name), "delta_run_length");
}

TEST(RegistryTest, UnknownIdIsDataLoss) {
  int64_t out[1] = {7};
  for (uint8_t id : {0, 5, 99, 255}) {
    absl::Status status = DecodeColumn(id, "", 0, out);
    EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss) << int{id};
    EXPECT_NE(status.message().find("unknown column encoding"),
              std::string_view::npos)
        << status;
  }
  EXPECT_EQ(out[0], 7);
}

// ---------------------------------------------------------------------------
// Golden bytes: the format is persisted, so these must never change.

struct GoldenCase {
  Encoding encoding;
  std::vector<int64_t> values;
  const char* hex;
};

TEST(GoldenTest, ExactBytes) {
  const std::vector<int64_t> small = {5, 5, 5, 6, 8};
  const std::vector<int64_t> extremes = {kMin, kMax};
  const std::vector<int64_t> negative = {-1, -65, 300};
  const GoldenCase cases[] = {
      {Encoding::kPlain, small, "0a 0a 0a 0c 10"},
      {Encoding::kDelta, small, "0a 00 00 02 04"},
      {Encoding::kRunLength, small, "0a 03 0c 01 10 01"},
      {Encoding::kDeltaRunLength, small, "0a 00 02 02 01 04 01"},
      // zigzag(INT64_MIN) = 2^64-1, zigzag(INT64_MAX) = 2^64-2; the wrapped
      // difference INT64_MAX - INT64_MIN is -1 -> zigzag 1.
      {Encoding::kPlain, extremes,
       "ff ff ff ff ff ff ff ff ff 01 fe ff ff ff ff ff ff ff ff 01"},
      {Encoding::kDelta, extremes, "ff ff ff ff ff ff ff ff ff 01 01"},
      {Encoding::kRunLength, extremes,
       "ff ff ff ff ff ff ff ff ff 01 01 fe ff ff ff ff ff ff ff ff 01 01"},
      {Encoding::kDeltaRunLength, extremes,
       "ff ff ff ff ff ff ff ff ff 01 01 01"},
      // -1 -> 01, -65 -> 81 01, 300 -> zigzag 600 = d8 04; deltas -64 -> 7f,
      // 365 -> zigzag 730 = da 05.
      {Encoding::kPlain, negative, "01 81 01 d8 04"},
      {Encoding::kDelta, negative, "01 7f da 05"},
      {Encoding::kRunLength, negative, "01 01 81 01 01 d8 04 01"},
      {Encoding::kDeltaRunLength, negative, "01 7f 01 da 05 01"},
  };
  for (const GoldenCase& c : cases) {
    const Codec* codec = FindCodec(static_cast<uint8_t>(c.encoding));
    ASSERT_NE(codec, nullptr);
    SCOPED_TRACE(
        kpidb::StrCat(codec->name, " {", absl::StrJoin(c.values, ", "), "}"));
    EXPECT_EQ(ToHex(Encode(*codec, c.values)), c.hex);
    std::vector<int64_t> back;
    ASSERT_TRUE(
        GuardedDecode(Id(*codec), FromHex(c.hex), c.values.size(), &back).ok());
    EXPECT_EQ(back, c.values);
  }
}

TEST(GoldenTest, LongConstantStepIsTiny) {
  std::vector<int64_t> days;
  for (int64_t d = 19000; d < 20000; ++d) days.push_back(d);
  // zigzag(19000) = 38000 = f0 a8 02; then delta 1 (02) times 999 (e7 07).
  EXPECT_EQ(ToHex(Encode(*FindCodec(4), days)), "f0 a8 02 02 e7 07");
}

// ---------------------------------------------------------------------------
// The contract every codec must meet.

class CodecContractTest : public ::testing::TestWithParam<Codec> {
 protected:
  const Codec& codec() const { return GetParam(); }

  // Encodes, checks the bytes decode back exactly via both entry points, and
  // returns the bytes.
  std::string RoundTrip(const std::vector<int64_t>& values) {
    const std::string bytes = Encode(codec(), values);
    std::vector<int64_t> back;
    absl::Status status =
        GuardedDecode(Id(codec()), bytes, values.size(), &back);
    EXPECT_TRUE(status.ok()) << status;
    EXPECT_EQ(back, values);
    std::vector<int64_t> direct(values.size());
    status = codec().decode(bytes, values.size(), direct.data());
    EXPECT_TRUE(status.ok()) << status;
    EXPECT_EQ(direct, values);
    // Encoding appends: existing content is kept.
    std::string appended = "prefix";
    codec().encode(values, &appended);
    EXPECT_EQ(appended, "prefix" + bytes);
    return bytes;
  }

  // A spread of shaped and random columns.
  std::vector<std::vector<int64_t>> SampleInputs(std::mt19937_64& rng) {
    std::vector<std::vector<int64_t>> inputs = {
        {},
        {0},
        {1},
        {-1},
        {kMin},
        {kMax},
        {5, 5, 5, 6, 8},
        std::vector<int64_t>(1000, 42),
        std::vector<int64_t>(300, kMin),
        {kMin, kMax, kMin, kMax, 0, kMax, kMax, kMin, kMin, -1, 1},
        {kMax, kMin, kMax - 1, kMin + 1, kMax, kMax},
        {0, kMax, 0, kMin, 0},
    };
    std::vector<int64_t> dates;
    for (int64_t d = 19000; d < 21000; ++d) dates.push_back(d);
    inputs.push_back(dates);
    std::vector<int64_t> quarters;  // Roughly constant step with jitter.
    for (int64_t d = 19000, i = 0; i < 500; ++i) {
      quarters.push_back(d);
      d += 90 + static_cast<int64_t>(rng() % 3);
    }
    inputs.push_back(quarters);
    std::vector<int64_t> runs;
    for (int r = 0; r < 50; ++r) {
      const int64_t v = static_cast<int64_t>(rng() % 1000) - 500;
      runs.insert(runs.end(), 1 + rng() % 40, v);
    }
    inputs.push_back(runs);
    for (int k = 0; k < 20; ++k) {
      std::vector<int64_t> random(rng() % 300);
      const int shape = k % 4;
      // Starts just below INT64_MAX so that the walk wraps to INT64_MIN.
      int64_t walk = kMax - static_cast<int64_t>(rng() % 500);
      for (int64_t& v : random) {
        switch (shape) {
          case 0:  // Full range.
            v = static_cast<int64_t>(rng());
            break;
          case 1:  // Small, either sign.
            v = static_cast<int64_t>(rng() % 2001) - 1000;
            break;
          case 2:  // Random walk across the wrap-around point.
            walk =
                static_cast<int64_t>(static_cast<uint64_t>(walk) + rng() % 7);
            v = walk;
            break;
          default: {  // Only the extremes, their neighbours and zero.
            const int64_t picks[] = {kMin, kMin + 1, kMax - 1, kMax, 0};
            v = picks[rng() % 5];
            break;
          }
        }
      }
      inputs.push_back(random);
    }
    return inputs;
  }
};

TEST_P(CodecContractTest, EmptyColumnIsZeroBytes) {
  EXPECT_EQ(Encode(codec(), {}), "");
  EXPECT_TRUE(DecodeColumn(Id(codec()), "", 0, nullptr).ok());
}

TEST_P(CodecContractTest, RoundTrips) {
  std::mt19937_64 rng(Seed());
  SCOPED_TRACE(kpidb::StrCat("random seed ", Seed()));
  for (const std::vector<int64_t>& values : SampleInputs(rng)) {
    SCOPED_TRACE(kpidb::StrCat(values.size(), " values"));
    RoundTrip(values);
  }
}

// EncodeBest() picks a codec by encoded_size() alone, so it must be exactly
// the length of what encode() writes, for every shape of column.
TEST_P(CodecContractTest, EncodedSizeIsTheEncodedLength) {
  std::mt19937_64 rng(Seed());
  SCOPED_TRACE(kpidb::StrCat("random seed ", Seed()));
  std::vector<std::vector<int64_t>> inputs = SampleInputs(rng);
  for (int i = 0; i < 3000; ++i) inputs.push_back(RandomShortColumn(rng));
  const int64_t interesting[] = {kMin, kMin + 1, -1, 0, 1, kMax - 1, kMax};
  for (int64_t a : interesting) {
    for (int64_t b : interesting) {
      inputs.push_back({a, b});
      for (int64_t c : interesting) inputs.push_back({a, b, c});
    }
  }
  for (const std::vector<int64_t>& values : inputs) {
    ASSERT_EQ(codec().encoded_size(values), Encode(codec(), values).size())
        << values.size() << " values: " << absl::StrJoin(values, ", ");
  }
}

TEST_P(CodecContractTest, ExtremesNextToEachOther) {
  const int64_t interesting[] = {kMin, kMin + 1, -1, 0, 1, kMax - 1, kMax};
  // Every ordered pair and triple, so every wrapped difference occurs.
  for (int64_t a : interesting) {
    for (int64_t b : interesting) {
      RoundTrip({a, b});
      for (int64_t c : interesting) RoundTrip({a, b, c});
    }
  }
}

TEST_P(CodecContractTest, EveryTruncationIsDataLoss) {
  std::mt19937_64 rng(Seed());
  for (const std::vector<int64_t>& values : SampleInputs(rng)) {
    const std::string bytes = Encode(codec(), values);
    for (size_t n = 0; n < bytes.size(); ++n) {
      std::vector<int64_t> back;
      absl::Status status =
          GuardedDecode(Id(codec()), bytes.substr(0, n), values.size(), &back);
      ASSERT_EQ(status.code(), absl::StatusCode::kDataLoss)
          << values.size() << " values, kept " << n << " of " << bytes.size()
          << " bytes: " << status;
    }
  }
}

TEST_P(CodecContractTest, TrailingByteIsDataLoss) {
  std::mt19937_64 rng(Seed());
  for (const std::vector<int64_t>& values : SampleInputs(rng)) {
    for (char extra : {'\x00', '\x01', '\x7f', '\x80', '\xff'}) {
      const std::string bytes = Encode(codec(), values) + extra;
      std::vector<int64_t> back;
      absl::Status status =
          GuardedDecode(Id(codec()), bytes, values.size(), &back);
      ASSERT_EQ(status.code(), absl::StatusCode::kDataLoss)
          << values.size() << " values + " << ToHex(std::string(1, extra));
    }
  }
}

TEST_P(CodecContractTest, WrongCountIsDataLoss) {
  std::mt19937_64 rng(Seed());
  for (const std::vector<int64_t>& values : SampleInputs(rng)) {
    const std::string bytes = Encode(codec(), values);
    std::vector<int64_t> back;
    EXPECT_EQ(
        GuardedDecode(Id(codec()), bytes, values.size() + 1, &back).code(),
        absl::StatusCode::kDataLoss);
    if (!values.empty()) {
      EXPECT_EQ(
          GuardedDecode(Id(codec()), bytes, values.size() - 1, &back).code(),
          absl::StatusCode::kDataLoss);
    }
  }
}

TEST_P(CodecContractTest, HugeCountEndsWithDataLoss) {
  // A corrupt count far beyond the input must neither loop for long nor write
  // further than the input describes.
  const std::vector<int64_t> values = {5, 5, 5, 6, 8};
  const std::string bytes = Encode(codec(), values);
  std::vector<int64_t> out(values.size() + 1);
  absl::Status status =
      DecodeColumn(Id(codec()), bytes, size_t{1} << 40, out.data());
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss) << status;
  status = DecodeColumn(Id(codec()), bytes, std::numeric_limits<size_t>::max(),
                        out.data());
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss) << status;
}

TEST_P(CodecContractTest, ByteFlipFuzzNeverCrashes) {
  const uint32_t seed = Seed();
  SCOPED_TRACE(kpidb::StrCat("random seed ", seed));
  std::mt19937_64 rng(seed);
  const std::vector<std::vector<int64_t>> inputs = SampleInputs(rng);
  int ok = 0, data_loss = 0;
  for (int iteration = 0; iteration < 4000; ++iteration) {
    const std::vector<int64_t>& values = inputs[rng() % inputs.size()];
    std::string bytes = Encode(codec(), values);
    switch (rng() % 4) {
      case 0:
      case 1: {  // Flip a few bytes.
        if (bytes.empty()) break;
        const int flips = 1 + static_cast<int>(rng() % 3);
        for (int f = 0; f < flips; ++f) {
          bytes[rng() % bytes.size()] ^= static_cast<char>(1 + rng() % 255);
        }
        break;
      }
      case 2:  // Replace a byte with one likely to confuse a varint.
        if (!bytes.empty()) {
          const char nasty[] = {'\x00', '\x01', '\x7f', '\x80', '\xff'};
          bytes[rng() % bytes.size()] = nasty[rng() % 5];
        }
        break;
      default:  // Pure garbage.
        bytes.resize(rng() % 64);
        for (char& c : bytes) c = static_cast<char>(rng());
        break;
    }
    // Also a count that does not match the bytes.
    size_t count = values.size();
    if (rng() % 8 == 0) count = rng() % 2000;
    std::vector<int64_t> back;
    absl::Status status = GuardedDecode(Id(codec()), bytes, count, &back);
    if (status.ok()) {
      ++ok;
    } else {
      ASSERT_EQ(status.code(), absl::StatusCode::kDataLoss) << status;
      ++data_loss;
    }
  }
  EXPECT_GT(data_loss, 0);
  RecordProperty("ok", ok);
  RecordProperty("data_loss", data_loss);
}

TEST_P(CodecContractTest, ErrorsNameTheCodec) {
  int64_t out[1];
  absl::Status status = DecodeColumn(Id(codec()), "\x80", 1, out);
  ASSERT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(status.message().find(codec().name), std::string_view::npos)
      << status;
}

INSTANTIATE_TEST_SUITE_P(AllCodecs, CodecContractTest,
                         ::testing::ValuesIn(AllCodecs().begin(),
                                             AllCodecs().end()),
                         [](const ::testing::TestParamInfo<Codec>& info) {
                           return std::string(info.param.name);
                         });

// ---------------------------------------------------------------------------
// Malformed runs, byte by byte.

TEST(RunLengthTest, MalformedRuns) {
  struct Case {
    Encoding encoding;
    const char* hex;
    size_t count;
    const char* message;
  };
  const Case cases[] = {
      {Encoding::kRunLength, "0a 00", 1, "run of length 0"},
      {Encoding::kRunLength, "0a 01 0c 00", 2, "run of length 0"},
      {Encoding::kRunLength, "0a 03", 2, "overruns"},
      {Encoding::kRunLength, "0a 01 0c 02", 2, "overruns"},
      {Encoding::kRunLength, "0a ff ff ff ff ff ff ff ff ff 01", 5, "overruns"},
      {Encoding::kRunLength, "0a 01", 2, "truncated"},
      {Encoding::kRunLength, "0a", 1, "truncated"},
      {Encoding::kRunLength, "0a 01 0a 01", 1, "trailing"},
      {Encoding::kDeltaRunLength, "0a 02 00", 2, "run of length 0"},
      {Encoding::kDeltaRunLength, "0a 02 03", 3, "overruns"},
      {Encoding::kDeltaRunLength, "0a 02 ff ff ff ff ff ff ff ff ff 01", 5,
       "overruns"},
      {Encoding::kDeltaRunLength, "0a", 2, "truncated"},
      {Encoding::kDeltaRunLength, "", 1, "truncated"},
      {Encoding::kDeltaRunLength, "0a 02 01", 1, "trailing"},
      {Encoding::kDeltaRunLength, "0a", 0, "trailing"},
      {Encoding::kPlain, "0a 80", 2, "truncated"},
      {Encoding::kPlain, "0a", 2, "cannot hold"},
      {Encoding::kPlain, "0a 0a", 1, "trailing"},
      {Encoding::kDelta, "0a ff ff ff ff ff ff ff ff ff 02", 2,
       "bad or truncated"},
      {Encoding::kDelta, "0a 00", 1, "trailing"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(
        kpidb::StrCat(FindCodec(static_cast<uint8_t>(c.encoding))->name, " [",
                      c.hex, "] count ", c.count));
    std::vector<int64_t> back;
    absl::Status status = GuardedDecode(static_cast<uint8_t>(c.encoding),
                                        FromHex(c.hex), c.count, &back);
    EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss) << status;
    EXPECT_NE(status.message().find(c.message), std::string_view::npos)
        << status;
  }
}

TEST(RunLengthTest, AdjacentEqualRunsAreAccepted) {
  // The encoder never writes them, but they are unambiguous.
  std::vector<int64_t> back;
  ASSERT_TRUE(GuardedDecode(3, FromHex("0a 01 0a 02"), 3, &back).ok());
  EXPECT_EQ(back, (std::vector<int64_t>{5, 5, 5}));
}

// ---------------------------------------------------------------------------
// EncodeBest

struct BestCase {
  const char* name;
  std::vector<int64_t> values;
  Encoding expected;
};

std::vector<BestCase> BestCases() {
  std::vector<BestCase> cases;
  cases.push_back({"empty_ties_to_plain", {}, Encoding::kPlain});
  cases.push_back(
      {"small_mixed_ties_to_plain", {5, 5, 5, 6, 8}, Encoding::kPlain});
  cases.push_back(
      {"constant", std::vector<int64_t>(1000, 123456), Encoding::kRunLength});
  std::vector<int64_t> days;
  for (int64_t d = 19000; d < 20000; ++d) days.push_back(d);
  cases.push_back({"constant_step_days", days, Encoding::kDeltaRunLength});
  std::vector<int64_t> weekly;
  for (int64_t d = 19000; d < 19000 + 7 * 300; d += 7) weekly.push_back(d);
  cases.push_back({"constant_step_weeks", weekly, Encoding::kDeltaRunLength});
  std::vector<int64_t> descending;
  for (int64_t v = kMax; v > kMax - 500; --v) descending.push_back(v);
  cases.push_back(
      {"descending_near_max", descending, Encoding::kDeltaRunLength});

  std::mt19937_64 rng(Seed());
  std::vector<int64_t> counter;  // Large, increasing, irregular step.
  for (int64_t v = 1'000'000'000, i = 0; i < 1000; ++i) {
    v += 1000 + static_cast<int64_t>(rng() % 100);
    counter.push_back(v);
  }
  cases.push_back({"irregular_counter", counter, Encoding::kDelta});
  std::vector<int64_t> runs;  // Dictionary ids of a sorted dimension.
  for (int64_t id = 1000; id < 1050; ++id)
    runs.insert(runs.end(), 20, id * 37 % 1000);
  cases.push_back({"runs", runs, Encoding::kRunLength});
  std::vector<int64_t> alternating;  // No runs, big jumps: plain.
  for (int i = 0; i < 1000; ++i) alternating.push_back(i % 2 == 0 ? 0 : 100);
  cases.push_back({"alternating", alternating, Encoding::kPlain});
  std::vector<int64_t> noise;  // Deltas are as long as values: a tie.
  for (int i = 0; i < 1000; ++i)
    noise.push_back(static_cast<int64_t>(rng() % 64));
  cases.push_back({"small_noise_ties_to_plain", noise, Encoding::kPlain});
  return cases;
}

void PrintTo(const BestCase& c, std::ostream* os) { *os << c.name; }

class EncodeBestTest : public ::testing::TestWithParam<BestCase> {};

TEST_P(EncodeBestTest, PicksExpectedCodecAndReallyUsesIt) {
  const BestCase& c = GetParam();
  std::string out = "keep";
  const Encoding chosen = EncodeBest(c.values, &out);
  EXPECT_EQ(chosen, c.expected)
      << "chose " << FindCodec(static_cast<uint8_t>(chosen))->name;
  ASSERT_EQ(out.substr(0, 4), "keep");
  const std::string bytes = out.substr(4);

  // The bytes are what the chosen codec writes, decode with its id, and are
  // no larger than any other codec's.
  const Codec* codec = FindCodec(static_cast<uint8_t>(chosen));
  ASSERT_NE(codec, nullptr);
  EXPECT_EQ(bytes, Encode(*codec, c.values));
  std::vector<int64_t> back;
  ASSERT_TRUE(
      GuardedDecode(static_cast<uint8_t>(chosen), bytes, c.values.size(), &back)
          .ok());
  EXPECT_EQ(back, c.values);
  for (const Codec& other : AllCodecs()) {
    const size_t size = Encode(other, c.values).size();
    EXPECT_LE(bytes.size(), size) << other.name;
    if (Id(other) < Id(*codec)) {
      EXPECT_LT(bytes.size(), size) << "a tie must go to " << other.name;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Shapes, EncodeBestTest,
                         ::testing::ValuesIn(BestCases()),
                         [](const ::testing::TestParamInfo<BestCase>& info) {
                           return std::string(info.param.name);
                         });

// EncodeBest computes sizes without encoding; its pick must be the smallest
// real encoding (lowest id on ties) for any input, and its bytes exactly that
// codec's.
TEST(EncodeBestTest, PicksTheSmallestRealEncoding) {
  std::mt19937_64 rng(Seed());
  for (int iter = 0; iter < 3000; ++iter) {
    const std::vector<int64_t> v = RandomShortColumn(rng);
    std::string best_bytes;
    uint8_t best_id = 0;
    for (const Codec& c : AllCodecs()) {
      std::string bytes;
      c.encode(v, &bytes);
      if (best_id == 0 || bytes.size() < best_bytes.size()) {
        best_bytes = bytes;
        best_id = static_cast<uint8_t>(c.id);
      }
    }
    std::string out = "prefix";
    const Encoding e = EncodeBest(v, &out);
    ASSERT_EQ(static_cast<uint8_t>(e), best_id) << "iteration " << iter;
    ASSERT_EQ(out, "prefix" + best_bytes) << "iteration " << iter;
  }
}

}  // namespace
}  // namespace kpidb::format
