#include "metapool/nnt.hpp"

#include "metapool/convert.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace metapool {

namespace {

double clamp(double x, double lo, double hi, bool* bounded) {
  if (x < lo) {
    *bounded = true;
    return lo;
  }
  if (x > hi) {
    *bounded = true;
    return hi;
  }
  return x;
}

}  // namespace

double implied_risk_change(double theta, double acr, NntScale scale, bool* bounded) {
  if (std::isnan(theta)) return theta;
  switch (scale) {
    case NntScale::risk_difference:
      if (std::isnan(acr)) return clamp(theta, -1.0, 1.0, bounded);
      return clamp(acr + theta, 0.0, 1.0, bounded) - acr;
    case NntScale::log_risk_ratio:
      // With ACR = 0 the experimental risk is 0 for any RR; 0 * exp(theta) would be
      // 0 * Inf = NaN once exp(theta) overflows (log RR > 709).
      if (acr == 0.0) return 0.0;
      return clamp(acr * std::exp(theta), 0.0, 1.0, bounded) - acr;
    case NntScale::log_odds_ratio:
      return risk_from_odds_ratio(acr, theta) - acr;
    case NntScale::smd:
      return risk_from_odds_ratio(acr, smd_to_log_odds_ratio(theta)) - acr;
  }
  return std::nan("");
}

NntResult nnt(const Eigen::Ref<const Eigen::VectorXd>& theta,
              const Eigen::Ref<const Eigen::VectorXd>& theta_lb,
              const Eigen::Ref<const Eigen::VectorXd>& theta_ub,
              const Eigen::Ref<const Eigen::VectorXd>& acr, NntScale scale,
              bool beneficial_event) {
  const Eigen::Index k = theta.size();
  if (theta_lb.size() != k || theta_ub.size() != k || acr.size() != k) {
    throw std::invalid_argument("nnt inputs differ in length");
  }
  const double sign = beneficial_event ? 1.0 : -1.0;
  NntResult out{Eigen::VectorXd(k), Eigen::VectorXd(k), Eigen::VectorXd(k),
                Eigen::VectorXi::Zero(k)};
  for (Eigen::Index i = 0; i < k; ++i) {
    bool at_estimate = false, at_limit = false;
    out.benefit[i] = sign * implied_risk_change(theta[i], acr[i], scale, &at_estimate);
    // The risk change is monotone in the effect, so the limits map to limits.
    const double b1 = sign * implied_risk_change(theta_lb[i], acr[i], scale, &at_limit);
    const double b2 = sign * implied_risk_change(theta_ub[i], acr[i], scale, &at_limit);
    out.benefit_lb[i] = std::min(b1, b2);
    out.benefit_ub[i] = std::max(b1, b2);
    if (std::isnan(b1) || std::isnan(b2)) out.benefit_lb[i] = out.benefit_ub[i] = std::nan("");
    out.flags[i] = (at_estimate ? kNntEstimateBounded : 0) | (at_limit ? kNntLimitBounded : 0);
  }
  return out;
}

}  // namespace metapool
