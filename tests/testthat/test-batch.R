sim_long <- function(n_meta, k, seed) {
  set.seed(seed)
  d <- data.frame(rep = rep(seq_len(n_meta), each = k))
  d$vi <- runif(nrow(d), 0.02, 0.4)
  d$yi <- rnorm(nrow(d), 0.3, sqrt(d$vi + 0.08))
  d
}

test_that("metapool_batch() equals metapool() per group, for every estimator and CI method", {
  d <- sim_long(12, 7, 1)
  for (method in tau2_methods_all()) {
    for (ci in c("z", "t", "hksj", "hksj_adhoc")) {
      b <- metapool_batch(d, yi, vi, by = rep, method = method, ci_method = ci)
      for (g in c(1, 5, 12)) {
        one <- metapool(yi = d$yi[d$rep == g], vi = d$vi[d$rep == g], method = method,
                        ci_method = ci)
        got <- unlist(b[g, c("estimate", "se", "ci_lb", "ci_ub", "pi_lb", "pi_ub", "p",
                             "tau2", "tau2_lb", "tau2_ub", "I2", "H2", "Q", "Q_p")])
        want <- unlist(one[c("estimate", "se", "ci_lb", "ci_ub", "pi_lb", "pi_ub", "p",
                             "tau2", "tau2_lb", "tau2_ub", "I2", "H2", "Q", "Q_p")])
        expect_identical(unname(got), unname(want))
      }
    }
  }
})

test_that("long, matrix and list layouts give the same results; groups keep their order", {
  d <- sim_long(5, 6, 2)
  d$label <- rep(c("e", "b", "d", "a", "c"), each = 6)
  long <- metapool_batch(d, yi, vi, by = label)
  expect_equal(long$group, c("e", "b", "d", "a", "c"))
  m_yi <- matrix(d$yi, nrow = 6, dimnames = list(NULL, unique(d$label)))
  m_vi <- matrix(d$vi, nrow = 6)
  mat <- metapool_batch(yi = m_yi, vi = m_vi)
  expect_equal(mat[, -1], long[, -1])
  lst <- lapply(split(d[c("yi", "vi")], factor(d$label, levels = unique(d$label))), as.list)
  expect_equal(metapool_batch(lst)[, -1], long[, -1])
  # shuffled rows: the same fits
  shuffled <- d[sample(nrow(d)), ]
  expect_equal(metapool_batch(shuffled, yi, vi, by = label)[order(unique(shuffled$label)), -1],
               long[order(unique(d$label)), -1], ignore_attr = TRUE)
  se <- metapool_batch(d, yi, sei = sqrt(vi), by = label)
  expect_equal(se$estimate, long$estimate)
})

test_that("threads do not change results; NA handling and bad input", {
  d <- sim_long(50, 5, 3)
  one <- metapool_batch(d, yi, vi, by = rep, threads = 1)
  two <- metapool_batch(d, yi, vi, by = rep, threads = 2)
  expect_identical(one, two)
  d$yi[7] <- NA
  expect_error(metapool_batch(d, yi, vi, by = rep), "`yi` has missing values",
               class = "metapool_error_input")
  omitted <- metapool_batch(d, yi, vi, by = rep, na.action = "na.omit")
  expect_equal(omitted$k[2], 4)
  expect_error(metapool_batch(d, yi, vi), "`by` is missing", class = "metapool_error_input")
  expect_error(metapool_batch(d, yi, vi, by = rep, threads = 0), "threads",
               class = "metapool_error_input")
  expect_error(metapool_batch(yi = matrix(1:4, 2), vi = 1:4), "same dimensions",
               class = "metapool_error_input")
  d$vi[3] <- -1
  expect_error(metapool_batch(d, yi, vi, by = rep, na.action = "na.omit"), "`vi` must be positive",
               class = "metapool_error_input")
  # the one-pass range checks name the argument and the row, with or without missing values
  d <- sim_long(20, 5, 3)
  d$vi[9] <- Inf
  expect_error(metapool_batch(d, yi, vi, by = rep), "`vi` must be finite: row 9",
               class = "metapool_error_input")
  d$vi[9] <- 0
  d$yi[2] <- NA
  expect_error(metapool_batch(d, yi, vi, by = rep, na.action = "na.omit"),
               "`vi` must be positive.*row 8", class = "metapool_error_input")
  d$vi[9] <- 0.1
  d$yi[4] <- -Inf
  expect_error(metapool_batch(d, yi, vi, by = rep, na.action = "na.omit"), "`yi` must be finite",
               class = "metapool_error_input")
})

