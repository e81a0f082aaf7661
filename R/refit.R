# Engines that refit one meta-analysis many times: GOSH, leave-one-out, cumulative,
# influence diagnostics, permutation test and bootstrap. Random numbers are drawn here,
# in R, so results are reproducible under set.seed() whatever the number of threads.

#' GOSH: the fit on every subset of studies
#'
#' Refits a meta-analysis on all 2^k - 1 non-empty subsets of its studies (for
#' k up to 20), or on `subsets` random subsets, and returns the estimate and
#' heterogeneity of each (Olkin, Dahabreh & Trikalinos 2012). The plot shows the
#' estimate against I^2 with the marginal densities.
#'
#' All subsets are listed as metafor's `gosh()` lists them: by size, and within
#' a size in the order of `expand.grid()`. Random subsets follow metafor's
#' sampling: a size m is drawn with probability proportional to
#' `dbinom(m, k, 0.5)`, then m studies at random.
#'
#' @param fit A [metapool()] fit (without subgroups).
#' @param subsets `NULL` (all subsets if k <= 20, else 10^6 random ones) or a
#'   number of random subsets.
#' @inheritParams metapool_batch
#' @return An `mp_gosh` object: a data frame with one row per subset (`k`,
#'   `estimate`, `tau2`, `I2`, `H2`, `Q`) and the subsets as bit masks in
#'   attribute `masks` (bit j - 1 set when study j is included); `plot()` draws
#'   it, `gosh_included()` decodes the masks.
#' @references Olkin I, Dahabreh IJ, Trikalinos TA (2012). GOSH - a graphical
#'   display of study heterogeneity. *Research Synthesis Methods*, 3, 214-223.
#' @examples
#' fit <- metapool(es_smd(m1, sd1, n1, m2, sd2, n2, data = normand1999, slab = source))
#' g <- metapool_gosh(fit)
#' head(g)
#' plot(g)
#' @export
metapool_gosh <- function(fit, subsets = NULL, threads = 1L, progress = interactive()) {
  fit <- chk_refittable(fit)
  k <- fit$k
  all <- is.null(subsets) && k <= 20
  if (!all && k > 52) {
    abort_input("GOSH with random subsets handles at most 52 studies.", "fit")
  }
  if (!is.null(subsets)) {
    if (!is.numeric(subsets) || length(subsets) != 1L || is.na(subsets) || subsets < 1) {
      abort_input("`subsets` must be NULL or a positive number of random subsets.", "subsets")
    }
    if (subsets >= 2^k - 1) all <- TRUE
  }
  masks <- if (all) {
    if (k > 30) abort_input("All subsets of more than 30 studies are too many; give `subsets`.", "subsets")
    seq_len(2^k - 1)
  } else {
    random_masks(k, as.integer(subsets %||% 1e6))
  }
  columns <- c("estimate", "tau2", "I2", "H2", "Q")
  opts <- engine_options(fit$settings, tau2_ci = "none", prediction = FALSE, weights = FALSE,
                         columns = columns)
  threads <- resolve_threads(threads)
  res <- if (future_active()) {
    run_future(lapply(piece_ranges(length(masks)), function(r) masks[r[1]:r[2]]), "subsets",
               opts, threads, progress, fixed = list(yi = fit$yi, vi = fit$vi))
  } else {
    cpp_pool_subsets(fit$yi, fit$vi, if (all) numeric(0) else masks, all, opts, threads,
                     isTRUE(progress))
  }
  out <- batch_frame(res, columns = c("k", columns))
  if (all) {
    # All subsets in metafor's order: by size, then as expand.grid() lists them.
    o <- order(out$k)
    out <- out[o, ]
    rownames(out) <- NULL
    masks <- masks[o]
  }
  structure(out, class = c("mp_gosh", "data.frame"), masks = as.numeric(masks),
            slab = fit$slab, measure = fit$measure, fit_estimate = fit$estimate)
}

random_masks <- function(k, n) {
  size <- sample(seq_len(k), n, replace = TRUE, prob = stats::dbinom(seq_len(k), k, 0.5))
  vapply(size, function(m) sum(2^(sample.int(k, m) - 1)), numeric(1))
}

