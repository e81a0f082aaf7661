// Randomised robustness driver for every public entry point of the core (issue 7).
//
// Each test draws a fixed, bounded number of cases from a seeded std::mt19937_64, so a
// run is reproducible and takes seconds under AddressSanitizer and UBSan. Two kinds of
// input:
//   valid     random data inside the documented domain, including the extremes the
//             issue names (N up to 1e8, variances 1e-12..1e12, events 0 and n in both
//             arms, k = 1, k up to 1e6): the contract is checked (finite results where
//             the API promises them, weights summing to 1, tau^2 >= 0, the interval
//             containing the estimate, NaN only where documented);
//   malformed NaN (quiet, signalling and negative bit patterns), +-Inf, denormals,
//             +-0, 1e+-300, DBL_MAX, random bit patterns, negative and zero variances,
//             mismatched lengths, empty inputs, out-of-range indices and options: the
//             only contract is a std::invalid_argument or a return, never a crash, a
//             hang or a sanitizer report (the sanitizers abort the run on any finding).
// Every test prints "[robustness] <entry point>: N cases" (and records it as a
// GoogleTest property); tests/RELIABILITY.md quotes these counts.
#include <gtest/gtest.h>

#include <algorithm>
#include <cfloat>
#include <chrono>
#include <iomanip>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <limits>
#include <map>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "metapool/batch.hpp"
#include "metapool/convert.hpp"
#include "metapool/distributions.hpp"
#include "metapool/effect_sizes.hpp"
#include "metapool/mantel_haenszel.hpp"
#include "metapool/nnt.hpp"
#include "metapool/pool.hpp"

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::MatrixXi;
using Eigen::VectorXd;
using Eigen::VectorXi;

namespace {

typedef std::mt19937_64 Rng;
const std::uint64_t kSeed = 20240607;

// ---- bookkeeping ------------------------------------------------------------------------

// Case counts per entry point, and contract violations reported with their context
// (only the first few in full, so a systematic failure does not flood the log).
class Tally {
 public:
  explicit Tally(const char* test) : test_(test) {}
  ~Tally() {
    std::ostringstream all;
    for (const auto& kv : cases_) {
      std::cout << "[robustness] " << kv.first << ": " << kv.second << " cases ("
                << std::fixed << std::setprecision(2) << seconds_[kv.first] << " s)\n"
                << std::defaultfloat;
      all << kv.first << "=" << kv.second << " ";
      total_ += kv.second;
    }
    std::cout << "[robustness] " << test_ << " total: " << total_ << " cases, " << failures_
              << " contract violations\n";
    ::testing::Test::RecordProperty("cases", std::to_string(total_));
    ::testing::Test::RecordProperty("cases_by_entry_point", all.str());
    EXPECT_EQ(failures_, 0) << "contract violations in " << test_;
  }
  // Counts one case; the time since the previous count is charged to `entry` (the
  // tests call count() right after each entry point, so this is its run time).
  void count(const std::string& entry) {
    const auto now = std::chrono::steady_clock::now();
    ++cases_[entry];
    seconds_[entry] += std::chrono::duration<double>(now - last_).count();
    last_ = now;
  }
  void fail(const std::string& what) {
    if (++failures_ <= 25) ADD_FAILURE() << what;
  }

