#include "metapool/convert.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

#include "metapool/distributions.hpp"

namespace metapool {

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();

bool given(double x) { return !std::isnan(x); }

void require_length(Eigen::Index actual, Eigen::Index k, const char* what) {
  if (actual != k) throw std::invalid_argument(what);
}

}  // namespace

double risk_from_odds_ratio(double acr, double log_or) {
  if (std::isnan(acr) || std::isnan(log_or)) return kNaN;
  if (acr <= 0.0) return 0.0;
  if (acr >= 1.0) return 1.0;
  const double log_odds = std::log(acr) - std::log1p(-acr) + log_or;
  return 1.0 / (1.0 + std::exp(-log_odds));
}

double log_odds_ratio_from_risk_ratio(double log_rr, double acr) {
  if (!(acr > 0.0 && acr < 1.0)) return kNaN;
  const double eer = acr * std::exp(log_rr);
  if (!(eer < 1.0)) return kNaN;
  // log(eer / (1 - eer)) - log(acr / (1 - acr)), with log1p for small risks.
  return log_rr - std::log1p(-eer) + std::log1p(-acr);
}

double log_risk_ratio_from_odds_ratio(double log_or, double acr) {
  if (!(acr > 0.0 && acr < 1.0)) return kNaN;
  return std::log(risk_from_odds_ratio(acr, log_or)) - std::log(acr);
}

double two_sided_critical(double level, double df) {
  if (!(level > 0.0 && level < 1.0)) return kNaN;
  if (std::isnan(df) || std::isinf(df)) return z_crit(level);
  if (!(df > 0.0)) return kNaN;
  return t_quantile(df, 1.0 - (1.0 - level) / 2.0);
}

namespace {

// Studies usually share one level and df: the critical value of the previous row is
// reused rather than inverting the distribution again for every row.
class CriticalValues {
 public:
  double operator()(double level, double df) {
    const bool same_df = df == df_ || (std::isnan(df) && std::isnan(df_));
    if (!(level == level_ && same_df)) {
      level_ = level;
      df_ = df;
      crit_ = two_sided_critical(level, df);
    }
    return crit_;
  }

 private:
  double level_ = kNaN, df_ = kNaN, crit_ = kNaN;
};

}  // namespace

double statistic_from_p(double p, double df) {
  if (!(p > 0.0 && p < 1.0)) return kNaN;
  if (std::isnan(df) || std::isinf(df)) return qnorm_upper(p / 2.0);
  if (!(df > 0.0)) return kNaN;
  // Upper quantile through the lower one of the symmetric distribution.
  return -t_quantile(df, p / 2.0);
}

SeResult se_from_report(const Eigen::Ref<const Eigen::VectorXd>& estimate,
                        const Eigen::Ref<const Eigen::VectorXd>& se,
                        const Eigen::Ref<const Eigen::VectorXd>& ci_lb,
                        const Eigen::Ref<const Eigen::VectorXd>& ci_ub,
                        const Eigen::Ref<const Eigen::VectorXd>& statistic,
                        const Eigen::Ref<const Eigen::VectorXd>& p,
                        const Eigen::Ref<const Eigen::VectorXd>& df,
                        const Eigen::Ref<const Eigen::VectorXd>& level, bool log_scale) {
  const Eigen::Index k = estimate.size();
  for (Eigen::Index len : {se.size(), ci_lb.size(), ci_ub.size(), statistic.size(), p.size(),
                           df.size(), level.size()}) {
    require_length(len, k, "se_from_report inputs differ in length");
  }
  SeResult out{Eigen::VectorXd::Constant(k, kNaN), Eigen::VectorXd::Constant(k, kNaN),
               Eigen::VectorXi::Zero(k)};
  CriticalValues critical;
  for (Eigen::Index i = 0; i < k; ++i) {
    const auto scale = [log_scale](double x) { return log_scale ? std::log(x) : x; };
    const double lb = scale(ci_lb[i]), ub = scale(ci_ub[i]);
    double y = scale(estimate[i]);
    if (!given(y) && given(lb) && given(ub)) y = (lb + ub) / 2.0;
    out.yi[i] = y;
    if (given(se[i])) {
      out.se[i] = se[i];
      out.source[i] = static_cast<int>(SeSource::se);
    } else if (given(lb) || given(ub)) {
      const double crit = critical(level[i], df[i]);
      if (given(lb) && given(ub)) {
        out.se[i] = (ub - lb) / (2.0 * crit);
      } else {
        out.se[i] = given(ub) ? (ub - y) / crit : (y - lb) / crit;
      }
      out.source[i] = static_cast<int>(SeSource::ci);
    } else if (given(statistic[i])) {
      out.se[i] = std::fabs(y / statistic[i]);
      out.source[i] = static_cast<int>(SeSource::statistic);
    } else if (given(p[i])) {
      out.se[i] = std::fabs(y) / statistic_from_p(p[i], df[i]);
      out.source[i] = static_cast<int>(SeSource::p);
    }
  }
  return out;
}

