# Published worked examples, compared at the precision printed in the papers.
# The values were checked against the tables cited; metafor's test suite checks
# the same tables, which helped locate them (where it notes that the article
# differs from metafor, the article's value is used here).

expect_printed <- function(actual, printed, digits, label = NULL) {
  expect_identical(round(unname(actual), digits), unname(printed), label = label)
}

test_that("Normand (1999): stroke-unit length of stay, Tables VIII and IX", {
  # Normand SLT (1999). Statistics in Medicine 18:321-359. Mean differences in
  # days with a pooled SD: Table VIII (p. 351); pooled results Table IX (p. 352).
  md <- es_md(m1, sd1, n1, m2, sd2, n2, data = normand1999, vtype = "pooled")
  expect_printed(md$yi, c(-20, -2, -55, -71, -4, 1, 11, -10, 7), 0)
  expect_printed(md$vi, c(40.59, 2.05, 15.28, 150.22, 20.19, 1.22, 95.38, 8.03, 20.69), 2)
  fe <- metapool(md, method = "FE")
  expect_printed(c(fe$estimate, fe$ci_lb, fe$ci_ub), c(-3.49, -5.03, -1.96), 2)
  dl <- metapool(md, method = "DL")
  expect_printed(c(dl$estimate, dl$ci_lb, dl$ci_ub, dl$tau2), c(-14.10, -24.45, -3.75, 218.72), 2)
  reml <- metapool(md, method = "REML")
  expect_printed(c(reml$estimate, reml$ci_lb, reml$ci_ub, reml$tau2),
                 c(-15.12, -32.67, 2.43, 685.20), 2)
})

test_that("Normand (1999): lidocaine and mortality (Hine et al. 1989), Tables III and VII", {
  # Risk differences in percentage points: Table III (p. 330); FE, REML and DL
  # all give 2.94 (0.4, 5.5) with tau^2 = 0, Table VII (p. 349).
  h <- metadat::dat.hine1989
  rd <- es_rd(ai, n1i, ci, n2i, data = h)
  expect_printed(100 * rd$yi, c(2.8026, 0, 1.9711, 1.7961, 3.5334, 4.4031), 4)
  expect_printed(1e4 * rd$vi, c(17.7575, 37.5657, 8.1323, 10.8998, 8.0114, 6.1320), 4)
  for (method in c("FE", "REML", "DL")) {
    f <- metapool(100 * rd$yi, 1e4 * rd$vi, method = method)
    expect_printed(f$estimate, 2.94, 2, label = method)
    expect_printed(c(f$ci_lb, f$ci_ub), c(0.4, 5.5), 1, label = method)
    expect_printed(f$tau2, 0, 3, label = method)
  }
})

test_that("Viechtbauer (2005): seven tau^2 estimators on two examples", {
  # Viechtbauer W (2005). Journal of Educational and Behavioral Statistics
  # 30:261-293; data pp. 271-272, estimates in the text there (3 decimals).
  y1 <- c(-0.581, 0.530, 0.771, 1.031, 0.553, 0.295, 0.078, 0.573, -0.176, -0.232)
  v1 <- c(0.023, 0.052, 0.060, 0.115, 0.095, 0.203, 0.200, 0.211, 0.051, 0.040)
  y2 <- c(0.100, -0.162, -0.090, -0.049, -0.046, -0.010, -0.431, -0.261, 0.134, 0.019, 0.175,
          0.056, 0.045, 0.103, 0.121, -0.482, 0.290, 0.342)
  v2 <- c(0.016, 0.015, 0.050, 0.050, 0.032, 0.052, 0.036, 0.024, 0.034, 0.033, 0.031, 0.034,
          0.039, 0.167, 0.134, 0.096, 0.016, 0.035)
  methods <- c("HS", "HE", "DL", "ML", "REML", "EB", "SJ")
  tau2_1 <- c(0.228, 0.148, 0.277, 0.197, 0.223, 0.192, 0.199)
  tau2_2 <- c(0.010, 0.000, 0.013, 0.013, 0.016, 0.010, 0.025)
  for (i in seq_along(methods)) {
    expect_printed(metapool(y1, v1, method = methods[i])$tau2, tau2_1[i], 3, label = methods[i])
    expect_printed(metapool(y2, v2, method = methods[i])$tau2, tau2_2[i], 3, label = methods[i])
  }
})