 private:
  const char* test_;
  std::map<std::string, long> cases_;
  std::map<std::string, double> seconds_;
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
  long failures_ = 0, total_ = 0;
};

#define CONTRACT(tally, cond, ctx)                                          \
  do {                                                                      \
    if (!(cond)) {                                                          \
      std::ostringstream os_;                                               \
      os_ << "violated: " #cond " [" << ctx << "]";                        \
      (tally).fail(os_.str());                                              \
    }                                                                       \
  } while (0)

// ---- random inputs ------------------------------------------------------------------------

double from_bits(std::uint64_t bits) {
  double x;
  std::memcpy(&x, &bits, sizeof x);
  return x;
}

double unif(Rng& rng, double lo, double hi) {
  return std::uniform_real_distribution<double>(lo, hi)(rng);
}
int unif_int(Rng& rng, int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }
double log_unif(Rng& rng, double lo, double hi) {
  return std::exp(unif(rng, std::log(lo), std::log(hi)));
}
double normal(Rng& rng) { return std::normal_distribution<double>(0.0, 1.0)(rng); }
bool coin(Rng& rng, double p = 0.5) { return std::bernoulli_distribution(p)(rng); }

// The floating-point values most likely to break arithmetic.
double special(Rng& rng) {
  static const double kValues[] = {
      std::numeric_limits<double>::quiet_NaN(),
      from_bits(0x7FF0000000000001ULL),  // signalling NaN
      from_bits(0x7FF4000000000000ULL),  // signalling NaN, another payload
      from_bits(0xFFF8000000000000ULL),  // negative quiet NaN
      from_bits(0x7FFFFFFFFFFFFFFFULL),  // NaN, all payload bits set
      std::numeric_limits<double>::infinity(),
      -std::numeric_limits<double>::infinity(),
      std::numeric_limits<double>::denorm_min(),
      -std::numeric_limits<double>::denorm_min(),
      from_bits(0x000FFFFFFFFFFFFFULL),  // largest denormal
      DBL_MIN, -DBL_MIN, DBL_MAX, -DBL_MAX, 0.0, -0.0, 1e-300, -1e-300, 1e300, -1e300,
      -1.0, 1e-12, 1e12, 1e8, 0.5, 1.0};
  const int n = sizeof kValues / sizeof kValues[0];
  if (coin(rng, 0.1)) return from_bits(rng());  // any bit pattern at all
  return kValues[unif_int(rng, 0, n - 1)];
}

// Replaces one to three entries (or, sometimes, all) with special values.
void poison(VectorXd* x, Rng& rng) {
  if (x->size() == 0) return;
  if (coin(rng, 0.1)) {
    for (Index i = 0; i < x->size(); ++i) (*x)[i] = special(rng);
    return;
  }
  const int hits = unif_int(rng, 1, 3);
  for (int h = 0; h < hits; ++h) (*x)[unif_int(rng, 0, static_cast<int>(x->size()) - 1)] = special(rng);
}

// A length for a malformed input: usually k, sometimes off by one or empty.
Index maybe_wrong_length(Rng& rng, Index k) {
  switch (unif_int(rng, 0, 9)) {
    case 0: return k + 1;
    case 1: return k > 0 ? k - 1 : 1;
    case 2: return 0;
    default: return k;
  }
}

// Study sizes: mostly moderate, sometimes huge (1e8) or the smallest allowed.
double study_size(Rng& rng, double min_n) {
  switch (unif_int(rng, 0, 5)) {
    case 0: return min_n;
    case 1: return 1e8;
    case 2: return std::round(log_unif(rng, 1e5, 1e8));
    default: return std::round(log_unif(rng, std::max(min_n, 1.0), 500.0));
  }
}

// Events in [0, n], with 0 and n (in either or both arms) far more often than chance.
double events_in(Rng& rng, double n) {
  switch (unif_int(rng, 0, 5)) {
    case 0: return 0.0;
    case 1: return n;
    default: return std::floor(unif(rng, 0.0, 1.0) * (n + 1.0) * 0.999999);
  }
}

// Valid effects and variances: a per-data-set variance scale anywhere in 1e-12..1e12,
// a spread of up to 1e3 inside the data set, effects on the scale of their SEs.
void valid_yv(Rng& rng, Index k, VectorXd* y, VectorXd* v) {
  y->resize(k);
  v->resize(k);
  const double scale = log_unif(rng, 1e-12, 1e12);
  const double spread = coin(rng, 0.3) ? 1.0 : log_unif(rng, 1.0, 1e3);
  const double tau = coin(rng, 0.3) ? 0.0 : std::sqrt(scale) * log_unif(rng, 1e-2, 10.0);
  const double mu = std::sqrt(scale) * normal(rng) * 3.0;
  const bool ties = coin(rng, 0.05);  // all effects equal: Q = 0
  const bool full_range = coin(rng, 0.1);  // variances anywhere in 1e-12..1e12 in one data set
  for (Index i = 0; i < k; ++i) {
    (*v)[i] = full_range ? log_unif(rng, 1e-12, 1e12) : scale * log_unif(rng, 1.0, spread);
    (*y)[i] = ties ? mu : mu + normal(rng) * std::sqrt((*v)[i] + tau * tau);
  }
}

const metapool::Tau2Method kMethods[] = {
    metapool::Tau2Method::fe,  metapool::Tau2Method::dl,   metapool::Tau2Method::dlit,
    metapool::Tau2Method::he,  metapool::Tau2Method::sj,   metapool::Tau2Method::ml,
    metapool::Tau2Method::reml, metapool::Tau2Method::eb,  metapool::Tau2Method::hs,
    metapool::Tau2Method::hsk, metapool::Tau2Method::pm,   metapool::Tau2Method::pmm,
    metapool::Tau2Method::fixed};
const char* const kMethodNames[] = {"fe", "dl",  "dlit", "he", "sj", "ml",   "reml",
                                    "eb", "hs",  "hsk",  "pm", "pmm", "fixed"};
const metapool::CiMethod kCis[] = {metapool::CiMethod::z, metapool::CiMethod::t,
                                   metapool::CiMethod::hksj, metapool::CiMethod::hksj_adhoc};
const metapool::PiMethod kPis[] = {metapool::PiMethod::z, metapool::PiMethod::t_k1,
                                   metapool::PiMethod::t_k2};
const metapool::Tau2CiMethod kTau2Cis[] = {metapool::Tau2CiMethod::none,
                                           metapool::Tau2CiMethod::q_profile,
                                           metapool::Tau2CiMethod::profile_likelihood};

metapool::PoolOptions random_options(Rng& rng) {
  metapool::PoolOptions o;
  o.method = kMethods[unif_int(rng, 0, 12)];
  o.ci = kCis[unif_int(rng, 0, 3)];
  o.pi = kPis[unif_int(rng, 0, 2)];
  o.tau2_ci = kTau2Cis[unif_int(rng, 0, 2)];
  o.level = coin(rng) ? 0.95 : unif(rng, 0.5, 0.999);
  o.tau2_fixed = coin(rng, 0.2) ? 0.0 : log_unif(rng, 1e-6, 1.0);
  return o;
}

// Control settings outside the documented domain (R validates them; the core must
// still return, not hang or crash).
void poison_control(metapool::PoolOptions* o, Rng& rng) {
  switch (unif_int(rng, 0, 6)) {
    case 0: o->control.tol = special(rng); break;
    case 1: o->control.max_iter = unif_int(rng, -5, 1); break;
    case 2: o->control.tau2_init = special(rng); break;
    case 3: o->control.step_adj = special(rng); break;
    case 4: o->level = special(rng); break;
    case 5: o->tau2_fixed = special(rng); break;
    default:
      o->control.tol = std::numeric_limits<double>::quiet_NaN();
      o->control.max_iter = -1;
      break;
  }
}

bool is_fin(double x) { return std::isfinite(x); }

// Contract of a fit from valid data (one group unless `groups` > 1).
void check_fit(Tally& t, const metapool::PoolFit& f, const metapool::PoolOptions& o, Index k,
               int groups, const std::string& ctx) {
  CONTRACT(t, f.k == k, ctx);
  CONTRACT(t, is_fin(f.tau2) && f.tau2 >= 0, ctx);
  CONTRACT(t, is_fin(f.Q) && f.Q >= 0, ctx);
  CONTRACT(t, f.Q_df == 0 ? std::isnan(f.Q_p) : f.Q_p >= 0 && f.Q_p <= 1, ctx);
  CONTRACT(t, is_fin(f.I2) && f.I2 >= -1e-9 && f.I2 <= 100 + 1e-9, ctx);
  CONTRACT(t, is_fin(f.H2), ctx);
  CONTRACT(t, f.weights.size() == k, ctx);
  if (f.weights.size() == k) {
    CONTRACT(t, std::fabs(f.weights.sum() - groups) <= 1e-9 * groups, ctx << " sum(w)=" << f.weights.sum());
    CONTRACT(t, (f.weights.array() >= 0).all(), ctx);
  }
  for (Index g = 0; g < f.group_estimate.size(); ++g) {
    CONTRACT(t, is_fin(f.group_estimate[g]) && is_fin(f.group_se[g]) && f.group_se[g] > 0, ctx);
  }
  if (groups > 1) return;
  CONTRACT(t, is_fin(f.estimate), ctx);
  CONTRACT(t, is_fin(f.se) && f.se >= 0, ctx);
  CONTRACT(t, f.ci_lb <= f.estimate && f.estimate <= f.ci_ub, ctx << " ci=" << f.ci_lb << "," << f.ci_ub);
  CONTRACT(t, f.p >= 0 && f.p <= 1, ctx << " p=" << f.p);
  // Prediction interval: NaN exactly where documented (no tau^2 model, one study, or
  // too few degrees of freedom for its t quantile); otherwise around the estimate.
  const double pi_df = o.pi == metapool::PiMethod::t_k1 ? k - 1.0 : k - 2.0;
  const bool pi_nan = o.method == metapool::Tau2Method::fe ||
                      (k == 1 && o.method != metapool::Tau2Method::fixed) ||
                      (o.pi != metapool::PiMethod::z && pi_df < 1);
  if (pi_nan) {
    CONTRACT(t, std::isnan(f.pi_lb) && std::isnan(f.pi_ub), ctx);
  } else {
    CONTRACT(t, f.pi_lb <= f.estimate && f.estimate <= f.pi_ub, ctx << " pi=" << f.pi_lb << "," << f.pi_ub);
  }
  const bool random = o.method != metapool::Tau2Method::fe && o.method != metapool::Tau2Method::fixed;
  if (random && k > 1 && o.tau2_ci != metapool::Tau2CiMethod::none) {
    CONTRACT(t, is_fin(f.tau2_lb) && is_fin(f.tau2_ub) && 0 <= f.tau2_lb && f.tau2_lb <= f.tau2_ub,
             ctx << " tau2 ci=" << f.tau2_lb << "," << f.tau2_ub << " tau2=" << f.tau2);
  }
}

std::string describe(const metapool::PoolOptions& o, Index k, int c) {
  std::ostringstream os;
  os << "case " << c << " method=" << kMethodNames[static_cast<int>(o.method)]
     << " ci=" << static_cast<int>(o.ci) << " pi=" << static_cast<int>(o.pi)
     << " tau2_ci=" << static_cast<int>(o.tau2_ci) << " level=" << o.level << " k=" << k;
  return os.str();
}

}  // namespace

// ---- distributions -------------------------------------------------------------------------

TEST(Robustness, Distributions) {
  Tally t("Robustness.Distributions");
  Rng rng(kSeed);
  for (int c = 0; c < 4000; ++c) {
    const bool bad = coin(rng, 0.3);
    const double p = bad ? special(rng) : unif(rng, 1e-12, 1 - 1e-12);
    const double df = bad && coin(rng) ? special(rng) : std::round(log_unif(rng, 1, 1e6));
    const double q1 = metapool::qnorm_upper(p);
    const double q2 = metapool::z_crit(p);
    const double q3 = metapool::pnorm_two_sided(bad ? special(rng) : normal(rng) * 10);
    const double q4 = metapool::t_quantile(df, p);
    const double q5 = metapool::chisq_quantile(df, p);
    t.count("qnorm_upper");
    t.count("z_crit");
    t.count("pnorm_two_sided");
    t.count("t_quantile");
    t.count("chisq_quantile");
    if (!bad) {
      CONTRACT(t, is_fin(q1) && is_fin(q2) && q3 >= 0 && q3 <= 1, "case " << c);
      CONTRACT(t, is_fin(q4) && is_fin(q5) && q5 >= 0, "case " << c << " df=" << df << " p=" << p);
    }
  }
}

// A NaN level once poisoned the thread's quantile cache: a key (df, NaN) compares
// equivalent to (df, p) for every p in std::map, so a later valid lookup with the same
// df could return the cached NaN. Each check runs in a fresh thread (fresh cache).
TEST(Robustness, NanArgumentsDoNotPoisonTheQuantileCache) {
  double t_after = 0, c_after = 0, t_nan_df = 0, ci_lb = 0;
  std::thread([&] {
    (void)metapool::t_quantile(11.0, std::nan(""));
    t_after = metapool::t_quantile(11.0, 0.975);
  }).join();
  std::thread([&] {
    (void)metapool::chisq_quantile(11.0, std::nan(""));
    c_after = metapool::chisq_quantile(11.0, 0.975);
  }).join();
  std::thread([&] {
    (void)metapool::t_quantile(std::nan(""), 0.975);
    t_nan_df = metapool::t_quantile(11.0, 0.975);
  }).join();
  std::thread([&] {
    // Through pool(): a fit with level = NaN, then a valid t-based fit with the same df.
    metapool::PoolOptions o;
    o.ci = metapool::CiMethod::t;
    o.level = std::nan("");
    const VectorXd y = (VectorXd(8) << 0.1, 0.3, -0.2, 0.5, 0.0, 0.2, 0.4, -0.1).finished();
    const VectorXd v = VectorXd::Constant(8, 0.04);
    (void)metapool::pool(y, v, {}, o);
    o.level = 0.95;
    ci_lb = metapool::pool(y, v, {}, o).ci_lb;
  }).join();
  EXPECT_NEAR(t_after, 2.200985160091639, 1e-12);   // R: qt(0.975, 11)
  EXPECT_NEAR(c_after, 21.92004926102121, 1e-10);   // R: qchisq(0.975, 11)
  EXPECT_NEAR(t_nan_df, 2.200985160091639, 1e-12);
  EXPECT_TRUE(std::isfinite(ci_lb));
}

