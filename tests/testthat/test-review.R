# The Internet-delivered therapy review (Eccleston et al. 2014, Cochrane
# CD010152). Published values are from the review's abstract.

z975 <- qnorm(0.975)
synthetic <- as.data.frame(unclass(eccleston2014_synthetic))
rows_of <- function(a) synthetic[synthetic$analysis == a, ]

# RevMan 5 by hand (Deeks & Higgins 2010): Hedges' adjusted g, DL pooling.
hand_smd_dl <- function(d) {
  N <- d$n1 + d$n2
  s <- sqrt(((d$n1 - 1) * d$sd1^2 + (d$n2 - 1) * d$sd2^2) / (N - 2))
  g <- (d$m1 - d$m2) / s * (1 - 3 / (4 * N - 9))
  v <- N / (d$n1 * d$n2) + g^2 / (2 * (N - 3.94))
  w <- 1 / v
  Q <- sum(w * (g - sum(w * g) / sum(w))^2)
  tau2 <- max(0, (Q - (length(g) - 1)) / (sum(w) - sum(w^2) / sum(w)))
  ws <- 1 / (v + tau2)
  est <- sum(ws * g) / sum(ws)
  list(yi = g, vi = v, est = est, se = sqrt(1 / sum(ws)))
}

test_that("eccleston2014 holds the abstract's results exactly as published", {
  csv <- read.csv(system.file("extdata", "eccleston2014_published.csv", package = "metapool"),
                  stringsAsFactors = FALSE)
  expect_equal(eccleston2014$estimate, csv$estimate)
  expect_equal(nrow(eccleston2014), 9L)
  pain <- eccleston2014[eccleston2014$analysis == "headache_pain_post", ]
  # Abstract: RR 7.28, 95% CI 2.67 to 19.84, NNT 2.72, two studies.
  expect_identical(c(pain$estimate, pain$ci_lb, pain$ci_ub, pain$nnt, pain$k),
                   c(7.28, 2.67, 19.84, 2.72, 2))
  dis <- eccleston2014[eccleston2014$analysis == "headache_disability_post", ]
  expect_identical(c(dis$estimate, dis$ci_lb, dis$ci_ub), c(-0.65, -0.91, -0.39))
  fu <- eccleston2014[eccleston2014$analysis == "nonheadache_disability_followup", ]
  expect_identical(c(fu$estimate, fu$ci_lb, fu$ci_ub, fu$k), c(-0.15, -0.28, -0.01, 2))
})

test_that("the synthetic stand-in has the review's structure and says what it is", {
  trials <- unique(synthetic[c("trial", "n_randomised")])
  expect_identical(sort(unique(synthetic$trial)), sprintf("Trial %02d", 1:15))
  expect_identical(nrow(trials), 15L)
  expect_identical(sum(trials$n_randomised), 2012L)
  expect_setequal(unique(synthetic$condition), c("headache", "non-headache"))
  expect_setequal(unique(synthetic$timepoint), c("post-treatment", "follow-up"))
  expect_setequal(synthetic$analysis, eccleston2014$analysis)
  # the review excluded trials with fewer than 20 per arm; nobody is analysed
  # who was not randomised
  expect_true(all(synthetic$n1 >= 20 & synthetic$n2 >= 20))
  expect_true(all(synthetic$n1 + synthetic$n2 <= synthetic$n_randomised))
  # a trial belongs to one condition
  expect_true(all(tapply(synthetic$condition, synthetic$trial, function(x) length(unique(x))) == 1))
  # the k the abstract states
  stated <- eccleston2014[!is.na(eccleston2014$k), ]
  for (i in seq_len(nrow(stated))) {
    expect_identical(nrow(rows_of(stated$analysis[i])), stated$k[i])
  }
  # binary rows have counts, continuous rows have means and SDs
  binary <- synthetic$measure == "RR"
  expect_false(anyNA(synthetic[binary, c("events1", "events2")]))
  expect_false(anyNA(synthetic[!binary, c("m1", "sd1", "m2", "sd2")]))
  expect_true(all(synthetic$sd1[!binary] > 0 & synthetic$sd2[!binary] > 0))
  # the headache pain data exercise RevMan's zero-cell rule
  pain <- rows_of("headache_pain_post")
  expect_true(any(pain$events1 == 0 | pain$events2 == 0))

  expect_s3_class(eccleston2014_synthetic, "mp_synthetic")
  expect_output(print(eccleston2014_synthetic), "SYNTHETIC")
  expect_output(print(eccleston2014_synthetic[1:3, ]), "SYNTHETIC")
})

test_that("RevMan's methods by hand give every published SMD from the stand-in", {
  smd <- eccleston2014[eccleston2014$measure == "SMD", ]
  for (i in seq_len(nrow(smd))) {
    h <- hand_smd_dl(rows_of(smd$analysis[i]))
    expect_identical(round(h$est + c(0, -1, 1) * z975 * h$se, 2),
                     c(smd$estimate[i], smd$ci_lb[i], smd$ci_ub[i]), label = smd$analysis[i])
  }
})

