# Every exported function against bad input. Each case must give an error of
# class metapool_error_input (or, where the analysis is still defined, a warning
# of class metapool_warning_*) whose message names the argument, the offending
# rows where there are rows, and what would be valid. Never a crash, a silent NaN
# or a plain R error.

# ---- study-level front ends, driven by one generator -------------------------

# Valid arguments of every front end that takes study-level vectors (3 studies).
front_ends <- list(
  es_smd = list(fn = es_smd, args = list(m1 = c(10, 12, 9), sd1 = c(2, 3, 2.5), n1 = c(20, 25, 30),
                                         m2 = c(11, 14, 10), sd2 = c(2.2, 2.9, 2.4),
                                         n2 = c(21, 24, 30))),
  es_md = list(fn = es_md, args = list(m1 = c(10, 12, 9), sd1 = c(2, 3, 2.5), n1 = c(20, 25, 30),
                                       m2 = c(11, 14, 10), sd2 = c(2.2, 2.9, 2.4),
                                       n2 = c(21, 24, 30))),
  es_rr = list(fn = es_rr, args = list(events1 = c(5, 8, 3), n1 = c(20, 25, 30),
                                       events2 = c(9, 12, 6), n2 = c(21, 24, 30))),
  es_or = list(fn = es_or, args = list(events1 = c(5, 8, 3), n1 = c(20, 25, 30),
                                       events2 = c(9, 12, 6), n2 = c(21, 24, 30))),
  es_rd = list(fn = es_rd, args = list(events1 = c(5, 8, 3), n1 = c(20, 25, 30),
                                       events2 = c(9, 12, 6), n2 = c(21, 24, 30))),
  metapool_mh = list(fn = metapool_mh, args = list(events1 = c(5, 8, 3), n1 = c(20, 25, 30),
                                                   events2 = c(9, 12, 6), n2 = c(21, 24, 30))),
  metapool = list(fn = metapool, args = list(yi = c(0.1, 0.4, -0.2), vi = c(0.02, 0.05, 0.03))),
  es_giv = list(fn = es_giv, args = list(estimate = c(0.1, 0.4, -0.2), se = c(0.1, 0.2, 0.15))),
  metapool_batch = list(fn = function(...) metapool_batch(..., by = c(1, 1, 1)),
                        args = list(yi = c(0.1, 0.4, -0.2), vi = c(0.02, 0.05, 0.03)))
)

expect_input_error <- function(expr, pattern, label) {
  err <- tryCatch(expr, error = function(e) e)
  expect(inherits(err, "metapool_error_input"),
         sprintf("%s: expected a metapool_error_input, got %s", label,
                 if (inherits(err, "error")) paste(class(err)[1], conditionMessage(err)) else "no error"))
  if (inherits(err, "metapool_error_input")) {
    expect(grepl(pattern, conditionMessage(err)),
           sprintf("%s: message \"%s\" does not match \"%s\"", label, conditionMessage(err), pattern))
  }
}

test_that("every study-level argument rejects NA, NaN, Inf, wrong types and wrong lengths", {
  for (fe in names(front_ends)) {
    f <- front_ends[[fe]]
    for (arg in names(f$args)) {
      bad <- function(value) {
        a <- f$args
        a[[arg]] <- value
        do.call(f$fn, a)
      }
      v <- f$args[[arg]]
      lab <- paste(fe, arg)
      expect_input_error(bad(replace(v, 2, NA)), sprintf("`%s` has missing values \\(row 2\\).*na\\.omit", arg),
                         paste(lab, "NA"))
      expect_input_error(bad(replace(v, 2, NaN)), sprintf("`%s` has missing values \\(row 2\\)", arg),
                         paste(lab, "NaN"))
      expect_input_error(bad(replace(v, 2, Inf)), sprintf("`%s` must be finite: row 2", arg),
                         paste(lab, "Inf"))
      expect_input_error(bad(replace(v, 3, -Inf)), sprintf("`%s` must be finite: row 3", arg),
                         paste(lab, "-Inf"))
      expect_input_error(bad(as.character(v)), sprintf("`%s` must be a numeric vector, not of type character", arg),
                         paste(lab, "character"))
      expect_input_error(bad(factor(v)), sprintf("`%s` must be a numeric vector, not a factor", arg),
                         paste(lab, "factor"))
      expect_input_error(bad(as.list(v)), sprintf("`%s` must be a numeric vector, not of type list", arg),
                         paste(lab, "list"))
      expect_input_error(bad(v[-3]), sprintf("same length.*`%s` has 2", arg), paste(lab, "length"))
    }
    empty <- lapply(f$args, function(v) numeric(0))
    expect_input_error(do.call(f$fn, empty), "No studies|same length", paste(fe, "zero length"))
  }
})

