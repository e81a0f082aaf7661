# Bayesian random-effects meta-analysis: metapool_bayes(), its fit, and its methods.
# The numerics are in src/core_bayes.cpp; here: input, priors, the fit and its output.

#' Bayesian random-effects meta-analysis, exact by quadrature
#'
#' Fits the normal-normal hierarchical model `y_i ~ N(theta_i, v_i)`,
#' `theta_i ~ N(mu, tau^2)` with a prior on the heterogeneity tau (see
#' [bayes-priors]) and an improper uniform or a normal prior on the mean effect
#' mu. Given tau, mu integrates out in closed form, so the marginal posterior of
#' tau is one-dimensional; the posteriors of mu, of the effect of a new study
#' (the posterior predictive) and of each study's own effect (shrinkage
#' estimates) are mixtures of normals over it. The integral over tau is done by
#' adaptive Gauss-Kronrod quadrature (Boost.Math's 15/7-point rule on panels
#' over a map of log tau onto (-1, 1)), refined until its estimated relative
#' error is below `control$rel_tol` (1e-10); quantiles are roots of the
#' posterior CDFs. Results agree with the bayesmeta package (Roever 2020) to
#' its own accuracy and need no grid or sampling. Useful above all with few
#' studies (k = 1, 2, 3), where tau cannot be estimated from the data and
#' frequentist intervals either ignore its uncertainty (DerSimonian-Laird) or
#' explode (Hartung-Knapp).
#'
#' @section The fit:
#' The result is a `metapool` fit (class `c("metapool_bayes", "metapool")`), so
#' the fields of other fits hold their Bayesian counterparts: `estimate` is the
#' posterior median of mu, `se` its posterior standard deviation, `ci_lb`,
#' `ci_ub` the credible interval (`interval = "central"`, equal-tailed, or
#' `"shortest"`), `pi_lb`, `pi_ub` the same interval of the posterior
#' predictive distribution of a new study's effect; `tau2` is the posterior
#' median of tau^2 with `tau2_lb`, `tau2_ub` the squared limits of the interval
#' of tau; `I2` and `H2` are those of the posterior median of tau (with metafor's
#' typical within-study variance), with intervals from the limits of tau. `stat`
#' and `p` are NA: the posterior probability `prob_benefit` takes the place of a
#' p-value. `Q`, `Q_df`, `Q_p` are Cochran's statistic, for reference.
#'
#' `posterior` holds the rest: `summary` (a table with rows mode, median, mean,
#' sd, central and shortest interval limits, and columns tau, mu, theta (new
#' study)); `shrinkage` (the same per study); `bayes_factor` (against tau = 0,
#' needing a proper tau prior, and against mu = 0, needing a normal mu prior;
#' values below 1 favour the model with the parameter);
#' `marginal_likelihood` (with both priors proper); `prob_benefit`; and
#' functions `dtau`, `ptau`, `qtau`, `dmu`, `pmu`, `qmu`, `dpred`, `ppred`,
#' `qpred` (density, CDF, quantile function of tau, mu and a new study's effect,
#' on the analysis scale) and `dstudy(x, i)`, `pstudy(x, i)`, `qstudy(p, i)` for
#' study i. They call the C++ core afresh (a few milliseconds each).
#' Posterior means and standard deviations that do not exist (for instance
#' of tau under a half-Cauchy prior with k = 1) are reported as `NA` and `Inf`.
#'
#' @section Ratio measures:
#' For risk and odds ratios everything is on the log scale in the fit;
#' `print()`, `summary()` and the plots back-transform; `threshold` is given on
#' the ratio scale.
#'
#' @inheritParams metapool
#' @param yi Effects on the analysis scale, an [mp_es] object, a metafor `escalc`
#'   object, or a `metapool` fit (whose studies are re-analysed).
#' @param tau_prior Prior of tau: see [bayes-priors]; default
#'   `prior_half_normal(0.5)`, weakly informative for log odds and risk ratios
#'   and for standardised mean differences (Friede et al. 2017; Roever et al.
#'   2021). A function is taken as a density; `"uniform"` and `"jeffreys"`
#'   name the improper priors.
#' @param mu_prior `"uniform"` (improper flat prior, default) or
#'   [prior_normal()].
#' @param level Credible level, as a percentage (95) or a proportion (0.95).
#' @param interval `"central"` (equal-tailed, default: invariant under
#'   back-transformation) or `"shortest"` (highest posterior density for
#'   unimodal posteriors), used for `ci_lb`/`ci_ub`, `pi_lb`/`pi_ub`, the tau^2
#'   interval and the shrinkage intervals reported in the fit's main fields.
#' @param threshold,benefit `prob_benefit` is the posterior probability that mu
#'   is below (`benefit = "lower"`, default) or above (`"higher"`) `threshold`
#'   (default: no effect, 0, or 1 for ratio measures; give it on the ratio scale
#'   for RR and OR).
#' @param shrinkage Logical: compute the shrinkage estimates (default `TRUE`).
#' @param control List of `rel_tol` (relative error bound of the tau integral,
#'   default 1e-10) and `max_panels` (default 4000).
#' @return A `metapool_bayes` fit; see the sections above.
#' @seealso [bayes-priors], [plot.metapool_bayes()], [forest_plot()],
#'   [metapool_batch()] with `method = "bayes"`.
#' @references
#' Roever C (2020). Bayesian random-effects meta-analysis using the bayesmeta R
#' package. *Journal of Statistical Software*, 93(6), 1-51.
#'
#' Friede T, Roever C, Wandel S, Neuenschwander B (2017). Meta-analysis of few
#' small studies in orphan diseases. *Research Synthesis Methods*, 8, 79-91.
#'
#' Higgins JPT, Thompson SG, Spiegelhalter DJ (2009). A re-evaluation of
#' random-effects meta-analysis. *JRSS A*, 172, 137-159.
#' @examples
#' # Two trials: what can honestly be said about the pooled risk ratio?
#' es <- es_rr(tpos, tpos + tneg, cpos, cpos + cneg, data = bcg[1:2, ],
#'             slab = paste(author, year))
#' fit <- metapool_bayes(es, tau_prior = prior_half_normal(0.5))
#' fit
#' summary(fit)
#' fit$posterior$pmu(log(1))  # posterior probability that the RR is below 1
#'
#' # All 13 trials, with the Turner et al. (2015) prior and a normal prior on mu
#' es13 <- es_rr(tpos, tpos + tneg, cpos, cpos + cneg, data = bcg)
#' metapool_bayes(es13, tau_prior = prior_turner("infection", "non-pharmacological vs. placebo"),
#'                mu_prior = prior_normal(0, 4))
#' @export
metapool_bayes <- function(yi, vi = NULL, sei = NULL, data = NULL, slab = NULL, subset = NULL,
                           tau_prior = prior_half_normal(0.5), mu_prior = "uniform",
                           level = 95, interval = c("central", "shortest"), threshold = NULL,
                           benefit = c("lower", "higher"), shrinkage = TRUE,
                           control = list(), na.action = "na.fail") {
  env <- parent.frame()
  mc <- match.call()
  if (!is.null(data) && !is.data.frame(data)) {
    abort_input("`data` must be a data frame (or NULL).", "data")
  }
  first <- study_arguments("yi", data, env, optional = TRUE, call = mc)$yi
  if (is.null(first)) {
    abort_input("`yi` is missing: give effects with `vi` or `sei`, an mp_es object or a metapool fit.", "yi")
  }
  if (inherits(first, "metapool")) {
    # Re-analyse the studies the fit holds (the one input path has prepared them).
    if (!missing(vi) || !missing(sei) || !missing(slab) || !missing(subset)) {
      abort_input("`yi` is a metapool fit, which carries its own studies: do not give `vi`, `sei`, `slab` or `subset`.", "vi")
    }
    if (!is.null(first$subgroups)) abort_input("`yi` is a fit with subgroups; give a fit without them.", "yi")
    if (is.null(first$data$columns$yi)) {
      abort_input("`yi` is a metapool fit without study effects and variances (e.g. a Mantel-Haenszel fit); give its effect sizes instead.", "yi")
    }
    studies <- first$data
  } else if (inherits(first, "mp_es") || inherits(first, "escalc")) {
    if (!missing(vi) || !missing(sei)) {
      abort_input(sprintf("`yi` is %s, which carries its own variances: do not give `vi` or `sei`.",
                          if (inherits(first, "mp_es")) "an mp_es object" else "a metafor escalc object"),
                  "vi")
    }
    lookup <- data %||% if (inherits(first, "mp_es")) as_plain_df(first) else as.data.frame(first)
    extra <- study_arguments(c("slab", "subset"), lookup, env, optional = TRUE, call = mc)
    studies <- effect_size_studies(first, extra, na.action, synthetic = is_synthetic(data))
  } else {
    extra <- study_arguments(c("vi", "sei", "slab", "subset"), data, env, optional = TRUE,
                             call = mc)
    studies <- prepare_studies(list(yi = chk_numeric_vector(first, "yi"),
                                    vi = effect_variances(extra$vi, extra$sei)),
                               extra$slab, extra$subset, NULL, na.action,
                               source = list(source = "yi", measure = "generic"),
                               synthetic = is_synthetic(data))
  }
  settings <- bayes_settings(tau_prior, mu_prior, level, interval, threshold, benefit,
                             shrinkage, control)
  settings$measure <- studies$source$measure
  run_fit(studies, settings, mc)
}

