#include "metapool/bayes.hpp"

#include <algorithm>
#include <boost/math/quadrature/exp_sinh.hpp>
#include <boost/math/quadrature/gauss.hpp>
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <boost/math/special_functions/erf.hpp>
#include <boost/math/tools/minima.hpp>
#include <boost/math/tools/roots.hpp>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <utility>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace metapool {

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();
const double kLog2Pi = 1.8378770664093454836;
const double kSqrt2 = 1.4142135623730950488;
const double kLogSqrt2Pi = 0.91893853320467274178;

typedef boost::math::quadrature::gauss_kronrod<double, 15> Kronrod;
typedef boost::math::quadrature::gauss<double, 7> Gauss;

// Kronrod nodes on [-1, 1] in increasing order, their weights, and the Gauss weights of
// the nodes shared with the 7-point rule (0 for the Kronrod-only nodes).
struct Rule {
  double x[15], wk[15], wg[15];
  Rule() {
    const auto& ka = Kronrod::abscissa();
    const auto& kw = Kronrod::weights();
    const auto& gw = Gauss::weights();
    for (int i = 0; i < 8; ++i) {
      const double g = (i % 2 == 0) ? gw[i / 2] : 0.0;  // Gauss nodes: even Kronrod indices
      x[7 + i] = ka[i];
      x[7 - i] = -ka[i];
      wk[7 + i] = wk[7 - i] = kw[i];
      wg[7 + i] = wg[7 - i] = g;
    }
  }
};
const Rule& rule() {
  static const Rule r;
  return r;
}

double log_t_density(double z, double df) {
  return std::lgamma((df + 1) / 2) - std::lgamma(df / 2) - 0.5 * std::log(df * M_PI) -
         (df + 1) / 2 * std::log1p(z * z / df);
}

// Normal CDF and its complement without cancellation in either tail.
double pnorm_lower(double z) { return 0.5 * std::erfc(-z / kSqrt2); }
double pnorm_upper(double z) { return 0.5 * std::erfc(z / kSqrt2); }

template <typename F>
double bisect_root(F f, double lo, double hi, double flo, double fhi) {
  if (flo == 0) return lo;
  if (fhi == 0) return hi;
  boost::uintmax_t iter = 200;
  auto r = boost::math::tools::toms748_solve(f, lo, hi, flo, fhi,
                                             boost::math::tools::eps_tolerance<double>(50), iter);
  return 0.5 * (r.first + r.second);
}

}  // namespace

// ---------------------------------------------------------------------------------------
// NormalMixture

NormalMixture::NormalMixture(std::vector<double> w, std::vector<double> mean,
                             std::vector<double> sd) {
  // Components carrying a negligible share are dropped: they cannot move any quantity
  // by more than 1e-17 but would widen the search bracket enormously.
  double wmax = 0;
  for (double x : w) wmax = std::max(wmax, x);
  double total = 0;
  for (std::size_t j = 0; j < w.size(); ++j) {
    if (!(w[j] > 1e-17 * wmax) || !std::isfinite(mean[j]) || !std::isfinite(sd[j])) continue;
    w_.push_back(w[j]);
    m_.push_back(mean[j]);
    s_.push_back(sd[j]);
    total += w[j];
  }
  lo_ = kInf;
  hi_ = -kInf;
  for (std::size_t j = 0; j < w_.size(); ++j) {
    w_[j] /= total;
    lo_ = std::min(lo_, m_[j] - 40 * s_[j]);
    hi_ = std::max(hi_, m_[j] + 40 * s_[j]);
  }
}

void NormalMixture::cdf_pdf(double x, double* F, double* Fc, double* f) const {
  double a = 0, b = 0, d = 0;
  for (std::size_t j = 0; j < w_.size(); ++j) {
    const double z = (x - m_[j]) / s_[j];
    if (F) a += w_[j] * pnorm_lower(z);
    if (Fc) b += w_[j] * pnorm_upper(z);
    if (f) d += w_[j] * std::exp(-0.5 * z * z - kLogSqrt2Pi) / s_[j];
  }
  if (F) *F = a;
  if (Fc) *Fc = b;
  if (f) *f = d;
}

double NormalMixture::density(double x) const {
  double f;
  cdf_pdf(x, nullptr, nullptr, &f);
  return f;
}

double NormalMixture::cdf(double x) const {
  double F;
  cdf_pdf(x, &F, nullptr, nullptr);
  return F;
}

