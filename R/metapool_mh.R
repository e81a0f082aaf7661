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
#'   and `mh` holds the fixed-effect M-H result in both cases.
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
                        subgroup = NULL, measure = c("OR", "RR", "RD"),
                        method = c("MH", "Peto"), model = c("fixed", "random"),
                        preset = c("metafor", "revman5"), add = NULL, to = NULL,
                        drop00 = NULL, rd_variance = NULL, pi_method = c("t_k2", "t_k1", "z"),
                        level = 95, na.action = "na.fail") {
  env <- parent.frame()
  values <- study_arguments(c("events1", "n1", "events2", "n2"), data, env)
  optional <- study_arguments(c("slab", "subset", "subgroup"), data, env, optional = TRUE)
  settings <- mh_settings(measure, method, model, preset, add, to, drop00, rd_variance,
                          pi_method, level)
  chk_binary(values)
  if (na_policy(na.action) == "pass") {
    abort_input("`na.action = \"na.pass\"` cannot be used for pooling: use \"na.fail\" or \"na.omit\".",
                "na.action")
  }
  group_values <- values
  if (!is.null(optional$subgroup)) group_values$subgroup <- optional$subgroup
  rows <- study_rows(group_values, optional$slab, optional$subset, na.action)
  keep <- rows$keep %||% rep(TRUE, length(values$events1))
  tables <- lapply(values, `[`, keep)
  tables$slab <- rows$slab
  tables$row <- which(keep)
  fit <- fit_mh(tables, settings)
  if (!is.null(optional$subgroup)) {
    g <- optional$subgroup[keep]
    g <- if (is.factor(g)) droplevels(g) else factor(g, levels = unique(g))
    fit$subgroups <- lapply(stats::setNames(levels(g), levels(g)), function(lv) {
      fit_mh(lapply(tables, `[`, g == lv), settings)
    })
    fit$subgroup_test <- subgroup_difference_test(fit$subgroups)
  }
  fit$omitted <- rows$omitted
  fit$omitted_slab <- rows$omitted_slab
  fit$n_input <- rows$n_input
  fit$na_action <- na_policy(na.action)
  fit
}

mh_settings <- function(measure, method, model, preset, add, to, drop00, rd_variance,
                        pi_method, level) {
  measure <- chk_choice(measure[1L], c("OR", "RR", "RD"), "measure")
  method <- chk_choice(method[1L], c("MH", "Peto"), "method")
  model <- chk_choice(model[1L], c("fixed", "random"), "model")
  preset <- chk_preset(preset)
  if (method == "Peto" && measure != "OR") {
    abort_input("Peto's method pools odds ratios: use `measure = \"OR\"`.", "measure")
  }
  if (method == "Peto" && model == "random") {
    abort_input("Peto's method is fixed-effect only (as in RevMan 5): use `model = \"fixed\"`.",
                "model")
  }
  ratio <- measure != "RD"
  defaults <- if (preset == "revman5") {
    list(add = c(0.5, 0.5), to = c("only0", "only0"), drop00 = c(ratio, ratio), rd_variance = "GR")
  } else {
    list(add = c(0.5, 0), to = c("only0", "none"), drop00 = c(TRUE, FALSE), rd_variance = "sato")
  }
  pair <- function(x, default, nm, check) {
    if (is.null(x)) return(default)
    if (!length(x) %in% 1:2) abort_input(sprintf("`%s` must have one or two values.", nm), nm)
    for (xi in x) check(xi)
    if (length(x) == 1L) c(x, default[2L]) else x
  }
  add <- pair(add, defaults$add, "add", function(x) {
    if (!is.numeric(x) || is.na(x) || x < 0 || !is.finite(x)) {
      abort_input("`add` must be non-negative numbers.", "add")
    }
  })
  to <- pair(to, defaults$to, "to", function(x) chk_choice(x, c("only0", "all", "if0all", "none"), "to"))
  drop00 <- pair(drop00, defaults$drop00, "drop00", function(x) chk_flag(x, "drop00"))
  list(measure = measure, method = method, model = model, preset = preset, add = add, to = to,
       drop00 = drop00,
       rd_variance = chk_choice(rd_variance %||% defaults$rd_variance, c("GR", "sato"), "rd_variance"),
       pi_method = chk_choice(pi_method[1L], c("t_k2", "t_k1", "z"), "pi_method"),
       level = chk_level(level))
}

fit_mh <- function(tables, settings) {
  s <- settings
  res <- cpp_mantel_haenszel(tables$events1, tables$n1, tables$events2, tables$n2, s$measure,
                             s$method == "Peto", s$model == "random", s$add, s$to, s$drop00,
                             s$rd_variance, s$pi_method, s$level, rd_raw = s$preset == "revman5")
  if (!res$defined) {
    warn_metapool("The pooled estimate is not defined: no events in one of the groups across all studies.",
                  "zero_cell")
  }
  ok <- res$estimable
  arms <- as.data.frame(tables[c("events1", "n1", "events2", "n2")])
  mh <- res[c("estimate", "se", "ci_lb", "ci_ub", "stat", "p")]
  pooled <- if (s$model == "random") res$random else
    c(mh, list(pi_lb = NA_real_, pi_ub = NA_real_, pi_df = NA_real_, weights = res$weights[ok]))
  tau2 <- if (s$model == "random") res$tau2 else 0
  structure(list(
    estimate = pooled$estimate, se = pooled$se, ci_lb = pooled$ci_lb, ci_ub = pooled$ci_ub,
    pi_lb = pooled$pi_lb, pi_ub = pooled$pi_ub, stat = pooled$stat, p = pooled$p,
    df = NA_real_, pi_df = pooled$pi_df, s2w = 1,
    tau2 = tau2, tau2_se = NA_real_, tau2_lb = NA_real_, tau2_ub = NA_real_,
    tau = sqrt(tau2), tau_lb = NA_real_, tau_ub = NA_real_,
    I2 = res$I2, I2_lb = NA_real_, I2_ub = NA_real_, H2 = res$H2, H2_lb = NA_real_,
    H2_ub = NA_real_, Q = res$Q, Q_df = res$Q_df, Q_p = res$Q_p, vt = NA_real_,
    loglik = NA_real_, k = sum(ok),
    weights = stats::setNames(if (s$model == "random") pooled$weights else
      pooled$weights / sum(pooled$weights), tables$slab[ok]),
    yi = res$yi[ok], vi = res$vi[ok], slab = tables$slab[ok],
    method = if (s$model == "random") "DL" else "FE", mh_method = s$method, model = s$model,
    ci_method = "z", pi_method = s$pi_method, tau2_ci = "none", measure = s$measure,
    level = s$level, converged = TRUE, iterations = 0L, tau2_status = "closed_form",
    mh = mh, settings = s, not_estimable = if (any(!ok)) tables$slab[!ok] else NULL,
    corrected = stats::setNames(res$corrected, tables$slab),
    control_risk = pooled_control_risk(tables$events2[ok], tables$n2[ok]),
    rows = tables$row[ok], arms = reset_rownames(arms[ok, , drop = FALSE]),
    not_estimable_data = if (any(!ok)) data.frame(
      slab = tables$slab[!ok], row = tables$row[!ok],
      reset_rownames(arms[!ok, , drop = FALSE]), stringsAsFactors = FALSE
    )
  ), class = c("metapool_mh", "metapool"))
}