test_that("Viechtbauer (2007): intervals for tau^2 in the pre-eclampsia trials, Table II", {
  # Viechtbauer W (2007). Confidence intervals for the amount of heterogeneity
  # in meta-analysis. Statistics in Medicine 26:37-52, Table II (p. 44): log
  # odds ratios of pre-eclampsia with diuretics (Collins et al. 1985), k = 9.
  cb <- metadat::dat.collins1985b
  or <- es_or(pre.xti, pre.nti, pre.xci, pre.nci, data = cb)
  est <- c(DL = 0.230, ML = 0.239, REML = 0.301, SJ = 0.456)
  for (m in names(est)) expect_printed(metapool(or, method = m)$tau2, est[[m]], 3, label = m)
  qp <- metapool(or, method = "DL")
  expect_printed(c(qp$tau2_lb, qp$tau2_ub), c(0.072, 2.203), 3)
  pl_ml <- metapool(or, method = "ML", tau2_ci = "PL")
  expect_printed(c(pl_ml$tau2_lb, pl_ml$tau2_ub), c(0.027, 1.131), 3)
  pl_reml <- metapool(or, method = "REML", tau2_ci = "PL")
  expect_printed(c(pl_reml$tau2_lb, pl_reml$tau2_ub), c(0.043, 1.475), 3)
})

test_that("Raudenbush (2009): teacher expectancy, z and Hartung-Knapp results, Table 16.3", {
  # Raudenbush SW (2009). Analyzing effect sizes: random-effects models. In
  # Cooper, Hedges, Valentine (eds), The Handbook of Research Synthesis and
  # Meta-Analysis, 2nd ed., Table 16.3 (p. 309); Raudenbush (1984) data, k = 19.
  r <- metadat::dat.raudenbush1985
  printed <- list(
    FE = list(z = c(0, .060, .036, 1.655, -.011, .132), kh = c(.051, 1.173, -.048, .168)),
    ML = list(z = c(.013, .078, .047, 1.637, -.015, .171), kh = c(.059, 1.311, -.047, .202)),
    REML = list(z = c(.019, .084, .052, 1.621, -.018, .185), kh = c(.062, 1.359, -.046, .213)),
    DL = list(z = c(.026, .089, .056, 1.601, -.020, .199), kh = c(.064, 1.405, -.044, .223)),
    HE = list(z = c(.080, .114, .079, 1.443, -.041, .270), kh = c(.071, 1.608, -.035, .264))
  )
  for (m in names(printed)) {
    z <- metapool(yi, vi, data = r, method = m)
    kh <- metapool(yi, vi, data = r, method = m, ci_method = "hksj")
    expect_printed(c(z$tau2, z$estimate, z$se, z$stat, z$ci_lb, z$ci_ub), printed[[m]]$z, 3,
                   label = m)
    expect_printed(c(kh$se, kh$stat, kh$ci_lb, kh$ci_ub), printed[[m]]$kh, 3, label = m)
    expect_identical(kh$df, 18)
  }
})

