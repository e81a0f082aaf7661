// Glue: R vectors and the options list <-> the core pooling engine. Conversions only.
#include <RcppEigen.h>

#include "metapool/pool.hpp"
#include "rcpp_convert.h"
#include "rcpp_enums.h"

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_pool(const Eigen::Map<Eigen::VectorXd> yi, const Eigen::Map<Eigen::VectorXd> vi,
                    const std::vector<int>& group, const Rcpp::List options) {
  return metapool_glue::fit_to_list(
      metapool::pool(yi, vi, group, metapool_glue::pool_options(options)));
}

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_subgroup_test(const Eigen::Map<Eigen::VectorXd> estimate,
                             const Eigen::Map<Eigen::VectorXd> se) {
  const metapool::SubgroupTest t = metapool::subgroup_test(estimate, se);
  return Rcpp::List::create(Rcpp::Named("Q") = t.Q, Rcpp::Named("df") = t.df,
                            Rcpp::Named("p") = t.p, Rcpp::Named("I2") = t.I2);
}
