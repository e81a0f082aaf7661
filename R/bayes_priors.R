# Priors for metapool_bayes(): constructors that validate their parameters and return
# a specification the C++ core understands (family, scale, df, location, upper).

new_tau_prior <- function(family, label, scale = 1, df = 1, location = 0, upper = Inf,
                          density = NULL, proper = TRUE) {
  structure(list(family = family, scale = scale, df = df, location = location,
                 upper = upper, density = density, label = label, proper = proper),
            class = "mp_tau_prior")
}

chk_prior_parameter <- function(x, nm, positive = TRUE, allow_inf = FALSE) {
  if (!is.numeric(x) || length(x) != 1L || is.na(x) || (!allow_inf && !is.finite(x)) ||
      (positive && x <= 0)) {
    abort_input(sprintf("`%s` must be a single %s number%s.", nm,
                        if (positive) "positive" else "finite",
                        if (allow_inf) " (Inf allowed)" else ""), nm)
  }
  as.numeric(x)
}

#' Priors for the heterogeneity tau and the mean effect mu
#'
#' Constructors of the priors [metapool_bayes()] takes. Priors on tau (the
#' between-study standard deviation, on the analysis scale: log ratios for RR
#' and OR):
#' * `prior_half_normal(scale)`, `prior_half_cauchy(scale)`,
#'   `prior_half_t(df, scale)`: weakly informative priors (Friede et al. 2017;
#'   Roever et al. 2021 suggest half-normal scales of 0.5 or 1 for log odds
#'   ratios);
#' * `prior_lognormal_tau2(location, scale)`: log(tau^2) ~ N(location, scale^2);
#' * `prior_turner(outcome, comparison)`: the empirical log-normal predictive
#'   distributions of Turner et al. (2015) for log odds ratios, by type of
#'   outcome and type of comparison (see `heterogeneity_prior_table("turner")`;
#'   unique abbreviations of the names are accepted);
#' * `prior_rhodes(outcome, comparison, area)`: the log-t (5 df) predictive
#'   distributions of Rhodes et al. (2015) for standardised mean differences;
#' * `prior_uniform(upper)`: uniform on \[0, upper\]; improper for
#'   `upper = Inf`;
#' * `prior_jeffreys()`: the Jeffreys prior p(tau) proportional to
#'   sqrt(sum((tau / (v_i + tau^2))^2)) (Bodnar et al. 2017), improper;
#' * `prior_density(f)`: any density of tau given as an R function of one
#'   value; it is normalised numerically when its integral is finite (else
#'   treated as improper). Whether posterior means and SDs exist is judged from
#'   how fast it falls far beyond the data (10^6 and 10^8 times their scale):
#'   a density that vanishes there counts as light-tailed. It is called from
#'   C++ on R's thread only (also in
#'   [metapool_batch()], which then runs on one thread); a plain function given
#'   as `tau_prior` is taken as `prior_density(f)`.
#'
#' For mu: `prior_normal(mean, sd)`, or `"uniform"` (improper flat prior,
#' the default of [metapool_bayes()]).
#'
#' With an improper prior (flat mu, uniform or Jeffreys tau) the posterior may
#' itself be improper: with a flat mu prior, a uniform tau prior needs k >= 3
#' studies and the Jeffreys prior k >= 2. [metapool_bayes()] stops with an error
#' of class `metapool_error_input` naming `tau_prior` when the posterior is
#' improper.
#'
#' @param scale Scale: of tau for the half-distributions; the standard deviation
#'   of log(tau^2) for `prior_lognormal_tau2()`.
#' @param df Degrees of freedom of the half-t.
#' @param location Mean of log(tau^2).
#' @param outcome,comparison,area Names of the categories of Turner et al.
#'   (2015) or Rhodes et al. (2015), as in `heterogeneity_prior_table()`.
#' @param upper Upper limit of the uniform prior (`Inf`: improper).
#' @param f A function of tau returning its prior density (a single finite
#'   value >= 0), vectorised or not.
#' @param label Optional description for printing.
#' @param mean,sd Mean and standard deviation of the normal prior of mu (on the
#'   analysis scale).
#' @param which `"turner"` or `"rhodes"`.
#' @return A prior specification (class `mp_tau_prior` or `mp_mu_prior`);
#'   `heterogeneity_prior_table()` a data frame of the published parameters.
#' @references
#' Turner RM, Jackson D, Wei Y, Thompson SG, Higgins JPT (2015). Predictive
#' distributions for between-study heterogeneity and simple methods for their
#' application in Bayesian meta-analysis. *Statistics in Medicine*, 34, 984-998.
#'
#' Rhodes KM, Turner RM, Higgins JPT (2015). Predictive distributions were
#' developed for the extent of heterogeneity in meta-analyses of continuous
#' outcome data. *Journal of Clinical Epidemiology*, 68, 52-60.
#'
#' Friede T, Roever C, Wandel S, Neuenschwander B (2017). Meta-analysis of few
#' small studies in orphan diseases. *Research Synthesis Methods*, 8, 79-91.
#'
#' Roever C, Bender R, Dias S, Schmid CH, Schmidli H, Sturtz S, Weber S, Friede T
#' (2021). On weakly informative prior distributions for the heterogeneity
#' parameter in Bayesian random-effects meta-analysis. *Research Synthesis
#' Methods*, 12, 448-474.
#'
#' Bodnar O, Link A, Arendacka B, Possolo A, Elster C (2017). Bayesian
#' estimation in random effects meta-analysis using a non-informative prior.
#' *Statistics in Medicine*, 36, 378-399.
#' @examples
#' prior_half_normal(0.5)
#' prior_turner("all-cause mortality", "pharmacological vs. placebo / control")
#' prior_rhodes("general physical health", "non-pharmacological")
#' prior_normal(0, 4)
#' head(heterogeneity_prior_table("rhodes"))
#' @name bayes-priors
NULL

