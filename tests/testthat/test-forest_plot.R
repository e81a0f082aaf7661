# Forest plots: the fits' arm data, the text conventions of RevMan 5, sizes, files,
# argument checks, and snapshots of each layout.

normand_es <- function() {
  es_smd(m1, sd1, n1, m2, sd2, n2, data = normand1999, slab = source, preset = "revman5")
}

nielweise_mh <- function(...) {
  metapool_mh(events1, n1, events2, n2, data = nielweise2007, slab = author,
              measure = "RR", preset = "revman5", ...)
}

normand_groups <- rep(c("Orpington and Edinburgh", "Other trials"), c(4, 5))

published_results <- function() {
  data.frame(
    analysis = c("Pain, post-treatment", "Pain, follow-up", "Disability, post-treatment",
                 "Depression, post-treatment", "Adverse events", "Dropouts"),
    measure = c("SMD", "SMD", "SMD", "SMD", "RR", "RR"),
    studies = c(9, 4, 7, 8, 3, 10),
    estimate = c(-0.39, -0.21, -0.43, -0.26, 0.85, 1.19),
    ci_lb = c(-0.55, -0.47, -0.62, -0.45, 0.41, 0.92),
    ci_ub = c(-0.23, 0.05, -0.24, -0.07, 1.76, 1.54),
    outcome = c("Pain", "Pain", "Disability", "Mood", "Harms", "Harms")
  )
}

test_that("fits from mp_es objects and metapool_mh() keep rows and arm data", {
  fit <- metapool(normand_es(), method = "DL", subgroup = normand_groups)
  expect_equal(names(fit$arms), c("m1", "sd1", "n1", "m2", "sd2", "n2"))
  expect_equal(fit$arms$n1, normand1999$n1)
  expect_equal(fit$rows, 1:9)
  expect_equal(fit$subgroups[[2]]$rows, 5:9)
  expect_equal(fit$subgroups[[2]]$arms$m2, normand1999$m2[5:9])

  direct <- metapool(yi = c(0.1, 0.3), vi = c(0.01, 0.02))
  expect_null(direct$arms)
  expect_equal(direct$rows, 1:2)

  mh <- nielweise_mh()
  yucel <- which(nielweise2007$author == "Yucel")
  expect_equal(nrow(mh$arms), 17)
  expect_false(yucel %in% mh$rows)
  expect_equal(mh$not_estimable_data$row, yucel)
  expect_equal(mh$not_estimable_data$n1, nielweise2007$n1[yucel])

  es <- es_rr(events1, n1, events2, n2, data = nielweise2007, slab = author, preset = "revman5")
  iv <- metapool(es, method = "DL", subgroup = nielweise2007$year > 2000)
  expect_equal(iv$not_estimable_data$slab, "Yucel")
  expect_equal(iv$subgroups[["TRUE"]]$not_estimable, "Yucel")
  expect_null(iv$subgroups[["FALSE"]]$not_estimable)
})

test_that("P values, heterogeneity and overall-effect lines follow RevMan 5", {
  expect_equal(p_revman(0.2), "P = 0.20")
  expect_equal(p_revman(0.0401), "P = 0.040")
  expect_equal(p_revman(3e-6), "P < 0.00001")
  expect_equal(p_revman(0.999), "P = 1.00")
  expect_equal(fmt_fixed(-0.001, 2), "0.00")
  fit <- metapool(normand_es(), method = "DL")
  sq <- sup2()
  expect_equal(heterogeneity_text(fit, 2), sprintf(
    "Heterogeneity: Tau%s = 0.53; Chi%s = 122.35, df = 8 (P < 0.00001); I%s = 93%%", sq, sq, sq
  ))
  expect_equal(overall_effect_text(fit), "Test for overall effect: Z = 2.05 (P = 0.040)")
  fe <- metapool(normand_es(), method = "FE")
  expect_false(grepl("Tau", heterogeneity_text(fe, 2)))
  hk <- metapool(normand_es(), method = "DL", ci_method = "hksj")
  expect_match(overall_effect_text(hk), "^Test for overall effect: t = ")
  one <- metapool(normand_es()[1, ], method = "DL")
  expect_equal(heterogeneity_text(one, 2), "Heterogeneity: Not applicable")
  sub <- metapool(normand_es(), method = "DL", subgroup = normand_groups)
  expect_match(subgroup_test_text(sub$subgroup_test),
               "^Test for subgroup differences: Chi. = [0-9.]+, df = 1 \\(P = [0-9.]+\\), I. = [0-9.]+%$")
})

