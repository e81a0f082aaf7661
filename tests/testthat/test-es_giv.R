# es_giv(): generic inverse variance from reported estimates, intervals and p-values.

test_that("estimates with intervals at any level and p-values agree with metafor's conv.wald()", {
  skip_if_not_installed("metafor")
  est <- c(0.72, 0.85, 0.64, 1.30, 0.95)
  lb <- c(0.55, NA, 0.41, 1.02, NA)
  ub <- c(0.94, NA, 1.00, 1.66, NA)
  p <- c(NA, 0.048, NA, NA, 0.62)
  lev <- c(95, 95, 90, 99, 95)
  es <- es_giv(est, ci_lb = lb, ci_ub = ub, p = p, ci_level = lev, measure = "RR")
  ref <- metafor::conv.wald(out = est, ci.lb = lb, ci.ub = ub, pval = p, level = lev,
                            transf = log, check = FALSE)
  expect_rel_equal(es$yi, ref$yi, tol$effect_size)
  expect_rel_equal(es$vi, ref$vi, tol$effect_size)
  expect_identical(es$source, c("ci", "p", "ci", "ci", "p"))

  # Differences (no transformation), an interval with one limit only, levels as proportions
  md <- c(-2.1, 3.4, 0.8)
  es_md <- es_giv(md, ci_lb = c(-3.9, NA, -0.6), ci_ub = c(-0.3, 5.9, 2.2),
                  ci_level = c(0.95, 0.9, 0.8), measure = "MD")
  ref_md <- metafor::conv.wald(out = md, ci.lb = c(-3.9, NA, -0.6), ci.ub = c(-0.3, 5.9, 2.2),
                               level = c(95, 90, 80), check = FALSE)
  expect_rel_equal(es_md$yi, ref_md$yi, tol$effect_size)
  expect_rel_equal(es_md$vi, ref_md$vi, tol$effect_size)
})

test_that("Handbook worked examples: Z for P = 0.008, and the t test of a mean difference", {
  # Handbook 5.1, 7.7.7.2 (6.4: 6.3.2): P = 0.008 corresponds to Z = 2.652.
  es <- es_giv(0.5, p = 0.008)
  expect_equal(round(0.5 / sqrt(es$vi), 3), 2.652)
  # Handbook 5.1, 7.7.3.3 (6.4: 6.5.2.3): MD 3.8, P = 0.008 from a t test with 25 and 22
  # participants: t = 2.78 on 45 df, SE = 3.8 / 2.78 = 1.37.
  md <- es_giv(3.8, p = 0.008, n1 = 25, n2 = 22, measure = "MD", dist = "t")
  expect_equal(round(3.8 / sqrt(md$vi), 2), 2.78)
  expect_equal(round(sqrt(md$vi), 2), 1.37)
  expect_equal(sqrt(md$vi), 3.8 / stats::qt(1 - 0.008 / 2, 45), tolerance = tol$exact)
  # Handbook 5.1, 7.7.3.2 (6.4: 6.5.2.2): a t-based 95% interval from 25 participants is
  # 2 x 2.0639 = 4.128 standard errors wide (here with n1 + n2 - 2 = 24 df).
  ci <- es_giv(10, ci_lb = 10 - 2.0639, ci_ub = 10 + 2.0639, n1 = 13, n2 = 13, dist = "t")
  expect_equal(sqrt(ci$vi), 1, tolerance = 1e-4)
})

test_that("round trip: estimate and CI -> SE -> CI is exact", {
  set.seed(17)
  k <- 200
  yi <- rnorm(k)
  se <- rexp(k) + 0.01
  lev <- sample(c(80, 90, 95, 99), k, replace = TRUE)
  crit <- qnorm(1 - (1 - lev / 100) / 2)
  es <- es_giv(yi, ci_lb = yi - crit * se, ci_ub = yi + crit * se, ci_level = lev)
  expect_rel_equal(sqrt(es$vi), se, 1e-12)
  # Re-computing each study's interval at its own level returns the reported limits.
  expect_lt(max(abs(yi - crit * sqrt(es$vi) - (yi - crit * se))), 1e-12)
  expect_lt(max(abs(yi + crit * sqrt(es$vi) - (yi + crit * se))), 1e-12)
  # Ratio measures: limits come back on the ratio scale.
  rr <- exp(yi / 3)
  l95 <- exp(log(rr) - 1.959963984540054 * se)
  u95 <- exp(log(rr) + 1.959963984540054 * se)
  es_rr <- es_giv(rr, ci_lb = l95, ci_ub = u95, measure = "RR")
  expect_lt(max(abs(exp(es_rr$ci_lb) / l95 - 1)), 1e-12)
  expect_lt(max(abs(exp(es_rr$ci_ub) / u95 - 1)), 1e-12)
})

test_that("a missing estimate is the midpoint of its interval; SEs are used as given", {
  es <- es_giv(c(NA, 0.8), se = c(NA, 0.12), ci_lb = c(0.5, NA), ci_ub = c(2, NA),
               measure = "OR")
  expect_equal(es$yi, c(0, log(0.8)))
  expect_equal(es$vi[2], 0.12^2)
  expect_identical(es$source, c("ci", "se"))
})

