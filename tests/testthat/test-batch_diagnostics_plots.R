# Snapshots of the sensitivity-analysis plots (issue 13's plot defects).
bcg_rr <- function() {
  es_rr(tpos, tpos + tneg, cpos, cpos + cneg, data = bcg, slab = paste(author, year))
}

test_that("the GOSH plot's top density shares the scatter's log axis; points are visible", {
  skip_if_not_installed("vdiffr")
  g <- suppressWarnings(metapool_gosh(metapool(bcg_rr()), progress = FALSE))
  # the density is drawn on the log scale: its mode lies by the median subset RR
  d <- stats::density(g$estimate)
  expect_lt(abs(exp(d$x[which.max(d$y)]) - stats::median(exp(g$estimate))), 0.05)
  # the snapshot: 255 subsets of 8 trials keep the file small
  small <- metapool_gosh(metapool(bcg_rr()[1:8, ]), progress = FALSE)
  vdiffr::expect_doppelganger("gosh bcg", function() plot(small),
                              writer = sized_svg_writer(7, 7))
})

test_that("leave-one-out and cumulative plots: ticks, estimate text and the null line", {
  skip_if_not_installed("vdiffr")
  fit <- metapool(bcg_rr())
  # every estimate is below 1, so the null line is off the data's range: the axis
  # reaches 1 and ticks it
  expect_true(all(exp(metapool_leave1out(fit)$ci_ub) < 1))
  expect_true(1 %in% ratio_ticks(c(0.3, 1.05)))
  expect_gte(length(ratio_ticks(c(0.3, 1.05))), 4L)
  vdiffr::expect_doppelganger("leave1out bcg", function() plot(metapool_leave1out(fit)),
                              writer = sized_svg_writer(9, 6))
  vdiffr::expect_doppelganger("cumulative bcg",
                              function() plot(metapool_cumulative(fit, order = bcg$year)),
                              writer = sized_svg_writer(9, 6))
  smd <- metapool(es_smd(m1, sd1, n1, m2, sd2, n2, data = normand1999, slab = source))
  vdiffr::expect_doppelganger("leave1out smd", function() plot(metapool_leave1out(smd)),
                              writer = sized_svg_writer(9, 6))
})

test_that("the influence plot labels studies and draws metafor's cut-off lines", {
  skip_if_not_installed("vdiffr")
  inf <- metapool_influence(metapool(bcg_rr()))
  vdiffr::expect_doppelganger("influence bcg", function() plot(inf),
                              writer = sized_svg_writer(10, 10))
})
