test_that("Cochrane Handbook 5.1 section 12.5.4.2: RR 0.92 at ACR 30% gives 24 fewer per 1000, NNT 42", {
  x <- nnt(0.92, measure = "RR", acr = 0.30, event = "harmful")
  expect_equal(round(1000 * x$risk_change), -24)
  expect_equal(x$nnt_whole, 42)
  expect_identical(x$type, "NNTB")
})

test_that("Cochrane Handbook 5.1 section 12.5.4.3: OR 0.73 at ACR 30% gives 62 fewer per 1000, NNT 17", {
  x <- nnt(0.73, measure = "OR", acr = 0.30, event = "harmful")
  expect_equal(round(1000 * x$risk_change), -62)
  expect_equal(x$nnt_whole, 17)
})

test_that("Handbook 12.5.4.1: risk differences -0.12 and -0.22 give NNTs 9 and 5", {
  x <- nnt(c(-0.12, -0.22), measure = "RD", event = "harmful")
  expect_equal(x$nnt_whole, c(9, 5))
})

test_that("Altman (1998): ARR 10% (-5% to 25%) is NNTB 10, NNTB 4 to infinity to NNTH 20", {
  x <- nnt(0.10, measure = "RD", ci_lb = -0.05, ci_ub = 0.25, event = "beneficial")
  expect_equal(x$nnt, 10)
  expect_equal(1 / x$benefit_ub, 4)
  expect_equal(-1 / x$benefit_lb, 20)
  f <- format(x, digits = 0)
  expect_match(f$ci, "^NNTB 4 to .+ to NNTH 20$")
})

test_that("the RevMan methods note's check (Niel-Weise 2007) gives NNTB 52 (45 to 69)", {
  acr <- stats::median(nielweise2007$events2 / nielweise2007$n2)
  expect_equal(round(acr, 4), 0.0287)
  x <- nnt(0.3268, measure = "RR", ci_lb = 0.2165, ci_ub = 0.4934, acr = acr, event = "harmful")
  expect_equal(x$nnt_whole, 52)
  expect_equal(ceiling(1 / x$benefit_ub), 45)
  expect_equal(ceiling(1 / x$benefit_lb), 69)
})

test_that("the review's NNT 2.72 from RR 7.28: implied control risk, and the bound at the CI limit", {
  # The abstract reports RR 7.28 (2.67 to 19.84) and NNT 2.72 for >= 50% pain relief
  # (a beneficial event): 1 / (ACR (RR - 1)) = 2.72 implies ACR = 1 / (2.72 x 6.28).
  acr <- 1 / (2.72 * (7.28 - 1))
  x <- nnt(7.28, measure = "RR", ci_lb = 2.67, ci_ub = 19.84, acr = acr, event = "beneficial")
  expect_equal(x$nnt, 2.72)
  expect_identical(x$type, "NNTB")
  # acr x 19.84 > 1: the experimental risk is bounded at 1 and flagged
  expect_gt(acr * 19.84, 1)
  expect_true(x$limit_bounded)
  expect_false(x$estimate_bounded)
  expect_equal(x$benefit_ub, 1 - acr)
  expect_equal(x$benefit_lb, acr * (2.67 - 1))
})

test_that("odds ratios and SMDs never leave [0, 1]; SMD uses pi/sqrt(3) as metafor's D2ORL", {
  x <- nnt(c(0.01, 100), measure = "OR", ci_lb = c(1e-5, 1), ci_ub = c(0.1, 1e5), acr = 0.5,
           event = "beneficial")
  expect_false(any(x$estimate_bounded | x$limit_bounded))
  skip_if_not_installed("metafor")
  lor <- metafor::escalc("D2ORL", di = -0.5, n1i = 50, n2i = 50)$yi
  smd <- nnt(-0.5, measure = "SMD", acr = 0.4, event = "harmful")
  or <- nnt(exp(lor), measure = "OR", acr = 0.4, event = "harmful")
  expect_equal(smd$benefit, or$benefit, tolerance = 1e-14)
})

