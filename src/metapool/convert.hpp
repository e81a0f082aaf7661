// Data conversions of the Cochrane Handbook (chapters 6 and 23): from what trials
// report (confidence intervals, p-values, medians and ranges, O - E and V, ...) to
// the effects, standard errors, means and SDs that a review pools. Pure C++.
#ifndef METAPOOL_CONVERT_HPP
#define METAPOOL_CONVERT_HPP

#include <Eigen/Core>

namespace metapool {

// ---- Between measures --------------------------------------------------------

// ln OR = pi / sqrt(3) * SMD: the logistic distribution has SD pi / sqrt(3)
// (Hasselblad & Hedges 1995; Chinn 2000). Used by the conversions and by nnt().
constexpr double kLogOddsPerSmd = 1.81379936423421785;  // pi / sqrt(3)
inline double smd_to_log_odds_ratio(double smd) { return kLogOddsPerSmd * smd; }
inline double log_odds_ratio_to_smd(double log_or) { return log_or / kLogOddsPerSmd; }

// Experimental-group risk from the control risk and an odds ratio exp(log_or), without
// overflow; 0 and 1 for control risks at the bounds.
double risk_from_odds_ratio(double acr, double log_or);
// log OR equivalent to log RR at control risk acr (Handbook 6.4.1.2 / 15.4.4); NaN when
// the implied experimental risk acr * RR is not below 1.
double log_odds_ratio_from_risk_ratio(double log_rr, double acr);
// log RR equivalent to log OR at control risk acr.
double log_risk_ratio_from_odds_ratio(double log_or, double acr);

// ---- Critical values -----------------------------------------------------------

// Two-sided critical value of a `level` interval: the normal quantile when df is
// infinite or NaN, Student's t with df degrees of freedom otherwise.
double two_sided_critical(double level, double df);
// |statistic| whose two-sided p-value is p (normal or t as above).
double statistic_from_p(double p, double df);

// ---- Standard errors from reported intervals and tests (Handbook 6.3.1-6.3.2) --

enum class SeSource : int { none = 0, se = 1, ci = 2, statistic = 3, p = 4 };

struct SeResult {
  Eigen::VectorXd yi;  // the estimate on the analysis scale
  Eigen::VectorXd se;
  Eigen::VectorXi source;  // SeSource of each row
};

// Per row, the first usable report wins: a standard error, then a confidence interval
// (se = (ub - lb) / (2 crit); with one limit, the half-width from the estimate), then a
// test statistic, then a two-sided p-value (se = |estimate| / statistic). NaN marks a
// value not reported. With log_scale the estimate and limits are ratios and are logged
// (the se is taken as already on the log scale). A missing estimate is taken as the
// midpoint of the interval. df: NaN or Inf for normal quantiles, else t.
SeResult se_from_report(const Eigen::Ref<const Eigen::VectorXd>& estimate,
                        const Eigen::Ref<const Eigen::VectorXd>& se,
                        const Eigen::Ref<const Eigen::VectorXd>& ci_lb,
                        const Eigen::Ref<const Eigen::VectorXd>& ci_ub,
                        const Eigen::Ref<const Eigen::VectorXd>& statistic,
                        const Eigen::Ref<const Eigen::VectorXd>& p,
                        const Eigen::Ref<const Eigen::VectorXd>& df,
                        const Eigen::Ref<const Eigen::VectorXd>& level, bool log_scale);

// ---- Means and SDs from medians, quartiles and ranges --------------------------

enum class FivenumMethod {
  luo_shi,  // mean: Luo et al. (2018); SD: Wan et al. (2014), Shi et al. (2020) for S3
  wan,      // mean and SD: Wan et al. (2014)
  hozo      // Hozo et al. (2005): range only (scenario 1)
};

struct MeanSdResult {
  Eigen::VectorXd mean, sd;
  // 1: min, median, max; 2: q1, median, q3; 3: all five; 0: none of these.
  Eigen::VectorXi scenario;
};

MeanSdResult mean_sd_from_quantiles(const Eigen::Ref<const Eigen::VectorXd>& min,
                                    const Eigen::Ref<const Eigen::VectorXd>& q1,
                                    const Eigen::Ref<const Eigen::VectorXd>& median,
                                    const Eigen::Ref<const Eigen::VectorXd>& q3,
                                    const Eigen::Ref<const Eigen::VectorXd>& max,
                                    const Eigen::Ref<const Eigen::VectorXd>& n,
                                    FivenumMethod method);

// ---- Combining groups (Handbook Table 6.5.a) -------------------------------------

struct CombinedGroups {
  Eigen::VectorXd n, mean, sd, events;
};

// Rows with the same group index (0 .. n_groups - 1) are merged: sizes and events are
// summed; the mean is size-weighted; the SD is that of the pooled sample,
// sqrt((sum (n_i - 1) sd_i^2 + sum n_i (m_i - M)^2) / (N - 1)), which equals the
// Handbook's two-group formula applied repeatedly. NaN means and SDs propagate.
CombinedGroups combine_groups(const Eigen::Ref<const Eigen::VectorXd>& n,
                              const Eigen::Ref<const Eigen::VectorXd>& mean,
                              const Eigen::Ref<const Eigen::VectorXd>& sd,
                              const Eigen::Ref<const Eigen::VectorXd>& events,
                              const Eigen::Ref<const Eigen::VectorXi>& group, int n_groups);

// ---- Time to event (Parmar et al. 1998; Tierney et al. 2007) ---------------------

enum class HrSource : int { none = 0, o_minus_e = 1, ci = 2, hr_events = 3, p_events = 4 };

struct LogHrResult {
  Eigen::VectorXd yi, se;
  Eigen::VectorXi source;  // HrSource of each row
};

// Per row, the first usable report: O - E and V (log HR = (O - E) / V, se = 1 /
// sqrt(V)); an HR with confidence limits; an HR with the total number of events;
// a two-sided log-rank p-value with the total number of events and the direction
// `sign` (-1: fewer events on the experimental arm). With events, V = events *
// ratio / (1 + ratio)^2, ratio the allocation ratio n1 / n2.
LogHrResult log_hazard_ratio(const Eigen::Ref<const Eigen::VectorXd>& o_minus_e,
                             const Eigen::Ref<const Eigen::VectorXd>& v,
                             const Eigen::Ref<const Eigen::VectorXd>& hr,
                             const Eigen::Ref<const Eigen::VectorXd>& ci_lb,
                             const Eigen::Ref<const Eigen::VectorXd>& ci_ub,
                             const Eigen::Ref<const Eigen::VectorXd>& p,
                             const Eigen::Ref<const Eigen::VectorXd>& events,
                             const Eigen::Ref<const Eigen::VectorXd>& ratio,
                             const Eigen::Ref<const Eigen::VectorXd>& sign,
                             const Eigen::Ref<const Eigen::VectorXd>& level);

}  // namespace metapool

#endif