# Validate and collect the options of a Bayesian fit (engine "bayes" of the fit
# contract; its arguments are the options update() can change).
bayes_settings <- function(tau_prior = prior_half_normal(0.5), mu_prior = "uniform",
                           level = 95, interval = "central", threshold = NULL,
                           benefit = "lower", shrinkage = TRUE, control = list()) {
  args <- list(tau_prior = tau_prior, mu_prior = mu_prior, level = level, interval = interval,
               threshold = threshold, benefit = benefit, shrinkage = shrinkage,
               control = control)
  if (!is.list(control)) abort_input("`control` must be a list.", "control")
  unknown <- setdiff(names(control), c("rel_tol", "max_panels"))
  if (length(unknown)) {
    abort_input(sprintf("Unknown `control` entries: %s (use rel_tol, max_panels).",
                        paste(unknown, collapse = ", ")), "control")
  }
  rel_tol <- control$rel_tol %||% 1e-10
  if (!is.numeric(rel_tol) || length(rel_tol) != 1L || !isTRUE(rel_tol > 0 && rel_tol < 0.1)) {
    abort_input("`control$rel_tol` must be a number in (0, 0.1).", "control")
  }
  max_panels <- control$max_panels %||% 4000
  if (!is.numeric(max_panels) || length(max_panels) != 1L || !isTRUE(max_panels >= 16)) {
    abort_input("`control$max_panels` must be a number >= 16.", "control")
  }
  if (!is.null(threshold) &&
      (!is.numeric(threshold) || length(threshold) != 1L || !is.finite(threshold))) {
    abort_input("`threshold` must be a single finite number.", "threshold")
  }
  list(engine = "bayes", args = args, method = "bayes", ci_method = "bayes",
       pi_method = "bayes", tau2_ci = "bayes", level = chk_level(level),
       tau_prior = as_tau_prior(tau_prior), mu_prior = as_mu_prior(mu_prior),
       interval = chk_choice(interval[1L], c("central", "shortest"), "interval"),
       threshold = threshold, benefit = chk_choice(benefit[1L], c("lower", "higher"), "benefit"),
       shrinkage = chk_flag(shrinkage, "shrinkage"),
       control = list(rel_tol = as.numeric(rel_tol), max_panels = as.integer(max_panels)))
}

