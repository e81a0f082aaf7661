# Small-study effects: regression and rank tests for funnel-plot asymmetry,
# trim-and-fill, PET-PEESE and fail-safe N. The regressions are meta-regressions
# through the one engine (fit_metareg()); the rest are closed forms.

#' Tests for small-study effects (funnel-plot asymmetry)
#'
#' * `"egger"`: Egger's regression test as metafor's `regtest()`: the fit's
#'   model with a measure of precision (`predictor`) added as a moderator, and
#'   the test of its coefficient. `model = "rma"` keeps the fit's tau^2
#'   estimator and tests (a meta-regression); `model = "lm"` is the classical
#'   weighted least-squares regression with a multiplicative dispersion term (t
#'   on k - p - 1 df). For an intercept-only fit with predictor `"sei"`, `"vi"`,
#'   `"ninv"` or `"sqrtninv"`, the intercept is reported as the "limit
#'   estimate" (the effect as the predictor goes to zero).
#' * `"begg"`: Begg and Mazumdar's rank correlation (Kendall's tau between the
#'   standardised deviates and the variances), as metafor's `ranktest()`.
#' * `"peters"`: Peters' test for binary outcomes: weighted regression of the
#'   log odds (or risk) ratio on 1 / total sample size, weights from the
#'   pooled events and non-events, as `meta::metabias(method.bias = "Peters")`.
#' * `"harbord"`: Harbord's score-based test for odds ratios: regression of
#'   Z / sqrt(V) on sqrt(V), with the efficient score Z and its variance V of
#'   each 2x2 table, as `meta::metabias(method.bias = "Harbord")`.
#'
#' With fewer than 10 studies the tests have too little power to tell chance
#' from asymmetry (Cochrane Handbook, section 13.3.5.4): a warning of class
#' `metapool_warning_small_k` says so, and the test is still run.
#'
#' @param fit A [metapool()] fit (intercept-only or a meta-regression; for
#'   `"peters"` and `"harbord"` a fit of [es_or()] or [es_rr()] effects, whose
#'   2x2 tables it keeps).
#' @param method `"egger"`, `"begg"`, `"peters"` or `"harbord"`.
#' @param predictor For `"egger"`: `"sei"` (standard error, default), `"vi"`
#'   (variance), `"ninv"` (1 / n) or `"sqrtninv"` (1 / sqrt(n)).
#' @param model For `"egger"`: `"rma"` (default) or `"lm"`.
#' @param ni Total sample sizes (for `"ninv"`, `"sqrtninv"`); by default taken
#'   from the arms of an [mp_es] input (n1 + n2).
#' @param exact For `"begg"`: exact p-value of Kendall's tau (default, as
#'   metafor), falling back to the normal approximation with ties.
#' @return An `mp_smallstudy` object: a list with `method`, `statistic` (z, t or
#'   Kendall's tau), `df`, `p`, and for Egger with an intercept-only fit `limit`
#'   (estimate and confidence interval as the predictor goes to 0); `fit` the
#'   regression (a `metapool_reg` fit) for the regression tests.
#' @references Egger M, Davey Smith G, Schneider M, Minder C (1997). Bias in
#'   meta-analysis detected by a simple, graphical test. *BMJ*, 315, 629-634.
#'
#'   Begg CB, Mazumdar M (1994). Operating characteristics of a rank
#'   correlation test for publication bias. *Biometrics*, 50, 1088-1101.
#'
#'   Peters JL, Sutton AJ, Jones DR, Abrams KR, Rushton L (2006). Comparison of
#'   two methods to detect publication bias in meta-analysis. *JAMA*, 295,
#'   676-680.
#'
#'   Harbord RM, Egger M, Sterne JAC (2006). A modified test for small-study
#'   effects in meta-analyses of controlled trials with binary endpoints.
#'   *Statistics in Medicine*, 25, 3443-3457.
#'
#'   Higgins JPT et al. (eds) (2023). *Cochrane Handbook for Systematic Reviews
#'   of Interventions*, version 6.4, section 13.3.5.4.
#' @examples
#' es <- es_rr(tpos, tpos + tneg, cpos, cpos + cneg, data = bcg)
#' fit <- metapool(es)
#' smallstudy_test(fit)
#' smallstudy_test(fit, model = "lm")
#' smallstudy_test(fit, method = "begg")
#' @export
smallstudy_test <- function(fit, method = c("egger", "begg", "peters", "harbord"),
                            predictor = c("sei", "vi", "ninv", "sqrtninv"),
                            model = c("rma", "lm"), ni = NULL, exact = TRUE) {
  chk_smallstudy_fit(fit)
  method <- chk_choice(method[1L], c("egger", "begg", "peters", "harbord"), "method")
  if (fit$k < 10L) {
    warn_metapool(sprintf(
      "Only %d studies: tests for funnel-plot asymmetry have too little power with fewer than 10 studies to tell asymmetry from chance (Cochrane Handbook 13.3.5.4).",
      fit$k), "small_k")
  }
  out <- switch(method,
    egger = egger_test(fit, chk_choice(predictor[1L], c("sei", "vi", "ninv", "sqrtninv"), "predictor"),
                       chk_choice(model[1L], c("rma", "lm"), "model"), ni),
    begg = begg_test(fit, chk_flag(exact, "exact")),
    peters = peters_test(fit),
    harbord = harbord_test(fit)
  )
  out$k <- fit$k
  structure(out, class = "mp_smallstudy")
}

