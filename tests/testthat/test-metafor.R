# Interoperability with metafor and the validation suite: compare_metafor() over
# real datasets from metadat, every shared estimator and CI method.

validation_datasets <- function() {
  get_ds <- function(name) getExportedValue("metadat", name)
  std <- function(a, n1, c, n2) {
    d <- data.frame(events1 = a, n1 = n1, events2 = c, n2 = n2)
    d[stats::complete.cases(d), ]
  }
  from_n <- function(name) with(get_ds(name), std(ai, n1i, ci, n2i))
  damico <- get_ds("dat.damico2009")
  hart <- get_ds("dat.hart1999")
  yusuf <- get_ds("dat.yusuf1985")
  binary <- c(binary_datasets(), list(
    anand1999 = from_n("dat.anand1999"), graves2010 = from_n("dat.graves2010"),
    hahn2001 = from_n("dat.hahn2001"), laopaiboon2015 = from_n("dat.laopaiboon2015"),
    lau1992 = from_n("dat.lau1992"), linde2005 = from_n("dat.linde2005"),
    damico2009 = std(damico$xt, damico$nt, damico$xc, damico$nc),
    hart1999 = std(hart$x1i, hart$n1i, hart$x2i, hart$n2i)
  ))
  binary$yusuf1985 <- with(yusuf[yusuf$table == "6", ], std(ai, n1i, ci, n2i))
  generic <- list(
    raudenbush1985 = get_ds("dat.raudenbush1985")[c("yi", "vi")],
    bangertdrowns2004 = get_ds("dat.bangertdrowns2004")[c("yi", "vi")],
    hackshaw1998 = get_ds("dat.hackshaw1998")[c("yi", "vi")],
    konstantopoulos2011 = get_ds("dat.konstantopoulos2011")[c("yi", "vi")],
    molloy2014 = as.data.frame(pooling_datasets()$zcor_molloy2014)
  )
  list(continuous = continuous_datasets(), binary = binary,
       generic = lapply(generic, function(d) d[stats::complete.cases(d), ]))
}

expect_all_agree <- function(cmp, label) {
  bad <- cmp[cmp$agree %in% FALSE, ]
  expect(nrow(bad) == 0L, sprintf("%s: %s differ (%s)", label,
                                  paste(bad$quantity, collapse = ", "),
                                  paste(signif(bad$rel_diff, 2), collapse = ", ")))
}

test_that("compare_metafor() agrees over 25+ metadat datasets, all estimators and CI methods", {
  skip_if_not_installed("metafor")
  skip_if_not_installed("metadat")
  sets <- validation_datasets()
  expect_gte(length(unlist(lapply(sets, names))), 25L)
  ci_methods <- c("z", "t", "hksj", "hksj_adhoc")
  estimators <- setdiff(tau2_methods_all(), "FE")
  fits <- list()
  for (nm in names(sets$continuous)) {
    d <- sets$continuous[[nm]]
    fits[[paste(nm, "SMD")]] <- es_smd(m1, sd1, n1, m2, sd2, n2, data = d)
    fits[[paste(nm, "MD")]] <- es_md(m1, sd1, n1, m2, sd2, n2, data = d)
  }
  for (nm in names(sets$binary)) {
    d <- sets$binary[[nm]]
    es <- list(RR = es_rr, OR = es_or, RD = es_rd)
    for (measure in names(es)) {
      fits[[paste(nm, measure)]] <- suppressWarnings(es[[measure]](events1, n1, events2, n2, data = d))
    }
  }
  for (nm in names(sets$generic)) fits[[paste(nm, "generic")]] <- sets$generic[[nm]]
  i <- 0L
  for (nm in names(fits)) {
    es <- fits[[nm]]
    pool <- function(...) {
      if (inherits(es, "mp_es")) suppressWarnings(metapool(es, ...)) else
        suppressWarnings(metapool(es$yi, es$vi, ...))
    }
    # every estimator (CI method rotating), then every CI method with REML and FE
    for (method in estimators) {
      i <- i + 1L
      ci <- ci_methods[i %% 4L + 1L]
      # iterative estimators: both packages' convergence, relative to tiny tau^2
      # (risk differences), leaves ~1e-6 in H^2
      expect_all_agree(compare_metafor(pool(method = method, ci_method = ci), tolerance = 1e-5),
                       paste(nm, method, ci))
    }
    for (ci in ci_methods) {
      expect_all_agree(compare_metafor(pool(method = "FE", ci_method = ci)), paste(nm, "FE", ci))
    }
  }
})

