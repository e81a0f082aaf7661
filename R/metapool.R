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
#' @param method Estimator of tau^2: one of `"REML"`, `"FE"`, `"DL"`,
#'   `"DLIT"`, `"HE"`, `"SJ"`, `"ML"`, `"EB"`, `"HS"`, `"HSk"`, `"PM"`,
#'   `"PMM"`; see [tau2_methods]. The default is the preset's: `"REML"` for
#'   `"metafor"`, `"DL"` for `"revman5"`.
#' @param tau2 Optional fixed value of tau^2 (overrides `method`).
#' @param ci_method `"z"`, `"t"`, `"hksj"` or `"hksj_adhoc"`.
#' @param pi_method `"t_k2"`, `"t_k1"` or `"z"`.
#' @param tau2_ci `"QP"` (Q-profile) or `"PL"` (profile likelihood; ML/REML).
#' @param common_tau2 Logical: one tau^2 shared by all subgroups.
#' @param level Confidence level, as a percentage (95) or a proportion (0.95).
#' @param preset `"metafor"` or `"revman5"`: the defaults of metafor's `rma()`
#'   (REML) or of Review Manager 5 (DerSimonian-Laird, Wald intervals). By
#'   default the preset of an `mp_es` input (so `es_smd(preset = "revman5")`
#'   pools as RevMan does), else `"metafor"`. Options given explicitly win.
#' @param control List of `tol`, `max_iter`, `tau2_init`, `step_adj`; see
#'   [tau2_methods].
#' @param mods Moderators for a meta-regression: a one-sided formula
#'   (`~ x1 + x2`) evaluated in `data`, or a numeric matrix; see
#'   [metapool_metaregression]. The moderators can also be given as a two-sided
#'   formula in place of `yi` (`metapool(yi ~ x1 + x2, vi, data = )`).
#' @param btt For a meta-regression: the coefficients in the omnibus test of
#'   moderators (numbers or names; default all but the intercept).
#' @param na.action What to do with studies with a missing `yi`, `vi`,
#'   subgroup or moderator: `"na.fail"` (default) stops with an error naming the rows;
#'   `"na.omit"` drops them, and the fit records them (`omitted`, printed);
#'   `"na.exclude"` drops them too, but `residuals()` and `weights()` return a
#'   value (NA) for every input row, as for [stats::na.exclude()].
#' @return A `metapool` object (with `mods`, a `metapool_reg` object, see
#'   [metapool_metaregression]): a list with `estimate`, `se`, `ci_lb`,
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
                     subgroup = NULL, method = NULL, tau2 = NULL, ci_method = "z",
                     pi_method = "t_k2", tau2_ci = "QP", common_tau2 = FALSE, level = 95,
                     control = list(), preset = NULL, na.action = "na.fail", mods = NULL,
                     btt = NULL) {
  env <- parent.frame()
  # Every argument by its full name: the call as written when it is so already (the
  # usual case; match.call() costs one small fit a few per cent).
  mc <- sys.call()
  given <- names(mc)[-1L]
  if (is.null(given) || !all(given %in% metapool_arguments)) mc <- match.call()
  if (!is.null(data) && !is.data.frame(data)) {
    abort_input("`data` must be a data frame (or NULL).", "data")
  }
  first <- study_arguments("yi", data, env, optional = TRUE, call = mc)$yi
  if (is.null(first)) abort_input("`yi` is missing: give effects with `vi` or `sei`, or an mp_es object.", "yi")
  if (is.object(first) && inherits(first, "formula")) {
    # metapool(yi ~ x1 + x2, vi, data = ): the response is the effects, the right-hand
    # side the moderators.
    if (length(first) != 3L) abort_input("A formula for `yi` must be two-sided: `yi ~ x1 + x2`.", "yi")
    if (!is.null(mods)) abort_input("Give the moderators either in the formula or in `mods`, not both.", "mods")
    mods <- stats::as.formula(first[-2L], env = environment(first))
    first <- eval_study_argument(first[[2L]], "yi", data, environment(first))
  }
  studies <- if (is.object(first) && (inherits(first, "mp_es") || inherits(first, "escalc"))) {
    if (!missing(vi) || !missing(sei)) {
      abort_input(sprintf("`yi` is %s, which carries its own variances: do not give `vi` or `sei`.",
                          if (inherits(first, "mp_es")) "an mp_es object" else "a metafor escalc object"),
                  "vi")
    }
    lookup <- data %||% if (inherits(first, "mp_es")) as_plain_df(first) else as.data.frame(first)
    extra <- study_arguments(c("slab", "subset", "subgroup"), lookup, env, optional = TRUE,
                             call = mc)
    design <- moderators(mods, extra$subgroup, lookup, env, NROW(first))
    effect_size_studies(first, extra, na.action, synthetic = is_synthetic(data), design = design)
  } else {
    extra <- study_arguments(c("vi", "sei", "slab", "subset", "subgroup"), data, env,
                             optional = TRUE, call = mc)
    yi <- chk_numeric_vector(first, "yi")
    prepare_studies(list(yi = yi, vi = effect_variances(extra$vi, extra$sei)),
                    extra$slab, extra$subset, extra$subgroup, na.action,
                    source = list(source = "yi", measure = "generic"),
                    synthetic = !is.null(data) && is_synthetic(data),
                    design = if (!is.null(mods)) moderators(mods, extra$subgroup, data, env, length(yi)))
  }
  preset <- preset %||% studies$source$preset %||% "metafor"  # checked by iv_settings()
  settings <- if (is.null(studies$design)) {
    iv_settings(method, tau2, ci_method, pi_method, tau2_ci, common_tau2, level, control, preset)
  } else {
    metareg_settings(method, tau2, ci_method, pi_method, tau2_ci, level, control, preset, btt)
  }
  settings$measure <- studies$source$measure
  run_fit(studies, settings, mc)
}

