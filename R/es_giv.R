#' Generic inverse variance: effects from reported estimates, intervals and p-values
#'
#' Turns what a trial report gives for an effect -- an estimate with its standard
#' error, with a confidence interval at any level, or with an exact p-value --
#' into the effect on the analysis scale and its sampling variance, as RevMan's
#' generic inverse-variance outcome does (Cochrane Handbook, sections 6.3.1 and
#' 6.3.2). The result pools with [metapool()] like any other effect size.
#'
#' Each study uses the first report it has, in this order:
#' * `se`: the standard error, used as given (for ratio measures, the standard
#'   error of the log ratio);
#' * `ci_lb`, `ci_ub`: `SE = (upper - lower) / (2 c)`, where `c` is the
#'   two-sided critical value at `ci_level` (1.96 for 95%, so the divisor is
#'   3.92; 3.29 for 90%, 5.15 for 99%). With only one limit, the half-width from
#'   the estimate is used. When `estimate` is missing but both limits are given,
#'   the estimate is the midpoint of the interval;
#' * `p`: an exact two-sided p-value, `SE = |estimate| / c`, where `c` is the
#'   value of the test statistic with that p-value.
#'
#' With `dist = "z"` (default) the critical values are normal quantiles, as for
#' large samples and for estimates from regression models. With `dist = "t"`
#' they come from Student's t with `n1 + n2 - 2` degrees of freedom, as the
#' Handbook advises for mean differences from small trials (6.5.2.3); `n1` and
#' `n2` are then needed for studies reported with an interval or a p-value.
#'
#' For the ratio measures (`"RR"`, `"OR"`, `"HR"`) the estimate and limits are
#' ratios and are analysed on the log scale (Handbook 6.3.2); `se` is the
#' standard error of the log ratio. A reported interval is expected to be
#' symmetric about the estimate on the analysis scale; a warning (class
#' `metapool_warning_asymmetric_ci`) names the studies where the estimate is far
#' from the midpoint, which usually means the limits are on another scale or
#' were rounded heavily.
#'
#' @param estimate The reported effects (ratios, not log ratios, for `"RR"`,
#'   `"OR"`, `"HR"`): a numeric vector, or a column name / expression evaluated
#'   in `data`.
#' @param se Standard errors (of the log ratio for ratio measures).
#' @param ci_lb,ci_ub Reported confidence limits, on the scale of `estimate`.
#' @param p Exact two-sided p-values.
#' @param n1,n2 Group sizes, needed with `dist = "t"`.
#' @param ci_level Level of the reported intervals, as a percentage (95) or a
#'   proportion (0.95); one value, or one per study (a trial may report a 90%
#'   interval).
#' @param measure What the estimates are: `"generic"` (default), `"MD"`,
#'   `"SMD"`, `"RD"`, `"RR"`, `"OR"` or `"HR"`.
#' @param dist `"z"` (normal critical values) or `"t"` (t with `n1 + n2 - 2`
#'   degrees of freedom).
#' @param preset `"metafor"` (default) or `"revman5"`. The effects do not
#'   depend on it; it is recorded so that [metapool()] uses that software's
#'   defaults when pooling them (REML or DerSimonian-Laird).
#' @inheritParams es_smd
#' @param na.action What to do with studies that have no usable report (no
#'   standard error, interval or p-value): `"na.fail"` (default), `"na.omit"`,
#'   `"na.exclude"` or `"na.pass"`, as in [es_smd()].
#' @return An [mp_es] object: `slab`, `estimate` (as reported), `source` (which
#'   report gave the standard error: `"se"`, `"ci"` or `"p"`), `yi` (log scale
#'   for ratio measures), `vi`, and the Wald limits `ci_lb`, `ci_ub` at `level`
#'   on the analysis scale.
#' @references
#' Higgins JPT, Li T, Deeks JJ (eds.) (2023). Chapter 6: Choosing effect
#' measures and computing estimates of effect. In: *Cochrane Handbook for
#' Systematic Reviews of Interventions*, version 6.4, sections 6.3.1, 6.3.2
#' and 6.5.2.3.
#' @seealso [metapool()], which also takes `yi` with `sei` directly;
#'   [convert_sd()] for standard deviations from the same reports;
#'   [convert_hr()] for hazard ratios from O - E and V or log-rank tests.
#' @examples
#' # Three trials of one comparison, each reporting a risk ratio differently
#' es <- es_giv(estimate = c(0.72, 0.85, 0.64), ci_lb = c(0.55, NA, 0.41),
#'              ci_ub = c(0.94, NA, 1.00), p = c(NA, 0.048, NA),
#'              ci_level = c(95, 95, 90), measure = "RR",
#'              slab = c("Trial A", "Trial B", "Trial C"))
#' es
#' metapool(es)
#'
#' # A mean difference from a small trial reported with P = 0.008 (t test)
#' es_giv(3.8, p = 0.008, n1 = 25, n2 = 22, measure = "MD", dist = "t")
#' @export
es_giv <- function(estimate, se = NULL, ci_lb = NULL, ci_ub = NULL, p = NULL, n1 = NULL,
                   n2 = NULL, data = NULL, slab = NULL, subset = NULL, ci_level = 95,
                   measure = c("generic", "MD", "SMD", "RD", "RR", "OR", "HR"),
                   dist = c("z", "t"), preset = c("metafor", "revman5"), level = 95,
                   na.action = "na.fail") {
  env <- parent.frame()
  values <- study_arguments(c("estimate", "se", "ci_lb", "ci_ub", "p", "n1", "n2", "ci_level"),
                            data, env, optional = TRUE)
  if (is.null(values$estimate)) abort_input("`estimate` is missing, with no default.", "estimate")
  optional <- study_arguments(c("slab", "subset"), data, env, optional = TRUE)
  measure <- chk_choice(measure[1L], eval(formals(es_giv)$measure), "measure")
  dist <- chk_choice(dist[1L], c("z", "t"), "dist")
  preset <- chk_preset(preset)
  level <- chk_level(level)
  v <- conversion_inputs(values, "estimate")
  report <- giv_report(v, ratio = is_ratio_measure(measure), dist = dist)

  rows <- study_rows(list(yi = report$yi, se = report$se), optional$slab, optional$subset,
                     giv_na_action(na.action, report, optional$subset), exclude_keeps = TRUE)
  keep <- rows$keep %||% rep(TRUE, length(report$yi))
  crit <- stats::qnorm(1 - (1 - level) / 2)
  yi <- report$yi[keep]
  se <- report$se[keep]
  yi[is.nan(yi)] <- NA_real_
  se[is.nan(se)] <- NA_real_
  columns <- list(slab = rows$slab, estimate = v$estimate[keep],
                  source = c(NA, "se", "ci", "t", "p")[report$source[keep] + 1L],
                  yi = yi, vi = se^2, ci_lb = yi - crit * se, ci_ub = yi + crit * se)
  new_mp_es(columns, measure = measure,
            options = list(source = "giv", dist = dist), level = level, preset = preset,
            omitted = rows$omitted)
}

