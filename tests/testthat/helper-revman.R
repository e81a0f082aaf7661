if (!exists("%||%", mode = "function")) `%||%` <- function(x, y) if (is.null(x)) y else x

# RevMan 5's algorithms (Deeks & Higgins 2010, "Statistical algorithms in Review
# Manager 5"; /work/shared/design/REVMAN_METHODS.md) in plain R, independent of
# metapool's code: the hand computation behind the hand-made RevMan fixtures.

revman_ref_binary <- function(a, n1, c, n2, measure) {
  b <- n1 - a
  d <- n2 - c
  uninformative <- (a == 0 & c == 0) | (b == 0 & d == 0)
  estimable <- if (measure == "RD") rep(TRUE, length(a)) else !uninformative
  zero <- estimable & (a == 0 | b == 0 | c == 0 | d == 0)
  ac <- a + 0.5 * zero
  bc <- b + 0.5 * zero
  cc <- c + 0.5 * zero
  dc <- d + 0.5 * zero
  m1 <- ac + bc
  m2 <- cc + dc
  yi <- switch(measure,
    OR = log(ac * dc / (bc * cc)),
    RR = log((ac / m1) / (cc / m2)),
    RD = a / n1 - c / n2                       # raw counts (RevMan 5)
  )
  vi <- switch(measure,
    OR = 1 / ac + 1 / bc + 1 / cc + 1 / dc,
    RR = 1 / ac - 1 / m1 + 1 / cc - 1 / m2,
    RD = ac * bc / m1^3 + cc * dc / m2^3       # corrected cells
  )
  yi[!estimable] <- NA
  vi[!estimable] <- NA
  list(yi = yi, vi = vi, estimable = estimable, a = ac, b = bc, c = cc, d = dc)
}

revman_ref_mh <- function(t, measure) {
  ok <- t$estimable
  a <- t$a[ok]; b <- t$b[ok]; c <- t$c[ok]; d <- t$d[ok]
  n1 <- a + b; n2 <- c + d; n <- n1 + n2
  switch(measure,
    OR = {
      r <- a * d / n; s <- b * c / n
      est <- log(sum(r) / sum(s))
      se <- sqrt(0.5 * (sum((a + d) * r / n) / sum(r)^2 +
                          (sum((a + d) * s / n) + sum((b + c) * r / n)) / (sum(r) * sum(s)) +
                          sum((b + c) * s / n) / sum(s)^2))
      w <- s
    },
    RR = {
      r <- a * n2 / n; s <- c * n1 / n
      est <- log(sum(r) / sum(s))
      se <- sqrt(sum((n1 * n2 * (a + c) - a * c * n) / n^2) / (sum(r) * sum(s)))
      w <- s
    },
    RD = {
      w <- n1 * n2 / n
      est <- sum(w * t$yi[ok]) / sum(w)
      se <- sqrt(sum((a * b * n2^3 + c * d * n1^3) / (n1 * n2 * n^2))) / sum(w)
    }
  )
  weights <- rep(0, length(ok))
  weights[ok] <- w / sum(w)
  list(estimate = est, se = se, weights = weights)
}

revman_ref_peto <- function(a, n1, c, n2) {
  n <- n1 + n2
  m <- a + c
  oe <- a - n1 * m / n
  v <- n1 * n2 * m * (n - m) / (n^2 * (n - 1))
  list(oe = oe, v = v)
}

# IV fixed or DL random pooling; Q about `center` when given (M-H), else about
# the IV estimate. Returns RevMan's quantities on the analysis scale.
revman_ref_pool <- function(yi, vi, random, Q = NULL, level = 95) {
  ok <- !is.na(yi)
  y <- yi[ok]; v <- vi[ok]
  w <- 1 / v
  fixed <- sum(w * y) / sum(w)
  Q <- Q %||% sum(w * (y - fixed)^2)
  df <- length(y) - 1
  tau2 <- if (random) max(0, (Q - df) / (sum(w) - sum(w^2) / sum(w))) else 0
  ws <- 1 / (v + tau2)
  est <- sum(ws * y) / sum(ws)
  se <- 1 / sqrt(sum(ws))
  weights <- rep(0, length(yi))
  weights[ok] <- ws / sum(ws)
  list(estimate = est, se = se, tau2 = tau2, chi2 = Q, df = df,
       p_chi2 = if (df > 0) pchisq(Q, df, lower.tail = FALSE) else NA,
       I2 = if (df > 0 && Q > df) 100 * (Q - df) / Q else 0, weights = weights)
}

# One analysis (or subgroup) of a hand-made review: RevMan's stored results.
revman_ref_analysis <- function(type, method, measure, model, s, level = 95) {
  random <- model == "random"
  if (type == "dichotomous") {
    if (method == "Peto") {
      p <- revman_ref_peto(s$events1, s$n1, s$events2, s$n2)
      ok <- p$v > 0
      yi <- ifelse(ok, p$oe / p$v, NA)
      vi <- ifelse(ok, 1 / p$v, NA)
      Q <- sum(p$oe[ok]^2 / p$v[ok]) - sum(p$oe[ok])^2 / sum(p$v[ok])
      fit <- revman_ref_pool(yi, vi, FALSE, Q = Q)
    } else {
      t <- revman_ref_binary(s$events1, s$n1, s$events2, s$n2, measure)
      yi <- t$yi
      vi <- t$vi
      if (method == "MH") {
        mh <- revman_ref_mh(t, measure)
        ok <- t$estimable
        Q <- sum((yi[ok] - mh$estimate)^2 / vi[ok])
        fit <- revman_ref_pool(yi, vi, random, Q = Q)
        if (!random) fit[c("estimate", "se", "weights")] <- mh[c("estimate", "se", "weights")]
      } else {
        fit <- revman_ref_pool(yi, vi, random)
      }
    }
  } else if (type == "continuous") {
    n <- s$n1 + s$n2
    if (measure == "MD") {
      yi <- s$mean1 - s$mean2
      vi <- s$sd1^2 / s$n1 + s$sd2^2 / s$n2
    } else {
      sp <- sqrt(((s$n1 - 1) * s$sd1^2 + (s$n2 - 1) * s$sd2^2) / (n - 2))
      yi <- (s$mean1 - s$mean2) / sp * (1 - 3 / (4 * n - 9))
      vi <- n / (s$n1 * s$n2) + yi^2 / (2 * (n - 3.94))
    }
    fit <- revman_ref_pool(yi, vi, random)
  } else if (type == "giv") {
    yi <- s$giv_estimate
    vi <- s$giv_se^2
    fit <- revman_ref_pool(yi, vi, random)
  } else {
    yi <- s$o_e / s$variance
    vi <- 1 / s$variance
    fit <- revman_ref_pool(yi, vi, random)
  }
  fit$yi <- yi
  fit$vi <- vi
  fit
}
