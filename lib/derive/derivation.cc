#include "kpidb/derivation.h"

#include "lib/util/str_cat.h"

namespace kpidb {

std::string Derivation::ToString(const FiscalCalendar& calendar) const {
  switch (op) {
    case Op::kStored:
      return "";
    case Op::kSum:
    case Op::kDifference:
      return kpidb::StrCat(inputs[0].Label(calendar), op == Op::kSum ? " + " : " - ",
                           inputs[1].Label(calendar));
    case Op::kTrailingTwelveMonths:
      return kpidb::StrCat("TTM: ", inputs[0].Label(calendar), " + ", inputs[1].Label(calendar),
                           " + ", inputs[2].Label(calendar), " + ", inputs[3].Label(calendar));
  }
  return "";
}

}  // namespace kpidb