// ---- effect sizes ---------------------------------------------------------------------------

TEST(Robustness, EffectSizes) {
  Tally t("Robustness.EffectSizes");
  Rng rng(kSeed + 1);
  const metapool::SmdCorrection corrections[] = {metapool::SmdCorrection::exact,
                                                 metapool::SmdCorrection::approx,
                                                 metapool::SmdCorrection::none};
  const metapool::SmdVariance variances[] = {metapool::SmdVariance::ls, metapool::SmdVariance::ub,
                                             metapool::SmdVariance::ls2, metapool::SmdVariance::ls3};
  for (int c = 0; c < 3000; ++c) {
    const bool bad = coin(rng, 0.4);
    const Index k = coin(rng, 0.05) ? 0 : unif_int(rng, 1, 40);
    VectorXd m1(k), sd1(k), n1(k), m2(k), sd2(k), n2(k);
    const double sd_scale = log_unif(rng, 1e-6, 1e6);
    for (Index i = 0; i < k; ++i) {
      n1[i] = study_size(rng, 2);
      n2[i] = study_size(rng, 2);
      sd1[i] = sd_scale * log_unif(rng, 0.1, 10);
      sd2[i] = sd_scale * log_unif(rng, 0.1, 10);
      m1[i] = sd_scale * normal(rng) * 3;
      m2[i] = sd_scale * normal(rng) * 3;
    }
    const auto corr = corrections[c % 3];
    const auto var = variances[(c / 3) % 4];
    const auto mdv = coin(rng) ? metapool::MdVariance::pooled : metapool::MdVariance::unpooled;
    if (bad) {
      VectorXd* all[] = {&m1, &sd1, &n1, &m2, &sd2, &n2};
      poison(all[unif_int(rng, 0, 5)], rng);
      if (coin(rng)) poison(all[unif_int(rng, 0, 5)], rng);
      if (coin(rng, 0.2)) n1.resize(maybe_wrong_length(rng, k));
    }
    const Index ko = bad && coin(rng, 0.1) ? maybe_wrong_length(rng, k) : k;
    VectorXd yi(ko), vi(ko);
    const bool lengths_ok = n1.size() == k && ko == k;
    std::ostringstream ctx;
    ctx << "case " << c << " k=" << k;
    try {
      metapool::smd(m1, sd1, n1, m2, sd2, n2, corr, var, {yi, vi});
      CONTRACT(t, lengths_ok, ctx.str() << " smd accepted mismatched lengths");
      if (!bad) {
        for (Index i = 0; i < k; ++i) {
          CONTRACT(t, is_fin(yi[i]) && is_fin(vi[i]) && vi[i] > 0,
                   ctx.str() << " smd i=" << i << " yi=" << yi[i] << " vi=" << vi[i]);
        }
      }
    } catch (const std::invalid_argument&) {
      CONTRACT(t, !lengths_ok, ctx.str() << " smd threw on equal lengths");
    }
    t.count("smd");
    try {
      metapool::md(m1, sd1, n1, m2, sd2, n2, mdv, {yi, vi});
      CONTRACT(t, lengths_ok, ctx.str() << " md accepted mismatched lengths");
      if (!bad) {
        for (Index i = 0; i < k; ++i) {
          CONTRACT(t, is_fin(yi[i]) && is_fin(vi[i]) && vi[i] > 0, ctx.str() << " md i=" << i);
        }
      }
    } catch (const std::invalid_argument&) {
      CONTRACT(t, !lengths_ok, ctx.str() << " md threw on equal lengths");
    }
    t.count("md");
    // Wald limits of whatever came out (malformed: any values, any lengths).
    VectorXd lb(lengths_ok ? ko : maybe_wrong_length(rng, ko)), ub(ko);
    const double level = bad ? special(rng) : unif(rng, 0.5, 0.999);
    try {
      metapool::wald_interval(yi, vi, level, lb, ub);
      if (!bad) {
        for (Index i = 0; i < k; ++i) CONTRACT(t, lb[i] <= yi[i] && yi[i] <= ub[i], ctx.str());
      }
    } catch (const std::invalid_argument&) {
      CONTRACT(t, lb.size() != ko, ctx.str() << " wald threw on equal lengths");
    }
    t.count("wald_interval");
    // J over its whole domain, including the series / Boost switch at m = 201.
    const double m = bad ? special(rng) : (coin(rng) ? unif(rng, 1.0001, 400) : log_unif(rng, 2, 2e8));
    const double je = metapool::hedges_j_exact(m), ja = metapool::hedges_j_approx(m);
    if (!bad) CONTRACT(t, je > 0 && je < 1 && ja < 1 && std::fabs(je - ja) < 0.05, "m=" << m);
    t.count("hedges_j_exact");
    t.count("hedges_j_approx");
  }
}

TEST(Robustness, BinaryEffects) {
  Tally t("Robustness.BinaryEffects");
  Rng rng(kSeed + 2);
  const metapool::BinaryMeasure measures[] = {metapool::BinaryMeasure::risk_ratio,
                                              metapool::BinaryMeasure::odds_ratio,
                                              metapool::BinaryMeasure::risk_difference};
  const metapool::ZeroCellRule rules[] = {metapool::ZeroCellRule::only0, metapool::ZeroCellRule::all,
                                          metapool::ZeroCellRule::if0all, metapool::ZeroCellRule::none};
  for (int c = 0; c < 4000; ++c) {
    const bool bad = coin(rng, 0.35);
    const Index k = coin(rng, 0.03) ? 0 : unif_int(rng, 1, 30);
    VectorXd e1(k), n1(k), e2(k), n2(k);
    for (Index i = 0; i < k; ++i) {
      n1[i] = study_size(rng, 1);
      n2[i] = study_size(rng, 1);
      e1[i] = events_in(rng, n1[i]);
      e2[i] = events_in(rng, n2[i]);
      if (coin(rng, 0.1)) e1[i] = e2[i] = 0;                    // double zero
      if (coin(rng, 0.1)) { e1[i] = n1[i]; e2[i] = n2[i]; }     // all events in both arms
    }
    if (bad) {
      VectorXd* all[] = {&e1, &n1, &e2, &n2};
      poison(all[unif_int(rng, 0, 3)], rng);
      if (k > 0 && coin(rng, 0.3)) e1[0] = n1[0] + 5;  // events > n
      if (coin(rng, 0.2)) n2.resize(maybe_wrong_length(rng, k));
    }
    const bool lengths_ok = n2.size() == k;
    metapool::ZeroCellOptions zero;
    zero.to = rules[c % 4];
    zero.add = coin(rng, 0.2) ? 0.0 : (coin(rng) ? 0.5 : log_unif(rng, 1e-6, 1));
    if (bad && coin(rng, 0.2)) zero.add = special(rng);
    zero.drop00 = coin(rng);
    const auto measure = measures[(c / 4) % 3];
    std::ostringstream ctx;
    ctx << "case " << c << " k=" << k << " measure=" << static_cast<int>(measure)
        << " rule=" << static_cast<int>(zero.to) << " add=" << zero.add;

    try {
      const metapool::TwoByTwo tt = metapool::zero_corrected(e1, n1, e2, n2, zero);
      CONTRACT(t, lengths_ok, ctx.str());
      CONTRACT(t, tt.a.size() == k && tt.corrected.size() == k && tt.dropped.size() == k, ctx.str());
    } catch (const std::invalid_argument&) {
      CONTRACT(t, !lengths_ok, ctx.str());
    }
    t.count("zero_corrected");

    const Index ko = bad && coin(rng, 0.1) ? maybe_wrong_length(rng, k) : k;
    VectorXd yi(ko), vi(ko);
    VectorXi corrected(k), estimable(k);
    try {
      metapool::binary_effect(e1, n1, e2, n2, measure, zero, {yi, vi}, {corrected, estimable});
      CONTRACT(t, lengths_ok && ko == k, ctx.str());
      for (Index i = 0; i < k; ++i) {
        // Not estimable <=> NaN, for any input.
        CONTRACT(t, (estimable[i] == 1) == (is_fin(yi[i]) && is_fin(vi[i]) && vi[i] > 0),
                 ctx.str() << " i=" << i);
        if (bad) continue;
        // With a positive correction applied to zero cells, every kept study is estimable.
        const bool kept = !(zero.drop00 && ((e1[i] == 0 && e2[i] == 0) ||
                                            (e1[i] == n1[i] && e2[i] == n2[i])));
        if (kept && zero.add > 0 && zero.to != metapool::ZeroCellRule::none) {
          CONTRACT(t, estimable[i] == 1, ctx.str() << " i=" << i << " e1=" << e1[i] << "/" << n1[i]
                                                   << " e2=" << e2[i] << "/" << n2[i]);
        }
        if (measure == metapool::BinaryMeasure::risk_difference && estimable[i]) {
          CONTRACT(t, std::fabs(yi[i]) <= 1.0, ctx.str());
        }
      }
    } catch (const std::invalid_argument&) {
      CONTRACT(t, !(lengths_ok && ko == k), ctx.str());
    }
    t.count("binary_effect");
  }
}

