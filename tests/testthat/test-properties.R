# Properties that must hold for any valid data, checked over thousands of random
# datasets, and extreme but valid inputs.

random_arms <- function(n, seed) {
  set.seed(seed)
  list(m1 = rnorm(n, 10, 3), sd1 = rexp(n) + 0.1, n1 = sample(2:500, n, replace = TRUE),
       m2 = rnorm(n, 10, 3), sd2 = rexp(n) + 0.1, n2 = sample(2:500, n, replace = TRUE))
}

random_tables <- function(n, seed) {
  set.seed(seed)
  n1 <- sample(1:300, n, replace = TRUE)
  n2 <- sample(1:300, n, replace = TRUE)
  # many zero and all-event cells
  p <- sample(c(0, 1, runif(1)), n, replace = TRUE, prob = c(0.1, 0.1, 0.8))
  list(events1 = rbinom(n, n1, ifelse(p %in% 0:1, p, runif(n))), n1 = n1,
       events2 = rbinom(n, n2, runif(n)), n2 = n2)
}

# Many meta-analyses as one long data frame for metapool_batch().
random_meta <- function(n_meta, seed, k_max = 30) {
  set.seed(seed)
  k <- sample(2:k_max, n_meta, replace = TRUE)
  by <- rep(seq_len(n_meta), k)
  vi <- rexp(length(by), 10) + 1e-3
  tau <- rep(sample(c(0, 0.1, 0.5), n_meta, replace = TRUE), k)
  data.frame(by = by, yi = rnorm(length(by), 0.2, sqrt(vi + tau^2)), vi = vi)
}

test_that("swapping the arms negates every effect and keeps every variance", {
  a <- random_arms(5000, 1)
  swapped <- a[c("m2", "sd2", "n2", "m1", "sd1", "n1")]
  names(swapped) <- names(a)
  for (fn in list(es_smd, es_md)) {
    x <- do.call(fn, a)
    y <- do.call(fn, swapped)
    expect_equal(y$yi, -x$yi, tolerance = 1e-13)
    expect_equal(y$vi, x$vi, tolerance = 1e-13)
  }
  for (preset in c("metafor", "revman5")) {
    x <- do.call(es_smd, c(a, list(preset = preset)))
    y <- do.call(es_smd, c(swapped, list(preset = preset)))
    expect_equal(y$yi, -x$yi, tolerance = 1e-13)
  }
  t <- random_tables(5000, 2)
  ts <- list(events1 = t$events2, n1 = t$n2, events2 = t$events1, n2 = t$n1)
  for (fn in list(es_rr, es_or, es_rd)) {
    x <- suppressWarnings(do.call(fn, t))
    y <- suppressWarnings(do.call(fn, ts))
    ok <- is.finite(x$yi)
    expect_equal(y$yi[ok], -x$yi[ok], tolerance = 1e-12)
    expect_equal(y$vi[ok], x$vi[ok], tolerance = 1e-12)
    expect_identical(is.finite(y$yi), ok)
  }
})

test_that("rescaling a continuous outcome leaves the SMD unchanged and scales the MD", {
  a <- random_arms(5000, 3)
  for (c in c(1e-6, 0.37, 12, 1e6)) {
    b <- a
    b[c("m1", "sd1", "m2", "sd2")] <- lapply(a[c("m1", "sd1", "m2", "sd2")], `*`, c)
    expect_equal(do.call(es_smd, b)$yi, do.call(es_smd, a)$yi, tolerance = 1e-12)
    expect_equal(do.call(es_smd, b)$vi, do.call(es_smd, a)$vi, tolerance = 1e-12)
    expect_equal(do.call(es_md, b)$yi, c * do.call(es_md, a)$yi, tolerance = 1e-12)
    expect_equal(do.call(es_md, b)$vi, c^2 * do.call(es_md, a)$vi, tolerance = 1e-12)
  }
})

test_that("study order does not matter, for every estimator, over 2000 meta-analyses", {
  d <- random_meta(2000, 4)
  set.seed(5)
  shuffled <- d[sample(nrow(d)), ]
  for (method in tau2_methods_all()) {
    a <- suppressWarnings(metapool_batch(d, yi = yi, vi = vi, by = by, method = method))
    b <- suppressWarnings(metapool_batch(shuffled, yi = yi, vi = vi, by = by, method = method))
    b <- b[match(a$group, b$group), ]
    expect_equal(b$estimate, a$estimate, tolerance = 1e-8, label = method)
    expect_equal(b$tau2, a$tau2, tolerance = 1e-8, label = method)
  }
})