#' @rdname bayes-priors
#' @export
prior_half_normal <- function(scale = 0.5) {
  scale <- chk_prior_parameter(scale, "scale")
  new_tau_prior("half_normal", sprintf("half-normal(scale = %g)", scale), scale = scale)
}

#' @rdname bayes-priors
#' @export
prior_half_cauchy <- function(scale = 0.5) {
  scale <- chk_prior_parameter(scale, "scale")
  new_tau_prior("half_cauchy", sprintf("half-Cauchy(scale = %g)", scale), scale = scale)
}

#' @rdname bayes-priors
#' @export
prior_half_t <- function(df, scale = 0.5) {
  df <- chk_prior_parameter(df, "df")
  scale <- chk_prior_parameter(scale, "scale")
  new_tau_prior("half_t", sprintf("half-t(df = %g, scale = %g)", df, scale), scale = scale,
                df = df)
}

#' @rdname bayes-priors
#' @export
prior_lognormal_tau2 <- function(location, scale, label = NULL) {
  location <- chk_prior_parameter(location, "location", positive = FALSE)
  scale <- chk_prior_parameter(scale, "scale")
  new_tau_prior("lognormal_tau2",
                label %||% sprintf("log-normal on tau^2 (location = %g, scale = %g)", location, scale),
                scale = scale, location = location)
}

#' @rdname bayes-priors
#' @export
prior_turner <- function(outcome, comparison) {
  tab <- heterogeneity_prior_table("turner")
  outcome <- chk_category(outcome, unique(tab$outcome), "outcome")
  comparison <- chk_category(comparison, unique(tab$comparison), "comparison")
  row <- tab[tab$outcome == outcome & tab$comparison == comparison, ]
  prior_lognormal_tau2(row$location, row$scale, label = sprintf(
    "Turner et al. (2015): %s, %s; log(tau^2) ~ N(%g, %g^2)", outcome, comparison,
    row$location, row$scale))
}

#' @rdname bayes-priors
#' @export
prior_rhodes <- function(outcome, comparison, area = "other") {
  tab <- heterogeneity_prior_table("rhodes")
  outcome <- chk_category(outcome, unique(tab$outcome), "outcome")
  comparison <- chk_category(comparison, unique(tab$comparison), "comparison")
  area <- chk_category(area, unique(tab$area), "area")
  row <- tab[tab$outcome == outcome & tab$comparison == comparison & tab$area == area, ]
  new_tau_prior("log_t_tau2", sprintf(
    "Rhodes et al. (2015): %s, %s, %s; log(tau^2) ~ %g + %g t(5)", outcome, comparison, area,
    row$location, row$scale), scale = row$scale, df = 5, location = row$location)
}

