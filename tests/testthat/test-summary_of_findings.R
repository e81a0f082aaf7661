# Summary of findings: the arithmetic by hand and against the Cochrane Handbook's
# worked examples (version 5.1 section 12.5.4; version 6 section 15.4.4).

one_outcome <- function(measure, estimate, ci_lb, ci_ub, ...) {
  data.frame(outcome = "Death", measure = measure, estimate = estimate, ci_lb = ci_lb,
             ci_ub = ci_ub, ...)
}

nbinary <- function() {
  pain <- subset(eccleston2014_synthetic, analysis == "headache_pain_post")
  metapool_mh(events1, n1, events2, n2, data = pain, measure = "RR", model = "random",
              preset = "revman5")
}

test_that("risk with the intervention is ACR x RR per 1000, its CI from the RR limits", {
  sof <- summary_of_findings(one_outcome("RR", 0.92, 0.80, 1.06), acr = 0.30, event = "harmful")
  expect_equal(sof$risk_control, 300)
  expect_rel_equal(sof$risk_intervention, 1000 * 0.30 * 0.92, tol$exact)
  expect_rel_equal(c(sof$risk_intervention_lb, sof$risk_intervention_ub),
                   1000 * 0.30 * c(0.80, 1.06), tol$exact)
  expect_rel_equal(c(sof$difference, sof$difference_lb, sof$difference_ub),
                   1000 * 0.30 * (c(0.92, 0.80, 1.06) - 1), tol$exact)
  # Handbook 5.1, 12.5.4.2 (version 6, 15.4.4.2): RR 0.92 at ACR 0.3 is 24 fewer per
  # 1000 and an NNT of 42.
  expect_equal(round(sof$difference), -24)
  expect_equal(sof$nnt_whole, 42)
  shown <- format(sof)
  expect_equal(shown[["Risk with intervention*"]], "276 per 1000 (240 to 318)")
  expect_equal(shown[["Difference (95% CI)"]], "24 fewer per 1000 (60 fewer to 18 more)")
  expect_equal(shown[["Relative effect (95% CI)"]], "RR 0.92 (0.80 to 1.06)")
})

test_that("odds ratios and risk differences give the Handbook's numbers", {
  # Handbook 5.1, 12.5.4.3 (version 6, 15.4.4.3): OR 0.73 at ACR 0.3 is 62 fewer per
  # 1000, NNT 17.
  sof <- summary_of_findings(one_outcome("OR", 0.73, 0.60, 0.90), acr = 0.3, event = "harmful")
  odds_risk <- function(or) 0.3 * or / (1 - 0.3 + 0.3 * or)
  expect_rel_equal(sof$risk_intervention, 1000 * odds_risk(0.73), tol$exact)
  expect_rel_equal(c(sof$risk_intervention_lb, sof$risk_intervention_ub),
                   1000 * odds_risk(c(0.60, 0.90)), tol$exact)
  expect_equal(round(sof$difference), -62)
  expect_equal(sof$nnt_whole, 17)
  # Handbook 5.1, 12.5.4.1: a risk difference of -0.12 gives NNT 9.
  rd <- summary_of_findings(one_outcome("RD", -0.12, -0.20, -0.04), acr = 0.3, event = "harmful")
  expect_rel_equal(c(rd$risk_intervention, rd$risk_intervention_lb, rd$risk_intervention_ub),
                   1000 * (0.3 + c(-0.12, -0.20, -0.04)), tol$exact)
  expect_equal(rd$nnt_whole, 9)
  expect_equal(format(rd)[["Relative effect (95% CI)"]], "RD -0.12 (-0.20 to -0.04)")
})

test_that("several assumed control risks give one row each, labelled", {
  sof <- summary_of_findings(one_outcome("RR", 0.10, 0.04, 0.26, k = 9, participants = 2637),
                             acr = c(low = 0.01, high = 0.03))
  expect_equal(nrow(sof), 2)
  expect_equal(sof$acr_label, c("low", "high"))
  expect_rel_equal(sof$risk_intervention, 1000 * c(0.01, 0.03) * 0.10, tol$exact)
  shown <- format(sof)
  expect_equal(shown[["Risk with comparator"]], c("low: 10 per 1000", "high: 30 per 1000"))
  expect_equal(shown$Outcomes, c("Death", ""))
  expect_equal(shown[["No. of participants (studies)"]], c("2637 (9 studies)", ""))
  expect_true(all(is.na(sof$nnt)))  # no event direction given, so no NNT
})

