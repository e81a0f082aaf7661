# Meta-regression against metafor's rma(mods = ) on metadat datasets and random data.

# Datasets with moderators: effects from metafor's escalc(), complete cases of the
# moderators, and the moderator formula.
metareg_cases <- function() {
  md <- function(name) getExportedValue("metadat", name)
  cc <- function(d, vars) d[stats::complete.cases(d[c("yi", "vi", vars)]), ]
  bcg <- metafor::escalc("RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = md("dat.bcg"))
  bcg$alloc <- factor(bcg$alloc)
  col <- metafor::escalc("RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = md("dat.colditz1994"))
  bd <- md("dat.bangertdrowns2004")
  bd$grade <- factor(bd$grade)
  rd <- md("dat.raudenbush1985")
  rd$tester <- factor(rd$tester)
  mo <- metafor::escalc("ZCOR", ri = ri, ni = ni, data = md("dat.molloy2014"))
  mc <- metafor::escalc("ZCOR", ri = ri, ni = ni, data = md("dat.mcdaniel1994"))
  mc$type <- factor(mc$type)
  mc$struct <- factor(mc$struct)
  hk <- md("dat.hackshaw1998")
  hk$design <- factor(hk$design)
  cu <- metafor::escalc("ROM", m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i, n2i = n2i,
            data = md("dat.curtis1998"))
  cu$fungrp <- factor(cu$fungrp)
  bk <- md("dat.baskerville2012")
  bk$yi <- bk$smd
  bk$vi <- bk$se^2
  bk$blind <- factor(bk$blind)
  la <- metafor::escalc("OR", ai = n.cbt.non, bi = n.cbt.rec, ci = n.ctrl.non, di = n.ctrl.rec,
            data = md("dat.landenberger2005"))
  la$setting <- factor(la$setting)
  li <- metafor::escalc("RR", ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = md("dat.linde2005"))
  ko <- md("dat.konstantopoulos2011")
  le <- md("dat.lehmann2018")
  le$Preregistered <- factor(le$Preregistered)
  dn <- metafor::escalc("RR", ai = x.a, n1i = n.a, ci = x.p, n2i = n.p, data = md("dat.dorn2007"))
  cr <- metafor::escalc("ZCOR", ri = ri, ni = ni, data = md("dat.craft2003"))
  cr$sport <- factor(cr$sport)
  list(
    bcg_ablat = list(cc(bcg, "ablat"), ~ ablat),
    bcg_ablat_year = list(cc(bcg, c("ablat", "year")), ~ ablat + year),
    bcg_alloc = list(cc(bcg, "alloc"), ~ alloc),
    colditz_ablat_year = list(cc(col, c("ablat", "year")), ~ ablat * year),
    bangertdrowns_length = list(cc(bd, "length"), ~ length),
    bangertdrowns_grade_wic = list(cc(bd, c("grade", "wic")), ~ grade + wic),
    raudenbush_weeks = list(cc(rd, c("weeks", "tester")), ~ weeks + tester),
    molloy_quality = list(cc(mo, c("meanage", "quality")), ~ meanage + quality),
    mcdaniel_type = list(cc(mc, c("type", "struct")), ~ type + struct),
    hackshaw_year = list(cc(hk, c("year", "design")), ~ year + design),
    curtis_time = list(cc(cu, c("time", "fungrp")), ~ time + fungrp),
    baskerville_duration = list(cc(bk, c("duration", "blind")), ~ duration + blind),
    landenberger_setting = list(cc(la, c("length", "setting")), ~ length + setting),
    linde_baseline = list(cc(li, c("baseline", "dosage")), ~ baseline + dosage),
    # Centred: with year and year^2 raw, X'X has condition number ~1e22 and normal
    # equations (metafor's) keep only about 5 digits.
    konstantopoulos_year = list(cc(ko, "year"), ~ I(year - 1990) + I((year - 1990)^2)),
    lehmann_prereg = list(cc(le, c("Year", "Preregistered")), ~ Year + Preregistered),
    dorn_jadad = list(cc(dn, c("jadad", "days")), ~ jadad + days),
    craft_sport = list(cc(cr, "sport"), ~ sport)
  )
}

metafor_test <- c(z = "z", t = "t", hksj = "knha", hksj_adhoc = "adhoc")

# metafor's rma() with its convergence tightened (its default stops at a change in
# tau^2 of 1e-5), looser thresholds tried when its Fisher scoring oscillates.
rma_reg <- function(...) {
  cl <- match.call()
  cl[[1L]] <- quote(metafor::rma)
  for (threshold in c(1e-13, 1e-10, 1e-8)) {
    cl$control <- list(threshold = threshold, maxiter = 10000, tol = 1e-13)
    fit <- tryCatch(suppressWarnings(eval(cl, parent.frame())), error = function(e) NULL)
    if (!is.null(fit)) return(fit)
  }
  cl$control <- NULL
  suppressWarnings(eval(cl, parent.frame()))
}

expect_metareg_agrees <- function(ours, theirs, label) {
  # `label` names the case in failure messages.
  expect_rel_equal <- function(actual, expected, rel, floor = 0) {
    err <- max_rel_error(as.numeric(actual), as.numeric(expected), floor)
    expect(err <= rel, sprintf("%s (%s, %s): max relative error %.3g exceeds %.3g", label,
                               ours$method, ours$ci_method, err, rel))
  }
  rel <- if (ours$method %in% c("FE", "DL", "HE", "SJ", "HS", "HSk")) tol$closed_form else tol$iterative
  floor <- 1e-8
  expect_rel_equal(ours$tau2, theirs$tau2, rel, floor = 1e-7)
  expect_rel_equal(coef(ours), c(theirs$beta), rel, floor = floor)
  expect_rel_equal(ours$se, theirs$se, rel, floor = floor)
  expect_rel_equal(ours$stat, theirs$zval, rel, floor = floor)
  expect_rel_equal(ours$p, theirs$pval, rel, floor = 1e-12)
  expect_rel_equal(ours$ci_lb, theirs$ci.lb, rel, floor = floor)
  expect_rel_equal(ours$ci_ub, theirs$ci.ub, rel, floor = floor)
  expect_rel_equal(vcov(ours), theirs$vb, rel, floor = 1e-10)
  expect_rel_equal(ours$QM, theirs$QM, rel, floor = floor)
  expect_rel_equal(ours$QM_p, theirs$QMp, rel, floor = 1e-12)
  expect_rel_equal(ours$Q, theirs$QE, tol$closed_form)
  expect_rel_equal(ours$Q_p, theirs$QEp, tol$closed_form, floor = 1e-12)
  expect_rel_equal(ours$I2, theirs$I2, rel, floor = 1e-3)
  expect_rel_equal(ours$H2, theirs$H2, rel, floor = 1e-3)
  if (!is.null(theirs$R2)) expect_rel_equal(ours$R2, theirs$R2, rel, floor = 1e-4)
  if (ours$method %in% c("ML", "REML")) {
    expect_rel_equal(ours$loglik[[ours$method]], c(logLik(theirs)), rel)
  }
  if (!ours$method %in% c("FE")) expect_rel_equal(ours$tau2_se, theirs$se.tau2, rel, floor = floor)
}

test_that("meta-regression agrees with metafor::rma(mods = ) on 18 metadat datasets", {
  skip_if_not_installed("metafor")
  skip_if_not_installed("metadat")
  cases <- metareg_cases()
  for (nm in names(cases)) {
    case <- cases[[nm]]
    d <- case[[1L]]
    f <- case[[2L]]
    for (method in c("REML", "DL", "ML", "FE", "PM", "EB", "HE", "SJ", "HS", "HSk", "PMM", "DLIT")) {
      for (ci in c("z", "hksj")) {
        theirs <- rma_reg(yi, vi, mods = f, data = d, method = method, test = metafor_test[[ci]])
        ours <- metapool(d$yi, d$vi, data = d, mods = f, method = method, ci_method = ci)
        expect_metareg_agrees(ours, theirs, nm)
      }
    }
  }
})

test_that("t and ad hoc tests, btt, and the two-sided formula agree with metafor", {
  skip_if_not_installed("metafor")
  d <- metareg_cases()$bcg_ablat_year[[1L]]
  for (ci in c("t", "hksj_adhoc")) {
    theirs <- rma_reg(yi, vi, mods = ~ ablat + year, data = d, test = metafor_test[[ci]])
    ours <- metapool(yi ~ ablat + year, vi, data = d, ci_method = ci)
    expect_metareg_agrees(ours, theirs, ci)
    expect_equal(ours$QM_df, theirs$QMdf)
  }
  theirs <- rma_reg(yi, vi, mods = ~ ablat + year, data = d, btt = 3)
  ours <- metapool(yi ~ ablat + year, vi, data = d, btt = 3)
  expect_rel_equal(ours$QM, theirs$QM, tol$iterative)
  expect_rel_equal(metapool(yi ~ ablat + year, vi, data = d, btt = "year")$QM, theirs$QM, tol$iterative)
  # No intercept
  theirs <- rma_reg(yi, vi, mods = ~ alloc - 1, data = metareg_cases()$bcg_alloc[[1L]])
  ours <- metapool(yi, vi, mods = ~ alloc - 1, data = metareg_cases()$bcg_alloc[[1L]])
  expect_metareg_agrees(ours, theirs, "no intercept")
})

test_that("tau^2 confidence intervals agree with confint(rma) (Q-profile and profile likelihood)", {
  skip_if_not_installed("metafor")
  cases <- metareg_cases()
  for (nm in c("bcg_ablat", "molloy_quality", "raudenbush_weeks", "curtis_time")) {
    case <- cases[[nm]]
    d <- case[[1L]]
    theirs <- rma_reg(yi, vi, mods = case[[2L]], data = d)
    ours <- metapool(d$yi, d$vi, mods = case[[2L]], data = d)
    ci <- suppressWarnings(confint(theirs, type = "QP", control = list(tol = 1e-13, maxiter = 10000))$random["tau^2", ])
    expect_rel_equal(c(ours$tau2_lb, ours$tau2_ub), ci[2:3], 1e-4, floor = 1e-6)
    ours_pl <- metapool(d$yi, d$vi, mods = case[[2L]], data = d, tau2_ci = "PL")
    ci_pl <- suppressWarnings(confint(theirs, type = "PL", control = list(tol = 1e-13, maxiter = 10000))$random["tau^2", ])
    expect_rel_equal(c(ours_pl$tau2_lb, ours_pl$tau2_ub), ci_pl[2:3], 1e-4, floor = 1e-6)
  }
})

test_that("predict() agrees with metafor, with newmods as numbers, a matrix or a data frame", {
  skip_if_not_installed("metafor")
  d <- metareg_cases()$bcg_ablat_year[[1L]]
  for (ci in c("z", "hksj")) {
    theirs <- rma_reg(yi, vi, mods = ~ ablat + year, data = d, test = metafor_test[[ci]])
    ours <- metapool(d$yi, d$vi, mods = ~ ablat + year, data = d, ci_method = ci)
    nm <- cbind(c(10, 30, 50), c(1950, 1970, 1980))
    p1 <- predict(theirs, newmods = nm, transf = exp)
    p2 <- predict(ours, newmods = nm, transf = exp)
    expect_rel_equal(p2$pred, p1$pred, tol$iterative)
    expect_rel_equal(c(p2$ci_lb, p2$ci_ub), c(p1$ci.lb, p1$ci.ub), tol$iterative)
    expect_rel_equal(c(p2$pi_lb, p2$pi_ub), c(p1$pi.lb, p1$pi.ub), tol$iterative)
    p3 <- predict(ours, newmods = data.frame(ablat = c(10, 30, 50), year = c(1950, 1970, 1980)))
    expect_rel_equal(exp(p3$pred), p1$pred, tol$iterative)
    # Fitted values
    expect_rel_equal(predict(ours)$pred, fitted(theirs), tol$iterative)
  }
  # A factor in newmods
  d2 <- metareg_cases()$bcg_alloc[[1L]]
  theirs <- rma_reg(yi, vi, mods = ~ alloc, data = d2)
  ours <- metapool(d2$yi, d2$vi, mods = ~ alloc, data = d2)
  p1 <- predict(theirs, newmods = rbind(c(1, 0), c(0, 0)))
  p2 <- predict(ours, newmods = data.frame(alloc = c("random", "alternate")))
  expect_rel_equal(p2$pred, p1$pred, tol$iterative)
})

test_that("anova(): LRT of nested models and Wald tests of combinations agree with metafor", {
  skip_if_not_installed("metafor")
  cases <- metareg_cases()
  for (nm in c("bcg_ablat_year", "bangertdrowns_grade_wic", "molloy_quality")) {
    case <- cases[[nm]]
    d <- case[[1L]]
    full_t <- rma_reg(yi, vi, mods = case[[2L]], data = d, method = "ML")
    red_t <- rma_reg(yi, vi, data = d, method = "ML")
    full <- metapool(d$yi, d$vi, mods = case[[2L]], data = d, method = "ML")
    red <- metapool(d$yi, d$vi, method = "ML")
    a_t <- stats::anova(full_t, red_t)
    a <- anova(full, red)
    expect_rel_equal(a$stat, a_t$LRT, tol$iterative)
    expect_rel_equal(a$p, a_t$pval, tol$iterative)
    expect_rel_equal(a$loglik, c(a_t$fit.stats.f[["ll"]], a_t$fit.stats.r[["ll"]]), tol$iterative)
    expect_rel_equal(a$AIC, c(a_t$fit.stats.f[["AIC"]], a_t$fit.stats.r[["AIC"]]), tol$iterative)
    # A linear combination
    p <- length(coef(full))
    L <- rbind(c(0, 1, rep(0, p - 2)), c(1, rep(0.5, p - 1)))
    w_t <- stats::anova(full_t, X = L)
    w <- anova(full, L = L)
    expect_rel_equal(w$combinations$estimate, c(w_t$Xb), tol$iterative)
    expect_rel_equal(w$combinations$se, w_t$se, tol$iterative)
    expect_rel_equal(w$stat, w_t$QM, tol$iterative)
    expect_rel_equal(w$p, w_t$QMp, tol$iterative)
  }
})

test_that("permutation test agrees with metafor::permutest() (exact and random with the same seed)", {
  skip_if_not_installed("metafor")
  # Six studies with distinct latitudes: 720 permutations, so both test exactly.
  d <- metareg_cases()$bcg_ablat[[1L]][c(1, 2, 3, 5, 7, 9), ]
  theirs <- metafor::permutest(rma_reg(yi, vi, mods = ~ ablat, data = d), progbar = FALSE)
  ours <- metapool_permutest(metapool(d$yi, d$vi, mods = ~ ablat, data = d))
  expect_true(ours$exact)
  expect_equal(ours$iter, 720)
  expect_rel_equal(ours$p, theirs$QMp, tol$iterative)
  expect_rel_equal(ours$coef_p, theirs$pval, tol$iterative)
  d <- metareg_cases()$bcg_ablat_year[[1L]]
  set.seed(42)
  theirs <- metafor::permutest(rma_reg(yi, vi, mods = ~ ablat + year, data = d), iter = 200,
                               progbar = FALSE)
  set.seed(42)
  ours <- metapool_permutest(metapool(d$yi, d$vi, mods = ~ ablat + year, data = d), iter = 200)
  expect_false(ours$exact)
  expect_rel_equal(ours$p, theirs$QMp, tol$exact)
  expect_rel_equal(ours$coef_p, theirs$pval, tol$exact)
})

test_that("random designs, k from 3 to 500 and p from 2 to 6, agree with metafor", {
  skip_if_not_installed("metafor")
  set.seed(20261202)
  for (rep in 1:30) {
    p <- sample(2:6, 1)
    k <- sample(c(p + 2, 10, 25, 60, 200, 500), 1)
    X <- matrix(stats::rnorm(k * (p - 1)), k, p - 1)
    vi <- stats::runif(k, 0.01, 0.5)
    yi <- drop(X %*% stats::rnorm(p - 1, 0, 0.3)) + stats::rnorm(k, 0, sqrt(vi + 0.1))
    for (method in c("REML", "DL", "PM")) {
      theirs <- rma_reg(yi, vi, mods = X, method = method)
      ours <- metapool(yi, vi, mods = X, method = method)
      expect_metareg_agrees(ours, theirs, sprintf("random k = %d p = %d", k, p))
    }
  }
})

test_that("bad moderators give classed errors", {
  d <- data.frame(yi = c(0.1, 0.3, 0.2, 0.5, 0.4, 0.0), vi = c(0.01, 0.02, 0.03, 0.01, 0.02, 0.05),
                  x = c(1, 2, NA, 4, 5, 6), z = c(1, 2, 3, 4, 5, 6),
                  g = c("a", "b", "a", "b", "a", "b"), stringsAsFactors = FALSE)
  expect_error(metapool(yi, vi, mods = ~ x, data = d), class = "metapool_error_input",
               regexp = "mods.*missing")
  fit <- metapool(yi, vi, mods = ~ x, data = d, na.action = "na.omit")
  expect_equal(fit$k, 5L)
  expect_equal(fit$omitted, 3L)
  expect_error(metapool(yi, vi, mods = ~ z + I(2 * z), data = d), class = "metapool_error_input",
               regexp = "I\\(2 \\* z\\)")
  expect_error(metapool(yi, vi, mods = ~ g, data = d), class = "metapool_error_input",
               regexp = "character")
  expect_error(metapool(yi, vi, mods = ~ z + I(z^2) + I(z^3) + I(z^4) + I(z^5), data = d),
               class = "metapool_error_input", regexp = "coefficients")
  expect_error(metapool(yi ~ z, vi, data = d, mods = ~ z), class = "metapool_error_input")
  expect_error(metapool(yi, vi, mods = "z", data = d), class = "metapool_error_input")
  fit <- metapool(yi, vi, mods = ~ z, data = d)
  expect_error(predict(fit, newmods = cbind(1, 2, 3)), class = "metapool_error_input")
  expect_error(anova(fit, L = c(1, 2, 3)), class = "metapool_error_input")
})

test_that("print, confint and bubble_plot work", {
  es <- es_rr(tpos, tpos + tneg, cpos, cpos + cneg, data = bcg, slab = paste(author, year))
  fit <- metapool(es, mods = ~ ablat, data = bcg)
  out <- capture.output(print(fit))
  expect_true(any(grepl("Test of moderators", out)))
  expect_true(any(grepl("ablat", out)))
  ci <- confint(fit)
  expect_equal(rownames(ci), c("intrcpt", "ablat", "tau2"))
  file <- tempfile(fileext = ".png")
  grDevices::png(file)
  line <- bubble_plot(fit, transf = exp)
  grDevices::dev.off()
  expect_gt(file.size(file), 1000)
  expect_equal(nrow(line), 100L)
})

test_that("compare_metafor() and as_metapool() cover meta-regression and small-study results", {
  skip_if_not_installed("metafor")
  d <- metareg_cases()$bcg_ablat_year[[1L]]
  for (ci in c("z", "hksj")) {
    fit <- metapool(d$yi, d$vi, mods = ~ ablat + year, data = d, ci_method = ci)
    cmp <- compare_metafor(fit)
    expect_true(all(cmp$agree, na.rm = TRUE))
    expect_true(any(grepl("^b\\[ablat\\]", cmp$quantity)))
  }
  m <- rma_reg(yi, vi, mods = ~ ablat + year, data = d, test = "knha")
  back <- as_metapool(m)
  expect_s3_class(back, "metapool_reg")
  expect_rel_equal(coef(back), c(m$beta), tol$iterative)
  expect_rel_equal(back$QM, m$QM, tol$iterative)
  rt <- as_metapool(metafor::regtest(m))
  expect_s3_class(rt, "mp_smallstudy")
  expect_equal(rt$statistic, metafor::regtest(m)$zval)
  rk <- as_metapool(metafor::ranktest(d$yi, d$vi))
  expect_equal(rk$p, metafor::ranktest(d$yi, d$vi)$pval)
  tf <- as_metapool(metafor::trimfill(metafor::rma(yi, vi, data = d)))
  expect_s3_class(tf, "mp_trimfill")
  expect_equal(sum(tf$fit$filled), tf$k0)
  fs <- as_metapool(metafor::fsn(d$yi, d$vi))
  expect_equal(fs$fsn, metafor::fsn(d$yi, d$vi)$fsnum)
})

test_that("metapool_batch(mods = ) gives each group's meta-regression", {
  set.seed(3)
  sim <- data.frame(rep = rep(1:20, each = 12), x = rnorm(240), vi = runif(240, 0.02, 0.3))
  sim$yi <- 0.2 + 0.3 * sim$x + rnorm(240, 0, sqrt(sim$vi + 0.05))
  res <- metapool_batch(sim, yi, vi, by = rep, mods = ~ x)
  expect_equal(nrow(res), 20L)
  for (g in c(1, 7, 20)) {
    s <- sim[sim$rep == g, ]
    one <- metapool(s$yi, s$vi, mods = ~ x, data = s)
    expect_rel_equal(c(res$b_intrcpt[g], res$b_x[g]), coef(one), tol$exact * 100)
    expect_rel_equal(c(res$tau2[g], res$QM[g], res$QE[g], res$se_x[g], res$p_x[g]),
                     c(one$tau2, one$QM, one$Q, one$se[[2]], one$p[[2]]), tol$exact * 100, floor = 1e-12)
  }
  expect_error(metapool_batch(sim, yi, vi, by = rep, mods = ~ nope), class = "metapool_error_input")
})

test_that("an ill-conditioned design (raw calendar years) keeps its digits", {
  # With year and year^2 uncentred, X'X has condition number ~1e22: normal equations
  # (metafor's) lose about five digits of QE. metapool works in an orthonormal basis of
  # the columns, so its fit equals that of the centred (well-conditioned) design.
  skip_if_not_installed("metadat")
  d <- metadat::dat.konstantopoulos2011
  for (method in c("FE", "REML", "DL")) {
    raw <- metapool(yi, vi, data = d, mods = ~ year + I(year^2), method = method)
    centred <- metapool(yi, vi, data = d, mods = ~ I(year - 1990) + I((year - 1990)^2), method = method)
    expect_rel_equal(raw$Q, centred$Q, 1e-11)
    expect_rel_equal(raw$tau2, centred$tau2, 1e-9)
    expect_rel_equal(raw$QM, centred$QM, 1e-9)
    expect_rel_equal(fitted(raw), fitted(centred), 1e-9)
  }
  w <- 1 / d$vi
  X <- stats::model.matrix(~ year + I(year^2), d)
  qe_qr <- sum(w * stats::lm.wfit(X, d$yi, w)$residuals^2)
  expect_rel_equal(metapool(yi, vi, data = d, mods = ~ year + I(year^2), method = "FE")$Q, qe_qr, 1e-11)
})

test_that("confint() of a meta-regression: parm by name or number, transf, classed errors", {
  es <- es_rr(tpos, tpos + tneg, cpos, cpos + cneg, data = bcg)
  fit <- metapool(es, mods = ~ ablat, data = bcg)
  ci <- confint(fit)
  # the chosen coefficients, then tau^2 as it is
  expect_equal(confint(fit, parm = "ablat"), ci[c("ablat", "tau2"), ])
  expect_equal(confint(fit, parm = 2, transf = exp),
               rbind(exp(ci["ablat", , drop = FALSE]), ci["tau2", , drop = FALSE]))
  expect_error(confint(fit, parm = "latitude"), "`parm`", class = "metapool_error_input")
  expect_error(confint(fit, parm = 3), "`parm`", class = "metapool_error_input")
  expect_error(confint(fit, transf = "exp"), "`transf`", class = "metapool_error_input")
})