test_that("tau^2 >= 0, CIs contain the estimate, QP contains the PM estimate, I^2 in [0, 100]", {
  d <- random_meta(2000, 6)
  for (method in tau2_methods_all()) {
    for (ci in c("z", "hksj")) {
      r <- suppressWarnings(metapool_batch(d, yi = yi, vi = vi, by = by, method = method,
                                           ci_method = ci))
      expect_true(all(r$tau2 >= 0), label = method)
      expect_true(all(r$ci_lb <= r$estimate & r$estimate <= r$ci_ub), label = paste(method, ci))
      expect_true(all(r$I2 >= 0 & r$I2 <= 100), label = method)
      expect_true(all(is.finite(r$estimate) & is.finite(r$se)), label = method)
      if (method != "FE") {
        k <- r$k
        ok <- k >= 3
        expect_true(all(r$pi_lb[ok] <= r$ci_lb[ok] + 1e-12 & r$pi_ub[ok] >= r$ci_ub[ok] - 1e-12),
                    label = paste(method, "PI wider than CI"))
      }
    }
  }
  pm <- metapool_batch(d, yi = yi, vi = vi, by = by, method = "PM")
  expect_true(all(pm$tau2_lb <= pm$tau2 + 1e-10 & pm$tau2 <= pm$tau2_ub + 1e-10))
})

test_that("duplicating the data halves the variance of the common-effect estimate", {
  d <- random_meta(500, 7)
  a <- metapool_batch(d, yi = yi, vi = vi, by = by, method = "FE")
  b <- metapool_batch(rbind(d, d), yi = yi, vi = vi, by = by, method = "FE")
  expect_equal(b$se^2, a$se^2 / 2, tolerance = 1e-12)
  expect_equal(b$estimate, a$estimate, tolerance = 1e-12)
})

test_that("a study whose variance grows without bound loses its weight", {
  set.seed(8)
  yi <- rnorm(10)
  vi <- rexp(10, 5) + 0.01
  without <- metapool(yi[-1], vi[-1], method = "REML")
  for (v in 10^c(4, 8, 12)) {
    fit <- metapool(yi, replace(vi, 1, v), method = "REML")
    expect_lt(fit$weights[[1]], 10 / v)
    expect_equal(fit$estimate, without$estimate, tolerance = 100 / v)
  }
})

test_that("extreme but valid inputs give finite, correct results", {
  # N up to 1e8: g with the exact J tends to d, its variance to 1/n1 + 1/n2
  big <- es_smd(1, 1, 1e8, 0, 1, 1e8)
  expect_equal(big$yi, 1 - 3 / (4 * 2e8 - 9), tolerance = 1e-12)
  expect_true(is.finite(big$vi) && big$vi > 0)
  expect_true(is.finite(es_smd(1, 1, 1e8, 0, 1, 2, preset = "revman5")$yi))
  # variances from 1e-12 to 1e12 in one analysis
  set.seed(9)
  vi <- 10^seq(-12, 12, length.out = 25)
  yi <- rnorm(25)
  for (method in tau2_methods_all()) {
    fit <- withCallingHandlers(metapool(yi, vi, method = method),
                               metapool_warning = function(w) invokeRestart("muffleWarning"))
    expect_true(all(is.finite(c(fit$estimate, fit$se, fit$tau2, fit$ci_lb, fit$ci_ub))),
                label = method)
    expect_gte(fit$tau2, 0)
  }
  fe <- metapool(yi, vi, method = "FE")
  expect_equal(fe$estimate, sum(yi / vi) / sum(1 / vi), tolerance = 1e-12)
  # events at 0 and at n in both arms, every measure and preset
  t <- list(events1 = c(0, 10, 0, 10, 3), n1 = rep(10, 5), events2 = c(0, 10, 10, 0, 4),
            n2 = rep(10, 5))
  for (fn in list(es_rr, es_or, es_rd)) {
    for (preset in c("metafor", "revman5")) {
      es <- do.call(fn, c(t, list(preset = preset)))
      expect_true(all(is.finite(es$yi) | !es$estimable), label = preset)
    }
  }
  for (measure in c("RR", "OR", "RD")) {
    fit <- suppressWarnings(do.call(metapool_mh, c(t, list(measure = measure, preset = "revman5"))))
    expect_true(is.finite(fit$estimate), label = measure)
  }
  # k = 1e6
  set.seed(10)
  vi <- rexp(1e6, 10) + 1e-3
  yi <- rnorm(1e6, 0.1, sqrt(vi + 0.04))
  fit <- metapool(yi, vi, method = "REML")
  expect_equal(fit$tau2, 0.04, tolerance = 0.05)
  expect_equal(fit$estimate, 0.1, tolerance = 0.01)
})
