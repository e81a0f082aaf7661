// Number needed to treat from an effect on the analysis scale and an assumed control
// risk (ACR), with the confidence limits of the effect carried through (Altman 1998).
#ifndef METAPOOL_NNT_HPP
#define METAPOOL_NNT_HPP

#include <Eigen/Core>

namespace metapool {

enum class NntScale {
  risk_difference,  // effect is EER - CER; the ACR is optional (used only for bounds)
  log_risk_ratio,   // EER = ACR * RR
  log_odds_ratio,   // EER = ACR * OR / (1 - ACR + ACR * OR)
  smd               // ln OR = pi / sqrt(3) * SMD (convert.hpp), then as for the OR
};

// Flags (bits) reported per study.
enum NntFlag : int {
  kNntEstimateBounded = 1,  // the implied experimental risk at the estimate left [0, 1]
  kNntLimitBounded = 2      // ... at a confidence limit
};

struct NntResult {
  // Absolute benefit: the change in risk of the event in the direction of benefit
  // (EER - CER for a beneficial event, CER - EER for a harmful one), with the interval
  // implied by the effect's confidence limits. NNT = 1 / benefit (negative: NNTH).
  Eigen::VectorXd benefit, benefit_lb, benefit_ub;
  Eigen::VectorXi flags;
};

// Experimental-group risk implied by effect `theta` and control risk `acr`; clamps the
// result to [0, 1] and sets `bounded` when it had to. For the risk difference the ACR
// may be NaN (unknown): the difference itself is then clamped to [-1, 1].
double implied_risk_change(double theta, double acr, NntScale scale, bool* bounded);

// All vectors of equal length (scalars are recycled by the caller).
NntResult nnt(const Eigen::Ref<const Eigen::VectorXd>& theta,
              const Eigen::Ref<const Eigen::VectorXd>& theta_lb,
              const Eigen::Ref<const Eigen::VectorXd>& theta_ub,
              const Eigen::Ref<const Eigen::VectorXd>& acr, NntScale scale,
              bool beneficial_event);

}  // namespace metapool

#endif
