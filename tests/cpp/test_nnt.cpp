// NNT core against the Cochrane Handbook's and Altman's worked examples.
#include <gtest/gtest.h>

#include <cmath>

#include "metapool/distributions.hpp"
#include "metapool/nnt.hpp"

using Eigen::VectorXd;
using metapool::NntScale;

namespace {
VectorXd one(double x) { return VectorXd::Constant(1, x); }
}  // namespace

TEST(Nnt, HandbookRiskRatioExample) {
  // Handbook 5.1, 12.5.4.2: RR 0.92, ACR 0.30 -> 24 fewer per 1000, NNT 42 (rounded up).
  auto r = metapool::nnt(one(std::log(0.92)), one(NAN), one(NAN), one(0.30),
                         NntScale::log_risk_ratio, false);
  EXPECT_NEAR(r.benefit[0], 0.024, 1e-15);
  EXPECT_EQ(std::ceil(1.0 / r.benefit[0]), 42.0);
}

TEST(Nnt, HandbookOddsRatioExample) {
  // Handbook 5.1, 12.5.4.3: OR 0.73, ACR 0.30 -> 62 fewer per 1000, NNT 17.
  auto r = metapool::nnt(one(std::log(0.73)), one(NAN), one(NAN), one(0.30),
                         NntScale::log_odds_ratio, false);
  const double eer = 0.73 * 0.3 / (1 - 0.3 + 0.73 * 0.3);
  EXPECT_NEAR(r.benefit[0], 0.3 - eer, 1e-15);
  EXPECT_EQ(std::lround(1000 * r.benefit[0]), 62);
  EXPECT_EQ(std::ceil(1.0 / r.benefit[0]), 17.0);
}

TEST(Nnt, AltmanIntervalThroughInfinity) {
  // Altman (1998): ARR 10% (95% CI -5% to 25%) -> NNTB 4 to infinity to NNTH 20.
  auto r = metapool::nnt(one(0.10), one(-0.05), one(0.25), one(NAN),
                         NntScale::risk_difference, true);
  EXPECT_NEAR(1.0 / r.benefit[0], 10.0, 1e-12);
  EXPECT_NEAR(1.0 / r.benefit_ub[0], 4.0, 1e-12);
  EXPECT_NEAR(-1.0 / r.benefit_lb[0], 20.0, 1e-12);
  EXPECT_EQ(r.flags[0], 0);
}

TEST(Nnt, RiskRatioBeyondCertaintyIsBoundedAndFlagged) {
  // ACR 0.1 with RR up to 19.84 implies an experimental risk of 1.98: bounded at 1.
  auto r = metapool::nnt(one(std::log(7.28)), one(std::log(2.67)), one(std::log(19.84)),
                         one(0.1), NntScale::log_risk_ratio, true);
  EXPECT_NEAR(r.benefit[0], 0.628, 1e-12);
  EXPECT_NEAR(r.benefit_ub[0], 0.9, 1e-15);
  EXPECT_NEAR(r.benefit_lb[0], 0.167, 1e-12);
  EXPECT_EQ(r.flags[0], metapool::kNntLimitBounded);
}

TEST(Nnt, SmdConvertsThroughLogOddsRatio) {
  const double smd = -0.5, acr = 0.4;
  auto r = metapool::nnt(one(smd), one(NAN), one(NAN), one(acr), NntScale::smd, false);
  const double lor = 3.14159265358979323846 / std::sqrt(3.0) * smd;
  const double odds = acr / (1 - acr) * std::exp(lor);
  EXPECT_NEAR(r.benefit[0], acr - odds / (1 + odds), 1e-15);
}

TEST(Nnt, ExtremeEffectsStayFinite) {
  auto r = metapool::nnt(one(800.0), one(-800.0), one(900.0), one(0.3),
                         NntScale::log_odds_ratio, true);
  EXPECT_NEAR(r.benefit[0], 0.7, 1e-15);
  EXPECT_NEAR(r.benefit_lb[0], -0.3, 1e-15);
}

TEST(Distributions, MatchReferenceQuantiles) {
  EXPECT_NEAR(metapool::z_crit(0.95), 1.959963984540054, 1e-15);
  EXPECT_NEAR(metapool::pnorm_two_sided(1.959963984540054), 0.05, 1e-15);
  EXPECT_TRUE(std::isnan(metapool::qnorm_upper(1.5)));
}
