#' Inverse-variance meta-analysis: fixed and random effects, subgroups
#'
#' Pools study effects with inverse-variance weights, under the common-effect
#' (fixed-effect) model or the random-effects model with any of the usual
#' estimators of the between-study variance tau^2 (see [tau2_methods]), and
#' reports confidence and prediction intervals, heterogeneity statistics with
#' their intervals, and, with `subgroup`, a fit per subgroup and the test for
#' subgroup differences.
#'
#' @section Intervals for the pooled effect (`ci_method`):
#' * `"z"`: Wald interval and z-test (default; RevMan 5 and metafor's default);
#' * `"t"`: the same standard error with a t distribution on k - 1 df;
#' * `"hksj"`: Hartung-Knapp-Sidik-Jonkman: the variance is scaled by
#'   `s2 = Q_gen / (k - 1)`, with `Q_gen` the weighted residual sum of squares
#'   at the estimated tau^2, and t on k - 1 df (metafor's `test = "knha"`);
#' * `"hksj_adhoc"`: the same with `s2` truncated below at 1, so the interval is
#'   never narrower than the one with the unscaled variance (Roever et al. 2015;
#'   metafor's `test = "adhoc"`).
#'
#' @section Prediction interval (`pi_method`):
#' The interval for the true effect in a new study is
#' `estimate +/- crit * sqrt(se^2 + tau^2)`, where `se` is the standard error of
#' the pooled effect as reported (so scaled for `"hksj"`). `crit` is
#' * `"t_k2"` (default): t with k - 2 df, as proposed by Higgins, Thompson and
#'   Spiegelhalter (2009) and recommended by Riley, Higgins and Deeks (2011) and
#'   IntHout et al. (2016); undefined (NA) for k < 3;
#' * `"t_k1"`: t with k - 1 df, what metafor's `predict()` uses with t-based
#'   tests;
#' * `"z"`: the normal quantile, what metafor's `predict()` uses by default.
#'
#' The common-effect model (`method = "FE"`) has no between-study variance and
#' so no prediction interval (`pi_lb`, `pi_ub` are NA).
#'
#' @section Heterogeneity:
#' `Q` is Cochran's statistic about the common-effect estimate, with df k - 1.
#' `I2` and `H2` follow metafor: for random-effects fits
#' `I2 = 100 tau^2 / (vt + tau^2)` and `H2 = (tau^2 + vt) / vt`, with the
#' "typical" within-study variance `vt = (k - 1) / (sum(w) - sum(w^2) / sum(w))`;
#' for `method = "FE"` they come from Q: `I2 = 100 max(0, (Q - df) / Q)`,
#' `H2 = Q / df`. (With DerSimonian-Laird the two definitions coincide.)
#' Confidence intervals for tau^2 come from the Q-profile method (Viechtbauer
#' 2007; `tau2_ci = "QP"`, default) or, for ML and REML fits, from the profile
#' likelihood (`tau2_ci = "PL"`); the limits carry over to tau, I^2 and H^2.
#'
#' @section Subgroups:
#' With `subgroup`, each subgroup is pooled on its own, with its own tau^2 (as
#' RevMan 5 and meta do), or with one tau^2 common to all subgroups when
#' `common_tau2 = TRUE` (estimated from the residual heterogeneity within
#' subgroups, as in a meta-regression on the subgroup factor). The overall fit
#' uses all studies. The test for subgroup differences is RevMan's: Cochran's Q
#' across the subgroup estimates weighted by `1 / se^2`, with J - 1 df, and
#' `I2 = (Q - df) / Q`.
#'
#' @section Small k:
#' With one study the pooled effect is that study's effect with its Wald
#' interval; there is no heterogeneity (Q = 0, I^2 = 0) and no prediction
#' interval. With two studies everything is defined except the `"t_k2"`
#' prediction interval.
#'
#' @param yi Effects on the analysis scale, or an [mp_es] object (from
#'   [es_smd()], [es_rr()], ...) or a metafor `escalc` object carrying effects,
#'   variances and labels. Column
#'   names and expressions are evaluated in `data`.
#' @param vi Sampling variances (give `vi` or `sei`, not both).
#' @param sei Standard errors.
#' @param data Optional data frame for `yi`, `vi`, `sei`, `slab`, `subset`,
#'   `subgroup`. When `yi` is an `mp_es` object and `data` is not given, those
#'   arguments are looked up among its columns.
#' @param slab Optional study labels.
#' @param subset Optional logical vector or row numbers selecting studies.
#' @param subgroup Optional grouping variable (vector or column).
#' @param method Estimator of tau^2: one of `"REML"` (default), `"FE"`,
#'   `"DL"`, `"DLIT"`, `"HE"`, `"SJ"`, `"ML"`, `"EB"`, `"HS"`, `"HSk"`,
#'   `"PM"`, `"PMM"`; see [tau2_methods].
#' @param tau2 Optional fixed value of tau^2 (overrides `method`).
#' @param ci_method `"z"`, `"t"`, `"hksj"` or `"hksj_adhoc"`.
#' @param pi_method `"t_k2"`, `"t_k1"` or `"z"`.
#' @param tau2_ci `"QP"` (Q-profile) or `"PL"` (profile likelihood; ML/REML).
#' @param common_tau2 Logical: one tau^2 shared by all subgroups.
#' @param level Confidence level, as a percentage (95) or a proportion (0.95).
#' @param control List of `tol`, `max_iter`, `tau2_init`, `step_adj`; see
#'   [tau2_methods].
#' @param na.action What to do with studies with a missing `yi`, `vi` or
#'   subgroup: `"na.fail"` (default) stops with an error naming the rows;
#'   `"na.omit"` drops them, and the fit records them (`omitted`, printed);
#'   `"na.exclude"` drops them too, but `residuals()` and `weights()` return a
#'   value (NA) for every input row, as for [stats::na.exclude()].
#' @return A `metapool` object: a list with `estimate`, `se`, `ci_lb`,
#'   `ci_ub`, `pi_lb`, `pi_ub`, `stat` (z or t), `p`, `tau2`, `tau2_se`,
#'   `tau2_lb`, `tau2_ub`, `tau`, `I2`, `H2` (with `_lb`/`_ub`), `Q`, `Q_df`,
#'   `Q_p`, `k`, `weights` (proportions), `method`, `ci_method`, `pi_method`,
#'   `measure`, `level`, `converged`, `iterations`, `tau2_status`, the data
#'   (`yi`, `vi`, `slab`, and `rows`, their row numbers in the input), `arms`
#'   (the arm-level summaries of an `mp_es` input, aligned with `yi`; NULL for
#'   effects given directly), `not_estimable_data` (label, row and arm data of
#'   studies that are not estimable), and for subgroup analyses `subgroups` (a list of
#'   `metapool` fits) and `subgroup_test`. Ratio measures stay on the log scale;
#'   `print()`, `summary()` and `predict()` back-transform.
#' @seealso [metapool_mh()] for Mantel-Haenszel and Peto pooling of 2x2 tables;
#'   [confint.metapool()], [predict.metapool()], [summary.metapool()].
#' @references
#' Higgins JPT, Thompson SG, Spiegelhalter DJ (2009). A re-evaluation of
#' random-effects meta-analysis. *JRSS A*, 172, 137-159.
#'
#' Riley RD, Higgins JPT, Deeks JJ (2011). Interpretation of random effects
#' meta-analyses. *BMJ*, 342, d549.
#'
#' IntHout J, Ioannidis JPA, Rovers MM, Goeman JJ (2016). Plea for routinely
#' presenting prediction intervals in meta-analysis. *BMJ Open*, 6, e010247.
#'
#' Hartung J, Knapp G (2001). A refined method for the meta-analysis of
#' controlled clinical trials with binary outcome. *Statistics in Medicine*,
#' 20, 3875-3889.
#'
#' Roever C, Knapp G, Friede T (2015). Hartung-Knapp-Sidik-Jonkman approach
#' and its modification for random-effects meta-analysis with few studies.
#' *BMC Medical Research Methodology*, 15, 99.
#' @examples
#' es <- es_rr(tpos, tpos + tneg, cpos, cpos + cneg, data = bcg, slab = paste(author, year))
#' fit <- metapool(es)
#' fit
#' confint(fit)
#' predict(fit)
#'
#' # DerSimonian-Laird with Hartung-Knapp-Sidik-Jonkman intervals
#' metapool(es, method = "DL", ci_method = "hksj")
#'
#' # Subgroups by allocation method, each with its own tau^2
#' metapool(es, subgroup = bcg$alloc)
#'
#' # Generic inverse variance: effects and standard errors
#' metapool(yi = c(0.2, 0.5, 0.1), sei = c(0.1, 0.2, 0.15), method = "DL")
#' @export
metapool <- function(yi, vi = NULL, sei = NULL, data = NULL, slab = NULL, subset = NULL,
                     subgroup = NULL, method = "REML", tau2 = NULL,
                     ci_method = c("z", "t", "hksj", "hksj_adhoc"),
                     pi_method = c("t_k2", "t_k1", "z"), tau2_ci = c("QP", "PL"),
                     common_tau2 = FALSE, level = 95, control = list(),
                     na.action = "na.fail") {
  env <- parent.frame()
  if (!is.null(data) && !is.data.frame(data)) {
    abort_input("`data` must be a data frame (or NULL).", "data")
  }
  first <- study_arguments("yi", data, env, optional = TRUE)$yi
  if (is.null(first)) abort_input("`yi` is missing: give effects with `vi` or `sei`, or an mp_es object.", "yi")
  if (inherits(first, "mp_es")) {
    if (!missing(vi) || !missing(sei)) {
      abort_input("`yi` is an mp_es object, which carries its own variances: do not give `vi` or `sei`.", "vi")
    }
    lookup <- data %||% as_plain_df(first)
    extra <- study_arguments(c("slab", "subset", "subgroup"), lookup, env, optional = TRUE)
    binary <- all(c("events2", "n2", "estimable") %in% names(first))
    input <- list(yi = first$yi, vi = first$vi,
                  slab = extra$slab %||% first$slab,
                  estimable = first$estimable,
                  events2 = if (binary) first$events2 else NULL,
                  n2 = if (binary) first$n2 else NULL,
                  arms = arm_columns(first),
                  effect_sizes = list(source = "mp_es", measure = attr(first, "measure"),
                                      preset = attr(first, "preset"),
                                      options = attr(first, "es_options")))
    measure <- attr(first, "measure")
  } else if (inherits(first, "escalc")) {
    if (!missing(vi) || !missing(sei)) {
      abort_input("`yi` is a metafor escalc object, which carries its own variances: do not give `vi` or `sei`.", "vi")
    }
    esc <- escalc_columns(first)
    extra <- study_arguments(c("slab", "subset", "subgroup"), data %||% as.data.frame(first), env,
                             optional = TRUE)
    input <- list(yi = esc$yi, vi = esc$vi, slab = extra$slab %||% esc$slab,
                  effect_sizes = list(source = "escalc", measure = esc$measure))
    measure <- if (esc$measure %in% names(measure_labels)) esc$measure else "generic"
  } else {
    extra <- study_arguments(c("vi", "sei", "slab", "subset", "subgroup"), data, env,
                             optional = TRUE)
    input <- list(yi = chk_numeric_vector(first, "yi"), slab = extra$slab)
    if (is.null(extra$vi) == is.null(extra$sei)) {
      abort_input("Give exactly one of `vi` (sampling variances) and `sei` (standard errors).", "vi")
    }
    if (!is.null(extra$vi)) {
      input$vi <- chk_numeric_vector(extra$vi, "vi")
    } else {
      sei <- chk_numeric_vector(extra$sei, "sei")
      chk_at_least(sei, 0, "sei", "must be positive", strict = TRUE)
      chk_finite(sei, "sei")
      input$vi <- sei^2
    }
    measure <- "generic"
  }
  settings <- pool_settings(method, tau2, ci_method, pi_method, tau2_ci, common_tau2, level,
                            control)
  studies <- pool_studies(input, extra$subset, extra$subgroup, na.action)
  fit_metapool(studies, settings, measure)
}

