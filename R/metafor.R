#' Compare a metapool fit with metafor
#'
#' Runs the analysis behind a `metapool` fit through the metafor package and
#' sets the two sets of results side by side, one row per quantity: the pooled
#' estimate, its standard error and confidence limits, the test statistic and
#' p-value, tau^2 and its confidence limits, I^2, H^2, Cochran's Q and its
#' p-value, and the prediction interval; for subgroup analyses, the same for
#' each subgroup and the test for subgroup differences.
#'
#' @section What metafor is given:
#' * Inverse-variance fits ([metapool()]): `metafor::rma()` on the same `yi`
#'   and `vi` with the same estimator (`"FE"` is metafor's `"EE"`), test
#'   (`"hksj"` is `"knha"`, `"hksj_adhoc"` is `"adhoc"`), level and fixed
#'   tau^2; `confint()` (Q-profile or profile likelihood) for the tau^2
#'   interval; `predict()` with `predtype = "riley"` for t(k - 2) prediction
#'   intervals, `"t"` for t(k - 1) and the default for z.
#' * Mantel-Haenszel and Peto fits ([metapool_mh()]): `metafor::rma.mh()` or
#'   `rma.peto()` on the same tables with the same `add`, `to` and `drop00`.
#'   RevMan's "M-H, Random" has no metafor counterpart; it is rebuilt from
#'   metafor's parts (DerSimonian-Laird's tau^2 from the Q of `rma.mh()`, then
#'   `rma(tau2 = )`).
#'
#' @section Conventions:
#' Where the packages define a quantity differently, the row says which
#' convention each used (`note`) and is not counted as a disagreement
#' (`agree` is NA): a prediction interval type metafor does not offer, the
#' Sato risk-difference variance that metafor always uses, metafor's capped
#' search for an upper tau^2 limit, RevMan's test for subgroup differences
#' (computed here from metafor's subgroup fits, because metafor's
#' `rma(mods = )` test assumes one tau^2 for all subgroups). Study effects
#' computed with `preset = "revman5"` (RevMan's Hedges' g, which metafor's
#' `escalc()` cannot produce) are passed to metafor as they are, so the
#' comparison is of the pooling.
#'
#' @param fit A `metapool` fit.
#' @param tolerance Relative tolerance for `agree` (absolute below 1).
#' @return A data frame of class `mp_comparison`: `quantity`, `metapool`,
#'   `metafor`, `abs_diff`, `rel_diff`, `agree` (within `tolerance`; NA where
#'   the conventions differ) and `note`, with attributes `metafor_version` and
#'   `tolerance`. Its print method marks disagreements.
#' @seealso [as_metapool()] for the other direction.
#' @examples
#' if (requireNamespace("metafor", quietly = TRUE)) {
#'   es <- es_rr(tpos, tpos + tneg, cpos, cpos + cneg, data = bcg, slab = paste(author, year))
#'   compare_metafor(metapool(es, method = "DL", ci_method = "hksj"))
#' }
#' @export
compare_metafor <- function(fit, tolerance = 1e-6) {
  if (!inherits(fit, "metapool")) {
    abort_input(sprintf("`fit` must be a metapool fit, not %s.", describe_type(fit)), "fit")
  }
  if (!is.numeric(tolerance) || length(tolerance) != 1L || !is.finite(tolerance) || tolerance <= 0) {
    abort_input("`tolerance` must be a single positive number.", "tolerance")
  }
  need_metafor("compare_metafor()")
  rows <- if (inherits(fit, "metapool_mh")) compare_mh(fit) else
    if (inherits(fit, "metapool_reg")) compare_metareg(fit) else compare_iv(fit)
  rows$abs_diff <- abs(rows$metapool - rows$metafor)
  rows$rel_diff <- rows$abs_diff / pmax(abs(rows$metafor), 1e-300)
  within <- rows$abs_diff <= tolerance * pmax(1, abs(rows$metafor)) |
    (is.na(rows$metapool) & is.na(rows$metafor))
  rows$agree <- ifelse(nzchar(rows$note), NA, within)
  rows$agree[is.na(rows$agree) & !nzchar(rows$note)] <- FALSE
  structure(rows[c("quantity", "metapool", "metafor", "abs_diff", "rel_diff", "agree", "note")],
            class = c("mp_comparison", "data.frame"),
            metafor_version = as.character(utils::packageVersion("metafor")),
            tolerance = tolerance, revman_effects = identical(fit$effect_sizes$preset, "revman5"))
}

