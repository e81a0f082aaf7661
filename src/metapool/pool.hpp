// Inverse-variance pooling: fixed effect and random effects with every common tau^2
// estimator, confidence and prediction intervals, heterogeneity statistics and their
// intervals. Studies may be split into groups, each with its own mean and one common
// tau^2 (a meta-regression on a factor); an ordinary fit is the one-group case.
// Everything is O(k): no k x k matrices.
#ifndef METAPOOL_POOL_HPP
#define METAPOOL_POOL_HPP

#include <Eigen/Core>
#include <vector>

#include "metapool/notes.hpp"

namespace metapool {

enum class Tau2Method { fe, dl, dlit, he, sj, ml, reml, eb, hs, hsk, pm, pmm, fixed };
enum class CiMethod { z, t, hksj, hksj_adhoc };
enum class PiMethod { z, t_k1, t_k2 };
enum class Tau2CiMethod { none, q_profile, profile_likelihood };

struct PoolControl {
  double tol = 1e-10;        // convergence: change in tau^2 relative to max(tau^2, harmonic mean of vi)
  int max_iter = 1000;       // iteration cap for every iterative step
  double tau2_init = -1.0;   // starting value for iterative estimators (< 0: automatic)
  double step_adj = 1.0;     // Fisher-scoring step multiplier
};

struct PoolOptions {
  Tau2Method method = Tau2Method::reml;
  double tau2_fixed = 0.0;   // used when method == fixed
  CiMethod ci = CiMethod::z;
  PiMethod pi = PiMethod::t_k2;
  Tau2CiMethod tau2_ci = Tau2CiMethod::q_profile;
  double level = 0.95;
  PoolControl control;
  bool weights = true;       // fill PoolFit::weights (and, with one group, group_estimate/_se)
  bool prediction = true;    // compute the prediction interval (else pi_lb, pi_ub are NaN)
  bool loglik = true;        // compute PoolFit::loglik (else NaN; batch engines skip it)
  bool tau2_se = true;       // compute PoolFit::tau2_se (else NaN; batch engines skip it)
  bool p_values = true;      // compute PoolFit::p and Q_p (else NaN; a batch may not want them)
};

// How the tau^2 estimate was reached (for the fit's report and warnings).
enum class Tau2Status {
  closed_form,    // non-iterative estimator, or user-fixed
  converged,      // the primary iteration converged
  bracketed,      // the primary iteration failed; a bracketing root finder succeeded
  boundary,       // ML/REML: the likelihood is higher at tau^2 = 0 than at the root found
  fallback_dl     // everything failed: DerSimonian-Laird used instead
};

struct Tau2Estimate {
  double tau2 = 0.0;
  int iterations = 0;
  Tau2Status status = Tau2Status::closed_form;
};

struct PoolFit {
  int k = 0;
  int groups = 1;
  // Pooled effect (group 0 when there are several groups; see group_estimate).
  double estimate = 0, se = 0, stat = 0, p = 0, ci_lb = 0, ci_ub = 0, pi_lb = 0, pi_ub = 0;
  double df = 0;             // degrees of freedom of the t-based CI (NaN for z)
  double pi_df = 0;          // degrees of freedom of the PI (NaN for z)
  double s2w = 1;            // Hartung-Knapp scale factor (1 otherwise)
  // Heterogeneity.
  double tau2 = 0, tau2_se = 0, tau2_lb = 0, tau2_ub = 0;
  double Q = 0, Q_df = 0, Q_p = 1;
  double I2 = 0, I2_lb = 0, I2_ub = 0, H2 = 1, H2_lb = 1, H2_ub = 1;
  double vt = 0;             // typical within-study variance, (k - p) / tr(P)
  double loglik = 0;         // ML or REML log-likelihood at tau^2 (NaN for other methods)
  bool tau2_lb_bounded = false, tau2_ub_bounded = false;  // CI limit at the search boundary
  Tau2Estimate tau2_est;
  Eigen::VectorXd weights;                // w_i / sum(w) in the fitted model (sums to 1)
  Eigen::VectorXd group_estimate, group_se;
  std::vector<NoteCode> notes;            // numerical trouble, for the glue to raise
};

// yi, vi: effects and sampling variances (vi > 0). group: 0-based group index per study
// (empty: one group). Throws std::invalid_argument for broken invariants (lengths,
// group indices); valid data never throw.
PoolFit pool(const Eigen::Ref<const Eigen::VectorXd>& yi,
             const Eigen::Ref<const Eigen::VectorXd>& vi, const std::vector<int>& group,
             const PoolOptions& options);

// Standard error of a DerSimonian-Laird tau^2 (as metafor computes it) for studies with
// sampling variances vi; also for RevMan's M-H random model, whose tau^2 has the same form.
double dl_tau2_se(const Eigen::Ref<const Eigen::VectorXd>& vi, double tau2);

// Test for subgroup differences (RevMan 5): Q between subgroup estimates weighted by
// 1 / se^2, df = J - 1, p from chi-square, I^2 = (Q - df) / Q.
struct SubgroupTest {
  double Q = 0, df = 0, p = 1, I2 = 0;
};
SubgroupTest subgroup_test(const Eigen::Ref<const Eigen::VectorXd>& estimate,
                           const Eigen::Ref<const Eigen::VectorXd>& se);

}  // namespace metapool

#endif