# Validate and collect the options shared by every fit.
pool_settings <- function(method, tau2, ci_method, pi_method, tau2_ci, common_tau2, level,
                          control) {
  method <- chk_choice(method, tau2_method_names, "method", aliases = c(EE = "FE", CE = "FE"))
  tau2_fixed <- 0
  if (!is.null(tau2)) {
    if (!is.numeric(tau2) || length(tau2) != 1L || is.na(tau2) || tau2 < 0 || !is.finite(tau2)) {
      abort_input("`tau2` must be a single non-negative number.", "tau2")
    }
    method <- "fixed"
    tau2_fixed <- tau2
  }
  ci_method <- chk_choice(ci_method[1L], c("z", "t", "hksj", "hksj_adhoc"), "ci_method",
                          aliases = c(knha = "hksj", adhoc = "hksj_adhoc"))
  pi_method <- chk_choice(pi_method[1L], c("t_k2", "t_k1", "z"), "pi_method")
  tau2_ci <- chk_choice(tau2_ci[1L], c("QP", "PL"), "tau2_ci")
  if (tau2_ci == "PL" && !method %in% c("ML", "REML")) {
    abort_input("`tau2_ci = \"PL\"` (profile likelihood) needs `method = \"ML\"` or `\"REML\"`.",
                "tau2_ci")
  }
  list(method = method, tau2_fixed = tau2_fixed, ci_method = ci_method, pi_method = pi_method,
       tau2_ci = tau2_ci, common_tau2 = chk_flag(common_tau2, "common_tau2"),
       level = chk_level(level), control = chk_control(control))
}

