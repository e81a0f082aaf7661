// Bayesian random-effects meta-analysis: the normal-normal hierarchical model
//   y_i | theta_i ~ N(theta_i, v_i),  theta_i | mu, tau ~ N(mu, tau^2),
// with an improper uniform or a normal prior on mu and any prior on tau. Given tau, mu
// integrates out in closed form, so the marginal posterior of tau is one-dimensional
// and every other posterior (mu, a new study's effect, each study's shrunken effect) is
// a mixture of normals over it. The tau integral is done once, by adaptive
// Gauss-Kronrod (15/7) panels on a map of the real line of log(tau), refined until
// the estimated error is below a relative tolerance; the nodes and weights of the
// converged rule then give every integral over tau (CDFs, moments, Bayes factors).
// Quantiles are roots of these CDFs. No R types; a user-supplied prior density is a
// std::function the caller provides (R's glue wraps an R function, evaluated on the
// calling thread only).
#ifndef METAPOOL_BAYES_HPP
#define METAPOOL_BAYES_HPP

#include <Eigen/Core>
#include <functional>
#include <limits>
#include <vector>

#include "metapool/batch.hpp"

namespace metapool {

enum class TauPriorFamily {
  half_normal,     // scale
  half_cauchy,     // scale
  half_t,          // df, scale
  lognormal_tau2,  // log(tau^2) ~ N(location, scale^2) (Turner et al. 2015)
  log_t_tau2,      // log(tau^2) ~ location + scale * t_df (Rhodes et al. 2015: df = 5)
  uniform,         // on [0, upper]; improper when upper is infinite
  jeffreys,        // p(tau) proportional to sqrt(sum (tau / (v_i + tau^2))^2): improper
  custom           // density(tau), normalised numerically when its integral is finite
};

struct TauPrior {
  TauPriorFamily family = TauPriorFamily::half_normal;
  double scale = 0.5;
  double df = 1.0;
  double location = 0.0;
  double upper = std::numeric_limits<double>::infinity();
  std::function<double(double)> density;  // custom only; must return a finite value >= 0
};

struct MuPrior {
  bool normal = false;  // false: improper uniform on the real line
  double mean = 0.0, sd = 1.0;
};

struct BayesControl {
  double rel_tol = 1e-10;  // bound on the estimated relative error of the tau integrals
  int max_panels = 4000;   // cap on Gauss-Kronrod panels
};

enum class BayesStatus {
  ok,
  improper_posterior,  // the prior and the likelihood do not give a proper posterior
  prior_invalid,       // a custom density returned a negative or non-finite value
  not_converged        // the tau integral did not reach the tolerance within max_panels
};

struct Interval {
  double lower = 0, upper = 0;
};

// A mixture of normals sum_j w_j N(mean_j, sd_j^2) with weights summing to one.
class NormalMixture {
 public:
  NormalMixture() = default;
  NormalMixture(std::vector<double> w, std::vector<double> mean, std::vector<double> sd);
  double density(double x) const;
  double cdf(double x) const;
  double quantile(double p) const;
  double mean() const;
  double sd() const;
  double mode() const;
  Interval central(double level) const;
  Interval shortest(double level) const;

 private:
  std::vector<double> w_, m_, s_;
  double lo_ = 0, hi_ = 0;  // a bracket holding every quantile
  void cdf_pdf(double x, double* F, double* Fc, double* f) const;
};

// The marginal posterior of tau and everything built on it.
class BayesPosterior {
 public:
  BayesPosterior(const Eigen::Ref<const Eigen::VectorXd>& yi,
                 const Eigen::Ref<const Eigen::VectorXd>& vi, const TauPrior& tau_prior,
                 const MuPrior& mu_prior, const BayesControl& control = BayesControl());

  BayesStatus status() const { return status_; }
  int k() const { return static_cast<int>(y_.size()); }
  int panels() const { return static_cast<int>(panel_a_.size()); }
  double error_estimate() const { return error_; }  // relative, of the tau integral
  bool tau_prior_proper() const { return prior_proper_; }

  // Posterior of tau (density, CDF and quantile on tau >= 0).
  double tau_density(double tau) const;
  double tau_cdf(double tau) const;
  double tau_quantile(double p) const;
  double tau_mode() const;
  Interval tau_shortest(double level) const;
  // E[tau^r] (r = 1, 2); infinite when the posterior tail is too heavy.
  double tau_moment(int r) const;
  bool tau_moment_finite(int r) const;

