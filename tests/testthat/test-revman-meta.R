# preset = "revman5" against meta's emulation of RevMan 5 (settings.meta("RevMan5")),
# on binary and continuous data sets of metadat. Differences that remain by design
# are listed in vignettes/validation.Rmd ("RevMan 5 and meta").

with_revman5_meta <- function(code) {
  old <- meta::settings.meta("RevMan5", quietly = TRUE)
  on.exit(meta::settings.meta("reset", quietly = TRUE))
  force(code)
}

binary_sets <- function() {
  bcg <- metadat::dat.bcg
  list(
    bcg = data.frame(ai = bcg$tpos, n1i = bcg$tpos + bcg$tneg, ci = bcg$cpos, n2i = bcg$cpos + bcg$cneg),
    nielweise2007 = metadat::dat.nielweise2007[c("ai", "n1i", "ci", "n2i")],
    egger2001 = metadat::dat.egger2001[c("ai", "n1i", "ci", "n2i")],
    li2007 = metadat::dat.li2007[c("ai", "n1i", "ci", "n2i")],
    hine1989 = metadat::dat.hine1989[c("ai", "n1i", "ci", "n2i")],
    damico2009 = with(metadat::dat.damico2009, data.frame(ai = xt, n1i = nt, ci = xc, n2i = nc)),
    yusuf1985 = metadat::dat.yusuf1985[metadat::dat.yusuf1985$table == "6", c("ai", "n1i", "ci", "n2i")]
  )
}

# Where meta has a number we have the same one; a study meta gives no estimate
# (NA, or SE Inf for an excluded double zero) is not estimable here either.
expect_close <- function(ours, theirs, what) {
  ok <- is.finite(theirs)
  expect_equal(unname(ours[ok]), unname(theirs[ok]), tolerance = 5e-12, label = what)
  expect_true(all(!is.finite(ours[!ok])), label = paste(what, "not estimable"))
}

test_that("binary preset = \"revman5\" agrees with meta's RevMan 5 emulation", {
  skip_if_not_installed("meta")
  skip_if_not_installed("metadat")
  n_checked <- 0
  for (nm in names(binary_sets())) {
    d <- binary_sets()[[nm]]
    d <- d[stats::complete.cases(d), ]
    all_events <- d$ai == d$n1i & d$ci == d$n2i
    d <- d[!all_events, ]  # meta keeps these for the RR; RevMan and metapool do not
    for (measure in c("OR", "RR", "RD")) {
      for (model in c("fixed", "random")) {
        what <- paste(nm, measure, model)
        m <- with_revman5_meta(meta::metabin(ai, n1i, ci, n2i, data = d, sm = measure, method = "MH",
                                             common = TRUE, random = TRUE))
        fit <- suppressWarnings(metapool_mh(d$ai, d$n1i, d$ci, d$n2i, measure = measure,
                                            model = model, preset = "revman5"))
        if (model == "fixed") {
          expect_close(c(fit$estimate, fit$se), c(m$TE.common, m$seTE.common), paste(what, "M-H"))
        } else {
          expect_close(c(fit$estimate, fit$se, fit$tau2), c(m$TE.random, m$seTE.random, m$tau2),
                       paste(what, "M-H random"))
        }
        expect_close(fit$Q, m$Q, paste(what, "Q"))
        # study estimates and SEs (forest plot rows)
        es <- suppressWarnings(switch(measure, OR = es_or, RR = es_rr, RD = es_rd)(
          d$ai, d$n1i, d$ci, d$n2i, preset = "revman5"))
        expect_close(es$yi, m$TE, paste(what, "study TE"))
        expect_close(sqrt(es$vi), m$seTE, paste(what, "study SE"))
        # inverse variance
        mi <- with_revman5_meta(meta::metabin(ai, n1i, ci, n2i, data = d, sm = measure,
                                              method = "Inverse"))
        keep <- !is.na(es$yi)
        iv <- metapool(es$yi[keep], es$vi[keep], method = if (model == "fixed") "FE" else "DL",
                       ci_method = "z")
        if (model == "fixed") {
          expect_close(c(iv$estimate, iv$se), c(mi$TE.common, mi$seTE.common), paste(what, "IV"))
        } else {
          expect_close(c(iv$estimate, iv$se, iv$tau2), c(mi$TE.random, mi$seTE.random, mi$tau2),
                       paste(what, "IV random"))
        }
        n_checked <- n_checked + 1
      }
    }
    p <- with_revman5_meta(meta::metabin(ai, n1i, ci, n2i, data = d, sm = "OR", method = "Peto"))
    peto <- metapool_mh(d$ai, d$n1i, d$ci, d$n2i, method = "Peto")
    expect_close(c(peto$estimate, peto$se, peto$Q), c(p$TE.common, p$seTE.common, p$Q),
                 paste(nm, "Peto"))
  }
  expect_identical(n_checked, 6 * length(binary_sets()))
})

test_that("continuous preset = \"revman5\" and RevMan's subgroup test agree with meta", {
  skip_if_not_installed("meta")
  skip_if_not_installed("metadat")
  sets <- list(normand1999 = metadat::dat.normand1999,
               curtis1998 = metadat::dat.curtis1998[1:40, ])
  for (nm in names(sets)) {
    d <- sets[[nm]]
    d$g <- rep(c("a", "b"), length.out = nrow(d))
    for (measure in c("MD", "SMD")) {
      es <- switch(measure, MD = es_md, SMD = es_smd)(d$m1i, d$sd1i, d$n1i, d$m2i, d$sd2i, d$n2i,
                                                      preset = "revman5")
      m <- with_revman5_meta(meta::metacont(n1i, m1i, sd1i, n2i, m2i, sd2i, data = d, sm = measure,
                                            subgroup = g))
      expect_close(es$yi, m$TE, paste(nm, measure, "TE"))
      expect_close(sqrt(es$vi), m$seTE, paste(nm, measure, "SE"))
      for (model in c("fixed", "random")) {
        fit <- metapool(es, subgroup = d$g, method = if (model == "fixed") "FE" else "DL",
                        ci_method = "z")
        if (model == "fixed") {
          expect_close(c(fit$estimate, fit$se, fit$Q), c(m$TE.common, m$seTE.common, m$Q),
                       paste(nm, measure, "IV"))
          expect_close(fit$subgroup_test$Q, m$Q.b.common, paste(nm, measure, "subgroup test"))
        } else {
          expect_close(c(fit$estimate, fit$se, fit$tau2), c(m$TE.random, m$seTE.random, m$tau2),
                       paste(nm, measure, "DL"))
          expect_close(fit$subgroup_test$Q, m$Q.b.random, paste(nm, measure, "subgroup test, random"))
        }
      }
    }
  }
})

test_that("meta and metapool differ on an RR study with every participant an event", {
  skip_if_not_installed("meta")
  d <- data.frame(ai = c(10, 4, 6), n1i = c(10, 30, 25), ci = c(12, 9, 8), n2i = c(12, 31, 24))
  m <- with_revman5_meta(meta::metabin(ai, n1i, ci, n2i, data = d, sm = "RR", method = "MH"))
  fit <- metapool_mh(d$ai, d$n1i, d$ci, d$n2i, measure = "RR", preset = "revman5")
  expect_identical(fit$k, 2L)  # not estimable in RevMan 5 (and metafor's rma.mh)
  expect_false(is.na(m$TE[1]))  # meta keeps it
})
