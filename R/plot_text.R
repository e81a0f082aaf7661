# RevMan 5's text conventions for plots: numbers, effects with their intervals,
# P values, and the heterogeneity, overall-effect and subgroup lines.

# The superscript two, or "^2" where the session cannot represent it.
sup2 <- function() {
  if (isTRUE(l10n_info()[["UTF-8"]]) || isTRUE(l10n_info()[["Latin-1"]])) "\u00b2" else "^2"
}

# P as RevMan shows it: two significant digits, floor "P < 0.00001". Every P value
# a plot shows is written by this function.
p_revman <- function(p) {
  if (is.na(p)) return("P = NA")
  if (p < 1e-5) return("P < 0.00001")
  if (p >= 0.995) return("P = 1.00")
  paste("P =", formatC(signif(p, 2), digits = 2, format = "fg", flag = "#"))
}

fmt_fixed <- function(x, digits) {
  out <- formatC(x, digits = digits, format = "f")
  out <- sub("^-(0\\.?0*)$", "\\1", out)
  out[!is.finite(x)] <- ""
  out
}

# Effect and interval as "-0.65 [-0.91, -0.39]" on the scale shown.
fmt_effect <- function(est, lb, ub, digits, back) {
  out <- sprintf("%s [%s, %s]", fmt_fixed(back(est), digits), fmt_fixed(back(lb), digits),
                 fmt_fixed(back(ub), digits))
  out[!is.finite(est)] <- "Not estimable"
  out
}

# Decimals needed to show every value of a column exactly, up to `cap`: RevMan shows
# each column (means, SDs, totals) with one number of decimals.
column_decimals <- function(x, cap = 3L) {
  x <- x[is.finite(x)]
  for (d in seq.int(0L, cap)) {
    if (all(abs(x - round(x, d)) <= 1e-8 * pmax(1, abs(x)))) return(d)
  }
  as.integer(cap)
}

# Numbers of one column with one number of decimals; blank where missing.
fmt_column <- function(x, decimals = column_decimals(x)) {
  out <- formatC(as.numeric(x), digits = decimals, format = "f")
  out[!is.finite(x)] <- ""
  out
}

heterogeneity_text <- function(fit, digits) {
  if (!is.finite(fit$Q) || fit$k < 2) return("Heterogeneity: Not applicable")
  sq <- sup2()
  tau <- if (!identical(fit$method, "FE") && is.finite(fit$tau2)) {
    sprintf("Tau%s = %s; ", sq, fmt_fixed(fit$tau2, digits))
  } else {
    ""
  }
  sprintf("Heterogeneity: %sChi%s = %s, df = %g (%s); I%s = %.0f%%", tau, sq,
          fmt_fixed(fit$Q, 2), fit$Q_df, p_revman(fit$Q_p), sq, fit$I2)
}

overall_effect_text <- function(fit) {
  if (!is.finite(fit$stat)) return("Test for overall effect: Not applicable")
  sprintf("Test for overall effect: %s = %s (%s)", if (identical(fit$ci_method, "z")) "Z" else "t",
          fmt_fixed(abs(fit$stat), 2), p_revman(fit$p))
}

subgroup_test_text <- function(test) {
  if (is.null(test) || !is.finite(test$Q)) return("Test for subgroup differences: Not applicable")
  sq <- sup2()
  sprintf("Test for subgroup differences: Chi%s = %s, df = %g (%s), I%s = %.1f%%", sq,
          fmt_fixed(test$Q, 2), test$df, p_revman(test$p), sq, test$I2)
}

effect_heading <- function(measure, mh_method = NULL) {
  if (identical(mh_method, "Peto")) return("Peto Odds Ratio")
  switch(measure, SMD = "Std. Mean Difference", MD = "Mean Difference", RR = "Risk Ratio",
         OR = "Odds Ratio", RD = "Risk Difference", HR = "Hazard Ratio", generic = "Effect", measure)
}

method_heading <- function(fit) {
  level <- sprintf("%g%% CI", 100 * fit$level)
  if (inherits(fit, "metapool_mh")) {
    if (fit$mh_method == "Peto") return(paste0("Peto, Fixed, ", level))
    return(sprintf("M-H, %s, %s", if (fit$model == "fixed") "Fixed" else "Random", level))
  }
  if (fit$method == "FE") return(paste0("IV, Fixed, ", level))
  if (fit$method == "DL") return(paste0("IV, Random, ", level))
  sprintf("IV, Random (%s), %s", fit$method, level)
}


# Figures from synthetic data say so in their title.
synthetic_title <- function(title, synthetic) {
  if (!synthetic) return(title)
  if (is.null(title)) "Synthetic data" else paste0(title, " (synthetic data)")
}