need_metafor <- function(what, available = requireNamespace("metafor", quietly = TRUE)) {
  if (!available) {
    stop(structure(class = c("metapool_error_dependency", "metapool_error", "error", "condition"), list(
      message = sprintf("%s needs the metafor package: install.packages(\"metafor\").", what),
      call = NULL
    )))
  }
}

comparison_rows <- function(quantity, ours, theirs, note = "") {
  data.frame(quantity = quantity, metapool = as.numeric(ours), metafor = as.numeric(theirs),
             note = rep_len(note, length(quantity)), stringsAsFactors = FALSE)
}

metafor_tests <- c(z = "z", t = "t", hksj = "knha", hksj_adhoc = "adhoc")

# ---- meta-regression ---------------------------------------------------------

compare_metareg <- function(fit) {
  args <- list(yi = fit$yi, vi = fit$vi, mods = fit$X, intercept = FALSE,
               test = metafor_tests[[fit$ci_method]], level = 100 * fit$level, btt = fit$btt)
  fixed <- identical(fit$method, "fixed")
  if (fixed) args$tau2 <- fit$tau2 else args$method <- metafor_method(fit$method)
  if (!fixed && !fit$method %in% c("FE", "DL", "HE", "HS", "HSk", "SJ")) {
    args$control <- list(threshold = 1e-12, maxiter = 10000, tol = 1e-12)
  }
  m <- tryCatch(suppressWarnings(do.call(metafor::rma, args)), error = function(e) e)
  if (inherits(m, "error")) {
    return(comparison_rows(paste0("b[", names(fit$beta), "]"), fit$beta, NA_real_,
                           paste("metafor failed:", conditionMessage(m))))
  }
  nm <- names(fit$beta)
  stat <- if (fit$ci_method == "z") "z" else "t"
  rows <- rbind(
    comparison_rows(paste0("b[", nm, "]"), fit$beta, m$beta),
    comparison_rows(paste0("se[", nm, "]"), fit$se, m$se),
    comparison_rows(paste0(stat, "[", nm, "]"), fit$stat, m$zval),
    comparison_rows(paste0("p[", nm, "]"), fit$p, m$pval),
    comparison_rows(paste0("ci_lb[", nm, "]"), fit$ci_lb, m$ci.lb),
    comparison_rows(paste0("ci_ub[", nm, "]"), fit$ci_ub, m$ci.ub),
    comparison_rows(c("QM", "QM_p", "QE", "QE_p", "I2", "H2"),
                    c(fit$QM, fit$QM_p, fit$Q, fit$Q_p, fit$I2, fit$H2),
                    c(m$QM, m$QMp, m$QE, m$QEp, m$I2, m$H2))
  )
  if (!fit$method %in% c("FE")) rows <- rbind(rows, comparison_rows("tau2", fit$tau2, m$tau2))
  if (!is.null(m$R2)) rows <- rbind(rows, comparison_rows("R2", fit$R2, m$R2))
  rows
}

# ---- inverse variance -------------------------------------------------------

compare_iv <- function(fit) {
  rows <- list(compare_iv_one(fit, ""))
  if (!is.null(fit$subgroups)) {
    subs <- lapply(names(fit$subgroups), function(g) {
      compare_iv_one(fit$subgroups[[g]], paste0("[", g, "] "))
    })
    rows <- c(rows, subs, list(compare_subgroup_test(fit)))
  }
  do.call(rbind, rows)
}

metafor_method <- function(method) if (method == "FE") "EE" else method

