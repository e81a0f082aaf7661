# Forest plots in the layout of Review Manager 5: the exported front ends.
#
# Every forest plot is built in two steps: a front end turns its input (a fit, or a
# data frame of results) into a *specification* -- text columns, and panels of rows
# with their estimates (R/forest_layout.R) -- and one engine measures that
# specification, works out the size it needs and draws it (R/forest_draw.R). All
# geometry is in inches, so the size of a figure follows from its number of rows and
# the widths of its texts.

#' Forest plots
#'
#' Draws a forest plot of a [metapool()] or [metapool_mh()] fit in the layout of
#' Review Manager 5 (RevMan), in a compact layout, or, from a data frame of
#' results, a summary plot with one row per analysis. The function works out
#' the width and height the plot needs from its rows and columns, returns them
#' invisibly, and with `file` writes a file of exactly that size.
#'
#' @section Layouts:
#' * `"revman"` (default): study label; for continuous data the mean, SD and
#'   total of each arm, for binary data the events and total of each arm (when
#'   the fit was made from an `mp_es` object or by [metapool_mh()]; otherwise
#'   only what exists); weight (%); the effect with its confidence interval as
#'   text; then the plot, with squares sized by weight (area proportional to
#'   the weight), confidence-interval lines (arrows where they leave the axis),
#'   a diamond for each pooled estimate, and under each pooled row the
#'   heterogeneity statistics and the test for the overall effect. With
#'   subgroups, each subgroup has its block with its subtotal, followed by the
#'   overall total and the test for subgroup differences.
#' * `"compact"`: study label, the plot, the effect with its interval, and the
#'   weight.
#'
#' Studies that are not estimable (no events in either arm, for risk and odds
#' ratios) are shown as a row reading "Not estimable", without a square.
#' Weights are the studies' percentages in the overall analysis, as RevMan
#' shows them: a subtotal's weight is the sum over its studies, and the
#' subtotals add up to 100%. Study intervals are Wald intervals at the fit's
#' level; pooled rows show the fit's own interval (z, t or Hartung-Knapp).
#' Ratio measures are drawn on a log scale with back-transformed axis labels.
#'
#' @section Sizes and files:
#' The plot is laid out in inches: one line of text per row (more for a
#' wrapped label) at `fontsize` points, text columns as wide as their widest
#' entry. The invisible result
#' gives the `width` and `height` this needs. With `file`, a device of that
#' size (or of `width`/`height`, when given) is opened according to the file
#' extension (`.pdf`, `.png`, `.svg`, `.jpeg`/`.jpg`, `.tiff`), drawn on and
#' closed. Without `file` the plot is drawn on the current device, scaled to
#' it: enlarged to fill a device larger than it needs (up to three times, e.g.
#' `plot(fit)` in a large window), and shrunk to fit one that is too small (so
#' text never overlaps, but may become small: use `file`, or open a device of
#' the returned size, for large plots).
#'
#' Figures drawn from synthetic data (a fit whose `synthetic` field is
#' `TRUE`, or a data frame of class `mp_synthetic`, such as
#' [eccleston2014_synthetic]) say "Synthetic data" in their title.
#'
#' @param x A `metapool` fit (from [metapool()] or [metapool_mh()]), or for
#'   the summary layout a data frame with one row per analysis.
#' @param layout `"revman"` or `"compact"`.
#' @param labels Names of the two groups, shown above their columns: a
#'   character vector of length 2 (experimental, control).
#' @param favours Texts under the axis: the left one for effects favouring
#'   the experimental group (below 0, or below 1 for ratios, by RevMan's
#'   convention) and the right one; swap them for a beneficial outcome, where
#'   larger effects favour the experimental group. A text not starting with
#'   "Favours" is shown as "Favours \[text\]". In the summary layout, a list
#'   of such pairs named by measure (e.g. `list(RR = c("control",
#'   "experimental"))`) sets them per panel; unnamed panels keep the default.
#' @param prediction Logical: add a row with the prediction interval under
#'   each pooled estimate that has one.
#' @param digits Decimal places of effects, intervals and heterogeneity
#'   statistics.
#' @param xlim,at Axis limits and tick positions, on the scale shown (ratios,
#'   not log ratios, for RR and OR). By default the axis is symmetric about the
#'   line of no effect, as in RevMan, and wide enough for the study estimates
#'   and pooled intervals; confidence intervals reaching beyond it end in
#'   arrows.
#' @param xlab Optional axis title, under the "Favours" texts.
#' @param title Optional title above the plot.
#' @param columns Optional character vector: the text columns to show, in
#'   order, chosen from `"mean1"`, `"sd1"`, `"total1"`, `"mean2"`, `"sd2"`,
#'   `"total2"` (continuous data), `"events1"`, `"total1"`, `"events2"`,
#'   `"total2"` (binary data), `"weight"` and `"effect"`; `character(0)` for
#'   none. The study label always comes first.
#' @param extra Optional extra columns shown after the study label: a data
#'   frame (or named list) with one entry per row of the data given to the
#'   fit; names are used as headers.
#' @param heterogeneity Logical: show the heterogeneity and overall-effect
#'   lines under each pooled row.
#' @param study_label Header of the label column.
#' @param col Optional named character vector overriding colours among
#'   `square`, `line` (study confidence intervals), `diamond`, `prediction`,
#'   `text`, `refline` (line of no effect) and `axis`.
#' @param fontsize Text size in points.
#' @param plot_width Width of the graph column in inches (default 2.4).
#' @param order Optional order of the studies (within each subgroup): one of
#'   `"effect"` (smallest effect first), `"weight"` (largest weight first),
#'   `"se"` (most precise first) or `"label"` (alphabetical), or a vector with
#'   one value per row of the data given to the fit (e.g. the year of
#'   publication) to sort by, ties and missing values kept in input order. By
#'   default the input order.
#' @param sortvar The same as `order`, under the name meta uses.
#' @param label_wrap Study labels longer than this many characters are broken
#'   into lines (`Inf` for never), so a long label makes the row taller
#'   instead of the figure wider.
#' @param file Optional file name; the device is chosen by its extension.
#' @param width,height Optional size of the file in inches (default: the size
#'   the plot needs).
#' @param res Resolution in pixels per inch for bitmap files.
#' @param ... Passed on to methods; unused arguments are an error.
#' @return Invisibly (so nothing is printed), a list with `width` and
#'   `height` (inches) that the plot needs, `file`, `rows` (the number of
#'   rows), and `scale` (the factor by which the drawing was scaled to the
#'   device: below 1 when it was shrunk to fit, above 1 when it was enlarged
#'   to fill a larger device).
#' @seealso [funnel_plot()]
#' @examples
#' es <- es_smd(m1, sd1, n1, m2, sd2, n2, data = normand1999, slab = source,
#'              preset = "revman5")
#' fit <- metapool(es, method = "DL")
#' size <- forest_plot(fit, file = tempfile(fileext = ".pdf"))
#' size[c("width", "height")]
#'
#' # Studies sorted by their effect
#' forest_plot(fit, order = "effect", file = tempfile(fileext = ".pdf"))
#'
#' # Binary data with zero cells, RevMan's M-H random-effects risk ratio
#' mh <- metapool_mh(events1, n1, events2, n2, data = nielweise2007, slab = author,
#'                   measure = "RR", model = "random", preset = "revman5")
#' forest_plot(mh, layout = "compact", file = tempfile(fileext = ".png"))
#' @export
forest_plot <- function(x, ...) {
  UseMethod("forest_plot")
}

