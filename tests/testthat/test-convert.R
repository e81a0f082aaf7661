# The Handbook's data conversions (R/convert.R).

# ---- SDs from SE, CI, t and p ------------------------------------------------------

test_that("convert_sd() reproduces the Handbook's worked examples", {
  # Handbook 5.1, 7.7.3.3 (6.4: 6.5.2.3): MD 3.8 with P = 0.008, 25 and 22 participants:
  # t = 2.78 on 45 df, SE = 1.37, SD = 1.37 / sqrt(1/25 + 1/22) = 4.69.
  from_p <- convert_sd(n1 = 25, n2 = 22, estimate = 3.8, p = 0.008)
  expect_equal(round(from_p$se, 2), 1.37)
  expect_equal(round(convert_sd(n1 = 25, n2 = 22, se = 1.37)$sd, 2), 4.69)
  expect_equal(from_p$sd, 3.8 / qt(1 - 0.004, 45) / sqrt(1 / 25 + 1 / 22), tolerance = tol$exact)
  # The same through the t statistic and through the interval a t test would give.
  t <- qt(1 - 0.004, 45)
  expect_equal(convert_sd(n1 = 25, n2 = 22, estimate = 3.8, t = t)$sd, from_p$sd,
               tolerance = tol$exact)
  half <- qt(0.975, 45) * from_p$se
  expect_equal(convert_sd(n1 = 25, n2 = 22, ci_lb = 3.8 - half, ci_ub = 3.8 + half)$sd,
               from_p$sd, tolerance = tol$exact)
  # Handbook 5.1, 7.7.3.2 (6.4: 6.5.2.2): a 95% interval for the mean of 25 participants
  # is 2 x 2.0639 = 4.128 standard errors wide; SD = sqrt(25) x width / 4.128.
  arm <- convert_sd(n1 = 25, ci_lb = 30, ci_ub = 34.128)
  expect_equal(arm$sd, 5, tolerance = 1e-4)
  # Large samples, dist = "z": the divisor is 3.92 (2 x 1.96).
  expect_equal(convert_sd(n1 = 400, ci_lb = 10, ci_ub = 13.92, dist = "z")$sd,
               20 * 3.92 / (2 * qnorm(0.975)), tolerance = tol$exact)
  expect_identical(convert_sd(n1 = c(10, 10), se = c(1, NA), ci_lb = c(NA, 1),
                              ci_ub = c(NA, 2))$source, c("se", "ci"))
})

test_that("round trip: SD -> SE -> SD is exact, for a group and for a difference", {
  set.seed(6)
  sd <- rexp(100) * 10
  n1 <- sample(5:500, 100)
  n2 <- sample(5:500, 100)
  expect_rel_equal(convert_sd(n1 = n1, se = sd / sqrt(n1))$sd, sd, 1e-12)
  expect_rel_equal(convert_sd(n1 = n1, n2 = n2, se = sd * sqrt(1 / n1 + 1 / n2))$sd, sd, 1e-12)
})

test_that("convert_sd() rejects reports it cannot use", {
  expect_error(convert_sd(n1 = c(20, 20), se = c(1, -1)), class = "metapool_error_input",
               regexp = "`se` must be positive: row 2")
  expect_error(convert_sd(n1 = c(20, 20), ci_lb = c(1, 5), ci_ub = c(2, 4)),
               class = "metapool_error_input", regexp = "`ci_lb` must be below `ci_ub`.*row 2")
  expect_error(convert_sd(n1 = 20, p = 0.03, estimate = 2), class = "metapool_error_input",
               regexp = "`n2` is needed")
  expect_error(convert_sd(n1 = 20, n2 = 20, p = 0.03), class = "metapool_error_input",
               regexp = "`estimate`.*is needed")
  expect_error(convert_sd(n1 = 20, ci_lb = 1), class = "metapool_error_input",
               regexp = "`ci_lb` needs the other confidence limit")
  expect_error(convert_sd(n1 = c(20, 30, 1), se = 1), class = "metapool_error_input",
               regexp = "`n1` must be at least 2: row 3")
})

# ---- medians, quartiles and ranges --------------------------------------------------