test_that("the RevMan layout has the study, pooled and statistics rows", {
  fit <- metapool(normand_es(), method = "DL", subgroup = normand_groups)
  spec <- forest_spec_fit(fit, "revman", c("Stroke unit", "General ward"), TRUE, 2L, NULL, NULL,
                          TRUE, "Study")
  rows <- spec$panels[[1]]$rows
  expect_equal(sum(rows$type == "study"), 9)
  expect_equal(sum(rows$type == "pooled"), 3)
  expect_equal(rows$label[rows$type == "pooled"],
               c("Subtotal (95% CI)", "Subtotal (95% CI)", "Total (95% CI)"))
  expect_equal(rows$label[rows$type == "heading"], unique(normand_groups))
  expect_match(rows$label[nrow(rows)], "^Test for subgroup differences")
  expect_equal(rows$cell_weight[rows$type == "pooled"][3], "100.0%")
  # Subtotal weights are the sums of the study weights in the overall analysis.
  w <- 100 * fit$weights
  expect_equal(rows$cell_weight[rows$type == "pooled"][1], sprintf("%.1f%%", sum(w[1:4])))
  expect_equal(rows$cell_total1[rows$type == "pooled"][3], as.character(sum(normand1999$n1)))
  expect_equal(rows$cell_effect[rows$type == "study"][1], "-0.36 [-0.58, -0.13]")
  expect_equal(sum(rows$type == "prediction"), 3)
  expect_equal(spec$columns$id, c("label", "mean1", "sd1", "total1", "mean2", "sd2", "total2",
                                  "weight", "effect"))
  expect_equal(spec$columns$group[2], "Stroke unit")
})

test_that("not-estimable studies are shown as such, without a square", {
  spec <- forest_spec_fit(nielweise_mh(model = "random"), "revman", c("A", "B"), FALSE, 2L,
                          NULL, NULL, TRUE, "Study")
  rows <- spec$panels[[1]]$rows
  yucel <- rows[rows$label == "Yucel", ]
  expect_equal(yucel$cell_effect, "Not estimable")
  expect_true(is.na(yucel$est))
  expect_equal(yucel$cell_total1, "118")
  # In input order: Yucel is the 15th study.
  expect_equal(which(rows$label[rows$type == "study"] == "Yucel"), 15)
  expect_equal(rows$cell_events1[rows$label == "Total events"],
               as.character(sum(nielweise2007$events1)))
  expect_equal(spec$columns$id, c("label", "events1", "total1", "events2", "total2", "weight",
                                  "effect"))
})

test_that("without arm data the RevMan layout shows label, weight and effect", {
  d <- simulated_studies(5)
  fit <- metapool(yi, vi, data = d, slab = study)
  spec <- forest_spec_fit(fit, "revman", c("A", "B"), FALSE, 2L, NULL, NULL, TRUE, "Study")
  expect_equal(spec$columns$id, c("label", "weight", "effect"))
  compact <- forest_spec_fit(fit, "compact", c("A", "B"), FALSE, 2L, NULL, NULL, TRUE, "Study")
  expect_equal(compact$columns$side, c("left", "right", "right"))
})

test_that("axis scales are symmetric about no effect, log for ratios", {
  fit <- metapool(normand_es(), method = "DL")
  spec <- forest_spec_options(forest_spec_fit(fit, "revman", c("A", "B"), FALSE, 2L, NULL,
                                              NULL, TRUE, "Study"),
                              c("a", "b"), NULL, NULL, NULL, NULL, NULL, 9, NULL)
  sc <- spec$panels[[1]]$scale
  expect_equal(sc$lim, c(-4, 4))
  expect_equal(sc$labels, c("-4", "-2", "0", "2", "4"))
  mh <- nielweise_mh()
  spec <- forest_spec_options(forest_spec_fit(mh, "revman", c("A", "B"), FALSE, 2L, NULL,
                                              NULL, TRUE, "Study"),
                              c("a", "b"), c(0.01, 100), NULL, NULL, NULL, NULL, 9, NULL)
  sc <- spec$panels[[1]]$scale
  expect_true(sc$log)
  expect_equal(sc$lim, log(c(0.01, 100)))
  expect_true(all(c("0.01", "1", "100") %in% sc$labels))
  expect_equal(spec$favours, c("Favours [a]", "Favours [b]"))
})