rma_like <- function(f) {
  fixed <- identical(f$requested_method, "fixed") || identical(f$method, "fixed")
  args <- list(yi = f$yi, vi = f$vi, test = metafor_tests[[f$ci_method]], level = 100 * f$level)
  if (fixed) args$tau2 <- f$tau2 else args$method <- metafor_method(f$method)
  if (!fixed && !f$method %in% c("FE", "DL", "HE", "HS", "HSk")) {
    args$control <- list(threshold = 1e-12, maxiter = 10000, tol = 1e-12)
  }
  suppressWarnings(do.call(metafor::rma, args))
}

compare_iv_one <- function(f, prefix) {
  m <- tryCatch(rma_like(f), error = function(e) e)
  if (inherits(m, "error")) {
    q <- c("estimate", "se", "ci_lb", "ci_ub", "tau2")
    return(comparison_rows(paste0(prefix, q), unlist(f[q]), NA_real_,
                           paste("metafor failed:", conditionMessage(m))))
  }
  random <- !f$method %in% c("FE")
  rows <- comparison_rows(
    paste0(prefix, c("estimate", "se", "ci_lb", "ci_ub", if (f$ci_method == "z") "z" else "t",
                     "p", "Q", "Q_p", "I2", "H2")),
    c(f$estimate, f$se, f$ci_lb, f$ci_ub, f$stat, f$p, f$Q, f$Q_p, f$I2, f$H2),
    c(m$b[1], m$se, m$ci.lb, m$ci.ub, m$zval, m$pval, m$QE, m$QEp, m$I2, m$H2)
  )
  if (random) {
    rows <- rbind(rows, comparison_rows(paste0(prefix, "tau2"), f$tau2, m$tau2))
    if (f$k >= 2 && f$method != "fixed" && is.finite(f$tau2_lb)) {
      # metafor's default root-finding tolerance is ~1e-4; tighten it to compare digits
      ci <- tryCatch(suppressWarnings(stats::confint(m, type = if (f$tau2_ci == "PL") "PL" else "QP",
                                                     control = list(tol = 1e-13, maxiter = 10000))),
                     error = function(e) NULL)
      if (!is.null(ci)) {
        lim <- ci$random["tau^2", c("ci.lb", "ci.ub")]
        capped <- lim >= max(100, 10 * m$tau2) * (1 - 1e-8)
        rows <- rbind(rows, comparison_rows(paste0(prefix, c("tau2_lb", "tau2_ub")),
                                            c(f$tau2_lb, f$tau2_ub), lim,
                                            ifelse(capped, paste(
                                              "metafor stops its search for a limit at",
                                              "max(100, 10 tau2); metapool finds the root"), "")))
      }
    }
    pred <- metafor_prediction(m, f)
    # The quantity names metafor's predtype: its default predict() can give another interval.
    rows <- rbind(rows, comparison_rows(
      sprintf("%s%s [metafor predtype \"%s\"]", prefix, c("pi_lb", "pi_ub"), pred$type),
      c(f$pi_lb, f$pi_ub), pred$limits, pred$note))
  }
  rows
}

# metafor's prediction interval of the same type, where it has one.
metafor_prediction <- function(m, f) {
  type <- switch(f$pi_method,
                 t_k2 = "riley",
                 t_k1 = "t",
                 z = if (f$ci_method == "z") "default" else NA_character_)
  if (is.na(type)) {
    p <- stats::predict(m)
    return(list(limits = c(p$pi.lb, p$pi.ub), type = "default", note = paste(
      "metapool: z prediction interval; metafor with a t-based test uses t(k - 1)")))
  }
  p <- stats::predict(m, predtype = type)
  note <- if (f$pi_method == "t_k2" && f$k < 3) {
    "t(k - 2) undefined for k < 3 (metapool: NA)"
  } else if (f$pi_method == "t_k2" && identical(f$requested_method, "fixed")) {
    "with tau2 fixed, metafor's Riley interval uses t(k - 1); metapool keeps t(k - 2)"
  } else {
    ""
  }
  list(limits = c(p$pi.lb, p$pi.ub), note = note, type = type)
}

