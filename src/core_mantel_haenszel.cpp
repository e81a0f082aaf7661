#include "metapool/mantel_haenszel.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "metapool/distributions.hpp"

namespace metapool {

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();

struct Pooled {
  bool defined = false;
  double estimate = kNaN, se = kNaN;
};

// M-H estimate and its variance from (corrected) cells; `w` receives the M-H weights.
Pooled mh_estimate(const TwoByTwo& t, BinaryMeasure measure, MhRdVariance rd_variance,
                   Eigen::VectorXd* w) {
  Pooled out;
  const Eigen::Index k = t.a.size();
  w->setZero(k);
  double r = 0, s = 0, e = 0, f = 0, g = 0, h = 0, p = 0, num = 0, den = 0, jsum = 0, sato = 0;
  for (Eigen::Index i = 0; i < k; ++i) {
    if (t.dropped[i]) continue;
    const double a = t.a[i], b = t.b[i], c = t.c[i], d = t.d[i];
    const double n1 = a + b, n2 = c + d, n = n1 + n2;
    switch (measure) {
      case BinaryMeasure::odds_ratio: {
        const double ri = a * d / n, si = b * c / n;
        r += ri;
        s += si;
        e += (a + d) * ri / n;
        f += (a + d) * si / n;
        g += (b + c) * ri / n;
        h += (b + c) * si / n;
        (*w)[i] = si;
        break;
      }
      case BinaryMeasure::risk_ratio: {
        r += a * n2 / n;
        s += c * n1 / n;
        p += (n1 * n2 * (a + c) - a * c * n) / (n * n);
        (*w)[i] = c * n1 / n;
        break;
      }
      case BinaryMeasure::risk_difference: {
        num += (a * n2 - c * n1) / n;
        den += n1 * n2 / n;
        jsum += (a * b * n2 * n2 * n2 + c * d * n1 * n1 * n1) / (n1 * n2 * n * n);
        (*w)[i] = n1 * n2 / n;
        break;
      }
    }
  }
  const double wsum = w->sum();
  if (wsum > 0) *w /= wsum;
  switch (measure) {
    case BinaryMeasure::odds_ratio:
      if (!(r > 0 && s > 0)) return out;
      out.estimate = std::log(r / s);
      out.se = std::sqrt(0.5 * (e / (r * r) + (f + g) / (r * s) + h / (s * s)));
      break;
    case BinaryMeasure::risk_ratio:
      if (!(r > 0 && s > 0)) return out;
      out.estimate = std::log(r / s);
      out.se = std::sqrt(p / (r * s));
      break;
    case BinaryMeasure::risk_difference:
      if (!(den > 0)) return out;
      out.estimate = num / den;
      if (rd_variance == MhRdVariance::greenland_robins) {
        out.se = std::sqrt(jsum) / den;
      } else {
        for (Eigen::Index i = 0; i < k; ++i) {
          if (t.dropped[i]) continue;
          const double a = t.a[i], b = t.b[i], c = t.c[i], d = t.d[i];
          const double n1 = a + b, n2 = c + d, n = n1 + n2;
          sato += out.estimate * (c * (n1 / n) * (n1 / n) - a * (n2 / n) * (n2 / n) +
                                  (n1 / n) * (n2 / n) * (n2 - n1) / 2.0) +
                  (a * (n2 - c) / n + c * (n1 - a) / n) / 2.0;
        }
        out.se = std::sqrt(sato) / den;
      }
      break;
  }
  out.defined = std::isfinite(out.estimate) && std::isfinite(out.se) && out.se > 0;
  return out;
}

// Peto's one-step odds ratio from uncorrected cells (double zeros carry no weight).
Pooled peto_estimate(VecIn events1, VecIn n1, VecIn events2, VecIn n2, Eigen::VectorXd* yi,
                     Eigen::VectorXd* vi, Eigen::VectorXd* w, double* q) {
  Pooled out;
  const Eigen::Index k = events1.size();
  double so = 0, sv = 0, so2v = 0;
  w->setZero(k);
  for (Eigen::Index i = 0; i < k; ++i) {
    const double n = n1[i] + n2[i], m = events1[i] + events2[i];
    const double o_e = events1[i] - n1[i] * m / n;
    const double v = n1[i] * n2[i] * m * (n - m) / (n * n * (n - 1.0));
    (*yi)[i] = v > 0 ? o_e / v : kNaN;
    (*vi)[i] = v > 0 ? 1.0 / v : kNaN;
    if (!(v > 0)) continue;
    so += o_e;
    sv += v;
    so2v += o_e * o_e / v;
    (*w)[i] = v;
  }
  if (!(sv > 0)) return out;
  *w /= sv;
  out.estimate = so / sv;
  out.se = 1.0 / std::sqrt(sv);
  out.defined = true;
  *q = std::max(0.0, so2v - so * so / sv);
  return out;
}


// Cochran-Mantel-Haenszel test (continuity-corrected) and Tarone's test of homogeneity
// of odds ratios about the M-H estimate `psi`, over the studies the M-H sums use.
void association_tests(const TwoByTwo& t, double psi, MhFit* fit) {
  double o_e = 0, var = 0, bd = 0, sum_a = 0, sum_e = 0, sum_var = 0;
  int used = 0;
  bool tarone_ok = std::isfinite(psi) && psi > 0;
  for (Eigen::Index i = 0; i < t.a.size(); ++i) {
    if (t.dropped[i]) continue;
    const double a = t.a[i], n1 = t.a[i] + t.b[i], m1 = t.a[i] + t.c[i];
    const double n = n1 + t.c[i] + t.d[i], m2 = n - m1;
    if (n > 1) {
      o_e += a - n1 * m1 / n;
      var += m1 * m2 * (n1 / n) * ((n - n1) / n) / (n - 1.0);
    }
    if (!tarone_ok) continue;
    // Expected a under the common odds ratio psi: the root of
    // (1 - psi) A^2 + (n - n1 - m1 + psi (n1 + m1)) A - psi n1 m1 = 0 within its bounds.
    const double lo = std::max(0.0, n1 + m1 - n), hi = std::min(n1, m1);
    if (!(hi > lo)) continue;  // a table with fixed margins carries no information
    const double qa = 1.0 - psi, qb = n - n1 - m1 + psi * (n1 + m1), qc = -psi * n1 * m1;
    double e;
    if (std::fabs(qa) < 1e-12) {
      e = -qc / qb;
    } else {
      const double disc = std::sqrt(std::max(0.0, qb * qb - 4.0 * qa * qc));
      // The numerically stable pair of roots; keep the one within [lo, hi].
      const double q = -0.5 * (qb + std::copysign(disc, qb));
      const double r1 = q / qa, r2 = qc / q;
      e = (r1 >= lo - 1e-9 && r1 <= hi + 1e-9) ? r1 : r2;
    }
    const double v = 1.0 / (1.0 / e + 1.0 / (n1 - e) + 1.0 / (m1 - e) + 1.0 / (n - n1 - m1 + e));
    if (!(v > 0) || !std::isfinite(v)) continue;
    bd += (a - e) * (a - e) / v;
    sum_a += a;
    sum_e += e;
    sum_var += v;
    ++used;
  }
  const double dev = std::max(0.0, std::fabs(o_e) - 0.5);
  fit->cmh = var > 0 ? dev * dev / var : kNaN;
  fit->cmh_p = var > 0 ? boost::math::cdf(boost::math::complement(dist::chi_squared(1.0), fit->cmh))
                       : kNaN;
  if (used > 1) {
    fit->tarone = std::max(0.0, bd - (sum_a - sum_e) * (sum_a - sum_e) / sum_var);
    fit->tarone_df = used - 1;
    fit->tarone_p = boost::math::cdf(
        boost::math::complement(dist::chi_squared(fit->tarone_df), fit->tarone));
  } else {
    fit->tarone = fit->tarone_p = fit->tarone_df = kNaN;
  }
}

void set_undefined(PoolFit* f) {
  f->estimate = f->se = f->stat = f->p = f->ci_lb = f->ci_ub = kNaN;
  f->pi_lb = f->pi_ub = f->pi_df = kNaN;
}

}  // namespace