test_that("sizes grow with the number of studies and files have that size", {
  heights <- vapply(c(1, 10, 50, 200), function(k) {
    d <- simulated_studies(k)
    fit <- metapool(yi, vi, data = d, slab = study, method = "DL")
    forest_plot(fit, file = tempfile(fileext = ".pdf"))$height
  }, numeric(1))
  expect_true(all(diff(heights) > 0))
  # One line per study: the growth is linear in k.
  expect_equal((heights[4] - heights[3]) / 150, (heights[3] - heights[2]) / 40, tolerance = 1e-8)

  fit <- metapool(normand_es(), method = "DL")
  pdf_file <- tempfile(fileext = ".pdf")
  size <- forest_plot(fit, file = pdf_file)
  expect_true(file.exists(pdf_file) && file.size(pdf_file) > 0)
  expect_equal(size$file, pdf_file)
  expect_equal(size$scale, 1)
  expect_gt(size$width, 5)
  expect_lt(size$height, size$width)

  png_file <- tempfile(fileext = ".png")
  size <- forest_plot(fit, file = png_file, res = 100)
  expect_true(file.exists(png_file) && file.size(png_file) > 0)
  if (requireNamespace("png", quietly = TRUE)) {
    dims <- dim(png::readPNG(png_file))
    expect_equal(dims[1], ceiling(size$height * 100 - 1e-6))
    expect_equal(dims[2], ceiling(size$width * 100 - 1e-6))
  }
  fixed <- forest_plot(fit, file = tempfile(fileext = ".pdf"), width = 12, height = 5)
  expect_equal(fixed$scale, 1)

  # Too small a device: the plot shrinks to fit instead of overlapping.
  grDevices::pdf(NULL, width = 7, height = 7)
  big <- metapool(yi, vi, data = simulated_studies(150), slab = study)
  shrunk <- forest_plot(big)
  grDevices::dev.off()
  expect_lt(shrunk$scale, 0.5)
})

test_that("plot() on a fit draws its forest plot", {
  fit <- metapool(normand_es(), method = "DL")
  grDevices::pdf(NULL)
  on.exit(grDevices::dev.off())
  expect_equal(plot(fit)[c("width", "height")], forest_plot(fit)[c("width", "height")])
})

test_that("bad arguments give classed errors", {
  fit <- metapool(normand_es(), method = "DL")
  pdf_file <- tempfile(fileext = ".pdf")
  err <- function(...) expect_error(forest_plot(fit, ..., file = pdf_file),
                                    class = "metapool_error_input")
  err(layout = "revmann")
  err(columns = c("weight", "events1"))
  err(xlim = c(2, -2))
  err(at = "a")
  err(digits = -1)
  err(favours = "placebo")
  err(labels = "A")
  err(prediction = NA)
  err(col = c(squares = "red"))
  err(fontsize = 0)
  err(width = -3)
  err(predicton = TRUE)
  err(extra = list(1:3))
  expect_error(forest_plot(fit, file = tempfile(fileext = ".docx")),
               class = "metapool_error_input")
  expect_error(forest_plot(nielweise_mh(), xlim = c(0, 10), file = pdf_file),
               class = "metapool_error_input")
  expect_error(forest_plot(1:3), class = "metapool_error_input")
  res <- published_results()
  expect_error(forest_plot(res, estimate = "est", file = pdf_file),
               class = "metapool_error_input")
  res$ci_lb[5] <- -1
  expect_error(forest_plot(res, file = pdf_file), class = "metapool_error_input")
  expect_error(forest_plot(published_results(), columns = "nope", file = pdf_file),
               class = "metapool_error_input")
})

