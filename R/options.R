# Options of the pooling engines: every vocabulary and every default is written here
# once (the C++ side converts the same names in src/rcpp_enums.h). The settings
# builders validate what the front ends pass and return the settings layout of
# R/fit.R; update() calls them again with changed options.

option_choices <- list(
  ci_method = c("z", "t", "hksj", "hksj_adhoc"),
  pi_method = c("t_k2", "t_k1", "z"),
  tau2_ci = c("QP", "PL", "none"),
  mh_measure = c("OR", "RR", "RD"),
  mh_method = c("MH", "Peto"),
  model = c("fixed", "random"),
  preset = c("metafor", "revman5"),
  zero_to = c("only0", "all", "if0all", "none"),
  rd_variance = c("GR", "sato")
)

# metafor's names for our choices, for "did you mean" hints and as_metapool().
option_aliases <- list(
  method = c(EE = "FE", CE = "FE"),
  ci_method = c(knha = "hksj", adhoc = "hksj_adhoc")
)

# The tau^2 estimator of each preset: metafor's rma() and Review Manager 5.
preset_method <- c(metafor = "REML", revman5 = "DL")

default_control <- list(tol = 1e-10, max_iter = 1000L, tau2_init = -1, step_adj = 1)

# Inverse-variance pooling (engine "iv").
iv_settings <- function(method = NULL, tau2 = NULL, ci_method = "z", pi_method = "t_k2",
                        tau2_ci = "QP", common_tau2 = FALSE, level = 95, control = list(),
                        preset = "metafor") {
  args <- list(method = method, tau2 = tau2, ci_method = ci_method, pi_method = pi_method,
               tau2_ci = tau2_ci, common_tau2 = common_tau2, level = level, control = control,
               preset = preset)
  # Front ends are called in loops with the same options: the last settings are reused.
  if (identical(args, last_iv_settings$args)) return(last_iv_settings$value)
  preset <- chk_preset(preset)
  method <- chk_choice(method %||% preset_method[[preset]], tau2_method_names, "method",
                       aliases = option_aliases$method)
  tau2_fixed <- 0
  if (!is.null(tau2)) {
    if (!is.numeric(tau2) || length(tau2) != 1L || is.na(tau2) || tau2 < 0 || !is.finite(tau2)) {
      abort_input("`tau2` must be a single non-negative number.", "tau2")
    }
    method <- "fixed"
    tau2_fixed <- tau2
  }
  ci_method <- chk_choice(ci_method[1L], option_choices$ci_method, "ci_method",
                          aliases = option_aliases$ci_method)
  pi_method <- chk_choice(pi_method[1L], option_choices$pi_method, "pi_method")
  tau2_ci <- chk_choice(tau2_ci[1L], option_choices$tau2_ci, "tau2_ci")
  if (tau2_ci == "PL" && !method %in% c("ML", "REML")) {
    abort_input("`tau2_ci = \"PL\"` (profile likelihood) needs `method = \"ML\"` or `\"REML\"`.",
                "tau2_ci")
  }
  settings <- list(engine = "iv", args = args, preset = preset, method = method,
                   tau2_fixed = tau2_fixed, ci_method = ci_method, pi_method = pi_method,
                   tau2_ci = tau2_ci, common_tau2 = chk_flag(common_tau2, "common_tau2"),
                   level = chk_level(level), control = chk_control(control))
  last_iv_settings$args <- args
  last_iv_settings$value <- settings
  settings
}
last_iv_settings <- new.env(parent = emptyenv())