test_that("a fit's pooled control risk is the default ACR and the NNT agrees with nnt_ci()", {
  fit <- nbinary()
  pain <- subset(eccleston2014_synthetic, analysis == "headache_pain_post")
  sof <- summary_of_findings(list(Pain = fit), event = "beneficial")
  cr <- sum(pain$events2) / sum(pain$n2)
  expect_rel_equal(sof$acr, cr, tol$exact)
  expect_equal(sof$acr_label, "pooled")
  expect_equal(sof$participants, sum(pain$n1 + pain$n2))
  expect_equal(sof$studies, fit$k)
  expect_rel_equal(sof$estimate, exp(fit$estimate), tol$exact)
  expect_rel_equal(sof$risk_intervention, 1000 * cr * exp(fit$estimate), tol$exact)
  ref <- nnt_ci(fit, event = "beneficial")
  ref <- ref[ref$label == "Overall", ]
  expect_rel_equal(sof$nnt, ref$nnt, tol$exact)
  expect_equal(sof$nnt_type, ref$type)
  expect_equal(sof$nnt_whole, ref$nnt_whole)
  expect_rel_equal(c(sof$nnt_lb, sof$nnt_ub), 1 / c(ref$benefit_ub, ref$benefit_lb), tol$exact)
  # RR upper limit x control risk exceeds 1: the risk is bounded at 1000 per 1000.
  expect_true(exp(fit$ci_ub) * cr > 1)
  expect_equal(sof$risk_intervention_ub, 1000)
  expect_true(sof$bounded)
  # A given ACR overrides the pooled one, per outcome.
  given <- summary_of_findings(list(Pain = fit), acr = list(Pain = 0.1), event = "beneficial")
  expect_rel_equal(given$risk_intervention, 1000 * 0.1 * exp(fit$estimate), tol$exact)
  ref2 <- nnt_ci(exp(fit$estimate), measure = "RR", ci_lb = exp(fit$ci_lb), ci_ub = exp(fit$ci_ub),
              acr = 0.1, event = "beneficial")
  expect_rel_equal(given$nnt, ref2$nnt, tol$exact)
})

test_that("SMDs get the Handbook's rule of thumb and the re-expression MD = SMD x SD", {
  expect_equal(smd_size(c(0.19, 0.2, -0.49, 0.5, 0.79, -0.8, 1.5, NA)),
               c("less than small", "small", "small", "moderate", "moderate", "large", "large", NA))
  d <- subset(eccleston2014_synthetic, analysis == "nonheadache_pain_post")
  fit <- metapool(es_smd(m1, sd1, n1, m2, sd2, n2, data = d, preset = "revman5"), method = "DL")
  sof <- summary_of_findings(list(Pain = fit), sd = c(Pain = 2.5), scale = c(Pain = "0-10 NRS"))
  expect_rel_equal(c(sof$md, sof$md_lb, sof$md_ub), 2.5 * c(fit$estimate, fit$ci_lb, fit$ci_ub),
                   tol$exact)
  expect_equal(sof$smd_size, smd_size(round(fit$estimate, 2)))
  expect_true(is.na(sof$risk_intervention))
  expect_equal(sof$participants, sum(d$n1 + d$n2))
  shown <- format(sof)
  expect_match(shown[["Risk with intervention*"]], "^SMD 0\\.37 SD lower \\(0\\.59 lower to 0\\.15 lower\\); on 0-10 NRS: MD 0\\.9[0-9] lower")
  expect_match(shown$Comments, "SMD 0.37: small effect")
  # An interval including zero is said to include no effect.
  wide <- summary_of_findings(one_outcome("SMD", -0.26, -0.87, 0.36))
  expect_match(format(wide)$Comments, "the CI includes no effect")
})

test_that("published results in a data frame (eccleston2014) give a table", {
  sof <- summary_of_findings(eccleston2014, acr = list(headache_pain_post = 0.06),
                             event = c(headache_pain_post = "beneficial"))
  expect_s3_class(sof, "mp_sof")
  expect_equal(sof$outcome, eccleston2014$analysis)
  expect_rel_equal(sof$risk_intervention[1], 1000 * 0.06 * 7.28, tol$exact)
  expect_equal(sof$studies, eccleston2014$k)
  expect_true(all(is.na(sof$participants)))
  expect_match(format(sof)[["No. of participants (studies)"]][1], "not reported \\(2 studies\\)")
})

