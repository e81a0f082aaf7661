# metapool_bayes() against bayesmeta (Roever 2020): its own examples and metadat
# datasets with k from 1 to 48, under every family of tau prior.

es_of <- metafor::escalc

bayes_cases <- function() {
  dat <- function(name) getExportedValue("metadat", name)
  bcg <- dat("dat.bcg")
  bcg_es <- es_of(measure = "RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = bcg)
  env <- new.env()
  utils::data("CrinsEtAl2014", package = "bayesmeta", envir = env)
  crins <- env$CrinsEtAl2014
  crins_es <- es_of(measure = "OR", ai = exp.AR.events, n1i = exp.total, ci = cont.AR.events,
                    n2i = cont.total, data = crins)
  hine <- es_of(measure = "RD", ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = dat("dat.hine1989"))
  normand <- es_of(measure = "MD", m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i, n2i = n2i,
                   data = dat("dat.normand1999"))
  niel <- es_of(measure = "OR", ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = dat("dat.nielweise2007"))
  li <- es_of(measure = "OR", ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = dat("dat.li2007"))
  lee <- es_of(measure = "OR", ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = dat("dat.lee2004"))
  molloy <- es_of(measure = "ZCOR", ri = ri, ni = ni, data = dat("dat.molloy2014"))
  hart <- es_of(measure = "IRR", x1i = x1i, t1i = t1i, x2i = x2i, t2i = t2i,
                data = dat("dat.hart1999"))
  hack <- dat("dat.hackshaw1998")
  bd <- dat("dat.bangertdrowns2004")
  bd <- bd[!is.na(bd$yi), ]
  hn <- function(s) list(ours = prior_half_normal(s), bm = function(t) bayesmeta::dhalfnormal(t, s))
  utils::data("HinksEtAl2010", package = "bayesmeta", envir = env)
  hinks <- env$HinksEtAl2010
  # bayesmeta's help example for CrinsEtAl2014: the two randomised studies, with the
  # posterior of tau from the four non-randomised ones (half-Cauchy(1)) as their prior.
  rand <- crins$randomized == "yes"
  nonrand_ours <- metapool_bayes(yi = crins_es$yi[!rand], vi = crins_es$vi[!rand],
                                 tau_prior = prior_half_cauchy(1), shrinkage = FALSE)
  nonrand_bm <- bayesmeta::bayesmeta(crins_es$yi[!rand], sqrt(crins_es$vi[!rand]),
                                     tau.prior = function(t) bayesmeta::dhalfcauchy(t, 1))
  turner <- bayesmeta::TurnerEtAlPrior("infection / onset of new disease",
                                       "non-pharmacological", "placebo / control")
  list(
    list(name = "BCG, k = 1, half-Cauchy", y = bcg_es$yi[1], v = bcg_es$vi[1],
         tau = list(ours = prior_half_cauchy(0.5), bm = function(t) bayesmeta::dhalfcauchy(t, 0.5))),
    list(name = "BCG, k = 2, half-normal", y = bcg_es$yi[1:2], v = bcg_es$vi[1:2], tau = hn(0.5)),
    list(name = "BCG, k = 3, Jeffreys", y = bcg_es$yi[1:3], v = bcg_es$vi[1:3],
         tau = list(ours = prior_jeffreys(), bm = "Jeffreys")),
    list(name = "Crins (bayesmeta example), half-normal, normal mu", y = crins_es$yi,
         v = crins_es$vi, tau = hn(0.5), mu = c(0, 4)),
    list(name = "Crins, Turner et al. prior (bayesmeta example)", y = crins_es$yi,
         v = crins_es$vi,
         tau = list(ours = prior_turner("infection", "non-pharmacological vs. placebo"),
                    bm = turner$dprior), mu = c(0, 4)),
    list(name = "Crins, half-Cauchy(1) (bayesmeta example)", y = crins_es$yi, v = crins_es$vi,
         tau = list(ours = prior_half_cauchy(1), bm = function(t) bayesmeta::dhalfcauchy(t, 1))),
    list(name = "Crins randomised, k = 2, prior from the non-randomised (bayesmeta example)",
         y = crins_es$yi[rand], v = crins_es$vi[rand],
         tau = list(ours = function(t) nonrand_ours$posterior$dtau(t),
                    bm = function(t) nonrand_bm$dposterior(tau = t))),
    list(name = "Hinks 2010 (bayesmeta example), k = 3, half-normal 1", y = hinks$log.or,
         v = hinks$log.or.se^2, tau = hn(1)),
    list(name = "Hine 1989 (RD), k = 6, half-normal 0.1", y = hine$yi, v = hine$vi, tau = hn(0.1)),
    list(name = "Normand 1999 (MD), k = 9, uniform", y = normand$yi, v = normand$vi,
         tau = list(ours = prior_uniform(), bm = "uniform")),
    list(name = "BCG, k = 13, half-t", y = bcg_es$yi, v = bcg_es$vi,
         tau = list(ours = prior_half_t(3, 0.5), bm = function(t) bayesmeta::dhalft(t, 3, 0.5)),
         mu = c(0, 2)),
    list(name = "Molloy 2014 (ZCOR), k = 16, uniform(0, 1)", y = molloy$yi, v = molloy$vi,
         tau = list(ours = prior_uniform(1), bm = function(t) stats::dunif(t, 0, 1))),
    list(name = "Lee 2004, k = 16, user density", y = lee$yi, v = lee$vi,
         tau = list(ours = function(t) stats::dexp(t, 2), bm = function(t) stats::dexp(t, 2))),
    list(name = "Niel-Weise 2007, k = 18, half-normal 1", y = niel$yi, v = niel$vi, tau = hn(1)),
    list(name = "Hart 1999 (IRR), k = 6, half-normal", y = hart$yi, v = hart$vi, tau = hn(0.5)),
    list(name = "Li 2007, k = 22, Jeffreys", y = li$yi, v = li$vi,
         tau = list(ours = prior_jeffreys(), bm = "Jeffreys")),
    list(name = "Hackshaw 1998, k = 37, half-Cauchy, normal mu", y = hack$yi, v = hack$vi,
         tau = list(ours = prior_half_cauchy(0.5), bm = function(t) bayesmeta::dhalfcauchy(t, 0.5)),
         mu = c(0, 1)),
    list(name = "Bangert-Drowns 2004 (SMD), k = 48, half-normal", y = bd$yi, v = bd$vi,
         tau = hn(0.5))
  )
}

fit_pair <- function(case) {
  mu <- case$mu
  fit <- metapool_bayes(yi = case$y, vi = case$v, tau_prior = case$tau$ours,
                        mu_prior = if (is.null(mu)) "uniform" else prior_normal(mu[1], mu[2]))
  bm <- suppressWarnings(bayesmeta::bayesmeta(
    case$y, sqrt(case$v), tau.prior = case$tau$bm,
    mu.prior.mean = if (is.null(mu)) NA else mu[1], mu.prior.sd = if (is.null(mu)) NA else mu[2]))
  list(fit = fit, bm = bm)
}

have_references <- requireNamespace("bayesmeta", quietly = TRUE) &&
  requireNamespace("metadat", quietly = TRUE) && requireNamespace("metafor", quietly = TRUE)
test_that("bayesmeta, metadat and metafor are installed for the agreement tests", {
  skip_if_not(have_references, "bayesmeta, metadat or metafor missing")
  expect_true(have_references)
})

for (case in if (have_references) bayes_cases()) test_that(paste("agreement with bayesmeta:", case$name), {
  {
    p <- fit_pair(case)
    fit <- p$fit
    bm <- p$bm
    post <- fit$posterior
    tab <- post$summary
    # tau: bayesmeta integrates its posterior density exactly.
    expect_rel_equal(post$qtau(c(0.025, 0.5, 0.975)), bm$qposterior(tau.p = c(0.025, 0.5, 0.975)),
                     1e-6, floor = 1e-4)
    expect_rel_equal(post$dtau(c(0.1, 0.3)), bm$dposterior(tau = c(0.1, 0.3)), 1e-6)
    if (is.finite(tab["sd", "tau"])) {
      expect_rel_equal(tab[c("mean", "sd"), "tau"], bm$summary[c("mean", "sd"), "tau"], 1e-6)
    }
    # mu, a new study's effect and the first and last studies' shrinkage estimates.
    checks <- list(list(ref = bm_reference(bm), col = "mu"),
                   list(ref = bm_reference(bm, predict = TRUE), col = "theta"))
    for (ch in checks) {
      ref <- ch$ref
      expect_rel_equal(tab[c("lower", "median", "upper"), ch$col],
                       vapply(c(0.025, 0.5, 0.975), ref$quantile, numeric(1)), 1e-6, floor = 1e-3)
      if (is.finite(tab["sd", ch$col])) {
        expect_rel_equal(tab[c("mean", "sd"), ch$col], c(ref$mean, ref$sd), 1e-6, floor = 1e-3)
      }
    }
    for (i in unique(c(1L, length(case$y)))) {
      ref <- bm_reference(bm, individual = i)
      s <- post$shrinkage[i, ]
      expect_rel_equal(c(s$mean, s$sd, s$median), c(ref$mean, ref$sd, ref$quantile(0.5)), 1e-6,
                       floor = 1e-3)
    }
    # Bayes factors and marginal likelihood, where bayesmeta has them (both priors proper).
    if (!is.na(bm$marginal.likelihood)) {
      expect_rel_equal(post$marginal_likelihood, bm$marginal.likelihood, 1e-6)
      expect_rel_equal(post$bayes_factor[c("tau0", "mu0")], bm$bayesfactor["actual", c("tau=0", "mu=0")],
                       1e-6)
    }
    # bayesmeta's grid-based summaries, at their own accuracy (delta = 0.01).
    expect_rel_equal(tab["median", c("mu", "theta")], bm$summary["median", c("mu", "theta")],
                     2e-3, floor = 0.05)
    # Shortest intervals: mass `level` with equal densities at both ends.
    expect_shortest(tab["shortest_lower", "mu"], tab["shortest_upper", "mu"], post$dmu, post$pmu, 0.95)
    expect_shortest(tab["shortest_lower", "tau"], tab["shortest_upper", "tau"], post$dtau, post$ptau,
                    0.95)
  }
})

# bayesmeta's integrals fail on the log-t prior of Rhodes et al. (its density is infinite
# at tau = 0: "extremely bad integrand behaviour"), so this case is checked against a
# hand computation: the closed-form likelihood with mu integrated out, bayesmeta's
# RhodesEtAlPrior() density, and R's integrate() over log(tau), where the singularity
# at tau = 0 disappears.
test_that("Rhodes et al. prior: Raudenbush 1985 (SMD, k = 19) against a hand computation", {
  skip_if_not(have_references, "bayesmeta, metadat or metafor missing")
  raud <- getExportedValue("metadat", "dat.raudenbush1985")
  y <- raud$yi
  v <- raud$vi
  prior <- bayesmeta::RhodesEtAlPrior("mental health outcome", "non-pharmacological",
                                      "placebo / control")
  cond <- function(tau) {
    w <- 1 / (v + tau^2)
    m <- sum(w * y) / sum(w)
    list(mean = m, sd = sqrt(1 / sum(w)),
         loglik = -0.5 * (sum(log(v + tau^2)) + log(sum(w)) + sum(w * (y - m)^2)))
  }
  shift <- cond(0.1)$loglik
  dens_u <- Vectorize(function(u) {
    t <- exp(u)
    if (t == 0 || t > 1e100) return(0)  # tails of no mass (and tau^2 overflow)
    prior$dprior(t) * t * exp(cond(t)$loglik - shift)
  })
  z <- stats::integrate(dens_u, -Inf, Inf, rel.tol = 1e-12)$value
  ptau <- function(t) stats::integrate(dens_u, -Inf, log(t), rel.tol = 1e-12)$value / z
  pmu <- function(x) {
    stats::integrate(Vectorize(function(u) {
      if (exp(u) == 0 || exp(u) > 1e100) return(0)
      cm <- cond(exp(u))
      dens_u(u) * stats::pnorm(x, cm$mean, cm$sd)
    }), -Inf, Inf, rel.tol = 1e-12)$value / z
  }
  fit <- metapool_bayes(yi = y, vi = v, tau_prior = prior_rhodes("mental health", "non-pharmacological"))
  q <- fit$posterior$summary[c("lower", "median", "upper"), c("tau", "mu")]
  expect_rel_equal(vapply(q[, "tau"], ptau, numeric(1)), c(0.025, 0.5, 0.975), 1e-6)
  expect_rel_equal(vapply(q[, "mu"], pmu, numeric(1)), c(0.025, 0.5, 0.975), 1e-6)
  expect_equal(fit$posterior$dtau(0), Inf)
  expect_identical(fit$posterior$summary[["mode", "tau"]], 0)
})

test_that("closures, fields and the fit contract agree with the posterior table", {
  fit <- metapool_bayes(yi = c(-0.3, -0.6, 0.1), sei = c(0.2, 0.3, 0.25),
                        tau_prior = prior_half_normal(0.5), level = 90)
  tab <- fit$posterior$summary
  expect_s3_class(fit, c("metapool_bayes", "metapool"))
  expect_equal(fit$estimate, tab[["median", "mu"]])
  expect_equal(c(fit$ci_lb, fit$ci_ub), unname(tab[c("lower", "upper"), "mu"]))
  expect_equal(c(fit$pi_lb, fit$pi_ub), unname(tab[c("lower", "upper"), "theta"]))
  expect_equal(fit$tau2, tab[["median", "tau"]]^2)
  expect_equal(fit$posterior$pmu(fit$ci_lb), 0.05, tolerance = 1e-9)
  expect_equal(fit$posterior$ptau(fit$posterior$qtau(0.3)), 0.3, tolerance = 1e-9)
  expect_equal(fit$posterior$qpred(0.95), fit$pi_ub, tolerance = 1e-12)
  expect_equal(fit$posterior$pstudy(fit$posterior$qstudy(0.2, 2), 2), 0.2, tolerance = 1e-9)
  # densities integrate to one
  expect_equal(stats::integrate(fit$posterior$dmu, -Inf, Inf)$value, 1, tolerance = 1e-6)
  expect_equal(stats::integrate(fit$posterior$dtau, 0, Inf)$value, 1, tolerance = 1e-6)
  expect_equal(fit$prob_benefit, fit$posterior$pmu(0))
  short <- metapool_bayes(yi = c(-0.3, -0.6, 0.1), sei = c(0.2, 0.3, 0.25), interval = "shortest")
  expect_equal(short$ci_lb, short$posterior$summary[["shortest_lower", "mu"]])
  # confint() and predict() at another level re-run the fit
  ci <- confint(fit, level = 95)
  expect_equal(ci["mu", "ci_lb"], fit$posterior$qmu(0.025), tolerance = 1e-9)
  expect_equal(predict(fit, level = 95)$pi_ub, fit$posterior$qpred(0.975), tolerance = 1e-9)
})

test_that("input routes: mp_es, escalc and a metapool fit give the same posterior", {
  es <- es_rr(tpos, tpos + tneg, cpos, cpos + cneg, data = bcg[1:4, ], slab = paste(author, year))
  a <- metapool_bayes(es)
  b <- metapool_bayes(yi = es$yi, vi = es$vi)
  c <- metapool_bayes(metapool(es))
  expect_equal(a$posterior$summary, b$posterior$summary)
  expect_equal(a$posterior$summary, c$posterior$summary)
  expect_identical(a$measure, "RR")
  expect_identical(c$slab, a$slab)
  # ratio measures: threshold on the ratio scale; output back-transformed
  expect_equal(a$prob_benefit, a$posterior$pmu(0))
  p <- predict(a)
  expect_equal(p$pred, exp(a$estimate))
  s <- summary(a)
  expect_equal(s$posterior["median", "mu"], exp(a$estimate))
  expect_output(print(a), "RR \\(mu\\)")
  expect_output(print(s), "Shrinkage estimates")
  d <- metapool_bayes(es, threshold = 0.5, benefit = "lower")
  expect_equal(d$prob_benefit, d$posterior$pmu(log(0.5)), tolerance = 1e-12)
})

test_that("k = 1 and improper priors: proper posteriors work, improper ones are classed errors", {
  one <- metapool_bayes(yi = 0.5, vi = 0.04, tau_prior = prior_half_cauchy(1))
  # with one study and a flat mu prior the tau posterior is the prior
  expect_equal(one$posterior$qtau(0.5), 1, tolerance = 1e-8)
  expect_true(is.na(one$posterior$summary["mean", "tau"]) ||
                is.infinite(one$posterior$summary["mean", "tau"]))
  expect_equal(one$estimate, 0.5, tolerance = 1e-10)
  expect_error(metapool_bayes(yi = c(0.1, 0.4), vi = c(0.1, 0.1), tau_prior = "uniform"),
               class = "metapool_error_input", regexp = "improper")
  err <- tryCatch(metapool_bayes(yi = 0.1, vi = 0.1, tau_prior = prior_jeffreys()),
                  error = function(e) e)
  expect_s3_class(err, "metapool_error_input")
  expect_identical(err$arg, "tau_prior")
  # ... but with a normal prior on mu the uniform tau prior is fine at k = 2
  expect_s3_class(metapool_bayes(yi = c(0.1, 0.4), vi = c(0.1, 0.1), tau_prior = "uniform",
                                 mu_prior = prior_normal(0, 1)), "metapool_bayes")
  expect_s3_class(metapool_bayes(yi = c(0.1, 0.4), vi = c(0.1, 0.1), tau_prior = "jeffreys"),
                  "metapool_bayes")
})

test_that("bad priors give classed errors naming the argument", {
  expect_arg <- function(expr, arg) {
    e <- tryCatch(expr, error = function(e) e)
    expect_s3_class(e, "metapool_error_input")
    expect_identical(e$arg, arg)
  }
  expect_arg(prior_half_normal(-1), "scale")
  expect_arg(prior_half_cauchy(0), "scale")
  expect_arg(prior_half_t(-2, 1), "df")
  expect_arg(prior_lognormal_tau2(NA, 1), "location")
  expect_arg(prior_turner("weather", "pharmacological vs. placebo"), "outcome")
  expect_arg(prior_turner("pain", "homeopathy"), "comparison")
  expect_arg(prior_rhodes("mental", "non-pharm", area = "moon"), "area")
  expect_arg(prior_normal(0, -1), "sd")
  expect_arg(prior_uniform(-1), "upper")
  expect_arg(prior_density(function(t) -1), "f")
  expect_arg(metapool_bayes(yi = 0.1, vi = 0.1, tau_prior = "flat"), "tau_prior")
  expect_arg(metapool_bayes(yi = 0.1, vi = 0.1, tau_prior = 3), "tau_prior")
  expect_arg(metapool_bayes(yi = 0.1, vi = 0.1, mu_prior = "normal"), "mu_prior")
  expect_arg(metapool_bayes(yi = c(0.1, 0.2), vi = c(0.1, 0.1),
                            tau_prior = function(t) if (t > 20) -1 else 1 / (1 + t^2)), "tau_prior")
  expect_arg(metapool_bayes(yi = 0.1, vi = 0.1, threshold = "a"), "threshold")
  expect_arg(metapool_bayes(yi = 0.1, vi = -0.1), "vi")
})

test_that("Turner and Rhodes tables match bayesmeta's TurnerEtAlPrior() and RhodesEtAlPrior()", {
  skip_if_not_installed("bayesmeta")
  tab <- heterogeneity_prior_table("turner")
  expect_identical(nrow(tab), 80L)
  ref <- bayesmeta::TurnerEtAlPrior("pain", "pharmacological", "placebo / control")
  p <- prior_turner("pain", "pharmacological vs. placebo / control")
  expect_equal(c(p$location, p$scale), unname(ref$parameters["tau^2", ]))
  ref <- bayesmeta::RhodesEtAlPrior("general physical health and adverse event and pain and quality of life / functioning",
                                    "non-pharmacological", "placebo / control", area = "respiratory")
  p <- prior_rhodes("general physical", "non-pharmacological (any)", area = "respiratory")
  expect_equal(c(p$location, p$scale), unname(ref$parameters["tau^2", ]))
  expect_identical(nrow(heterogeneity_prior_table("rhodes")), 72L)
})

test_that("metapool_batch(method = \"bayes\") gives metapool_bayes() per group", {
  set.seed(3)
  sim <- data.frame(rep = rep(1:5, each = 3), vi = runif(15, 0.02, 0.2))
  sim$yi <- rnorm(15, 0.3, sqrt(sim$vi + 0.05))
  res <- metapool_batch(sim, yi, vi, by = rep, method = "bayes",
                        tau_prior = prior_half_normal(0.5), threads = 2)
  for (g in 1:5) {
    fit <- metapool_bayes(yi = sim$yi[sim$rep == g], vi = sim$vi[sim$rep == g], shrinkage = FALSE)
    expect_equal(res$estimate[g], fit$estimate, tolerance = 1e-12)
    expect_equal(c(res$ci_lb[g], res$ci_ub[g], res$pi_lb[g], res$pi_ub[g]),
                 c(fit$ci_lb, fit$ci_ub, fit$pi_lb, fit$pi_ub), tolerance = 1e-12)
    expect_equal(res$tau2[g], fit$tau2, tolerance = 1e-12)
    expect_equal(res$p_below[g], fit$posterior$pmu(0), tolerance = 1e-12)
  }
  # the same analyses as the columns of matrices
  by_matrix <- metapool_batch(yi = matrix(sim$yi, 3), vi = matrix(sim$vi, 3), method = "bayes",
                              tau_prior = prior_half_normal(0.5))
  expect_identical(by_matrix[names(by_matrix) != "group"], res[names(res) != "group"])
  # a user density runs on the calling thread; an improper posterior is an NA row
  res2 <- metapool_batch(sim, yi, vi, by = rep, method = "bayes",
                         tau_prior = function(t) stats::dexp(t, 2), threads = 2)
  expect_true(all(res2$converged))
  sim1 <- sim[c(1, 4:15), ]
  sim1$rep[1] <- 0
  expect_warning(res3 <- metapool_batch(sim1, yi, vi, by = rep, method = "bayes",
                                        tau_prior = "jeffreys"),
                 class = "metapool_warning_convergence")
  expect_false(res3$converged[1])
  expect_true(is.na(res3$estimate[1]))
})

test_that("plots draw", {
  fit <- metapool_bayes(es_rr(tpos, tpos + tneg, cpos, cpos + cneg, data = bcg,
                              slab = paste(author, year)))
  f <- tempfile(fileext = ".png")
  grDevices::png(f, 700, 600)
  g <- plot(fit, n = 30)
  h <- forest_plot(fit)
  grDevices::dev.off()
  expect_gt(file.size(f), 5000)
  expect_equal(dim(g$density), c(30L, 30L))
  expect_equal(h$shrinkage[, 1], fit$posterior$shrinkage$median)
  expect_error(plot(fit, n = 3), class = "metapool_error_input")
})
