#' GRADE rating of the certainty of the evidence for one outcome
#'
#' Records the certainty of a body of evidence as the GRADE approach rates it
#' (Cochrane Handbook, chapter 14) together with the reasons for downgrading,
#' which [summary_of_findings()] prints as footnotes.
#'
#' Evidence from randomised trials starts at "high" and is rated down one or two
#' levels for each of five domains: risk of bias, inconsistency, indirectness,
#' imprecision and publication bias. The reasons are given as named arguments,
#' the name being the domain and the value the explanation shown in the
#' footnote. A rating below "high" needs at least one reason and a "high" rating
#' takes none, since the Handbook asks that every downgrade be explained.
#'
#' @param rating One of `"high"`, `"moderate"`, `"low"`, `"very low"`.
#' @param ... Reasons for downgrading, named by domain: `"risk of bias"`,
#'   `"inconsistency"`, `"indirectness"`, `"imprecision"`, `"publication bias"`
#'   (underscores or dots may replace the spaces, e.g. `risk_of_bias = "..."`).
#'   Each value is the text of the footnote.
#' @return An object of class `mp_grade`: a list with `rating` and `reasons` (a
#'   named character vector, names the domains).
#' @references Schünemann HJ, Higgins JPT, Vist GE, et al. (2023). Chapter 14:
#'   Completing 'Summary of findings' tables and grading the certainty of the
#'   evidence. In Higgins JPT et al. (eds.), *Cochrane Handbook for Systematic
#'   Reviews of Interventions*, version 6.4, section 14.2.
#' @seealso [summary_of_findings()]
#' @examples
#' grade_certainty("low",
#'   imprecision = "Two trials with 217 participants; the CI is wide.",
#'   risk_of_bias = "Participants were not blinded to a waiting-list control.")
#' grade_certainty("high")
#' @export
grade_certainty <- function(rating, ...) {
  rating <- chk_rating(rating, "rating")
  reasons <- list(...)
  domains <- grade_domain(names(reasons) %||% rep("", length(reasons)))
  bad <- is.na(domains)
  if (any(bad)) {
    given <- names(reasons) %||% rep("", length(reasons))
    abort_input(sprintf(
      "Reasons for downgrading must be named by a GRADE domain (%s); got %s.",
      paste0("\"", grade_domains, "\"", collapse = ", "),
      paste0("\"", given[bad], "\"", collapse = ", ")), "...")
  }
  ok_text <- vapply(reasons, function(r) is.character(r) && length(r) == 1L && !is.na(r) &&
                      nzchar(trimws(r)), logical(1))
  if (!all(ok_text)) {
    abort_input(sprintf("The reason given for %s must be a non-empty string.",
                        paste0("\"", domains[!ok_text], "\"", collapse = ", ")), "...")
  }
  if (anyDuplicated(domains)) {
    abort_input(sprintf("The domain \"%s\" is given twice; give one reason per domain.",
                        domains[duplicated(domains)][1L]), "...")
  }
  if (rating == "high" && length(reasons)) {
    abort_input(sprintf(
      "A \"high\" rating has no reasons for downgrading, but %s given.",
      paste0("\"", domains, "\"", collapse = ", ")), "rating")
  }
  if (rating != "high" && !length(reasons)) {
    abort_input(sprintf(
      "A \"%s\" rating needs the reasons for downgrading, named by domain (e.g. imprecision = \"...\").",
      rating), "...")
  }
  structure(list(rating = rating,
                 reasons = stats::setNames(as.character(unlist(reasons, use.names = FALSE)),
                                           domains)),
            class = "mp_grade")
}

#' @export
print.mp_grade <- function(x, ...) {
  cat(sprintf("GRADE certainty: %s\n", x$rating))
  if (length(x$reasons)) {
    cat(paste(sprintf("  downgraded for %s: %s", names(x$reasons), x$reasons), collapse = "\n"),
        "\n", sep = "")
  }
  invisible(x)
}

grade_ratings <- c("high", "moderate", "low", "very low")
grade_domains <- c("risk of bias", "inconsistency", "indirectness", "imprecision",
                   "publication bias")

grade_domain <- function(x) {
  key <- tolower(trimws(gsub("[_.]+", " ", x)))
  ifelse(key %in% grade_domains, key, NA_character_)
}

chk_rating <- function(rating, nm) {
  key <- if (is.character(rating) && length(rating) == 1L && !is.na(rating)) {
    tolower(trimws(gsub("[_.]+", " ", rating)))
  } else rating
  chk_choice(key, grade_ratings, nm)
}

