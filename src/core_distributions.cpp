#include "metapool/distributions.hpp"

#include <cmath>
#include <limits>

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

}  // namespace metapool
