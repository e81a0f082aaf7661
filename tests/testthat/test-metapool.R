metafor_test <- c(z = "z", t = "t", hksj = "knha", hksj_adhoc = "adhoc")
iterative <- c("DLIT", "ML", "REML", "EB", "PM", "PMM")
# metafor's rma() with its convergence tightened; at 1e-13 its Fisher scoring can
# oscillate in the last digits, so looser thresholds are tried before giving up.
rma_tight <- function(...) {
  for (threshold in c(1e-13, 1e-10, 1e-8)) {
    fit <- tryCatch(metafor::rma(..., control = list(threshold = threshold, maxiter = 10000,
                                                     tol = 1e-13)),
                    error = function(e) NULL)
    if (!is.null(fit)) return(fit)
  }
  metafor::rma(...)
}

# Generalised Q statistic at tau2 (for checking Q-profile limits by hand).
q_gen <- function(yi, vi, tau2) {
  w <- 1 / (vi + tau2)
  sum(w * (yi - sum(w * yi) / sum(w))^2)
}

# Compare one metapool fit with metafor's rma() on the same data and settings.
compare_with_rma <- function(d, method, ci_method, info) {
  ours <- metapool(yi = d$yi, vi = d$vi, method = method, ci_method = ci_method,
                   pi_method = if (ci_method == "z") "z" else "t_k1")
  ref <- rma_tight(d$yi, d$vi, method = method, test = metafor_test[[ci_method]])
  rel <- if (method %in% iterative) tol$iterative else tol$closed_form
  for (nm in c("estimate", "se", "ci_lb", "ci_ub", "p", "stat")) {
    expected <- switch(nm, estimate = ref$beta, se = ref$se, ci_lb = ref$ci.lb,
                       ci_ub = ref$ci.ub, p = ref$pval, stat = ref$zval)
    expect_rel_equal(ours[[nm]], expected, rel)
  }
  expect_rel_equal(ours$tau2, ref$tau2, rel, floor = 1e-4)
  expect_rel_equal(ours$I2, ref$I2, rel, floor = 1e-4)
  expect_rel_equal(ours$H2, ref$H2, rel)
  expect_rel_equal(ours$Q, ref$QE, tol$closed_form)
  expect_rel_equal(ours$Q_p, ref$QEp, tol$closed_form)
  if (method != "FE") expect_rel_equal(ours$tau2_se, ref$se.tau2, rel, floor = 1e-4)
  if (method == "FE") {
    expect_true(is.na(ours$pi_lb))  # no prediction interval without tau^2
  } else {
    pred <- predict(ref)
    expect_rel_equal(ours$pi_lb, pred$pi.lb, rel)
    expect_rel_equal(ours$pi_ub, pred$pi.ub, rel)
  }
  expect_equal(ours$k, ref$k, info = info)
}

test_that("metapool() agrees with metafor::rma() for every estimator and CI method on real data", {
  skip_if_not_installed("metafor")
  skip_if_not_installed("metadat")
  datasets <- pooling_datasets()
  expect_gte(length(datasets), 15)
  for (ds in names(datasets)) {
    for (method in tau2_methods_all()) {
      for (ci in names(metafor_test)) {
        compare_with_rma(datasets[[ds]], method, ci, paste(ds, method, ci))
      }
    }
  }
})

test_that("metapool() agrees with metafor::rma() on random data with k from 2 to 500", {
  skip_if_not_installed("metafor")
  for (k in c(2, 3, 5, 10, 40, 150, 500)) {
    d <- random_pooling_data(k, seed = k)
    for (method in tau2_methods_all()) {
      for (ci in c("z", "hksj")) compare_with_rma(d, method, ci, paste(k, method, ci))
    }
  }
})

# metafor searches for limits below max(100, 10 tau^2) and reports a limit at that
# bound with the sign ">"; metapool has no such bound, so those limits are not compared.
compare_limits <- function(ours, ci) {
  ref <- ci$random
  expect_rel_equal(ours[2:5, "ci_lb"], ref[, "ci.lb"], tol$iterative, floor = 1e-4)
  if (!identical(ci$ub.sign, ">")) {
    expect_rel_equal(ours[2:5, "ci_ub"], ref[, "ci.ub"], tol$iterative, floor = 1e-4)
  } else {
    expect_gt(ours[2, "ci_ub"], ref[1, "ci.ub"])
  }
}