double NormalMixture::quantile(double p) const {
  if (w_.empty() || !(p >= 0 && p <= 1)) return kNaN;
  if (p == 0) return -kInf;
  if (p == 1) return kInf;
  const bool upper = p > 0.5;
  const double target = upper ? 1 - p : p;
  // g(x) = F(x) - p, computed from the tail that keeps its digits.
  auto g = [&](double x) {
    double F, Fc;
    cdf_pdf(x, upper ? nullptr : &F, upper ? &Fc : nullptr, nullptr);
    return upper ? target - Fc : F - target;
  };
  const std::size_t j = std::max_element(w_.begin(), w_.end()) - w_.begin();
  double step = s_[j], lo = m_[j] - step, hi = m_[j] + step;
  double glo = g(lo), ghi = g(hi);
  while (glo > 0 && lo > lo_) {
    hi = lo;
    ghi = glo;
    step *= 2;
    lo = std::max(lo - step, lo_);
    glo = g(lo);
  }
  while (ghi < 0 && hi < hi_) {
    lo = hi;
    glo = ghi;
    step *= 2;
    hi = std::min(hi + step, hi_);
    ghi = g(hi);
  }
  if (glo > 0 || ghi < 0) return kNaN;
  // Newton steps on the CDF with its density, kept inside the bracket.
  auto fn = [&](double x) {
    double F, Fc, f;
    cdf_pdf(x, upper ? nullptr : &F, upper ? &Fc : nullptr, &f);
    return std::make_pair(upper ? target - Fc : F - target, f);
  };
  boost::uintmax_t iter = 200;
  const double guess = glo == 0 ? lo : (ghi == 0 ? hi : lo + (hi - lo) * (-glo) / (ghi - glo));
  return boost::math::tools::newton_raphson_iterate(fn, guess, lo, hi, 48, iter);
}

double NormalMixture::mean() const {
  double s = 0;
  for (std::size_t j = 0; j < w_.size(); ++j) s += w_[j] * m_[j];
  return s;
}

double NormalMixture::sd() const {
  const double mu = mean();
  double s = 0;
  for (std::size_t j = 0; j < w_.size(); ++j) {
    const double d = m_[j] - mu;
    s += w_[j] * (d * d + s_[j] * s_[j]);
  }
  return std::sqrt(s);
}

double NormalMixture::mode() const {
  double lo = quantile(0.1), hi = quantile(0.9);
  if (!(lo < hi)) return kNaN;
  auto r = boost::math::tools::brent_find_minima([&](double x) { return -density(x); }, lo, hi,
                                                 40);
  return r.first;
}

Interval NormalMixture::central(double level) const {
  const double a = (1 - level) / 2;
  return {quantile(a), quantile(1 - a)};
}

// The shortest interval has equal densities at its ends: a root in the lower tail
// probability p of f(Q(p + level)) - f(Q(p)).
Interval NormalMixture::shortest(double level) const {
  auto g = [&](double p) { return density(quantile(p + level)) - density(quantile(p)); };
  const double pmax = 1 - level, eps = 1e-12 * pmax;
  const double p = bisect_root(g, eps, pmax - eps, g(eps), g(pmax - eps));
  return {quantile(p), quantile(p + level)};
}

// ---------------------------------------------------------------------------------------
// BayesPosterior

BayesPosterior::BayesPosterior(const Eigen::Ref<const Eigen::VectorXd>& yi,
                               const Eigen::Ref<const Eigen::VectorXd>& vi,
                               const TauPrior& tau_prior, const MuPrior& mu_prior,
                               const BayesControl& control)
    : y_(yi), v_(vi), tau_prior_(tau_prior), mu_prior_(mu_prior), control_(control) {
  if (y_.size() < 1 || y_.size() != v_.size()) {
    throw std::invalid_argument("bayes: yi and vi must have the same positive length");
  }
  if (tau_prior_.family == TauPriorFamily::custom && !tau_prior_.density) {
    throw std::invalid_argument("bayes: a custom tau prior needs a density");
  }
  // Centre and scale of the data, for the map of log(tau) and the error criteria.
  double sw = 0, swy = 0;
  std::vector<double> vs(v_.data(), v_.data() + v_.size());
  std::nth_element(vs.begin(), vs.begin() + vs.size() / 2, vs.end());
  const double vmed = vs[vs.size() / 2];
  for (Eigen::Index i = 0; i < y_.size(); ++i) {
    sw += 1 / v_[i];
    swy += y_[i] / v_[i];
  }
  ybar_ = swy / sw;
  yscale_ = std::sqrt(1 / sw);
  tscale_ = std::sqrt(vmed);
  // Centre the map at the DerSimonian-Laird tau when it is clearly positive.
  double Q = 0, sw2 = 0;
  for (Eigen::Index i = 0; i < y_.size(); ++i) {
    Q += (y_[i] - ybar_) * (y_[i] - ybar_) / v_[i];
    sw2 += 1 / (v_[i] * v_[i]);
  }
  const double k = static_cast<double>(y_.size());
  const double tau2_dl = k > 1 ? std::max(0.0, (Q - (k - 1)) / (sw - sw2 / sw)) : 0.0;
  u0_ = tau2_dl > 0.01 * vmed ? 0.5 * std::log(tau2_dl) : 0.5 * std::log(vmed) - 1;
  if (tau_prior_.family == TauPriorFamily::custom) normalise_custom_prior();
  set_tail();
  if (status_ != BayesStatus::ok) return;
  integrate();
}

