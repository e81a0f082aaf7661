# Methods for metapool fits.

measure_title <- function(measure) {
  if (measure == "generic") return("generic inverse-variance effect")
  label <- tolower(measure_labels[[measure]])
  if (is_ratio_measure(measure)) paste(label, "(pooled on the log scale)") else label
}

model_title <- function(x) {
  if (inherits(x, "metapool_mh")) {
    if (x$mh_method == "Peto") return("Peto fixed-effect meta-analysis")
    if (x$model == "fixed") return("Mantel-Haenszel fixed-effect meta-analysis")
    return("Mantel-Haenszel random-effects meta-analysis (RevMan 5: DerSimonian-Laird tau^2 from the M-H Q)")
  }
  if (x$method == "FE") return("Common-effect (fixed-effect) meta-analysis")
  if (x$method == "fixed") {
    return(sprintf("Random-effects meta-analysis (tau^2 fixed at %s)", format_num(x$tau2, 4)))
  }
  sprintf("Random-effects meta-analysis (%s)", method_labels[[x$method]])
}

ci_method_label <- c(z = "Wald (z)", t = "t", hksj = "Hartung-Knapp-Sidik-Jonkman",
                     hksj_adhoc = "Hartung-Knapp-Sidik-Jonkman (ad hoc, never narrower than Wald)")

# How the prediction interval is computed, in words (metafor's predtype in brackets).
pi_method_label <- function(pi_method, k = NULL) {
  label <- switch(pi_method, t_k2 = "t on k - 2 df (Higgins et al. 2009; metafor's predtype \"Riley\")",
                  t_k1 = "t on k - 1 df (metafor's default with t-based tests)",
                  z = "normal quantile (metafor's default with z tests)")
  if (!is.null(k) && pi_method == "t_k2" && k < 3) label <- paste0(label, "; not defined for k < 3")
  label
}

preset_label <- c(metafor = "metafor (metafor's defaults)",
                  revman5 = "revman5 (Review Manager 5's methods)")

# The kind of fit in words, for messages.
fit_kind_label <- function(fit) {
  if (!is.null(fit$subgroups)) return("a fit with subgroups")
  if (inherits(fit, "metapool_mh")) {
    return(if (fit$mh_method == "Peto") "a Peto fit" else "a Mantel-Haenszel fit")
  }
  switch(fit$settings$engine %||% "iv",
         metareg = "a meta-regression", bayes = "a Bayesian fit", "an inverse-variance fit")
}

# "p = 0.0123" or "p < 0.0001": the console's one convention (RevMan's "P < 0.00001"
# is the plots').
p_text <- function(p) {
  ifelse(!is.na(p) & p < 1e-4, "p < 0.0001", paste("p =", format_p(p)))
}

format_p <- function(p) {
  ifelse(is.na(p), "NA", ifelse(p < 1e-4, "<0.0001", formatC(p, digits = 4, format = "f")))
}

# Study labels for messages: default labels are row numbers, so say so.
study_names <- function(slab) {
  if (is.numeric(slab)) paste("study in row", slab) else as.character(slab)
}

# One row per estimate: each subgroup, then the overall fit.
estimate_rows <- function(x, back_transform = FALSE) {
  fits <- c(x$subgroups, list(Overall = x))
  f <- if (back_transform) back_transform_fun(x$measure) else identity
  row <- function(name, fit) {
    data.frame(
      subgroup = name, k = fit$k, estimate = f(fit$estimate), se = fit$se,
      ci_lb = f(fit$ci_lb), ci_ub = f(fit$ci_ub), pi_lb = f(fit$pi_lb), pi_ub = f(fit$pi_ub),
      stat = fit$stat, p = fit$p, tau2 = fit$tau2, I2 = fit$I2, Q = fit$Q, Q_df = fit$Q_df,
      Q_p = fit$Q_p, stringsAsFactors = FALSE
    )
  }
  out <- do.call(rbind, Map(row, names(fits), fits))
  rownames(out) <- NULL
  out[] <- lapply(out, function(v) if (is.double(v)) replace(v, is.nan(v), NA_real_) else v)
  out
}