test_that("DerSimonian and Kacker (2007): estimators on the CLASP trials, Tables 3 and 4", {
  # DerSimonian R, Kacker R (2007). Random-effects model for meta-analysis of
  # clinical trials: an update. Contemporary Clinical Trials 28:105-114,
  # Tables 3-4 (pp. 111-112): log odds ratios of six aspirin trials.
  o <- es_or(c(5, 5, 12, 69, 9, 313), c(156, 303, 565, 1570, 103, 4659),
             c(8, 17, 9, 94, 11, 352), c(74, 303, 477, 1565, 105, 4650))
  printed <- rbind(PM = c(0.3681, -0.3811, 0.2060), HE = c(0.441, -0.4035, 0.2327),
                   DL = c(0.2323, -0.3240, 0.1540), EB = c(0.3681, -0.3811, 0.2060),
                   REML = c(0.1843, -0.2980, 0.1343), HS = c(0.1330, -0.2666, 0.1125),
                   SJ = c(0.4572, -0.4079, 0.2386))
  for (m in rownames(printed)) {
    f <- metapool(o, method = m)
    digits <- if (m == "HE") c(3, 4, 4) else c(4, 4, 4)
    got <- c(sqrt(f$tau2), f$estimate, f$se)
    for (j in 1:3) expect_printed(got[j], printed[m, j], digits[j], label = paste(m, j))
  }
  # ML: the paper prints tau = 0.0023 and mu = -0.1974; its iteration stopped
  # just short of the boundary, where the likelihood is maximal (tau = 0).
  ml <- metapool(o, method = "ML")
  expect_identical(ml$tau2, 0)
  expect_equal(ml$estimate, -0.1974, tolerance = 5e-4)
})

# ---------------------------------------------------------------------------------------
# Bayesian random effects: Roever (2020), the bayesmeta paper
# Roever C (2020). Bayesian random-effects meta-analysis using the bayesmeta R package.
# Journal of Statistical Software 93(6), 1-51, doi:10.18637/jss.v093.i06, Section 3:
# IL-2 receptor antagonists and acute rejection after paediatric liver transplantation
# (Crins et al. 2014; the data ship with bayesmeta), log odds ratios, half-normal(0.5)
# prior on tau, normal(0, 4) prior on mu. Page numbers are the journal's.
#
# The paper's numbers are bayesmeta's output. bayesmeta integrates the posterior of tau
# exactly, so its tau figures are compared at the printed precision. Its figures for mu,
# a new study and the shrinkage estimates come from a grid over tau whose accuracy its
# defaults set (delta = 0.01, epsilon = 1e-4): they are compared at the two decimals the
# paper states its results with; where it prints seven digits, the last test shows that
# these are bayesmeta's grid approximation and that a finer grid moves onto metapool.

crins_es <- function() {
  env <- new.env()
  utils::data("CrinsEtAl2014", package = "bayesmeta", envir = env)
  es_or(exp.AR.events, exp.total, cont.AR.events, cont.total, data = env$CrinsEtAl2014,
        slab = publication)
}
crins_bayes <- function(es, interval = "shortest") {
  metapool_bayes(es, tau_prior = prior_half_normal(0.5), mu_prior = prior_normal(0, 4),
                 interval = interval)
}

test_that("Roever (2020): Crins et al. data, Table 3 (p. 20)", {
  skip_if_not_installed("bayesmeta")
  es <- crins_es()
  expect_printed(es$yi, c(-2.31, -0.46, -2.30, -1.76, -1.26, -2.42), 2)
  expect_printed(sqrt(es$vi), c(0.60, 0.56, 0.88, 0.46, 0.64, 1.53), 2)
})