test_that("a data argument without the named column is reported by name", {
  for (fe in setdiff(names(front_ends), "metapool_batch")) {
    f <- front_ends[[fe]]
    d <- as.data.frame(f$args)
    cols <- lapply(names(d), as.name)
    names(cols) <- names(d)
    cols[[1]] <- as.name("not_a_column")
    expect_input_error(do.call(f$fn, c(cols, list(data = d))),
                       sprintf("`%s` could not be evaluated.*not_a_column", names(d)[1]),
                       paste(fe, "missing column"))
    expect_input_error(do.call(f$fn, c(f$args, list(data = list(a = 1)))),
                       "`data` must be a data frame", paste(fe, "data not a data frame"))
  }
  expect_input_error(metapool_batch(data.frame(yi = 1, vi = 1), yi = yi, vi = nope),
                     "`vi`.*nope", "metapool_batch missing column")
})

test_that("impossible values are rejected with the rows and the rule", {
  cont <- front_ends$es_smd$args
  for (fn in list(es_smd, es_md)) {
    expect_input_error(do.call(fn, replace(cont, "sd1", list(c(2, -1, 2)))),
                       "`sd1` must not be negative: row 2 \\(value -1\\)", "negative SD")
    # An SD of 0 in one arm is usable (the other arm's SD gives the variance).
    expect_true(all(is.finite(do.call(fn, replace(cont, "sd2", list(c(2, 2, 0))))$yi)))
    expect_input_error(do.call(fn, replace(cont, "n1", list(c(20, 1, 30)))),
                       "`n1` must be at least 2: row 2 \\(value 1\\)", "n < 2")
  }
  bin <- front_ends$es_rr$args
  for (fn in list(es_rr, es_or, es_rd, metapool_mh)) {
    expect_input_error(do.call(fn, replace(bin, "events1", list(c(5, -1, 3)))),
                       "`events1` must not be negative: row 2 \\(value -1\\)", "negative events")
    expect_input_error(do.call(fn, replace(bin, "events2", list(c(9, 12, 31)))),
                       "`events2` must not exceed `n2`: row 3 \\(value 31\\)", "events > n")
    expect_input_error(do.call(fn, replace(bin, "n1", list(c(20, 0, 30)))),
                       "`n1` must be positive: row 2 \\(value 0\\)", "zero n")
    expect_input_error(do.call(fn, replace(bin, "n2", list(c(-21, 24, 30)))),
                       "`n2` must be positive: row 1", "negative n")
  }
  gen <- front_ends$metapool$args
  expect_input_error(metapool(gen$yi, c(0.02, -0.05, 0.03)),
                     "`vi` must be positive \\(a sampling variance\\): row 2 \\(value -0.05\\)", "negative vi")
  expect_input_error(metapool(gen$yi, c(0.02, 0, 0.03)), "`vi` must be positive.*row 2", "zero vi")
  expect_input_error(metapool(gen$yi, sei = c(0.1, -0.2, 0.1)), "`sei` must be positive.*row 2", "negative sei")
  expect_input_error(metapool(gen$yi, gen$vi, sei = sqrt(gen$vi)), "exactly one of `vi`", "vi and sei")
  expect_input_error(metapool(gen$yi), "exactly one of `vi`", "neither vi nor sei")
  expect_input_error(metapool_batch(yi = gen$yi, vi = c(0.02, -1, 0.03), by = c(1, 1, 2)),
                     "`vi`.*row 2", "batch negative vi")
})