// ---- NNT -------------------------------------------------------------------------------------

TEST(Robustness, Nnt) {
  Tally t("Robustness.Nnt");
  Rng rng(kSeed + 3);
  const metapool::NntScale scales[] = {metapool::NntScale::risk_difference,
                                       metapool::NntScale::log_risk_ratio,
                                       metapool::NntScale::log_odds_ratio, metapool::NntScale::smd};
  for (int c = 0; c < 4000; ++c) {
    const bool bad = coin(rng, 0.3);
    const auto scale = scales[c % 4];
    const Index k = coin(rng, 0.03) ? 0 : unif_int(rng, 1, 20);
    VectorXd th(k), lb(k), ub(k), acr(k);
    for (Index i = 0; i < k; ++i) {
      // Effects up to +-1000 on the log scale (exp overflows) and ACR 0 and 1 included.
      const double spread = coin(rng, 0.1) ? 1000.0 : 3.0;
      th[i] = scale == metapool::NntScale::risk_difference ? unif(rng, -1, 1) : normal(rng) * spread;
      const double half = std::fabs(normal(rng));
      lb[i] = th[i] - half;
      ub[i] = th[i] + half;
      acr[i] = coin(rng, 0.1) ? 0.0 : coin(rng, 0.1) ? 1.0 : unif(rng, 0, 1);
      if (scale == metapool::NntScale::risk_difference && coin(rng, 0.3)) acr[i] = std::nan("");
    }
    if (bad) {
      VectorXd* all[] = {&th, &lb, &ub, &acr};
      poison(all[unif_int(rng, 0, 3)], rng);
      if (coin(rng, 0.2)) acr.resize(maybe_wrong_length(rng, k));
    }
    const bool beneficial = coin(rng);
    std::ostringstream ctx;
    ctx << "case " << c << " scale=" << static_cast<int>(scale);
    try {
      const metapool::NntResult r = metapool::nnt(th, lb, ub, acr, scale, beneficial);
      CONTRACT(t, acr.size() == k, ctx.str());
      if (!bad) {
        for (Index i = 0; i < k; ++i) {
          CONTRACT(t, is_fin(r.benefit[i]) && std::fabs(r.benefit[i]) <= 1 + 1e-12,
                   ctx.str() << " theta=" << th[i] << " acr=" << acr[i] << " benefit=" << r.benefit[i]);
          CONTRACT(t, r.benefit_lb[i] <= r.benefit[i] + 1e-12 && r.benefit[i] <= r.benefit_ub[i] + 1e-12,
                   ctx.str() << " theta=" << th[i] << " acr=" << acr[i]);
        }
      }
    } catch (const std::invalid_argument&) {
      CONTRACT(t, acr.size() != k, ctx.str());
    }
    t.count("nnt");
    bool bounded = false;
    const double x = bad ? special(rng) : normal(rng) * 5;
    const double a = bad ? special(rng) : unif(rng, 0, 1);
    const double r = metapool::implied_risk_change(x, a, scale, &bounded);
    if (!bad) CONTRACT(t, is_fin(r) && std::fabs(r) <= 1, ctx.str() << " x=" << x << " acr=" << a);
    t.count("implied_risk_change");
  }
}