test_that("Roever (2020): posterior of tau, pp. 22-27, at the printed precision", {
  skip_if_not_installed("bayesmeta")
  post <- crins_bayes(crins_es())$posterior
  tab <- post$summary
  # p. 23, ma01$summary (p. 22 prints the same object with median 0.3445022 and upper
  # limit 0.8607305, digits that bayesmeta 3.5 and metapool both give as p. 23 does)
  expect_printed(tab[c("median", "mean", "sd"), "tau"], c(0.3445023, 0.3810562, 0.2593672), 7)
  expect_printed(tab[c("shortest_lower", "shortest_upper"), "tau"], c(0, 0.8607193), 7)
  # p. 25: P(tau > 1) and the 99% quantile; p. 26: the shortest 99% interval [0, 1.109186]
  expect_printed(1 - post$ptau(1), 0.02097488, 8)
  expect_printed(post$qtau(0.99), 1.109186, 6)
  short99 <- metapool_bayes(crins_es(), tau_prior = prior_half_normal(0.5),
                            mu_prior = prior_normal(0, 4), level = 99, interval = "shortest")
  expect_printed(c(short99$posterior$summary[c("shortest_lower", "shortest_upper"), "tau"]),
                 c(0, 1.109186), 6)
  # p. 27: the central 99% interval, printed with nine decimals
  expect_printed(post$qtau(c(0.005, 0.995)), c(0.003547657, 1.205400562), 9)
})

test_that("Roever (2020): mu, a new study and k = 2, as stated in the text and Figures 2 and 6", {
  skip_if_not_installed("bayesmeta")
  es <- crins_es()
  tab <- crins_bayes(es)$posterior$summary
  # p. 22: "a log-OR of -1.57 [-2.23, -0.93]" (median, shortest 95% interval; Figure 2)
  expect_printed(tab[c("median", "shortest_lower", "shortest_upper"), "mu"],
                 c(-1.57, -2.23, -0.93), 2)
  # Figure 2 (p. 22), prediction row: -1.57 [-2.77, -0.41]. The lower limit is -2.7644
  # (exact; bayesmeta with a fine grid gives -2.7644 too), which rounds to -2.76: the
  # printed -2.77 is bayesmeta's default-grid value -2.7661 (see the last test).
  expect_printed(tab[c("median", "shortest_upper"), "theta"], c(-1.57, -0.41), 2)
  expect_printed(tab["shortest_lower", "theta"], -2.76, 2)
  # The two randomised studies (k = 2), p. 33: Figure 6 prints mean -1.78 [-2.86, -0.69]
  # and prediction -1.78 [-3.25, -0.28]; the text P(mu < 0) = 0.9975.
  rct <- crins_bayes(es[c(1, 5), ])
  tab2 <- rct$posterior$summary
  expect_printed(tab2[c("median", "shortest_lower", "shortest_upper"), "mu"],
                 c(-1.78, -2.86, -0.69), 2)
  expect_printed(tab2[c("median", "shortest_lower", "shortest_upper"), "theta"],
                 c(-1.78, -3.25, -0.28), 2)
  expect_printed(rct$posterior$pmu(0), 0.9975, 4)
})

test_that("Roever (2020): the Turner et al. prior quantiles (p. 31) and the REML fit (p. 32)", {
  skip_if_not_installed("bayesmeta")
  # "surgical / device related success / failure", pharmacological vs. placebo / control:
  # tau quantiles 0.06233896 0.34300852 1.88734045.
  p <- prior_turner("surgical", "pharmacological vs. placebo / control")
  expect_printed(exp(stats::qnorm(c(0.025, 0.5, 0.975), p$location, p$scale) / 2),
                 c(0.06233896, 0.34300852, 1.88734045), 8)
  # p. 32: metafor's REML fit, mu = -1.591513; tau 0.4670268 and SE 0.3340882 are metafor's
  # at its default convergence threshold (1e-5): converged, both packages give 0.4670267
  # and 0.3340881 (checked against metafor in the last test).
  reml <- metapool(crins_es(), method = "REML")
  expect_printed(reml$estimate, -1.591513, 6)
  expect_printed(c(sqrt(reml$tau2), reml$se), c(0.4670267, 0.3340881), 7)
})

