# The Cochrane Handbook's data conversions: from what trials report to the columns
# that es_*() and metapool() take. Every function is vectorised over studies (rows),
# evaluates its arguments in `data` when given, recycles single values (an assumed
# correlation or ICC) and returns a data frame. Missing inputs give missing outputs.

# Check the evaluated arguments: numeric, one common length (single values are
# recycled), absent ones filled with NA; `required` must be given.
conversion_inputs <- function(values, required = character(0)) {
  for (nm in required) {
    if (is.null(values[[nm]])) abort_input(sprintf("`%s` is missing, with no default.", nm), nm)
  }
  given <- !vapply(values, is.null, logical(1))
  values[given] <- Map(chk_numeric_vector, values[given], names(values)[given])
  lens <- lengths(values[given])
  k <- max(lens)
  bad <- lens != 1L & lens != k
  if (any(bad)) {
    abort_input(sprintf(
      "Arguments must have the same length (or length 1), but %s.",
      paste(sprintf("`%s` has %d", names(lens), lens), collapse = ", ")), names(lens)[bad][1L])
  }
  if (k == 0L) abort_input("No studies: the arguments have length 0.")
  lapply(values, function(x) if (is.null(x)) rep(NA_real_, k) else rep_len(x, k))
}

chk_correlation <- function(r, nm = "r") {
  chk_condition(r, r <= -1 | r >= 1, nm, "must be a correlation strictly between -1 and 1")
}

# Rows of a conversion result as a plain data frame; a value that could not be
# computed (NaN from the core) is reported as NA, like a missing input.
conversion_result <- function(...) {
  out <- data.frame(..., stringsAsFactors = FALSE, check.names = FALSE)
  out[] <- lapply(out, function(x) if (is.double(x)) replace(x, is.nan(x), NA_real_) else x)
  out
}

#' Standard deviations from standard errors, confidence intervals, t and p
#'
#' Recovers a standard deviation, for [es_md()] or [es_smd()], from what a trial
#' reports instead of it (Cochrane Handbook 6.5.2.2 and 6.5.2.3).
#'
#' **One group** (`n2` missing): from the standard error of the group mean,
#' `SD = SE sqrt(N)`; from a confidence interval for the mean,
#' `SE = (upper - lower) / (2 c)` first.
#'
#' **A difference in means** (`n2` given): the standard error of the mean
#' difference comes from its standard error, its confidence interval, its t
#' statistic (`SE = MD / t`) or its exact two-sided p-value (`t` with that
#' p-value, then as for t); the within-group SD, assumed the same in both
#' groups, is `SD = SE / sqrt(1/n1 + 1/n2)`. Use it for both groups.
#'
#' Each row uses the first report it has, in the order `se`, (`ci_lb`,
#' `ci_ub`), `t`, `p`. The critical value `c` is that of Student's t with
#' `n1 - 1` (one group) or `n1 + n2 - 2` (difference) degrees of freedom with
#' `dist = "t"` (default), as the Handbook advises for samples below about 60
#' per group (and as a t test does); with `dist = "z"` it is the normal
#' quantile (1.96 for 95%, so the divisor is 3.92).
#'
#' @param n1 Size of the group (or of the first group of a difference).
#' @param se Standard error of the mean (one group) or of the mean difference.
#' @param ci_lb,ci_ub Confidence limits of the mean or of the mean difference.
#' @param t t statistic of the difference (two-sample t test).
#' @param p Exact two-sided p-value of the difference (t test).
#' @param estimate The mean difference, needed with `t` and `p` (and used to
#'   check that an interval contains it).
#' @param n2 Size of the second group, for a difference in means.
#' @param data Optional data frame in which the arguments are evaluated.
#' @param ci_level Level of the reported intervals, as a percentage or a
#'   proportion; one value or one per row.
#' @param dist `"t"` (default) or `"z"`: the distribution of the critical value.
#' @return A data frame with one row per input row: `sd`, the standard error
#'   `se` it came from, and `source` (`"se"`, `"ci"`, `"t"` or `"p"`).
#' @references
#' Higgins JPT, Li T, Deeks JJ (eds.) (2023). Chapter 6. In: *Cochrane Handbook
#' for Systematic Reviews of Interventions*, version 6.4, sections 6.5.2.2 and
#' 6.5.2.3 (version 5.1: 7.7.3.2 and 7.7.3.3).
#' @seealso [es_giv()] to pool the mean differences with their standard errors
#'   directly.
#' @examples
#' # Handbook 7.7.3.3: MD 3.8, P = 0.008, 25 and 22 participants -> SD about 4.7
#' convert_sd(n1 = 25, n2 = 22, estimate = 3.8, p = 0.008)
#'
#' # Group means reported with standard errors or 95% intervals
#' convert_sd(n1 = c(40, 25), se = c(1.2, NA), ci_lb = c(NA, 34.5), ci_ub = c(NA, 42.5))
#' @export
convert_sd <- function(n1, se = NULL, ci_lb = NULL, ci_ub = NULL, t = NULL, p = NULL,
                       estimate = NULL, n2 = NULL, data = NULL, ci_level = 95,
                       dist = c("t", "z")) {
  env <- parent.frame()
  v <- conversion_inputs(study_arguments(
    c("n1", "se", "ci_lb", "ci_ub", "t", "p", "estimate", "n2", "ci_level"), data, env,
    optional = TRUE), "n1")
  dist <- chk_choice(dist[1L], c("t", "z"), "dist")
  chk_report(v[c("estimate", "se", "ci_lb", "ci_ub", "p", "n1", "n2")], ratio = FALSE)
  chk_finite(v$t, "t")
  chk_condition(v$t, v$t == 0, "t", "must not be 0")
  for (nm in c("n1", "n2")) chk_at_least(v[[nm]], 2, nm, "must be at least 2")
  difference <- !is.na(v$n2)
  test <- is.na(v$se) & is.na(v$ci_lb) & is.na(v$ci_ub) & (!is.na(v$t) | !is.na(v$p))
  chk_condition(v$n2, test & !difference, "n2",
                "is needed for an SD from a t statistic or p-value (a difference in means)")
  chk_condition(v$estimate, test & is.na(v$estimate), "estimate",
                "(the mean difference) is needed for an SD from a t statistic or p-value")
  for (nm in c("ci_lb", "ci_ub")) {
    other <- if (nm == "ci_lb") v$ci_ub else v$ci_lb
    chk_condition(v[[nm]], !is.na(v[[nm]]) & is.na(other) & is.na(v$se), nm,
                  "needs the other confidence limit for an SD")
  }
  df <- if (dist == "t") ifelse(difference, v$n1 + v$n2 - 2, v$n1 - 1) else rep(NA_real_, length(v$n1))
  res <- cpp_se_from_report(v$estimate, v$se, v$ci_lb, v$ci_ub, v$t, v$p, df,
                            chk_ci_level(v$ci_level), FALSE)
  sd <- ifelse(difference, res$se / sqrt(1 / v$n1 + 1 / v$n2), res$se * sqrt(v$n1))
  conversion_result(sd = sd, se = res$se,
                    source = c(NA, "se", "ci", "t", "p")[res$source + 1L])
}

