#include "metapool/batch.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <limits>
#include <stdexcept>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace metapool {

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();
const std::vector<int> kNoGroups;

// The studies of one fit: m effects and variances, in the thread's buffers or (groups of
// a long data set) where the caller keeps them, read in place.
struct Studies {
  const double* y;
  const double* v;
  Eigen::Index m;
};
Studies buffered(const Eigen::VectorXd& y, const Eigen::VectorXd& v, Eigen::Index m) {
  return {y.data(), v.data(), m};
}

// Runs fit r = 0..n-1 in parallel: `fill(r, y, v)` gives the r-th data set, written into
// the thread's buffers y and v (max_k long) or found in place; the fit is passed to
// `record(r, fit)`, which writes only row r. Threads take blocks of consecutive rows
// from one shared queue, with no barrier until the end: a block's output spans whole
// cache lines of every column (no false sharing between threads). Blocks are a multiple
// of 64 rows, about 64 per thread in all: few enough that taking one costs nothing next
// to its fits, many enough to balance fits of unequal cost (REML iterations). The calling thread (OpenMP's thread 0,
// the only one that may call R) runs the caller's interrupt check and progress report
// after every `ctl.chunk` rows it has fitted itself; an interrupt stops the others at
// their next block. Which thread fits a row never changes its result, so output is
// bit-identical for any number of threads.
Eigen::Index block_rows(Eigen::Index n, int threads) {
  const Eigen::Index per_block = n / (64 * static_cast<Eigen::Index>(threads));
  return std::min<Eigen::Index>(std::max<Eigen::Index>(per_block / 64, 1), 64) * 64;
}

// Nothing to do before a block (see run_replicates()).
struct NoBlockStart {
  void operator()(Eigen::Index, Eigen::Index) const {}
};

// `block_start(first, end)` runs on the thread that fits rows [first, end), before it
// fits them.
template <typename Fill, typename Record, typename BlockStart = NoBlockStart>
NoteCounts run_replicates(Eigen::Index n, Eigen::Index max_k, const PoolOptions& opt,
                          const BatchControl& ctl, Fill fill, Record record,
                          BlockStart block_start = BlockStart()) {
  long counts[kNoteCodes] = {0};
  std::exception_ptr interrupted;
  std::atomic<bool> stop(false);
  const int threads = std::max(ctl.threads, 1);
  const Eigen::Index check_every = std::max<Eigen::Index>(ctl.chunk, 1);
  const Eigen::Index buffer = std::max<Eigen::Index>(max_k, 1);
  const Eigen::Index block = block_rows(n, threads);
  const Eigen::Index blocks = (n + block - 1) / block;
#ifdef _OPENMP
#pragma omp parallel num_threads(threads) reduction(+ : counts[:kNoteCodes])
#endif
  {
    // Per-thread buffers, made once for the whole job.
    Eigen::VectorXd y(buffer), v(buffer);
#ifdef _OPENMP
    const bool caller = omp_get_thread_num() == 0;
#else
    const bool caller = true;
#endif
    Eigen::Index since_check = 0;
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 1) nowait
#endif
    for (Eigen::Index b = 0; b < blocks; ++b) {
      if (stop.load(std::memory_order_relaxed)) continue;
      const Eigen::Index first = b * block, block_end = std::min(n, first + block);
      block_start(first, block_end);
      for (Eigen::Index r = first; r < block_end; ++r) {
        const Studies d = fill(r, y, v);
        const Eigen::Index m = d.m;
        if (m < 1) {
          record(r, nullptr, m);
          continue;
        }
        try {
          const PoolFit f = pool(Eigen::Map<const Eigen::VectorXd>(d.y, m),
                                 Eigen::Map<const Eigen::VectorXd>(d.v, m), kNoGroups, opt);
          for (const NoteCode c : f.notes) ++counts[static_cast<int>(c)];
          record(r, &f, m);
        } catch (...) {  // broken invariants only; never leave a parallel region by throwing
          record(r, nullptr, m);
        }
      }
      since_check += block_end - first;
      if (caller && since_check >= check_every) {
        since_check = 0;
        // The interrupt check may throw (R's interrupt): it must not escape the parallel
        // region, so it is caught here and rethrown after it.
        try {
          if (ctl.check_interrupt) ctl.check_interrupt();
          // Blocks are handed out in order: every row before this block's end has been
          // taken, and most of them fitted.
          if (ctl.progress) ctl.progress(static_cast<double>(block_end) / static_cast<double>(n));
        } catch (...) {
          interrupted = std::current_exception();
          stop.store(true);
        }
      }
    }
  }
  if (interrupted) std::rethrow_exception(interrupted);
  // The calling thread may have fitted few blocks itself: one last check and report.
  if (ctl.check_interrupt) ctl.check_interrupt();
  if (ctl.progress) ctl.progress(1.0);
  NoteCounts out{};
  std::copy(counts, counts + kNoteCodes, out.begin());
  return out;
}