chk_smallstudy_fit <- function(fit) {
  if (!inherits(fit, "metapool")) abort_input("`fit` must be a metapool() fit.", "fit")
  if (!fit$settings$engine %in% c("iv", "metareg")) {
    abort_not_defined("Tests for small-study effects", fit,
                      "pool the study estimates by inverse variance with metapool() first")
  }
  if (!is.null(fit$subgroups)) abort_not_defined("Tests for small-study effects", fit, "use a fit without `subgroup`")
  if (fit$k < 3L) abort_input("Tests for small-study effects need at least 3 studies.", "fit")
  fit
}

# The fit's design matrix (a column of ones for an ordinary fit).
fit_design <- function(fit) {
  if (inherits(fit, "metapool_reg")) fit$X else matrix(1, fit$k, 1, dimnames = list(NULL, "intrcpt"))
}

total_sizes <- function(fit, ni) {
  if (!is.null(ni)) {
    ni <- chk_numeric_vector(ni, "ni")
    if (length(ni) != fit$k) abort_input(sprintf("`ni` must have one value per study (%d).", fit$k), "ni")
    return(ni)
  }
  arms <- fit$arms
  if (is.null(arms) || !all(c("n1", "n2") %in% names(arms))) {
    abort_input("The fit has no sample sizes: give `ni` (total sample size per study).", "ni")
  }
  arms$n1 + arms$n2
}

# Settings of a regression on the fit's studies: the fit's own, or (model = "lm")
# weighted least squares with a multiplicative dispersion, which is the fixed-effects
# model with Knapp-Hartung's scale.
regression_settings <- function(fit, model, btt) {
  s <- fit$settings
  if (model == "lm") {
    s$method <- "FE"
    s$tau2_fixed <- 0
    s$ci_method <- "hksj"
  }
  s$btt <- btt
  s
}

egger_test <- function(fit, predictor, model, ni) {
  X <- fit_design(fit)
  p <- ncol(X)
  pred <- switch(predictor,
    sei = sqrt(fit$vi), vi = fit$vi,
    ninv = 1 / total_sizes(fit, ni), sqrtninv = 1 / sqrt(total_sizes(fit, ni)))
  Xp <- cbind(X, pred)
  colnames(Xp)[p + 1L] <- predictor
  reg <- metareg_on(fit$yi, fit$vi, Xp, regression_settings(fit, model, p + 1L))
  limit <- NULL
  if (p == 1L && colnames(X)[1L] == "intrcpt") {
    limit <- c(estimate = reg$beta[[1L]], ci_lb = reg$ci_lb[[1L]], ci_ub = reg$ci_ub[[1L]])
  }
  list(method = "egger", predictor = predictor, model = model,
       statistic = reg$stat[[p + 1L]], df = reg$df, p = reg$p[[p + 1L]],
       limit = limit, fit = reg, measure = fit$measure)
}

begg_test <- function(fit, exact) {
  if (inherits(fit, "metapool_reg")) abort_input("The rank correlation test needs a fit without moderators.", "fit")
  wi <- 1 / fit$vi
  theta <- sum(wi * fit$yi) / sum(wi)
  ystar <- (fit$yi - theta) / sqrt(fit$vi - 1 / sum(wi))
  test <- suppressWarnings(stats::cor.test(ystar, fit$vi, method = "kendall", exact = exact))
  if (is.na(test$p.value)) {
    test <- suppressWarnings(stats::cor.test(ystar, fit$vi, method = "kendall", exact = FALSE))
  }
  list(method = "begg", statistic = unname(test$estimate), df = NA_real_, p = test$p.value,
       measure = fit$measure)
}

