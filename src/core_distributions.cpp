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

// A batch asks for the same level millions of times: remember the last one per thread.
double z_crit(double level) {
  thread_local double last_level = std::numeric_limits<double>::quiet_NaN(), last_value = 0;
  if (level == last_level) return last_value;
  const double value = qnorm_upper((1.0 - level) / 2.0);
  last_level = level;
  last_value = value;
  return value;
}

double pnorm_two_sided(double z) {
  if (std::isnan(z)) return z;
  return 2.0 * boost::math::cdf(boost::math::complement(dist::normal(), std::fabs(z)));
}

namespace {

// The values already computed, and the last few asked for (a batch of equal-sized
// analyses asks for the same two or three (df, p) pairs over and over: no tree search).
struct QuantileCache {
  std::map<std::pair<double, double>, double> values;
  static const int kRecent = 4;
  static constexpr double kNone = std::numeric_limits<double>::quiet_NaN();  // matches nothing
  double recent_df[kRecent] = {kNone, kNone, kNone, kNone};
  double recent_p[kRecent] = {}, recent_value[kRecent] = {};
  int next = 0;
};

template <typename Compute>
double cached(QuantileCache* memo, double df, double p, Compute compute) {
  // NaN keys break std::map's strict weak ordering: (df, NaN) compares equivalent to
  // (df, p) for every p, so one call with a NaN level would poison later lookups with
  // valid arguments (and order-dependent tree corruption is undefined behaviour).
  if (std::isnan(df) || std::isnan(p)) return compute();
  for (int i = 0; i < QuantileCache::kRecent; ++i) {
    if (df == memo->recent_df[i] && p == memo->recent_p[i]) return memo->recent_value[i];
  }
  auto* cache = &memo->values;
  const std::pair<double, double> key(df, p);
  const auto hit = cache->find(key);
  const double value = hit != cache->end() ? hit->second : compute();
  if (hit == cache->end()) {
    if (cache->size() > 4096) cache->clear();  // bounded: a long run over many df values
    cache->emplace(key, value);
  }
  memo->recent_df[memo->next] = df;
  memo->recent_p[memo->next] = p;
  memo->recent_value[memo->next] = value;
  memo->next = (memo->next + 1) % QuantileCache::kRecent;
  return value;
}

}  // namespace

double t_quantile(double df, double p) {
  thread_local QuantileCache cache;
  return cached(&cache, df, p, [&] { return boost::math::quantile(dist::students_t(df), p); });
}

double chisq_quantile(double df, double p) {
  thread_local QuantileCache cache;
  return cached(&cache, df, p, [&] { return boost::math::quantile(dist::chi_squared(df), p); });
}

}  // namespace metapool
