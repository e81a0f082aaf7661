#include "metapool/metareg.hpp"

#include <Eigen/Cholesky>
#include <Eigen/QR>
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "metapool/distributions.hpp"
#include "metapool/tau2_engine.hpp"

namespace metapool {

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();

double chisq_upper(double df, double x) {
  return boost::math::cdf(boost::math::complement(dist::chi_squared(df), x));
}

double t_two_sided(double df, double t) {
  return 2.0 * boost::math::cdf(boost::math::complement(dist::students_t(df), std::fabs(t)));
}

double f_upper(double df1, double df2, double f) {
  if (!(f >= 0)) return kNaN;
  // P(F > f) = I_{df2 / (df2 + df1 f)}(df2 / 2, df1 / 2)
  return boost::math::ibeta(df2 / 2.0, df1 / 2.0, df2 / (df2 + df1 * f), dist::policy());
}

// Does the column space of X contain the constant (is the model nested in the
// intercept-only model)? metafor computes the pseudo-R^2 only then.
bool spans_constant(const Eigen::Ref<const Eigen::MatrixXd>& X) {
  const Eigen::VectorXd one = Eigen::VectorXd::Ones(X.rows());
  const Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(X);
  const Eigen::VectorXd fit = X * qr.solve(one);
  return (fit - one).norm() <= 1e-7 * one.norm();
}

// Omnibus Wald statistic for the coefficients in btt.
void omnibus(const MetaregOptions& opt, MetaregFit* fit) {
  const int m = static_cast<int>(opt.btt.size());
  Eigen::VectorXd b(m);
  Eigen::MatrixXd V(m, m);
  for (int i = 0; i < m; ++i) {
    b[i] = fit->beta[opt.btt[i]];
    for (int j = 0; j < m; ++j) V(i, j) = fit->vb(opt.btt[i], opt.btt[j]);
  }
  const Eigen::LLT<Eigen::MatrixXd> llt(V);
  fit->QM = llt.info() == Eigen::Success ? b.dot(llt.solve(b)) : kNaN;
  fit->QM_df1 = m;
  if (std::isfinite(fit->df)) {
    fit->QM /= m;
    fit->QM_df2 = fit->df;
    fit->QM_p = fit->df > 0 ? f_upper(m, fit->df, fit->QM) : kNaN;
  } else {
    fit->QM_df2 = kNaN;
    fit->QM_p = chisq_upper(m, fit->QM);
  }
}

// The model fit at the estimated tau^2: coefficients, tests, QM. Shared by metareg()
// and the permutation engine.
void fit_coefficients(const detail::Model& model, const MetaregOptions& opt, MetaregFit* fit) {
  const int k = model.k(), p = model.p();
  const PoolOptions& po = opt.pool;
  const detail::Sums s = model.at(fit->tau2);
  fit->beta = model.beta();
  fit->vb = model.xwx_inverse();
  const bool hk = po.ci == CiMethod::hksj || po.ci == CiMethod::hksj_adhoc;
  const bool t_based = po.ci != CiMethod::z;
  fit->s2w = 1.0;
  if (hk) {
    fit->s2w = s.rss <= std::numeric_limits<double>::epsilon() ? 0.0 : s.rss / (k - p);
    if (po.ci == CiMethod::hksj_adhoc) fit->s2w = std::max(1.0, fit->s2w);
  }
  fit->vb *= fit->s2w;
  fit->df = t_based ? static_cast<double>(k - p) : kNaN;
  fit->se = fit->vb.diagonal().cwiseSqrt();
  fit->stat = fit->beta.cwiseQuotient(fit->se);
  const double crit = t_based ? (fit->df > 0 ? t_quantile(fit->df, 1.0 - (1.0 - po.level) / 2.0) : kNaN)
                              : z_crit(po.level);
  fit->pval.resize(p);
  for (int j = 0; j < p; ++j) {
    fit->pval[j] = t_based ? (fit->df > 0 ? t_two_sided(fit->df, fit->stat[j]) : kNaN)
                           : pnorm_two_sided(fit->stat[j]);
  }
  fit->ci_lb = fit->beta - crit * fit->se;
  fit->ci_ub = fit->beta + crit * fit->se;
  omnibus(opt, fit);
}

void check_options(int k, int p, const MetaregOptions& opt) {
  for (int j : opt.btt) {
    if (j < 0 || j >= p) throw std::invalid_argument("btt index out of range");
  }
  if (opt.btt.empty()) throw std::invalid_argument("btt is empty");
  if (p > k) throw std::invalid_argument("more coefficients than studies");
}

}  // namespace

