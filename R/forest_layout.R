# Forest plot specifications: the text columns and the rows (studies, pooled
# estimates, statistics lines) of a fit or of a data frame of results, and the
# options every layout shares.

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
                            heterogeneity, study_label, order = NULL, label_wrap = Inf) {
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
  order <- forest_order_key(order, x)
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
  tabs <- lapply(fits, function(fit) forest_order(forest_study_table(fit, x), order))
  # One number of decimals per arm column, as RevMan shows them.
  arm_ids <- if (binary) {
    c(events1 = "events1", total1 = "n1", events2 = "events2", total2 = "n2")
  } else if (!is.null(x$arms$m1)) {
    c(mean1 = "m1", sd1 = "sd1", total1 = "n1", mean2 = "m2", sd2 = "sd2", total2 = "n2")
  }
  decimals <- vapply(arm_ids, function(nm) {
    column_decimals(unlist(lapply(tabs, `[[`, nm)))
  }, integer(1))
  arm_value <- function(id, v) fmt_column(v, decimals[[id]])
  arm_cells <- function(tab) {
    Map(function(id, nm) arm_value(id, tab[[nm]]), names(arm_ids), arm_ids)
  }
  pooled_rows <- function(fit, tab, label) {
    totals <- if (!is.null(tab$n1)) {
      list(total1 = arm_value("total1", sum(tab$n1)), total2 = arm_value("total2", sum(tab$n2)))
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
      add("events", "Total events", cells = list(events1 = arm_value("events1", sum(tab$events1)),
                                                 events2 = arm_value("events2", sum(tab$events2))))
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
  for (i in seq_along(fits)) {
    fit <- fits[[i]]
    tab <- tabs[[i]]
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
      add("study", wrap_label(tab$slab[j], label_wrap), est, est - crit * se, est + crit * se,
          size = tab$weight[j], cells = cells)
    }
    if (!is.null(x$subgroups)) {
      pooled_rows(fit, tab, "Subtotal")
      add("blank")
    }
  }
  pooled_rows(x, do.call(rbind, tabs), "Total")
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
    out <- if (is.numeric(v)) fmt_column(v) else as.character(v)
    out[is.na(out)] <- ""
    out
  })
}

# The sort key of `order =`: NULL, one of the named keys, or one value per input row.
forest_order_key <- function(order, x) {
  if (is.null(order)) return(NULL)
  keys <- c("effect", "weight", "se", "label")
  if (is.character(order) && length(order) == 1L && order %in% keys) return(order)
  n <- max(c(x$rows, x$not_estimable_data$row, length(x$yi)))
  if (!is.atomic(order) || length(order) != n) {
    abort_input(sprintf(paste(
      "`order` must be one of %s, or a vector with one value per row of the data given",
      "to the fit (%d)."), paste0("\"", keys, "\"", collapse = ", "), n), "order")
  }
  order
}

# Studies sorted by the key (stable, missing keys last); the input order without one.
forest_order <- function(tab, key) {
  if (is.null(key)) return(tab)
  value <- if (is.character(key) && length(key) == 1L) {
    switch(key, effect = tab$yi, weight = -tab$weight, se = tab$vi, label = tab$slab)
  } else {
    key[ifelse(is.finite(tab$row), tab$row, NA)]
  }
  tab[order(xtfrm(value), tab$row, na.last = TRUE), , drop = FALSE]
}

# A long study label broken into lines of at most `width` characters.
wrap_label <- function(x, width) {
  if (!is.finite(width) || nchar(x) <= width) return(x)
  paste(strwrap(x, width), collapse = "\n")
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
  frame$lines <- lengths(strsplit(frame$label, "\n", fixed = TRUE))
  frame$lines[frame$lines < 1L] <- 1L
  for (id in setdiff(columns, "label")) {
    frame[[paste0("cell_", id)]] <- vapply(rows, function(r) r$cells[[id]] %||% "", "")
  }
  frame
}

# ---- specification from a data frame of results ----------------------------------

forest_spec_summary <- function(x, label, estimate, ci_lb, ci_ub, measure, group, log_scale,
                                columns, digits, study_label, level, label_wrap = Inf) {
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
  # Extra columns as text, numbers with one number of decimals per column.
  shown <- lapply(columns, function(nm) {
    v <- x[[nm]]
    out <- if (is.numeric(v)) fmt_column(v) else as.character(v)
    out[is.na(v)] <- ""
    out
  })
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
          cells[[extra_ids[j]]] <- shown[[j]][i]
        }
        rows[[length(rows) + 1L]] <- list(type = "summary", label = wrap_label(lab[i], label_wrap),
                                          est = tr(est[i]), lb = tr(lb[i]), ub = tr(ub[i]),
                                          size = NA_real_,
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