#' Means and standard deviations from medians, quartiles and ranges
#'
#' Estimates the sample mean and SD of a group reported with its median and
#' range (scenario 1: minimum, median, maximum), its median and quartiles
#' (scenario 2: first quartile, median, third quartile) or all five (scenario 3),
#' assuming the outcome is roughly normal (Cochrane Handbook 6.5.2.5).
#'
#' `method = "luo_shi"` (default) uses Luo et al. (2018) for the mean and Wan et
#' al. (2014) for the SD in scenarios 1 and 2, Shi et al. (2020) in scenario 3;
#' `"wan"` uses Wan et al. (2014) throughout; `"hozo"` the range rules of Hozo
#' et al. (2005) (scenario 1 only). The results match
#' `metafor::conv.fivenum()` with the methods `"luo/wan/shi"`, `"wan2014"` and
#' `"hozo2005"` and `test = FALSE`, except that metafor returns `NA` for groups
#' of fewer than 5 participants.
#'
#' With the sample size n, `xi = 2 qnorm((n - 0.375) / (n + 0.25))` and
#' `eta = 2 qnorm((0.75 n - 0.125) / (n + 0.25))` are the expected range and
#' IQR of a standard normal sample: scenario 1 gives `SD = (max - min) / xi`,
#' scenario 2 `SD = (q3 - q1) / eta`, and scenario 3 a weighted average of the
#' two with weight `1 / (1 + 0.07 n^0.6)` on the range (Shi) or equal weights
#' (Wan). Luo's means weight the mid-range by `4 / (4 + n^0.75)` (scenario 1),
#' the mid-quartile by `0.7 + 0.39 / n` (scenario 2), or both by
#' `2.2 / (2.2 + n^0.75)` and `0.7 - 0.72 / n^0.55` (scenario 3), the median
#' taking the rest.
#'
#' Medians are reported because an outcome is skewed; these estimates assume it
#' is not. Use them as the Handbook advises: with care, and with a sensitivity
#' analysis leaving such studies out.
#'
#' @param min,q1,median,q3,max The reported minimum, quartiles, median and
#'   maximum; give those reported (`NA` where a row lacks one).
#' @param n Group sizes.
#' @param data Optional data frame in which the arguments are evaluated.
#' @param method `"luo_shi"`, `"wan"` or `"hozo"`.
#' @return A data frame with `mean`, `sd` and `scenario` (1, 2, 3, or `NA`
#'   when a row has neither a range nor quartiles with its median).
#' @references
#' Wan X, Wang W, Liu J, Tong T (2014). Estimating the sample mean and standard
#' deviation from the sample size, median, range and/or interquartile range.
#' *BMC Medical Research Methodology*, 14, 135.
#'
#' Luo D, Wan X, Liu J, Tong T (2018). Optimally estimating the sample mean from
#' the sample size, median, mid-range, and/or mid-quartile range. *Statistical
#' Methods in Medical Research*, 27, 1785-1805.
#'
#' Shi J, Luo D, Weng H, et al. (2020). Optimally estimating the sample standard
#' deviation from the five-number summary. *Research Synthesis Methods*, 11,
#' 641-654.
#'
#' Hozo SP, Djulbegovic B, Hozo I (2005). Estimating the mean and variance from
#' the median, range, and the size of a sample. *BMC Medical Research
#' Methodology*, 5, 13.
#' @examples
#' # A median with its IQR, a median with its range, and all five numbers
#' convert_fivenum(min = c(NA, 2, 1), q1 = c(10, NA, 8), median = c(14, 9, 12),
#'                 q3 = c(19, NA, 17), max = c(NA, 31, 35), n = c(50, 30, 120))
#' @export
convert_fivenum <- function(min = NULL, q1 = NULL, median, q3 = NULL, max = NULL, n,
                            data = NULL, method = c("luo_shi", "wan", "hozo")) {
  env <- parent.frame()
  v <- conversion_inputs(study_arguments(c("min", "q1", "median", "q3", "max", "n"), data, env,
                                         optional = TRUE), c("median", "n"))
  method <- chk_choice(method[1L], c("luo_shi", "wan", "hozo"), "method")
  for (nm in names(v)) chk_finite(v[[nm]], nm)
  chk_at_least(v$n, 2, "n", "must be at least 2")
  ordered <- c("min", "q1", "median", "q3", "max")
  for (i in 1:4) {
    for (j in (i + 1):5) {
      a <- ordered[i]
      b <- ordered[j]
      chk_condition(v[[a]], v[[a]] > v[[b]], a,
                    sprintf("must not be above `%s` (min <= q1 <= median <= q3 <= max)", b))
    }
  }
  for (pair in list(c("min", "max"), c("q1", "q3"))) {
    chk_condition(v[[pair[1]]], is.na(v[[pair[1]]]) != is.na(v[[pair[2]]]), pair[1],
                  sprintf("and `%s` must be given together", pair[2]))
  }
  res <- cpp_mean_sd_from_quantiles(v$min, v$q1, v$median, v$q3, v$max, v$n, method)
  conversion_result(mean = res$mean, sd = res$sd,
                    scenario = ifelse(res$scenario == 0L, NA_integer_, res$scenario))
}

