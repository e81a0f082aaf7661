#' Standardised mean difference (Hedges' g, Cohen's d)
#'
#' Computes the standardised mean difference between an experimental (group 1)
#' and a control group (group 2) for each study, with its sampling variance and
#' a Wald confidence interval.
#'
#' With `N = n1 + n2` and `m = N - 2`, the pooled standard deviation is
#' `s = sqrt(((n1 - 1) sd1^2 + (n2 - 1) sd2^2) / m)`, Cohen's d is
#' `d = (m1 - m2) / s` and Hedges' g is `g = J d`, with the small-sample factor
#' chosen by `correction`:
#' * `"exact"`: `J = Gamma(m / 2) / (sqrt(m / 2) Gamma((m - 1) / 2))` (Hedges
#'   1981). It is evaluated as a ratio of gamma functions without forming either,
#'   accurate to about 1e-16 for every N; a direct `gamma()` ratio overflows
#'   beyond N of about 344, and the difference of two `lgamma()` values loses
#'   digits as N grows.
#' * `"approx"`: `J = 1 - 3 / (4N - 9)`, the approximation RevMan 5 uses.
#' * `"none"`: `J = 1`, Cohen's d.
#'
#' The sampling variance is chosen by `vtype`:
#' * `"LS"`: large-sample `1/n1 + 1/n2 + g^2 / (2N)` (metafor's default);
#' * `"UB"`: unbiased `1/n1 + 1/n2 + (1 - (m - 2) / (m J^2)) g^2` (Hedges
#'   1983); unbiased with the exact J, and evaluated with the chosen J
#'   otherwise, as metafor does;
#' * `"LS2"`: `J^2 (1/n1 + 1/n2 + d^2 / (2N))`, the large-sample variance of d
#'   scaled to g;
#' * `"LS3"`, or its synonym `"revman5"`: RevMan 5's
#'   `N / (n1 n2) + g^2 / (2 (N - 3.94))`.
#'
#' An SD of 0 in one arm is accepted: the pooled SD comes from the other arm.
#' When both SDs are 0 no standardised difference exists; the study is kept
#' with `estimable = FALSE` and a missing effect, printed as "not estimable",
#' and [metapool()] leaves it out of pooling (as `meta` does).
#'
#' @section Presets:
#' `preset = "metafor"` gives `correction = "exact"`, `vtype = "LS"`, the
#' defaults of `metafor::escalc(measure = "SMD")`. `preset = "revman5"` gives
#' `correction = "approx"`, `vtype = "LS3"`, the formulas of Review Manager 5
#' (Deeks & Higgins 2010). Arguments given explicitly override the preset.
#'
#' @param m1,sd1,n1 Means, standard deviations and sizes of the experimental
#'   group: numeric vectors, or column names / expressions evaluated in `data`.
#' @param m2,sd2,n2 The same for the control group.
#' @param data Optional data frame in which the study-level arguments, `slab`
#'   and `subset` are evaluated.
#' @param slab Optional study labels (default: the row numbers 1, 2, ...).
#' @param subset Optional logical vector or row numbers selecting studies.
#' @param preset `"metafor"` (default) or `"revman5"`: which software's defaults
#'   to reproduce.
#' @param correction Small-sample correction: `"exact"`, `"approx"` or `"none"`.
#' @param vtype Variance estimator: `"LS"`, `"UB"`, `"LS2"`, `"LS3"` (= `"revman5"`).
#' @param level Confidence level for the per-study intervals, as a percentage
#'   (95) or a proportion (0.95).
#' @param na.action What to do with studies that have a missing input:
#'   `"na.fail"` (default: an error naming the rows), `"na.omit"` (drop them;
#'   recorded in the `omitted` attribute and printed), or `"na.exclude"` /
#'   `"na.pass"` (keep them with a missing effect, so the rows stay aligned with
#'   the input). The functions `na.fail`, `na.omit`, `na.exclude` and `na.pass`
#'   are accepted too.
#' @return An [mp_es] object with measure `"SMD"` and a logical column
#'   `estimable`.
#' @references
#' Hedges LV (1981). Distribution theory for Glass's estimator of effect size
#' and related estimators. *Journal of Educational Statistics*, 6, 107-128.
#'
#' Deeks JJ, Higgins JPT (2010). *Statistical algorithms in Review Manager 5*.
#' Cochrane Statistical Methods Group.
#' @seealso [es_md()] for the raw mean difference; [nnt_ci()].
#' @examples
#' es_smd(m1 = c(20.1, 18.4), sd1 = c(6.2, 5.9), n1 = c(40, 55),
#'        m2 = c(23.5, 20.0), sd2 = c(6.8, 6.1), n2 = c(42, 51))
#'
#' # Columns of a data frame, with RevMan 5's formulas
#' es_smd(m1, sd1, n1, m2, sd2, n2, data = normand1999, slab = source,
#'        preset = "revman5")
#' @export
es_smd <- function(m1, sd1, n1, m2, sd2, n2, data = NULL, slab = NULL, subset = NULL,
                   preset = c("metafor", "revman5"), correction = NULL, vtype = NULL,
                   level = 95, na.action = "na.fail") {
  env <- parent.frame()
  values <- study_arguments(c("m1", "sd1", "n1", "m2", "sd2", "n2"), data, env)
  optional <- study_arguments(c("slab", "subset"), data, env, optional = TRUE)
  preset <- chk_preset(preset)
  correction <- chk_choice(correction %||% c(metafor = "exact", revman5 = "approx")[[preset]],
                           c("exact", "approx", "none"), "correction")
  vtype <- chk_choice(vtype %||% c(metafor = "LS", revman5 = "LS3")[[preset]],
                      c("LS", "UB", "LS2", "LS3", "revman5"), "vtype")
  if (vtype == "revman5") vtype <- "LS3"
  chk_continuous(values)
  build_es(values, optional, na.action, function(v, level) {
    with_estimable(cpp_es_smd(v$m1, v$sd1, v$n1, v$m2, v$sd2, v$n2, correction, vtype, level), v)
  }, measure = "SMD", options = list(correction = correction, vtype = vtype),
  level = level, preset = preset, synthetic = is_synthetic(data))
}

