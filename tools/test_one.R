# Developer helper: run one test file against the installed package.
# Usage: Rscript tools/test_one.R metapool   (runs tests/testthat/test-metapool.R)
library(testthat)
Sys.setenv(NOT_CRAN = "true")
f <- commandArgs(trailingOnly = TRUE)[1]
res <- test_dir("tests/testthat", filter = paste0("^", f, "$"), package = "metapool",
                load_package = "installed", stop_on_failure = FALSE, reporter = "summary")
