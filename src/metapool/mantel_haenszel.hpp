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
  // The fixed-effect (M-H or Peto) fit, log scale for RR and OR: estimate and Wald
  // interval, Q about that estimate with inverse-variance weights (df = estimable
  // studies - 1), I2 and H2 from Q, weights = each estimable study's share of the
  // M-H (or Peto) weight. A pooled estimate that is not defined (the M-H sums are zero)
  // is NaN with the note pooled_undefined.
  PoolFit fixed;
  PoolFit random;           // RevMan's "M-H, Random" (when options.random)
  double tau2_dl = 0;       // DerSimonian-Laird tau^2 from the M-H Q (the random model's)
  // Odds ratios (not Peto): the Cochran-Mantel-Haenszel test of no association (with
  // continuity correction) and Tarone's test of homogeneity, both chi-square.
  double cmh = 0, cmh_p = 0, tarone = 0, tarone_p = 0, tarone_df = 0;
  int k_estimable = 0;
  Eigen::VectorXd yi, vi;   // study estimates (NaN where not estimable)
  Eigen::VectorXi estimable, corrected;
};

MhFit mantel_haenszel(VecIn events1, VecIn n1, VecIn events2, VecIn n2, const MhOptions& opt);

}  // namespace metapool

#endif
