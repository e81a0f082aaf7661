// Core effect sizes against closed-form hand computation.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "metapool/effect_sizes.hpp"
#include "metapool/mantel_haenszel.hpp"

using Eigen::VectorXd;
using metapool::SmdCorrection;
using metapool::SmdVariance;

namespace {

VectorXd vec(std::initializer_list<double> x) {
  VectorXd v(x.size());
  Eigen::Index i = 0;
  for (double xi : x) v[i++] = xi;
  return v;
}

const double kPi = 3.14159265358979323846;

struct Es {
  VectorXd yi, vi;
  Eigen::VectorXi corrected, estimable;
  explicit Es(Eigen::Index k) : yi(k), vi(k), corrected(k), estimable(k) {}
  metapool::EffectSizesOut out() { return {yi, vi}; }
  metapool::BinaryFlagsOut flags() { return {corrected, estimable}; }
};

Es smd(const VectorXd& m1, const VectorXd& sd1, const VectorXd& n1, const VectorXd& m2,
       const VectorXd& sd2, const VectorXd& n2, SmdCorrection c, SmdVariance v) {
  Es es(m1.size());
  metapool::smd(m1, sd1, n1, m2, sd2, n2, c, v, es.out());
  return es;
}

Es binary(const VectorXd& e1, const VectorXd& n1, const VectorXd& e2, const VectorXd& n2,
          metapool::BinaryMeasure m, const metapool::ZeroCellOptions& opt) {
  Es es(e1.size());
  metapool::binary_effect(e1, n1, e2, n2, m, opt, es.out(), es.flags());
  return es;
}

}  // namespace

TEST(HedgesJ, ExactSmallValuesMatchGammaIdentities) {
  EXPECT_NEAR(metapool::hedges_j_exact(2.0), 1.0 / std::sqrt(kPi), 1e-15);
  EXPECT_NEAR(metapool::hedges_j_exact(3.0), (std::sqrt(kPi) / 2.0) / std::sqrt(1.5), 1e-15);
  EXPECT_NEAR(metapool::hedges_j_exact(4.0), std::sqrt(2.0 / kPi), 1e-15);
}

TEST(HedgesJ, ExactIsFiniteAndAccurateForHugeDegreesOfFreedom) {
  // Gamma(z + 1/2) / Gamma(z) = sqrt(z) (1 - 1/(8z) + 1/(128z^2) + 5/(1024z^3) + O(z^-4)),
  // so with x = m - 1: J(m) = sqrt(1 - 1/m) (1 - 1/(4x) + 1/(32x^2) + 5/(128x^3) + O(x^-4)).
  for (double n : {1e4, 1e6, 1e8, 1e12}) {
    const double m = n - 2.0, x = m - 1.0;
    const double series = std::sqrt(1.0 - 1.0 / m) *
                          (1.0 - 1.0 / (4.0 * x) + 1.0 / (32.0 * x * x) + 5.0 / (128.0 * x * x * x));
    const double j = metapool::hedges_j_exact(m);
    ASSERT_TRUE(std::isfinite(j));
    EXPECT_NEAR(j, series, 1e-13) << "N = " << n;
    EXPECT_LT(j, 1.0);
  }
}

TEST(HedgesJ, BothEvaluationBranchesMatchHighPrecisionValues) {
  // Reference values from mpmath at 40 significant digits; the series branch starts
  // at m = 201.
  EXPECT_NEAR(metapool::hedges_j_exact(150.0), 0.9949902570021235291323, 2e-16);
  EXPECT_NEAR(metapool::hedges_j_exact(199.0), 0.9962256230248171555768, 2e-16);
  EXPECT_NEAR(metapool::hedges_j_exact(201.0), 0.9962632336057739127026, 2e-16);
  EXPECT_NEAR(metapool::hedges_j_exact(631.0), 0.99881086077903742247, 2e-16);
}

TEST(HedgesJ, ExactAndApproximateAgreeToFirstOrder) {
  // Both are 1 - 3/(4m) + O(m^-2); they differ by about 1/(32 m^2).
  for (double m : {10.0, 50.0, 200.0}) {
    EXPECT_NEAR(metapool::hedges_j_exact(m), metapool::hedges_j_approx(m), 1.0 / (16.0 * m * m));
  }
  EXPECT_TRUE(std::isnan(metapool::hedges_j_exact(1.0)));
}

