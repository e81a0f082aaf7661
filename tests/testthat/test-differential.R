# The C++ core against a plain-R reference implementation, written from the
# textbook formulas with different algorithms (direct optimisation and root
# finding instead of Fisher scoring), on random inputs. The reference lives only
# here.

ref_smd <- function(m1, sd1, n1, m2, sd2, n2) {
  N <- n1 + n2
  m <- N - 2
  s <- sqrt(((n1 - 1) * sd1^2 + (n2 - 1) * sd2^2) / m)
  J <- exp(lgamma(m / 2) - log(sqrt(m / 2)) - lgamma((m - 1) / 2))
  g <- J * (m1 - m2) / s
  list(yi = g, vi = 1 / n1 + 1 / n2 + g^2 / (2 * N))
}

# metafor's defaults: 0.5 added to every cell of a table with a zero cell.
ref_binary <- function(a, n1, c, n2, measure) {
  b <- n1 - a
  d <- n2 - c
  zero <- a == 0 | b == 0 | c == 0 | d == 0
  a <- a + zero / 2
  b <- b + zero / 2
  c <- c + zero / 2
  d <- d + zero / 2
  n1 <- a + b
  n2 <- c + d
  switch(measure,
         RR = list(yi = log(a / n1) - log(c / n2), vi = 1 / a - 1 / n1 + 1 / c - 1 / n2),
         OR = list(yi = log(a * d / (b * c)), vi = 1 / a + 1 / b + 1 / c + 1 / d),
         RD = list(yi = a / n1 - c / n2, vi = a * b / n1^3 + c * d / n2^3))
}

wmean <- function(y, w) sum(w * y) / sum(w)
q_gen <- function(t2, y, v) sum((y - wmean(y, 1 / (v + t2)))^2 / (v + t2))

ref_tau2 <- function(y, v, method) {
  k <- length(y)
  w <- 1 / v
  Q <- q_gen(0, y, v)
  upper <- 100 * (var(y) + max(v))
  loglik <- function(t2, reml) {
    ws <- 1 / (v + t2)
    mu <- wmean(y, ws)
    -0.5 * sum(log(v + t2)) - 0.5 * sum(ws * (y - mu)^2) - if (reml) 0.5 * log(sum(ws)) else 0
  }
  maximise <- function(reml) {
    t2 <- stats::optimize(loglik, c(0, upper), reml = reml, maximum = TRUE, tol = 1e-14)$maximum
    # the boundary, which golden-section search only approaches
    if (loglik(0, reml) >= loglik(t2, reml)) 0 else t2
  }
  pm <- function() {
    if (q_gen(0, y, v) <= k - 1) return(0)
    stats::uniroot(function(t2) q_gen(t2, y, v) - (k - 1), c(0, upper), tol = 1e-14)$root
  }
  switch(method,
         FE = 0,
         DL = max(0, (Q - (k - 1)) / (sum(w) - sum(w^2) / sum(w))),
         HE = max(0, sum((y - mean(y))^2) / (k - 1) - mean(v)),
         HS = max(0, (Q - k) / sum(w)),
         SJ = {
           t0 <- sum((y - mean(y))^2) / k
           ws <- 1 / (v / t0 + 1)
           sum(ws * (y - wmean(y, ws))^2) / (k - 1)
         },
         ML = maximise(FALSE),
         REML = maximise(TRUE),
         PM = pm(),
         EB = pm())
}

ref_pool <- function(y, v, method, ci = "z") {
  t2 <- ref_tau2(y, v, method)
  ws <- 1 / (v + t2)
  mu <- wmean(y, ws)
  k <- length(y)
  if (ci == "z") {
    se <- sqrt(1 / sum(ws))
    crit <- stats::qnorm(0.975)
  } else {
    se <- sqrt(sum(ws * (y - mu)^2) / ((k - 1) * sum(ws)))
    crit <- stats::qt(0.975, k - 1)
  }
  list(tau2 = t2, estimate = mu, se = se, ci_lb = mu - crit * se, ci_ub = mu + crit * se)
}