test_that("convert_fivenum() matches metafor's conv.fivenum() in all three scenarios", {
  skip_if_not_installed("metafor")
  d <- data.frame(
    min = c(NA, 2, 1, NA, 0.5, 3, 10),
    q1 = c(10, NA, 8, 4.1, NA, 7, 22),
    median = c(14, 9, 12, 6.0, 4.2, 9, 30),
    q3 = c(19, NA, 17, 9.3, NA, 12, 41),
    max = c(NA, 31, 35, NA, 15.8, 20, 75),
    n = c(50, 30, 120, 8, 12, 400, 64)
  )
  methods <- list(luo_shi = "luo/wan/shi", wan = "wan2014", hozo = "hozo2005")
  for (m in names(methods)) {
    ours <- convert_fivenum(min, q1, median, q3, max, n, data = d, method = m)
    ref <- metafor::conv.fivenum(min, q1, median, q3, max, n, data = d,
                                 method = methods[[m]], test = FALSE, append = FALSE)
    expect_rel_equal(ours$mean, ref$mean, tol$effect_size)
    expect_rel_equal(ours$sd, ref$sd, tol$effect_size)
  }
  expect_identical(convert_fivenum(min, q1, median, q3, max, n, data = d)$scenario,
                   c(2L, 1L, 3L, 2L, 1L, 3L, 3L))
})

test_that("convert_fivenum() follows the published formulas", {
  # Hozo et al. (2005), n <= 15: variance from the range and median, mean (a + 2m + b) / 4.
  h <- convert_fivenum(min = 2, median = 5, max = 14, n = 12, method = "hozo")
  expect_equal(h$mean, 6.5)
  expect_equal(h$sd, sqrt(((2 - 2 * 5 + 14)^2 / 4 + 12^2) / 12))
  expect_equal(convert_fivenum(min = 2, median = 5, max = 14, n = 50, method = "hozo")$sd, 3)
  expect_equal(convert_fivenum(min = 2, median = 5, max = 14, n = 100, method = "hozo")$sd, 2)
  # Wan et al. (2014), eq. (15): SD from the IQR tends to IQR / 1.35 for large n.
  w <- convert_fivenum(q1 = 10, median = 12, q3 = 14, n = 1e6, method = "wan")
  expect_equal(w$sd, 4 / (2 * qnorm(0.75)), tolerance = 1e-5)
  # Scenario 3: Wan's SD is the average of the range and IQR estimates.
  n <- 40
  xi <- 2 * qnorm((n - 0.375) / (n + 0.25))
  eta <- 2 * qnorm((0.75 * n - 0.125) / (n + 0.25))
  w3 <- convert_fivenum(1, 4, 6, 9, 15, n, method = "wan")
  expect_equal(w3$sd, (14 / xi + 5 / eta) / 2, tolerance = tol$exact)
  expect_equal(w3$mean, (1 + 8 + 12 + 18 + 15) / 8)
})

test_that("quartiles out of order and unpaired limits are errors naming the rows", {
  expect_error(convert_fivenum(q1 = c(2, 5), median = c(3, 4), q3 = c(4, 6), n = 20),
               class = "metapool_error_input", regexp = "`q1` must not be above `median`.*row 2")
  expect_error(convert_fivenum(min = c(1, 9), median = c(3, 4), max = c(5, 8), n = 20),
               class = "metapool_error_input", regexp = "`min` must not be above `median`.*row 2")
  expect_error(convert_fivenum(q1 = c(2, 1), median = c(3, 2), q3 = c(4, 1.5), n = 20),
               class = "metapool_error_input", regexp = "`median` must not be above `q3`.*row 2")
  expect_error(convert_fivenum(min = 1, median = 3, n = 20), class = "metapool_error_input",
               regexp = "`min` and `max` must be given together")
  expect_error(convert_fivenum(min = 1, median = 3, max = 5, n = 1),
               class = "metapool_error_input", regexp = "`n` must be at least 2")
})

# ---- combining and splitting groups -----------------------------------------------