test_that("Roever (2020): the seven-digit figures for mu are bayesmeta's grid approximation", {
  skip_if_not_installed("bayesmeta")
  skip_if_not_installed("metafor")
  es <- crins_es()
  fit <- crins_bayes(es)
  post <- fit$posterior
  tab <- post$summary
  run_bm <- function(...) {
    bayesmeta::bayesmeta(es$yi, sqrt(es$vi), mu.prior.mean = 0, mu.prior.sd = 4,
                         tau.prior = function(t) bayesmeta::dhalfnormal(t, scale = 0.5), ...)
  }
  bm <- run_bm()
  fine <- run_bm(delta = 1e-4, epsilon = 1e-8)
  # Printed on p. 23 (mu, theta), p. 25 (P(mu > 0)) and pp. 27-28 (shrinkage of Heffron
  # 2003 and Gibelli 2004: mode, median, mean, sd, shortest 95% interval).
  printed <- list(
    mu = c(-1.5734819, -1.5764365, 0.3295301, -2.2311251, -0.9263075),
    theta = c(-1.5701653, 0.5671855, -2.7661319, -0.4072970),
    p_above = 6.187343e-05,
    heffron = c(-1.6711220, -1.7411356, -1.7778965, 0.4229425, -2.6561049, -0.9920023),
    gibelli = c(-1.3895876, -1.2821722, -1.2339736, 0.4488759, -2.0455088, -0.3089461)
  )
  shrink_rows <- c("mode", "median", "mean", "sd", "95% lower", "95% upper")
  grid <- function(b) list(
    mu = b$summary[c("median", "mean", "sd", "95% lower", "95% upper"), "mu"],
    theta = b$summary[c("median", "sd", "95% lower", "95% upper"), "theta"],
    p_above = 1 - b$pposterior(mu = 0),
    heffron = b$theta[shrink_rows, 1], gibelli = b$theta[shrink_rows, 2]
  )
  s <- post$shrinkage
  ours <- list(
    mu = tab[c("median", "mean", "sd", "shortest_lower", "shortest_upper"), "mu"],
    theta = tab[c("median", "sd", "shortest_lower", "shortest_upper"), "theta"],
    p_above = 1 - post$pmu(0),
    heffron = unlist(s[1, c("mode", "median", "mean", "sd", "shortest_lower", "shortest_upper")]),
    gibelli = unlist(s[2, c("mode", "median", "mean", "sd", "shortest_lower", "shortest_upper")])
  )
  at_default <- grid(bm)
  refined <- grid(fine)
  for (nm in names(printed)) {
    digits <- if (nm == "p_above") 11 else 7
    # bayesmeta at its default accuracy prints the paper's digits: same data, same priors
    expect_printed(at_default[[nm]], printed[[nm]], digits, label = nm)
    # refining its grid moves bayesmeta from the printed values towards metapool's
    err_printed <- abs(ours[[nm]] - printed[[nm]])
    err_refined <- abs(ours[[nm]] - refined[[nm]])
    expect_true(all(err_refined < err_printed), label = nm)
  }
  # ... and metapool's are the exact integrals of bayesmeta's own posterior density of tau
  # (helper-bayes.R), where the paper prints 6.187343e-05 for P(mu > 0).
  ref <- bm_reference(bm)
  expect_rel_equal(c(ours$mu[1:3], ours$p_above),
                   c(ref$quantile(0.5), ref$mean, ref$sd, 1 - ref$cdf(0)), 1e-6)
  ref1 <- bm_reference(bm, individual = 1)
  expect_rel_equal(ours$heffron[2:4], c(ref1$quantile(0.5), ref1$mean, ref1$sd), 1e-6)
  # The mode of tau: printed 0.2453139 (p. 23) is optimize()'s default tolerance; metapool's
  # 0.2453127 is the maximum of bayesmeta's own posterior density of tau.
  best <- stats::optimize(function(t) bm$dposterior(tau = t), c(0.1, 0.5), maximum = TRUE,
                          tol = 1e-12)$maximum
  expect_equal(tab[["mode", "tau"]], best, tolerance = 1e-7)
  expect_printed(bm$summary["mode", "tau"], 0.2453139, 7)
  # p. 32: metafor's REML at its default threshold prints 0.4670268 and 0.3340882; at a
  # strict threshold it agrees with metapool.
  strict <- metafor::rma(es$yi, es$vi, method = "REML", control = list(threshold = 1e-12))
  default <- metafor::rma(es$yi, es$vi, method = "REML")
  expect_printed(c(sqrt(default$tau2), default$se), c(0.4670268, 0.3340882), 7)
  reml <- metapool(es, method = "REML")
  expect_rel_equal(c(sqrt(reml$tau2), reml$se), c(sqrt(strict$tau2), strict$se), 1e-8)
  # p. 21: "ML joint" tau 0.32581341, mu -1.578262 is bayesmeta's numerical maximisation:
  # its mu is not the conditional maximum at its own tau (-1.578340). metapool's ML fit
  # agrees with metafor's converged ML fit.
  w <- 1 / (es$vi + 0.32581341^2)
  expect_printed(sum(w * es$yi) / sum(w), -1.578340, 6)
  ml <- metapool(es, method = "ML")
  ml_ref <- metafor::rma(es$yi, es$vi, method = "ML", control = list(threshold = 1e-12))
  expect_rel_equal(c(ml$tau2, ml$estimate), c(ml_ref$tau2, ml_ref$b), 1e-6)
})