// The usual recorder: row r of a BatchResult.
struct Recorder {
  BatchResult* out;
  void operator()(Eigen::Index r, const PoolFit* f, Eigen::Index m) const {
    if (f) {
      out->store(r, *f);
    } else {
      out->store_failure(r, static_cast<int>(m));
    }
  }
};

// Copies the studies j with keep(j) into the front of y and v; returns how many.
template <typename Keep>
Eigen::Index gather(const Eigen::Ref<const Eigen::VectorXd>& yi,
                    const Eigen::Ref<const Eigen::VectorXd>& vi, Eigen::VectorXd& y,
                    Eigen::VectorXd& v, Keep keep) {
  Eigen::Index m = 0;
  for (Eigen::Index j = 0; j < yi.size(); ++j) {
    if (!keep(j)) continue;
    y[m] = yi[j];
    v[m] = vi[j];
    ++m;
  }
  return m;
}

}  // namespace

namespace {

// The double columns: where each comes from in a fit.
struct DoubleColumn {
  BatchColumn bit;
  Column<double> BatchResult::*out;
  double PoolFit::*in;
};
const DoubleColumn kDoubleColumns[] = {
    {col_estimate, &BatchResult::estimate, &PoolFit::estimate},
    {col_se, &BatchResult::se, &PoolFit::se},
    {col_stat, &BatchResult::stat, &PoolFit::stat},
    {col_p, &BatchResult::p, &PoolFit::p},
    {col_ci_lb, &BatchResult::ci_lb, &PoolFit::ci_lb},
    {col_ci_ub, &BatchResult::ci_ub, &PoolFit::ci_ub},
    {col_pi_lb, &BatchResult::pi_lb, &PoolFit::pi_lb},
    {col_pi_ub, &BatchResult::pi_ub, &PoolFit::pi_ub},
    {col_tau2, &BatchResult::tau2, &PoolFit::tau2},
    {col_tau2_lb, &BatchResult::tau2_lb, &PoolFit::tau2_lb},
    {col_tau2_ub, &BatchResult::tau2_ub, &PoolFit::tau2_ub},
    {col_I2, &BatchResult::I2, &PoolFit::I2},
    {col_H2, &BatchResult::H2, &PoolFit::H2},
    {col_Q, &BatchResult::Q, &PoolFit::Q},
    {col_Q_p, &BatchResult::Q_p, &PoolFit::Q_p}};

// The work a batch does not need: intervals for columns nobody keeps, and weights.
PoolOptions batch_options(PoolOptions opt, std::uint32_t columns) {
  opt.weights = false;
  opt.loglik = false;
  opt.tau2_se = false;
  if (!(columns & (col_tau2_lb | col_tau2_ub))) opt.tau2_ci = Tau2CiMethod::none;
  if (!(columns & (col_pi_lb | col_pi_ub))) opt.prediction = false;
  if (!(columns & (col_p | col_Q_p))) opt.p_values = false;
  return opt;
}

}  // namespace

