// The meta-regression engine: the design-matrix path of the shared tau^2 engine against
// the factor path (pool()) and against hand computation.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "metapool/metareg.hpp"
#include "metapool/pool.hpp"

using Eigen::MatrixXd;
using Eigen::VectorXd;
using metapool::MetaregOptions;
using metapool::Tau2Method;

namespace {

const VectorXd kY = (VectorXd(8) << -0.6, 0.1, 0.9, 0.3, 1.4, -0.2, 0.5, 0.8).finished();
const VectorXd kV = (VectorXd(8) << 0.1, 0.2, 0.15, 0.3, 0.1, 0.2, 0.05, 0.25).finished();
const VectorXd kX1 = (VectorXd(8) << 1, 2, 3, 4, 5, 6, 7, 8).finished();

const Tau2Method kAll[] = {Tau2Method::fe,  Tau2Method::dl,  Tau2Method::dlit, Tau2Method::he,
                           Tau2Method::sj,  Tau2Method::ml,  Tau2Method::reml, Tau2Method::eb,
                           Tau2Method::hs,  Tau2Method::hsk, Tau2Method::pm,   Tau2Method::pmm};

MetaregOptions reg_options(Tau2Method m, std::vector<int> btt) {
  MetaregOptions o;
  o.pool.method = m;
  o.btt = btt;
  return o;
}

}  // namespace

// An intercept-only design is the ordinary fit: same tau^2, estimate, Q and interval.
TEST(Metareg, InterceptOnlyEqualsPool) {
  const MatrixXd X = MatrixXd::Ones(8, 1);
  for (Tau2Method m : kAll) {
    metapool::PoolOptions po;
    po.method = m;
    const metapool::PoolFit a = metapool::pool(kY, kV, {}, po);
    const metapool::MetaregFit b = metapool::metareg(kY, kV, X, reg_options(m, {0}));
    EXPECT_NEAR(a.tau2, b.tau2, 1e-9 * std::max(1.0, a.tau2)) << static_cast<int>(m);
    EXPECT_NEAR(a.estimate, b.beta[0], 1e-9);
    EXPECT_NEAR(a.se, b.se[0], 1e-9);
    EXPECT_NEAR(a.Q, b.Q, 1e-10);
    EXPECT_NEAR(a.I2, b.I2, 1e-8);
    if (std::isfinite(a.tau2_lb)) {
      EXPECT_NEAR(a.tau2_lb, b.tau2_lb, 1e-8);
    }
    if (std::isfinite(a.tau2_ub)) {
      EXPECT_NEAR(a.tau2_ub, b.tau2_ub, 1e-8);
    }
    if (std::isfinite(a.tau2_se)) {
      EXPECT_NEAR(a.tau2_se, b.tau2_se, 1e-9);
    }
  }
}

// A factor as dummy columns (cell means) is pool()'s group model with a common tau^2.
TEST(Metareg, FactorDesignEqualsGroupedPool) {
  const std::vector<int> group = {0, 0, 1, 1, 0, 1, 1, 0};
  MatrixXd X = MatrixXd::Zero(8, 2);
  for (int i = 0; i < 8; ++i) X(i, group[i]) = 1.0;
  for (Tau2Method m : kAll) {
    metapool::PoolOptions po;
    po.method = m;
    const metapool::PoolFit a = metapool::pool(kY, kV, group, po);
    const metapool::MetaregFit b = metapool::metareg(kY, kV, X, reg_options(m, {0, 1}));
    EXPECT_NEAR(a.tau2, b.tau2, 1e-9 * std::max(1.0, a.tau2)) << static_cast<int>(m);
    EXPECT_NEAR(a.group_estimate[0], b.beta[0], 1e-9);
    EXPECT_NEAR(a.group_estimate[1], b.beta[1], 1e-9);
    EXPECT_NEAR(a.Q, b.Q, 1e-10);
  }
}

