#' Number needed to treat
#'
#' Converts an effect into the number of patients who need to be treated for
#' one more (NNTB) or one fewer (NNTH, "number needed to harm") patient to
#' benefit, with a confidence interval from the effect's confidence interval
#' (Altman 1998).
#'
#' The effect is first turned into a change in the risk of the event, given the
#' assumed control risk (ACR, the risk of the event without the intervention):
#' * risk difference: the change is the RD itself (`acr` is optional);
#' * risk ratio: experimental risk `EER = ACR * RR`;
#' * odds ratio: `EER = ACR * OR / (1 - ACR + ACR * OR)`;
#' * SMD: converted to a log odds ratio, `log OR = pi / sqrt(3) * SMD`
#'   (Hasselblad & Hedges 1995; Chinn 2000; the relation of
#'   [convert_smd_to_logor()]), and then as for the OR. This
#'   assumes the outcome has a logistic distribution with equal variances in
#'   both groups; the "event" is a score above a threshold, so with `event =
#'   "harmful"` a higher score is worse.
#'
#' The change `EER - ACR` counts as a benefit when the event is beneficial
#' (for example at least 50% pain relief) and as a harm otherwise; NNT = 1 /
#' benefit. Positive values are NNTB and negative values NNTH, as in Altman
#' (1998). Cochrane reviews round an NNT up to the next whole number; the
#' column `nnt_whole` gives that.
#'
#' The confidence limits of the effect are put through the same formula with
#' the ACR held fixed (its uncertainty is ignored, as in the Cochrane Handbook).
#' When the effect's interval includes no effect, the NNT interval has two
#' pieces and is printed as "NNTB x to infinity to NNTH y". When an implied
#' experimental risk would leave \[0, 1\] (possible for a risk ratio or a risk
#' difference), it is set to the bound and the result is flagged
#' (`estimate_bounded`, `limit_bounded`) rather than reported as an impossible
#' number.
#'
#' @param x The effect: a numeric vector (risk differences, risk ratios or odds
#'   ratios on the ratio scale, or SMDs), an [mp_es] object, or a pooled fit.
#' @param ... Further arguments for the methods.
#' @return An `mp_nnt` object: a data frame with the effect and its limits (on
#'   the natural scale), `acr`, the change in risk `risk_change` (EER - ACR),
#'   the absolute benefit `benefit` with limits `benefit_lb`, `benefit_ub`, the
#'   signed `nnt` (positive NNTB, negative NNTH), `type` ("NNTB", "NNTH" or
#'   "none"), `nnt_whole` (|NNT| rounded up) and the flags `estimate_bounded`
#'   and `limit_bounded`.
#' @references
#' Altman DG (1998). Confidence intervals for the number needed to treat.
#' *BMJ*, 317, 1309-1312.
#'
#' Higgins JPT, Green S (eds.) (2011). *Cochrane Handbook for Systematic
#' Reviews of Interventions*, version 5.1.0, section 12.5.4.
#'
#' Chinn S (2000). A simple method for converting an odds ratio to effect size
#' for use in meta-analysis. *Statistics in Medicine*, 19, 3127-3131.
#' @examples
#' # Cochrane Handbook 12.5.4.2: RR 0.92 with an assumed control risk of 30%
#' nnt_ci(0.92, measure = "RR", acr = 0.30, event = "harmful")
#'
#' # A sensitivity table over control risks, with a confidence interval
#' nnt_ci(7.28, measure = "RR", ci_lb = 2.67, ci_ub = 19.84, acr = c(0.02, 0.05, 0.1),
#'     event = "beneficial")
#'
#' # An interval crossing no effect
#' nnt_ci(-0.04, measure = "RD", ci_lb = -0.09, ci_ub = 0.01, event = "harmful")
#'
#' # From a pooled fit (ACR: the pooled control-group risk)
#' nnt_ci(metapool_mh(events1, n1, events2, n2, data = nielweise2007, measure = "RR",
#'                 preset = "revman5"), event = "harmful")
#'
#' # Per study, from 2x2 tables (ACR: each study's control-group risk)
#' nnt_ci(es_rd(tpos, tpos + tneg, cpos, cpos + cneg, data = bcg, slab = trial),
#'     event = "harmful")
#' @export
nnt_ci <- function(x, ...) UseMethod("nnt_ci")

