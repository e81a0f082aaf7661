# One REML fit (metapool() vs metafor::rma()) at k = 15 and k = 2000, in one R process.
# Both compute the estimate, its CI, Q, I^2 and the prediction interval; metapool also
# computes the Q-profile CI for tau^2 in the same call (metafor needs confint() for it).
bench_pooling <- function() {
  data_k <- function(k) {
    set.seed(k)
    vi <- runif(k, 0.01, 0.5)
    list(yi = rnorm(k, 0.3, sqrt(vi + 0.1)), vi = vi)
  }
  # Quoted, so that every iteration evaluates the call afresh.
  time_median <- function(expr, iterations, env = parent.frame()) {
    res <- bench::mark(exprs = list(substitute(expr)), env = env, iterations = iterations,
                       check = FALSE, memory = FALSE, filter_gc = FALSE)
    as.numeric(res$median)
  }
  # Rounds that time both packages a few milliseconds apart, so that a slow spell of a
  # shared (virtual) machine slows both: the ratio is the median of the rounds' ratios.
  configs <- list(c(k = 15, rounds = 15, it_mp = 300, it_mf = 30),
                  c(k = 2000, rounds = 1, it_mp = 200, it_mf = 3))
  rows <- lapply(configs, function(cfg) {
    d <- data_k(cfg[["k"]])
    # Both functions found once, as after library(): `pkg::f` costs a few microseconds a
    # call, which a single small fit would otherwise be charged.
    metapool <- metapool::metapool
    rma <- metafor::rma
    t <- vapply(seq_len(cfg[["rounds"]]), function(r) c(
      mp = time_median(metapool(yi = d$yi, vi = d$vi, method = "REML"), cfg[["it_mp"]]),
      mf = time_median(rma(d$yi, d$vi, method = "REML"), cfg[["it_mf"]])), numeric(2))
    data.frame(task = sprintf("one REML fit, k = %d", cfg[["k"]]),
               metapool_s = stats::median(t["mp", ]), metafor_s = stats::median(t["mf", ]),
               ratio = stats::median(t["mf", ] / t["mp", ]))
  })
  do.call(rbind, rows)
}
