#include "metapool/pool.hpp"
#include "metapool/tau2_engine.hpp"

#include <Eigen/QR>
#include <algorithm>
#include <boost/math/tools/roots.hpp>
#include <cmath>
#include <functional>
#include <limits>
#include <stdexcept>

#include "metapool/distributions.hpp"

namespace metapool {

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kLog2Pi = 1.8378770664093454836;

}  // namespace

namespace detail {

Model::Model(const Eigen::Ref<const Eigen::VectorXd>& yi,
             const Eigen::Ref<const Eigen::VectorXd>& vi, const std::vector<int>& group)
    : y_(yi), v_(vi), group_(&group), k_(static_cast<int>(yi.size())) {
  if (vi.size() != yi.size()) throw std::invalid_argument("yi and vi differ in length");
  if (!group.empty() && static_cast<Eigen::Index>(group.size()) != yi.size()) {
    throw std::invalid_argument("group and yi differ in length");
  }
  p_ = 1;
  for (int gi : group) {
    if (gi < 0) throw std::invalid_argument("negative group index");
    // An index >= k leaves some group empty. Rejecting it here, before `gi + 1` and the
    // counts vector below, avoids signed overflow at INT_MAX and a huge allocation.
    if (gi >= k_) throw std::invalid_argument("group index out of range");
    p_ = std::max(p_, gi + 1);
  }
  if (p_ > 1) {
    std::vector<int> counts(p_, 0);
    for (int i = 0; i < k_; ++i) ++counts[gid(i)];
    for (int c : counts) {
      if (c == 0) throw std::invalid_argument("empty group");
    }
    g_.reset(new GroupWork);
    GroupWork& gw = *g_;
    for (Eigen::VectorXd* w : {&gw.mu, &gw.s0, &gw.s1, &gw.s2, &gw.s3, &gw.swv, &gw.sw2v,
                               &gw.sw3v, &gw.wa2, &gw.swe}) {
      w->resize(p_);
    }
  }
}

Model::Model(const Eigen::Ref<const Eigen::VectorXd>& yi,
             const Eigen::Ref<const Eigen::VectorXd>& vi,
             const Eigen::Ref<const Eigen::MatrixXd>& X)
    : y_(yi), v_(vi), k_(static_cast<int>(yi.size())), design_(true) {
  if (vi.size() != yi.size()) throw std::invalid_argument("yi and vi differ in length");
  if (X.rows() != yi.size()) throw std::invalid_argument("X and yi differ in rows");
  if (X.cols() < 1) throw std::invalid_argument("X has no columns");
  if (X.cols() > X.rows()) throw std::invalid_argument("X has more columns than rows");
  p_ = static_cast<int>(X.cols());
  const Eigen::HouseholderQR<Eigen::MatrixXd> qr(X);
  d_.reset(new DesignWork);
  d_->R = qr.matrixQR().topRows(p_).triangularView<Eigen::Upper>();
  d_->X = qr.householderQ() * Eigen::MatrixXd::Identity(k_, p_);
  d_->logdet_r2 = 2.0 * d_->R.diagonal().array().abs().log().sum();
  d_->w.resize(k_);
  d_->r.resize(k_);
  d_->q.resize(k_);
}

Eigen::VectorXd Model::beta() const {
  return d_->R.triangularView<Eigen::Upper>().solve(d_->beta);
}

// (X'WX)^-1 = R^-1 (U'WU)^-1 R^-T
Eigen::MatrixXd Model::xwx_inverse() const {
  const Eigen::MatrixXd Rinv =
      d_->R.triangularView<Eigen::Upper>().solve(Eigen::MatrixXd::Identity(p_, p_));
  return Rinv.lazyProduct(d_->llt.solve(Rinv.transpose()));
}

Sums Model::at(double tau2, bool unweighted, bool want_loglik, bool centered) const {
  if (design_) return at_design(tau2, unweighted, want_loglik, centered);
  if (p_ == 1) return at_one<kFull>(tau2, unweighted, want_loglik);
  return at_groups(tau2, unweighted, want_loglik);
}

Sums Model::at_lite(double tau2) const {
  return !design_ && p_ == 1 ? at_one<kLite>(tau2, false, false) : at(tau2);
}

Sums Model::at_estimate(double tau2) const {
  return !design_ && p_ == 1 ? at_one<kEstimate>(tau2, false, false) : at(tau2);
}

namespace {

inline void add_group_traces(double s0, double s2, double s3, double swv, double sw2v, double sw3v,
                             double wa2, bool want_loglik, Sums* s) {
  s->sw += s0;
  s->sw2 += s2;
  s->trP += s0 - s2 / s0;
  s->trPP += s2 - 2.0 * s3 / s0 + s2 * s2 / (s0 * s0);
  s->trPV += swv - sw2v / s0;
  s->trPPV += sw2v - 2.0 * sw3v / s0 + s2 * sw2v / (s0 * s0);
  s->trPVPV += -2.0 * wa2 / s0 + sw2v * sw2v / (s0 * s0);
  if (want_loglik) s->logdet_xwx += std::log(s0);
}

}  // namespace

// One mean per group: X'WX is diagonal, and every sum is O(k).
Sums Model::at_groups(double tau2, bool unweighted, bool want_loglik) const {
  Sums s;
  GroupWork& gw = *g_;
  for (Eigen::VectorXd* w :
       {&gw.s0, &gw.s1, &gw.s2, &gw.s3, &gw.swv, &gw.sw2v, &gw.sw3v, &gw.wa2, &gw.swe}) {
    w->setZero();
  }
  for (int i = 0; i < k_; ++i) {
    const double w = unweighted ? 1.0 : 1.0 / (v_[i] + tau2);
    const int g = gid(i);
    gw.s0[g] += w;
    gw.s1[g] += w * y_[i];
    gw.s2[g] += w * w;
    gw.s3[g] += w * w * w;
    gw.swv[g] += w * v_[i];
    gw.sw2v[g] += w * w * v_[i];
    gw.sw3v[g] += w * w * w * v_[i];
    if (want_loglik) s.sum_log_var += std::log(v_[i] + tau2);
  }
  gw.mu = gw.s1.cwiseQuotient(gw.s0);
  double sum_a2 = 0;  // sum (w v)^2, for tr(PVPV)
  for (int i = 0; i < k_; ++i) {
    const double w = unweighted ? 1.0 : 1.0 / (v_[i] + tau2);
    const double r = y_[i] - gw.mu[gid(i)];
    s.rss += w * r * r;
    s.rss2 += w * w * r * r;
    s.rss3 += w * w * w * r * r;
    gw.swe[gid(i)] += w * w * r;
    const double a = w * v_[i];
    sum_a2 += a * a;
    gw.wa2[gid(i)] += w * a * a;
  }
  for (int g = 0; g < p_; ++g) s.rss3 -= gw.swe[g] * gw.swe[g] / gw.s0[g];
  s.trPVPV = sum_a2;
  for (int g = 0; g < p_; ++g) {
    add_group_traces(gw.s0[g], gw.s2[g], gw.s3[g], gw.swv[g], gw.sw2v[g], gw.sw3v[g],
                     gw.wa2[g], want_loglik, &s);
  }
  return s;
}

// The one-group case (every batch fit): the same sums in scalars, no workspace, so a
// fit allocates nothing. Level kLite leaves out the traces involving V (only what the
// score equations, the Q statistic and the pooled estimate need); kEstimate also the
// second pass over the studies (the residual sums). These loops are most of the time of
// a batch (every iteration of every estimator): the lighter levels are always weighted
// and never need the log-likelihood, so their loops carry no per-study tests, and each
// product is formed once (w r^2, then w^2 r^2 and w^3 r^2 from it).
template <int Level>
Sums Model::at_one(double tau2, bool unweighted, bool want_loglik) const {
  const bool full = Level == kFull, residuals = Level >= kLite;
  if (!full) unweighted = want_loglik = false;  // at_lite() and at_estimate() ask neither
  const bool plain = !unweighted && !want_loglik;
  if (plain && tau2 == memo_tau2_ && memo_depth_ >= Level) return memo_;
  Sums s;
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0, swv = 0, sw2v = 0, sw3v = 0;
  auto first = [&](int i, double w) {
    const double w2 = w * w;
    s0 += w;
    s1 += w * y_[i];
    s2 += w2;
    s3 += w2 * w;
    if (full) {
      swv += w * v_[i];
      sw2v += w2 * v_[i];
      sw3v += w2 * w * v_[i];
      if (want_loglik) s.sum_log_var += std::log(v_[i] + tau2);
    }
  };
  auto weight = [&](int i) { return unweighted ? 1.0 : 1.0 / (v_[i] + tau2); };
  // The weights of a small analysis are kept for the second pass (one division each).
  double kept[kKeepWeights];
  const bool keep = residuals && k_ <= kKeepWeights;
  if (keep) {
    for (int i = 0; i < k_; ++i) first(i, kept[i] = weight(i));
  } else {
    for (int i = 0; i < k_; ++i) first(i, weight(i));
  }
  s.mu = s1 / s0;
  double sum_a2 = 0, wa2 = 0, swe = 0;
  if (residuals) {
    auto second = [&](int i, double w) {
      const double r = y_[i] - s.mu;
      const double wr = w * r, wr2 = wr * r, w2r2 = w * wr2;
      s.rss += wr2;
      s.rss2 += w2r2;
      s.rss3 += w * w2r2;
      swe += w * wr;
      if (full) {
        const double a = w * v_[i];
        sum_a2 += a * a;
        wa2 += w * a * a;
      }
    };
    if (keep) {
      for (int i = 0; i < k_; ++i) second(i, kept[i]);
    } else {
      for (int i = 0; i < k_; ++i) second(i, weight(i));
    }
    s.rss3 -= swe * swe / s0;
  } else {
    s.rss = s.rss2 = s.rss3 = kNaN;  // not computed
  }
  s.trPVPV = sum_a2;
  add_group_traces(s0, s2, s3, swv, sw2v, sw3v, wa2, want_loglik, &s);
  if (!full) s.trPV = s.trPPV = s.trPVPV = kNaN;  // not computed
  if (plain && (tau2 != memo_tau2_ || Level > memo_depth_)) {
    memo_tau2_ = tau2;
    memo_depth_ = Level;
    memo_ = s;
  }
  return s;
}

// A general design. With A = X'WX = LL' and Z = X L^-T (k x p), H = W X A^-1 X'W has
// diagonal w_i^2 q_i with q_i = |z_i|^2, and for diagonal D_a, D_b
//   tr(A^-1 X' D_a X) = sum a_i q_i,
//   tr(A^-1 X' D_a X A^-1 X' D_b X) = <Z' D_a Z, Z' D_b Z> (Frobenius),
// so every trace below costs O(k p^2). With e = W r, Y'PPPY = e'We - |Z'(W e)|^2.
Sums Model::at_design(double tau2, bool unweighted, bool want_loglik, bool centered) const {
  Sums s;
  // p is small (moderators): coefficient-wise (lazy) products, not Eigen's blocked GEMM,
  // whose packing costs more than the arithmetic at this size; the workspace is the
  // model's own, so repeated evaluations (iterations, batches) do not allocate.
  for (int i = 0; i < k_; ++i) d_->w[i] = unweighted ? 1.0 : 1.0 / (v_[i] + tau2);
  d_->Xw = d_->X.array().colwise() * d_->w.array();
  d_->A.noalias() = d_->X.transpose().lazyProduct(d_->Xw);
  d_->llt.compute(d_->A);
  const double ybar = centered ? y_.mean() : 0.0;
  d_->yc = y_.array() - ybar;
  d_->beta = d_->llt.solve(d_->Xw.transpose().lazyProduct(d_->yc));
  d_->r = d_->yc;
  d_->r.noalias() -= d_->X.lazyProduct(d_->beta);
  // Z = X L^-T
  d_->Linv.setIdentity(p_, p_);
  d_->llt.matrixL().solveInPlace(d_->Linv);
  d_->Z.noalias() = d_->X.lazyProduct(d_->Linv.transpose());
  d_->q = d_->Z.rowwise().squaredNorm();
  d_->w2 = d_->w.array().square();
  d_->w2v = d_->w2.array() * v_.array();
  d_->Zw = d_->Z.array().colwise() * d_->w2.array();
  d_->S2.noalias() = d_->Z.transpose().lazyProduct(d_->Zw);
  d_->Zw = d_->Z.array().colwise() * d_->w2v.array();
  d_->S2v.noalias() = d_->Z.transpose().lazyProduct(d_->Zw);
  d_->e = d_->w2.array() * d_->r.array();
  d_->zwe.noalias() = d_->Z.transpose().lazyProduct(d_->e);
  const Eigen::MatrixXd& S2 = d_->S2;
  const Eigen::MatrixXd& S2v = d_->S2v;
  const Eigen::VectorXd& zwe = d_->zwe;
  double sum_wv = 0, sum_w2v = 0, sum_a2 = 0;
  double t_w2 = 0, t_w3 = 0, t_w2v = 0, t_w3v = 0, t_w3v2 = 0;  // tr(A^-1 X' D X)
  for (int i = 0; i < k_; ++i) {
    const double w = d_->w[i], v = v_[i], q = d_->q[i], r = d_->r[i];
    s.sw += w;
    s.sw2 += w * w;
    s.rss += w * r * r;
    s.rss2 += w * w * r * r;
    s.rss3 += w * w * w * r * r;
    sum_wv += w * v;
    sum_w2v += w * w * v;
    sum_a2 += w * w * v * v;
    t_w2 += w * w * q;
    t_w3 += w * w * w * q;
    t_w2v += w * w * v * q;
    t_w3v += w * w * w * v * q;
    t_w3v2 += w * w * w * v * v * q;
    if (want_loglik) s.sum_log_var += std::log(v + tau2);
  }
  s.rss3 -= zwe.squaredNorm();
  s.trP = s.sw - t_w2;
  s.trPP = s.sw2 - 2.0 * t_w3 + S2.squaredNorm();
  s.trPV = sum_wv - t_w2v;
  s.trPPV = sum_w2v - 2.0 * t_w3v + S2.cwiseProduct(S2v).sum();
  s.trPVPV = sum_a2 - 2.0 * t_w3v2 + S2v.squaredNorm();
  if (want_loglik) {
    s.logdet_xwx = 2.0 * d_->llt.matrixLLT().diagonal().array().log().sum() + d_->logdet_r2;
  }
  return s;
}

// ML or REML log-likelihood at tau2 (metafor's definitions).
double Model::loglik(double tau2, bool reml) const {
  const Sums s = at(tau2, false, true);
  if (reml) {
    return -0.5 * (k_ - p_) * kLog2Pi - 0.5 * s.sum_log_var - 0.5 * s.logdet_xwx - 0.5 * s.rss;
  }
  return -0.5 * k_ * kLog2Pi - 0.5 * s.sum_log_var - 0.5 * s.rss;
}

// With one group: sum log(v / (v + tau2)) as the log of a product (rescaled before it
// can underflow), one log instead of 2k.
double Model::loglik_gain_at_zero(double tau2, bool reml, const Sums& zero) const {
  if (design_ || p_ > 1) return loglik(0.0, reml) - loglik(tau2, reml);
  const Sums at_tau2 = at_lite(tau2);
  double log_ratio = 0, prod = 1;
  for (int i = 0; i < k_; ++i) {
    prod *= v_[i] / (v_[i] + tau2);
    if (prod < 1e-250) {
      log_ratio += std::log(prod);
      prod = 1;
    }
  }
  log_ratio += std::log(prod);
  double gain = -0.5 * log_ratio - 0.5 * (zero.rss - at_tau2.rss);
  if (reml) gain -= 0.5 * std::log(zero.sw / at_tau2.sw);
  return gain;
}

std::vector<int> design_rank_deficiency(const Eigen::Ref<const Eigen::MatrixXd>& X) {
  // Gram-Schmidt in column order (twice, for orthogonality), so the columns named are the
  // later ones, as R's qr() (and so lm() and metafor) would drop them.
  std::vector<int> dependent;
  std::vector<Eigen::VectorXd> basis;
  for (Eigen::Index j = 0; j < X.cols(); ++j) {
    Eigen::VectorXd c = X.col(j);
    const double norm0 = c.norm();
    for (int pass = 0; pass < 2; ++pass) {
      for (const Eigen::VectorXd& b : basis) c -= b.dot(c) * b;
    }
    const double norm = c.norm();
    if (!(norm0 > 0) || norm <= 1e-7 * norm0) {
      dependent.push_back(static_cast<int>(j));
    } else {
      basis.push_back(c / norm);
    }
  }
  return dependent;
}

}  // namespace detail

