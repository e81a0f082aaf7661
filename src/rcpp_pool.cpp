// Glue: R vectors and option strings <-> the core pooling engine. Conversions only.
#include <RcppEigen.h>

#include "metapool/pool.hpp"
#include "rcpp_enums.h"

namespace {

using namespace metapool_glue;

const char* status_name(metapool::Tau2Status s) {
  switch (s) {
    case metapool::Tau2Status::closed_form: return "closed_form";
    case metapool::Tau2Status::converged: return "converged";
    case metapool::Tau2Status::bracketed: return "bracketed";
    case metapool::Tau2Status::boundary: return "boundary";
    case metapool::Tau2Status::fallback_dl: return "fallback_dl";
  }
  return "unknown";
}

}  // namespace

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_pool(const Eigen::Map<Eigen::VectorXd> yi, const Eigen::Map<Eigen::VectorXd> vi,
                    const std::vector<int>& group, std::string method, double tau2_fixed,
                    std::string ci, std::string pi, std::string tau2_ci, double level,
                    double tol, int max_iter, double tau2_init, double step_adj) {
  const metapool::PoolOptions opt = pool_options(method, tau2_fixed, ci, pi, tau2_ci, level, tol,
                                                 max_iter, tau2_init, step_adj);
  const metapool::PoolFit f = metapool::pool(yi, vi, group, opt);
  return Rcpp::List::create(
      Rcpp::Named("estimate") = f.estimate, Rcpp::Named("se") = f.se,
      Rcpp::Named("stat") = f.stat, Rcpp::Named("p") = f.p, Rcpp::Named("ci_lb") = f.ci_lb,
      Rcpp::Named("ci_ub") = f.ci_ub, Rcpp::Named("pi_lb") = f.pi_lb,
      Rcpp::Named("pi_ub") = f.pi_ub, Rcpp::Named("df") = f.df,
      Rcpp::Named("pi_df") = f.pi_df, Rcpp::Named("s2w") = f.s2w,
      Rcpp::Named("tau2") = f.tau2, Rcpp::Named("tau2_se") = f.tau2_se,
      Rcpp::Named("tau2_lb") = f.tau2_lb, Rcpp::Named("tau2_ub") = f.tau2_ub,
      Rcpp::Named("Q") = f.Q, Rcpp::Named("Q_df") = f.Q_df, Rcpp::Named("Q_p") = f.Q_p,
      Rcpp::Named("I2") = f.I2, Rcpp::Named("I2_lb") = f.I2_lb,
      Rcpp::Named("I2_ub") = f.I2_ub, Rcpp::Named("H2") = f.H2,
      Rcpp::Named("H2_lb") = f.H2_lb, Rcpp::Named("H2_ub") = f.H2_ub,
      Rcpp::Named("vt") = f.vt, Rcpp::Named("loglik") = f.loglik,
      Rcpp::Named("iterations") = f.tau2_est.iterations,
      Rcpp::Named("tau2_status") = status_name(f.tau2_est.status),
      Rcpp::Named("weights") = f.weights, Rcpp::Named("group_estimate") = f.group_estimate,
      Rcpp::Named("group_se") = f.group_se, Rcpp::Named("warnings") = f.warnings);
}

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_subgroup_test(const Eigen::Map<Eigen::VectorXd> estimate,
                             const Eigen::Map<Eigen::VectorXd> se) {
  const metapool::SubgroupTest t = metapool::subgroup_test(estimate, se);
  return Rcpp::List::create(Rcpp::Named("Q") = t.Q, Rcpp::Named("df") = t.df,
                            Rcpp::Named("p") = t.p, Rcpp::Named("I2") = t.I2);
}
