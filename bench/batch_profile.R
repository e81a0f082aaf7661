# Workload for callgrind instruction counts of the batch engine (repeatable on a busy
# machine): Rscript bench/batch_profile.R METHOD N [lean [five]], run under
# valgrind --tool=callgrind --trace-children=yes --toggle-collect='metapool::pool_groups*'
#   --toggle-collect='metapool::pool_columns*' (matrices go to pool_columns())
# (bench/run_all.R sources this file but runs nothing from it.)
if (sys.nframe() == 0L) {
  args <- commandArgs(TRUE)
  method <- args[1]
  n <- as.integer(args[2])
  lean <- length(args) > 2 && args[3] == "lean"
  # "five": only the five columns of bench/batch_scaling.R's lean rows
  columns <- if (length(args) > 3 && args[4] == "five") c("estimate", "se", "ci_lb", "ci_ub", "tau2")
  set.seed(1)
  k <- 15
  vi <- matrix(runif(n * k, 0.01, 0.5), k)
  yi <- matrix(rnorm(n * k, 0.3, sqrt(vi + 0.1)), k)
  suppressMessages(library(metapool))
  r <- if (lean) {
    metapool_batch(yi = yi, vi = vi, method = method, tau2_ci = "none", prediction = FALSE,
                   columns = columns, progress = FALSE)
  } else {
    metapool_batch(yi = yi, vi = vi, method = method, progress = FALSE)
  }
}