namespace {

using detail::Model;
using detail::Sums;

// Relative to tau^2, or to the typical sampling variance when tau^2 is smaller, so
// that convergence does not depend on the units of the effects.
bool converged_step(double change, double tau2, double tol, double scale) {
  return std::fabs(change) <= tol * std::max(scale, std::fabs(tau2));
}

// Root of f in [lo, hi], where f(lo) > 0 > f(hi), by TOMS 748, to a relative tolerance
// far tighter than the estimators' own, so the root adds no error of its own.
double root_in_bracket(const std::function<double(double)>& f, double lo, double hi,
                       double f_lo, double f_hi, const PoolControl& control, int* iterations) {
  if (f_lo == 0) return lo;
  if (f_hi == 0) return hi;
  boost::uintmax_t max_iter = static_cast<boost::uintmax_t>(std::max(control.max_iter, 10));
  const double tol = control.tol;
  auto close_enough = [tol](double a, double b) {
    return std::fabs(a - b) <= 1e-3 * tol * std::max(std::fabs(a), std::fabs(b));
  };
  try {
    const std::pair<double, double> r = boost::math::tools::toms748_solve(
        f, lo, hi, f_lo, f_hi, close_enough, max_iter, dist::policy());
    if (iterations) *iterations += static_cast<int>(max_iter);
    return 0.5 * (r.first + r.second);
  } catch (...) {
    return kNaN;
  }
}

// Root of a function that is positive at `lo` and eventually negative: the upper end of
// the bracket is found by doubling. Returns NaN on failure.
double solve_decreasing(const std::function<double(double)>& f, double lo, double start,
                        const PoolControl& control, int* iterations) {
  double hi = std::max(start, 1e-8);
  double f_hi = f(hi);
  int doublings = 0;
  while (f_hi > 0 && doublings < 200) {
    lo = hi;
    hi *= 2.0;
    f_hi = f(hi);
    ++doublings;
  }
  if (!(f_hi <= 0) || !std::isfinite(f_hi)) return kNaN;
  const double f_lo = f(lo);
  if (!(f_lo >= 0) || !std::isfinite(f_lo)) return kNaN;
  if (iterations) *iterations += doublings;
  return root_in_bracket(f, lo, hi, f_lo, f_hi, control, iterations);
}

double target_q(Tau2Method m, int k, int p) {
  if (m == Tau2Method::pmm) {
    return chisq_quantile(static_cast<double>(k - p), 0.5);
  }
  return static_cast<double>(k - p);
}

// The sum of squares of the effects about their unweighted mean.
double unweighted_ss(const Model& model) {
  const int k = model.k();
  double mean = 0;
  for (int i = 0; i < k; ++i) mean += model.y(i);
  mean /= k;
  double ss = 0;
  for (int i = 0; i < k; ++i) ss += (model.y(i) - mean) * (model.y(i) - mean);
  return ss;
}

// Sidik-Jonkman's starting value: the (biased) variance of the effects about their
// unweighted mean, as metafor computes it.
double sj_start(const Model& model, const PoolControl& control) {
  if (control.tau2_init >= 0) return control.tau2_init;
  return unweighted_ss(model) / model.k();
}

// From the sums at tau^2 = 0 (the fixed-effect fit), computed once per fit.
double dl_estimate(const Model& model, const Sums& s) {
  return std::max(0.0, (s.rss - (model.k() - model.p())) / s.trP);
}

double he_estimate(const Model& model) {
  const int k = model.k();
  if (!model.is_design() && model.p() == 1) {
    // One group (the usual start of an iterative estimator): Y'PY is the sum of squares
    // about the mean and tr(PV) = sum(v) (k - 1) / k, without the full sums.
    double sv = 0;
    for (int i = 0; i < k; ++i) sv += model.v(i);
    return (unweighted_ss(model) - sv * (k - 1) / k) / (k - 1);
  }
  const Sums s = model.at(0.0, true);
  return (s.rss - s.trPV) / (k - model.p());
}

// The estimating equation each iterative estimator solves: positive below the root.
double estimating_equation(const Model& model, Tau2Method m, double tau2) {
  const Sums s = m == Tau2Method::dlit ? model.at(tau2) : model.at_lite(tau2);
  const int k = model.k(), p = model.p();
  switch (m) {
    case Tau2Method::ml: return s.rss2 - s.sw;
    case Tau2Method::reml: return s.rss2 - s.trP;
    case Tau2Method::eb:
    case Tau2Method::pm:
    case Tau2Method::pmm: return s.rss - target_q(m, k, p);
    case Tau2Method::dlit: return s.rss - s.trPV - tau2 * s.trP;
    default: return kNaN;
  }
}

// Newton / Fisher scoring (ML, REML) or Morris' iteration (EB) with step-halving at zero. The
// signs of the estimating equation at the iterates bracket the root; scoring can
// converge slowly (linearly, for small k near the boundary), so after a few dozen
// steps TOMS 748 finishes inside that bracket.
bool scoring(const Model& model, Tau2Method m, const PoolControl& control, double start,
             Tau2Estimate* est) {
  const int k = model.k(), p = model.p();
  const int slow_after = 25;
  double lo = 0, hi = 0, f_lo = 0, f_hi = 0;
  bool have_lo = false, have_hi = false;
  double tau2 = start;
  for (int it = 1; it <= control.max_iter; ++it) {
    const Sums s = model.at_lite(tau2);
    double f, info;
    if (m == Tau2Method::ml) {
      f = s.rss2 - s.sw;
      info = s.sw2;
    } else if (m == Tau2Method::reml) {
      f = s.rss2 - s.trP;
      info = s.trPP;
    } else {  // Morris: step (Q k / (k - p) - k) / sum(w), written as f / info
      f = s.rss - (k - p);
      info = s.sw * (k - p) / k;
    }
    if (f > 0 && (!have_lo || tau2 > lo)) {
      lo = tau2;
      f_lo = f;
      have_lo = true;
    } else if (f < 0 && (!have_hi || tau2 < hi)) {
      hi = tau2;
      f_hi = f;
      have_hi = true;
    }
    if (it > slow_after && have_lo && have_hi) {
      const double root = root_in_bracket(
          [&](double t) { return estimating_equation(model, m, t); }, lo, hi, f_lo, f_hi,
          control, &it);
      if (!std::isfinite(root)) return false;
      est->tau2 = root;
      est->iterations = it;
      return true;
    }
    double adj = f / info * control.step_adj;
    if (m != Tau2Method::eb) {
      // Close to the root, Newton's step, with the score's observed slope
      // -(2 Y'PPPY - info) instead of its expectation: quadratic convergence where Fisher
      // scoring is linear (10-20 steps to the tolerance). Far from it the Fisher step,
      // which does not jump over a maximum into the dip some REML likelihoods have near
      // zero; and Newton only where the slope is negative, the step short, and inside the
      // bracket the iterates have found.
      const double scale = 0.05 * std::max(model.variance_scale(), tau2);
      const double observed = 2.0 * s.rss3 - info;
      const double newton = f / observed * control.step_adj;
      if (std::fabs(adj) <= scale && observed > 0 && std::fabs(newton) <= 5.0 * scale &&
          tau2 + newton >= 0 && (!have_lo || tau2 + newton > lo) &&
          (!have_hi || tau2 + newton < hi)) {
        adj = newton;
      }
    }
    if (!std::isfinite(adj)) return false;
    if (tau2 + adj < 0) {
      // Heading below zero: if the estimating equation is non-positive at zero, the
      // maximum (or root) is on the boundary.
      if (estimating_equation(model, m, 0.0) <= 0) {
        est->tau2 = 0;
        est->iterations = it;
        return true;
      }
      while (tau2 + adj < 0) adj /= 2.0;
    }
    tau2 += adj;
    if (converged_step(adj, tau2, control.tol, model.variance_scale())) {
      est->tau2 = tau2;
      est->iterations = it;
      return true;
    }
  }
  return false;
}

bool iterate_dl(const Model& model, const PoolControl& control, double start,
                Tau2Estimate* est) {
  double tau2 = start;
  for (int it = 1; it <= control.max_iter; ++it) {
    const Sums s = model.at(tau2);
    const double next = std::max(0.0, (s.rss - s.trPV) / s.trP);
    if (!std::isfinite(next)) return false;
    const double change = next - tau2;
    tau2 = next;
    if (converged_step(change, tau2, control.tol, model.variance_scale())) {
      est->tau2 = tau2;
      est->iterations = it;
      return true;
    }
  }
  return false;
}

// Bracketing fallback on the estimating equation (also the primary method for PM/PMM).
bool bracket(const Model& model, Tau2Method m, const PoolControl& control, double guess,
             Tau2Estimate* est) {
  auto f = [&](double t) { return estimating_equation(model, m, t); };
  const double f0 = f(0.0);
  if (!std::isfinite(f0)) return false;
  if (f0 <= 0) {
    est->tau2 = 0;
    return true;
  }
  int iterations = 0;
  const double root = solve_decreasing(f, 0.0, std::max(guess, 1e-4), control, &iterations);
  if (!std::isfinite(root)) return false;
  est->tau2 = std::max(0.0, root);
  est->iterations += iterations;
  return true;
}

}  // namespace