#' @rdname nnt_ci
#' @export
nnt_ci.default <- function(x, ...) {
  abort_input(sprintf("`x` must be a numeric effect or an mp_es object, not %s.",
                      describe_type(x)), "x")
}

#' @rdname nnt_ci
#' @param measure Scale of `x`: `"RD"`, `"RR"`, `"OR"` or `"SMD"`.
#' @param ci_lb,ci_ub Confidence limits of the effect, on the same scale as `x`
#'   (optional).
#' @param acr Assumed control risk(s) in \[0, 1\]; required except for `"RD"`.
#'   Scalars are recycled against `x`, so one effect with several ACRs gives a
#'   sensitivity table.
#' @param event `"beneficial"` if the event is a good outcome (e.g. pain relief),
#'   `"harmful"` if it is a bad one (e.g. death).
#' @param level Confidence level of `ci_lb`/`ci_ub`, used in printing only.
#' @export
nnt_ci.numeric <- function(x, measure = c("RD", "RR", "OR", "SMD"), ci_lb = NULL, ci_ub = NULL,
                        acr = NULL, event = c("beneficial", "harmful"), level = 95, ...) {
  measure <- chk_choice(measure[1L], c("RD", "RR", "OR", "SMD"), "measure")
  event <- chk_event(event)
  level <- chk_level(level)
  ci_lb <- if (is.null(ci_lb)) NA_real_ else chk_numeric_vector(ci_lb, "ci_lb")
  ci_ub <- if (is.null(ci_ub)) NA_real_ else chk_numeric_vector(ci_ub, "ci_ub")
  vals <- list(x = x, ci_lb = ci_lb, ci_ub = ci_ub,
               acr = if (is.null(acr)) NA_real_ else chk_numeric_vector(acr, "acr"))
  if (is_ratio_measure(measure)) {
    for (nm in c("x", "ci_lb", "ci_ub")) {
      chk_condition(vals[[nm]], vals[[nm]] <= 0, nm, sprintf("must be positive (a %s, not its log)",
                                                            measure_labels[[measure]]))
    }
  }
  n <- max(lengths(vals))
  bad <- lengths(vals) != 1L & lengths(vals) != n
  if (any(bad)) {
    abort_input(sprintf("`%s` has length %d; `x`, `ci_lb`, `ci_ub` and `acr` must have length 1 or %d.",
                        names(vals)[bad][1L], lengths(vals)[bad][1L], n), names(vals)[bad][1L])
  }
  vals <- lapply(vals, rep_len, length.out = n)
  to_scale <- if (is_ratio_measure(measure)) log else identity
  compute_nnt(theta = to_scale(vals$x), lb = to_scale(vals$ci_lb), ub = to_scale(vals$ci_ub),
              acr = vals$acr, measure = measure, event = event, level = level,
              label = NULL, acr_source = "given")
}

#' @rdname nnt_ci
#' @details For an [mp_es] object of a binary measure, `acr` defaults to each
#'   study's observed control-group risk `events2 / n2`.
#' @export
nnt_ci.mp_es <- function(x, acr = NULL, event = c("beneficial", "harmful"), ...) {
  measure <- attr(x, "measure")
  if (!measure %in% c("RD", "RR", "OR", "SMD")) {
    abort_input(sprintf("An NNT needs a binary measure (RD, RR, OR) or an SMD; `x` holds %s.",
                        es_measure_name(measure)), "x")
  }
  event <- chk_event(event)
  acr_source <- "given"
  if (is.null(acr) && measure %in% c("RR", "OR", "RD") && "events2" %in% names(x)) {
    acr <- x$events2 / x$n2
    acr_source <- "observed control-group risk of each study"
  }
  acr <- if (is.null(acr)) NA_real_ else chk_numeric_vector(acr, "acr")
  if (!length(acr) %in% c(1L, nrow(x))) {
    abort_input(sprintf("`acr` must have length 1 or %d (one per study).", nrow(x)), "acr")
  }
  compute_nnt(theta = x$yi, lb = x$ci_lb, ub = x$ci_ub, acr = rep_len(acr, nrow(x)),
              measure = measure, event = event, level = attr(x, "level"), label = x$slab,
              acr_source = acr_source)
}

