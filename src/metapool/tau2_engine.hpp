// The engine every inverse-variance fit shares: the linear model y = X beta + u + e,
// u ~ N(0, tau^2), e ~ N(0, v), and the tau^2 estimators, their standard errors and
// confidence intervals. The design is either a factor (one mean per group; the ordinary
// fit, and every batch fit, is the one-group case) or a general k x p matrix X
// (meta-regression). Every estimator needs only traces and quadratic forms of the
// residual projection
//   P = W - W X (X'WX)^-1 X'W,
// which Model::at() computes in O(k) for a factor and O(k p^2) for a matrix: never a
// k x k matrix. Internal to the core (namespace detail); pool() and metareg() are the
// public entry points.
#ifndef METAPOOL_TAU2_ENGINE_HPP
#define METAPOOL_TAU2_ENGINE_HPP

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <algorithm>
#include <limits>
#include <memory>
#include <utility>
#include <vector>

#include "metapool/distributions.hpp"
#include "metapool/notes.hpp"
#include "metapool/pool.hpp"

namespace metapool {
namespace detail {

// Traces and quadratic forms of P at one tau^2 (with W = diag(1 / (v + tau^2)), or
// W = I for the unweighted sums).
struct Sums {
  double sw = 0, sw2 = 0;  // sum w, sum w^2
  double rss = 0;          // Y'PY  = sum w r^2, r the weighted least-squares residuals
  double rss2 = 0;         // Y'PPY = sum w^2 r^2
  double rss3 = 0;         // Y'PPPY = e'Pe with e = PY = W r: the score's slope
  double trP = 0, trPP = 0, trPV = 0, trPPV = 0, trPVPV = 0;
  double sum_log_var = 0;  // sum log(v + tau2)      (only with want_loglik)
  double logdet_xwx = 0;   // log det(X'WX)          (only with want_loglik)
  double mu = 0;           // the weighted mean (one group; else see Model::mu())
};

class Model {
 public:
  // A factor design: group[i] is study i's 0-based group (empty: one group).
  Model(const Eigen::Ref<const Eigen::VectorXd>& yi, const Eigen::Ref<const Eigen::VectorXd>& vi,
        const std::vector<int>& group);
  // A general design matrix X (k x p, full column rank: see design_rank_deficiency()).
  Model(const Eigen::Ref<const Eigen::VectorXd>& yi, const Eigen::Ref<const Eigen::VectorXd>& vi,
        const Eigen::Ref<const Eigen::MatrixXd>& X);

  int k() const { return k_; }
  int p() const { return p_; }
  bool is_design() const { return design_; }
  // Harmonic mean of the sampling variances: the scale on which tau^2 converges.
  // Computed when an iterative estimator first asks (closed forms never do).
  double variance_scale() const {
    if (variance_scale_ < 0) variance_scale_ = k_ > 0 ? k_ / v_.cwiseInverse().sum() : 1.0;
    return variance_scale_;
  }
  int gid(int i) const { return group_ == nullptr || group_->empty() ? 0 : (*group_)[i]; }
  double y(int i) const { return y_[i]; }
  double v(int i) const { return v_[i]; }
  // Factor design with several groups, after at(): group means and weight sums.
  const Eigen::VectorXd& mu() const { return g_->mu; }
  const Eigen::VectorXd& s0() const { return g_->s0; }
  // Matrix design, after at(): coefficients and (X'WX)^-1, in the parametrisation of X.
  Eigen::VectorXd beta() const;
  Eigen::MatrixXd xwx_inverse() const;
  // log det(X'X) (metafor adds half of it to the REML log-likelihood).
  double logdet_xtx() const { return d_ ? d_->logdet_r2 : 0.0; }

  // `centered`: use y - mean(y) in place of y (metafor's Sidik-Jonkman estimator does;
  // it matters only for designs whose columns do not span the constant).
  Sums at(double tau2, bool unweighted = false, bool want_loglik = false,
          bool centered = false) const;
  // The sums without the traces involving V (trPV, trPPV, trPVPV: NaN with one group),
  // which only DLIT, HE and the SJ standard error use.
  Sums at_lite(double tau2) const;
  // Fewer still, for a pooled estimate at a known tau^2: sw, sw2, trP, trPP and mu, from
  // one pass over the studies (with one group; the residual sums rss* are NaN).
  Sums at_estimate(double tau2) const;
  // ML or REML log-likelihood at tau2, without metafor's constant 0.5 log det(X'X) for
  // REML (it does not depend on tau^2).
  double loglik(double tau2, bool reml) const;
  // loglik(0) - loglik(tau2); fe: the sums at tau^2 = 0.
  double loglik_gain_at_zero(double tau2, bool reml, const Sums& fe) const;

 private:
  // How much of Sums a one-group evaluation fills (see at(), at_lite(), at_estimate()).
  enum Depth { kEstimate = 0, kLite = 1, kFull = 2 };
  template <int Level>
  Sums at_one(double tau2, bool unweighted, bool want_loglik) const;
  Sums at_groups(double tau2, bool unweighted, bool want_loglik) const;
  Sums at_design(double tau2, bool unweighted, bool want_loglik, bool centered) const;

  static const int kKeepWeights = 64;

