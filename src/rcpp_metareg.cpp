// Glue: R vectors, matrices and the options list <-> the core meta-regression engine.
// Conversions only.
#include <RcppEigen.h>

#include "metapool/metareg.hpp"
#include "rcpp_convert.h"
#include "rcpp_enums.h"

namespace {

// The pooling options (the one list every engine reads) plus the moderator test.
metapool::MetaregOptions metareg_options(const Rcpp::List& options, const std::vector<int>& btt,
                                         bool r2) {
  metapool::MetaregOptions opt;
  opt.pool = metapool_glue::pool_options(options);
  opt.btt = btt;
  opt.r2 = r2;
  return opt;
}

}  // namespace

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_metareg(const Eigen::Map<Eigen::VectorXd> yi, const Eigen::Map<Eigen::VectorXd> vi,
                       const Eigen::Map<Eigen::MatrixXd> X, const Rcpp::List options,
                       const std::vector<int>& btt, bool r2) {
  const metapool::MetaregFit f = metapool::metareg(yi, vi, X, metareg_options(options, btt, r2));
  if (!f.dependent.empty()) return Rcpp::List::create(Rcpp::Named("dependent") = f.dependent);
  return metapool_glue::metareg_to_list(f);
}

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_wald_test(const Eigen::Map<Eigen::VectorXd> beta, const Eigen::Map<Eigen::MatrixXd> vb,
                         const Eigen::Map<Eigen::MatrixXd> L, double df) {
  const metapool::WaldTest t = metapool::wald_test(beta, vb, L, df);
  return Rcpp::List::create(Rcpp::Named("stat") = t.stat, Rcpp::Named("df1") = t.df1,
                            Rcpp::Named("df2") = t.df2, Rcpp::Named("p") = t.p,
                            Rcpp::Named("estimate") = t.estimate, Rcpp::Named("se") = t.se);
}

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_metareg_predict(const Eigen::Map<Eigen::VectorXd> beta,
                               const Eigen::Map<Eigen::MatrixXd> vb, double tau2,
                               const Eigen::Map<Eigen::MatrixXd> Xnew, double level, double ci_df,
                               double pi_df, bool with_pi) {
  const metapool::MetaregPrediction r =
      metapool::metareg_predict(beta, vb, tau2, Xnew, level, ci_df, pi_df, with_pi);
  return Rcpp::List::create(Rcpp::Named("pred") = r.pred, Rcpp::Named("se") = r.se,
                            Rcpp::Named("ci_lb") = r.ci_lb, Rcpp::Named("ci_ub") = r.ci_ub,
                            Rcpp::Named("pi_lb") = r.pi_lb, Rcpp::Named("pi_ub") = r.pi_ub);
}

// [[Rcpp::export(rng = false)]]
Eigen::MatrixXd cpp_metareg_permutations(const Eigen::Map<Eigen::VectorXd> yi,
                                         const Eigen::Map<Eigen::VectorXd> vi,
                                         const Eigen::Map<Eigen::MatrixXd> X,
                                         const Eigen::Map<Eigen::MatrixXi> perm,
                                         const Rcpp::List options, const std::vector<int>& btt) {
  return metapool::metareg_permutations(yi, vi, X, perm, metareg_options(options, btt, false));
}

// [[Rcpp::export(rng = false)]]
Eigen::MatrixXd cpp_metareg_groups(const Eigen::Map<Eigen::VectorXd> yi,
                                   const Eigen::Map<Eigen::VectorXd> vi,
                                   const Eigen::Map<Eigen::MatrixXd> X,
                                   const Rcpp::NumericVector starts, const Rcpp::List options,
                                   const std::vector<int>& btt, int threads) {
  std::vector<Eigen::Index> s(starts.begin(), starts.end());
  return metapool::metareg_groups(yi, vi, X, s, metareg_options(options, btt, false), threads);
}
