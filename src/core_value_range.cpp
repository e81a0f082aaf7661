#include "metapool/value_range.hpp"

#include <limits>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace metapool {

namespace {

const int kLanes = 8;

// x[from, to) into lo, hi and valid. Branch-free: a NaN fails both comparisons, so it
// never becomes the minimum or maximum, and (v == v) counts the values that are not NaN.
// kLanes running minima, maxima and counts, so the loop does not wait on one chain of
// comparisons (and the compiler can pair them into vector instructions); a minimum or
// maximum is exact in any order.
void scan(const double* x, long long from, long long to, double* lo, double* hi,
          double* valid) {
  double l[kLanes], h[kLanes], c[kLanes];
  for (int j = 0; j < kLanes; ++j) {
    l[j] = *lo;
    h[j] = *hi;
    c[j] = 0;
  }
  long long i = from;
  for (; i + kLanes <= to; i += kLanes) {
    for (int j = 0; j < kLanes; ++j) {
      const double v = x[i + j];
      l[j] = v < l[j] ? v : l[j];
      h[j] = v > h[j] ? v : h[j];
      c[j] += v == v ? 1.0 : 0.0;
    }
  }
  for (; i < to; ++i) {
    const double v = x[i];
    l[0] = v < l[0] ? v : l[0];
    h[0] = v > h[0] ? v : h[0];
    c[0] += v == v ? 1.0 : 0.0;
  }
  for (int j = 0; j < kLanes; ++j) {
    *lo = l[j] < *lo ? l[j] : *lo;
    *hi = h[j] > *hi ? h[j] : *hi;
    *valid += c[j];
  }
}

}  // namespace

ValueRange value_range(const double* x, std::size_t n, int threads) {
  const double inf = std::numeric_limits<double>::infinity();
  double lo = inf, hi = -inf;
  double valid = 0;  // counted in doubles, like the data: exact to 2^53 values
  const long long len = static_cast<long long>(n);
#ifdef _OPENMP
  // Each thread scans one contiguous part. Below about 10^5 values a second thread
  // costs more than it saves.
  const int used = len < 100000 || threads < 1 ? 1 : threads;
#pragma omp parallel num_threads(used) reduction(min : lo) reduction(max : hi) reduction(+ : valid)
  {
    const long long parts = omp_get_num_threads(), part = omp_get_thread_num();
    scan(x, len * part / parts, len * (part + 1) / parts, &lo, &hi, &valid);
  }
#else
  (void)threads;
  scan(x, 0, len, &lo, &hi, &valid);
#endif
  ValueRange r;
  if (valid == 0) return r;
  r.min = lo;
  r.max = hi;
  r.n_valid = static_cast<std::size_t>(valid);
  return r;
}

}  // namespace metapool