test_that("combined groups have the mean and SD of the merged samples (Table 6.5.a)", {
  set.seed(65)
  x <- list(rnorm(23, 10, 3), rnorm(31, 12, 4), rnorm(17, 9, 2))
  merged <- convert_combine_arms(n = lengths(x), mean = sapply(x, mean), sd = sapply(x, sd),
                                 events = c(3, 5, 2))
  all <- unlist(x)
  expect_equal(merged$n, 71)
  expect_rel_equal(merged$mean, mean(all), 1e-12)
  expect_rel_equal(merged$sd, sd(all), 1e-12)
  expect_equal(merged$events, 10)
  # Handbook Table 6.5.a, applied twice, gives the same.
  two <- function(n1, m1, s1, n2, m2, s2) {
    c(n1 + n2, (n1 * m1 + n2 * m2) / (n1 + n2),
      sqrt(((n1 - 1) * s1^2 + (n2 - 1) * s2^2 + n1 * n2 / (n1 + n2) * (m1^2 + m2^2 - 2 * m1 * m2)) /
             (n1 + n2 - 1)))
  }
  ab <- two(23, mean(x[[1]]), sd(x[[1]]), 31, mean(x[[2]]), sd(x[[2]]))
  abc <- two(ab[1], ab[2], ab[3], 17, mean(x[[3]]), sd(x[[3]]))
  expect_rel_equal(c(merged$n, merged$mean, merged$sd), abc, 1e-12)
  # Per trial with `by`, in order of first appearance.
  arms <- data.frame(trial = c("B", "A", "B", "A"), n = c(30, 32, 50, 48),
                     mean = c(12.1, 13.4, 10.2, 11.0), sd = c(4.1, 3.8, 5.0, 4.6))
  by_trial <- convert_combine_arms(n, mean, sd, by = trial, data = arms)
  expect_identical(by_trial$by, c("B", "A"))
  expect_equal(by_trial$sd[2], two(32, 13.4, 3.8, 48, 11.0, 4.6)[3], tolerance = tol$exact)
  expect_error(convert_combine_arms(n = c(10, 10), sd = c(1, 2)), class = "metapool_error_input",
               regexp = "`sd` needs `mean`")
  expect_error(convert_combine_arms(n = c(10, 10), events = c(3, 12)),
               class = "metapool_error_input", regexp = "`events` must not exceed `n`: row 2")
})

test_that("a shared control group is split across comparisons (Handbook 23.3.4)", {
  s <- convert_split_control(n = c(90, 61), events = c(18, 7), k = c(3, 2))
  expect_equal(s$n, c(30, 30.5))
  expect_equal(s$events, c(6, 3.5))
  expect_equal(convert_split_control(n = 61, events = 7, k = 2, round = TRUE)$n, 30)
  expect_error(convert_split_control(n = 90, k = 1), class = "metapool_error_input",
               regexp = "`k` must be a whole number")
})

# ---- cluster and cross-over trials, change scores -------------------------------------

test_that("cluster trials: sizes and events divided by 1 + (M - 1) ICC (Handbook 23.1.4)", {
  cl <- convert_cluster(n = c(295, 302), events = c(43, 61), se = c(0.2, 0.3),
                        cluster_size = c(25, 30), icc = 0.02)
  de <- 1 + (c(25, 30) - 1) * 0.02
  expect_equal(cl$design_effect, de)
  expect_equal(cl$n, c(295, 302) / de)
  expect_equal(cl$events, c(43, 61) / de)
  expect_equal(cl$se, c(0.2, 0.3) * sqrt(de))
  expect_error(convert_cluster(n = c(100, 100), cluster_size = 10, icc = c(0.1, 1)),
               class = "metapool_error_input", regexp = "`icc` must be an intracluster correlation in \\[0, 1\\): row 2")
  expect_error(convert_cluster(n = 100, cluster_size = 10, icc = -0.01),
               class = "metapool_error_input", regexp = "`icc`.*row 1")
})

test_that("cross-over trials reproduce Handbook 5.1, 16.4.6.4", {
  # ME 7.0 (SD 2.38), MC 6.5 (SD 2.21), 10 patients.
  a <- convert_crossover(7.0, 2.38, 6.5, 2.21, n = 10, sd_diff = 2)
  expect_equal(a$yi, 0.5)
  expect_equal(round(a$sei, 3), 0.632)
  b <- convert_crossover(7.0, 2.38, 6.5, 2.21, n = 10, r = 0.68)
  expect_equal(round(b$sei, 3), 0.583)
  smd <- convert_crossover(7.0, 2.38, 6.5, 2.21, n = 10, r = 0.68, measure = "SMD")
  expect_equal(round(smd$yi, 3), 0.218)
  expect_equal(round(smd$sei, 3), 0.256)
  # sd_diff and r are two descriptions of one thing.
  back <- convert_crossover(7.0, 2.38, 6.5, 2.21, n = 10, sd_diff = b$sd_diff)
  expect_equal(back$r, 0.68, tolerance = tol$exact)
  expect_error(convert_crossover(7, 2.38, 6.5, 2.21, n = 10, r = c(0.3, 1)),
               class = "metapool_error_input", regexp = "`r` must be a correlation.*row 2")
  expect_error(convert_crossover(7, 2.38, 6.5, 2.21, n = 10), class = "metapool_error_input",
               regexp = "`r`")
})