# The threshold of prob_benefit on the analysis scale (log for ratio measures).
bayes_threshold <- function(settings) {
  ratio <- is_ratio_measure(settings$measure %||% "generic")
  t <- settings$threshold %||% if (ratio) 1 else 0
  if (ratio && t <= 0) abort_input("`threshold` must be > 0 (on the ratio scale).", "threshold")
  if (ratio) log(t) else t
}

core_mu_prior <- function(p) list(family = p$family, mean = p$mean, sd = p$sd)

# Raise the core's status as a classed error naming the prior that caused it.
bayes_status_check <- function(status, settings, k) {
  if (status == "ok") return(invisible())
  tp <- settings$tau_prior
  msg <- switch(status,
    improper_posterior = sprintf(
      "The posterior is improper: with k = %d %s and a %s prior on mu, the %s prior on tau leaves the likelihood's tail unbounded. Use a proper tau prior (e.g. prior_half_normal(0.5))%s.",
      k, if (k == 1) "study" else "studies",
      if (settings$mu_prior$family == "normal") "normal" else "flat (improper)", tp$label,
      paste0(if (settings$mu_prior$family == "normal") "" else " or a normal prior on mu",
             if (tp$family == "custom") {
               ". A user-supplied density counts as improper when its integral does not settle numerically (as with a jump; prior_uniform(upper) is a uniform prior)"
             })),
    prior_invalid = "The tau prior density returned a negative, missing or infinite value; a density must be finite and >= 0 for every tau > 0.",
    not_converged = "The integral over tau did not converge: the posterior may be improper, or the prior density too irregular; check the prior or raise control$max_panels.",
    sprintf("Bayesian fit failed (%s).", status))
  abort_input(msg, "tau_prior")
}

