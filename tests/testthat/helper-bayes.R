# Exact reference values from bayesmeta's own building blocks: its marginal posterior
# density of tau (dposterior, exact) and the conditional moments of mu, a new study's
# effect or a study's effect given tau (cond.moment), integrated over tau with R's
# integrate() and inverted with uniroot() to 1e-12. (bayesmeta's own mu summaries come
# from a grid of tau values whose accuracy its `delta` and `epsilon` set; reaching 1e-6
# that way takes minutes per fit, so those are compared at their own accuracy.)
bm_reference <- function(bm, predict = FALSE, individual = FALSE) {
  moments <- function(t) bm$cond.moment(tau = t, predict = predict, individual = individual)
  weighted <- function(g) {
    stats::integrate(function(t) {
      m <- moments(t)
      bm$dposterior(tau = t) * g(m[, "mean"], m[, "sd"])
    }, 0, Inf, rel.tol = 1e-11, subdivisions = 1000L)$value
  }
  cdf <- function(x) weighted(function(m, s) stats::pnorm(x, m, s))
  # Moments that do not exist (heavy tails) show as a divergent integral.
  mean <- tryCatch(weighted(function(m, s) m), error = function(e) NA_real_)
  sd <- tryCatch(sqrt(weighted(function(m, s) m^2 + s^2) - mean^2), error = function(e) Inf)
  centre <- if (is.finite(mean)) mean else 0
  width <- if (is.finite(sd)) 4 * sd else 1
  quantile <- function(p) {
    stats::uniroot(function(x) cdf(x) - p, centre + c(-1, 1) * width, extendInt = "upX",
                   tol = 1e-13 * max(1, abs(centre)))$root
  }
  list(cdf = cdf, mean = mean, sd = sd, quantile = quantile)
}

# Is [lower, upper] the shortest interval of the given mass: equal densities at its ends?
expect_shortest <- function(lower, upper, density, cdf, level, tol = 1e-7) {
  expect_equal(cdf(upper) - cdf(lower), level, tolerance = tol)
  if (lower > 0 || density(0) < density(upper)) {
    expect_equal(density(lower), density(upper), tolerance = 1e-5)
  }
}