#' @rdname metapool_gosh
#' @param x An `mp_gosh` object.
#' @export
gosh_included <- function(x) {
  if (!inherits(x, "mp_gosh")) {
    abort_input(sprintf("`x` must be the result of metapool_gosh(), not %s.", describe_type(x)), "x")
  }
  masks <- attr(x, "masks")
  k <- length(attr(x, "slab"))
  out <- vapply(seq_len(k), function(j) floor(masks / 2^(j - 1)) %% 2 == 1, logical(length(masks)))
  if (!is.matrix(out)) out <- matrix(out, nrow = length(masks))
  colnames(out) <- as.character(attr(x, "slab"))
  out
}

#' @rdname metapool_gosh
#' @param ... Graphical parameters for the scatter plot.
#' @export
plot.mp_gosh <- function(x, ...) {
  old <- graphics::par(no.readonly = TRUE)
  on.exit(graphics::par(old))
  graphics::layout(matrix(c(1, 0, 3, 2), 2, byrow = TRUE), widths = c(4, 1), heights = c(1, 4))
  est <- back_transform_fun(attr(x, "measure"))(x$estimate)
  ok <- is.finite(est) & is.finite(x$I2)
  graphics::par(mar = c(0, 4, 1, 0))
  d1 <- stats::density(est[ok])
  graphics::plot(d1, main = "", xlab = "", ylab = "", axes = FALSE, xlim = range(est[ok]))
  graphics::polygon(d1, col = "grey85", border = "grey40")
  graphics::par(mar = c(4, 0, 0, 1))
  d2 <- stats::density(x$I2[ok], from = 0, to = 100)
  graphics::plot(d2$y, d2$x, type = "l", axes = FALSE, xlab = "", ylab = "", ylim = c(0, 100))
  graphics::polygon(c(0, d2$y, 0), c(d2$x[1], d2$x, d2$x[length(d2$x)]), col = "grey85",
                    border = "grey40")
  graphics::par(mar = c(4, 4, 0, 0))
  graphics::plot(est[ok], x$I2[ok], pch = 19, cex = 0.4,
                 col = grDevices::adjustcolor("steelblue4", alpha.f = min(1, 50 / sum(ok) + 0.05)),
                 xlim = range(est[ok]), ylim = c(0, 100),
                 xlab = if (attr(x, "measure") == "generic") "Estimate" else attr(x, "measure"),
                 ylab = "I^2 (%)", log = if (attr(x, "measure") %in% c("RR", "OR")) "x" else "", ...)
  invisible(x)
}

#' Leave-one-out, cumulative and influence diagnostics
#'
#' `metapool_leave1out()` refits the model without each study in turn;
#' `metapool_cumulative()` adds the studies one at a time in a given order;
#' `metapool_influence()` computes case-deletion diagnostics as metafor's
#' `influence()`: studentised deleted residuals (`rstudent`), DFFITS, Cook's
#' distance, covariance ratios, tau^2 and Q with the study deleted, hat values,
#' weights and DFBETAS, with the same rule for flagging influential studies.
#'
#' @param fit A [metapool()] fit (without subgroups).
#' @param order For `metapool_cumulative()`: a vector to order the studies by
#'   (for example publication year); default the order of the fit.
#' @inheritParams metapool_batch
#' @return A data frame (class `mp_leave1out`, `mp_cumulative` or
#'   `mp_influence`) with one row per study and a `plot()` method. Estimates are
#'   on the analysis scale (log scale for ratios).
#' @examples
#' fit <- metapool(es_rr(tpos, tpos + tneg, cpos, cpos + cneg, data = bcg, slab = paste(author, year)))
#' metapool_leave1out(fit)
#' metapool_cumulative(fit, order = bcg$year)
#' inf <- metapool_influence(fit)
#' inf
#' plot(inf)
#' @name metapool_diagnostics
NULL

refit_columns <- c("k", "estimate", "se", "stat", "p", "ci_lb", "ci_ub", "Q", "Q_p", "tau2",
                   "I2", "H2")

#' @rdname metapool_diagnostics
#' @export
metapool_leave1out <- function(fit, threads = 1L) {
  fit <- chk_refittable(fit)
  if (fit$k < 2L) {
    abort_input("`fit` has one study; leaving one out needs at least 2 studies.", "fit")
  }
  res <- cpp_leave_one_out(fit$yi, fit$vi, engine_options(fit$settings, "none"),
                           resolve_threads(threads))
  out <- cbind(study = fit$slab, batch_frame(res, columns = refit_columns))
  new_refit_frame(out, fit, "mp_leave1out")
}

