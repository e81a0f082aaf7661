// Notes: what the core reports about numerical trouble or an undefined quantity, as
// codes. The glue turns each code into a classed R warning (its class and this
// message), so no text is ever parsed to find out what went wrong.
#ifndef METAPOOL_NOTES_HPP
#define METAPOOL_NOTES_HPP

namespace metapool {

enum class NoteCode {
  tau2_bracketed,      // iterative tau^2 failed; root found by bracketing
  tau2_fallback_dl,    // tau^2 not found at all; DerSimonian-Laird used
  tau2_boundary,       // ML/REML likelihood higher at tau^2 = 0 than at the root
  wald_for_one_study,  // t-based interval asked for with no degrees of freedom
  pooled_undefined,    // M-H/Peto sums are zero: no pooled estimate
  no_residual_df       // meta-regression with t-based tests and as many coefficients as studies
};
constexpr int kNoteCodes = 6;

inline const char* note_message(NoteCode code) {
  switch (code) {
    case NoteCode::tau2_bracketed:
      return "The iterative tau^2 estimator did not converge; the root of its estimating "
             "equation was found by bracketing instead.";
    case NoteCode::tau2_fallback_dl:
      return "The tau^2 estimator failed to converge even by bracketing; the "
             "DerSimonian-Laird estimate is used instead.";
    case NoteCode::tau2_boundary:
      return "The likelihood is higher at tau^2 = 0 than at the root of the score equation; "
             "tau^2 is set to 0.";
    case NoteCode::wald_for_one_study:
      return "With one study there are no degrees of freedom for a t-based interval; the "
             "Wald (z) interval is reported.";
    case NoteCode::pooled_undefined:
      return "The pooled estimate is not defined: no events in one of the groups across all "
             "studies.";
    case NoteCode::no_residual_df:
      return "There are no residual degrees of freedom (as many coefficients as studies): the "
             "t-based tests and intervals are not defined.";
  }
  return "";
}

}  // namespace metapool

#endif