// Fixed-effects weighted least squares with one covariate, by hand.
TEST(Metareg, FixedEffectsByHand) {
  MatrixXd X(8, 2);
  X.col(0).setOnes();
  X.col(1) = kX1;
  const metapool::MetaregFit f = metapool::metareg(kY, kV, X, reg_options(Tau2Method::fe, {1}));
  const VectorXd w = kV.cwiseInverse();
  const double sw = w.sum(), sx = w.dot(kX1), sy = w.dot(kY);
  const double sxx = (w.array() * kX1.array().square()).sum();
  const double sxy = (w.array() * kX1.array() * kY.array()).sum();
  const double det = sw * sxx - sx * sx;
  const double b1 = (sw * sxy - sx * sy) / det;
  const double b0 = (sy - b1 * sx) / sw;
  EXPECT_NEAR(f.beta[0], b0, 1e-12);
  EXPECT_NEAR(f.beta[1], b1, 1e-12);
  EXPECT_NEAR(f.se[1], std::sqrt(sw / det), 1e-12);
  EXPECT_NEAR(f.QM, b1 * b1 * det / sw, 1e-10);
  const double qe = (w.array() * (kY.array() - b0 - b1 * kX1.array()).square()).sum();
  EXPECT_NEAR(f.Q, qe, 1e-10);
  EXPECT_EQ(f.Q_df, 6);
}

TEST(Metareg, KnappHartungScalesByResidualQ) {
  MatrixXd X(8, 2);
  X.col(0).setOnes();
  X.col(1) = kX1;
  MetaregOptions o = reg_options(Tau2Method::reml, {1});
  const metapool::MetaregFit z = metapool::metareg(kY, kV, X, o);
  o.pool.ci = metapool::CiMethod::hksj;
  const metapool::MetaregFit kh = metapool::metareg(kY, kV, X, o);
  EXPECT_NEAR(kh.tau2, z.tau2, 1e-12);
  EXPECT_NEAR(kh.se[1], z.se[1] * std::sqrt(kh.s2w), 1e-12);
  EXPECT_EQ(kh.df, 6);
  EXPECT_NEAR(kh.QM, kh.stat[1] * kh.stat[1], 1e-10);  // F(1, df) = t^2
}

TEST(Metareg, RankDeficientColumnsNamed) {
  MatrixXd X(8, 4);
  X.col(0).setOnes();
  X.col(1) = kX1;
  X.col(2) = 2.0 * kX1 - X.col(0);  // a combination of the first two
  X.col(3) = kX1.array().square();
  const metapool::MetaregFit f = metapool::metareg(kY, kV, X, reg_options(Tau2Method::reml, {1}));
  ASSERT_EQ(f.dependent.size(), 1u);
  EXPECT_EQ(f.dependent[0], 2);
}

TEST(Metareg, WaldTestOfOneCoefficientIsZSquared) {
  MatrixXd X(8, 2);
  X.col(0).setOnes();
  X.col(1) = kX1;
  const metapool::MetaregFit f = metapool::metareg(kY, kV, X, reg_options(Tau2Method::dl, {1}));
  const MatrixXd L = (MatrixXd(1, 2) << 0, 1).finished();
  const metapool::WaldTest t = metapool::wald_test(f.beta, f.vb, L, std::nan(""));
  EXPECT_NEAR(t.stat, f.stat[1] * f.stat[1], 1e-10);
  EXPECT_NEAR(t.p, f.pval[1], 1e-10);
}

TEST(Metareg, PredictionAtDesignRowsIsFitted) {
  MatrixXd X(8, 2);
  X.col(0).setOnes();
  X.col(1) = kX1;
  const metapool::MetaregFit f = metapool::metareg(kY, kV, X, reg_options(Tau2Method::reml, {1}));
  const metapool::MetaregPrediction p =
      metapool::metareg_predict(f.beta, f.vb, f.tau2, X, 0.95, std::nan(""), std::nan(""), true);
  for (int i = 0; i < 8; ++i) {
    EXPECT_NEAR(p.pred[i], f.fitted[i], 1e-12);
    EXPECT_LT(p.pi_lb[i], p.ci_lb[i]);
  }
}

TEST(Metareg, BrokenInvariantsThrow) {
  const MatrixXd X = MatrixXd::Ones(7, 1);
  EXPECT_THROW(metapool::metareg(kY, kV, X, reg_options(Tau2Method::reml, {0})),
               std::invalid_argument);
  const MatrixXd X8 = MatrixXd::Ones(8, 1);
  EXPECT_THROW(metapool::metareg(kY, kV, X8, reg_options(Tau2Method::reml, {3})),
               std::invalid_argument);
}
