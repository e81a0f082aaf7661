// Glue: R vectors <-> the core NNT computation. Conversions only.
#include <RcppEigen.h>

#include "metapool/nnt.hpp"
#include "rcpp_enums.h"

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_nnt(const Eigen::Map<Eigen::VectorXd> theta,
                   const Eigen::Map<Eigen::VectorXd> theta_lb,
                   const Eigen::Map<Eigen::VectorXd> theta_ub,
                   const Eigen::Map<Eigen::VectorXd> acr, std::string scale,
                   bool beneficial) {
  const metapool::NntResult r = metapool::nnt(theta, theta_lb, theta_ub, acr,
                                              metapool_glue::nnt_scale(scale), beneficial);
  const Eigen::Index k = r.flags.size();
  Rcpp::LogicalVector at_estimate(k), at_limit(k);
  for (Eigen::Index i = 0; i < k; ++i) {
    at_estimate[i] = (r.flags[i] & metapool::kNntEstimateBounded) != 0;
    at_limit[i] = (r.flags[i] & metapool::kNntLimitBounded) != 0;
  }
  return Rcpp::List::create(
      Rcpp::Named("benefit") = r.benefit, Rcpp::Named("benefit_lb") = r.benefit_lb,
      Rcpp::Named("benefit_ub") = r.benefit_ub,
      Rcpp::Named("estimate_bounded") = at_estimate,
      Rcpp::Named("limit_bounded") = at_limit);
}
