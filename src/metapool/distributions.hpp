// Distribution functions used by the core, through Boost.Math with a package policy:
// no promotion of double to long double (so results match R's own double-precision
// routines) and no exceptions (domain or overflow errors give NaN / Inf instead).
#ifndef METAPOOL_DISTRIBUTIONS_HPP
#define METAPOOL_DISTRIBUTIONS_HPP

#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <boost/math/policies/policy.hpp>

namespace metapool {
namespace dist {

typedef boost::math::policies::policy<
    boost::math::policies::promote_float<false>,
    boost::math::policies::promote_double<false>,
    boost::math::policies::domain_error<boost::math::policies::ignore_error>,
    boost::math::policies::pole_error<boost::math::policies::ignore_error>,
    boost::math::policies::overflow_error<boost::math::policies::ignore_error>,
    boost::math::policies::evaluation_error<boost::math::policies::ignore_error> >
    policy;

BOOST_MATH_DECLARE_DISTRIBUTIONS(double, policy)

}  // namespace dist

// Upper quantile of the standard normal: z such that P(Z > z) = p.
double qnorm_upper(double p);
// Two-sided critical value for a (1 - alpha) interval: qnorm(1 - alpha / 2).
double z_crit(double level);
// Two-sided normal p-value for a z statistic.
double pnorm_two_sided(double z);

// Quantiles of the t and chi-square distributions (lower tail). Each thread keeps the
// values it has computed: batch engines ask for the same few (df, p) pairs millions of
// times, and an inverse incomplete beta or gamma function costs microseconds.
double t_quantile(double df, double p);
double chisq_quantile(double df, double p);

}  // namespace metapool

#endif
