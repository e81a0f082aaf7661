# Funnel plots, plain and contour-enhanced, drawn with base graphics.

#' Funnel plots
#'
#' Plots each study's effect against its standard error (the standard-error
#' axis reversed, 0 at the top), with a vertical line at the pooled estimate
#' and the pseudo confidence region `estimate +/- z * SE` in which about
#' `level` of the studies would lie without heterogeneity or small-study
#' effects. With `contour = TRUE` the plot is contour-enhanced (Peters et al.
#' 2008): the shading marks where a study's own effect would be statistically
#' significant at each of `levels`, around the line of no effect, which helps
#' tell asymmetry from publication bias (missing studies in the regions of
#' non-significance) from asymmetry with other causes.
#'
#' Works on any [metapool()] or [metapool_mh()] fit; studies that were not
#' estimable are left out. Ratio measures are plotted on the log scale with
#' back-transformed axis labels. In a subgroup analysis the points are coloured
#' by subgroup.
#'
#' @param x A `metapool` fit.
#' @param contour Logical: shade the significance contours.
#' @param levels Confidence levels of the contours (proportions or
#'   percentages), e.g. `c(0.90, 0.95, 0.99)` for two-sided p = 0.10, 0.05 and
#'   0.01.
#' @param level Level of the pseudo confidence region; by default the fit's.
#' @param xlim Optional limits of the effect axis, on the scale shown (ratios
#'   for RR and OR).
#' @param se_max Optional largest standard error shown (bottom of the plot).
#' @param xlab,ylab Axis titles; `xlab` defaults to the name of the measure.
#' @param title Optional title.
#' @param col Colour of the points (one, or one per subgroup).
#' @param shade Colours of the contour regions, from the least to the most
#'   significant (`length(levels) + 1` of them); grey shades by default.
#' @param legend Logical: show a legend for the contours and subgroups.
#' @param pch,cex Plotting symbol and its size.
#' @param filled Optional logical vector, one per study: studies imputed by
#'   [trim_fill()], drawn as open circles (what `plot()` of a trim-and-fill
#'   result passes).
#' @param file Optional file name (`.pdf`, `.png`, `.svg`, `.jpeg`, `.tiff`); a
#'   device of size `width` x `height` inches is opened, drawn on and closed.
#' @param width,height Size of the file in inches.
#' @param res Resolution in pixels per inch for bitmap files.
#' @param ... Passed on to methods; unused arguments are an error.
#' @return Invisibly (so nothing is printed), a list with `width`, `height`
#'   (inches), `file`, and the plotted data `data` (`yi`, `se` and `subgroup`,
#'   on the analysis scale). A fit of synthetic data (`synthetic` field `TRUE`)
#'   gets "Synthetic data" in its title.
#' @references Peters JL, Sutton AJ, Jones DR, Abrams KR, Rushton L (2008).
#'   Contour-enhanced meta-analysis funnel plots help distinguish publication
#'   bias from other causes of asymmetry. *Journal of Clinical Epidemiology*,
#'   61, 991-996.
#'
#'   Sterne JAC, Sutton AJ, Ioannidis JPA, et al. (2011). Recommendations for
#'   examining and interpreting funnel plot asymmetry in meta-analyses of
#'   randomised controlled trials. *BMJ*, 343, d4002.
#' @seealso [forest_plot()]
#' @examples
#' es <- es_rr(tpos, tpos + tneg, cpos, cpos + cneg, data = bcg, slab = paste(author, year))
#' fit <- metapool(es)
#' funnel_plot(fit, file = tempfile(fileext = ".pdf"))
#' funnel_plot(fit, contour = TRUE, file = tempfile(fileext = ".png"))
#' @export
funnel_plot <- function(x, ...) {
  UseMethod("funnel_plot")
}

#' @export
funnel_plot.default <- function(x, ...) {
  abort_input(sprintf(
    "`funnel_plot()` needs a metapool fit, not an object of class \"%s\".", class(x)[1L]
  ), "x")
}

