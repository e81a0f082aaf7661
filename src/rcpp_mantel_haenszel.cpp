// Glue: R vectors and option strings <-> the core Mantel-Haenszel / Peto engine.
#include <RcppEigen.h>

#include "metapool/mantel_haenszel.hpp"
#include "rcpp_convert.h"
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
                               std::string rd_variance, std::string pi, double level) {
  using namespace metapool_glue;
  metapool::MhOptions opt;
  opt.measure = binary_measure(measure);
  opt.study_zero = zero_cells(add[0], Rcpp::as<std::string>(to[0]), drop00[0]);
  opt.mh_zero = zero_cells(add[1], Rcpp::as<std::string>(to[1]), drop00[1]);
  opt.rd_variance = metapool_glue::rd_variance(rd_variance);
  opt.peto = peto;
  opt.random = random;
  opt.level = level;
  opt.pi = pi_method(pi);
  const metapool::MhFit f = metapool::mantel_haenszel(events1, n1, events2, n2, opt);
  Rcpp::List random_fit;  // empty for the fixed-effect model
  if (random) random_fit = fit_to_list(f.random);
  return Rcpp::List::create(
      Rcpp::Named("fixed") = fit_to_list(f.fixed),
      Rcpp::Named("random") = random_fit,
      Rcpp::Named("cmh") = f.cmh, Rcpp::Named("cmh_p") = f.cmh_p,
      Rcpp::Named("tarone") = f.tarone, Rcpp::Named("tarone_df") = f.tarone_df,
      Rcpp::Named("tarone_p") = f.tarone_p,
      Rcpp::Named("yi") = f.yi, Rcpp::Named("vi") = f.vi,
      Rcpp::Named("estimable") = as_logical(f.estimable),
      Rcpp::Named("corrected") = as_logical(f.corrected));
}
