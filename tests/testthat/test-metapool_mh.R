mh_datasets <- function() {
  get_ds <- function(name) getExportedValue("metadat", name)
  from_n <- function(x) data.frame(events1 = x$ai, n1 = x$n1i, events2 = x$ci, n2 = x$n2i)
  bcg <- get_ds("dat.bcg")
  list(
    bcg = data.frame(events1 = bcg$tpos, n1 = bcg$tpos + bcg$tneg, events2 = bcg$cpos,
                     n2 = bcg$cpos + bcg$cneg),
    nielweise2007 = from_n(get_ds("dat.nielweise2007")),
    li2007 = from_n(get_ds("dat.li2007")),
    lee2004 = from_n(get_ds("dat.lee2004")),
    laopaiboon2015 = from_n(get_ds("dat.laopaiboon2015")),
    hahn2001 = from_n(get_ds("dat.hahn2001")),
    hine1989 = from_n(get_ds("dat.hine1989")),
    random = random_binary(60, 9)
  )
}

test_that("metapool_mh() agrees with metafor::rma.mh() and rma.peto() (metafor preset)", {
  skip_if_not_installed("metafor")
  skip_if_not_installed("metadat")
  for (ds in names(mh_datasets())) {
    d <- mh_datasets()[[ds]]
    for (measure in c("OR", "RR", "RD")) {
      ours <- metapool_mh(events1, n1, events2, n2, data = d, measure = measure)
      ref <- suppressWarnings(metafor::rma.mh(ai = d$events1, n1i = d$n1, ci = d$events2,
                                              n2i = d$n2, measure = measure))
      expect_rel_equal(c(ours$estimate, ours$se, ours$ci_lb, ours$ci_ub, ours$p),
                       c(ref$beta, ref$se, ref$ci.lb, ref$ci.ub, ref$pval), tol$closed_form)
      expect_rel_equal(c(ours$Q, ours$Q_p, ours$I2, ours$H2),
                       c(ref$QE, ref$QEp, ref$I2, ref$H2), tol$closed_form)
      expect_equal(ours$k, ref$k.yi)
    }
    peto <- metapool_mh(events1, n1, events2, n2, data = d, method = "Peto")
    ref <- suppressWarnings(metafor::rma.peto(ai = d$events1, n1i = d$n1, ci = d$events2,
                                              n2i = d$n2))
    expect_rel_equal(c(peto$estimate, peto$se, peto$Q, peto$I2),
                     c(ref$beta, ref$se, ref$QE, ref$I2), tol$closed_form)
  }
})

test_that("the RevMan 5 preset equals metafor with RevMan's zero-cell settings", {
  skip_if_not_installed("metafor")
  skip_if_not_installed("metadat")
  for (ds in names(mh_datasets())) {
    d <- mh_datasets()[[ds]]
    for (measure in c("OR", "RR")) {
      ours <- metapool_mh(events1, n1, events2, n2, data = d, measure = measure,
                          preset = "revman5")
      ref <- suppressWarnings(metafor::rma.mh(
        ai = d$events1, n1i = d$n1, ci = d$events2, n2i = d$n2, measure = measure,
        add = c(1 / 2, 1 / 2), to = c("only0", "only0"), drop00 = c(TRUE, TRUE)
      ))
      expect_rel_equal(c(ours$estimate, ours$se, ours$Q), c(ref$beta, ref$se, ref$QE),
                       tol$closed_form)
    }
  }
})

test_that("RevMan 5 on Niel-Weise 2007 (the methods note's check): RR 0.3268 [0.2165, 0.4934]", {
  fit <- metapool_mh(events1, n1, events2, n2, data = nielweise2007, measure = "RR",
                     preset = "revman5")
  expect_equal(round(exp(c(fit$estimate, fit$ci_lb, fit$ci_ub)), 4), c(0.3268, 0.2165, 0.4934))
  expect_equal(round(abs(fit$stat), 2), 5.32)
  expect_equal(round(fit$Q, 2), 15.89)
  expect_equal(fit$Q_df, 16)
  expect_equal(fit$I2, 0)
  random <- metapool_mh(events1, n1, events2, n2, data = nielweise2007, measure = "RR",
                        preset = "revman5", model = "random")
  expect_equal(round(exp(random$estimate), 4), 0.3963)
  # with tau^2 = 0 the "random" result is the inverse-variance fixed-effect estimate
  iv <- metapool(es_rr(events1, n1, events2, n2, data = nielweise2007, preset = "revman5"),
                 method = "FE")
  expect_equal(random$estimate, iv$estimate)
})

test_that("RevMan's M-H random uses DerSimonian-Laird tau^2 from the M-H Q (BCG: 0.3095 vs 0.3088)", {
  d <- mh_datasets()$bcg
  fit <- metapool_mh(events1, n1, events2, n2, data = d, measure = "RR", preset = "revman5",
                     model = "random")
  expect_equal(round(fit$Q, 3), 152.568)
  expect_equal(round(fit$tau2, 4), 0.3095)
  es <- es_rr(events1, n1, events2, n2, data = d, preset = "revman5")
  expect_equal(round(metapool(es, method = "DL")$tau2, 4), 0.3088)
  # inverse-variance pooling with that tau^2, by hand
  w <- 1 / (es$vi + fit$tau2)
  expect_rel_equal(fit$estimate, sum(w * es$yi) / sum(w), 1e-12)
  expect_rel_equal(fit$se, 1 / sqrt(sum(w)), 1e-12)
})

