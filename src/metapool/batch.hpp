// Many fits at once, all through pool(): groups of a long data set, all-subsets
// (GOSH), leave-one-out, cumulative, influence diagnostics, permutation and bootstrap.
// Random numbers are drawn by the caller (R) and passed in, so results do not depend
// on the number of threads. OpenMP threads take blocks of replicates from one queue;
// every `chunk` replicates it has fitted, the calling thread runs the caller's interrupt
// check and progress report.
#ifndef METAPOOL_BATCH_HPP
#define METAPOOL_BATCH_HPP

#include <Eigen/Core>
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "metapool/pool.hpp"

namespace metapool {

using NoteCounts = std::array<long, kNoteCodes>;

// The columns a batch result can hold, as bits of BatchResult::columns. A caller that
// needs only some of them (a simulation study rarely wants every interval) keeps those:
// the others stay empty, cost no memory, and their work is skipped (no tau^2 interval
// without tau2_lb/tau2_ub, no prediction interval without pi_lb/pi_ub).
enum BatchColumn : std::uint32_t {
  col_estimate = 1u << 0, col_se = 1u << 1, col_stat = 1u << 2, col_p = 1u << 3,
  col_ci_lb = 1u << 4, col_ci_ub = 1u << 5, col_pi_lb = 1u << 6, col_pi_ub = 1u << 7,
  col_tau2 = 1u << 8, col_tau2_lb = 1u << 9, col_tau2_ub = 1u << 10, col_I2 = 1u << 11,
  col_H2 = 1u << 12, col_Q = 1u << 13, col_Q_p = 1u << 14, col_converged = 1u << 15,
  col_iterations = 1u << 16
};
const std::uint32_t kAllBatchColumns = (1u << 17) - 1;

// Memory for result columns that the caller supplies, so that rows are written where
// they will be read, with no copy afterwards (R's glue hands out R vectors). Asked once
// per kept column, on the calling thread, before any fit; the memory must outlive the
// result.
struct ColumnMemory {
  virtual ~ColumnMemory() = default;
  virtual double* doubles(Eigen::Index n) = 0;
  virtual int* ints(Eigen::Index n, bool logical) = 0;  // logical: a yes/no column
};

struct BatchControl {
  int threads = 1;
  Eigen::Index chunk = 8192;                      // replicates the calling thread fits between interrupt checks
  std::uint32_t columns = kAllBatchColumns;       // BatchColumn bits of the result to keep
  ColumnMemory* memory = nullptr;                 // null: the result owns its columns
  std::function<void()> check_interrupt;          // called on the calling thread; may throw
  std::function<void(double)> progress;           // fraction done, on the calling thread
};

// One column of a batch result: n values in memory it owns or in the caller's
// (ColumnMemory). Indexed like a vector; moved, never copied.
template <typename T>
class Column {
 public:
  Column() = default;
  Column(Column&& o) noexcept : owned_(std::move(o.owned_)), data_(o.data_), size_(o.size_) {
    o.data_ = nullptr;
    o.size_ = 0;
  }
  Column& operator=(Column&& o) noexcept {
    owned_ = std::move(o.owned_);
    data_ = o.data_;
    size_ = o.size_;
    o.data_ = nullptr;
    o.size_ = 0;
    return *this;
  }
  // n values, uninitialised: at `place` when given, else owned.
  void allocate(Eigen::Index n, T* place = nullptr) {
    owned_.reset(place != nullptr || n == 0 ? nullptr : new T[static_cast<std::size_t>(n)]);
    data_ = place != nullptr ? place : owned_.get();
    size_ = n;
  }
  T& operator[](Eigen::Index i) { return data_[i]; }
  const T& operator[](Eigen::Index i) const { return data_[i]; }
  Eigen::Index size() const { return size_; }
  const T* data() const { return data_; }

 private:
  std::unique_ptr<T[]> owned_;
  T* data_ = nullptr;
  Eigen::Index size_ = 0;
};

// One row per fit: the quantities a batch engine reports (`k` always; the others as
// `columns` says).
struct BatchResult {
  Column<double> estimate, se, stat, p, ci_lb, ci_ub, pi_lb, pi_ub;
  Column<double> tau2, tau2_lb, tau2_ub, I2, H2, Q, Q_p;
  Column<int> k, converged, iterations;
  NoteCounts notes{};  // number of fits that reported each note (indexed by NoteCode)
  std::uint32_t columns = kAllBatchColumns;
  bool has(BatchColumn c) const { return (columns & c) != 0; }
  // Makes the columns `ctl` keeps, n rows each, uninitialised (in ctl.memory when
  // given): store() or store_failure() writes every row.
  void allocate(Eigen::Index n, const BatchControl& ctl);
  void store(Eigen::Index r, const PoolFit& f);
  void store_failure(Eigen::Index r, int k);  // k studies, no fit: NaN