#' @rdname bayes-priors
#' @export
prior_uniform <- function(upper = Inf) {
  upper <- chk_prior_parameter(upper, "upper", allow_inf = TRUE)
  new_tau_prior("uniform", sprintf("uniform(0, %g)%s", upper,
                                   if (is.finite(upper)) "" else " (improper)"),
                upper = upper, proper = is.finite(upper))
}

#' @rdname bayes-priors
#' @export
prior_jeffreys <- function() new_tau_prior("jeffreys", "Jeffreys (improper)", proper = FALSE)

#' @rdname bayes-priors
#' @export
prior_density <- function(f, label = "user-supplied density") {
  if (!is.function(f)) abort_input("`f` must be a function of tau returning its prior density.", "f")
  g <- function(tau) f(tau)
  values <- tryCatch(vapply(c(0.01, 0.1, 1, 10), function(t) as.numeric(g(t))[1L], numeric(1)),
                     error = function(e) {
                       abort_input(sprintf("The prior density `f` failed at tau = 0.01, 0.1, 1, 10: %s",
                                           conditionMessage(e)), "f")
                     })
  if (anyNA(values) || any(!is.finite(values)) || any(values < 0)) {
    abort_input("The prior density `f` must return finite values >= 0 (checked at tau = 0.01, 0.1, 1, 10).",
                "f")
  }
  new_tau_prior("custom", label, density = g, proper = NA)
}

#' @rdname bayes-priors
#' @export
prior_normal <- function(mean = 0, sd) {
  mean <- chk_prior_parameter(mean, "mean", positive = FALSE)
  sd <- chk_prior_parameter(sd, "sd")
  structure(list(family = "normal", mean = mean, sd = sd,
                 label = sprintf("normal(mean = %g, sd = %g)", mean, sd)), class = "mp_mu_prior")
}

#' @rdname bayes-priors
#' @export
heterogeneity_prior_table <- function(which = c("turner", "rhodes")) {
  which <- chk_choice(which[1L], c("turner", "rhodes"), "which")
  file <- system.file("extdata", sprintf("heterogeneity_%s2015.csv", which), package = "metapool")
  utils::read.csv(file, stringsAsFactors = FALSE)
}

#' @export
print.mp_tau_prior <- function(x, ...) {
  cat("Prior for tau: ", x$label, "\n", sep = "")
  invisible(x)
}

#' @export
print.mp_mu_prior <- function(x, ...) {
  cat("Prior for mu: ", x$label, "\n", sep = "")
  invisible(x)
}

# A category name, exact or a unique abbreviation (case-insensitive).
chk_category <- function(x, choices, nm) {
  if (is.character(x) && length(x) == 1L && !is.na(x)) {
    hit <- which(tolower(choices) == tolower(x))
    if (!length(hit)) hit <- which(startsWith(tolower(choices), tolower(x)))
    if (length(hit) == 1L) return(choices[hit])
  }
  abort_input(sprintf("`%s` must be one of (or a unique abbreviation of) %s.", nm,
                      paste0("\"", choices, "\"", collapse = ", ")), nm)
}

# The tau prior from what the user gave: a constructor's result, a function, or the
# name of a parameter-free prior.
as_tau_prior <- function(x) {
  if (inherits(x, "mp_tau_prior")) return(x)
  if (is.function(x)) return(prior_density(x))
  if (is.character(x) && length(x) == 1L) {
    x <- chk_choice(x, c("uniform", "jeffreys"), "tau_prior")
    return(if (x == "uniform") prior_uniform() else prior_jeffreys())
  }
  abort_input("`tau_prior` must be a prior such as prior_half_normal(0.5), prior_turner(...), a density function, or \"uniform\" / \"jeffreys\".",
              "tau_prior")
}

as_mu_prior <- function(x) {
  if (inherits(x, "mp_mu_prior")) return(x)
  if (is.null(x) || identical(x, "uniform")) {
    return(structure(list(family = "uniform", mean = 0, sd = 1, label = "uniform (improper)"),
                     class = "mp_mu_prior"))
  }
  abort_input("`mu_prior` must be \"uniform\" or prior_normal(mean, sd).", "mu_prior")
}

# What the C++ core reads.
core_tau_prior <- function(p) {
  list(family = p$family, scale = p$scale, df = p$df, location = p$location, upper = p$upper,
       density = p$density)
}
