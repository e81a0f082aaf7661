bcg_es <- function() es_rr(tpos, tpos + tneg, cpos, cpos + cneg, data = bcg, slab = paste(author, year))
tight_rma <- function(es, ...) {
  d <- as.data.frame(es)
  metafor::rma(d$yi, d$vi, ..., control = list(threshold = 1e-12, maxiter = 1000))
}

test_that("leave-one-out and cumulative fits agree with metafor", {
  skip_if_not_installed("metafor")
  es <- bcg_es()
  for (ci in c("z", "hksj")) {
    fit <- metapool(es, ci_method = ci)
    ref <- tight_rma(es, test = if (ci == "z") "z" else "knha")
    l <- metapool_leave1out(fit)
    lr <- metafor::leave1out(ref)
    expect_rel_equal(c(l$estimate, l$se, l$ci_lb, l$p, l$tau2, l$I2, l$Q),
                     c(lr$estimate, lr$se, lr$ci.lb, lr$pval, lr$tau2, lr$I2, lr$Q),
                     tol$iterative, floor = 1e-4)
    cu <- metapool_cumulative(fit, order = bcg$year)
    cr <- metafor::cumul(ref, order = bcg$year)
    expect_equal(cu$study, paste(bcg$author, bcg$year)[order(bcg$year)])
    ok <- !is.na(cr$tau2)
    expect_rel_equal(c(cu$estimate, cu$ci_ub), c(cr$estimate, cr$ci.ub), tol$iterative)
    expect_rel_equal(cu$tau2[ok], cr$tau2[ok], tol$iterative, floor = 1e-4)
  }
})

test_that("influence diagnostics agree with metafor's influence()", {
  skip_if_not_installed("metafor")
  es <- bcg_es()
  for (method in c("REML", "DL")) {
    fit <- metapool(es, method = method)
    ref <- stats::influence(tight_rma(es, method = method))
    inf <- metapool_influence(fit)
    for (nm in c("rstudent", "dffits", "cook_d", "cov_r", "tau2_del", "Q_del", "hat", "weight")) {
      expect_rel_equal(inf[[nm]], ref$inf[[sub("Q_del", "QE.del", sub("_", ".", nm))]],
                       tol$iterative)
    }
    expect_rel_equal(inf$dfbetas, ref$dfbs$intrcpt, tol$iterative)
    expect_identical(inf$influential, unname(ref$is.infl))
  }
})

test_that("GOSH on all subsets agrees with metafor's gosh()", {
  skip_if_not_installed("metafor")
  es <- bcg_es()[1:8, ]
  for (method in c("REML", "DL", "FE")) {
    g <- metapool_gosh(metapool(es, method = method), progress = FALSE)
    gr <- metafor::gosh(tight_rma(es, method = method), progbar = FALSE)
    expect_equal(nrow(g), 2^8 - 1)
    expect_equal(unname(gosh_included(g)), unname(gr$incl))
    expect_rel_equal(c(g$estimate, g$Q, g$I2, g$tau2), c(gr$res$estimate, gr$res$QE, gr$res$I2,
                                                         gr$res$tau2), tol$iterative, floor = 1e-4)
  }
})

test_that("random-subset GOSH is reproducible under set.seed and independent of threads", {
  es <- bcg_es()
  fit <- metapool(es)
  set.seed(11)
  a <- metapool_gosh(fit, subsets = 500, progress = FALSE)
  set.seed(11)
  b <- metapool_gosh(fit, subsets = 500, threads = 2, progress = FALSE)
  expect_identical(as.data.frame(a), as.data.frame(b))
  inc <- gosh_included(a)
  expect_equal(rowSums(inc), a$k)
  # a subset's fit is the fit of those studies
  sub <- metapool(es[inc[5, ], ])
  expect_equal(a$estimate[5], sub$estimate)
})

test_that("permutation tests agree with metafor's permutest(), exact and random", {
  skip_if_not_installed("metafor")
  es <- bcg_es()
  small <- es[1:9, ]
  p <- metapool_permutest(metapool(small))
  expect_true(p$exact)
  ref <- metafor::permutest(tight_rma(small), progbar = FALSE)
  expect_equal(p$p, ref$pval)
  set.seed(5)
  q <- metapool_permutest(metapool(es), iter = 200)
  set.seed(5)
  ref <- metafor::permutest(tight_rma(es), iter = 200, progbar = FALSE)
  expect_false(q$exact)
  expect_equal(q$p, ref$pval)
  set.seed(5)
  expect_equal(metapool_permutest(metapool(es), iter = 200, threads = 2)$p, q$p)
})

test_that("bootstrap: reproducible, independent of threads, percentile limits by hand", {
  fit <- metapool(bcg_es())
  set.seed(3)
  a <- metapool_bootstrap(fit, B = 300)
  set.seed(3)
  b <- metapool_bootstrap(fit, B = 300, threads = 2)
  expect_identical(a$replicates, b$replicates)
  expect_equal(unname(a$estimate[c("ci_lb", "ci_ub")]),
               unname(quantile(a$replicates$estimate, c(0.025, 0.975))))
  # a non-parametric replicate is the fit of the resampled studies
  set.seed(3)
  idx <- sample.int(fit$k, fit$k, replace = TRUE)
  one <- metapool(yi = fit$yi[idx], vi = fit$vi[idx])
  expect_equal(a$replicates$estimate[1], one$estimate)
  set.seed(4)
  par <- metapool_bootstrap(fit, B = 50, type = "parametric")
  set.seed(4)
  z <- rnorm(fit$k)
  one <- metapool(yi = fit$estimate + sqrt(fit$vi + fit$tau2) * z, vi = fit$vi)
  expect_equal(par$replicates$estimate[1], one$estimate)
})