// The Handbook conversions (convert.hpp): valid reports give finite positive standard
// errors and SDs; poisoned values give NaN, never a crash; wrong lengths and group
// indices throw std::invalid_argument.
TEST(Robustness, Conversions) {
  Tally t("Robustness.Conversions");
  Rng rng(kSeed + 17);
  const metapool::FivenumMethod methods[] = {metapool::FivenumMethod::luo_shi,
                                             metapool::FivenumMethod::wan,
                                             metapool::FivenumMethod::hozo};
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (int c = 0; c < 3000; ++c) {
    const bool bad = coin(rng, 0.3);
    const Index k = coin(rng, 0.03) ? 0 : unif_int(rng, 1, 15);
    std::ostringstream ctx;
    ctx << "case " << c;
    // se_from_report: one of se, CI, statistic, p per row; log scale half the time.
    VectorXd est(k), se(k), lb(k), ub(k), st(k), p(k), df(k), level(k);
    const bool log_scale = coin(rng);
    for (Index i = 0; i < k; ++i) {
      const double y = normal(rng) * 2, s = log_unif(rng, 1e-3, 10);
      est[i] = log_scale ? std::exp(y) : y;
      se[i] = lb[i] = ub[i] = st[i] = p[i] = nan;
      level[i] = unif(rng, 0.5, 0.999);
      df[i] = coin(rng) ? nan : unif_int(rng, 1, 500);
      switch (unif_int(rng, 0, 3)) {
        case 0: se[i] = s; break;
        case 1: {
          const double z = metapool::two_sided_critical(level[i], df[i]);
          lb[i] = log_scale ? std::exp(y - z * s) : y - z * s;
          ub[i] = log_scale ? std::exp(y + z * s) : y + z * s;
          break;
        }
        case 2: st[i] = normal(rng) * 3 + 0.1; break;
        default: p[i] = unif(rng, 1e-12, 0.999);
      }
    }
    if (bad) {
      VectorXd* all[] = {&est, &se, &lb, &ub, &st, &p, &df, &level};
      poison(all[unif_int(rng, 0, 7)], rng);
      if (coin(rng, 0.2)) level.resize(maybe_wrong_length(rng, k));
    }
    try {
      const metapool::SeResult r =
          metapool::se_from_report(est, se, lb, ub, st, p, df, level, log_scale);
      CONTRACT(t, level.size() == k, ctx.str());
      if (!bad) {
        for (Index i = 0; i < k; ++i) {
          CONTRACT(t, r.source[i] > 0 && (is_fin(r.se[i]) || est[i] == 0.0) && r.se[i] >= 0,
                   ctx.str() << " row " << i << " se=" << r.se[i]);
        }
      }
    } catch (const std::invalid_argument&) {
      CONTRACT(t, level.size() != k, ctx.str());
    }
    t.count("se_from_report");

    // mean_sd_from_quantiles: ordered five-number summaries with some values missing.
    VectorXd mn(k), q1(k), md(k), q3(k), mx(k), n(k);
    for (Index i = 0; i < k; ++i) {
      double v[5];
      for (double& x : v) x = normal(rng) * 10;
      std::sort(v, v + 5);
      const int scenario = unif_int(rng, 1, 3);
      mn[i] = scenario != 2 ? v[0] : nan;
      q1[i] = scenario != 1 ? v[1] : nan;
      md[i] = v[2];
      q3[i] = scenario != 1 ? v[3] : nan;
      mx[i] = scenario != 2 ? v[4] : nan;
      n[i] = unif_int(rng, 2, 100000);
    }
    if (bad) {
      VectorXd* all[] = {&mn, &q1, &md, &q3, &mx, &n};
      poison(all[unif_int(rng, 0, 5)], rng);
      if (coin(rng, 0.2)) n.resize(maybe_wrong_length(rng, k));
    }
    const auto method = methods[c % 3];
    try {
      const metapool::MeanSdResult r = metapool::mean_sd_from_quantiles(mn, q1, md, q3, mx, n, method);
      CONTRACT(t, n.size() == k, ctx.str());
      if (!bad) {
        for (Index i = 0; i < k; ++i) {
          const bool defined = method != metapool::FivenumMethod::hozo || r.scenario[i] == 1;
          if (defined) {
            CONTRACT(t, is_fin(r.mean[i]) && is_fin(r.sd[i]) && r.sd[i] >= 0,
                     ctx.str() << " row " << i << " scenario " << r.scenario[i]);
          }
        }
      }
    } catch (const std::invalid_argument&) {
      CONTRACT(t, n.size() != k, ctx.str());
    }
    t.count("mean_sd_from_quantiles");

    // combine_groups: group indices in range, or out of range when bad.
    const int groups = k == 0 ? 0 : unif_int(rng, 1, static_cast<int>(k));
    VectorXd gn(k), gm(k), gs(k), ge(k);
    VectorXi g(k);
    for (Index i = 0; i < k; ++i) {
      gn[i] = unif_int(rng, 2, 500);
      gm[i] = normal(rng) * 10;
      gs[i] = log_unif(rng, 0.01, 10);
      ge[i] = unif_int(rng, 0, static_cast<int>(gn[i]));
      g[i] = i < groups ? static_cast<int>(i) : unif_int(rng, 0, groups - 1);
    }
    const bool bad_index = bad && k > 0 && coin(rng, 0.3);
    if (bad_index) g[unif_int(rng, 0, static_cast<int>(k) - 1)] = coin(rng) ? -1 : groups;
    if (bad && !bad_index) {
      VectorXd* all[] = {&gn, &gm, &gs, &ge};
      poison(all[unif_int(rng, 0, 3)], rng);
    }
    try {
      const metapool::CombinedGroups r = metapool::combine_groups(gn, gm, gs, ge, g, groups);
      CONTRACT(t, !bad_index, ctx.str());
      if (!bad) {
        for (int j = 0; j < groups; ++j) {
          CONTRACT(t, is_fin(r.sd[j]) && r.sd[j] > 0 && is_fin(r.mean[j]), ctx.str() << " group " << j);
        }
      }
    } catch (const std::invalid_argument&) {
      CONTRACT(t, bad_index, ctx.str());
    }
    t.count("combine_groups");

    // log_hazard_ratio: one report per row.
    VectorXd oe(k), v(k), hr(k), hl(k), hu(k), hp(k), ev(k), ratio(k), sign(k), hlev(k);
    for (Index i = 0; i < k; ++i) {
      oe[i] = v[i] = hr[i] = hl[i] = hu[i] = hp[i] = ev[i] = nan;
      ratio[i] = log_unif(rng, 0.2, 5);
      sign[i] = coin(rng) ? -1 : 1;
      hlev[i] = 0.95;
      const double loghr = normal(rng) * 0.5, s = log_unif(rng, 0.01, 2);
      switch (unif_int(rng, 0, 3)) {
        case 0: v[i] = 1 / (s * s); oe[i] = loghr * v[i]; break;
        case 1: hr[i] = std::exp(loghr); hl[i] = std::exp(loghr - 2 * s); hu[i] = std::exp(loghr + 2 * s); break;
        case 2: hr[i] = std::exp(loghr); ev[i] = unif_int(rng, 1, 5000); break;
        default: hp[i] = unif(rng, 1e-10, 0.999); ev[i] = unif_int(rng, 1, 5000);
      }
    }
    if (bad) {
      VectorXd* all[] = {&oe, &v, &hr, &hl, &hu, &hp, &ev, &ratio, &sign, &hlev};
      poison(all[unif_int(rng, 0, 9)], rng);
      if (coin(rng, 0.2)) sign.resize(maybe_wrong_length(rng, k));
    }
    try {
      const metapool::LogHrResult r =
          metapool::log_hazard_ratio(oe, v, hr, hl, hu, hp, ev, ratio, sign, hlev);
      CONTRACT(t, sign.size() == k, ctx.str());
      if (!bad) {
        for (Index i = 0; i < k; ++i) {
          CONTRACT(t, r.source[i] > 0 && is_fin(r.yi[i]) && is_fin(r.se[i]) && r.se[i] > 0,
                   ctx.str() << " row " << i);
        }
      }
    } catch (const std::invalid_argument&) {
      CONTRACT(t, sign.size() != k, ctx.str());
    }
    t.count("log_hazard_ratio");

    // Scalar conversions between measures.
    const double x = bad ? special(rng) : normal(rng) * 3;
    const double a = bad ? special(rng) : unif(rng, 1e-6, 1 - 1e-6);
    const double to_or = metapool::log_odds_ratio_from_risk_ratio(x, a);
    const double to_rr = metapool::log_risk_ratio_from_odds_ratio(x, a);
    if (!bad) {
      CONTRACT(t, is_fin(to_rr), ctx.str() << " log OR=" << x << " acr=" << a);
      CONTRACT(t, std::isnan(to_or) == !(a * std::exp(x) < 1), ctx.str() << " log RR=" << x);
    }
    t.count("ratio_conversions");
  }
}

// A zero control risk once gave NaN (0 * exp(theta) = 0 * Inf) for log RR > 709.
TEST(Robustness, ZeroControlRiskWithHugeRiskRatio) {
  const VectorXd th = VectorXd::Constant(1, 800.0), acr = VectorXd::Zero(1);
  const metapool::NntResult r =
      metapool::nnt(th, th.array() - 1.0, th.array() + 1.0, acr, metapool::NntScale::log_risk_ratio, true);
  EXPECT_EQ(r.benefit[0], 0.0);
  EXPECT_EQ(r.benefit_lb[0], 0.0);
  EXPECT_EQ(r.benefit_ub[0], 0.0);
}

// ---- pool ------------------------------------------------------------------------------------

TEST(Robustness, PoolEveryMethodValid) {
  Tally t("Robustness.PoolEveryMethodValid");
  Rng rng(kSeed + 4);
  int c = 0;
  // Every combination of tau^2 estimator x CI x PI x tau^2 CI, several data sets each.
  for (auto m : kMethods) {
    for (auto ci : kCis) {
      for (auto pi : kPis) {
        for (auto tci : kTau2Cis) {
          for (int rep = 0; rep < 8; ++rep, ++c) {
            metapool::PoolOptions o = random_options(rng);
            o.method = m;
            o.ci = ci;
            o.pi = pi;
            o.tau2_ci = tci;
            const Index k = rep == 0 ? 1 : rep == 1 ? 2 : rep == 2 ? 3 : unif_int(rng, 2, 60);
            VectorXd y, v;
            valid_yv(rng, k, &y, &v);
            if (o.method == metapool::Tau2Method::fixed) o.tau2_fixed *= v.mean();
            const std::string ctx = describe(o, k, c);
            try {
              const metapool::PoolFit f = metapool::pool(y, v, {}, o);
              check_fit(t, f, o, k, 1, ctx);
            } catch (const std::exception& e) {
              t.fail(ctx + " threw on valid data: " + e.what());
            }
            t.count(std::string("pool/") + kMethodNames[static_cast<int>(m)]);
          }
        }
      }
    }
  }
}

TEST(Robustness, PoolGroupsAndSubgroupTest) {
  Tally t("Robustness.PoolGroupsAndSubgroupTest");
  Rng rng(kSeed + 5);
  for (int c = 0; c < 1500; ++c) {
    metapool::PoolOptions o = random_options(rng);
    const int groups = unif_int(rng, 2, 5);
    const Index k = groups + unif_int(rng, 0, 30);
    VectorXd y, v;
    valid_yv(rng, k, &y, &v);
    if (o.method == metapool::Tau2Method::fixed) o.tau2_fixed *= v.mean();
    std::vector<int> g(k);
    for (Index i = 0; i < k; ++i) g[i] = i < groups ? static_cast<int>(i) : unif_int(rng, 0, groups - 1);
    const std::string ctx = describe(o, k, c) + " groups=" + std::to_string(groups);
    try {
      const metapool::PoolFit f = metapool::pool(y, v, g, o);
      check_fit(t, f, o, k, groups, ctx);
      const metapool::SubgroupTest s = metapool::subgroup_test(f.group_estimate, f.group_se);
      CONTRACT(t, is_fin(s.Q) && s.Q >= 0 && s.p >= 0 && s.p <= 1 && s.df == groups - 1, ctx);
      CONTRACT(t, s.I2 >= 0 && s.I2 <= 100, ctx);
    } catch (const std::exception& e) {
      t.fail(ctx + " threw on valid data: " + e.what());
    }
    t.count("pool/groups");
    t.count("subgroup_test");
    // Malformed subgroup tests: specials, zero SEs, mismatched and empty vectors.
    VectorXd est = VectorXd::Random(unif_int(rng, 0, 5)), se = VectorXd::Random(est.size());
    poison(&est, rng);
    poison(&se, rng);
    if (coin(rng, 0.2)) se.resize(maybe_wrong_length(rng, est.size()));
    try {
      (void)metapool::subgroup_test(est, se);
      CONTRACT(t, se.size() == est.size(), ctx);
    } catch (const std::invalid_argument&) {
      CONTRACT(t, se.size() != est.size(), ctx);
    }
    t.count("subgroup_test");
  }
}

