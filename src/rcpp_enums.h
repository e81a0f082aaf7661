// Glue: option strings from R -> the core's enums, and core codes -> R names. One place
// for every conversion between the two vocabularies.
#ifndef METAPOOL_RCPP_ENUMS_H
#define METAPOOL_RCPP_ENUMS_H

#include <Rcpp.h>

#include <string>
#include <utility>

#include "metapool/bayes.hpp"
#include "metapool/convert.hpp"
#include "metapool/batch.hpp"
#include "metapool/effect_sizes.hpp"
#include "metapool/mantel_haenszel.hpp"
#include "metapool/nnt.hpp"
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

inline metapool::ZeroCellOptions zero_cells(double add, const std::string& to, bool drop00,
                                            bool rd_raw = false) {
  static const std::pair<const char*, metapool::ZeroCellRule> t[] = {
      {"only0", metapool::ZeroCellRule::only0},
      {"all", metapool::ZeroCellRule::all},
      {"if0all", metapool::ZeroCellRule::if0all},
      {"none", metapool::ZeroCellRule::none}};
  metapool::ZeroCellOptions z;
  z.add = add;
  z.to = lookup(t, to, "zero-cell rule");
  z.drop00 = drop00;
  z.rd_raw = rd_raw;
  return z;
}

inline metapool::FivenumMethod fivenum_method(const std::string& x) {
  static const std::pair<const char*, metapool::FivenumMethod> t[] = {
      {"luo_shi", metapool::FivenumMethod::luo_shi},
      {"wan", metapool::FivenumMethod::wan},
      {"hozo", metapool::FivenumMethod::hozo}};
  return lookup(t, x, "fivenum method");
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

inline metapool::TauPriorFamily tau_prior_family(const std::string& x) {
  static const std::pair<const char*, metapool::TauPriorFamily> t[] = {
      {"half_normal", metapool::TauPriorFamily::half_normal},
      {"half_cauchy", metapool::TauPriorFamily::half_cauchy},
      {"half_t", metapool::TauPriorFamily::half_t},
      {"lognormal_tau2", metapool::TauPriorFamily::lognormal_tau2},
      {"log_t_tau2", metapool::TauPriorFamily::log_t_tau2},
      {"uniform", metapool::TauPriorFamily::uniform},
      {"jeffreys", metapool::TauPriorFamily::jeffreys},
      {"custom", metapool::TauPriorFamily::custom}};
  return lookup(t, x, "tau prior");
}

inline metapool::NntScale nnt_scale(const std::string& x) {
  static const std::pair<const char*, metapool::NntScale> t[] = {
      {"RD", metapool::NntScale::risk_difference},
      {"RR", metapool::NntScale::log_risk_ratio},
      {"OR", metapool::NntScale::log_odds_ratio},
      {"SMD", metapool::NntScale::smd}};
  return lookup(t, x, "NNT scale");
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

// Core -> R names.
inline const char* tau2_status_name(metapool::Tau2Status s) {
  switch (s) {
    case metapool::Tau2Status::closed_form: return "closed_form";
    case metapool::Tau2Status::converged: return "converged";
    case metapool::Tau2Status::bracketed: return "bracketed";
    case metapool::Tau2Status::boundary: return "boundary";
    case metapool::Tau2Status::fallback_dl: return "fallback_dl";
  }
  return "unknown";
}

// The class of the R warning each note becomes (metapool_warning_<class>).
inline const char* note_class(metapool::NoteCode c) {
  switch (c) {
    case metapool::NoteCode::tau2_bracketed:
    case metapool::NoteCode::tau2_fallback_dl:
    case metapool::NoteCode::tau2_boundary: return "convergence";
    case metapool::NoteCode::wald_for_one_study:
    case metapool::NoteCode::no_residual_df: return "small_k";
    case metapool::NoteCode::pooled_undefined: return "zero_cell";
  }
  return "numerical";
}

// The one options list: R's engine_options() builds it, with these names, for
// cpp_pool() and every batch engine. Read in one pass with R's C API (Rcpp's lookups by
// name cost one small fit more than the fit); `prediction` and `weights` (work a batch
// may skip) and `columns` (read by the batch glue) are optional.
inline metapool::PoolOptions pool_options(const Rcpp::List& o) {
  const auto scalar = [](SEXP v, const char* name) {
    if (!Rf_isNumeric(v) && !Rf_isLogical(v)) Rcpp::stop("option '%s' must be a number", name);
    if (Rf_xlength(v) != 1) Rcpp::stop("option '%s' must be a single value", name);
    return Rf_asReal(v);
  };
  const auto word = [](SEXP v, const char* name) {
    if (TYPEOF(v) != STRSXP || Rf_xlength(v) != 1) {
      Rcpp::stop("option '%s' must be a single string", name);
    }
    return std::string(CHAR(STRING_ELT(v, 0)));
  };
  metapool::PoolOptions opt;
  const SEXP names = Rf_getAttrib(o, R_NamesSymbol);
  if (TYPEOF(names) != STRSXP) Rcpp::stop("the pooling options must be a named list");
  int required = 0;  // of the ten options every list has
  for (R_xlen_t i = 0; i < Rf_xlength(o); ++i) {
    const char* name = CHAR(STRING_ELT(names, i));
    const SEXP v = VECTOR_ELT(o, i);
    const std::string n(name);
    if (n == "prediction") opt.prediction = scalar(v, name) != 0;
    else if (n == "weights") opt.weights = scalar(v, name) != 0;
    else if (n == "columns") continue;
    else {
      ++required;
      if (n == "method") opt.method = tau2_method(word(v, name));
      else if (n == "tau2_fixed") opt.tau2_fixed = scalar(v, name);
      else if (n == "ci_method") opt.ci = ci_method(word(v, name));
      else if (n == "pi_method") opt.pi = pi_method(word(v, name));
      else if (n == "tau2_ci") opt.tau2_ci = tau2_ci_method(word(v, name));
      else if (n == "level") opt.level = scalar(v, name);
      else if (n == "tol") opt.control.tol = scalar(v, name);
      else if (n == "max_iter") opt.control.max_iter = static_cast<int>(scalar(v, name));
      else if (n == "tau2_init") opt.control.tau2_init = scalar(v, name);
      else if (n == "step_adj") opt.control.step_adj = scalar(v, name);
      else Rcpp::stop("unknown pooling option '%s'", name);
    }
  }
  if (required != 10) {
    Rcpp::stop("the pooling options list lacks an option (engine_options() makes it)");
  }
  return opt;
}

}  // namespace metapool_glue

#endif