test_that("the Handbook conversions reject impossible reports with the argument and the rows", {
  cases <- list(
    list(quote(es_giv(c(1, 2), ci_lb = c(0, 3), ci_ub = c(2, 2.5))), "`ci_lb` must be below `ci_ub`.*row 2"),
    list(quote(es_giv(c(1, 2), ci_lb = c(0, 1), ci_ub = c(2, 1.5))), "`ci_ub` must not be below `estimate`.*row 2"),
    list(quote(es_giv(c(1, 2), se = c(-0.1, 0.2))), "`se` must be positive: row 1"),
    list(quote(convert_sd(n1 = c(10, 12), se = c(1, -2))), "`se` must be positive: row 2"),
    list(quote(convert_cluster(n = c(80, 90), cluster_size = 20, icc = c(0.05, 1))), "`icc` must be an intracluster correlation in \\[0, 1\\): row 2"),
    list(quote(convert_cluster(n = 80, cluster_size = 20, icc = -0.1)), "`icc`.*row 1"),
    list(quote(convert_crossover(5, 2, 4, 2, n = 12, r = c(0.5, -1))), "`r` must be a correlation strictly between -1 and 1: row 2"),
    list(quote(convert_change(4, 5, r = c(0.2, 1.1))), "`r` must be a correlation.*row 2"),
    list(quote(convert_fivenum(q1 = c(5, 7), median = c(6, 6.5), q3 = c(8, 9), n = 30)), "`q1` must not be above `median`.*row 2"),
    list(quote(convert_fivenum(min = 1, q1 = 3, median = 4, q3 = 3.5, max = 9, n = 30)), "`median` must not be above `q3`.*row 1"),
    list(quote(convert_hr(hr = c(0.8, 0.7), ci_lb = c(0.9, 0.5), ci_ub = c(1.1, 0.9))), "`ci_lb` must not be above `hr`.*row 1"),
    list(quote(convert_or_to_rr(or = 0.7, acr = c(0.3, 0))), "`acr` must be a risk strictly between 0 and 1: row 2")
  )
  for (case in cases) {
    expect_input_error(eval(case[[1]]), case[[2]], deparse(case[[1]])[1])
  }
})

test_that("non-integer counts and duplicated labels warn with their own classes", {
  bin <- front_ends$es_rr$args
  for (fn in list(es_rr, es_or, es_rd, metapool_mh)) {
    expect_warning(do.call(fn, replace(bin, "events1", list(c(5, 7.5, 3)))),
                   "`events1` has values that are not whole numbers: row 2 \\(value 7.5\\)",
                   class = "metapool_warning_non_integer")
    expect_warning(do.call(fn, replace(bin, "n2", list(c(21, 24.3, 30)))),
                   "`n2`.*row 2", class = "metapool_warning_non_integer")
  }
  expect_warning(do.call(es_smd, replace(front_ends$es_smd$args, "n1", list(c(20, 25.5, 30)))),
                 "`n1`.*row 2", class = "metapool_warning_non_integer")
  for (fe in setdiff(names(front_ends), "metapool_batch")) {
    f <- front_ends[[fe]]
    expect_warning(res <- do.call(f$fn, c(f$args, list(slab = c("Smith", "Jones", "Smith")))),
                        "`slab` has duplicated labels \\(rows 1, 3", class = "metapool_warning_duplicate_labels")
    expect_identical(res$slab, c("Smith.1", "Jones", "Smith.2"), label = fe)
  }
})

