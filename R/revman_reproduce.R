# Re-running the analyses of a review read by read_revman() with RevMan 5's methods,
# and setting every result beside the one RevMan stored.

# The metapool fit of one analysis (all its studies, with its subgroups), through
# the public front ends with RevMan 5's settings.
revman_fit <- function(a, studies) {
  s <- studies
  slab <- make.unique(s$study, sep = " ")
  subgroup <- if (any(!is.na(s$subgroup))) factor(s$subgroup_name, levels = unique(s$subgroup_name))
  level <- a$ci_total %|na|% 95
  random <- identical(a$model, "random")
  iv <- function(yi, vi = NULL, sei = NULL) {
    metapool(yi, vi = vi, sei = sei, slab = slab, subgroup = subgroup,
             method = if (random) "DL" else "FE", ci_method = "z", level = level)
  }
  switch(a$type,
    dichotomous = {
      e1 <- s$events1
      e2 <- s$events2
      if (isTRUE(a$swap_events)) {
        e1 <- s$n1 - e1
        e2 <- s$n2 - e2
      }
      if (a$method %in% c("MH", "Peto")) {
        if (a$method == "Peto" && random) abort_input(sprintf(
          "Analysis %s: Peto's method has no random-effects version in RevMan 5.", a$id), "x")
        metapool_mh(e1, s$n1, e2, s$n2, slab = slab, subgroup = subgroup,
                    measure = if (a$method == "Peto") "OR" else a$measure, method = a$method,
                    model = a$model, preset = "revman5", level = level)
      } else {
        es_fun <- switch(a$measure, RR = es_rr, OR = es_or, RD = es_rd,
                         abort_input(sprintf("Analysis %s: dichotomous measure \"%s\" is not supported.",
                                             a$id, a$measure), "x"))
        es <- es_fun(e1, s$n1, e2, s$n2, slab = slab, preset = "revman5", level = level)
        keep <- !is.na(es$yi)
        metapool(es$yi[keep], es$vi[keep], slab = slab[keep],
                 subgroup = if (!is.null(subgroup)) droplevels(subgroup[keep]),
                 method = if (random) "DL" else "FE", ci_method = "z", level = level)
      }
    },
    continuous = {
      es_fun <- switch(a$measure, MD = es_md, SMD = es_smd,
                       abort_input(sprintf("Analysis %s: continuous measure \"%s\" is not supported.",
                                           a$id, a$measure), "x"))
      es <- es_fun(s$mean1, s$sd1, s$n1, s$mean2, s$sd2, s$n2, slab = slab, preset = "revman5",
                   level = level)
      iv(es$yi, es$vi)
    },
    giv = {
      yi <- s$giv_estimate
      # RevMan stores ratio data on the log scale; entered on the ratio scale, log them
      if (a$measure %in% ratio_measures && identical(a$log_data, FALSE)) yi <- log(yi)
      iv(yi, sei = s$giv_se)
    },
    # O-E and variance: ln OR_i = (O-E)/V with variance 1/V, so inverse variance
    # pooling gives Peto's sum(O-E)/sum(V), SE 1/sqrt(sum V) and Q exactly.
    oe = iv(s$o_e / s$variance, vi = 1 / s$variance)
  )
}

revman_is_ratio <- function(a) {
  a$measure %in% ratio_measures || (a$type == "oe") || (a$type == "dichotomous" && a$method == "Peto")
}

# RevMan's quantities of one fit on RevMan's scales: estimate and CI on the ratio
# scale for ratios, |Z|, I^2 in percent.
revman_quantities <- function(fit, ratio, random) {
  back <- if (ratio) exp else identity
  list(estimate = back(fit$estimate), ci_lb = back(fit$ci_lb), ci_ub = back(fit$ci_ub),
       tau2 = if (random) fit$tau2 else 0, chi2 = fit$Q, df = fit$Q_df, p_chi2 = fit$Q_p,
       I2 = fit$I2, z = abs(fit$estimate / fit$se), p_z = fit$p)
}

revman_quantity_names <- c("estimate", "ci_lb", "ci_ub", "tau2", "chi2", "df", "p_chi2", "I2", "z", "p_z")

