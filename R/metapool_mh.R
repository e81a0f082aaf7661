#' Mantel-Haenszel and Peto meta-analysis of 2x2 tables
#'
#' Pools risk ratios, odds ratios or risk differences from the events and
#' totals of each arm with the Mantel-Haenszel method, or odds ratios with
#' Peto's one-step method; `model = "random"` gives RevMan 5's "M-H, Random".
#'
#' @section Fixed effect:
#' The Mantel-Haenszel estimates are `RR = sum(a n2 / N) / sum(c n1 / N)`,
#' `OR = sum(a d / N) / sum(b c / N)` and
#' `RD = sum((a n2 - c n1) / N) / sum(n1 n2 / N)`, with the variance of
#' Greenland and Robins (1985) for log RR, of Robins, Breslow and Greenland
#' (1986) for log OR, and for RD either Greenland and Robins' (`rd_variance =
#' "GR"`, RevMan 5) or Sato, Greenland and Robins' (1989; `"sato"`, metafor).
#' Peto's log odds ratio is `sum(O - E) / sum(V)` with variance `1 / sum(V)`.
#' The heterogeneity statistic Q is the inverse-variance weighted sum of squared
#' deviations of the study estimates from the pooled M-H (or Peto) estimate,
#' with df one less than the number of estimable studies; `I2 = (Q - df) / Q`.
#'
#' @section Random effects (RevMan 5):
#' `model = "random"` estimates tau^2 by DerSimonian and Laird's formula, with Q
#' taken about the M-H estimate, and then pools the study estimates with
#' inverse-variance weights `1 / (vi + tau^2)` (Deeks & Higgins 2010). When
#' tau^2 = 0 this equals the inverse-variance fixed-effect estimate, not the M-H
#' one. metafor has no such model; its `rma.mh()` is fixed-effect only.
#'
#' @section Zero cells and presets:
#' `add`, `to` and `drop00` take one or two values: the first for the study
#' estimates (used for Q and the random-effects model), the second inside the
#' M-H sums (see [es_binary] for their meaning). A single value sets the study
#' estimates only, the M-H sums keeping the preset's choice.
#' * `preset = "metafor"` matches `metafor::rma.mh()` and `rma.peto()`:
#'   `add = c(0.5, 0)`, `to = c("only0", "none")`, `drop00 = c(TRUE, FALSE)`,
#'   `rd_variance = "sato"`.
#' * `preset = "revman5"` matches Review Manager 5: 0.5 added to every cell of
#'   a study with a zero cell, for the study estimates and inside the M-H sums
#'   (`add = c(0.5, 0.5)`, `to = c("only0", "only0")`); double-zero studies are
#'   not estimable for RR and OR (`drop00 = c(TRUE, TRUE)`) and kept for RD;
#'   `rd_variance = "GR"`.
#' Peto's method uses the uncorrected tables.
#'
#' @inheritParams es_binary
#' @inheritParams metapool
#' @param measure `"OR"` (default), `"RR"` or `"RD"`.
#' @param method `"MH"` (Mantel-Haenszel) or `"Peto"` (odds ratio only).
#' @param model `"fixed"` or `"random"` (RevMan's M-H random effects; not for Peto).
#' @param preset `"metafor"` (default) or `"revman5"`.
#' @param add,to,drop00 Zero-cell handling; one or two values (see above).
#' @param rd_variance Variance of the M-H risk difference: `"GR"` or `"sato"`.
#' @param na.action `"na.fail"` (default), `"na.omit"` or `"na.exclude"`, as
#'   in [metapool()].
#' @return A `metapool` object (also of class `metapool_mh`) with the fields of
#'   [metapool()]; `weights` are the M-H (or Peto) weights for `model =
#'   "fixed"` and the inverse-variance random-effects weights for `"random"`,
#'   and `mh` holds the fixed-effect M-H result in both cases. For odds ratios
#'   pooled by M-H, `tests` holds the Cochran-Mantel-Haenszel test of no
#'   association (`cmh`, chi-square on 1 df with continuity correction, and
#'   `cmh_p`) and Tarone's test of homogeneity of the odds ratios (`tarone`,
#'   `tarone_df`, `tarone_p`), as metafor's `rma.mh()` reports them.
#' @references
#' Deeks JJ, Higgins JPT (2010). *Statistical algorithms in Review Manager 5*.
#' Cochrane Statistical Methods Group.
#'
#' Greenland S, Robins JM (1985). Estimation of a common effect parameter from
#' sparse follow-up data. *Biometrics*, 41, 55-68.
#'
#' Robins J, Breslow N, Greenland S (1986). Estimators of the Mantel-Haenszel
#' variance consistent in both sparse data and large-strata limiting models.
#' *Biometrics*, 42, 311-323.
#'
#' Sato T, Greenland S, Robins JM (1989). On the variance estimator for the
#' Mantel-Haenszel risk difference. *Biometrics*, 45, 1323-1324.
#'
#' Yusuf S, Peto R, Lewis J, Collins R, Sleight P (1985). Beta blockade during
#' and after myocardial infarction. *Progress in Cardiovascular Diseases*, 27,
#' 335-371.
#' @examples
#' # Catheter infections, RevMan 5's M-H fixed-effect risk ratio
#' metapool_mh(events1, n1, events2, n2, data = nielweise2007, slab = author,
#'             measure = "RR", preset = "revman5")
#'
#' # ... and its "M-H, Random"
#' metapool_mh(events1, n1, events2, n2, data = nielweise2007, slab = author,
#'             measure = "RR", model = "random", preset = "revman5")
#'
#' # Peto odds ratio
#' metapool_mh(events1, n1, events2, n2, data = nielweise2007, method = "Peto")
#' @export
metapool_mh <- function(events1, n1, events2, n2, data = NULL, slab = NULL, subset = NULL,
                        subgroup = NULL, measure = "OR", method = "MH", model = "fixed",
                        preset = "metafor", add = NULL, to = NULL, drop00 = NULL,
                        rd_variance = NULL, pi_method = "t_k2", level = 95,
                        na.action = "na.fail") {
  env <- parent.frame()
  values <- study_arguments(c("events1", "n1", "events2", "n2"), data, env)
  optional <- study_arguments(c("slab", "subset", "subgroup"), data, env, optional = TRUE)
  settings <- mh_settings(measure, method, model, preset, add, to, drop00, rd_variance,
                          pi_method, level)
  chk_binary(values)
  studies <- prepare_studies(values, optional$slab, optional$subset, optional$subgroup,
                             na.action, source = list(source = "2x2", measure = settings$measure,
                                                      preset = settings$preset),
                             synthetic = is_synthetic(data))
  run_fit(studies, settings, match.call())
}

