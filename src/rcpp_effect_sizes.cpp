// Glue: R vectors <-> core effect-size functions. Conversions only.
#include <RcppEigen.h>

#include "metapool/effect_sizes.hpp"
#include "rcpp_enums.h"

namespace {

using namespace metapool_glue;

typedef Eigen::Map<Eigen::VectorXd> MapVec;

// R-owned result columns, viewed by the core through Eigen maps (no copies).
struct Columns {
  Rcpp::NumericVector yi, vi, ci_lb, ci_ub;
  explicit Columns(R_xlen_t k)
      : yi(Rcpp::no_init(k)), vi(Rcpp::no_init(k)), ci_lb(Rcpp::no_init(k)),
        ci_ub(Rcpp::no_init(k)) {}
  metapool::EffectSizesOut out() { return {map(yi), map(vi)}; }
  static MapVec map(Rcpp::NumericVector& x) { return MapVec(x.begin(), x.size()); }
  Rcpp::List finish(double level) {
    metapool::wald_interval(map(yi), map(vi), level, map(ci_lb), map(ci_ub));
    return Rcpp::List::create(Rcpp::Named("yi") = yi, Rcpp::Named("vi") = vi,
                              Rcpp::Named("ci_lb") = ci_lb, Rcpp::Named("ci_ub") = ci_ub);
  }
};

}  // namespace

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_es_smd(const Eigen::Map<Eigen::VectorXd> m1, const Eigen::Map<Eigen::VectorXd> sd1, const Eigen::Map<Eigen::VectorXd> n1, const Eigen::Map<Eigen::VectorXd> m2,
                      const Eigen::Map<Eigen::VectorXd> sd2, const Eigen::Map<Eigen::VectorXd> n2, std::string correction,
                      std::string vtype, double level) {
  Columns cols(m1.size());
  metapool::smd(m1, sd1, n1, m2, sd2, n2, smd_correction(correction), smd_variance(vtype),
                cols.out());
  return cols.finish(level);
}

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_es_md(const Eigen::Map<Eigen::VectorXd> m1, const Eigen::Map<Eigen::VectorXd> sd1, const Eigen::Map<Eigen::VectorXd> n1, const Eigen::Map<Eigen::VectorXd> m2,
                     const Eigen::Map<Eigen::VectorXd> sd2, const Eigen::Map<Eigen::VectorXd> n2, bool pooled, double level) {
  Columns cols(m1.size());
  metapool::md(m1, sd1, n1, m2, sd2, n2,
               pooled ? metapool::MdVariance::pooled : metapool::MdVariance::unpooled,
               cols.out());
  return cols.finish(level);
}

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_es_binary(const Eigen::Map<Eigen::VectorXd> events1, const Eigen::Map<Eigen::VectorXd> n1, const Eigen::Map<Eigen::VectorXd> events2,
                         const Eigen::Map<Eigen::VectorXd> n2, std::string measure, double add, std::string to,
                         bool drop00, double level, bool rd_raw) {
  const metapool::ZeroCellOptions zero = zero_cells(add, to, drop00, rd_raw);
  const R_xlen_t k = events1.size();
  Columns cols(k);
  Rcpp::LogicalVector corrected(Rcpp::no_init(k)), estimable(Rcpp::no_init(k));
  // R stores logicals as int, so the core's int flags are written in place.
  typedef Eigen::Map<Eigen::VectorXi> MapInt;
  metapool::binary_effect(events1, n1, events2, n2, binary_measure(measure), zero, cols.out(),
                          {MapInt(corrected.begin(), k), MapInt(estimable.begin(), k)});
  Rcpp::List out = cols.finish(level);
  out["corrected"] = corrected;
  out["estimable"] = estimable;
  return out;
}

// [[Rcpp::export(rng = false)]]
double cpp_hedges_j(double m, std::string correction) {
  switch (metapool_glue::smd_correction(correction)) {
    case metapool::SmdCorrection::exact: return metapool::hedges_j_exact(m);
    case metapool::SmdCorrection::approx: return metapool::hedges_j_approx(m);
    case metapool::SmdCorrection::none: return 1.0;
  }
  return NA_REAL;
}