compare_numbers <- function(revman, ours, tolerance, precision) {
  diff <- abs(ours - revman)
  agree <- ifelse(is.na(revman), NA, !is.na(ours) & diff <= tolerance * abs(revman) + precision + 1e-14)
  list(diff = diff, agree = agree)
}

# One row per analysis or subgroup and quantity; one row per study and quantity.
reproduce_revman <- function(x, tolerance = 1e-6, dir = NULL) {
  a_all <- x$analyses
  totals <- a_all[a_all$level == "total", , drop = FALSE]
  precision <- x$precision %||% 0
  pooled <- list()
  per_study <- list()
  fits <- list()
  for (i in seq_len(nrow(totals))) {
    a <- totals[i, , drop = FALSE]
    s <- x$studies[x$studies$analysis == a$id, , drop = FALSE]
    if (!nrow(s)) next
    fit <- revman_fit(a, s)
    fits[[a$id]] <- fit
    ratio <- revman_is_ratio(a)
    random <- identical(a$model, "random")
    rows_here <- a_all[a_all$level == "subgroup" & startsWith(a_all$id, paste0(a$id, ".")), , drop = FALSE]
    targets <- c(list(list(row = a, fit = fit)),
                 lapply(seq_len(nrow(rows_here)), function(j) {
                   r <- rows_here[j, , drop = FALSE]
                   list(row = r, fit = fit$subgroups[[r$subgroup_name]])
                 }))
    for (t in targets) {
      q <- if (is.null(t$fit)) lapply(revman_quantities(fit, ratio, random), function(v) NA_real_) else
        revman_quantities(t$fit, ratio, random)
      revman <- unlist(t$row[revman_quantity_names])
      if (!random) q$tau2 <- if (is.na(revman[["tau2"]])) NA_real_ else 0
      ours <- unlist(q[revman_quantity_names])
      if (t$row$level == "total") {
        st <- fit$subgroup_test
        test <- if (is.null(st)) rep(NA_real_, 4) else c(st$Q, st$df, st$p, st$I2)
        revman <- c(revman, unlist(t$row[c("subgroup_chi2", "subgroup_df", "subgroup_p", "subgroup_I2")]))
        ours <- c(ours, stats::setNames(test, c("subgroup_chi2", "subgroup_df", "subgroup_p", "subgroup_I2")))
      }
      cmp <- compare_numbers(revman, ours, tolerance, precision)
      pooled[[length(pooled) + 1L]] <- data.frame(
        analysis = t$row$id, level = t$row$level,
        name = if (t$row$level == "total") t$row$name else t$row$subgroup_name,
        quantity = names(revman), revman = unname(revman), metapool = unname(ours),
        diff = unname(cmp$diff), agree = unname(cmp$agree), stringsAsFactors = FALSE)
    }
    per_study[[length(per_study) + 1L]] <- revman_study_comparison(a, s, fit, ratio, tolerance, precision)
  }
  pooled <- do.call(rbind, pooled)
  studies <- do.call(rbind, per_study)
  out <- structure(list(pooled = pooled, studies = studies, fits = fits,
                        tolerance = tolerance, precision = precision, format = x$format,
                        title = x$title, files = character()),
                   class = "mp_revman_review")
  if (!is.null(dir)) out$files <- write_revman_plots(out, totals, dir)
  out
}

# Each study's estimate, CI (at RevMan's study level) and weight (percent of the
# analysis total when RevMan shows totals, else of its subgroup).
revman_study_comparison <- function(a, s, fit, ratio, tolerance, precision) {
  slab <- make.unique(s$study, sep = " ")
  level <- (a$ci_study %|na|% 95) / 100
  z <- stats::qnorm(1 - (1 - level) / 2)
  back <- if (ratio) exp else identity
  yi <- stats::setNames(fit$yi, fit$slab)[slab]
  vi <- stats::setNames(fit$vi, fit$slab)[slab]
  weight_of <- function(f) {
    w <- f$weights
    w <- w / sum(w)
    out <- stats::setNames(rep(0, length(slab)), slab)
    out[names(w)] <- 100 * w
    out
  }
  w <- if (isTRUE(a$totals) || is.null(fit$subgroups)) weight_of(fit) else {
    out <- stats::setNames(rep(0, length(slab)), slab)
    for (g in fit$subgroups) {
      wg <- weight_of(g)
      out[names(g$weights)] <- wg[names(g$weights)]
    }
    out
  }
  ours <- list(estimate = back(yi), ci_lb = back(yi - z * sqrt(vi)), ci_ub = back(yi + z * sqrt(vi)),
               weight = unname(w))
  rows <- lapply(names(ours), function(qn) {
    cmp <- compare_numbers(s[[qn]], unname(ours[[qn]]), tolerance, precision)
    data.frame(analysis = a$id, study = s$study, quantity = qn, revman = s[[qn]],
               metapool = unname(ours[[qn]]), diff = cmp$diff, agree = cmp$agree,
               stringsAsFactors = FALSE)
  })
  do.call(rbind, rows)
}

