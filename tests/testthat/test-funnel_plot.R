# Funnel plots: data, files, argument checks and snapshots.

bcg_fit <- function(...) {
  metapool(es_rr(tpos, tpos + tneg, cpos, cpos + cneg, data = bcg, slab = paste(author, year)), ...)
}

test_that("funnel_plot() plots effects against standard errors and writes files", {
  fit <- bcg_fit()
  pdf_file <- tempfile(fileext = ".pdf")
  out <- funnel_plot(fit, file = pdf_file)
  expect_true(file.exists(pdf_file) && file.size(pdf_file) > 0)
  expect_equal(out$data$yi, fit$yi)
  expect_equal(out$data$se, sqrt(fit$vi))
  expect_equal(out[c("width", "height")], list(width = 6.5, height = 5))
  png_file <- tempfile(fileext = ".png")
  out <- funnel_plot(fit, contour = TRUE, file = png_file, width = 4, height = 3, res = 100)
  expect_true(file.exists(png_file) && file.size(png_file) > 0)
  if (requireNamespace("png", quietly = TRUE)) {
    expect_equal(dim(png::readPNG(png_file))[1:2], c(300, 400))
  }
  sub <- bcg_fit(subgroup = alloc, data = bcg)
  out <- funnel_plot(sub, file = tempfile(fileext = ".pdf"))
  expect_equal(out$data$subgroup, as.character(bcg$alloc))
  # Mantel-Haenszel fits, without the study that is not estimable.
  mh <- metapool_mh(events1, n1, events2, n2, data = nielweise2007, slab = author,
                    measure = "OR", preset = "revman5")
  out <- funnel_plot(mh, contour = TRUE, file = tempfile(fileext = ".pdf"))
  expect_equal(nrow(out$data), 17)
})

test_that("funnel_plot() checks its arguments", {
  fit <- bcg_fit()
  pdf_file <- tempfile(fileext = ".pdf")
  err <- function(...) expect_error(funnel_plot(fit, ..., file = pdf_file),
                                    class = "metapool_error_input")
  err(contour = "yes")
  err(levels = "0.95")
  err(levels = 100)
  err(xlim = c(-1, 2))
  err(se_max = 0)
  err(shade = c("white", "grey"))
  err(width = 0)
  err(countour = TRUE)
  expect_error(funnel_plot(data.frame(yi = 1)), class = "metapool_error_input")
})

test_that("funnel plots match their snapshots", {
  skip_if_not_installed("vdiffr")
  fit <- bcg_fit()
  vdiffr::expect_doppelganger("funnel plain", function() funnel_plot(fit))
  vdiffr::expect_doppelganger("funnel contour-enhanced", function() {
    funnel_plot(bcg_fit(subgroup = alloc, data = bcg), contour = TRUE)
  })
  smd <- metapool(es_smd(m1, sd1, n1, m2, sd2, n2, data = normand1999, slab = source))
  vdiffr::expect_doppelganger("funnel smd contour-enhanced", function() {
    funnel_plot(smd, contour = TRUE, title = "Stroke units")
  })
})

test_that("funnel plots of synthetic data say so in the title", {
  syn <- subset(eccleston2014_synthetic, analysis == "headache_pain_post")
  mh <- metapool_mh(events1, n1, events2, n2, data = syn, slab = trial, measure = "RR",
                    model = "random", preset = "revman5")
  expect_invisible(funnel_plot(mh, file = tempfile(fileext = ".pdf")))
  skip_if_not_installed("vdiffr")
  vdiffr::expect_doppelganger("funnel synthetic data", function() funnel_plot(mh))
})
