# The mp_es class: study-level effect sizes, shared by every es_*() function.

measure_labels <- c(
  SMD = "Standardised mean difference",
  MD = "Mean difference",
  RR = "Risk ratio",
  OR = "Odds ratio",
  RD = "Risk difference",
  HR = "Hazard ratio"
)

is_ratio_measure <- function(measure) measure %in% c("RR", "OR", "HR")

# "mean differences", "generic effects", ...: what an object of this measure holds.
es_measure_name <- function(measure) {
  if (measure == "generic") return("generic effects")
  paste0(tolower(measure_labels[[measure]]), "s")
}

# Shared pipeline of the es_*() functions: resolve rows, run the C++ computation
# on the complete rows only, and assemble the mp_es object.
build_es <- function(values, optional, na.action, compute, measure, options, level, preset,
                     synthetic = FALSE) {
  level <- chk_level(level)
  rows <- study_rows(values, optional$slab, optional$subset, na.action, exclude_keeps = TRUE)
  inputs <- if (is.null(rows$keep)) values else lapply(values, `[`, rows$keep)
  complete <- rows$complete
  if (is.null(complete)) {
    result <- compute(inputs, level)
  } else {
    result <- compute(lapply(inputs, `[`, complete), level)
    result <- lapply(result, function(col) {
      out <- rep(if (is.logical(col)) NA else NA_real_, length(complete))
      out[complete] <- col
      out
    })
  }
  out <- new_mp_es(c(list(slab = rows$slab), inputs, result), measure = measure,
                   options = options, level = level, preset = preset, omitted = rows$omitted)
  if (synthetic) attr(out, "synthetic") <- TRUE
  out
}

new_mp_es <- function(columns, measure, options, level, preset, omitted = integer(0)) {
  structure(columns, row.names = c(NA_integer_, -length(columns[[1L]])),
            class = c("mp_es", "data.frame"), measure = measure,
            es_options = options, level = level, preset = preset, omitted = omitted)
}

es_attributes <- c("measure", "es_options", "level", "preset", "omitted", "synthetic")
# The columns every mp_es method relies on.
es_columns <- c("slab", "yi", "vi", "ci_lb", "ci_ub")

#' Methods for effect-size objects
#'
#' An `mp_es` object is a data frame with one row per study: the label `slab`
#' (the study's row number in the input when no labels were given),
#' the inputs, the effect `yi` on the analysis scale (log scale for risk and
#' odds ratios), its sampling variance `vi`, and Wald confidence limits `ci_lb`,
#' `ci_ub` on the analysis scale. Binary measures add `corrected` (a continuity
#' correction was added to the study's cells) and `estimable`.
#'
#' @param x An `mp_es` object.
#' @param digits Number of decimal places shown.
#' @param i,j,drop Row and column indices, as for data frames.
#' @param row.names,optional Ignored; present for compatibility with the generic.
#' @param ... Unused.
#' @return `print()` returns `x` invisibly. `as.data.frame()` returns a plain
#'   data frame. `[` returns an `mp_es` object while the columns an effect-size
#'   object needs (`slab`, `yi`, `vi`, `ci_lb`, `ci_ub`) are kept, and a plain
#'   data frame (or vector) otherwise, so `es[, c("yi", "vi")]` is a data frame.
#' @name mp_es
#' @examples
#' es <- es_smd(m1 = c(12, 15), sd1 = c(4, 5), n1 = c(30, 40),
#'              m2 = c(14, 18), sd2 = c(4.5, 5), n2 = c(30, 38))
#' es
#' es[1, ]
#' as.data.frame(es)
NULL