#' @rdname nnt_ci
#' @details For a pooled fit ([metapool()], [metapool_mh()]), the NNT is computed
#'   from the pooled estimate and its confidence interval, for the overall fit
#'   and each subgroup. For 2x2 data `acr` defaults to the pooled control-group
#'   risk, the control events divided by the control participants of the pooled
#'   studies (each subgroup its own).
#' @export
nnt_ci.metapool <- function(x, acr = NULL, event = c("beneficial", "harmful"), ...) {
  measure <- x$measure
  if (!measure %in% c("RD", "RR", "OR", "SMD")) {
    abort_input(sprintf(
      "An NNT needs a fit of a binary measure (RD, RR, OR) or an SMD; this fit pools %s.",
      es_measure_name(measure)
    ), "x")
  }
  event <- chk_event(event)
  fits <- c(x$subgroups, list(Overall = x))
  given <- !is.null(acr)
  if (given) {
    acr <- chk_numeric_vector(acr, "acr")
  } else if (is.null(x$control_risk) && measure != "RD") {
    abort_input(sprintf("`acr` (the assumed control risk) is needed to turn a pooled %s into an NNT.",
                        measure_labels[[measure]]), "acr")
  }
  # Several given control risks: one row per fit and risk (a sensitivity table).
  each <- if (given) length(acr) else 1L
  row_fit <- rep(seq_along(fits), each = each)
  risks <- if (given) rep(acr, times = length(fits)) else
    vapply(fits, function(f) f$control_risk %||% NA_real_, 0)
  pick <- function(field) vapply(fits, `[[`, 0, field)[row_fit]
  compute_nnt(theta = pick("estimate"), lb = pick("ci_lb"), ub = pick("ci_ub"),
              acr = risks, measure = measure, event = event,
              level = x$level, label = names(fits)[row_fit],
              acr_source = if (given || is.null(x$control_risk)) "given" else
                "pooled control-group risk (control events / control participants)")
}

chk_event <- function(event) {
  if (identical(event, c("beneficial", "harmful"))) {
    abort_input("`event` must be given: \"beneficial\" if the event is a good outcome (e.g. pain relief), \"harmful\" if it is a bad one.",
                "event")
  }
  chk_choice(event, c("beneficial", "harmful"), "event")
}

compute_nnt <- function(theta, lb, ub, acr, measure, event, level, label, acr_source) {
  chk_condition(acr, acr < 0 | acr > 1, "acr", "must be a risk between 0 and 1")
  if (measure != "RD" && anyNA(acr)) {
    abort_input(sprintf("`acr` (the assumed control risk) is needed to turn a %s into an NNT.",
                        measure_labels[[measure]]), "acr")
  }
  crossed <- !is.na(lb) & !is.na(ub) & lb > ub
  if (any(crossed)) abort_input(sprintf("`ci_lb` exceeds `ci_ub` in %s.", describe_rows(crossed)),
                                "ci_lb")
  res <- cpp_nnt(as.numeric(theta), as.numeric(lb), as.numeric(ub), as.numeric(acr), measure,
                 event == "beneficial")
  back <- if (is_ratio_measure(measure)) exp else identity
  sign <- if (event == "beneficial") 1 else -1
  out <- data.frame(
    label = label %||% seq_along(theta),
    measure = measure, effect = back(theta), effect_lb = back(lb), effect_ub = back(ub),
    acr = acr, event = event, risk_change = sign * res$benefit,
    benefit = res$benefit, benefit_lb = res$benefit_lb, benefit_ub = res$benefit_ub,
    nnt = 1 / res$benefit,
    type = ifelse(is.na(res$benefit), NA_character_,
                  ifelse(res$benefit > 0, "NNTB", ifelse(res$benefit < 0, "NNTH", "none"))),
    nnt_whole = ceiling(abs(1 / res$benefit)),
    estimate_bounded = res$estimate_bounded, limit_bounded = res$limit_bounded,
    stringsAsFactors = FALSE
  )
  structure(out, class = c("mp_nnt", "data.frame"), level = level, acr_source = acr_source)
}

