# The batch engines against metafor, in one R process. metafor refits its full model
# per replicate, so its long jobs are timed on a part of the work and scaled up (the
# task text says so); metapool's are timed whole.
bench_batch <- function() {
  once <- function(expr, env = parent.frame()) {
    t <- system.time(eval(substitute(expr), env))[["elapsed"]]
    max(t, 1e-6)
  }
  # metapool's short jobs: the median of 5 runs, so one-off costs (first-call page
  # faults, a garbage collection) do not decide the figure.
  median5 <- function(expr, env = parent.frame()) {
    e <- substitute(expr)
    stats::median(vapply(1:5, function(i) max(system.time(eval(e, env))[["elapsed"]], 1e-6), 0))
  }
  sim <- function(n_meta, k, seed) {
    set.seed(seed)
    d <- data.frame(rep = rep(seq_len(n_meta), each = k))
    d$vi <- runif(nrow(d), 0.01, 0.5)
    d$yi <- rnorm(nrow(d), 0.3, sqrt(d$vi + 0.1))
    d
  }
  row <- function(task, threads, mp, mf = NA_real_, note = "") {
    data.frame(task = task, threads = threads, metapool_s = mp, metafor_s = mf,
               ratio = mf / mp, note = note)
  }
  out <- list()

  # 10,000 REML meta-analyses of k = 15.
  d <- sim(10000, 15, 1)
  # try(): metafor stops with an error on the odd data set where its Fisher scoring fails
  mf_part <- once(for (g in 1:1000) try(metafor::rma(d$yi[d$rep == g], d$vi[d$rep == g]),
                                      silent = TRUE))
  mf <- 10 * mf_part
  for (th in 1:2) {
    mp <- median5(metapool::metapool_batch(d, yi, vi, by = rep, threads = th, progress = FALSE))
    out[[length(out) + 1]] <- row("10,000 REML meta-analyses, k = 15", th, mp, mf,
                                  "metafor: loop of 1,000 rma() fits x 10")
  }

  # GOSH, k = 15 (32,767 subsets) and k = 20 (1,048,575 subsets), REML.
  d15 <- sim(1, 15, 2)
  fit15 <- metapool::metapool(yi = d15$yi, vi = d15$vi)
  mf <- once(metafor::gosh(metafor::rma(d15$yi, d15$vi), progbar = FALSE))
  for (th in 1:2) {
    mp <- median5(metapool::metapool_gosh(fit15, threads = th, progress = FALSE))
    out[[length(out) + 1]] <- row("GOSH, k = 15 (32,767 subsets), REML", th, mp, mf)
  }
  d20 <- sim(1, 20, 3)
  fit20 <- metapool::metapool(yi = d20$yi, vi = d20$vi)
  for (th in 1:2) {
    mp <- once(metapool::metapool_gosh(fit20, threads = th, progress = FALSE))
    out[[length(out) + 1]] <- row("GOSH, k = 20 (1,048,575 subsets), REML", th, mp)
  }

  # Permutation test with 1000 permutations, k = 15, REML.
  mf <- once(metafor::permutest(metafor::rma(d15$yi, d15$vi), iter = 1000, progbar = FALSE))
  for (th in 1:2) {
    mp <- median5(metapool::metapool_permutest(fit15, iter = 1000, threads = th, progress = FALSE))
    out[[length(out) + 1]] <- row("permutation test, 1000 permutations, k = 15", th, mp, mf)
  }

  # One REML fit with k = 10^6.
  d6 <- sim(1, 1e6, 4)
  mp <- median5(metapool::metapool(yi = d6$yi, vi = d6$vi))
  out[[length(out) + 1]] <- row("one REML fit, k = 1,000,000", 1, mp)

  # Peak memory of metapool_batch() on 10^6 meta-analyses (k = 5).
  dm <- sim(1e6, 5, 5)
  input <- as.numeric(utils::object.size(dm))
  gc(reset = TRUE)
  base <- sum(gc()[, 2])
  t <- once(res <- metapool::metapool_batch(dm, yi, vi, by = rep, progress = FALSE))
  peak <- (sum(gc()[, 6]) - base) * 2^20
  out[[length(out) + 1]] <- row("1,000,000 REML meta-analyses, k = 5", 1, t,
                                note = sprintf("peak extra memory %.2f x the input (%.0f MB)",
                                               peak / input, input / 2^20))
  do.call(rbind, out)
}