test_that("threads are capped at 2 under R CMD check", {
  withr_env <- Sys.getenv("_R_CHECK_LIMIT_CORES_", NA)
  on.exit(if (is.na(withr_env)) Sys.unsetenv("_R_CHECK_LIMIT_CORES_") else
    Sys.setenv("_R_CHECK_LIMIT_CORES_" = withr_env))
  Sys.setenv("_R_CHECK_LIMIT_CORES_" = "TRUE")
  expect_lte(metapool:::resolve_threads(8), 2)
})

test_that("skipping outputs leaves every other column identical", {
  d <- sim_long(40, 8, 4)
  for (method in c("DL", "REML", "PM", "ML")) {
    full <- metapool_batch(d, yi, vi, by = rep, method = method, ci_method = "hksj")
    lean <- metapool_batch(d, yi, vi, by = rep, method = method, ci_method = "hksj",
                           tau2_ci = "none", prediction = FALSE)
    kept <- setdiff(names(full), c("tau2_lb", "tau2_ub", "pi_lb", "pi_ub"))
    expect_identical(lean[kept], full[kept])
    expect_true(all(is.na(lean$tau2_lb) & is.na(lean$tau2_ub)))
    expect_true(all(is.na(lean$pi_lb) & is.na(lean$pi_ub)))
    some <- metapool_batch(d, yi, vi, by = rep, method = method, ci_method = "hksj",
                           columns = c("tau2", "estimate", "ci_ub"))
    expect_named(some, c("group", "k", "estimate", "ci_ub", "tau2"))
    expect_identical(some[names(some)], full[names(some)])
    # p-values are computed only when a p column is kept, and then are the same
    tests <- metapool_batch(d, yi, vi, by = rep, method = method, ci_method = "hksj",
                            columns = c("estimate", "p", "Q_p"))
    expect_identical(tests[c("p", "Q_p")], full[c("p", "Q_p")])
  }
  # the same fits as metapool() with the interval asked for
  one <- metapool(yi = d$yi[d$rep == 3], vi = d$vi[d$rep == 3], method = "DL")
  lean <- metapool_batch(d, yi, vi, by = rep, method = "DL", tau2_ci = "none")
  expect_identical(lean$estimate[3], one$estimate)
  expect_identical(lean$pi_lb[3], one$pi_lb)
  expect_error(metapool_batch(d, yi, vi, by = rep, columns = c("estimate", "bogus")),
               "bogus", class = "metapool_error_input")
  expect_error(metapool_batch(d, yi, vi, by = rep, prediction = NA), "prediction",
               class = "metapool_error_input")
  expect_error(metapool_batch(d, yi, vi, by = rep, tau2_ci = "XX"), "tau2_ci",
               class = "metapool_error_input")
})

test_that("matrices: missing cells, empty columns, integer input", {
  d <- sim_long(6, 5, 5)
  y <- matrix(d$yi, nrow = 5)
  v <- matrix(d$vi, nrow = 5)
  full <- metapool_batch(yi = y, vi = v)
  y[2, 3] <- NA
  y[, 5] <- NA
  expect_error(metapool_batch(yi = y, vi = v), "`yi` has missing values",
               class = "metapool_error_input")
  om <- metapool_batch(yi = y, vi = v, na.action = "na.omit")
  expect_equal(om$k, c(5, 5, 4, 5, 0, 5))
  expect_identical(om[-c(3, 5), ], full[-c(3, 5), ], ignore_attr = TRUE)
  expect_true(is.na(om$estimate[5]))
  expect_equal(om$estimate[3], metapool(y[-2, 3], v[-2, 3])$estimate)
  yi_int <- matrix(c(1L, 2L, 4L, 3L, 5L, 9L), 3)
  expect_equal(metapool_batch(yi = yi_int, vi = yi_int / 10)$estimate,
               metapool_batch(yi = yi_int * 1, vi = yi_int / 10)$estimate)
  expect_error(metapool_batch(yi = matrix("a", 2, 2), vi = matrix(1, 2, 2)), "numeric",
               class = "metapool_error_input")
})

