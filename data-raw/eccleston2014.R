# Builds the two datasets of the Internet-delivered therapy review (Eccleston et
# al. 2014, Cochrane CD010152):
#
#   data/eccleston2014.rda            the nine pooled results of the abstract, as
#                                     published (inst/extdata/eccleston2014_published.csv);
#   data/eccleston2014_synthetic.rda  a SYNTHETIC study-level stand-in.
#
# Why synthetic: the review's study-level data (arm means, SDs, sizes, events)
# are not available to the project, so nothing here is, or pretends to be, the
# trials' data. The stand-in has the review's structure (15 trials, 2012
# participants, headache and non-headache trials, post-treatment and follow-up)
# and is calibrated so that RevMan 5's methods reproduce every published pooled
# estimate and 95% CI to the two decimals published:
#   * SMD: Hedges' adjusted g with the approximate correction 1 - 3/(4N - 9),
#     SE^2 = N/(n1 n2) + g^2/(2(N - 3.94)), inverse-variance DerSimonian-Laird;
#   * headache pain: "M-H, Random" risk ratio (DL tau^2 from the Q about the M-H
#     estimate, then inverse-variance pooling; 0.5 added to every cell of a
#     study with a zero cell), and the published NNT 2.72 from its pooled
#     control risk, 1 / (CR (RR - 1)).
# The script is plain R: it implements those formulas itself and does not use
# metapool, so the package's tests check metapool against it (and against
# metafor). Every random choice is seeded. Run from the package root:
#   Rscript data-raw/eccleston2014.R

published <- utils::read.csv(file.path("inst", "extdata", "eccleston2014_published.csv"),
                             stringsAsFactors = FALSE)
published$k <- as.integer(published$k)
eccleston2014 <- published

z975 <- stats::qnorm(0.975)

# ---- RevMan 5 formulas --------------------------------------------------------

revman_smd <- function(m1, sd1, n1, m2, sd2, n2) {
  N <- n1 + n2
  s <- sqrt(((n1 - 1) * sd1^2 + (n2 - 1) * sd2^2) / (N - 2))
  g <- (m1 - m2) / s * (1 - 3 / (4 * N - 9))
  list(yi = g, vi = N / (n1 * n2) + g^2 / (2 * (N - 3.94)))
}

# DerSimonian-Laird random effects. Vectorised over columns: yi and vi are
# k x m matrices holding m analyses of k studies each (a vector is one analysis).
dersimonian_laird <- function(yi, vi, q_centre = NULL) {
  yi <- as.matrix(yi)
  w <- 1 / as.matrix(vi)
  centre <- if (is.null(q_centre)) colSums(w * yi) / colSums(w) else q_centre
  Q <- colSums(w * sweep(yi, 2, centre)^2)
  tau2 <- pmax(0, (Q - (nrow(yi) - 1)) / (colSums(w) - colSums(w^2) / colSums(w)))
  ws <- 1 / sweep(1 / w, 2, tau2, "+")
  list(estimate = colSums(ws * yi) / colSums(ws), se = sqrt(1 / colSums(ws)), tau2 = tau2)
}

# Study log risk ratios with RevMan's zero-cell rule (0.5 added to all four
# cells, so each arm grows by 1), and the "M-H, Random" pooled log RR; columns
# are analyses as above.
revman_rr_random <- function(a, n1, c, n2) {
  a <- as.matrix(a)
  c <- as.matrix(c)
  n1 <- matrix(n1, nrow(a), ncol(a))
  n2 <- matrix(n2, nrow(a), ncol(a))
  zero <- a == 0 | c == 0 | a == n1 | c == n2
  a <- a + 0.5 * zero
  c <- c + 0.5 * zero
  n1 <- n1 + zero
  n2 <- n2 + zero
  N <- n1 + n2
  yi <- log((a / n1) / (c / n2))
  vi <- 1 / a - 1 / n1 + 1 / c - 1 / n2
  mh <- log(colSums(a * n2 / N) / colSums(c * n1 / N))
  dersimonian_laird(yi, vi, q_centre = mh)
}

# ---- Targets: the point in the published rounding box with the most room -------