void BatchResult::allocate(Eigen::Index n, const BatchControl& ctl) {
  columns = ctl.columns;
  ColumnMemory* memory = ctl.memory;
  const auto doubles = [&](Column<double>& c) {
    c.allocate(n, memory != nullptr ? memory->doubles(n) : nullptr);
  };
  const auto ints = [&](Column<int>& c, bool logical) {
    c.allocate(n, memory != nullptr ? memory->ints(n, logical) : nullptr);
  };
  n_kept_ = 0;
  ints(k, false);
  for (const DoubleColumn& c : kDoubleColumns) {
    if (has(c.bit)) {
      doubles(this->*c.out);
      kept_[n_kept_++] = DoubleField(c.out, c.in);
    } else {
      (this->*c.out).allocate(0);
    }
  }
  if (has(col_converged)) ints(converged, true); else converged.allocate(0);
  if (has(col_iterations)) ints(iterations, false); else iterations.allocate(0);
}

void BatchResult::store(Eigen::Index r, const PoolFit& f) {
  for (int c = 0; c < n_kept_; ++c) (this->*kept_[c].first)[r] = f.*kept_[c].second;
  k[r] = f.k;
  if (has(col_converged)) converged[r] = f.tau2_est.status != Tau2Status::fallback_dl;
  if (has(col_iterations)) iterations[r] = f.tau2_est.iterations;
}

void BatchResult::store_failure(Eigen::Index r, int kr) {
  for (int c = 0; c < n_kept_; ++c) (this->*kept_[c].first)[r] = kNaN;
  k[r] = kr;
  if (has(col_converged)) converged[r] = 0;
  if (has(col_iterations)) iterations[r] = 0;
}

