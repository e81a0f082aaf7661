#' Length of hospital stay in stroke units (Normand 1999)
#'
#' Nine trials comparing the length of hospital stay (days) of stroke patients
#' treated in specialist stroke units (group 1) with those in general medical
#' wards (group 2). A classic example for standardised mean differences.
#'
#' @format A data frame with 9 rows: `study` (number), `source` (trial label),
#'   `m1`, `sd1`, `n1` (mean, SD and size of the specialist-care group) and
#'   `m2`, `sd2`, `n2` (the same for routine care).
#' @source Normand SLT (1999). Meta-analysis: formulating, evaluating,
#'   combining, and reporting. *Statistics in Medicine*, 18, 321-359, Table 3.
#'   Also in the metadat package as `dat.normand1999`.
#' @examples
#' es_smd(m1, sd1, n1, m2, sd2, n2, data = normand1999, slab = source)
"normand1999"

#' BCG vaccine against tuberculosis (Colditz et al. 1994)
#'
#' Thirteen trials of the BCG vaccine: tuberculosis cases among vaccinated and
#' unvaccinated participants.
#'
#' @format A data frame with 13 rows: `trial`, `author`, `year`; `tpos`,
#'   `tneg` (vaccinated: tuberculosis cases, non-cases); `cpos`, `cneg` (not
#'   vaccinated: cases, non-cases); `ablat` (absolute latitude of the study
#'   location, degrees); `alloc` (method of treatment allocation).
#' @source Colditz GA, Brewer TF, Berkey CS, et al. (1994). Efficacy of BCG
#'   vaccine in the prevention of tuberculosis: meta-analysis of the published
#'   literature. *JAMA*, 271, 698-702. Also in the metadat package as `dat.bcg`.
#' @examples
#' es_rr(tpos, tpos + tneg, cpos, cpos + cneg, data = bcg, slab = paste(author, year))
"bcg"

#' Catheter-related bloodstream infections (Niel-Weise et al. 2007)
#'
#' Eighteen trials of anti-infective-treated versus standard central venous
#' catheters: catheter-related bloodstream infections. Several trials have zero
#' cells and one has no events in either group, which makes it the standard
#' test case for zero-cell handling.
#'
#' @format A data frame with 18 rows: `study`, `author`, `year`; `events1`,
#'   `n1` (infections and patients with anti-infective catheters); `events2`,
#'   `n2` (the same with standard catheters).
#' @source Niel-Weise BS, Stijnen T, van den Broek PJ (2007). Anti-infective-
#'   treated central venous catheters: a systematic review of randomized
#'   controlled trials. *Intensive Care Medicine*, 33, 2058-2068. Also in the
#'   metadat package as `dat.nielweise2007`.
#' @examples
#' es_rr(events1, n1, events2, n2, data = nielweise2007, slab = author,
#'       preset = "revman5")
"nielweise2007"

#' Published results of the Internet-delivered therapy review (Eccleston et al. 2014)
#'
#' The nine pooled results that the abstract of the Cochrane review
#' "Psychological therapies (Internet-delivered) for the management of chronic
#' pain in adults" reports, exactly as published. The review pooled 15
#' randomised controlled trials (2012 participants) of Internet-delivered
#' psychological therapies against control conditions, grouped into headache and
#' non-headache conditions.
#'
#' @format A data frame with 9 rows:
#' \describe{
#'   \item{analysis}{identifier, e.g. `"headache_pain_post"`.}
#'   \item{condition}{`"headache"` or `"non-headache"`.}
#'   \item{outcome}{`"pain"`, `"disability"`, `"depression"` or `"anxiety"`.}
#'   \item{timepoint}{`"post-treatment"` or `"follow-up"` (3 to 12 months).}
#'   \item{measure}{`"RR"` (risk ratio of at least 50% pain relief, on the
#'     ratio scale) or `"SMD"` (standardised mean difference; negative favours
#'     the therapy).}
#'   \item{estimate, ci_lb, ci_ub}{the pooled effect and its 95% CI, to the two
#'     decimals published.}
#'   \item{k}{number of studies where the abstract states it (2 for headache
#'     pain and disability, 2 for non-headache disability at follow-up), else NA.}
#'   \item{p_reported}{the p-value statement printed beside the result.}
#'   \item{nnt}{the number needed to treat to benefit that the abstract
#'     reports (headache pain only).}
#' }
#' @source Eccleston C, Fisher E, Craig L, Duggan GB, Rosser BA, Keogh E
#'   (2014). Psychological therapies (Internet-delivered) for the management of
#'   chronic pain in adults. *Cochrane Database of Systematic Reviews*, Issue 2,
#'   Art. No. CD010152. \doi{10.1002/14651858.CD010152.pub2}. Abstract.
#' @seealso [eccleston2014_synthetic], [reproduce_review()]
#' @examples
#' eccleston2014
#' # The SE implied by a published 95% CI
#' with(eccleston2014, ((ci_ub - ci_lb) / (2 * qnorm(0.975)))[measure == "SMD"])
"eccleston2014"

