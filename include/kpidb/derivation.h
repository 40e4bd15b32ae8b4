// File: kpidb/derivation.h
// -----------------------------------------------------------------------------
//
// Derivation says how a figure follows from other periods of its series: the
// operation and the periods it combines, so a program can follow a derived
// figure back to the stored ones it rests on, and an analyst can read it.
//
//   kpidb::Derivation d = ...;  // from a DerivedResult (kpidb/analytics.h)
//   d.op == kpidb::Derivation::Op::kDifference;
//   d.ToString(calendar);       // "FY2012 - FY2012Q1-Q3"
//
// Thread-safety: plain data; const access from many threads is safe.
#ifndef KPIDB_INCLUDE_KPIDB_DERIVATION_H_
#define KPIDB_INCLUDE_KPIDB_DERIVATION_H_

#include <cstdint>
#include <string>

#include "kpidb/period.h"

namespace kpidb {

// How a row follows from other periods of its series: data a program can
// follow (which stored figures a derived one rests on), and text for people.
struct Derivation {
  enum class Op : uint8_t { kStored, kSum, kDifference, kTrailingTwelveMonths };
  Op op = Op::kStored;
  // The periods combined: inputs[0] + inputs[1] (kSum), inputs[0] -
  // inputs[1] (kDifference), or the four quarters of a TTM, oldest first.
  Period inputs[4];

  bool derived() const { return op != Op::kStored; }
  int input_count() const {
    return op == Op::kStored ? 0 : op == Op::kTrailingTwelveMonths ? 4 : 2;
  }
  // As an analyst writes it, with the series' calendar: "FY2013Q1-Q3 -
  // FY2013H1", "TTM: FY2012Q2 + FY2012Q3 + FY2012Q4 + FY2013Q1"; empty for
  // a stored row.
  std::string ToString(const FiscalCalendar& calendar) const;
};

}  // namespace kpidb

#endif  // KPIDB_INCLUDE_KPIDB_DERIVATION_H_