# The usable report of each study (validated), through the core: yi and se on the
# analysis scale and which report gave the se.
giv_report <- function(v, ratio, dist) {
  with_ci <- !is.na(v$ci_lb) | !is.na(v$ci_ub)
  chk_report(v, ratio)
  df <- rep(NA_real_, length(v$estimate))
  if (dist == "t") {
    needs_n <- is.na(v$se) & (with_ci | !is.na(v$p))
    for (nm in c("n1", "n2")) {
      lacking <- needs_n & is.na(v[[nm]])
      if (any(lacking)) {
        abort_input(sprintf(
          "`%s` is needed with `dist = \"t\"` for studies reported with an interval or a p-value: %s.",
          nm, describe_rows(lacking)), nm)
      }
    }
    df <- v$n1 + v$n2 - 2
    chk_condition(v$n1, df < 1, "n1", "plus `n2` must be at least 3 for t critical values")
  }
  res <- cpp_se_from_report(v$estimate, v$se, v$ci_lb, v$ci_ub, rep(NA_real_, length(df)), v$p,
                            df, chk_ci_level(v$ci_level), ratio)
  scale <- if (ratio) log else identity
  lb <- scale(v$ci_lb)
  ub <- scale(v$ci_ub)
  off_centre <- abs((lb + ub) / 2 - res$yi) / (ub - lb) > 0.1 & is.na(v$se)
  if (isTRUE(any(off_centre, na.rm = TRUE))) {
    warn_metapool(sprintf(
      "The estimate is far from the middle of its confidence interval%s in %s: check that the limits are on the scale of `estimate`%s.",
      if (ratio) " (on the log scale)" else "", describe_rows(off_centre & !is.na(off_centre)),
      if (ratio) " (ratios, not log ratios)" else ""), "asymmetric_ci")
  }
  res
}