#' Combine groups into one
#'
#' Merges two or more groups (arms) of a trial into one, for example two doses
#' of a drug compared with one control (Cochrane Handbook 6.5.2.10 and 23.3.4).
#' Sizes and events are summed. The mean is the size-weighted mean and the SD is
#' that of the merged sample, the formula of Handbook Table 6.5.a,
#' `SD = sqrt(((N1 - 1) SD1^2 + (N2 - 1) SD2^2 + N1 N2 / (N1 + N2) (M1 - M2)^2) /
#' (N1 + N2 - 1))`, applied to any number of groups at once.
#'
#' @param n Group sizes (one row per group).
#' @param mean,sd Group means and SDs (optional; `sd` needs `mean`).
#' @param events Numbers of events (optional).
#' @param by Optional grouping: rows with the same value are merged (for
#'   example a trial label and arm). `NULL` merges all rows into one.
#' @param data Optional data frame in which the arguments are evaluated.
#' @return A data frame with one row per value of `by` (in order of first
#'   appearance): `by` (when given), `n`, and `mean`, `sd`, `events` for those
#'   given.
#' @references
#' Higgins JPT, Li T, Deeks JJ (eds.) (2023). Chapter 6. In: *Cochrane Handbook
#' for Systematic Reviews of Interventions*, version 6.4, section 6.5.2.10,
#' Table 6.5.a; Chapter 23, section 23.3.4.
#' @examples
#' # Two doses against placebo: merge the dose arms of each trial
#' arms <- data.frame(trial = c("A", "A", "B", "B"), n = c(30, 32, 50, 48),
#'                    mean = c(12.1, 13.4, 10.2, 11.0), sd = c(4.1, 3.8, 5.0, 4.6))
#' convert_combine_arms(n, mean, sd, by = trial, data = arms)
#'
#' # Events sum
#' convert_combine_arms(n = c(100, 98), events = c(12, 15))
#' @export
convert_combine_arms <- function(n, mean = NULL, sd = NULL, events = NULL, by = NULL,
                                 data = NULL) {
  env <- parent.frame()
  args <- study_arguments(c("n", "mean", "sd", "events", "by"), data, env, optional = TRUE)
  by <- args$by
  v <- conversion_inputs(args[c("n", "mean", "sd", "events")], "n")
  for (nm in names(v)) chk_finite(v[[nm]], nm)
  chk_at_least(v$n, 1, "n", "must be at least 1")
  chk_at_least(v$sd, 0, "sd", "must not be negative")
  chk_at_least(v$events, 0, "events", "must not be negative")
  chk_condition(v$events, v$events > v$n, "events", "must not exceed `n`")
  if (!is.null(args$sd) && is.null(args$mean)) {
    abort_input("`sd` needs `mean`: the SD of merged groups depends on their means.", "mean")
  }
  k <- length(v$n)
  if (is.null(by)) by <- rep(1L, k)
  if (length(by) != k) {
    abort_input(sprintf("`by` has length %d but there are %d groups.", length(by), k), "by")
  }
  chk_condition(by, is.na(by), "by", "has missing values")
  keys <- unique(by)
  res <- cpp_combine_groups(v$n, v$mean, v$sd, v$events, match(by, keys) - 1L, length(keys))
  out <- list(by = if (!is.null(args$by)) keys, n = res$n)
  for (nm in c("mean", "sd", "events")) if (!is.null(args[[nm]])) out[[nm]] <- res[[nm]]
  do.call(conversion_result, out[!vapply(out, is.null, logical(1))])
}

