// Study-level effect sizes and their sampling variances.
//
// Every function is vectorised over studies and takes its inputs as Eigen vectors of
// equal length; inputs are assumed validated by the caller (the R front end checks
// signs, ranges and lengths), but a length mismatch is still caught here because it
// would otherwise read out of bounds.
#ifndef METAPOOL_EFFECT_SIZES_HPP
#define METAPOOL_EFFECT_SIZES_HPP

#include <Eigen/Core>

namespace metapool {

typedef Eigen::Ref<const Eigen::VectorXd> VecIn;
typedef Eigen::Ref<Eigen::VectorXd> VecOut;
typedef Eigen::Ref<Eigen::VectorXi> FlagsOut;

// Outputs are written into caller-owned vectors of the inputs' length, so the glue can
// hand over R's own memory and nothing is copied.
struct EffectSizesOut {
  VecOut yi;  // effect on the analysis scale (log for RR and OR)
  VecOut vi;  // sampling variance of yi
};

// ---- Standardised mean difference -------------------------------------------------

// Small-sample bias correction applied to Cohen's d.
enum class SmdCorrection {
  exact,   // Hedges (1981): J(m) = Gamma(m/2) / (sqrt(m/2) Gamma((m-1)/2)), m = N - 2
  approx,  // Hedges' approximation 1 - 3/(4N - 9), as RevMan 5
  none     // Cohen's d
};

// Sampling-variance estimator for the SMD.
enum class SmdVariance {
  ls,      // large-sample: 1/n1 + 1/n2 + g^2/(2N)
  ub,   // unbiased (Hedges 1983) with the exact J: 1/n1 + 1/n2 + (1 - (m-2)/(m J^2)) g^2
  ls2,  // large-sample variance of d scaled by J^2: J^2 (1/n1 + 1/n2 + d^2/(2N))
  ls3   // RevMan 5: N/(n1 n2) + g^2/(2(N - 3.94))
};

// Exact correction factor J(m) for m > 1 degrees of freedom. Computed as a ratio of
// gamma functions without forming either (no overflow and no cancellation for any m).
double hedges_j_exact(double m);
// Hedges' approximation 1 - 3/(4m - 1), i.e. 1 - 3/(4N - 9) with m = N - 2.
double hedges_j_approx(double m);

void smd(VecIn m1, VecIn sd1, VecIn n1, VecIn m2, VecIn sd2, VecIn n2,
         SmdCorrection correction, SmdVariance variance, EffectSizesOut out);

// ---- Mean difference ----------------------------------------------------------------

enum class MdVariance {
  unpooled,  // sd1^2/n1 + sd2^2/n2 (no equal-variance assumption; RevMan 5)
  pooled     // s_p^2 (1/n1 + 1/n2) (equal variances assumed)
};

void md(VecIn m1, VecIn sd1, VecIn n1, VecIn m2, VecIn sd2, VecIn n2, MdVariance variance,
        EffectSizesOut out);

// ---- Binary outcomes ----------------------------------------------------------------

enum class BinaryMeasure { risk_ratio, odds_ratio, risk_difference };

// Which studies get the continuity correction `add` in each of their four cells.
enum class ZeroCellRule {
  only0,   // studies with a zero cell
  all,     // every study
  if0all,  // every study, if any study has a zero cell
  none     // no study
};

struct ZeroCellOptions {
  double add = 0.5;
  ZeroCellRule to = ZeroCellRule::only0;
  // Studies with no events in both arms, or only events in both arms, are set
  // to not estimable.
  bool drop00 = false;
  // RevMan 5 (Deeks & Higgins 2010; meta's emulation): a risk difference is well
  // defined with zero cells, so it comes from the raw counts and the corrected cells
  // give only its variance (and, in M-H, the weights and the variance of the sum).
  bool rd_raw = false;
};

// The four cells of each study's 2x2 table after the zero-cell rule: a, b (events,
// non-events, group 1), c, d (group 2).
struct TwoByTwo {
  Eigen::VectorXd a, b, c, d;
  Eigen::VectorXd rd;         // risk difference used as the estimate (raw or corrected)
  Eigen::VectorXi corrected;  // 1 where `add` was added to the cells
  Eigen::VectorXi dropped;    // 1 where drop00 removed a double-zero (or all-event) study
};

TwoByTwo zero_corrected(VecIn events1, VecIn n1, VecIn events2, VecIn n2,
                        const ZeroCellOptions& zero);

struct BinaryFlagsOut {
  FlagsOut corrected;  // 1 where `add` was added to the study's cells
  FlagsOut estimable;  // 0 where yi/vi are NaN (dropped, or not finite)
};

// events1 / n1: experimental arm; events2 / n2: control arm.
void binary_effect(VecIn events1, VecIn n1, VecIn events2, VecIn n2, BinaryMeasure measure,
                   const ZeroCellOptions& zero, EffectSizesOut out, BinaryFlagsOut flags);

// ---- Wald confidence limits -----------------------------------------------------------

// yi -/+ z * sqrt(vi), z the two-sided normal critical value for `level` in (0, 1).
void wald_interval(VecIn yi, VecIn vi, double level, VecOut lb, VecOut ub);

}  // namespace metapool

#endif
