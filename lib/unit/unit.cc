#include "kpidb/unit.h"

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "lib/util/quote.h"
#include "lib/util/str_cat.h"

namespace kpidb {
namespace {

struct ScaleWord {
  std::string_view word;  // canonical, lower case
  int power;
};

constexpr ScaleWord kScaleWords[] = {
    {"thousand", 3},
    {"million", 6},
    {"billion", 9},
    {"trillion", 12},
};

// Power of ten of a scale word in any letter case, or 0 if `word` is not one.
int ScaleOf(std::string_view word) {
  for (const ScaleWord& s : kScaleWords) {
    if (absl::EqualsIgnoreCase(ToAbsl(word), ToAbsl(s.word))) return s.power;
  }
  return 0;
}

std::string_view ScaleName(int power) {
  for (const ScaleWord& s : kScaleWords) {
    if (s.power == power) return s.word;
  }
  return {};
}

// Upper case only: "jpy" is more likely a typo or a different convention
// than a currency, and accepting it would split one series into two
// dimensions ("jpy" vs "JPY").
bool IsCurrencyCode(std::string_view s) {
  if (s.size() != 3) return false;
  for (char c : s) {
    if (c < 'A' || c > 'Z') return false;
  }
  return true;
}

[[nodiscard]] absl::Status ParseError(std::string_view text, std::string_view why) {
  return absl::InvalidArgumentError(kpidb::StrCat(
      "invalid unit ", QuoteForMessage(text, '"'), ": ", why));
}

}  // namespace

absl::StatusOr<Unit> Unit::Parse(std::string_view text) {
  // A unit is at most two words: a dimension and a scale word.
  std::string_view words[2];
  int num_words = 0;
  size_t i = 0;
  while (true) {
    while (i < text.size() && text[i] == ' ') ++i;
    if (i == text.size()) break;
    const size_t start = i;
    while (i < text.size() && text[i] != ' ') ++i;
    if (num_words == 2) return ParseError(text, "more than two words");
    words[num_words++] = text.substr(start, i - start);
  }

  Unit unit;
  if (num_words == 0) return unit;
  const std::string_view dimension = words[0];
  if (const int power = ScaleOf(dimension); power != 0) {
    if (num_words == 2) {
      return ParseError(text, "the scale word must follow the dimension");
    }
    unit.scale_ = power;
    return unit;
  }
  if (dimension == "%" || dimension == "pt") {
    // A ratio has no presentation scale; "% million" is a mistake, not a
    // quantity.
    if (num_words == 2) {
      return ParseError(text, "'%' and 'pt' take no scale word");
    }
  } else if (dimension != "count" && !IsCurrencyCode(dimension)) {
    return ParseError(
        text, kpidb::StrCat("unknown dimension ", QuoteForMessage(dimension, '"'),
                            " (expected a three-capital-letter currency "
                            "code, \"count\", \"%\" or \"pt\")"));
  }
  if (num_words == 2) {
    unit.scale_ = ScaleOf(words[1]);
    if (unit.scale_ == 0) {
      return ParseError(
          text, kpidb::StrCat("unknown scale word ", QuoteForMessage(words[1], '"'),
                              " (expected thousand, million, billion or "
                              "trillion)"));
    }
  }
  unit.dimension_ = std::string(dimension);
  return unit;
}

std::string Unit::ToString() const {
  if (scale_ == 0) return dimension_;
  const std::string_view word = ScaleName(scale_);
  if (dimension_.empty()) return std::string(word);
  return kpidb::StrCat(dimension_, " ", word);
}

}  // namespace kpidb