# RevMan's test across the subgroup estimates, from metafor's subgroup fits.
compare_subgroup_test <- function(fit) {
  fits <- lapply(fit$subgroups, rma_like)
  est <- vapply(fits, function(m) m$b[1], numeric(1))
  se <- vapply(fits, function(m) m$se, numeric(1))
  w <- 1 / se^2
  Q <- sum(w * (est - sum(w * est) / sum(w))^2)
  df <- length(est) - 1
  comparison_rows(c("subgroup_Q", "subgroup_p"), c(fit$subgroup_test$Q, fit$subgroup_test$p),
                  c(Q, stats::pchisq(Q, df, lower.tail = FALSE)))
}

# ---- Mantel-Haenszel and Peto --------------------------------------------------

compare_mh <- function(fit) {
  tables <- rbind(fit$arms, fit$not_estimable_data[c("events1", "n1", "events2", "n2")])
  st <- fit$settings
  args <- list(ai = tables$events1, n1i = tables$n1, ci = tables$events2, n2i = tables$n2,
               level = 100 * fit$level)
  rd_note <- ""
  if (fit$mh_method == "Peto") {
    m <- suppressWarnings(do.call(metafor::rma.peto, args))
  } else {
    args <- c(args, list(measure = fit$measure, add = st$add, to = st$to, drop00 = st$drop00))
    m <- suppressWarnings(do.call(metafor::rma.mh, args))
    if (fit$measure == "RD" && st$rd_variance != "sato") {
      rd_note <- "variance: metapool Greenland-Robins (RevMan); metafor always Sato et al."
    }
  }
  if (identical(fit$model, "random")) return(compare_mh_random(fit, m, tables))
  comparison_rows(
    c("estimate", "se", "ci_lb", "ci_ub", "z", "p", "Q", "Q_p", "I2"),
    c(fit$estimate, fit$se, fit$ci_lb, fit$ci_ub, fit$stat, fit$p, fit$Q, fit$Q_p, fit$I2),
    c(m$b[1], m$se, m$ci.lb, m$ci.ub, m$zval, m$pval, m$QE, m$QEp, m$I2),
    c("", rd_note, rd_note, rd_note, rd_note, rd_note, "", "", "")
  )
}

compare_mh_random <- function(fit, m, tables) {
  st <- fit$settings
  es <- suppressWarnings(metafor::escalc(fit$measure, ai = tables$events1, n1i = tables$n1,
                                         ci = tables$events2, n2i = tables$n2, add = st$add[1],
                                         to = st$to[1], drop00 = st$drop00[1]))
  ok <- is.finite(es$yi) & is.finite(es$vi)
  w <- 1 / es$vi[ok]
  tau2 <- max(0, (m$QE - (sum(ok) - 1)) / (sum(w) - sum(w^2) / sum(w)))
  re <- metafor::rma(es$yi[ok], es$vi[ok], tau2 = tau2, level = 100 * fit$level)
  comparison_rows(
    c("estimate", "se", "ci_lb", "ci_ub", "z", "p", "Q", "tau2"),
    c(fit$estimate, fit$se, fit$ci_lb, fit$ci_ub, fit$stat, fit$p, fit$Q, fit$tau2),
    c(re$b[1], re$se, re$ci.lb, re$ci.ub, re$zval, re$pval, m$QE, tau2)
  )
}

