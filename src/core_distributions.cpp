#include "metapool/distributions.hpp"

#include <cmath>
#include <limits>
#include <map>
#include <utility>

namespace metapool {

double qnorm_upper(double p) {
  if (!(p > 0.0 && p < 1.0)) return std::numeric_limits<double>::quiet_NaN();
  return boost::math::quantile(boost::math::complement(dist::normal(), p));
}

double z_crit(double level) { return qnorm_upper((1.0 - level) / 2.0); }

double pnorm_two_sided(double z) {
  if (std::isnan(z)) return z;
  return 2.0 * boost::math::cdf(boost::math::complement(dist::normal(), std::fabs(z)));
}

namespace {

template <typename Compute>
double cached(std::map<std::pair<double, double>, double>* cache, double df, double p,
              Compute compute) {
  // NaN keys break std::map's strict weak ordering: (df, NaN) compares equivalent to
  // (df, p) for every p, so one call with a NaN level would poison later lookups with
  // valid arguments (and order-dependent tree corruption is undefined behaviour).
  if (std::isnan(df) || std::isnan(p)) return compute();
  const std::pair<double, double> key(df, p);
  const auto hit = cache->find(key);
  if (hit != cache->end()) return hit->second;
  const double value = compute();
  if (cache->size() > 4096) cache->clear();  // bounded: a long run over many df values
  cache->emplace(key, value);
  return value;
}

}  // namespace

double t_quantile(double df, double p) {
  thread_local std::map<std::pair<double, double>, double> cache;
  return cached(&cache, df, p, [&] { return boost::math::quantile(dist::students_t(df), p); });
}

double chisq_quantile(double df, double p) {
  thread_local std::map<std::pair<double, double>, double> cache;
  return cached(&cache, df, p, [&] { return boost::math::quantile(dist::chi_squared(df), p); });
}

}  // namespace metapool