test_that("published Cochrane results are reproduced with the RevMan 5 preset", {
  get_ds <- function(name) {
    skip_if_not_installed("metadat")
    x <- getExportedValue("metadat", name)
    data.frame(events1 = x$ai, n1 = x$n1i, events2 = x$ci, n2 = x$n2i)
  }
  two <- function(fit) round(exp(c(fit$estimate, fit$ci_lb, fit$ci_ub)), 2)
  # Laopaiboon et al. 2015, Cochrane CD001954.pub4, abstract: clinical failure,
  # RR (random effects) 1.09, 95% CI 0.64 to 1.85.
  d <- get_ds("dat.laopaiboon2015")
  expect_equal(two(metapool_mh(events1, n1, events2, n2, data = d, measure = "RR",
                               model = "random", preset = "revman5")), c(1.09, 0.64, 1.85))
  # Li et al. 2007, Cochrane CD002755.pub2, abstract: early mortality, fixed-effect
  # OR 0.99 (0.94 to 1.04), random-effects OR 0.66 (0.53 to 0.82).
  d <- get_ds("dat.li2007")
  expect_equal(two(metapool_mh(events1, n1, events2, n2, data = d, preset = "revman5")),
               c(0.99, 0.94, 1.04))
  expect_equal(two(metapool_mh(events1, n1, events2, n2, data = d, model = "random",
                               preset = "revman5")), c(0.66, 0.53, 0.82))
  # Lee & Done 2004, Cochrane CD003281.pub2, abstract: nausea, RR 0.72 (0.59 to 0.89).
  d <- get_ds("dat.lee2004")
  expect_equal(two(metapool_mh(events1, n1, events2, n2, data = d, measure = "RR",
                               model = "random", preset = "revman5")), c(0.72, 0.59, 0.89))
  # Hahn et al. 2001 (BMJ 323:81), unscheduled IV infusion: OR 0.61 (0.47 to 0.81);
  # metafor's default (no correction in the M-H sums) gives 0.61 (0.46 to 0.80).
  d <- get_ds("dat.hahn2001")
  expect_equal(two(metapool_mh(events1, n1, events2, n2, data = d, preset = "revman5")),
               c(0.61, 0.47, 0.81))
  expect_equal(two(metapool_mh(events1, n1, events2, n2, data = d)), c(0.61, 0.46, 0.80))
})

test_that("M-H formulas by hand: RR with Greenland-Robins, RD with Greenland-Robins", {
  d <- data.frame(events1 = c(10, 4, 7), n1 = c(50, 40, 45), events2 = c(15, 9, 8),
                  n2 = c(52, 38, 47))
  a <- d$events1; c <- d$events2; n1 <- d$n1; n2 <- d$n2; N <- n1 + n2
  b <- n1 - a; dd <- n2 - c
  r <- sum(a * n2 / N); s <- sum(c * n1 / N)
  p <- sum((n1 * n2 * (a + c) - a * c * N) / N^2)
  rr <- metapool_mh(events1, n1, events2, n2, data = d, measure = "RR", preset = "revman5")
  expect_rel_equal(c(rr$estimate, rr$se), c(log(r / s), sqrt(p / (r * s))), 1e-13)
  rd <- metapool_mh(events1, n1, events2, n2, data = d, measure = "RD", preset = "revman5")
  k <- sum(n1 * n2 / N)
  j <- sum((a * b * n2^3 + c * dd * n1^3) / (n1 * n2 * N^2))
  expect_rel_equal(c(rd$estimate, rd$se), c(sum((a * n2 - c * n1) / N) / k, sqrt(j / k^2)), 1e-13)
  expect_equal(sum(rd$weights), 1)
})

test_that("subgroups and bad input for metapool_mh()", {
  d <- mh_datasets()$bcg
  d$alloc <- getExportedValue("metadat", "dat.bcg")$alloc
  fit <- metapool_mh(events1, n1, events2, n2, data = d, subgroup = alloc, measure = "RR")
  expect_named(fit$subgroups, c("random", "alternate", "systematic"))
  expect_equal(fit$subgroup_test$df, 2)
  expect_error(metapool_mh(events1, n1, events2, n2, data = d, method = "Peto", measure = "RR"),
               "Peto", class = "metapool_error_input")
  expect_error(metapool_mh(events1, n1, events2, n2, data = d, method = "Peto", model = "random"),
               "fixed-effect only", class = "metapool_error_input")
  expect_error(metapool_mh(events1 = c(5, 12), n1 = c(10, 10), events2 = c(1, 2), n2 = c(10, 10)),
               "`events1` must not exceed `n1`", class = "metapool_error_input")
  expect_error(metapool_mh(events1, n1, events2, n2, data = d, add = c(1, 2, 3)), "`add`",
               class = "metapool_error_input")
  expect_warning(metapool_mh(events1 = c(0, 0), n1 = c(10, 10), events2 = c(0, 0), n2 = c(10, 12)),
                 class = "metapool_warning_zero_cell")
})