double BayesPosterior::log_prior_raw(double tau) const {
  const TauPrior& p = tau_prior_;
  if (tau < 0) return -kInf;
  switch (p.family) {
    case TauPriorFamily::half_normal: {
      const double z = tau / p.scale;
      return std::log(2.0) - kLogSqrt2Pi - std::log(p.scale) - 0.5 * z * z;
    }
    case TauPriorFamily::half_cauchy: {
      const double z = tau / p.scale;
      return std::log(2 / M_PI) - std::log(p.scale) - std::log1p(z * z);
    }
    case TauPriorFamily::half_t:
      return std::log(2.0) + log_t_density(tau / p.scale, p.df) - std::log(p.scale);
    case TauPriorFamily::lognormal_tau2: {
      if (tau == 0) return -kInf;
      // log(tau) ~ N(location / 2, (scale / 2)^2)
      const double s = p.scale / 2, z = (std::log(tau) - p.location / 2) / s;
      return -std::log(tau) - std::log(s) - kLogSqrt2Pi - 0.5 * z * z;
    }
    case TauPriorFamily::log_t_tau2: {
      if (tau == 0) return kInf;
      const double s = p.scale / 2, z = (std::log(tau) - p.location / 2) / s;
      return -std::log(tau) - std::log(s) + log_t_density(z, p.df);
    }
    case TauPriorFamily::uniform:
      if (tau > p.upper) return -kInf;
      return std::isfinite(p.upper) ? -std::log(p.upper) : 0.0;
    case TauPriorFamily::jeffreys: {
      if (tau == 0) return -kInf;
      double s = 0;
      for (Eigen::Index i = 0; i < v_.size(); ++i) {
        const double r = tau / (v_[i] + tau * tau);
        s += r * r;
      }
      return 0.5 * std::log(s);
    }
    case TauPriorFamily::custom: {
      const double d = p.density(tau);
      if (!(d >= 0) || !std::isfinite(d)) return kNaN;
      return std::log(d);
    }
  }
  return kNaN;
}

double BayesPosterior::log_prior(double tau) const {
  return log_prior_raw(tau) - log_prior_norm_;
}

// A custom density is normalised by exp-sinh quadrature over [0, inf); when the
// integral does not settle it is taken as improper (and used unnormalised).
void BayesPosterior::normalise_custom_prior() {
  bool bad = false;
  auto f = [&](double t) {
    const double d = tau_prior_.density(t);
    if (!(d >= 0) || !std::isfinite(d)) {
      bad = true;
      return 0.0;
    }
    return d;
  };
  double total = kNaN, err = kInf, l1 = 0;
  try {
    boost::math::quadrature::exp_sinh<double> integrator;
    total = integrator.integrate(f, 0.0, kInf, 1e-10, &err, &l1);
  } catch (const std::exception&) {
    total = kNaN;
  }
  if (bad) {
    status_ = BayesStatus::prior_invalid;
    return;
  }
  prior_proper_ = std::isfinite(total) && total > 0 && err <= 1e-6 * total;
  log_prior_norm_ = prior_proper_ ? std::log(total) : 0.0;
}

