# Runs the testthat files whose names match a regular expression against the installed
# package; called by tools/valgrind.sh under `R -d valgrind`. Prints one line
# "valgrind-tests: <filter>: N passed, N failed, N skipped" and exits 1 on failures.
# Usage: R --vanilla -f tools/valgrind_tests.R --args '<regex on the file name>'
library(testthat)
Sys.setenv(NOT_CRAN = "true")
filter <- commandArgs(trailingOnly = TRUE)[1]
res <- test_dir("tests/testthat", filter = filter, package = "metapool",
                load_package = "installed", stop_on_failure = FALSE, reporter = "summary")
df <- as.data.frame(res)
failed <- sum(df$failed) + sum(df$error)
cat(sprintf("valgrind-tests: %s: %d passed, %d failed, %d skipped\n", filter, sum(df$passed),
            failed, sum(df$skipped)))
quit(status = if (failed > 0) 1 else 0)