#' @rdname funnel_plot
#' @export
funnel_plot.metapool <- function(x, contour = FALSE, levels = c(0.90, 0.95, 0.99),
                                 level = NULL, xlim = NULL, se_max = NULL, xlab = NULL,
                                 ylab = "Standard error", title = NULL, col = NULL,
                                 shade = NULL, legend = TRUE, pch = 19, cex = 1, filled = NULL,
                                 file = NULL, width = 6.5, height = 5, res = 150, ...) {
  chk_no_dots(...)
  contour <- chk_flag(contour, "contour")
  legend <- chk_flag(legend, "legend")
  if (!is.numeric(levels) || !length(levels) || anyNA(levels)) {
    abort_input("`levels` must be confidence levels, e.g. c(0.90, 0.95, 0.99).", "levels")
  }
  levels <- sort(vapply(levels, chk_level, numeric(1)))
  level <- if (is.null(level)) x$level else chk_level(level)
  se_max <- chk_positive_number(se_max, "se_max")
  ratio <- is_ratio_measure(x$measure)
  if (!is.null(xlim)) {
    if (!is.numeric(xlim) || length(xlim) != 2L || anyNA(xlim) || xlim[1L] >= xlim[2L] ||
        any(!is.finite(xlim)) || (ratio && any(xlim <= 0))) {
      abort_input("`xlim` must be two increasing finite numbers (positive for ratio measures).",
                  "xlim")
    }
    if (ratio) xlim <- log(xlim)
  }
  if (!length(x$yi)) abort_input("The fit has no estimable studies to plot.", "x")
  if (!is.null(shade) && (!is.character(shade) || length(shade) != length(levels) + 1L)) {
    abort_input(sprintf("`shade` must be %d colours (one more than `levels`).",
                        length(levels) + 1L), "shade")
  }
  if (!is.null(xlab)) xlab <- chk_strings(xlab, 1L, "xlab")
  if (!is.null(title)) title <- chk_strings(title, 1L, "title")
  title <- synthetic_title(title, isTRUE(x$synthetic))
  data <- data.frame(yi = x$yi, se = sqrt(x$vi), subgroup = funnel_groups(x),
                     stringsAsFactors = FALSE)
  if (!is.null(filled) && (!is.logical(filled) || length(filled) != nrow(data) || anyNA(filled))) {
    abort_input(sprintf("`filled` must be TRUE or FALSE for each of the %d studies.", nrow(data)), "filled")
  }
  data$filled <- filled %||% rep(FALSE, nrow(data))
  args <- list(x = x, data = data, contour = contour, levels = levels, level = level,
               xlim = xlim, se_max = se_max, xlab = xlab, ylab = ylab, title = title,
               col = col, shade = shade, legend = legend, pch = pch, cex = cex)
  plot_output(function() {
    do.call(funnel_draw, args)
    list(data = data)
  }, file, width, height, res)
}

# The subgroup of each study of a fit (NA without subgroups).
funnel_groups <- function(x) {
  out <- rep(NA_character_, length(x$yi))
  if (is.null(x$subgroups)) return(out)
  for (g in names(x$subgroups)) {
    sub <- x$subgroups[[g]]
    pos <- if (!is.null(sub$rows) && !is.null(x$rows)) match(sub$rows, x$rows) else
      match(sub$slab, x$slab)
    out[pos[!is.na(pos)]] <- g
  }
  out
}