test_that("extra columns and custom column sets are shown", {
  fit <- metapool(normand_es(), method = "DL")
  spec <- forest_spec_fit(fit, "revman", c("A", "B"), FALSE, 2L, c("weight", "effect"),
                          list(Country = rep(c("UK", "Canada", "UK", "Sweden"), c(4, 2, 1, 2))),
                          TRUE, "Study")
  expect_equal(spec$columns$id, c("label", "Country", "weight", "effect"))
  expect_equal(spec$panels[[1]]$rows$cell_Country[5], "Canada")
  out <- forest_plot(fit, columns = "effect", extra = list(Year = 1990 + 1:9),
                     file = tempfile(fileext = ".pdf"))
  expect_gt(out$width, 0)
})

test_that("the summary layout has one panel per measure", {
  spec <- forest_spec_summary(published_results(), "analysis", "estimate", "ci_lb", "ci_ub",
                              "measure", "outcome", NULL, c(Studies = "studies"), 2L,
                              "Analysis", 0.95)
  expect_length(spec$panels, 2)
  expect_false(spec$panels[[1]]$log)
  expect_true(spec$panels[[2]]$log)
  expect_equal(spec$panels[[2]]$rows$est[spec$panels[[2]]$rows$type == "summary"],
               log(c(0.85, 1.19)))
  expect_equal(spec$panels[[2]]$heads, c("Risk Ratio", "95% CI"))
  expect_equal(spec$columns$header, c("Analysis", "Studies", "95% CI"))
  # without extra columns there is no empty extra column
  plain <- forest_spec_summary(published_results(), "analysis", "estimate", "ci_lb", "ci_ub",
                               "measure", NULL, NULL, NULL, 2L, "Analysis", 0.95)
  expect_equal(plain$columns$id, c("label", "effect"))
  # "favours" per measure: swapped for the (beneficial) risk ratio only
  plain <- forest_spec_options(plain, list(RR = c("control", "treatment")), NULL, NULL, NULL,
                               NULL, NULL, 9, NULL)
  expect_equal(plain$panels[[1]]$favours, c("Favours [experimental]", "Favours [control]"))
  expect_equal(plain$panels[[2]]$favours, c("Favours [control]", "Favours [treatment]"))
  expect_error(forest_spec_options(plain, list(c("a", "b")), NULL, NULL, NULL, NULL, NULL, 9,
                                   NULL), class = "metapool_error_input")
  one <- forest_plot(published_results()[1:4, ], file = tempfile(fileext = ".pdf"))
  two <- forest_plot(published_results(), file = tempfile(fileext = ".pdf"))
  expect_gt(two$height, one$height)
})

test_that("forest plots match their snapshots", {
  skip_if_not_installed("vdiffr")
  fit <- metapool(normand_es(), method = "DL")
  expect_forest_snapshot("continuous revman layout", fit)
  expect_forest_snapshot("binary with zero cells", nielweise_mh(model = "random"))
  expect_forest_snapshot(
    "subgroups with test for differences",
    metapool(normand_es(), method = "DL", subgroup = normand_groups),
    labels = c("Stroke unit", "General ward"), prediction = TRUE
  )
  bcg_rr <- metapool(es_rr(tpos, tpos + tneg, cpos, cpos + cneg, data = bcg, slab = paste(author, year)),
                     method = "DL")
  expect_forest_snapshot("ratio measure on log scale", bcg_rr, xlim = c(0.05, 20),
                         favours = c("vaccine", "no vaccine"), title = "BCG vaccine")
  expect_forest_snapshot("k = 1", metapool(normand_es()[1, ], method = "DL"))
  big <- simulated_studies(150)
  expect_forest_snapshot("k = 150", metapool(yi, vi, data = big, slab = study))
  expect_forest_snapshot(
    "compact layout",
    metapool(es_rr(tpos, tpos + tneg, cpos, cpos + cneg, data = bcg, slab = paste(author, year)),
             subgroup = alloc, data = bcg),
    layout = "compact"
  )
  expect_forest_snapshot("summary layout", published_results(), group = "outcome",
                         columns = c(Studies = "studies"))
})

