test_that("es_smd() agrees with metafor::escalc() for every correction and vtype", {
  skip_if_not_installed("metafor")
  skip_if_not_installed("metadat")
  datasets <- c(continuous_datasets(), list(random = random_continuous(300, 1)))
  corrections <- list(exact = TRUE, approx = "approx", none = FALSE)
  for (ds in names(datasets)) {
    d <- datasets[[ds]]
    for (corr in names(corrections)) {
      for (vt in c("LS", "UB", "LS2", "LS3")) {
        ours <- es_smd(m1, sd1, n1, m2, sd2, n2, data = d, correction = corr, vtype = vt)
        ref <- suppressWarnings(metafor::escalc(
          "SMD", m1i = m1, sd1i = sd1, n1i = n1, m2i = m2, sd2i = sd2, n2i = n2, data = d,
          correct = corrections[[corr]], vtype = vt
        ))
        info <- paste(ds, corr, vt)
        expect_rel_equal(ours$yi, ref$yi, tol$effect_size)
        # metafor's J = exp(lgamma(m/2) - log(sqrt(m/2)) - lgamma((m-1)/2)) carries an
        # absolute error near 1e-13 for m in the hundreds (ours is exact to 1e-16, see
        # below); "UB" multiplies it by about 2m through 1 - (m-2)/(m J^2).
        expect_rel_equal(ours$vi, ref$vi, if (vt == "UB") 1e-8 else tol$effect_size)
        expect_equal(nrow(ours), nrow(d), info = info)
      }
    }
  }
})

test_that("the default preset is metafor's escalc default", {
  skip_if_not_installed("metafor")
  d <- normand1999
  ours <- es_smd(m1, sd1, n1, m2, sd2, n2, data = d)
  ref <- suppressWarnings(metafor::escalc("SMD", m1i = m1, sd1i = sd1, n1i = n1, m2i = m2,
                                          sd2i = sd2, n2i = n2, data = d))
  expect_rel_equal(ours$yi, ref$yi, tol$effect_size)
  expect_rel_equal(ours$vi, ref$vi, tol$effect_size)
  ci <- summary(ref)
  expect_rel_equal(ours$ci_lb, ci$ci.lb, tol$effect_size)
  expect_rel_equal(ours$ci_ub, ci$ci.ub, tol$effect_size)
})

test_that("preset revman5 follows RevMan 5's formulas (hand computation)", {
  d <- normand1999
  ours <- es_smd(m1, sd1, n1, m2, sd2, n2, data = d, preset = "revman5")
  n <- d$n1 + d$n2
  s <- sqrt(((d$n1 - 1) * d$sd1^2 + (d$n2 - 1) * d$sd2^2) / (n - 2))
  g <- (d$m1 - d$m2) / s * (1 - 3 / (4 * n - 9))
  se <- sqrt(n / (d$n1 * d$n2) + g^2 / (2 * (n - 3.94)))
  expect_rel_equal(ours$yi, g, tol$exact)
  expect_rel_equal(ours$vi, se^2, tol$exact)
  expect_rel_equal(ours$ci_lb, g - qnorm(0.975) * se, 1e-12)
  expect_equal(attr(ours, "es_options"), list(correction = "approx", vtype = "LS3"))
  # "revman5" is a synonym of "LS3"; explicit arguments override the preset
  expect_equal(es_smd(m1, sd1, n1, m2, sd2, n2, data = d, vtype = "revman5")$vi,
               es_smd(m1, sd1, n1, m2, sd2, n2, data = d, vtype = "LS3")$vi)
  over <- es_smd(m1, sd1, n1, m2, sd2, n2, data = d, preset = "revman5", correction = "exact")
  expect_equal(attr(over, "es_options")$correction, "exact")
})

test_that("Hedges' exact J stays finite and accurate for N from 4 to 1e8", {
  n_total <- c(4, 5, 10, 50, 343, 344, 345, 1000, 1e4, 1e5, 1e6, 1e7, 1e8)
  n1 <- floor(n_total / 2)
  n2 <- n_total - n1
  es <- es_smd(m1 = rep(1, length(n1)), sd1 = rep(2, length(n1)), n1 = n1,
               m2 = rep(0, length(n1)), sd2 = rep(2, length(n1)), n2 = n2)
  expect_true(all(is.finite(es$yi)) && all(is.finite(es$vi)))
  j <- es$yi / 0.5
  m <- n_total - 2
  # Closed-form expansion of Gamma(m/2) / (sqrt(m/2) Gamma((m-1)/2)) for large m
  big <- m > 1000
  x <- m[big] - 1
  series <- sqrt(1 - 1 / m[big]) * (1 - 1 / (4 * x) + 1 / (32 * x^2) + 5 / (128 * x^3))
  expect_rel_equal(j[big], series, 1e-14)
  # For small N, the gamma functions themselves are exact enough in R
  small <- m < 300
  expect_rel_equal(j[small], gamma(m[small] / 2) / (sqrt(m[small] / 2) * gamma((m[small] - 1) / 2)),
                   1e-13)
  expect_true(all(j < 1 & j > 0))
  # J(631) to 20 digits (mpmath at 40 significant digits): 0.99881086077903742247
  expect_equal(metapool:::cpp_hedges_j(631, "exact"), 0.99881086077903742247, tolerance = 1e-15)
})

