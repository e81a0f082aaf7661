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
        // sum of n1 n2 / n times the study's RD, i.e. (a n2 - c n1) / n from the
        // cells used for the RD (raw counts under RevMan's rule)
        num += n1 * n2 / n * t.rd[i];
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

}  // namespace

MhFit mantel_haenszel(VecIn events1, VecIn n1, VecIn events2, VecIn n2, const MhOptions& opt) {
  const Eigen::Index k = events1.size();
  // The Peto path reads all four vectors at index i without going through
  // binary_effect()'s length check: a mismatch would read out of bounds.
  if (n1.size() != k || events2.size() != k || n2.size() != k) {
    throw std::invalid_argument("Mantel-Haenszel inputs differ in length");
  }
  MhFit fit;
  fit.yi.resize(k);
  fit.vi.resize(k);
  fit.estimable.resize(k);
  fit.corrected.resize(k);
  Pooled pooled;
  double peto_q = 0;
  if (opt.peto) {
    pooled = peto_estimate(events1, n1, events2, n2, &fit.yi, &fit.vi, &fit.weights, &peto_q);
    fit.corrected.setZero();
    for (Eigen::Index i = 0; i < k; ++i) fit.estimable[i] = std::isfinite(fit.yi[i]);
  } else {
    BinaryFlagsOut flags{fit.corrected, fit.estimable};
    binary_effect(events1, n1, events2, n2, opt.measure, opt.study_zero, {fit.yi, fit.vi}, flags);
    const TwoByTwo cells = zero_corrected(events1, n1, events2, n2, opt.mh_zero);
    pooled = mh_estimate(cells, opt.measure, opt.rd_variance, &fit.weights);
  }
  fit.defined = pooled.defined;
  fit.estimate = pooled.estimate;
  fit.se = pooled.se;
  const double z = z_crit(opt.level);
  fit.stat = fit.estimate / fit.se;
  fit.p = pnorm_two_sided(fit.stat);
  fit.ci_lb = fit.estimate - z * fit.se;
  fit.ci_ub = fit.estimate + z * fit.se;

  // Heterogeneity about the pooled estimate with inverse-variance weights.
  std::vector<int> idx;
  for (Eigen::Index i = 0; i < k; ++i) {
    if (fit.estimable[i]) idx.push_back(static_cast<int>(i));
  }
  fit.k_estimable = static_cast<int>(idx.size());
  fit.Q_df = std::max(0, fit.k_estimable - 1);
  double sw = 0, sw2 = 0, q = 0;
  for (int i : idx) {
    const double w = 1.0 / fit.vi[i];
    sw += w;
    sw2 += w * w;
    const double r = fit.yi[i] - fit.estimate;
    q += w * r * r;
  }
  if (opt.peto) q = peto_q;
  if (fit.k_estimable > 1 && fit.defined) {
    fit.Q = std::max(0.0, q);
    fit.Q_p = boost::math::cdf(boost::math::complement(dist::chi_squared(fit.Q_df), fit.Q));
    fit.I2 = fit.Q > fit.Q_df ? 100.0 * (fit.Q - fit.Q_df) / fit.Q : 0.0;
    fit.H2 = fit.Q / fit.Q_df;
    fit.tau2 = std::max(0.0, (fit.Q - fit.Q_df) / (sw - sw2 / sw));
  } else if (!fit.defined) {
    fit.Q = fit.Q_p = fit.I2 = fit.H2 = kNaN;
  }

  if (opt.random && fit.k_estimable == 0) {
    PoolFit& r = fit.random;
    r.estimate = r.se = r.stat = r.p = r.ci_lb = r.ci_ub = r.pi_lb = r.pi_ub = r.pi_df = kNaN;
  } else if (opt.random) {
    Eigen::VectorXd y(fit.k_estimable), v(fit.k_estimable);
    for (int j = 0; j < fit.k_estimable; ++j) {
      y[j] = fit.yi[idx[j]];
      v[j] = fit.vi[idx[j]];
    }
    PoolOptions po;
    po.method = Tau2Method::fixed;
    po.tau2_fixed = std::isfinite(fit.tau2) ? fit.tau2 : 0.0;
    po.ci = CiMethod::z;
    po.pi = opt.pi;
    po.tau2_ci = Tau2CiMethod::none;
    po.level = opt.level;
    fit.random = pool(y, v, std::vector<int>(), po);
  }
  return fit;
}

}  // namespace metapool