#' Summary of findings table
#'
#' Builds the Cochrane "Summary of findings" table for a set of analyses: for
#' each outcome the anticipated absolute effects (risk with the comparator and
#' with the intervention, per 1000, with a confidence interval), the relative
#' effect, the number of participants (studies), the certainty of the evidence
#' with the reasons for downgrading as footnotes, and comments. For
#' standardised mean differences it adds the Handbook's rule-of-thumb
#' interpretation and, given the SD of a familiar instrument, the effect as a
#' mean difference on that instrument; for binary outcomes with a stated
#' direction it adds the number needed to treat.
#'
#' @section Absolute effects (Handbook 14.1.5 and 15.4.4):
#' With an assumed control risk (ACR) the risk with the intervention is
#' * risk ratio: `ACR x RR`;
#' * odds ratio: `ACR x OR / (1 - ACR + ACR x OR)`;
#' * risk difference: `ACR + RD`;
#'
#' and its confidence interval comes from putting the limits of the relative
#' effect through the same formula with the ACR held fixed. A risk that would
#' leave \[0, 1\] is set to the bound (flagged in the `bounded` column), as in
#' [nnt_ci()], whose engine does this arithmetic. By default the ACR of a fit is
#' its pooled control risk (control events over control participants,
#' `fit$control_risk`); `acr` can give one or several risks per outcome, as
#' GRADEpro's low, moderate and high risk rows. For example (Handbook 15.4.4.2;
#' 12.5.4.2 in version 5.1) a risk ratio of 0.92 with an ACR of 0.30 gives 276
#' per 1000 with the intervention, 24 fewer per 1000.
#'
#' @section Standardised mean differences (Handbook 15.5.3):
#' The comment gives the size of the pooled SMD by Cohen's rule of thumb as the
#' Handbook quotes it (0.2 small, 0.5 moderate, 0.8 large; below 0.2 "less than
#' small"), applied to the SMD rounded to two decimals as it is reported, and
#' says when the interval includes no effect. Given `sd`, the SD of
#' a familiar instrument (for example the typical control-group SD of a
#' well-known pain scale), the SMD and its limits are re-expressed as a mean
#' difference on that instrument, `MD = SMD x SD` (Handbook 15.5.3.1). The
#' interpretation is a convention; whether an effect matters to patients
#' depends on the outcome.
#'
#' @param x The analyses: a named list of pooled fits from [metapool()] or
#'   [metapool_mh()] (the names are the outcomes), a single fit (named by
#'   `outcome`), or a data frame of published results with columns `estimate`,
#'   `ci_lb`, `ci_ub` (ratio measures on the ratio scale, as published) and
#'   `measure`, and optionally `k` (studies), `participants`, `control_risk`
#'   and `level`, such as [eccleston2014]. A fit with subgroups contributes its
#'   overall result; pass the subgroup fits (`fit$subgroups`) for one row each.
#' @param acr Assumed control risks for binary outcomes (RR, OR, RD), in
#'   \[0, 1\]: a numeric vector used for every binary outcome, or a named list
#'   with one numeric vector per outcome (names: outcomes). Several risks give
#'   several rows; their names (e.g. `c(low = 0.05, high = 0.20)`) label them.
#'   Outcomes without one use their pooled control risk.
#' @param certainty GRADE ratings: a named list, one element per outcome, each
#'   [grade_certainty()] or a rating string (`"high"` only, since lower
#'   ratings need their reasons).
#' @param comments Named character vector of comments, one per outcome.
#' @param event For the NNT of binary outcomes: `"beneficial"` or `"harmful"`,
#'   one for all binary outcomes or a named vector per outcome. Outcomes without
#'   one get no NNT (the direction decides between NNTB and NNTH).
#' @param sd,scale For SMD outcomes: a named numeric vector of SDs of a familiar
#'   instrument, and a named character vector describing it (e.g. `"0-10 pain
#'   scale"`), to re-express the SMD as a mean difference.
#' @param outcome For a single fit, the name of its outcome. For a data frame,
#'   the column naming the outcomes (default: `"analysis"` if present, else
#'   `"outcome"`).
#' @param intervention,comparison Names of the intervention and the comparator,
#'   used in the headings.
#' @param per Denominator of the absolute risks (1000 as in Cochrane tables;
#'   100 for frequent events).
#' @param notes Further footnotes (character), printed after the others.
#' @return An object of class `mp_sof`: a data frame with one row per outcome
#'   and assumed control risk and columns `outcome`, `measure`, `estimate`,
#'   `ci_lb`, `ci_ub` (natural scale), `level`, `acr_label`, `acr`,
#'   `risk_control`, `risk_intervention`, `risk_intervention_lb`,
#'   `risk_intervention_ub`, `difference`, `difference_lb`, `difference_ub`
#'   (per `per`, unrounded), `bounded`, `participants`, `studies`, `certainty`,
#'   `footnotes` (letters of the certainty footnotes), `smd_size`, `md`,
#'   `md_lb`, `md_ub` (the re-expressed SMD), `nnt`, `nnt_lb`, `nnt_ub` (signed:
#'   positive NNTB), `nnt_type`, `nnt_whole`, `nnt_text`, `scale` and `comments`;
#'   attributes hold the footnotes and headings. It
#'   prints as the table; [sof_table()] gives Markdown or HTML through knitr,
#'   which also renders it in R Markdown documents.
#' @references Schünemann HJ, Higgins JPT, Vist GE, et al. (2023). Chapter 14:
#'   Completing 'Summary of findings' tables and grading the certainty of the
#'   evidence. In Higgins JPT et al. (eds.), *Cochrane Handbook for Systematic
#'   Reviews of Interventions*, version 6.4.
#'
#'   Schünemann HJ, Vist GE, Higgins JPT, et al. (2023). Chapter 15:
#'   Interpreting results and drawing conclusions. Ibid., sections 15.4 and
#'   15.5.
#' @seealso [grade_certainty()], [nnt_ci()], [sof_table()]
#' @examples
#' pain <- subset(eccleston2014_synthetic, analysis == "headache_pain_post")
#' disability <- subset(eccleston2014_synthetic, analysis == "headache_disability_post")
#' fits <- list(
#'   "Pain relief of 50% or more" = metapool_mh(events1, n1, events2, n2, data = pain,
#'     measure = "RR", model = "random", preset = "revman5"),
#'   "Disability" = metapool(es_smd(m1, sd1, n1, m2, sd2, n2, data = disability,
#'     preset = "revman5"), method = "DL")
#' )
#' summary_of_findings(fits,
#'   certainty = list("Pain relief of 50% or more" = grade_certainty("low",
#'     imprecision = "Two trials; few events.", risk_of_bias = "Unblinded participants.")),
#'   event = "beneficial", sd = c(Disability = 10), scale = c(Disability = "0-100 scale"),
#'   intervention = "Internet-delivered therapy", comparison = "waiting list")
#'
#' # The Handbook's worked example: RR 0.92 at an assumed control risk of 30%
#' summary_of_findings(data.frame(outcome = "Death", measure = "RR", estimate = 0.92,
#'                                ci_lb = 0.80, ci_ub = 1.06, k = 5, participants = 2000),
#'                     acr = 0.30, event = "harmful")
#' @export
summary_of_findings <- function(x, acr = NULL, certainty = NULL, comments = NULL, event = NULL,
                                sd = NULL, scale = NULL, outcome = NULL,
                                intervention = "intervention", comparison = "comparator",
                                per = 1000, notes = NULL) {
  rows <- sof_outcomes(x, outcome)
  outcomes <- rows$outcome
  binary <- rows$measure %in% c("RR", "OR", "RD")
  smd <- rows$measure == "SMD"
  chk_string(intervention, "intervention")
  chk_string(comparison, "comparison")
  per <- chk_numeric_vector(per, "per")
  if (length(per) != 1L || is.na(per) || per < 1) abort_input("`per` must be a single number of at least 1, e.g. 1000.", "per")

  acr <- per_outcome(acr, outcomes, "acr", applies = binary, what = "binary outcomes (RR, OR, RD)",
                     vector = TRUE)
  certainty <- per_outcome(certainty, outcomes, "certainty", list_only = TRUE)
  comments <- per_outcome(comments, outcomes, "comments")
  event <- per_outcome(event, outcomes, "event", applies = binary, what = "binary outcomes (RR, OR, RD)")
  event <- lapply(event, function(e) if (is.null(e)) e else chk_choice(e, c("beneficial", "harmful"), "event"))
  sd <- per_outcome(sd, outcomes, "sd", applies = smd, what = "SMD outcomes")
  scale <- per_outcome(scale, outcomes, "scale", applies = smd, what = "SMD outcomes")

  grades <- lapply(seq_along(outcomes), function(i) as_grade(certainty[[i]], outcomes[i]))
  marks <- footnote_marks(grades)

  out <- lapply(seq_along(outcomes), function(i) {
    r <- rows[i, , drop = FALSE]
    risks <- if (binary[i]) sof_risks(r, acr[[i]], event[[i]], per) else sof_no_risks()
    cont <- sof_continuous(r, sd[[i]])
    cmt <- comments[[i]]
    if (!is.null(cmt)) cmt <- chk_string(cmt, sprintf("comments[[\"%s\"]]", outcomes[i]))
    data.frame(
      outcome = outcomes[i], measure = r$measure,
      estimate = r$estimate, ci_lb = r$ci_lb, ci_ub = r$ci_ub, level = r$level,
      risks,
      participants = r$participants, studies = r$k,
      certainty = grades[[i]]$rating %||% NA_character_,
      footnotes = marks$marks[i],
      cont,
      scale = if (is.null(scale[[i]])) NA_character_ else scale[[i]],
      comments = cmt %||% NA_character_,
      stringsAsFactors = FALSE, row.names = NULL
    )
  })
  out <- do.call(rbind, out)
  footnotes <- sof_footnotes(out, marks$notes, rows, per, intervention, notes)
  structure(out, class = c("mp_sof", "data.frame"), footnotes = footnotes,
            intervention = intervention, comparison = comparison, per = per)
}

