# Axis scales of the plots: limits, tick positions and labels, log scale for ratios.

# Axis limits and ticks on the analysis scale (log for ratios). By default symmetric
# about no effect, as RevMan draws it, wide enough for the study estimates and the
# pooled intervals, with study intervals clipped (arrows) beyond 1.5 times that.
forest_scale <- function(panel, xlim, at) {
  rows <- panel$rows
  log_scale <- panel$log
  tr <- if (log_scale) log else identity
  if (!is.null(xlim)) {
    lim <- tr(xlim)
    ticks <- if (!is.null(at)) tr(at) else if (log_scale) log(log_ticks_within(xlim)) else
      pretty(xlim)
  } else {
    pooled <- rows$type %in% c("pooled", "summary")
    core <- abs(c(rows$est, rows$lb[pooled], rows$ub[pooled]))
    core <- core[is.finite(core)]
    all <- abs(c(rows$lb, rows$ub, rows$est))
    all <- all[is.finite(all)]
    ext <- if (length(core)) max(core) else 1
    ext <- max(ext, min(if (length(all)) max(all) else ext, 1.5 * ext))
    if (log_scale) {
      ladder <- list(`1.5` = c(0.67, 1, 1.5), `2` = c(0.5, 0.7, 1, 1.5, 2),
                     `5` = c(0.2, 0.5, 1, 2, 5), `10` = c(0.1, 0.2, 0.5, 1, 2, 5, 10),
                     `20` = c(0.05, 0.2, 1, 5, 20), `50` = c(0.02, 0.1, 1, 10, 50),
                     `100` = c(0.01, 0.1, 1, 10, 100), `200` = c(0.005, 0.1, 1, 10, 200),
                     `1000` = c(0.001, 0.01, 0.1, 1, 10, 100, 1000))
      r <- as.numeric(names(ladder))
      pick <- which(log(r) >= ext * (1 - 1e-9))[1L]
      if (is.na(pick)) {
        n <- ceiling(ext / log(10))
        ticks_ratio <- 10^seq(-n, n, by = max(1, n %/% 2))
      } else {
        ticks_ratio <- ladder[[pick]]
      }
      lim <- log(range(ticks_ratio))
      ticks <- log(ticks_ratio)
    } else {
      if (ext <= 0) ext <- 1
      mag <- 10^floor(log10(ext))
      nice <- c(1, 2, 4, 10) * mag
      top <- nice[which(nice >= ext * (1 - 1e-9))[1L]]
      lim <- c(-top, top)
      ticks <- seq(-top, top, length.out = 5L)
    }
    if (!is.null(at)) {
      ticks <- tr(at)
      lim <- range(c(lim, ticks))
    }
  }
  ticks <- ticks[ticks >= lim[1L] - 1e-9 & ticks <= lim[2L] + 1e-9]
  labels <- if (log_scale) as.character(signif(exp(ticks), 3)) else
    as.character(signif(ticks, 6))
  list(lim = lim, ticks = ticks, labels = labels, log = log_scale,
       null = if (lim[1L] <= 0 && lim[2L] >= 0) 0 else NA_real_)
}

log_ticks_within <- function(xlim) {
  cand <- sort(unique(c(outer(c(1, 2, 5), 10^(-4:4)))))
  cand <- cand[cand >= xlim[1L] * (1 - 1e-9) & cand <= xlim[2L] * (1 + 1e-9)]
  if (length(cand) > 9L) cand <- cand[cand %in% 10^(-4:4) | cand == 1]
  unique(c(xlim[1L], cand, xlim[2L]))
}