#' @export
forest_plot.default <- function(x, ...) {
  abort_input(sprintf(
    "`forest_plot()` needs a metapool fit or a data frame of results, not an object of class \"%s\".",
    class(x)[1L]
  ), "x")
}

#' @rdname forest_plot
#' @export
forest_plot.metapool <- function(x, layout = c("revman", "compact"),
                                 labels = c(experimental = "Experimental", control = "Control"),
                                 favours = c("experimental", "control"), prediction = FALSE,
                                 digits = 2, xlim = NULL, at = NULL, xlab = NULL, title = NULL,
                                 columns = NULL, extra = NULL, heterogeneity = TRUE,
                                 study_label = "Study or Subgroup", col = NULL, fontsize = 9,
                                 plot_width = NULL, order = NULL, sortvar = NULL,
                                 label_wrap = 40, file = NULL, width = NULL, height = NULL,
                                 res = 150, ...) {
  chk_no_dots(...)
  if (!is.null(order) && !is.null(sortvar)) {
    abort_input("Give `order` or `sortvar` (its name in meta), not both.", "sortvar")
  }
  label_wrap <- chk_label_wrap(label_wrap)
  layout <- chk_choice(layout[1L], c("revman", "compact"), "layout")
  labels <- chk_strings(labels, 2L, "labels")
  prediction <- chk_flag(prediction, "prediction")
  heterogeneity <- chk_flag(heterogeneity, "heterogeneity")
  digits <- chk_count(digits, "digits")
  study_label <- chk_strings(study_label, 1L, "study_label")
  spec <- forest_spec_fit(x, layout, labels, prediction, digits, columns, extra,
                          heterogeneity, study_label, order %||% sortvar, label_wrap)
  spec <- forest_spec_options(spec, favours, xlim, at, xlab, title, col, fontsize, plot_width)
  spec$title <- synthetic_title(spec$title, isTRUE(x$synthetic))
  forest_output(spec, file, width, height, res)
}