test_that("misspelt or unknown options name the argument, the choices and the likely one", {
  gen <- front_ends$metapool$args
  expect_input_error(metapool(gen$yi, gen$vi, method = "RELM"), "`method` must be one of.*Did you mean \"REML\"", "method")
  expect_input_error(metapool(gen$yi, gen$vi, method = "EE"), "Did you mean \"FE\"\\? \\(\"EE\" is metafor", "method EE")
  expect_input_error(metapool(gen$yi, gen$vi, ci_method = "knha"), "Did you mean \"hksj\"", "ci knha")
  expect_input_error(metapool(gen$yi, gen$vi, pi_method = "tk2"), "`pi_method`.*Did you mean \"t_k2\"", "pi")
  expect_input_error(metapool(gen$yi, gen$vi, tau2_ci = "qp"), "Did you mean \"QP\"", "tau2_ci")
  expect_input_error(metapool(gen$yi, gen$vi, control = list(tolerance = 1)), "`control`", "control")
  expect_input_error(metapool(gen$yi, gen$vi, level = 150), "`level`", "level")
  expect_input_error(metapool(gen$yi, gen$vi, tau2 = -1), "`tau2` must be a single non-negative", "tau2")
  expect_input_error(metapool(gen$yi, gen$vi, na.action = "na.drop"), "`na.action`.*na.exclude", "na.action")
  expect_input_error(metapool(gen$yi, gen$vi, method = "DL", tau2_ci = "PL"), "`tau2_ci = \"PL\"`", "PL needs ML")
  expect_input_error(metapool(gen$yi, gen$vi, common_tau2 = "yes"), "`common_tau2` must be TRUE or FALSE", "common")
  expect_input_error(metapool(gen$yi, gen$vi, control = list(max_iter = 0)), "`control\\$max_iter`", "max_iter")
  expect_input_error(metapool(gen$yi, gen$vi, subgroup = c("a", NA, "b")), "`subgroup` has missing values \\(row 2\\)",
                     "subgroup NA")
  expect_input_error(metapool(gen$yi, gen$vi, subset = c(FALSE, FALSE, FALSE)), "No studies are left", "subset")
  expect_input_error(metapool(gen$yi, gen$vi, subset = 7), "`subset` must be", "subset rows")
  expect_input_error(metapool_batch(yi = gen$yi, vi = gen$vi, by = c(1, NA, 2)), "`by` has missing values \\(row 2\\)",
                     "batch by NA")
  bin <- front_ends$es_rr$args
  expect_input_error(do.call(es_rr, c(bin, list(preset = "revman"))), "Did you mean \"revman5\"", "preset")
  expect_input_error(do.call(es_rr, c(bin, list(to = "al"))), "`to`", "to")
  expect_input_error(do.call(es_rr, c(bin, list(add = -1))), "`add` must be a single non-negative number", "add")
  expect_input_error(do.call(es_rr, c(bin, list(drop00 = NA))), "`drop00` must be TRUE or FALSE", "drop00")
  expect_input_error(do.call(metapool_mh, c(bin, list(add = c(1, 2, 3)))), "`add` must have one or two", "mh add")
  expect_input_error(do.call(metapool_mh, c(bin, list(measure = "RD", rd_variance = "satto"))),
                     "Did you mean \"sato\"", "rd_variance")
  expect_input_error(do.call(es_md, c(front_ends$es_md$args, list(vtype = "pool"))), "Did you mean \"pooled\"", "md vtype")
  expect_input_error(do.call(metapool_mh, c(bin, list(method = "peto"))), "Did you mean \"Peto\"", "mh method")
  expect_input_error(do.call(metapool_mh, c(bin, list(method = "Peto", measure = "RR"))), "`measure = \"OR\"`", "Peto RR")
  expect_input_error(do.call(metapool_mh, c(bin, list(model = "randm"))), "Did you mean \"random\"", "model")
  expect_input_error(do.call(es_smd, c(front_ends$es_smd$args, list(vtype = "ls"))), "Did you mean \"LS\"", "vtype")
  expect_input_error(do.call(es_smd, c(front_ends$es_smd$args, list(correction = "aprox"))),
                     "`correction`.*Did you mean", "correction")
})

test_that("k = 1 is analysed where it is defined and refused where it is not", {
  fit <- metapool(0.3, 0.04)
  expect_identical(fit$k, 1L)
  expect_equal(fit$estimate, 0.3)
  expect_true(is.na(fit$pi_lb))
  expect_equal(fit$Q, 0)
  one <- es_smd(10, 2, 20, 11, 2.2, 21)
  expect_identical(nrow(one), 1L)
  expect_true(is.finite(one$yi))
  expect_true(is.finite(metapool_mh(5, 20, 9, 21)$estimate))
  expect_input_error(metapool_leave1out(fit), "one study; leaving one out needs at least 2",
                     "leave1out k = 1")
  # defined, if trivial: one subset; two sign vectors, so p = 1
  expect_identical(nrow(metapool_gosh(fit)), 1L)
  expect_equal(metapool_permutest(fit, exact = TRUE)$p, 1)
})