#' A synthetic study-level stand-in for the Internet-delivered therapy review
#'
#' **Synthetic data, not the trials' data.** The study-level data of Eccleston
#' et al. (2014) (arm means, SDs, sizes and event counts) are not available to
#' the metapool project. This stand-in has the review's structure and is
#' calibrated so that RevMan 5's methods reproduce every pooled result of
#' [eccleston2014] to the two decimals published, which lets
#' [reproduce_review()] and the vignette show the whole workflow. The same code
#' runs unchanged on the review's own data exported from RevMan (one row per
#' trial and analysis with the columns below).
#'
#' How it was made (`data-raw/eccleston2014.R`, plain R, seeded): 15 trials
#' ("Trial 01" to "Trial 15"; 01-05 headache, 06-15 non-headache) randomising
#' 2012 people in all, with at least 20 analysed per arm. The number of studies
#' per analysis is the abstract's where it states one (two for headache pain
#' and disability and for non-headache disability at follow-up) and a choice of
#' the stand-in elsewhere. For each SMD analysis, study effects
#' `a + b z_i` (seeded `z_i`) were solved for the location `a` and spread `b`
#' that give the published estimate and CI under inverse-variance
#' DerSimonian-Laird pooling of Hedges' adjusted g; arm SDs and control means
#' were drawn on a plausible instrument and the experimental means set to give
#' those effects, all rounded to 2 decimals. For headache pain, a seeded search
#' over 2x2 tables (one with a zero cell, so RevMan's correction applies) found
#' counts whose M-H random-effects risk ratio and pooled control risk give RR
#' 7.28 \[2.67, 19.84\] and NNT 2.72.
#'
#' @format A data frame of class `mp_synthetic` (it prints a reminder that the
#'   data are synthetic), one row per trial and analysis:
#' \describe{
#'   \item{analysis}{the analysis in [eccleston2014].}
#'   \item{trial}{trial label, `"Trial 01"` to `"Trial 15"`.}
#'   \item{condition, outcome, timepoint, measure}{as in [eccleston2014].}
#'   \item{instrument}{the (invented) scale of the synthetic means, or the
#'     event for the risk ratio.}
#'   \item{m1, sd1, n1}{mean, SD and number analysed with Internet-delivered
#'     therapy (`m1`, `sd1` NA for the binary outcome).}
#'   \item{m2, sd2, n2}{the same for the control arm.}
#'   \item{events1, events2}{participants with at least 50% pain relief
#'     (binary outcome only, else NA).}
#'   \item{n_randomised}{people randomised in the trial.}
#' }
#' @source Synthetic; generated by `data-raw/eccleston2014.R` to match the
#'   published results in Eccleston C, Fisher E, Craig L, Duggan GB, Rosser BA,
#'   Keogh E (2014), *Cochrane Database of Systematic Reviews*, CD010152.
#' @seealso [reproduce_review()], `vignette("internet-therapy-review")`
#' @examples
#' eccleston2014_synthetic
#' pain <- subset(eccleston2014_synthetic, analysis == "headache_pain_post")
#' metapool_mh(events1, n1, events2, n2, data = pain, slab = trial, measure = "RR",
#'             model = "random", preset = "revman5")
"eccleston2014_synthetic"

#' @export
print.mp_synthetic <- function(x, ...) {
  cat("SYNTHETIC study-level data: a calibrated stand-in for the review's trials,\n",
      "not their data (see ?eccleston2014_synthetic).\n", sep = "")
  print(as.data.frame(unclass_synthetic(x)), ...)
  invisible(x)
}

# Whether data are synthetic: an mp_synthetic data frame, or effect sizes or a fit
# made from one (their `synthetic` attribute or field, set by the es_*() functions,
# metapool() and metapool_mh()). Plots of synthetic data say so.
is_synthetic <- function(x) {
  inherits(x, "mp_synthetic") || isTRUE(attr(x, "synthetic")) ||
    (is.list(x) && !is.data.frame(x) && isTRUE(x$synthetic))
}

unclass_synthetic <- function(x) {
  class(x) <- setdiff(class(x), "mp_synthetic")
  x
}

#' SYNTHETIC risk-of-bias judgements for the stand-in of the Internet-delivered therapy review
#'
#' **Synthetic judgements, not the trials' assessments.** Eccleston et al.
#' (2014) report 90 risk-of-bias judgements over their 15 trials (six domains
#' each): 9 high, 22 unclear and 59 low risk. The trials' own judgements are not
#' available to the metapool project, so this table keeps only those totals: it
#' is a seeded random permutation of 9 "high", 22 "unclear" and 59 "low" over
#' the 15 trials of [eccleston2014_synthetic] and six domains of Cochrane's
#' RoB 1 tool. Which trial is judged how in which domain means nothing. It
#' exists to show [risk_of_bias()], its summary and the hand-off to robvis
#' ([rob_robvis()]).
#'
#' @format An [risk_of_bias()] table (class `mp_rob`, marked synthetic, so it
#'   prints a reminder) of 90 rows: `study` (`"Trial 01"` to `"Trial 15"`),
#'   `domain` (random sequence generation, allocation concealment, blinding of
#'   participants and personnel, blinding of outcome assessment, incomplete
#'   outcome data, selective reporting), `judgement` (`"low"`, `"unclear"`,
#'   `"high"`) and `support` (a note that the judgement is synthetic).
#' @source Synthetic; generated by `data-raw/eccleston2014_rob.R` to match the
#'   totals reported in Eccleston C, Fisher E, Craig L, Duggan GB, Rosser BA,
#'   Keogh E (2014), *Cochrane Database of Systematic Reviews*, CD010152.
#' @seealso [risk_of_bias()], [rob_robvis()], [eccleston2014_synthetic]
#' @examples
#' eccleston2014_synthetic_rob
#' summary(eccleston2014_synthetic_rob)
"eccleston2014_synthetic_rob"