#' @rdname mp_es
#' @export
print.mp_es <- function(x, digits = 4, ...) {
  measure <- attr(x, "measure")
  level <- attr(x, "level")
  cat(es_description(x), "\n", sep = "")
  cat(sprintf("%d %s; %g%% Wald confidence intervals%s.\n", nrow(x),
              if (nrow(x) == 1L) "study" else "studies", 100 * level,
              if (is_ratio_measure(measure)) ", back-transformed from the log scale" else ""))
  back <- if (is_ratio_measure(measure)) exp else identity
  shown <- data.frame(
    study = as.character(x$slab),
    estimate = format_num(back(x$yi), digits),
    se = format_num(sqrt(x$vi), digits),
    ci = sprintf("[%s, %s]", format_num(back(x$ci_lb), digits), format_num(back(x$ci_ub), digits)),
    stringsAsFactors = FALSE
  )
  names(shown) <- c("study", if (measure == "generic") "estimate" else measure,
                    if (is_ratio_measure(measure)) "se(log)" else "se",
                    sprintf("%g%% CI", 100 * level))
  notes <- character(0)
  if ("corrected" %in% names(x) && any(x$corrected, na.rm = TRUE)) {
    shown[[names(shown)[2L]]][x$corrected %in% TRUE] <-
      paste0(shown[[names(shown)[2L]]][x$corrected %in% TRUE], "*")
    notes <- c(notes, sprintf("* %g added to each cell (zero-cell correction).",
                              attr(x, "es_options")$add))
  }
  if ("estimable" %in% names(x) && any(!x$estimable, na.rm = TRUE)) {
    shown[x$estimable %in% FALSE, -1L] <- ""
    shown[x$estimable %in% FALSE, 2L] <- "not estimable"
    if (measure %in% c("SMD", "MD")) {
      n <- sum(x$estimable %in% FALSE)
      notes <- c(notes, sprintf("%d stud%s with SD 0 in both arms: not estimable, left out of pooling.",
                                n, if (n == 1L) "y" else "ies"))
    }
  }
  shown$study <- formatC(shown$study, width = -max(nchar(shown$study), 5L))
  names(shown)[1L] <- formatC("study", width = -max(nchar(shown$study), 5L))
  print(shown, row.names = FALSE, right = TRUE)
  if (length(attr(x, "omitted"))) {
    notes <- c(notes, sprintf("%d stud%s with missing values omitted (na.action).",
                              length(attr(x, "omitted")),
                              if (length(attr(x, "omitted")) == 1L) "y" else "ies"))
  }
  if (length(notes)) cat(paste(notes, collapse = "\n"), "\n", sep = "")
  invisible(x)
}

es_description <- function(x) {
  measure <- attr(x, "measure")
  opt <- attr(x, "es_options")
  if (identical(opt$source, "giv")) return(giv_description(x))
  detail <- switch(
    measure,
    SMD = sprintf("%s; variance %s", switch(opt$correction,
                                            exact = "Hedges' g, exact correction J",
                                            approx = "Hedges' g, approximate correction 1 - 3/(4N - 9)",
                                            none = "Cohen's d, no correction"), opt$vtype),
    MD = sprintf("%s variances", opt$vtype),
    sprintf("zero cells: add %g to %s%s", opt$add, opt$to,
            if (isTRUE(opt$drop00)) ", double-zero studies not estimable" else "")
  )
  sprintf("%s (%s) [preset \"%s\"]", measure_labels[[measure]], detail, attr(x, "preset"))
}

#' @rdname mp_es
#' @export
`[.mp_es` <- function(x, i, j, drop) {
  saved <- attributes(x)[es_attributes]
  out <- NextMethod()
  if (is.data.frame(out) && all(es_columns %in% names(out))) {
    attributes(out)[es_attributes] <- saved
    class(out) <- c("mp_es", "data.frame")
    out
  } else if (is.data.frame(out)) {
    as_plain_df(out)
  } else {
    out
  }
}

as_plain_df <- function(x) {
  attributes(x)[es_attributes] <- NULL
  class(x) <- "data.frame"
  x
}

#' @rdname mp_es
#' @export
as.data.frame.mp_es <- function(x, row.names = NULL, optional = FALSE, ...) {
  as_plain_df(x)
}