TEST(Robustness, PoolMalformed) {
  Tally t("Robustness.PoolMalformed");
  Rng rng(kSeed + 6);
  for (int c = 0; c < 6000; ++c) {
    metapool::PoolOptions o = random_options(rng);
    const Index k = coin(rng, 0.05) ? 0 : unif_int(rng, 1, 25);
    VectorXd y, v;
    valid_yv(rng, k, &y, &v);
    std::vector<int> g;
    bool expect_throw = k == 0;
    switch (unif_int(rng, 0, 7)) {
      case 0: poison(&y, rng); break;
      case 1: poison(&v, rng); break;
      case 2:  // negative or zero variances
        if (k > 0) v[unif_int(rng, 0, static_cast<int>(k) - 1)] = coin(rng) ? 0.0 : -v[0];
        break;
      case 3: {  // lengths
        const Index kv = maybe_wrong_length(rng, k);
        if (kv != k) expect_throw = true;
        v.conservativeResize(kv);
        if (kv > k) v[kv - 1] = 1.0;
        break;
      }
      case 4: {  // group indices: negative, out of range, INT_MAX, empty groups, wrong length
        g.assign(k, 0);
        const int kind = unif_int(rng, 0, 3);
        if (kind == 0 && k > 0) { g[0] = -1; expect_throw = true; }
        if (kind == 1 && k > 0) { g[0] = std::numeric_limits<int>::max(); expect_throw = true; }
        if (kind == 2 && k > 0) { g[0] = static_cast<int>(k) + 3; expect_throw = true; }
        if (kind == 3) { g.push_back(0); expect_throw = true; }
        break;
      }
      case 5: poison_control(&o, rng); break;
      case 6: poison(&y, rng); poison(&v, rng); poison_control(&o, rng); break;
      default:  // valid data at extreme magnitudes: every effect 1e+-300, variances 1e+-300
        y *= coin(rng) ? 1e-300 : 1e280;
        v *= coin(rng) ? 1e-290 : 1e290;
        break;
    }
    const std::string ctx = describe(o, k, c);
    try {
      const metapool::PoolFit f = metapool::pool(y, v, g, o);
      CONTRACT(t, !expect_throw, ctx << " accepted broken invariants");
      CONTRACT(t, f.weights.size() == k, ctx);
    } catch (const std::invalid_argument&) {
      CONTRACT(t, expect_throw, ctx << " threw invalid_argument");
    } catch (const std::exception& e) {
      t.fail(ctx + " threw " + e.what());
    }
    t.count("pool/malformed");
  }
}

// Out-of-range group indices once reached `gi + 1` (signed overflow at INT_MAX) and a
// counts vector of gi + 1 elements (a multi-gigabyte allocation) before failing.
TEST(Robustness, GroupIndexOutOfRangeThrowsBeforeAllocating) {
  const VectorXd y = VectorXd::Zero(3), v = VectorXd::Constant(3, 0.1);
  metapool::PoolOptions o;
  EXPECT_THROW(metapool::pool(y, v, {0, 0, std::numeric_limits<int>::max()}, o), std::invalid_argument);
  EXPECT_THROW(metapool::pool(y, v, {0, 0, 1000000000}, o), std::invalid_argument);
  EXPECT_THROW(metapool::pool(y, v, {0, 1, 3}, o), std::invalid_argument);
  EXPECT_NO_THROW(metapool::pool(y, v, {0, 1, 2}, o));
}

// profile_interval() once cast max_iter <= 0 to 2^64 iterations of TOMS 748, which with a
// NaN tolerance never stops.
TEST(Robustness, ProfileIntervalReturnsWithNonPositiveMaxIterAndNanTol) {
  const VectorXd y = (VectorXd(6) << -0.6, 0.1, 0.9, 0.3, 1.4, -0.2).finished();
  const VectorXd v = (VectorXd(6) << 0.1, 0.2, 0.15, 0.3, 0.1, 0.2).finished();
  metapool::PoolOptions o;
  o.method = metapool::Tau2Method::reml;
  o.tau2_ci = metapool::Tau2CiMethod::profile_likelihood;
  o.control.tol = std::nan("");
  o.control.max_iter = -1;
  const metapool::PoolFit f = metapool::pool(y, v, {}, o);  // returns: that is the test
  EXPECT_EQ(f.k, 6);
}

TEST(Robustness, PoolHugeK) {
  Tally t("Robustness.PoolHugeK");
  Rng rng(kSeed + 7);
  const Index k = 1000000;
  VectorXd y, v;
  valid_yv(rng, k, &y, &v);
  for (auto m : {metapool::Tau2Method::reml, metapool::Tau2Method::dl, metapool::Tau2Method::pm}) {
    metapool::PoolOptions o;
    o.method = m;
    o.ci = metapool::CiMethod::hksj;
    const std::string ctx = describe(o, k, 0);
    const metapool::PoolFit f = metapool::pool(y, v, {}, o);
    check_fit(t, f, o, k, 1, ctx);
    t.count(std::string("pool/k=1e6/") + kMethodNames[static_cast<int>(m)]);
  }
  // A million 2x2 tables with N = 1e8 per arm, through the effect sizes and M-H.
  VectorXd e1(k), n1 = VectorXd::Constant(k, 1e8), e2(k), n2 = VectorXd::Constant(k, 1e8);
  for (Index i = 0; i < k; ++i) {
    e1[i] = events_in(rng, 1e8);
    e2[i] = events_in(rng, 1e8);
  }
  metapool::MhOptions mo;
  mo.random = true;
  const metapool::MhFit f = metapool::mantel_haenszel(e1, n1, e2, n2, mo);
  CONTRACT(t, std::isfinite(f.fixed.estimate) && is_fin(f.fixed.estimate) && is_fin(f.fixed.se) && f.fixed.ci_lb <= f.fixed.ci_ub, "mh k=1e6");
  CONTRACT(t, std::fabs(f.fixed.weights.sum() - 1) < 1e-9, "mh k=1e6");
  CONTRACT(t, is_fin(f.random.estimate) && is_fin(f.random.se), "mh random k=1e6");
  t.count("mantel_haenszel/k=1e6");
}

// ---- Mantel-Haenszel, Peto, RevMan random -----------------------------------------------------