// Tail of prior x likelihood as tau -> infinity: the likelihood with mu integrated out
// falls as tau^-(k - 1) (uniform mu prior) or tau^-k (normal mu prior).
void BayesPosterior::set_tail() {
  const double k = static_cast<double>(y_.size());
  const double lik = mu_prior_.normal ? -k : -(k - 1);
  double a = 0;
  light_tail_ = false;
  log_tail_ = false;
  switch (tau_prior_.family) {
    case TauPriorFamily::half_normal:
    case TauPriorFamily::lognormal_tau2:
      light_tail_ = true;
      break;
    case TauPriorFamily::half_cauchy: a = -2; break;
    case TauPriorFamily::half_t: a = -(tau_prior_.df + 1); break;
    case TauPriorFamily::log_t_tau2:
      a = -1;
      log_tail_ = true;
      break;
    case TauPriorFamily::uniform:
      if (std::isfinite(tau_prior_.upper)) {
        light_tail_ = true;
      } else {
        prior_proper_ = false;
      }
      break;
    case TauPriorFamily::jeffreys:
      a = -1;
      prior_proper_ = false;
      break;
    case TauPriorFamily::custom:
      if (prior_proper_) {
        custom_tail(&a);
      } else {
        a = 0;  // improper: taken as flat
      }
      break;
  }
  tail_ = a + lik;
  const bool proper = light_tail_ || tail_ < -1 || (tail_ == -1 && log_tail_);
  if (!proper) status_ = BayesStatus::improper_posterior;
}

// The tail of a proper custom density, read off its log-log slope far beyond the data
// (the moments of tau, mu and theta exist or not by it). A density that vanishes there
// has a light tail; a slope is made 0.05 heavier so that a tail on the boundary of a
// moment counts as too heavy; failing that, the heaviest tail a proper density can
// have (tau^-1 times a vanishing log factor).
void BayesPosterior::custom_tail(double* a) {
  *a = -1;
  log_tail_ = true;
  const double c = std::max({1.0, tscale_, std::abs(ybar_)});
  const double t1 = 1e6 * c, t2 = 1e8 * c;
  const double d1 = tau_prior_.density(t1), d2 = tau_prior_.density(t2);
  if (!(d1 >= 0 && d2 >= 0) || !std::isfinite(d1) || !std::isfinite(d2)) return;
  if (d2 == 0) {
    light_tail_ = true;
    return;
  }
  if (d1 == 0) return;
  const double slope = std::log(d2 / d1) / std::log(t2 / t1);
  if (slope < -1.05) {
    *a = slope + 0.05;
    log_tail_ = false;
  }
}

bool BayesPosterior::tau_moment_finite(int r) const {
  return light_tail_ || tail_ + r < -1 || (tail_ + r == -1 && log_tail_);
}

// log p(y | tau) with mu integrated out; also the conditional mean and variance of mu.
double BayesPosterior::log_likelihood(double tau, double* mu_hat, double* mu_var) const {
  const double t2 = tau * tau;
  const Eigen::Index k = y_.size();
  double sw = 0, swy = 0, slogv = 0;
  for (Eigen::Index i = 0; i < k; ++i) {
    const double v = v_[i] + t2, w = 1 / v;
    sw += w;
    swy += w * y_[i];
    slogv += std::log(v);
  }
  double A = sw, B = swy;
  if (mu_prior_.normal) {
    const double p = 1 / (mu_prior_.sd * mu_prior_.sd);
    A += p;
    B += p * mu_prior_.mean;
  }
  const double m = B / A;
  double q = 0;
  for (Eigen::Index i = 0; i < k; ++i) {
    const double d = y_[i] - m;
    q += d * d / (v_[i] + t2);
  }
  double ll;
  if (mu_prior_.normal) {
    const double d = (mu_prior_.mean - m) / mu_prior_.sd;
    q += d * d;
    ll = -0.5 * (k * kLog2Pi + slogv + 2 * std::log(mu_prior_.sd) + std::log(A) + q);
  } else {
    ll = -0.5 * ((k - 1) * kLog2Pi + slogv + std::log(A) + q);
  }
  if (mu_hat) *mu_hat = m;
  if (mu_var) *mu_var = 1 / A;
  return ll;
}

double BayesPosterior::tau_of_x(double x) const {
  return std::exp(u0_ + h_ * x / (1 - x * x));
}

double BayesPosterior::x_of_tau(double tau) const {
  if (tau <= 0) return -1;
  if (!std::isfinite(tau)) return 1;
  const double d = std::log(tau) - u0_;
  return 2 * d / (h_ + std::sqrt(h_ * h_ + 4 * d * d));
}

// log of prior x likelihood x d tau / dx at x in (-1, 1).
double BayesPosterior::log_integrand(double x, double* tau, double* mu_hat,
                                     double* mu_var) const {
  const double s = 1 - x * x, u = u0_ + h_ * x / s;
  const double t = std::exp(u);
  *tau = t;
  *mu_hat = *mu_var = kNaN;
  // Beyond 1e150, tau^2 overflows; the posterior there is negligible for any proper one.
  if (!(t > 0) || !(t < 1e150)) return -kInf;
  const double lp = log_prior(t);
  if (std::isnan(lp)) return kNaN;
  if (lp == -kInf) return -kInf;
  return lp + log_likelihood(t, mu_hat, mu_var) + u + std::log(h_ * (1 + x * x) / (s * s));
}