test_that("RevMan's M-H random RR and NNT by hand match the published headache pain result", {
  d <- rows_of("headache_pain_post")
  zero <- d$events1 == 0 | d$events2 == 0 | d$events1 == d$n1 | d$events2 == d$n2
  a <- d$events1 + zero / 2
  c <- d$events2 + zero / 2
  n1 <- d$n1 + zero
  n2 <- d$n2 + zero
  y <- log(a / n1 / (c / n2))
  v <- 1 / a - 1 / n1 + 1 / c - 1 / n2
  mh <- log(sum(a * n2 / (n1 + n2)) / sum(c * n1 / (n1 + n2)))
  w <- 1 / v
  tau2 <- max(0, (sum(w * (y - mh)^2) - 1) / (sum(w) - sum(w^2) / sum(w)))
  ws <- 1 / (v + tau2)
  est <- sum(ws * y) / sum(ws)
  rr <- exp(est + c(0, -1, 1) * z975 / sqrt(sum(ws)))
  expect_identical(round(rr, 2), c(7.28, 2.67, 19.84))
  cr <- sum(d$events2) / sum(d$n2)
  expect_identical(round(1 / (cr * (rr[1] - 1)), 2), 2.72)

  fit <- metapool_mh(events1, n1, events2, n2, data = d, measure = "RR", model = "random",
                     preset = "revman5")
  expect_rel_equal(exp(c(fit$estimate, fit$ci_lb, fit$ci_ub)), rr, tol$closed_form)
  expect_rel_equal(fit$tau2, tau2, tol$closed_form)
})

test_that("reproduce_review() reproduces all nine published results", {
  review <- reproduce_review(metafor = FALSE)
  r <- review$results
  expect_identical(nrow(r), 9L)
  expect_true(all(r$pass))
  expect_identical(round(r$estimate, 2), eccleston2014$estimate)
  expect_identical(round(r$ci_lb, 2), eccleston2014$ci_lb)
  expect_identical(round(r$ci_ub, 2), eccleston2014$ci_ub)
  expect_true(all(r$diff_published < 0.005))
  expect_true(review$synthetic)
  smd <- which(eccleston2014$measure == "SMD")
  for (i in smd) {
    h <- hand_smd_dl(rows_of(eccleston2014$analysis[i]))
    expect_rel_equal(r$estimate[i], h$est, tol$closed_form)
    expect_rel_equal(review$fits[[i]]$se, h$se, tol$closed_form)
  }
})

test_that("reproduce_review() agrees with metafor", {
  skip_if_not_installed("metafor")
  review <- reproduce_review(metafor = TRUE)
  r <- review$results
  expect_identical(review$metafor_version, as.character(packageVersion("metafor")))
  expect_true(all(r$diff_metafor < 1e-10))
  # independently of reproduce_review(): RevMan's g by hand, pooled by metafor
  for (a in eccleston2014$analysis[eccleston2014$measure == "SMD"]) {
    h <- hand_smd_dl(rows_of(a))
    m <- metafor::rma(h$yi, h$vi, method = "DL")
    expect_rel_equal(r$estimate[r$analysis == a], m$b[1], tol$closed_form)
    expect_rel_equal(r$ci_ub[r$analysis == a], m$ci.ub, tol$closed_form)
  }
})

test_that("a pass can fail: other data or a wrong k are reported, not hidden", {
  changed <- synthetic
  changed$m1[changed$analysis == "nonheadache_pain_post"][1] <- 80
  review <- reproduce_review(changed, metafor = FALSE)
  expect_false(review$results$pass[review$results$analysis == "nonheadache_pain_post"])
  expect_identical(sum(review$results$pass), 8L)
  expect_false(review$synthetic)
  expect_output(print(review), "8 of 9")

  dropped <- synthetic[!(synthetic$analysis == "headache_disability_post" &
                           synthetic$trial == "Trial 02"), ]
  review <- reproduce_review(dropped, metafor = FALSE)
  expect_false(review$results$pass[review$results$analysis == "headache_disability_post"])
})

test_that("SE, z and p implied by the published CIs match hand computation", {
  im <- reproduce_review(metafor = FALSE)$implied
  pain <- im[im$analysis == "headache_pain_post", ]
  se <- (log(19.84) - log(2.67)) / (2 * z975)
  expect_equal(pain$se, se, tolerance = 1e-12)
  expect_equal(pain$z, log(7.28) / se, tolerance = 1e-12)
  expect_equal(pain$p, 2 * pnorm(-log(7.28) / se), tolerance = 1e-12)
  anx <- im[im$analysis == "nonheadache_anxiety_post", ]
  expect_equal(anx$se, 0.43 / (2 * z975), tolerance = 1e-12)
  expect_equal(anx$p, 2 * pnorm(-0.28 / (0.43 / (2 * z975))), tolerance = 1e-12)

  # the p range over the rounding box, against a brute-force grid over it
  grid <- expand.grid(e = seq(-0.285, -0.275, length.out = 11), l = seq(-0.495, -0.485, length.out = 11),
                      u = seq(-0.065, -0.055, length.out = 11))
  p_grid <- 2 * pnorm(-abs(grid$e / ((grid$u - grid$l) / (2 * z975))))
  expect_equal(c(anx$p_min, anx$p_max), range(p_grid), tolerance = 1e-12)

  # "p < 0.01" holds for part of that range only: the one borderline statement
  expect_true(anx$p_min < 0.01 && anx$p_max > 0.01)
  expect_identical(im$analysis[im$verdict != "consistent"], "nonheadache_anxiety_post")
  expect_identical(im$verdict[im$verdict != "consistent"], "borderline")
})

