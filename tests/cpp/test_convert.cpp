// Conversion core against the Cochrane Handbook's worked examples and closed forms.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "metapool/convert.hpp"

using Eigen::VectorXd;

namespace {
const double kNaN = std::numeric_limits<double>::quiet_NaN();
VectorXd one(double x) { return VectorXd::Constant(1, x); }
}  // namespace

TEST(Convert, SmdToLogOddsRatioIsPiOverRootThree) {
  // Chinn (2000): ln OR = SMD * pi / sqrt(3), i.e. SMD = ln OR * 0.5513.
  EXPECT_DOUBLE_EQ(metapool::smd_to_log_odds_ratio(1.0), M_PI / std::sqrt(3.0));
  EXPECT_NEAR(metapool::log_odds_ratio_to_smd(1.0), 0.5513, 5e-5);
  EXPECT_DOUBLE_EQ(metapool::log_odds_ratio_to_smd(metapool::smd_to_log_odds_ratio(0.37)), 0.37);
}

TEST(Convert, RiskRatioOddsRatioRoundTrip) {
  // RR 0.5 at control risk 0.4: EER 0.2, OR = (0.2 / 0.8) / (0.4 / 0.6) = 0.375.
  EXPECT_NEAR(std::exp(metapool::log_odds_ratio_from_risk_ratio(std::log(0.5), 0.4)), 0.375,
              1e-15);
  EXPECT_NEAR(std::exp(metapool::log_risk_ratio_from_odds_ratio(std::log(0.375), 0.4)), 0.5,
              1e-15);
  EXPECT_TRUE(std::isnan(metapool::log_odds_ratio_from_risk_ratio(std::log(3.0), 0.4)));
  EXPECT_TRUE(std::isnan(metapool::log_risk_ratio_from_odds_ratio(0.1, 0.0)));
}

TEST(Convert, CriticalValues) {
  // Handbook 6.5.2.2: t for a 95% interval from 25 participants (24 df) is 2.0639.
  EXPECT_NEAR(metapool::two_sided_critical(0.95, 24.0), 2.0639, 5e-5);
  EXPECT_NEAR(metapool::two_sided_critical(0.95, kNaN), 1.959963984540054, 1e-14);
  // Handbook 6.3.2: P = 0.008 gives Z = 2.652; with a t test on 45 df, t = 2.78 (6.5.2.3).
  EXPECT_NEAR(metapool::statistic_from_p(0.008, kNaN), 2.652, 5e-4);
  EXPECT_NEAR(metapool::statistic_from_p(0.008, 45.0), 2.78, 5e-3);
  EXPECT_TRUE(std::isnan(metapool::statistic_from_p(1.0, kNaN)));
  EXPECT_TRUE(std::isnan(metapool::two_sided_critical(0.95, 0.0)));
}

TEST(Convert, SeFromReportPicksTheFirstUsableReport) {
  VectorXd est(4), se(4), lb(4), ub(4), stat(4), p(4), df(4), level(4);
  est << 1.0, 1.0, 0.5, 2.0;
  se << 0.3, kNaN, kNaN, kNaN;
  lb << 0.0, 0.0, kNaN, kNaN;
  ub << 2.0, 2.0, kNaN, kNaN;
  stat << kNaN, kNaN, 2.0, kNaN;
  p << kNaN, kNaN, kNaN, 0.05;
  df.setConstant(kNaN);
  level.setConstant(0.95);
  auto r = metapool::se_from_report(est, se, lb, ub, stat, p, df, level, false);
  EXPECT_EQ(r.source[0], static_cast<int>(metapool::SeSource::se));
  EXPECT_DOUBLE_EQ(r.se[0], 0.3);
  EXPECT_NEAR(r.se[1], 2.0 / (2.0 * 1.959963984540054), 1e-15);
  EXPECT_DOUBLE_EQ(r.se[2], 0.25);
  EXPECT_NEAR(r.se[3], 2.0 / 1.959963984540054, 1e-14);
}

TEST(Convert, SeFromRatioIntervalOnLogScaleAndMidpoint) {
  auto r = metapool::se_from_report(one(kNaN), one(kNaN), one(0.5), one(2.0), one(kNaN),
                                    one(kNaN), one(kNaN), one(0.95), true);
  EXPECT_NEAR(r.yi[0], 0.0, 1e-15);
  EXPECT_NEAR(r.se[0], std::log(4.0) / (2.0 * 1.959963984540054), 1e-15);
}