MhFit mantel_haenszel(VecIn events1, VecIn n1, VecIn events2, VecIn n2, const MhOptions& opt) {
  const Eigen::Index k = events1.size();
  // The Peto path reads all four vectors at index i without going through
  // binary_effect()'s length check: a mismatch would read out of bounds.
  if (n1.size() != k || events2.size() != k || n2.size() != k) {
    throw std::invalid_argument("Mantel-Haenszel inputs differ in length");
  }
  MhFit fit;
  PoolFit& fe = fit.fixed;
  fit.yi.resize(k);
  fit.vi.resize(k);
  fit.estimable.resize(k);
  fit.corrected.resize(k);
  Pooled pooled;
  double peto_q = 0;
  Eigen::VectorXd mh_weights;
  fit.cmh = fit.cmh_p = fit.tarone = fit.tarone_p = fit.tarone_df = kNaN;
  if (opt.peto) {
    pooled = peto_estimate(events1, n1, events2, n2, &fit.yi, &fit.vi, &mh_weights, &peto_q);
    fit.corrected.setZero();
    for (Eigen::Index i = 0; i < k; ++i) fit.estimable[i] = std::isfinite(fit.yi[i]);
  } else {
    BinaryFlagsOut flags{fit.corrected, fit.estimable};
    binary_effect(events1, n1, events2, n2, opt.measure, opt.study_zero, {fit.yi, fit.vi}, flags);
    const TwoByTwo cells = zero_corrected(events1, n1, events2, n2, opt.mh_zero);
    pooled = mh_estimate(cells, opt.measure, opt.rd_variance, &mh_weights);
    if (opt.measure == BinaryMeasure::odds_ratio) {
      association_tests(cells, std::exp(pooled.estimate), &fit);
    }
  }
  fe.estimate = pooled.estimate;
  fe.se = pooled.se;
  const double z = z_crit(opt.level);
  fe.stat = fe.estimate / fe.se;
  fe.p = pnorm_two_sided(fe.stat);
  fe.ci_lb = fe.estimate - z * fe.se;
  fe.ci_ub = fe.estimate + z * fe.se;
  fe.df = fe.pi_df = fe.pi_lb = fe.pi_ub = kNaN;
  fe.tau2 = 0;
  fe.tau2_se = fe.tau2_lb = fe.tau2_ub = kNaN;
  fe.I2_lb = fe.I2_ub = fe.H2_lb = fe.H2_ub = fe.vt = fe.loglik = kNaN;
  if (!pooled.defined) {
    set_undefined(&fe);
    fe.notes.push_back(NoteCode::pooled_undefined);
  }

  // Heterogeneity about the pooled estimate with inverse-variance weights.
  std::vector<int> idx;
  for (Eigen::Index i = 0; i < k; ++i) {
    if (fit.estimable[i]) idx.push_back(static_cast<int>(i));
  }
  fit.k_estimable = static_cast<int>(idx.size());
  fe.k = fit.k_estimable;
  fe.weights.resize(fit.k_estimable);
  for (int j = 0; j < fit.k_estimable; ++j) fe.weights[j] = mh_weights[idx[j]];
  const double wsum = fe.weights.sum();
  if (wsum > 0) fe.weights /= wsum;
  fe.Q_df = std::max(0, fit.k_estimable - 1);
  double sw = 0, sw2 = 0, q = 0;
  for (int i : idx) {
    const double w = 1.0 / fit.vi[i];
    sw += w;
    sw2 += w * w;
    const double r = fit.yi[i] - fe.estimate;
    q += w * r * r;
  }
  if (opt.peto) q = peto_q;
  fe.Q = 0;
  fe.Q_p = kNaN;  // one estimable study: no test
  fe.I2 = 0;
  fe.H2 = 1;
  if (fit.k_estimable > 1 && pooled.defined) {
    fe.Q = std::max(0.0, q);
    fe.Q_p = boost::math::cdf(boost::math::complement(dist::chi_squared(fe.Q_df), fe.Q));
    fe.I2 = fe.Q > fe.Q_df ? 100.0 * (fe.Q - fe.Q_df) / fe.Q : 0.0;
    fe.H2 = fe.Q / fe.Q_df;
    fit.tau2_dl = std::max(0.0, (fe.Q - fe.Q_df) / (sw - sw2 / sw));
  } else if (!pooled.defined) {
    fe.Q = fe.Q_p = fe.I2 = fe.H2 = kNaN;
  }

  if (opt.random && fit.k_estimable == 0) {
    fit.random = fe;
    set_undefined(&fit.random);
  } else if (opt.random) {
    Eigen::VectorXd y(fit.k_estimable), v(fit.k_estimable);
    for (int j = 0; j < fit.k_estimable; ++j) {
      y[j] = fit.yi[idx[j]];
      v[j] = fit.vi[idx[j]];
    }
    PoolOptions po;
    po.method = Tau2Method::fixed;
    po.tau2_fixed = std::isfinite(fit.tau2_dl) ? fit.tau2_dl : 0.0;
    po.ci = CiMethod::z;
    po.pi = opt.pi;
    po.tau2_ci = Tau2CiMethod::none;
    po.level = opt.level;
    fit.random = pool(y, v, std::vector<int>(), po);
    // Heterogeneity as RevMan reports it: about the M-H estimate.
    fit.random.Q = fe.Q;
    fit.random.Q_df = fe.Q_df;
    fit.random.Q_p = fe.Q_p;
    fit.random.I2 = fe.I2;
    fit.random.H2 = fe.H2;
    fit.random.tau2_se = dl_tau2_se(v, fit.tau2_dl);
  }
  return fit;
}

}  // namespace metapool
