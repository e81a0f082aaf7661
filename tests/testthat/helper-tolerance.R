# Tolerances by kind of quantity (relative error, element-wise maximum).
tol <- list(
  effect_size = 1e-10,  # closed-form study-level effects and variances vs metafor
  closed_form = 1e-8,   # closed-form pooled quantities
  iterative = 1e-6,     # iterative estimators
  exact = 1e-13         # the same formula evaluated two ways
)

max_rel_error <- function(actual, expected, floor = 0) {
  ok <- !(is.na(actual) & is.na(expected))
  actual <- actual[ok]
  expected <- expected[ok]
  if (anyNA(actual) || anyNA(expected)) return(Inf)
  scale <- ifelse(expected == 0, 1, pmax(abs(expected), floor))  # absolute error at 0
  err <- ifelse(actual == expected, 0, abs(actual - expected) / scale)
  max(c(0, err))
}

# `floor`: below it values count as zero and absolute error is used (for quantities on
# a boundary, such as tau^2 = 0, that iterative software reaches only approximately).
expect_rel_equal <- function(actual, expected, rel, floor = 0) {
  err <- max_rel_error(as.numeric(actual), as.numeric(expected), floor)
  expect(err <= rel, sprintf("max relative error %.3g exceeds %.3g", err, rel))
  invisible(actual)
}

