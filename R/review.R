#' Reproduce the Cochrane review of Internet-delivered therapies for chronic pain
#'
#' Runs every analysis whose pooled result the abstract of Eccleston et al.
#' (2014, Cochrane CD010152) reports, with RevMan 5's methods, and sets the
#' result beside the published one and, where installed, beside metafor's. It
#' also derives what the published summaries alone imply: the standard error,
#' z and p behind each confidence interval and whether each printed p-value
#' statement agrees with it, the number needed to treat with its confidence
#' interval, and tests for a difference between headache and non-headache
#' conditions.
#'
#' @section Methods (RevMan 5):
#' Standardised mean differences are Hedges' adjusted g with the approximate
#' correction and RevMan's variance (`es_smd(preset = "revman5")`), pooled by
#' inverse variance with DerSimonian-Laird random effects (`metapool(method =
#' "DL")`). The headache pain analysis is RevMan's "M-H, Random" risk ratio
#' (`metapool_mh(measure = "RR", model = "random", preset = "revman5")`), with
#' 0.5 added to every cell of a study with a zero cell. All intervals are Wald
#' intervals. A result passes when its estimate and both limits, rounded to the
#' two decimals the review prints, equal the published ones, and the number of
#' studies equals the one the abstract states (where it states one).
#'
#' metafor has no switch for RevMan's SMD, so its column pools the same study
#' effects with `rma(method = "DL")`; for the risk ratio it takes the
#' heterogeneity statistic of `rma.mh()` with RevMan's zero-cell settings,
#' turns it into DerSimonian-Laird's tau^2 and pools with `rma(tau2 = )`.
#'
#' @section What is derived from the published numbers alone:
#' * `implied`: for each result, `se = (ub - lb) / (2 z_0.975)` on the analysis
#'   scale (log for the risk ratio), `z = estimate / se`, the two-sided p, and
#'   the range of p over every estimate and limit that rounds to the published
#'   ones. The printed statement ("<0.01", ">0.05", ...) is *consistent* when it
#'   holds over that whole range, *borderline* when it holds for part of it, and
#'   *inconsistent* when it holds nowhere.
#' * `nnt`: the NNT to benefit for headache pain. The abstract gives the NNT
#'   (2.72) and the RR but not the control risk, so the control risk is the one
#'   they imply, `1 / (NNT (RR - 1))`; the CI comes from the RR limits (Altman
#'   1998), and a limit whose experimental risk would exceed 1 is bounded
#'   there. The same is computed from the pooled control risk of the study data.
#' * `subgroups`: for each outcome reported for both conditions on the same
#'   measure, RevMan's test for subgroup differences (Cochran's Q across the two
#'   pooled estimates weighted by `1 / se^2`), once from the published summaries
#'   and once from the study data.
#'
#' @param data Study-level data with the columns of [eccleston2014_synthetic]
#'   (one row per trial and analysis). The default is the synthetic stand-in;
#'   the same code runs on the review's data exported from RevMan.
#' @param published The published results, as [eccleston2014].
#' @param metafor Compare with metafor if it is installed.
#' @param dir Optional directory: the forest plots of every analysis and of the
#'   published summary are written there as PDF and PNG.
#' @return An object of class `mp_review`: a list with `results` (one row per
#'   analysis: published, metapool and metafor estimates and limits, the
#'   largest absolute differences, `pass`), `implied`, `nnt` (an [nnt_ci()] table of
#'   two rows: from the published summary and from the study data),
#'   `subgroups`, `fits` (the `metapool` fits, by analysis), `synthetic`
#'   (whether the study data are the synthetic stand-in), `metafor_version`, and
#'   `files` (plots written, if any). It prints as a report.
#' @references Eccleston C, Fisher E, Craig L, Duggan GB, Rosser BA, Keogh E
#'   (2014). Psychological therapies (Internet-delivered) for the management of
#'   chronic pain in adults. *Cochrane Database of Systematic Reviews*, Issue
#'   2, CD010152. \doi{10.1002/14651858.CD010152.pub2}
#'
#'   Altman DG (1998). Confidence intervals for the number needed to treat.
#'   *BMJ*, 317, 1309-1312.
#' @seealso [eccleston2014], [eccleston2014_synthetic], `vignette("internet-therapy-review")`.
#' @examples
#' review <- reproduce_review(metafor = FALSE)
#' review
#' review$implied
#' @export
reproduce_review <- function(data = NULL, published = NULL, metafor = TRUE, dir = NULL) {
  data <- data %||% metapool::eccleston2014_synthetic
  published <- published %||% metapool::eccleston2014
  chk_review_data(data, published)
  chk_flag(metafor, "metafor")
  use_metafor <- metafor && requireNamespace("metafor", quietly = TRUE)

  fits <- list()
  rows <- list()
  for (j in seq_len(nrow(published))) {
    pub <- published[j, ]
    d <- as.data.frame(data)[data$analysis == pub$analysis, , drop = FALSE]
    fit <- review_fit(d, pub$measure)
    if (is_synthetic(data)) fit$synthetic <- TRUE
    fits[[pub$analysis]] <- fit
    back <- back_transform_fun(pub$measure)
    ours <- back(c(fit$estimate, fit$ci_lb, fit$ci_ub))
    theirs <- if (use_metafor) back(metafor_review_fit(fit, d, pub$measure)) else rep(NA_real_, 3)
    shown <- c(pub$estimate, pub$ci_lb, pub$ci_ub)
    rows[[j]] <- data.frame(
      analysis = pub$analysis, condition = pub$condition, outcome = pub$outcome,
      timepoint = pub$timepoint, measure = pub$measure,
      k_published = pub$k, k = fit$k,
      published = pub$estimate, published_lb = pub$ci_lb, published_ub = pub$ci_ub,
      estimate = ours[1], ci_lb = ours[2], ci_ub = ours[3],
      metafor = theirs[1], metafor_lb = theirs[2], metafor_ub = theirs[3],
      diff_published = max(abs(ours - shown)),
      diff_metafor = max(abs(ours - theirs)),
      pass = all(round(ours, 2) == shown) && (is.na(pub$k) || pub$k == fit$k),
      stringsAsFactors = FALSE
    )
  }
  results <- do.call(rbind, rows)

  pain <- published$measure == "RR" & !is.na(published$nnt)
  nnt_table <- review_nnt(published[pain, ], fits[[published$analysis[pain][1]]])

  out <- structure(list(
    results = results,
    implied = implied_by_published(published),
    nnt = nnt_table,
    subgroups = review_subgroup_tests(published, fits),
    fits = fits,
    synthetic = inherits(data, "mp_synthetic"),
    metafor_version = if (use_metafor) as.character(utils::packageVersion("metafor")) else NA_character_,
    files = character()
  ), class = "mp_review")
  if (!is.null(dir)) out$files <- write_review_plots(out, published, dir)
  out
}