namespace {

// One thread's part of an InputScan, padded so that two threads' parts never share a
// cache line; `clean`: the block this thread is fitting can be fitted as it is.
struct ScanPart {
  InputScan counts;
  bool clean = false;
  char padding[64];
};

int thread_index() {
#ifdef _OPENMP
  return omp_get_thread_num();
#else
  return 0;
#endif
}

// Whether the m studies at y and v can be fitted as they are: every effect finite, every
// variance finite and positive, nothing missing. One branch-free pass of sums and a
// minimum: a sum is finite only if every term is (a NaN or an infinity carries through;
// the rare overflow of finite terms only sends a block to the study-by-study check).
// Two running sums and minima each, in named variables so that they stay in registers.
bool fit_as_is(const double* y, const double* v, Eigen::Index m) {
  double y0 = 0, y1 = 0, v0 = 0, v1 = 0, lo0 = 1, lo1 = 1;
  Eigen::Index i = 0;
  for (; i + 2 <= m; i += 2) {
    y0 += y[i];
    y1 += y[i + 1];
    v0 += v[i];
    v1 += v[i + 1];
    lo0 = v[i] < lo0 ? v[i] : lo0;
    lo1 = v[i + 1] < lo1 ? v[i + 1] : lo1;
  }
  if (i < m) {
    y0 += y[i];
    v0 += v[i];
    lo0 = v[i] < lo0 ? v[i] : lo0;
  }
  return std::isfinite(y0 + y1) && std::isfinite(v0 + v1) && std::min(lo0, lo1) > 0;
}

// n groups, group g being studies [start(g), start(g + 1)), none longer than max_k.
template <typename Start>
BatchResult pool_consecutive(const Eigen::Ref<const Eigen::VectorXd>& yi,
                             const Eigen::Ref<const Eigen::VectorXd>& vi, Eigen::Index n,
                             Start starts, Eigen::Index max_k, const PoolOptions& opt,
                             const BatchControl& ctl, InputScan* scan, bool omit_missing) {
  BatchResult out;
  out.allocate(n, ctl);
  std::vector<ScanPart> parts(static_cast<std::size_t>(std::max(ctl.threads, 1)));
  // With `scan`, each block's studies (consecutive in memory) are checked in one pass
  // just before its fits, which then read them from cache. A clean block (the usual
  // case) is fitted in place; a block that is not is checked study by study.
  const auto check_block = [&](Eigen::Index first, Eigen::Index end) {
    if (scan == nullptr) return;
    ScanPart& part = parts[static_cast<std::size_t>(thread_index())];
    const Eigen::Index from = starts(first), m = starts(end) - from;
    part.clean = fit_as_is(yi.data() + from, vi.data() + from, m);
    if (part.clean) part.counts.complete += m;
  };
  // Groups are read where they lie; the buffers hold a group without its missing values.
  out.notes = run_replicates(
      n, scan != nullptr && omit_missing ? max_k : 0, batch_options(opt, ctl.columns), ctl,
      [&](Eigen::Index g, Eigen::VectorXd& y, Eigen::VectorXd& v) {
        const double* gy = yi.data() + starts(g);
        const double* gv = vi.data() + starts(g);
        const Eigen::Index m = starts(g + 1) - starts(g);
        if (scan == nullptr) return Studies{gy, gv, m};
        ScanPart& part = parts[static_cast<std::size_t>(thread_index())];
        if (part.clean) return Studies{gy, gv, m};
        Eigen::Index missing = 0, refused = 0;
        for (Eigen::Index j = 0; j < m; ++j) {
          if (std::isnan(gy[j]) || std::isnan(gv[j])) {
            ++missing;
          } else if (!std::isfinite(gy[j]) || !std::isfinite(gv[j]) || !(gv[j] > 0)) {
            ++refused;
          }
        }
        part.counts.complete += m - missing;
        part.counts.missing += missing;
        part.counts.refused += refused;
        if (refused > 0 || (missing > 0 && !omit_missing)) {
          return Studies{gy, gv, 0};  // not fitted: the caller refuses this input
        }
        if (missing == 0) return Studies{gy, gv, m};
        return buffered(y, v, gather(Eigen::Map<const Eigen::VectorXd>(gy, m),
                                     Eigen::Map<const Eigen::VectorXd>(gv, m), y, v,
                                     [&](Eigen::Index j) {
                                       return !std::isnan(gy[j]) && !std::isnan(gv[j]);
                                     }));
      },
      Recorder{&out}, check_block);
  if (scan != nullptr) {
    *scan = InputScan();
    for (const ScanPart& p : parts) {
      scan->complete += p.counts.complete;
      scan->missing += p.counts.missing;
      scan->refused += p.counts.refused;
    }
  }
  return out;
}

}  // namespace

BatchResult pool_groups(const Eigen::Ref<const Eigen::VectorXd>& yi,
                        const Eigen::Ref<const Eigen::VectorXd>& vi,
                        const std::vector<Eigen::Index>& starts, const PoolOptions& opt,
                        const BatchControl& ctl, InputScan* scan, bool omit_missing) {
  if (yi.size() != vi.size()) throw std::invalid_argument("yi and vi differ in length");
  if (starts.empty() || starts.front() != 0 || starts.back() != yi.size()) {
    throw std::invalid_argument("group starts must run from 0 to the number of studies");
  }
  const Eigen::Index n = static_cast<Eigen::Index>(starts.size()) - 1;
  Eigen::Index max_k = 0;
  for (Eigen::Index g = 0; g < n; ++g) {
    if (starts[g + 1] < starts[g]) throw std::invalid_argument("group starts must increase");
    max_k = std::max(max_k, starts[g + 1] - starts[g]);
  }
  return pool_consecutive(yi, vi, n, [&](Eigen::Index g) { return starts[g]; }, max_k, opt,
                          ctl, scan, omit_missing);
}