# Engine "bayes": the posterior summaries from the core, as a fit of the contract.
fit_bayes <- function(studies, settings) {
  s <- studies$columns
  chk_effects(s$yi, s$vi)
  res <- cpp_bayes_fit(s$yi, s$vi, core_tau_prior(settings$tau_prior),
                       core_mu_prior(settings$mu_prior), settings$control, settings$level,
                       bayes_threshold(settings), settings$shrinkage, TRUE)
  bayes_status_check(res$status, settings, length(s$yi))
  bayes_fit(res, studies, settings)
}

summary_rows <- c("mode", "median", "mean", "sd", "lower", "upper", "shortest_lower",
                  "shortest_upper")

# The Bayesian kind of a metapool fit: the contract's fields hold their Bayesian
# counterparts (see ?metapool_bayes), `posterior` the rest.
bayes_fit <- function(res, studies, settings) {
  pooled <- c(studies$columns, list(arms = studies$arms))
  yi <- pooled$yi
  vi <- pooled$vi
  k <- length(yi)
  tab <- cbind(tau = res$tau, mu = res$mu, theta = res$theta)
  rownames(tab) <- summary_rows
  tab[is.nan(tab)] <- NA_real_  # moments that do not exist
  lim <- if (settings$interval == "shortest") c("shortest_lower", "shortest_upper") else c("lower", "upper")
  shrink <- NULL
  if (settings$shrinkage) {
    shrink <- data.frame(study = pooled$slab, yi = yi, se = sqrt(vi), res$shrinkage,
                         stringsAsFactors = FALSE)
    names(shrink)[4:11] <- summary_rows
  }
  # Cochran's Q and metafor's typical within-study variance, for I^2 and reference.
  w <- 1 / vi
  Q <- sum(w * (yi - sum(w * yi) / sum(w))^2)
  vt <- if (k > 1) (k - 1) / (sum(w) - sum(w^2) / sum(w)) else vi[1L]
  tau <- tab[["median", "tau"]]
  tau_lim <- unname(tab[lim, "tau"])
  i2 <- function(t) 100 * t^2 / (vt + t^2)
  h2 <- function(t) (t^2 + vt) / vt
  prob <- if (settings$benefit == "lower") res$prob_below else 1 - res$prob_below
  result <- list(
    estimate = tab[["median", "mu"]], se = tab[["sd", "mu"]],
    ci_lb = tab[[lim[1], "mu"]], ci_ub = tab[[lim[2], "mu"]],
    pi_lb = tab[[lim[1], "theta"]], pi_ub = tab[[lim[2], "theta"]],
    tau2 = tau^2, tau2_lb = tau_lim[1]^2, tau2_ub = tau_lim[2]^2,
    I2 = i2(tau), I2_lb = i2(tau_lim[1]), I2_ub = i2(tau_lim[2]),
    H2 = h2(tau), H2_lb = h2(tau_lim[1]), H2_ub = h2(tau_lim[2]),
    Q = Q, Q_df = k - 1, Q_p = if (k > 1) stats::pchisq(Q, k - 1, lower.tail = FALSE) else NA_real_,
    vt = vt, weights = rep(NA_real_, k), iterations = res$panels, tau2_status = "bayes"
  )
  post <- c(list(
    summary = tab, shrinkage = shrink,
    bayes_factor = c(tau0 = res$bf_tau0, mu0 = res$bf_mu0),
    marginal_likelihood = exp(res$log_marginal), log_marginal_likelihood = res$log_marginal,
    prob_benefit = prob, tau_prior_proper = res$tau_prior_proper,
    quadrature = list(panels = res$panels, error = res$error)
  ), posterior_functions(yi, vi, settings))
  new_fit(result, studies, settings, pooled, posterior = post, prob_benefit = prob,
          class = "metapool_bayes")
}

