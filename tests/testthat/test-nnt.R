# Evaluates `expr` with the console width set to `width`.
with_width <- function(width, expr) {
  old <- options(width = width)
  on.exit(options(old))
  force(expr)
}

test_that("Cochrane Handbook 5.1 section 12.5.4.2: RR 0.92 at ACR 30% gives 24 fewer per 1000, NNT 42", {
  x <- nnt_ci(0.92, measure = "RR", acr = 0.30, event = "harmful")
  expect_equal(round(1000 * x$risk_change), -24)
  expect_equal(x$nnt_whole, 42)
  expect_identical(x$type, "NNTB")
})

test_that("Cochrane Handbook 5.1 section 12.5.4.3: OR 0.73 at ACR 30% gives 62 fewer per 1000, NNT 17", {
  x <- nnt_ci(0.73, measure = "OR", acr = 0.30, event = "harmful")
  expect_equal(round(1000 * x$risk_change), -62)
  expect_equal(x$nnt_whole, 17)
})

test_that("Handbook 12.5.4.1: risk differences -0.12 and -0.22 give NNTs 9 and 5", {
  x <- nnt_ci(c(-0.12, -0.22), measure = "RD", event = "harmful")
  expect_equal(x$nnt_whole, c(9, 5))
})

test_that("Altman (1998): ARR 10% (-5% to 25%) is NNTB 10, NNTB 4 to infinity to NNTH 20", {
  x <- nnt_ci(0.10, measure = "RD", ci_lb = -0.05, ci_ub = 0.25, event = "beneficial")
  expect_equal(x$nnt, 10)
  expect_equal(1 / x$benefit_ub, 4)
  expect_equal(-1 / x$benefit_lb, 20)
  f <- format(x, digits = 0)
  expect_match(f$ci, "^NNTB 4 to .+ to NNTH 20$")
})

test_that("the RevMan methods note's check (Niel-Weise 2007) gives NNTB 52 (45 to 69)", {
  acr <- stats::median(nielweise2007$events2 / nielweise2007$n2)
  expect_equal(round(acr, 4), 0.0287)
  x <- nnt_ci(0.3268, measure = "RR", ci_lb = 0.2165, ci_ub = 0.4934, acr = acr, event = "harmful")
  expect_equal(x$nnt_whole, 52)
  expect_equal(ceiling(1 / x$benefit_ub), 45)
  expect_equal(ceiling(1 / x$benefit_lb), 69)
})

test_that("the review's NNT 2.72 from RR 7.28: implied control risk, and the bound at the CI limit", {
  # The abstract reports RR 7.28 (2.67 to 19.84) and NNT 2.72 for >= 50% pain relief
  # (a beneficial event): 1 / (ACR (RR - 1)) = 2.72 implies ACR = 1 / (2.72 x 6.28).
  acr <- 1 / (2.72 * (7.28 - 1))
  x <- nnt_ci(7.28, measure = "RR", ci_lb = 2.67, ci_ub = 19.84, acr = acr, event = "beneficial")
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
  x <- nnt_ci(c(0.01, 100), measure = "OR", ci_lb = c(1e-5, 1), ci_ub = c(0.1, 1e5), acr = 0.5,
           event = "beneficial")
  expect_false(any(x$estimate_bounded | x$limit_bounded))
  skip_if_not_installed("metafor")
  lor <- metafor::escalc("D2ORL", di = -0.5, n1i = 50, n2i = 50)$yi
  smd <- nnt_ci(-0.5, measure = "SMD", acr = 0.4, event = "harmful")
  or <- nnt_ci(exp(lor), measure = "OR", acr = 0.4, event = "harmful")
  expect_equal(smd$benefit, or$benefit, tolerance = 1e-14)
})