# ---- the other exported functions ---------------------------------------------

test_that("the refitting engines check their arguments", {
  fit <- metapool(front_ends$metapool$args$yi, front_ends$metapool$args$vi)
  expect_input_error(metapool_gosh(1), "`fit`", "gosh fit")
  expect_input_error(metapool_gosh(fit, subsets = -1), "`subsets`", "gosh subsets")
  expect_input_error(metapool_gosh(fit, threads = 0), "`threads`", "gosh threads")
  expect_input_error(metapool_leave1out(list()), "`fit`", "leave1out fit")
  expect_input_error(metapool_cumulative(fit, order = 1:2), "`order`", "cumulative order length")
  expect_input_error(metapool_influence(NULL), "`fit`", "influence fit")
  expect_input_error(metapool_permutest(fit, iter = 0), "`iter`", "permutest iter")
  expect_input_error(metapool_permutest(fit, iter = NA), "`iter`", "permutest iter NA")
  expect_input_error(metapool_bootstrap(fit, B = -5), "`B`", "bootstrap B")
  expect_input_error(metapool_bootstrap(fit, B = 10.5), "`B` must be a whole number", "bootstrap B fraction")
  expect_input_error(metapool_cumulative(fit, order = c(1, NA, 2)), "`order` has missing values.*row 2",
                     "cumulative order NA")
  expect_input_error(metapool_bootstrap(fit, type = "jackknife"), "`type`", "bootstrap type")
  expect_input_error(metapool_bootstrap(fit, level = 200), "`level`", "bootstrap level")
  expect_input_error(gosh_included(fit), "`x`", "gosh_included")
  expect_input_error(metapool_batch(yi = c(1, 2), vi = c(1, 1), by = c(1, 1), threads = -1),
                     "`threads`", "batch threads")
})

test_that("methods, NNT, plots, the review and the metafor bridge check their arguments", {
  fit <- metapool(front_ends$metapool$args$yi, front_ends$metapool$args$vi)
  expect_input_error(confint(fit, level = 0), "`level`", "confint level")
  expect_input_error(predict(fit, tau2 = -1), "`tau2`", "predict tau2")
  expect_input_error(predict(fit, level = "high"), "`level`", "predict level")
  expect_input_error(residuals(fit, type = "deviance"), "`type`.*\"raw\", \"pearson\"", "residuals type")

  expect_input_error(nnt_ci("a"), "`x` must be a numeric effect", "nnt type")
  expect_input_error(nnt_ci(0.5, measure = "RR"), "`event` must be given", "nnt event")
  expect_input_error(nnt_ci(0.5, measure = "RR", event = "harmful"), "`acr`", "nnt acr missing")
  expect_input_error(nnt_ci(0.5, measure = "RR", acr = 1.2, event = "harmful"),
                     "`acr` must be a risk between 0 and 1: row 1 \\(value 1.2\\)", "nnt acr")
  expect_input_error(nnt_ci(-0.5, measure = "OR", acr = 0.2, event = "harmful"), "`x` must be positive", "nnt log")
  expect_input_error(nnt_ci(0.5, measure = "RR", ci_lb = 0.7, ci_ub = 0.6, acr = 0.2, event = "harmful"),
                     "`ci_lb` exceeds `ci_ub` in row 1", "nnt crossed")
  expect_input_error(nnt_ci(c(0.5, 0.6), measure = "RR", acr = c(0.1, 0.2, 0.3), event = "harmful"),
                     "length", "nnt lengths")
  expect_input_error(nnt_ci(0.5, measure = "HR", acr = 0.2, event = "harmful"), "`measure`", "nnt measure")

  expect_input_error(forest_plot(1:3), "forest_plot|`x`", "forest x")
  expect_input_error(forest_plot(fit, digits = -1), "`digits`", "forest digits")
  expect_input_error(forest_plot(fit, layout = "revmen"), "Did you mean \"revman\"", "forest layout")
  expect_input_error(forest_plot(fit, xlim = c(2, 1)), "`xlim`", "forest xlim")
  expect_input_error(forest_plot(fit, labels = "x"), "`labels` must be a character vector of length 2", "labels")
  expect_input_error(forest_plot(fit, favours = c("a", "b", "c")), "`favours`", "favours")
  expect_input_error(forest_plot(fit, prediction = NA), "`prediction` must be TRUE or FALSE", "prediction")
  expect_input_error(forest_plot(fit, columns = "nonsense"), "`columns`.*choose from", "columns")
  expect_input_error(forest_plot(fit, fontsize = -1), "`fontsize`", "fontsize")
  expect_input_error(funnel_plot(fit, contour = "yes"), "`contour`", "contour")
  expect_input_error(funnel_plot(fit, se_max = -1), "`se_max`", "se_max")
  expect_input_error(forest_plot(fit, file = file.path(tempdir(), "x.docx")), "`file`", "forest file")
  expect_input_error(forest_plot(data.frame(a = 1), label = "a"), "column", "forest summary column")
  expect_input_error(funnel_plot("x"), "funnel_plot|`x`", "funnel x")
  expect_input_error(funnel_plot(fit, levels = c(0.9, NA)), "`levels`", "funnel levels")

  expect_input_error(reproduce_review(data.frame()), "`data` lacks", "review data")
  expect_input_error(reproduce_review(dir = NA_character_, metafor = FALSE), "`dir`", "review dir")
  expect_input_error(compare_metafor(list()), "`fit` must be a metapool fit", "compare fit")
  expect_input_error(compare_metafor(fit, tolerance = 0), "`tolerance`", "compare tolerance")
  expect_input_error(as_metapool(fit), "metafor rma.uni, rma.mh or rma.peto fit", "as_metapool")
})