MeanSdResult mean_sd_from_quantiles(const Eigen::Ref<const Eigen::VectorXd>& min,
                                    const Eigen::Ref<const Eigen::VectorXd>& q1,
                                    const Eigen::Ref<const Eigen::VectorXd>& median,
                                    const Eigen::Ref<const Eigen::VectorXd>& q3,
                                    const Eigen::Ref<const Eigen::VectorXd>& max,
                                    const Eigen::Ref<const Eigen::VectorXd>& n,
                                    FivenumMethod method) {
  const Eigen::Index k = median.size();
  for (Eigen::Index len : {min.size(), q1.size(), q3.size(), max.size(), n.size()}) {
    require_length(len, k, "mean_sd_from_quantiles inputs differ in length");
  }
  MeanSdResult out{Eigen::VectorXd::Constant(k, kNaN), Eigen::VectorXd::Constant(k, kNaN),
                   Eigen::VectorXi::Zero(k)};
  for (Eigen::Index i = 0; i < k; ++i) {
    const double a = min[i], b = max[i], m = median[i], nn = n[i];
    const double lo = q1[i], hi = q3[i];
    const bool range = given(a) && given(b), iqr = given(lo) && given(hi);
    if (!given(m) || !given(nn) || !(range || iqr)) continue;
    // Expected range and IQR of a standard normal sample of size n (Wan et al. 2014),
    // as upper quantiles so that no digits are lost to 1 - p.
    const double xi = 2.0 * qnorm_upper(0.625 / (nn + 0.25));
    const double eta = 2.0 * qnorm_upper((0.25 * nn + 0.375) / (nn + 0.25));
    double mean = kNaN, sd = kNaN;
    int scenario = 0;
    if (range && iqr) {
      scenario = 3;
      if (method == FivenumMethod::luo_shi) {
        const double w1 = 2.2 / (2.2 + std::pow(nn, 0.75));
        const double w2 = 0.7 - 0.72 / std::pow(nn, 0.55);
        mean = w1 * (a + b) / 2.0 + w2 * (lo + hi) / 2.0 + (1.0 - w1 - w2) * m;
        const double w = 1.0 / (1.0 + 0.07 * std::pow(nn, 0.6));
        sd = w * (b - a) / xi + (1.0 - w) * (hi - lo) / eta;
      } else if (method == FivenumMethod::wan) {
        mean = (a + 2.0 * lo + 2.0 * m + 2.0 * hi + b) / 8.0;
        sd = ((b - a) / xi + (hi - lo) / eta) / 2.0;
      }
    } else if (range) {
      scenario = 1;
      if (method == FivenumMethod::luo_shi) {
        const double w = 4.0 / (4.0 + std::pow(nn, 0.75));
        mean = w * (a + b) / 2.0 + (1.0 - w) * m;
        sd = (b - a) / xi;
      } else if (method == FivenumMethod::wan) {
        mean = (a + 2.0 * m + b) / 4.0;
        sd = (b - a) / xi;
      } else {
        // Hozo et al. (2005): the formulas for small samples, then range rules.
        mean = nn <= 25 ? (a + 2.0 * m + b) / 4.0 : m;
        if (nn <= 15) {
          sd = std::sqrt(((a - 2.0 * m + b) * (a - 2.0 * m + b) / 4.0 + (b - a) * (b - a)) /
                         12.0);
        } else if (nn <= 70) {
          sd = (b - a) / 4.0;
        } else {
          sd = (b - a) / 6.0;
        }
      }
    } else {
      scenario = 2;
      if (method == FivenumMethod::luo_shi) {
        const double w = 0.7 + 0.39 / nn;
        mean = w * (lo + hi) / 2.0 + (1.0 - w) * m;
        sd = (hi - lo) / eta;
      } else if (method == FivenumMethod::wan) {
        mean = (lo + m + hi) / 3.0;
        sd = (hi - lo) / eta;
      }
    }
    out.mean[i] = mean;
    out.sd[i] = sd;
    out.scenario[i] = scenario;
  }
  return out;
}