#' @rdname nnt_ci
#' @param digits Decimal places for the NNT and its limits.
#' @details An effect of exactly no difference in risk (for example a ratio
#'   with a control risk of 0) has an infinite NNT, printed as "none (NNT
#'   infinite)"; a confidence limit at no difference puts infinity at that end
#'   of the NNT interval, as Altman (1998) describes for an interval that
#'   reaches no effect.
#' @export
format.mp_nnt <- function(x, digits = 2, ...) {
  inf <- infinity_symbol()
  fmt <- function(b) ifelse(b == 0, inf, formatC(1 / abs(b), digits = digits, format = "f"))
  lo <- x$benefit_lb
  hi <- x$benefit_ub
  ci <- ifelse(
    is.na(lo) | is.na(hi), "",
    ifelse(lo > 0, sprintf("NNTB %s to %s", fmt(hi), fmt(lo)),
    ifelse(hi < 0, sprintf("NNTH %s to %s", fmt(lo), fmt(hi)),
    ifelse(lo == 0 & hi == 0, sprintf("%s (no difference at either limit)", inf),
    ifelse(lo == 0, sprintf("NNTB %s to %s", fmt(hi), inf),
    ifelse(hi == 0, sprintf("NNTH %s to %s", fmt(lo), inf),
           sprintf("NNTB %s to %s to NNTH %s", fmt(hi), inf, fmt(lo)))))))
  )
  est <- ifelse(is.na(x$nnt), "NA",
                ifelse(x$type == "none", sprintf("none (NNT %s)", inf),
                       sprintf("%s %s (%s)", x$type, fmt(x$benefit), x$nnt_whole)))
  data.frame(est = est, ci = ci, stringsAsFactors = FALSE)
}

