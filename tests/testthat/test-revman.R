fixture <- function(...) test_path("fixtures", "revman", ...)

expect_all_agree <- function(review, min_pooled, min_studies) {
  p <- review$pooled[!is.na(review$pooled$agree), ]
  s <- review$studies[!is.na(review$studies$agree), ]
  expect_gte(nrow(p), min_pooled)
  expect_gte(nrow(s), min_studies)
  expect_true(all(p$agree), info = paste(utils::capture.output(print(p[!p$agree, ])), collapse = "\n"))
  expect_true(all(s$agree), info = paste(utils::capture.output(print(s[!s$agree, ])), collapse = "\n"))
}

test_that("meta's RevMan 5 file of Fleiss (1993) is read whole", {
  x <- read_revman(fixture("Fleiss1993.rm5"))
  expect_s3_class(x, "mp_revman")
  expect_identical(x$format, "rm5")
  a <- x$analyses
  expect_identical(a$id, c("1.1", "1.2"))
  expect_identical(a$type, c("dichotomous", "continuous"))
  expect_identical(a$method, c("MH", "IV"))
  expect_identical(a$measure, c("OR", "SMD"))
  expect_identical(a$model, c("fixed", "fixed"))
  expect_identical(a$k, c(7L, 5L))
  # the stored numbers, exactly as written by RevMan 5.0
  expect_identical(a$estimate[1], 0.8968655609130709)
  expect_identical(a$chi2[1], 9.946055983220074)
  expect_identical(a$p_z[1], 0.0010103343130005407)
  expect_true(is.na(a$estimate[2]))  # SMD analysis without stored results
  s <- x$studies
  expect_identical(nrow(s), 12L)
  isis <- s[s$study == "ISIS-2", ]
  expect_identical(c(isis$events1, isis$n1, isis$events2, isis$n2), c(1570, 8587, 1720, 8600))
  expect_identical(isis$year, "1988")
  expect_identical(isis$weight, 72.87984024392564)
  wilson <- s[s$study == "Wilson", ]
  expect_identical(c(wilson$mean1, wilson$sd1, wilson$n1), c(6.5, 0.76, 8))
  rob <- x$risk_of_bias
  expect_identical(names(rob), c("study", "domain", "judgement", "support"))
  expect_identical(nrow(rob), 12L)
  expect_true(all(rob$judgement == "unclear"))
  expect_identical(unique(rob$domain), "Allocation concealment?")
  # the agreed layout is what risk_of_bias() takes
  expect_s3_class(risk_of_bias(rob), "mp_rob")
  hand <- read_revman(fixture("handmade.rm5"))$risk_of_bias
  expect_identical(hand$judgement, c("low", "unclear", "high", "low", "low", "low", "unclear", "high"))
  expect_identical(as.character(risk_of_bias(hand)$judgement), hand$judgement)
  expect_output(print(x), "1.1 +Aspirin")
  expect_identical(as.data.frame(x), x$analyses)
  expect_identical(as.data.frame(x, table = "studies"), x$studies)
})

test_that("every number RevMan 5.0 stored in Fleiss1993.rm5 is reproduced to 1e-6", {
  review <- reproduce_review(read_revman(fixture("Fleiss1993.rm5")))
  expect_s3_class(review, "mp_revman_review")
  # 10 pooled quantities, 7 studies x 4 (estimate, CI, weight)
  expect_all_agree(review, 10, 28)
  p <- review$pooled[!is.na(review$pooled$revman) & review$pooled$revman != 0, ]
  rel <- p$diff / abs(p$revman)
  # RevMan 5.0's P for Chi^2 is its own approximation of the chi-square tail
  # (5.8e-7 relative here, 2.5e-7 in the CSV export's MD analysis); every other
  # number agrees to 3e-11 (RevMan's P for Z)
  expect_lt(max(rel[p$quantity != "p_chi2"]), 1e-10)
  expect_lt(max(rel[p$quantity == "p_chi2"]), 1e-6)
  expect_equal(p$revman[p$quantity == "p_chi2"],
               pchisq(9.946055983220074, 6, lower.tail = FALSE), tolerance = 1e-6)
  expect_output(print(review), "11 of 11 stored numbers agree")
})