 private:
  // The kept double columns and the fit field each takes (found once, by allocate()).
  using DoubleField = std::pair<Column<double> BatchResult::*, double PoolFit::*>;
  std::array<DoubleField, 15> kept_{};
  int n_kept_ = 0;
};

// What pool_groups() finds in its input while it fits, so that a caller need not read
// the input a second time to check it (for a simulation's lean fits, that second read
// costs as much as the fits and does not speed up with threads): studies with yi or vi
// missing (NaN), the others, and studies whose effect is infinite or whose variance is
// infinite or not positive (`refused`).
struct InputScan {
  Eigen::Index complete = 0, missing = 0, refused = 0;
};

// Groups of consecutive studies: group g is [starts[g], starts[g + 1]). With `scan`,
// the input is checked while it is fitted (the result is then filled in): a group with
// a missing value is fitted without those studies when `omit_missing`, else not at all,
// and a group with an infinite value or a variance that is not positive is not fitted
// (their rows are NaN; the caller is expected to refuse such input).
BatchResult pool_groups(const Eigen::Ref<const Eigen::VectorXd>& yi,
                        const Eigen::Ref<const Eigen::VectorXd>& vi,
                        const std::vector<Eigen::Index>& starts, const PoolOptions& opt,
                        const BatchControl& ctl, InputScan* scan = nullptr,
                        bool omit_missing = false);

// The same for groups of `size` studies each (the columns of a matrix): no boundaries.
BatchResult pool_columns(const Eigen::Ref<const Eigen::VectorXd>& yi,
                         const Eigen::Ref<const Eigen::VectorXd>& vi, Eigen::Index size,
                         const PoolOptions& opt, const BatchControl& ctl,
                         InputScan* scan = nullptr, bool omit_missing = false);

// Subsets of the studies given as bit masks of `words` 64-bit words each (any k):
// subset r includes study j when bit j % 64 of masks[r * words + j / 64] is set.
BatchResult pool_subsets(const Eigen::Ref<const Eigen::VectorXd>& yi,
                         const Eigen::Ref<const Eigen::VectorXd>& vi,
                         const std::vector<std::uint64_t>& masks, Eigen::Index words,
                         const PoolOptions& opt, const BatchControl& ctl);

// All 2^k - 1 non-empty subsets, in the order of the masks 1, 2, ..., 2^k - 1.
BatchResult pool_all_subsets(const Eigen::Ref<const Eigen::VectorXd>& yi,
                             const Eigen::Ref<const Eigen::VectorXd>& vi, const PoolOptions& opt,
                             const BatchControl& ctl);

// Fit i leaves study i out.
BatchResult leave_one_out(const Eigen::Ref<const Eigen::VectorXd>& yi,
                          const Eigen::Ref<const Eigen::VectorXd>& vi, const PoolOptions& opt,
                          const BatchControl& ctl);

// Fit i pools studies order[0..i].
BatchResult cumulative(const Eigen::Ref<const Eigen::VectorXd>& yi,
                       const Eigen::Ref<const Eigen::VectorXd>& vi,
                       const std::vector<int>& order, const PoolOptions& opt,
                       const BatchControl& ctl);

// Case-deletion diagnostics (as metafor's influence()): for each study, the
// studentised deleted residual, DFFITS, Cook's distance, covariance ratio, tau^2 and
// Q with the study deleted, hat value, weight (%) and DFBETAS.
struct Influence {
  Eigen::VectorXd rstudent, dffits, cook_d, cov_r, tau2_del, Q_del, hat, weight, dfbetas;
  BatchResult deleted;  // the leave-one-out fits themselves
};
Influence influence(const Eigen::Ref<const Eigen::VectorXd>& yi,
                    const Eigen::Ref<const Eigen::VectorXd>& vi, const PoolOptions& opt,
                    const BatchControl& ctl);

// Sign-flip permutation test of the pooled effect. `signs` is k x n (entries +1/-1),
// one permutation per column; exact = all 2^k sign vectors (k <= 30) in the order of
// metafor's permutest(); sign vectors first, first + 1, ... (count of them; < 0: to the
// end) for a part of the exact test. Returns the test statistic (z or t) of each.
Eigen::VectorXd permutation_statistics(const Eigen::Ref<const Eigen::VectorXd>& yi,
                                       const Eigen::Ref<const Eigen::VectorXd>& vi,
                                       const Eigen::Ref<const Eigen::MatrixXd>& signs,
                                       bool exact, const PoolOptions& opt,
                                       const BatchControl& ctl, std::int64_t first = 0,
                                       std::int64_t count = -1);

// Parametric bootstrap: y*_i = estimate + sqrt(v_i + tau2) z_ri with z (k x B) given.
// Non-parametric bootstrap: study indices (k x B, 0-based) given.
BatchResult bootstrap_parametric(const Eigen::Ref<const Eigen::VectorXd>& vi, double estimate,
                                 double tau2, const Eigen::Ref<const Eigen::MatrixXd>& z,
                                 const PoolOptions& opt, const BatchControl& ctl);
BatchResult bootstrap_resample(const Eigen::Ref<const Eigen::VectorXd>& yi,
                               const Eigen::Ref<const Eigen::VectorXd>& vi,
                               const Eigen::Ref<const Eigen::MatrixXi>& index,
                               const PoolOptions& opt, const BatchControl& ctl);

}  // namespace metapool

#endif