namespace {

// One Gauss-Kronrod panel: the nodes' values and its estimates of three integrals (the
// mass, the mass weighted by the centred conditional mean of mu, and by tau/(tau+s)).
struct Panel {
  double a, b;
  double logg[15], tau[15], mu[15], var[15];
  double K[3], err;
};

}  // namespace

void BayesPosterior::integrate() {
  const Rule& r = rule();
  bool invalid = false;
  auto evaluate = [&](Panel& p) {
    const double mid = 0.5 * (p.a + p.b), half = 0.5 * (p.b - p.a);
    for (int i = 0; i < 15; ++i) {
      p.logg[i] = log_integrand(mid + half * r.x[i], &p.tau[i], &p.mu[i], &p.var[i]);
      if (std::isnan(p.logg[i])) invalid = true;
    }
  };
  auto estimate = [&](Panel& p, double shift) {
    const double half = 0.5 * (p.b - p.a);
    double K[3] = {0, 0, 0}, G[3] = {0, 0, 0};
    for (int i = 0; i < 15; ++i) {
      const double g = std::exp(p.logg[i] - shift);
      if (g == 0) continue;
      const double c[3] = {g, g * (p.mu[i] - ybar_) / yscale_, g * p.tau[i] / (p.tau[i] + tscale_)};
      for (int m = 0; m < 3; ++m) {
        K[m] += r.wk[i] * c[m];
        G[m] += r.wg[i] * c[m];
      }
    }
    p.err = 0;
    for (int m = 0; m < 3; ++m) {
      p.K[m] = half * K[m];
      p.err = std::max(p.err, half * std::abs(K[m] - G[m]));
    }
  };

  // Initial panels: 16 equal ones in x, split at the upper end of a uniform prior.
  std::vector<double> cuts;
  for (int i = 0; i <= 16; ++i) cuts.push_back(-1 + i / 8.0);
  if (tau_prior_.family == TauPriorFamily::uniform && std::isfinite(tau_prior_.upper)) {
    const double xu = x_of_tau(tau_prior_.upper);
    cuts.push_back(xu);
    std::sort(cuts.begin(), cuts.end());
    cuts.erase(std::remove_if(cuts.begin(), cuts.end(), [&](double c) { return c > xu; }),
               cuts.end());
  }
  std::vector<Panel> panels;
  for (std::size_t i = 0; i + 1 < cuts.size(); ++i) {
    if (!(cuts[i + 1] > cuts[i])) continue;
    Panel p;
    p.a = cuts[i];
    p.b = cuts[i + 1];
    evaluate(p);
    panels.push_back(p);
  }
  auto max_log = [&](const Panel& p) {
    double m = -kInf;
    for (double l : p.logg) m = std::max(m, l);
    return m;
  };
  double shift = -kInf;
  for (const Panel& p : panels) shift = std::max(shift, max_log(p));
  if (invalid) {
    status_ = BayesStatus::prior_invalid;
    return;
  }
  if (!std::isfinite(shift)) {
    status_ = BayesStatus::not_converged;
    return;
  }
  for (Panel& p : panels) estimate(p, shift);

  const double tol = control_.rel_tol;
  for (;;) {
    double total = 0, err = 0;
    std::size_t worst = 0;
    for (std::size_t i = 0; i < panels.size(); ++i) {
      total += panels[i].K[0];
      err += panels[i].err;
      if (panels[i].err > panels[worst].err) worst = i;
    }
    error_ = total > 0 ? err / total : kInf;
    if (error_ <= tol) break;
    if (static_cast<int>(panels.size()) >= control_.max_panels || !(total > 0)) {
      status_ = BayesStatus::not_converged;
      break;
    }
    Panel left, right;
    left.a = panels[worst].a;
    left.b = right.a = 0.5 * (panels[worst].a + panels[worst].b);
    right.b = panels[worst].b;
    evaluate(left);
    evaluate(right);
    if (invalid) {
      status_ = BayesStatus::prior_invalid;
      return;
    }
    const double m = std::max(max_log(left), max_log(right));
    if (m > shift + 100) {  // rescale so that no weight can overflow
      shift = m;
      for (Panel& p : panels) estimate(p, shift);
    }
    estimate(left, shift);
    estimate(right, shift);
    panels[worst] = left;
    panels.push_back(right);
  }
  std::sort(panels.begin(), panels.end(), [](const Panel& p, const Panel& q) { return p.a < q.a; });

  double total = 0;
  for (const Panel& p : panels) total += p.K[0];
  shift_ = shift;
  log_z_ = shift + std::log(total);
  panel_a_.clear();
  panel_b_.clear();
  panel_mass_.clear();
  tau_.clear();
  weight_.clear();
  mu_hat_.clear();
  mu_var_.clear();
  for (const Panel& p : panels) {
    panel_a_.push_back(p.a);
    panel_b_.push_back(p.b);
    panel_mass_.push_back(p.K[0] / total);
    const double half = 0.5 * (p.b - p.a);
    for (int i = 0; i < 15; ++i) {
      const double w = half * r.wk[i] * std::exp(p.logg[i] - shift) / total;
      if (!(w > 0)) continue;
      tau_.push_back(p.tau[i]);
      weight_.push_back(w);
      mu_hat_.push_back(p.mu[i]);
      mu_var_.push_back(p.var[i]);
    }
  }
}