# Published values are rounded to 2 decimals, so the estimate theta and the
# half-width h of the CI can lie anywhere that rounds to them. Take the (theta, h)
# whose estimate and limits are furthest from a rounding boundary.
calibration_target <- function(estimate, lb, ub) {
  grid <- expand.grid(theta = seq(estimate - 0.005, estimate + 0.005, length.out = 401),
                      h = seq((ub - lb) / 2 - 0.005, (ub - lb) / 2 + 0.005, length.out = 401))
  room <- pmin(0.005 - abs(grid$theta - estimate),
               0.005 - abs(grid$theta - grid$h - lb),
               0.005 - abs(grid$theta + grid$h - ub))
  best <- which.max(room)
  list(estimate = grid$theta[best], se = grid$h[best] / z975, room = room[best])
}

# ---- Design: trials, outcomes, analysed sizes -------------------------------

trials <- data.frame(
  trial = sprintf("Trial %02d", 1:15),
  condition = rep(c("headache", "non-headache"), c(5, 10)),
  stringsAsFactors = FALSE
)

# Which trials contribute to which analysis. k is the abstract's where it states
# one (2 for headache pain and disability, 2 for non-headache disability at
# follow-up); elsewhere it is a choice of this stand-in.
membership <- list(
  headache_pain_post = 1:2,
  headache_disability_post = 1:2,
  headache_depression_post = c(1, 3, 4),
  headache_anxiety_post = c(1, 3, 5),
  nonheadache_pain_post = c(6:11, 13:15),
  nonheadache_disability_post = c(6, 7, 9, 10, 13, 14, 15),
  nonheadache_disability_followup = c(14, 15),
  nonheadache_depression_post = c(6:8, 10:12, 14, 15),
  nonheadache_anxiety_post = c(7, 8, 11, 12, 14, 15)
)
stopifnot(setequal(names(membership), published$analysis))

# Outcome scales (higher = worse), used only to give means and SDs plausible units.
scales <- data.frame(
  outcome = c("pain", "disability", "depression", "anxiety"),
  instrument = c("0-100 visual analogue scale", "Pain Disability Index (0-70)",
                 "Beck Depression Inventory II (0-63)", "STAI trait anxiety (20-80)"),
  control_mean = c(55, 30, 16, 45),
  sd = c(20, 13, 9, 10),
  stringsAsFactors = FALSE
)

# ---- Headache pain: events and totals (a seeded search over 2x2 tables) ------

# Two trials, with at least one zero cell (so RevMan's correction is exercised)
# and plausible risks of >= 50% pain relief (20-70% with therapy, <= 15% on the
# waiting list). Random arm sizes are drawn until a set of event counts
# reproduces the published RR, its CI and the NNT with room to spare: at least
# `min_room` of the rounding half-width 0.005 for each. Integer counts make
# this a search rather than a calibration (a few minutes).
search_headache_pain <- function(rr, nnt, seed, min_room = 0.4, max_draws = 1e7) {
  set.seed(seed)
  for (draw in seq_len(max_draws)) {
    n <- sample(30:160, 4, replace = TRUE)  # n1, n2 of trial 1; n1, n2 of trial 2
    for (control_events in 5:20) {
      cr <- control_events / (n[2] + n[4])
      if (abs(1 / (cr * (rr[1] - 1)) - nnt) > 0.012) next
      cand <- expand.grid(a1 = ceiling(0.2 * n[1]):floor(0.7 * n[1]),
                          a2 = ceiling(0.2 * n[3]):floor(0.7 * n[3]),
                          c1 = 0:control_events)
      cand$c2 <- control_events - cand$c1
      cand <- cand[cand$c1 <= 0.15 * n[2] & cand$c2 <= 0.15 * n[4] &
                     (cand$c1 == 0 | cand$c2 == 0), ]
      if (!nrow(cand)) next
      fit <- revman_rr_random(rbind(cand$a1, cand$a2), n[c(1, 3)],
                              rbind(cand$c1, cand$c2), n[c(2, 4)])
      shown <- exp(fit$estimate + outer(fit$se, c(0, -1, 1) * z975))
      room <- pmin(0.005 - abs(shown[, 1] - rr[1]), 0.005 - abs(shown[, 2] - rr[2]),
                   0.005 - abs(shown[, 3] - rr[3]), 0.005 - abs(1 / (cr * (shown[, 1] - 1)) - nnt))
      if (max(room) >= min_room * 0.005) {
        best <- cand[which.max(room), ]
        return(data.frame(trial = 1:2, n1 = n[c(1, 3)], n2 = n[c(2, 4)],
                          events1 = c(best$a1, best$a2), events2 = c(best$c1, best$c2)))
      }
    }
  }
  stop("no 2x2 tables found")
}

