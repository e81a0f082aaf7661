// Mantel-Haenszel and Peto pooling of 2x2 tables, and RevMan 5's "M-H, Random":
// DerSimonian-Laird tau^2 from the heterogeneity statistic about the M-H estimate,
// then inverse-variance pooling of the study estimates.
#ifndef METAPOOL_MANTEL_HAENSZEL_HPP
#define METAPOOL_MANTEL_HAENSZEL_HPP

#include <Eigen/Core>

#include "metapool/effect_sizes.hpp"
#include "metapool/pool.hpp"

namespace metapool {

enum class MhRdVariance {
  greenland_robins,  // Greenland & Robins (1985); RevMan 5
  sato               // Sato, Greenland & Robins (1989); metafor
};

struct MhOptions {
  BinaryMeasure measure = BinaryMeasure::odds_ratio;
  ZeroCellOptions study_zero;  // zero-cell rule for the study estimates (Q, random effects)
  ZeroCellOptions mh_zero;     // zero-cell rule inside the M-H sums
  MhRdVariance rd_variance = MhRdVariance::greenland_robins;
  bool peto = false;           // Peto's one-step odds ratio instead of M-H
  bool random = false;         // RevMan's "M-H, Random" / "Peto" has no random version
  double level = 0.95;
  PiMethod pi = PiMethod::t_k2;
};

struct MhFit {
  // The fixed-effect (M-H or Peto) estimate, log scale for RR and OR.
  bool defined = false;  // false when the M-H sums are zero (no events anywhere)
  double estimate = 0, se = 0, stat = 0, p = 1, ci_lb = 0, ci_ub = 0;
  // Heterogeneity about the fixed-effect estimate, with inverse-variance weights.
  double Q = 0, Q_df = 0, Q_p = 1, I2 = 0, H2 = 1;
  int k_estimable = 0;
  double tau2 = 0;          // DerSimonian-Laird from Q (used by the random model)
  PoolFit random;           // the random-effects fit (when options.random)
  Eigen::VectorXd yi, vi;   // study estimates (NaN where not estimable)
  Eigen::VectorXi estimable, corrected;
  Eigen::VectorXd weights;  // M-H (or Peto) weights, proportions over estimable studies
};

MhFit mantel_haenszel(VecIn events1, VecIn n1, VecIn events2, VecIn n2, const MhOptions& opt);

}  // namespace metapool

#endif