test_that("nnt() on an mp_es object uses each study's control risk by default", {
  es <- es_rd(tpos, tpos + tneg, cpos, cpos + cneg, data = bcg, slab = paste(author, year))
  x <- nnt(es, event = "harmful")
  expect_equal(x$label, paste(bcg$author, bcg$year))
  expect_equal(x$acr, bcg$cpos / (bcg$cpos + bcg$cneg))
  expect_equal(x$benefit, -es$yi)
  rr <- es_rr(tpos, tpos + tneg, cpos, cpos + cneg, data = bcg)
  y <- nnt(rr, event = "harmful")
  expect_equal(y$risk_change, y$acr * exp(rr$yi) - y$acr)
  expect_error(nnt(es_md(m1, sd1, n1, m2, sd2, n2, data = normand1999), event = "harmful"),
               class = "metapool_error_input")
  expect_error(nnt(es_smd(m1, sd1, n1, m2, sd2, n2, data = normand1999), event = "harmful"),
               class = "metapool_error_input")
})

test_that("a null effect gives NNT infinity, labelled as no difference", {
  x <- nnt(1, measure = "RR", acr = 0.2, event = "harmful")
  expect_identical(x$type, "none")
  expect_true(is.infinite(x$nnt))
})

test_that("nnt() rejects bad input with classed errors naming the argument", {
  expect_error(nnt(0.8, measure = "RR", event = "harmful"), "acr", class = "metapool_error_input")
  expect_error(nnt(0.8, measure = "RR", acr = 1.2, event = "harmful"), "acr",
               class = "metapool_error_input")
  expect_error(nnt(0.8, measure = "RR", acr = 0.2), "event", class = "metapool_error_input")
  expect_error(nnt(-0.2, measure = "RR", acr = 0.2, event = "harmful"), "`x`",
               class = "metapool_error_input")
  expect_error(nnt(0.8, measure = "RR", ci_lb = 0.9, ci_ub = 0.7, acr = 0.2, event = "harmful"),
               "ci_lb", class = "metapool_error_input")
  expect_error(nnt(c(0.8, 0.9), measure = "RR", acr = c(0.1, 0.2, 0.3), event = "harmful"),
               "acr", class = "metapool_error_input")
  expect_error(nnt("a"), class = "metapool_error_input")
  expect_error(nnt(0.1, measure = "XX", event = "harmful"), "measure", class = "metapool_error_input")
})

test_that("print reads like the Handbook", {
  expect_snapshot(print(nnt(0.92, measure = "RR", acr = 0.30, event = "harmful")))
  expect_snapshot(print(nnt(0.10, measure = "RD", ci_lb = -0.05, ci_ub = 0.25,
                            event = "beneficial")))
  expect_snapshot(print(nnt(7.28, measure = "RR", ci_lb = 2.67, ci_ub = 19.84,
                            acr = c(0.02, 0.1), event = "beneficial")))
  expect_snapshot(print(nnt(-0.5, measure = "SMD", ci_lb = -0.8, ci_ub = -0.2, acr = 0.4,
                            event = "harmful")))
})

test_that("nnt() on pooled fits uses the pooled estimate, CI and control risk", {
  fit <- metapool_mh(events1, n1, events2, n2, data = nielweise2007, measure = "RR",
                     preset = "revman5")
  x <- nnt(fit, event = "harmful")
  included <- !(nielweise2007$events1 == 0 & nielweise2007$events2 == 0)
  acr <- sum(nielweise2007$events2[included]) / sum(nielweise2007$n2[included])
  expect_equal(x$acr, acr)
  expect_equal(x$benefit, acr - acr * exp(fit$estimate))
  expect_equal(x$label, "Overall")
  y <- nnt(fit, acr = 0.0287, event = "harmful")
  expect_equal(y$nnt_whole, 52)
  es <- es_rr(tpos, tpos + tneg, cpos, cpos + cneg, data = bcg)
  sub <- nnt(metapool(es, subgroup = bcg$alloc, method = "DL"), event = "harmful")
  expect_equal(sub$label, c("random", "alternate", "systematic", "Overall"))
  expect_equal(sub$acr[1], with(bcg[bcg$alloc == "random", ], sum(cpos) / sum(cpos + cneg)))
  smd <- metapool(es_smd(m1, sd1, n1, m2, sd2, n2, data = normand1999))
  expect_error(nnt(smd, event = "harmful"), "acr", class = "metapool_error_input")
  expect_equal(nnt(smd, acr = 0.3, event = "harmful")$effect, smd$estimate)
  expect_error(nnt(metapool(yi = c(1, 2), vi = c(1, 1)), acr = 0.2, event = "harmful"),
               "generic", class = "metapool_error_input")
})