test_that("order = sorts the studies within subgroups; sortvar = is the same", {
  fit <- metapool(normand_es(), method = "DL", subgroup = normand_groups)
  study_labels <- function(...) {
    spec <- forest_spec_fit(fit, "revman", c("A", "B"), FALSE, 2L, NULL, NULL, TRUE, "Study",
                            ...)
    rows <- spec$panels[[1]]$rows
    rows$label[rows$type == "study"]
  }
  # By effect, smallest first, within each subgroup (hand-sorted from the data).
  es <- normand_es()
  by_effect <- unlist(lapply(split(seq_len(9), normand_groups), function(i) {
    es$slab[i][order(es$yi[i])]
  }), use.names = FALSE)
  expect_equal(study_labels(order = "effect"), by_effect)
  expect_equal(study_labels(order = "label"),
               c(sort(es$slab[1:4]), sort(es$slab[5:9])))
  # A vector, one value per row of the data (here: reversed input order).
  expect_equal(study_labels(order = 9:1), c(es$slab[4:1], es$slab[9:5]))
  expect_equal(study_labels(order = "weight"), unlist(lapply(split(seq_len(9), normand_groups),
    function(i) es$slab[i][order(-fit$weights[i])]), use.names = FALSE))
  # Through the front end, with meta's name for it.
  a <- forest_plot(fit, order = "effect", file = tempfile(fileext = ".pdf"))
  b <- forest_plot(fit, sortvar = "effect", file = tempfile(fileext = ".pdf"))
  expect_equal(a[c("width", "height", "rows")], b[c("width", "height", "rows")])
  pdf_file <- tempfile(fileext = ".pdf")
  expect_error(forest_plot(fit, order = "effect", sortvar = "effect", file = pdf_file),
               "sortvar", class = "metapool_error_input")
  expect_error(forest_plot(fit, order = 1:3, file = pdf_file), "one value per row",
               class = "metapool_error_input")
  expect_error(forest_plot(fit, order = "year", file = pdf_file), class = "metapool_error_input")
  # Not-estimable studies (no effect) go last when sorting by effect.
  mh <- nielweise_mh()
  spec <- forest_spec_fit(mh, "revman", c("A", "B"), FALSE, 2L, NULL, NULL, TRUE, "Study",
                          order = "effect")
  rows <- spec$panels[[1]]$rows
  expect_equal(tail(rows$label[rows$type == "study"], 1), "Yucel")
  est <- rows$est[rows$type == "study"]
  expect_false(is.unsorted(est[is.finite(est)]))
})

test_that("forest_plot() and funnel_plot() return their results invisibly", {
  fit <- metapool(normand_es(), method = "DL")
  expect_invisible(forest_plot(fit, file = tempfile(fileext = ".pdf")))
  expect_invisible(forest_plot(published_results(), file = tempfile(fileext = ".pdf")))
  expect_invisible(funnel_plot(fit, file = tempfile(fileext = ".pdf")))
  expect_invisible(plot(fit, file = tempfile(fileext = ".pdf")))
})

test_that("every P value in a plot follows RevMan's convention, from one function", {
  # Two significant digits, "P < 0.00001" as the floor (REVMAN_METHODS.md section 6).
  expect_equal(p_revman(0.000065), "P = 0.000065")
  expect_equal(p_revman(0.00001), "P = 0.000010")
  expect_equal(p_revman(9.9e-6), "P < 0.00001")
  expect_equal(p_revman(0.1), "P = 0.10")
  expect_equal(p_revman(0.0456), "P = 0.046")
  fit <- metapool(normand_es(), method = "DL", subgroup = normand_groups)
  spec <- forest_spec_fit(fit, "revman", c("A", "B"), FALSE, 2L, NULL, NULL, TRUE, "Study")
  text <- spec$panels[[1]]$rows$label[spec$panels[[1]]$rows$type == "text"]
  p_parts <- regmatches(text, gregexpr("\\(P[^)]*\\)|P [=<] [0-9.]+", text))
  p_parts <- gsub("^\\(|\\)$", "", unlist(p_parts))
  expect_length(p_parts, 3 * 2 + 1)
  expect_true(all(grepl("^P (= [0-9.]+|< 0\\.00001)$", p_parts)))
  expect_false(any(grepl("p =|<0\\.0001|e-", text)))
})