test_that("nnt_ci() on an mp_es object uses each study's control risk by default", {
  es <- es_rd(tpos, tpos + tneg, cpos, cpos + cneg, data = bcg, slab = paste(author, year))
  x <- nnt_ci(es, event = "harmful")
  expect_equal(x$label, paste(bcg$author, bcg$year))
  expect_equal(x$acr, bcg$cpos / (bcg$cpos + bcg$cneg))
  expect_equal(x$benefit, -es$yi)
  rr <- es_rr(tpos, tpos + tneg, cpos, cpos + cneg, data = bcg)
  y <- nnt_ci(rr, event = "harmful")
  expect_equal(y$risk_change, y$acr * exp(rr$yi) - y$acr)
  expect_error(nnt_ci(es_md(m1, sd1, n1, m2, sd2, n2, data = normand1999), event = "harmful"),
               class = "metapool_error_input")
  expect_error(nnt_ci(es_smd(m1, sd1, n1, m2, sd2, n2, data = normand1999), event = "harmful"),
               class = "metapool_error_input")
})

test_that("a null effect gives NNT infinity, labelled as no difference", {
  x <- nnt_ci(1, measure = "RR", acr = 0.2, event = "harmful")
  expect_identical(x$type, "none")
  expect_true(is.infinite(x$nnt))
})

test_that("nnt_ci() rejects bad input with classed errors naming the argument", {
  expect_error(nnt_ci(0.8, measure = "RR", event = "harmful"), "acr", class = "metapool_error_input")
  expect_error(nnt_ci(0.8, measure = "RR", acr = 1.2, event = "harmful"), "acr",
               class = "metapool_error_input")
  expect_error(nnt_ci(0.8, measure = "RR", acr = 0.2), "event", class = "metapool_error_input")
  expect_error(nnt_ci(-0.2, measure = "RR", acr = 0.2, event = "harmful"), "`x`",
               class = "metapool_error_input")
  expect_error(nnt_ci(0.8, measure = "RR", ci_lb = 0.9, ci_ub = 0.7, acr = 0.2, event = "harmful"),
               "ci_lb", class = "metapool_error_input")
  expect_error(nnt_ci(c(0.8, 0.9), measure = "RR", acr = c(0.1, 0.2, 0.3), event = "harmful"),
               "acr", class = "metapool_error_input")
  expect_error(nnt_ci("a"), class = "metapool_error_input")
  expect_error(nnt_ci(0.1, measure = "XX", event = "harmful"), "measure", class = "metapool_error_input")
})

test_that("print reads like the Handbook", {
  expect_snapshot(print(nnt_ci(0.92, measure = "RR", acr = 0.30, event = "harmful")))
  expect_snapshot(print(nnt_ci(0.10, measure = "RD", ci_lb = -0.05, ci_ub = 0.25,
                            event = "beneficial")))
  expect_snapshot(print(nnt_ci(7.28, measure = "RR", ci_lb = 2.67, ci_ub = 19.84,
                            acr = c(0.02, 0.1), event = "beneficial")))
  expect_snapshot(print(nnt_ci(-0.5, measure = "SMD", ci_lb = -0.8, ci_ub = -0.2, acr = 0.4,
                            event = "harmful")))
})

test_that("nnt_ci() on pooled fits uses the pooled estimate, CI and control risk", {
  fit <- metapool_mh(events1, n1, events2, n2, data = nielweise2007, measure = "RR",
                     preset = "revman5")
  x <- nnt_ci(fit, event = "harmful")
  included <- !(nielweise2007$events1 == 0 & nielweise2007$events2 == 0)
  acr <- sum(nielweise2007$events2[included]) / sum(nielweise2007$n2[included])
  expect_equal(x$acr, acr)
  expect_equal(x$benefit, acr - acr * exp(fit$estimate))
  expect_equal(x$label, "Overall")
  y <- nnt_ci(fit, acr = 0.0287, event = "harmful")
  expect_equal(y$nnt_whole, 52)
  es <- es_rr(tpos, tpos + tneg, cpos, cpos + cneg, data = bcg)
  sub <- nnt_ci(metapool(es, subgroup = bcg$alloc, method = "DL"), event = "harmful")
  expect_equal(sub$label, c("random", "alternate", "systematic", "Overall"))
  expect_equal(sub$acr[1], with(bcg[bcg$alloc == "random", ], sum(cpos) / sum(cpos + cneg)))
  smd <- metapool(es_smd(m1, sd1, n1, m2, sd2, n2, data = normand1999))
  expect_error(nnt_ci(smd, event = "harmful"), "acr", class = "metapool_error_input")
  expect_equal(nnt_ci(smd, acr = 0.3, event = "harmful")$effect, smd$estimate)
  expect_error(nnt_ci(metapool(yi = c(1, 2), vi = c(1, 1)), acr = 0.2, event = "harmful"),
               "generic", class = "metapool_error_input")
})

