# Methods for metapool fits.

back_transform_fun <- function(measure) if (is_ratio_measure(measure)) exp else identity

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

# "p = 0.0123" or "p < 0.0001".
p_text <- function(p) {
  ifelse(!is.na(p) & p < 1e-4, "p < 0.0001", paste("p =", format_p(p)))
}

format_p <- function(p) {
  ifelse(is.na(p), "NA", ifelse(p < 1e-4, "<0.0001", formatC(p, digits = 4, format = "f")))
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
  cat("Measure: ", measure_title(x$measure), "; ", 100 * x$level, "% CI: ",
      ci_method_label[[x$ci_method]], "\n", sep = "")
  if (length(x$not_estimable)) {
    cat("Not estimable (excluded): ", paste(x$not_estimable, collapse = ", "), "\n", sep = "")
  }
  if (length(x$omitted)) {
    cat(sprintf("Omitted for missing values (na.action = \"na.%s\"): %s\n", x$na_action,
                paste(sprintf("%s (row %d)", x$omitted_slab, x$omitted), collapse = ", ")))
  }
  cat("\n")
  rows <- estimate_rows(x, back_transform = TRUE)
  shown <- data.frame(
    k = rows$k,
    estimate = format_num(rows$estimate, digits),
    ci = sprintf("[%s, %s]", format_num(rows$ci_lb, digits), format_num(rows$ci_ub, digits)),
    pi = ifelse(is.na(rows$pi_lb), "",
                sprintf("[%s, %s]", format_num(rows$pi_lb, digits), format_num(rows$pi_ub, digits))),
    stat = formatC(rows$stat, digits = 2, format = "f"),
    p = format_p(rows$p),
    stringsAsFactors = FALSE
  )
  names(shown) <- c("k", if (x$measure == "generic") "estimate" else x$measure,
                    sprintf("%g%% CI", 100 * x$level), sprintf("%g%% PI", 100 * x$level),
                    if (x$ci_method == "z") "z" else "t", "p")
  if (!is.null(x$subgroups)) {
    # Per-subgroup prediction intervals are in as.data.frame(); the table keeps to the
    # columns RevMan shows.
    shown <- cbind(subgroup = rows$subgroup, shown[-4L], stringsAsFactors = FALSE)
    shown$tau2 <- format_num(rows$tau2, digits)
    shown$I2 <- sprintf("%.1f%%", rows$I2)
  }
  print(shown, row.names = FALSE, right = TRUE)
  cat("\n")
  print_heterogeneity(x, digits)
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
  studies <- data.frame(
    study = object$slab, yi = object$yi, se = sqrt(object$vi),
    estimate = f(object$yi), ci_lb = f(object$yi - crit * sqrt(object$vi)),
    ci_ub = f(object$yi + crit * sqrt(object$vi)), weight = 100 * object$weights,
    stringsAsFactors = FALSE
  )
  structure(list(fit = object, studies = studies), class = "summary.metapool")
}

#' @rdname metapool-methods
#' @export
print.summary.metapool <- function(x, digits = 4, ...) {
  fit <- x$fit
  s <- x$studies
  shown <- data.frame(
    study = as.character(s$study), estimate = format_num(s$estimate, digits),
    ci = sprintf("[%s, %s]", format_num(s$ci_lb, digits), format_num(s$ci_ub, digits)),
    weight = sprintf("%.1f%%", s$weight), stringsAsFactors = FALSE
  )
  names(shown)[3] <- sprintf("%g%% CI", 100 * fit$level)
  print(shown, row.names = FALSE, right = TRUE)
  cat("\n")
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

# Refit with the same data and settings, changing some of them.
refit <- function(object, ...) {
  settings <- object$settings
  changes <- list(...)
  settings[names(changes)] <- changes
  studies <- list(yi = object$yi, vi = object$vi, slab = object$slab, omitted = object$omitted,
                  not_estimable = object$not_estimable)
  new_metapool(run_engine(object$yi, object$vi, settings), studies, settings, object$measure)
}

#' @rdname metapool-methods
#' @export
confint.metapool <- function(object, parm, level = NULL, ...) {
  if (!is.null(level)) {
    level <- chk_level(level)
    if (!isTRUE(all.equal(level, object$level))) object <- refit(object, level = level)
  }
  x <- object
  data.frame(
    estimate = c(x$estimate, x$tau2, x$tau, x$I2, x$H2),
    ci_lb = c(x$ci_lb, x$tau2_lb, x$tau_lb, x$I2_lb, x$H2_lb),
    ci_ub = c(x$ci_ub, x$tau2_ub, x$tau_ub, x$I2_ub, x$H2_ub),
    row.names = c("estimate", "tau^2", "tau", "I^2(%)", "H^2")
  )
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
    object <- object$subgroups[[subgroup]]
  }
  changes <- list()
  if (!is.null(level)) changes$level <- chk_level(level)
  if (!is.null(tau2)) {
    if (!is.numeric(tau2) || length(tau2) != 1L || is.na(tau2) || tau2 < 0) {
      abort_input("`tau2` must be a single non-negative number.", "tau2")
    }
    changes$method <- "fixed"
    changes$tau2_fixed <- tau2
  }
  if (length(changes)) object <- do.call(refit, c(list(object), changes))
  f <- if (!is.null(transf)) match.fun(transf) else if (back_transform) back_transform_fun(object$measure) else identity
  data.frame(pred = f(object$estimate), se = object$se, ci_lb = f(object$ci_lb),
             ci_ub = f(object$ci_ub), pi_lb = f(object$pi_lb), pi_ub = f(object$pi_ub))
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
  if (!is.null(conf.level) && !isTRUE(all.equal(chk_level(conf.level), x$level))) {
    x <- refit_all(x, chk_level(conf.level))
  }
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

refit_all <- function(x, level) {
  out <- refit(x, level = level)
  if (!is.null(x$subgroups)) {
    out$subgroups <- lapply(x$subgroups, refit, level = level)
    out$subgroup_test <- x$subgroup_test
  }
  out
}