# 2x2 tables of a binary fit (events and totals of both arms).
fit_tables <- function(fit, what) {
  arms <- fit$arms
  if (is.null(arms) || !all(c("events1", "n1", "events2", "n2") %in% names(arms))) {
    abort_input(sprintf("%s needs the 2x2 tables: fit effects made by es_or() or es_rr().", what), "fit")
  }
  arms
}

peters_test <- function(fit) {
  if (inherits(fit, "metapool_reg")) abort_input("Peters' test needs a fit without moderators.", "fit")
  a <- fit_tables(fit, "Peters' test")
  events <- a$events1 + a$events2
  nonevents <- a$n1 - a$events1 + a$n2 - a$events2
  w <- 1 / (1 / events + 1 / nonevents)
  X <- cbind(intrcpt = 1, ninv = 1 / (a$n1 + a$n2))
  # Weighted regression with weights w: variances 1 / w under the lm dispersion model.
  reg <- metareg_on(fit$yi, 1 / w, X, regression_settings(fit, "lm", 2L))
  list(method = "peters", statistic = reg$stat[[2L]], df = reg$df, p = reg$p[[2L]], fit = reg,
       measure = fit$measure)
}

harbord_test <- function(fit) {
  if (inherits(fit, "metapool_reg")) abort_input("Harbord's test needs a fit without moderators.", "fit")
  a <- fit_tables(fit, "Harbord's test")
  n <- a$n1 + a$n2
  events <- a$events1 + a$events2
  # Efficient score and its variance for the log odds ratio under the null.
  Z <- a$events1 - a$n1 * events / n
  V <- a$n1 * a$n2 * events * (n - events) / (n^2 * (n - 1))
  y <- Z / sqrt(V)
  X <- cbind(intrcpt = 1, sqrtV = sqrt(V))
  reg <- metareg_on(y, rep(1, length(y)), X, regression_settings(fit, "lm", 1L))
  list(method = "harbord", statistic = reg$stat[[1L]], df = reg$df, p = reg$p[[1L]], fit = reg,
       measure = fit$measure)
}

#' @export
print.mp_smallstudy <- function(x, digits = 4, ...) {
  title <- switch(x$method,
    egger = sprintf("Regression test for funnel-plot asymmetry (Egger; %s, predictor: %s)",
                    if (x$model == "rma") "meta-regression" else "weighted regression with multiplicative dispersion",
                    c(sei = "standard error", vi = "sampling variance", ninv = "inverse sample size",
                      sqrtninv = "inverse square root of sample size")[[x$predictor]]),
    begg = "Rank correlation test for funnel-plot asymmetry (Begg and Mazumdar)",
    peters = "Peters' regression test for funnel-plot asymmetry",
    harbord = "Harbord's score-based test for funnel-plot asymmetry")
  cat(title, "\n\n", sep = "")
  if (x$method == "begg") {
    cat(sprintf("Kendall's tau = %s, %s\n", format_num(x$statistic, digits), p_text(x$p)))
  } else if (is.na(x$df)) {
    cat(sprintf("z = %s, %s\n", format_num(x$statistic, digits), p_text(x$p)))
  } else {
    cat(sprintf("t = %s, df = %d, %s\n", format_num(x$statistic, digits), as.integer(x$df), p_text(x$p)))
  }
  if (!is.null(x$limit)) {
    cat(sprintf("Limit estimate (as the predictor goes to 0): %s [%s, %s]\n",
                format_num(x$limit[["estimate"]], digits), format_num(x$limit[["ci_lb"]], digits),
                format_num(x$limit[["ci_ub"]], digits)))
  }
  if (x$k < 10L) cat(sprintf("Only %d studies: too few for a reliable test (Handbook 13.3.5.4).\n", x$k))
  invisible(x)
}