namespace detail {

Tau2Estimate estimate_tau2(const Model& model, const Sums& fe, const PoolOptions& opt,
                           std::vector<NoteCode>* notes) {
  Tau2Estimate est;
  const int k = model.k(), p = model.p();
  const PoolControl& control = opt.control;
  if (opt.method == Tau2Method::fe) return est;
  if (opt.method == Tau2Method::fixed) {
    est.tau2 = opt.tau2_fixed;
    return est;
  }
  if (k - p < 1) return est;  // nothing to estimate heterogeneity from

  switch (opt.method) {
    case Tau2Method::dl:
      est.tau2 = dl_estimate(model, fe);
      return est;
    case Tau2Method::he:
      est.tau2 = std::max(0.0, he_estimate(model));
      return est;
    case Tau2Method::hs:
    case Tau2Method::hsk: {
      const Sums& s = fe;
      const double rss = opt.method == Tau2Method::hsk ? s.rss * k / (k - p) : s.rss;
      est.tau2 = std::max(0.0, (rss - k) / s.sw);
      return est;
    }
    case Tau2Method::sj: {
      const double tau2_0 = sj_start(model, control);
      est.tau2 = std::max(0.0, tau2_0 * model.at(tau2_0, false, false, true).rss / (k - p));
      return est;
    }
    default: break;
  }

  // Iterative estimators.
  const double start = control.tau2_init >= 0 ? control.tau2_init
                                              : std::max(0.0, he_estimate(model));
  bool ok = false;
  switch (opt.method) {
    case Tau2Method::ml:
    case Tau2Method::reml:
    case Tau2Method::eb: ok = scoring(model, opt.method, control, start, &est); break;
    case Tau2Method::dlit:
      ok = iterate_dl(model, control, control.tau2_init >= 0 ? control.tau2_init : 0.0, &est);
      break;
    case Tau2Method::pm:
    case Tau2Method::pmm: ok = bracket(model, opt.method, control, start, &est); break;
    default: break;
  }
  if (ok) {
    est.status = Tau2Status::converged;
  } else if (bracket(model, opt.method, control, start, &est)) {
    est.status = Tau2Status::bracketed;
    notes->push_back(NoteCode::tau2_bracketed);
  } else {
    est.tau2 = dl_estimate(model, fe);
    est.status = Tau2Status::fallback_dl;
    notes->push_back(NoteCode::tau2_fallback_dl);
    return est;
  }

  // ML/REML: a root of the score need not be the maximum; compare with the boundary.
  if ((opt.method == Tau2Method::ml || opt.method == Tau2Method::reml) && est.tau2 > 0) {
    const bool reml = opt.method == Tau2Method::reml;
    if (model.loglik_gain_at_zero(est.tau2, reml, fe) > 1e-10) {
      est.tau2 = 0;
      est.status = Tau2Status::boundary;
      notes->push_back(NoteCode::tau2_boundary);
    }
  }
  return est;
}

// fe, at: the sums at tau^2 = 0 and at the estimate.
double tau2_standard_error(const Model& model, const Sums& fe, const Sums& at, Tau2Method m,
                           double tau2,
                           const PoolControl& control) {
  const int k = model.k(), p = model.p();
  const double t = std::max(tau2, 0.0);
  switch (m) {
    case Tau2Method::sj: {
      const double t0 = sj_start(model, control);
      const Sums s = model.at(t0);
      return std::sqrt(t0 * t0 / ((k - p) * (k - p)) *
                       (2.0 * s.trPVPV + 4.0 * t * s.trPPV + 2.0 * t * t * s.trPP));
    }
    case Tau2Method::dl: {
      const Sums& s = fe;
      return std::sqrt((2.0 * (k - p) + 4.0 * t * s.trP + 2.0 * t * t * s.trPP) /
                       (s.trP * s.trP));
    }
    case Tau2Method::hs:
    case Tau2Method::hsk: {
      const Sums& s = fe;
      const double se = std::sqrt((2.0 * (k - p) + 4.0 * t * s.trP + 2.0 * t * t * s.trPP) /
                                  (s.sw * s.sw));
      return m == Tau2Method::hsk ? se * k / (k - p) : se;
    }
    case Tau2Method::he: {
      const Sums s = model.at(0.0, true);
      return std::sqrt((2.0 * s.trPVPV + 4.0 * t * s.trPV + 2.0 * t * t * (k - p)) /
                       ((k - p) * (k - p)));
    }
    case Tau2Method::ml: return std::sqrt(2.0 / at.sw2);
    case Tau2Method::reml: return std::sqrt(2.0 / at.trPP);
    case Tau2Method::eb:
    case Tau2Method::pm:
    case Tau2Method::pmm:
    case Tau2Method::dlit: {
      const double sw = at.sw;
      return std::sqrt(2.0 * k * k / (k - p) / (sw * sw));
    }
    default: return kNaN;
  }
}

// tau^2 at which the generalised Q statistic equals `target` (Q decreases in tau^2, with
// derivative -Y'PPY): Newton's method from tau^2 = 0, kept inside a bracket that
// bisection takes over when a step would leave it. NaN if no bracket is found.
double solve_q(const Model& model, double target, const PoolControl& control) {
  double lo = 0.0, hi = std::numeric_limits<double>::infinity();
  double t = 0.0;
  for (int it = 0; it < std::max(control.max_iter, 200); ++it) {
    const Sums s = model.at_lite(t);
    const double g = s.rss - target;
    if (g > 0) {
      lo = t;
    } else if (g < 0) {
      hi = t;
    } else {
      return t;
    }
    double next = t + g / s.rss2;  // Newton step on Q(t) - target
    if (!(next > lo && next < hi) || !std::isfinite(next)) {
      next = std::isinf(hi) ? std::max(2.0 * std::max(lo, 1e-8), lo + 1.0 / s.trP) : 0.5 * (lo + hi);
    }
    if (std::fabs(next - t) <= 1e-3 * control.tol * std::max(std::fabs(next), 1e-300)) return next;
    t = next;
  }
  return kNaN;
}

// Q-profile interval for tau^2: generalised Q(tau^2) against chi-square quantiles.
std::pair<double, double> q_profile_limits(const Model& model, const PoolOptions& opt, double q0) {
  const double df = model.k() - model.p();
  const double alpha = 1.0 - opt.level;
  const double crit_hi = chisq_quantile(df, 1.0 - alpha / 2.0);
  const double crit_lo = chisq_quantile(df, alpha / 2.0);
  return {q0 < crit_hi ? 0.0 : solve_q(model, crit_hi, opt.control),
          q0 < crit_lo ? 0.0 : solve_q(model, crit_lo, opt.control)};
}

// Profile-likelihood interval for tau^2 (ML and REML fits).
std::pair<double, double> profile_limits(const Model& model, const PoolOptions& opt, double tau2) {
  const bool reml = opt.method == Tau2Method::reml;
  const double crit = chisq_quantile(1.0, opt.level);
  const double ll_max = model.loglik(tau2, reml);
  auto excess = [&](double t) { return crit - 2.0 * (ll_max - model.loglik(t, reml)); };
  int it = 0;
  double lb = 0.0;
  if (excess(0.0) < 0) {
    // excess rises from below zero at 0 to `crit` at the estimate.
    auto f = [&](double t) { return -excess(t); };
    // As in root_in_bracket: a non-positive max_iter must not wrap to 2^64 iterations
    // (with a NaN tol, TOMS 748 would then never stop).
    boost::uintmax_t max_iter = static_cast<boost::uintmax_t>(std::max(opt.control.max_iter, 10));
    const double tol = opt.control.tol;
    try {
      auto r = boost::math::tools::toms748_solve(
          f, 0.0, tau2,
          [tol](double a, double b) {
            return std::fabs(a - b) <= 1e-3 * tol * std::max(std::fabs(a), std::fabs(b));
          },
          max_iter, dist::policy());
      lb = 0.5 * (r.first + r.second);
    } catch (...) {
      lb = kNaN;
    }
  }
  return {lb, solve_decreasing(excess, tau2, std::max(2.0 * tau2, 1e-4), opt.control, &it)};
}

}  // namespace detail