metapool_arguments <- names(formals(metapool))

# The prepared studies of an mp_es or escalc object.
effect_size_studies <- function(es, extra, na.action, synthetic = FALSE, design = NULL) {
  if (inherits(es, "escalc")) {
    esc <- escalc_columns(es)
    measure <- if (esc$measure %in% names(measure_labels)) esc$measure else "generic"
    return(prepare_studies(list(yi = esc$yi, vi = esc$vi), extra$slab %||% esc$slab,
                           extra$subset, extra$subgroup, na.action,
                           source = list(source = "escalc", measure = measure,
                                         metafor_measure = esc$measure),
                           synthetic = synthetic, design = design))
  }
  binary <- all(c("events2", "n2", "estimable") %in% names(es))
  preset <- attr(es, "preset")  # effect sizes not made by a preset (es_giv()) set none
  if (!isTRUE(preset %in% option_choices$preset)) preset <- NULL
  prepare_studies(list(yi = es$yi, vi = es$vi), extra$slab %||% es$slab, extra$subset,
                  extra$subgroup, na.action,
                  estimable = if ("estimable" %in% names(es)) es$estimable,
                  carry = if (binary) list(events2 = es$events2, n2 = es$n2) else list(),
                  arms = arm_columns(es),
                  source = list(source = "mp_es", measure = attr(es, "measure"),
                                preset = preset, options = attr(es, "es_options")),
                  synthetic = synthetic || isTRUE(attr(es, "synthetic")), design = design)
}

# The design of a meta-regression (NULL without `mods`), over all input rows.
moderators <- function(mods, subgroup, lookup, env, k) {
  if (is.null(mods)) return(NULL)
  if (!is.null(subgroup)) {
    abort_input("Give either `subgroup` or `mods` (use `mods = ~ factor(group)`), not both.", "mods")
  }
  moderator_design(mods, lookup, env, k)
}

# The inverse-variance engine (engine "iv"): one call of the C++ pooling engine.
fit_iv <- function(studies, settings, group = integer(0)) {
  s <- studies$columns
  chk_effects(s$yi, s$vi)
  res <- cpp_pool(s$yi, s$vi, group, engine_options(settings))
  pooled <- c(s, list(arms = studies$arms))
  new_fit(res, studies, settings, pooled)
}

# Subgroups with one tau^2 common to all: estimated once from the residual
# heterogeneity within subgroups (a meta-regression on the subgroup factor), then fixed.
iv_subgroup_settings <- function(studies, settings) {
  if (!settings$common_tau2 || settings$method %in% c("FE", "fixed")) return(settings)
  s <- studies$columns
  res <- cpp_pool(s$yi, s$vi, as.integer(studies$subgroup) - 1L, engine_options(settings))
  raise_notes(res$notes)
  settings$method <- "fixed"
  settings$tau2_fixed <- res$tau2
  settings
}
