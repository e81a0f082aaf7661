# Forest plots in the layout of Review Manager 5, drawn with base graphics.
#
# Every forest plot is built in two steps: a method turns its input (a fit, or a data
# frame of results) into a *specification* -- text columns, and panels of rows with
# their estimates -- and one engine measures that specification, works out the size
# it needs and draws it. All geometry is in inches, so the size of a figure follows
# from its number of rows and the widths of its texts.

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
#' The plot is laid out in inches: one line of text per row at `fontsize`
#' points, text columns as wide as their widest entry. The invisible result
#' gives the `width` and `height` this needs. With `file`, a device of that
#' size (or of `width`/`height`, when given) is opened according to the file
#' extension (`.pdf`, `.png`, `.svg`, `.jpeg`/`.jpg`, `.tiff`), drawn on and
#' closed. Without `file` the plot is drawn on the current device, shrunk to
#' fit when the device is too small (so text never overlaps, but may become
#' small: use `file`, or open a device of the returned size, for large plots).
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
#' @param file Optional file name; the device is chosen by its extension.
#' @param width,height Optional size of the file in inches (default: the size
#'   the plot needs).
#' @param res Resolution in pixels per inch for bitmap files.
#' @param ... Passed on to methods; unused arguments are an error.
#' @return Invisibly, a list with `width` and `height` (inches) that the plot
#'   needs, `rows` (the number of rows), `file`, and `scale` (the factor by
#'   which the plot was shrunk to fit the device; 1 when it fits).
#' @seealso [funnel_plot()]
#' @examples
#' es <- es_smd(m1, sd1, n1, m2, sd2, n2, data = normand1999, slab = source,
#'              preset = "revman5")
#' fit <- metapool(es, method = "DL")
#' size <- forest_plot(fit, file = tempfile(fileext = ".pdf"))
#' size[c("width", "height")]
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
                                 plot_width = NULL, file = NULL, width = NULL, height = NULL,
                                 res = 150, ...) {
  chk_no_dots(...)
  layout <- chk_choice(layout[1L], c("revman", "compact"), "layout")
  labels <- chk_strings(labels, 2L, "labels")
  prediction <- chk_flag(prediction, "prediction")
  heterogeneity <- chk_flag(heterogeneity, "heterogeneity")
  digits <- chk_count(digits, "digits")
  study_label <- chk_strings(study_label, 1L, "study_label")
  spec <- forest_spec_fit(x, layout, labels, prediction, digits, columns, extra,
                          heterogeneity, study_label)
  spec <- forest_spec_options(spec, favours, xlim, at, xlab, title, col, fontsize, plot_width)
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
                                   fontsize = 9, plot_width = NULL, file = NULL, width = NULL,
                                   height = NULL, res = 150, ...) {
  chk_no_dots(...)
  digits <- chk_count(digits, "digits")
  study_label <- chk_strings(study_label, 1L, "study_label")
  if (!is.null(log_scale)) log_scale <- chk_flag(log_scale, "log_scale")
  spec <- forest_spec_summary(x, label, estimate, ci_lb, ci_ub, measure, group, log_scale,
                              columns, digits, study_label, chk_level(level))
  spec <- forest_spec_options(spec, favours, xlim, at, xlab, title, col, fontsize, plot_width)
  forest_output(spec, file, width, height, res)
}

#' @rdname forest_plot
#' @export
plot.metapool <- function(x, ...) {
  forest_plot(x, ...)
}

# ---- argument checks -------------------------------------------------------------

chk_no_dots <- function(...) {
  dots <- list(...)
  if (length(dots)) {
    nms <- names(dots)
    shown <- if (is.null(nms)) "unnamed" else paste0("`", nms[nzchar(nms)], "`", collapse = ", ")
    abort_input(sprintf("Unused argument(s): %s.", shown), "...")
  }
  invisible(NULL)
}

chk_strings <- function(x, n, nm) {
  if (!is.character(x) || length(x) != n || anyNA(x)) {
    abort_input(sprintf("`%s` must be a character vector of length %d.", nm, n), nm)
  }
  unname(x)
}

chk_count <- function(x, nm) {
  if (!is.numeric(x) || length(x) != 1L || is.na(x) || x < 0 || x > 10 || x != round(x)) {
    abort_input(sprintf("`%s` must be a whole number between 0 and 10.", nm), nm)
  }
  as.integer(x)
}

chk_positive_number <- function(x, nm, null_ok = TRUE) {
  if (is.null(x) && null_ok) return(NULL)
  if (!is.numeric(x) || length(x) != 1L || is.na(x) || x <= 0 || !is.finite(x)) {
    abort_input(sprintf("`%s` must be a single positive number.", nm), nm)
  }
  x
}

# ---- text helpers ----------------------------------------------------------------