# The internal call into the NNT engine.
nnt_engine <- function(...) nnt_ci(...)

# One row per outcome: outcome, measure, estimate, ci_lb, ci_ub (natural scale), level
# (a proportion), k, participants, control_risk.
sof_outcomes <- function(x, outcome) {
  if (inherits(x, "metapool")) {
    if (is.null(outcome)) {
      abort_input("Name the outcome of a single fit with `outcome`, or give a named list of fits.",
                  "outcome")
    }
    x <- stats::setNames(list(x), chk_string(outcome, "outcome"))
  }
  if (is.data.frame(x)) return(sof_outcomes_df(x, outcome))
  if (!is.list(x) || !length(x)) {
    abort_input(sprintf("`x` must be a named list of metapool fits or a data frame of results, not %s.",
                        describe_type(x)), "x")
  }
  nm <- names(x)
  if (is.null(nm) || any(is.na(nm) | !nzchar(nm))) {
    abort_input("`x` must be a *named* list of fits: the names are the outcomes.", "x")
  }
  if (anyDuplicated(nm)) {
    abort_input(sprintf("The outcome \"%s\" appears twice in `x`.", nm[duplicated(nm)][1L]), "x")
  }
  not_fit <- !vapply(x, inherits, logical(1), "metapool")
  if (any(not_fit)) {
    abort_input(sprintf("Every element of `x` must be a metapool fit; \"%s\" is not.",
                        nm[not_fit][1L]), "x")
  }
  do.call(rbind, lapply(seq_along(x), function(i) {
    f <- x[[i]]
    back <- back_transform_fun(f$measure)
    arms <- f$arms
    n <- if (is.data.frame(arms) && all(c("n1", "n2") %in% names(arms))) sum(arms$n1 + arms$n2) else NA_real_
    data.frame(outcome = nm[i], measure = f$measure, estimate = back(f$estimate),
               ci_lb = back(f$ci_lb), ci_ub = back(f$ci_ub), level = f$level, k = f$k,
               participants = n, control_risk = f$control_risk %||% NA_real_,
               stringsAsFactors = FALSE)
  }))
}

