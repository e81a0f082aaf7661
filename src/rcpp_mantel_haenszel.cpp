// Glue: R vectors and option strings <-> the core Mantel-Haenszel / Peto engine.
#include <RcppEigen.h>

#include "metapool/mantel_haenszel.hpp"
#include "rcpp_enums.h"

namespace {

Rcpp::LogicalVector as_logical(const Eigen::VectorXi& x) {
  return Rcpp::LogicalVector(x.data(), x.data() + x.size());
}

}  // namespace

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_mantel_haenszel(const Eigen::Map<Eigen::VectorXd> events1,
                               const Eigen::Map<Eigen::VectorXd> n1,
                               const Eigen::Map<Eigen::VectorXd> events2,
                               const Eigen::Map<Eigen::VectorXd> n2, std::string measure,
                               bool peto, bool random, Rcpp::NumericVector add,
                               Rcpp::CharacterVector to, Rcpp::LogicalVector drop00,
                               std::string rd_variance, std::string pi, double level,
                               bool rd_raw) {
  using namespace metapool_glue;
  metapool::MhOptions opt;
  opt.measure = binary_measure(measure);
  opt.study_zero = zero_cells(add[0], Rcpp::as<std::string>(to[0]), drop00[0], rd_raw);
  opt.mh_zero = zero_cells(add[1], Rcpp::as<std::string>(to[1]), drop00[1], rd_raw);
  opt.rd_variance = metapool_glue::rd_variance(rd_variance);
  opt.peto = peto;
  opt.random = random;
  opt.level = level;
  opt.pi = pi_method(pi);
  const metapool::MhFit f = metapool::mantel_haenszel(events1, n1, events2, n2, opt);
  Rcpp::List out = Rcpp::List::create(
      Rcpp::Named("defined") = f.defined, Rcpp::Named("estimate") = f.estimate,
      Rcpp::Named("se") = f.se, Rcpp::Named("stat") = f.stat, Rcpp::Named("p") = f.p,
      Rcpp::Named("ci_lb") = f.ci_lb, Rcpp::Named("ci_ub") = f.ci_ub, Rcpp::Named("Q") = f.Q,
      Rcpp::Named("Q_df") = f.Q_df, Rcpp::Named("Q_p") = f.Q_p, Rcpp::Named("I2") = f.I2,
      Rcpp::Named("H2") = f.H2, Rcpp::Named("tau2") = f.tau2, Rcpp::Named("yi") = f.yi,
      Rcpp::Named("vi") = f.vi, Rcpp::Named("estimable") = as_logical(f.estimable),
      Rcpp::Named("corrected") = as_logical(f.corrected), Rcpp::Named("weights") = f.weights);
  if (random) {
    const metapool::PoolFit& r = f.random;
    out["random"] = Rcpp::List::create(
        Rcpp::Named("estimate") = r.estimate, Rcpp::Named("se") = r.se,
        Rcpp::Named("stat") = r.stat, Rcpp::Named("p") = r.p, Rcpp::Named("ci_lb") = r.ci_lb,
        Rcpp::Named("ci_ub") = r.ci_ub, Rcpp::Named("pi_lb") = r.pi_lb,
        Rcpp::Named("pi_ub") = r.pi_ub, Rcpp::Named("pi_df") = r.pi_df,
        Rcpp::Named("weights") = r.weights);
  }
  return out;
}