test_that("refitting engines reject fits they cannot use; plots render", {
  es <- bcg_es()
  expect_error(metapool_leave1out(metapool(es, subgroup = bcg$alloc)), "subgroups",
               class = "metapool_error_not_defined")
  expect_error(metapool_gosh(metapool_mh(tpos, tpos + tneg, cpos, cpos + cneg, data = bcg)),
               "Mantel-Haenszel", class = "metapool_error_not_defined")
  expect_error(metapool_permutest(metapool(es), iter = 1), "iter", class = "metapool_error_input")
  fit <- metapool(es)
  file <- tempfile(fileext = ".png")
  grDevices::png(file, width = 800, height = 800)
  plot(metapool_gosh(metapool(es[1:6, ]), progress = FALSE))
  plot(metapool_leave1out(fit))
  plot(metapool_cumulative(fit))
  plot(metapool_influence(fit))
  grDevices::dev.off()
  expect_gt(file.size(file), 1000)
})

test_that("random-subset GOSH takes k = 80 and draws metafor's subsets under the same seed", {
  skip_if_not_installed("metafor")
  d <- simulated_studies(80)
  fit <- metapool(yi = d$yi, vi = d$vi, slab = d$study, method = "DL")
  set.seed(42)
  g <- metapool_gosh(fit, subsets = 2000, progress = FALSE)
  set.seed(42)
  gr <- metafor::gosh(metafor::rma(d$yi, d$vi, method = "DL"), subsets = 2000, progbar = FALSE)
  expect_equal(nrow(g), 2000L)
  inc <- gosh_included(g)
  expect_equal(dim(inc), c(2000L, 80L))
  # the same subsets in the same order (metafor sorts by size, as we do)
  expect_equal(unname(inc), unname(gr$incl))
  expect_equal(g$k, gr$res$k)
  expect_rel_equal(c(g$estimate, g$Q, g$I2, g$tau2),
                   c(gr$res$estimate, gr$res$QE, gr$res$I2, gr$res$tau2), tol$closed_form,
                   floor = 1e-8)
  # studies beyond the 64th (a second mask word) are read: a subset's fit is its studies' fit
  i <- which(inc[, 80] & inc[, 65])[1]
  expect_equal(g$estimate[i], metapool(yi = d$yi[inc[i, ]], vi = d$vi[inc[i, ]],
                                       method = "DL")$estimate)
  # the summary agrees with metafor's
  s <- summary(g)
  expect_equal(s["I^2 (%)", "median"], stats::median(gr$res$I2))
  expect_rel_equal(s["estimate", c("min", "max")], range(gr$res$estimate), tol$closed_form)
})

test_that("GOSH prints a few lines, not every subset", {
  fit <- metapool(bcg_es())
  # A few of the 8,191 REML subset fits end at the boundary tau^2 = 0 (a classed note).
  g <- suppressWarnings(metapool_gosh(fit, progress = FALSE),
                        classes = "metapool_warning_convergence")
  expect_equal(nrow(g), 2^13 - 1)
  out <- capture.output(print(g))
  expect_lt(length(out), 12L)
  expect_match(out[1], "GOSH: 8191 subsets of 13 studies (all subsets)", fixed = TRUE)
  # the RR row is back-transformed: its median is the median subset RR
  s <- summary(g)
  expect_equal(s["RR", "median"], stats::median(exp(g$estimate)))
  expect_snapshot(print(metapool_gosh(metapool(bcg_es()[1:5, ]), progress = FALSE)))
})

test_that("leave-one-out, cumulative and influence print rounded, back-transformed tables", {
  fit <- metapool(bcg_es())
  l <- metapool_leave1out(fit)
  out <- capture.output(print(l))
  expect_match(out[2], "Full fit: RR 0.4894", fixed = TRUE)
  # back-transformed: exp(estimate) is printed, rounded to 4 decimals; no scientific p
  expect_true(any(grepl(formatC(exp(l$estimate[1]), digits = 4, format = "f"), out, fixed = TRUE)))
  expect_false(any(grepl("e-0", out, fixed = TRUE)))
  expect_snapshot(print(l))
  expect_snapshot(summary(l))
  cu <- metapool_cumulative(fit, order = bcg$year)
  expect_snapshot(print(cu))
  expect_snapshot(summary(cu))
  inf <- metapool_influence(fit)
  expect_snapshot(print(inf))
  expect_snapshot(summary(inf))
  # a generic fit keeps the SE column and the analysis scale
  g <- metapool(yi = c(0.1, 0.3, 0.5, 0.2), vi = c(0.01, 0.02, 0.03, 0.02))
  expect_snapshot(print(metapool_leave1out(g)))
  # the summary's largest change is the study whose omission moves the estimate most
  s <- summary(l)
  expect_identical(s$largest, as.character(l$study[which.max(abs(l$estimate - fit$estimate))]))
})

test_that("rows of a diagnostics table keep its print; GOSH rows become a data frame", {
  fit <- metapool(bcg_es())
  l <- metapool_leave1out(fit)
  expect_s3_class(l[1:3, ], "mp_leave1out")
  expect_output(print(l[1:3, ]), "Leave-one-out analysis")
  expect_identical(class(l[, c("study", "estimate")]), "data.frame")
  expect_output(print(head(metapool_influence(fit))), "Influence diagnostics")
  g <- metapool_gosh(metapool(bcg_es()[1:5, ]), progress = FALSE)
  expect_identical(class(head(g)), "data.frame")
  expect_identical(class(as.data.frame(g)), "data.frame")
  expect_equal(as.data.frame(g)$estimate, g$estimate)
})