# Checks shared by the reports of an effect: positive SEs, p-values in (0, 1), limits in
# order and on either side of the estimate, ratios positive.
# `estimate_arg`: the name the caller gave the estimate (e.g. `hr`), used in messages.
chk_report <- function(v, ratio, estimate_arg = "estimate") {
  names(v)[names(v) == "estimate"] <- estimate_arg
  for (nm in intersect(c(estimate_arg, "se", "ci_lb", "ci_ub", "p", "n1", "n2"), names(v))) {
    chk_finite(v[[nm]], nm)
  }
  est <- v[[estimate_arg]]
  chk_at_least(v$se, 0, "se", "must be positive", strict = TRUE)
  chk_condition(v$p, v$p <= 0 | v$p >= 1, "p", "must be a p-value strictly between 0 and 1")
  chk_condition(v$ci_lb, v$ci_lb >= v$ci_ub, "ci_lb",
                "must be below `ci_ub` (are the limits swapped?)")
  chk_condition(v$ci_ub, v$ci_ub < est, "ci_ub", sprintf("must not be below `%s`", estimate_arg))
  chk_condition(v$ci_lb, v$ci_lb > est, "ci_lb", sprintf("must not be above `%s`", estimate_arg))
  if (ratio) {
    for (nm in intersect(c(estimate_arg, "ci_lb", "ci_ub"), names(v))) {
      chk_condition(v[[nm]], v[[nm]] <= 0, nm, "must be positive (a ratio, not its log)")
    }
  }
  for (nm in c("n1", "n2")) chk_at_least(v[[nm]], 1, nm, "must be at least 1")
  invisible(v)
}

chk_ci_level <- function(ci_level) {
  chk_condition(ci_level, ci_level <= 0 | ci_level >= 100 | ci_level == 1, "ci_level",
                "must be a confidence level in (0, 1) or (1, 100), e.g. 95")
  ifelse(ci_level > 1, ci_level / 100, ci_level)
}

# A study with no usable report fails under na.fail with a message that names what is
# missing and what would do instead.
giv_na_action <- function(na.action, report, subset) {
  k <- length(report$yi)
  in_scope <- subset_rows(subset, k) %||% rep(TRUE, k)
  if (na_policy(na.action) != "fail") return(na.action)
  no_estimate <- is.na(report$yi) & in_scope
  no_se <- !is.na(report$yi) & is.na(report$se) & in_scope
  hint <- "Set `na.action = \"na.omit\"` (or \"na.exclude\") to drop those studies, or `na.action = \"na.pass\"` to keep them with a missing effect."
  if (any(no_estimate)) {
    abort_input(sprintf("`estimate` has missing values (%s) and no confidence interval to take it from. %s",
                        describe_rows(no_estimate), hint), "estimate")
  }
  if (any(no_se)) {
    abort_input(sprintf(
      "`se` has missing values (%s), and neither a confidence limit (`ci_lb`, `ci_ub`) nor `p` stands in for it. %s",
      describe_rows(no_se), hint), "se")
  }
  na.action
}

giv_description <- function(x) {
  measure <- attr(x, "measure")
  label <- if (measure == "generic") "Generic effect" else measure_labels[[measure]]
  counts <- table(factor(x$source, levels = c("se", "ci", "p")))
  counts <- counts[counts > 0]
  sprintf("%s, generic inverse variance (SEs: %s%s) [preset \"%s\"]", label,
          paste(counts, c(se = "given", ci = "from a CI", p = "from a p-value")[names(counts)],
                collapse = ", "),
          if (attr(x, "es_options")$dist == "t") "; t critical values" else "", attr(x, "preset"))
}