test_that("nnt_ci() on a pooled fit takes several control risks: one row per fit and risk", {
  fit <- metapool_mh(events1, n1, events2, n2, data = nielweise2007, measure = "RR",
                     preset = "revman5")
  acr <- c(0.01, 0.05, 0.1)
  x <- nnt_ci(fit, event = "harmful", acr = acr)
  expect_equal(nrow(x), 3L)
  expect_equal(x$acr, acr)
  expect_equal(x$label, rep("Overall", 3))
  # Handbook 12.5.4: EER = ACR x RR, NNT = 1 / (ACR - EER) for a harmful event
  expect_equal(x$benefit, acr - acr * exp(fit$estimate))
  expect_equal(x$benefit_lb, acr - acr * exp(fit$ci_ub))
  # the same numbers as the numeric method with the pooled RR and its CI
  y <- nnt_ci(exp(fit$estimate), measure = "RR", ci_lb = exp(fit$ci_lb), ci_ub = exp(fit$ci_ub),
              acr = acr, event = "harmful")
  expect_equal(x$nnt, y$nnt)
  es <- es_rr(tpos, tpos + tneg, cpos, cpos + cneg, data = bcg)
  sub <- nnt_ci(metapool(es, subgroup = bcg$alloc, method = "DL"), acr = c(0.02, 0.2),
                event = "harmful")
  expect_equal(sub$label, rep(c("random", "alternate", "systematic", "Overall"), each = 2))
  expect_equal(sub$acr, rep(c(0.02, 0.2), 4))
})

test_that("the NNT print keeps its columns apart, within 80 characters, risks in one format", {
  fit <- metapool_mh(events1, n1, events2, n2, data = nielweise2007, measure = "RR",
                     preset = "revman5")
  out <- with_width(80, capture.output(print(nnt_ci(fit, event = "harmful",
                                                     acr = c(0.00382, 0.184, 0)))))
  expect_true(all(nchar(out, type = "width") <= 80))
  expect_false(any(grepl("control risk +per 1000", out)))
  # every risk with the same number of decimals: two significant digits of the smallest
  expect_true(any(grepl("0.38%", out, fixed = TRUE)))
  expect_true(any(grepl("18.40%", out, fixed = TRUE)))
  expect_true(any(grepl("0.00%", out, fixed = TRUE)))
  # a long per-study table moves the NNT interval to its own line rather than wrapping
  es <- es_rr(tpos, tpos + tneg, cpos, cpos + cneg, data = bcg,
              slab = paste(author, year, "(a long label)"))
  wide <- with_width(80, capture.output(print(nnt_ci(es, event = "harmful"))))
  expect_true(all(nchar(wide, type = "width") <= 80))
  expect_snapshot(print(nnt_ci(fit, event = "harmful", acr = c(0.01, 0.05, 0.1))))
})

test_that("a zero risk difference: no NNT (infinite), a limit at zero puts infinity at that end", {
  # Altman (1998): no effect corresponds to NNT = infinity; an interval that reaches no
  # effect has infinity as that limit.
  x <- nnt_ci(0, measure = "RD", ci_lb = -1 / 58.98, ci_ub = 0, event = "beneficial")
  expect_identical(x$type, "none")
  expect_true(is.infinite(x$nnt))
  f <- format(x)
  expect_match(f$est, "^none")
  expect_match(f$ci, "^NNTH 58.98 to .+$")
  expect_false(grepl("to .+ to", f$ci))
  # a ratio with control risk 0: no change in risk at the estimate or either limit
  z <- nnt_ci(0.5, measure = "RR", ci_lb = 0.2, ci_ub = 1.3, acr = 0, event = "harmful")
  expect_identical(z$type, "none")
  expect_match(format(z)$ci, "no difference at either limit")
  expect_snapshot(print(z))
  # the other side: NNTB from the upper limit to infinity
  w <- nnt_ci(0, measure = "RD", ci_lb = 0, ci_ub = 0.25, event = "beneficial")
  expect_identical(format(w)$ci, sprintf("NNTB 4.00 to %s", metapool:::infinity_symbol()))
})