#' @rdname metapool_diagnostics
#' @export
metapool_cumulative <- function(fit, order = NULL, threads = 1L) {
  fit <- chk_refittable(fit)
  o <- if (is.null(order)) seq_len(fit$k) else {
    if (length(order) != fit$k) {
      abort_input(sprintf("`order` must have one value per study (%d).", fit$k), "order")
    }
    chk_condition(order, is.na(order), "order", "has missing values (each study needs a place)")
    base::order(order)
  }
  res <- cpp_cumulative(fit$yi, fit$vi, o - 1L, engine_options(fit$settings, "none"),
                        resolve_threads(threads))
  out <- cbind(study = fit$slab[o], batch_frame(res, columns = refit_columns))
  new_refit_frame(out, fit, "mp_cumulative")
}

#' @rdname metapool_diagnostics
#' @export
metapool_influence <- function(fit, threads = 1L) {
  fit <- chk_refittable(fit)
  res <- cpp_influence(fit$yi, fit$vi, engine_options(fit$settings, "none"),
                       resolve_threads(threads))
  k <- fit$k
  out <- data.frame(study = fit$slab, rstudent = res$rstudent, dffits = res$dffits,
                    cook_d = res$cook_d, cov_r = res$cov_r, tau2_del = res$tau2_del,
                    Q_del = res$Q_del, hat = res$hat, weight = res$weight, dfbetas = res$dfbetas,
                    stringsAsFactors = FALSE)
  # metafor's rule for flagging influential studies (p = 1 coefficient).
  out$influential <- abs(out$dffits) > 3 * sqrt(1 / (k - 1)) |
    stats::pchisq(out$cook_d, df = 1) > 0.5 | out$hat > 3 / k | abs(out$dfbetas) > 1
  out$influential[is.na(out$influential)] <- FALSE
  new_refit_frame(out, fit, "mp_influence")
}

new_refit_frame <- function(out, fit, class) {
  structure(out, class = c(class, "data.frame"), measure = fit$measure,
            fit_estimate = fit$estimate, level = fit$level)
}

#' @rdname metapool_diagnostics
#' @param x A diagnostics data frame.
#' @param ... Further graphical parameters.
#' @export
plot.mp_leave1out <- function(x, ...) {
  plot_refit(x, "Estimate with the study omitted", ...)
}

#' @rdname metapool_diagnostics
#' @export
plot.mp_cumulative <- function(x, ...) {
  plot_refit(x, "Cumulative estimate, adding studies in order", ...)
}

# Estimates and confidence intervals, one row per refit, with the full fit as a line.
plot_refit <- function(x, main, ...) {
  f <- back_transform_fun(attr(x, "measure"))
  k <- nrow(x)
  est <- f(x$estimate)
  lb <- f(x$ci_lb)
  ub <- f(x$ci_ub)
  old <- graphics::par(mar = c(4, max(4, 0.5 * max(nchar(as.character(x$study)))), 2, 1))
  on.exit(graphics::par(old))
  rng <- range(c(lb, ub), finite = TRUE)
  graphics::plot(est, rev(seq_len(k)), xlim = rng, ylim = c(0.5, k + 0.5), pch = 15,
                 yaxt = "n", ylab = "", xlab = if (attr(x, "measure") == "generic") "Estimate" else
                   attr(x, "measure"), main = main,
                 log = if (attr(x, "measure") %in% c("RR", "OR")) "x" else "", ...)
  graphics::segments(lb, rev(seq_len(k)), ub, rev(seq_len(k)))
  graphics::abline(v = f(attr(x, "fit_estimate")), lty = 2, col = "grey40")
  graphics::axis(2, at = rev(seq_len(k)), labels = as.character(x$study), las = 1,
                 cex.axis = 0.8)
  invisible(x)
}

#' @rdname metapool_diagnostics
#' @export
plot.mp_influence <- function(x, ...) {
  stats <- c(rstudent = "Studentised residual", dffits = "DFFITS", cook_d = "Cook's distance",
             cov_r = "Covariance ratio", tau2_del = "tau^2 (study deleted)",
             Q_del = "Q (study deleted)", hat = "Hat value", weight = "Weight (%)")
  old <- graphics::par(mfrow = c(4, 2), mar = c(2.5, 4, 1.5, 1))
  on.exit(graphics::par(old))
  col <- ifelse(x$influential, "firebrick", "black")
  for (s in names(stats)) {
    graphics::plot(seq_len(nrow(x)), x[[s]], type = "o", pch = 19, col = col, xlab = "",
                   ylab = "", main = stats[[s]], cex.main = 0.9, xaxt = "n", ...)
    graphics::axis(1, at = seq_len(nrow(x)), labels = seq_len(nrow(x)), cex.axis = 0.7)
  }
  invisible(x)
}