#' Split a shared control group
#'
#' When one control group is compared with several experimental groups in
#' separate comparisons of one meta-analysis, its participants would be counted
#' more than once. The Handbook (23.3.4) divides the shared group: its size (and
#' number of events) is divided by the number of comparisons it serves, while
#' its mean and SD stay as they are.
#'
#' @param n Size of the shared group.
#' @param events Its number of events (optional).
#' @param k Number of comparisons sharing it (at least 2).
#' @param round `FALSE` (default) keeps fractional sizes (metapool accepts
#'   them, with a warning from the `es_*()` functions); `TRUE` rounds them to
#'   whole numbers, as RevMan needs.
#' @param data Optional data frame in which the arguments are evaluated.
#' @return A data frame with `n` and, when given, `events`: the share of each
#'   comparison.
#' @references
#' Higgins JPT, Eldridge S, Li T (eds.) (2023). Chapter 23: Including variants
#' on randomized trials. In: *Cochrane Handbook for Systematic Reviews of
#' Interventions*, version 6.4, section 23.3.4.
#' @examples
#' # A placebo group of 90 (18 events) shared by three dose comparisons
#' convert_split_control(n = 90, events = 18, k = 3)
#' @export
convert_split_control <- function(n, events = NULL, k, round = FALSE, data = NULL) {
  env <- parent.frame()
  args <- study_arguments(c("n", "events", "k"), data, env, optional = TRUE)
  v <- conversion_inputs(args, c("n", "k"))
  for (nm in names(v)) chk_finite(v[[nm]], nm)
  chk_at_least(v$n, 1, "n", "must be at least 1")
  chk_at_least(v$events, 0, "events", "must not be negative")
  chk_condition(v$events, v$events > v$n, "events", "must not exceed `n`")
  chk_condition(v$k, v$k < 2 | v$k != floor(v$k), "k", "must be a whole number of comparisons, at least 2")
  chk_flag(round, "round")
  share <- function(x) if (round) base::round(x / v$k) else x / v$k
  out <- list(n = share(v$n))
  if (!is.null(args$events)) out$events <- share(v$events)
  do.call(conversion_result, out)
}

#' Effective sizes of cluster-randomised trials
#'
#' A cluster-randomised trial analysed as if individuals had been randomised
#' looks more precise than it is. The Handbook's approximate correction (23.1.4)
#' divides sizes and events by the design effect `1 + (M - 1) ICC`, with `M`
#' the average cluster size and `ICC` the intracluster correlation coefficient;
#' a standard error from such an analysis is multiplied by the square root of the
#' design effect.
#'
#' @param n Sizes (of a group or of the trial).
#' @param events Numbers of events (optional).
#' @param se Standard errors of effects from analyses that ignored the
#'   clustering (optional).
#' @param cluster_size Average cluster size `M` (at least 1).
#' @param icc Intracluster correlation coefficient in \[0, 1).
#' @param data Optional data frame in which the arguments are evaluated.
#' @return A data frame with `design_effect`, the effective `n`, and, when
#'   given, the effective `events` and the corrected `se`. Effective counts are
#'   fractional; the `es_*()` functions accept them with a warning.
#' @references
#' Higgins JPT, Eldridge S, Li T (eds.) (2023). Chapter 23. In: *Cochrane
#' Handbook for Systematic Reviews of Interventions*, version 6.4, section
#' 23.1.4 (version 5.1: 16.3.4).
#' @examples
#' # 12 practices of about 25 patients per arm; ICC 0.02 from a similar trial
#' convert_cluster(n = c(295, 302), events = c(43, 61), cluster_size = 25, icc = 0.02)
#' @export
convert_cluster <- function(n = NULL, events = NULL, se = NULL, cluster_size, icc,
                            data = NULL) {
  env <- parent.frame()
  args <- study_arguments(c("n", "events", "se", "cluster_size", "icc"), data, env,
                          optional = TRUE)
  v <- conversion_inputs(args, c("cluster_size", "icc"))
  for (nm in names(v)) chk_finite(v[[nm]], nm)
  chk_condition(v$icc, v$icc < 0 | v$icc >= 1, "icc",
                "must be an intracluster correlation in [0, 1)")
  chk_at_least(v$cluster_size, 1, "cluster_size", "must be at least 1")
  chk_at_least(v$n, 0, "n", "must be positive", strict = TRUE)
  chk_at_least(v$events, 0, "events", "must not be negative")
  chk_condition(v$events, v$events > v$n, "events", "must not exceed `n`")
  chk_at_least(v$se, 0, "se", "must be positive", strict = TRUE)
  de <- 1 + (v$cluster_size - 1) * v$icc
  out <- list(design_effect = de)
  if (!is.null(args$n)) out$n <- v$n / de
  if (!is.null(args$events)) out$events <- v$events / de
  if (!is.null(args$se)) out$se <- v$se * sqrt(de)
  do.call(conversion_result, out)
}