test_that("matrices are checked while they are fitted, as the long layout is before", {
  # 3,000 columns: several blocks of fits per thread, the faults in late blocks
  set.seed(11)
  y <- matrix(rnorm(3000 * 4), 4)
  v <- matrix(runif(3000 * 4, 0.05, 0.5), 4)
  long <- data.frame(yi = as.vector(y), vi = as.vector(v), rep = rep(1:3000, each = 4))
  for (th in 1:2) {
    expect_identical(metapool_batch(yi = y, vi = v, method = "DL", threads = th)[-1L],
                     metapool_batch(long, yi, vi, by = rep, method = "DL", threads = th)[-1L])
    bad <- v
    bad[3, 2900] <- -0.1
    expect_error(metapool_batch(yi = y, vi = bad, threads = th), "`vi` must be positive",
                 class = "metapool_error_input")
    bad[3, 2900] <- Inf
    expect_error(metapool_batch(yi = y, vi = bad, threads = th), "`vi` must be finite",
                 class = "metapool_error_input")
    bad <- y
    bad[1, 2500] <- -Inf
    expect_error(metapool_batch(yi = bad, vi = v, threads = th), "`yi` must be finite",
                 class = "metapool_error_input")
    # missing cells: refused, or omitted in their column only
    bad[1, 2500] <- NA
    expect_error(metapool_batch(yi = bad, vi = v, threads = th), "`yi` has missing values",
                 class = "metapool_error_input")
    om <- metapool_batch(yi = bad, vi = v, method = "DL", na.action = "na.omit", threads = th)
    expect_identical(om$k[2499:2501], c(4L, 3L, 4L))
    expect_identical(om$estimate[2500], metapool(bad[-1, 2500], v[-1, 2500], method = "DL")$estimate)
    # a missing cell next to a refused value in another column is still refused
    bad[2, 10] <- NaN
    bad[4, 20] <- Inf
    expect_error(metapool_batch(yi = bad, vi = v, na.action = "na.omit", threads = th),
                 "`yi` must be finite", class = "metapool_error_input")
  }
  expect_error(metapool_batch(yi = matrix(NA_real_, 2, 3), vi = matrix(1, 2, 3),
                              na.action = "na.omit"), "No studies", class = "metapool_error_input")
})

test_that("threads give bit-identical results for every engine and block boundary", {
  set.seed(6)
  k <- 7
  n <- 3 * 64 + 5  # blocks of 64 rows plus a remainder
  y <- matrix(rnorm(n * k), k)
  v <- matrix(runif(n * k, 0.05, 0.5), k)
  for (method in c("REML", "DL", "PM")) {
    one <- metapool_batch(yi = y, vi = v, method = method, threads = 1)
    two <- metapool_batch(yi = y, vi = v, method = method, threads = 2)
    expect_identical(one, two)
  }
  fit <- metapool(y[, 1], v[, 1])
  expect_identical(metapool_gosh(fit, threads = 1, progress = FALSE),
                   metapool_gosh(fit, threads = 2, progress = FALSE))
  set.seed(7)
  b1 <- suppressWarnings(metapool_bootstrap(fit, B = 300, threads = 1, progress = FALSE))
  set.seed(7)
  b2 <- suppressWarnings(metapool_bootstrap(fit, B = 300, threads = 2, progress = FALSE))
  expect_identical(b1, b2)
})
