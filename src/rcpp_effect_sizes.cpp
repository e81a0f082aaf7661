// Glue: R vectors <-> core effect-size functions. Conversions only.
#include <RcppEigen.h>

#include "metapool/effect_sizes.hpp"

namespace {

metapool::SmdCorrection smd_correction(const std::string& x) {
  if (x == "exact") return metapool::SmdCorrection::exact;
  if (x == "approx") return metapool::SmdCorrection::approx;
  if (x == "none") return metapool::SmdCorrection::none;
  Rcpp::stop("unknown SMD correction '%s'", x);
}

metapool::SmdVariance smd_variance(const std::string& x) {
  if (x == "LS") return metapool::SmdVariance::ls;
  if (x == "UB") return metapool::SmdVariance::ub;
  if (x == "LS2") return metapool::SmdVariance::ls2;
  if (x == "LS3") return metapool::SmdVariance::ls3;
  Rcpp::stop("unknown SMD variance type '%s'", x);
}

metapool::BinaryMeasure binary_measure(const std::string& x) {
  if (x == "RR") return metapool::BinaryMeasure::risk_ratio;
  if (x == "OR") return metapool::BinaryMeasure::odds_ratio;
  if (x == "RD") return metapool::BinaryMeasure::risk_difference;
  Rcpp::stop("unknown binary measure '%s'", x);
}

metapool::ZeroCellRule zero_cell_rule(const std::string& x) {
  if (x == "only0") return metapool::ZeroCellRule::only0;
  if (x == "all") return metapool::ZeroCellRule::all;
  if (x == "if0all") return metapool::ZeroCellRule::if0all;
  if (x == "none") return metapool::ZeroCellRule::none;
  Rcpp::stop("unknown zero-cell rule '%s'", x);
}

Rcpp::List with_interval(const metapool::EffectSizes& es, double level) {
  const metapool::Interval ci = metapool::wald_interval(es.yi, es.vi, level);
  return Rcpp::List::create(Rcpp::Named("yi") = es.yi, Rcpp::Named("vi") = es.vi,
                            Rcpp::Named("ci_lb") = ci.lb, Rcpp::Named("ci_ub") = ci.ub);
}

}  // namespace

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_es_smd(const Eigen::Map<Eigen::VectorXd> m1, const Eigen::Map<Eigen::VectorXd> sd1, const Eigen::Map<Eigen::VectorXd> n1, const Eigen::Map<Eigen::VectorXd> m2,
                      const Eigen::Map<Eigen::VectorXd> sd2, const Eigen::Map<Eigen::VectorXd> n2, std::string correction,
                      std::string vtype, double level) {
  return with_interval(metapool::smd(m1, sd1, n1, m2, sd2, n2, smd_correction(correction),
                                     smd_variance(vtype)),
                       level);
}

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_es_md(const Eigen::Map<Eigen::VectorXd> m1, const Eigen::Map<Eigen::VectorXd> sd1, const Eigen::Map<Eigen::VectorXd> n1, const Eigen::Map<Eigen::VectorXd> m2,
                     const Eigen::Map<Eigen::VectorXd> sd2, const Eigen::Map<Eigen::VectorXd> n2, bool pooled, double level) {
  return with_interval(
      metapool::md(m1, sd1, n1, m2, sd2, n2,
                   pooled ? metapool::MdVariance::pooled : metapool::MdVariance::unpooled),
      level);
}

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_es_binary(const Eigen::Map<Eigen::VectorXd> events1, const Eigen::Map<Eigen::VectorXd> n1, const Eigen::Map<Eigen::VectorXd> events2,
                         const Eigen::Map<Eigen::VectorXd> n2, std::string measure, double add, std::string to,
                         bool drop00, double level) {
  metapool::ZeroCellOptions zero;
  zero.add = add;
  zero.to = zero_cell_rule(to);
  zero.drop00 = drop00;
  const metapool::BinaryEffectSizes es =
      metapool::binary_effect(events1, n1, events2, n2, binary_measure(measure), zero);
  Rcpp::List out = with_interval(es, level);
  out["corrected"] = Rcpp::LogicalVector(es.corrected.data(),
                                         es.corrected.data() + es.corrected.size());
  out["estimable"] = Rcpp::LogicalVector(es.estimable.data(),
                                         es.estimable.data() + es.estimable.size());
  return out;
}

// [[Rcpp::export(rng = false)]]
double cpp_hedges_j(double m, std::string correction) {
  switch (smd_correction(correction)) {
    case metapool::SmdCorrection::exact: return metapool::hedges_j_exact(m);
    case metapool::SmdCorrection::approx: return metapool::hedges_j_approx(m);
    case metapool::SmdCorrection::none: return 1.0;
  }
  return NA_REAL;
}
