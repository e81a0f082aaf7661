# The fit contract --------------------------------------------------------------------
#
# Every pooled fit -- inverse variance (any tau^2 method, subgroups), Mantel-Haenszel,
# Peto, RevMan's "M-H, Random", escalc input, as_metapool() results, and the kinds to
# come -- is a list of class c(<kind>, "metapool") built by new_fit() from three parts:
#
# result    the engine's pooled quantities. The glue converts the core's PoolFit with
#           one function (fit_to_list() in src/rcpp_convert.h), whose names are these:
#   estimate, se, stat, p    pooled effect (analysis scale: log for RR/OR), z or t test
#   ci_lb, ci_ub, df         confidence interval; df of the t distribution (NA: z)
#   pi_lb, pi_ub, pi_df      prediction interval (NA when undefined) and its df
#   s2w                      Hartung-Knapp scale factor (1 otherwise)
#   tau2, tau2_se, tau2_lb, tau2_ub   between-study variance, its SE and interval
#   I2, H2 (+ _lb, _ub)      heterogeneity and intervals
#   Q, Q_df, Q_p             Cochran's Q about the common-effect (or M-H) estimate
#   vt, loglik               typical within-study variance; ML/REML log-likelihood
#   iterations, tau2_status  how tau^2 was found
#   weights                  one per pooled study, proportions summing to 1
#   notes                    list(class, message): raised as classed warnings here
#   Names a kind does not have are NA.
# studies   the prepared studies (prepare_studies() in R/studies.R). The fit keeps them
#           as `data`, so update() can re-run; the engine says which of them it pooled
#           (`pooled`: yi, vi, slab, row, and arms for those studies).
# settings  the engine's settings: `engine` (a name in fit_engines), `args` (the options
#           as given, which update() changes), `measure`, `level`, `method`, `ci_method`,
#           `pi_method`, `tau2_ci`, and the engine's own options (R/options.R).
#
# new_fit() adds the derived fields (tau, tau_lb, tau_ub, k, converged, control_risk, and
# `call`, NULL until run_fit() sets it)
# and the study fields methods read (yi, vi, slab, rows, arms, not_estimable,
# not_estimable_data, omitted, omitted_slab, n_input, na_action, effect_sizes,
# synthetic); `...` holds fields of one kind (e.g. `mh` for Mantel-Haenszel). A new kind
# writes an engine function(studies, settings) that calls new_fit(), and a settings
# builder, and registers both in fit_engines below; run_fit() adds subgroups.

fit_result_names <- c(
  "estimate", "se", "stat", "p", "ci_lb", "ci_ub", "df", "pi_lb", "pi_ub", "pi_df", "s2w",
  "tau2", "tau2_se", "tau2_lb", "tau2_ub", "I2", "I2_lb", "I2_ub", "H2", "H2_lb", "H2_ub",
  "Q", "Q_df", "Q_p", "vt", "loglik"
)

new_fit <- function(result, studies, settings, pooled, ..., class = NULL) {
  # Written for speed (one fit of a few studies is mostly this R code): no helper calls
  # where an `if` does, and the fit made by one c().
  if (length(result$notes$class)) raise_notes(result$notes)
  fields <- result[fit_result_names]
  if (anyNA(names(fields))) {  # quantities an engine does not report are NA
    fields[!fit_result_names %in% names(result)] <- list(NA_real_)
    names(fields) <- fit_result_names
  }
  status <- result$tau2_status
  if (is.null(status)) status <- "closed_form"
  ne <- pooled$not_estimable
  if (is.null(ne)) ne <- studies$not_estimable
  weights <- as.numeric(result$weights)
  names(weights) <- pooled$slab
  fit <- c(fields, list(
    tau = sqrt(result$tau2), tau_lb = sqrt(result$tau2_lb), tau_ub = sqrt(result$tau2_ub),
    k = length(pooled$yi), weights = weights,
    yi = pooled$yi, vi = pooled$vi, slab = pooled$slab, rows = pooled$row, arms = pooled$arms,
    method = if (status == "fallback_dl") "DL" else settings$method,
    requested_method = settings$method,
    ci_method = if (is.null(settings$ci_method)) "z" else settings$ci_method,
    pi_method = if (is.null(settings$pi_method)) "z" else settings$pi_method,
    tau2_ci = if (is.null(settings$tau2_ci)) "none" else settings$tau2_ci,
    measure = settings$measure, level = settings$level, converged = status != "fallback_dl",
    iterations = if (is.null(result$iterations)) 0L else result$iterations,
    tau2_status = status, settings = settings,
    data = studies, not_estimable_data = ne, not_estimable = ne$slab,
    omitted = studies$omitted, omitted_slab = studies$omitted_slab,
    n_input = studies$n_input, na_action = studies$na_action, effect_sizes = studies$source,
    synthetic = studies$synthetic,
    # The risk in the control groups of the pooled studies taken together (the usual
    # assumed control risk for an NNT); NULL without 2x2 data.
    control_risk = if (length(pooled$events2)) sum(pooled$events2) / sum(pooled$n2),
    call = NULL  # set by run_fit(): a field there already is replaced, not appended
  ), list(...))
  class(fit) <- c(class, "metapool")
  fit
}

named <- function(x, nm) {
  names(x) <- nm
  x
}