# The Mantel-Haenszel / Peto engine (engine "mh").
fit_mh <- function(studies, settings) {
  s <- settings
  tab <- studies$columns
  res <- cpp_mantel_haenszel(tab$events1, tab$n1, tab$events2, tab$n2, s$measure,
                             s$mh_method == "Peto", s$model == "random", s$add, s$to,
                             s$drop00, s$rd_variance, s$pi_method, s$level)
  ok <- res$estimable
  arms <- reset_rownames(as.data.frame(tab[c("events1", "n1", "events2", "n2")]))
  pooled <- list(yi = res$yi[ok], vi = res$vi[ok], slab = tab$slab[ok], row = tab$row[ok],
                 arms = reset_rownames(arms[ok, , drop = FALSE]), events2 = tab$events2[ok],
                 n2 = tab$n2[ok])
  if (any(!ok)) {
    pooled$not_estimable <- not_estimable_frame(tab$slab[!ok], tab$row[!ok], NULL,
                                                arms[!ok, , drop = FALSE])
  }
  mh <- res$fixed[c("estimate", "se", "ci_lb", "ci_ub", "stat", "p")]
  result <- if (s$model == "random") res$random else res$fixed
  tests <- if (s$measure == "OR" && s$mh_method == "MH") {
    res[c("cmh", "cmh_p", "tarone", "tarone_df", "tarone_p")]
  }
  new_fit(result, studies, s, pooled, mh_method = s$mh_method, model = s$model, mh = mh,
          tests = tests, corrected = stats::setNames(res$corrected, tab$slab),
          class = "metapool_mh")
}