# Resolve subset, missing values, non-estimable studies and subgroups; validate.
pool_studies <- function(input, subset, subgroup, na.action) {
  policy <- na_policy(na.action)
  if (policy == "pass") {
    abort_input("`na.action = \"na.pass\"` cannot be used for pooling: use \"na.fail\" or \"na.omit\".",
                "na.action")
  }
  k <- length(input$yi)
  values <- list(yi = input$yi, vi = input$vi)
  if (!is.null(subgroup)) {
    if (is.factor(subgroup)) subgroup <- droplevels(subgroup)
    values$subgroup <- subgroup
  }
  excluded <- integer(0)
  if (!is.null(input$estimable)) {
    not_estimable <- !input$estimable & !is.na(input$estimable)
    excluded <- which(not_estimable)
    subset_keep <- if (is.null(subset)) rep(TRUE, k) else seq_len(k) %in% which_subset(subset, k)
    subset <- subset_keep & !not_estimable
  }
  rows <- study_rows(values, input$slab, subset, na.action)
  keep <- rows$keep %||% rep(TRUE, k)
  yi <- input$yi[keep]
  vi <- input$vi[keep]
  chk_finite(yi, "yi")
  chk_finite(vi, "vi")
  chk_at_least(vi, 0, "vi", "must be positive (a sampling variance)", strict = TRUE)
  group <- NULL
  if (!is.null(subgroup)) {
    group <- values$subgroup[keep]
    group <- if (is.factor(group)) droplevels(group) else factor(group, levels = unique(group))
  }
  list(yi = yi, vi = vi, slab = rows$slab, subgroup = group, omitted = rows$omitted,
       omitted_slab = rows$omitted_slab, n_input = rows$n_input, na_action = policy,
       not_estimable = if (length(excluded)) input$slab[excluded] else NULL,
       events2 = input$events2[keep], n2 = input$n2[keep], rows = which(keep),
       arms = if (!is.null(input$arms)) reset_rownames(input$arms[keep, , drop = FALSE]),
       not_estimable_data = not_estimable_data(input, excluded, values$subgroup),
       effect_sizes = input$effect_sizes)
}