CombinedGroups combine_groups(const Eigen::Ref<const Eigen::VectorXd>& n,
                              const Eigen::Ref<const Eigen::VectorXd>& mean,
                              const Eigen::Ref<const Eigen::VectorXd>& sd,
                              const Eigen::Ref<const Eigen::VectorXd>& events,
                              const Eigen::Ref<const Eigen::VectorXi>& group, int n_groups) {
  const Eigen::Index k = n.size();
  for (Eigen::Index len : {mean.size(), sd.size(), events.size(), group.size()}) {
    require_length(len, k, "combine_groups inputs differ in length");
  }
  if (n_groups < 0) throw std::invalid_argument("combine_groups: negative group count");
  CombinedGroups out{Eigen::VectorXd::Zero(n_groups), Eigen::VectorXd::Zero(n_groups),
                     Eigen::VectorXd::Zero(n_groups), Eigen::VectorXd::Zero(n_groups)};
  for (Eigen::Index i = 0; i < k; ++i) {
    if (group[i] < 0 || group[i] >= n_groups) {
      throw std::invalid_argument("combine_groups: group index out of range");
    }
  }
  // Two passes: the weighted mean first, then squared deviations about it, which keeps
  // full precision when the means are large relative to their spread.
  for (Eigen::Index i = 0; i < k; ++i) {
    const int g = group[i];
    out.n[g] += n[i];
    out.mean[g] += n[i] * mean[i];
    out.events[g] += events[i];
  }
  for (int g = 0; g < n_groups; ++g) out.mean[g] /= out.n[g];
  for (Eigen::Index i = 0; i < k; ++i) {
    const int g = group[i];
    const double dev = mean[i] - out.mean[g];
    out.sd[g] += (n[i] - 1.0) * sd[i] * sd[i] + n[i] * dev * dev;
  }
  for (int g = 0; g < n_groups; ++g) out.sd[g] = std::sqrt(out.sd[g] / (out.n[g] - 1.0));
  return out;
}

LogHrResult log_hazard_ratio(const Eigen::Ref<const Eigen::VectorXd>& o_minus_e,
                             const Eigen::Ref<const Eigen::VectorXd>& v,
                             const Eigen::Ref<const Eigen::VectorXd>& hr,
                             const Eigen::Ref<const Eigen::VectorXd>& ci_lb,
                             const Eigen::Ref<const Eigen::VectorXd>& ci_ub,
                             const Eigen::Ref<const Eigen::VectorXd>& p,
                             const Eigen::Ref<const Eigen::VectorXd>& events,
                             const Eigen::Ref<const Eigen::VectorXd>& ratio,
                             const Eigen::Ref<const Eigen::VectorXd>& sign,
                             const Eigen::Ref<const Eigen::VectorXd>& level) {
  const Eigen::Index k = o_minus_e.size();
  for (Eigen::Index len : {v.size(), hr.size(), ci_lb.size(), ci_ub.size(), p.size(),
                           events.size(), ratio.size(), sign.size(), level.size()}) {
    require_length(len, k, "log_hazard_ratio inputs differ in length");
  }
  LogHrResult out{Eigen::VectorXd::Constant(k, kNaN), Eigen::VectorXd::Constant(k, kNaN),
                  Eigen::VectorXi::Zero(k)};
  CriticalValues critical;
  for (Eigen::Index i = 0; i < k; ++i) {
    // Variance of O - E under the null from the total events (Tierney et al. 2007).
    const double v_events = events[i] * ratio[i] / ((1.0 + ratio[i]) * (1.0 + ratio[i]));
    if (given(o_minus_e[i]) && given(v[i])) {
      out.yi[i] = o_minus_e[i] / v[i];
      out.se[i] = 1.0 / std::sqrt(v[i]);
      out.source[i] = static_cast<int>(HrSource::o_minus_e);
    } else if (given(ci_lb[i]) && given(ci_ub[i])) {
      const double lb = std::log(ci_lb[i]), ub = std::log(ci_ub[i]);
      out.yi[i] = given(hr[i]) ? std::log(hr[i]) : (lb + ub) / 2.0;
      out.se[i] = (ub - lb) / (2.0 * critical(level[i], kNaN));
      out.source[i] = static_cast<int>(HrSource::ci);
    } else if (given(hr[i]) && given(v_events)) {
      out.yi[i] = std::log(hr[i]);
      out.se[i] = 1.0 / std::sqrt(v_events);
      out.source[i] = static_cast<int>(HrSource::hr_events);
    } else if (given(p[i]) && given(v_events) && given(sign[i])) {
      // O - E = sign * z * sqrt(V), so log HR = sign * z / sqrt(V).
      const double z = statistic_from_p(p[i], kNaN);
      out.se[i] = 1.0 / std::sqrt(v_events);
      out.yi[i] = (sign[i] < 0 ? -1.0 : 1.0) * z * out.se[i];
      out.source[i] = static_cast<int>(HrSource::p_events);
    }
  }
  return out;
}

}  // namespace metapool