// Posterior mass of x in [a, b] (within one panel: the integrand is smooth there).
double BayesPosterior::partial_mass(double a, double b) const {
  const Rule& r = rule();
  const double mid = 0.5 * (a + b), half = 0.5 * (b - a);
  double s = 0, t, m, v;
  for (int i = 0; i < 15; ++i) {
    const double lg = log_integrand(mid + half * r.x[i], &t, &m, &v);
    s += r.wk[i] * std::exp(lg - log_z_);
  }
  return half * s;
}

double BayesPosterior::tau_density(double tau) const {
  if (status_ != BayesStatus::ok || tau < 0) return status_ == BayesStatus::ok ? 0.0 : kNaN;
  const double lp = log_prior(tau);
  if (lp == -kInf) return 0.0;
  if (lp == kInf) return kInf;
  return std::exp(lp + log_likelihood(tau, nullptr, nullptr) - log_z_);
}

double BayesPosterior::tau_cdf(double tau) const {
  if (status_ != BayesStatus::ok) return kNaN;
  if (tau <= 0) return 0.0;
  const double x = x_of_tau(tau);
  if (x >= 1) return 1.0;
  double s = 0;
  for (std::size_t j = 0; j < panel_a_.size(); ++j) {
    if (panel_b_[j] <= x) {
      s += panel_mass_[j];
    } else {
      if (panel_a_[j] < x) s += partial_mass(panel_a_[j], x);
      break;
    }
  }
  return std::min(1.0, s);
}

double BayesPosterior::tau_quantile(double p) const {
  if (status_ != BayesStatus::ok || !(p >= 0 && p <= 1)) return kNaN;
  if (p == 0) return 0.0;
  if (p == 1) return kInf;
  double cum = 0;
  std::size_t j = 0;
  for (; j + 1 < panel_a_.size(); ++j) {
    if (cum + panel_mass_[j] >= p) break;
    cum += panel_mass_[j];
  }
  const double a = panel_a_[j], b = panel_b_[j];
  auto g = [&](double x) { return cum + partial_mass(a, x) - p; };
  const double x = bisect_root(g, a, b, cum - p, cum + panel_mass_[j] - p);
  return tau_of_x(x);
}

double BayesPosterior::tau_moment(int r) const {
  if (status_ != BayesStatus::ok) return kNaN;
  if (!tau_moment_finite(r)) return kInf;
  double s = 0;
  for (std::size_t j = 0; j < tau_.size(); ++j) s += weight_[j] * std::pow(tau_[j], r);
  return s;
}

double BayesPosterior::tau_mode() const {
  if (status_ != BayesStatus::ok) return kNaN;
  const double f0 = tau_density(0);
  if (f0 == kInf) return 0.0;
  const double hi = tau_quantile(0.99);
  auto r = boost::math::tools::brent_find_minima(
      [&](double t) { return -tau_density(t); }, 0.0, hi, 40);
  // A density falling from tau = 0 leaves the minimiser within its tolerance of 0.
  return (f0 >= -r.second * (1 - 1e-10) || r.first < 1e-7 * hi) && f0 >= -r.second * (1 - 1e-6)
             ? 0.0
             : r.first;
}

Interval BayesPosterior::tau_shortest(double level) const {
  if (status_ != BayesStatus::ok) return {kNaN, kNaN};
  auto g = [&](double p) {
    return tau_density(tau_quantile(p + level)) - tau_density(tau_quantile(p));
  };
  const double pmax = 1 - level;
  const double g0 = g(0);
  if (!(g0 > 0)) return {0.0, tau_quantile(level)};  // density highest at tau = 0
  const double eps = 1e-12 * pmax;
  const double p = bisect_root(g, 0.0, pmax - eps, g0, g(pmax - eps));
  return {tau_quantile(p), tau_quantile(p + level)};
}

