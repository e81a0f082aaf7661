// Glue: R <-> the batch engines. Conversions, the interrupt check and the progress bar.
#include <RcppEigen.h>

#include <chrono>
#include <cstdint>

#include "metapool/batch.hpp"
#include "rcpp_enums.h"

namespace {

using namespace metapool_glue;

metapool::PoolOptions options_from(const Rcpp::List& o) {
  metapool::PoolOptions opt = pool_options(
      Rcpp::as<std::string>(o["method"]), Rcpp::as<double>(o["tau2_fixed"]),
      Rcpp::as<std::string>(o["ci_method"]), Rcpp::as<std::string>(o["pi_method"]),
      Rcpp::as<std::string>(o["tau2_ci"]), Rcpp::as<double>(o["level"]),
      Rcpp::as<double>(o["tol"]), Rcpp::as<int>(o["max_iter"]),
      Rcpp::as<double>(o["tau2_init"]), Rcpp::as<double>(o["step_adj"]));
  if (o.containsElementNamed("prediction")) opt.prediction = Rcpp::as<bool>(o["prediction"]);
  if (o.containsElementNamed("weights")) opt.weights = Rcpp::as<bool>(o["weights"]);
  return opt;
}

// A text progress bar on stderr, shown only once a job has run for two seconds.
struct Progress {
  bool enabled;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  bool shown = false;
  void operator()(double fraction) {
    if (!enabled) return;
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!shown && (elapsed < 2.0 || fraction >= 1.0)) return;
    shown = true;
    const int width = 40, done = static_cast<int>(fraction * width);
    REprintf("\r[%s%s] %3d%%", std::string(done, '=').c_str(),
             std::string(width - done, ' ').c_str(), static_cast<int>(100 * fraction));
    if (fraction >= 1.0) REprintf("\n");
  }
};

// Threads, the interrupt check, the progress bar, and the result columns the options
// list names (`columns`; absent: all).
metapool::BatchControl control_from(int threads, bool progress, Progress* bar,
                                    const Rcpp::List& options) {
  metapool::BatchControl ctl;
  ctl.threads = threads;
  ctl.check_interrupt = [] { Rcpp::checkUserInterrupt(); };
  bar->enabled = progress;
  ctl.progress = [bar](double f) { (*bar)(f); };
  if (options.containsElementNamed("columns")) {
    ctl.columns = batch_columns(Rcpp::as<std::vector<std::string>>(options["columns"]));
  }
  return ctl;
}