#' @export
print.mp_comparison <- function(x, digits = 6, ...) {
  tol <- attr(x, "tolerance")
  cat(sprintf("metapool vs metafor %s (tolerance %g)\n", attr(x, "metafor_version"), tol))
  if (isTRUE(attr(x, "revman_effects"))) {
    cat("Study effects from RevMan 5's formulas (preset \"revman5\"), which metafor's escalc()\n",
        "lacks: metafor pooled metapool's yi and vi, so this compares the pooling.\n", sep = "")
  }
  fmt <- function(v) ifelse(is.na(v), "NA", formatC(v, digits = digits, format = "g"))
  flag <- ifelse(is.na(x$agree), "~", ifelse(x$agree, "", "<< DIFFERS"))
  out <- data.frame(quantity = x$quantity, metapool = fmt(x$metapool), metafor = fmt(x$metafor),
                    abs_diff = ifelse(is.na(x$abs_diff), "", formatC(x$abs_diff, digits = 2, format = "e")),
                    ` ` = flag, check.names = FALSE, stringsAsFactors = FALSE)
  print(out, row.names = FALSE, right = FALSE)
  n_bad <- sum(x$agree %in% FALSE)
  cat(sprintf("\n%d of %d quantities agree%s.\n", sum(x$agree %in% TRUE), nrow(x),
              if (n_bad) sprintf("; %d DIFFER beyond the tolerance", n_bad) else ""))
  notes <- unique(x$note[nzchar(x$note)])
  if (length(notes)) {
    cat("~ different conventions, not counted:\n")
    for (q in notes) cat(sprintf("  %s: %s\n", paste(x$quantity[x$note == q], collapse = ", "), q))
  }
  invisible(x)
}

#' Convert a metafor fit into a metapool fit
#'
#' Re-runs the analysis of a fitted metafor model with metapool: the same
#' studies (after metafor's `subset` and removal of missing values), measure,
#' estimator, test, level and zero-cell settings.
#'
#' * `rma.uni` (from `metafor::rma()`, without moderators): [metapool()] with
#'   `method` = metafor's estimator (`"EE"`/`"FE"`/`"CE"` become `"FE"`), a
#'   fixed `tau2` if one was given, `ci_method` from `test` (`"knha"` is
#'   `"hksj"`, `"adhoc"` is `"hksj_adhoc"`), and the same `level`.
#' * `rma.mh`: [metapool_mh()] with `method = "MH"` and metafor's `add`, `to`
#'   and `drop00` (and `rd_variance = "sato"`, metafor's risk-difference
#'   variance).
#' * `rma.peto`: [metapool_mh()] with `method = "Peto"`.
#'
#' Meta-regression, user weights, and other model classes (`rma.mv`,
#' `rma.glmm`, ...) have no metapool counterpart and give an error.
#'
#' @param x A fitted metafor model.
#' @param pi_method Prediction interval of the new fit (metapool's choice; see
#'   [metapool()]).
#' @param ... Unused.
#' @return A `metapool` fit.
#' @seealso [compare_metafor()]
#' @examples
#' if (requireNamespace("metafor", quietly = TRUE)) {
#'   dat <- metafor::escalc("RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = bcg)
#'   m <- metafor::rma(yi, vi, data = dat, method = "DL", test = "knha")
#'   as_metapool(m)
#' }
#' @export
as_metapool <- function(x, ...) UseMethod("as_metapool")

#' @rdname as_metapool
#' @export
as_metapool.default <- function(x, ...) {
  abort_input(sprintf("`x` must be a metafor rma.uni, rma.mh or rma.peto fit, not %s.",
                      paste(class(x), collapse = "/")), "x")
}

#' @rdname as_metapool
#' @export
as_metapool.rma.uni <- function(x, pi_method = "t_k2", ...) {
  if (!isTRUE(x$weighted) || !is.null(x$weights)) {
    abort_input("`x` was fitted with user-given or no weights; metapool uses inverse-variance weights.", "x")
  }
  method <- if (x$method %in% c("EE", "FE", "CE")) "FE" else x$method
  if (!x$tau2.fix && !method %in% tau2_method_names) {
    abort_input(sprintf("metafor's estimator \"%s\" has no metapool counterpart.", x$method), "x")
  }
  test <- names(metafor_tests)[metafor_tests == x$test]
  if (!length(test)) abort_input(sprintf("metafor's test \"%s\" has no metapool counterpart.", x$test), "x")
  measure <- if (x$measure %in% names(measure_labels)) x$measure else "generic"
  # A meta-regression keeps metafor's design matrix (intercept named as metapool names it).
  design <- if (!isTRUE(x$int.only)) list(X = fix_intercept_name(x$X))
  studies <- prepare_studies(list(yi = as.numeric(x$yi), vi = as.numeric(x$vi)), x$slab,
                             source = list(source = "metafor", measure = measure,
                                           metafor_measure = x$measure), design = design)
  tau2 <- if (x$tau2.fix) x$tau2
  level <- 100 * (1 - x$level)
  settings <- if (is.null(design)) {
    iv_settings(method, tau2, test, pi_method, "QP", FALSE, level, list())
  } else {
    metareg_settings(method, tau2, test, pi_method, "QP", level, list(), btt = x$btt)
  }
  settings$measure <- measure
  run_fit(studies, settings)
}

