# The batch diagnostics: engines that fit one meta-analysis many times in one batch
# (GOSH, leave-one-out, cumulative, influence diagnostics, permutation test and
# bootstrap). Random numbers are drawn here, in R, so results are reproducible under
# set.seed() whatever the number of threads.

#' GOSH: the fit on every subset of studies
#'
#' Refits a meta-analysis on all 2^k - 1 non-empty subsets of its studies (for
#' k up to 20), or on `subsets` random subsets (any k), and returns the estimate
#' and heterogeneity of each (Olkin, Dahabreh & Trikalinos 2012). The plot shows
#' the estimate against I^2 with the marginal densities.
#'
#' All subsets are listed as metafor's `gosh()` lists them: by size, and within
#' a size in the order of `expand.grid()`. Random subsets are drawn as metafor
#' draws them (a size m with probability proportional to `dbinom(m, k, 0.5)`,
#' then m studies at random) and then sorted by size, so the same `set.seed()`
#' gives the same subsets in both packages.
#'
#' @param fit A [metapool()] fit (without subgroups).
#' @param subsets `NULL` (all subsets if k <= 20, else 10^6 random ones) or a
#'   number of random subsets.
#' @inheritParams metapool_batch
#' @return An `mp_gosh` object: a data frame with one row per subset (`k`,
#'   `estimate`, `tau2`, `I2`, `H2`, `Q`) and the subsets as packed bits in
#'   attribute `masks` (a raw matrix, one column per subset, laid out as
#'   [packBits()] packs the inclusion indicators of the k studies);
#'   `gosh_included()` decodes them into a logical matrix. `print()` shows a
#'   short summary (not every subset), `summary()` returns the quantiles of the
#'   estimates and heterogeneity statistics, and `plot()` draws them.
#' @references Olkin I, Dahabreh IJ, Trikalinos TA (2012). GOSH - a graphical
#'   display of study heterogeneity. *Research Synthesis Methods*, 3, 214-223.
#' @examples
#' fit <- metapool(es_smd(m1, sd1, n1, m2, sd2, n2, data = normand1999, slab = source))
#' g <- metapool_gosh(fit)
#' g
#' head(as.data.frame(g))
#' plot(g)
#' @export
metapool_gosh <- function(fit, subsets = NULL, threads = 1L, progress = interactive()) {
  fit <- chk_batchable(fit)
  k <- fit$k
  all <- is.null(subsets) && k <= 20
  if (!is.null(subsets)) {
    if (!is.numeric(subsets) || length(subsets) != 1L || is.na(subsets) || subsets < 1) {
      abort_input("`subsets` must be NULL or a positive number of random subsets.", "subsets")
    }
    if (subsets >= 2^k - 1) all <- TRUE
  }
  if (all && k > 30) {
    abort_input("All subsets of more than 30 studies are too many; give `subsets`.", "subsets")
  }
  columns <- c("estimate", "tau2", "I2", "H2", "Q")
  opts <- engine_options(fit$settings, tau2_ci = "none", prediction = FALSE, weights = FALSE,
                         columns = columns)
  threads <- resolve_threads(threads)
  masks <- if (all) all_masks(k) else random_masks(k, as.integer(subsets %||% 1e6))
  res <- if (future_active() && !all) {
    run_future(column_pieces(masks), "subsets", opts, threads, progress,
               fixed = list(yi = fit$yi, vi = fit$vi))
  } else {
    cpp_pool_subsets(fit$yi, fit$vi, if (all) matrix(raw(0), 0, 0) else masks, all, opts,
                     threads, isTRUE(progress))
  }
  out <- batch_frame(res, columns = c("k", columns))
  # In metafor's order: by size, then (all subsets) as expand.grid() lists them or
  # (random subsets) as drawn.
  o <- order(out$k)
  out <- out[o, ]
  rownames(out) <- NULL
  structure(out, class = c("mp_gosh", "data.frame"), masks = masks[, o, drop = FALSE],
            slab = fit$slab, measure = fit$measure, fit_estimate = fit$estimate,
            fit_I2 = fit$I2, all_subsets = all, synthetic = isTRUE(fit$synthetic))
}