Rcpp::List as_list(const metapool::BatchResult& r) {
  Rcpp::List out = Rcpp::List::create(Rcpp::Named("k") = r.k);
  const std::pair<const char*, const Eigen::VectorXd*> doubles[] = {
      {"estimate", &r.estimate}, {"se", &r.se},       {"stat", &r.stat},
      {"p", &r.p},               {"ci_lb", &r.ci_lb}, {"ci_ub", &r.ci_ub},
      {"pi_lb", &r.pi_lb},       {"pi_ub", &r.pi_ub}, {"tau2", &r.tau2},
      {"tau2_lb", &r.tau2_lb},   {"tau2_ub", &r.tau2_ub}, {"I2", &r.I2},
      {"H2", &r.H2},             {"Q", &r.Q},         {"Q_p", &r.Q_p}};
  for (const auto& d : doubles) {
    if (d.second->size() == r.k.size()) out[d.first] = *d.second;  // the columns kept
  }
  if (r.has(metapool::col_converged)) {
    out["converged"] =
        Rcpp::LogicalVector(r.converged.data(), r.converged.data() + r.converged.size());
  }
  if (r.has(metapool::col_iterations)) out["iterations"] = r.iterations;
  out["warnings"] = static_cast<double>(r.warnings);
  return out;
}

}  // namespace

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_pool_groups(const Eigen::Map<Eigen::VectorXd> yi, const Eigen::Map<Eigen::VectorXd> vi, const Rcpp::NumericVector starts,
                           const Rcpp::List options, int threads, bool progress) {
  std::vector<Eigen::Index> s(starts.begin(), starts.end());
  Progress bar;
  return as_list(metapool::pool_groups(yi, vi, s, options_from(options),
                                       control_from(threads, progress, &bar, options)));
}

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_pool_subsets(const Eigen::Map<Eigen::VectorXd> yi, const Eigen::Map<Eigen::VectorXd> vi, const Rcpp::NumericVector masks,
                            bool all, const Rcpp::List options, int threads, bool progress) {
  Progress bar;
  const metapool::BatchControl ctl = control_from(threads, progress, &bar, options);
  if (all) return as_list(metapool::pool_all_subsets(yi, vi, options_from(options), ctl));
  // Masks arrive as doubles: exact for the k <= 52 studies a mask is built for in R.
  std::vector<std::uint64_t> m(masks.size());
  for (R_xlen_t i = 0; i < masks.size(); ++i) m[i] = static_cast<std::uint64_t>(masks[i]);
  return as_list(metapool::pool_subsets(yi, vi, m, options_from(options), ctl));
}

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_leave_one_out(const Eigen::Map<Eigen::VectorXd> yi, const Eigen::Map<Eigen::VectorXd> vi, const Rcpp::List options,
                             int threads) {
  Progress bar;
  return as_list(metapool::leave_one_out(yi, vi, options_from(options),
                                         control_from(threads, false, &bar, options)));
}

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_cumulative(const Eigen::Map<Eigen::VectorXd> yi, const Eigen::Map<Eigen::VectorXd> vi, const std::vector<int>& order,
                          const Rcpp::List options, int threads) {
  Progress bar;
  return as_list(metapool::cumulative(yi, vi, order, options_from(options),
                                      control_from(threads, false, &bar, options)));
}

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_influence(const Eigen::Map<Eigen::VectorXd> yi, const Eigen::Map<Eigen::VectorXd> vi, const Rcpp::List options,
                         int threads) {
  Progress bar;
  const metapool::Influence r = metapool::influence(
      yi, vi, options_from(options), control_from(threads, false, &bar, options));
  return Rcpp::List::create(
      Rcpp::Named("rstudent") = r.rstudent, Rcpp::Named("dffits") = r.dffits,
      Rcpp::Named("cook_d") = r.cook_d, Rcpp::Named("cov_r") = r.cov_r,
      Rcpp::Named("tau2_del") = r.tau2_del, Rcpp::Named("Q_del") = r.Q_del,
      Rcpp::Named("hat") = r.hat, Rcpp::Named("weight") = r.weight,
      Rcpp::Named("dfbetas") = r.dfbetas,
      Rcpp::Named("deleted") = as_list(r.deleted));
}

// `first`, `count`: a part of the exact test's sign vectors (for chunked runs).
// [[Rcpp::export(rng = false)]]
Eigen::VectorXd cpp_permutation(const Eigen::Map<Eigen::VectorXd> yi, const Eigen::Map<Eigen::VectorXd> vi,
                                const Eigen::Map<Eigen::MatrixXd> signs, bool exact,
                                const Rcpp::List options, int threads, bool progress,
                                double first = 0, double count = -1) {
  Progress bar;
  return metapool::permutation_statistics(
      yi, vi, signs, exact, options_from(options), control_from(threads, progress, &bar, options),
      static_cast<std::int64_t>(first), static_cast<std::int64_t>(count));
}

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_bootstrap_parametric(const Eigen::Map<Eigen::VectorXd> vi, double estimate, double tau2,
                                    const Eigen::Map<Eigen::MatrixXd> z, const Rcpp::List options,
                                    int threads, bool progress) {
  Progress bar;
  return as_list(metapool::bootstrap_parametric(vi, estimate, tau2, z, options_from(options),
                                                control_from(threads, progress, &bar, options)));
}

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_bootstrap_resample(const Eigen::Map<Eigen::VectorXd> yi, const Eigen::Map<Eigen::VectorXd> vi,
                                  const Eigen::Map<Eigen::MatrixXi> index,
                                  const Rcpp::List options, int threads, bool progress) {
  Progress bar;
  return as_list(metapool::bootstrap_resample(yi, vi, index, options_from(options),
                                              control_from(threads, progress, &bar, options)));
}
