// Glue: R <-> the batch engines. Conversions, the interrupt check and the progress bar.
#include <RcppEigen.h>

#include <algorithm>
#include <chrono>
#include <cstdint>

#include "metapool/batch.hpp"
#include "rcpp_convert.h"
#include "rcpp_enums.h"

namespace {

using namespace metapool_glue;

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

// What every batch call hands the engine: threads, the interrupt check, the progress
// bar, the result columns the options list names (`columns`; absent: all) and R vectors
// for them to be written into.
struct BatchCall {
  Progress bar;
  RColumns columns;
  metapool::BatchControl ctl;
  BatchCall(int threads, bool progress, const Rcpp::List& options) {
    ctl.threads = threads;
    ctl.check_interrupt = [] { Rcpp::checkUserInterrupt(); };
    bar.enabled = progress;
    ctl.progress = [this](double f) { bar(f); };
    if (options.containsElementNamed("columns")) {
      ctl.columns = batch_columns(Rcpp::as<std::vector<std::string>>(options["columns"]));
    }
    ctl.memory = &columns;
  }
  BatchCall(const BatchCall&) = delete;
  BatchCall& operator=(const BatchCall&) = delete;
  Rcpp::List list(const metapool::BatchResult& r) const { return batch_to_list(r, &columns); }
};

}  // namespace

// `starts`: the group boundaries, or NULL for groups of `size` consecutive studies (the
// columns of a matrix). `scan`: check the input while fitting (metapool::InputScan),
// reported as `input` = c(complete, missing, refused); groups then lose their missing
// values when `omit_missing`.
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_pool_groups(const Eigen::Map<Eigen::VectorXd> yi, const Eigen::Map<Eigen::VectorXd> vi,
                           const Rcpp::Nullable<Rcpp::NumericVector> starts, int size,
                           const Rcpp::List options, int threads, bool progress,
                           bool scan = false, bool omit_missing = false) {
  BatchCall call(threads, progress, options);
  metapool::InputScan input;
  metapool::InputScan* found = scan ? &input : nullptr;
  Rcpp::List out;
  if (starts.isNotNull()) {
    const Rcpp::NumericVector given(starts);
    const std::vector<Eigen::Index> s(given.begin(), given.end());
    out = call.list(metapool::pool_groups(yi, vi, s, pool_options(options), call.ctl, found,
                                          omit_missing));
  } else {
    out = call.list(metapool::pool_columns(yi, vi, size, pool_options(options), call.ctl, found,
                                           omit_missing));
  }
  if (scan) {
    out["input"] = Rcpp::NumericVector::create(static_cast<double>(input.complete),
                                               static_cast<double>(input.missing),
                                               static_cast<double>(input.refused));
  }
  return out;
}

// Random subsets arrive as a raw matrix, one column of packed bits per subset (bit j of
// the column: study j + 1, as packBits() lays them out); the core reads 64-bit words.
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_pool_subsets(const Eigen::Map<Eigen::VectorXd> yi, const Eigen::Map<Eigen::VectorXd> vi, const Rcpp::RawMatrix masks,
                            bool all, const Rcpp::List options, int threads, bool progress) {
  BatchCall call(threads, progress, options);
  if (all) return call.list(metapool::pool_all_subsets(yi, vi, pool_options(options), call.ctl));
  const R_xlen_t bytes = masks.nrow(), n = masks.ncol(), words = (bytes + 7) / 8;
  std::vector<std::uint64_t> m(static_cast<std::size_t>(n * words), 0);
  const Rbyte* b = RAW(masks);
  for (R_xlen_t r = 0; r < n; ++r) {
    for (R_xlen_t i = 0; i < bytes; ++i) {
      m[r * words + i / 8] |= static_cast<std::uint64_t>(b[r * bytes + i]) << (8 * (i % 8));
    }
  }
  return call.list(metapool::pool_subsets(yi, vi, m, std::max<R_xlen_t>(words, 1),
                                          pool_options(options), call.ctl));
}

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_leave_one_out(const Eigen::Map<Eigen::VectorXd> yi, const Eigen::Map<Eigen::VectorXd> vi, const Rcpp::List options,
                             int threads) {
  BatchCall call(threads, false, options);
  return call.list(metapool::leave_one_out(yi, vi, pool_options(options), call.ctl));
}

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_cumulative(const Eigen::Map<Eigen::VectorXd> yi, const Eigen::Map<Eigen::VectorXd> vi, const std::vector<int>& order,
                          const Rcpp::List options, int threads) {
  BatchCall call(threads, false, options);
  return call.list(metapool::cumulative(yi, vi, order, pool_options(options), call.ctl));
}

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_influence(const Eigen::Map<Eigen::VectorXd> yi, const Eigen::Map<Eigen::VectorXd> vi, const Rcpp::List options,
                         int threads) {
  BatchCall call(threads, false, options);
  const metapool::Influence r = metapool::influence(yi, vi, pool_options(options), call.ctl);
  return Rcpp::List::create(
      Rcpp::Named("rstudent") = r.rstudent, Rcpp::Named("dffits") = r.dffits,
      Rcpp::Named("cook_d") = r.cook_d, Rcpp::Named("cov_r") = r.cov_r,
      Rcpp::Named("tau2_del") = r.tau2_del, Rcpp::Named("Q_del") = r.Q_del,
      Rcpp::Named("hat") = r.hat, Rcpp::Named("weight") = r.weight,
      Rcpp::Named("dfbetas") = r.dfbetas,
      Rcpp::Named("deleted") = call.list(r.deleted));
}

// `first`, `count`: a part of the exact test's sign vectors (for chunked runs).
// [[Rcpp::export(rng = false)]]
Eigen::VectorXd cpp_permutation(const Eigen::Map<Eigen::VectorXd> yi, const Eigen::Map<Eigen::VectorXd> vi,
                                const Eigen::Map<Eigen::MatrixXd> signs, bool exact,
                                const Rcpp::List options, int threads, bool progress,
                                double first = 0, double count = -1) {
  BatchCall call(threads, progress, options);
  return metapool::permutation_statistics(yi, vi, signs, exact, pool_options(options), call.ctl,
                                          static_cast<std::int64_t>(first),
                                          static_cast<std::int64_t>(count));
}

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_bootstrap_parametric(const Eigen::Map<Eigen::VectorXd> vi, double estimate, double tau2,
                                    const Eigen::Map<Eigen::MatrixXd> z, const Rcpp::List options,
                                    int threads, bool progress) {
  BatchCall call(threads, progress, options);
  return call.list(
      metapool::bootstrap_parametric(vi, estimate, tau2, z, pool_options(options), call.ctl));
}

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_bootstrap_resample(const Eigen::Map<Eigen::VectorXd> yi, const Eigen::Map<Eigen::VectorXd> vi,
                                  const Eigen::Map<Eigen::MatrixXi> index,
                                  const Rcpp::List options, int threads, bool progress) {
  BatchCall call(threads, progress, options);
  return call.list(metapool::bootstrap_resample(yi, vi, index, pool_options(options), call.ctl));
}