test_that("the data package and the CSV export of the same review are read and reproduced", {
  dp <- read_revman(fixture("Fleiss1993.zip"))
  expect_identical(dp$format, "datapackage")
  expect_identical(dp$analyses$id, c("1.1", "1.2"))
  expect_identical(dp$analyses$estimate[1], 0.896866)
  expect_identical(dp$precision, 5e-7)
  expect_null(dp$risk_of_bias)  # every judgement there is "Not applicable"
  expect_all_agree(reproduce_review(dp), 10, 28)

  csv <- read_revman(fixture("Fleiss1993_CR.csv"))
  expect_identical(csv$format, "csv")
  expect_identical(csv$analyses$measure, c("OR", "MD"))
  expect_identical(csv$studies$order[1:3], c(1L, 2L, 6L))
  # both analyses stored, the MD one too: 20 pooled numbers, 12 studies x 4
  expect_all_agree(reproduce_review(csv), 20, 48)

  # the three files hold the same data
  rm5 <- read_revman(fixture("Fleiss1993.rm5"))
  key <- function(x) x$studies[order(x$studies$analysis, x$studies$study),
                               c("study", "year", "events1", "n1", "events2", "n2", "mean1", "sd1")]
  expect_equal(key(dp), key(rm5), ignore_attr = TRUE)
  expect_equal(key(csv), key(rm5), ignore_attr = TRUE)
})

test_that("hand-made fixtures: every outcome type, method and model agrees with hand computation", {
  x <- read_revman(fixture("handmade.rm5"))
  a <- x$analyses
  expect_setequal(unique(a$type), c("dichotomous", "continuous", "giv", "oe"))
  expect_setequal(unique(paste(a$method, a$model)), c("MH fixed", "MH random", "Peto fixed",
                                                      "IV random", "IV fixed"))
  review <- reproduce_review(x, tolerance = 1e-10)
  expect_all_agree(review, 200, 300)
  p <- review$pooled
  # the subgroup test was checked wherever it was stored
  expect_gte(sum(p$quantity == "subgroup_chi2" & !is.na(p$agree)), 5)
  expect_true(all(c("total", "subgroup") %in% p$level))

  s <- x$studies
  rd <- s[s$analysis == "1.4", ]
  # RevMan's RD of a double-zero study is 0 (raw counts), with zero-corrected SE
  expect_identical(rd$estimate[rd$study == "Trial C"], 0)
  expect_gt(rd$weight[rd$study == "Trial C"], 0)
  or <- s[s$analysis == "1.1", ]
  # double zero and all-event studies are not estimable for the odds ratio: weight 0
  expect_identical(or$weight[or$study %in% c("Trial C", "Trial F")], c(0, 0))
  expect_true(all(is.na(or$estimate[or$study %in% c("Trial C", "Trial F")])))
  rw <- review$studies
  expect_true(all(rw$agree[rw$analysis == "1.1" & rw$study %in% c("Trial C", "Trial F") &
                           rw$quantity == "weight"]))
})

test_that("write_revman() then read_revman() is the identity on the fixtures", {
  same <- function(x, y) {
    expect_identical(y$analyses, x$analyses)
    expect_identical(y$studies, x$studies)
    expect_identical(y$risk_of_bias, x$risk_of_bias)
  }
  for (f in c("handmade.rm5", "Fleiss1993.rm5", "Fleiss1993.zip", "Fleiss1993_CR.csv")) {
    x <- read_revman(fixture(f))
    folder <- file.path(tempfile(), "pkg")
    same(x, read_revman(write_revman(x, folder)))
    if (nzchar(Sys.which("zip"))) {
      zip <- tempfile(fileext = ".zip")
      same(x, read_revman(write_revman(x, zip, name = "copy")))
    }
    rm5 <- tempfile(fileext = ".rm5")
    same(x, read_revman(write_revman(x, rm5, format = "rm5")))
  }
  # the shipped data package of the hand-made review is the .rm5 file's content
  same(read_revman(fixture("handmade.rm5")), read_revman(fixture("handmade")))
})