# Subset r as packed bits: column r of a raw matrix with ceiling(k / 8) rows, bit
# (j - 1) %% 8 of byte (j - 1) %/% 8 + 1 set when study j is included.
pack_subsets <- function(subset, study, k, n) {
  bytes <- (k + 7L) %/% 8L
  pos <- (subset - 1) * bytes + (study - 1L) %/% 8L + 1
  bit <- (study - 1L) %% 8L
  acc <- integer(bytes * n)
  for (b in 0:7) {
    hit <- bit == b  # one study per subset and bit position: no index repeats
    acc[pos[hit]] <- acc[pos[hit]] + 2L^b
  }
  matrix(as.raw(acc), nrow = bytes)
}

# All 2^k - 1 subsets in the order of the core's pool_all_subsets(): mask r = r.
all_masks <- function(k) {
  n <- 2^k - 1
  r <- seq_len(n)
  bits <- lapply(seq_len(k), function(j) which(floor(r / 2^(j - 1)) %% 2 == 1))
  pack_subsets(unlist(bits), rep(seq_len(k), lengths(bits)), k, n)
}

# metafor's draws: the sizes first, then sample(k, m) for each subset in turn.
random_masks <- function(k, n) {
  size <- sample(seq_len(k), n, replace = TRUE, prob = stats::dbinom(seq_len(k), k, 0.5))
  study <- unlist(lapply(size, function(m) sample(k, m)))
  pack_subsets(rep(seq_len(n), size), study, k, n)
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
  bits <- matrix(as.logical(rawToBits(masks)), ncol = ncol(masks))
  out <- t(bits[seq_len(k), , drop = FALSE])
  colnames(out) <- as.character(attr(x, "slab"))
  out
}

#' @export
`[.mp_gosh` <- function(x, i, j, drop) {
  out <- NextMethod()
  # The masks describe all rows: a selection is a plain data frame.
  if (is.data.frame(out)) {
    attributes(out)[c("masks", "slab", "measure", "fit_estimate", "fit_I2", "all_subsets")] <- NULL
    class(out) <- "data.frame"
  }
  out
}

#' @export
as.data.frame.mp_gosh <- function(x, row.names = NULL, optional = FALSE, ...) {
  x[seq_len(nrow(x)), , drop = FALSE]
}

#' @rdname metapool_gosh
#' @param digits Decimal places shown.
#' @export
print.mp_gosh <- function(x, digits = 4, ...) {
  s <- summary.mp_gosh(x)
  cat(sprintf("GOSH: %d %s of %d studies (%s); %d fit%s failed\n", nrow(x),
              if (nrow(x) == 1L) "subset" else "subsets", length(attr(x, "slab")),
              if (isTRUE(attr(x, "all_subsets"))) "all subsets" else "random subsets",
              attr(s, "failed"), if (attr(s, "failed") == 1L) "" else "s"))
  measure <- attr(x, "measure")
  cat(sprintf("Full fit: %s %s, I^2 = %.1f%%\n",
              if (measure == "generic") "estimate" else measure,
              format_num(back_transform_fun(measure)(attr(x, "fit_estimate")), digits),
              attr(x, "fit_I2")))
  shown <- as.data.frame(lapply(s, format_num, digits = digits), row.names = rownames(s))
  print(shown, right = TRUE)
  cat("Rows: as.data.frame(x); included studies: gosh_included(x).\n")
  invisible(x)
}

#' @rdname metapool_gosh
#' @param object An `mp_gosh` object.
#' @export
summary.mp_gosh <- function(object, ...) {
  measure <- attr(object, "measure")
  est <- back_transform_fun(measure)(object$estimate)
  ok <- is.finite(object$estimate)
  stat <- function(v) {
    v <- v[ok]
    c(mean = mean(v), min = min(v), q1 = stats::quantile(v, 0.25, names = FALSE),
      median = stats::median(v), q3 = stats::quantile(v, 0.75, names = FALSE), max = max(v))
  }
  out <- as.data.frame(rbind(stat(est), stat(object$I2), stat(object$H2), stat(object$tau2)))
  rownames(out) <- c(if (measure == "generic") "estimate" else measure, "I^2 (%)", "H^2", "tau^2")
  structure(out, failed = sum(!ok))
}