#' Paired analysis of cross-over trials
#'
#' A cross-over trial is analysed properly by the within-patient differences.
#' When a report gives only the means and SDs of each treatment period, the SD of
#' the differences follows from the within-patient correlation `r`,
#' `SD_diff = sqrt(SD1^2 + SD2^2 - 2 r SD1 SD2)`, or is taken from another trial
#' (`sd_diff`), and `SE(MD) = SD_diff / sqrt(N)` (Elbourne et al. 2002; Cochrane
#' Handbook 23.2.7, version 5.1: 16.4.6).
#'
#' For the SMD (`measure = "SMD"`), the mean difference is standardised by the
#' average of the two variances, `SMD = MD / sqrt((SD1^2 + SD2^2) / 2)`, with
#' `SE = sqrt(1/N + SMD^2 / (2N)) sqrt(2 (1 - r))`; with `sd_diff`, `r` is the
#' correlation it implies.
#'
#' @param m1,sd1 Mean and SD under the experimental treatment.
#' @param m2,sd2 Mean and SD under the control treatment.
#' @param n Number of patients (each contributes to both periods).
#' @param r Within-patient correlation, in (-1, 1).
#' @param sd_diff SD of the within-patient differences (instead of `r`).
#' @param measure `"MD"` (default) or `"SMD"`.
#' @param data Optional data frame in which the arguments are evaluated.
#' @return A data frame with `yi` (MD or SMD), `sei`, `sd_diff` and `r`: give
#'   `yi` and `sei` to [metapool()], or to [es_giv()] as `estimate` and `se`.
#' @references
#' Elbourne DR, Altman DG, Higgins JPT, Curtin F, Worthington HV, Vail A (2002).
#' Meta-analyses involving cross-over trials: methodological issues.
#' *International Journal of Epidemiology*, 31, 140-149.
#'
#' Higgins JPT, Eldridge S, Li T (eds.) (2023). Chapter 23. In: *Cochrane
#' Handbook for Systematic Reviews of Interventions*, version 6.4, section
#' 23.2.7.
#' @examples
#' # Handbook 5.1, 16.4.6.4: 10 patients; MD 0.5 with SE 0.583 for r = 0.68
#' convert_crossover(m1 = 7.0, sd1 = 2.38, m2 = 6.5, sd2 = 2.21, n = 10, r = 0.68)
#' convert_crossover(m1 = 7.0, sd1 = 2.38, m2 = 6.5, sd2 = 2.21, n = 10, r = 0.68,
#'                   measure = "SMD")
#' @export
convert_crossover <- function(m1, sd1, m2, sd2, n, r = NULL, sd_diff = NULL,
                              measure = c("MD", "SMD"), data = NULL) {
  env <- parent.frame()
  args <- study_arguments(c("m1", "sd1", "m2", "sd2", "n", "r", "sd_diff"), data, env,
                          optional = TRUE)
  v <- conversion_inputs(args, c("m1", "sd1", "m2", "sd2", "n"))
  measure <- chk_choice(measure[1L], c("MD", "SMD"), "measure")
  for (nm in names(v)) chk_finite(v[[nm]], nm)
  for (nm in c("sd1", "sd2", "sd_diff")) chk_at_least(v[[nm]], 0, nm, "must be positive", strict = TRUE)
  chk_at_least(v$n, 2, "n", "must be at least 2")
  chk_correlation(v$r)
  if (is.null(args$r) && is.null(args$sd_diff)) {
    abort_input("Give the within-patient correlation `r` or the SD of the differences `sd_diff`.", "r")
  }
  v$sd_diff <- ifelse(is.na(v$sd_diff), sqrt(v$sd1^2 + v$sd2^2 - 2 * v$r * v$sd1 * v$sd2),
                      v$sd_diff)
  v$r <- ifelse(is.na(v$r), (v$sd1^2 + v$sd2^2 - v$sd_diff^2) / (2 * v$sd1 * v$sd2), v$r)
  chk_condition(v$sd_diff, v$r <= -1 | v$r >= 1, "sd_diff",
                "implies a correlation outside (-1, 1) with `sd1` and `sd2`")
  md <- v$m1 - v$m2
  if (measure == "MD") {
    yi <- md
    sei <- v$sd_diff / sqrt(v$n)
  } else {
    yi <- md / sqrt((v$sd1^2 + v$sd2^2) / 2)
    sei <- sqrt((1 / v$n + yi^2 / (2 * v$n)) * 2 * (1 - v$r))
  }
  conversion_result(yi = yi, sei = sei, sd_diff = v$sd_diff, r = v$r)
}

