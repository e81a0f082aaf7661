// Glue: the one-pass range scan behind the input checks of R/checks.R.
#include <Rcpp.h>

#include "metapool/value_range.hpp"

// c(min, max, number of non-missing values) of a numeric vector or matrix.
// [[Rcpp::export(rng = false)]]
Rcpp::NumericVector cpp_value_range(const Rcpp::NumericVector x, int threads = 1) {
  const metapool::ValueRange r =
      metapool::value_range(x.begin(), static_cast<std::size_t>(x.size()), threads);
  return Rcpp::NumericVector::create(r.min, r.max, static_cast<double>(r.n_valid));
}
