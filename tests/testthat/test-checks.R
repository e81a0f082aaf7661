smd_args <- list(m1 = c(10, 12, 9), sd1 = c(2, 3, 2.5), n1 = c(20, 30, 25),
                 m2 = c(8, 11, 9.5), sd2 = c(2.2, 2.8, 2.4), n2 = c(22, 28, 26))
bin_args <- list(events1 = c(3, 5, 0), n1 = c(20, 30, 25), events2 = c(6, 9, 4), n2 = c(22, 28, 26))

call_with <- function(fn, args, ...) {
  mod <- list(...)
  args[names(mod)] <- mod
  do.call(fn, args)
}

expect_input_error <- function(expr, pattern) {
  expect_error(expr, pattern, class = "metapool_error_input")
}

test_that("continuous inputs: bad values are classed errors naming the argument", {
  expect_input_error(call_with(es_smd, smd_args, sd1 = c(2, -3, 2.5)), "`sd1` must not be negative: row 2")
  # an SD of 0 in one arm is usable (issue 13, point 12)
  expect_true(all(call_with(es_smd, smd_args, sd2 = c(0, 2.8, 2.4))$estimable))
  expect_input_error(call_with(es_smd, smd_args, n2 = c(22, 1, 26)), "`n2` must be at least 2")
  expect_input_error(call_with(es_md, smd_args, n1 = c(20, 0, 25)), "`n1` must be at least 2")
  expect_input_error(call_with(es_smd, smd_args, m1 = c("10", "12", "9")), "`m1` must be a numeric vector")
  expect_input_error(call_with(es_smd, smd_args, m1 = factor(c(10, 12, 9))), "`m1` must be a numeric vector, not a factor")
  expect_input_error(call_with(es_smd, smd_args, m1 = c(TRUE, FALSE, TRUE)), "`m1` must be a numeric vector")
  expect_input_error(call_with(es_smd, smd_args, m1 = c(10, Inf, 9)), "`m1` must be finite")
  expect_input_error(call_with(es_smd, smd_args, n2 = c(22, 28)), "same length")
  expect_input_error(call_with(es_smd, smd_args, sd1 = NULL), "`sd1` is NULL")
  expect_input_error(es_smd(m1 = 1, sd1 = 1, n1 = 10, m2 = 1, sd2 = 1), "`n2` is missing")
  expect_input_error(call_with(es_smd, smd_args, m1 = numeric(0), sd1 = numeric(0), n1 = numeric(0),
                               m2 = numeric(0), sd2 = numeric(0), n2 = numeric(0)), "No studies")
})

test_that("binary inputs: bad values are classed errors naming the argument", {
  expect_input_error(call_with(es_rr, bin_args, events1 = c(3, 31, 0)), "`events1` must not exceed `n1`: row 2")
  expect_input_error(call_with(es_or, bin_args, events2 = c(6, -1, 4)), "`events2` must not be negative")
  expect_input_error(call_with(es_rd, bin_args, n1 = c(20, 0, 25)), "`n1` must be positive")
  expect_input_error(call_with(es_rr, bin_args, n2 = c(22, 28, -26)), "`n2` must be positive")
  expect_input_error(call_with(es_rr, bin_args, add = -1), "`add`")
  expect_input_error(call_with(es_rr, bin_args, to = "some"), "`to` must be one of")
  expect_input_error(call_with(es_rr, bin_args, drop00 = NA), "`drop00`")
  expect_input_error(call_with(es_rr, bin_args, events1 = c("3", "5", "0")), "`events1`")
})

test_that("options are validated", {
  expect_input_error(call_with(es_smd, smd_args, preset = "stata"), "`preset` must be one of")
  expect_input_error(call_with(es_smd, smd_args, correction = "hedges"), "`correction`")
  expect_input_error(call_with(es_smd, smd_args, vtype = "XX"), "`vtype`")
  expect_input_error(call_with(es_smd, smd_args, level = 0), "`level`")
  expect_input_error(call_with(es_smd, smd_args, level = c(90, 95)), "`level`")
  expect_input_error(call_with(es_smd, smd_args, subset = c(TRUE, FALSE)), "`subset`")
  expect_input_error(call_with(es_smd, smd_args, subset = 5), "`subset`")
  expect_input_error(call_with(es_smd, smd_args, slab = c("a", "b")), "`slab`")
  expect_input_error(call_with(es_smd, smd_args, data = list(a = 1)), "`data` must be a data frame")
  expect_input_error(es_smd(m1, sd1, n1, m2, sd2, nope, data = normand1999), "`n2` could not be evaluated")
  expect_input_error(call_with(es_smd, smd_args, na.action = "na.drop"), "`na.action`")
})

test_that("missing values fail by default and follow na.action otherwise", {
  with_na <- smd_args
  with_na$sd2 <- c(2.2, NA, 2.4)
  expect_input_error(do.call(es_smd, with_na), "`sd2` has missing values \\(row 2\\).*na.action")
  omitted <- call_with(es_smd, with_na, na.action = "na.omit")
  expect_equal(nrow(omitted), 2)
  expect_equal(omitted$slab, c(1L, 3L))
  expect_equal(attr(omitted, "omitted"), 2L)
  passed <- call_with(es_smd, with_na, na.action = na.pass)
  expect_equal(nrow(passed), 3)
  expect_true(is.na(passed$yi[2]) && is.na(passed$vi[2]))
  expect_equal(passed$yi[-2], omitted$yi)
  # a missing value outside the subset is not a problem
  expect_equal(nrow(call_with(es_smd, with_na, subset = c(1, 3))), 2)
  bin_na <- bin_args
  bin_na$events1 <- c(3, NA, 0)
  expect_input_error(do.call(es_rr, bin_na), "`events1` has missing values")
  expect_true(is.na(call_with(es_rr, bin_na, na.action = "na.pass")$estimable[2]))
  expect_input_error(call_with(es_smd, with_na, sd2 = rep(NA_real_, 3), na.action = "na.omit"),
                     "No studies are left")
})

test_that("misspelt option values get a suggestion", {
  expect_error(metapool(yi = c(1, 2), vi = c(0.1, 0.2), method = "reml"), "Did you mean \"REML\"",
               class = "metapool_error_input")
  expect_error(metapool(yi = c(1, 2), vi = c(0.1, 0.2), ci_method = "hksg"),
               "Did you mean \"hksj\"", class = "metapool_error_input")
  expect_error(es_rr(1, 10, 2, 10, to = "onl0"), "Did you mean \"only0\"",
               class = "metapool_error_input")
  expect_error(es_smd(1, 1, 10, 0, 1, 10, vtype = "XXXXXX"), "must be one of \"LS\"",
               class = "metapool_error_input")
})