#' Trim-and-fill
#'
#' Duval and Tweedie's nonparametric trim-and-fill: estimates the number of
#' studies missing on one side of the funnel plot (`k0`, by the `"L0"`, `"R0"`
#' or `"Q0"` estimator), iteratively trimming the most extreme studies and
#' re-estimating the centre, then fills their mirror images and refits. The
#' numbers are metafor's `trimfill()`'s; the side is, by default, chosen from
#' the sign of Egger's regression slope (with the fit's tau^2 estimator), as
#' there.
#'
#' @param fit An intercept-only [metapool()] fit.
#' @param estimator `"L0"` (default), `"R0"` or `"Q0"`.
#' @param side `"left"` or `"right"`: where studies are missing (default
#'   chosen from the data).
#' @param max_iter Iteration cap.
#' @return An `mp_trimfill` object: a list with `k0` (number of filled
#'   studies), `se_k0`, `p_k0` (R0 only), `side`, `estimator`, `fit` (the
#'   metapool fit of the observed and filled studies, whose `filled` element
#'   flags the filled ones), and `original` (the fit given). `plot()` draws the
#'   funnel plot with the filled studies as open circles.
#' @references Duval S, Tweedie R (2000). Trim and fill: a simple
#'   funnel-plot-based method of testing and adjusting for publication bias in
#'   meta-analysis. *Biometrics*, 56, 455-463.
#' @examples
#' es <- es_rr(tpos, tpos + tneg, cpos, cpos + cneg, data = bcg)
#' tf <- trim_fill(metapool(es))
#' tf
#' plot(tf)
#' @export
trim_fill <- function(fit, estimator = c("L0", "R0", "Q0"), side = NULL, max_iter = 100) {
  chk_smallstudy_fit(fit)
  if (inherits(fit, "metapool_reg")) abort_input("Trim-and-fill needs a fit without moderators.", "fit")
  estimator <- chk_choice(estimator[1L], c("L0", "R0", "Q0"), "estimator")
  settings <- fit$settings
  pool_fit <- function(yi, vi) {
    fit_iv(studies_of(yi, vi), settings)
  }
  if (is.null(side)) {
    reg <- metareg_on(fit$yi, fit$vi, cbind(intrcpt = 1, sei = sqrt(fit$vi)),
                      utils::modifyList(settings, list(btt = 2L)))
    side <- if (reg$beta[[2L]] < 0) "right" else "left"
  } else {
    side <- chk_choice(side, c("left", "right"), "side")
  }
  yi <- if (side == "right") -fit$yi else fit$yi
  ix <- order(yi)
  yi <- yi[ix]
  vi <- fit$vi[ix]
  k <- length(yi)
  k0 <- 0
  k0_prev <- -1
  iter <- 0
  se_k0 <- NA_real_
  while (k0 != k0_prev) {
    k0_prev <- k0
    iter <- iter + 1
    if (iter > max_iter) abort_input("Trim-and-fill did not converge within `max_iter` iterations.", "max_iter")
    keep <- seq_len(k - k0)
    beta <- suppressWarnings(pool_fit(yi[keep], vi[keep]))$estimate
    centred <- yi - beta
    signed_rank <- sign(centred) * rank(abs(centred), ties.method = "first")
    sr <- sum(signed_rank[signed_rank > 0])
    var_sr <- function(k0) (k * (k + 1) * (2 * k + 1) + 10 * k0^3 + 27 * k0^2 + 17 * k0 -
                              18 * k * k0^2 - 18 * k * k0 + 6 * k^2 * k0) / 24
    if (estimator == "R0") {
      k0 <- (k - max(-signed_rank[signed_rank < 0])) - 1
      se_k0 <- sqrt(2 * max(0, k0) + 2)
    } else if (estimator == "L0") {
      k0 <- (4 * sr - k * (k + 1)) / (2 * k - 1)
      se_k0 <- 4 * sqrt(var_sr(k0)) / (2 * k - 1)
    } else {
      disc <- 2 * k^2 - 4 * sr + 1 / 4
      k0 <- if (disc < 0) NaN else k - 1 / 2 - sqrt(disc)
      se_k0 <- if (is.nan(k0)) NaN else 2 * sqrt(var_sr(k0)) / sqrt((k - 1 / 2)^2 - k0 * (2 * k - k0 - 1))
    }
    if (!is.finite(k0)) {
      stop(metapool_condition(sprintf(
        "The %s estimator of the number of missing studies is undefined for these data (the rank sum is out of its range); use another `estimator`.",
        estimator), c("metapool_error_numerical", "metapool_error", "error")))
    }
    k0 <- max(0, round(k0))
    se_k0 <- max(0, se_k0)
  }
  if (k0 > 0) {
    # Mirror images of the k0 most extreme studies about the trimmed estimate.
    mirrored <- 2 * beta - yi[(k - k0 + 1):k]
    fill_y <- if (side == "right") -mirrored else mirrored
    all_y <- c(fit$yi, fill_y)
    all_v <- c(fit$vi, vi[(k - k0 + 1):k])
    filled <- pool_fit(all_y, all_v)
    filled$slab <- c(fit$slab, paste("Filled", seq_len(k0)))
    names(filled$weights) <- filled$slab
  } else {
    filled <- fit
  }
  filled$filled <- c(rep(FALSE, fit$k), rep(TRUE, k0))
  p_k0 <- if (estimator == "R0") {
    m <- -1:(k0 - 1)
    1 - sum(choose(m + 1, m + 1) * 0.5^(m + 2))
  } else NA_real_
  structure(list(k0 = k0, se_k0 = se_k0, p_k0 = p_k0, side = side, estimator = estimator,
                 fit = filled, original = fit), class = "mp_trimfill")
}

