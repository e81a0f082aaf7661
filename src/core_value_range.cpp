#include "metapool/value_range.hpp"

#include <cmath>

namespace metapool {

ValueRange value_range(const double* x, std::size_t n) {
  ValueRange r;
  std::size_t i = 0;
  while (i < n && std::isnan(x[i])) ++i;
  if (i == n) return r;
  double lo = x[i], hi = x[i];
  std::size_t valid = 0;
  for (; i < n; ++i) {
    const double v = x[i];
    if (std::isnan(v)) continue;
    ++valid;
    lo = v < lo ? v : lo;
    hi = v > hi ? v : hi;
  }
  r.min = lo;
  r.max = hi;
  r.n_valid = valid;
  return r;
}

}  // namespace metapool