TEST(Smd, HandComputedStudy) {
  // m1 = 10, sd1 = 2, n1 = 20; m2 = 8, sd2 = 3, n2 = 25.
  const VectorXd m1 = vec({10}), sd1 = vec({2}), n1 = vec({20});
  const VectorXd m2 = vec({8}), sd2 = vec({3}), n2 = vec({25});
  const double sp = std::sqrt((19.0 * 4.0 + 24.0 * 9.0) / 43.0);
  const double d = 2.0 / sp;
  const double j = metapool::hedges_j_exact(43.0);
  auto ls = smd(m1, sd1, n1, m2, sd2, n2, SmdCorrection::exact, SmdVariance::ls);
  EXPECT_NEAR(ls.yi[0], j * d, 1e-14);
  EXPECT_NEAR(ls.vi[0], 1.0 / 20 + 1.0 / 25 + j * j * d * d / 90.0, 1e-14);
  auto rm = smd(m1, sd1, n1, m2, sd2, n2, SmdCorrection::approx, SmdVariance::ls3);
  const double g = (1.0 - 3.0 / (4.0 * 45.0 - 9.0)) * d;
  EXPECT_NEAR(rm.yi[0], g, 1e-14);
  EXPECT_NEAR(rm.vi[0], 45.0 / 500.0 + g * g / (2.0 * (45.0 - 3.94)), 1e-14);
  auto cohen = smd(m1, sd1, n1, m2, sd2, n2, SmdCorrection::none, SmdVariance::ls2);
  EXPECT_NEAR(cohen.yi[0], d, 1e-14);
  EXPECT_NEAR(cohen.vi[0], 1.0 / 20 + 1.0 / 25 + d * d / 90.0, 1e-14);
}

TEST(Smd, LengthMismatchThrows) {
  const VectorXd a = vec({1, 2}), b = vec({1});
  EXPECT_THROW(smd(a, a, a, a, a, b, SmdCorrection::exact, SmdVariance::ls),
               std::invalid_argument);
  // an output of the wrong length is caught too
  VectorXd yi(1), vi(2);
  EXPECT_THROW(metapool::smd(a, a, a, a, a, a, SmdCorrection::exact, SmdVariance::ls, {yi, vi}),
               std::invalid_argument);
}

TEST(Md, PooledAndUnpooled) {
  const VectorXd m1 = vec({5}), sd1 = vec({1}), n1 = vec({10});
  const VectorXd m2 = vec({3}), sd2 = vec({2}), n2 = vec({30});
  Es u(1), p(1);
  metapool::md(m1, sd1, n1, m2, sd2, n2, metapool::MdVariance::unpooled, u.out());
  EXPECT_DOUBLE_EQ(u.yi[0], 2.0);
  EXPECT_NEAR(u.vi[0], 1.0 / 10 + 4.0 / 30, 1e-15);
  metapool::md(m1, sd1, n1, m2, sd2, n2, metapool::MdVariance::pooled, p.out());
  EXPECT_NEAR(p.vi[0], (9.0 + 29.0 * 4.0) / 38.0 * (1.0 / 10 + 1.0 / 30), 1e-15);
}

