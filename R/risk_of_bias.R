#' Risk-of-bias judgements in a tidy layout
#'
#' Checks and classes a table of risk-of-bias judgements (Cochrane's RoB 1
#' tool: low, unclear or high risk in each domain of each study), one row per
#' study and domain. This is the layout in which metapool reads and writes
#' risk of bias; [rob_robvis()] hands it to the robvis package for the usual
#' summary and traffic-light figures.
#'
#' Judgements are matched without regard to case and to the words "risk" and
#' "of bias" ("Low risk", "LOW", "unclear risk of bias" all work) and stored as
#' `"low"`, `"unclear"` or `"high"`. Each study may be judged at most once per
#' domain; a study not judged in some domain is allowed (a missing judgement).
#'
#' @param data A data frame with columns `study`, `domain`, `judgement` and
#'   optionally `support` (the reason for the judgement; text or NA).
#' @param synthetic Mark the judgements as synthetic (printing says so).
#' @return An object of class `mp_rob`: a data frame with columns `study`,
#'   `domain` (character), `judgement` (a factor with levels `"low"`,
#'   `"unclear"`, `"high"`) and `support` (character, possibly NA), in the order
#'   given. Its `summary()` counts judgements per domain.
#' @references Higgins JPT, Altman DG, Sterne JAC (eds.) (2011). Chapter 8:
#'   Assessing risk of bias in included studies. In Higgins JPT, Green S (eds.),
#'   *Cochrane Handbook for Systematic Reviews of Interventions*, version 5.1.0,
#'   Table 8.5.a and section 8.7.
#' @seealso [rob_robvis()], [eccleston2014_synthetic_rob]
#' @examples
#' rob <- risk_of_bias(data.frame(
#'   study = rep(c("Smith 2001", "Jones 2005"), each = 2),
#'   domain = rep(c("Random sequence generation", "Allocation concealment"), 2),
#'   judgement = c("Low risk", "Unclear risk", "Low risk", "High risk"),
#'   support = c("Computer-generated list", NA, "Random number table", "Open list")
#' ))
#' rob
#' summary(rob)
#' summary(eccleston2014_synthetic_rob)
#' @export
risk_of_bias <- function(data, synthetic = FALSE) {
  if (!is.data.frame(data)) {
    abort_input(sprintf("`data` must be a data frame with columns study, domain, judgement (and support), not %s.",
                        describe_type(data)), "data")
  }
  chk_flag(synthetic, "synthetic")
  data <- as.data.frame(data, stringsAsFactors = FALSE)
  miss <- setdiff(c("study", "domain", "judgement"), names(data))
  if (length(miss)) {
    abort_input(sprintf("`data` needs the columns study, domain and judgement; %s missing.",
                        paste0("`", miss, "`", collapse = ", ")), "data")
  }
  study <- as.character(data$study)
  domain <- as.character(data$domain)
  for (nm in c("study", "domain")) {
    v <- as.character(data[[nm]])
    chk_condition(v, is.na(v) | !nzchar(trimws(v)), nm, "must name every row (no missing or empty values)")
  }
  judgement <- rob_judgement(data$judgement)
  raw <- as.character(data$judgement)
  chk_condition(raw, is.na(judgement) & !is.na(raw), "judgement",
                "must be \"low\", \"unclear\" or \"high\" (risk of bias)")
  dup <- duplicated(data.frame(study, domain))
  if (any(dup)) {
    abort_input(sprintf("Study \"%s\" is judged twice in domain \"%s\" (%s); give one judgement per study and domain.",
                        study[dup][1L], domain[dup][1L], describe_rows(dup)), "data")
  }
  support <- if ("support" %in% names(data)) data$support else rep(NA_character_, nrow(data))
  if (is.factor(support)) support <- as.character(support)
  if (!is.character(support) && !all(is.na(support))) {
    abort_input("`support` must be text (or NA).", "support")
  }
  out <- data.frame(study = study, domain = domain,
                    judgement = factor(judgement, levels = rob_levels),
                    support = as.character(support), stringsAsFactors = FALSE)
  structure(out, class = c("mp_rob", "data.frame"), synthetic = synthetic)
}

rob_levels <- c("low", "unclear", "high")

rob_judgement <- function(x) {
  key <- tolower(trimws(as.character(x)))
  key <- trimws(gsub("\\s+", " ", gsub("risk|of bias|\\+|\\?|-", " ", key)))
  ifelse(key %in% rob_levels, key, NA_character_)
}

#' @rdname risk_of_bias
#' @param x,object An `mp_rob` object.
#' @param ... Unused.
#' @export
print.mp_rob <- function(x, ...) {
  if (isTRUE(attr(x, "synthetic"))) {
    cat("SYNTHETIC risk-of-bias judgements: made up for the stand-in data, not the trials' assessments.\n")
  }
  cat(sprintf("Risk of bias: %d judgements of %d studies in %d domains\n", nrow(x),
              length(unique(x$study)), length(unique(x$domain))))
  shown <- as.data.frame(unclass_rob(x))
  shown$judgement <- as.character(shown$judgement)
  print(shown, row.names = FALSE, right = FALSE)
  invisible(x)
}