test_that("the published p statements are judged by their rounding range", {
  pub <- data.frame(analysis = c("a", "b", "c"), measure = "SMD", estimate = c(-0.5, -0.5, -0.1),
                    ci_lb = c(-0.8, -0.8, -0.3), ci_ub = c(-0.2, -0.2, 0.1),
                    p_reported = c("<0.01", ">0.05", "<0.05"), stringsAsFactors = FALSE)
  im <- implied_by_published(pub)
  expect_identical(im$verdict, c("consistent", "inconsistent", "inconsistent"))
  pub$p_reported[1] <- "p = 0.01"
  expect_error(implied_by_published(pub), class = "metapool_error_input")
})

test_that("the NNT and its CI follow Altman, with the impossible risk bounded", {
  n <- reproduce_review(metafor = FALSE)$nnt
  acr <- 1 / (2.72 * (7.28 - 1))
  pub <- n[1, ]
  expect_equal(pub$acr, acr, tolerance = 1e-12)
  expect_equal(pub$nnt, 2.72, tolerance = 1e-12)
  # RR 19.84 would give an experimental risk above 1: bounded at 1, so the
  # largest possible benefit is 1 - acr
  expect_gt(acr * 19.84, 1)
  expect_equal(1 / pub$benefit_ub, 1 / (1 - acr), tolerance = 1e-12)
  expect_equal(1 / pub$benefit_lb, 1 / (acr * (2.67 - 1)), tolerance = 1e-12)
  expect_true(pub$limit_bounded)
  expect_identical(pub$type, "NNTB")
  expect_identical(pub$nnt_whole, 3)

  d <- rows_of("headache_pain_post")
  from_data <- n[2, ]
  expect_equal(from_data$acr, sum(d$events2) / sum(d$n2), tolerance = 1e-14)
  expect_identical(round(from_data$nnt, 2), 2.72)
})

test_that("subgroup differences match RevMan's Q by hand", {
  s <- reproduce_review(metafor = FALSE)$subgroups
  expect_identical(s$testable, c(FALSE, TRUE, TRUE, TRUE))
  expect_true(is.na(s$Q_published[1]))
  for (outcome in c("disability", "depression", "anxiety")) {
    pub <- eccleston2014[eccleston2014$outcome == outcome & eccleston2014$timepoint == "post-treatment", ]
    se <- (pub$ci_ub - pub$ci_lb) / (2 * z975)
    # with two subgroups, Q = (theta1 - theta2)^2 / (se1^2 + se2^2)
    Q <- diff(pub$estimate)^2 / sum(se^2)
    row <- s[s$outcome == outcome, ]
    expect_equal(row$Q_published, Q, tolerance = 1e-10)
    expect_equal(row$p_published, pchisq(Q, 1, lower.tail = FALSE), tolerance = 1e-10)
    fits <- lapply(pub$analysis, function(a) hand_smd_dl(rows_of(a)))
    Qd <- (fits[[1]]$est - fits[[2]]$est)^2 / (fits[[1]]$se^2 + fits[[2]]$se^2)
    expect_equal(row$Q_data, Qd, tolerance = 1e-10)
  }
})

test_that("reproduce_review() prints a report and rejects malformed input", {
  review <- reproduce_review(metafor = FALSE)
  expect_snapshot(print(review))
  expect_error(reproduce_review(synthetic[, names(synthetic) != "trial"]), "trial",
               class = "metapool_error_input")
  expect_error(reproduce_review(synthetic[, names(synthetic) != "m1"]), "m1",
               class = "metapool_error_input")
  expect_error(reproduce_review(synthetic[synthetic$analysis != "headache_pain_post", ]),
               "headache_pain_post", class = "metapool_error_input")
  bad <- eccleston2014
  bad$measure[1] <- "HR"
  expect_error(reproduce_review(published = bad), "HR", class = "metapool_error_input")
  expect_error(reproduce_review(metafor = NA), class = "metapool_error_input")
  expect_error(reproduce_review(list()), class = "metapool_error_input")
})

test_that("reproduce_review(dir = ) writes every forest plot as PDF and PNG", {
  dir <- file.path(tempdir(), "review-plots")
  on.exit(unlink(dir, recursive = TRUE))
  review <- reproduce_review(metafor = FALSE, dir = dir)
  expected <- file.path(dir, paste0(rep(c(eccleston2014$analysis, "published_results"), each = 2),
                                    c(".pdf", ".png")))
  expect_setequal(review$files, expected)
  expect_true(all(file.size(expected) > 1000))
  expect_output(print(review), "Plots written: 20 files")
  expect_error(reproduce_review(metafor = FALSE, dir = 1), class = "metapool_error_input")
})
