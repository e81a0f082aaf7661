bcg_fit <- function(...) {
  metapool(es_rr(tpos, tpos + tneg, cpos, cpos + cneg, data = bcg, slab = paste(author, year)), ...)
}

test_that("coef, vcov, nobs, weights and residuals", {
  fit <- bcg_fit(method = "DL")
  expect_equal(coef(fit), c(estimate = fit$estimate))
  expect_equal(vcov(fit)[1, 1], fit$se^2)
  expect_equal(nobs(fit), 13)
  expect_equal(sum(weights(fit)), 100)
  expect_equal(names(weights(fit)), paste(bcg$author, bcg$year))
  expect_equal(unname(residuals(fit)), fit$yi - fit$estimate)
  expect_equal(unname(residuals(fit, type = "pearson")),
               (fit$yi - fit$estimate) / sqrt(fit$vi + fit$tau2))
})

test_that("confint at another level refits; predict back-transforms and takes a new tau^2", {
  fit <- bcg_fit()
  ci <- confint(fit)
  expect_equal(rownames(ci), c("estimate", "tau^2", "tau", "I^2(%)", "H^2"))
  # confint() and predict() agree: both back-transform ratio measures by default.
  expect_equal(ci["estimate", "ci_lb"], exp(fit$ci_lb))
  expect_equal(ci["estimate", "ci_lb"], predict(fit)$ci_lb)
  expect_equal(confint(fit, back_transform = FALSE)["estimate", "ci_lb"], fit$ci_lb)
  expect_equal(confint(fit, transf = function(x) 2 * x)["estimate", "ci_ub"], 2 * fit$ci_ub)
  ci90 <- confint(fit, level = 90, back_transform = FALSE)
  expect_equal(ci90["estimate", "ci_lb"], fit$estimate - qnorm(0.95) * fit$se)
  expect_gt(ci90["tau^2", "ci_lb"], ci["tau^2", "ci_lb"])
  p <- predict(fit)
  expect_equal(p$pred, exp(fit$estimate))
  expect_equal(p$pi_lb, exp(fit$pi_lb))
  expect_equal(predict(fit, back_transform = FALSE)$pred, fit$estimate)
  expect_equal(predict(fit, transf = function(x) 100 * x)$ci_lb, 100 * fit$ci_lb)
  p0 <- predict(fit, tau2 = 0)
  fe <- bcg_fit(method = "FE")
  expect_equal(p0$pred, exp(fe$estimate))
  sub <- bcg_fit(subgroup = bcg$alloc)
  expect_equal(predict(sub, subgroup = "random")$pred, exp(sub$subgroups$random$estimate))
  expect_error(predict(sub, subgroup = "nope"), "subgroup", class = "metapool_error_input")
  expect_error(predict(fit, tau2 = -1), "tau2", class = "metapool_error_input")
})

test_that("tidy and glance follow the broom conventions", {
  fit <- bcg_fit(subgroup = bcg$alloc)
  td <- tidy.metapool(fit)
  expect_named(td, c("term", "estimate", "std.error", "statistic", "p.value", "conf.low", "conf.high"))
  expect_equal(td$term, c("random", "alternate", "systematic", "Overall"))
  expect_equal(tidy.metapool(fit, exponentiate = TRUE)$estimate, exp(td$estimate))
  expect_equal(tidy.metapool(fit, conf.level = 0.9)$conf.low[4],
               fit$estimate - qnorm(0.95) * fit$se)
  gl <- glance.metapool(fit)
  expect_equal(nrow(gl), 1)
  expect_equal(gl$subgroup_Q, fit$subgroup_test$Q)
  skip_if_not_installed("generics")
  expect_equal(generics::tidy(fit), td)
})

test_that("print and summary", {
  expect_snapshot(print(bcg_fit()))
  expect_snapshot(print(bcg_fit(method = "DL", ci_method = "hksj", subgroup = bcg$alloc)))
  expect_snapshot(print(summary(bcg_fit(method = "FE"))))
  expect_snapshot(print(metapool_mh(events1, n1, events2, n2, data = nielweise2007, slab = author,
                                    measure = "RR", preset = "revman5", model = "random")))
  expect_snapshot(print(metapool(yi = 0.4, sei = 0.2)))
  expect_snapshot(print(metapool_mh(c(0, 0), c(10, 10), c(0, 0), c(10, 10), measure = "RR")))
  expect_snapshot(print(summary(bcg_fit(method = "DL", subgroup = bcg$alloc))))
})

test_that("inputs users get wrong are explained", {
  expect_error(metapool(yi = c(NA, NA), vi = c(0.1, 0.2)), "missing values",
               class = "metapool_error_input")
  d <- data.frame(effect = c(0.1, 0.3), var = c(0.01, 0.02))
  expect_error(metapool(yi = effct, vi = var, data = d), "the columns of `data` are `effect`, `var`",
               class = "metapool_error_input")
  mh <- metapool_mh(c(0, 3, 4), c(10, 20, 20), c(0, 6, 5), c(10, 20, 20), measure = "RR")
  expect_output(print(mh), "Not estimable \\(excluded\\): study in row 1")
})

test_that("print shows the SE, the log-scale estimate, the PI method and subgroup heterogeneity", {
  fit <- bcg_fit(subgroup = bcg$alloc)
  out <- paste(utils::capture.output(print(fit)), collapse = "\n")
  expect_match(out, sprintf("log RR = %.4f \\(SE %.4f\\)", fit$estimate, fit$se))
  expect_match(out, "Prediction interval: t on k - 2 df")
  expect_match(out, "Heterogeneity within subgroups")
  expect_match(out, sprintf("%.2f", fit$subgroups$random$Q))
})