BatchResult pool_columns(const Eigen::Ref<const Eigen::VectorXd>& yi,
                         const Eigen::Ref<const Eigen::VectorXd>& vi, Eigen::Index size,
                         const PoolOptions& opt, const BatchControl& ctl, InputScan* scan,
                         bool omit_missing) {
  if (yi.size() != vi.size()) throw std::invalid_argument("yi and vi differ in length");
  if (size < 1 || yi.size() % size != 0) {
    throw std::invalid_argument("the number of studies must be a multiple of the column size");
  }
  return pool_consecutive(yi, vi, yi.size() / size, [size](Eigen::Index g) { return g * size; },
                          size, opt, ctl, scan, omit_missing);
}

namespace {

// Subset r includes study j when bit j % 64 of word_at(r, j / 64) is set.
template <typename WordAt>
BatchResult subsets_by_mask(const Eigen::Ref<const Eigen::VectorXd>& yi,
                            const Eigen::Ref<const Eigen::VectorXd>& vi, Eigen::Index n,
                            WordAt word_at, const PoolOptions& opt, const BatchControl& ctl) {
  const Eigen::Index k = yi.size();
  if (vi.size() != k) throw std::invalid_argument("yi and vi differ in length");
  BatchResult out;
  out.allocate(n, ctl);
  out.notes = run_replicates(
      n, k, batch_options(opt, ctl.columns), ctl,
      [&](Eigen::Index r, Eigen::VectorXd& y, Eigen::VectorXd& v) {
        return buffered(y, v, gather(yi, vi, y, v, [&](Eigen::Index j) {
          return ((word_at(r, j / 64) >> (j % 64)) & 1u) != 0;
        }));
      },
      Recorder{&out});
  return out;
}

}  // namespace

BatchResult pool_subsets(const Eigen::Ref<const Eigen::VectorXd>& yi,
                         const Eigen::Ref<const Eigen::VectorXd>& vi,
                         const std::vector<std::uint64_t>& masks, Eigen::Index words,
                         const PoolOptions& opt, const BatchControl& ctl) {
  if (words < 1 || words * 64 < yi.size()) {
    throw std::invalid_argument("subset masks need one 64-bit word per 64 studies");
  }
  if (static_cast<Eigen::Index>(masks.size()) % words != 0) {
    throw std::invalid_argument("subset masks are not a whole number of subsets");
  }
  return subsets_by_mask(
      yi, vi, static_cast<Eigen::Index>(masks.size()) / words,
      [&](Eigen::Index r, Eigen::Index w) { return masks[r * words + w]; }, opt, ctl);
}

BatchResult pool_all_subsets(const Eigen::Ref<const Eigen::VectorXd>& yi,
                             const Eigen::Ref<const Eigen::VectorXd>& vi, const PoolOptions& opt,
                             const BatchControl& ctl) {
  if (yi.size() > 30) throw std::invalid_argument("all subsets: at most 30 studies");
  const Eigen::Index n = (Eigen::Index(1) << yi.size()) - 1;
  return subsets_by_mask(
      yi, vi, n, [](Eigen::Index r, Eigen::Index) { return static_cast<std::uint64_t>(r + 1); },
      opt, ctl);
}

BatchResult leave_one_out(const Eigen::Ref<const Eigen::VectorXd>& yi,
                          const Eigen::Ref<const Eigen::VectorXd>& vi, const PoolOptions& opt,
                          const BatchControl& ctl) {
  const Eigen::Index k = yi.size();
  if (vi.size() != k) throw std::invalid_argument("yi and vi differ in length");
  BatchResult out;
  out.allocate(k, ctl);
  out.notes = run_replicates(
      k, k, batch_options(opt, ctl.columns), ctl,
      [&](Eigen::Index i, Eigen::VectorXd& y, Eigen::VectorXd& v) {
        return buffered(y, v, gather(yi, vi, y, v, [i](Eigen::Index j) { return j != i; }));
      },
      Recorder{&out});
  return out;
}