sof_outcomes_df <- function(x, outcome) {
  x <- as.data.frame(x)
  need <- c("estimate", "ci_lb", "ci_ub", "measure")
  miss <- setdiff(need, names(x))
  if (length(miss)) {
    abort_input(sprintf("A data frame of results needs the columns %s; %s missing.",
                        paste0("`", need, "`", collapse = ", "),
                        paste0("`", miss, "`", collapse = ", ")), "x")
  }
  label <- outcome %||% if ("analysis" %in% names(x)) "analysis" else "outcome"
  if (!is.character(label) || length(label) != 1L || !label %in% names(x)) {
    abort_input(sprintf("`outcome` must name the column of `x` holding the outcomes; `x` has no column \"%s\".",
                        paste(label, collapse = ", ")), "outcome")
  }
  labels <- as.character(x[[label]])
  if (anyNA(labels) || anyDuplicated(labels)) {
    abort_input(sprintf("The outcomes in column `%s` must be distinct and not missing.", label),
                "outcome")
  }
  for (nm in c("estimate", "ci_lb", "ci_ub")) chk_numeric_vector(x[[nm]], nm)
  ratio <- x$measure %in% c("RR", "OR")
  chk_condition(x$estimate, ratio & x$estimate <= 0, "estimate",
                "of a ratio measure must be positive (the ratio, not its log)")
  chk_condition(x$ci_lb, x$ci_lb > x$ci_ub, "ci_lb", "must not exceed `ci_ub`")
  opt <- function(nm, default) if (nm %in% names(x)) as.numeric(x[[nm]]) else rep(default, nrow(x))
  level <- opt("level", 0.95)
  level <- ifelse(level > 1, level / 100, level)
  data.frame(outcome = labels, measure = as.character(x$measure), estimate = x$estimate,
             ci_lb = x$ci_lb, ci_ub = x$ci_ub, level = level, k = opt("k", NA_real_),
             participants = opt("participants", NA_real_),
             control_risk = opt("control_risk", NA_real_), stringsAsFactors = FALSE)
}

