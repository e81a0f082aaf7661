# Internal validators and condition constructors. Every error the package raises
# for bad input has class `metapool_error_input`; warnings carry a class naming
# the problem (`metapool_warning_<what>`), so users and tests can catch them.

metapool_condition <- function(message, class, ...) {
  structure(class = c(class, "condition"),
            list(message = message, call = NULL, ...))
}

abort_input <- function(message, arg = NULL) {
  stop(metapool_condition(
    message, c("metapool_error_input", "metapool_error", "error"), arg = arg
  ))
}

warn_metapool <- function(message, what) {
  warning(metapool_condition(
    message, c(paste0("metapool_warning_", what), "metapool_warning", "warning")
  ))
}

# Describe up to five offending positions, e.g. "rows 2, 5 (values -1, 0)".
describe_rows <- function(bad, values = NULL) {
  idx <- which(bad)
  shown <- utils::head(idx, 5L)
  more <- if (length(idx) > 5L) sprintf(" and %d more", length(idx) - 5L) else ""
  out <- sprintf("%s %s%s", if (length(idx) == 1L) "row" else "rows",
                 paste(shown, collapse = ", "), more)
  if (!is.null(values)) {
    out <- sprintf("%s (%s %s)", out, if (length(shown) == 1L) "value" else "values",
                   paste(format(values[shown], digits = 6), collapse = ", "))
  }
  out
}

chk_numeric_vector <- function(x, nm) {
  if (is.null(x)) abort_input(sprintf("`%s` is NULL; a numeric vector is needed.", nm), nm)
  if (is.logical(x) && is.null(dim(x)) && length(x) && all(is.na(x))) {
    return(as.numeric(x))  # all missing: the NA policy reports it
  }
  if (is.factor(x) || !is.numeric(x) || !is.null(dim(x)) && length(dim(x)) > 1L) {
    abort_input(sprintf("`%s` must be a numeric vector, not %s.", nm, describe_type(x)), nm)
  }
  as.numeric(x)
}

describe_type <- function(x) {
  if (is.factor(x)) return("a factor")
  if (is.matrix(x)) return("a matrix")
  if (is.data.frame(x)) return("a data frame")
  paste("of type", typeof(x))
}

chk_same_length <- function(values) {
  lens <- lengths(values, use.names = FALSE)
  if (length(lens) && lens[1L] > 0L && all(lens == lens[1L])) return(lens[1L])
  lens <- lengths(values)
  if (length(unique(lens)) > 1L) {
    abort_input(sprintf(
      "Study-level arguments must all have the same length, but %s.",
      paste(sprintf("`%s` has %d", names(lens), lens), collapse = ", ")
    ), names(lens)[lens != lens[1L]][1L])
  }
  if (lens[1L] == 0L) abort_input("No studies: the study-level arguments have length 0.")
  lens[[1L]]
}

# Abort when `bad` (ignoring NA) flags any value of argument `nm`.
chk_condition <- function(x, bad, nm, requirement) {
  if (isTRUE(any(bad, na.rm = TRUE))) {
    bad <- bad & !is.na(bad)
    abort_input(sprintf("`%s` %s: %s.", nm, requirement, describe_rows(bad, x)), nm)
  }
  invisible(x)
}

# Does `test(min, max)` hold for the non-missing values of x? FALSE when there are none.
range_hits <- function(x, test) {
  r <- if (is.double(x)) cpp_value_range(x) else
    if (length(x) && !all(is.na(x))) c(range(x, na.rm = TRUE), 1) else c(0, 0, 0)
  r[3L] > 0 && test(r[1L], r[2L])
}

# One pass over the data without allocating (cpp_value_range()), so the valid case stays cheap;
# the offending rows are only looked for when there are some.
chk_finite <- function(x, nm) {
  if (range_hits(x, function(lo, hi) lo == -Inf || hi == Inf)) {
    chk_condition(x, is.infinite(x), nm, "must be finite")
  }
  invisible(x)
}

# The effects and sampling variances every pooling engine reads: finite effects, finite
# positive variances. The ranges may be given when the caller has them already.
chk_effects <- function(yi, vi, ry = cpp_value_range(yi), rv = cpp_value_range(vi)) {
  if (ry[1L] == -Inf || ry[2L] == Inf) chk_finite(yi, "yi")
  if (rv[1L] == -Inf || rv[2L] == Inf) chk_finite(vi, "vi")
  if (rv[1L] <= 0) chk_at_least(vi, 0, "vi", "must be positive (a sampling variance)", strict = TRUE)
  invisible()
}

chk_at_least <- function(x, lower, nm, requirement, strict = FALSE) {
  if (range_hits(x, function(lo, hi) lo < lower || (strict && lo == lower))) {
    chk_condition(x, if (strict) x <= lower else x < lower, nm, requirement)
  }
  invisible(x)
}

# Counts that are not whole numbers are allowed (effective sample sizes of
# cluster-randomised trials are often fractional) but flagged.
warn_non_integer <- function(x, nm) {
  if (is.integer(x)) return(invisible(x))
  frac <- x != floor(x)  # no tolerance: counts read from data are exact
  if (isTRUE(any(frac, na.rm = TRUE))) {
    warn_metapool(sprintf(
      "`%s` has values that are not whole numbers: %s. They are used as given (as for effective sample sizes of cluster-randomised trials); check the data if they should be counts.",
      nm, describe_rows(frac & !is.na(frac), x)), "non_integer")
  }
  invisible(x)
}

chk_level <- function(level) {
  if (!is.numeric(level) || length(level) != 1L || is.na(level) ||
      level <= 0 || level >= 100 || level == 1) {
    abort_input("`level` must be a single confidence level in (0, 1) or (1, 100), e.g. 95.",
                "level")
  }
  if (level > 1) level / 100 else level
}

chk_flag <- function(x, nm) {
  if (!is.logical(x) || length(x) != 1L || is.na(x)) {
    abort_input(sprintf("`%s` must be TRUE or FALSE.", nm), nm)
  }
  x
}

# match.arg() with a classed error that names the argument and, for a near miss,
# suggests the choice that was probably meant.
# `aliases` maps other packages' names (e.g. metafor's "knha") to the choice.
chk_choice <- function(x, choices, nm, aliases = NULL) {
  # The valid case first, cheaply (front ends are called in loops).
  if (length(x) == 1L && is.character(x) && !is.na(x) && any(choices == x)) return(x)
  if (!is.character(x) || length(x) != 1L || is.na(x) || !x %in% choices) {
    hint <- ""
    if (is.character(x) && length(x) == 1L && !is.na(x)) {
      near <- choices[tolower(choices) == tolower(x)]
      if (!length(near)) near <- choices[utils::adist(x, choices, ignore.case = TRUE) <= 2]
      if (length(near)) hint <- sprintf(" Did you mean \"%s\"?", near[1L])
      if (x %in% names(aliases)) {
        hint <- sprintf(" Did you mean \"%s\"? (\"%s\" is metafor's name for it.)",
                        aliases[[x]], x)
      }
    }
    abort_input(sprintf("`%s` must be one of %s.%s", nm,
                        paste0("\"", choices, "\"", collapse = ", "), hint), nm)
  }
  x
}


# A method or quantity that a kind of fit does not have.
abort_not_defined <- function(what, fit, hint = NULL) {
  stop(metapool_condition(
    sprintf("%s is not defined for %s%s.", what, fit_kind_label(fit),
            if (is.null(hint)) "" else paste0("; ", hint)),
    c("metapool_error_not_defined", "metapool_error", "error")
  ))
}

# Validators of plot and formatting arguments.

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
