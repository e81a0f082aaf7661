// Glue: core results -> R lists. One conversion per result struct, used by every entry
// point; the list names are the fields of a metapool fit (R/fit.R documents them), so a
// new output quantity is one struct field, one line here and one line of that layout.
#ifndef METAPOOL_RCPP_CONVERT_H
#define METAPOOL_RCPP_CONVERT_H

#include <RcppEigen.h>

#include <algorithm>
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

// A named list whose names are made on the first call and shared by every list that
// call site makes afterwards. Scalars and vectors are stored through R's C API, not
// Rcpp's proxies: for one small fit those conversions cost more than the fit. A call
// site must always set the same fields in the same order (at most kCapacity).
class NamedList {
 public:
  enum { kCapacity = 64 };
  explicit NamedList(SEXP* names) : names_(names), out_(kCapacity) {}
  template <typename T>
  NamedList& operator()(const char* name, const T& value) {
    if (i_ == kCapacity) {
      Rcpp::stop("internal: more than %d fields", static_cast<int>(kCapacity));
    }
    SET_VECTOR_ELT(out_, i_, as_sexp(value));  // `out_` protects it
    fields_[i_++] = name;
    return *this;
  }
  operator Rcpp::List() {
    if (*names_ == nullptr) {
      SEXP made = Rf_allocVector(STRSXP, i_);
      R_PreserveObject(made);
      for (int i = 0; i < i_; ++i) SET_STRING_ELT(made, i, Rf_mkChar(fields_[i]));
      *names_ = made;
    }
    if (Rf_xlength(*names_) != i_) Rcpp::stop("internal: a list changed its fields");
    Rcpp::List out(Rf_xlengthgets(out_, i_));
    Rf_setAttrib(out, R_NamesSymbol, *names_);
    return out;
  }

 private:
  static SEXP as_sexp(double x) { return Rf_ScalarReal(x); }
  static SEXP as_sexp(int x) { return Rf_ScalarInteger(x); }
  static SEXP as_sexp(const char* x) { return Rf_mkString(x); }
  static SEXP as_sexp(const Eigen::VectorXd& x) {
    SEXP out = Rf_allocVector(REALSXP, x.size());
    std::copy(x.data(), x.data() + x.size(), REAL(out));
    return out;
  }
  template <typename T>
  static SEXP as_sexp(const T& x) { return Rcpp::wrap(x); }

  SEXP* names_;
  Rcpp::List out_;
  const char* fields_[kCapacity] = {};
  int i_ = 0;
};