# Spread a per-outcome argument over the outcomes: NULL -> all NULL; unnamed -> the
# same value for every outcome it applies to; named -> by outcome (names must match).
per_outcome <- function(value, outcomes, arg, applies = rep(TRUE, length(outcomes)),
                        what = NULL, vector = FALSE, list_only = FALSE) {
  out <- vector("list", length(outcomes))
  if (is.null(value)) return(out)
  nm <- names(value)
  if (is.null(nm)) {
    if (list_only && length(outcomes) > 1L) {
      abort_input(sprintf("`%s` must be a list named by outcome (%s).", arg,
                          paste0("\"", outcomes, "\"", collapse = ", ")), arg)
    }
    if (!vector && !list_only && length(value) != 1L) {
      abort_input(sprintf("`%s` must be a single value or be named by outcome.", arg), arg)
    }
    if (list_only && is.list(value) && !inherits(value, "mp_grade")) value <- value[[1L]]
    out[applies] <- list(value)
    return(out)
  }
  if (vector && !is.list(value) && !any(nm %in% outcomes)) {
    out[applies] <- list(value)  # risks named by label (e.g. low/high) for every outcome
    return(out)
  }
  unknown <- setdiff(nm, outcomes)
  if (length(unknown) || any(!nzchar(nm))) {
    abort_input(sprintf("`%s` names %s, which %s not among the outcomes (%s).", arg,
                        paste0("\"", unknown, "\"", collapse = ", "),
                        if (length(unknown) == 1L) "is" else "are",
                        paste0("\"", outcomes, "\"", collapse = ", ")), arg)
  }
  if (anyDuplicated(nm)) {
    abort_input(sprintf("`%s` names the outcome \"%s\" twice.", arg, nm[duplicated(nm)][1L]), arg)
  }
  wrong <- nm[!applies[match(nm, outcomes)]]
  if (length(wrong)) {
    abort_input(sprintf("`%s` applies to %s only; \"%s\" is not one.", arg, what, wrong[1L]), arg)
  }
  value <- as.list(value)
  out[match(nm, outcomes)] <- value
  out
}

chk_string <- function(x, nm) {
  if (!is.character(x) || length(x) != 1L || is.na(x)) {
    abort_input(sprintf("`%s` must be a single string.", nm), nm)
  }
  x
}

as_grade <- function(g, outcome) {
  if (is.null(g)) return(list(rating = NULL, reasons = character()))
  if (inherits(g, "mp_grade")) return(g)
  if (is.character(g)) {
    tryCatch(grade_certainty(g), metapool_error_input = function(e) {
      abort_input(sprintf("`certainty` for \"%s\": %s Use grade_certainty(\"%s\", <domain> = \"<reason>\").",
                          outcome, conditionMessage(e), g[1L]), "certainty")
    })
  } else {
    abort_input(sprintf("`certainty` for \"%s\" must be grade_certainty(...) or a rating, not %s.",
                        outcome, describe_type(g)), "certainty")
  }
}

# Letters for the certainty footnotes; the same text under the same domain shares a letter.
footnote_marks <- function(grades) {
  keys <- character()
  notes <- character()
  marks <- vapply(grades, function(g) {
    if (!length(g$reasons)) return("")
    key <- paste(names(g$reasons), g$reasons, sep = ": ")
    new <- setdiff(unique(key), keys)
    keys <<- c(keys, new)
    notes <<- c(notes, sprintf("Downgraded for %s: %s", names(g$reasons)[match(new, key)],
                               g$reasons[match(new, key)]))
    paste(footnote_letter(match(key, keys)), collapse = ",")
  }, "")
  names(notes) <- footnote_letter(seq_along(notes))
  list(marks = marks, notes = notes)
}

footnote_letter <- function(i) {
  vapply(i, function(j) {
    s <- ""
    while (j > 0) {
      s <- paste0(letters[(j - 1L) %% 26L + 1L], s)
      j <- (j - 1L) %/% 26L
    }
    s
  }, "")
}

# Absolute risks through the NNT engine (which bounds risks to [0, 1]); one row per ACR.
sof_risks <- function(r, acr, event, per) {
  label <- ""
  if (is.null(acr)) {
    acr <- r$control_risk
    label <- if (is.na(acr)) "" else "pooled"
  } else {
    label <- names(acr) %||% rep("", length(acr))
    acr <- chk_numeric_vector(acr, "acr")
    if (!length(acr) || anyNA(acr)) abort_input(sprintf("`acr` for \"%s\" has missing values.", r$outcome), "acr")
  }
  chk_condition(acr, acr < 0 | acr > 1, "acr", "must be a risk between 0 and 1")
  out <- sof_no_risks(length(acr))
  out$acr_label <- label
  out$acr <- acr
  if (all(is.na(acr))) return(out)
  n <- nnt_engine(rep(r$estimate, length(acr)), measure = r$measure, ci_lb = r$ci_lb,
                  ci_ub = r$ci_ub, acr = acr, event = event %||% "harmful", level = r$level)
  change <- n$risk_change
  sign <- if ((event %||% "harmful") == "beneficial") 1 else -1
  lims <- cbind(sign * n$benefit_lb, sign * n$benefit_ub)
  out$risk_control <- per * acr
  out$risk_intervention <- per * (acr + change)
  out$risk_intervention_lb <- per * (acr + pmin(lims[, 1], lims[, 2]))
  out$risk_intervention_ub <- per * (acr + pmax(lims[, 1], lims[, 2]))
  out$difference <- per * change
  out$difference_lb <- per * pmin(lims[, 1], lims[, 2])
  out$difference_ub <- per * pmax(lims[, 1], lims[, 2])
  out$bounded <- n$estimate_bounded | n$limit_bounded
  if (!is.null(event)) {
    out$nnt <- n$nnt
    out$nnt_lb <- 1 / n$benefit_ub  # the larger benefit gives the smaller NNT
    out$nnt_ub <- 1 / n$benefit_lb
    out$nnt_type <- n$type
    out$nnt_whole <- n$nnt_whole
    out$nnt_text <- apply(format.mp_nnt(n, digits = 2), 1L, function(s) {
      if (nzchar(s[2])) sprintf("%s (%s)", s[1], s[2]) else s[1]
    })
  }
  out
}