test_that("Q-profile and profile-likelihood intervals for tau^2, tau, I^2, H^2 agree with metafor", {
  skip_if_not_installed("metafor")
  skip_if_not_installed("metadat")
  datasets <- c(pooling_datasets(), list(random10 = random_pooling_data(10, 1),
                                         random200 = random_pooling_data(200, 2)))
  for (ds in names(datasets)) {
    d <- datasets[[ds]]
    for (method in setdiff(tau2_methods_all(), "FE")) {
      ours <- confint(metapool(yi = d$yi, vi = d$vi, method = method))
      ci <- metafor::confint.rma.uni(rma_tight(d$yi, d$vi, method = method),
                                     control = list(tol = 1e-13, maxiter = 10000))
      compare_limits(ours, ci)
    }
    for (method in c("ML", "REML")) {
      ours <- confint(metapool(yi = d$yi, vi = d$vi, method = method, tau2_ci = "PL"))
      ci <- metafor::confint.rma.uni(rma_tight(d$yi, d$vi, method = method), type = "PL",
                                     control = list(tol = 1e-13, maxiter = 10000))
      compare_limits(ours, ci)
    }
    # The Q-profile limits solve Q_gen(tau^2) = chi-square quantiles (when positive).
    ours <- metapool(yi = d$yi, vi = d$vi, method = "DL")
    k <- length(d$yi)
    if (ours$tau2_lb > 0) {
      expect_rel_equal(q_gen(d$yi, d$vi, ours$tau2_lb), qchisq(0.975, k - 1), 1e-9)
    }
    if (ours$tau2_ub > 0) {
      expect_rel_equal(q_gen(d$yi, d$vi, ours$tau2_ub), qchisq(0.025, k - 1), 1e-9)
    }
  }
})

test_that("the k - 2 prediction interval matches metafor's Riley interval", {
  skip_if_not_installed("metafor")
  d <- random_pooling_data(12, 7)
  ours <- metapool(yi = d$yi, vi = d$vi, ci_method = "t", pi_method = "t_k2")
  ref <- predict(rma_tight(d$yi, d$vi, test = "t"), pi.type = "Riley")
  expect_rel_equal(c(ours$pi_lb, ours$pi_ub), c(ref$pi.lb, ref$pi.ub), tol$iterative)
  # and by hand: t quantile with k - 2 df on sqrt(se^2 + tau^2)
  half <- qt(0.975, 10) * sqrt(ours$se^2 + ours$tau2)
  expect_rel_equal(c(ours$pi_lb, ours$pi_ub), ours$estimate + c(-1, 1) * half, tol$exact * 100)
})

test_that("a fixed tau^2 reproduces metafor's rma(tau2 = )", {
  skip_if_not_installed("metafor")
  d <- random_pooling_data(8, 3)
  ours <- metapool(yi = d$yi, vi = d$vi, tau2 = 0.25)
  ref <- metafor::rma(d$yi, d$vi, tau2 = 0.25)
  expect_rel_equal(c(ours$estimate, ours$se, ours$I2), c(ref$beta, ref$se, ref$I2), tol$closed_form)
  expect_true(is.na(ours$tau2_lb))
})

test_that("DerSimonian-Laird by hand (closed form)", {
  d <- random_pooling_data(7, 11)
  w <- 1 / d$vi
  mu_fe <- sum(w * d$yi) / sum(w)
  q <- sum(w * (d$yi - mu_fe)^2)
  tau2 <- max(0, (q - 6) / (sum(w) - sum(w^2) / sum(w)))
  ws <- 1 / (d$vi + tau2)
  mu <- sum(ws * d$yi) / sum(ws)
  fit <- metapool(yi = d$yi, vi = d$vi, method = "DL")
  expect_rel_equal(c(fit$Q, fit$tau2, fit$estimate, fit$se), c(q, tau2, mu, 1 / sqrt(sum(ws))),
                   tol$exact * 100)
  expect_rel_equal(fit$I2, max(0, 100 * (q - 6) / q), 1e-12)
  expect_rel_equal(unname(fit$weights), ws / sum(ws), 1e-12)
  hk <- metapool(yi = d$yi, vi = d$vi, method = "DL", ci_method = "hksj")
  s2 <- sum(ws * (d$yi - mu)^2) / 6
  expect_rel_equal(hk$se, sqrt(s2 / sum(ws)), 1e-12)
  expect_rel_equal(hk$ci_ub, mu + qt(0.975, 6) * sqrt(s2 / sum(ws)), 1e-12)
})