namespace {

// Prediction interval for the effect in a new study (one group).
void prediction_interval(const PoolOptions& opt, int k, PoolFit* fit) {
  double pi_crit = kNaN;
  switch (opt.pi) {
    case PiMethod::z: pi_crit = z_crit(opt.level); fit->pi_df = kNaN; break;
    case PiMethod::t_k1: fit->pi_df = k - 1; break;
    case PiMethod::t_k2: fit->pi_df = k - 2; break;
  }
  if (opt.pi != PiMethod::z && fit->pi_df >= 1) {
    pi_crit = t_quantile(fit->pi_df, 1.0 - (1.0 - opt.level) / 2.0);
  }
  const double pi_se = std::sqrt(fit->se * fit->se + fit->tau2);
  fit->pi_lb = fit->estimate - pi_crit * pi_se;
  fit->pi_ub = fit->estimate + pi_crit * pi_se;
  // No prediction interval without a between-study variance model, or from one study.
  if (opt.method == Tau2Method::fe || (k == 1 && opt.method != Tau2Method::fixed)) {
    fit->pi_lb = fit->pi_ub = kNaN;
  }
}

}  // namespace

PoolFit pool(const Eigen::Ref<const Eigen::VectorXd>& yi,
             const Eigen::Ref<const Eigen::VectorXd>& vi, const std::vector<int>& group,
             const PoolOptions& opt) {
  const Model model(yi, vi, group);
  PoolFit fit;
  const int k = model.k(), p = model.p();
  fit.k = k;
  fit.groups = p;
  if (k == 0) throw std::invalid_argument("no studies to pool");

  // Heterogeneity about the fixed-effect fit (also what DL and HS start from).
  const Sums fe = model.at_lite(0.0);
  fit.tau2_est = detail::estimate_tau2(model, fe, opt, &fit.notes);
  fit.tau2 = fit.tau2_est.tau2;

  detail::heterogeneity(model, fe, opt, &fit);

  // The pooled estimate(s) at the fitted tau^2. One group: from the sums themselves, and
  // the per-group and per-study vectors only when asked for (a batch fit allocates nothing).
  // Hartung-Knapp(-Sidik-Jonkman) needs the residual sum of squares at tau^2 as well.
  const bool hk = opt.ci == CiMethod::hksj || opt.ci == CiMethod::hksj_adhoc;
  const Sums s = hk ? model.at_lite(fit.tau2) : model.at_estimate(fit.tau2);
  double estimate0 = s.mu, se0 = std::sqrt(1.0 / s.sw);
  if (p > 1) {
    fit.group_estimate = model.mu();
    fit.group_se = model.s0().cwiseInverse().cwiseSqrt();
    estimate0 = fit.group_estimate[0];
    se0 = fit.group_se[0];
  } else if (opt.weights) {
    fit.group_estimate = Eigen::VectorXd::Constant(1, estimate0);
    fit.group_se = Eigen::VectorXd::Constant(1, se0);
  }
  if (opt.weights) {
    fit.weights.resize(k);
    for (int i = 0; i < k; ++i) {
      fit.weights[i] = 1.0 / (vi[i] + fit.tau2) / (p > 1 ? model.s0()[model.gid(i)] : s.sw);
    }
  }

  // Hartung-Knapp(-Sidik-Jonkman) scale.
  const bool t_based = opt.ci != CiMethod::z && k > p;
  if (hk && k > p) {
    fit.s2w = s.rss <= std::numeric_limits<double>::epsilon() ? 0.0 : s.rss / (k - p);
    if (opt.ci == CiMethod::hksj_adhoc) fit.s2w = std::max(1.0, fit.s2w);
  }
  fit.df = t_based ? static_cast<double>(k - p) : kNaN;
  if (p == 1) {
    fit.estimate = estimate0;
    fit.se = se0 * std::sqrt(fit.s2w);
    const double crit = t_based ? t_quantile(fit.df, 1.0 - (1.0 - opt.level) / 2.0)
                                : z_crit(opt.level);
    fit.stat = fit.estimate / fit.se;
    fit.p = !opt.p_values ? kNaN
            : t_based ? 2.0 * boost::math::cdf(boost::math::complement(
                                  dist::students_t(fit.df), std::fabs(fit.stat)))
                      : pnorm_two_sided(fit.stat);
    fit.ci_lb = fit.estimate - crit * fit.se;
    fit.ci_ub = fit.estimate + crit * fit.se;
    if (opt.ci != CiMethod::z && k <= p) {
      fit.notes.push_back(NoteCode::wald_for_one_study);
    }

    if (opt.prediction) {
      prediction_interval(opt, k, &fit);
    } else {
      fit.pi_lb = fit.pi_ub = fit.pi_df = kNaN;
    }
  } else {
    fit.estimate = fit.se = fit.stat = fit.p = fit.ci_lb = fit.ci_ub = kNaN;
    fit.pi_lb = fit.pi_ub = fit.pi_df = kNaN;
  }

  // Uncertainty in tau^2.
  const bool random = opt.method != Tau2Method::fe && opt.method != Tau2Method::fixed;
  fit.tau2_se = opt.tau2_se && random && k > p
                    ? detail::tau2_standard_error(model, fe, s, opt.method, fit.tau2, opt.control)
                    : kNaN;
  fit.loglik = kNaN;
  if (opt.loglik && (opt.method == Tau2Method::ml || opt.method == Tau2Method::reml)) {
    fit.loglik = model.loglik(fit.tau2, opt.method == Tau2Method::reml);
  }
  detail::tau2_interval(model, opt, &fit);
  return fit;
}