# Q-profile limits: Q_gen(tau^2) equal to the chi-square quantiles.
ref_qp <- function(y, v) {
  k <- length(y)
  upper <- 1e4 * (var(y) + max(v))
  limit <- function(p) {
    target <- stats::qchisq(p, k - 1)
    if (q_gen(0, y, v) < target) return(0)
    stats::uniroot(function(t2) q_gen(t2, y, v) - target, c(0, upper), tol = 1e-14)$root
  }
  c(limit(0.975), limit(0.025))
}

random_studies <- function(k, seed) {
  set.seed(seed)
  v <- rexp(k, 10) + 1e-3
  list(y = rnorm(k, 0.3, sqrt(v + sample(c(0, 0.05, 0.4), 1))), v = v)
}

test_that("effect sizes agree with the reference on random inputs", {
  set.seed(11)
  n <- 3000
  a <- list(m1 = rnorm(n), sd1 = rexp(n) + 0.1, n1 = sample(2:2000, n, TRUE),
            m2 = rnorm(n), sd2 = rexp(n) + 0.1, n2 = sample(2:2000, n, TRUE))
  ours <- do.call(es_smd, a)
  ref <- do.call(ref_smd, unname(a))
  expect_equal(ours$yi, ref$yi, tolerance = 1e-12)
  expect_equal(ours$vi, ref$vi, tolerance = 1e-12)
  n1 <- sample(1:400, n, TRUE)
  n2 <- sample(1:400, n, TRUE)
  e1 <- rbinom(n, n1, runif(n) * rbinom(n, 1, 0.9))
  e2 <- rbinom(n, n2, runif(n))
  for (measure in c("RR", "OR", "RD")) {
    fn <- switch(measure, RR = es_rr, OR = es_or, RD = es_rd)
    ours <- fn(e1, n1, e2, n2)
    ref <- ref_binary(e1, n1, e2, n2, measure)
    ok <- is.finite(ref$yi)
    expect_equal(ours$yi[ok], ref$yi[ok], tolerance = 1e-12, label = measure)
    expect_equal(ours$vi[ok], ref$vi[ok], tolerance = 1e-12, label = measure)
  }
})

test_that("pooling agrees with the reference for every estimator on 200 random datasets", {
  for (i in 1:200) {
    s <- random_studies(sample(c(2:10, 25, 60), 1), 100 + i)
    for (method in c("FE", "DL", "HE", "HS", "SJ", "ML", "REML", "PM", "EB")) {
      # (ML/REML note a maximum on the boundary with a classed warning)
      ours <- withCallingHandlers(metapool(s$y, s$v, method = method),
                                  metapool_warning_convergence = function(w) invokeRestart("muffleWarning"))
      ref <- ref_pool(s$y, s$v, method)
      lab <- paste(i, method)
      # iterative estimators converge to 1e-10 of max(tau^2, typical variance)
      tol_t <- if (method %in% c("ML", "REML", "EB")) 1e-6 else 1e-9
      expect_equal(ours$tau2, ref$tau2, tolerance = tol_t, label = lab)
      expect_equal(ours$estimate, ref$estimate, tolerance = 1e-7, label = lab)
      expect_equal(ours$se, ref$se, tolerance = 1e-7, label = lab)
    }
    hk <- metapool(s$y, s$v, method = "DL", ci_method = "hksj")
    ref <- ref_pool(s$y, s$v, "DL", ci = "hksj")
    expect_equal(c(hk$se, hk$ci_lb, hk$ci_ub), c(ref$se, ref$ci_lb, ref$ci_ub), tolerance = 1e-10)
    if (length(s$y) >= 3) {
      fit <- metapool(s$y, s$v, method = "DL")
      expect_equal(c(fit$tau2_lb, fit$tau2_ub), ref_qp(s$y, s$v), tolerance = 1e-7,
                   label = paste(i, "QP"))
    }
  }
})