  // The conditional posterior of mu given tau: mean and variance; returns log p(y | tau).
  double conditional_mu(double tau, double* mean, double* var) const {
    return log_likelihood(tau, mean, var);
  }

  // Posteriors as mixtures over tau: mu, the effect of a new study, study i's effect.
  NormalMixture mu() const;
  NormalMixture predictive() const;
  NormalMixture study(int i) const;

  // log p(y) with both priors proper (NaN otherwise); Bayes factors of tau = 0 and of
  // mu = 0 against the model, each needing a proper prior on the parameter tested.
  double log_marginal_likelihood() const;
  double bayes_factor_tau0() const;
  double bayes_factor_mu0() const;

 private:
  Eigen::VectorXd y_, v_;
  TauPrior tau_prior_;
  MuPrior mu_prior_;
  BayesControl control_;
  BayesStatus status_ = BayesStatus::ok;
  bool prior_proper_ = true;
  double log_prior_norm_ = 0;  // log of the prior's integral (custom priors)
  double tail_ = 0;            // posterior density of tau ~ tau^tail_ as tau -> infinity
  bool light_tail_ = false;    // decays faster than any power
  bool log_tail_ = false;      // an extra |log tau|^-(df+1) factor (log-t prior)
  double u0_ = 0, h_ = 3;      // map x in (-1, 1) -> log tau = u0 + h x / (1 - x^2)
  double shift_ = 0;           // log of the scale the node weights are stored in
  double log_z_ = 0;           // log of the integral of prior x likelihood (with shift)
  double error_ = 0;
  double ybar_ = 0, yscale_ = 1, tscale_ = 1;
  // The converged rule: panels [a, b] in x, their masses, and the nodes.
  std::vector<double> panel_a_, panel_b_, panel_mass_;
  std::vector<double> tau_, weight_, mu_hat_, mu_var_;

  double log_prior(double tau) const;
  double log_prior_raw(double tau) const;
  double log_likelihood(double tau, double* mu_hat, double* mu_var) const;
  double log_integrand(double x, double* tau, double* mu_hat, double* mu_var) const;
  void set_tail();
  void normalise_custom_prior();
  void custom_tail(double* a);
  void integrate();
  double partial_mass(double a, double b) const;
  double x_of_tau(double tau) const;
  double tau_of_x(double x) const;
  NormalMixture mixture(const std::function<void(int, double*, double*)>& component) const;
};

// Posterior summaries of one fit (what metapool_bayes() and the batch engine report).
struct BayesSummary {
  BayesStatus status = BayesStatus::ok;
  // Rows: mode, median, mean, sd, central lower/upper, shortest lower/upper; for tau,
  // mu and the new study's effect (theta).
  double tau[8], mu[8], theta[8];
  double log_marginal = 0, bf_tau0 = 0, bf_mu0 = 0, prob_below = 0;
  // Per study: mode, median, mean, sd, central lower/upper, shortest lower/upper.
  Eigen::MatrixXd shrinkage;  // k x 8 (0 x 8 when not asked for)
};

BayesSummary summarise(const BayesPosterior& post, double level, double threshold,
                       bool shrinkage, bool shortest);

// Batch: groups of consecutive studies [starts[g], starts[g + 1]). Intervals are
// central (equal-tailed). A custom prior is evaluated on the calling thread only.
struct BayesBatchResult {
  Eigen::VectorXd mu_median, mu_mean, mu_sd, mu_lb, mu_ub, pi_lb, pi_ub, tau_median, tau_lb,
      tau_ub, prob_below;
  Eigen::VectorXi k, status;  // status: static_cast<int>(BayesStatus)
};
BayesBatchResult bayes_groups(const Eigen::Ref<const Eigen::VectorXd>& yi,
                              const Eigen::Ref<const Eigen::VectorXd>& vi,
                              const std::vector<Eigen::Index>& starts, const TauPrior& tau_prior,
                              const MuPrior& mu_prior, double level, double threshold,
                              const BayesControl& control, const BatchControl& ctl);

}  // namespace metapool

#endif
