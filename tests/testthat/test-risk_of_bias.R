test_that("the synthetic risk-of-bias table has the review's 90 judgements: 9 high, 22 unclear, 59 low", {
  rob <- eccleston2014_synthetic_rob
  expect_s3_class(rob, "mp_rob")
  expect_true(attr(rob, "synthetic"))
  expect_equal(nrow(rob), 90)
  expect_equal(as.vector(table(rob$judgement)[c("high", "unclear", "low")]), c(9L, 22L, 59L))
  expect_equal(length(unique(rob$domain)), 6)
  expect_equal(sort(unique(rob$study)), sort(unique(eccleston2014_synthetic$trial)))
  expect_false(anyDuplicated(rob[c("study", "domain")]) > 0)
  s <- summary(rob)
  expect_equal(unname(s$total[c("low", "unclear", "high")]), c(59, 22, 9))
  expect_equal(s$counts$low + s$counts$unclear + s$counts$high, rep(15L, 6))
  expect_output(print(rob), "SYNTHETIC")
  expect_output(print(s), "SYNTHETIC")
  # The constructor accepts it as it is (the data-raw script writes the same layout).
  again <- risk_of_bias(as.data.frame(unclass(rob)), synthetic = TRUE)
  expect_equal(as.data.frame(unclass(again)), as.data.frame(unclass(rob)))
})

test_that("risk_of_bias() normalises judgements and rejects bad tables with classed errors", {
  d <- data.frame(study = c("A", "A", "B", "B"), domain = c("D1", "D2", "D1", "D2"),
                  judgement = c("Low risk", "UNCLEAR", "high risk of bias", NA))
  rob <- risk_of_bias(d)
  expect_equal(as.character(rob$judgement), c("low", "unclear", "high", NA))
  expect_equal(levels(rob$judgement), c("low", "unclear", "high"))
  expect_true(all(is.na(rob$support)))
  expect_false(attr(rob, "synthetic"))
  s <- summary(rob)
  expect_equal(s$counts$missing, c(0L, 1L))
  expect_output(print(rob), "4 judgements of 2 studies in 2 domains")
  err <- function(expr) expect_error(expr, class = "metapool_error_input")
  err(risk_of_bias(list(study = "A")))
  err(risk_of_bias(d[, c("study", "judgement")]))
  err(risk_of_bias(transform(d, judgement = c("low", "some concerns", "high", "low"))))
  err(risk_of_bias(rbind(d, d[1, ])))
  err(risk_of_bias(transform(d, study = c("A", "", "B", "B"))))
  err(risk_of_bias(transform(d, support = 1:4)))
  expect_equal(risk_of_bias(transform(d, support = factor(c("a", "b", "a", NA))))$support,
               c("a", "b", "a", NA))
  err(risk_of_bias(d, synthetic = NA))
})

test_that("rob_robvis() gives robvis's wide layout with the Handbook's overall rule", {
  d <- data.frame(study = rep(c("A", "B", "C"), each = 2), domain = rep(c("D1", "D2"), 3),
                  judgement = c("low", "low", "low", "unclear", "high", "low"))
  wide <- rob_robvis(risk_of_bias(d[-4, ]), weight = c(A = 2, B = 1, C = 3))
  expect_equal(names(wide), c("Study", "D1", "D2", "Overall", "Weight"))
  expect_equal(wide$Study, c("A", "B", "C"))
  expect_equal(wide$D1, c("Low", "Low", "High"))
  expect_equal(wide$D2, c("Low", "No information", "Low"))
  expect_equal(wide$Overall, c("Low", "Unclear", "High"))  # Handbook 5.1 Table 8.7.a
  expect_equal(wide$Weight, c(2, 1, 3))
  expect_error(rob_robvis(d, weight = c(Z = 1)), class = "metapool_error_input")
  expect_error(rob_robvis(d, weight = 1:2), class = "metapool_error_input")
})

# robvis 0.3.1 calls ggplot2 with arguments ggplot2 has since deprecated; those
# warnings are robvis's, not the data's, and only they are muffled.
quiet_robvis <- function(expr) {
  withCallingHandlers(expr, warning = function(w) {
    if (grepl("deprecated|All aesthetics have length 1", conditionMessage(w))) {
      invokeRestart("muffleWarning")
    }
  })
}

test_that("robvis accepts the hand-off and draws the summary and traffic-light plots", {
  skip_if_not_installed("robvis")
  wide <- rob_robvis(eccleston2014_synthetic_rob)
  expect_equal(dim(wide), c(15, 6 + 3))
  # robvis counts what it was given: 90 domain judgements, 9/22/59.
  summary_plot <- quiet_robvis(robvis::rob_summary(wide, tool = "ROB1", overall = FALSE))
  expect_s3_class(summary_plot, "ggplot")
  built <- summary_plot$data
  expect_equal(nrow(built), 90)
  expect_equal(sort(as.vector(table(substr(tolower(as.character(built$judgement)), 1, 1)))),
               c(9L, 22L, 59L))
  traffic <- quiet_robvis(robvis::rob_traffic_light(wide, tool = "ROB1"))
  expect_s3_class(traffic, "ggplot")
  file <- tempfile(fileext = ".png")
  grDevices::png(file, width = 800, height = 800)
  quiet_robvis(print(traffic))
  grDevices::dev.off()
  expect_gt(file.size(file), 1000)
  file2 <- tempfile(fileext = ".png")
  grDevices::png(file2, width = 900, height = 300)
  quiet_robvis(print(summary_plot))
  grDevices::dev.off()
  expect_gt(file.size(file2), 1000)
})