test_that("compare_metafor() agrees for subgroups, PL intervals, fixed tau^2 and all PI types", {
  skip_if_not_installed("metafor")
  es <- es_rr(tpos, tpos + tneg, cpos, cpos + cneg, data = bcg, slab = paste(author, year))
  cmp <- compare_metafor(metapool(es, subgroup = bcg$alloc, method = "REML", tau2_ci = "PL"))
  expect_all_agree(cmp, "bcg subgroups")
  expect_true(all(c("subgroup_Q", "[random] estimate", "[systematic] tau2_ub") %in% cmp$quantity))
  # RevMan's subgroup test, by hand from metafor's subgroup fits
  subfits <- lapply(split(seq_len(13), bcg$alloc), function(i) metafor::rma(es$yi[i], es$vi[i]))
  b <- sapply(subfits, function(m) m$b[1])
  w <- 1 / sapply(subfits, function(m) m$se)^2
  expect_equal(cmp$metafor[cmp$quantity == "subgroup_Q"], sum(w * (b - sum(w * b) / sum(w))^2),
               tolerance = 1e-6)
  for (pi in c("t_k2", "t_k1", "z")) {
    expect_all_agree(compare_metafor(metapool(es, method = "DL", pi_method = pi)), pi)
  }
  cmp <- compare_metafor(metapool(es, tau2 = 0.2, ci_method = "hksj"))
  expect_all_agree(cmp, "fixed tau2")
  expect_match(cmp$note[startsWith(cmp$quantity, "pi_lb")], "tau2 fixed")
  expect_equal(cmp$metafor[cmp$quantity == "tau2"], 0.2)
})

test_that("compare_metafor() reports conventions instead of spurious differences", {
  skip_if_not_installed("metafor")
  es <- es_rr(tpos, tpos + tneg, cpos, cpos + cneg, data = bcg)
  # z prediction interval with a t test: metafor has no such interval
  # The prediction-interval rows name the interval asked of metafor.
  expect_true(any(grepl("predtype \"riley\"", compare_metafor(metapool(es))$quantity)))
  cmp <- compare_metafor(metapool(es, ci_method = "t", pi_method = "z"))
  expect_true(all(is.na(cmp$agree[sub(" .*", "", cmp$quantity) %in% c("pi_lb", "pi_ub")])))
  expect_match(cmp$note[startsWith(cmp$quantity, "pi_lb")], "t\\(k - 1\\)")
  # two studies: t(k - 2) undefined in metapool
  cmp <- compare_metafor(metapool(es, subset = 1:2, method = "DL"))
  expect_true(is.na(cmp$metapool[startsWith(cmp$quantity, "pi_lb")]))
  expect_true(is.na(cmp$agree[startsWith(cmp$quantity, "pi_lb")]))
  # RevMan's risk-difference variance
  cmp <- compare_metafor(metapool_mh(tpos, tpos + tneg, cpos, cpos + cneg, data = bcg,
                                     measure = "RD", preset = "revman5"))
  expect_true(is.na(cmp$agree[cmp$quantity == "se"]))
  expect_match(cmp$note[cmp$quantity == "se"], "Sato")
  expect_true(cmp$agree[cmp$quantity == "estimate"])
  # a genuine disagreement is flagged: a tolerance below the numerical noise
  cmp <- compare_metafor(metapool(es, method = "REML"), tolerance = 1e-300)
  expect_true(any(cmp$agree %in% FALSE))
  expect_output(print(cmp), "DIFFER")
  # RevMan preset effects: the header says metafor pooled metapool's yi and vi
  rev <- metapool(es_smd(m1, sd1, n1, m2, sd2, n2, data = normand1999, preset = "revman5"),
                  method = "DL")
  expect_output(print(compare_metafor(rev)), "RevMan 5's formulas")
})

test_that("compare_metafor() agrees for Mantel-Haenszel, Peto and RevMan's M-H random", {
  skip_if_not_installed("metafor")
  for (nm in c("nielweise2007", "li2007", "bcg", "lee2004")) {
    d <- binary_datasets()[[nm]]
    for (measure in c("RR", "OR", "RD")) {
      for (preset in c("metafor", "revman5")) {
        fit <- suppressWarnings(metapool_mh(events1, n1, events2, n2, data = d,
                                            measure = measure, preset = preset))
        # RevMan's RD of a study with a zero cell comes from the raw counts, which
        # metafor cannot emulate (its RD always uses the corrected cells); that
        # case is checked against meta in test-revman-meta.R
        zero <- with(d, events1 == 0 | events2 == 0 | events1 == n1 | events2 == n2)
        if (measure == "RD" && preset == "revman5" && any(zero)) next
        expect_all_agree(compare_metafor(fit), paste(nm, measure, preset))
        if (measure != "RD") {
          fit <- suppressWarnings(metapool_mh(events1, n1, events2, n2, data = d, measure = measure,
                                              model = "random", preset = preset))
          expect_all_agree(compare_metafor(fit), paste(nm, measure, preset, "random"))
        }
      }
    }
    peto <- suppressWarnings(metapool_mh(events1, n1, events2, n2, data = d, method = "Peto"))
    expect_all_agree(compare_metafor(peto), paste(nm, "Peto"))
  }
})