test_that("change-from-baseline SDs and correlations (Handbook 6.5.2.8) invert each other", {
  r <- convert_change(sd_baseline = 4.4, sd_final = 4.6, sd_change = 3.1)$r
  expect_equal(r, (4.4^2 + 4.6^2 - 3.1^2) / (2 * 4.4 * 4.6))
  sdc <- convert_change(sd_baseline = c(5.1, 3.9), sd_final = c(5.6, 4.2), r = r)$sd_change
  expect_equal(sdc, sqrt(c(5.1, 3.9)^2 + c(5.6, 4.2)^2 - 2 * r * c(5.1, 3.9) * c(5.6, 4.2)))
  again <- convert_change(sd_baseline = c(5.1, 3.9), sd_final = c(5.6, 4.2), sd_change = sdc)
  expect_equal(again$r, c(r, r), tolerance = tol$exact)
  expect_error(convert_change(4, 5, r = c(0.5, -1.2)), class = "metapool_error_input",
               regexp = "`r` must be a correlation strictly between -1 and 1: row 2")
  expect_warning(convert_change(4, 5, sd_change = 10),
                 class = "metapool_warning_implausible_correlation")
})

# ---- time to event ----------------------------------------------------------------------

test_that("convert_hr(): O - E and V, HR with CI, HR or log-rank p with events (Tierney 2007)", {
  oe <- convert_hr(o_minus_e = -8.2, v = 30.1)
  expect_equal(oe$yi, -8.2 / 30.1)
  expect_equal(oe$sei, 1 / sqrt(30.1))
  # A log-rank p-value with the total events gives the same as O - E and V when
  # V = events / 4 (1:1 allocation) and the p-value is that of (O - E) / sqrt(V).
  p <- 2 * pnorm(-8.2 / sqrt(30.1))
  lr <- convert_hr(p = p, events = 4 * 30.1, sign = -1)
  expect_equal(lr$yi, oe$yi, tolerance = tol$exact)
  expect_equal(lr$sei, oe$sei, tolerance = tol$exact)
  # 2:1 allocation: V = events * 2 / 9.
  expect_equal(convert_hr(hr = 0.8, events = 90, n1 = 200, n2 = 100)$sei, 1 / sqrt(90 * 2 / 9))
  expect_identical(convert_hr(hr = c(0.8, 0.7), ci_lb = c(0.6, NA), ci_ub = c(1.07, NA),
                              events = c(NA, 80))$source, c("ci", "hr_events"))
  expect_error(convert_hr(hr = 0.8, ci_lb = 0.9, ci_ub = 1.2), class = "metapool_error_input",
               regexp = "`ci_lb` must not be above `hr`")
  expect_error(convert_hr(p = 0.03, events = 100, sign = 2), class = "metapool_error_input",
               regexp = "`sign` must be -1 or 1")
  expect_error(convert_hr(hr = -0.8, events = 100), class = "metapool_error_input",
               regexp = "`hr` must be positive")
  skip_if_not_installed("metafor")
  w <- metafor::conv.wald(out = c(0.78, 0.61), ci.lb = c(0.63, 0.44), ci.ub = c(0.97, 0.85),
                          level = c(95, 90), transf = log)
  ci <- convert_hr(hr = c(0.78, 0.61), ci_lb = c(0.63, 0.44), ci_ub = c(0.97, 0.85),
                   ci_level = c(95, 90))
  expect_rel_equal(ci$yi, w$yi, tol$effect_size)
  expect_rel_equal(ci$sei^2, w$vi, tol$effect_size)
})

# ---- between measures ----------------------------------------------------------------