TEST(Robustness, MantelHaenszel) {
  Tally t("Robustness.MantelHaenszel");
  Rng rng(kSeed + 8);
  const metapool::BinaryMeasure measures[] = {metapool::BinaryMeasure::risk_ratio,
                                              metapool::BinaryMeasure::odds_ratio,
                                              metapool::BinaryMeasure::risk_difference};
  for (int c = 0; c < 4000; ++c) {
    const bool bad = coin(rng, 0.3);
    const Index k = coin(rng, 0.03) ? 0 : unif_int(rng, 1, 30);
    VectorXd e1(k), n1(k), e2(k), n2(k);
    for (Index i = 0; i < k; ++i) {
      n1[i] = study_size(rng, 1);
      n2[i] = study_size(rng, 1);
      e1[i] = events_in(rng, n1[i]);
      e2[i] = events_in(rng, n2[i]);
      if (coin(rng, 0.1)) e1[i] = e2[i] = 0;
      if (coin(rng, 0.1)) { e1[i] = n1[i]; e2[i] = n2[i]; }
    }
    metapool::MhOptions o;
    o.measure = measures[c % 3];
    o.peto = (c / 3) % 4 == 0;
    if (o.peto) o.measure = metapool::BinaryMeasure::odds_ratio;
    o.random = coin(rng);
    o.rd_variance = coin(rng) ? metapool::MhRdVariance::sato : metapool::MhRdVariance::greenland_robins;
    o.pi = kPis[unif_int(rng, 0, 2)];
    o.level = unif(rng, 0.5, 0.999);
    o.study_zero.drop00 = coin(rng);
    o.mh_zero.add = coin(rng) ? 0.0 : 0.5;
    o.mh_zero.to = coin(rng) ? metapool::ZeroCellRule::only0 : metapool::ZeroCellRule::all;
    bool lengths_ok = true;
    if (bad) {
      VectorXd* all[] = {&e1, &n1, &e2, &n2};
      poison(all[unif_int(rng, 0, 3)], rng);
      if (coin(rng, 0.2)) o.level = special(rng);
      if (coin(rng, 0.2)) o.study_zero.add = special(rng);
      if (coin(rng, 0.25)) {
        all[unif_int(rng, 1, 3)]->resize(maybe_wrong_length(rng, k));
        lengths_ok = n1.size() == k && e2.size() == k && n2.size() == k;
      }
    }
    std::ostringstream ctx;
    ctx << "case " << c << " k=" << k << " measure=" << static_cast<int>(o.measure)
        << " peto=" << o.peto << " random=" << o.random;
    try {
      const metapool::MhFit f = metapool::mantel_haenszel(e1, n1, e2, n2, o);
      CONTRACT(t, lengths_ok, ctx.str() << " accepted mismatched lengths");
      CONTRACT(t, f.yi.size() == k && f.fixed.weights.size() == f.k_estimable, ctx.str());
      if (!bad) {
        if (std::isfinite(f.fixed.estimate)) {
          CONTRACT(t, is_fin(f.fixed.estimate) && is_fin(f.fixed.se) && f.fixed.se > 0, ctx.str());
          CONTRACT(t, f.fixed.ci_lb <= f.fixed.estimate && f.fixed.estimate <= f.fixed.ci_ub, ctx.str());
          CONTRACT(t, f.fixed.p >= 0 && f.fixed.p <= 1, ctx.str());
          CONTRACT(t, std::fabs(f.fixed.weights.sum() - 1) < 1e-9, ctx.str() << " sum(w)=" << f.fixed.weights.sum());
          CONTRACT(t, (f.fixed.weights.array() >= 0).all(), ctx.str());
          if (f.k_estimable > 1) {
            CONTRACT(t, is_fin(f.fixed.Q) && f.fixed.Q >= 0 && is_fin(f.tau2_dl) && f.tau2_dl >= 0, ctx.str());
          }
        }
        if (o.random && f.k_estimable > 0) {
          CONTRACT(t, is_fin(f.random.estimate) && is_fin(f.random.se), ctx.str());
          CONTRACT(t, f.random.ci_lb <= f.random.estimate && f.random.estimate <= f.random.ci_ub, ctx.str());
          CONTRACT(t, std::fabs(f.random.weights.sum() - 1) < 1e-9, ctx.str());
        }
      }
    } catch (const std::invalid_argument&) {
      CONTRACT(t, !lengths_ok, ctx.str() << " threw on equal lengths");
    }
    t.count(o.peto ? "mantel_haenszel/peto" : o.random ? "mantel_haenszel/random" : "mantel_haenszel/fixed");
  }
}

// The Peto path once read n1, events2 and n2 at every index of events1 without a length
// check (a heap-buffer-overflow under ASan).
TEST(Robustness, PetoRejectsMismatchedLengths) {
  const VectorXd e1 = VectorXd::Constant(4, 3), n1 = VectorXd::Constant(4, 20);
  const VectorXd e2 = VectorXd::Constant(2, 5), n2 = VectorXd::Constant(2, 20);
  metapool::MhOptions o;
  o.peto = true;
  EXPECT_THROW(metapool::mantel_haenszel(e1, n1, e2, n2, o), std::invalid_argument);
  EXPECT_THROW(metapool::mantel_haenszel(e1, n2, e1, n1, o), std::invalid_argument);
}

// ---- batch engines ---------------------------------------------------------------------------

namespace {

metapool::BatchControl control(Rng& rng) {
  metapool::BatchControl ctl;
  // Two OpenMP threads in a fifth of the cases: enough to exercise the parallel path,
  // few enough that spinning threads on a loaded two-core machine do not dominate.
  ctl.threads = coin(rng, 0.2) ? 2 : 1;
  ctl.chunk = coin(rng) ? 4096 : unif_int(rng, -1, 7);  // <= 0 is treated as 1
  return ctl;
}

// Rows of a batch result from valid data: finite and coherent wherever the fit's k is
// at least 1.
void check_batch(Tally& t, const metapool::BatchResult& r, Index n, const std::string& ctx) {
  CONTRACT(t, r.estimate.size() == n && r.k.size() == n && r.tau2.size() == n, ctx);
  for (Index i = 0; i < r.estimate.size(); ++i) {
    if (r.k[i] < 1) continue;
    CONTRACT(t, is_fin(r.estimate[i]) && is_fin(r.se[i]), ctx << " row " << i);
    CONTRACT(t, r.ci_lb[i] <= r.estimate[i] && r.estimate[i] <= r.ci_ub[i], ctx << " row " << i);
    CONTRACT(t, is_fin(r.tau2[i]) && r.tau2[i] >= 0, ctx << " row " << i);
  }
}

}  // namespace