test_that("one study is the study itself; two studies are fully defined", {
  one <- metapool(yi = 0.3, vi = 0.04)
  expect_equal(c(one$estimate, one$se, one$tau2, one$Q, one$I2), c(0.3, 0.2, 0, 0, 0))
  expect_equal(one$ci_lb, 0.3 - qnorm(0.975) * 0.2)
  expect_true(is.na(one$pi_lb))
  expect_warning(metapool(yi = 0.3, vi = 0.04, ci_method = "hksj"), class = "metapool_warning_small_k")
  skip_if_not_installed("metafor")
  two <- metapool(yi = c(0.1, 0.6), vi = c(0.02, 0.05), method = "REML", pi_method = "t_k1")
  ref <- rma_tight(c(0.1, 0.6), c(0.02, 0.05))
  expect_rel_equal(c(two$estimate, two$se, two$tau2), c(ref$beta, ref$se, ref$tau2), tol$iterative)
  expect_true(all(is.finite(c(two$ci_lb, two$ci_ub, two$tau2_lb, two$tau2_ub, two$pi_lb))))
  expect_true(is.na(metapool(yi = c(0.1, 0.6), vi = c(0.02, 0.05))$pi_lb))  # t with 0 df
})

test_that("subgroups: own tau^2 per subgroup, RevMan's test for subgroup differences", {
  es <- es_rr(tpos, tpos + tneg, cpos, cpos + cneg, data = bcg, slab = paste(author, year))
  fit <- metapool(es, subgroup = bcg$alloc, method = "DL")
  expect_named(fit$subgroups, c("random", "alternate", "systematic"))
  for (g in names(fit$subgroups)) {
    sub <- metapool(es, subset = bcg$alloc == g, method = "DL")
    expect_equal(fit$subgroups[[g]]$estimate, sub$estimate)
    expect_equal(fit$subgroups[[g]]$tau2, sub$tau2)
  }
  est <- vapply(fit$subgroups, `[[`, 0, "estimate")
  se <- vapply(fit$subgroups, `[[`, 0, "se")
  w <- 1 / se^2
  q <- sum(w * (est - sum(w * est) / sum(w))^2)
  expect_rel_equal(fit$subgroup_test$Q, q, 1e-12)
  expect_equal(fit$subgroup_test$df, 2)
  expect_rel_equal(fit$subgroup_test$p, pchisq(q, 2, lower.tail = FALSE), 1e-12)
  # the overall fit ignores the subgroups
  expect_equal(fit$estimate, metapool(es, method = "DL")$estimate)
  rows <- as.data.frame(fit)
  expect_equal(rows$subgroup, c("random", "alternate", "systematic", "Overall"))
})

test_that("common tau^2 equals metafor's meta-regression on the subgroup factor", {
  skip_if_not_installed("metafor")
  dat <- metafor::escalc("RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = bcg)
  for (method in c("DL", "REML", "ML", "PM", "HE", "SJ", "EB", "HS")) {
    fit <- metapool(yi, vi, data = dat, subgroup = alloc, method = method, common_tau2 = TRUE)
    mods <- stats::model.matrix(~ factor(dat$alloc))[, -1]
    ref <- rma_tight(dat$yi, dat$vi, mods = mods, method = method)
    taus <- vapply(fit$subgroups, `[[`, 0, "tau2")
    expect_rel_equal(taus, rep(ref$tau2, 3), tol$iterative)
    # each subgroup's estimate is its weighted mean with the common tau^2
    sub <- dat$alloc == "random"
    w <- 1 / (dat$vi[sub] + ref$tau2)
    expect_rel_equal(fit$subgroups$random$estimate, sum(w * dat$yi[sub]) / sum(w), tol$iterative)
  }
})

test_that("variances may be given as standard errors; mp_es objects carry theirs", {
  a <- metapool(yi = c(0.2, 0.5, 0.1), sei = c(0.1, 0.2, 0.15), method = "DL")
  b <- metapool(yi = c(0.2, 0.5, 0.1), vi = c(0.1, 0.2, 0.15)^2, method = "DL")
  expect_equal(a$estimate, b$estimate)
  es <- es_smd(m1, sd1, n1, m2, sd2, n2, data = normand1999, slab = source)
  fit <- metapool(es)
  expect_equal(fit$measure, "SMD")
  expect_equal(names(fit$weights), normand1999$source)
  expect_equal(metapool(yi, vi, data = as.data.frame(es))$estimate, fit$estimate)
})

test_that("non-estimable studies of an mp_es object are excluded and reported", {
  es <- es_rr(events1, n1, events2, n2, data = nielweise2007, slab = author, preset = "revman5")
  fit <- metapool(es, method = "DL")
  expect_equal(fit$k, 17)
  expect_equal(fit$not_estimable, "Yucel")
})
