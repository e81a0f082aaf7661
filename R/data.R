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
#' es_rr(tpos, tpos + tneg, cpos, cpos + cneg, data = bcg, slab = author)
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
