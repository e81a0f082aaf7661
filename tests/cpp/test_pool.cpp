// The pooling engine against closed-form hand computation.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "metapool/mantel_haenszel.hpp"
#include "metapool/pool.hpp"

using Eigen::VectorXd;
using metapool::PoolOptions;
using metapool::Tau2Method;

namespace {

const VectorXd kY = (VectorXd(6) << -0.6, 0.1, 0.9, 0.3, 1.4, -0.2).finished();
const VectorXd kV = (VectorXd(6) << 0.1, 0.2, 0.15, 0.3, 0.1, 0.2).finished();
const std::vector<int> kOneGroup;

PoolOptions options(Tau2Method m) {
  PoolOptions o;
  o.method = m;
  return o;
}

double dl_by_hand(const VectorXd& y, const VectorXd& v) {
  const VectorXd w = v.cwiseInverse();
  const double mu = w.dot(y) / w.sum();
  const double q = (w.array() * (y.array() - mu).square()).sum();
  const double c = w.sum() - w.squaredNorm() / w.sum();
  return std::max(0.0, (q - (y.size() - 1)) / c);
}

}  // namespace

TEST(Pool, DerSimonianLairdByHand) {
  const metapool::PoolFit f = metapool::pool(kY, kV, kOneGroup, options(Tau2Method::dl));
  const double tau2 = dl_by_hand(kY, kV);
  EXPECT_NEAR(f.tau2, tau2, 1e-14);
  const VectorXd w = (kV.array() + tau2).inverse().matrix();
  EXPECT_NEAR(f.estimate, w.dot(kY) / w.sum(), 1e-14);
  EXPECT_NEAR(f.se, 1.0 / std::sqrt(w.sum()), 1e-14);
  EXPECT_NEAR(f.weights.sum(), 1.0, 1e-14);
  EXPECT_NEAR(f.I2, std::max(0.0, 100.0 * (f.Q - 5.0) / f.Q), 1e-12);
}

TEST(Pool, RemlSolvesItsScoreEquation) {
  const metapool::PoolFit f = metapool::pool(kY, kV, kOneGroup, options(Tau2Method::reml));
  ASSERT_GT(f.tau2, 0.0);
  const VectorXd w = (kV.array() + f.tau2).inverse().matrix();
  const double mu = w.dot(kY) / w.sum();
  const double score = (w.array().square() * (kY.array() - mu).square()).sum() -
                       (w.sum() - w.squaredNorm() / w.sum());
  EXPECT_NEAR(score, 0.0, 1e-9);
  EXPECT_EQ(f.tau2_est.status, metapool::Tau2Status::converged);
}

TEST(Pool, PauleMandelSetsGeneralisedQToItsDegreesOfFreedom) {
  const metapool::PoolFit f = metapool::pool(kY, kV, kOneGroup, options(Tau2Method::pm));
  const VectorXd w = (kV.array() + f.tau2).inverse().matrix();
  const double mu = w.dot(kY) / w.sum();
  EXPECT_NEAR((w.array() * (kY.array() - mu).square()).sum(), 5.0, 1e-9);
}

TEST(Pool, FailedIterationFallsBackToBracketing) {
  PoolOptions o = options(Tau2Method::reml);
  o.control.max_iter = 1;
  const metapool::PoolFit f = metapool::pool(kY, kV, kOneGroup, o);
  const metapool::PoolFit ref = metapool::pool(kY, kV, kOneGroup, options(Tau2Method::reml));
  EXPECT_EQ(f.tau2_est.status, metapool::Tau2Status::bracketed);
  EXPECT_NEAR(f.tau2, ref.tau2, 1e-9);
  ASSERT_EQ(f.notes.size(), 1u);
  EXPECT_EQ(f.notes[0], metapool::NoteCode::tau2_bracketed);
}

TEST(Pool, HomogeneousDataGiveZeroTau2) {
  const VectorXd y = VectorXd::Constant(5, 0.3);
  const VectorXd v = (VectorXd(5) << 0.1, 0.2, 0.3, 0.4, 0.5).finished();
  for (Tau2Method m : {Tau2Method::dl, Tau2Method::reml, Tau2Method::ml, Tau2Method::pm,
                       Tau2Method::eb, Tau2Method::sj, Tau2Method::dlit}) {
    const metapool::PoolFit f = metapool::pool(y, v, kOneGroup, options(m));
    EXPECT_EQ(f.tau2, 0.0);
    EXPECT_NEAR(f.estimate, 0.3, 1e-15);
  }
}

TEST(Pool, OneStudyIsTheStudyItself) {
  const VectorXd y = VectorXd::Constant(1, 0.4), v = VectorXd::Constant(1, 0.04);
  const metapool::PoolFit f = metapool::pool(y, v, kOneGroup, options(Tau2Method::reml));
  EXPECT_EQ(f.estimate, 0.4);
  EXPECT_NEAR(f.se, 0.2, 1e-15);
  EXPECT_EQ(f.Q, 0.0);
  EXPECT_TRUE(std::isnan(f.pi_lb));
}

