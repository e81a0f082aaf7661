// Bayesian random-effects core against closed forms: with one study and a flat mu prior
// the posterior of tau is its prior; with a tau prior concentrated at 0 the posterior of
// mu is the common-effect normal; a one-component mixture is a normal distribution.
#include <gtest/gtest.h>

#include <boost/math/distributions/normal.hpp>
#include <boost/math/quadrature/gauss.hpp>
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <cmath>

#include "metapool/bayes.hpp"

using Eigen::VectorXd;
using metapool::BayesPosterior;
using metapool::BayesStatus;
using metapool::TauPrior;
using metapool::TauPriorFamily;

namespace {
VectorXd vec(std::initializer_list<double> x) {
  VectorXd v(x.size());
  int i = 0;
  for (double d : x) v[i++] = d;
  return v;
}
TauPrior half_normal(double s) {
  TauPrior p;
  p.family = TauPriorFamily::half_normal;
  p.scale = s;
  return p;
}
}  // namespace

TEST(Bayes, GaussNodesAreTheEvenKronrodNodes) {
  const auto& k = boost::math::quadrature::gauss_kronrod<double, 15>::abscissa();
  const auto& g = boost::math::quadrature::gauss<double, 7>::abscissa();
  for (int i = 0; i < 4; ++i) EXPECT_DOUBLE_EQ(k[2 * i], g[i]);
}

TEST(Bayes, OneStudyFlatMuGivesThePriorOfTau) {
  BayesPosterior post(vec({0.3}), vec({0.04}), half_normal(0.5), metapool::MuPrior());
  ASSERT_EQ(post.status(), BayesStatus::ok);
  // half-normal(0.5) quantiles: 0.5 * qnorm((1 + p) / 2)
  boost::math::normal z;
  for (double p : {0.025, 0.5, 0.975}) {
    EXPECT_NEAR(post.tau_quantile(p), 0.5 * quantile(z, (1 + p) / 2), 1e-9);
  }
  EXPECT_NEAR(post.tau_cdf(0.5), 2 * cdf(z, 1.0) - 1, 1e-10);
  EXPECT_NEAR(post.tau_moment(1), 0.5 * std::sqrt(2 / M_PI), 1e-9);
  EXPECT_EQ(post.tau_mode(), 0.0);
  // mu: a normal scale mixture centred at the study's effect
  EXPECT_NEAR(post.mu().quantile(0.5), 0.3, 1e-12);
}

TEST(Bayes, UniformPriorWithOneStudyIsUniformPosterior) {
  TauPrior p;
  p.family = TauPriorFamily::uniform;
  p.upper = 2.0;
  BayesPosterior post(vec({0.3}), vec({0.04}), p, metapool::MuPrior());
  ASSERT_EQ(post.status(), BayesStatus::ok);
  for (double q : {0.1, 0.5, 0.9}) EXPECT_NEAR(post.tau_quantile(q), 2 * q, 1e-9);
  EXPECT_EQ(post.tau_density(2.5), 0.0);
}

TEST(Bayes, TauNearZeroGivesTheCommonEffectPosterior) {
  const VectorXd y = vec({0.1, 0.5, 0.3, -0.2}), v = vec({0.04, 0.09, 0.05, 0.1});
  BayesPosterior post(y, v, half_normal(1e-9), metapool::MuPrior());
  ASSERT_EQ(post.status(), BayesStatus::ok);
  const double sw = (1 / v.array()).sum(), fe = (y.array() / v.array()).sum() / sw;
  boost::math::normal n(fe, std::sqrt(1 / sw));
  const metapool::NormalMixture mu = post.mu();
  for (double p : {0.025, 0.5, 0.975}) EXPECT_NEAR(mu.quantile(p), quantile(n, p), 1e-9);
  EXPECT_NEAR(mu.sd(), std::sqrt(1 / sw), 1e-9);
}

TEST(Bayes, QuantilesInvertCdfs) {
  const VectorXd y = vec({0.1, 0.9}), v = vec({0.04, 0.09});
  BayesPosterior post(y, v, half_normal(0.5), metapool::MuPrior());
  for (double p : {1e-6, 0.025, 0.5, 0.975, 1 - 1e-6}) {
    EXPECT_NEAR(post.tau_cdf(post.tau_quantile(p)), p, 1e-10);
    EXPECT_NEAR(post.mu().cdf(post.mu().quantile(p)), p, 1e-12);
    EXPECT_NEAR(post.study(1).cdf(post.study(1).quantile(p)), p, 1e-12);
  }
  const metapool::Interval s = post.mu().shortest(0.95);
  EXPECT_NEAR(post.mu().cdf(s.upper) - post.mu().cdf(s.lower), 0.95, 1e-10);
  EXPECT_NEAR(post.mu().density(s.upper), post.mu().density(s.lower), 1e-7);
}

TEST(Bayes, ImproperPosteriorsAreReported) {
  TauPrior flat;
  flat.family = TauPriorFamily::uniform;
  TauPrior jeffreys;
  jeffreys.family = TauPriorFamily::jeffreys;
  metapool::MuPrior normal;
  normal.normal = true;
  normal.sd = 2;
  const VectorXd y2 = vec({0.1, 0.5}), v2 = vec({0.04, 0.09});
  EXPECT_EQ(BayesPosterior(y2, v2, flat, metapool::MuPrior()).status(),
            BayesStatus::improper_posterior);
  EXPECT_EQ(BayesPosterior(y2, v2, flat, normal).status(), BayesStatus::ok);
  EXPECT_EQ(BayesPosterior(vec({0.1}), vec({0.04}), jeffreys, metapool::MuPrior()).status(),
            BayesStatus::improper_posterior);
  EXPECT_EQ(BayesPosterior(y2, v2, jeffreys, metapool::MuPrior()).status(), BayesStatus::ok);
  BayesPosterior improper(y2, v2, flat, metapool::MuPrior());
  EXPECT_TRUE(std::isnan(improper.tau_quantile(0.5)));
}