chk_review_data <- function(data, published) {
  if (!is.data.frame(published)) abort_input("`published` must be a data frame like `eccleston2014`.", "published")
  if (!is.data.frame(data)) abort_input("`data` must be a data frame like `eccleston2014_synthetic`.", "data")
  need_pub <- c("analysis", "condition", "outcome", "timepoint", "measure", "estimate",
                "ci_lb", "ci_ub", "k", "p_reported", "nnt")
  need_data <- c("analysis", "trial", "m1", "sd1", "n1", "m2", "sd2", "n2", "events1", "events2")
  for (what in list(list(published, need_pub, "published"), list(data, need_data, "data"))) {
    missing <- setdiff(what[[2]], names(what[[1]]))
    if (length(missing)) {
      abort_input(sprintf("`%s` lacks the column%s %s.", what[[3]], if (length(missing) > 1) "s" else "",
                          paste0("`", missing, "`", collapse = ", ")), what[[3]])
    }
  }
  chk_choice_values(published$measure, c("SMD", "RR"), "published$measure")
  absent <- setdiff(published$analysis, data$analysis)
  if (length(absent)) {
    abort_input(sprintf("`data` has no rows for the analys%s %s.", if (length(absent) > 1) "es" else "is",
                        paste(absent, collapse = ", ")), "data")
  }
}