# yi, vi, labels and measure of a metafor escalc object (its yi/vi columns may be
# renamed; labels and measure are attributes of the yi column).
escalc_columns <- function(x) {
  yi_name <- attr(x, "yi.names")[1L] %||% "yi"
  vi_name <- attr(x, "vi.names")[1L] %||% "vi"
  if (!all(c(yi_name, vi_name) %in% names(x))) {
    abort_input(sprintf("The escalc object has no columns \"%s\" and \"%s\".", yi_name, vi_name), "yi")
  }
  yi <- x[[yi_name]]
  slab <- attr(yi, "slab")
  list(yi = chk_numeric_vector(as.numeric(yi), "yi"), vi = chk_numeric_vector(as.numeric(x[[vi_name]]), "vi"),
       slab = if (length(slab) == length(yi)) slab else NULL,
       measure = attr(yi, "measure") %||% "GEN")
}

# The arm-level summaries of an mp_es object (means, SDs and totals, or events and
# totals), kept in the fit for forest plots; NULL when there are none.
arm_columns <- function(es) {
  cols <- intersect(c("m1", "sd1", "events1", "n1", "m2", "sd2", "events2", "n2"), names(es))
  if (!length(cols)) return(NULL)
  as_plain_df(es)[cols]
}

reset_rownames <- function(x) {
  rownames(x) <- NULL
  x
}