#' @rdname risk_of_bias
#' @export
summary.mp_rob <- function(object, ...) {
  domains <- unique(object$domain)
  tab <- table(factor(object$domain, levels = domains), object$judgement, useNA = "no")
  counts <- data.frame(domain = domains, low = as.integer(tab[, "low"]),
                       unclear = as.integer(tab[, "unclear"]), high = as.integer(tab[, "high"]),
                       missing = as.integer(tapply(is.na(object$judgement),
                                                   factor(object$domain, levels = domains), sum)),
                       stringsAsFactors = FALSE)
  structure(list(counts = counts, total = colSums(counts[-1L]),
                 studies = length(unique(object$study)),
                 synthetic = isTRUE(attr(object, "synthetic"))),
            class = "summary.mp_rob")
}

#' @export
print.summary.mp_rob <- function(x, ...) {
  if (x$synthetic) cat("SYNTHETIC risk-of-bias judgements (not the trials' assessments).\n")
  cat(sprintf("Risk of bias of %d studies: judgements per domain\n", x$studies))
  counts <- x$counts
  if (all(counts$missing == 0L)) counts$missing <- NULL
  total <- as.data.frame(as.list(x$total[names(counts)[-1L]]))
  print(rbind(counts, cbind(domain = "Total", total)), row.names = FALSE, right = FALSE)
  invisible(x)
}

unclass_rob <- function(x) {
  class(x) <- setdiff(class(x), "mp_rob")
  attr(x, "synthetic") <- NULL
  x
}

#' Risk of bias in robvis's format
#'
#' Reshapes an [risk_of_bias()] table into the wide table that robvis's
#' `rob_summary()` and `rob_traffic_light()` expect for the RoB 1 tool
#' (`tool = "ROB1"`): the study in the first column, one column per domain
#' (named by the domain), then `Overall` and `Weight`, with the judgements
#' written "Low", "Unclear", "High" and "No information" for a missing
#' judgement. metapool does not draw these figures itself.
#'
#' robvis 0.3.1 reads only the first letter of each judgement; its summary
#' plot labels "unclear" as "Some concerns" and leaves "No information" out of
#' the bars, while the traffic-light plot shows it.
#'
#' The overall judgement per study follows the Handbook's summary across
#' domains (version 5.1, Table 8.7.a): high if any domain is high, low if every
#' domain is low, otherwise unclear.
#'
#' @param x An `mp_rob` object (or a data frame that [risk_of_bias()] accepts).
#' @param weight Optional study weights (for `rob_summary(weighted = TRUE)`): a
#'   numeric vector named by study, or one number for all; default 1.
#' @return A data frame: `Study`, one column per domain, `Overall`, `Weight`.
#' @seealso [risk_of_bias()]
#' @examples
#' wide <- rob_robvis(eccleston2014_synthetic_rob)
#' head(wide)
#' if (requireNamespace("robvis", quietly = TRUE)) {
#'   robvis::rob_summary(wide, tool = "ROB1")
#' }
#' @export
rob_robvis <- function(x, weight = 1) {
  if (!inherits(x, "mp_rob")) x <- risk_of_bias(x)
  studies <- unique(x$study)
  domains <- unique(x$domain)
  labels <- c(low = "Low", unclear = "Unclear", high = "High")
  cells <- matrix("No information", length(studies), length(domains))
  cells[cbind(match(x$study, studies), match(x$domain, domains))] <-
    ifelse(is.na(x$judgement), "No information", labels[as.character(x$judgement)])
  overall <- apply(cells, 1L, function(r) {
    if (any(r == "High")) "High" else if (all(r == "Low")) "Low" else "Unclear"
  })
  weight_names <- names(weight)
  weight <- chk_numeric_vector(weight, "weight")
  if (!is.null(weight_names)) {
    unknown <- setdiff(weight_names, studies)
    if (length(unknown)) abort_input(sprintf("`weight` names \"%s\", which is not a study.", unknown[1L]), "weight")
    w <- rep(NA_real_, length(studies))
    w[match(weight_names, studies)] <- weight
    weight <- w
  } else if (length(weight) != 1L && length(weight) != length(studies)) {
    abort_input(sprintf("`weight` must have length 1 or %d (one per study).", length(studies)), "weight")
  }
  chk_condition(weight, is.na(weight) | weight < 0, "weight", "must be given for every study and not be negative")
  out <- data.frame(Study = studies, cells, Overall = overall,
                    Weight = rep_len(weight, length(studies)), stringsAsFactors = FALSE)
  names(out)[seq_along(domains) + 1L] <- domains
  out
}
