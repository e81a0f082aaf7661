# Plots of Bayesian fits, in base graphics: the joint posterior of (tau, mu) with its
# marginals, and a forest plot with the shrinkage estimates.

#' @rdname metapool_bayes-methods
#' @export
plot.metapool_bayes <- function(x, n = 80, ...) {
  if (!is.numeric(n) || length(n) != 1L || is.na(n) || n < 10 || n > 1000) {
    abort_input("`n` must be a number of grid points between 10 and 1000.", "n")
  }
  n <- as.integer(n)
  s <- x$settings
  post <- x$posterior
  tau_hi <- post$qtau(0.995)
  mu_rng <- post$qmu(c(0.0025, 0.9975))
  tau <- seq(0, tau_hi, length.out = n + 1L)[-1L]
  mu <- seq(mu_rng[1], mu_rng[2], length.out = n)
  cond <- cpp_bayes_conditional(x$yi, x$vi, core_tau_prior(s$tau_prior),
                                core_mu_prior(s$mu_prior), s$control, tau)
  # p(mu, tau | y) = p(tau | y) N(mu; E[mu | tau, y], var[mu | tau, y])
  z <- outer(mu, seq_along(tau), function(m, j) {
    cond$density[j] * stats::dnorm(m, cond$mean[j], cond$sd[j])
  })
  xlab <- if (is_ratio_measure(x$measure)) sprintf("mu (log %s)", x$measure) else "mu"
  old <- graphics::par(no.readonly = TRUE)
  on.exit(graphics::par(old))
  graphics::layout(matrix(c(2, 0, 1, 3), 2, 2, byrow = TRUE), widths = c(3, 1),
                   heights = c(1, 3))
  graphics::par(mar = c(4.5, 4.5, 0.5, 0.5))
  # Contours at the highest-density regions holding 50%, 90% and 99% of the mass.
  dz <- sort(as.vector(z), decreasing = TRUE)
  mass <- cumsum(dz) / sum(dz)
  levels <- vapply(c(0.5, 0.9, 0.99), function(p) dz[which(mass >= p)[1L]], numeric(1))
  graphics::contour(mu, tau, z, levels = levels, labels = c("50%", "90%", "99%"),
                    xlab = xlab, ylab = "tau", xlim = range(mu), ylim = c(0, tau_hi))
  graphics::points(x$estimate, x$tau, pch = 3)
  graphics::par(mar = c(0.5, 4.5, 1, 0.5))
  graphics::plot(mu, post$dmu(mu), type = "l", xaxt = "n", xlab = "", ylab = "p(mu | y)",
                 xlim = range(mu), ylim = c(0, max(post$dmu(mu))))
  graphics::abline(v = c(x$ci_lb, x$ci_ub), lty = 3)
  graphics::par(mar = c(4.5, 0.5, 0.5, 1))
  dt <- post$dtau(tau)
  graphics::plot(dt, tau, type = "l", yaxt = "n", ylab = "", xlab = "p(tau | y)",
                 ylim = c(0, tau_hi), xlim = c(0, max(dt[is.finite(dt)])))
  graphics::abline(h = c(x$tau_lb, x$tau_ub), lty = 3)
  invisible(list(mu = mu, tau = tau, density = z))
}

#' @rdname metapool_bayes-methods
#' @param shrinkage For `forest_plot()`: draw each study's shrinkage estimate
#'   (its posterior median and interval given all studies) under its own
#'   estimate.
#' @param xlab,title Optional axis title and plot title.
#' @export
forest_plot.metapool_bayes <- function(x, shrinkage = TRUE, digits = 2, xlab = NULL,
                                       title = NULL, ...) {
  chk_no_dots(...)
  shrinkage <- chk_flag(shrinkage, "shrinkage") && !is.null(x$posterior$shrinkage)
  f <- back_transform_fun(x$measure)
  ratio <- is_ratio_measure(x$measure)
  crit <- stats::qnorm(1 - (1 - x$level) / 2)
  k <- x$k
  lim <- if (x$settings$interval == "shortest") c("shortest_lower", "shortest_upper") else c("lower", "upper")
  obs <- cbind(x$yi, x$yi - crit * sqrt(x$vi), x$yi + crit * sqrt(x$vi))
  sh <- if (shrinkage) as.matrix(x$posterior$shrinkage[c("median", lim)]) else NULL
  pooled <- c(x$estimate, x$ci_lb, x$ci_ub)
  pred <- c(x$estimate, x$pi_lb, x$pi_ub)
  step <- if (shrinkage) 2 else 1
  y_study <- k * step + 3 - step * (seq_len(k) - 1)
  rng <- range(obs[, 2:3], pooled, pred, if (shrinkage) sh, finite = TRUE)
  labels <- c(as.character(x$slab), "Pooled mu", "New study")
  txt <- function(m) sprintf("%s [%s, %s]", fmt_fixed(f(m[, 1]), digits),
                             fmt_fixed(f(m[, 2]), digits), fmt_fixed(f(m[, 3]), digits))
  old <- graphics::par(no.readonly = TRUE)
  on.exit(graphics::par(old))
  graphics::par(mar = c(4.5, 1, if (is.null(title)) 1 else 3, 1))
  graphics::plot.new()
  width <- diff(rng)
  xr <- c(rng[1] - 0.9 * width, rng[2] + 0.9 * width)
  graphics::plot.window(xlim = xr, ylim = c(0.5, max(y_study) + 1))
  at <- pretty(rng)
  if (ratio) {
    ticks <- outer(c(1, 2, 5), 10^(-4:4))
    ticks <- sort(ticks[log(ticks) >= rng[1] - 0.1 * width & log(ticks) <= rng[2] + 0.1 * width])
    at <- log(ticks)
    graphics::axis(1, at = at, labels = format(ticks))
  } else {
    graphics::axis(1, at = at)
  }
  graphics::abline(v = 0, lty = 2, col = "grey50")
  graphics::title(xlab = xlab %||% (if (x$measure == "generic") "effect" else x$measure),
                  main = title, line = 2)
  graphics::text(xr[1], y_study, labels[seq_len(k)], adj = 0, cex = 0.8)
  graphics::segments(obs[, 2], y_study, obs[, 3], y_study, col = "grey40")
  graphics::points(obs[, 1], y_study, pch = 15, col = "grey40")
  graphics::text(xr[2], y_study, txt(obs), adj = 1, cex = 0.8, col = "grey30")
  if (shrinkage) {
    ys <- y_study - 0.8
    graphics::segments(sh[, 2], ys, sh[, 3], ys, col = "black")
    graphics::points(sh[, 1], ys, pch = 18)
    graphics::text(xr[2], ys, txt(sh), adj = 1, cex = 0.8)
  }
  yp <- 2
  graphics::polygon(c(pooled[2], pooled[1], pooled[3], pooled[1]),
                    c(yp, yp + 0.3, yp, yp - 0.3), col = "black")
  graphics::segments(pred[2], 1, pred[3], 1, lwd = 2)
  graphics::text(xr[1], c(yp, 1), labels[k + 1:2], adj = 0, cex = 0.8, font = 2)
  graphics::text(xr[2], c(yp, 1), txt(rbind(pooled, pred)), adj = 1, cex = 0.8, font = 2)
  graphics::mtext(sprintf("grey: study estimates (%g%% CI)%s", 100 * x$level,
                          if (shrinkage) "; black: shrinkage estimates (posterior median, interval)" else ""),
                  side = 1, line = 3.2, cex = 0.7)
  invisible(list(studies = obs, shrinkage = sh, pooled = pooled, prediction = pred))
}