#' @rdname as_metapool
#' @export
as_metapool.rma.uni.trimfill <- function(x, ...) {
  fill <- x$fill %||% rep(FALSE, length(x$yi))
  fit <- as_metapool.rma.uni(x, ...)
  fit$filled <- fill
  structure(list(k0 = x$k0, se_k0 = x$se.k0, p_k0 = x$p.k0 %||% NA_real_, side = x$side,
                 estimator = x$k0.est, fit = fit, original = NULL), class = "mp_trimfill")
}

#' @rdname as_metapool
#' @export
as_metapool.regtest <- function(x, ...) {
  limit <- if (!is.null(x$est)) c(estimate = x$est, ci_lb = x$ci.lb, ci_ub = x$ci.ub)
  structure(list(method = "egger", predictor = x$predictor, model = x$model,
                 statistic = x$zval, df = if (is.null(x$ddf)) NA_real_ else x$ddf, p = x$pval,
                 limit = limit, fit = NULL, measure = "generic", k = NA_integer_),
            class = "mp_smallstudy")
}

#' @rdname as_metapool
#' @export
as_metapool.ranktest <- function(x, ...) {
  structure(list(method = "begg", statistic = unname(x$tau), df = NA_real_, p = x$pval,
                 measure = "generic", k = NA_integer_), class = "mp_smallstudy")
}

#' @rdname as_metapool
#' @export
as_metapool.fsn <- function(x, ...) {
  if (!x$type %in% c("Rosenthal", "Orwin", "Rosenberg")) {
    abort_input(sprintf("metafor's fail-safe N type \"%s\" has no metapool counterpart.", x$type), "x")
  }
  structure(list(type = x$type, fsn = x$fsnum, p = if (x$type == "Orwin") NA_real_ else x$pval,
                 alpha = x$alpha, estimate = x$meanes %||% NA_real_,
                 target = if (x$type == "Orwin") x$target else NA_real_, k = x$k),
            class = "mp_fsn")
}

#' @rdname as_metapool
#' @export
as_metapool.rma.mh <- function(x, ...) {
  mh_from_metafor(x, method = "MH", measure = x$measure)
}

#' @rdname as_metapool
#' @export
as_metapool.rma.peto <- function(x, ...) {
  mh_from_metafor(x, method = "Peto", measure = "OR")
}

mh_from_metafor <- function(x, method, measure) {
  if (!measure %in% c("RR", "OR", "RD")) {
    abort_input(sprintf("metafor's measure \"%s\" has no metapool counterpart.", measure), "x")
  }
  tab <- lapply(x$outdat.f[c("ai", "bi", "ci", "di")], function(v) v[x$not.na])
  slab <- if (length(x$slab) == length(x$not.na)) x$slab[x$not.na] else NULL
  args <- list(events1 = tab$ai, n1 = tab$ai + tab$bi, events2 = tab$ci, n2 = tab$ci + tab$di,
               slab = slab, measure = measure, method = method, level = 100 * (1 - x$level))
  if (method == "MH") {
    args <- c(args, list(add = rep_len(x$add, 2L), to = rep_len(x$to, 2L),
                         drop00 = rep_len(x$drop00, 2L), rd_variance = "sato"))
  }
  do.call(metapool_mh, args)
}
