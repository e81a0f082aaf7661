binary_fns <- list(RR = es_rr, OR = es_or, RD = es_rd)

test_that("es_rr/es_or/es_rd agree with metafor::escalc() under every zero-cell option", {
  skip_if_not_installed("metafor")
  skip_if_not_installed("metadat")
  datasets <- c(binary_datasets(), list(random = random_binary(400, 3)))
  grid <- expand.grid(to = c("only0", "all", "if0all", "none"), add = c(0.5, 1 / 3),
                      drop00 = c(FALSE, TRUE), stringsAsFactors = FALSE)
  for (ds in names(datasets)) {
    d <- datasets[[ds]]
    for (measure in names(binary_fns)) {
      for (g in seq_len(nrow(grid))) {
        opt <- grid[g, ]
        ours <- suppressWarnings(binary_fns[[measure]](
          events1, n1, events2, n2, data = d, add = opt$add, to = opt$to, drop00 = opt$drop00
        ))
        ref <- suppressWarnings(metafor::escalc(
          measure, ai = events1, n1i = n1, ci = events2, n2i = n2, data = d,
          add = opt$add, to = opt$to, drop00 = opt$drop00
        ))
        finite <- is.finite(ref$yi) & is.finite(ref$vi) & ref$vi > 0
        expect_identical(ours$estimable, finite)
        expect_rel_equal(ours$yi[finite], ref$yi[finite], tol$effect_size)
        expect_rel_equal(ours$vi[finite], ref$vi[finite], tol$effect_size)
        expect_true(all(is.na(ours$yi[!finite])))
      }
    }
  }
})

test_that("RevMan 5 preset: 0.5 in every cell of zero-cell studies, double zeros not estimable", {
  d <- nielweise2007
  rr <- es_rr(events1, n1, events2, n2, data = d, preset = "revman5")
  double_zero <- d$events1 == 0 & d$events2 == 0
  expect_identical(rr$estimable, !double_zero)
  zero <- !double_zero & (d$events1 == 0 | d$events2 == 0)
  expect_identical(rr$corrected, zero)
  a <- d$events1 + 0.5 * zero
  c <- d$events2 + 0.5 * zero
  n1 <- d$n1 + zero
  n2 <- d$n2 + zero
  ok <- !double_zero
  expect_rel_equal(rr$yi[ok], log((a / n1) / (c / n2))[ok], tol$exact)
  expect_rel_equal(rr$vi[ok], (1 / a - 1 / n1 + 1 / c - 1 / n2)[ok], tol$exact)
  or <- es_or(events1, n1, events2, n2, data = d, preset = "revman5")
  expect_identical(or$estimable, !double_zero)
  b <- n1 - a
  dd <- n2 - c
  expect_rel_equal(or$vi[ok], (1 / a + 1 / b + 1 / c + 1 / dd)[ok], tol$exact)
  # RevMan keeps double-zero studies for the risk difference; the RD comes from the
  # raw counts and the corrected cells give only its variance (Deeks & Higgins 2010)
  rd <- es_rd(events1, n1, events2, n2, data = d, preset = "revman5")
  expect_true(all(rd$estimable))
  any_zero <- d$events1 == 0 | d$events2 == 0
  expect_identical(rd$corrected, any_zero)
  a <- d$events1 + 0.5 * any_zero
  c <- d$events2 + 0.5 * any_zero
  n1 <- d$n1 + any_zero
  n2 <- d$n2 + any_zero
  expect_equal(rd$yi, d$events1 / d$n1 - d$events2 / d$n2, tolerance = tol$exact)
  expect_rel_equal(rd$vi, (a * (n1 - a) / n1^3 + c * (n2 - c) / n2^3), tol$exact)
})

test_that("zero cells without a correction give a classed warning and NA, not Inf", {
  expect_warning(
    out <- es_or(events1 = c(0, 3), n1 = c(10, 10), events2 = c(2, 4), n2 = c(10, 10), to = "none"),
    class = "metapool_warning_zero_cell"
  )
  expect_identical(out$estimable, c(FALSE, TRUE))
  expect_true(is.na(out$yi[1]) && is.na(out$vi[1]) && is.na(out$ci_lb[1]))
  expect_warning(es_rr(events1 = 0, n1 = 10, events2 = 2, n2 = 10, add = 0),
                 class = "metapool_warning_zero_cell")
  # drop00 is a choice, not a problem: no warning
  expect_no_warning(es_rr(events1 = c(0, 1), n1 = c(10, 10), events2 = c(0, 2), n2 = c(10, 10),
                          drop00 = TRUE))
})

test_that("all-event studies count as double zeros", {
  out <- es_rr(events1 = c(10, 2), n1 = c(10, 10), events2 = c(12, 4), n2 = c(12, 10),
               drop00 = TRUE)
  expect_identical(out$estimable, c(FALSE, TRUE))
})

test_that("binary confidence intervals are Wald limits on the analysis scale", {
  out <- es_rr(tpos, tpos + tneg, cpos, cpos + cneg, data = bcg, level = 90)
  expect_rel_equal(out$ci_lb, out$yi - qnorm(0.95) * sqrt(out$vi), 1e-12)
  expect_equal(attr(out, "level"), 0.9)
})