funnel_draw <- function(x, data, contour, levels, level, xlim, se_max, xlab, ylab, title, col,
                        shade, legend, pch, cex) {
  ratio <- is_ratio_measure(x$measure)
  est <- x$estimate
  z <- stats::qnorm(1 - (1 - level) / 2)
  z_levels <- stats::qnorm(1 - (1 - levels) / 2)
  top <- se_max %||% (max(data$se) * 1.08)
  if (is.null(xlim)) {
    reach <- c(data$yi, est - z * top, est + z * top)
    if (contour) reach <- c(reach, -max(z_levels) * top, max(z_levels) * top)
    reach <- reach[is.finite(reach)]
    xlim <- range(reach) + c(-1, 1) * 0.04 * diff(range(reach))
  }
  groups <- data$subgroup
  lv <- unique(groups[!is.na(groups)])
  shade <- shade %||% grDevices::grey(seq(1, 0.74, length.out = length(levels) + 1L))
  key <- funnel_legend_entries(contour, levels, shade, lv)
  old <- graphics::par(mar = c(4.2, 4.2, if (is.null(title)) 1.2 else 2.6, 1.2), las = 1)
  on.exit(graphics::par(old))
  if (legend && length(key$labels)) {
    # The legend goes in the right margin, where it cannot hide a study.
    lines_needed <- (max(graphics::strwidth(key$labels, units = "inches", cex = 0.8)) + 0.45) /
      graphics::par("csi")
    graphics::par(mar = c(4.2, 4.2, if (is.null(title)) 1.2 else 2.6, 1.2 + lines_needed))
  }
  graphics::plot.new()
  graphics::plot.window(xlim = xlim, ylim = c(top, 0), xaxs = "i", yaxs = "i")
  usr <- graphics::par("usr")
  if (contour) {
    # Outermost region first: significant at every level; then nested triangles.
    graphics::rect(usr[1L], usr[3L], usr[2L], usr[4L], col = shade[length(shade)], border = NA)
    for (i in rev(seq_along(levels))) {
      zi <- z_levels[i]
      graphics::polygon(c(-zi * top, 0, zi * top), c(top, 0, top), col = shade[i], border = NA)
    }
    graphics::segments(0, top, 0, 0, col = "grey30", lty = 3)
  } else {
    graphics::polygon(c(est - z * top, est, est + z * top), c(top, 0, top), col = "grey94",
                      border = NA)
  }
  graphics::lines(c(est - z * top, est, est + z * top), c(top, 0, top), lty = 2, col = "grey25")
  graphics::segments(est, top, est, 0, col = "grey15")
  if (is.null(col)) {
    col <- if (length(lv)) grDevices::hcl.colors(length(lv), "Dark 3") else "black"
  }
  point_col <- if (length(lv) && length(col) == length(lv)) col[match(groups, lv)] else col[1L]
  graphics::points(data$yi, data$se, pch = ifelse(data$filled, 1, pch), cex = cex, col = point_col,
                   bg = point_col)
  graphics::box()
  if (ratio) {
    ticks <- log_ticks_within(exp(xlim))
    ticks <- ticks[-c(1L, length(ticks))]
    if (length(ticks) < 3L) ticks <- signif(exp(pretty(xlim)), 2)
    graphics::axis(1, at = log(ticks), labels = as.character(signif(ticks, 3)))
  } else {
    graphics::axis(1)
  }
  graphics::axis(2)
  xlab <- xlab %||% paste0(effect_heading(x$measure, x$mh_method),
                           if (ratio) " (log scale)" else "")
  graphics::title(xlab = xlab, ylab = ylab, main = title)
  if (legend && length(key$labels)) {
    n_fill <- length(key$fill)
    graphics::legend(
      usr[2L] + 0.02 * diff(usr[1:2]), usr[4L], legend = key$labels, xpd = NA,
      fill = c(key$fill, rep(NA, length(lv))),
      border = c(rep("grey40", n_fill), rep(NA, length(lv))),
      pch = c(rep(NA, n_fill), rep(pch, length(lv))),
      col = c(rep(NA, n_fill), if (length(col) == length(lv)) col else rep(col[1L], length(lv))),
      bty = "n", cex = 0.8, title = if (contour) "Contours" else NULL, title.adj = 0
    )
  }
  invisible(NULL)
}

# Labels and fills of the contour regions (least significant first) and subgroups.
funnel_legend_entries <- function(contour, levels, shade, groups) {
  labels <- character(0)
  fill <- character(0)
  if (contour) {
    bounds <- c(1, 1 - levels, 0)
    labels <- vapply(seq_len(length(levels) + 1L), function(i) {
      hi <- format(bounds[i])
      lo <- format(bounds[i + 1L])
      if (bounds[i] == 1) paste("p >", lo) else if (bounds[i + 1L] == 0) paste("p <", hi) else
        paste(lo, "< p <", hi)
    }, character(1))
    fill <- shade
  }
  list(labels = c(labels, groups), fill = fill)
}