test_that("es_md() agrees with metafor for pooled and unpooled variances", {
  skip_if_not_installed("metafor")
  skip_if_not_installed("metadat")
  datasets <- c(continuous_datasets(), list(random = random_continuous(300, 2)))
  for (ds in names(datasets)) {
    d <- datasets[[ds]]
    ours <- es_md(m1, sd1, n1, m2, sd2, n2, data = d)
    ref <- metafor::escalc("MD", m1i = m1, sd1i = sd1, n1i = n1, m2i = m2, sd2i = sd2,
                           n2i = n2, data = d)
    expect_rel_equal(ours$yi, ref$yi, tol$effect_size)
    expect_rel_equal(ours$vi, ref$vi, tol$effect_size)
    pooled <- es_md(m1, sd1, n1, m2, sd2, n2, data = d, vtype = "pooled")
    ref_ho <- metafor::escalc("MD", m1i = m1, sd1i = sd1, n1i = n1, m2i = m2, sd2i = sd2,
                              n2i = n2, data = d, vtype = "HO")
    expect_rel_equal(pooled$vi, ref_ho$vi, tol$effect_size)
  }
})

test_that("the mean difference matches RevMan 5 (hand computation)", {
  d <- normand1999
  ours <- es_md(m1, sd1, n1, m2, sd2, n2, data = d, preset = "revman5")
  expect_equal(ours$yi, d$m1 - d$m2)
  expect_rel_equal(ours$vi, d$sd1^2 / d$n1 + d$sd2^2 / d$n2, tol$exact)
})

test_that("an SD of 0 in one arm is accepted and agrees with metafor", {
  skip_if_not_installed("metafor")
  d <- data.frame(m1 = c(1, 2.5, 0.4), sd1 = c(0, 1.2, 0.8), n1 = c(10, 20, 15),
                  m2 = c(0.5, 2, 0.1), sd2 = c(1, 0, 0.7), n2 = c(12, 18, 15))
  smd <- es_smd(m1, sd1, n1, m2, sd2, n2, data = d)
  ref <- metafor::escalc("SMD", m1i = m1, sd1i = sd1, n1i = n1, m2i = m2, sd2i = sd2, n2i = n2,
                         data = d)
  expect_true(all(smd$estimable))
  expect_rel_equal(c(smd$yi, smd$vi), c(ref$yi, ref$vi), tol$effect_size)
  md <- es_md(m1, sd1, n1, m2, sd2, n2, data = d)
  ref <- metafor::escalc("MD", m1i = m1, sd1i = sd1, n1i = n1, m2i = m2, sd2i = sd2, n2i = n2,
                         data = d)
  expect_rel_equal(c(md$yi, md$vi), c(ref$yi, ref$vi), tol$effect_size)
  # by hand: study 1's variance comes from the control arm alone
  expect_equal(md$vi[1], 1 / 12)
  expect_error(es_smd(1, -1, 10, 0, 1, 10), "sd1", class = "metapool_error_input")
})

test_that("dat.poole2003: SD 0 in both arms is not estimable, noted, and left out of pooling", {
  skip_if_not_installed("metadat")
  skip_if_not_installed("metafor")
  d <- metadat::dat.poole2003
  smd <- es_smd(Me, Se, Ne, Mc, Sc, Nc, data = d, slab = paste(author, year))
  expect_identical(which(!smd$estimable), c(5L, 14L))
  expect_true(all(is.na(smd$yi[c(5, 14)])))
  out <- capture.output(print(smd))
  expect_true(any(grepl("Jackson 1984 +not estimable", out)))
  expect_true(any(grepl("2 studies with SD 0 in both arms", out, fixed = TRUE)))
  fit <- metapool(smd)
  expect_equal(fit$k, nrow(d) - 2L)
  expect_identical(fit$not_estimable, c("Jackson 1984", "Meister 1999"))
  # the other studies pool as metafor pools them (metafor drops the two NA rows)
  ref <- metafor::rma(metafor::escalc("SMD", m1i = Me, sd1i = Se, n1i = Ne, m2i = Mc,
                                      sd2i = Sc, n2i = Nc, data = d[-c(5, 14), ]),
                      control = list(threshold = 1e-12, maxiter = 1000))
  expect_rel_equal(c(fit$estimate, fit$tau2), c(ref$beta, ref$tau2), tol$iterative)
  md <- es_md(Me, Se, Ne, Mc, Sc, Nc, data = d)
  expect_identical(which(!md$estimable), c(5L, 14L))
  expect_equal(metapool(md)$k, nrow(d) - 2L)
})