test_that("arm columns have one number of decimals each, chosen from the data", {
  expect_equal(column_decimals(c(50.2, 45.27, 12)), 2L)
  expect_equal(column_decimals(c(20, 31, 40)), 0L)
  expect_equal(column_decimals(c(1 / 3, 2)), 3L)
  expect_equal(column_decimals(c(NA, 1.5)), 1L)
  expect_equal(fmt_column(c(50.2, 45.27, NA)), c("50.20", "45.27", ""))
  es <- es_smd(m1 = c(50.2, 45.27, 48), sd1 = c(10, 9.5, 11), n1 = c(20, 31, 40),
               m2 = c(52, 49.1, 50.35), sd2 = c(10.25, 9, 12), n2 = c(20, 30, 41),
               slab = c("A", "B", "C"))
  spec <- forest_spec_fit(metapool(es, method = "DL"), "revman", c("A", "B"), FALSE, 2L, NULL,
                          NULL, TRUE, "Study")
  rows <- spec$panels[[1]]$rows
  study <- rows$type == "study"
  expect_equal(rows$cell_mean1[study], c("50.20", "45.27", "48.00"))
  expect_equal(rows$cell_sd1[study], c("10.0", "9.5", "11.0"))
  expect_equal(rows$cell_mean2[study], c("52.00", "49.10", "50.35"))
  expect_equal(rows$cell_sd2[study], c("10.25", "9.00", "12.00"))
  expect_equal(rows$cell_total1[study], c("20", "31", "40"))
  expect_equal(rows$cell_total1[rows$type == "pooled"], "91")
  # Numeric extra columns likewise.
  spec <- forest_spec_fit(metapool(es, method = "DL"), "revman", c("A", "B"), FALSE, 2L, NULL,
                          list(Dose = c(1, 2.5, 10)), TRUE, "Study")
  expect_equal(spec$panels[[1]]$rows$cell_Dose[study], c("1.0", "2.5", "10.0"))
})

test_that("long study labels wrap onto more lines instead of widening the figure", {
  d <- simulated_studies(4)
  fit <- metapool(yi, vi, data = d, slab = study, method = "DL")
  long <- d
  long$study[2] <- paste("A multicentre randomised controlled trial of an intervention",
                         "delivered over the Internet in adults with chronic pain (pilot)")
  long_fit <- metapool(yi, vi, data = long, slab = study, method = "DL")
  plain <- forest_plot(fit, file = tempfile(fileext = ".pdf"))
  wrapped <- forest_plot(long_fit, file = tempfile(fileext = ".pdf"))
  unwrapped <- forest_plot(long_fit, label_wrap = Inf, file = tempfile(fileext = ".pdf"))
  expect_gt(unwrapped$width, wrapped$width + 2)
  expect_lt(wrapped$width, plain$width + 1.2)
  # Three lines of at most 40 characters: two more lines of height.
  spec <- forest_spec_fit(long_fit, "revman", c("A", "B"), FALSE, 2L, NULL, NULL, TRUE, "Study",
                          label_wrap = 40)
  rows <- spec$panels[[1]]$rows
  lines <- strsplit(rows$label[2], "\n")[[1]]
  expect_equal(rows$lines[2], length(lines))
  expect_true(all(nchar(lines) <= 40))
  expect_equal(paste(lines, collapse = " "), long$study[2])
  line_height <- 1.45 * 9 / 72
  expect_equal(wrapped$height - plain$height, (length(lines) - 1) * line_height,
               tolerance = 1e-8)
  expect_error(forest_plot(fit, label_wrap = 0, file = tempfile(fileext = ".pdf")),
               class = "metapool_error_input")
})