#' @export
print.mp_trimfill <- function(x, ...) {
  cat(sprintf("Trim-and-fill (%s estimator): %d stud%s estimated missing on the %s side (SE = %s)\n\n",
              x$estimator, as.integer(x$k0), if (x$k0 == 1) "y" else "ies", x$side,
              format_num(x$se_k0, 4)))
  print(x$fit)
  invisible(x)
}

#' @rdname trim_fill
#' @param x An `mp_trimfill` object.
#' @param ... Passed to [funnel_plot()].
#' @export
plot.mp_trimfill <- function(x, ...) {
  funnel_plot(x$fit, filled = x$fit$filled, ...)
}

#' PET-PEESE
#'
#' The precision-effect test (PET: the effect regressed on the standard error)
#' and the precision-effect estimate with standard error (PEESE: on the
#' variance), by weighted least squares with a multiplicative dispersion
#' (Stanley and Doucouliagos 2014). The conditional estimate is PEESE's
#' intercept when PET's intercept is significant (one-sided at `alpha`, in the
#' direction of the effect), else PET's.
#'
#' @param fit An intercept-only [metapool()] fit.
#' @param alpha Significance level of PET's test of the intercept (default
#'   0.05, two-sided 0.10 as Stanley and Doucouliagos).
#' @return An `mp_petpeese` object: a list with `pet` and `peese` (each
#'   `estimate`, `se`, `ci_lb`, `ci_ub`, `p` of the intercept), `estimate` (the
#'   conditional estimate) and `chosen`.
#' @references Stanley TD, Doucouliagos H (2014). Meta-regression
#'   approximations to reduce publication selection bias. *Research Synthesis
#'   Methods*, 5, 60-78.
#' @examples
#' es <- es_rr(tpos, tpos + tneg, cpos, cpos + cneg, data = bcg)
#' pet_peese(metapool(es))
#' @export
pet_peese <- function(fit, alpha = 0.05) {
  chk_smallstudy_fit(fit)
  if (inherits(fit, "metapool_reg")) abort_input("PET-PEESE needs a fit without moderators.", "fit")
  one <- function(pred, name) {
    X <- cbind(intrcpt = 1, pred)
    colnames(X)[2L] <- name
    reg <- metareg_on(fit$yi, fit$vi, X, regression_settings(fit, "lm", 2L))
    c(estimate = reg$beta[[1L]], se = reg$se[[1L]], ci_lb = reg$ci_lb[[1L]], ci_ub = reg$ci_ub[[1L]],
      stat = reg$stat[[1L]], p = reg$p[[1L]], df = reg$df)
  }
  pet <- one(sqrt(fit$vi), "sei")
  peese <- one(fit$vi, "vi")
  # One-sided test of PET's intercept in the direction of the pooled effect.
  one_sided <- stats::pt(sign(fit$estimate) * pet[["stat"]], pet[["df"]], lower.tail = FALSE)
  chosen <- if (one_sided < alpha) "PEESE" else "PET"
  structure(list(pet = pet, peese = peese, chosen = chosen,
                 estimate = if (chosen == "PEESE") peese[["estimate"]] else pet[["estimate"]],
                 measure = fit$measure), class = "mp_petpeese")
}

#' @export
print.mp_petpeese <- function(x, digits = 4, ...) {
  row <- function(v) sprintf("%s [%s, %s], %s", format_num(v[["estimate"]], digits),
                             format_num(v[["ci_lb"]], digits), format_num(v[["ci_ub"]], digits), p_text(v[["p"]]))
  cat("PET-PEESE (weighted least squares with multiplicative dispersion)\n\n")
  cat("PET   intercept: ", row(x$pet), "\n", sep = "")
  cat("PEESE intercept: ", row(x$peese), "\n", sep = "")
  cat(sprintf("Conditional estimate (%s): %s\n", x$chosen, format_num(x$estimate, digits)))
  invisible(x)
}

