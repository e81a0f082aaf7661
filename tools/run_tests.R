# Runs the testthat suite against the installed package and ends with the line
# "N passed, N failed" counted from testthat's results; exits 1 on any failure.
library(testthat)
Sys.setenv(NOT_CRAN = "true")  # run the snapshot and slower tests too
results <- test_dir("tests/testthat", package = "metapool", load_package = "installed",
                    reporter = ProgressReporter$new(show_praise = FALSE),
                    stop_on_failure = FALSE)
df <- as.data.frame(results)
failed <- sum(df$failed) + sum(df$error)
passed <- sum(df$passed)
skipped <- sum(df$skipped)
cat(sprintf("%d passed, %d failed, %d skipped\n", passed, failed, skipped))
quit(status = if (failed > 0) 1 else 0)
