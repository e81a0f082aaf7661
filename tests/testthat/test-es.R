test_that("arguments are found in data as columns, expressions or column names", {
  by_column <- es_rr(tpos, tpos + tneg, cpos, cpos + cneg, data = bcg, slab = paste(author, year))
  by_vector <- es_rr(bcg$tpos, bcg$tpos + bcg$tneg, bcg$cpos, bcg$cpos + bcg$cneg,
                     slab = paste(bcg$author, bcg$year))
  expect_equal(as.data.frame(by_column), as.data.frame(by_vector))
  by_name <- es_smd("m1", "sd1", "n1", "m2", "sd2", "n2", data = normand1999, slab = "source")
  expect_equal(by_name$yi, es_smd(m1, sd1, n1, m2, sd2, n2, data = normand1999)$yi)
  expect_equal(by_name$slab, normand1999$source)
  # local variables are visible when data is given
  scale <- 2
  doubled <- es_md(m1 * scale, sd1 * scale, n1, m2 * scale, sd2 * scale, n2, data = normand1999)
  expect_equal(doubled$yi, 2 * (normand1999$m1 - normand1999$m2))
})

test_that("subset selects studies by logical vector or row numbers, keeping labels", {
  a <- es_smd(m1, sd1, n1, m2, sd2, n2, data = normand1999, subset = n1 > 50)
  b <- es_smd(m1, sd1, n1, m2, sd2, n2, data = normand1999, subset = which(normand1999$n1 > 50))
  expect_equal(a$slab, which(normand1999$n1 > 50))
  expect_equal(as.data.frame(a), as.data.frame(b))
})

test_that("mp_es is a data frame with the documented columns and attributes", {
  es <- es_or(events1, n1, events2, n2, data = nielweise2007, slab = author)
  expect_s3_class(es, c("mp_es", "data.frame"), exact = TRUE)
  expect_named(es, c("slab", "events1", "n1", "events2", "n2", "yi", "vi", "ci_lb", "ci_ub",
                     "corrected", "estimable"))
  expect_equal(attr(es, "measure"), "OR")
  expect_equal(attr(es, "level"), 0.95)
  expect_equal(attr(es, "preset"), "metafor")
  expect_equal(attr(es, "es_options"), list(add = 0.5, to = "only0", drop00 = FALSE))
  smd <- es_smd(m1, sd1, n1, m2, sd2, n2, data = normand1999)
  expect_named(smd, c("slab", "m1", "sd1", "n1", "m2", "sd2", "n2", "yi", "vi", "ci_lb", "ci_ub",
                      "estimable"))
})

test_that("[ keeps the class while the columns it needs stay; as.data.frame() drops it", {
  es <- es_smd(m1, sd1, n1, m2, sd2, n2, data = normand1999, slab = source)
  sub <- es[2:4, ]
  expect_s3_class(sub, "mp_es")
  expect_equal(attr(sub, "measure"), "SMD")
  expect_equal(sub$slab, normand1999$source[2:4])
  expect_equal(rownames(sub), c("2", "3", "4"))
  cols <- es[, c("slab", "yi", "vi", "ci_lb", "ci_ub")]
  expect_s3_class(cols, "mp_es")
  expect_output(print(cols), "Standardised mean difference")
  # issue 13, point 13: a selection without the columns print() needs is a plain data
  # frame, and prints as one
  yv <- es[, c("yi", "vi")]
  expect_identical(class(yv), "data.frame")
  expect_equal(yv$yi, es$yi)
  expect_output(print(yv), "yi")
  expect_identical(class(es[, c("slab", "yi", "vi")]), "data.frame")
  no_vi <- es[, c("slab", "yi")]
  expect_false(inherits(no_vi, "mp_es"))
  expect_null(attr(no_vi, "measure"))
  expect_type(es[, "yi"], "double")
  plain <- as.data.frame(es)
  expect_identical(class(plain), "data.frame")
  expect_null(attr(plain, "es_options"))
})

test_that("print shows back-transformed ratios, corrections and non-estimable studies", {
  expect_snapshot(print(es_smd(m1, sd1, n1, m2, sd2, n2, data = normand1999, slab = source)))
  expect_snapshot(print(es_rr(events1, n1, events2, n2, data = nielweise2007, slab = author,
                              preset = "revman5")))
  expect_snapshot(print(es_md(m1 = c(1, NA), sd1 = c(1, 1), n1 = c(10, 10), m2 = c(0, 0),
                              sd2 = c(1, 1), n2 = c(10, 10), na.action = "na.omit")))
  out <- capture.output(print(es_or(tpos, tpos + tneg, cpos, cpos + cneg, data = bcg)))
  expect_match(out[3], "OR")
})
