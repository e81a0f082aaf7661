# The fit contract: every method on every kind of fit either answers (checked against
# metafor where metafor has the quantity) or raises a classed metapool_error.

fit_kinds <- function() {
  bcg_es <- es_rr(tpos, tpos + tneg, cpos, cpos + cneg, data = bcg, slab = paste(author, year))
  list(
    iv_reml = metapool(bcg_es),
    iv_subgroups = metapool(bcg_es, subgroup = alloc, data = bcg, method = "DL"),
    iv_common_tau2 = metapool(bcg_es, subgroup = alloc, data = bcg, common_tau2 = TRUE),
    iv_generic = metapool(yi = c(0.2, 0.5, 0.1, 0.4), sei = c(0.1, 0.2, 0.15, 0.12),
                          method = "DL"),
    mh_rr = metapool_mh(events1, n1, events2, n2, data = nielweise2007, slab = author,
                        measure = "RR"),
    mh_or_random = metapool_mh(events1, n1, events2, n2, data = nielweise2007, slab = author,
                               measure = "OR", model = "random", preset = "revman5"),
    mh_rd_subgroups = metapool_mh(tpos, tpos + tneg, cpos, cpos + cneg, data = bcg,
                                  subgroup = alloc, measure = "RD"),
    peto = metapool_mh(events1, n1, events2, n2, data = nielweise2007, method = "Peto"),
    metareg = metapool(bcg_es, mods = ~ ablat, data = bcg),
    metareg_formula = metapool(yi ~ factor(alloc) + year, vi, data = cbind(bcg, bcg_es[c("yi", "vi")]),
                               ci_method = "hksj"),
    bayes = metapool_bayes(bcg_es)
  )
}

refit_engines <- list(
  gosh = function(f) metapool_gosh(f),
  leave1out = function(f) metapool_leave1out(f),
  cumulative = function(f) metapool_cumulative(f),
  influence = function(f) metapool_influence(f),
  permutest = function(f) metapool_permutest(f, iter = 50, exact = FALSE),
  bootstrap = function(f) metapool_bootstrap(f, B = 20)
)

nnt_of <- function(f) nnt_ci(f, acr = 0.2)

methods_of <- function(f) {
  tmp <- tempfile(fileext = ".png")
  c(list(
    print = function(f) utils::capture.output(print(f)),
    summary = function(f) utils::capture.output(print(summary(f))),
    coef = coef, vcov = vcov, nobs = nobs, weights = weights, residuals = residuals,
    as.data.frame = as.data.frame,
    confint = function(f) confint(f), confint_level = function(f) confint(f, level = 90),
    predict = function(f) predict(f), predict_level = function(f) predict(f, level = 90),
    tidy = function(f) tidy.metapool(f, conf.level = 0.9), glance = glance.metapool,
    update = function(f) update(f, level = 99),
    forest_plot = function(f) forest_plot(f, file = tmp),
    funnel_plot = function(f) { grDevices::png(tmp); on.exit(grDevices::dev.off()); funnel_plot(f) },
    nnt = nnt_of
  ), refit_engines)
}

test_that("every method on every fit kind answers or raises a classed metapool_error", {
  for (kind in names(fits <- fit_kinds())) {
    f <- fits[[kind]]
    for (m in names(ms <- methods_of(f))) {
      result <- tryCatch(suppressWarnings(ms[[m]](f)), error = function(e) e)
      if (inherits(result, "error")) {
        expect(inherits(result, "metapool_error"),
               sprintf("%s on %s raised a bare error: %s", m, kind, conditionMessage(result)))
      } else {
        expect(!is.null(result), sprintf("%s on %s returned NULL", m, kind))
      }
    }
  }
})

test_that("refitting engines are not defined for M-H, Peto and subgroup fits: classed errors", {
  fits <- fit_kinds()
  for (kind in c("mh_rr", "mh_or_random", "peto", "iv_subgroups")) {
    for (e in names(refit_engines)) {
      expect_error(refit_engines[[e]](fits[[kind]]), class = "metapool_error_not_defined")
    }
  }
  for (e in setdiff(names(refit_engines), "permutest")) {
    expect_error(refit_engines[[e]](fits$metareg), "meta-regression", class = "metapool_error_not_defined")
    expect_error(refit_engines[[e]](fits$bayes), "Bayesian", class = "metapool_error_not_defined")
  }
  expect_error(nnt_of(fits$metareg), class = "metapool_error_not_defined")
  expect_error(forest_plot(fits$metareg), class = "metapool_error_not_defined")
  expect_error(predict(fits$mh_rr, tau2 = 0.1), class = "metapool_error_not_defined")
  expect_error(nnt_of(fits$iv_generic), class = "metapool_error")
})