TEST(Convert, FivenumScenarios) {
  // Wan et al. (2014), scenario 2 with large n: SD tends to IQR / 1.35.
  auto r = metapool::mean_sd_from_quantiles(one(kNaN), one(10.0), one(12.0), one(14.0),
                                            one(kNaN), one(1e6), metapool::FivenumMethod::wan);
  EXPECT_EQ(r.scenario[0], 2);
  EXPECT_NEAR(r.sd[0], 4.0 / 1.3489795, 1e-5);
  EXPECT_DOUBLE_EQ(r.mean[0], 12.0);
  // Hozo et al. (2005) for n <= 25: mean (a + 2m + b) / 4.
  auto h = metapool::mean_sd_from_quantiles(one(2.0), one(kNaN), one(5.0), one(kNaN), one(14.0),
                                            one(20.0), metapool::FivenumMethod::hozo);
  EXPECT_EQ(h.scenario[0], 1);
  EXPECT_DOUBLE_EQ(h.mean[0], 6.5);
  EXPECT_DOUBLE_EQ(h.sd[0], 3.0);
  // Hozo has no rule for quartiles.
  auto q = metapool::mean_sd_from_quantiles(one(kNaN), one(1.0), one(2.0), one(3.0), one(kNaN),
                                            one(20.0), metapool::FivenumMethod::hozo);
  EXPECT_TRUE(std::isnan(q.sd[0]));
  auto none = metapool::mean_sd_from_quantiles(one(kNaN), one(kNaN), one(2.0), one(kNaN),
                                               one(kNaN), one(20.0),
                                               metapool::FivenumMethod::luo_shi);
  EXPECT_EQ(none.scenario[0], 0);
}

TEST(Convert, CombineGroupsMatchesTheHandbookTwoGroupFormula) {
  VectorXd n(3), m(3), sd(3), ev(3);
  n << 30, 32, 50;
  m << 12.1, 13.4, 10.2;
  sd << 4.1, 3.8, 5.0;
  ev << 3, 4, 5;
  Eigen::VectorXi g(3);
  g << 0, 0, 1;
  auto r = metapool::combine_groups(n, m, sd, ev, g, 2);
  const double n1 = 30, n2 = 32, m1 = 12.1, m2 = 13.4, s1 = 4.1, s2 = 3.8;
  const double sd_table = std::sqrt(((n1 - 1) * s1 * s1 + (n2 - 1) * s2 * s2 +
                                     n1 * n2 / (n1 + n2) * (m1 - m2) * (m1 - m2)) /
                                    (n1 + n2 - 1));
  EXPECT_DOUBLE_EQ(r.n[0], 62.0);
  EXPECT_NEAR(r.mean[0], (n1 * m1 + n2 * m2) / (n1 + n2), 1e-14);
  EXPECT_NEAR(r.sd[0], sd_table, 1e-14);
  EXPECT_DOUBLE_EQ(r.events[0], 7.0);
  EXPECT_DOUBLE_EQ(r.sd[1], 5.0);
  Eigen::VectorXi bad(3);
  bad << 0, 2, 1;
  EXPECT_THROW(metapool::combine_groups(n, m, sd, ev, bad, 2), std::invalid_argument);
}

TEST(Convert, LogHazardRatioRoutesAgree) {
  // O - E = -10, V = 40: log HR -0.25, SE 1 / sqrt(40). The same trial through its
  // log-rank p-value with 160 events (V = 160 / 4 = 40).
  const double z = 10.0 / std::sqrt(40.0);
  const double p = std::erfc(z / std::sqrt(2.0));
  VectorXd oe(2), v(2), hr(2), lb(2), ub(2), pv(2), ev(2), ratio(2), sign(2), level(2);
  oe << -10.0, kNaN;
  v << 40.0, kNaN;
  hr.setConstant(kNaN);
  lb.setConstant(kNaN);
  ub.setConstant(kNaN);
  pv << kNaN, p;
  ev << kNaN, 160.0;
  ratio.setConstant(1.0);
  sign << kNaN, -1.0;
  level.setConstant(0.95);
  auto r = metapool::log_hazard_ratio(oe, v, hr, lb, ub, pv, ev, ratio, sign, level);
  EXPECT_DOUBLE_EQ(r.yi[0], -0.25);
  EXPECT_NEAR(r.yi[1], -0.25, 1e-12);
  EXPECT_NEAR(r.se[1], r.se[0], 1e-15);
  EXPECT_EQ(r.source[1], static_cast<int>(metapool::HrSource::p_events));
}