# Raise the notes an engine reported, each with its class.
# A batch engine's notes say how many of `total` fits reported each.
raise_notes <- function(notes) {
  if (!length(notes$class)) return(invisible())
  message <- notes$message
  if (!is.null(notes$count)) message <- sprintf("%g of %g fits: %s", notes$count, notes$total, message)
  for (i in seq_along(notes$class)) warn_metapool(message[[i]], notes$class[[i]])
}

# The engines: name -> list(fit = function(studies, settings) returning a fit,
# settings = the settings builder of R/options.R (its arguments are the options update()
# can change), subgroup_settings = optional function(studies, settings) giving the
# settings each subgroup is fitted with). A function, so it can name functions defined
# in files collated after this one.
fit_engines <- function() {
  list(
    iv = list(fit = fit_iv, settings = iv_settings, subgroup_settings = iv_subgroup_settings),
    mh = list(fit = fit_mh, settings = mh_settings),
    metareg = list(fit = fit_metareg, settings = metareg_settings),
    bayes = list(fit = fit_bayes, settings = bayes_settings)
  )
}

fit_engine <- function(settings) {
  # Built on first use (fit_engines() names functions of files collated later).
  if (is.null(registered$engines)) registered$engines <- fit_engines()
  engine <- registered$engines[[settings$engine]]
  if (is.null(engine)) stop(sprintf("internal: no engine \"%s\" is registered", settings$engine))
  engine
}
registered <- new.env(parent = emptyenv())

# Fit the prepared studies: the overall fit, and with subgroups a fit per subgroup
# through the same engine and RevMan's test for subgroup differences.
run_fit <- function(studies, settings, call = NULL) {
  engine <- fit_engine(settings)
  fit <- engine$fit(studies, settings)
  if (!is.null(studies$subgroup)) {
    sub_settings <- if (is.null(engine$subgroup_settings)) settings else
      engine$subgroup_settings(studies, settings)
    lv <- levels(studies$subgroup)
    fit$subgroups <- stats::setNames(lapply(lv, function(g) {
      engine$fit(subgroup_studies(studies, g), sub_settings)
    }), lv)
    fit$subgroup_test <- subgroup_difference_test(fit$subgroups)
    fit$common_tau2 <- isTRUE(settings$common_tau2)
  }
  fit$call <- call
  fit
}

# RevMan's test for subgroup differences across the subgroup estimates that exist.
subgroup_difference_test <- function(subgroups) {
  est <- vapply(subgroups, `[[`, numeric(1), "estimate")
  se <- vapply(subgroups, `[[`, numeric(1), "se")
  ok <- is.finite(est) & is.finite(se) & se > 0
  if (sum(ok) < 2L) return(list(Q = NA_real_, df = NA_real_, p = NA_real_, I2 = NA_real_))
  cpp_subgroup_test(est[ok], se[ok])
}

#' Refit a meta-analysis with changed options
#'
#' `update()` re-runs a fit from [metapool()], [metapool_mh()] (or any other
#' metapool fit) with some options changed, for example `update(fit, method =
#' "DL")` or `update(fit, level = 90)`. Options of the fit's engine (those of
#' [metapool()] for inverse-variance fits, of [metapool_mh()] for
#' Mantel-Haenszel and Peto fits) are changed on the studies the fit holds;
#' other arguments (`data`, `subset`, ...) re-evaluate the fit's call, as
#' [stats::update()] does.
#'
#' @param object A `metapool` fit.
#' @param ... Arguments to change, as `name = value`.
#' @param evaluate If `FALSE`, return the updated call instead of a fit (only
#'   for fits that keep their call).
#' @return A `metapool` fit (or a call).
#' @examples
#' fit <- metapool(es_rr(tpos, tpos + tneg, cpos, cpos + cneg, data = bcg))
#' update(fit, method = "DL", ci_method = "hksj")
#' @export
update.metapool <- function(object, ..., evaluate = TRUE) {
  changes <- list(...)
  if (!length(changes)) return(object)
  if (is.null(names(changes)) || any(!nzchar(names(changes)))) {
    abort_input("Give the options to change as `name = value`.", "...")
  }
  engine <- fit_engine(object$settings)
  options <- names(formals(engine$settings))
  if (all(names(changes) %in% options) && !is.null(object$data) && evaluate) {
    args <- utils::modifyList(object$settings$args, changes, keep.null = TRUE)
    settings <- do.call(engine$settings, args)
    # Fields the front end added (the measure of an inverse-variance fit, ...) stay.
    kept <- setdiff(names(object$settings), names(settings))
    settings[kept] <- object$settings[kept]
    return(run_fit(object$data, settings, object$call))
  }
  call <- object$call
  if (is.null(call)) {
    abort_input(sprintf(
      "This fit keeps no call, so only its options can change (%s); %s cannot.",
      paste0("`", options, "`", collapse = ", "),
      paste0("`", setdiff(names(changes), options), "`", collapse = ", ")), "...")
  }
  call[names(changes)] <- changes
  if (!evaluate) return(call)
  eval(call, parent.frame())
}

# The fit at another confidence level (subgroups included), or the fit itself.
at_level <- function(fit, level) {
  if (is.null(level)) return(fit)
  level <- chk_level(level)
  if (isTRUE(all.equal(level, fit$level))) return(fit)
  stats::update(fit, level = level)
}