test_that("corrupt, foreign and unsupported files give classed errors naming the file", {
  err <- function(path, pattern) {
    expect_error(read_revman(path), pattern, class = "metapool_error_file")
    expect_error(read_revman(path), basename(path), fixed = TRUE, class = "metapool_error_input")
  }
  dir <- tempfile("bad")
  dir.create(dir)
  rm5 <- readLines(fixture("Fleiss1993.rm5"), warn = FALSE)

  truncated <- file.path(dir, "truncated.rm5")
  writeLines(rm5[1:450], truncated)
  err(truncated, "not well-formed XML")

  other <- file.path(dir, "other.xml")
  writeLines(c('<?xml version="1.0"?>', "<svg><g/></svg>"), other)
  err(other, "not a RevMan 5 review")

  bad_encoding <- file.path(dir, "encoding.rm5")
  txt <- sub("ISO-8859-1", "UTF-8", rm5, fixed = TRUE)
  txt <- sub("Examples from Fleiss 1993", "Exempel fr\xe5n Fleiss", txt, useBytes = TRUE)
  writeLines(txt, bad_encoding, useBytes = TRUE)
  err(bad_encoding, "not well-formed XML")

  unsupported <- file.path(dir, "other_outcome.rm5")
  writeLines(gsub("CONT_", "OTHER_", rm5), unsupported)
  err(unsupported, "outcome type metapool does not support")

  foreign <- file.path(dir, "mtcars.csv")
  utils::write.csv(datasets::mtcars, foreign)
  err(foreign, "not RevMan 5's export")

  csv <- readLines(fixture("Fleiss1993_CR.csv"), encoding = "UTF-8")
  latin1 <- file.path(dir, "latin1.csv")
  writeLines(iconv(csv, "UTF-8", "latin1"), latin1, useBytes = TRUE)
  err(latin1, "not UTF-8")

  cut <- file.path(dir, "cut.csv")
  writeLines(c(csv[1:5], substr(csv[6], 1, 30)), cut)
  err(cut, "truncated")

  # a data package that lacks a column
  pkg <- file.path(dir, "pkg")
  write_revman(read_revman(fixture("handmade.rm5")), pkg)
  f <- list.files(pkg, "data-rows", recursive = TRUE, full.names = TRUE)
  d <- utils::read.csv(f, check.names = FALSE, fileEncoding = "UTF-8-BOM")
  utils::write.csv(d[names(d) != "Control N"], f, row.names = FALSE, na = "")
  expect_error(read_revman(pkg), "Control N", class = "metapool_error_file")

  empty <- file.path(dir, "empty_folder")
  dir.create(empty)
  expect_error(read_revman(empty), "overall-estimates-and-settings", class = "metapool_error_file")
  expect_error(read_revman(file.path(dir, "absent.rm5")), "does not exist", class = "metapool_error_file")
  expect_error(read_revman(1), class = "metapool_error_input")
  expect_error(read_revman(truncated, format = "zip"), class = "metapool_error_input")
  expect_error(write_revman(list(), file.path(dir, "x")), class = "metapool_error_input")
})

test_that("reproduce_review() writes a forest plot per analysis", {
  dir <- file.path(tempfile(), "plots")
  review <- reproduce_review(read_revman(fixture("Fleiss1993_CR.csv")), dir = dir)
  expect_identical(basename(review$files), c("analysis_1_1.pdf", "analysis_1_2.pdf"))
  expect_true(all(file.size(review$files) > 1000))
  expect_output(print(review), "Forest plots written: 2 files")
})

test_that("the shipped Eccleston data package holds the synthetic stand-in", {
  path <- system.file("extdata", "eccleston2014_synthetic", package = "metapool")
  x <- read_revman(path)
  expect_identical(sum(x$analyses$level == "total"), 9L)
  expect_match(x$title, "SYNTHETIC")
  frame <- metapool:::eccleston_frame(x, eccleston2014)
  syn <- as.data.frame(unclass(eccleston2014_synthetic))
  cols <- c("analysis", "trial", "m1", "sd1", "n1", "m2", "sd2", "n2", "events1", "events2")
  expect_equal(as.data.frame(unclass(frame))[cols], syn[cols], ignore_attr = TRUE)
  expect_s3_class(frame, "mp_synthetic")
})

test_that("RevMan 5's risk difference comes from the raw counts (Deeks & Higgins 2010)", {
  # a double zero (0/10 vs 0/20) has RD 0, not 0.5/11 - 0.5/21
  es <- es_rd(c(0, 3), c(10, 30), c(0, 9), c(20, 31), preset = "revman5")
  expect_identical(es$yi[1], 0)
  expect_equal(es$vi[1], 0.5 * 10.5 / 11^3 + 0.5 * 20.5 / 21^3, tolerance = 1e-14)
  expect_equal(es$yi[2], 3 / 30 - 9 / 31, tolerance = 1e-14)
  # metafor's preset keeps metafor's rule (corrected cells for the RD too)
  expect_equal(es_rd(0, 10, 0, 20)$yi, 0.5 / 11 - 0.5 / 21, tolerance = 1e-14)
  # M-H: weights and variance from the corrected table, the RDs raw
  e1 <- c(0, 0, 4, 7); n1 <- c(10, 15, 40, 50); e2 <- c(0, 2, 9, 6); n2 <- c(20, 16, 38, 52)
  fit <- metapool_mh(e1, n1, e2, n2, measure = "RD", preset = "revman5")
  ref <- revman_ref_analysis("dichotomous", "MH", "RD", "fixed",
                             data.frame(events1 = e1, n1 = n1, events2 = e2, n2 = n2))
  expect_equal(fit$estimate, ref$estimate, tolerance = 1e-14)
  expect_equal(fit$se, ref$se, tolerance = 1e-14)
  expect_equal(fit$Q, ref$chi2, tolerance = 1e-12)
  # the RR of a study with every participant an event in both arms is not estimable
  rr <- es_rr(c(10, 3), c(10, 20), c(12, 5), c(12, 21), preset = "revman5")
  expect_true(is.na(rr$yi[1]))
})