write_revman_plots <- function(review, totals, dir) {
  if (!is.character(dir) || length(dir) != 1L || is.na(dir)) abort_input("`dir` must be a directory path.", "dir")
  dir.create(dir, showWarnings = FALSE, recursive = TRUE)
  files <- character()
  for (id in names(review$fits)) {
    a <- totals[totals$id == id, , drop = FALSE]
    labels <- c(experimental = a$label_experimental %|na|% "Experimental",
                control = a$label_control %|na|% "Control")
    favours <- c(sub("^Favours ", "", a$favours_left %|na|% "Favours experimental"),
                 sub("^Favours ", "", a$favours_right %|na|% "Favours control"))
    path <- file.path(dir, paste0("analysis_", gsub(".", "_", id, fixed = TRUE), ".pdf"))
    forest_plot(review$fits[[id]], labels = labels, favours = favours,
                title = sprintf("Analysis %s: %s", id, a$name), file = path)
    files <- c(files, path)
  }
  files
}

#' @export
print.mp_revman_review <- function(x, ...) {
  p <- x$pooled
  s <- x$studies
  checked <- !is.na(p$agree)
  checked_s <- !is.na(s$agree)
  cat(sprintf("RevMan's stored results recomputed by metapool (RevMan 5 methods)%s\n",
              if (nzchar(x$title %||% "")) paste0(": ", x$title) else ""))
  cat(sprintf("Agreement: |difference| <= %g x |RevMan| + %g (the rounding of the stored numbers).\n",
              x$tolerance, x$precision))
  fmt <- function(v) ifelse(is.na(v), "-", formatC(v, digits = 7, format = "g"))
  for (id in unique(p$analysis)) {
    r <- p[p$analysis == id, , drop = FALSE]
    r <- r[!is.na(r$revman), , drop = FALSE]
    head <- p$name[p$analysis == id][1]
    lvl <- p$level[p$analysis == id][1]
    cat(sprintf("\n%s %s: %s\n", if (lvl == "total") "Analysis" else "  Subgroup", id, head))
    if (!nrow(r)) {
      cat("  (no results stored by RevMan)\n")
      next
    }
    tab <- data.frame(quantity = r$quantity, RevMan = fmt(r$revman), metapool = fmt(r$metapool),
                      `|diff|` = formatC(r$diff, format = "e", digits = 1),
                      agree = ifelse(r$agree, "yes", "NO"), check.names = FALSE)
    print(tab, row.names = FALSE, right = FALSE)
    w <- s[s$analysis == id & s$quantity == "weight" & !is.na(s$revman), , drop = FALSE]
    if (lvl == "total" && nrow(w)) {
      cat("  Study weights (%):\n")
      print(data.frame(study = w$study, RevMan = fmt(w$revman), metapool = fmt(w$metapool),
                       `|diff|` = formatC(w$diff, format = "e", digits = 1),
                       agree = ifelse(w$agree, "yes", "NO"), check.names = FALSE),
            row.names = FALSE, right = FALSE)
    }
  }
  cat(sprintf("\nPooled and subgroup results: %d of %d stored numbers agree.\n",
              sum(p$agree[checked]), sum(checked)))
  cat(sprintf("Study results (estimate, CI, weight): %d of %d stored numbers agree; largest |diff| %s.\n",
              sum(s$agree[checked_s]), sum(checked_s),
              if (any(checked_s)) formatC(max(s$diff[checked_s]), format = "e", digits = 1) else "-"))
  if (length(x$files)) cat(sprintf("Forest plots written: %d files in %s\n", length(x$files), dirname(x$files[1])))
  invisible(x)
}