#' Methods for metapool fits
#'
#' Printing, summaries, coefficients, intervals, predictions and tidy output for
#' fits from [metapool()] and [metapool_mh()].
#'
#' @param x,object A `metapool` fit.
#' @param digits Number of decimal places.
#' @param parm Ignored (all parameters are returned).
#' @param level Confidence level; by default the fit's own. A different level
#'   refits the model at that level.
#' @param tau2 For `predict()`: a tau^2 value to predict with instead of the
#'   estimate (the model is refitted with tau^2 fixed).
#' @param subgroup For `predict()`: the name of a subgroup to predict for.
#' @param transf Optional function applied to the estimate and interval limits
#'   (instead of the back-transformation).
#' @param back_transform Logical: for ratio measures, exponentiate (default).
#' @param type For `residuals()`: `"raw"` (yi - estimate) or `"pearson"`
#'   ((yi - estimate) / sqrt(vi + tau^2)).
#' @param row.names,optional Ignored.
#' @param conf.int,conf.level,exponentiate As in the broom conventions.
#' @param ... Unused.
#' @return `print()` returns `x` invisibly; `summary()` a `summary.metapool`
#'   object; `coef()` the pooled estimate (analysis scale); `vcov()` its 1x1
#'   variance matrix; `confint()` a data frame with rows `estimate`, `tau^2`,
#'   `tau`, `I^2(%)`, `H^2` and columns `estimate`, `ci_lb`, `ci_ub` (analysis
#'   scale); `predict()` a data frame with `pred`, `se`, `ci_lb`, `ci_ub`,
#'   `pi_lb`, `pi_ub`; `as.data.frame()` one row per estimate (subgroups, then
#'   overall); `weights()` percentage weights; `nobs()` the number of studies;
#'   `residuals()` a named vector; `tidy()` and `glance()` data frames following
#'   the broom conventions.
#' @name metapool-methods
#' @examples
#' fit <- metapool(es_smd(m1, sd1, n1, m2, sd2, n2, data = normand1999, slab = source),
#'                 method = "DL")
#' print(fit)
#' summary(fit)
#' coef(fit); vcov(fit); nobs(fit)
#' confint(fit)
#' confint(fit, level = 90)
#' predict(fit)
#' predict(fit, tau2 = 0)
#' weights(fit)
#' residuals(fit, type = "pearson")
#' as.data.frame(fit)
NULL