# Density, CDF and quantile functions of the posteriors, each a call into the core.
posterior_functions <- function(yi, vi, settings) {
  tp <- core_tau_prior(settings$tau_prior)
  mp <- core_mu_prior(settings$mu_prior)
  ctl <- settings$control
  make <- function(what, fun) {
    force(what)
    force(fun)
    if (what == "study") {
      function(x, i) {
        i <- chk_study_index(i, length(yi))
        cpp_bayes_eval(yi, vi, tp, mp, ctl, what, fun, as.numeric(x), i)
      }
    } else {
      function(x) cpp_bayes_eval(yi, vi, tp, mp, ctl, what, fun, as.numeric(x), 0L)
    }
  }
  out <- list()
  for (what in c("tau", "mu", "pred", "study")) {
    for (fun in c("d", "p", "q")) {
      out[[paste0(fun, what)]] <- make(if (what == "pred") "theta" else what,
                                       c(d = "density", p = "cdf", q = "quantile")[[fun]])
    }
  }
  out
}

chk_study_index <- function(i, k) {
  if (!is.numeric(i) || length(i) != 1L || is.na(i) || i < 1 || i > k || i != round(i)) {
    abort_input(sprintf("`i` must be a study number between 1 and %d.", k), "i")
  }
  as.integer(i)
}

# ---------------------------------------------------------------------------------------
# Methods

#' Methods for Bayesian meta-analysis fits
#'
#' `print()` shows the posterior medians and intervals of mu, of a new study's
#' effect and of tau, the prior, Bayes factors and the posterior probability of
#' a benefit; `summary()` adds the full posterior table (mode, median, mean, SD,
#' central and shortest intervals) and the shrinkage estimates. `confint()` and
#' `predict()` re-run the fit at another level. `plot()` draws the joint
#' posterior of (tau, mu) as contours with the marginal posteriors of tau and mu
#' along its sides; [forest_plot()] shows each study's estimate with its
#' shrinkage estimate beneath it, and the pooled and predictive posteriors.
#' Ratio measures are back-transformed for display.
#'
#' @param x,object A `metapool_bayes` fit.
#' @param digits Number of decimal places.
#' @param parm Ignored.
#' @param level Credible level; by default the fit's own.
#' @param back_transform Logical: for ratio measures, exponentiate (default).
#' @param n Grid size per axis of the contour plot.
#' @param ... Unused.
#' @return `print()` returns `x` invisibly; `summary()` a
#'   `summary.metapool_bayes` object (the fit with tables `posterior` and
#'   `shrinkage` on the displayed scale); `confint()` a data frame with rows
#'   `mu`, `tau^2`, `tau`, `I^2(%)`, `H^2`; `predict()` a data frame with `pred`,
#'   `se`, `ci_lb`, `ci_ub`, `pi_lb`, `pi_ub`; `plot()` the grid of the joint
#'   posterior density, invisibly; `forest_plot()` the plotted values,
#'   invisibly.
#' @name metapool_bayes-methods
#' @examples
#' fit <- metapool_bayes(yi = c(-0.33, -0.61), sei = c(0.21, 0.29),
#'                       tau_prior = prior_half_normal(0.5))
#' print(fit)
#' summary(fit)
#' confint(fit, level = 90)
#' predict(fit)
#' plot(fit)
#' forest_plot(fit)
NULL

#' @rdname metapool_bayes-methods
#' @export
print.metapool_bayes <- function(x, digits = 4, ...) {
  s <- x$settings
  ratio <- is_ratio_measure(x$measure)
  f <- back_transform_fun(x$measure)
  cat("Bayesian random-effects meta-analysis, k = ", x$k, "\n", sep = "")
  cat("Measure: ", measure_title(x$measure), "\n", sep = "")
  cat("Priors: tau ~ ", s$tau_prior$label, "; mu ~ ", s$mu_prior$label, "\n", sep = "")
  if (length(x$omitted)) {
    cat(sprintf("Omitted for missing values (na.action = \"na.%s\"): %s\n", x$na_action,
                paste(sprintf("%s (row %d)", x$omitted_slab, x$omitted), collapse = ", ")))
  }
  cat("\n")
  tab <- x$posterior$summary
  lim <- if (s$interval == "shortest") c("shortest_lower", "shortest_upper") else c("lower", "upper")
  shown <- data.frame(
    median = format_num(c(f(tab["median", c("mu", "theta")]), tab["median", "tau"]), digits),
    interval = sprintf("[%s, %s]",
                       format_num(c(f(tab[lim[1], c("mu", "theta")]), tab[lim[1], "tau"]), digits),
                       format_num(c(f(tab[lim[2], c("mu", "theta")]), tab[lim[2], "tau"]), digits)),
    row.names = c(if (ratio) sprintf("%s (mu)", x$measure) else "mu", "new study", "tau")
  )
  names(shown)[2] <- sprintf("%g%% %s interval", 100 * x$level,
                             if (s$interval == "shortest") "shortest" else "credible")
  print(shown, right = TRUE)
  cat("\n")
  cat(sprintf("tau^2 = %s [%s, %s]; I^2 = %.1f%% [%.1f%%, %.1f%%] (at the posterior median of tau)\n",
              format_num(x$tau2, digits), format_num(x$tau2_lb, digits), format_num(x$tau2_ub, digits),
              x$I2, x$I2_lb, x$I2_ub))
  cat(sprintf("P(%s %s %s | data) = %s\n", if (ratio) x$measure else "mu",
              if (s$benefit == "lower") "<" else ">",
              format(s$threshold %||% if (ratio) 1 else 0), format_num(x$prob_benefit, digits)))
  bf <- x$posterior$bayes_factor
  cat(sprintf("Bayes factors: tau = 0: %s; mu = 0: %s\n",
              if (is.na(bf[["tau0"]])) "NA (improper tau prior)" else format(signif(bf[["tau0"]], digits)),
              if (is.na(bf[["mu0"]])) "NA (improper mu prior)" else format(signif(bf[["mu0"]], digits))))
  invisible(x)
}