#' Fail-safe N
#'
#' The number of unpublished null studies that would bring the result to a
#' given threshold: Rosenthal's (Stouffer's combined z to the one-sided `alpha`
#' critical value), Orwin's (the unweighted... here inverse-variance weighted
#' mean effect to `target`, default half the observed) and Rosenberg's (the
#' fixed-effect z-test to two-sided `alpha`), as metafor's `fsn()`.
#'
#' @param fit An intercept-only [metapool()] fit.
#' @param type `"Rosenthal"`, `"Orwin"` or `"Rosenberg"`.
#' @param alpha Significance level (Rosenthal, Rosenberg).
#' @param target For Orwin: the effect to reach (default: half the
#'   inverse-variance weighted mean).
#' @return An `mp_fsn` object: a list with `type`, `fsn` (the fail-safe N),
#'   `p` (of the observed combined test; NA for Orwin), `estimate` and `target`
#'   (Orwin).
#' @references Rosenthal R (1979). The file drawer problem and tolerance for null
#'   results. *Psychological Bulletin*, 86, 638-641.
#'
#'   Orwin RG (1983). A fail-safe N for effect size in meta-analysis. *Journal
#'   of Educational Statistics*, 8, 157-159.
#'
#'   Rosenberg MS (2005). The file-drawer problem revisited. *Evolution*, 59,
#'   464-468.
#' @examples
#' es <- es_rr(tpos, tpos + tneg, cpos, cpos + cneg, data = bcg)
#' fail_safe_n(metapool(es))
#' fail_safe_n(metapool(es), type = "Orwin")
#' @export
fail_safe_n <- function(fit, type = c("Rosenthal", "Orwin", "Rosenberg"), alpha = 0.05,
                        target = NULL) {
  if (!inherits(fit, "metapool") || inherits(fit, "metapool_reg") || !is.null(fit$subgroups)) {
    abort_input("`fit` must be a metapool() fit without moderators or subgroups.", "fit")
  }
  type <- chk_choice(type[1L], c("Rosenthal", "Orwin", "Rosenberg"), "type")
  if (!is.numeric(alpha) || length(alpha) != 1L || is.na(alpha) || alpha <= 0 || alpha >= 1) {
    abort_input("`alpha` must be a number between 0 and 1.", "alpha")
  }
  yi <- fit$yi
  vi <- fit$vi
  k <- length(yi)
  wi <- 1 / vi
  est <- sum(wi * yi) / sum(wi)
  p <- NA_real_
  if (type == "Rosenthal") {
    z <- abs(sum(yi / sqrt(vi)) / sqrt(k))
    p <- stats::pnorm(z, lower.tail = FALSE)
    n <- max(0, k * (z / stats::qnorm(alpha, lower.tail = FALSE))^2 - k)
  } else if (type == "Orwin") {
    target <- target %||% (est / 2)
    if (!is.numeric(target) || length(target) != 1L || is.na(target)) abort_input("`target` must be a single number.", "target")
    if (target == 0) {
      n <- Inf
    } else {
      if (sign(target) != sign(est)) target <- -target
      n <- max(0, k * (est - target) / target)
    }
  } else {
    z <- est / sqrt(1 / sum(wi))
    p <- 2 * stats::pnorm(abs(z), lower.tail = FALSE)
    n <- max(0, ((sum(wi * yi) / stats::qnorm(alpha / 2, lower.tail = FALSE))^2 - sum(wi)) / mean(wi))
  }
  n <- if (is.finite(n) && abs(n - round(n)) >= sqrt(.Machine$double.eps)) ceiling(n) else round(n)
  structure(list(type = type, fsn = n, p = p, alpha = alpha, estimate = est,
                 target = if (type == "Orwin") target else NA_real_, k = k), class = "mp_fsn")
}

#' @export
print.mp_fsn <- function(x, ...) {
  cat(sprintf("Fail-safe N (%s): %s\n", x$type, format(x$fsn)))
  if (x$type == "Orwin") {
    cat(sprintf("Observed weighted mean effect %s; target %s\n", format_num(x$estimate, 4), format_num(x$target, 4)))
  } else {
    cat(sprintf("Observed %s (alpha = %s)\n", p_text(x$p), format(x$alpha)))
  }
  invisible(x)
}