double dl_tau2_se(const Eigen::Ref<const Eigen::VectorXd>& vi, double tau2) {
  if (vi.size() < 2) return kNaN;
  // The SE does not use the effects. Model keeps references: no temporaries.
  const Eigen::VectorXd zeros = Eigen::VectorXd::Zero(vi.size());
  const Eigen::Ref<const Eigen::VectorXd> y(zeros);
  const std::vector<int> one_group;
  const Model model(y, vi, one_group);
  const Sums fe = model.at(0.0);  // the full sums: DL's SE needs tr(PP)
  return detail::tau2_standard_error(model, fe, fe, Tau2Method::dl, tau2, PoolControl());
}

SubgroupTest subgroup_test(const Eigen::Ref<const Eigen::VectorXd>& estimate,
                           const Eigen::Ref<const Eigen::VectorXd>& se) {
  if (estimate.size() != se.size()) throw std::invalid_argument("estimate and se differ in length");
  SubgroupTest out;
  const Eigen::Index j = estimate.size();
  out.df = static_cast<double>(j - 1);
  if (j < 2) return out;
  double sw = 0, swy = 0;
  for (Eigen::Index g = 0; g < j; ++g) {
    const double w = 1.0 / (se[g] * se[g]);
    sw += w;
    swy += w * estimate[g];
  }
  const double mean = swy / sw;
  for (Eigen::Index g = 0; g < j; ++g) {
    const double r = estimate[g] - mean;
    out.Q += r * r / (se[g] * se[g]);
  }
  out.p = boost::math::cdf(boost::math::complement(dist::chi_squared(out.df), out.Q));
  out.I2 = out.Q > out.df ? 100.0 * (out.Q - out.df) / out.Q : 0.0;
  return out;
}

}  // namespace metapool