#' @rdname metapool-methods
#' @export
print.metapool <- function(x, digits = 4, ...) {
  cat(model_title(x), ", k = ", x$k, "\n", sep = "")
  if (isTRUE(x$synthetic)) cat("Synthetic data (a stand-in, not trial data)\n")
  cat("Measure: ", measure_title(x$measure), "; ", 100 * x$level, "% CI: ",
      ci_method_label[[x$ci_method]], "\n", sep = "")
  if (x$method != "FE") {
    cat("Prediction interval: ", pi_method_label(x$pi_method, x$k), "\n", sep = "")
  }
  if (!is.null(x$settings$preset)) cat("Preset: ", preset_label[[x$settings$preset]], "\n", sep = "")
  if (length(x$not_estimable)) {
    cat("Not estimable (excluded): ", paste(study_names(x$not_estimable), collapse = ", "), "\n",
        sep = "")
  }
  if (length(x$omitted)) {
    cat(sprintf("Omitted for missing values (na.action = \"na.%s\"): %s\n", x$na_action,
                paste(sprintf("%s (row %d)", x$omitted_slab, x$omitted), collapse = ", ")))
  }
  cat("\n")
  if (x$k == 0L || is.na(x$estimate)) {
    cat(if (x$k == 0L) "No study is estimable: there is no pooled estimate.\n" else
      "The pooled estimate is not defined (no events in one group across all studies).\n")
    return(invisible(x))
  }
  rows <- estimate_rows(x, back_transform = TRUE)
  ratio <- is_ratio_measure(x$measure)
  shown <- data.frame(
    k = rows$k,
    estimate = format_num(rows$estimate, digits),
    ci = sprintf("[%s, %s]", format_num(rows$ci_lb, digits), format_num(rows$ci_ub, digits)),
    pi = ifelse(is.na(rows$pi_lb), "-",
                sprintf("[%s, %s]", format_num(rows$pi_lb, digits), format_num(rows$pi_ub, digits))),
    se = format_num(rows$se, digits),
    stat = formatC(rows$stat, digits = 2, format = "f"),
    p = format_p(rows$p),
    stringsAsFactors = FALSE
  )
  names(shown) <- c("k", if (x$measure == "generic") "estimate" else x$measure,
                    sprintf("%g%% CI", 100 * x$level), sprintf("%g%% PI", 100 * x$level),
                    if (ratio) sprintf("SE(log %s)", x$measure) else "SE",
                    if (x$ci_method == "z") "z" else "t", "p")
  # Per-subgroup prediction intervals are in as.data.frame(): the subgroup table keeps to
  # the columns RevMan shows, plus the SE.
  if (x$method == "FE" || !is.null(x$subgroups)) shown[[4L]] <- NULL
  if (!is.null(x$subgroups)) shown <- cbind(subgroup = rows$subgroup, shown, stringsAsFactors = FALSE)
  print(shown, row.names = FALSE, right = TRUE)
  if (!is.null(x$subgroups) && x$method != "FE") {
    cat(sprintf("Overall %g%% PI: %s\n", 100 * x$level, if (is.na(rows$pi_lb[nrow(rows)])) "-" else
      sprintf("[%s, %s]", format_num(rows$pi_lb[nrow(rows)], digits), format_num(rows$pi_ub[nrow(rows)], digits))))
  }
  if (ratio) {
    cat(sprintf("Pooled on the log scale: log %s = %s (SE %s)\n", x$measure,
                format_num(x$estimate, digits), format_num(x$se, digits)))
  }
  if (!is.null(x$subgroups)) {
    cat("\nHeterogeneity within subgroups:\n")
    within <- data.frame(subgroup = rows$subgroup, Q = formatC(rows$Q, digits = 2, format = "f"),
                         df = rows$Q_df, p = format_p(rows$Q_p),
                         I2 = ifelse(is.na(rows$I2), "NA", sprintf("%.1f%%", rows$I2)),
                         stringsAsFactors = FALSE)
    if (x$method != "FE") within$tau2 <- format_num(rows$tau2, digits)
    print(within[-nrow(within), , drop = FALSE], row.names = FALSE, right = TRUE)
  }
  cat("\n")
  print_heterogeneity(x, digits)
  if (!is.null(x$tests)) {
    t <- x$tests
    cat(sprintf("Cochran-Mantel-Haenszel test: CMH = %.2f, df = 1, %s\n", t$cmh, p_text(t$cmh_p)))
    if (!is.na(t$tarone)) {
      cat(sprintf("Tarone's test for heterogeneity: X^2 = %.2f, df = %g, %s\n", t$tarone,
                  t$tarone_df, p_text(t$tarone_p)))
    }
  }
  if (!is.null(x$subgroup_test)) {
    t <- x$subgroup_test
    cat(sprintf("Test for subgroup differences: Chi^2 = %.2f, df = %g (%s), I^2 = %.1f%%%s\n",
                t$Q, t$df, p_text(t$p), t$I2,
                if (isTRUE(x$common_tau2)) " (common tau^2)" else ""))
  }
  invisible(x)
}

print_heterogeneity <- function(x, digits) {
  ci <- function(lb, ub, pct = FALSE) {
    if (is.na(lb)) return("")
    if (pct) sprintf(" [%.1f%%, %.1f%%]", lb, ub) else
      sprintf(" [%s, %s]", format_num(lb, digits), format_num(ub, digits))
  }
  if (x$method != "FE") {
    cat(sprintf("tau^2 = %s%s; tau = %s%s\n", format_num(x$tau2, digits), ci(x$tau2_lb, x$tau2_ub),
                format_num(x$tau, digits), ci(x$tau_lb, x$tau_ub)))
  }
  if (is.na(x$Q_p)) {
    cat(sprintf("Heterogeneity: not assessable with %d %s (Q = %.2f, df = %g)\n", x$k,
                if (x$k == 1L) "study" else "studies", x$Q, x$Q_df))
    return(invisible())
  }
  cat(sprintf("I^2 = %.1f%%%s; H^2 = %s%s\n", x$I2, ci(x$I2_lb, x$I2_ub, TRUE),
              formatC(x$H2, digits = 2, format = "f"),
              if (is.na(x$H2_lb)) "" else sprintf(" [%.2f, %.2f]", x$H2_lb, x$H2_ub)))
  cat(sprintf("Heterogeneity: Q = %.2f, df = %g, %s\n", x$Q, x$Q_df, p_text(x$Q_p)))
}

