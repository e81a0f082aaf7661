# The Handbook conversions against metafor's conv.fivenum() and conv.wald(), in one R
# process. Writes its rows of bench/RESULTS.md through bench/run_all.R.
bench_conversions <- function(k_fivenum = 1e5, k_wald = 1e6, reps = 5) {
  set.seed(20261202)
  med <- rnorm(k_fivenum, 50, 10)
  iqr <- rgamma(k_fivenum, 4, 0.5)
  rng <- iqr * runif(k_fivenum, 2, 4)
  n <- sample(5:500, k_fivenum, TRUE)
  q1 <- med - iqr / 2
  q3 <- med + iqr / 2
  mn <- med - rng / 2
  mx <- med + rng / 2
  five <- bench::mark(
    metapool = metapool::convert_fivenum(mn, q1, med, q3, mx, n),
    metafor = metafor::conv.fivenum(mn, q1, med, q3, mx, n, test = FALSE),
    iterations = reps, check = FALSE, memory = FALSE, filter_gc = FALSE
  )
  est <- exp(rnorm(k_wald, 0, 0.5))
  se <- rgamma(k_wald, 4, 20)
  lb <- exp(log(est) - 1.96 * se)
  ub <- exp(log(est) + 1.96 * se)
  wald <- bench::mark(
    metapool = metapool::es_giv(est, ci_lb = lb, ci_ub = ub, measure = "RR"),
    metafor = metafor::conv.wald(out = est, ci.lb = lb, ci.ub = ub, transf = log),
    iterations = reps, check = FALSE, memory = FALSE, filter_gc = FALSE
  )
  m5 <- as.numeric(five$median)
  mw <- as.numeric(wald$median)
  data.frame(task = c(sprintf("Mean and SD from five numbers (Luo/Wan/Shi), %s groups",
                              format(k_fivenum, big.mark = ",", scientific = FALSE)),
                      sprintf("GIV: log RR and SE from 95%% CIs, %s studies",
                              format(k_wald, big.mark = ",", scientific = FALSE))),
             metapool_s = c(m5[1], mw[1]), metafor_s = c(m5[2], mw[2]),
             ratio = c(m5[2] / m5[1], mw[2] / mw[1]),
             note = c("metafor: conv.fivenum(test = FALSE)", "metafor: conv.wald(transf = log)"))
}
