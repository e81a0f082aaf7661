# The one file/device helper of the plots: files of a given size by extension, for
# forest, funnel and the refitting engines' plots.

test_that("plot_output() writes a file of the size asked for and returns it invisibly", {
  png_file <- tempfile(fileext = ".png")
  out <- expect_invisible(plot_output(function() {
    graphics::plot.new()
    list(drawn = TRUE)
  }, png_file, width = 3, height = 2, res = 100))
  expect_equal(out[c("width", "height", "file", "drawn")],
               list(width = 3, height = 2, file = png_file, drawn = TRUE))
  if (requireNamespace("png", quietly = TRUE)) {
    expect_equal(dim(png::readPNG(png_file))[1:2], c(200, 300))
  }
  before <- grDevices::dev.cur()
  for (ext in c(".pdf", ".svg", ".jpeg", ".tiff")) {
    f <- tempfile(fileext = ext)
    plot_output(graphics::plot.new, f, 3, 2)
    expect_gt(file.size(f), 0)
  }
  expect_equal(grDevices::dev.cur(), before)
  expect_error(plot_output(graphics::plot.new, tempfile(fileext = ".docx"), 3, 2),
               class = "metapool_error_input")
  expect_error(plot_output(graphics::plot.new, tempfile(fileext = ".pdf"), -1, 2),
               class = "metapool_error_input")
})

test_that("the refitting engines' plots write files through the same helper", {
  fit <- metapool(es_rr(tpos, tpos + tneg, cpos, cpos + cneg, data = bcg,
                        slab = paste(author, year)))
  results <- list(metapool_gosh(metapool(es_rr(tpos, tpos + tneg, cpos, cpos + cneg,
                                                data = bcg[1:6, ])), progress = FALSE),
                  metapool_leave1out(fit), metapool_cumulative(fit), metapool_influence(fit))
  for (x in results) {
    f <- tempfile(fileext = ".png")
    out <- expect_invisible(plot(x, file = f, width = 5, height = 4, res = 50))
    expect_identical(out, x)
    if (requireNamespace("png", quietly = TRUE)) {
      expect_equal(dim(png::readPNG(f))[1:2], c(200, 250))
    }
  }
  expect_error(plot(results[[2]], file = tempfile(fileext = ".doc")),
               class = "metapool_error_input")
})

test_that("diagnostics of synthetic data carry the mark into their plots", {
  d <- eccleston2014_synthetic
  d <- d[d$analysis == "nonheadache_pain_post", ]
  es <- es_smd(m1, sd1, n1, m2, sd2, n2, data = d)
  fit <- metapool(es, method = "DL")
  expect_true(fit$synthetic)
  for (x in list(metapool_leave1out(fit), metapool_cumulative(fit), metapool_influence(fit),
                 metapool_gosh(fit, progress = FALSE))) {
    expect_true(attr(x, "synthetic"))
    f <- tempfile(fileext = ".png")
    plot(x, file = f)
    expect_gt(file.size(f), 0)
  }
})