BatchResult cumulative(const Eigen::Ref<const Eigen::VectorXd>& yi,
                       const Eigen::Ref<const Eigen::VectorXd>& vi,
                       const std::vector<int>& order, const PoolOptions& opt,
                       const BatchControl& ctl) {
  const Eigen::Index k = yi.size();
  if (vi.size() != k || static_cast<Eigen::Index>(order.size()) != k) {
    throw std::invalid_argument("yi, vi and order differ in length");
  }
  for (int o : order) {
    if (o < 0 || o >= k) throw std::invalid_argument("order holds an index out of range");
  }
  BatchResult out;
  out.allocate(k, ctl);
  out.notes = run_replicates(
      k, k, batch_options(opt, ctl.columns), ctl,
      [&](Eigen::Index i, Eigen::VectorXd& y, Eigen::VectorXd& v) {
        for (Eigen::Index j = 0; j <= i; ++j) {
          y[j] = yi[order[j]];
          v[j] = vi[order[j]];
        }
        return buffered(y, v, i + 1);
      },
      Recorder{&out});
  return out;
}

Influence influence(const Eigen::Ref<const Eigen::VectorXd>& yi,
                    const Eigen::Ref<const Eigen::VectorXd>& vi, const PoolOptions& opt,
                    const BatchControl& ctl) {
  const Eigen::Index k = yi.size();
  // The hat values are the full fit's weights: ask for them whatever the caller's
  // options say (with opt.weights == false, full.weights would be empty and read out
  // of bounds below).
  PoolOptions full_opt = opt;
  full_opt.weights = true;
  const PoolFit full = pool(yi, vi, kNoGroups, full_opt);
  Influence out;
  BatchControl all_columns = ctl;  // the diagnostics read the deleted fits' se, tau2, Q
  all_columns.columns = kAllBatchColumns;
  out.deleted = leave_one_out(yi, vi, opt, all_columns);
  for (Eigen::VectorXd* x : {&out.rstudent, &out.dffits, &out.cook_d, &out.cov_r, &out.tau2_del,
                             &out.Q_del, &out.hat, &out.weight, &out.dfbetas}) {
    x->setConstant(k, kNaN);
  }
  const double vb = full.se * full.se;
  for (Eigen::Index i = 0; i < k; ++i) {
    const double hat = full.weights[i];
    const BatchResult& d = out.deleted;
    const double s2w_del =
        (opt.ci == CiMethod::hksj || opt.ci == CiMethod::hksj_adhoc) ? kNaN : 1.0;
    // The deleted fit's own HKSJ factor is its variance ratio to the unscaled one.
    const double vdel = d.se[i] * d.se[i];
    double s2w = s2w_del;
    if (std::isnan(s2w)) {
      double sw = 0;
      for (Eigen::Index j = 0; j < k; ++j) {
        if (j != i) sw += 1.0 / (vi[j] + d.tau2[i]);
      }
      s2w = vdel * sw;
    }
    double resid = yi[i] - d.estimate[i];
    if (std::fabs(resid) < 100 * std::numeric_limits<double>::epsilon()) resid = 0;
    out.rstudent[i] = resid / std::sqrt(vi[i] * s2w + vdel + d.tau2[i] * s2w);
    const double diff = full.estimate - d.estimate[i];
    out.dffits[i] = diff / std::sqrt(s2w * hat * (d.tau2[i] + vi[i]));
    out.cook_d[i] = diff * diff / vb;
    out.cov_r[i] = vdel / vb;
    // DFBETAS scales by the variance of the full-data estimate at the deleted tau^2.
    double sw_all = 0;
    for (Eigen::Index j = 0; j < k; ++j) sw_all += 1.0 / (vi[j] + d.tau2[i]);
    out.dfbetas[i] = diff / std::sqrt(s2w / sw_all);
    out.tau2_del[i] = d.tau2[i];
    out.Q_del[i] = d.Q[i];
    out.hat[i] = hat;
    out.weight[i] = 100.0 * hat;
  }
  return out;
}

