// Glue: core results -> R lists. One conversion per result struct, used by every entry
// point; the list names are the fields of a metapool fit (R/fit.R documents them), so a
// new output quantity is one struct field, one line here and one line of that layout.
#ifndef METAPOOL_RCPP_CONVERT_H
#define METAPOOL_RCPP_CONVERT_H

#include <RcppEigen.h>

#include <cmath>
#include <vector>

#include "metapool/batch.hpp"
#include "metapool/metareg.hpp"
#include "metapool/pool.hpp"
#include "rcpp_enums.h"

namespace metapool_glue {

// Notes as list(class = , message = ), raised by R's raise_notes() as classed warnings.
// A batch engine's notes carry how many of `total` fits reported each (`count`).
inline Rcpp::List notes_to_list(const std::vector<metapool::NoteCode>& notes,
                                const std::vector<long>& counts = {}, long total = 0) {
  Rcpp::CharacterVector cls(notes.size()), msg(notes.size());
  for (std::size_t i = 0; i < notes.size(); ++i) {
    cls[i] = note_class(notes[i]);
    msg[i] = metapool::note_message(notes[i]);
  }
  Rcpp::List out = Rcpp::List::create(Rcpp::Named("class") = cls, Rcpp::Named("message") = msg);
  if (total > 0) {
    out["count"] = Rcpp::NumericVector(counts.begin(), counts.end());
    out["total"] = static_cast<double>(total);
  }
  return out;
}

// The core's NaN ("not defined") becomes R's NA.
inline double na_if_nan(double x) { return std::isnan(x) ? NA_REAL : x; }

inline Rcpp::List fit_to_list(const metapool::PoolFit& f) {
  const auto na = na_if_nan;
  return Rcpp::List::create(
      Rcpp::Named("estimate") = na(f.estimate), Rcpp::Named("se") = na(f.se),
      Rcpp::Named("stat") = na(f.stat), Rcpp::Named("p") = na(f.p), Rcpp::Named("ci_lb") = na(f.ci_lb),
      Rcpp::Named("ci_ub") = na(f.ci_ub), Rcpp::Named("df") = na(f.df),
      Rcpp::Named("pi_lb") = na(f.pi_lb), Rcpp::Named("pi_ub") = na(f.pi_ub),
      Rcpp::Named("pi_df") = na(f.pi_df), Rcpp::Named("s2w") = na(f.s2w),
      Rcpp::Named("tau2") = na(f.tau2), Rcpp::Named("tau2_se") = na(f.tau2_se),
      Rcpp::Named("tau2_lb") = na(f.tau2_lb), Rcpp::Named("tau2_ub") = na(f.tau2_ub),
      Rcpp::Named("I2") = na(f.I2), Rcpp::Named("I2_lb") = na(f.I2_lb), Rcpp::Named("I2_ub") = na(f.I2_ub),
      Rcpp::Named("H2") = na(f.H2), Rcpp::Named("H2_lb") = na(f.H2_lb), Rcpp::Named("H2_ub") = na(f.H2_ub),
      Rcpp::Named("Q") = na(f.Q), Rcpp::Named("Q_df") = na(f.Q_df), Rcpp::Named("Q_p") = na(f.Q_p),
      Rcpp::Named("vt") = na(f.vt), Rcpp::Named("loglik") = na(f.loglik),
      Rcpp::Named("iterations") = f.tau2_est.iterations,
      Rcpp::Named("tau2_status") = tau2_status_name(f.tau2_est.status),
      Rcpp::Named("weights") = f.weights, Rcpp::Named("group_estimate") = f.group_estimate,
      Rcpp::Named("group_se") = f.group_se, Rcpp::Named("notes") = notes_to_list(f.notes));
}

// The same for vectors and matrices.
inline Rcpp::NumericVector na_if_nan(const Eigen::VectorXd& x) {
  Rcpp::NumericVector out(x.data(), x.data() + x.size());
  for (double& e : out) e = na_if_nan(e);
  return out;
}

inline Rcpp::List metareg_to_list(const metapool::MetaregFit& f) {
  const auto na = [](double x) { return na_if_nan(x); };
  const auto nav = [](const Eigen::VectorXd& x) { return na_if_nan(x); };
  return Rcpp::List::create(
      Rcpp::Named("beta") = nav(f.beta), Rcpp::Named("se") = nav(f.se),
      Rcpp::Named("stat") = nav(f.stat), Rcpp::Named("pval") = nav(f.pval),
      Rcpp::Named("ci_lb") = nav(f.ci_lb), Rcpp::Named("ci_ub") = nav(f.ci_ub),
      Rcpp::Named("vb") = f.vb, Rcpp::Named("df") = na(f.df), Rcpp::Named("s2w") = na(f.s2w),
      Rcpp::Named("QM") = na(f.QM), Rcpp::Named("QM_df1") = na(f.QM_df1),
      Rcpp::Named("QM_df2") = na(f.QM_df2), Rcpp::Named("QM_p") = na(f.QM_p),
      Rcpp::Named("tau2") = na(f.tau2), Rcpp::Named("tau2_se") = na(f.tau2_se),
      Rcpp::Named("tau2_lb") = na(f.tau2_lb), Rcpp::Named("tau2_ub") = na(f.tau2_ub),
      Rcpp::Named("Q") = na(f.Q), Rcpp::Named("Q_df") = na(f.Q_df), Rcpp::Named("Q_p") = na(f.Q_p),
      Rcpp::Named("I2") = na(f.I2), Rcpp::Named("I2_lb") = na(f.I2_lb), Rcpp::Named("I2_ub") = na(f.I2_ub),
      Rcpp::Named("H2") = na(f.H2), Rcpp::Named("H2_lb") = na(f.H2_lb), Rcpp::Named("H2_ub") = na(f.H2_ub),
      Rcpp::Named("vt") = na(f.vt), Rcpp::Named("R2") = na(f.R2),
      Rcpp::Named("tau2_null") = na(f.tau2_null), Rcpp::Named("ll_ml") = na(f.ll_ml),
      Rcpp::Named("ll_reml") = na(f.ll_reml), Rcpp::Named("iterations") = f.tau2_est.iterations,
      Rcpp::Named("tau2_status") = tau2_status_name(f.tau2_est.status),
      Rcpp::Named("weights") = f.weights, Rcpp::Named("fitted") = f.fitted,
      Rcpp::Named("hat") = f.hat, Rcpp::Named("notes") = notes_to_list(f.notes));
}

// A batch engine's notes: one per code that any fit reported, with its count.
inline Rcpp::List batch_notes(const metapool::NoteCounts& counts, long total) {
  std::vector<metapool::NoteCode> codes;
  std::vector<long> n;
  for (int c = 0; c < metapool::kNoteCodes; ++c) {
    if (counts[c] > 0) {
      codes.push_back(static_cast<metapool::NoteCode>(c));
      n.push_back(counts[c]);
    }
  }
  return notes_to_list(codes, n, total);
}

// The columns the caller kept (the others were never filled).
inline Rcpp::List batch_to_list(const metapool::BatchResult& r) {
  Rcpp::List out = Rcpp::List::create(Rcpp::Named("k") = r.k);
  const std::pair<const char*, const Eigen::VectorXd*> doubles[] = {
      {"estimate", &r.estimate}, {"se", &r.se},       {"stat", &r.stat},
      {"p", &r.p},               {"ci_lb", &r.ci_lb}, {"ci_ub", &r.ci_ub},
      {"pi_lb", &r.pi_lb},       {"pi_ub", &r.pi_ub}, {"tau2", &r.tau2},
      {"tau2_lb", &r.tau2_lb},   {"tau2_ub", &r.tau2_ub}, {"I2", &r.I2},
      {"H2", &r.H2},             {"Q", &r.Q},         {"Q_p", &r.Q_p}};
  for (const auto& d : doubles) {
    if (d.second->size() == r.k.size()) out[d.first] = *d.second;
  }
  if (r.has(metapool::col_converged)) {
    out["converged"] =
        Rcpp::LogicalVector(r.converged.data(), r.converged.data() + r.converged.size());
  }
  if (r.has(metapool::col_iterations)) out["iterations"] = r.iterations;
  out["notes"] = batch_notes(r.notes, static_cast<long>(r.k.size()));
  return out;
}

}  // namespace metapool_glue

#endif