test_that("confint(level =), predict(level =) and tidy(conf.level =) agree with metafor on every kind", {
  skip_if_not_installed("metafor")
  fits <- fit_kinds()
  bcg_es <- metafor::escalc("RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = bcg)
  ref <- list(
    iv_reml = metafor::rma(yi, vi, data = bcg_es, level = 90),
    iv_generic = metafor::rma(c(0.2, 0.5, 0.1, 0.4), sei = c(0.1, 0.2, 0.15, 0.12),
                              method = "DL", level = 90),
    mh_rr = suppressWarnings(metafor::rma.mh(ai = events1, n1i = n1, ci = events2, n2i = n2, data = nielweise2007,
                            measure = "RR", level = 90)),
    peto = suppressWarnings(metafor::rma.peto(ai = events1, n1i = n1, ci = events2, n2i = n2,
                             data = nielweise2007, level = 90))
  )
  for (kind in names(ref)) {
    f <- fits[[kind]]
    m <- ref[[kind]]
    ci <- confint(f, level = 90, back_transform = FALSE)
    # REML converges to metafor's tolerance (1e-5 on tau^2), so iterative limits agree to about 1e-5.
    rel <- if (kind == "iv_reml") 1e-5 else tol$closed_form
    expect_rel_equal(ci["estimate", c("ci_lb", "ci_ub")], c(m$ci.lb, m$ci.ub), rel)
    p <- predict(f, level = 90, back_transform = FALSE)
    expect_rel_equal(c(p$ci_lb, p$ci_ub), c(m$ci.lb, m$ci.ub), rel)
    td <- tidy.metapool(f, conf.level = 0.9)
    expect_rel_equal(td$conf.low[nrow(td)], m$ci.lb, rel)
    # The level change re-ran the same engine: the estimate is the fit's own.
    expect_equal(p$pred, f$estimate)
  }
  # Subgroup fits refit every subgroup at the new level.
  sub <- fits$iv_subgroups
  sub90 <- update(sub, level = 90)
  g <- metafor::rma(yi, vi, data = bcg_es, subset = alloc == "random", method = "DL", level = 90)
  expect_rel_equal(c(sub90$subgroups$random$ci_lb, sub90$subgroups$random$ci_ub),
                   c(g$ci.lb, g$ci.ub), tol$closed_form)
})

test_that("a meta-regression re-runs through its engine at a new level or with new options, as metafor", {
  skip_if_not_installed("metafor")
  fits <- fit_kinds()
  f <- fits$metareg
  bcg_es <- metafor::escalc("RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = bcg)
  # metafor's REML converged tightly, so the iterative limits agree to tol$iterative.
  m <- metafor::rma(yi, vi, mods = ~ ablat, data = bcg_es, level = 90,
                    control = list(threshold = 1e-12, maxiter = 1000))
  ci <- confint(f, level = 90)
  expect_rel_equal(unname(ci[1:2, "ci_lb"]), as.numeric(m$ci.lb), tol$iterative)
  expect_rel_equal(generics::tidy(f, conf.level = 0.9)$conf.high, as.numeric(m$ci.ub), tol$iterative)
  expect_rel_equal(predict(f, level = 90)$pi_ub, predict(m)$pi.ub, tol$iterative)
  expect_equal(f$level, 0.95)  # the fit itself is unchanged
  dl <- update(f, method = "DL", ci_method = "hksj")
  m_dl <- metafor::rma(yi, vi, mods = ~ ablat, data = bcg_es, method = "DL", test = "knha")
  expect_s3_class(dl, "metapool_reg")
  expect_rel_equal(c(dl$tau2, unname(dl$ci_lb)), c(m_dl$tau2, m_dl$ci.lb), tol$closed_form)
  expect_rel_equal(c(dl$QM, dl$QM_p), c(m_dl$QM, m_dl$QMp), tol$closed_form)
  # btt is an option of the engine too
  expect_equal(update(fits$metareg_formula, btt = 2)$btt, 2L)
})

test_that("update() changes options on the held studies and re-evaluates other arguments", {
  fits <- fit_kinds()
  f <- fits$iv_reml
  expect_equal(update(f, method = "DL")$tau2, metapool(f$yi, f$vi, method = "DL")$tau2)
  expect_equal(update(fits$mh_rr, model = "random")$estimate,
               metapool_mh(events1, n1, events2, n2, data = nielweise2007, measure = "RR",
                           model = "random")$estimate)
  # Arguments other than options re-evaluate the call, in the caller's frame (as stats::update()).
  bcg_es <- es_rr(tpos, tpos + tneg, cpos, cpos + cneg, data = bcg)
  sub <- metapool(bcg_es, subgroup = alloc, data = bcg, method = "DL")
  expect_equal(update(sub, subset = 1:10)$k, 10)
  no_call <- f
  no_call$call <- NULL
  expect_error(update(no_call, subset = 1:3), "keeps no call", class = "metapool_error_input")
  expect_error(update(f, method = "nope"), class = "metapool_error_input")
})

test_that("the M-H fit carries the CMH and Tarone tests, as metafor's rma.mh()", {
  skip_if_not_installed("metafor")
  for (d in list(bcg = list(a = bcg$tpos, n1 = bcg$tpos + bcg$tneg, c = bcg$cpos,
                            n2 = bcg$cpos + bcg$cneg),
                 nielweise = list(a = nielweise2007$events1, n1 = nielweise2007$n1,
                                  c = nielweise2007$events2, n2 = nielweise2007$n2))) {
    f <- metapool_mh(d$a, d$n1, d$c, d$n2, measure = "OR")
    m <- suppressWarnings(metafor::rma.mh(ai = d$a, n1i = d$n1, ci = d$c, n2i = d$n2, measure = "OR"))
    expect_rel_equal(c(f$tests$cmh, f$tests$cmh_p), c(m$MH, m$MHp), tol$closed_form)
    expect_rel_equal(c(f$tests$tarone, f$tests$tarone_p), c(m$TA, m$TAp), tol$closed_form)
  }
  expect_null(metapool_mh(events1, n1, events2, n2, data = nielweise2007, measure = "RR")$tests)
})

test_that("RevMan's M-H random model reports the SE of its DerSimonian-Laird tau^2", {
  f <- metapool_mh(tpos, tpos + tneg, cpos, cpos + cneg, data = bcg, measure = "RR",
                   model = "random", preset = "revman5")
  # Closed form (Viechtbauer 2007, as metafor's rma(method = "DL") computes it), with the
  # weights of the study estimates f$yi, f$vi.
  w <- 1 / f$vi
  k <- length(w)
  tr_p <- sum(w) - sum(w^2) / sum(w)
  tr_pp <- sum(w^2) - 2 * sum(w^3) / sum(w) + sum(w^2)^2 / sum(w)^2
  expect_equal(f$tau2_se, sqrt((2 * (k - 1) + 4 * f$tau2 * tr_p + 2 * f$tau2^2 * tr_pp) / tr_p^2),
               tolerance = 1e-12)
})

test_that("subset means the same for every input form; fractional row numbers are errors", {
  es <- es_rr(tpos, tpos + tneg, cpos, cpos + cneg, data = bcg)
  a <- metapool(es, subset = c(2, 5, 7))
  b <- metapool(es$yi, es$vi, subset = c(2, 5, 7))
  c <- metapool_mh(tpos, tpos + tneg, cpos, cpos + cneg, data = bcg, measure = "RR",
                   subset = c(2, 5, 7))
  expect_equal(a$yi, b$yi)
  expect_equal(a$rows, c(2L, 5L, 7L))
  expect_equal(c$rows, c(2L, 5L, 7L))
  bad <- c(1.5, 2, 3)
  expect_error(metapool(es, subset = bad), "whole row numbers", class = "metapool_error_input")
  expect_error(metapool(es$yi, es$vi, subset = bad), class = "metapool_error_input")
  expect_error(metapool_mh(tpos, tpos + tneg, cpos, cpos + cneg, data = bcg, subset = bad),
               class = "metapool_error_input")
  expect_error(es_rr(tpos, tpos + tneg, cpos, cpos + cneg, data = bcg, subset = bad),
               class = "metapool_error_input")
})

test_that("warnings leave the core as codes and arrive with their class", {
  expect_warning(metapool(yi = c(0.1, 0.5, 0.3), vi = c(0.01, 0.02, 0.03), method = "REML",
                          control = list(max_iter = 1)), class = "metapool_warning_convergence")
  expect_warning(metapool(yi = 0.2, vi = 0.01, ci_method = "t"), class = "metapool_warning_small_k")
  expect_warning(metapool_mh(c(0, 0), c(10, 10), c(0, 0), c(10, 10), measure = "RR"),
                 class = "metapool_warning_zero_cell")
  sim <- data.frame(g = rep(1:2, each = 3), yi = c(0.1, 0.5, 0.3, 0.2, 0.1, 0.4),
                    vi = c(0.01, 0.02, 0.03, 0.01, 0.01, 0.02))
  expect_warning(metapool_batch(sim, yi, vi, by = g, control = list(max_iter = 1)),
                 "of 2 fits", class = "metapool_warning_convergence")
})

test_that("a metapool() fit at k = 1 and 2 says what is undefined instead of NaN", {
  one <- metapool(yi = 0.4, sei = 0.2)
  expect_true(is.na(one$Q_p))
  expect_false(any(is.nan(unlist(as.data.frame(one)[-1]))))
  two <- metapool(yi = c(0.4, 0.1), sei = c(0.2, 0.1))
  expect_true(is.na(as.data.frame(two)$pi_lb))
  expect_false(is.nan(as.data.frame(two)$pi_lb))
  expect_output(print(two), "not defined for k < 3")
})

test_that("metapool() takes its preset from the effect sizes and says so", {
  smd <- es_smd(m1, sd1, n1, m2, sd2, n2, data = normand1999, preset = "revman5")
  f <- metapool(smd)
  expect_equal(f$method, "DL")
  expect_equal(f$ci_method, "z")
  expect_output(print(f), "Preset: revman5")
  expect_equal(metapool(smd, preset = "metafor")$method, "REML")
  expect_equal(metapool(smd, method = "PM")$method, "PM")
  expect_equal(metapool(es_smd(m1, sd1, n1, m2, sd2, n2, data = normand1999))$method, "REML")
})