# ---- Meta-regression and small-study effects (issue 14) ----

test_that("Viechtbauer (2010): BCG meta-regression on latitude and year, and its predictions", {
  # Viechtbauer W (2010). Conducting meta-analyses in R with the metafor package.
  # J Stat Softw 36(3). Mixed-effects model with absolute latitude and year (section
  # 3, "Mixed-effects models"), printed to 4 decimals, and the predicted risk ratios at
  # latitudes 10 to 60 in 1970 with credibility (prediction) intervals. metafor 1.4
  # stopped its REML iterations at a change in tau^2 below 1e-5, so the last printed
  # digit of QM and the intercept can differ by one from the converged values.
  es <- es_rr(tpos, tpos + tneg, cpos, cpos + cneg, data = bcg)
  fit <- metapool(es, mods = ~ ablat + year, data = bcg)
  expect_printed(c(fit$tau2, fit$tau2_se), c(0.1108, 0.0845), 4)
  expect_printed(c(fit$I2, fit$H2), c(71.98, 3.57), 2)
  expect_printed(c(fit$Q, fit$Q_p), c(28.3251, 0.0016), 4)
  expect_equal(fit$QM, 12.2043, tolerance = 5e-5)
  expect_printed(fit$QM_p, 0.0022, 4)
  expect_printed(coef(fit)[2:3], c(-0.0280, 0.0019), 4)
  expect_printed(fit$se[2:3], c(0.0102, 0.0147), 4)
  expect_printed(fit$stat[2:3], c(-2.7371, 0.1299), 4)
  expect_equal(unname(coef(fit)[1]), -3.5455, tolerance = 5e-5)
  pr <- predict(fit, newmods = cbind(seq(10, 60, 10), 1970), transf = exp)
  expect_printed(pr$pred, c(0.9345, 0.7062, 0.5337, 0.4033, 0.3048, 0.2303), 4)
  expect_printed(c(pr$pi_lb[1], pr$pi_ub[1]), c(0.4179, 2.0899), 4)
})

test_that("Raudenbush and Bryk (1985): teacher expectancy and weeks of prior contact", {
  # Raudenbush SW, Bryk AS (1985). Empirical Bayes meta-analysis. J Educ Stat 10:75-98.
  # Weeks of prior contact (capped at 3) as the moderator: tau^2 = 0, intercept .407,
  # slope -.157, residual Q = 16.58 on 17 df (pages 90 and 92; 16.57 when computed
  # from the rounded effects in their Table 1, as metadat gives them).
  d <- metadat::dat.raudenbush1985
  d$weeks_c <- pmin(d$weeks, 3)
  fit <- metapool(yi, vi, data = d, mods = ~ weeks_c)
  expect_identical(fit$tau2, 0)
  expect_printed(coef(fit), c(0.407, -0.157), 3)
  expect_equal(fit$Q, 16.58, tolerance = 0.01 / 16.58)
  expect_equal(fit$Q_df, 17)
})