chk_choice_values <- function(x, choices, arg) {
  bad <- !x %in% choices
  if (any(bad)) {
    abort_input(sprintf("`%s` must be one of %s; %s is not.", arg,
                        paste0("\"", choices, "\"", collapse = ", "),
                        paste0("\"", unique(x[bad]), "\"", collapse = ", ")), arg)
  }
}

# One analysis with RevMan 5's methods.
review_fit <- function(d, measure) {
  if (measure == "RR") {
    return(metapool_mh(d$events1, d$n1, d$events2, d$n2, slab = d$trial, measure = "RR",
                       model = "random", preset = "revman5"))
  }
  es <- es_smd(d$m1, d$sd1, d$n1, d$m2, d$sd2, d$n2, slab = d$trial, preset = "revman5")
  metapool(es, method = "DL", ci_method = "z")
}

# The same analysis in metafor (estimate and limits on the analysis scale).
metafor_review_fit <- function(fit, d, measure) {
  if (measure == "RR") {
    mh <- metafor::rma.mh(ai = d$events1, n1i = d$n1, ci = d$events2, n2i = d$n2, measure = "RR",
                          add = c(1 / 2, 1 / 2), to = c("only0", "only0"), drop00 = c(TRUE, TRUE))
    es <- metafor::escalc("RR", ai = d$events1, n1i = d$n1, ci = d$events2, n2i = d$n2,
                          add = 1 / 2, to = "only0", drop00 = TRUE)
    w <- 1 / es$vi
    tau2 <- max(0, (mh$QE - (mh$k - 1)) / (sum(w) - sum(w^2) / sum(w)))
    re <- metafor::rma(es$yi, es$vi, tau2 = tau2)
  } else {
    re <- metafor::rma(fit$yi, fit$vi, method = "DL")
  }
  c(re$b[1], re$ci.lb, re$ci.ub)
}

# SE, z and p behind each published CI, and whether the printed p statement
# holds over every value that rounds to the published numbers.
implied_by_published <- function(published, digits = 2) {
  z975 <- stats::qnorm(0.975)
  half <- 0.5 * 10^-digits
  rows <- lapply(seq_len(nrow(published)), function(j) {
    pub <- published[j, ]
    to_scale <- if (is_ratio_measure(pub$measure)) log else identity
    z_of <- function(est, lb, ub) to_scale(est) / ((to_scale(ub) - to_scale(lb)) / (2 * z975))
    se <- (to_scale(pub$ci_ub) - to_scale(pub$ci_lb)) / (2 * z975)
    z <- z_of(pub$estimate, pub$ci_lb, pub$ci_ub)
    # |z| is monotone in each rounded number, so its range is reached at a corner.
    corners <- expand.grid(est = pub$estimate + c(-half, half), lb = pub$ci_lb + c(-half, half),
                           ub = pub$ci_ub + c(-half, half))
    p_corners <- 2 * stats::pnorm(-abs(z_of(corners$est, corners$lb, corners$ub)))
    p <- 2 * stats::pnorm(-abs(z))
    claim <- parse_p_statement(pub$p_reported)
    holds <- function(pv) if (claim$op == "<") pv < claim$bound else pv > claim$bound
    verdict <- if (all(holds(range(p_corners)))) "consistent" else
      if (any(holds(range(p_corners)))) "borderline" else "inconsistent"
    data.frame(analysis = pub$analysis, measure = pub$measure, se = se, z = z, p = p,
               p_min = min(p_corners), p_max = max(p_corners), p_reported = pub$p_reported,
               verdict = verdict, stringsAsFactors = FALSE)
  })
  do.call(rbind, rows)
}

parse_p_statement <- function(text) {
  m <- regmatches(text, regexec("^\\s*[pP]?\\s*([<>])\\s*(0?\\.[0-9]+)\\s*$", text))[[1]]
  if (length(m) != 3L) {
    abort_input(sprintf("`p_reported` must read like \"<0.01\" or \">0.05\", not \"%s\".", text),
                "p_reported")
  }
  list(op = m[2], bound = as.numeric(m[3]))
}