#' Standard deviations of changes from baseline
#'
#' The SD of the change from baseline of a group follows from the baseline and
#' final SDs and their correlation, `SD_change = sqrt(SD_b^2 + SD_f^2 - 2 r SD_b
#' SD_f)`; a study that reports all three SDs gives the correlation, `r =
#' (SD_b^2 + SD_f^2 - SD_change^2) / (2 SD_b SD_f)`, to impute in others
#' (Cochrane Handbook 6.5.2.8; version 5.1: 16.1.3.2). Each row computes
#' whichever of `sd_change` and `r` it lacks.
#'
#' Mean differences of change scores and of final values can be pooled in one
#' meta-analysis (Handbook 10.5.2); standardised mean differences cannot.
#'
#' @param sd_baseline,sd_final Baseline and final SDs of the group.
#' @param r Correlation between baseline and final values, in (-1, 1).
#' @param sd_change SD of the changes (when reported).
#' @param data Optional data frame in which the arguments are evaluated.
#' @return A data frame with `sd_change` and `r`. A reported `sd_change` that
#'   implies a correlation outside (-1, 1) is reported with a warning (class
#'   `metapool_warning_implausible_correlation`).
#' @references
#' Higgins JPT, Li T, Deeks JJ (eds.) (2023). Chapter 6. In: *Cochrane Handbook
#' for Systematic Reviews of Interventions*, version 6.4, section 6.5.2.8.
#'
#' Follmann D, Elliott P, Suh I, Cutler J (1992). Variance imputation for
#' overviews of clinical trials with continuous response. *Journal of Clinical
#' Epidemiology*, 45, 769-773.
#' @examples
#' # A correlation from the one trial reporting all three SDs ...
#' r <- convert_change(sd_baseline = 4.4, sd_final = 4.6, sd_change = 3.1)$r
#' # ... imputed in trials reporting baseline and final SDs only
#' convert_change(sd_baseline = c(5.1, 3.9), sd_final = c(5.6, 4.2), r = r)
#' @export
convert_change <- function(sd_baseline, sd_final, r = NULL, sd_change = NULL, data = NULL) {
  env <- parent.frame()
  args <- study_arguments(c("sd_baseline", "sd_final", "r", "sd_change"), data, env,
                          optional = TRUE)
  v <- conversion_inputs(args, c("sd_baseline", "sd_final"))
  for (nm in names(v)) chk_finite(v[[nm]], nm)
  for (nm in c("sd_baseline", "sd_final", "sd_change")) {
    chk_at_least(v[[nm]], 0, nm, "must be positive", strict = TRUE)
  }
  chk_correlation(v$r)
  if (is.null(args$r) && is.null(args$sd_change)) {
    abort_input("Give the correlation `r` or the SD of the changes `sd_change`.", "r")
  }
  sd_change <- ifelse(is.na(v$sd_change),
                      sqrt(v$sd_baseline^2 + v$sd_final^2 - 2 * v$r * v$sd_baseline * v$sd_final),
                      v$sd_change)
  r <- ifelse(is.na(v$r),
              (v$sd_baseline^2 + v$sd_final^2 - v$sd_change^2) / (2 * v$sd_baseline * v$sd_final),
              v$r)
  odd <- abs(r) >= 1
  if (isTRUE(any(odd, na.rm = TRUE))) {
    warn_metapool(sprintf(
      "`sd_change` implies a correlation outside (-1, 1) in %s: the three SDs cannot come from one sample; check them.",
      describe_rows(odd & !is.na(odd), r)), "implausible_correlation")
  }
  conversion_result(sd_change = sd_change, r = r)
}

