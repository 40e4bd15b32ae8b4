#include "lib/util/quote.h"

#include <cstddef>
#include <random>
#include <string>
#include <string_view>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/util/utf8.h"
#include "tests/testutil.h"

namespace kpidb {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::StartsWith;

bool ValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const size_t n = Utf8SequenceLength(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

TEST(Utf8SequenceLengthTest, FollowsUnicodeTable) {
  EXPECT_EQ(Utf8SequenceLength("a", 0), 1u);
  EXPECT_EQ(Utf8SequenceLength(std::string_view("\0", 1), 0), 1u);
  EXPECT_EQ(Utf8SequenceLength("\xC3\xA9", 0), 2u);          // é
  EXPECT_EQ(Utf8SequenceLength("\xE2\x96\xB2", 0), 3u);      // ▲
  EXPECT_EQ(Utf8SequenceLength("\xF0\x9F\x98\x80", 0), 4u);  // U+1F600
  EXPECT_EQ(Utf8SequenceLength("\xF4\x8F\xBF\xBF", 0), 4u);  // U+10FFFF
  EXPECT_EQ(Utf8SequenceLength("\x80", 0), 0u);              // stray continuation
  EXPECT_EQ(Utf8SequenceLength("\xC0\x80", 0), 0u);          // overlong NUL
  EXPECT_EQ(Utf8SequenceLength("\xC3", 0), 0u);              // truncated
  EXPECT_EQ(Utf8SequenceLength("\xE0\x80\x80", 0), 0u);      // overlong
  EXPECT_EQ(Utf8SequenceLength("\xED\xA0\x80", 0), 0u);      // surrogate
  EXPECT_EQ(Utf8SequenceLength("\xE2\x96", 0), 0u);          // truncated
  EXPECT_EQ(Utf8SequenceLength("\xF0\x80\x80\x80", 0), 0u);  // overlong
  EXPECT_EQ(Utf8SequenceLength("\xF4\x90\x80\x80", 0), 0u);  // above U+10FFFF
  EXPECT_EQ(Utf8SequenceLength("\xF5\x80\x80\x80", 0), 0u);
  EXPECT_EQ(Utf8SequenceLength("x\xC3\xA9", 1), 2u);
  EXPECT_EQ(Utf8SequenceLength("x\xC3\xA9", 2), 0u);
}

TEST(QuoteForMessageTest, ShortTextIsQuotedWhole) {
  EXPECT_EQ(QuoteForMessage("colour"), "'colour'");
  EXPECT_EQ(QuoteForMessage("colour", '"'), "\"colour\"");
  EXPECT_EQ(QuoteForMessage(""), "''");
  EXPECT_EQ(QuoteForMessage("\xE2\x96\xB2" "1,998"), "'\xE2\x96\xB2" "1,998'");
}

TEST(QuoteForMessageTest, EscapesQuotesControlsAndInvalidBytes) {
  EXPECT_EQ(QuoteForMessage("it's"), "'it\\'s'");
  EXPECT_EQ(QuoteForMessage("it's", '"'), "\"it's\"");
  EXPECT_EQ(QuoteForMessage("say \"x\"", '"'), "\"say \\\"x\\\"\"");
  EXPECT_EQ(QuoteForMessage("a\\b"), "'a\\\\b'");
  EXPECT_EQ(QuoteForMessage("a\nb\r\tc"), "'a\\nb\\r\\tc'");
  EXPECT_EQ(QuoteForMessage(std::string_view("a\0b\x7f", 4)), "'a\\x00b\\x7f'");
  EXPECT_EQ(QuoteForMessage("bad \xff\xfe"), "'bad \\xff\\xfe'");
  // A truncated sequence is escaped byte by byte.
  EXPECT_EQ(QuoteForMessage("\xE2\x96"), "'\\xe2\\x96'");
}

TEST(QuoteForMessageTest, ExactlyTheLimitIsNotCut) {
  const std::string text(kMaxQuotedBytes, 'x');
  EXPECT_EQ(QuoteForMessage(text), "'" + text + "'");
}

TEST(QuoteForMessageTest, LongTextShowsPrefixEllipsisAndLength) {
  const std::string text(500 << 20, 'x');  // 500 MiB
  const std::string quoted = QuoteForMessage(text);
  EXPECT_EQ(quoted, "'" + std::string(kMaxQuotedBytes, 'x') + "'... (524288000 bytes)");
}

TEST(QuoteForMessageTest, CutNeverSplitsACharacter) {
  // 'a' then two-byte characters: byte kMaxQuotedBytes is the second byte
  // of a character, which must be dropped whole.
  std::string text = "a";
  while (text.size() < 1000) text += "\xC3\xA9";
  const std::string quoted = QuoteForMessage(text);
  EXPECT_TRUE(ValidUtf8(quoted)) << quoted;
  std::string expected_prefix = "'a";
  for (size_t i = 0; i < (kMaxQuotedBytes - 1) / 2; ++i) expected_prefix += "\xC3\xA9";
  EXPECT_EQ(quoted, expected_prefix + "'... (" + std::to_string(text.size()) + " bytes)");
  // Four-byte characters at every offset.
  for (size_t shift = 0; shift < 4; ++shift) {
    std::string emoji(shift, 'b');
    while (emoji.size() < 300) emoji += "\xF0\x9F\x98\x80";
    const std::string q = QuoteForMessage(emoji);
    EXPECT_TRUE(ValidUtf8(q)) << "shift " << shift;
    EXPECT_THAT(q, HasSubstr(" bytes)"));
  }
}

// Whatever the bytes, the result is bounded, valid UTF-8, one line.
TEST(QuoteForMessageTest, RandomBytesGiveBoundedValidUtf8) {
  std::mt19937_64 rng = testing::SeededRng();
  for (int iter = 0; iter < 2000; ++iter) {
    std::string text(rng() % 400, '\0');
    for (char& c : text) {
      // Mostly high bytes, so that valid and broken sequences both occur.
      const uint64_t r = rng();
      c = static_cast<char>(r % 4 == 0 ? r >> 8 : 0x80 | ((r >> 8) & 0x7F));
      if (r % 7 == 0) c = static_cast<char>(0xC3 + (r >> 16) % 0x30);
    }
    const std::string q = QuoteForMessage(text);
    ASSERT_TRUE(ValidUtf8(q)) << "iteration " << iter;
    ASSERT_LE(q.size(), 4 * kMaxQuotedBytes + 40) << "iteration " << iter;
    ASSERT_EQ(q.find('\n'), std::string::npos);
    ASSERT_THAT(q, StartsWith("'"));
    if (text.size() > kMaxQuotedBytes) {
      ASSERT_THAT(q, EndsWith(" (" + std::to_string(text.size()) + " bytes)"));
    }
  }
}

}  // namespace
}  // namespace kpidb