#' Mean difference
#'
#' Computes the raw (unstandardised) mean difference `m1 - m2` between an
#' experimental (group 1) and a control group (group 2), with its sampling
#' variance and a Wald confidence interval.
#'
#' `vtype = "unpooled"` (default) uses `sd1^2 / n1 + sd2^2 / n2`, which
#' assumes nothing about the two variances; it is what RevMan 5 and
#' `metafor::escalc(measure = "MD")` use by default. `vtype = "pooled"` uses
#' the pooled variance `s^2 (1/n1 + 1/n2)`, which assumes equal variances
#' (metafor's `vtype = "HO"`).
#'
#' An SD of 0 in one arm is accepted. With both SDs 0 the variance would be 0
#' (infinite weight): the study is kept with `estimable = FALSE` and left out
#' of pooling by [metapool()].
#'
#' @inheritParams es_smd
#' @param preset `"metafor"` or `"revman5"`; both give `vtype = "unpooled"`.
#' @param vtype `"unpooled"` or `"pooled"`.
#' @return An [mp_es] object with measure `"MD"` and a logical column
#'   `estimable`.
#' @examples
#' es_md(m1 = c(20.1, 18.4), sd1 = c(6.2, 5.9), n1 = c(40, 55),
#'       m2 = c(23.5, 20.0), sd2 = c(6.8, 6.1), n2 = c(42, 51))
#' @export
es_md <- function(m1, sd1, n1, m2, sd2, n2, data = NULL, slab = NULL, subset = NULL,
                  preset = c("metafor", "revman5"), vtype = NULL,
                  level = 95, na.action = "na.fail") {
  env <- parent.frame()
  values <- study_arguments(c("m1", "sd1", "n1", "m2", "sd2", "n2"), data, env)
  optional <- study_arguments(c("slab", "subset"), data, env, optional = TRUE)
  preset <- chk_preset(preset)
  vtype <- chk_choice(vtype %||% "unpooled", c("unpooled", "pooled"), "vtype")
  chk_continuous(values)
  build_es(values, optional, na.action, function(v, level) {
    with_estimable(cpp_es_md(v$m1, v$sd1, v$n1, v$m2, v$sd2, v$n2, vtype == "pooled", level), v)
  }, measure = "MD", options = list(vtype = vtype), level = level, preset = preset,
  synthetic = is_synthetic(data))
}

chk_continuous <- function(values) {
  for (nm in names(values)) chk_finite(values[[nm]], nm)
  for (nm in c("sd1", "sd2")) chk_at_least(values[[nm]], 0, nm, "must not be negative")
  for (nm in c("n1", "n2")) chk_at_least(values[[nm]], 2, nm, "must be at least 2")
  for (nm in c("n1", "n2")) warn_non_integer(values[[nm]], nm)
  invisible(values)
}

# An SD of 0 in one arm is usable (the other arm gives the variance); with both
# SDs 0 the study is kept but not estimable, and metapool() leaves it out.
with_estimable <- function(res, v) {
  res$estimable <- v$sd1 > 0 | v$sd2 > 0
  res
}