test_that("compare_metafor() checks its arguments and needs metafor", {
  expect_error(compare_metafor(lm(1 ~ 1)), class = "metapool_error_input")
  fit <- metapool(yi = c(0.1, 0.3), vi = c(0.01, 0.02))
  expect_error(compare_metafor(fit, tolerance = -1), class = "metapool_error_input")
  expect_error(need_metafor("compare_metafor()", available = FALSE), "install.packages",
               class = "metapool_error_dependency")
})

test_that("metapool() takes a metafor escalc object", {
  skip_if_not_installed("metafor")
  dat <- metafor::escalc("RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = bcg,
                         slab = author)
  fit <- metapool(dat, method = "DL")
  ref <- metapool(as.numeric(dat$yi), dat$vi, slab = attr(dat$yi, "slab"), method = "DL")
  expect_equal(fit$estimate, ref$estimate, tolerance = 1e-15)
  expect_identical(fit$measure, "RR")
  expect_identical(fit$slab, attr(dat$yi, "slab"))
  expect_identical(fit$effect_sizes$source, "escalc")
  # columns of the escalc data frame are found by name
  sub <- metapool(dat, subgroup = alloc, method = "DL")
  expect_setequal(names(sub$subgroups), unique(bcg$alloc))
  expect_identical(metapool(dat, subset = 1:5)$k, 5L)
  # renamed effect columns, an unknown measure
  dat2 <- metafor::escalc("ZCOR", ri = c(0.2, 0.4, 0.3), ni = c(50, 80, 60), var.names = c("z", "v"))
  fit2 <- metapool(dat2)
  expect_identical(fit2$measure, "generic")
  expect_equal(fit2$yi, as.numeric(dat2$z))
  expect_error(metapool(dat, vi = vi), class = "metapool_error_input")
})

test_that("as_metapool() re-runs rma(), rma.mh() and rma.peto() fits", {
  skip_if_not_installed("metafor")
  dat <- metafor::escalc("OR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = bcg,
                         slab = author)
  for (method in c("EE", "DL", "REML", "PM", "SJ", "HSk")) {
    for (test in c("z", "t", "knha", "adhoc")) {
      m <- metafor::rma(yi, vi, data = dat, method = method, test = test, level = 90,
                        subset = 2:12)
      f <- as_metapool(m)
      # metafor iterates PM and SJ to ~1e-5 by default
      expect_equal(c(f$estimate, f$ci_lb, f$ci_ub, f$tau2), c(m$b[1], m$ci.lb, m$ci.ub, m$tau2),
                   tolerance = 1e-4, label = paste(method, test))
      expect_identical(f$level, 0.9)
      expect_identical(f$k, 11L)
      expect_identical(f$measure, "OR")
    }
  }
  expect_identical(as_metapool(metafor::rma(yi, vi, data = dat))$slab, attr(dat$yi, "slab"))
  m <- metafor::rma(yi, vi, data = dat, tau2 = 0.1)
  expect_equal(as_metapool(m)$se, m$se, tolerance = 1e-12)

  for (measure in c("RR", "OR", "RD")) {
    # (metafor warns that the double-zero study has no estimate)
    m <- suppressWarnings(metafor::rma.mh(ai = events1, n1i = n1, ci = events2, n2i = n2,
                                          data = nielweise2007, measure = measure, subset = 2:17,
                                          slab = author))
    f <- as_metapool(m)
    expect_equal(c(f$estimate, f$se, f$Q), unname(c(m$b[1], m$se, m$QE)), tolerance = 1e-10,
                 label = measure)
  }
  p <- metafor::rma.peto(ai = tpos, bi = tneg, ci = cpos, di = cneg, data = bcg, level = 99)
  f <- as_metapool(p)
  expect_equal(c(f$estimate, f$ci_lb, f$Q), unname(c(p$b[1], p$ci.lb, p$QE)), tolerance = 1e-10)

  # Meta-regressions convert too (issue 14; checked in test-metareg.R).
  expect_s3_class(as_metapool(metafor::rma(yi, vi, mods = ~ablat, data = dat)), "metapool_reg")
  expect_error(as_metapool(metafor::rma(yi, vi, data = dat, weights = 1 / vi)),
               class = "metapool_error_input")
  expect_error(as_metapool(lm(1 ~ 1)), class = "metapool_error_input")
})
