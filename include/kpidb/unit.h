// File: kpidb/unit.h
// -----------------------------------------------------------------------------
//
// Unit is the unit a figure was reported in: a dimension ("JPY", "%",
// "count"...) and a presentation scale (thousand, million, billion). The scale
// is presentation only: 82,746 JPY million and 82.746 JPY billion are the same
// quantity. Facts of one series must share a dimension.
//
// Accepted spellings (Parse):
//   ""                         pure number
//   "JPY", "USD million"...    ISO 4217-style code (three capital letters),
//                              optionally followed by a scale word
//   "count", "count thousand"  a number of things
//   "%"                        a ratio in percent
//   "pt"                       percentage points (a change of a % ratio)
//   "thousand", "million"...   a pure number in that scale
// Scale words: thousand (10^3), million (10^6), billion (10^9),
// trillion (10^12). Spacing is normalized; case of the scale word is not.
//
// Thread-safety: value type; const methods are safe from many threads.
#ifndef KPIDB_INCLUDE_KPIDB_UNIT_H_
#define KPIDB_INCLUDE_KPIDB_UNIT_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace kpidb {

class Unit {
 public:
  // The pure-number unit (empty text).
  Unit() = default;

  // Parses a unit text (see above). InvalidArgument quoting the text if it is
  // not a unit kpidb knows.
  [[nodiscard]] static absl::StatusOr<Unit> Parse(std::string_view text);

  // "JPY", "USD", "%", "pt", "count", or "" for a pure number.
  const std::string& dimension() const { return dimension_; }

  // Power of ten of the scale word: 0, 3, 6, 9 or 12.
  int scale() const { return scale_; }

  // Canonical text: "JPY million", "%", "count", "".
  std::string ToString() const;

  bool SameDimension(const Unit& other) const {
    return dimension_ == other.dimension_;
  }

  friend bool operator==(const Unit& a, const Unit& b) {
    return a.dimension_ == b.dimension_ && a.scale_ == b.scale_;
  }

 private:
  std::string dimension_;
  int scale_ = 0;
};

}  // namespace kpidb

#endif  // KPIDB_INCLUDE_KPIDB_UNIT_H_
