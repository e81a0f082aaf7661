# Meta-regression: one REML fit with p = 3 (intercept and two moderators) at k = 15 and
# k = 2000, metapool(mods =) vs metafor::rma(mods =); and 10,000 meta-regressions of
# k = 15 through metapool_batch(mods =) vs a loop of rma() (timed on 200 fits and
# scaled). Both compute the coefficients, their tests, QM, QE, I^2 and tau^2; metapool
# also the Q-profile interval for tau^2 and the pseudo-R^2 in the single fits.
bench_metareg <- function() {
  data_k <- function(k) {
    set.seed(k)
    vi <- runif(k, 0.01, 0.5)
    X <- cbind(x1 = rnorm(k), x2 = rnorm(k))
    list(yi = drop(0.3 + X %*% c(0.2, -0.1)) + rnorm(k, 0, sqrt(vi + 0.1)), vi = vi, X = X)
  }
  time_median <- function(expr, iterations, env = parent.frame()) {
    res <- bench::mark(exprs = list(substitute(expr)), env = env, iterations = iterations,
                       check = FALSE, memory = FALSE, filter_gc = FALSE)
    as.numeric(res$median)
  }
  rows <- lapply(list(c(k = 15, it_mp = 2000, it_mf = 200), c(k = 2000, it_mp = 100, it_mf = 3)),
                 function(cfg) {
    d <- data_k(cfg[["k"]])
    mp <- time_median(metapool::metapool(yi = d$yi, vi = d$vi, mods = d$X, method = "REML"),
                      cfg[["it_mp"]])
    mf <- time_median(metafor::rma(d$yi, d$vi, mods = d$X, method = "REML"), cfg[["it_mf"]])
    data.frame(task = sprintf("one REML meta-regression, p = 3, k = %d", cfg[["k"]]),
               metapool_s = mp, metafor_s = mf, ratio = mf / mp, note = "mods as a matrix")
  })
  # Formula interface at k = 15 (model.frame / model.matrix included).
  d <- data_k(15)
  df <- data.frame(yi = d$yi, vi = d$vi, d$X)
  mp <- time_median(metapool::metapool(yi, vi, data = df, mods = ~ x1 + x2), 1000)
  mf <- time_median(metafor::rma(yi, vi, data = df, mods = ~ x1 + x2), 200)
  rows[[3]] <- data.frame(task = "one REML meta-regression, p = 3, k = 15", metapool_s = mp,
                          metafor_s = mf, ratio = mf / mp, note = "mods as a formula")
  # 10,000 meta-regressions of 15 studies.
  n_rep <- 10000
  set.seed(10)
  sim <- data.frame(rep = rep(seq_len(n_rep), each = 15), x1 = rnorm(15 * n_rep),
                    x2 = rnorm(15 * n_rep), vi = runif(15 * n_rep, 0.01, 0.5))
  sim$yi <- 0.3 + 0.2 * sim$x1 - 0.1 * sim$x2 + rnorm(nrow(sim), 0, sqrt(sim$vi + 0.1))
  batch <- function(threads) {
    median(vapply(1:3, function(i) system.time(metapool::metapool_batch(
      sim, yi, vi, by = rep, mods = ~ x1 + x2, threads = threads))[["elapsed"]], numeric(1)))
  }
  loop_n <- 200
  loop <- system.time(for (r in seq_len(loop_n)) {
    s <- sim[sim$rep == r, ]
    # A few of the simulated data sets stop metafor's Fisher scoring; it is timed anyway.
    try(metafor::rma(yi, vi, mods = ~ x1 + x2, data = s), silent = TRUE)
  })[["elapsed"]] * n_rep / loop_n
  for (threads in 1:2) {
    mp <- batch(threads)
    rows[[length(rows) + 1L]] <- data.frame(
      task = "10,000 REML meta-regressions, p = 3, k = 15", threads = threads, metapool_s = mp,
      metafor_s = loop, ratio = loop / mp,
      note = sprintf("metafor: loop of %d rma() fits scaled to 10,000", loop_n))
  }
  out <- do.call(rbind, lapply(rows, function(r) {
    if (is.null(r$threads)) r$threads <- 1
    r[c("task", "threads", "metapool_s", "metafor_s", "ratio", "note")]
  }))
  out
}
