// Meta-regression: the mixed-effects model y = X beta + u + e with every tau^2 estimator
// of pool(), through the same engine (tau2_engine.hpp) with a design matrix in place of
// a factor. Weighted least squares on the p x p normal equations (Cholesky): O(k p^2)
// per evaluation, never a k x k matrix. Definitions follow metafor's rma.uni(mods =).
#ifndef METAPOOL_METAREG_HPP
#define METAPOOL_METAREG_HPP

#include <Eigen/Core>
#include <string>
#include <vector>

#include "metapool/notes.hpp"
#include "metapool/pool.hpp"

namespace metapool {

struct MetaregOptions {
  PoolOptions pool;        // tau^2 method, ci (z, t, Knapp-Hartung, ad hoc), level, control
  std::vector<int> btt;    // 0-based coefficients in the omnibus test QM (empty: all)
  bool r2 = true;          // compute the pseudo-R^2 (refits the model without moderators)
};

struct MetaregFit {
  int k = 0, p = 0;
  // Columns (0-based) that are linear combinations of earlier ones. When not empty
  // nothing else is filled: the design must be fixed first.
  std::vector<int> dependent;
  Eigen::VectorXd beta, se, stat, pval, ci_lb, ci_ub;
  Eigen::MatrixXd vb;        // variance-covariance of beta (scaled by s2w for Knapp-Hartung)
  double df = 0;             // df of t-based tests (NaN for z)
  double s2w = 1;            // Knapp-Hartung scale factor
  double QM = 0, QM_df1 = 0, QM_df2 = 0, QM_p = 1;  // omnibus test (F when QM_df2 is finite)
  double tau2 = 0, tau2_se = 0, tau2_lb = 0, tau2_ub = 0;
  double Q = 0, Q_df = 0, Q_p = 1;                  // residual heterogeneity QE
  double I2 = 0, I2_lb = 0, I2_ub = 0, H2 = 1, H2_lb = 1, H2_ub = 1, vt = 0;
  double R2 = 0;             // pseudo-R^2 in percent (NaN when not defined)
  double tau2_null = 0;      // tau^2 of the model without moderators (for R^2)
  double ll_ml = 0, ll_reml = 0;  // log-likelihoods at tau^2 (metafor's, with REML's constant)
  Tau2Estimate tau2_est;
  Eigen::VectorXd weights;   // 1 / (v + tau^2)
  Eigen::VectorXd fitted;    // X beta
  Eigen::VectorXd hat;       // diagonal of X (X'WX)^-1 X'W
  std::vector<NoteCode> notes;  // numerical trouble, for the glue to raise
};

// yi, vi (vi > 0), X (k x p). Throws std::invalid_argument for broken invariants
// (lengths, p > k, an index in btt out of range).
MetaregFit metareg(const Eigen::Ref<const Eigen::VectorXd>& yi,
                   const Eigen::Ref<const Eigen::VectorXd>& vi,
                   const Eigen::Ref<const Eigen::MatrixXd>& X, const MetaregOptions& options);

// Wald test of L beta = 0 (L: q x p): chi-square on q df, or F on (q, df) when df is finite.
struct WaldTest {
  double stat = 0, df1 = 0, df2 = 0, p = 1;
  Eigen::VectorXd estimate, se;  // L beta and its standard errors
};
WaldTest wald_test(const Eigen::Ref<const Eigen::VectorXd>& beta,
                   const Eigen::Ref<const Eigen::MatrixXd>& vb,
                   const Eigen::Ref<const Eigen::MatrixXd>& L, double df);

// Predicted mean effect at new moderator rows, with confidence interval and prediction
// interval (prediction se sqrt(se^2 + tau^2)); ci_df, pi_df: NaN for normal quantiles.
struct MetaregPrediction {
  Eigen::VectorXd pred, se, ci_lb, ci_ub, pi_lb, pi_ub;
};
MetaregPrediction metareg_predict(const Eigen::Ref<const Eigen::VectorXd>& beta,
                                  const Eigen::Ref<const Eigen::MatrixXd>& vb, double tau2,
                                  const Eigen::Ref<const Eigen::MatrixXd>& Xnew, double level,
                                  double ci_df, double pi_df, bool with_pi);

// The permutation distribution of the moderator tests: for each column of `perm` (k x B,
// 0-based study indices), the rows of X are permuted and the model refitted; returns the
// omnibus statistic (row 0) and the coefficient statistics (rows 1..p), (p + 1) x B.
Eigen::MatrixXd metareg_permutations(const Eigen::Ref<const Eigen::VectorXd>& yi,
                                     const Eigen::Ref<const Eigen::VectorXd>& vi,
                                     const Eigen::Ref<const Eigen::MatrixXd>& X,
                                     const Eigen::Ref<const Eigen::MatrixXi>& perm,
                                     const MetaregOptions& options);

// Many meta-regressions with the same design columns, one per group of rows (group g
// holds rows starts[g] .. starts[g + 1] - 1). One row of the result per group:
// k, tau2, QM, QM_p, QE, QE_p, I2, status (0 closed form or converged, 1 bracketed or
// boundary, 2 fallback), then the p coefficients, their standard errors and p-values.
// A group with too few studies or a rank-deficient design gives NaN.
Eigen::MatrixXd metareg_groups(const Eigen::Ref<const Eigen::VectorXd>& yi,
                               const Eigen::Ref<const Eigen::VectorXd>& vi,
                               const Eigen::Ref<const Eigen::MatrixXd>& X,
                               const std::vector<Eigen::Index>& starts,
                               const MetaregOptions& options, int threads);

}  // namespace metapool

#endif