test_that("without a file the drawing is scaled to the current device", {
  fit <- metapool(normand_es(), method = "DL")
  need <- forest_plot(fit, file = tempfile(fileext = ".pdf"))
  # A 1000 x 700 pixel window at 72 dpi: the plot is enlarged to fill it.
  grDevices::pdf(NULL, width = 1000 / 72, height = 700 / 72)
  big <- plot(fit)
  grDevices::dev.off()
  drawn <- c(need$width, need$height) * big$scale
  expect_gt(big$scale, 1.3)
  expect_equal(max(drawn / c(1000, 700) * 72), 1, tolerance = 0.07)
  # A device of the size it needs: drawn at its natural size.
  grDevices::pdf(NULL, width = need$width, height = need$height)
  same <- forest_plot(fit)
  grDevices::dev.off()
  expect_equal(same$scale, 1)
  # A file of a given size is not enlarged.
  fixed <- forest_plot(fit, file = tempfile(fileext = ".pdf"), width = 20, height = 10)
  expect_equal(fixed$scale, 1)
})

test_that("fits of synthetic data are marked, and so are their plots", {
  syn <- subset(eccleston2014_synthetic, analysis == "headache_pain_post")
  mh <- metapool_mh(events1, n1, events2, n2, data = syn, slab = trial, measure = "RR",
                    model = "random", preset = "revman5")
  expect_true(mh$synthetic)
  dis <- subset(eccleston2014_synthetic, analysis == "nonheadache_disability_post")
  es <- es_smd(m1, sd1, n1, m2, sd2, n2, data = dis, slab = trial, preset = "revman5")
  expect_true(attr(es, "synthetic"))
  expect_true(attr(es[1:2, ], "synthetic"))
  rr <- es_rr(events1, n1, events2, n2, data = syn, slab = trial)
  expect_true(attr(rr, "synthetic"))
  expect_true(metapool(rr)$synthetic)
  expect_null(attr(es_rr(events1, n1, events2, n2, data = as.data.frame(unclass(syn))),
                   "synthetic"))
  fit <- metapool(es, method = "DL")
  expect_true(fit$synthetic)
  expect_false(metapool(yi, vi, data = as.data.frame(es), method = "DL")$synthetic)
  expect_true(metapool(yi, vi = vi, data = structure(as.data.frame(es),
                                                      class = c("mp_synthetic", "data.frame")),
                       method = "DL")$synthetic)
  # Real data are not marked.
  expect_false(metapool(normand_es(), method = "DL")$synthetic)
  expect_false(nielweise_mh()$synthetic)
  review <- reproduce_review(metafor = FALSE)
  expect_true(all(vapply(review$fits, function(f) isTRUE(f$synthetic), logical(1))))
  # The title says so.
  expect_equal(synthetic_title(NULL, TRUE), "Synthetic data")
  expect_equal(synthetic_title("Pain", TRUE), "Pain (synthetic data)")
  expect_equal(synthetic_title("Pain", FALSE), "Pain")
  skip_if_not_installed("vdiffr")
  expect_forest_snapshot("synthetic data marked", fit)
  expect_forest_snapshot("synthetic data marked with title", mh, title = "Headache pain")
})

test_that("new forest plot behaviour matches its snapshots", {
  skip_if_not_installed("vdiffr")
  fit <- metapool(normand_es(), method = "DL", subgroup = normand_groups)
  expect_forest_snapshot("sorted by effect within subgroups", fit, order = "effect")
  # Prediction intervals clipped at the axis limit end in arrows, as study whiskers do.
  expect_forest_snapshot("clipped prediction intervals", fit, prediction = TRUE,
                         xlim = c(-2, 2))
  long <- simulated_studies(4)
  long$study[2] <- paste("A multicentre randomised controlled trial of an intervention",
                         "delivered over the Internet in adults with chronic pain (pilot)")
  expect_forest_snapshot("long label wrapped", metapool(yi, vi, data = long, slab = study))
  es <- es_smd(m1 = c(50.2, 45.27, 48), sd1 = c(10, 9.5, 11), n1 = c(20, 31, 40),
               m2 = c(52, 49.1, 50.35), sd2 = c(10.25, 9, 12), n2 = c(20, 30, 41),
               slab = c("Trial A", "Trial B", "Trial C"))
  expect_forest_snapshot("arm decimals per column", metapool(es, method = "DL"))
  # On a device larger than needed, the plot fills it.
  vdiffr::expect_doppelganger("forest scaled to a large device",
                              function() plot(metapool(normand_es(), method = "DL")),
                              writer = sized_svg_writer(1000 / 72, 700 / 72))
})