#' Log hazard ratios from survival reports
#'
#' Turns what a trial reports about a time-to-event outcome into the log hazard
#' ratio and its standard error (Parmar et al. 1998; Tierney et al. 2007;
#' Cochrane Handbook 6.8). Each row uses the first report it has:
#' * the log-rank observed minus expected events `O - E` and its variance `V`:
#'   `log HR = (O - E) / V`, `SE = 1 / sqrt(V)` (the Peto estimate);
#' * a hazard ratio with its confidence interval: `SE = (log upper - log lower) /
#'   (2 z)`, with `z` the normal quantile at `ci_level`;
#' * a hazard ratio with the total number of events: `V = events R / (1 + R)^2`,
#'   `R = n1 / n2` the allocation ratio (1 when `n1`, `n2` are not given);
#' * a two-sided log-rank p-value with the total number of events and the
#'   direction of the effect `sign` (-1 when the experimental group had fewer
#'   events than expected): `O - E = sign z sqrt(V)`, with `z` the normal
#'   quantile of `p / 2` and `V` as above.
#'
#' @param o_minus_e,v Log-rank O - E (experimental group) and its variance.
#' @param hr Hazard ratios (experimental vs control).
#' @param ci_lb,ci_ub Their confidence limits.
#' @param p Two-sided log-rank p-values.
#' @param events Total number of events in both groups.
#' @param n1,n2 Numbers randomised to the experimental and control groups (for
#'   the allocation ratio).
#' @param sign Direction of the effect for rows reported by `p`: -1 (benefit of
#'   the experimental treatment, HR < 1) or 1.
#' @param ci_level Level of the intervals, percentage or proportion.
#' @param data Optional data frame in which the arguments are evaluated.
#' @return A data frame with `yi` (log HR), `sei`, `hr` (`exp(yi)`) and
#'   `source` (`"o_minus_e"`, `"ci"`, `"hr_events"` or `"p_events"`): give `hr`
#'   and `sei` to [es_giv()] (`estimate = hr, se = sei, measure = "HR"`).
#' @references
#' Parmar MKB, Torri V, Stewart L (1998). Extracting summary statistics to
#' perform meta-analyses of the published literature for survival endpoints.
#' *Statistics in Medicine*, 17, 2815-2834.
#'
#' Tierney JF, Stewart LA, Ghersi D, Burdett S, Sydes MR (2007). Practical
#' methods for incorporating summary time-to-event data into meta-analysis.
#' *Trials*, 8, 16.
#' @examples
#' convert_hr(o_minus_e = c(-8.2, NA, NA, NA), v = c(30.1, NA, NA, NA),
#'            hr = c(NA, 0.78, 0.81, NA), ci_lb = c(NA, 0.63, NA, NA),
#'            ci_ub = c(NA, 0.97, NA, NA), events = c(NA, NA, 212, 150),
#'            p = c(NA, NA, NA, 0.03), sign = -1)
#' @export
convert_hr <- function(o_minus_e = NULL, v = NULL, hr = NULL, ci_lb = NULL, ci_ub = NULL,
                       p = NULL, events = NULL, n1 = NULL, n2 = NULL, sign = NULL,
                       ci_level = 95, data = NULL) {
  env <- parent.frame()
  args <- study_arguments(c("o_minus_e", "v", "hr", "ci_lb", "ci_ub", "p", "events", "n1", "n2",
                            "sign", "ci_level"), data, env, optional = TRUE)
  x <- conversion_inputs(args)
  for (nm in names(x)) chk_finite(x[[nm]], nm)
  chk_at_least(x$v, 0, "v", "must be positive (a variance)", strict = TRUE)
  for (nm in c("hr", "ci_lb", "ci_ub")) {
    chk_condition(x[[nm]], x[[nm]] <= 0, nm, "must be positive (a hazard ratio, not its log)")
  }
  chk_report(list(estimate = x$hr, ci_lb = x$ci_lb, ci_ub = x$ci_ub, p = x$p), ratio = TRUE,
             estimate_arg = "hr")
  chk_at_least(x$events, 0, "events", "must be positive", strict = TRUE)
  for (nm in c("n1", "n2")) chk_at_least(x[[nm]], 0, nm, "must be positive", strict = TRUE)
  chk_condition(x$sign, !x$sign %in% c(-1, 1, NA), "sign", "must be -1 or 1")
  ratio <- ifelse(is.na(x$n1) | is.na(x$n2), 1, x$n1 / x$n2)
  res <- cpp_log_hazard_ratio(x$o_minus_e, x$v, x$hr, x$ci_lb, x$ci_ub, x$p, x$events, ratio,
                              x$sign, chk_ci_level(x$ci_level))
  conversion_result(yi = res$yi, sei = res$se, hr = exp(res$yi),
                    source = c(NA, "o_minus_e", "ci", "hr_events", "p_events")[res$source + 1L])
}

#' Convert between standardised mean differences and log odds ratios
#'
#' Re-expresses an SMD as a log odds ratio, or the reverse, by
#' `log OR = pi / sqrt(3) SMD` (about 1.81 SMD), the relation under logistic
#' distributions with equal variances (Chinn 2000; Cochrane Handbook 10.6).
#' Standard errors scale by the same factor. It lets a review pool trials that
#' report a continuous outcome with trials that dichotomised it. [nnt_ci()] uses
#' the same relation for SMDs.
#'
#' @param smd,se Standardised mean differences and their standard errors.
#' @param log_or Log odds ratios.
#' @param data Optional data frame in which the arguments are evaluated.
#' @return A data frame with `yi` (on the new scale) and `sei`.
#' @references
#' Chinn S (2000). A simple method for converting an odds ratio to effect size
#' for use in meta-analysis. *Statistics in Medicine*, 19, 3127-3131.
#'
#' Hasselblad V, Hedges LV (1995). Meta-analysis of screening and diagnostic
#' tests. *Psychological Bulletin*, 117, 167-178.
#' @examples
#' convert_smd_to_logor(smd = c(0.30, 0.52), se = c(0.12, 0.20))
#' convert_logor_to_smd(log_or = log(2.1), se = 0.25)
#' @export
convert_smd_to_logor <- function(smd, se = NULL, data = NULL) {
  env <- parent.frame()
  v <- conversion_inputs(study_arguments(c("smd", "se"), data, env, optional = TRUE), "smd")
  measure_conversion(v$smd, v$se, "logOR_from_SMD")
}