sof_no_risks <- function(n = 1L) {
  num <- rep(NA_real_, n)
  data.frame(acr_label = rep("", n), acr = num, risk_control = num, risk_intervention = num,
             risk_intervention_lb = num, risk_intervention_ub = num, difference = num,
             difference_lb = num, difference_ub = num, bounded = rep(NA, n),
             nnt = num, nnt_lb = num, nnt_ub = num, nnt_type = rep(NA_character_, n),
             nnt_whole = num, nnt_text = rep(NA_character_, n), stringsAsFactors = FALSE)
}

# The Handbook's reading of an SMD, and its re-expression on a familiar scale.
sof_continuous <- function(r, sd) {
  size <- NA_character_
  md <- c(NA_real_, NA_real_, NA_real_)
  if (r$measure == "SMD") {
    size <- smd_size(round(r$estimate, 2))  # as reported: -0.499 reads as 0.50, moderate
    if (!is.null(sd)) {
      sd <- chk_numeric_vector(sd, sprintf("sd[[\"%s\"]]", r$outcome))
      if (length(sd) != 1L || is.na(sd) || sd <= 0) {
        abort_input(sprintf("`sd` for \"%s\" must be a single positive SD.", r$outcome), "sd")
      }
      md <- sd * c(r$estimate, r$ci_lb, r$ci_ub)
    }
  }
  data.frame(smd_size = size, md = md[1], md_lb = md[2], md_ub = md[3], stringsAsFactors = FALSE)
}

#' @rdname summary_of_findings
#' @param smd Standardised mean differences.
#' @details `smd_size()` classifies SMDs by Cohen's rule of thumb as quoted in
#'   Handbook 15.5.3.2 (the sign is ignored): below 0.2 "less than small", from
#'   0.2 "small", from 0.5 "moderate", from 0.8 "large".
#' @export
smd_size <- function(smd) {
  smd <- chk_numeric_vector(smd, "smd")
  a <- abs(smd)
  out <- ifelse(a < 0.2, "less than small", ifelse(a < 0.5, "small", ifelse(a < 0.8, "moderate", "large")))
  out[is.na(smd)] <- NA_character_
  out
}

sof_footnotes <- function(out, certainty_notes, rows, per, intervention, notes) {
  f <- character()
  pct <- function(l) sprintf("%g%%", 100 * l)
  levels <- unique(rows$level)
  if (any(!is.na(out$risk_intervention))) {
    f <- c(f, "*" = sprintf(
      "The risk with %s (and its %s CI) is the assumed risk with the comparator combined with the relative effect of the intervention (and its %s CI).",
      intervention, paste(pct(levels), collapse = "/"), paste(pct(levels), collapse = "/")))
  }
  if (any(out$acr_label == "pooled")) {
    f <- c(f, "Assumed control risk (\"pooled\"): the pooled control-group risk of the studies (control events / control participants).")
  }
  if (any(is.na(out$acr) & out$measure %in% c("RR", "OR", "RD"))) {
    f <- c(f, "No assumed control risk: give `acr` to show absolute effects.")
  }
  if (any(out$bounded, na.rm = TRUE)) {
    f <- c(f, sprintf("A risk that would leave 0 to %g per %g was set to the bound.", per, per))
  }
  if (any(out$measure == "SMD")) {
    f <- c(f, "SMD size by Cohen's rule of thumb (Cochrane Handbook 15.5.3): 0.2 small, 0.5 moderate, 0.8 large. Re-expressed mean differences are SMD x SD of the familiar instrument (Handbook 15.5.3.1).")
  }
  if (any(!is.na(out$nnt_text))) {
    f <- c(f, "NNTB/NNTH: number needed to treat for one more person to benefit / to be harmed (infinite where the CI includes no effect).")
  }
  f <- c(f, certainty_notes)
  if (any(!is.na(out$certainty))) {
    f <- c(f, "GRADE certainty: high, the true effect very probably lies close to the estimate; moderate, it is probably close to the estimate but may be substantially different; low, it may be substantially different; very low, it is probably substantially different.")
  }
  abbrev <- c(CI = "confidence interval", RR = "risk ratio", OR = "odds ratio",
              RD = "risk difference", MD = "mean difference", SMD = "standardised mean difference")
  used <- c("CI", intersect(names(abbrev), c(out$measure, if (any(!is.na(out$md))) "MD")))
  f <- c(f, paste0(paste(used, abbrev[used], sep = ": ", collapse = "; "), "."))
  if (!is.null(notes)) {
    if (!is.character(notes)) abort_input("`notes` must be a character vector.", "notes")
    f <- c(f, notes)
  }
  f
}

