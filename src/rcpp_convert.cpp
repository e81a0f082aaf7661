// Glue: R vectors <-> the core data conversions (convert.hpp). Conversions only.
#include <RcppEigen.h>

#include "metapool/convert.hpp"
#include "rcpp_enums.h"

typedef Eigen::Map<Eigen::VectorXd> MapVec;

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_se_from_report(const MapVec estimate, const MapVec se, const MapVec ci_lb,
                              const MapVec ci_ub, const MapVec statistic, const MapVec p,
                              const MapVec df, const MapVec level, bool log_scale) {
  const metapool::SeResult r =
      metapool::se_from_report(estimate, se, ci_lb, ci_ub, statistic, p, df, level, log_scale);
  return Rcpp::List::create(Rcpp::Named("yi") = r.yi, Rcpp::Named("se") = r.se,
                            Rcpp::Named("source") = r.source);
}

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_mean_sd_from_quantiles(const MapVec min, const MapVec q1, const MapVec median,
                                      const MapVec q3, const MapVec max, const MapVec n,
                                      std::string method) {
  const metapool::MeanSdResult r = metapool::mean_sd_from_quantiles(
      min, q1, median, q3, max, n, metapool_glue::fivenum_method(method));
  return Rcpp::List::create(Rcpp::Named("mean") = r.mean, Rcpp::Named("sd") = r.sd,
                            Rcpp::Named("scenario") = r.scenario);
}

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_combine_groups(const MapVec n, const MapVec mean, const MapVec sd,
                              const MapVec events, const Eigen::Map<Eigen::VectorXi> group,
                              int n_groups) {
  const metapool::CombinedGroups r =
      metapool::combine_groups(n, mean, sd, events, group, n_groups);
  return Rcpp::List::create(Rcpp::Named("n") = r.n, Rcpp::Named("mean") = r.mean,
                            Rcpp::Named("sd") = r.sd, Rcpp::Named("events") = r.events);
}

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_log_hazard_ratio(const MapVec o_minus_e, const MapVec v, const MapVec hr,
                                const MapVec ci_lb, const MapVec ci_ub, const MapVec p,
                                const MapVec events, const MapVec ratio, const MapVec sign,
                                const MapVec level) {
  const metapool::LogHrResult r = metapool::log_hazard_ratio(o_minus_e, v, hr, ci_lb, ci_ub, p,
                                                             events, ratio, sign, level);
  return Rcpp::List::create(Rcpp::Named("yi") = r.yi, Rcpp::Named("se") = r.se,
                            Rcpp::Named("source") = r.source);
}

// Element-wise conversions between measures; `to` names the target.
// [[Rcpp::export(rng = false)]]
Eigen::VectorXd cpp_convert_measure(const MapVec x, const MapVec acr, std::string to) {
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