# Label, input row, arm data and subgroup of the studies that are not estimable.
not_estimable_data <- function(input, excluded, subgroup) {
  if (!length(excluded)) return(NULL)
  out <- data.frame(slab = input$slab[excluded], row = excluded, stringsAsFactors = FALSE)
  if (!is.null(subgroup)) out$subgroup <- as.character(subgroup[excluded])
  if (!is.null(input$arms)) out <- cbind(out, reset_rownames(input$arms[excluded, , drop = FALSE]))
  out
}

which_subset <- function(subset, k) {
  if (is.logical(subset) && length(subset) == k) return(which(subset & !is.na(subset)))
  if (is.numeric(subset) && !anyNA(subset) && all(subset >= 1 & subset <= k)) return(subset)
  abort_input(sprintf(
    "`subset` must be a logical vector of length %d or row numbers between 1 and %d.", k, k
  ), "subset")
}

# One call of the C++ engine, with its warnings raised as classed R warnings.
run_engine <- function(yi, vi, settings, group = integer(0)) {
  ctl <- settings$control
  res <- cpp_pool(yi, vi, group, settings$method, settings$tau2_fixed, settings$ci_method,
                  settings$pi_method, settings$tau2_ci, settings$level, ctl$tol, ctl$max_iter,
                  ctl$tau2_init, ctl$step_adj)
  for (w in res$warnings) {
    warn_metapool(w, if (grepl("tau\\^2|converge", w)) "convergence" else "small_k")
  }
  res$warnings <- NULL
  res
}

fit_metapool <- function(studies, settings, measure) {
  fit <- new_metapool(run_engine(studies$yi, studies$vi, settings), studies, settings, measure)
  if (!is.null(studies$subgroup)) {
    fit$subgroups <- fit_subgroups(studies, settings, measure)
    fit$subgroup_test <- subgroup_difference_test(fit$subgroups)
    fit$common_tau2 <- settings$common_tau2
  }
  fit
}