test_that("GRADE ratings are validated and become footnotes", {
  g <- grade_certainty("Very low", risk_of_bias = "Unblinded.", `publication bias` = "Few trials.",
                       imprecision = "Wide CI.")
  expect_equal(g$rating, "very low")
  expect_equal(names(g$reasons), c("risk of bias", "publication bias", "imprecision"))
  expect_error(grade_certainty("moderately", imprecision = "x"), class = "metapool_error_input")
  expect_error(grade_certainty("low"), class = "metapool_error_input")
  expect_error(grade_certainty("high", imprecision = "x"), class = "metapool_error_input")
  expect_error(grade_certainty("low", sample_size = "x"), class = "metapool_error_input")
  expect_error(grade_certainty("low", imprecision = ""), class = "metapool_error_input")
  expect_error(grade_certainty("low", imprecision = "a", Imprecision = "b"),
               class = "metapool_error_input")
  x <- rbind(one_outcome("RR", 0.92, 0.80, 1.06), one_outcome("RR", 0.5, 0.3, 0.8))
  x$outcome <- c("Death", "Stroke")
  sof <- summary_of_findings(x, acr = 0.1, certainty = list(
    Death = grade_certainty("low", imprecision = "Wide CI.", risk_of_bias = "Unblinded."),
    Stroke = grade_certainty("moderate", imprecision = "Wide CI.")))
  expect_equal(sof$certainty, c("low", "moderate"))
  expect_equal(sof$footnotes, c("a,b", "a"))  # the shared reason shares its letter
  notes <- attr(sof, "footnotes")
  expect_equal(unname(notes[c("a", "b")]), c("Downgraded for imprecision: Wide CI.",
                                             "Downgraded for risk of bias: Unblinded."))
  shown <- format(sof)[["Certainty of the evidence (GRADE)"]]
  expect_match(shown[1], "Low \\(a, b\\)$")
  expect_match(shown[2], "Moderate \\(a\\)$")
  expect_output(print(sof), "a. Downgraded for imprecision: Wide CI.")
  expect_equal(summary_of_findings(x, certainty = list(Death = "high"))$certainty, c("high", NA))
  # A bare rating below high lacks its reasons.
  expect_error(summary_of_findings(x, certainty = list(Death = "low")), class = "metapool_error_input")
})

test_that("mismatched outcome names and misplaced arguments are classed errors", {
  x <- rbind(one_outcome("RR", 0.92, 0.80, 1.06), one_outcome("SMD", -0.5, -0.8, -0.2))
  x$outcome <- c("Death", "Pain")
  err <- function(expr) expect_error(expr, class = "metapool_error_input")
  err(summary_of_findings(x, certainty = list(Daeth = grade_certainty("high"))))
  err(summary_of_findings(x, comments = c(Death = "ok", Pian = "no")))
  err(summary_of_findings(x, acr = list(Pain = 0.2)))      # an ACR for an SMD outcome
  err(summary_of_findings(x, sd = c(Death = 2)))           # an SD for a binary outcome
  err(summary_of_findings(x, event = c(Pain = "harmful")))
  err(summary_of_findings(x, acr = 1.2))
  err(summary_of_findings(x, sd = c(Pain = -1)))
  err(summary_of_findings(x, event = "good"))
  err(summary_of_findings(x, certainty = grade_certainty("high")))  # unnamed, two outcomes
  err(summary_of_findings(x, per = 0))
  err(summary_of_findings(x[, -1], outcome = "label"))
  err(summary_of_findings(x[, c("outcome", "estimate")]))
  err(summary_of_findings(list(nbinary())))                 # fits must be named
  err(summary_of_findings(nbinary()))                       # a single fit needs `outcome`
  err(summary_of_findings(list(a = 1)))
  err(summary_of_findings(one_outcome("RR", -0.1, 0.5, 1.2)))
  expect_equal(summary_of_findings(nbinary(), outcome = "Pain")$outcome, "Pain")
})

test_that("sof_table renders Markdown and HTML through knitr", {
  skip_if_not_installed("knitr")
  sof <- summary_of_findings(one_outcome("RR", 0.92, 0.80, 1.06), acr = 0.3, event = "harmful",
                             certainty = list(Death = grade_certainty("moderate", imprecision = "CI includes no effect.")),
                             notes = "Illustration.")
  md <- sof_table(sof)
  expect_s3_class(md, "knitr_kable")
  expect_true(any(grepl("^\\|Outcomes", md)))
  expect_true(any(grepl("276 per 1000 (240 to 318)", md, fixed = TRUE)))
  expect_true(any(grepl("a. Downgraded for imprecision", md, fixed = TRUE)))
  expect_true(any(grepl("Illustration.", md, fixed = TRUE)))
  html <- paste(sof_table(sof, format = "html"), collapse = "\n")
  expect_match(html, "<table")
  expect_match(html, "Summary of findings: intervention compared with comparator")
  expect_error(sof_table(sof, format = "latex"), class = "metapool_error_input")
  expect_error(sof_table(data.frame()), class = "metapool_error_input")
})

test_that("a subset of the table still prints", {
  sof <- summary_of_findings(one_outcome("RR", 0.92, 0.80, 1.06), acr = c(0.1, 0.3))
  expect_output(print(sof[2, ]), "276 per 1000 \\(240 to 318\\)")
})

test_that("other relative measures (a published hazard ratio) show as relative effects only", {
  sof <- summary_of_findings(one_outcome("HR", 0.8, 0.7, 0.9, k = 3))
  expect_equal(format(sof)[["Relative effect (95% CI)"]], "HR 0.80 (0.70 to 0.90)")
  expect_equal(format(sof)[["Risk with intervention*"]], "-")
})