#' @rdname metapool-methods
#' @export
summary.metapool <- function(object, ...) {
  f <- back_transform_fun(object$measure)
  crit <- stats::qnorm(1 - (1 - object$level) / 2)
  study_table <- function(fit, group = NULL) {
    if (!fit$k) return(NULL)
    data.frame(
      subgroup = group %||% rep(NA_character_, fit$k),
      study = fit$slab, yi = fit$yi, se = sqrt(fit$vi),
      estimate = f(fit$yi), ci_lb = f(fit$yi - crit * sqrt(fit$vi)),
      ci_ub = f(fit$yi + crit * sqrt(fit$vi)), weight = 100 * fit$weights,
      stringsAsFactors = FALSE
    )
  }
  studies <- if (is.null(object$subgroups)) study_table(object) else
    do.call(rbind, Map(function(g, fit) study_table(fit, rep(g, fit$k)),
                       names(object$subgroups), object$subgroups))
  if (!is.null(studies)) rownames(studies) <- NULL
  if (is.null(object$subgroups) && !is.null(studies)) studies$subgroup <- NULL
  structure(list(fit = object, studies = studies), class = "summary.metapool")
}

#' @rdname metapool-methods
#' @export
print.summary.metapool <- function(x, digits = 4, ...) {
  fit <- x$fit
  s <- x$studies
  if (!is.null(s)) {
    shown <- data.frame(
      study = as.character(s$study), estimate = format_num(s$estimate, digits),
      ci = sprintf("[%s, %s]", format_num(s$ci_lb, digits), format_num(s$ci_ub, digits)),
      weight = sprintf("%.1f%%", s$weight), stringsAsFactors = FALSE
    )
    names(shown)[3] <- sprintf("%g%% CI", 100 * fit$level)
    if (is.null(s$subgroup)) {
      print(shown, row.names = FALSE, right = TRUE)
    } else {
      # Weights within each subgroup, as RevMan lists them.
      for (g in unique(s$subgroup)) {
        cat(g, "\n", sep = "")
        print(shown[s$subgroup == g, , drop = FALSE], row.names = FALSE, right = TRUE)
        cat("\n")
      }
    }
    cat("\n")
  }
  print(fit, digits = digits)
  details <- character(0)
  if (!is.na(fit$tau2_se)) details <- c(details, sprintf("SE(tau^2) = %s", format_num(fit$tau2_se, digits)))
  if (fit$iterations > 0) {
    details <- c(details, sprintf("tau^2 %s after %d iterations", switch(
      fit$tau2_status, converged = "converged", bracketed = "found by bracketing",
      boundary = "set to the boundary 0", fallback_dl = "not found; DerSimonian-Laird used",
      fit$tau2_status), fit$iterations))
  }
  if (fit$ci_method %in% c("hksj", "hksj_adhoc")) {
    details <- c(details, sprintf("HKSJ scale factor s^2 = %s", format_num(fit$s2w, digits)))
  }
  if (!is.na(fit$tau2_lb)) {
    details <- c(details, sprintf("tau^2 interval: %s", if (fit$tau2_ci == "PL") "profile likelihood" else "Q-profile"))
  }
  if (length(details)) cat(paste(details, collapse = "; "), "\n", sep = "")
  invisible(x)
}

#' @rdname metapool-methods
#' @export
coef.metapool <- function(object, ...) c(estimate = object$estimate)

#' @rdname metapool-methods
#' @export
vcov.metapool <- function(object, ...) {
  matrix(object$se^2, 1, 1, dimnames = list("estimate", "estimate"))
}

#' @rdname metapool-methods
#' @export
nobs.metapool <- function(object, ...) object$k

#' @rdname metapool-methods
#' @export
weights.metapool <- function(object, ...) pad_excluded(100 * object$weights, object)

#' @rdname metapool-methods
#' @export
residuals.metapool <- function(object, type = c("raw", "pearson"), ...) {
  type <- chk_choice(type[1L], c("raw", "pearson"), "type")
  r <- object$yi - object$estimate
  if (type == "pearson") r <- r / sqrt(object$vi + object$tau2)
  pad_excluded(stats::setNames(r, object$slab), object)
}