# ---- Display ------------------------------------------------------------------------

#' @rdname summary_of_findings
#' @param digits Decimal places of relative effects and SMDs.
#' @param ... Unused.
#' @details `format()` gives the table as text, one column per heading of the
#'   Cochrane layout: "Outcomes", "Risk with <comparator>", "Risk with
#'   <intervention>" (the anticipated absolute effects), "Difference",
#'   "Relative effect (95% CI)", "No. of participants (studies)", "Certainty
#'   of the evidence (GRADE)" and "Comments".
#' @export
format.mp_sof <- function(x, digits = 2, ...) {
  x <- sof_defaults(x)  # a subset made by `[` keeps the class but not the attributes
  per <- attr(x, "per")
  num <- function(v) formatC(v, format = "f", digits = digits)
  whole <- function(v) formatC(round(v), format = "d")
  change <- function(v, up, down) ifelse(round(v, 10) >= 0, sprintf("%s %s", whole(abs(v)), up),
                                         sprintf("%s %s", whole(abs(v)), down))
  change_num <- function(v, up, down) ifelse(v >= 0, sprintf("%s %s", num(abs(v)), up),
                                             sprintf("%s %s", num(abs(v)), down))
  pct <- sprintf("%g%% CI", 100 * x$level)
  has_risk <- !is.na(x$risk_intervention)
  label <- ifelse(nzchar(x$acr_label) & x$acr_label != "pooled", paste0(x$acr_label, ": "), "")
  control <- ifelse(has_risk, sprintf("%s%s per %s", label, whole(x$risk_control), format(per)), "-")
  treat <- ifelse(has_risk, sprintf("%s per %s (%s to %s)", whole(x$risk_intervention), format(per),
                                    whole(x$risk_intervention_lb), whole(x$risk_intervention_ub)), "-")
  diff <- ifelse(has_risk, sprintf("%s per %s (%s to %s)", change(x$difference, "more", "fewer"),
                                   format(per), change(x$difference_lb, "more", "fewer"),
                                   change(x$difference_ub, "more", "fewer")), "-")
  cont <- x$measure %in% c("SMD", "MD")
  unit <- ifelse(x$measure == "SMD", "SD ", "")
  treat[cont] <- sprintf("%s %s (%s to %s)", x$measure[cont],
                         change_num(x$estimate[cont], paste0(unit[cont], "higher"),
                                    paste0(unit[cont], "lower")),
                         change_num(x$ci_lb[cont], "higher", "lower"),
                         change_num(x$ci_ub[cont], "higher", "lower"))
  md <- !is.na(x$md)
  treat[md] <- sprintf("%s; on %s: MD %s (%s to %s)", treat[md],
                       ifelse(is.na(x$scale[md]), "the familiar scale", x$scale[md]),
                       change_num(x$md[md], "higher", "lower"),
                       change_num(x$md_lb[md], "higher", "lower"),
                       change_num(x$md_ub[md], "higher", "lower"))
  # Every effect but a (standardised) mean difference, which the absolute column shows.
  relative <- ifelse(cont, "-", sprintf("%s %s (%s to %s)",
                                        ifelse(x$measure == "generic", "Effect", x$measure),
                                        num(x$estimate), num(x$ci_lb), num(x$ci_ub)))
  participants <- sprintf("%s (%s)",
                          ifelse(is.na(x$participants), "not reported", whole(x$participants)),
                          ifelse(is.na(x$studies), "studies not reported",
                                 sprintf("%d %s", as.integer(x$studies),
                                         ifelse(x$studies == 1, "study", "studies"))))
  certainty <- ifelse(is.na(x$certainty), "not rated",
                      paste0(grade_symbols(x$certainty), " ", capitalise(x$certainty),
                             ifelse(nzchar(x$footnotes), sprintf(" (%s)", gsub(",", ", ", x$footnotes)), "")))
  comment <- mapply(function(...) {
    parts <- c(...)
    paste(parts[!is.na(parts) & nzchar(parts)], collapse = ". ")
  },
  ifelse(is.na(x$smd_size), NA_character_,
         sprintf("SMD %s: %s effect%s", num(abs(x$estimate)), x$smd_size,
                 ifelse(x$ci_lb <= 0 & x$ci_ub >= 0, "; the CI includes no effect", ""))),
  x$nnt_text, x$comments, USE.NAMES = FALSE)
  # An outcome with several control risks is named once; its shared cells are blank below.
  repeat_row <- duplicated(x$outcome)
  blank <- function(v) replace(v, repeat_row, "")
  out <- data.frame(blank(x$outcome), control, treat, diff, blank(paste0(relative, "")),
                    blank(participants), blank(certainty), comment,
                    stringsAsFactors = FALSE, check.names = FALSE)
  lev <- unique(pct)
  names(out) <- c("Outcomes", sprintf("Risk with %s", attr(x, "comparison")),
                  sprintf("Risk with %s*", attr(x, "intervention")),
                  sprintf("Difference (%s)", lev[1L]), sprintf("Relative effect (%s)", lev[1L]),
                  "No. of participants (studies)", "Certainty of the evidence (GRADE)", "Comments")
  out
}