Eigen::VectorXd permutation_statistics(const Eigen::Ref<const Eigen::VectorXd>& yi,
                                       const Eigen::Ref<const Eigen::VectorXd>& vi,
                                       const Eigen::Ref<const Eigen::MatrixXd>& signs,
                                       bool exact, const PoolOptions& opt,
                                       const BatchControl& ctl, std::int64_t first,
                                       std::int64_t count) {
  const Eigen::Index k = yi.size();
  if (vi.size() != k) throw std::invalid_argument("yi and vi differ in length");
  if (exact && k > 30) throw std::invalid_argument("exact permutation test: at most 30 studies");
  if (!exact && signs.rows() != k) throw std::invalid_argument("signs must have k rows");
  const std::int64_t all = std::int64_t(1) << k;
  if (exact && (first < 0 || first > all)) throw std::invalid_argument("first out of range");
  const Eigen::Index n =
      exact ? static_cast<Eigen::Index>(count < 0 ? all - first : std::min(count, all - first))
            : signs.cols();
  PoolOptions o = batch_options(opt, col_stat);  // only the statistic is wanted
  Eigen::VectorXd stat = Eigen::VectorXd::Constant(n, kNaN);
  run_replicates(
      n, k, o, ctl,
      [&](Eigen::Index r, Eigen::VectorXd& y, Eigen::VectorXd& v) {
        const std::int64_t bits = first + r;
        for (Eigen::Index j = 0; j < k; ++j) {
          const double s = exact ? (((bits >> j) & 1) ? -1.0 : 1.0) : signs(j, r);
          y[j] = s * yi[j];
          v[j] = vi[j];
        }
        return buffered(y, v, k);
      },
      [&](Eigen::Index r, const PoolFit* f, Eigen::Index) {
        if (f) stat[r] = f->stat;
      });
  return stat;
}

BatchResult bootstrap_parametric(const Eigen::Ref<const Eigen::VectorXd>& vi, double estimate,
                                 double tau2, const Eigen::Ref<const Eigen::MatrixXd>& z,
                                 const PoolOptions& opt, const BatchControl& ctl) {
  const Eigen::Index k = vi.size();
  if (z.rows() != k) throw std::invalid_argument("z must have one row per study");
  BatchResult out;
  out.allocate(z.cols(), ctl);
  out.notes = run_replicates(
      z.cols(), k, batch_options(opt, ctl.columns), ctl,
      [&](Eigen::Index r, Eigen::VectorXd& y, Eigen::VectorXd& v) {
        for (Eigen::Index j = 0; j < k; ++j) {
          y[j] = estimate + std::sqrt(vi[j] + tau2) * z(j, r);
          v[j] = vi[j];
        }
        return buffered(y, v, k);
      },
      Recorder{&out});
  return out;
}

BatchResult bootstrap_resample(const Eigen::Ref<const Eigen::VectorXd>& yi,
                               const Eigen::Ref<const Eigen::VectorXd>& vi,
                               const Eigen::Ref<const Eigen::MatrixXi>& index,
                               const PoolOptions& opt, const BatchControl& ctl) {
  const Eigen::Index k = yi.size();
  if (vi.size() != k || index.rows() != k) {
    throw std::invalid_argument("index must have one row per study");
  }
  if (index.size() > 0 && (index.minCoeff() < 0 || index.maxCoeff() >= k)) {
    throw std::invalid_argument("bootstrap index out of range");
  }
  BatchResult out;
  out.allocate(index.cols(), ctl);
  out.notes = run_replicates(
      index.cols(), k, batch_options(opt, ctl.columns), ctl,
      [&](Eigen::Index r, Eigen::VectorXd& y, Eigen::VectorXd& v) {
        for (Eigen::Index j = 0; j < k; ++j) {
          y[j] = yi[index(j, r)];
          v[j] = vi[index(j, r)];
        }
        return buffered(y, v, k);
      },
      Recorder{&out});
  return out;
}

}  // namespace metapool