fit_subgroups <- function(studies, settings, measure) {
  groups <- studies$subgroup
  lv <- levels(groups)
  if (settings$common_tau2 && !settings$method %in% c("FE", "fixed")) {
    common <- run_engine(studies$yi, studies$vi, settings, group = as.integer(groups) - 1L)
    settings$method <- "fixed"
    settings$tau2_fixed <- common$tau2
  }
  fits <- lapply(lv, function(g) {
    idx <- which(groups == g)
    ne <- studies$not_estimable_data
    ne <- if (!is.null(ne$subgroup)) ne[ne$subgroup == g, , drop = FALSE]
    sub <- list(yi = studies$yi[idx], vi = studies$vi[idx], slab = studies$slab[idx],
                omitted = integer(0), events2 = studies$events2[idx], n2 = studies$n2[idx],
                rows = studies$rows[idx], effect_sizes = studies$effect_sizes,
                arms = if (!is.null(studies$arms)) studies$arms[idx, , drop = FALSE],
                not_estimable = if (NROW(ne)) ne$slab, not_estimable_data = if (NROW(ne)) ne)
    new_metapool(run_engine(sub$yi, sub$vi, settings), sub, settings, measure)
  })
  names(fits) <- lv
  fits
}

new_metapool <- function(res, studies, settings, measure) {
  method <- if (res$tau2_status == "fallback_dl") "DL" else settings$method
  structure(list(
    estimate = res$estimate, se = res$se, ci_lb = res$ci_lb, ci_ub = res$ci_ub,
    pi_lb = res$pi_lb, pi_ub = res$pi_ub, stat = res$stat, p = res$p, df = res$df,
    pi_df = res$pi_df, s2w = res$s2w,
    tau2 = res$tau2, tau2_se = res$tau2_se, tau2_lb = res$tau2_lb, tau2_ub = res$tau2_ub,
    tau = sqrt(res$tau2), tau_lb = sqrt(res$tau2_lb), tau_ub = sqrt(res$tau2_ub),
    I2 = res$I2, I2_lb = res$I2_lb, I2_ub = res$I2_ub,
    H2 = res$H2, H2_lb = res$H2_lb, H2_ub = res$H2_ub,
    Q = res$Q, Q_df = res$Q_df, Q_p = res$Q_p, vt = res$vt, loglik = res$loglik,
    k = length(studies$yi), weights = stats::setNames(res$weights, studies$slab),
    yi = studies$yi, vi = studies$vi, slab = studies$slab,
    method = method, requested_method = settings$method, ci_method = settings$ci_method,
    pi_method = settings$pi_method, tau2_ci = settings$tau2_ci, measure = measure,
    level = settings$level, converged = res$tau2_status != "fallback_dl",
    iterations = res$iterations, tau2_status = res$tau2_status,
    settings = settings, omitted = studies$omitted, not_estimable = studies$not_estimable,
    control_risk = pooled_control_risk(studies$events2, studies$n2),
    rows = studies$rows, arms = studies$arms, not_estimable_data = studies$not_estimable_data,
    effect_sizes = studies$effect_sizes, omitted_slab = studies$omitted_slab,
    n_input = studies$n_input, na_action = studies$na_action
  ), class = "metapool")
}

# Risk of the event in the control groups of the pooled studies taken together (the
# usual assumed control risk for an NNT); NULL without 2x2 data.
pooled_control_risk <- function(events2, n2) {
  if (is.null(events2) || !length(events2)) return(NULL)
  sum(events2) / sum(n2)
}

# RevMan's test for subgroup differences across the subgroup estimates that exist.
subgroup_difference_test <- function(subgroups) {
  est <- vapply(subgroups, `[[`, numeric(1), "estimate")
  se <- vapply(subgroups, `[[`, numeric(1), "se")
  ok <- is.finite(est) & is.finite(se) & se > 0
  if (sum(ok) < 2L) return(list(Q = NA_real_, df = NA_real_, p = NA_real_, I2 = NA_real_))
  cpp_subgroup_test(est[ok], se[ok])
}