MetaregFit metareg(const Eigen::Ref<const Eigen::VectorXd>& yi,
                   const Eigen::Ref<const Eigen::VectorXd>& vi,
                   const Eigen::Ref<const Eigen::MatrixXd>& X, const MetaregOptions& opt) {
  MetaregFit fit;
  const int k = static_cast<int>(yi.size()), p = static_cast<int>(X.cols());
  if (vi.size() != yi.size() || X.rows() != yi.size()) {
    throw std::invalid_argument("yi, vi and X differ in length");
  }
  if (k == 0 || p == 0) throw std::invalid_argument("no studies or no coefficients");
  check_options(k, p, opt);
  fit.k = k;
  fit.p = p;
  fit.dependent = detail::design_rank_deficiency(X);
  if (!fit.dependent.empty()) return fit;

  const PoolOptions& po = opt.pool;
  const detail::Model model(yi, vi, X);
  // Residual heterogeneity about the fixed-effects (tau^2 = 0) fit.
  const detail::Sums fe = model.at(0.0);
  fit.tau2_est = detail::estimate_tau2(model, fe, po, &fit.notes);
  fit.tau2 = fit.tau2_est.tau2;

  detail::heterogeneity(model, fe, po, &fit);

  fit_coefficients(model, opt, &fit);
  if (po.ci != CiMethod::z && k <= p) {
    fit.notes.push_back(NoteCode::no_residual_df);
  }
  const bool random = po.method != Tau2Method::fe && po.method != Tau2Method::fixed;
  fit.tau2_se = fit.tau2_lb = fit.tau2_ub = kNaN;
  fit.ll_ml = fit.ll_reml = fit.R2 = fit.tau2_null = kNaN;
  fit.I2_lb = fit.I2_ub = fit.H2_lb = fit.H2_ub = kNaN;
  if (!opt.details) return fit;
  // Weights, fitted values and leverages at the estimated tau^2 (model.at() above left
  // the workspace at tau^2).
  fit.weights = (vi.array() + fit.tau2).inverse();
  fit.fitted = X * fit.beta;
  {
    const Eigen::MatrixXd V0 = model.xwx_inverse();
    fit.hat.resize(k);
    for (int i = 0; i < k; ++i) fit.hat[i] = fit.weights[i] * X.row(i).dot(V0 * X.row(i).transpose());
  }

  // Log-likelihoods as metafor reports them (REML with + 0.5 log det(X'X)).
  fit.ll_ml = model.loglik(fit.tau2, false);
  fit.ll_reml = model.loglik(fit.tau2, true) + 0.5 * model.logdet_xtx();

  // Uncertainty in tau^2.
  fit.tau2_se = random && k > p ? detail::tau2_standard_error(model, fe, model.at(fit.tau2),
                                                             po.method, fit.tau2, po.control)
                                : kNaN;
  detail::tau2_interval(model, po, &fit);

  // Pseudo-R^2 (metafor): the proportional reduction in tau^2 from the model without
  // moderators; for the fixed-effects model, the adjusted weighted R^2 of the regression.
  if (opt.r2 && p > 1 && po.method != Tau2Method::fixed && spans_constant(X)) {
    const std::vector<int> one_group;
    const detail::Model null_model(yi, vi, one_group);
    const detail::Sums s0 = null_model.at(0.0);
    if (po.method == Tau2Method::fe) {
      const double vy = (yi.array() - yi.mean()).square().sum();
      fit.R2 = vy == 0 ? 0.0
                       : std::max(0.0, 100.0 * (1.0 - (fe.rss / (k - p)) / (s0.rss / (k - 1))));
    } else if (k > 1) {
      std::vector<NoteCode> ignored;
      fit.tau2_null = detail::estimate_tau2(null_model, s0, po, &ignored).tau2;
      fit.R2 = fit.tau2_null == 0 ? 0.0
                                  : std::max(0.0, 100.0 * (fit.tau2_null - fit.tau2) / fit.tau2_null);
    }
  }
  return fit;
}

WaldTest wald_test(const Eigen::Ref<const Eigen::VectorXd>& beta,
                   const Eigen::Ref<const Eigen::MatrixXd>& vb,
                   const Eigen::Ref<const Eigen::MatrixXd>& L, double df) {
  if (L.cols() != beta.size() || vb.rows() != beta.size() || vb.cols() != beta.size()) {
    throw std::invalid_argument("L, beta and vb do not conform");
  }
  WaldTest out;
  out.estimate = L * beta;
  const Eigen::MatrixXd V = L * vb * L.transpose();
  out.se = V.diagonal().cwiseSqrt();
  const double q = static_cast<double>(L.rows());
  const Eigen::LDLT<Eigen::MatrixXd> ldlt(V);
  out.stat = ldlt.info() == Eigen::Success ? out.estimate.dot(ldlt.solve(out.estimate)) : kNaN;
  out.df1 = q;
  if (std::isfinite(df)) {
    out.stat /= q;
    out.df2 = df;
    out.p = f_upper(q, df, out.stat);
  } else {
    out.df2 = kNaN;
    out.p = chisq_upper(q, out.stat);
  }
  return out;
}