test_that("es_giv() feeds metapool() like any effect size, with data, slab and subset", {
  d <- data.frame(study = c("A", "B", "C", "D"), hr = c(0.80, 0.70, 0.92, 0.61),
                  lo = c(0.65, NA, 0.75, 0.44), hi = c(0.98, NA, 1.13, 0.85),
                  pval = c(NA, 0.01, NA, NA))
  es <- es_giv(hr, ci_lb = lo, ci_ub = hi, p = pval, data = d, slab = study, measure = "HR")
  expect_s3_class(es, "mp_es")
  expect_identical(attr(es, "measure"), "HR")
  expect_identical(es$slab, d$study)
  fit <- metapool(es, method = "DL")
  ref <- metapool(yi = es$yi, sei = sqrt(es$vi), method = "DL")
  expect_equal(fit$estimate, ref$estimate, tolerance = tol$exact)
  expect_identical(fit$measure, "HR")
  expect_output(print(fit), "hazard ratio")
  expect_output(print(es), "Hazard ratio, generic inverse variance")
  # The preset only sets metapool()'s defaults: RevMan pools with DerSimonian-Laird.
  rm5 <- es_giv(hr, ci_lb = lo, ci_ub = hi, p = pval, data = d, measure = "HR", preset = "revman5")
  expect_equal(rm5$vi, es$vi)
  expect_equal(metapool(rm5)$estimate, fit$estimate, tolerance = tol$exact)
  sub <- es_giv(hr, ci_lb = lo, ci_ub = hi, p = pval, data = d, subset = c(1, 3),
                measure = "HR")
  expect_identical(sub$slab, c(1L, 3L))
  skip_if_not_installed("metafor")
  mf <- metafor::rma(es$yi, es$vi, method = "DL")
  expect_rel_equal(fit$estimate, as.numeric(mf$beta), tol$closed_form)
})

test_that("studies without a usable report follow na.action", {
  args <- list(estimate = c(0.2, 0.4, NA), se = c(0.1, NA, NA), ci_lb = c(NA, NA, 0.1),
               ci_ub = c(NA, NA, 0.5))
  expect_error(do.call(es_giv, replace(args, "estimate", list(c(0.2, 0.4, 0.3)))),
               class = "metapool_error_input", regexp = "`se` has missing values \\(row 2\\)")
  omitted <- do.call(es_giv, c(args, list(na.action = "na.omit")))
  expect_identical(omitted$slab, c(1L, 3L))
  expect_identical(attr(omitted, "omitted"), 2L)
  passed <- do.call(es_giv, c(args, list(na.action = "na.pass")))
  expect_true(is.na(passed$vi[2]))
  expect_error(es_giv(c(1, NA), se = c(0.1, 0.2)), class = "metapool_error_input",
               regexp = "`estimate` has missing values \\(row 2\\)")
})

test_that("bad reports get classed errors naming the argument and the rows", {
  expect_error(es_giv(c(1, 2, 3), ci_lb = c(0, 3.5, 2), ci_ub = c(2, 1, 4)),
               class = "metapool_error_input", regexp = "`ci_lb` must be below `ci_ub`.*row 2")
  expect_error(es_giv(c(1, 2, 3), ci_lb = c(0, 1, 2), ci_ub = c(2, 1.5, 4)),
               class = "metapool_error_input", regexp = "`ci_ub` must not be below `estimate`.*row 2")
  expect_error(es_giv(c(1, 2, 3), ci_lb = c(0, 1, 3.2), ci_ub = c(2, 3, 4)),
               class = "metapool_error_input", regexp = "`ci_lb` must not be above `estimate`.*row 3")
  expect_error(es_giv(c(1, 2), se = c(0.2, -0.1)), class = "metapool_error_input",
               regexp = "`se` must be positive: row 2")
  expect_error(es_giv(c(1, 2), p = c(0.2, 1)), class = "metapool_error_input",
               regexp = "`p` must be a p-value.*row 2")
  expect_error(es_giv(c(0.8, -0.2), se = c(0.1, 0.1), measure = "OR"),
               class = "metapool_error_input", regexp = "`estimate` must be positive \\(a ratio.*row 2")
  expect_error(es_giv(1, ci_lb = 0, ci_ub = 2, ci_level = 150), class = "metapool_error_input",
               regexp = "`ci_level`")
  expect_error(es_giv(1, p = 0.01, dist = "t"), class = "metapool_error_input",
               regexp = "`n1` is needed with `dist = \"t\"`")
  expect_error(es_giv(1, se = 1, measure = "rr"), class = "metapool_error_input",
               regexp = "Did you mean \"RR\"")
  expect_warning(es_giv(1, ci_lb = 0.1, ci_ub = 5), class = "metapool_warning_asymmetric_ci")
  expect_error(nnt_ci(es_giv(1, se = 1)), class = "metapool_error_input", regexp = "generic effects")
})