#' @rdname convert_smd_to_logor
#' @export
convert_logor_to_smd <- function(log_or, se = NULL, data = NULL) {
  env <- parent.frame()
  v <- conversion_inputs(study_arguments(c("log_or", "se"), data, env, optional = TRUE), "log_or")
  measure_conversion(v$log_or, v$se, "SMD_from_logOR")
}

measure_conversion <- function(x, se, to) {
  chk_finite(x, if (grepl("from_SMD", to)) "smd" else "log_or")
  chk_finite(se, "se")
  chk_at_least(se, 0, "se", "must be positive", strict = TRUE)
  # The relation is linear: the SE is converted like a difference of two values.
  conversion_result(yi = cpp_convert_measure(x, x, to),
                    sei = cpp_convert_measure(se, se, to))
}

#' Convert between risk ratios and odds ratios at an assumed control risk
#'
#' A risk ratio and an odds ratio describe the same pair of risks once the
#' control-group risk (ACR) is fixed: `OR = RR (1 - ACR) / (1 - RR ACR)` and
#' `RR = OR / (1 - ACR + ACR OR)` (Cochrane Handbook 6.4.1.2 and 15.4.4). The
#' confidence limits are converted with the ACR held fixed (both maps are
#' increasing). Give the result to [es_giv()] to pool with studies reporting
#' the other measure.
#'
#' @param rr,or Risk ratios or odds ratios (not their logs).
#' @param acr Assumed control risks, in (0, 1); one value or one per row.
#' @param ci_lb,ci_ub Confidence limits (optional).
#' @param data Optional data frame in which the arguments are evaluated.
#' @return A data frame with the converted `estimate`, `ci_lb` and `ci_ub`
#'   (ratios). An RR with `RR ACR >= 1` has no OR (a risk of 1 or more): it gives
#'   `NA` with a warning (class `metapool_warning_risk_bound`).
#' @references
#' Higgins JPT, Li T, Deeks JJ (eds.) (2023). Chapter 6. In: *Cochrane Handbook
#' for Systematic Reviews of Interventions*, version 6.4, section 6.4.1.2.
#' @examples
#' # An OR of 0.60 where about 30% of controls have the event
#' convert_or_to_rr(or = 0.60, ci_lb = 0.45, ci_ub = 0.80, acr = 0.30)
#' convert_rr_to_or(rr = 0.70, acr = c(0.1, 0.3, 0.5))
#' @export
convert_rr_to_or <- function(rr, acr, ci_lb = NULL, ci_ub = NULL, data = NULL) {
  env <- parent.frame()
  v <- conversion_inputs(study_arguments(c("rr", "acr", "ci_lb", "ci_ub"), data, env,
                                         optional = TRUE), c("rr", "acr"))
  ratio_conversion(v, "rr", "logOR_from_logRR")
}

#' @rdname convert_rr_to_or
#' @export
convert_or_to_rr <- function(or, acr, ci_lb = NULL, ci_ub = NULL, data = NULL) {
  env <- parent.frame()
  v <- conversion_inputs(study_arguments(c("or", "acr", "ci_lb", "ci_ub"), data, env,
                                         optional = TRUE), c("or", "acr"))
  ratio_conversion(v, "or", "logRR_from_logOR")
}

ratio_conversion <- function(v, from, to) {
  chk_report(c(list(estimate = v[[from]]), v[c("ci_lb", "ci_ub")]), ratio = TRUE,
             estimate_arg = from)
  names(v)[names(v) == from] <- "estimate"
  chk_condition(v$acr, v$acr <= 0 | v$acr >= 1, "acr", "must be a risk strictly between 0 and 1")
  conv <- function(x) exp(cpp_convert_measure(log(x), v$acr, to))
  given <- c("estimate", if (!all(is.na(v$ci_lb))) "ci_lb", if (!all(is.na(v$ci_ub))) "ci_ub")
  out <- lapply(v[given], conv)
  lost <- Reduce(`|`, Map(function(x, y) is.na(x) & !is.na(y), out, v[given]))
  if (any(lost)) {
    warn_metapool(sprintf(
      "A risk ratio times the control risk is 1 or more in %s: the implied risk is impossible, so there is no odds ratio (NA).",
      describe_rows(lost)), "risk_bound")
  }
  do.call(conversion_result, out)
}