#' Permutation test for the pooled effect
#'
#' Tests the pooled effect by flipping the signs of the study effects (the
#' permutation distribution under the null hypothesis of no effect), refitting
#' the model each time. The test is exact (all 2^k sign vectors) when that
#' takes no more than `iter` refits, as in metafor's `permutest()`; otherwise
#' the observed data and `iter - 1` random sign vectors are used. The p-value is
#' the proportion of permutations whose test statistic is at least as large in
#' absolute value as the observed one (metafor's definition).
#'
#' @param fit A [metapool()] fit (without subgroups).
#' @param iter Number of permutations for the approximate test.
#' @param exact `NULL` (exact when feasible), `TRUE` or `FALSE`.
#' @inheritParams metapool_batch
#' @return An `mp_permutest` object: a list with `statistic` (observed z or t),
#'   `p` (permutation p-value), `p_model` (the model-based p-value), `iter`,
#'   `exact` and `distribution` (the permuted statistics).
#' @references Follmann DA, Proschan MA (1999). Valid inference in random effects
#'   meta-analysis. *Biometrics*, 55, 732-737.
#' @examples
#' fit <- metapool(es_smd(m1, sd1, n1, m2, sd2, n2, data = normand1999))
#' metapool_permutest(fit)
#' @export
metapool_permutest <- function(fit, iter = 1000, exact = NULL, threads = 1L,
                               progress = interactive()) {
  fit <- chk_refittable(fit)
  if (!is.numeric(iter) || length(iter) != 1L || is.na(iter) || iter < 2) {
    abort_input("`iter` must be a number of permutations, at least 2.", "iter")
  }
  k <- fit$k
  exact <- if (is.null(exact)) 2^k <= iter else chk_flag(exact, "exact")
  if (exact && k > 30) abort_input("An exact test with more than 30 studies is too large; use `exact = FALSE`.", "exact")
  # Drawn as metafor's permutest() draws them (a seed taken from the stream, then iter
  # sign vectors of which the first is replaced by the observed data), so the same
  # set.seed() gives the same permutations in both packages.
  signs <- matrix(0, 0, 0)
  if (!exact) {
    set.seed(as.integer(stats::runif(1) * 2e9))
    signs <- matrix(sample(c(-1, 1), k * iter, replace = TRUE), nrow = k)[, -1L, drop = FALSE]
  }
  opts <- engine_options(fit$settings, "none", prediction = FALSE, weights = FALSE)
  threads <- resolve_threads(threads)
  dist <- if (future_active()) {
    if (exact) {
      run_future(piece_ranges(2^k), "exact", opts, threads, progress,
                 fixed = list(yi = fit$yi, vi = fit$vi))
    } else {
      run_future(column_pieces(signs), "signs", opts, threads, progress,
                 fixed = list(yi = fit$yi, vi = fit$vi))
    }
  } else {
    cpp_permutation(fit$yi, fit$vi, signs, exact, opts, threads, isTRUE(progress))
  }
  if (!exact) dist <- c(fit$stat, dist)
  tol <- sqrt(.Machine$double.eps)
  structure(list(statistic = fit$stat, p = mean(abs(dist) >= abs(fit$stat) - tol, na.rm = TRUE),
                 p_model = fit$p, iter = length(dist), exact = exact, distribution = dist,
                 stat_name = if (fit$ci_method == "z") "z" else "t"),
            class = "mp_permutest")
}

#' @rdname metapool_permutest
#' @param x An `mp_permutest` object.
#' @param ... Unused.
#' @export
print.mp_permutest <- function(x, ...) {
  cat(sprintf("%s permutation test of the pooled effect (%d %s)\n",
              if (x$exact) "Exact" else "Approximate", x$iter,
              if (x$exact) "sign vectors" else "permutations"))
  cat(sprintf("%s = %.4f, permutation %s (model-based %s)\n", x$stat_name, x$statistic,
              p_text(x$p), p_text(x$p_model)))
  invisible(x)
}