  const Eigen::Ref<const Eigen::VectorXd>& y_;
  const Eigen::Ref<const Eigen::VectorXd>& v_;
  const std::vector<int>* group_ = nullptr;
  int k_ = 0, p_ = 1;
  bool design_ = false;
  mutable double variance_scale_ = -1.0;  // < 0: not computed yet
  // Factor design: per-group workspace (several groups only). The workspaces are made
  // only for the designs that use them: a one-group model (every batch fit) is a few
  // scalars, made and dropped without touching the heap.
  struct GroupWork {
    Eigen::VectorXd mu, s0, s1, s2, s3, swv, sw2v, sw3v, wa2, swe;
  };
  std::unique_ptr<GroupWork> g_;
  // One group: the last weighted evaluation is remembered (an estimator's final check,
  // the pooled estimate and the tau^2 standard error all ask for the sums at the estimate).
  mutable double memo_tau2_ = std::numeric_limits<double>::quiet_NaN();
  mutable int memo_depth_ = kEstimate;
  mutable Sums memo_;
  // Matrix design: used through an orthonormal basis of its columns, X = U R (thin QR,
  // once): traces and residuals depend only on the column space, and U'WU is as well
  // conditioned as W, so raw moderators such as calendar years lose no digits.
  // Coefficients are mapped back with R.
  struct DesignWork {
    Eigen::MatrixXd X;      // U
    Eigen::MatrixXd R;      // upper triangular, p x p
    double logdet_r2 = 0;   // log det(R'R) = log det(X'X)
    Eigen::VectorXd w, r, beta, q, yc, w2, w2v, e, zwe;
    Eigen::MatrixXd Z, Xw, Zw, A, Linv, S2, S2v;
    Eigen::LLT<Eigen::MatrixXd> llt;
  };
  std::unique_ptr<DesignWork> d_;  // mutable through the pointer: evaluations reuse it
};

// Columns (0-based) of X that are linear combinations of the columns before them
// (relative tolerance 1e-7, as R's qr()); empty when X has full column rank.
std::vector<int> design_rank_deficiency(const Eigen::Ref<const Eigen::MatrixXd>& X);

// fe: the sums at tau^2 = 0 (the fixed-effect fit), computed once per fit.
Tau2Estimate estimate_tau2(const Model& model, const Sums& fe, const PoolOptions& opt,
                           std::vector<NoteCode>* notes);
// fe, at: the sums at tau^2 = 0 and at the estimate.
double tau2_standard_error(const Model& model, const Sums& fe, const Sums& at, Tau2Method m,
                           double tau2, const PoolControl& control);
// Q-profile limits (Q0: the residual heterogeneity statistic at tau^2 = 0).
std::pair<double, double> q_profile_limits(const Model& model, const PoolOptions& opt, double Q0);
// Profile-likelihood limits around the ML or REML estimate tau2.
std::pair<double, double> profile_limits(const Model& model, const PoolOptions& opt, double tau2);

// Heterogeneity about the fixed-effect fit (fe: the sums at tau^2 = 0): Q on k - p df and
// its p-value (NaN without degrees of freedom, or when the options skip p-values), the
// typical within-study variance vt, and I^2 and H^2 at the fitted tau^2 (from Q for the
// fixed-effect model). Fit is PoolFit or MetaregFit, with tau2 filled in.
template <typename Fit>
void heterogeneity(const Model& model, const Sums& fe, const PoolOptions& opt, Fit* fit) {
  const int k = model.k(), p = model.p();
  fit->Q_df = k - p;
  if (k <= p) {
    fit->Q = 0;
    fit->Q_p = std::numeric_limits<double>::quiet_NaN();
    fit->I2 = 0;
    fit->H2 = 1;
    fit->vt = 0;
    return;
  }
  fit->Q = std::max(0.0, fe.rss);
  fit->Q_p = opt.p_values ? boost::math::cdf(boost::math::complement(
                                dist::chi_squared(fit->Q_df), fit->Q))
                          : std::numeric_limits<double>::quiet_NaN();
  fit->vt = (k - p) / fe.trP;
  if (opt.method == Tau2Method::fe) {
    fit->I2 = fit->Q > 0 ? std::max(0.0, 100.0 * (fit->Q - (k - p)) / fit->Q) : 0.0;
    fit->H2 = fit->Q / (k - p);
  } else {
    fit->I2 = 100.0 * fit->tau2 / (fit->vt + fit->tau2);
    fit->H2 = fit->tau2 / fit->vt + 1.0;
  }
}

// The tau^2 interval the options ask for (NaN when none, or with a fixed tau^2, or no
// residual degrees of freedom) and the I^2 and H^2 limits it implies. Fit is PoolFit or
// MetaregFit, with tau2, Q and vt filled in.
template <typename Fit>
void tau2_interval(const Model& model, const PoolOptions& opt, Fit* fit) {
  const bool random = opt.method != Tau2Method::fe && opt.method != Tau2Method::fixed;
  fit->tau2_lb = fit->tau2_ub = std::numeric_limits<double>::quiet_NaN();
  if (random && model.k() > model.p() && opt.tau2_ci != Tau2CiMethod::none) {
    const std::pair<double, double> limits =
        opt.tau2_ci == Tau2CiMethod::profile_likelihood &&
                (opt.method == Tau2Method::ml || opt.method == Tau2Method::reml)
            ? profile_limits(model, opt, fit->tau2)
            : q_profile_limits(model, opt, fit->Q);
    fit->tau2_lb = limits.first;
    fit->tau2_ub = limits.second;
  }
  fit->I2_lb = 100.0 * fit->tau2_lb / (fit->vt + fit->tau2_lb);
  fit->I2_ub = 100.0 * fit->tau2_ub / (fit->vt + fit->tau2_ub);
  fit->H2_lb = fit->tau2_lb / fit->vt + 1.0;
  fit->H2_ub = fit->tau2_ub / fit->vt + 1.0;
}

}  // namespace detail
}  // namespace metapool

#endif
