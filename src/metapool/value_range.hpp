// The smallest and largest non-missing value of a vector in one pass: input checks on
// simulation-sized inputs (10^7 values) then cost one read of the data, not three, and
// that read is shared by `threads` threads.
#ifndef METAPOOL_VALUE_RANGE_HPP
#define METAPOOL_VALUE_RANGE_HPP

#include <cstddef>

namespace metapool {

struct ValueRange {
  double min = 0, max = 0;  // 0 when no value is valid
  std::size_t n_valid = 0;  // values that are not NaN (R's NA and NaN)
};

ValueRange value_range(const double* x, std::size_t n, int threads = 1);

}  // namespace metapool

#endif