sof_defaults <- function(x) {
  defaults <- list(per = 1000, intervention = "intervention", comparison = "comparator",
                   footnotes = character())
  for (nm in names(defaults)) if (is.null(attr(x, nm))) attr(x, nm) <- defaults[[nm]]
  x
}

grade_symbols <- function(rating) {
  n <- match(rating, rev(grade_ratings))
  if (!isTRUE(l10n_info()[["UTF-8"]])) return(rep("", length(rating)))
  vapply(n, function(k) paste0(strrep("\u2295", k), strrep("\u25ef", 4L - k)), "")
}

capitalise <- function(s) paste0(toupper(substring(s, 1, 1)), substring(s, 2))

sof_title <- function(x) {
  sprintf("Summary of findings: %s compared with %s", attr(x, "intervention"), attr(x, "comparison"))
}

#' @rdname summary_of_findings
#' @export
print.mp_sof <- function(x, digits = 2, ...) {
  x <- sof_defaults(x)
  cat(sof_title(x), "\n\n", sep = "")
  shown <- format.mp_sof(x, digits = digits)
  print(shown, row.names = FALSE, right = FALSE)
  notes <- attr(x, "footnotes")
  mark <- footnote_prefix(notes)
  cat("\n", paste(strwrap(paste0(mark, notes), exdent = 2, prefix = "\n", initial = ""),
                  collapse = ""), "\n", sep = "")
  invisible(x)
}

#' Summary of findings as Markdown or HTML
#'
#' Renders a [summary_of_findings()] table through [knitr::kable()], with its
#' title as the caption and the footnotes below the table. In an R Markdown
#' document printing the table does the same (a `knit_print()` method).
#'
#' @param x An `mp_sof` object.
#' @param format `"markdown"` (pipe table) or `"html"`.
#' @param digits Decimal places of relative effects and SMDs.
#' @param ... Passed to [knitr::kable()].
#' @return A `knitr_kable` character string: the table followed by the
#'   footnotes (as Markdown lines, or for HTML a second one-column table).
#' @seealso [summary_of_findings()]
#' @examples
#' if (requireNamespace("knitr", quietly = TRUE)) {
#'   sof <- summary_of_findings(eccleston2014, acr = list(headache_pain_post = 0.06),
#'                              event = "beneficial")
#'   sof_table(sof)
#' }
#' @export
sof_table <- function(x, format = c("markdown", "html"), digits = 2, ...) {
  if (!inherits(x, "mp_sof")) abort_input("`x` must be a summary_of_findings() table.", "x")
  x <- sof_defaults(x)
  format <- chk_choice(format[1L], c("markdown", "html"), "format")
  if (!requireNamespace("knitr", quietly = TRUE)) {
    abort_input("sof_table() needs the knitr package; install it with install.packages(\"knitr\").",
                "format")
  }
  notes <- attr(x, "footnotes")
  mark <- footnote_prefix(notes)
  kformat <- if (format == "markdown") "pipe" else "html"
  table <- knitr::kable(format.mp_sof(x, digits = digits), format = kformat,
                        caption = sof_title(x), row.names = FALSE, ...)
  below <- if (format == "markdown") {
    c("", paste0(escape_markdown(paste0(mark, notes)), "  "))
  } else {
    as.character(knitr::kable(data.frame(Footnotes = paste0(mark, notes)), format = "html",
                              row.names = FALSE))
  }
  structure(c(as.character(table), below), format = kformat, class = "knitr_kable")
}

footnote_prefix <- function(notes) {
  nm <- names(notes) %||% rep("", length(notes))
  ifelse(nm == "*", "* ", ifelse(nzchar(nm), paste0(nm, ". "), ""))
}

escape_markdown <- function(s) gsub("([*_])", "\\\\\\1", s)

# Registered for knitr::knit_print when knitr is loaded (see .onLoad / NAMESPACE).
#' @exportS3Method knitr::knit_print
knit_print.mp_sof <- function(x, ...) {
  html <- isTRUE(tryCatch(knitr::is_html_output(), error = function(e) FALSE))
  knitr::asis_output(paste(sof_table(x, format = if (html) "html" else "markdown"), collapse = "\n"))
}