# NNT for a beneficial event from the published RR and NNT (the control risk
# they imply) and from the fit's pooled control risk.
review_nnt <- function(pub, fit) {
  if (!nrow(pub)) return(NULL)
  implied_cr <- 1 / (pub$nnt * (pub$estimate - 1))
  from_published <- nnt_ci(pub$estimate, measure = "RR", ci_lb = pub$ci_lb, ci_ub = pub$ci_ub,
                        acr = implied_cr, event = "beneficial")
  from_data <- nnt_ci(fit, event = "beneficial")
  out <- rbind(from_published, from_data)
  out$label <- c("published", "study data")
  out
}

# RevMan's test for subgroup differences between the two conditions, for each
# outcome and time point reported for both on the same measure.
review_subgroup_tests <- function(published, fits) {
  keys <- unique(published[c("outcome", "timepoint")])
  rows <- list()
  for (i in seq_len(nrow(keys))) {
    pub <- published[published$outcome == keys$outcome[i] & published$timepoint == keys$timepoint[i], ]
    if (length(unique(pub$condition)) < 2L) next
    same_measure <- length(unique(pub$measure)) == 1L
    from_pub <- from_data <- list(Q = NA_real_, df = NA_real_, p = NA_real_, I2 = NA_real_)
    if (same_measure) {
      implied <- implied_by_published(pub)
      to_scale <- if (is_ratio_measure(pub$measure[1])) log else identity
      from_pub <- cpp_subgroup_test(to_scale(pub$estimate), implied$se)
      from_data <- subgroup_difference_test(fits[pub$analysis])
    }
    rows[[length(rows) + 1L]] <- data.frame(
      outcome = keys$outcome[i], timepoint = keys$timepoint[i],
      measures = paste(unique(pub$measure), collapse = " vs "),
      testable = same_measure,
      Q_published = from_pub$Q, df = from_pub$df, p_published = from_pub$p,
      I2_published = from_pub$I2, Q_data = from_data$Q, p_data = from_data$p,
      stringsAsFactors = FALSE
    )
  }
  do.call(rbind, rows)
}

# Forest plots of every analysis and of the published summary. Lower scores are
# better on the SMD outcomes, while pain relief is a beneficial event, so the
# "favours" texts swap sides for the risk ratio.
write_review_plots <- function(review, published, dir) {
  if (!is.character(dir) || length(dir) != 1L || is.na(dir)) abort_input("`dir` must be a directory path.", "dir")
  dir.create(dir, showWarnings = FALSE, recursive = TRUE)
  favours <- list(SMD = c("therapy", "control"), RR = c("control", "therapy"))
  arms <- c(experimental = "Internet therapy", control = "Control")
  files <- character()
  for (j in seq_len(nrow(published))) {
    a <- published$analysis[j]
    for (ext in c("pdf", "png")) {
      path <- file.path(dir, paste0(a, ".", ext))
      forest_plot(review$fits[[a]], labels = arms, favours = favours[[published$measure[j]]],
                  title = review_label(published[j, ]), file = path)
      files <- c(files, path)
    }
  }
  summary_rows <- data.frame(label = review_label(published), estimate = published$estimate,
                             ci_lb = published$ci_lb, ci_ub = published$ci_ub,
                             measure = published$measure, stringsAsFactors = FALSE)
  for (ext in c("pdf", "png")) {
    path <- file.path(dir, paste0("published_results.", ext))
    forest_plot(summary_rows, label = "label", estimate = "estimate", ci_lb = "ci_lb",
                ci_ub = "ci_ub", measure = "measure", favours = favours,
                title = "Eccleston et al. (2014): published pooled results", file = path)
    files <- c(files, path)
  }
  files
}

review_label <- function(x) {
  cond <- ifelse(x$condition == "headache", "Headache", "Non-headache")
  sprintf("%s: %s (%s)", cond, x$outcome, x$timepoint)
}