inline Rcpp::List fit_to_list(const metapool::PoolFit& f) {
  const auto na = na_if_nan;
  static SEXP names = nullptr;
  return NamedList(&names)
      ("estimate", na(f.estimate))("se", na(f.se))("stat", na(f.stat))("p", na(f.p))
      ("ci_lb", na(f.ci_lb))("ci_ub", na(f.ci_ub))("df", na(f.df))
      ("pi_lb", na(f.pi_lb))("pi_ub", na(f.pi_ub))("pi_df", na(f.pi_df))("s2w", na(f.s2w))
      ("tau2", na(f.tau2))("tau2_se", na(f.tau2_se))("tau2_lb", na(f.tau2_lb))("tau2_ub", na(f.tau2_ub))
      ("I2", na(f.I2))("I2_lb", na(f.I2_lb))("I2_ub", na(f.I2_ub))
      ("H2", na(f.H2))("H2_lb", na(f.H2_lb))("H2_ub", na(f.H2_ub))
      ("Q", na(f.Q))("Q_df", na(f.Q_df))("Q_p", na(f.Q_p))("vt", na(f.vt))("loglik", na(f.loglik))
      ("iterations", f.tau2_est.iterations)
      ("tau2_status", tau2_status_name(f.tau2_est.status))
      ("weights", f.weights)("group_estimate", f.group_estimate)("group_se", f.group_se)
      ("notes", notes_to_list(f.notes));
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
  static SEXP names = nullptr;
  return NamedList(&names)
      ("beta", nav(f.beta))("se", nav(f.se))("stat", nav(f.stat))("pval", nav(f.pval))
      ("ci_lb", nav(f.ci_lb))("ci_ub", nav(f.ci_ub))("vb", f.vb)("df", na(f.df))("s2w", na(f.s2w))
      ("QM", na(f.QM))("QM_df1", na(f.QM_df1))("QM_df2", na(f.QM_df2))("QM_p", na(f.QM_p))
      ("tau2", na(f.tau2))("tau2_se", na(f.tau2_se))("tau2_lb", na(f.tau2_lb))("tau2_ub", na(f.tau2_ub))
      ("Q", na(f.Q))("Q_df", na(f.Q_df))("Q_p", na(f.Q_p))
      ("I2", na(f.I2))("I2_lb", na(f.I2_lb))("I2_ub", na(f.I2_ub))
      ("H2", na(f.H2))("H2_lb", na(f.H2_lb))("H2_ub", na(f.H2_ub))
      ("vt", na(f.vt))("R2", na(f.R2))("tau2_null", na(f.tau2_null))
      ("ll_ml", na(f.ll_ml))("ll_reml", na(f.ll_reml))("iterations", f.tau2_est.iterations)
      ("tau2_status", tau2_status_name(f.tau2_est.status))
      ("weights", f.weights)("fitted", f.fitted)("hat", f.hat)
      ("notes", notes_to_list(f.notes));
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

// Result columns as R vectors: a batch engine writes its rows straight into them
// (metapool::ColumnMemory), and batch_to_list() hands them to R without a copy.
class RColumns : public metapool::ColumnMemory {
 public:
  double* doubles(Eigen::Index n) override { return REAL(keep(Rf_allocVector(REALSXP, n))); }
  int* ints(Eigen::Index n, bool logical) override {
    return INTEGER(keep(Rf_allocVector(logical ? LGLSXP : INTSXP, n)));
  }
  // The vector made here whose values are at `data`; R_NilValue if none is.
  SEXP holding(const void* data) const {
    for (const Rcpp::RObject& x : made_) {
      const void* values = TYPEOF(x) == REALSXP ? static_cast<const void*>(REAL(x))
                                                 : static_cast<const void*>(INTEGER(x));
      if (values == data) return x;
    }
    return R_NilValue;
  }

 private:
  SEXP keep(SEXP x) {
    made_.emplace_back(x);  // protected from here on
    return x;
  }
  std::vector<Rcpp::RObject> made_;
};

// A result column as an R vector: the one it was written into, or a copy.
template <typename T>
SEXP column_vector(const metapool::Column<T>& c, SEXPTYPE type, const RColumns* made) {
  if (made != nullptr) {
    SEXP x = made->holding(c.data());
    if (x != R_NilValue) return x;
  }
  SEXP x = Rf_allocVector(type, c.size());
  if (type == REALSXP) {
    std::copy(c.data(), c.data() + c.size(), REAL(x));
  } else {
    std::copy(c.data(), c.data() + c.size(), INTEGER(x));
  }
  return x;
}

// The columns the caller kept (the others were never filled).
inline Rcpp::List batch_to_list(const metapool::BatchResult& r, const RColumns* made = nullptr) {
  const std::pair<const char*, const metapool::Column<double>*> doubles[] = {
      {"estimate", &r.estimate}, {"se", &r.se},       {"stat", &r.stat},
      {"p", &r.p},               {"ci_lb", &r.ci_lb}, {"ci_ub", &r.ci_ub},
      {"pi_lb", &r.pi_lb},       {"pi_ub", &r.pi_ub}, {"tau2", &r.tau2},
      {"tau2_lb", &r.tau2_lb},   {"tau2_ub", &r.tau2_ub}, {"I2", &r.I2},
      {"H2", &r.H2},             {"Q", &r.Q},         {"Q_p", &r.Q_p}};
  std::vector<const char*> names;
  std::vector<Rcpp::RObject> values;  // each protected as soon as it is made
  const auto add = [&](const char* name, SEXP x) {
    values.emplace_back(x);
    names.push_back(name);
  };
  add("k", column_vector(r.k, INTSXP, made));
  for (const auto& d : doubles) {
    if (d.second->size() == r.k.size()) add(d.first, column_vector(*d.second, REALSXP, made));
  }
  if (r.has(metapool::col_converged)) add("converged", column_vector(r.converged, LGLSXP, made));
  if (r.has(metapool::col_iterations)) add("iterations", column_vector(r.iterations, INTSXP, made));
  add("notes", batch_notes(r.notes, static_cast<long>(r.k.size())));
  Rcpp::List out(values.begin(), values.end());
  out.names() = Rcpp::CharacterVector(names.begin(), names.end());
  return out;
}

}  // namespace metapool_glue

#endif