MetaregPrediction metareg_predict(const Eigen::Ref<const Eigen::VectorXd>& beta,
                                  const Eigen::Ref<const Eigen::MatrixXd>& vb, double tau2,
                                  const Eigen::Ref<const Eigen::MatrixXd>& Xnew, double level,
                                  double ci_df, double pi_df, bool with_pi) {
  if (Xnew.cols() != beta.size()) throw std::invalid_argument("Xnew and beta do not conform");
  MetaregPrediction out;
  const Eigen::Index n = Xnew.rows();
  out.pred = Xnew * beta;
  out.se.resize(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    out.se[i] = std::sqrt(Xnew.row(i).dot(vb * Xnew.row(i).transpose()));
  }
  const double upper = 1.0 - (1.0 - level) / 2.0;
  auto crit = [&](double df) {
    if (std::isnan(df)) return z_crit(level);
    return df >= 1 ? t_quantile(df, upper) : kNaN;
  };
  const double cc = crit(ci_df), pc = with_pi ? crit(pi_df) : kNaN;
  out.ci_lb = out.pred - cc * out.se;
  out.ci_ub = out.pred + cc * out.se;
  const Eigen::VectorXd pse = (out.se.array().square() + tau2).sqrt();
  out.pi_lb = out.pred - pc * pse;
  out.pi_ub = out.pred + pc * pse;
  return out;
}

Eigen::MatrixXd metareg_permutations(const Eigen::Ref<const Eigen::VectorXd>& yi,
                                     const Eigen::Ref<const Eigen::VectorXd>& vi,
                                     const Eigen::Ref<const Eigen::MatrixXd>& X,
                                     const Eigen::Ref<const Eigen::MatrixXi>& perm,
                                     const MetaregOptions& opt) {
  const int k = static_cast<int>(yi.size()), p = static_cast<int>(X.cols());
  if (perm.rows() != k || X.rows() != k || vi.size() != k) {
    throw std::invalid_argument("permutations, X, yi and vi do not conform");
  }
  check_options(k, p, opt);
  Eigen::MatrixXd out(p + 1, perm.cols());
  Eigen::MatrixXd Xp(k, p);
  for (Eigen::Index b = 0; b < perm.cols(); ++b) {
    for (int i = 0; i < k; ++i) {
      const int src = perm(i, b);
      if (src < 0 || src >= k) throw std::invalid_argument("permutation index out of range");
      Xp.row(i) = X.row(src);
    }
    if (!detail::design_rank_deficiency(Xp).empty()) {
      out.col(b).setConstant(kNaN);
      continue;
    }
    const detail::Model model(yi, vi, Xp);
    MetaregFit fit;
    std::vector<NoteCode> ignored;
    fit.tau2 = detail::estimate_tau2(model, model.at(0.0), opt.pool, &ignored).tau2;
    fit_coefficients(model, opt, &fit);
    out(0, b) = fit.QM;
    out.col(b).tail(p) = fit.stat;
  }
  return out;
}

Eigen::MatrixXd metareg_groups(const Eigen::Ref<const Eigen::VectorXd>& yi,
                               const Eigen::Ref<const Eigen::VectorXd>& vi,
                               const Eigen::Ref<const Eigen::MatrixXd>& X,
                               const std::vector<Eigen::Index>& starts,
                               const MetaregOptions& opt, int threads) {
  const int p = static_cast<int>(X.cols());
  if (starts.empty() || starts.front() != 0 || starts.back() != yi.size() ||
      vi.size() != yi.size() || X.rows() != yi.size()) {
    throw std::invalid_argument("starts, yi, vi and X do not conform");
  }
  for (std::size_t g = 1; g < starts.size(); ++g) {
    if (starts[g] < starts[g - 1]) throw std::invalid_argument("starts must be increasing");
  }
  const int n_groups = static_cast<int>(starts.size()) - 1;
  const int fixed_cols = 8;
  Eigen::MatrixXd out(n_groups, fixed_cols + 3 * p);
  const bool needs_tau2_df = opt.pool.method != Tau2Method::fe && opt.pool.method != Tau2Method::fixed;
  MetaregOptions o = opt;
  o.r2 = false;
  o.details = false;
  o.pool.tau2_ci = Tau2CiMethod::none;
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 64) num_threads(threads)
#endif
  for (int g = 0; g < n_groups; ++g) {
    const Eigen::Index a = starts[g], n = starts[g + 1] - starts[g];
    auto row = out.row(g);
    row.setConstant(kNaN);
    row[0] = static_cast<double>(n);
    if (n < p + (needs_tau2_df ? 1 : 0) || n == 0) continue;
    const Eigen::VectorXd y = yi.segment(a, n), v = vi.segment(a, n);
    const Eigen::MatrixXd Xg = X.middleRows(a, n);
    try {
      const MetaregFit f = metareg(y, v, Xg, o);
      if (!f.dependent.empty()) continue;
      row[1] = f.tau2;
      row[2] = f.QM;
      row[3] = f.QM_p;
      row[4] = f.Q;
      row[5] = f.Q_p;
      row[6] = f.I2;
      switch (f.tau2_est.status) {
        case Tau2Status::closed_form:
        case Tau2Status::converged: row[7] = 0; break;
        case Tau2Status::fallback_dl: row[7] = 2; break;
        default: row[7] = 1; break;
      }
      row.segment(fixed_cols, p) = f.beta.transpose();
      row.segment(fixed_cols + p, p) = f.se.transpose();
      row.segment(fixed_cols + 2 * p, p) = f.pval.transpose();
    } catch (const std::invalid_argument&) {
      // A broken group leaves its row NaN.
    }
  }
  (void)threads;
  return out;
}

}  // namespace metapool