NormalMixture BayesPosterior::mixture(
    const std::function<void(int, double*, double*)>& component) const {
  const std::size_t n = tau_.size();
  std::vector<double> m(n), s(n);
  for (std::size_t j = 0; j < n; ++j) component(static_cast<int>(j), &m[j], &s[j]);
  return NormalMixture(weight_, m, s);
}

NormalMixture BayesPosterior::mu() const {
  return mixture([&](int j, double* m, double* s) {
    *m = mu_hat_[j];
    *s = std::sqrt(mu_var_[j]);
  });
}

NormalMixture BayesPosterior::predictive() const {
  return mixture([&](int j, double* m, double* s) {
    *m = mu_hat_[j];
    *s = std::sqrt(mu_var_[j] + tau_[j] * tau_[j]);
  });
}

// theta_i given tau and y: y_i shrunk towards the conditional mean of mu by
// B = v_i / (v_i + tau^2), with the uncertainty of mu carried along.
NormalMixture BayesPosterior::study(int i) const {
  if (i < 0 || i >= k()) throw std::out_of_range("bayes: study index out of range");
  const double vi = v_[i], yi = y_[i];
  return mixture([&](int j, double* m, double* s) {
    const double t2 = tau_[j] * tau_[j], b = vi / (vi + t2);
    *m = (1 - b) * yi + b * mu_hat_[j];
    *s = std::sqrt(vi * (1 - b) + b * b * mu_var_[j]);
  });
}

double BayesPosterior::log_marginal_likelihood() const {
  if (status_ != BayesStatus::ok || !mu_prior_.normal || !prior_proper_) return kNaN;
  return log_z_;
}

double BayesPosterior::bayes_factor_tau0() const {
  if (status_ != BayesStatus::ok || !prior_proper_) return kNaN;
  return std::exp(log_likelihood(0, nullptr, nullptr) - log_z_);
}

// Savage-Dickey: posterior over prior density of mu at 0 (mu's prior is independent of
// tau, so this is p(y | mu = 0) / p(y) whatever the tau prior's normalisation).
double BayesPosterior::bayes_factor_mu0() const {
  if (status_ != BayesStatus::ok || !mu_prior_.normal) return kNaN;
  const double z = (0 - mu_prior_.mean) / mu_prior_.sd;
  const double prior0 = std::exp(-0.5 * z * z - kLogSqrt2Pi) / mu_prior_.sd;
  return mu().density(0) / prior0;
}

// ---------------------------------------------------------------------------------------
// Summaries

namespace {

void fill(double* row, const NormalMixture& m, double level, bool shortest) {
  row[0] = m.mode();
  row[1] = m.quantile(0.5);
  row[2] = m.mean();
  row[3] = m.sd();
  const Interval c = m.central(level);
  row[4] = c.lower;
  row[5] = c.upper;
  Interval s = {kNaN, kNaN};
  if (shortest) s = m.shortest(level);
  row[6] = s.lower;
  row[7] = s.upper;
}

}  // namespace

BayesSummary summarise(const BayesPosterior& post, double level, double threshold,
                       bool shrinkage, bool shortest) {
  BayesSummary s;
  s.status = post.status();
  for (int i = 0; i < 8; ++i) s.tau[i] = s.mu[i] = s.theta[i] = kNaN;
  s.log_marginal = s.bf_tau0 = s.bf_mu0 = s.prob_below = kNaN;
  s.shrinkage.setConstant(shrinkage ? post.k() : 0, 8, kNaN);
  if (s.status != BayesStatus::ok) return s;
  const double a = (1 - level) / 2;
  s.tau[0] = post.tau_mode();
  s.tau[1] = post.tau_quantile(0.5);
  s.tau[2] = post.tau_moment(1);
  const double m2 = post.tau_moment(2);
  s.tau[3] = std::isfinite(m2) ? std::sqrt(std::max(0.0, m2 - s.tau[2] * s.tau[2])) : kInf;
  s.tau[4] = post.tau_quantile(a);
  s.tau[5] = post.tau_quantile(1 - a);
  if (shortest) {
    const Interval t = post.tau_shortest(level);
    s.tau[6] = t.lower;
    s.tau[7] = t.upper;
  }
  const NormalMixture mu = post.mu(), theta = post.predictive();
  fill(s.mu, mu, level, shortest);
  fill(s.theta, theta, level, shortest);
  // A heavy tau tail leaves mu and theta without mean or variance.
  const bool normal_mu = !std::isnan(post.bayes_factor_mu0());
  if (!normal_mu) {
    if (!post.tau_moment_finite(1)) s.mu[2] = kNaN;
    if (!post.tau_moment_finite(2)) s.mu[3] = kInf;
  }
  if (!post.tau_moment_finite(1)) s.theta[2] = kNaN;
  if (!post.tau_moment_finite(2)) s.theta[3] = kInf;
  s.log_marginal = post.log_marginal_likelihood();
  s.bf_tau0 = post.bayes_factor_tau0();
  s.bf_mu0 = post.bayes_factor_mu0();
  s.prob_below = mu.cdf(threshold);
  for (int i = 0; i < s.shrinkage.rows(); ++i) {
    double row[8];
    fill(row, post.study(i), level, shortest);
    for (int c = 0; c < 8; ++c) s.shrinkage(i, c) = row[c];
  }
  return s;
}