TEST(Robustness, BatchEngines) {
  Tally t("Robustness.BatchEngines");
  Rng rng(kSeed + 9);
  for (int c = 0; c < 600; ++c) {
    const bool bad = coin(rng, 0.3);
    metapool::PoolOptions o = random_options(rng);
    if (c % 2) o.tau2_ci = metapool::Tau2CiMethod::none;  // faster; half the cases keep it
    const Index k = coin(rng, 0.05) ? 0 : unif_int(rng, 1, 12);
    VectorXd y, v;
    valid_yv(rng, k, &y, &v);
    if (o.method == metapool::Tau2Method::fixed) o.tau2_fixed *= v.size() ? v.mean() : 1.0;
    if (bad) {
      if (coin(rng)) poison(&y, rng);
      if (coin(rng)) poison(&v, rng);
      if (coin(rng, 0.3)) poison_control(&o, rng);
      if (o.control.max_iter < 1) o.control.max_iter = 50;  // keep the run short
    }
    const std::string ctx = describe(o, k, c) + (bad ? " malformed" : "");
    const metapool::BatchControl ctl = control(rng);

    // pool_groups: starts from 0 to k; malformed ones must throw.
    {
      std::vector<Index> starts = {0};
      while (starts.back() < k) starts.push_back(std::min<Index>(k, starts.back() + unif_int(rng, 0, 4)));
      if (k == 0) starts.push_back(0);
      bool ok = true;
      if (bad && coin(rng, 0.3)) {
        const int kind = unif_int(rng, 0, 3);
        if (kind == 0) starts.clear();
        if (kind == 1) starts.back() = k + 1;
        if (kind == 2) starts.front() = 1;
        if (kind == 3 && starts.size() > 2) std::swap(starts[1], starts[2]);
        // Valid iff 0 = starts[0] <= starts[1] <= ... <= starts[n] = k.
        ok = !starts.empty() && starts.front() == 0 && starts.back() == k;
        for (std::size_t g = 1; ok && g < starts.size(); ++g) ok = starts[g - 1] <= starts[g];
      }
      try {
        const metapool::BatchResult r = metapool::pool_groups(y, v, starts, o, ctl);
        CONTRACT(t, ok, ctx << " pool_groups accepted bad starts");
        if (!bad) check_batch(t, r, static_cast<Index>(starts.size()) - 1, ctx + " pool_groups");
      } catch (const std::invalid_argument&) {
        CONTRACT(t, !ok, ctx << " pool_groups threw");
      }
      t.count("pool_groups");
    }
    // pool_subsets with random masks, including bits beyond k and the empty mask.
    {
      const Index words = std::max<Index>(1, (k + 63) / 64);
      std::vector<std::uint64_t> masks(unif_int(rng, 0, 40) * words);
      for (auto& m : masks) m = coin(rng, 0.1) ? 0 : coin(rng, 0.1) ? ~0ULL : rng();
      const metapool::BatchResult r = metapool::pool_subsets(y, v, masks, words, o, ctl);
      if (!bad) {
        check_batch(t, r, static_cast<Index>(masks.size()) / words, ctx + " pool_subsets");
      }
      t.count("pool_subsets");
    }
    if (k <= 6) {
      const metapool::BatchResult r = metapool::pool_all_subsets(y, v, o, ctl);
      if (!bad) check_batch(t, r, (Index(1) << k) - 1, ctx + " pool_all_subsets");
      t.count("pool_all_subsets");
    }
    {
      const metapool::BatchResult r = metapool::leave_one_out(y, v, o, ctl);
      if (!bad) check_batch(t, r, k, ctx + " leave_one_out");
      t.count("leave_one_out");
    }
    {
      std::vector<int> order(k);
      for (Index i = 0; i < k; ++i) order[i] = unif_int(rng, 0, static_cast<int>(k) - 1);
      bool ok = true;
      if (bad && k > 0 && coin(rng, 0.3)) {
        order[0] = coin(rng) ? -1 : static_cast<int>(k);
        ok = false;
      }
      try {
        const metapool::BatchResult r = metapool::cumulative(y, v, order, o, ctl);
        CONTRACT(t, ok, ctx << " cumulative accepted a bad order");
        if (!bad) check_batch(t, r, k, ctx + " cumulative");
      } catch (const std::invalid_argument&) {
        CONTRACT(t, !ok, ctx << " cumulative threw");
      }
      t.count("cumulative");
    }
    {
      metapool::PoolOptions oi = o;
      oi.weights = coin(rng);  // influence() must not depend on the caller asking for weights
      try {
        const metapool::Influence inf = metapool::influence(y, v, oi, ctl);
        CONTRACT(t, k > 0, ctx << " influence accepted k = 0");
        CONTRACT(t, inf.hat.size() == k && inf.rstudent.size() == k, ctx);
        if (!bad) {
          for (Index i = 0; i < k; ++i) {
            CONTRACT(t, inf.hat[i] >= 0 && inf.hat[i] <= 1 + 1e-12, ctx << " influence i=" << i);
          }
        }
      } catch (const std::invalid_argument&) {
        CONTRACT(t, k == 0, ctx << " influence threw");
      }
      t.count("influence");
    }
    {
      const bool exact = k <= 6 && coin(rng);
      MatrixXd signs(exact ? 0 : k, unif_int(rng, 0, 30));
      for (Index j = 0; j < signs.size(); ++j) signs.data()[j] = coin(rng) ? 1.0 : -1.0;
      bool ok = true;
      if (bad && !exact && coin(rng, 0.2)) {
        signs.resize(k + 1, 3);
        signs.setOnes();
        ok = false;
      }
      try {
        const VectorXd s = metapool::permutation_statistics(y, v, signs, exact, o, ctl);
        CONTRACT(t, ok, ctx << " permutation accepted bad signs");
        CONTRACT(t, s.size() == (exact ? (Index(1) << k) : signs.cols()), ctx);
        // Finite statistics, except that HKSJ scales the SE by s2w = Q_gen / (k - 1),
        // which is 0 when all |effects| are equal (then z = +-Inf, as metafor's knha;
        // hksj_adhoc is the remedy).
        const bool hk_zero = k > 0 && o.ci == metapool::CiMethod::hksj &&
                             (y.array().abs() == std::fabs(y[0])).all();
        if (!bad && k > 0 && !hk_zero) {
          for (Index j = 0; j < s.size(); ++j) CONTRACT(t, !std::isinf(s[j]), ctx << " perm " << j);
        }
      } catch (const std::invalid_argument&) {
        CONTRACT(t, !ok, ctx << " permutation threw");
      }
      t.count(exact ? "permutation_statistics/exact" : "permutation_statistics/random");
    }
    {
      const Index b = unif_int(rng, 0, 25);
      MatrixXd z(k, b);
      for (Index j = 0; j < z.size(); ++j) z.data()[j] = normal(rng);
      double est = y.size() ? y.mean() : 0.0, tau2 = v.size() ? v.mean() * 0.1 : 0.0;
      if (bad && coin(rng, 0.3)) est = special(rng);
      if (bad && coin(rng, 0.3)) tau2 = special(rng);
      bool ok = true;
      if (bad && coin(rng, 0.2)) {
        z.resize(k + 1, 2);
        z.setZero();
        ok = false;
      }
      try {
        const metapool::BatchResult r = metapool::bootstrap_parametric(v, est, tau2, z, o, ctl);
        CONTRACT(t, ok, ctx << " bootstrap_parametric accepted bad z");
        if (!bad) check_batch(t, r, b, ctx + " bootstrap_parametric");
      } catch (const std::invalid_argument&) {
        CONTRACT(t, !ok, ctx << " bootstrap_parametric threw");
      }
      t.count("bootstrap_parametric");
    }
    {
      const Index b = unif_int(rng, 0, 25);
      MatrixXi idx(k, b);
      for (Index j = 0; j < idx.size(); ++j) idx.data()[j] = unif_int(rng, 0, static_cast<int>(k) - 1);
      bool ok = true;
      if (bad && idx.size() > 0 && coin(rng, 0.3)) {
        idx.data()[unif_int(rng, 0, static_cast<int>(idx.size()) - 1)] =
            coin(rng) ? -1 : coin(rng) ? static_cast<int>(k) : std::numeric_limits<int>::max();
        ok = false;
      } else if (bad && coin(rng, 0.2)) {
        idx.resize(k + 1, 2);
        idx.setZero();
        ok = false;
      }
      try {
        const metapool::BatchResult r = metapool::bootstrap_resample(y, v, idx, o, ctl);
        CONTRACT(t, ok, ctx << " bootstrap_resample accepted a bad index");
        if (!bad) check_batch(t, r, b, ctx + " bootstrap_resample");
      } catch (const std::invalid_argument&) {
        CONTRACT(t, !ok, ctx << " bootstrap_resample threw");
      }
      t.count("bootstrap_resample");
    }
    // Mismatched yi / vi lengths: every engine throws.
    if (k > 0) {
      const VectorXd vshort = v.head(k - 1);
      int thrown = 0;
      try { metapool::leave_one_out(y, vshort, o, ctl); } catch (const std::invalid_argument&) { ++thrown; }
      try { metapool::pool_all_subsets(y, vshort, o, ctl); } catch (const std::invalid_argument&) { ++thrown; }
      try { metapool::pool_subsets(y, vshort, {1}, 1, o, ctl); } catch (const std::invalid_argument&) { ++thrown; }
      try { metapool::influence(y, vshort, o, ctl); } catch (const std::invalid_argument&) { ++thrown; }
      try { metapool::pool_groups(y, vshort, {0, k}, o, ctl); } catch (const std::invalid_argument&) { ++thrown; }
      CONTRACT(t, thrown == 5, ctx << " mismatched yi/vi accepted by " << 5 - thrown << " engines");
      t.count("batch/mismatched_lengths");
    }
  }
  // Size limits: one 64-bit mask word per 64 studies, 30 for all subsets and exact permutations.
  const VectorXd y = VectorXd::Zero(65), v = VectorXd::Ones(65);
  metapool::PoolOptions o;
  metapool::BatchControl ctl;
  EXPECT_THROW(metapool::pool_subsets(y, v, {1}, 1, o, ctl), std::invalid_argument);
  EXPECT_EQ(metapool::pool_subsets(y, v, {1, 1}, 2, o, ctl).k[0], 2);
  EXPECT_THROW(metapool::pool_all_subsets(y.head(31), v.head(31), o, ctl), std::invalid_argument);
  EXPECT_THROW(metapool::permutation_statistics(y.head(31), v.head(31), MatrixXd(), true, o, ctl),
               std::invalid_argument);
  t.count("batch/size_limits");
}

// influence() once indexed the full fit's weights, which are empty when the caller's
// options have weights = false (the batch engines' own setting): an out-of-bounds read.
TEST(Robustness, InfluenceWithoutRequestedWeights) {
  const VectorXd y = (VectorXd(6) << -0.6, 0.1, 0.9, 0.3, 1.4, -0.2).finished();
  const VectorXd v = (VectorXd(6) << 0.1, 0.2, 0.15, 0.3, 0.1, 0.2).finished();
  metapool::PoolOptions o;
  o.weights = false;
  const metapool::Influence a = metapool::influence(y, v, o, metapool::BatchControl());
  o.weights = true;
  const metapool::Influence b = metapool::influence(y, v, o, metapool::BatchControl());
  for (Index i = 0; i < 6; ++i) {
    EXPECT_EQ(a.hat[i], b.hat[i]);
    EXPECT_EQ(a.dffits[i], b.dffits[i]);
  }
  EXPECT_NEAR(a.hat.sum(), 1.0, 1e-14);
}