# ---- SMD outcomes: study effects calibrated to the published result ----------

# Study effects g_i = a + b z_i with seeded standard scores z_i. For each b the
# location a is solved so the DL estimate hits the target; b (the spread, hence
# tau^2) is then solved so the DL standard error hits it. The standard error is
# reachable only if it is at least the common-effect one at b = 0.
pool_g <- function(g, n1, n2) {
  N <- n1 + n2
  dersimonian_laird(g, N / (n1 * n2) + g^2 / (2 * (N - 3.94)))
}

calibrate_g <- function(n1, n2, z, target) {
  location <- function(b) {
    stats::uniroot(function(a) pool_g(a + b * z, n1, n2)$estimate - target$estimate,
                   c(-5, 5), tol = 1e-12)$root
  }
  se_gap <- function(b) pool_g(location(b) + b * z, n1, n2)$se - target$se
  if (se_gap(0) > 0) stop("the analysed samples are too large for the published CI")
  b <- stats::uniroot(se_gap, c(0, 5), tol = 1e-12)$root
  location(b) + b * z
}

# Arm means and SDs with the calibrated g, on the outcome's instrument, rounded
# to 2 decimals. Rounding moves the pooled result by ~1e-4; the calibration is
# repeated with the target shifted by that error until it is below 1e-6.
simulate_arms <- function(n1, n2, outcome, target) {
  sc <- scales[scales$outcome == outcome, ]
  k <- length(n1)
  z <- stats::rnorm(k)
  z <- if (k > 1) (z - mean(z)) / stats::sd(z) else 0
  sd1 <- round(sc$sd * exp(stats::rnorm(k, 0, 0.15)), 2)
  sd2 <- round(sc$sd * exp(stats::rnorm(k, 0, 0.15)), 2)
  m2 <- round(sc$control_mean * exp(stats::rnorm(k, 0, 0.1)), 2)
  N <- n1 + n2
  s <- sqrt(((n1 - 1) * sd1^2 + (n2 - 1) * sd2^2) / (N - 2))
  aim <- target
  for (i in 1:20) {
    g <- calibrate_g(n1, n2, z, aim)
    m1 <- round(m2 + g / (1 - 3 / (4 * N - 9)) * s, 2)
    es <- revman_smd(m1, sd1, n1, m2, sd2, n2)
    got <- dersimonian_laird(es$yi, es$vi)
    miss <- c(got$estimate - target$estimate, got$se - target$se)
    if (max(abs(miss)) < 1e-6) break
    aim$estimate <- aim$estimate - miss[1]
    aim$se <- aim$se - miss[2]
  }
  data.frame(m1 = m1, sd1 = sd1, n1 = n1, m2 = m2, sd2 = sd2, n2 = n2)
}

# ---- Analysed sizes and randomised totals -----------------------------------

set.seed(20140215)
pain_row <- published[published$measure == "RR", ]
pain_tables <- search_headache_pain(c(pain_row$estimate, pain_row$ci_lb, pain_row$ci_ub),
                                    nnt = pain_row$nnt, seed = 7)

# Analysed arm sizes after treatment: trials 1-2 as found above; trials 14-15
# large enough for the narrow follow-up CI (the common-effect SE must not exceed
# the published one), with little dropout; the others drawn with at least 20
# analysed per arm (the review's inclusion rule). Follow-up keeps 93-97% of
# those analysed after treatment.
post_n1 <- post_n2 <- integer(15)
post_n1[1:2] <- pain_tables$n1
post_n2[1:2] <- pain_tables$n2
post_n1[14:15] <- c(236L, 228L)
post_n2[14:15] <- c(233L, 224L)
free <- 3:13
followup_n1 <- round(post_n1[14:15] * stats::runif(2, 0.93, 0.97))
followup_n2 <- round(post_n2[14:15] * stats::runif(2, 0.93, 0.97))

