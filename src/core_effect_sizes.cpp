#include "metapool/effect_sizes.hpp"

#include <boost/math/special_functions/gamma.hpp>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "metapool/distributions.hpp"

namespace metapool {

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();

void require_same_length(Eigen::Index k, std::initializer_list<Eigen::Index> sizes) {
  // Inputs and outputs alike: a mismatch would read or write out of bounds.
  for (Eigen::Index s : sizes) {
    if (s != k) throw std::invalid_argument("effect-size inputs differ in length");
  }
}

double correction_factor(double m, SmdCorrection correction) {
  switch (correction) {
    case SmdCorrection::exact: return hedges_j_exact(m);
    case SmdCorrection::approx: return hedges_j_approx(m);
    case SmdCorrection::none: return 1.0;
  }
  return kNaN;
}

}  // namespace

double hedges_j_exact(double m) {
  if (!(m > 1.0)) return kNaN;
  if (std::isinf(m)) return 1.0;
  const double z = (m - 1.0) / 2.0;
  if (z >= 100.0) {
    // J = sqrt((m-1)/m) Gamma(z + 1/2) / (sqrt(z) Gamma(z)), and the ratio's asymptotic
    // series (7 terms) is within 2e-17 of it for z >= 100: ten times faster than Boost.
    const double u = 1.0 / z;
    const double series =
        1.0 + u * (-1.0 / 8 + u * (1.0 / 128 + u * (5.0 / 1024 + u * (-21.0 / 32768 +
              u * (-399.0 / 262144 + u * (869.0 / 4194304))))));
    return std::sqrt((m - 1.0) / m) * series;
  }
  // Gamma(m/2) / Gamma((m-1)/2) = 1 / tgamma_delta_ratio((m-1)/2, 1/2): Boost evaluates
  // the ratio directly, so neither gamma overflows and no lgamma difference cancels.
  const double ratio = 1.0 / boost::math::tgamma_delta_ratio(z, 0.5, dist::policy());
  return ratio / std::sqrt(m / 2.0);
}

double hedges_j_approx(double m) { return 1.0 - 3.0 / (4.0 * m - 1.0); }

void smd(VecIn m1, VecIn sd1, VecIn n1, VecIn m2, VecIn sd2, VecIn n2,
         SmdCorrection correction, SmdVariance variance, EffectSizesOut out) {
  const Eigen::Index k = m1.size();
  require_same_length(k, {sd1.size(), n1.size(), m2.size(), sd2.size(), n2.size(),
                          out.yi.size(), out.vi.size()});
  for (Eigen::Index i = 0; i < k; ++i) {
    const double n = n1[i] + n2[i];
    const double m = n - 2.0;
    const double sp = std::sqrt(((n1[i] - 1.0) * sd1[i] * sd1[i] +
                                 (n2[i] - 1.0) * sd2[i] * sd2[i]) / m);
    if (!(sp > 0.0)) {  // both SDs 0: no standardised difference exists
      out.yi[i] = out.vi[i] = kNaN;
      continue;
    }
    const double d = (m1[i] - m2[i]) / sp;
    const double j = correction_factor(m, correction);
    const double g = j * d;
    const double inv_n = 1.0 / n1[i] + 1.0 / n2[i];
    double v = kNaN;
    switch (variance) {
      case SmdVariance::ls: v = inv_n + g * g / (2.0 * n); break;
      case SmdVariance::ub:  // unbiased with the exact J; with others, metafor's analogue
        v = inv_n + (1.0 - (m - 2.0) / (m * j * j)) * g * g;
        break;
      case SmdVariance::ls2: v = j * j * (inv_n + d * d / (2.0 * n)); break;
      case SmdVariance::ls3: v = n / (n1[i] * n2[i]) + g * g / (2.0 * (n - 3.94)); break;
    }
    out.yi[i] = g;
    out.vi[i] = v;
  }
}

void md(VecIn m1, VecIn sd1, VecIn n1, VecIn m2, VecIn sd2, VecIn n2, MdVariance variance,
        EffectSizesOut out) {
  const Eigen::Index k = m1.size();
  require_same_length(k, {sd1.size(), n1.size(), m2.size(), sd2.size(), n2.size(),
                          out.yi.size(), out.vi.size()});
  for (Eigen::Index i = 0; i < k; ++i) {
    out.yi[i] = m1[i] - m2[i];
    if (variance == MdVariance::unpooled) {
      out.vi[i] = sd1[i] * sd1[i] / n1[i] + sd2[i] * sd2[i] / n2[i];
    } else {
      const double sp2 = ((n1[i] - 1.0) * sd1[i] * sd1[i] + (n2[i] - 1.0) * sd2[i] * sd2[i]) /
                         (n1[i] + n2[i] - 2.0);
      out.vi[i] = sp2 * (1.0 / n1[i] + 1.0 / n2[i]);
    }
    // Both SDs 0: a zero variance would give the study infinite weight.
    if (!(out.vi[i] > 0.0)) out.yi[i] = out.vi[i] = kNaN;
  }
}