# With na.action = "na.exclude", per-study results get an NA for each study
# dropped for missing values, in the input order.
pad_excluded <- function(x, fit) {
  if (!identical(fit$na_action, "exclude") || !length(fit$omitted) || is.null(fit$rows)) return(x)
  out <- rep(NA_real_, fit$n_input)
  names(out) <- rep("", fit$n_input)
  out[fit$rows] <- x
  names(out)[fit$rows] <- names(x)
  names(out)[fit$omitted] <- fit$omitted_slab
  out[sort(c(fit$rows, fit$omitted))]
}

#' @rdname metapool-methods
#' @export
confint.metapool <- function(object, parm, level = NULL, transf = NULL, back_transform = TRUE,
                             ...) {
  x <- at_level(object, level)
  f <- effect_transform(x$measure, transf, back_transform)
  data.frame(
    estimate = c(f(x$estimate), x$tau2, x$tau, x$I2, x$H2),
    ci_lb = c(f(x$ci_lb), x$tau2_lb, x$tau_lb, x$I2_lb, x$H2_lb),
    ci_ub = c(f(x$ci_ub), x$tau2_ub, x$tau_ub, x$I2_ub, x$H2_ub),
    row.names = c("estimate", "tau^2", "tau", "I^2(%)", "H^2")
  )
}

# The function applied to effects on the way out: `transf` if given, else the
# back-transformation of ratio measures (or none).
effect_transform <- function(measure, transf, back_transform) {
  if (!is.null(transf)) return(match.fun(transf))
  if (isTRUE(back_transform)) back_transform_fun(measure) else identity
}

#' @rdname metapool-methods
#' @export
predict.metapool <- function(object, level = NULL, tau2 = NULL, subgroup = NULL,
                             transf = NULL, back_transform = TRUE, ...) {
  if (!is.null(subgroup)) {
    if (is.null(object$subgroups) || !subgroup %in% names(object$subgroups)) {
      abort_input(sprintf("`subgroup` must be one of the fit's subgroups%s.",
                          if (is.null(object$subgroups)) " (the fit has none)" else
                            paste0(": ", paste0("\"", names(object$subgroups), "\"", collapse = ", "))),
                  "subgroup")
    }
  }
  if (!is.null(tau2)) {
    if (!"tau2" %in% names(formals(fit_engine(object$settings)$settings))) {
      abort_not_defined("Prediction with a given `tau2`", object)
    }
    object <- stats::update(object, tau2 = tau2)
  }
  object <- at_level(object, level)
  if (!is.null(subgroup)) object <- object$subgroups[[subgroup]]
  f <- effect_transform(object$measure, transf, back_transform)
  out <- data.frame(pred = f(object$estimate), se = object$se, ci_lb = f(object$ci_lb),
                    ci_ub = f(object$ci_ub), pi_lb = f(object$pi_lb), pi_ub = f(object$pi_ub))
  out[] <- lapply(out, function(v) replace(v, is.nan(v), NA_real_))
  structure(out, pi_method = object$pi_method)
}

#' @rdname metapool-methods
#' @export
as.data.frame.metapool <- function(x, row.names = NULL, optional = FALSE,
                                   back_transform = FALSE, ...) {
  estimate_rows(x, back_transform = back_transform)
}

#' @rdname metapool-methods
#' @exportS3Method generics::tidy
tidy.metapool <- function(x, conf.int = TRUE, conf.level = NULL, exponentiate = FALSE, ...) {
  x <- at_level(x, conf.level)
  rows <- estimate_rows(x, back_transform = exponentiate)
  out <- data.frame(term = rows$subgroup, estimate = rows$estimate, std.error = rows$se,
                    statistic = rows$stat, p.value = rows$p, stringsAsFactors = FALSE)
  if (conf.int) {
    out$conf.low <- rows$ci_lb
    out$conf.high <- rows$ci_ub
  }
  out
}

#' @rdname metapool-methods
#' @exportS3Method generics::glance
glance.metapool <- function(x, ...) {
  data.frame(nobs = x$k, method = x$method, tau2 = x$tau2, I2 = x$I2, H2 = x$H2, Q = x$Q,
             Q_df = x$Q_df, Q_p = x$Q_p, converged = x$converged,
             subgroup_Q = if (is.null(x$subgroup_test)) NA_real_ else x$subgroup_test$Q,
             subgroup_p = if (is.null(x$subgroup_test)) NA_real_ else x$subgroup_test$p)
}
