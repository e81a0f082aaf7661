# Tolerances by kind of quantity (relative error, element-wise maximum).
tol <- list(
  effect_size = 1e-10,  # closed-form study-level effects and variances vs metafor
  closed_form = 1e-8,   # closed-form pooled quantities
  iterative = 1e-6,     # iterative estimators
  exact = 1e-13         # the same formula evaluated two ways
)

max_rel_error <- function(actual, expected) {
  ok <- !(is.na(actual) & is.na(expected))
  actual <- actual[ok]
  expected <- expected[ok]
  if (anyNA(actual) || anyNA(expected)) return(Inf)
  scale <- ifelse(expected == 0, 1, abs(expected))  # absolute error where the truth is 0
  max(c(0, abs(actual - expected) / scale))
}

expect_rel_equal <- function(actual, expected, rel) {
  err <- max_rel_error(as.numeric(actual), as.numeric(expected))
  expect(err <= rel, sprintf("max relative error %.3g exceeds %.3g", err, rel))
  invisible(actual)
}

# Continuous-outcome datasets from metadat in a common layout.
continuous_datasets <- function() {
  get_ds <- function(name) getExportedValue("metadat", name)
  std <- function(m1, sd1, n1, m2, sd2, n2) {
    d <- data.frame(m1 = m1, sd1 = sd1, n1 = n1, m2 = m2, sd2 = sd2, n2 = n2)
    d[stats::complete.cases(d) & d$sd1 > 0 & d$sd2 > 0 & d$n1 >= 2 & d$n2 >= 2, ]
  }
  with_names <- function(x) std(x$m1i, x$sd1i, x$n1i, x$m2i, x$sd2i, x$n2i)
  dag <- get_ds("dat.dagostino1998")
  leh <- get_ds("dat.lehmann2018")
  list(
    normand1999 = with_names(get_ds("dat.normand1999")),
    curtis1998 = with_names(get_ds("dat.curtis1998")),
    gibson2002 = with_names(get_ds("dat.gibson2002")),
    dagostino1998 = std(dag$mt, dag$sdt, dag$nt, dag$mc, dag$sdc, dag$nc),
    lehmann2018 = std(leh$Red_M, leh$Red_SD, leh$Red_N, leh$Control_M, leh$Control_SD,
                      leh$Control_N)
  )
}

# Binary-outcome datasets from metadat as events1, n1, events2, n2.
binary_datasets <- function() {
  get_ds <- function(name) getExportedValue("metadat", name)
  std <- function(a, n1, c, n2) data.frame(events1 = a, n1 = n1, events2 = c, n2 = n2)
  from_cells <- function(x) std(x$ai, x$ai + x$bi, x$ci, x$ci + x$di)
  from_n <- function(x) std(x$ai, x$n1i, x$ci, x$n2i)
  bcg <- get_ds("dat.bcg")
  out <- list(
    bcg = std(bcg$tpos, bcg$tpos + bcg$tneg, bcg$cpos, bcg$cpos + bcg$cneg),
    nielweise2007 = from_n(get_ds("dat.nielweise2007")),
    yusuf1985 = from_n(get_ds("dat.yusuf1985")),
    lee2004 = from_n(get_ds("dat.lee2004")),
    li2007 = from_n(get_ds("dat.li2007")),
    hine1989 = from_n(get_ds("dat.hine1989")),
    egger2001 = from_n(get_ds("dat.egger2001"))
  )
  lapply(out, function(d) d[stats::complete.cases(d), ])
}

random_binary <- function(k, seed) {
  set.seed(seed)
  n1 <- sample(5:300, k, replace = TRUE)
  n2 <- sample(5:300, k, replace = TRUE)
  p1 <- stats::runif(k, 0, 0.4)
  p2 <- stats::runif(k, 0, 0.4)
  data.frame(events1 = stats::rbinom(k, n1, p1), n1 = n1,
             events2 = stats::rbinom(k, n2, p2), n2 = n2)
}

random_continuous <- function(k, seed) {
  set.seed(seed)
  data.frame(m1 = stats::rnorm(k, 10, 3), sd1 = stats::rgamma(k, 4, 1),
             n1 = sample(2:500, k, replace = TRUE),
             m2 = stats::rnorm(k, 9, 3), sd2 = stats::rgamma(k, 4, 1),
             n2 = sample(2:500, k, replace = TRUE))
}
