# Small-study effects against metafor's regtest(), ranktest(), trimfill() and fsn(),
# and meta's metabias() for Peters' and Harbord's tests.

# metafor's iterations tightened (its default stops at a change in tau^2 of 1e-5);
# regtest() and trimfill() refit with the model's control settings.
tight <- list(threshold = 1e-13, maxiter = 10000, tol = 1e-13)

smallstudy_cases <- function() {
  md <- function(name) getExportedValue("metadat", name)
  bin <- function(d, measure = "OR") {
    out <- metafor::escalc(measure, ai = d$ai, n1i = d$n1i, ci = d$ci, n2i = d$n2i)
    out[stats::complete.cases(out$yi), ]
  }
  bcg <- md("dat.bcg")
  out <- list(
    bcg = metafor::escalc("RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = bcg),
    hackshaw1998 = md("dat.hackshaw1998")[c("yi", "vi")],
    bangertdrowns2004 = md("dat.bangertdrowns2004")[c("yi", "vi")],
    raudenbush1985 = md("dat.raudenbush1985")[c("yi", "vi")],
    molloy2014 = metafor::escalc("ZCOR", ri = ri, ni = ni, data = md("dat.molloy2014")),
    mcdaniel1994 = metafor::escalc("ZCOR", ri = ri, ni = ni, data = md("dat.mcdaniel1994")),
    konstantopoulos2011 = md("dat.konstantopoulos2011")[c("yi", "vi")],
    pritz1997 = metafor::escalc("PR", xi = xi, ni = ni, data = md("dat.pritz1997")),
    nielweise2007 = bin(md("dat.nielweise2007")),
    linde2005 = bin(md("dat.linde2005"), "RR"),
    egger2001 = bin(md("dat.egger2001")),
    yusuf1985 = bin(md("dat.yusuf1985")),
    li2007 = bin(md("dat.li2007")),
    lee2004 = bin(md("dat.lee2004")),
    craft2003 = metafor::escalc("ZCOR", ri = ri, ni = ni, data = md("dat.craft2003"))
  )
  lapply(out, function(d) as.data.frame(d)[stats::complete.cases(d$yi, d$vi), c("yi", "vi")])
}

test_that("Egger's test agrees with metafor::regtest() (both models, all predictors, 15 datasets)", {
  skip_if_not_installed("metafor")
  skip_if_not_installed("metadat")
  cases <- smallstudy_cases()
  for (nm in names(cases)) {
    d <- cases[[nm]]
    for (method in c("REML", "DL", "FE")) {
      rma_fit <- suppressWarnings(metafor::rma(yi, vi, data = d, method = method, control = tight))
      fit <- metapool(d$yi, d$vi, method = method)
      for (predictor in c("sei", "vi")) {
        for (model in c("rma", "lm")) {
          theirs <- suppressWarnings(metafor::regtest(rma_fit, model = model, predictor = predictor))
          ours <- suppressWarnings(smallstudy_test(fit, predictor = predictor, model = model))
          rel <- if (model == "lm" || method %in% c("DL", "FE")) tol$closed_form else tol$iterative
          expect_rel_equal(ours$statistic, theirs$zval, rel)
          expect_rel_equal(ours$p, theirs$pval, rel, floor = 1e-12)
          expect_rel_equal(ours$limit[["estimate"]], theirs$est, rel, floor = 1e-10)
          expect_rel_equal(ours$limit[c("ci_lb", "ci_ub")], c(theirs$ci.lb, theirs$ci.ub), rel, floor = 1e-10)
        }
      }
    }
  }
})

test_that("Egger's test with sample-size predictors and with moderators agrees with regtest()", {
  skip_if_not_installed("metafor")
  es <- es_rr(tpos, tpos + tneg, cpos, cpos + cneg, data = bcg)
  ni <- bcg$tpos + bcg$tneg + bcg$cpos + bcg$cneg
  d <- as.data.frame(metafor::escalc("RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = bcg))
  rma_fit <- metafor::rma(yi, vi, data = d, ni = ni, control = tight)
  fit <- metapool(es)
  for (predictor in c("ninv", "sqrtninv")) {
    theirs <- metafor::regtest(rma_fit, predictor = predictor)
    ours <- smallstudy_test(fit, predictor = predictor)
    expect_rel_equal(ours$statistic, theirs$zval, tol$iterative)
    expect_rel_equal(ours$p, theirs$pval, tol$iterative)
  }
  rma_reg <- metafor::rma(yi, vi, mods = ~ ablat, data = d, control = tight)
  ours <- smallstudy_test(metapool(es, mods = ~ ablat, data = bcg))
  theirs <- metafor::regtest(rma_reg)
  expect_rel_equal(ours$statistic, theirs$zval, tol$iterative)
  expect_null(ours$limit)
})

test_that("the rank correlation test agrees with metafor::ranktest()", {
  skip_if_not_installed("metafor")
  cases <- smallstudy_cases()
  for (nm in names(cases)) {
    d <- cases[[nm]]
    theirs <- suppressWarnings(metafor::ranktest(d$yi, d$vi))
    ours <- suppressWarnings(smallstudy_test(metapool(d$yi, d$vi), method = "begg"))
    expect_rel_equal(ours$statistic, theirs$tau, tol$closed_form)
    expect_rel_equal(ours$p, theirs$pval, tol$closed_form)
  }
})

test_that("trim-and-fill agrees with metafor::trimfill() (L0, R0, Q0; both sides)", {
  skip_if_not_installed("metafor")
  cases <- smallstudy_cases()
  for (nm in names(cases)) {
    d <- cases[[nm]]
    for (method in c("REML", "FE", "DL")) {
      rma_fit <- suppressWarnings(metafor::rma(yi, vi, data = d, method = method, control = tight))
      fit <- suppressWarnings(metapool(d$yi, d$vi, method = method))
      for (estimator in c("L0", "R0", "Q0")) {
        theirs <- tryCatch(suppressWarnings(metafor::trimfill(rma_fit, estimator = estimator)),
                           error = function(e) NULL)
        if (is.null(theirs)) {
          # Q0 undefined (negative square root): metafor stops, and so does metapool.
          expect_error(trim_fill(fit, estimator = estimator), class = "metapool_error_numerical")
          next
        }
        ours <- suppressWarnings(trim_fill(fit, estimator = estimator))
        info <- paste(nm, method, estimator)
        expect_equal(ours$k0, theirs$k0, info = info)
        expect_equal(ours$side, theirs$side, info = info)
        expect_rel_equal(ours$se_k0, theirs$se.k0, tol$closed_form)
        expect_rel_equal(ours$fit$yi, c(theirs$yi), tol$iterative)
        # trimfill() refits the filled data with metafor's default (loose) convergence:
        # compare with a tightly converged fit of the same filled data.
        refit <- suppressWarnings(metafor::rma(c(theirs$yi), theirs$vi, method = method, control = tight))
        expect_rel_equal(ours$fit$estimate, c(refit$beta), tol$iterative, floor = 1e-10)
        expect_rel_equal(ours$fit$tau2, refit$tau2, tol$iterative, floor = 1e-8)
      }
    }
  }
  d <- smallstudy_cases()$bcg
  theirs <- metafor::trimfill(metafor::rma(yi, vi, data = d, control = tight), side = "right")
  ours <- trim_fill(metapool(d$yi, d$vi), side = "right")
  expect_equal(ours$k0, theirs$k0)
  expect_rel_equal(ours$fit$yi, c(theirs$yi), tol$iterative)
})

test_that("fail-safe N agrees with metafor::fsn()", {
  skip_if_not_installed("metafor")
  cases <- smallstudy_cases()
  for (nm in names(cases)) {
    d <- cases[[nm]]
    fit <- suppressWarnings(metapool(d$yi, d$vi))
    for (type in c("Rosenthal", "Orwin", "Rosenberg")) {
      theirs <- metafor::fsn(d$yi, d$vi, type = type)
      ours <- fail_safe_n(fit, type = type)
      expect_equal(ours$fsn, theirs$fsnum, info = paste(nm, type))
      if (type != "Orwin") expect_rel_equal(ours$p, theirs$pval, tol$closed_form, floor = 1e-300)
    }
    theirs <- metafor::fsn(d$yi, d$vi, type = "Orwin", target = 0.01)
    expect_equal(fail_safe_n(fit, type = "Orwin", target = 0.01)$fsn, theirs$fsnum)
  }
})

test_that("Peters' and Harbord's tests agree with meta::metabias()", {
  skip_if_not_installed("meta")
  skip_if_not_installed("metadat")
  md <- function(name) getExportedValue("metadat", name)
  sets <- list(nielweise2007 = md("dat.nielweise2007"), egger2001 = md("dat.egger2001"),
               yusuf1985 = md("dat.yusuf1985"), lee2004 = md("dat.lee2004"),
               li2007 = md("dat.li2007"))
  for (nm in names(sets)) {
    d <- sets[[nm]]
    d <- d[stats::complete.cases(d[c("ai", "n1i", "ci", "n2i")]), ]
    d <- d[d$ai > 0 & d$ci > 0 & d$ai < d$n1i & d$ci < d$n2i, ]
    m <- meta::metabin(ai, n1i, ci, n2i, data = d, sm = "OR", method = "Inverse")
    es <- es_or(ai, n1i, ci, n2i, data = d)
    fit <- metapool(es, method = "FE")
    for (method in c("Peters", "Harbord")) {
      theirs <- suppressWarnings(meta::metabias(m, method.bias = method, k.min = 3))
      ours <- suppressWarnings(smallstudy_test(fit, method = tolower(method)))
      expect_rel_equal(ours$statistic, theirs$statistic, tol$closed_form)
      expect_rel_equal(ours$p, theirs$p.value, tol$closed_form)
    }
  }
})

test_that("fewer than 10 studies give a classed warning; bad input classed errors", {
  es <- es_rr(tpos, tpos + tneg, cpos, cpos + cneg, data = bcg)
  small <- metapool(es, subset = 1:8)
  expect_warning(smallstudy_test(small), class = "metapool_warning_small_k")
  expect_warning(smallstudy_test(small, method = "begg"), class = "metapool_warning_small_k")
  expect_error(smallstudy_test(metapool(es, subset = 1:2)), class = "metapool_error_input")
  expect_error(smallstudy_test(metapool(es), method = "nope"), class = "metapool_error_input")
  expect_error(suppressWarnings(smallstudy_test(metapool(yi = c(0.1, 0.2, 0.3, 0.1), vi = rep(0.1, 4)),
                                                predictor = "ninv")), class = "metapool_error_input")
  expect_error(trim_fill(metapool(es, mods = ~ ablat, data = bcg)), class = "metapool_error_input")
  expect_error(fail_safe_n(metapool(es), alpha = 2), class = "metapool_error_input")
})

test_that("trim-and-fill funnel plot and PET-PEESE", {
  es <- es_rr(tpos, tpos + tneg, cpos, cpos + cneg, data = bcg)
  tf <- trim_fill(metapool(es), side = "right")
  expect_gt(tf$k0, 0)
  file <- tempfile(fileext = ".png")
  grDevices::png(file)
  plot(tf)
  grDevices::dev.off()
  expect_gt(file.size(file), 1000)
  pp <- pet_peese(metapool(es))
  # PET is the lm form of Egger's test with predictor sei: same intercept.
  eg <- smallstudy_test(metapool(es), model = "lm")
  expect_rel_equal(pp$pet[["estimate"]], eg$limit[["estimate"]], tol$exact)
  expect_true(pp$chosen %in% c("PET", "PEESE"))
})