# ---- Small-study effects: printed trim-and-fill, Egger's regression (issue 14) ----

test_that("Hackshaw et al. (1997): passive smoking and lung cancer, pooled and trimmed-and-filled", {
  # 37 studies of lung cancer in never-smoking women whose husbands smoked; metadat's
  # log odds ratios are back-calculated from the printed odds ratios and CIs.
  # Pooled (DerSimonian-Laird, as Hackshaw, Law and Wald 1997, BMJ 315:980-988): excess
  # risk 24% (95% CI 13% to 36%), abstract of Copas and Shi (2000), BMJ 320:417-418.
  # Trim-and-fill: abstract of a 2006 letter, Lung Cancer 51:245-246 (PubMed
  # 16386820): 7 studies filled (44 in all), adjusted relative risk 1.19 (1.08 to 1.31),
  # p = 0.0004, excess risk from 24% to 19%. The abstract names neither estimator nor
  # model: L0 and R0 both fill 7 here, and DerSimonian-Laird reproduces every printed
  # digit (REML gives p = 0.0003, a fixed-effect fit 1.17).
  d <- metadat::dat.hackshaw1998
  fit <- metapool(yi, vi, data = d, method = "DL")
  expect_printed(100 * (exp(c(fit$estimate, fit$ci_lb, fit$ci_ub)) - 1), c(24, 13, 36), 0)
  expect_lt(fit$p, 0.001)
  for (estimator in c("L0", "R0")) {
    tf <- trim_fill(fit, estimator = estimator)
    expect_identical(tf$side, "left")
    expect_identical(tf$k0, 7, label = estimator)
    expect_identical(tf$fit$k, 44L, label = estimator)
    expect_printed(exp(c(tf$fit$estimate, tf$fit$ci_lb, tf$fit$ci_ub)), c(1.19, 1.08, 1.31), 2,
                   label = estimator)
    expect_printed(tf$fit$p, 0.0004, 4, label = estimator)
    expect_printed(100 * (exp(tf$fit$estimate) - 1), 19, 0, label = estimator)
  }
})

test_that("Egger et al. (1997): the regression of standard normal deviates on precision", {
  # Egger M, Davey Smith G, Schneider M, Minder C (1997), BMJ 315:629-634, Methods:
  # ordinary least squares of y_i / se_i on 1 / se_i; the intercept measures asymmetry,
  # tested by t on k - 2 df. That is the weighted regression of y_i on se_i with a
  # multiplicative dispersion (smallstudy_test(model = "lm")), intercept and slope
  # swapped. Checked here with stats::lm() on the magnesium trials (dat.egger2001); the
  # paper's own intercepts are not reproduced (see the validation vignette).
  d <- metadat::dat.egger2001
  es <- es_or(ai, n1i, ci, n2i, data = d)
  eg <- smallstudy_test(metapool(es, method = "FE"), model = "lm")
  snd <- es$yi / sqrt(es$vi)
  precision <- 1 / sqrt(es$vi)
  radial <- summary(stats::lm(snd ~ precision))$coefficients
  expect_rel_equal(c(eg$fit$beta[[2]], eg$fit$se[[2]], eg$statistic, eg$p),
                   radial["(Intercept)", ], tol$closed_form)
  expect_rel_equal(c(eg$fit$beta[[1]], eg$fit$se[[1]]), radial["precision", 1:2], tol$closed_form)
  expect_identical(eg$df, nrow(d) - 2)
})
