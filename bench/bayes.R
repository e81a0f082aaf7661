# metapool_bayes() against bayesmeta::bayesmeta() (Roever 2020), in one R process, and
# 10,000 Bayesian fits through metapool_batch(method = "bayes"). Writes the section
# "Bayesian random-effects meta-analysis" of bench/RESULTS.md.
# Usage (from the package root, after `make install`): Rscript bench/bayes.R
bayes_benchmark <- function() {
  suppressPackageStartupMessages(library(bayesmeta))
  env <- new.env()
  utils::data("CrinsEtAl2014", package = "bayesmeta", envir = env)
  crins <- env$CrinsEtAl2014
  es <- metafor::escalc(measure = "OR", ai = exp.AR.events, n1i = exp.total,
                        ci = cont.AR.events, n2i = cont.total, data = crins)
  y <- es$yi
  s <- sqrt(es$vi)
  prior <- function(t) bayesmeta::dhalfnormal(t, scale = 0.5)
  fit_bm <- function(delta, epsilon) {
    bayesmeta::bayesmeta(y, s, tau.prior = prior, mu.prior.mean = 0, mu.prior.sd = 4,
                         delta = delta, epsilon = epsilon)
  }
  # Exact reference for the 2.5%, 50%, 97.5% quantiles of mu: bayesmeta's exact tau
  # density and conditional moments, integrated with integrate() to 1e-12.
  bm <- fit_bm(0.01, 1e-4)
  cdf <- function(x) {
    stats::integrate(function(t) {
      m <- bm$cond.moment(tau = t)
      bm$dposterior(tau = t) * stats::pnorm(x, m[, "mean"], m[, "sd"])
    }, 0, Inf, rel.tol = 1e-12)$value
  }
  p <- c(0.025, 0.5, 0.975)
  exact <- vapply(p, function(q) stats::uniroot(function(x) cdf(x) - q, c(-5, 2),
                                                tol = 1e-14)$root, numeric(1))
  err <- function(q) max(abs(q - exact) / abs(exact))
  # CPU time (user + system): the machine is shared, so elapsed time varies with load.
  time_of <- function(expr, n) {
    e <- substitute(expr)
    st <- system.time(for (i in seq_len(n)) r <- eval(e))
    list(time = (st[["user.self"]] + st[["sys.self"]]) / n, value = r)
  }
  ours <- time_of(metapool::metapool_bayes(yi = y, sei = s, tau_prior = metapool::prior_half_normal(0.5),
                                           mu_prior = metapool::prior_normal(0, 4)), 50)
  bm_default <- time_of(fit_bm(0.01, 1e-4), 3)
  bm_fine <- time_of(fit_bm(1e-5, 1e-8), 1)
  row <- function(what, t, q) {
    data.frame(task = what, seconds = t, max_rel_error = err(q))
  }
  single <- rbind(
    row("metapool_bayes() (rel_tol 1e-10; with shrinkage and shortest intervals)", ours$time,
        ours$value$posterior$summary[c("lower", "median", "upper"), "mu"]),
    row("bayesmeta() default (delta = 0.01, epsilon = 1e-4)", bm_default$time,
        bm_default$value$qposterior(mu.p = p)),
    row("bayesmeta() delta = 1e-5, epsilon = 1e-8", bm_fine$time,
        bm_fine$value$qposterior(mu.p = p))
  )
  # 10,000 simulated meta-analyses of 3 studies (the small-k coverage setting).
  set.seed(1)
  d <- data.frame(rep = rep(1:10000, each = 3))
  d$vi <- stats::runif(nrow(d), 0.02, 0.2)
  d$yi <- stats::rnorm(nrow(d), 0.3, sqrt(d$vi + 0.05))
  batch <- vapply(1:2, function(th) {
    system.time(metapool::metapool_batch(d, yi, vi, by = rep, method = "bayes",
                                         threads = th, progress = FALSE))[["elapsed"]]
  }, numeric(1))
  cpu <- function(st) st[["user.self"]] + st[["sys.self"]]
  batch_cpu <- cpu(system.time(metapool::metapool_batch(d, yi, vi, by = rep, method = "bayes",
                                                       threads = 1, progress = FALSE)))
  bm_batch <- cpu(system.time(for (g in 1:10) {
    bayesmeta::bayesmeta(d$yi[d$rep == g], sqrt(d$vi[d$rep == g]), tau.prior = prior)
  })) / 10
  list(single = single, batch = batch, batch_cpu = batch_cpu, bm_batch = bm_batch)
}

write_bayes_section <- function(res, file = "bench/RESULTS.md") {
  s <- res$single
  lines <- c(
    "## Bayesian random-effects meta-analysis",
    "",
    sprintf("Run %s on %s (%s cores), %s; metapool %s, bayesmeta %s; `Rscript bench/bayes.R`.",
            format(Sys.time(), "%Y-%m-%d"), Sys.info()[["sysname"]], parallel::detectCores(),
            R.version.string, utils::packageVersion("metapool"),
            utils::packageVersion("bayesmeta")),
    "One fit: Crins et al. (2014) data (k = 6, log odds ratios), half-normal(0.5) prior on tau,",
    "normal(0, 4) on mu, as in bayesmeta's documentation; mean CPU time (user + system) per",
    "fit (50 runs of metapool, 3 and 1 of bayesmeta), as the machine is shared. Error: largest relative error of the 2.5%, 50% and 97.5%",
    "posterior quantiles of mu against an exact reference (bayesmeta's tau density and",
    "conditional moments integrated by integrate() to 1e-12).",
    "",
    "| fit | CPU seconds | max relative error of mu quantiles | bayesmeta / metapool |",
    "|---|---:|---:|---:|",
    sprintf("| %s | %.4g | %.1e | %s |", s$task, s$seconds, s$max_rel_error,
            c("-", sprintf("%.0f×", s$seconds[-1] / s$seconds[1]))),
    "",
    sprintf("10,000 meta-analyses of k = 3 through `metapool_batch(method = \"bayes\")` (median, central 95%% credible and predictive intervals, tau quantiles, P(mu < 0)): %.2f s CPU on 1 thread; elapsed %.2f s on 1 thread and %.2f s on 2 threads (shared machine). bayesmeta() takes %.2f s CPU per fit at its default accuracy, about %.0f s for the same job.",
            res$batch_cpu, res$batch[1], res$batch[2], res$bm_batch, 10000 * res$bm_batch),
    ""
  )
  old <- if (file.exists(file)) readLines(file) else character(0)
  start <- grep("^## Bayesian random-effects meta-analysis", old)
  if (length(start)) {
    nxt <- grep("^## ", old)
    nxt <- nxt[nxt > start[1]]
    end <- if (length(nxt)) nxt[1] - 1 else length(old)
    old <- old[-(start[1]:end)]
  }
  while (length(old) && old[length(old)] == "") old <- old[-length(old)]
  writeLines(c(old, "", lines), file)
  cat(lines, sep = "\n")
}

if (sys.nframe() == 0L) write_bayes_section(bayes_benchmark())
