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

# Evaluate the arguments named in `names` of the calling function, in `data`
# first (as columns or expressions of columns), then in `env`. A single string
# naming a column of `data` selects that column.
study_arguments <- function(names, data, env, optional = FALSE) {
  caller <- parent.frame()
  if (!is.null(data) && !is.data.frame(data)) {
    abort_input("`data` must be a data frame (or NULL).", "data")
  }
  values <- lapply(names, function(nm) {
    # The unevaluated argument, boxed: a bare empty symbol (an argument not supplied)
    # cannot be held in a variable.
    boxed <- list(eval(call("substitute", as.name(nm)), caller))
    if (identical(boxed[[1L]], quote(expr = ))) {
      if (optional) return(NULL)
      abort_input(sprintf("`%s` is missing, with no default.", nm), nm)
    }
    if (is.null(boxed[[1L]])) return(NULL)
    eval_study_argument(boxed[[1L]], nm, data, env)
  })
  names(values) <- names
  if (!optional) values <- Map(chk_numeric_vector, values, names)
  values
}

eval_study_argument <- function(expr, nm, data, env) {
  value <- tryCatch(
    if (is.null(data)) eval(expr, env) else eval(expr, data, env),
    error = function(e) {
      abort_input(sprintf("`%s` could not be evaluated: %s", nm, conditionMessage(e)), nm)
    }
  )
  if (!is.null(data) && is.character(value) && length(value) == 1L &&
      value %in% names(data)) {
    value <- data[[value]]
  }
  value
}

chk_numeric_vector <- function(x, nm) {
  if (is.null(x)) abort_input(sprintf("`%s` is NULL; a numeric vector is needed.", nm), nm)
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
  if (anyNA(x)) x <- x[!is.na(x)]
  length(x) > 0L && test(min(x), max(x))
}

# min() and max() make one pass without allocating, so the valid case stays cheap;
# the offending rows are only looked for when there are some.
chk_finite <- function(x, nm) {
  if (range_hits(x, function(lo, hi) lo == -Inf || hi == Inf)) {
    chk_condition(x, is.infinite(x), nm, "must be finite")
  }
  invisible(x)
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

# The policy for missing values: "fail" (default), "omit", "exclude" or "pass".
# For pooling, "exclude" drops the studies like "omit" but per-study results
# (residuals, weights) keep their rows as NA; for effect sizes it keeps the rows
# with missing effects, like "pass".
na_policy <- function(na.action) {
  choices <- c("na.fail", "na.omit", "na.exclude", "na.pass")
  if (is.function(na.action)) {
    hit <- vapply(choices, function(f) identical(na.action, get(f, envir = asNamespace("stats"))),
                  logical(1))
    if (!any(hit)) {
      abort_input("`na.action` must be na.fail, na.omit, na.exclude or na.pass.", "na.action")
    }
    na.action <- choices[hit][1L]
  }
  substring(chk_choice(na.action, choices, "na.action"), 4L)
}

# Duplicated study labels make weights and plots ambiguous: they are numbered
# (".1", ".2", ... as metafor does) with a warning.
unique_labels <- function(slab) {
  dup <- duplicated(slab) | duplicated(slab, fromLast = TRUE)
  if (!any(dup)) return(slab)
  warn_metapool(sprintf(
    "`slab` has duplicated labels (%s); they are numbered to make them unique.",
    describe_rows(dup, slab)), "duplicate_labels")
  out <- as.character(slab)
  out[dup] <- paste0(out[dup], ".", stats::ave(seq_along(out), out, FUN = seq_along)[dup])
  out
}

# Resolve the study labels, the subset and the missing-value policy shared by
# every study-level front end. Returns the rows to keep (NULL: all), their labels,
# which kept rows are complete (NULL: all) and the rows dropped for missing values.
study_rows <- function(values, slab, subset, na_action, exclude_keeps = FALSE) {
  k <- chk_same_length(values)
  if (is.null(slab)) {
    slab <- seq_len(k)
  } else {
    if (length(slab) != k) {
      abort_input(sprintf("`slab` has length %d but there are %d studies.", length(slab), k),
                  "slab")
    }
    if (is.factor(slab)) slab <- as.character(slab)
    chk_condition(slab, is.na(slab), "slab", "has missing labels")
    slab <- unique_labels(slab)
  }
  keep <- NULL
  if (!is.null(subset)) {
    if (is.logical(subset) && length(subset) == k) {
      keep <- subset & !is.na(subset)
    } else if (is.numeric(subset) && !anyNA(subset) &&
               all(subset >= 1 & subset <= k & subset == round(subset))) {
      keep <- seq_len(k) %in% subset
    } else {
      abort_input(sprintf(
        "`subset` must be a logical vector of length %d or row numbers between 1 and %d.", k, k
      ), "subset")
    }
  }
  policy <- na_policy(na_action)
  if (policy == "exclude") policy <- if (exclude_keeps) "pass" else "omit"
  missing_row <- NULL
  if (any(vapply(values, anyNA, logical(1)))) {
    missing_row <- Reduce(`|`, lapply(values, is.na))
    in_scope <- if (is.null(keep)) missing_row else missing_row & keep
    if (policy == "fail" && any(in_scope)) {
      has_na <- names(values)[vapply(values, function(v) any(is.na(v) & (keep %||% TRUE)),
                                     logical(1))]
      abort_input(sprintf(
        "`%s` has missing values (%s). Set `na.action = \"na.omit\"` (or \"na.exclude\") to drop those studies%s.",
        has_na[1L], describe_rows(is.na(values[[has_na[1L]]]) & (keep %||% TRUE)),
        if (exclude_keeps) ", or `na.action = \"na.pass\"` to keep them with a missing effect" else ""
      ), has_na[1L])
    }
  }
  omitted <- integer(0)
  if (policy == "omit" && !is.null(missing_row)) {
    omitted <- which(missing_row & (keep %||% TRUE))
    keep <- (keep %||% TRUE) & !missing_row
  }
  if (!is.null(keep) && !any(keep)) {
    abort_input("No studies are left after `subset` and `na.action`.")
  }
  complete <- if (is.null(missing_row)) NULL else !missing_row
  omitted_slab <- slab[omitted]
  if (!is.null(keep)) {
    slab <- slab[keep]
    if (!is.null(complete)) complete <- complete[keep]
  }
  if (!is.null(complete) && all(complete)) complete <- NULL
  list(keep = keep, slab = slab, complete = complete, omitted = omitted,
       omitted_slab = omitted_slab, n_input = k)
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
