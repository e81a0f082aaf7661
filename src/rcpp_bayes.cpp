// Glue: R <-> the Bayesian random-effects core. Priors arrive as lists made by
// bayes_prior_spec() in R/bayes_priors.R; a user's density (an R function) is wrapped in
// a std::function, so the core stays free of R and calls it on this thread only.
#include <RcppEigen.h>

#include "metapool/bayes.hpp"
#include "rcpp_enums.h"

namespace {

using namespace metapool_glue;

metapool::TauPrior tau_prior_from(const Rcpp::List& p) {
  metapool::TauPrior t;
  t.family = tau_prior_family(Rcpp::as<std::string>(p["family"]));
  t.scale = Rcpp::as<double>(p["scale"]);
  t.df = Rcpp::as<double>(p["df"]);
  t.location = Rcpp::as<double>(p["location"]);
  t.upper = Rcpp::as<double>(p["upper"]);
  if (t.family == metapool::TauPriorFamily::custom) {
    Rcpp::Function f = p["density"];
    // A value that is not a single finite non-negative number becomes NaN, which the
    // core reports as an invalid prior.
    t.density = [f](double tau) -> double {
      Rcpp::RObject r = f(tau);
      if (TYPEOF(r) != REALSXP && TYPEOF(r) != INTSXP) return NAN;
      Rcpp::NumericVector x(r);
      return x.size() == 1 ? x[0] : NAN;
    };
  }
  return t;
}

metapool::MuPrior mu_prior_from(const Rcpp::List& p) {
  metapool::MuPrior m;
  m.normal = Rcpp::as<std::string>(p["family"]) == "normal";
  m.mean = Rcpp::as<double>(p["mean"]);
  m.sd = Rcpp::as<double>(p["sd"]);
  return m;
}

metapool::BayesControl control_from(const Rcpp::List& c) {
  metapool::BayesControl ctl;
  ctl.rel_tol = Rcpp::as<double>(c["rel_tol"]);
  ctl.max_panels = Rcpp::as<int>(c["max_panels"]);
  return ctl;
}

const char* status_name(metapool::BayesStatus s) {
  switch (s) {
    case metapool::BayesStatus::ok: return "ok";
    case metapool::BayesStatus::improper_posterior: return "improper_posterior";
    case metapool::BayesStatus::prior_invalid: return "prior_invalid";
    case metapool::BayesStatus::not_converged: return "not_converged";
  }
  return "unknown";
}

Rcpp::NumericVector row(const double* x) { return Rcpp::NumericVector(x, x + 8); }

}  // namespace

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_bayes_fit(const Eigen::Map<Eigen::VectorXd> yi,
                         const Eigen::Map<Eigen::VectorXd> vi, const Rcpp::List tau_prior,
                         const Rcpp::List mu_prior, const Rcpp::List control, double level,
                         double threshold, bool shrinkage, bool shortest) {
  const metapool::BayesPosterior post(yi, vi, tau_prior_from(tau_prior),
                                      mu_prior_from(mu_prior), control_from(control));
  const metapool::BayesSummary s = metapool::summarise(post, level, threshold, shrinkage,
                                                       shortest);
  return Rcpp::List::create(
      Rcpp::Named("status") = status_name(s.status), Rcpp::Named("tau") = row(s.tau),
      Rcpp::Named("mu") = row(s.mu), Rcpp::Named("theta") = row(s.theta),
      Rcpp::Named("shrinkage") = s.shrinkage, Rcpp::Named("log_marginal") = s.log_marginal,
      Rcpp::Named("bf_tau0") = s.bf_tau0, Rcpp::Named("bf_mu0") = s.bf_mu0,
      Rcpp::Named("prob_below") = s.prob_below,
      Rcpp::Named("tau_prior_proper") = post.tau_prior_proper(),
      Rcpp::Named("panels") = post.panels(), Rcpp::Named("error") = post.error_estimate());
}

