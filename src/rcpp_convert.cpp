// Glue: R vectors <-> the core data conversions (convert.hpp). Conversions only.
#include <RcppEigen.h>

#include "metapool/convert.hpp"
#include "rcpp_enums.h"


// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_se_from_report(const Eigen::Map<Eigen::VectorXd> estimate, const Eigen::Map<Eigen::VectorXd> se, const Eigen::Map<Eigen::VectorXd> ci_lb,
                              const Eigen::Map<Eigen::VectorXd> ci_ub, const Eigen::Map<Eigen::VectorXd> statistic, const Eigen::Map<Eigen::VectorXd> p,
                              const Eigen::Map<Eigen::VectorXd> df, const Eigen::Map<Eigen::VectorXd> level, bool log_scale) {
  const metapool::SeResult r =
      metapool::se_from_report(estimate, se, ci_lb, ci_ub, statistic, p, df, level, log_scale);
  return Rcpp::List::create(Rcpp::Named("yi") = r.yi, Rcpp::Named("se") = r.se,
                            Rcpp::Named("source") = r.source);
}

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_mean_sd_from_quantiles(const Eigen::Map<Eigen::VectorXd> min, const Eigen::Map<Eigen::VectorXd> q1, const Eigen::Map<Eigen::VectorXd> median,
                                      const Eigen::Map<Eigen::VectorXd> q3, const Eigen::Map<Eigen::VectorXd> max, const Eigen::Map<Eigen::VectorXd> n,
                                      std::string method) {
  const metapool::MeanSdResult r = metapool::mean_sd_from_quantiles(
      min, q1, median, q3, max, n, metapool_glue::fivenum_method(method));
  return Rcpp::List::create(Rcpp::Named("mean") = r.mean, Rcpp::Named("sd") = r.sd,
                            Rcpp::Named("scenario") = r.scenario);
}

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_combine_groups(const Eigen::Map<Eigen::VectorXd> n, const Eigen::Map<Eigen::VectorXd> mean, const Eigen::Map<Eigen::VectorXd> sd,
                              const Eigen::Map<Eigen::VectorXd> events, const Eigen::Map<Eigen::VectorXi> group,
                              int n_groups) {
  const metapool::CombinedGroups r =
      metapool::combine_groups(n, mean, sd, events, group, n_groups);
  return Rcpp::List::create(Rcpp::Named("n") = r.n, Rcpp::Named("mean") = r.mean,
                            Rcpp::Named("sd") = r.sd, Rcpp::Named("events") = r.events);
}

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_log_hazard_ratio(const Eigen::Map<Eigen::VectorXd> o_minus_e, const Eigen::Map<Eigen::VectorXd> v, const Eigen::Map<Eigen::VectorXd> hr,
                                const Eigen::Map<Eigen::VectorXd> ci_lb, const Eigen::Map<Eigen::VectorXd> ci_ub, const Eigen::Map<Eigen::VectorXd> p,
                                const Eigen::Map<Eigen::VectorXd> events, const Eigen::Map<Eigen::VectorXd> ratio, const Eigen::Map<Eigen::VectorXd> sign,
                                const Eigen::Map<Eigen::VectorXd> level) {
  const metapool::LogHrResult r = metapool::log_hazard_ratio(o_minus_e, v, hr, ci_lb, ci_ub, p,
                                                             events, ratio, sign, level);
  return Rcpp::List::create(Rcpp::Named("yi") = r.yi, Rcpp::Named("se") = r.se,
                            Rcpp::Named("source") = r.source);
}

// Element-wise conversions between measures; `to` names the target.
// [[Rcpp::export(rng = false)]]
Eigen::VectorXd cpp_convert_measure(const Eigen::Map<Eigen::VectorXd> x, const Eigen::Map<Eigen::VectorXd> acr, std::string to) {
  const Eigen::Index k = x.size();
  Eigen::VectorXd out(k);
  if (to == "logOR_from_SMD") {
    for (Eigen::Index i = 0; i < k; ++i) out[i] = metapool::smd_to_log_odds_ratio(x[i]);
  } else if (to == "SMD_from_logOR") {
    for (Eigen::Index i = 0; i < k; ++i) out[i] = metapool::log_odds_ratio_to_smd(x[i]);
  } else if (to == "logOR_from_logRR") {
    for (Eigen::Index i = 0; i < k; ++i) {
      out[i] = metapool::log_odds_ratio_from_risk_ratio(x[i], acr[i]);
    }
  } else if (to == "logRR_from_logOR") {
    for (Eigen::Index i = 0; i < k; ++i) {
      out[i] = metapool::log_risk_ratio_from_odds_ratio(x[i], acr[i]);
    }
  } else {
    Rcpp::stop("unknown conversion '%s'", to);
  }
  return out;
}