TEST(Pool, HartungKnappScalesByGeneralisedQ) {
  PoolOptions o = options(Tau2Method::dl);
  o.ci = metapool::CiMethod::hksj;
  const metapool::PoolFit f = metapool::pool(kY, kV, kOneGroup, o);
  const VectorXd w = (kV.array() + f.tau2).inverse().matrix();
  const double mu = w.dot(kY) / w.sum();
  const double s2 = (w.array() * (kY.array() - mu).square()).sum() / 5.0;
  EXPECT_NEAR(f.se, std::sqrt(s2 / w.sum()), 1e-14);
  EXPECT_EQ(f.df, 5.0);
}

TEST(Pool, GroupedFitHasOneMeanPerGroup) {
  const std::vector<int> g = {0, 0, 0, 1, 1, 1};
  PoolOptions o = options(Tau2Method::fixed);
  o.tau2_fixed = 0.05;
  const metapool::PoolFit f = metapool::pool(kY, kV, g, o);
  ASSERT_EQ(f.group_estimate.size(), 2);
  const VectorXd w = (kV.array() + 0.05).inverse().matrix();
  EXPECT_NEAR(f.group_estimate[0], w.head(3).dot(kY.head(3)) / w.head(3).sum(), 1e-14);
  EXPECT_NEAR(f.group_estimate[1], w.tail(3).dot(kY.tail(3)) / w.tail(3).sum(), 1e-14);
  EXPECT_EQ(f.Q_df, 4.0);
  EXPECT_TRUE(std::isnan(f.estimate));
}

TEST(Pool, BrokenInvariantsThrow) {
  const VectorXd v = VectorXd::Constant(5, 0.1);
  EXPECT_THROW(metapool::pool(kY, v, kOneGroup, options(Tau2Method::dl)), std::invalid_argument);
  EXPECT_THROW(metapool::pool(kY, kV, {0, 0, 2, 2, 0, 0}, options(Tau2Method::dl)),
               std::invalid_argument);  // group 1 is empty
  EXPECT_THROW(metapool::pool(kY, kV, {0, 1}, options(Tau2Method::dl)), std::invalid_argument);
}

TEST(SubgroupTest, CochranQAcrossSubgroups) {
  const VectorXd est = (VectorXd(3) << 0.1, 0.5, -0.2).finished();
  const VectorXd se = (VectorXd(3) << 0.1, 0.2, 0.15).finished();
  const metapool::SubgroupTest t = metapool::subgroup_test(est, se);
  const VectorXd w = se.array().square().inverse().matrix();
  const double mu = w.dot(est) / w.sum();
  EXPECT_NEAR(t.Q, (w.array() * (est.array() - mu).square()).sum(), 1e-14);
  EXPECT_EQ(t.df, 2.0);
}

TEST(MantelHaenszel, RiskRatioAndPetoByHand) {
  const VectorXd e1 = (VectorXd(3) << 10, 4, 7).finished(), n1 = (VectorXd(3) << 50, 40, 45).finished();
  const VectorXd e2 = (VectorXd(3) << 15, 9, 8).finished(), n2 = (VectorXd(3) << 52, 38, 47).finished();
  metapool::MhOptions o;
  o.measure = metapool::BinaryMeasure::risk_ratio;
  const metapool::MhFit f = metapool::mantel_haenszel(e1, n1, e2, n2, o);
  double r = 0, s = 0, p = 0;
  for (int i = 0; i < 3; ++i) {
    const double n = n1[i] + n2[i];
    r += e1[i] * n2[i] / n;
    s += e2[i] * n1[i] / n;
    p += (n1[i] * n2[i] * (e1[i] + e2[i]) - e1[i] * e2[i] * n) / (n * n);
  }
  EXPECT_NEAR(f.fixed.estimate, std::log(r / s), 1e-14);
  EXPECT_NEAR(f.fixed.se, std::sqrt(p / (r * s)), 1e-14);
  o.peto = true;
  o.measure = metapool::BinaryMeasure::odds_ratio;
  const metapool::MhFit g = metapool::mantel_haenszel(e1, n1, e2, n2, o);
  double so = 0, sv = 0;
  for (int i = 0; i < 3; ++i) {
    const double n = n1[i] + n2[i], m = e1[i] + e2[i];
    so += e1[i] - n1[i] * m / n;
    sv += n1[i] * n2[i] * m * (n - m) / (n * n * (n - 1));
  }
  EXPECT_NEAR(g.fixed.estimate, so / sv, 1e-14);
  EXPECT_NEAR(g.fixed.se, 1 / std::sqrt(sv), 1e-14);
}

TEST(MantelHaenszel, NoEventsAnywhereIsUndefinedNotACrash) {
  const VectorXd zero = VectorXd::Zero(2), n = VectorXd::Constant(2, 10);
  metapool::MhOptions o;
  o.random = true;
  o.mh_zero.add = 0.0;  // metafor's M-H sums: no correction
  o.study_zero.drop00 = true;
  const metapool::MhFit f = metapool::mantel_haenszel(zero, n, zero, n, o);
  EXPECT_TRUE(std::isnan(f.fixed.estimate));
  ASSERT_EQ(f.fixed.notes.size(), 1u);
  EXPECT_EQ(f.fixed.notes[0], metapool::NoteCode::pooled_undefined);
  EXPECT_EQ(f.k_estimable, 0);
}
