# es_smd() against metafor::escalc("SMD") on 1e6 studies, in one R process.
# Writes its section of bench/RESULTS.md through bench/run_all.R.
bench_effect_sizes <- function(k = 1e6, reps = 15) {
  set.seed(20261125)
  d <- data.frame(m1 = rnorm(k, 10, 3), sd1 = rgamma(k, 4, 1), n1 = sample(5:500, k, TRUE),
                  m2 = rnorm(k, 9, 3), sd2 = rgamma(k, 4, 1), n2 = sample(5:500, k, TRUE))
  res <- bench::mark(
    metapool = metapool::es_smd(d$m1, d$sd1, d$n1, d$m2, d$sd2, d$n2),
    metafor = suppressWarnings(metafor::escalc("SMD", m1i = d$m1, sd1i = d$sd1, n1i = d$n1,
                                               m2i = d$m2, sd2i = d$sd2, n2i = d$n2)),
    iterations = reps, check = FALSE, memory = FALSE, filter_gc = FALSE
  )
  med <- as.numeric(res$median)
  data.frame(task = sprintf("SMD (Hedges' g, LS), %s studies", format(k, big.mark = ",")),
             metapool_s = med[1], metafor_s = med[2], ratio = med[2] / med[1])
}