#' @rdname forest_plot
#' @param label,estimate,ci_lb,ci_ub,measure,group For the summary layout:
#'   names of the columns of `x` holding the row labels, the estimates and
#'   confidence limits (on the scale shown: ratios for RR and OR), the measure
#'   (optional) and a grouping shown as headings (optional).
#' @param log_scale For the summary layout: draw on a log scale. By default
#'   `TRUE` for the ratio measures `"RR"`, `"OR"`, `"HR"` and `"Peto OR"` and
#'   `FALSE` otherwise.
#' @param level Confidence level of the intervals in `x` (for the headers).
#' @details The summary layout (the data-frame method) draws one row per
#'   analysis, e.g. the published results of a review. Each distinct value of
#'   the `measure` column gets its own panel, with its own axis (a log axis for
#'   ratio measures): effects on different scales are never drawn on one axis.
#'   `xlim` and `at`, when given, apply to every panel, so to set them per
#'   measure draw one measure per call. In the data-frame method `columns`
#'   names further columns of `x` to show as text (names of the vector, when
#'   given, are the headers).
#' @examples
#'
#' # Summary layout: one row per analysis, one panel per measure
#' results <- data.frame(
#'   analysis = c("Pain, end of treatment", "Disability", "Mood", "Adverse events"),
#'   measure = c("SMD", "SMD", "SMD", "RR"),
#'   estimate = c(-0.29, -0.34, -0.18, 0.80),
#'   ci_lb = c(-0.48, -0.54, -0.35, 0.45),
#'   ci_ub = c(-0.10, -0.14, -0.01, 1.42)
#' )
#' forest_plot(results, file = tempfile(fileext = ".pdf"))
#' @export
forest_plot.data.frame <- function(x, label = "analysis", estimate = "estimate",
                                   ci_lb = "ci_lb", ci_ub = "ci_ub", measure = "measure",
                                   group = NULL, log_scale = NULL, columns = NULL,
                                   favours = c("experimental", "control"), digits = 2,
                                   xlim = NULL, at = NULL, xlab = NULL, title = NULL,
                                   study_label = "Analysis", level = 95, col = NULL,
                                   fontsize = 9, plot_width = NULL, label_wrap = 40,
                                   file = NULL, width = NULL, height = NULL, res = 150, ...) {
  chk_no_dots(...)
  digits <- chk_count(digits, "digits")
  study_label <- chk_strings(study_label, 1L, "study_label")
  if (!is.null(log_scale)) log_scale <- chk_flag(log_scale, "log_scale")
  spec <- forest_spec_summary(x, label, estimate, ci_lb, ci_ub, measure, group, log_scale,
                              columns, digits, study_label, chk_level(level),
                              chk_label_wrap(label_wrap))
  spec <- forest_spec_options(spec, favours, xlim, at, xlab, title, col, fontsize, plot_width)
  spec$title <- synthetic_title(spec$title, inherits(x, "mp_synthetic"))
  forest_output(spec, file, width, height, res)
}

#' @rdname forest_plot
#' @export
plot.metapool <- function(x, ...) {
  forest_plot(x, ...)
}


# Measure the specification, then draw it on a file of the size it needs (or of
# `width` x `height`), or on the current device.
chk_label_wrap <- function(x) {
  if (!is.numeric(x) || length(x) != 1L || is.na(x) || x < 10) {
    abort_input("`label_wrap` must be a number of characters, at least 10 (or Inf).",
                "label_wrap")
  }
  x
}

forest_output <- function(spec, file, width, height, res) {
  width <- chk_positive_number(width, "width")
  height <- chk_positive_number(height, "height")
  # The size needed, measured with PDF font metrics; the fonts of bitmap and SVG
  # devices can run a little wider, hence the margin.
  size <- with_measuring_device(function() forest_geometry(spec, pad = forest_pad))
  plot_output(function() forest_draw(spec, fill = is.null(file)), file,
              width %||% size$width, height %||% size$height, res)
}
