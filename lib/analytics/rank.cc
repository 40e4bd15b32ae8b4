// RankRows: the rows of a derived result ordered by quantity.
#include <algorithm>
#include <vector>

#include "kpidb/analytics.h"
#include "lib/util/status_macros.h"
#include "lib/util/str_cat.h"

namespace kpidb {
namespace {

struct Ranked {
  RowRef ref;
  Decimal quantity;  // the value at scale 10^0: quantities compare across scales
};

// Every row with its quantity, in result order. InvalidArgument when a
// row's dimension differs from the first row's.
[[nodiscard]] absl::StatusOr<std::vector<Ranked>> QuantitiesOf(const DerivedResult& result) {
  std::vector<Ranked> ranked;
  ranked.reserve(result.size());
  for (size_t s = 0; s < result.series.size(); ++s) {
    for (size_t i = result.series_begin(s); i < result.series_end(s); ++i) {
      const Unit& u = result.unit(i);
      const Unit& first = result.unit(result.series_begin(0));
      if (!u.SameDimension(first)) {
        return absl::InvalidArgumentError(kpidb::StrCat(
            "cannot rank values of different units ('", first.ToString(), "' and '",
            u.ToString(), "'); narrow the selection or convert to one unit"));
      }
      KPIDB_ASSIGN_OR_RETURN(Decimal quantity, result.values[i].Scaled(u.scale()));
      ranked.push_back(Ranked{RowRef{s, i}, quantity});
    }
  }
  return ranked;
}

}  // namespace

absl::StatusOr<std::vector<RowRef>> RankRows(const DerivedResult& result, bool descending,
                                             size_t limit) {
  KPIDB_ASSIGN_OR_RETURN(std::vector<Ranked> ranked, QuantitiesOf(result));
  std::stable_sort(ranked.begin(), ranked.end(), [&](const Ranked& a, const Ranked& b) {
    return descending ? b.quantity < a.quantity : a.quantity < b.quantity;
  });
  if (limit > 0 && ranked.size() > limit) ranked.resize(limit);
  std::vector<RowRef> out;
  out.reserve(ranked.size());
  for (const Ranked& r : ranked) out.push_back(r.ref);
  return out;
}

}  // namespace kpidb