BayesBatchResult bayes_groups(const Eigen::Ref<const Eigen::VectorXd>& yi,
                              const Eigen::Ref<const Eigen::VectorXd>& vi,
                              const std::vector<Eigen::Index>& starts, const TauPrior& tau_prior,
                              const MuPrior& mu_prior, double level, double threshold,
                              const BayesControl& control, const BatchControl& ctl) {
  if (yi.size() != vi.size()) throw std::invalid_argument("yi and vi differ in length");
  if (starts.empty() || starts.front() != 0 || starts.back() != yi.size()) {
    throw std::invalid_argument("group starts must run from 0 to the number of studies");
  }
  const Eigen::Index n = static_cast<Eigen::Index>(starts.size()) - 1;
  BayesBatchResult out;
  for (Eigen::VectorXd* v : {&out.mu_median, &out.mu_mean, &out.mu_sd, &out.mu_lb, &out.mu_ub,
                             &out.pi_lb, &out.pi_ub, &out.tau_median, &out.tau_lb, &out.tau_ub,
                             &out.prob_below}) {
    v->setConstant(n, kNaN);
  }
  out.k.setZero(n);
  out.status.setZero(n);
  // A custom prior calls back into the caller (R): only on the calling thread.
  const int threads =
      tau_prior.family == TauPriorFamily::custom ? 1 : std::max(ctl.threads, 1);
  const Eigen::Index chunk = std::max<Eigen::Index>(ctl.chunk / 16, 1);
  const double a = (1 - level) / 2;
  for (Eigen::Index start = 0; start < n; start += chunk) {
    const Eigen::Index end = std::min(n, start + chunk);
#ifdef _OPENMP
#pragma omp parallel for num_threads(threads) schedule(dynamic, 4)
#endif
    for (Eigen::Index g = start; g < end; ++g) {
      const Eigen::Index s = starts[g], m = starts[g + 1] - s;
      out.k[g] = static_cast<int>(m);
      if (m < 1) {
        out.status[g] = static_cast<int>(BayesStatus::not_converged);
        continue;
      }
      try {
        const BayesPosterior post(yi.segment(s, m), vi.segment(s, m), tau_prior, mu_prior,
                                  control);
        out.status[g] = static_cast<int>(post.status());
        if (post.status() != BayesStatus::ok) continue;
        const NormalMixture mu = post.mu(), theta = post.predictive();
        out.mu_median[g] = mu.quantile(0.5);
        out.mu_mean[g] = mu.mean();
        out.mu_sd[g] = mu.sd();
        out.mu_lb[g] = mu.quantile(a);
        out.mu_ub[g] = mu.quantile(1 - a);
        out.pi_lb[g] = theta.quantile(a);
        out.pi_ub[g] = theta.quantile(1 - a);
        out.tau_median[g] = post.tau_quantile(0.5);
        out.tau_lb[g] = post.tau_quantile(a);
        out.tau_ub[g] = post.tau_quantile(1 - a);
        out.prob_below[g] = mu.cdf(threshold);
        if (!mu_prior.normal && !post.tau_moment_finite(1)) out.mu_mean[g] = kNaN;
        if (!mu_prior.normal && !post.tau_moment_finite(2)) out.mu_sd[g] = kInf;
      } catch (...) {  // never leave a parallel region by throwing
        out.status[g] = static_cast<int>(BayesStatus::not_converged);
      }
    }
    if (ctl.check_interrupt) ctl.check_interrupt();
    if (ctl.progress) ctl.progress(static_cast<double>(end) / static_cast<double>(n));
  }
  return out;
}

}  // namespace metapool