# Randomised sizes: analysed / (1 - dropout), dropout 5-15% (2-6% in the large
# trials). The free trials randomise at least 48 each, and the rest of the 2012
# is shared among them at random.
dropout <- stats::runif(15, 0.05, 0.15)
dropout[14:15] <- stats::runif(2, 0.02, 0.06)
randomised <- integer(15)
fixed <- setdiff(1:15, free)
randomised[fixed] <- ceiling((post_n1[fixed] + post_n2[fixed]) / (1 - dropout[fixed]))
share <- stats::runif(length(free))
extra <- 2012L - sum(randomised[fixed]) - 48L * length(free)
randomised[free] <- 48L + floor(extra * share / sum(share))
randomised[free[1]] <- randomised[free[1]] + (2012L - sum(randomised))
analysed <- floor(randomised[free] * (1 - dropout[free]))
post_n1[free] <- ceiling(analysed / 2)
post_n2[free] <- analysed - post_n1[free]
stopifnot(sum(randomised) == 2012, all(post_n1 >= 20), all(post_n2 >= 20))
trials$n_randomised <- randomised

# ---- Assemble ---------------------------------------------------------------

rows <- lapply(seq_len(nrow(published)), function(j) {
  pub <- published[j, ]
  ids <- membership[[pub$analysis]]
  if (pub$measure == "RR") {
    arms <- data.frame(m1 = NA_real_, sd1 = NA_real_, n1 = pain_tables$n1,
                       m2 = NA_real_, sd2 = NA_real_, n2 = pain_tables$n2,
                       events1 = pain_tables$events1, events2 = pain_tables$events2)
  } else {
    follow <- pub$timepoint == "follow-up"
    n1 <- if (follow) followup_n1 else post_n1[ids]
    n2 <- if (follow) followup_n2 else post_n2[ids]
    target <- calibration_target(pub$estimate, pub$ci_lb, pub$ci_ub)
    arms <- simulate_arms(n1, n2, pub$outcome, target)
    arms$events1 <- NA_integer_
    arms$events2 <- NA_integer_
  }
  instrument <- if (pub$measure == "RR") "at least 50% pain relief" else
    scales$instrument[scales$outcome == pub$outcome]
  data.frame(analysis = pub$analysis, trial = trials$trial[ids],
             condition = pub$condition, outcome = pub$outcome,
             timepoint = pub$timepoint, measure = pub$measure,
             instrument = instrument, arms,
             n_randomised = trials$n_randomised[ids], stringsAsFactors = FALSE)
})
eccleston2014_synthetic <- do.call(rbind, rows)
rownames(eccleston2014_synthetic) <- NULL
for (col in c("n1", "n2", "events1", "events2", "n_randomised")) {
  eccleston2014_synthetic[[col]] <- as.integer(eccleston2014_synthetic[[col]])
}

# ---- Check: RevMan's methods give every published number --------------------

for (j in seq_len(nrow(published))) {
  pub <- published[j, ]
  d <- eccleston2014_synthetic[eccleston2014_synthetic$analysis == pub$analysis, ]
  if (pub$measure == "RR") {
    fit <- revman_rr_random(d$events1, d$n1, d$events2, d$n2)
    shown <- exp(fit$estimate + c(0, -1, 1) * z975 * fit$se)
    cr <- sum(d$events2) / sum(d$n2)
    stopifnot(round(1 / (cr * (shown[1] - 1)), 2) == pub$nnt)
  } else {
    es <- revman_smd(d$m1, d$sd1, d$n1, d$m2, d$sd2, d$n2)
    fit <- dersimonian_laird(es$yi, es$vi)
    shown <- fit$estimate + c(0, -1, 1) * z975 * fit$se
  }
  stopifnot(all(round(shown, 2) == c(pub$estimate, pub$ci_lb, pub$ci_ub)),
            is.na(pub$k) || nrow(d) == pub$k)
}
stopifnot(length(unique(eccleston2014_synthetic$trial)) == 15,
          sum(trials$n_randomised) == 2012)

class(eccleston2014_synthetic) <- c("mp_synthetic", "data.frame")
save(eccleston2014, file = "data/eccleston2014.rda", compress = "bzip2", version = 2)
save(eccleston2014_synthetic, file = "data/eccleston2014_synthetic.rda",
     compress = "bzip2", version = 2)