TEST(Binary, ZeroCellsAndDoubleZeros) {
  // Study 1 ordinary, study 2 one zero cell, study 3 double zero.
  const VectorXd e1 = vec({4, 0, 0}), n1 = vec({20, 15, 10});
  const VectorXd e2 = vec({8, 5, 0}), n2 = vec({22, 16, 12});
  metapool::ZeroCellOptions opt;  // add 0.5 to only0, keep double zeros
  auto rr = binary(e1, n1, e2, n2, metapool::BinaryMeasure::risk_ratio, opt);
  EXPECT_NEAR(rr.yi[0], std::log((4.0 / 20) / (8.0 / 22)), 1e-14);
  EXPECT_NEAR(rr.vi[0], 1.0 / 4 - 1.0 / 20 + 1.0 / 8 - 1.0 / 22, 1e-14);
  EXPECT_NEAR(rr.yi[1], std::log((0.5 / 16) / (5.5 / 17)), 1e-14);
  EXPECT_NEAR(rr.vi[1], 1.0 / 0.5 - 1.0 / 16 + 1.0 / 5.5 - 1.0 / 17, 1e-14);
  EXPECT_EQ(rr.corrected[0], 0);
  EXPECT_EQ(rr.corrected[1], 1);
  EXPECT_EQ(rr.estimable[2], 1);
  EXPECT_NEAR(rr.yi[2], std::log((0.5 / 11) / (0.5 / 13)), 1e-14);

  opt.drop00 = true;
  auto orr = binary(e1, n1, e2, n2, metapool::BinaryMeasure::odds_ratio, opt);
  EXPECT_EQ(orr.estimable[2], 0);
  EXPECT_TRUE(std::isnan(orr.yi[2]));
  EXPECT_NEAR(orr.yi[1], std::log(0.5 * 11.5 / (15.5 * 5.5)), 1e-14);
  EXPECT_NEAR(orr.vi[1], 1 / 0.5 + 1 / 15.5 + 1 / 5.5 + 1 / 11.5, 1e-14);

  opt.drop00 = false;
  opt.to = metapool::ZeroCellRule::if0all;
  auto rd = binary(e1, n1, e2, n2, metapool::BinaryMeasure::risk_difference, opt);
  EXPECT_EQ(rd.corrected[0], 1);  // a zero elsewhere corrects every study
  EXPECT_NEAR(rd.yi[0], 4.5 / 21 - 8.5 / 23, 1e-14);
  EXPECT_NEAR(rd.vi[0], 4.5 * 16.5 / std::pow(21.0, 3) + 8.5 * 14.5 / std::pow(23.0, 3), 1e-14);

  opt.to = metapool::ZeroCellRule::none;
  auto none = binary(e1, n1, e2, n2, metapool::BinaryMeasure::risk_ratio, opt);
  EXPECT_EQ(none.estimable[0], 1);
  EXPECT_EQ(none.estimable[1], 0);  // log(0) is not an estimate
  EXPECT_EQ(none.estimable[2], 0);
}

TEST(Binary, RevManRiskDifferenceComesFromTheRawCounts) {
  // RevMan 5: the RD of a study with a zero cell is a/n1 - c/n2 from the raw counts;
  // the 0.5-corrected cells give only its variance. A double zero has RD 0.
  const VectorXd e1 = vec({0, 0, 3}), n1 = vec({10, 15, 12});
  const VectorXd e2 = vec({0, 5, 4}), n2 = vec({20, 16, 12});
  metapool::ZeroCellOptions opt;
  opt.rd_raw = true;
  auto rd = binary(e1, n1, e2, n2, metapool::BinaryMeasure::risk_difference, opt);
  EXPECT_EQ(rd.yi[0], 0.0);
  EXPECT_NEAR(rd.vi[0], 0.5 * 10.5 / std::pow(11.0, 3) + 0.5 * 20.5 / std::pow(21.0, 3), 1e-15);
  EXPECT_NEAR(rd.yi[1], 0.0 / 15 - 5.0 / 16, 1e-15);
  EXPECT_NEAR(rd.vi[1], 0.5 * 15.5 / std::pow(16.0, 3) + 5.5 * 11.5 / std::pow(17.0, 3), 1e-15);
  EXPECT_NEAR(rd.yi[2], 3.0 / 12 - 4.0 / 12, 1e-15);
  EXPECT_EQ(rd.corrected[2], 0);

  // M-H: RD_MH = sum w_i RD_i / sum w_i with w_i = n1 n2 / N of the corrected table.
  metapool::MhOptions mh;
  mh.measure = metapool::BinaryMeasure::risk_difference;
  mh.study_zero = opt;
  mh.mh_zero = opt;
  const metapool::MhFit f = metapool::mantel_haenszel(e1, n1, e2, n2, mh);
  const double w[] = {11.0 * 21 / 32, 16.0 * 17 / 33, 12.0 * 12 / 24};
  const double y[] = {0.0, -5.0 / 16, -1.0 / 12};
  EXPECT_NEAR(f.fixed.estimate, (w[0] * y[0] + w[1] * y[1] + w[2] * y[2]) / (w[0] + w[1] + w[2]), 1e-15);
}

TEST(Wald, IntervalUsesNormalQuantile) {
  const VectorXd yi = vec({0.5}), vi = vec({0.04});
  VectorXd lb(1), ub(1);
  metapool::wald_interval(yi, vi, 0.95, lb, ub);
  EXPECT_NEAR(lb[0], 0.5 - 1.959963984540054 * 0.2, 1e-14);
  EXPECT_NEAR(ub[0], 0.5 + 1.959963984540054 * 0.2, 1e-14);
}