#' @rdname metapool_gosh
#' @param ... Graphical parameters for the scatter plot.
#' @param file Optional file name (`.pdf`, `.png`, `.svg`, `.jpeg`, `.tiff`): the
#'   plot is written to a file of `width` x `height` inches instead of the
#'   current device.
#' @param width,height Size of the file in inches.
#' @param res Resolution in pixels per inch for bitmap files.
#' @export
plot.mp_gosh <- function(x, ..., file = NULL, width = 7, height = 7, res = 150) {
  if (!is.null(file)) return(plot_file_of(x, file, width, height, res, ...))
  old <- graphics::par(no.readonly = TRUE)
  on.exit(graphics::par(old))
  graphics::layout(matrix(c(1, 0, 3, 2), 2, byrow = TRUE), widths = c(4, 1), heights = c(1, 4))
  measure <- attr(x, "measure")
  ratio <- is_ratio_measure(measure)
  # The analysis scale (log for ratios) for the density; the axis shows the ratio.
  ok <- is.finite(x$estimate) & is.finite(x$I2)
  theta <- x$estimate[ok]
  f <- back_transform_fun(measure)
  xlim <- f(range(theta))
  log_axis <- if (ratio) "x" else ""
  graphics::par(mar = c(0, 4, 1, 0))
  d1 <- stats::density(theta)
  graphics::plot(f(d1$x), d1$y, type = "l", main = "", xlab = "", ylab = "", axes = FALSE,
                 xlim = xlim, log = log_axis)
  graphics::polygon(f(d1$x), d1$y, col = "grey85", border = "grey40")
  graphics::par(mar = c(4, 0, 0, 1))
  d2 <- stats::density(x$I2[ok], from = 0, to = 100)
  graphics::plot(d2$y, d2$x, type = "l", axes = FALSE, xlab = "", ylab = "", ylim = c(0, 100))
  graphics::polygon(c(0, d2$y, 0), c(d2$x[1], d2$x, d2$x[length(d2$x)]), col = "grey85",
                    border = "grey40")
  graphics::par(mar = c(4, 4, 0, 0))
  # Opaque enough to see a single point, light enough to show density with many.
  alpha <- min(1, max(0.15, 30 / sqrt(sum(ok))))
  graphics::plot(f(theta), x$I2[ok], pch = 19, cex = 0.5,
                 col = grDevices::adjustcolor("steelblue4", alpha.f = alpha),
                 xlim = xlim, ylim = c(0, 100),
                 xlab = if (measure == "generic") "Estimate" else measure,
                 ylab = "I^2 (%)", log = log_axis, ...)
  graphics::abline(v = f(attr(x, "fit_estimate")), lty = 2, col = "grey40")
  if (isTRUE(attr(x, "synthetic"))) {
    graphics::mtext("Synthetic data", side = 3, line = -1.5, adj = 0.02, font = 2)
  }
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
#'   `mp_influence`) with one row per study. Its columns hold the estimates on
#'   the analysis scale (log scale for ratios) at full precision; `print()`
#'   shows them rounded and back-transformed (risk and odds ratios), with
#'   p-values written as in [print.metapool()]. `summary()` adds what the table
#'   means: the range of the leave-one-out estimates and the omission that
#'   moves the estimate most, the study from which the cumulative interval
#'   excludes no effect, or which diagnostics flag each influential study.
#'   `plot()` draws them.
#' @examples
#' fit <- metapool(es_rr(tpos, tpos + tneg, cpos, cpos + cneg, data = bcg, slab = paste(author, year)))
#' l1o <- metapool_leave1out(fit)
#' l1o
#' summary(l1o)
#' plot(l1o)
#' cu <- metapool_cumulative(fit, order = bcg$year)
#' summary(cu)
#' inf <- metapool_influence(fit)
#' inf
#' summary(inf)
#' plot(inf)
#' @name metapool_diagnostics
NULL

diagnostics_columns <- c("k", "estimate", "se", "stat", "p", "ci_lb", "ci_ub", "Q", "Q_p", "tau2",
                   "I2", "H2")

#' @rdname metapool_diagnostics
#' @export
metapool_leave1out <- function(fit, threads = 1L) {
  fit <- chk_batchable(fit)
  if (fit$k < 2L) {
    abort_input("`fit` has one study; leaving one out needs at least 2 studies.", "fit")
  }
  res <- cpp_leave_one_out(fit$yi, fit$vi, engine_options(fit$settings, "none"),
                           resolve_threads(threads))
  out <- cbind(study = fit$slab, batch_frame(res, columns = diagnostics_columns))
  new_diagnostics_frame(out, fit, "mp_leave1out")
}

#' @rdname metapool_diagnostics
#' @export
metapool_cumulative <- function(fit, order = NULL, threads = 1L) {
  fit <- chk_batchable(fit)
  o <- if (is.null(order)) seq_len(fit$k) else {
    if (length(order) != fit$k) {
      abort_input(sprintf("`order` must have one value per study (%d).", fit$k), "order")
    }
    chk_condition(order, is.na(order), "order", "has missing values (each study needs a place)")
    base::order(order)
  }
  res <- cpp_cumulative(fit$yi, fit$vi, o - 1L, engine_options(fit$settings, "none"),
                        resolve_threads(threads))
  # The first cumulative fit has one study by construction: its Wald interval needs no note.
  out <- withCallingHandlers(
    cbind(study = fit$slab[o], batch_frame(res, columns = diagnostics_columns)),
    metapool_warning_small_k = function(w) invokeRestart("muffleWarning"))
  new_diagnostics_frame(out, fit, "mp_cumulative")
}

#' @rdname metapool_diagnostics
#' @export
metapool_influence <- function(fit, threads = 1L) {
  fit <- chk_batchable(fit)
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
  new_diagnostics_frame(out, fit, "mp_influence")
}

#' @export
`[.mp_leave1out` <- function(x, i, j, drop) refit_subset(x, NextMethod())

#' @export
`[.mp_cumulative` <- function(x, i, j, drop) refit_subset(x, NextMethod())

#' @export
`[.mp_influence` <- function(x, i, j, drop) refit_subset(x, NextMethod())

# Rows of a diagnostics table keep its class and the fit's attributes (which its
# print needs) while every column stays; otherwise a plain data frame.
refit_subset <- function(x, out) {
  if (!is.data.frame(out)) return(out)
  keep <- setdiff(names(attributes(x)), c("names", "row.names", "class"))
  if (all(names(x) %in% names(out))) {
    attributes(out)[keep] <- attributes(x)[keep]
    class(out) <- class(x)
  } else {
    attributes(out)[keep] <- NULL
    class(out) <- "data.frame"
  }
  out
}

new_diagnostics_frame <- function(out, fit, class) {
  structure(out, class = c(class, "data.frame"), measure = fit$measure,
            fit_estimate = fit$estimate, fit_ci = c(fit$ci_lb, fit$ci_ub), fit_p = fit$p,
            fit_tau2 = fit$tau2, fit_Q = fit$Q, level = fit$level, model = model_title(fit),
            synthetic = isTRUE(fit$synthetic))
}

#' @rdname metapool_diagnostics
#' @param digits Decimal places shown.
#' @export
print.mp_leave1out <- function(x, digits = 4, ...) {
  print_refit(x, "Leave-one-out analysis", "omitted", digits)
}

#' @rdname metapool_diagnostics
#' @export
print.mp_cumulative <- function(x, digits = 4, ...) {
  print_refit(x, "Cumulative analysis", "added", digits)
}

# The refits rounded, estimates and limits back-transformed for ratios (the
# analysis-scale SE and test statistic are then left out, as metafor's print with
# transf = exp does), p-values as print.metapool() writes them.
print_refit <- function(x, title, study_header, digits) {
  measure <- attr(x, "measure")
  f <- back_transform_fun(measure)
  level <- attr(x, "level")
  label <- if (measure == "generic") "estimate" else measure
  cat(sprintf("%s: %s, k = %d\n", title, attr(x, "model"), nrow(x)))
  cat(sprintf("Full fit: %s %s [%s, %s], %s\n\n", label,
              format_num(f(attr(x, "fit_estimate")), digits), format_num(f(attr(x, "fit_ci")[1]), digits),
              format_num(f(attr(x, "fit_ci")[2]), digits), p_text(attr(x, "fit_p"))))
  shown <- data.frame(study = as.character(x$study), estimate = format_num(f(x$estimate), digits),
                      stringsAsFactors = FALSE)
  if (!is_ratio_measure(measure)) shown$se <- format_num(x$se, digits)
  shown$ci <- sprintf("[%s, %s]", format_num(f(x$ci_lb), digits), format_num(f(x$ci_ub), digits))
  shown$p <- format_p(x$p)
  shown$Q <- formatC(x$Q, digits = 2, format = "f")
  shown$tau2 <- format_num(x$tau2, digits)
  shown$I2 <- ifelse(is.na(x$I2), "NA", sprintf("%.1f%%", x$I2))
  names(shown) <- c(study_header, label, if (!is_ratio_measure(measure)) "se",
                    sprintf("%g%% CI", 100 * level), "p", "Q", "tau^2", "I^2")
  shown[[1L]] <- formatC(shown[[1L]], width = -max(nchar(shown[[1L]]), nchar(study_header)))
  names(shown)[1L] <- formatC(study_header, width = -nchar(shown[[1L]][1L]))
  print(shown, row.names = FALSE, right = TRUE)
  if (is_ratio_measure(measure)) {
    cat(sprintf("%s and CI back-transformed from the log scale.\n", measure))
  }
  invisible(x)
}

#' @rdname metapool_diagnostics
#' @param object A diagnostics data frame.
#' @export
summary.mp_leave1out <- function(object, ...) {
  f <- back_transform_fun(attr(object, "measure"))
  full <- attr(object, "fit_estimate")
  change <- object$estimate - full
  sig <- function(lb, ub) lb > 0 | ub < 0
  structure(list(
    table = object, full = f(full), range = f(range(object$estimate, na.rm = TRUE)),
    largest = as.character(object$study[which.max(abs(change))]),
    largest_estimate = f(object$estimate[which.max(abs(change))]),
    flips = as.character(object$study[sig(object$ci_lb, object$ci_ub) !=
                                         sig(attr(object, "fit_ci")[1], attr(object, "fit_ci")[2])]),
    measure = attr(object, "measure"), level = attr(object, "level")
  ), class = "summary.mp_leave1out")
}

#' @rdname metapool_diagnostics
#' @export
print.summary.mp_leave1out <- function(x, digits = 4, ...) {
  print(x$table, digits = digits)
  label <- if (x$measure == "generic") "estimate" else x$measure
  cat(sprintf("\nWith one study omitted the %s ranges from %s to %s (full fit %s).\n", label,
              format_num(x$range[1], digits), format_num(x$range[2], digits),
              format_num(x$full, digits)))
  cat(sprintf("Largest change: omitting %s (%s %s).\n", x$largest, label,
              format_num(x$largest_estimate, digits)))
  cat(if (length(x$flips)) {
    sprintf("Omitting %s changes whether the %g%% CI excludes no effect.\n",
            paste(x$flips, collapse = ", "), 100 * x$level)
  } else {
    sprintf("No single omission changes whether the %g%% CI excludes no effect.\n", 100 * x$level)
  })
  invisible(x)
}

#' @rdname metapool_diagnostics
#' @export
summary.mp_cumulative <- function(object, ...) {
  sig <- (object$ci_lb > 0 | object$ci_ub < 0) %in% TRUE
  # The first study from which on the CI excludes no effect.
  settled <- if (sig[length(sig)]) max(which(!sig), 0L) + 1L else NA_integer_
  structure(list(table = object, settled = if (is.na(settled)) NA_character_ else
                   as.character(object$study[settled]), settled_at = settled,
                 level = attr(object, "level")), class = "summary.mp_cumulative")
}

#' @rdname metapool_diagnostics
#' @export
print.summary.mp_cumulative <- function(x, digits = 4, ...) {
  print(x$table, digits = digits)
  cat(if (is.na(x$settled_at)) {
    sprintf("\nThe final %g%% CI includes no effect.\n", 100 * x$level)
  } else {
    sprintf("\nThe %g%% CI excludes no effect from study %d (%s) on.\n", 100 * x$level,
            x$settled_at, x$settled)
  })
  invisible(x)
}

#' @rdname metapool_diagnostics
#' @export
print.mp_influence <- function(x, digits = 3, ...) {
  cat(sprintf("Influence diagnostics: %s, k = %d\n", attr(x, "model"), nrow(x)))
  # Two tables of a few columns each, so full study labels fit an 80-column console.
  study <- paste0(as.character(x$study), ifelse(x$influential, " *", ""))
  part <- function(title, cols, headers) {
    shown <- data.frame(study = study, stringsAsFactors = FALSE)
    for (nm in cols) shown[[nm]] <- format_num(x[[nm]], if (nm %in% c("weight", "Q_del")) 2 else digits)
    names(shown) <- c("study", headers)
    shown$study <- formatC(shown$study, width = -max(nchar(shown$study), 5L))
    names(shown)[1L] <- formatC("study", width = -nchar(shown$study[1L]))
    cat("\n", title, "\n", sep = "")
    print(shown, row.names = FALSE, right = TRUE)
  }
  part("Case deletion: residual and change in the fit",
       c("rstudent", "dffits", "cook_d", "cov_r", "dfbetas"),
       c("rstudent", "dffits", "cook.d", "cov.r", "dfbetas"))
  part("Study deleted: heterogeneity; study's leverage and weight (%)",
       c("tau2_del", "Q_del", "hat", "weight"), c("tau2.del", "Q.del", "hat", "weight"))
  cat("* influential by metafor's rule: |DFFITS| > 3 sqrt(1/(k - 1)), Cook's D above\n",
      "  the median of chi^2(1), hat > 3/k, or |DFBETAS| > 1.\n", sep = "")
  invisible(x)
}

#' @rdname metapool_diagnostics
#' @export
summary.mp_influence <- function(object, ...) {
  k <- nrow(object)
  crit <- data.frame(
    study = object$study,
    dffits = abs(object$dffits) > 3 * sqrt(1 / (k - 1)),
    cook_d = stats::pchisq(object$cook_d, df = 1) > 0.5,
    hat = object$hat > 3 / k,
    dfbetas = abs(object$dfbetas) > 1,
    rstudent = abs(object$rstudent) > stats::qnorm(0.975),
    stringsAsFactors = FALSE
  )
  crit[is.na(crit)] <- FALSE
  structure(list(table = object, criteria = crit), class = "summary.mp_influence")
}

#' @rdname metapool_diagnostics
#' @export
print.summary.mp_influence <- function(x, digits = 3, ...) {
  print(x$table, digits = digits)
  crit <- x$criteria
  hits <- crit[rowSums(crit[-1L]) > 0, , drop = FALSE]
  if (!nrow(hits)) {
    cat("\nNo study is influential or an outlier by these criteria.\n")
    return(invisible(x))
  }
  names_of <- c(dffits = "DFFITS", cook_d = "Cook's D", hat = "hat", dfbetas = "DFBETAS",
                rstudent = "|rstudent| > 1.96")
  cat("\nStudies flagged:\n")
  for (i in seq_len(nrow(hits))) {
    cat(sprintf("  %s: %s\n", hits$study[i],
                paste(names_of[names(names_of)[unlist(hits[i, names(names_of)])]], collapse = ", ")))
  }
  invisible(x)
}

#' @rdname metapool_diagnostics
#' @param x A diagnostics data frame.
#' @param ... Further graphical parameters.
#' @inheritParams plot.mp_gosh
#' @export
plot.mp_leave1out <- function(x, ..., file = NULL, width = 7, height = 7, res = 150) {
  if (!is.null(file)) return(plot_file_of(x, file, width, height, res, ...))
  plot_batch_estimates(x, "Estimate with the study omitted", ...)
}

#' @rdname metapool_diagnostics
#' @export
plot.mp_cumulative <- function(x, ..., file = NULL, width = 7, height = 7, res = 150) {
  if (!is.null(file)) return(plot_file_of(x, file, width, height, res, ...))
  plot_batch_estimates(x, "Cumulative estimate, adding studies in order", ...)
}

# Estimates and confidence intervals, one row per refit, the estimate and interval
# written at the right, the full fit as a dashed line and no effect as a solid one.
plot_batch_estimates <- function(x, main, ...) {
  measure <- attr(x, "measure")
  ratio <- is_ratio_measure(measure)
  f <- back_transform_fun(measure)
  k <- nrow(x)
  y <- rev(seq_len(k))
  null <- if (ratio) 1 else 0
  # The null value is always in range, so its line is drawn (a log axis: ratio 1).
  rng <- range(c(x$ci_lb, x$ci_ub, 0), finite = TRUE)
  rng <- rng + c(-1, 1) * 0.04 * diff(rng)
  labels <- as.character(x$study)
  text <- sprintf("%s [%s, %s]", format_num(f(x$estimate), 2), format_num(f(x$ci_lb), 2),
                  format_num(f(x$ci_ub), 2))
  header <- sprintf("%s [%g%% CI]", if (measure == "generic") "Estimate" else measure,
                    100 * attr(x, "level"))
  # Label and text margins sized from their widths, shrunk with the text on a small device.
  side <- c(1 + 0.55 * max(nchar(labels), 4), 1 + 0.55 * max(nchar(c(text, header))))
  shrink <- min(1, 0.75 * graphics::par("din")[1] / graphics::par("csi") / sum(side))
  old <- graphics::par(mar = c(4.5, side[1] * shrink, 3, side[2] * shrink), cex = shrink)
  on.exit(graphics::par(old))
  graphics::plot(f(x$estimate), y, xlim = f(rng), ylim = c(0.5, k + 0.5), type = "n",
                 axes = FALSE, ylab = "", xlab = if (measure == "generic") "Estimate" else
                   measure_labels[[measure]],
                 main = synthetic_title(main, isTRUE(attr(x, "synthetic"))),
                 log = if (ratio) "x" else "", ...)
  ticks <- if (ratio) ratio_ticks(exp(rng)) else pretty(rng, n = 6)
  graphics::axis(1, at = ticks, labels = format(ticks, drop0trailing = TRUE))
  graphics::abline(v = null, col = "grey30")
  graphics::abline(v = f(attr(x, "fit_estimate")), lty = 2, col = "grey40")
  graphics::segments(f(x$ci_lb), y, f(x$ci_ub), y)
  graphics::points(f(x$estimate), y, pch = 15)
  graphics::axis(2, at = y, labels = labels, las = 1, tick = FALSE, cex.axis = 0.9)
  graphics::mtext(text, side = 4, at = y, las = 1, line = 0.5, adj = 0, cex = 0.9)
  graphics::mtext(header, side = 4, at = k + 0.9, las = 1, line = 0.5, adj = 0, cex = 0.9,
                  font = 2)
  invisible(x)
}

# Round ratios for a log axis: about 5 to 8 of 1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 8
# times a power of 10 within `lim`.
ratio_ticks <- function(lim) {
  steps <- c(1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 8)
  cand <- sort(as.vector(outer(steps, 10^(-4:4))))
  cand <- cand[cand >= lim[1] & cand <= lim[2]]
  while (length(cand) > 8L) cand <- cand[c(TRUE, FALSE)]
  sort(unique(c(cand, if (lim[1] <= 1 && lim[2] >= 1) 1)))
}

#' @rdname metapool_diagnostics
#' @details The influence plot draws each diagnostic against the studies, with
#'   metafor's reference lines (`plot.infl.rma.uni()`): dashed at the value of
#'   no influence (0, 1, the full fit's tau^2 and Q, 1/k, 100/k) and dotted at
#'   the cut-offs (+-1.96 for the studentised residuals, +-3 sqrt(1/(k - 1))
#'   for DFFITS, the median of chi^2(1) for Cook's distance, k - 1 for Q,
#'   3/k for hat values, +-1 for DFBETAS). Influential studies are red.
#' @export
plot.mp_influence <- function(x, ..., file = NULL, width = 7, height = 7, res = 150) {
  if (!is.null(file)) return(plot_file_of(x, file, width, height, res, ...))
  k <- nrow(x)
  panels <- list(
    rstudent = list("Studentised residual", 0, c(-1, 1) * stats::qnorm(0.975)),
    dffits = list("DFFITS", 0, c(-1, 1) * 3 * sqrt(1 / (k - 1))),
    cook_d = list("Cook's distance", NULL, stats::qchisq(0.5, df = 1)),
    cov_r = list("Covariance ratio", 1, NULL),
    tau2_del = list("tau^2 (study deleted)", attr(x, "fit_tau2"), NULL),
    Q_del = list("Q (study deleted)", attr(x, "fit_Q"), k - 1),
    hat = list("Hat value", 1 / k, 3 / k),
    weight = list("Weight (%)", 100 / k, NULL),
    dfbetas = list("DFBETAS", 0, c(-1, 1))
  )
  labels <- as.character(x$study)
  # Rotated study labels below each panel; margins and text shrink together when a
  # panel is too short to hold them.
  bottom <- 1 + 0.5 * max(nchar(labels))
  panel_lines <- graphics::par("din")[2] / 3 / graphics::par("csi")
  shrink <- min(1, 0.6 * panel_lines / (bottom + 2))
  old <- graphics::par(mfrow = c(3, 3), mar = c(bottom, 3.5, 2, 0.5) * shrink,
                       mgp = c(2.2, 0.7, 0) * shrink)
  old <- c(old, graphics::par(cex = 0.85 * shrink))  # mfrow would shrink text to 0.66
  synthetic <- isTRUE(attr(x, "synthetic"))
  if (synthetic) old <- c(old, graphics::par(oma = c(0, 0, 1.5, 0)))
  on.exit(graphics::par(old))
  col <- ifelse(x$influential, "firebrick", "black")
  for (s in names(panels)) {
    p <- panels[[s]]
    v <- x[[s]]
    graphics::plot(seq_len(k), v, type = "n", xlab = "", ylab = "", main = p[[1]],
                   xaxt = "n", ylim = range(c(v, p[[2]], p[[3]]), finite = TRUE), ...)
    if (!is.null(p[[2]])) graphics::abline(h = p[[2]], lty = "dashed", col = "grey40")
    if (!is.null(p[[3]])) graphics::abline(h = p[[3]], lty = "dotted", col = "grey20")
    graphics::lines(seq_len(k), v, col = "grey50")
    graphics::points(seq_len(k), v, pch = 19, col = col)
    graphics::axis(1, at = seq_len(k), labels = labels, las = 2, cex.axis = 0.85)
  }
  if (synthetic) graphics::mtext("Synthetic data", side = 3, outer = TRUE, font = 2)
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
#' For a meta-regression (`metapool(..., mods = )`) the rows of the design
#' matrix are permuted instead, as metafor's `permutest()` does: exactly over
#' all distinct permutations when there are no more than `iter` of them,
#' otherwise over `iter - 1` random ones drawn as metafor draws them (so the
#' same `set.seed()` gives the same p-values). The result then holds the
#' permutation p-value of the omnibus test QM and of each coefficient.
#'
#' @param fit A [metapool()] fit (without subgroups), or a meta-regression.
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
  if (!is.numeric(iter) || length(iter) != 1L || is.na(iter) || iter < 2) {
    abort_input("`iter` must be a number of permutations, at least 2.", "iter")
  }
  if (inherits(fit, "metapool_reg")) return(permutest_metareg(fit, round(iter), exact))
  fit <- chk_batchable(fit)
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
  fit <- chk_batchable(fit)
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
              if (is_ratio_measure(x$measure)) paste0(" (", x$measure, ")") else ""))
  cat(sprintf("tau^2:    %s [%s, %s]\n", format_num(x$tau2[["value"]], 4),
              format_num(x$tau2[["ci_lb"]], 4), format_num(x$tau2[["ci_ub"]], 4)))
  invisible(x)
}