TEST(Bayes, CustomDensityIsNormalisedAndChecked) {
  TauPrior custom;
  custom.family = TauPriorFamily::custom;
  custom.density = [](double t) { return 3 * std::exp(-2 * t); };  // 1.5 x exponential(2)
  TauPrior expo = custom;
  expo.density = [](double t) { return 2 * std::exp(-2 * t); };
  metapool::MuPrior normal;
  normal.normal = true;
  const VectorXd y = vec({0.1, 0.5, 0.2}), v = vec({0.04, 0.09, 0.05});
  BayesPosterior a(y, v, custom, normal), b(y, v, expo, normal);
  ASSERT_EQ(a.status(), BayesStatus::ok);
  EXPECT_NEAR(a.tau_quantile(0.5), b.tau_quantile(0.5), 1e-12);
  EXPECT_NEAR(a.log_marginal_likelihood(), b.log_marginal_likelihood(), 1e-8);
  custom.density = [](double t) { return t > 1 ? -1.0 : 1.0; };
  EXPECT_EQ(BayesPosterior(y, v, custom, normal).status(), BayesStatus::prior_invalid);
}

// A custom density's tail decides which moments exist, as the built-in family's does.
TEST(Bayes, CustomDensityTailDecidesWhichMomentsExist) {
  const double s = 0.5, df = 4;
  TauPrior half_t;
  half_t.family = TauPriorFamily::half_t;
  half_t.scale = s;
  half_t.df = df;
  TauPrior custom_t;
  custom_t.family = TauPriorFamily::custom;
  custom_t.density = [=](double t) {
    const double z = t / s;
    return 2 * std::exp(std::lgamma((df + 1) / 2) - std::lgamma(df / 2)) /
           (std::sqrt(df * M_PI) * s) * std::pow(1 + z * z / df, -(df + 1) / 2);
  };
  TauPrior cauchy;
  cauchy.family = TauPriorFamily::half_cauchy;
  cauchy.scale = s;
  TauPrior custom_cauchy;
  custom_cauchy.family = TauPriorFamily::custom;
  custom_cauchy.density = [=](double t) { return 2 / (M_PI * s * (1 + (t / s) * (t / s))); };
  const metapool::MuPrior flat;
  const VectorXd y = vec({0.1, 0.6}), v = vec({0.04, 0.09});
  // tau^-5 prior, k = 2: the posterior falls as tau^-6, so mean and variance exist.
  BayesPosterior a(y, v, custom_t, flat), b(y, v, half_t, flat);
  ASSERT_EQ(a.status(), BayesStatus::ok);
  EXPECT_TRUE(a.tau_moment_finite(2));
  EXPECT_NEAR(a.tau_moment(2), b.tau_moment(2), 1e-8 * b.tau_moment(2));
  // tau^-2 prior, k = 2: the mean exists, the variance (tau^-1 tail) does not.
  BayesPosterior c(y, v, custom_cauchy, flat), d(y, v, cauchy, flat);
  EXPECT_TRUE(c.tau_moment_finite(1) && d.tau_moment_finite(1));
  EXPECT_FALSE(c.tau_moment_finite(2) || d.tau_moment_finite(2));
  EXPECT_NEAR(c.tau_moment(1), d.tau_moment(1), 1e-8 * d.tau_moment(1));
  // ... and with one study not even the mean.
  EXPECT_FALSE(BayesPosterior(vec({0.1}), vec({0.04}), custom_cauchy, flat).tau_moment_finite(1));
  // A density that vanishes far out has a light tail.
  TauPrior light;
  light.family = TauPriorFamily::custom;
  light.density = [](double t) { return std::exp(-t * t); };
  EXPECT_TRUE(BayesPosterior(vec({0.1}), vec({0.04}), light, flat).tau_moment_finite(3));
}

TEST(Bayes, BayesFactorOfMuIsSavageDickey) {
  // With a normal mu prior, BF(mu = 0) = p(y | mu = 0) / p(y); p(y | mu = 0) for a tau
  // prior concentrated at 0 is the product of normal densities at mu = 0.
  const VectorXd y = vec({0.4, 0.6}), v = vec({0.04, 0.09});
  metapool::MuPrior normal;
  normal.normal = true;
  normal.sd = 1;
  BayesPosterior post(y, v, half_normal(1e-9), normal);
  double p0 = 1;
  for (int i = 0; i < 2; ++i) {
    p0 *= std::exp(-0.5 * y[i] * y[i] / v[i]) / std::sqrt(2 * M_PI * v[i]);
  }
  EXPECT_NEAR(post.bayes_factor_mu0(), p0 / std::exp(post.log_marginal_likelihood()), 1e-7);
}

TEST(Bayes, BatchMatchesSingleFits) {
  const VectorXd y = vec({0.1, 0.5, 0.3, -0.2, 0.4}), v = vec({0.04, 0.09, 0.05, 0.1, 0.2});
  metapool::BatchControl ctl;
  ctl.threads = 2;
  const metapool::BayesBatchResult r = metapool::bayes_groups(
      y, v, {0, 2, 5}, half_normal(0.5), metapool::MuPrior(), 0.95, 0.0,
      metapool::BayesControl(), ctl);
  BayesPosterior second(y.tail(3), v.tail(3), half_normal(0.5), metapool::MuPrior());
  EXPECT_EQ(r.k[1], 3);
  EXPECT_DOUBLE_EQ(r.mu_median[1], second.mu().quantile(0.5));
  EXPECT_DOUBLE_EQ(r.tau_ub[1], second.tau_quantile(0.975));
}