#' @rdname nnt_ci
#' @export
print.mp_nnt <- function(x, digits = 2, ...) {
  level <- attr(x, "level")
  f <- format.mp_nnt(x, digits = digits)
  measure <- x$measure[1L]
  eff <- format_num(x$effect, digits)
  has_ci <- !is.na(x$effect_lb)
  eff[has_ci] <- sprintf("%s [%s, %s]", eff[has_ci], format_num(x$effect_lb[has_ci], digits),
                         format_num(x$effect_ub[has_ci], digits))
  per1000 <- 1000 * x$risk_change
  change <- ifelse(is.na(per1000), "NA", ifelse(per1000 == 0, "no change", sprintf(
    "%s %s per 1000", sprintf("%.*f", ifelse(abs(per1000) < 10, 1L, 0L), abs(per1000)),
    ifelse(per1000 > 0, "more", "fewer"))))
  shown <- data.frame(
    label = as.character(x$label),
    effect = eff,
    acr = format_risk(x$acr),
    change = change,
    nnt = f$est,
    ci = f$ci,
    stringsAsFactors = FALSE
  )
  effect_name <- if (any(has_ci)) sprintf("%s [%g%% CI]", measure, 100 * level) else measure
  names(shown) <- c("", effect_name, "ACR", "events", "NNT (rounded up)",
                    sprintf("%g%% CI", 100 * level))
  # One effect (a pooled fit at several control risks): said once, above the table.
  numbered <- identical(x$label, seq_len(nrow(x)))
  same_effect <- nrow(x) > 1L && length(unique(eff)) == 1L &&
    (numbered || length(unique(x$label)) == 1L)
  title <- sprintf("Number needed to treat (event %s)", x$event[1L])
  if (same_effect || nrow(x) == 1L) {
    title <- sprintf("%s: %s%s %s", title, if (is.character(x$label)) paste0(x$label[1L], ", ") else "",
                     effect_name, eff[1L])
    shown <- shown[-2L]
  }
  if (numbered || same_effect || nrow(x) == 1L) shown <- shown[-1L]
  if (all(shown[[ncol(shown)]] == "")) shown <- shown[-ncol(shown)]
  cat(paste(strwrap(title, width = getOption("width"), exdent = 2), collapse = "\n"), "\n", sep = "")
  print_table(shown, width = getOption("width"))
  notes <- character(0)
  if (measure == "SMD") {
    notes <- c(notes, "SMD converted to a log odds ratio as pi/sqrt(3) x SMD (Hasselblad & Hedges 1995; Chinn 2000), assuming logistic outcome distributions with equal variances.")
  }
  if (attr(x, "acr_source") != "given") {
    notes <- c(notes, sprintf("ACR (assumed control risk): %s.", attr(x, "acr_source")))
  } else {
    notes <- c(notes, "ACR: assumed control risk.")
  }
  if (any(x$type == "none", na.rm = TRUE)) {
    notes <- c(notes, "No difference in risk: the NNT is infinite (Altman 1998).")
  }
  if (any(x$estimate_bounded, na.rm = TRUE)) {
    notes <- c(notes, "At the estimate, the implied experimental risk left [0, 1] and was set to the bound.")
  }
  if (any(x$limit_bounded, na.rm = TRUE)) {
    notes <- c(notes, "At a confidence limit, the implied experimental risk left [0, 1] and was set to the bound.")
  }
  notes <- c(notes, "NNTB: number needed to treat for one more patient to benefit; NNTH: for one more to be harmed.")
  cat(paste(strwrap(notes, width = getOption("width") - 2L, exdent = 2), collapse = "\n"), "\n",
      sep = "")
  invisible(x)
}

# Risks as percentages, all with the same number of decimals: enough for two
# significant digits of the smallest non-zero risk (at most 3), at least 1.
format_risk <- function(r) {
  pct <- 100 * r
  small <- suppressWarnings(min(pct[pct > 0], na.rm = TRUE))
  decimals <- if (is.finite(small)) min(3L, max(1L, ceiling(-log10(small)) + 1L)) else 1L
  ifelse(is.na(r), "-", paste0(formatC(pct, format = "f", digits = decimals), "%"))
}

# Prints a character table with left-aligned columns two spaces apart. Columns that
# would pass `width` continue on further lines (indented by two spaces, each with
# its own header), so no row wraps.
print_table <- function(x, width = 80L) {
  cells <- rbind(names(x), as.matrix(x))
  w <- apply(nchar(cells, type = "width"), 2L, max)
  groups <- list()
  start <- 1L
  while (start <= length(w)) {
    used <- cumsum(w[start:length(w)] + 2L) - 2L + if (start > 1L) 2L else 0L
    end <- start - 1L + max(1L, sum(used <= width))
    groups[[length(groups) + 1L]] <- start:end
    start <- end + 1L
  }
  pad <- function(v, n) formatC(v, width = -n, flag = "-")
  for (i in seq_len(nrow(cells))) {
    for (g in seq_along(groups)) {
      cols <- groups[[g]]
      text <- sub(" +$", "", paste(mapply(pad, cells[i, cols], w[cols]), collapse = "  "))
      if (nzchar(text)) cat(if (g > 1L) "  ", text, "\n", sep = "")
    }
  }
  invisible(x)
}

infinity_symbol <- function() if (isTRUE(l10n_info()[["UTF-8"]])) "\u221e" else "infinity"