test_that("na.action is the same across functions: fail, omit, exclude, and pass for effect sizes", {
  args <- front_ends$metapool$args
  yi <- replace(args$yi, 2, NA)
  expect_input_error(metapool(yi, args$vi), "`yi` has missing values \\(row 2\\)", "fail")
  omit <- metapool(yi, args$vi, slab = c("a", "b", "c"), na.action = "na.omit")
  expect_identical(omit$omitted, 2L)
  expect_identical(omit$k, 2L)
  expect_output(print(omit), "Omitted for missing values \\(na.action = \"na.omit\"\\): b \\(row 2\\)")
  expect_identical(names(weights(omit)), c("a", "c"))
  exclude <- metapool(yi, args$vi, slab = c("a", "b", "c"), na.action = "na.exclude")
  expect_equal(exclude$estimate, omit$estimate)
  expect_identical(names(weights(exclude)), c("a", "b", "c"))
  expect_true(is.na(weights(exclude)[["b"]]))
  expect_true(is.na(residuals(exclude)[["b"]]))
  expect_equal(residuals(exclude)[c("a", "c")], residuals(omit))
  expect_output(print(exclude), "na.exclude")
  expect_input_error(metapool(yi, args$vi, na.action = "na.pass"), "na.pass", "pass for pooling")

  bin <- front_ends$es_rr$args
  bin$events1[3] <- NA
  mh <- do.call(metapool_mh, c(bin, list(na.action = "na.exclude")))
  expect_identical(mh$omitted, 3L)
  expect_identical(length(weights(mh)), 3L)
  expect_true(is.na(weights(mh)[3]))
  es <- do.call(es_rr, c(bin, list(na.action = "na.exclude")))
  expect_identical(nrow(es), 3L)
  expect_true(is.na(es$yi[3]))
  es <- do.call(es_rr, c(bin, list(na.action = "na.omit")))
  expect_identical(nrow(es), 2L)
  expect_identical(attr(es, "omitted"), 3L)
  expect_input_error(do.call(es_rr, bin), "`events1` has missing values \\(row 3\\)", "es fail")
  batch <- metapool_batch(yi = c(0.1, NA, 0.3, 0.2), vi = c(0.1, 0.1, 0.1, 0.2), by = c(1, 1, 2, 2),
                          na.action = "na.omit")
  expect_identical(nrow(batch), 2L)
})