#' Bootstrap of the pooled effect and tau^2
#'
#' Resamples the meta-analysis `B` times and refits it: non-parametrically
#' (studies drawn with replacement) or parametrically (effects drawn from the
#' fitted random-effects model, `N(estimate, vi + tau^2)`, with the same
#' variances). Percentile intervals are reported for the pooled effect and
#' tau^2.
#'
#' @param fit A [metapool()] fit (without subgroups).
#' @param B Number of bootstrap samples.
#' @param type `"nonparametric"` or `"parametric"`.
#' @param level Confidence level of the percentile intervals (default: the fit's).
#' @inheritParams metapool_batch
#' @return An `mp_bootstrap` object: a list with `estimate` and `tau2` (each a
#'   named vector: the fit's value and the percentile limits), `replicates` (a
#'   data frame of the bootstrap fits), `B` and `type`.
#' @examples
#' fit <- metapool(es_smd(m1, sd1, n1, m2, sd2, n2, data = normand1999))
#' set.seed(2)
#' metapool_bootstrap(fit, B = 500)
#' @export
metapool_bootstrap <- function(fit, B = 1000, type = c("nonparametric", "parametric"),
                               level = NULL, threads = 1L, progress = interactive()) {
  fit <- chk_refittable(fit)
  type <- chk_choice(type[1L], c("nonparametric", "parametric"), "type")
  if (!is.numeric(B) || length(B) != 1L || is.na(B) || B < 2 || B != round(B) || B > 1e9) {
    abort_input("`B` must be a whole number of bootstrap samples, at least 2.", "B")
  }
  level <- if (is.null(level)) fit$level else chk_level(level)
  k <- fit$k
  columns <- c("estimate", "se", "tau2", "I2", "Q", "converged")
  opts <- engine_options(fit$settings, "none", prediction = FALSE, weights = FALSE,
                         columns = columns)
  threads <- resolve_threads(threads)
  # The draws come from the caller's stream here, before any split over future workers,
  # so the replicates are the same under every plan.
  draws <- if (type == "parametric") {
    matrix(stats::rnorm(k * B), nrow = k)
  } else {
    matrix(sample.int(k, k * B, replace = TRUE) - 1L, nrow = k)
  }
  fixed <- list(yi = fit$yi, vi = fit$vi, estimate = fit$estimate, tau2 = fit$tau2)
  res <- if (future_active()) {
    run_future(column_pieces(draws), if (type == "parametric") "parametric" else "resample",
               opts, threads, progress, fixed = fixed)
  } else if (type == "parametric") {
    cpp_bootstrap_parametric(fit$vi, fit$estimate, fit$tau2, draws, opts, threads,
                             isTRUE(progress))
  } else {
    cpp_bootstrap_resample(fit$yi, fit$vi, draws, opts, threads, isTRUE(progress))
  }
  reps <- batch_frame(res, columns = columns)
  probs <- c((1 - level) / 2, 1 - (1 - level) / 2)
  pct <- function(x, value) c(value = value, stats::setNames(
    stats::quantile(x, probs, na.rm = TRUE, names = FALSE), c("ci_lb", "ci_ub")))
  structure(list(estimate = pct(reps$estimate, fit$estimate), tau2 = pct(reps$tau2, fit$tau2),
                 replicates = reps, B = B, type = type, level = level, measure = fit$measure),
            class = "mp_bootstrap")
}

#' @rdname metapool_bootstrap
#' @param x An `mp_bootstrap` object.
#' @param ... Unused.
#' @export
print.mp_bootstrap <- function(x, ...) {
  f <- back_transform_fun(x$measure)
  cat(sprintf("%s bootstrap, B = %d; %g%% percentile intervals\n",
              if (x$type == "parametric") "Parametric" else "Non-parametric", x$B, 100 * x$level))
  cat(sprintf("estimate: %s [%s, %s]%s\n", format_num(f(x$estimate[["value"]]), 4),
              format_num(f(x$estimate[["ci_lb"]]), 4), format_num(f(x$estimate[["ci_ub"]]), 4),
              if (x$measure %in% c("RR", "OR")) paste0(" (", x$measure, ")") else ""))
  cat(sprintf("tau^2:    %s [%s, %s]\n", format_num(x$tau2[["value"]], 4),
              format_num(x$tau2[["ci_lb"]], 4), format_num(x$tau2[["ci_ub"]], 4)))
  invisible(x)
}