# The superscript two, or "^2" where the session cannot represent it.
sup2 <- function() {
  if (isTRUE(l10n_info()[["UTF-8"]]) || isTRUE(l10n_info()[["Latin-1"]])) "\u00b2" else "^2"
}

# P as RevMan shows it: two significant digits, floor "P < 0.00001".
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

# Arm-level numbers as given (up to six significant digits, no padding).
fmt_value <- function(x) {
  out <- trimws(formatC(x, digits = 6, format = "fg"))
  out[is.na(x)] <- ""
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

# ---- specification from a fit ----------------------------------------------------

forest_columns_available <- function(arms) {
  if (is.null(arms)) return(c("weight", "effect"))
  if (all(c("m1", "sd1") %in% names(arms))) {
    return(c("mean1", "sd1", "total1", "mean2", "sd2", "total2", "weight", "effect"))
  }
  c("events1", "total1", "events2", "total2", "weight", "effect")
}

# Studies of one fit (or subgroup fit), estimable or not, in their input order.
forest_study_table <- function(fit, overall) {
  k <- length(fit$yi)
  w <- fit$weights
  if (!identical(fit, overall)) {
    pos <- if (!is.null(fit$rows) && !is.null(overall$rows)) match(fit$rows, overall$rows) else
      match(fit$slab, overall$slab)
    w <- overall$weights[pos]
  }
  tab <- data.frame(slab = as.character(fit$slab), yi = fit$yi, vi = fit$vi,
                    weight = as.numeric(w), row = fit$rows %||% seq_len(k),
                    stringsAsFactors = FALSE)
  if (!is.null(fit$arms)) tab <- cbind(tab, fit$arms)
  ne <- fit$not_estimable_data
  if (!NROW(ne) && length(fit$not_estimable)) {
    ne <- data.frame(slab = as.character(fit$not_estimable), row = Inf, stringsAsFactors = FALSE)
  }
  if (NROW(ne)) {
    ne_tab <- data.frame(slab = as.character(ne$slab), yi = NA_real_, vi = NA_real_,
                         weight = NA_real_, row = ne$row, stringsAsFactors = FALSE)
    for (nm in names(fit$arms)) ne_tab[[nm]] <- if (is.null(ne[[nm]])) NA_real_ else ne[[nm]]
    tab <- rbind(tab, ne_tab)
  }
  tab[order(tab$row), , drop = FALSE]
}

forest_spec_fit <- function(x, layout, labels, prediction, digits, columns, extra,
                            heterogeneity, study_label) {
  available <- forest_columns_available(x$arms)
  binary <- "events1" %in% available
  if (is.null(columns)) {
    columns <- if (layout == "revman") available else c("effect", "weight")
  } else {
    if (!is.character(columns) || anyNA(columns)) {
      abort_input("`columns` must be a character vector of column names.", "columns")
    }
    bad <- setdiff(columns, available)
    if (length(bad)) {
      abort_input(sprintf("`columns` has %s, not available for this fit; choose from %s.",
                          paste0("\"", bad, "\"", collapse = ", "),
                          paste0("\"", available, "\"", collapse = ", ")), "columns")
    }
  }
  extra <- forest_extra(extra, x)
  ratio <- is_ratio_measure(x$measure)
  back <- if (ratio) exp else identity
  crit <- stats::qnorm(1 - (1 - x$level) / 2)
  level_text <- sprintf("%g%% CI", 100 * x$level)
  heads <- c(effect_heading(x$measure, x$mh_method), method_heading(x))
  fits <- if (is.null(x$subgroups)) list(x) else x$subgroups
  rows <- list()
  add <- function(type, label = "", est = NA_real_, lb = NA_real_, ub = NA_real_,
                  size = NA_real_, bold = FALSE, cells = list()) {
    rows[[length(rows) + 1L]] <<- list(type = type, label = label, est = est, lb = lb,
                                       ub = ub, size = size, bold = bold, cells = cells)
  }
  arm_cells <- function(tab) {
    if (binary) {
      list(events1 = fmt_value(tab$events1), total1 = fmt_value(tab$n1),
           events2 = fmt_value(tab$events2), total2 = fmt_value(tab$n2))
    } else if (!is.null(tab$m1)) {
      list(mean1 = fmt_value(tab$m1), sd1 = fmt_value(tab$sd1), total1 = fmt_value(tab$n1),
           mean2 = fmt_value(tab$m2), sd2 = fmt_value(tab$sd2), total2 = fmt_value(tab$n2))
    } else {
      list()
    }
  }
  pooled_rows <- function(fit, tab, label) {
    totals <- if (!is.null(tab$n1)) {
      list(total1 = fmt_value(sum(tab$n1)), total2 = fmt_value(sum(tab$n2)))
    } else {
      list()
    }
    weight <- sum(tab$weight, na.rm = TRUE)
    add("pooled", sprintf("%s (%s)", label, level_text), fit$estimate, fit$ci_lb, fit$ci_ub,
        bold = TRUE, cells = c(totals, list(
          weight = sprintf("%.1f%%", 100 * weight),
          effect = fmt_effect(fit$estimate, fit$ci_lb, fit$ci_ub, digits, back)
        )))
    if (binary && any(c("events1", "events2") %in% columns)) {
      add("events", "Total events", cells = list(events1 = fmt_value(sum(tab$events1)),
                                                 events2 = fmt_value(sum(tab$events2))))
    }
    if (prediction && is.finite(fit$pi_lb)) {
      add("prediction", "Prediction interval", fit$estimate, fit$pi_lb, fit$pi_ub,
          cells = list(effect = sprintf("[%s, %s]", fmt_fixed(back(fit$pi_lb), digits),
                                        fmt_fixed(back(fit$pi_ub), digits))))
    }
    if (heterogeneity) {
      add("text", heterogeneity_text(fit, digits))
      add("text", overall_effect_text(fit))
    }
  }
  all_tabs <- list()
  for (i in seq_along(fits)) {
    fit <- fits[[i]]
    tab <- forest_study_table(fit, x)
    all_tabs[[i]] <- tab
    if (!is.null(x$subgroups)) add("heading", names(fits)[i], bold = TRUE)
    for (j in seq_len(nrow(tab))) {
      est <- tab$yi[j]
      se <- sqrt(tab$vi[j])
      cells <- lapply(arm_cells(tab[j, , drop = FALSE]), identity)
      cells$weight <- if (is.finite(tab$weight[j])) sprintf("%.1f%%", 100 * tab$weight[j]) else ""
      cells$effect <- fmt_effect(est, est - crit * se, est + crit * se, digits, back)
      if (!is.null(extra)) {
        for (nm in names(extra)) {
          v <- extra[[nm]][tab$row[j]]
          cells[[nm]] <- if (is.na(v)) "" else v
        }
      }
      add("study", tab$slab[j], est, est - crit * se, est + crit * se, size = tab$weight[j],
          cells = cells)
    }
    if (!is.null(x$subgroups)) {
      pooled_rows(fit, tab, "Subtotal")
      add("blank")
    }
  }
  pooled_rows(x, do.call(rbind, all_tabs), "Total")
  if (!is.null(x$subgroups)) add("text", subgroup_test_text(x$subgroup_test))
  columns <- c("label", names(extra), columns)
  col_spec <- forest_column_table(columns, labels, heads, study_label, layout, names(extra))
  list(columns = col_spec,
       panels = list(list(rows = forest_rows_frame(rows, columns), log = ratio,
                          heads = heads, xlim = NULL, at = NULL)))
}

# Extra columns: a data frame or named list, one entry per input row.
forest_extra <- function(extra, x) {
  if (is.null(extra)) return(NULL)
  if (!is.list(extra) || is.null(names(extra)) || any(!nzchar(names(extra)))) {
    abort_input("`extra` must be a data frame or a named list of vectors.", "extra")
  }
  n <- max(c(x$rows, x$not_estimable_data$row, length(x$yi)))
  lens <- lengths(extra)
  if (any(lens < n)) {
    abort_input(sprintf("Each column of `extra` needs one value per row of the data (%d).", n),
                "extra")
  }
  lapply(extra, function(v) {
    out <- if (is.numeric(v)) fmt_value(v) else as.character(v)
    out[is.na(out)] <- ""
    out
  })
}

forest_column_table <- function(ids, labels, heads, study_label, layout, extra_names = NULL) {
  header <- c(label = study_label, mean1 = "Mean", sd1 = "SD", total1 = "Total",
              mean2 = "Mean", sd2 = "SD", total2 = "Total", events1 = "Events",
              events2 = "Events", weight = "Weight", effect = heads[2L])
  group <- c(mean1 = labels[1L], sd1 = labels[1L], total1 = labels[1L], events1 = labels[1L],
             mean2 = labels[2L], sd2 = labels[2L], total2 = labels[2L], events2 = labels[2L],
             effect = heads[1L])
  data.frame(
    id = ids,
    header = ifelse(ids %in% names(header), header[ids], ids),
    group = ifelse(ids %in% names(group), group[ids], ""),
    align = ifelse(ids == "label", "left", ifelse(ids %in% c("effect", extra_names), "center",
                                                  "right")),
    side = ifelse(ids == "label" | ids %in% extra_names | layout == "revman", "left", "right"),
    stringsAsFactors = FALSE
  )
}

# The list of rows as a data frame with one character column per text column.
forest_rows_frame <- function(rows, columns) {
  frame <- data.frame(
    type = vapply(rows, `[[`, "", "type"),
    label = vapply(rows, function(r) as.character(r$label), ""),
    est = vapply(rows, `[[`, 0, "est"), lb = vapply(rows, `[[`, 0, "lb"),
    ub = vapply(rows, `[[`, 0, "ub"), size = vapply(rows, `[[`, 0, "size"),
    bold = vapply(rows, `[[`, TRUE, "bold"), stringsAsFactors = FALSE
  )
  for (id in setdiff(columns, "label")) {
    frame[[paste0("cell_", id)]] <- vapply(rows, function(r) r$cells[[id]] %||% "", "")
  }
  frame
}

# ---- specification from a data frame of results ----------------------------------

forest_spec_summary <- function(x, label, estimate, ci_lb, ci_ub, measure, group, log_scale,
                                columns, digits, study_label, level) {
  column <- function(nm, arg, optional = FALSE) {
    if (is.null(nm) && optional) return(NULL)
    if (!is.character(nm) || length(nm) != 1L || is.na(nm)) {
      abort_input(sprintf("`%s` must be the name of a column of `x`.", arg), arg)
    }
    if (!nm %in% names(x)) {
      if (optional) return(NULL)
      abort_input(sprintf("`x` has no column \"%s\" (argument `%s`).", nm, arg), arg)
    }
    x[[nm]]
  }
  if (!nrow(x)) abort_input("`x` has no rows.", "x")
  lab <- as.character(column(label, "label"))
  est <- chk_numeric_vector(column(estimate, "estimate"), "estimate")
  lb <- chk_numeric_vector(column(ci_lb, "ci_lb"), "ci_lb")
  ub <- chk_numeric_vector(column(ci_ub, "ci_ub"), "ci_ub")
  meas <- column(measure, "measure", optional = TRUE)
  meas <- if (is.null(meas)) rep("", nrow(x)) else as.character(meas)
  grp <- if (is.null(group)) NULL else as.character(column(group, "group"))
  if (!is.null(columns)) {
    if (!is.character(columns) || anyNA(columns) || !all(columns %in% names(x))) {
      abort_input("`columns` must name columns of `x`.", "columns")
    }
  }
  headers <- if (is.null(names(columns))) columns else ifelse(nzchar(names(columns)),
                                                                names(columns), columns)
  extra_ids <- if (length(columns)) paste0("x_", seq_along(columns)) else character()
  level_text <- sprintf("%g%% CI", 100 * level)
  panels <- lapply(unique(meas), function(m) {
    idx <- which(meas == m)
    is_log <- log_scale %||% (m %in% c("RR", "OR", "HR", "Peto OR"))
    if (is_log) {
      ok <- is.na(est[idx]) | est[idx] > 0
      ok <- ok & (is.na(lb[idx]) | lb[idx] > 0) & (is.na(ub[idx]) | ub[idx] > 0)
      if (!all(ok)) {
        abort_input(sprintf("Estimates and limits of ratio measures (%s) must be positive.",
                            if (nzchar(m)) m else "log scale"), "x")
      }
    }
    tr <- if (is_log) log else identity
    back <- if (is_log) exp else identity
    rows <- list()
    blocks <- if (is.null(grp)) list(idx) else split(idx, factor(grp[idx], unique(grp[idx])))
    for (b in seq_along(blocks)) {
      if (!is.null(grp)) {
        rows[[length(rows) + 1L]] <- list(type = "heading", label = names(blocks)[b],
                                          est = NA_real_, lb = NA_real_, ub = NA_real_,
                                          size = NA_real_, bold = TRUE, cells = list())
      }
      for (i in blocks[[b]]) {
        cells <- list(effect = fmt_effect(tr(est[i]), tr(lb[i]), tr(ub[i]), digits, back))
        for (j in seq_along(columns)) {
          v <- x[[columns[j]]][i]
          cells[[extra_ids[j]]] <- if (is.na(v)) "" else if (is.numeric(v)) fmt_value(v) else
            as.character(v)
        }
        rows[[length(rows) + 1L]] <- list(type = "summary", label = lab[i], est = tr(est[i]),
                                          lb = tr(lb[i]), ub = tr(ub[i]), size = NA_real_,
                                          bold = FALSE, cells = cells)
      }
    }
    heads <- c(if (nzchar(m)) effect_heading(m) else "Effect", level_text)
    list(rows = forest_rows_frame(rows, c("label", extra_ids, "effect")), log = is_log,
         heads = heads, measure = m)
  })
  col_spec <- forest_column_table(c("label", extra_ids, "effect"), c("", ""),
                                  c("", level_text), study_label, "revman", extra_ids)
  if (length(columns)) col_spec$header[col_spec$id %in% extra_ids] <- headers
  col_spec$group[col_spec$id == "effect"] <- if (length(panels) == 1L) panels[[1L]]$heads[1L] else
    "Effect"
  list(columns = col_spec, panels = panels)
}

# ---- options shared by all layouts -----------------------------------------------

forest_default_colours <- c(square = "#2F5D9E", line = "black", diamond = "black",
                            prediction = "#B03A2E", text = "black", refline = "grey35",
                            axis = "black")

forest_spec_options <- function(spec, favours, xlim, at, xlab, title, col, fontsize, plot_width) {
  favours_text <- function(f) {
    f <- chk_strings(f, 2L, "favours")
    ifelse(grepl("^Favours", f), f, sprintf("Favours [%s]", f))
  }
  # One pair for every panel, or (summary layout) a list of pairs named by measure.
  if (is.list(favours)) {
    if (is.null(names(favours)) || !all(nzchar(names(favours)))) {
      abort_input("`favours` given as a list must name each pair by its measure.", "favours")
    }
    by_measure <- lapply(favours, favours_text)
    favours <- favours_text(c("experimental", "control"))
  } else {
    by_measure <- list()
    favours <- favours_text(favours)
  }
  if (!is.null(col)) {
    if (!is.character(col) || is.null(names(col)) ||
        !all(names(col) %in% names(forest_default_colours))) {
      abort_input(sprintf("`col` must be a named character vector with names among %s.",
                          paste0("\"", names(forest_default_colours), "\"", collapse = ", ")),
                  "col")
    }
  }
  colours <- forest_default_colours
  colours[names(col)] <- col
  if (!is.null(xlim)) {
    if (!is.numeric(xlim) || length(xlim) != 2L || anyNA(xlim) || xlim[1L] >= xlim[2L] ||
        any(!is.finite(xlim))) {
      abort_input("`xlim` must be two increasing finite numbers.", "xlim")
    }
  }
  if (!is.null(at) && (!is.numeric(at) || !length(at) || anyNA(at) || any(!is.finite(at)))) {
    abort_input("`at` must be a vector of finite numbers.", "at")
  }
  for (p in seq_along(spec$panels)) {
    if (spec$panels[[p]]$log && (any(xlim <= 0) || any(at <= 0))) {
      abort_input("`xlim` and `at` must be positive for ratio measures (log scale).",
                  if (any(xlim <= 0)) "xlim" else "at")
    }
    spec$panels[[p]]$scale <- forest_scale(spec$panels[[p]], xlim, at)
    spec$panels[[p]]$favours <- by_measure[[spec$panels[[p]]$measure %||% ""]] %||% favours
  }
  if (!is.null(xlab)) xlab <- chk_strings(xlab, 1L, "xlab")
  if (!is.null(title)) title <- chk_strings(title, 1L, "title")
  spec$favours <- favours
  spec$xlab <- xlab
  spec$title <- title
  spec$colours <- colours
  spec$fontsize <- chk_positive_number(fontsize, "fontsize", null_ok = FALSE)
  spec$plot_width <- chk_positive_number(plot_width, "plot_width") %||% 2.4
  spec
}

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

# ---- devices ---------------------------------------------------------------------

# Open a file device chosen by the extension of `file`.
open_plot_file <- function(file, width, height, res) {
  if (!is.character(file) || length(file) != 1L || is.na(file) || !nzchar(file)) {
    abort_input("`file` must be a single file name.", "file")
  }
  res <- chk_positive_number(res, "res", null_ok = FALSE)
  ext <- if (grepl("\\.[[:alnum:]]+$", file)) tolower(sub(".*\\.", "", file)) else ""
  if (ext %in% c("png", "jpg", "jpeg", "tif", "tiff")) {
    # Whole pixels, never fewer than the size asked for.
    width <- (ceiling(width * res - 1e-6) + 0.01) / res
    height <- (ceiling(height * res - 1e-6) + 0.01) / res
  }
  switch(
    ext,
    pdf = grDevices::pdf(file, width = width, height = height),
    png = grDevices::png(file, width = width, height = height, units = "in", res = res),
    jpg = ,
    jpeg = grDevices::jpeg(file, width = width, height = height, units = "in", res = res,
                           quality = 95),
    tif = ,
    tiff = grDevices::tiff(file, width = width, height = height, units = "in", res = res,
                           compression = "lzw"),
    svg = grDevices::svg(file, width = width, height = height),
    abort_input(sprintf(
      "`file` must end in .pdf, .png, .svg, .jpeg, .jpg or .tiff, not \"%s\".", basename(file)
    ), "file")
  )
  grDevices::dev.cur()
}

# Measure on a throw-away PDF device, leaving the current device untouched.
with_measuring_device <- function(fun) {
  old <- grDevices::dev.cur()
  grDevices::pdf(NULL, width = 7, height = 7)
  on.exit({
    grDevices::dev.off()
    if (old > 1L) grDevices::dev.set(old)
  })
  graphics::par(mar = c(0, 0, 0, 0))
  graphics::plot.new()
  fun()
}

forest_output <- function(spec, file, width, height, res) {
  width <- chk_positive_number(width, "width")
  height <- chk_positive_number(height, "height")
  # The size needed, measured with PDF font metrics; the fonts of bitmap and SVG
  # devices can run a little wider, hence the margin.
  size <- with_measuring_device(function() forest_geometry(spec, pad = 1.06))
  width <- width %||% size$width
  height <- height %||% size$height
  if (!is.null(file)) {
    dev <- open_plot_file(file, width, height, res)
    on.exit(if (dev %in% grDevices::dev.list()) grDevices::dev.off(dev))
  }
  out <- forest_draw(spec)
  invisible(list(width = width, height = height, rows = out$rows, scale = out$scale,
                 file = file))
}

# ---- geometry --------------------------------------------------------------------

# Line height, gaps and margins in inches for a given font size.
forest_metrics <- function(fontsize) {
  pt <- fontsize / 72
  list(line = 1.45 * pt, gap = 1.6 * pt, margin = 1.6 * pt, cex = fontsize / graphics::par("ps"))
}

text_width <- function(x, cex, bold = FALSE) {
  if (!length(x)) return(0)
  x <- as.character(x)
  w <- numeric(length(x))
  for (f in unique(c(1L, 2L))) {
    sel <- if (f == 2L) bold else !bold
    sel <- rep_len(sel, length(x))
    if (any(sel)) {
      w[sel] <- graphics::strwidth(x[sel], units = "inches", cex = cex, font = f)
    }
  }
  max(w, 0)
}

# Column positions and the total size, in inches, on the current device's fonts.
forest_geometry <- function(spec, pad = 1) {
  m <- forest_metrics(spec$fontsize)
  m$cex_draw <- m$cex
  m$cex <- m$cex * pad
  cols <- spec$columns
  panels <- spec$panels
  widths <- vapply(seq_len(nrow(cols)), function(j) {
    id <- cols$id[j]
    cells <- unlist(lapply(panels, function(p) {
      if (id == "label") p$rows$label[p$rows$type != "text"] else p$rows[[paste0("cell_", id)]]
    }))
    bold <- unlist(lapply(panels, function(p) {
      if (id == "label") p$rows$bold[p$rows$type != "text"] else p$rows$bold
    }))
    indent <- if (id == "label") m$gap else 0
    heads <- if (id == "effect") unlist(lapply(panels, `[[`, "heads")) else cols$header[j]
    max(text_width(cells, m$cex, bold) + indent, text_width(heads, m$cex, TRUE))
  }, numeric(1))
  # Group headers (e.g. "Experimental") must fit over their columns.
  for (g in unique(cols$group[nzchar(cols$group)])) {
    sel <- which(cols$group == g)
    need <- text_width(g, m$cex, TRUE)
    span <- sum(widths[sel]) + m$gap * (length(sel) - 1L)
    if (need > span) widths[sel] <- widths[sel] + (need - span) / length(sel)
  }
  heads <- unlist(lapply(panels, `[[`, "heads"))
  plot_w <- max(spec$plot_width, text_width(heads, m$cex, TRUE) + m$gap)
  favours_w <- text_width(unlist(lapply(spec$panels, `[[`, "favours")), m$cex * 0.9)
  plot_w <- max(plot_w, 2 * favours_w + 3 * m$gap)
  left <- cols$side == "left"
  x <- m$margin
  pos <- numeric(nrow(cols))
  for (j in which(left)) {
    pos[j] <- x
    x <- x + widths[j] + m$gap
  }
  plot_x <- c(x, x + plot_w)
  x <- plot_x[2L] + m$gap
  for (j in which(!left)) {
    pos[j] <- x
    x <- x + widths[j] + m$gap
  }
  text_rows <- unlist(lapply(panels, function(p) p$rows$label[p$rows$type == "text"]))
  text_w <- m$margin + text_width(text_rows, m$cex * 0.9)
  width <- max(x - m$gap + m$margin, text_w + m$margin)
  # Heights: title, then per panel two header lines, rows, axis, favours, xlab.
  u <- m$line
  panel_h <- vapply(panels, function(p) {
    (2 + 0.5) * u + nrow(p$rows) * u + 0.4 * u + 2.2 * u + 0.8 * u +
      (if (is.null(spec$xlab)) 0 else 1.3 * u)
  }, numeric(1))
  height <- 2 * m$margin + (if (is.null(spec$title)) 0 else 2 * u) + sum(panel_h) +
    (length(panels) - 1L) * u
  m$cex <- m$cex_draw
  list(width = width, height = height, col_x = pos, col_w = widths, plot_x = plot_x,
       panel_h = panel_h, metrics = m)
}

# ---- drawing ---------------------------------------------------------------------

forest_draw <- function(spec) {
  old <- graphics::par(mar = c(0, 0, 0, 0), xaxs = "i", yaxs = "i", xpd = NA)
  on.exit(graphics::par(old))
  graphics::plot.new()
  geo <- forest_geometry(spec)
  din <- graphics::par("din")
  s <- min(1, din[1L] / geo$width, din[2L] / geo$height)
  # User coordinates are layout inches; text is scaled with the coordinates.
  uw <- din[1L] / s
  uh <- din[2L] / s
  graphics::plot.window(xlim = c(0, uw), ylim = c(-uh, 0))
  ox <- max(0, (uw - geo$width) / 2)
  oy <- -max(0, (uh - geo$height) / 2)
  m <- geo$metrics
  u <- m$line
  cex <- m$cex * s
  colours <- spec$colours
  cols <- spec$columns
  y <- oy - m$margin
  if (!is.null(spec$title)) {
    graphics::text(ox + m$margin, y - 0.6 * u, spec$title, adj = c(0, 0.5), font = 2,
                   cex = cex * 1.15, col = colours[["text"]])
    y <- y - 2 * u
  }
  col_x <- ox + geo$col_x
  col_w <- geo$col_w
  px <- ox + geo$plot_x
  cell_x <- function(j) {
    switch(cols$align[j], left = col_x[j], right = col_x[j] + col_w[j],
           center = col_x[j] + col_w[j] / 2)
  }
  cell_adj <- function(j) switch(cols$align[j], left = 0, right = 1, center = 0.5)
  n_rows <- 0L
  for (p in seq_along(spec$panels)) {
    panel <- spec$panels[[p]]
    rows <- panel$rows
    sc <- panel$scale
    xmap <- function(v) px[1L] + (v - sc$lim[1L]) / diff(sc$lim) * diff(px)
    # Header: group line and column line, then a rule.
    y_group <- y - 0.5 * u
    y_head <- y - 1.5 * u
    for (g in unique(cols$group[nzchar(cols$group) & cols$id != "effect"])) {
      sel <- which(cols$group == g)
      mid <- (col_x[min(sel)] + col_x[max(sel)] + col_w[max(sel)]) / 2
      graphics::text(mid, y_group, g, font = 2, cex = cex, col = colours[["text"]])
    }
    for (j in seq_len(nrow(cols))) {
      if (cols$id[j] == "effect") {
        graphics::text(col_x[j] + col_w[j] / 2, y_group, panel$heads[1L], font = 2, cex = cex,
                       col = colours[["text"]])
        graphics::text(col_x[j] + col_w[j] / 2, y_head, panel$heads[2L], font = 2, cex = cex,
                       col = colours[["text"]])
      } else {
        graphics::text(cell_x(j), y_head, cols$header[j], adj = c(cell_adj(j), 0.5), font = 2,
                       cex = cex, col = colours[["text"]])
      }
    }
    graphics::text(mean(px), y_group, panel$heads[1L], font = 2, cex = cex,
                   col = colours[["text"]])
    graphics::text(mean(px), y_head, panel$heads[2L], font = 2, cex = cex,
                   col = colours[["text"]])
    y_rule <- y - 2.25 * u
    graphics::segments(ox + m$margin, y_rule, ox + geo$width - m$margin, y_rule,
                       col = "grey60", lwd = 0.6)
    y_top <- y - 2.5 * u
    row_y <- y_top - (seq_len(nrow(rows)) - 0.5) * u
    y_bottom <- y_top - nrow(rows) * u - 0.4 * u
    n_rows <- n_rows + nrow(rows)
    # Line of no effect, interrupted where a line of text crosses it.
    if (is.finite(sc$null)) {
      x0 <- xmap(sc$null)
      crossing <- rows$type == "text" &
        ox + m$margin + vapply(rows$label, text_width, 0, cex = m$cex * 0.9) >= x0 - 0.5 * m$gap
      runs <- rle(c(!crossing, TRUE))
      ends <- cumsum(runs$lengths)
      starts <- ends - runs$lengths + 1L
      edges <- c(y_top - (seq_len(nrow(rows)) - 1) * u, y_top - nrow(rows) * u)
      top <- edges[starts[runs$values]]
      bottom <- ifelse(ends[runs$values] > nrow(rows), y_bottom,
                       edges[pmin(ends[runs$values] + 1L, length(edges))])
      graphics::segments(x0, top, x0, bottom,
                         col = colours[["refline"]], lwd = 0.8, lend = 1)
    }
    # Text cells.
    for (i in seq_len(nrow(rows))) {
      r <- rows[i, ]
      font <- if (r$bold) 2 else 1
      if (r$type == "text") {
        graphics::text(ox + m$margin, row_y[i], r$label, adj = c(0, 0.5), cex = cex * 0.9,
                       col = colours[["text"]])
        next
      }
      indent <- if (r$type %in% c("study", "summary", "events", "prediction") &&
                    any(rows$type == "heading")) m$gap else 0
      graphics::text(col_x[1L] + indent, row_y[i], r$label, adj = c(0, 0.5), font = font,
                     cex = cex, col = colours[["text"]])
      for (j in seq_len(nrow(cols))[-1L]) {
        v <- r[[paste0("cell_", cols$id[j])]]
        if (nzchar(v)) {
          graphics::text(cell_x(j), row_y[i], v, adj = c(cell_adj(j), 0.5), font = font,
                         cex = cex, col = colours[["text"]])
        }
      }
    }
    # Graphics in the plot column.
    wmax <- max(c(rows$size[rows$type == "study"], 0), na.rm = TRUE)
    for (i in seq_len(nrow(rows))) {
      r <- rows[i, ]
      if (!is.finite(r$est) || !r$type %in% c("study", "summary", "pooled", "prediction")) next
      yy <- row_y[i]
      if (r$type %in% c("study", "summary")) {
        draw_interval(xmap(r$lb), xmap(r$ub), yy, px, colours[["line"]], s)
        inside <- r$est >= sc$lim[1L] && r$est <= sc$lim[2L]
        if (inside) {
          half <- if (r$type == "summary" || !is.finite(r$size) || wmax <= 0) 0.22 * u else
            max(0.04 * u, 0.36 * u * sqrt(r$size / wmax))
          graphics::rect(xmap(r$est) - half, yy - half, xmap(r$est) + half, yy + half,
                         col = colours[["square"]], border = colours[["square"]], lwd = 0.5)
        }
      } else if (r$type == "pooled") {
        xs <- pmin(pmax(xmap(c(r$lb, r$est, r$ub, r$est)), px[1L]), px[2L])
        graphics::polygon(xs, yy + c(0, 0.36, 0, -0.36) * u, col = colours[["diamond"]],
                          border = colours[["diamond"]])
      } else {
        xs <- pmin(pmax(xmap(c(r$lb, r$ub)), px[1L]), px[2L])
        graphics::rect(xs[1L], yy - 0.14 * u, xs[2L], yy + 0.14 * u,
                       col = colours[["prediction"]], border = NA)
      }
    }
    # Axis, tick labels, favours texts.
    graphics::segments(px[1L], y_bottom, px[2L], y_bottom, col = colours[["axis"]], lwd = 0.8)
    tx <- xmap(sc$ticks)
    graphics::segments(tx, y_bottom, tx, y_bottom - 0.3 * u, col = colours[["axis"]], lwd = 0.8)
    graphics::text(tx, y_bottom - 0.9 * u, sc$labels, cex = cex * 0.9, col = colours[["text"]])
    centre <- if (is.finite(sc$null)) xmap(sc$null) else mean(px)
    y_fav <- y_bottom - 2.2 * u
    graphics::text(centre - m$gap, y_fav, panel$favours[1L], adj = c(1, 0.5), cex = cex * 0.9,
                   col = colours[["text"]])
    graphics::text(centre + m$gap, y_fav, panel$favours[2L], adj = c(0, 0.5), cex = cex * 0.9,
                   col = colours[["text"]])
    if (!is.null(spec$xlab)) {
      graphics::text(mean(px), y_fav - 1.3 * u, spec$xlab, cex = cex, col = colours[["text"]])
    }
    y <- y - geo$panel_h[p] - u
  }
  list(width = geo$width, height = geo$height, rows = n_rows, scale = s)
}

# A confidence-interval line clipped to the plot column, with arrows at clipped ends.
draw_interval <- function(x0, x1, y, px, colour, s) {
  if (!is.finite(x0) || !is.finite(x1)) return(invisible(NULL))
  if (x1 < px[1L] || x0 > px[2L]) {
    # Entirely outside: an arrow at the edge pointing towards the interval.
    edge <- if (x1 < px[1L]) px[1L] else px[2L]
    dir <- if (x1 < px[1L]) -1 else 1
    graphics::arrows(edge - dir * 0.08, y, edge, y, length = 0.05 * s, col = colour, lwd = 0.8)
    return(invisible(NULL))
  }
  a <- max(x0, px[1L])
  b <- min(x1, px[2L])
  graphics::segments(a, y, b, y, col = colour, lwd = 0.8)
  if (x0 < px[1L]) graphics::arrows(b, y, a, y, length = 0.05 * s, col = colour, lwd = 0.8)
  if (x1 > px[2L]) graphics::arrows(a, y, b, y, length = 0.05 * s, col = colour, lwd = 0.8)
  invisible(NULL)
}
