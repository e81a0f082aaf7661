library(testthat)
library(metapool)

test_check("metapool")