test_that("SMD <-> log OR is Chinn's factor and agrees with metafor's conv.delta()", {
  x <- convert_smd_to_logor(smd = c(0.30, -0.52), se = c(0.12, 0.20))
  expect_equal(x$yi, c(0.30, -0.52) * pi / sqrt(3), tolerance = tol$exact)
  # Chinn (2000): SMD = ln(OR) / 1.81 (0.5513 ln OR).
  expect_equal(round(convert_logor_to_smd(log_or = 1)$yi, 4), 0.5513)
  back <- convert_logor_to_smd(x$yi, x$sei)
  expect_rel_equal(back$yi, c(0.30, -0.52), 1e-15)
  expect_rel_equal(back$sei, c(0.12, 0.20), 1e-15)
  # nnt_ci() goes through the same relation: an SMD and its log OR give one NNT.
  expect_equal(nnt_ci(0.4, measure = "SMD", acr = 0.3, event = "beneficial")$nnt,
               nnt_ci(exp(convert_smd_to_logor(0.4)$yi), measure = "OR", acr = 0.3,
                   event = "beneficial")$nnt, tolerance = tol$exact)
  skip_if_not_installed("metafor")
  ref <- metafor::conv.delta(yi = c(0.30, -0.52), vi = c(0.12, 0.20)^2,
                             transf = function(x) x * pi / sqrt(3))
  expect_rel_equal(x$yi, ref$yi, tol$effect_size)
  expect_rel_equal(x$sei^2, ref$vi, tol$effect_size)
})

test_that("RR <-> OR at an assumed control risk", {
  # Handbook 5.1, 12.5.4.3: OR 0.73 with a control risk of 0.30 means an experimental
  # risk of 0.73 x 0.3 / (1 - 0.3 + 0.73 x 0.3) = 0.238, so RR = 0.794.
  rr <- convert_or_to_rr(or = 0.73, acr = 0.30)$estimate
  expect_equal(rr, (0.73 * 0.3 / (1 - 0.3 + 0.73 * 0.3)) / 0.3, tolerance = tol$exact)
  expect_equal(round(rr, 3), 0.794)
  or <- convert_rr_to_or(rr = c(0.5, 1.4, 0.9), acr = c(0.4, 0.2, 0.05),
                         ci_lb = c(0.3, 1.1, 0.7), ci_ub = c(0.8, 1.8, 1.2))
  expect_equal(or$estimate, c(0.5, 1.4, 0.9) * (1 - c(0.4, 0.2, 0.05)) /
                 (1 - c(0.5, 1.4, 0.9) * c(0.4, 0.2, 0.05)), tolerance = tol$exact)
  back <- convert_or_to_rr(or = or$estimate, acr = c(0.4, 0.2, 0.05), ci_lb = or$ci_lb,
                           ci_ub = or$ci_ub)
  expect_rel_equal(unlist(back), c(0.5, 1.4, 0.9, 0.3, 1.1, 0.7, 0.8, 1.8, 1.2), 1e-12)
  expect_warning(out <- convert_rr_to_or(rr = c(1.2, 2.5), acr = 0.5),
                 class = "metapool_warning_risk_bound")
  expect_true(is.na(out$estimate[2]))
  expect_error(convert_or_to_rr(or = 0.7, acr = c(0.2, 1)), class = "metapool_error_input",
               regexp = "`acr` must be a risk strictly between 0 and 1: row 2")
  expect_error(convert_or_to_rr(or = 0.7, acr = 0.2, ci_lb = 0.9, ci_ub = 0.5),
               class = "metapool_error_input", regexp = "`ci_lb`.*swapped")
})

test_that("conversions evaluate arguments in data, recycle single values and check lengths", {
  d <- data.frame(b = c(5.1, 3.9), f = c(5.6, 4.2))
  expect_equal(convert_change(b, f, r = 0.5, data = d)$sd_change,
               convert_change(c(5.1, 3.9), c(5.6, 4.2), r = 0.5)$sd_change)
  expect_error(convert_change(c(1, 2, 3), c(1, 2), r = 0.5), class = "metapool_error_input",
               regexp = "same length")
  expect_error(convert_cluster(n = "100", cluster_size = 10, icc = 0.1),
               class = "metapool_error_input", regexp = "`n` must be a numeric vector")
  expect_error(convert_fivenum(median = 3, q1 = 2, q3 = 4), class = "metapool_error_input",
               regexp = "`n` is missing")
})