#' @export
print.mp_review <- function(x, ...) {
  r <- x$results
  cat("Eccleston et al. (2014), Cochrane CD010152: Internet-delivered psychological\n",
      "therapies for chronic pain in adults. RevMan 5 methods: SMD = Hedges' adjusted\n",
      "g, inverse-variance DerSimonian-Laird; RR = M-H random effects; 95% Wald CIs.\n", sep = "")
  if (isTRUE(x$synthetic)) {
    cat("Study-level data: SYNTHETIC stand-in (eccleston2014_synthetic), calibrated to\n",
        "the published results; not the trials' data.\n", sep = "")
  }
  ci <- function(e, l, u) ifelse(is.na(e), "-", sprintf("%.2f [%.2f, %.2f]", e, l, u))
  main <- data.frame(
    k = ifelse(is.na(r$k_published), sprintf("%d", r$k), sprintf("%d*", r$k)),
    published = ci(r$published, r$published_lb, r$published_ub),
    metapool = ci(r$estimate, r$ci_lb, r$ci_ub),
    metafor = ci(r$metafor, r$metafor_lb, r$metafor_ub),
    `|diff|` = formatC(r$diff_published, format = "f", digits = 4),
    pass = ifelse(r$pass, "yes", "NO"), check.names = FALSE, stringsAsFactors = FALSE
  )
  if (all(is.na(r$metafor))) main$metafor <- NULL
  print_by_condition(r, main)
  cat(sprintf("\n%d of %d published results reproduced at the published precision (2 decimals).\n",
              sum(r$pass), nrow(r)))
  cat("|diff|: largest absolute difference between metapool's unrounded estimate or limits\n",
      "and the published ones (rounding to 2 decimals allows up to 0.005).\n", sep = "")
  if (!is.na(x$metafor_version)) {
    cat(sprintf("metafor %s: largest absolute difference from metapool %.1e.\n",
                x$metafor_version, max(r$diff_metafor)))
  }
  cat("k: studies pooled; * the abstract states this k.\n")

  im <- x$implied
  cat("\nImplied by the published summaries (SE from the CI width; two-sided z-test;\n",
      "p range over every value that rounds to the published ones):\n", sep = "")
  print_by_condition(r, data.frame(
    SE = formatC(im$se, format = "f", digits = 3), z = formatC(im$z, format = "f", digits = 2),
    p = format_p_signif(im$p),
    `p range` = paste(format_p_signif(im$p_min), "to", format_p_signif(im$p_max)),
    reported = im$p_reported, verdict = im$verdict, check.names = FALSE
  ))

  if (!is.null(x$nnt)) {
    cat("\nNumber needed to treat, headache pain (>= 50% relief, a beneficial event):\n")
    print(x$nnt)
  }
  s <- x$subgroups
  if (!is.null(s) && nrow(s)) {
    cat("\nTest for subgroup differences, headache vs non-headache (RevMan; df = 1),\n",
        "from the published summaries and from the study data:\n", sep = "")
    print(data.frame(
      outcome = paste0(s$outcome, " (", s$timepoint, ")"),
      `Chi2 [P], published` = ifelse(s$testable, sprintf("%.2f [%s]", s$Q_published,
                                                         format_p_signif(s$p_published)),
                                     paste("not testable:", s$measures)),
      `Chi2 [P], data` = ifelse(s$testable, sprintf("%.2f [%s]", s$Q_data, format_p_signif(s$p_data)), "-"),
      check.names = FALSE
    ), row.names = FALSE, right = FALSE)
  }
  if (length(x$files)) cat(sprintf("\nPlots written: %d files in %s\n", length(x$files), dirname(x$files[1])))
  invisible(x)
}

# Rows of `columns` printed under a heading per condition, labelled by outcome
# (formatted by hand so that the table never wraps into pieces).
print_by_condition <- function(results, columns) {
  label <- ifelse(results$timepoint == "post-treatment", results$outcome,
                  paste0(results$outcome, " (", results$timepoint, ")"))
  table <- c(list(analysis = paste0("  ", label)), columns)
  padded <- lapply(names(table), function(nm) formatC(c(nm, table[[nm]]), flag = "-",
                                                      width = max(nchar(c(nm, table[[nm]])))))
  lines <- sub(" +$", "", do.call(paste, padded))
  cat(lines[1], sep = "\n")
  for (cond in unique(results$condition)) {
    cat(paste0(toupper(substring(cond, 1, 1)), substring(cond, 2)), "\n", sep = "")
    cat(lines[-1][results$condition == cond], sep = "\n")
  }
}

# p to two significant digits with RevMan's floor.
format_p_signif <- function(p) {
  ifelse(is.na(p), "NA", ifelse(p < 1e-5, "<0.00001", formatC(signif(p, 2), format = "fg", digits = 2, flag = "#")))
}