TwoByTwo zero_corrected(VecIn events1, VecIn n1, VecIn events2, VecIn n2,
                        const ZeroCellOptions& zero) {
  const Eigen::Index k = events1.size();
  require_same_length(k, {n1.size(), events2.size(), n2.size()});
  TwoByTwo t;
  t.a = events1;
  t.b = n1 - events1;
  t.c = events2;
  t.d = n2 - events2;
  t.corrected = Eigen::VectorXi::Zero(k);
  t.dropped = Eigen::VectorXi::Zero(k);

  // Which studies are dropped, and which have a zero cell among those kept.
  std::vector<char> has_zero(k, 0);
  bool any_zero = false;
  for (Eigen::Index i = 0; i < k; ++i) {
    const bool none = t.a[i] == 0.0 && t.c[i] == 0.0;
    const bool all = t.b[i] == 0.0 && t.d[i] == 0.0;
    if (zero.drop00 && (none || all)) {
      t.dropped[i] = 1;
      continue;
    }
    has_zero[i] = (t.a[i] == 0.0 || t.b[i] == 0.0 || t.c[i] == 0.0 || t.d[i] == 0.0);
    any_zero = any_zero || has_zero[i];
  }
  if (!(zero.add > 0.0)) return t;
  for (Eigen::Index i = 0; i < k; ++i) {
    if (t.dropped[i]) continue;
    bool add = false;
    switch (zero.to) {
      case ZeroCellRule::only0: add = has_zero[i]; break;
      case ZeroCellRule::all: add = true; break;
      case ZeroCellRule::if0all: add = any_zero; break;
      case ZeroCellRule::none: add = false; break;
    }
    if (!add) continue;
    t.corrected[i] = 1;
    t.a[i] += zero.add;
    t.b[i] += zero.add;
    t.c[i] += zero.add;
    t.d[i] += zero.add;
  }
  return t;
}

void binary_effect(VecIn events1, VecIn n1, VecIn events2, VecIn n2, BinaryMeasure measure,
                   const ZeroCellOptions& zero, EffectSizesOut out, BinaryFlagsOut flags) {
  const Eigen::Index k = events1.size();
  require_same_length(k, {n1.size(), events2.size(), n2.size(), out.yi.size(), out.vi.size(),
                          flags.corrected.size(), flags.estimable.size()});
  const TwoByTwo t = zero_corrected(events1, n1, events2, n2, zero);
  flags.corrected = t.corrected;
  for (Eigen::Index i = 0; i < k; ++i) {
    flags.estimable[i] = !t.dropped[i];
    if (t.dropped[i]) {
      out.yi[i] = out.vi[i] = kNaN;
      continue;
    }
    const double a = t.a[i], b = t.b[i], c = t.c[i], d = t.d[i];
    const double na = a + b, nc = c + d;
    double y = kNaN, v = kNaN;
    switch (measure) {
      case BinaryMeasure::risk_ratio:
        y = std::log(a / na) - std::log(c / nc);
        v = 1.0 / a - 1.0 / na + 1.0 / c - 1.0 / nc;
        break;
      case BinaryMeasure::odds_ratio:
        y = std::log(a) + std::log(d) - std::log(b) - std::log(c);
        v = 1.0 / a + 1.0 / b + 1.0 / c + 1.0 / d;
        break;
      case BinaryMeasure::risk_difference:
        y = a / na - c / nc;
        v = a * b / (na * na * na) + c * d / (nc * nc * nc);
        break;
    }
    // A zero cell left uncorrected gives an infinite log ratio, or a zero variance for
    // the RD: neither is an estimate, so the study is marked not estimable.
    if (!std::isfinite(y) || !std::isfinite(v) || !(v > 0.0)) {
      flags.estimable[i] = 0;
      y = v = kNaN;
    }
    out.yi[i] = y;
    out.vi[i] = v;
  }
}

void wald_interval(VecIn yi, VecIn vi, double level, VecOut lb, VecOut ub) {
  require_same_length(yi.size(), {vi.size(), lb.size(), ub.size()});
  const double z = z_crit(level);
  for (Eigen::Index i = 0; i < yi.size(); ++i) {
    const double half = z * std::sqrt(vi[i]);
    lb[i] = yi[i] - half;
    ub[i] = yi[i] + half;
  }
}

}  // namespace metapool
