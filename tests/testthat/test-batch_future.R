# Chunked runs through future.apply: the same results under every plan, random draws
# included (they are made in the calling session before the split).

with_plan <- function(plan_expr, code) {
  old <- future::plan()
  on.exit(future::plan(old), add = TRUE)
  plan_expr
  code
}

test_that("batch, GOSH, permutation and bootstrap agree under sequential and multisession plans", {
  skip_if_not_installed("future")
  skip_if_not_installed("future.apply")
  set.seed(11)
  k <- 8
  n <- 2500  # more than one piece of 1,000 fits
  y <- matrix(rnorm(n * k, 0.2, 0.4), k)
  v <- matrix(runif(n * k, 0.02, 0.3), k)
  fit <- metapool(y[, 1], v[, 1])
  fit12 <- metapool(rnorm(12), runif(12, 0.05, 0.3))
  run_all <- function() {
    set.seed(42)
    list(
      batch = metapool_batch(yi = y, vi = v, ci_method = "hksj", progress = FALSE),
      lean = metapool_batch(yi = y, vi = v, method = "DL", tau2_ci = "none",
                            prediction = FALSE, columns = c("estimate", "tau2"),
                            progress = FALSE),
      gosh = metapool_gosh(fit12, progress = FALSE),
      gosh_random = metapool_gosh(fit12, subsets = 1500, progress = FALSE),
      perm = metapool_permutest(fit, iter = 3000, exact = FALSE, progress = FALSE),
      perm_exact = metapool_permutest(fit12, exact = TRUE, progress = FALSE),
      boot = metapool_bootstrap(fit, B = 2100, progress = FALSE),
      boot_par = metapool_bootstrap(fit, B = 2100, type = "parametric", progress = FALSE)
    )
  }
  sequential <- with_plan(future::plan(future::sequential), run_all())
  expect_false(metapool:::future_active())
  multi <- with_plan(future::plan(future::multisession, workers = 2), {
    expect_true(metapool:::future_active())
    expect_gt(length(metapool:::piece_ranges(n)), 1L)
    run_all()
  })
  # under plan(sequential) the engines run in one process, as without future
  for (nm in names(sequential)) expect_identical(multi[[nm]], sequential[[nm]], label = nm)
})

test_that("pieces cover every fit once, in order", {
  skip_if_not_installed("future")
  pieces <- with_plan(future::plan(future::sequential), metapool:::piece_ranges(10001))
  ends <- vapply(pieces, `[`, 0, 2)
  starts <- vapply(pieces, `[`, 0, 1)
  expect_equal(starts[1], 1)
  expect_equal(ends[length(ends)], 10001)
  expect_equal(starts[-1], ends[-length(ends)] + 1)
  g <- metapool:::group_pieces(as.numeric(1:10), rep(1, 10), c(0, 3, 3, 7, 10))
  expect_equal(unlist(lapply(g, `[[`, "yi")), as.numeric(1:10))
})