# Mantel-Haenszel and Peto pooling (engine "mh").
mh_settings <- function(measure = "OR", method = "MH", model = "fixed", preset = "metafor",
                        add = NULL, to = NULL, drop00 = NULL, rd_variance = NULL,
                        pi_method = "t_k2", level = 95) {
  args <- list(measure = measure, method = method, model = model, preset = preset, add = add,
               to = to, drop00 = drop00, rd_variance = rd_variance, pi_method = pi_method,
               level = level)
  measure <- chk_choice(measure[1L], option_choices$mh_measure, "measure")
  method <- chk_choice(method[1L], option_choices$mh_method, "method")
  model <- chk_choice(model[1L], option_choices$model, "model")
  preset <- chk_preset(preset)
  if (method == "Peto" && measure != "OR") {
    abort_input("Peto's method pools odds ratios: use `measure = \"OR\"`.", "measure")
  }
  if (method == "Peto" && model == "random") {
    abort_input("Peto's method is fixed-effect only (as in RevMan 5): use `model = \"fixed\"`.",
                "model")
  }
  ratio <- measure != "RD"
  defaults <- if (preset == "revman5") {
    list(add = c(0.5, 0.5), to = c("only0", "only0"), drop00 = c(ratio, ratio), rd_variance = "GR")
  } else {
    list(add = c(0.5, 0), to = c("only0", "none"), drop00 = c(TRUE, FALSE), rd_variance = "sato")
  }
  pair <- function(x, default, nm, check) {
    if (is.null(x)) return(default)
    if (!length(x) %in% 1:2) abort_input(sprintf("`%s` must have one or two values.", nm), nm)
    for (xi in x) check(xi)
    if (length(x) == 1L) c(x, default[2L]) else x
  }
  add <- pair(add, defaults$add, "add", function(x) {
    if (!is.numeric(x) || is.na(x) || x < 0 || !is.finite(x)) {
      abort_input("`add` must be non-negative numbers.", "add")
    }
  })
  to <- pair(to, defaults$to, "to", function(x) chk_choice(x, option_choices$zero_to, "to"))
  drop00 <- pair(drop00, defaults$drop00, "drop00", function(x) chk_flag(x, "drop00"))
  list(engine = "mh", args = args, measure = measure, mh_method = method, model = model,
       preset = preset, add = add, to = to, drop00 = drop00,
       rd_variance = chk_choice(rd_variance %||% defaults$rd_variance,
                                option_choices$rd_variance, "rd_variance"),
       method = if (model == "random") "DL" else "FE", ci_method = "z", tau2_ci = "none",
       pi_method = chk_choice(pi_method[1L], option_choices$pi_method, "pi_method"),
       level = chk_level(level))
}

# Settings of the meta-regression engine: the inverse-variance options (without
# common_tau2, which a design matrix makes moot) plus the omnibus test's coefficients
# (`btt`, resolved against the design by fit_metareg()).
metareg_settings <- function(method = NULL, tau2 = NULL, ci_method = "z", pi_method = "t_k2",
                             tau2_ci = "QP", level = 95, control = list(), preset = "metafor",
                             btt = NULL) {
  settings <- iv_settings(method, tau2, ci_method, pi_method, tau2_ci, FALSE, level, control,
                          preset)
  settings$args$common_tau2 <- NULL
  settings$args["btt"] <- list(btt)
  settings$engine <- "metareg"
  settings$btt <- btt
  settings
}

# The one named options list that reaches cpp_pool() and every batch engine.
# `prediction`, `weights`: skip the prediction interval or the study weights (work a
# batch may not want); `columns`: the batch result columns to keep (absent: all).
engine_options <- function(settings, tau2_ci = settings$tau2_ci, prediction = TRUE,
                           weights = TRUE, columns = NULL) {
  ctl <- settings$control
  out <- list(method = settings$method, tau2_fixed = settings$tau2_fixed,
              ci_method = settings$ci_method, pi_method = settings$pi_method, tau2_ci = tau2_ci,
              level = settings$level, tol = ctl$tol, max_iter = ctl$max_iter,
              tau2_init = ctl$tau2_init, step_adj = ctl$step_adj, prediction = prediction,
              weights = weights)
  if (!is.null(columns)) out$columns <- columns
  out
}

chk_control <- function(control) {
  if (!is.list(control)) abort_input("`control` must be a list.", "control")
  if (length(control) == 0L) return(default_control)
  known <- names(default_control)
  unknown <- setdiff(names(control), known)
  if (length(unknown)) {
    abort_input(sprintf("`control` has unknown element%s %s; known are %s.",
                        if (length(unknown) > 1L) "s" else "",
                        paste0("`", unknown, "`", collapse = ", "),
                        paste0("`", known, "`", collapse = ", ")), "control")
  }
  out <- default_control
  out[names(control)] <- control
  positive <- function(x) is.numeric(x) && length(x) == 1L && !is.na(x) && x > 0 && is.finite(x)
  if (!positive(out$tol)) abort_input("`control$tol` must be a positive number.", "control")
  if (!positive(out$max_iter)) abort_input("`control$max_iter` must be a positive whole number.", "control")
  if (!positive(out$step_adj)) abort_input("`control$step_adj` must be a positive number.", "control")
  if (!is.numeric(out$tau2_init) || length(out$tau2_init) != 1L || is.na(out$tau2_init)) {
    abort_input("`control$tau2_init` must be a single number (>= 0).", "control")
  }
  out$max_iter <- as.integer(out$max_iter)
  out
}

chk_preset <- function(preset) {
  if (length(preset) == 2L && identical(preset, option_choices$preset)) return("metafor")
  chk_choice(preset, option_choices$preset, "preset")
}
