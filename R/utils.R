# Small helpers used across the package.

`%||%` <- function(x, y) if (is.null(x)) y else x

reset_rownames <- function(x) {
  rownames(x) <- NULL
  x
}

format_num <- function(x, digits) {
  out <- formatC(x, digits = digits, format = "f")
  out[is.na(x)] <- "NA"
  out
}

back_transform_fun <- function(measure) if (is_ratio_measure(measure)) exp else identity