// Density, CDF or quantile of the posterior of tau, mu, a new study's effect ("theta")
// or study `study`'s effect, at x. The posterior is rebuilt on each call (about a
// millisecond), so the closures in a fit survive saving and reloading.
// [[Rcpp::export(rng = false)]]
Eigen::VectorXd cpp_bayes_eval(const Eigen::Map<Eigen::VectorXd> yi,
                               const Eigen::Map<Eigen::VectorXd> vi, const Rcpp::List tau_prior,
                               const Rcpp::List mu_prior, const Rcpp::List control,
                               std::string what, std::string fun,
                               const Eigen::Map<Eigen::VectorXd> x, int study) {
  const metapool::BayesPosterior post(yi, vi, tau_prior_from(tau_prior),
                                      mu_prior_from(mu_prior), control_from(control));
  Eigen::VectorXd out = Eigen::VectorXd::Constant(x.size(), NAN);
  if (post.status() != metapool::BayesStatus::ok) return out;
  if (what == "tau") {
    for (Eigen::Index i = 0; i < x.size(); ++i) {
      if (std::isnan(x[i])) continue;
      out[i] = fun == "density" ? post.tau_density(x[i])
               : fun == "cdf"   ? post.tau_cdf(x[i])
                                : post.tau_quantile(x[i]);
    }
    return out;
  }
  const metapool::NormalMixture m = what == "mu"      ? post.mu()
                                    : what == "theta" ? post.predictive()
                                                      : post.study(study - 1);
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    if (std::isnan(x[i])) continue;
    out[i] = fun == "density" ? m.density(x[i]) : fun == "cdf" ? m.cdf(x[i]) : m.quantile(x[i]);
  }
  return out;
}

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_bayes_groups(const Eigen::Map<Eigen::VectorXd> yi,
                            const Eigen::Map<Eigen::VectorXd> vi, const Rcpp::NumericVector starts,
                            const Rcpp::List tau_prior, const Rcpp::List mu_prior,
                            const Rcpp::List control, double level, double threshold,
                            int threads) {
  std::vector<Eigen::Index> s(starts.begin(), starts.end());
  metapool::BatchControl ctl;
  ctl.threads = threads;
  ctl.check_interrupt = [] { Rcpp::checkUserInterrupt(); };
  const metapool::BayesBatchResult r =
      metapool::bayes_groups(yi, vi, s, tau_prior_from(tau_prior), mu_prior_from(mu_prior),
                             level, threshold, control_from(control), ctl);
  Rcpp::CharacterVector status(r.status.size());
  for (Eigen::Index i = 0; i < r.status.size(); ++i) {
    status[i] = status_name(static_cast<metapool::BayesStatus>(r.status[i]));
  }
  return Rcpp::List::create(
      Rcpp::Named("k") = r.k, Rcpp::Named("mu_median") = r.mu_median,
      Rcpp::Named("mu_mean") = r.mu_mean, Rcpp::Named("mu_sd") = r.mu_sd,
      Rcpp::Named("mu_lb") = r.mu_lb, Rcpp::Named("mu_ub") = r.mu_ub,
      Rcpp::Named("pi_lb") = r.pi_lb, Rcpp::Named("pi_ub") = r.pi_ub,
      Rcpp::Named("tau_median") = r.tau_median, Rcpp::Named("tau_lb") = r.tau_lb,
      Rcpp::Named("tau_ub") = r.tau_ub, Rcpp::Named("prob_below") = r.prob_below,
      Rcpp::Named("status") = status);
}

// Conditional posterior of mu given tau (mean, sd) and the posterior density of tau, on
// a vector of tau values (for the joint posterior plot).
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_bayes_conditional(const Eigen::Map<Eigen::VectorXd> yi,
                                 const Eigen::Map<Eigen::VectorXd> vi,
                                 const Rcpp::List tau_prior, const Rcpp::List mu_prior,
                                 const Rcpp::List control,
                                 const Eigen::Map<Eigen::VectorXd> tau) {
  const metapool::BayesPosterior post(yi, vi, tau_prior_from(tau_prior),
                                      mu_prior_from(mu_prior), control_from(control));
  Eigen::VectorXd m(tau.size()), s(tau.size()), d(tau.size());
  for (Eigen::Index i = 0; i < tau.size(); ++i) {
    double v;
    post.conditional_mu(tau[i], &m[i], &v);
    s[i] = std::sqrt(v);
    d[i] = post.tau_density(tau[i]);
  }
  return Rcpp::List::create(Rcpp::Named("mean") = m, Rcpp::Named("sd") = s,
                            Rcpp::Named("density") = d);
}
