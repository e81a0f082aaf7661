// Glue: option strings from R -> the core's enums. One place for every conversion.
#ifndef METAPOOL_RCPP_ENUMS_H
#define METAPOOL_RCPP_ENUMS_H

#include <Rcpp.h>

#include <string>
#include <utility>

#include "metapool/batch.hpp"
#include "metapool/effect_sizes.hpp"
#include "metapool/mantel_haenszel.hpp"
#include "metapool/pool.hpp"

namespace metapool_glue {

template <typename Enum, std::size_t N>
Enum lookup(const std::pair<const char*, Enum> (&table)[N], const std::string& x,
            const char* what) {
  for (const auto& entry : table) {
    if (x == entry.first) return entry.second;
  }
  Rcpp::stop("unknown %s '%s'", what, x);
}

inline metapool::SmdCorrection smd_correction(const std::string& x) {
  static const std::pair<const char*, metapool::SmdCorrection> t[] = {
      {"exact", metapool::SmdCorrection::exact},
      {"approx", metapool::SmdCorrection::approx},
      {"none", metapool::SmdCorrection::none}};
  return lookup(t, x, "SMD correction");
}

inline metapool::SmdVariance smd_variance(const std::string& x) {
  static const std::pair<const char*, metapool::SmdVariance> t[] = {
      {"LS", metapool::SmdVariance::ls},
      {"UB", metapool::SmdVariance::ub},
      {"LS2", metapool::SmdVariance::ls2},
      {"LS3", metapool::SmdVariance::ls3}};
  return lookup(t, x, "SMD variance type");
}

inline metapool::BinaryMeasure binary_measure(const std::string& x) {
  static const std::pair<const char*, metapool::BinaryMeasure> t[] = {
      {"RR", metapool::BinaryMeasure::risk_ratio},
      {"OR", metapool::BinaryMeasure::odds_ratio},
      {"RD", metapool::BinaryMeasure::risk_difference}};
  return lookup(t, x, "binary measure");
}

inline metapool::ZeroCellOptions zero_cells(double add, const std::string& to, bool drop00) {
  static const std::pair<const char*, metapool::ZeroCellRule> t[] = {
      {"only0", metapool::ZeroCellRule::only0},
      {"all", metapool::ZeroCellRule::all},
      {"if0all", metapool::ZeroCellRule::if0all},
      {"none", metapool::ZeroCellRule::none}};
  metapool::ZeroCellOptions z;
  z.add = add;
  z.to = lookup(t, to, "zero-cell rule");
  z.drop00 = drop00;
  return z;
}

inline metapool::Tau2Method tau2_method(const std::string& x) {
  static const std::pair<const char*, metapool::Tau2Method> t[] = {
      {"FE", metapool::Tau2Method::fe},     {"DL", metapool::Tau2Method::dl},
      {"DLIT", metapool::Tau2Method::dlit}, {"HE", metapool::Tau2Method::he},
      {"SJ", metapool::Tau2Method::sj},     {"ML", metapool::Tau2Method::ml},
      {"REML", metapool::Tau2Method::reml}, {"EB", metapool::Tau2Method::eb},
      {"HS", metapool::Tau2Method::hs},     {"HSk", metapool::Tau2Method::hsk},
      {"PM", metapool::Tau2Method::pm},     {"PMM", metapool::Tau2Method::pmm},
      {"fixed", metapool::Tau2Method::fixed}};
  return lookup(t, x, "tau2 method");
}

inline metapool::CiMethod ci_method(const std::string& x) {
  static const std::pair<const char*, metapool::CiMethod> t[] = {
      {"z", metapool::CiMethod::z},
      {"t", metapool::CiMethod::t},
      {"hksj", metapool::CiMethod::hksj},
      {"hksj_adhoc", metapool::CiMethod::hksj_adhoc}};
  return lookup(t, x, "ci_method");
}

inline metapool::PiMethod pi_method(const std::string& x) {
  static const std::pair<const char*, metapool::PiMethod> t[] = {
      {"z", metapool::PiMethod::z},
      {"t_k1", metapool::PiMethod::t_k1},
      {"t_k2", metapool::PiMethod::t_k2}};
  return lookup(t, x, "pi_method");
}

inline metapool::Tau2CiMethod tau2_ci_method(const std::string& x) {
  static const std::pair<const char*, metapool::Tau2CiMethod> t[] = {
      {"none", metapool::Tau2CiMethod::none},
      {"QP", metapool::Tau2CiMethod::q_profile},
      {"PL", metapool::Tau2CiMethod::profile_likelihood}};
  return lookup(t, x, "tau2_ci");
}

inline metapool::MhRdVariance rd_variance(const std::string& x) {
  static const std::pair<const char*, metapool::MhRdVariance> t[] = {
      {"GR", metapool::MhRdVariance::greenland_robins},
      {"sato", metapool::MhRdVariance::sato}};
  return lookup(t, x, "rd_variance");
}

// Result columns by name (as metapool_batch() names them) -> BatchColumn bits.
inline std::uint32_t batch_columns(const std::vector<std::string>& names) {
  static const std::pair<const char*, metapool::BatchColumn> t[] = {
      {"estimate", metapool::col_estimate}, {"se", metapool::col_se},
      {"stat", metapool::col_stat},         {"p", metapool::col_p},
      {"ci_lb", metapool::col_ci_lb},       {"ci_ub", metapool::col_ci_ub},
      {"pi_lb", metapool::col_pi_lb},       {"pi_ub", metapool::col_pi_ub},
      {"tau2", metapool::col_tau2},         {"tau2_lb", metapool::col_tau2_lb},
      {"tau2_ub", metapool::col_tau2_ub},   {"I2", metapool::col_I2},
      {"H2", metapool::col_H2},             {"Q", metapool::col_Q},
      {"Q_p", metapool::col_Q_p},           {"converged", metapool::col_converged},
      {"iterations", metapool::col_iterations}};
  std::uint32_t bits = 0;
  for (const std::string& x : names) {
    if (x != "k") bits |= lookup(t, x, "result column");
  }
  return bits;
}

// The pooling options shared by metapool() and every batch engine.
inline metapool::PoolOptions pool_options(const std::string& method, double tau2_fixed,
                                          const std::string& ci, const std::string& pi,
                                          const std::string& tau2_ci, double level, double tol,
                                          int max_iter, double tau2_init, double step_adj) {
  metapool::PoolOptions opt;
  opt.method = tau2_method(method);
  opt.tau2_fixed = tau2_fixed;
  opt.ci = ci_method(ci);
  opt.pi = pi_method(pi);
  opt.tau2_ci = tau2_ci_method(tau2_ci);
  opt.level = level;
  opt.control.tol = tol;
  opt.control.max_iter = max_iter;
  opt.control.tau2_init = tau2_init;
  opt.control.step_adj = step_adj;
  return opt;
}

}  // namespace metapool_glue

#endif