#' @rdname metapool_bayes-methods
#' @export
summary.metapool_bayes <- function(object, back_transform = TRUE, ...) {
  f <- if (back_transform) back_transform_fun(object$measure) else identity
  tab <- object$posterior$summary
  posterior <- data.frame(tau = tab[, "tau"], mu = tab[, "mu"], theta = tab[, "theta"])
  shift <- setdiff(rownames(tab), "sd")
  posterior[shift, c("mu", "theta")] <- f(as.matrix(posterior[shift, c("mu", "theta")]))
  shrink <- object$posterior$shrinkage
  if (!is.null(shrink)) {
    cols <- c("yi", setdiff(summary_rows, "sd"))
    shrink[cols] <- lapply(shrink[cols], f)
  }
  structure(list(fit = object, posterior = posterior, shrinkage = shrink,
                 back_transformed = back_transform && is_ratio_measure(object$measure)),
            class = "summary.metapool_bayes")
}

#' @rdname metapool_bayes-methods
#' @export
print.summary.metapool_bayes <- function(x, digits = 4, ...) {
  print(x$fit, digits = digits)
  cat("\nPosterior summary", if (x$back_transformed) " (mu and theta as ratios; sd on the log scale)" else "",
      ":\n", sep = "")
  print(round(x$posterior, digits))
  if (!is.null(x$shrinkage)) {
    cat("\nShrinkage estimates (each study's effect given all studies):\n")
    s <- x$shrinkage
    num <- vapply(s, is.numeric, logical(1))
    s[num] <- lapply(s[num], round, digits)
    print(s, row.names = FALSE)
  }
  q <- x$fit$posterior$quadrature
  cat(sprintf("\nQuadrature: %d Gauss-Kronrod panels, estimated relative error %.1e\n",
              q$panels, q$error))
  ml <- x$fit$posterior$marginal_likelihood
  if (!is.na(ml)) cat(sprintf("Marginal likelihood: %s\n", format(signif(ml, digits))))
  invisible(x)
}

#' @rdname metapool_bayes-methods
#' @export
confint.metapool_bayes <- function(object, parm, level = NULL, ...) {
  x <- bayes_at_level(object, level)
  data.frame(
    estimate = c(x$estimate, x$tau2, x$tau, x$I2, x$H2),
    ci_lb = c(x$ci_lb, x$tau2_lb, x$tau_lb, x$I2_lb, x$H2_lb),
    ci_ub = c(x$ci_ub, x$tau2_ub, x$tau_ub, x$I2_ub, x$H2_ub),
    row.names = c("mu", "tau^2", "tau", "I^2(%)", "H^2")
  )
}

#' @rdname metapool_bayes-methods
#' @export
predict.metapool_bayes <- function(object, level = NULL, back_transform = TRUE, ...) {
  x <- bayes_at_level(object, level)
  f <- if (back_transform) back_transform_fun(x$measure) else identity
  data.frame(pred = f(x$estimate), se = x$se, ci_lb = f(x$ci_lb), ci_ub = f(x$ci_ub),
             pi_lb = f(x$pi_lb), pi_ub = f(x$pi_ub))
}

bayes_at_level <- function(object, level) {
  if (is.null(level)) return(object)
  level <- chk_level(level)
  if (isTRUE(all.equal(level, object$level))) return(object)
  stats::update(object, level = level, shrinkage = FALSE)
}
