#include "lib/util/str_cat.h"

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "absl/strings/string_view.h"
#include "gtest/gtest.h"

namespace kpidb {
namespace {

enum Unscoped { kUnscoped = 65 };
enum class Scoped { kValue = 65 };

// The types StrCat must refuse rather than turn into a char.
static_assert(str_cat_internal::Appendable<char>);
static_assert(str_cat_internal::Appendable<int>);
static_assert(!str_cat_internal::Appendable<bool>);
static_assert(!str_cat_internal::Appendable<double>);
static_assert(!str_cat_internal::Appendable<float>);
static_assert(!str_cat_internal::Appendable<Unscoped>);
static_assert(!str_cat_internal::Appendable<Scoped>);
static_assert(!str_cat_internal::Appendable<std::nullptr_t>);

TEST(StrCatTest, Strings) {
  const std::string s = "std";
  const std::string_view sv = "view";
  const absl::string_view av = "absl";
  const char* cs = "chars";
  EXPECT_EQ(StrCat(s, sv, av, cs, "literal"), "stdviewabslcharsliteral");
  EXPECT_EQ(StrCat(), "");
  EXPECT_EQ(StrCat(std::string_view()), "");
  // Embedded NULs in sized strings survive.
  EXPECT_EQ(StrCat(std::string_view("a\0b", 3)).size(), 3u);
  EXPECT_EQ(StrCat(absl::string_view("a\0b", 3)).size(), 3u);
}

TEST(StrCatTest, CharIsACharacter) {
  EXPECT_EQ(StrCat('x', ':', 'y'), "x:y");
  char mutable_buf[] = "buf";
  char* p = mutable_buf;
  EXPECT_EQ(StrCat(p), "buf");
}

TEST(StrCatTest, IntegersInDecimal) {
  EXPECT_EQ(StrCat(0), "0");
  EXPECT_EQ(StrCat(-1), "-1");
  EXPECT_EQ(StrCat(std::numeric_limits<int64_t>::min()),
            "-9223372036854775808");
  EXPECT_EQ(StrCat(std::numeric_limits<int64_t>::max()), "9223372036854775807");
  EXPECT_EQ(StrCat(std::numeric_limits<uint64_t>::max()),
            "18446744073709551615");
  EXPECT_EQ(StrCat(size_t{42}), "42");
  EXPECT_EQ(StrCat(uint32_t{4294967295u}), "4294967295");
  EXPECT_EQ(StrCat(int16_t{-300}), "-300");
  // Byte-sized integers print as numbers, not characters.
  EXPECT_EQ(StrCat(uint8_t{7}), "7");
  EXPECT_EQ(StrCat(int8_t{-7}), "-7");
  EXPECT_EQ(StrCat(static_cast<unsigned char>(200)), "200");
}

TEST(StrCatTest, Mixed) {
  EXPECT_EQ(StrCat("column ", 3, ": ", absl::string_view("bad"), '!'),
            "column 3: bad!");
}

TEST(StrAppendTest, AppendsToExistingText) {
  std::string out = "keep";
  StrAppend(&out);
  EXPECT_EQ(out, "keep");
  StrAppend(&out, " ", 12, std::string_view("ab"), absl::string_view("cd"), 'e',
            std::string("f"));
  EXPECT_EQ(out, "keep 12abcdef");
}

TEST(ToAbslTest, RoundTripsWithoutCopying) {
  const std::string text = "some text";
  const absl::string_view a = ToAbsl(text);
  EXPECT_EQ(a.data(), text.data());
  EXPECT_EQ(a.size(), text.size());
  const std::string_view s = ToStd(a);
  EXPECT_EQ(s.data(), text.data());
  EXPECT_EQ(s.size(), text.size());
  EXPECT_TRUE(ToStd(ToAbsl(std::string_view())).empty());
}

}  // namespace
}  // namespace kpidb
