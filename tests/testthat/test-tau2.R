all_methods <- c("FE", "DL", "DLIT", "HE", "SJ", "ML", "REML", "EB", "HS", "HSk", "PM", "PMM")

fit_all <- function(yi, vi, ...) {
  lapply(stats::setNames(all_methods, all_methods), function(m) {
    metapool(yi = yi, vi = vi, method = m, ...)
  })
}

finite_fit <- function(fit) {
  all(is.finite(c(fit$estimate, fit$se, fit$ci_lb, fit$ci_ub, fit$tau2, fit$Q, fit$I2)))
}

test_that("adversarial data never make the engine fail", {
  set.seed(42)
  cases <- list(
    boundary = list(yi = c(0.10, 0.11, 0.09, 0.10), vi = c(0.5, 0.4, 0.6, 0.5)),
    identical = list(yi = rep(0.3, 6), vi = c(0.1, 0.2, 0.05, 0.3, 0.1, 0.2)),
    huge_study = list(yi = c(0.5, 0.1, 0.9, -0.2, 0.4), vi = c(1e-8, 0.2, 0.3, 0.25, 0.4)),
    spread = list(yi = rnorm(8), vi = 10^seq(-8, 8, length.out = 8)),
    large_tau = list(yi = c(-50, 40, 10, 80, -30), vi = c(0.1, 0.2, 0.1, 0.3, 0.2)),
    tiny_scale = list(yi = rnorm(10, 0, 1e-6), vi = runif(10, 1e-13, 1e-12)),
    two = list(yi = c(0, 5), vi = c(1, 1))
  )
  for (nm in names(cases)) {
    d <- cases[[nm]]
    fits <- suppressWarnings(fit_all(d$yi, d$vi, ci_method = "hksj"))
    for (m in all_methods) {
      expect_true(finite_fit(fits[[m]]), label = paste(nm, m))
      expect_gte(fits[[m]]$tau2, 0)
    }
  }
})

test_that("tau^2 on the boundary is exactly zero for the likelihood estimators", {
  fits <- fit_all(c(0.10, 0.11, 0.09, 0.10), c(0.5, 0.4, 0.6, 0.5))
  for (m in c("ML", "REML", "EB", "PM", "DL")) expect_identical(fits[[m]]$tau2, 0)
  expect_identical(fits$REML$tau2_lb, 0)
})

test_that("estimators agree with metafor on adversarial data where metafor itself converges", {
  skip_if_not_installed("metafor")
  d <- list(yi = c(0.5, 0.1, 0.9, -0.2, 0.4), vi = c(1e-4, 0.2, 0.3, 0.25, 0.4))
  for (m in c("REML", "ML", "PM", "EB", "DL", "SJ")) {
    ours <- metapool(yi = d$yi, vi = d$vi, method = m)
    ref <- metafor::rma(d$yi, d$vi, method = m, control = list(threshold = 1e-12, maxiter = 1000))
    expect_rel_equal(c(ours$tau2, ours$estimate), c(ref$tau2, ref$beta), tol$iterative, floor = 1e-4)
  }
})

test_that("a failed iteration falls back to bracketing, with a classed warning", {
  d <- list(yi = c(-0.6, 0.1, 0.9, 0.3, 1.4, -0.2), vi = c(0.1, 0.2, 0.15, 0.3, 0.1, 0.2))
  expect_warning(
    fit <- metapool(yi = d$yi, vi = d$vi, method = "REML", control = list(max_iter = 1)),
    class = "metapool_warning_convergence"
  )
  expect_identical(fit$tau2_status, "bracketed")
  expect_true(fit$converged)
  ref <- metapool(yi = d$yi, vi = d$vi, method = "REML")
  expect_rel_equal(fit$tau2, ref$tau2, 1e-8)
  for (m in c("ML", "EB", "DLIT")) {
    expect_warning(f <- metapool(yi = d$yi, vi = d$vi, method = m, control = list(max_iter = 1)),
                   class = "metapool_warning_convergence")
    expect_rel_equal(f$tau2, metapool(yi = d$yi, vi = d$vi, method = m)$tau2, 1e-7)
  }
})

test_that("REML is exact for k = 10^5 and costs O(k)", {
  set.seed(1)
  k <- 1e5
  vi <- runif(k, 0.01, 1)
  yi <- rnorm(k, 0.2, sqrt(vi + 0.05))
  fit <- metapool(yi = yi, vi = vi, tau2_ci = "QP")
  # the REML score equation holds at the estimate
  w <- 1 / (vi + fit$tau2)
  mu <- sum(w * yi) / sum(w)
  score <- sum(w^2 * (yi - mu)^2) - (sum(w) - sum(w^2) / sum(w))
  expect_lt(abs(score) / sum(w), 1e-8)
  expect_equal(fit$tau2, 0.05, tolerance = 0.05)
})

test_that("metapool() rejects bad input with classed errors naming the argument", {
  err <- function(expr, pattern) expect_error(expr, pattern, class = "metapool_error_input")
  err(metapool(yi = c(1, 2), vi = c(0.1, -0.2)), "`vi` must be positive")
  err(metapool(yi = c(1, 2), vi = c(0.1, 0)), "`vi` must be positive")
  err(metapool(yi = c(1, 2), sei = c(0.1, 0)), "`sei` must be positive")
  err(metapool(yi = c(1, Inf), vi = c(0.1, 0.2)), "`yi` must be finite")
  err(metapool(yi = c(1, 2), vi = c(0.1, 0.2, 0.3)), "same length")
  err(metapool(yi = c(1, 2)), "exactly one of `vi`")
  err(metapool(yi = c(1, 2), vi = c(0.1, 0.2), sei = c(0.1, 0.2)), "exactly one of `vi`")
  err(metapool(yi = c("a", "b"), vi = c(0.1, 0.2)), "`yi` must be a numeric vector")
  err(metapool(yi = c(1, NA), vi = c(0.1, 0.2)), "`yi` has missing values")
  expect_equal(metapool(yi = c(1, NA, 2), vi = c(0.1, 0.2, 0.3), na.action = "na.omit")$k, 2)
  err(metapool(yi = c(1, 2), vi = c(0.1, 0.2), method = "XYZ"), "`method` must be one of")
  err(metapool(yi = c(1, 2), vi = c(0.1, 0.2), tau2 = -1), "`tau2`")
  err(metapool(yi = c(1, 2), vi = c(0.1, 0.2), ci_method = "knha"), "`ci_method`")
  err(metapool(yi = c(1, 2), vi = c(0.1, 0.2), method = "DL", tau2_ci = "PL"), "profile likelihood")
  err(metapool(yi = c(1, 2), vi = c(0.1, 0.2), control = list(tolerance = 1)), "unknown element")
  err(metapool(yi = c(1, 2), vi = c(0.1, 0.2), control = list(max_iter = 0)), "max_iter")
  err(metapool(yi = c(1, 2), vi = c(0.1, 0.2), subgroup = c("a", NA)), "`subgroup` has missing")
  err(metapool(es_smd(m1, sd1, n1, m2, sd2, n2, data = normand1999), vi = 1), "mp_es")
  err(metapool(yi = c(1, 2), vi = c(0.1, 0.2), na.action = "na.pass"), "na.pass")
})
