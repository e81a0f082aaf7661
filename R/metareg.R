# Meta-regression: metapool(..., mods = ~ x) and metapool(yi ~ x, vi, data = ). The
# engine (src/core_metareg.cpp) shares the tau^2 machinery of the ordinary fit; this file
# builds the design matrix, calls it, and holds the methods of `metapool_reg` fits.

#' Meta-regression: moderators of the effect
#'
#' `metapool(yi, vi, mods = ~ x1 + x2, data = )` (or the two-sided formula
#' `metapool(yi ~ x1 + x2, vi, data = )`) fits the mixed-effects meta-regression
#' model `yi = X beta + u_i + e_i`, `u_i ~ N(0, tau^2)`, `e_i ~ N(0, vi)`, with
#' the same estimators of the residual between-study variance tau^2 as the
#' ordinary fit (see [tau2_methods]); `method = "FE"` fits the fixed-effects
#' model. The design matrix comes from [stats::model.matrix()], so factors and
#' interactions work as in [stats::lm()], and an intercept is included unless the
#' formula removes it (`~ x - 1` or `~ 0 + x`), as in metafor's `rma(mods = )`.
#' The numbers are metafor's `rma.uni()`'s; the computation never forms a k x k
#' matrix and costs O(k p^2).
#'
#' @section Tests and intervals:
#' `ci_method = "z"` (default) gives Wald z-tests and the omnibus test QM as
#' chi-square; `"t"` t-tests on k - p df and QM as F on (m, k - p) df;
#' `"hksj"` the Knapp-Hartung adjustment (metafor's `test = "knha"`: the
#' variance-covariance matrix scaled by the weighted residual sum of squares
#' over k - p); `"hksj_adhoc"` the same with the scale truncated below at 1
#' (`test = "adhoc"`). `btt` chooses the coefficients of QM (default: all but
#' the intercept).
#'
#' @section Heterogeneity:
#' `Q` (QE) is the residual heterogeneity statistic about the fixed-effects fit
#' on k - p df. `I2` and `H2` are residual, with the typical within-study
#' variance `vt = (k - p) / tr(P)` (metafor's definitions). `R2` is metafor's
#' pseudo-R^2: the proportional reduction in tau^2 relative to the model
#' without moderators fitted with the same estimator, `100 max(0, (tau2_0 -
#' tau2) / tau2_0)`; for `method = "FE"` the adjusted weighted R^2; NA when the
#' model does not contain the intercept-only model.
#'
#' @param mods A one-sided formula evaluated in `data` (or among the columns of
#'   an `mp_es` object), or a numeric matrix or vector of moderators (an
#'   intercept is then added).
#' @param btt Coefficients tested by the omnibus test (numbers or names);
#'   default all except the intercept.
#' @name metapool_metaregression
#' @return A `metapool_reg` object (also a `metapool` object): `beta` (the
#'   coefficients), `vb` (their variance-covariance matrix), and the coefficient
#'   table as vectors `estimate`, `se`, `stat`, `p`, `ci_lb`, `ci_ub`; `QM`,
#'   `QM_df`, `QM_p` (omnibus test), `Q`, `Q_df`, `Q_p` (residual
#'   heterogeneity), `tau2` and its `_se`, `_lb`, `_ub`, `I2`, `H2`, `R2`,
#'   `loglik` (ML and REML), `X` (the design matrix), `yi`, `vi`, `weights`,
#'   `fitted`, `hat` and the settings.
#' @seealso [predict.metapool_reg()], [anova.metapool_reg()], [bubble_plot()],
#'   [smallstudy_test()].
#' @references Viechtbauer W (2010). Conducting meta-analyses in R with the
#'   metafor package. *Journal of Statistical Software*, 36(3), 1-48.
#'
#'   Knapp G, Hartung J (2003). Improved tests for a random effects
#'   meta-regression with a single covariate. *Statistics in Medicine*, 22,
#'   2693-2710.
#' @examples
#' es <- es_rr(tpos, tpos + tneg, cpos, cpos + cneg, data = bcg, slab = paste(author, year))
#' fit <- metapool(es, mods = ~ ablat, data = bcg)
#' fit
#' predict(fit, newmods = c(10, 30, 50), transf = exp)
#'
#' # Two-sided formula, Knapp-Hartung tests
#' bcg$yi <- es$yi
#' bcg$vi <- es$vi
#' metapool(yi ~ ablat + year, vi, data = bcg, ci_method = "hksj")
NULL

# The design matrix for `mods`, over all input rows (NA rows are resolved later with
# the other study variables). `lookup` is the data frame the formula is evaluated in.
moderator_design <- function(mods, lookup, env, k) {
  if (inherits(mods, "formula")) {
    if (length(mods) == 3L) abort_input("`mods` must be a one-sided formula such as `~ x1 + x2`.", "mods")
    frame <- tryCatch(
      stats::model.frame(mods, data = lookup %||% environment(mods), na.action = stats::na.pass,
                         drop.unused.levels = TRUE),
      error = function(e) {
        abort_input(sprintf("`mods` could not be evaluated: %s", conditionMessage(e)), "mods")
      }
    )
    chr <- vapply(frame, is.character, logical(1))
    if (any(chr)) {
      abort_input(sprintf(
        "Moderator %s is character, not a factor: convert it with factor() (or as.numeric() if it holds numbers).",
        paste0("`", names(frame)[chr], "`", collapse = ", ")), "mods")
    }
    if (nrow(frame) != k) {
      abort_input(sprintf("`mods` gives %d rows but there are %d studies.", nrow(frame), k), "mods")
    }
    terms <- stats::terms(frame)
    # Rows with a missing moderator stay NA here; na.action resolves them with the other
    # study variables.
    ok <- which(stats::complete.cases(frame))
    if (!length(ok)) abort_input("Every study has a missing moderator.", "mods")
    Xok <- stats::model.matrix(terms, if (length(ok) == k) frame else frame[ok, , drop = FALSE])
    X <- matrix(NA_real_, k, NCOL(Xok), dimnames = list(NULL, colnames(Xok)))
    X[ok, ] <- Xok
    list(X = fix_intercept_name(X), terms = stats::delete.response(terms),
         xlevels = stats::.getXlevels(terms, frame), contrasts = attr(Xok, "contrasts"),
         formula = mods)
  } else {
    if (is.data.frame(mods)) mods <- as.matrix(mods)
    if (!is.numeric(mods)) {
      abort_input(sprintf("`mods` must be a one-sided formula or a numeric matrix, not %s.",
                          describe_type(mods)), "mods")
    }
    X <- as.matrix(mods)
    if (nrow(X) != k) {
      abort_input(sprintf("`mods` has %d rows but there are %d studies.", nrow(X), k), "mods")
    }
    if (is.null(colnames(X))) {
      colnames(X) <- if (ncol(X) == 1L) "mods" else paste0("X", seq_len(ncol(X)))
    }
    X <- cbind(intrcpt = 1, X)
    list(X = X, terms = NULL, xlevels = NULL, contrasts = NULL, formula = NULL)
  }
}

# Minimal prepared studies for the engines' internal fits (the small-study regressions,
# trim-and-fill's refits): effects and variances, no input to re-run from.
studies_of <- function(yi, vi, slab = seq_along(yi)) {
  list(columns = list(yi = yi, vi = vi, slab = slab, row = seq_along(yi)))
}

# A meta-regression of given effects on a given design, with a fit's settings.
metareg_on <- function(yi, vi, X, settings, slab = seq_along(yi)) {
  studies <- studies_of(yi, vi, slab)
  studies$design <- list(X = X)
  settings$engine <- "metareg"
  fit_metareg(studies, settings)
}

fix_intercept_name <- function(X) {
  colnames(X)[colnames(X) == "(Intercept)"] <- "intrcpt"
  X
}

# Coefficients chosen by number or exact name, as 1-based positions.
resolve_parm <- function(parm, names) {
  idx <- if (is.character(parm)) match(parm, names) else if (is.numeric(parm)) parm else NA
  if (!length(idx) || anyNA(idx) || any(idx < 1 | idx > length(names) | idx != round(idx))) {
    abort_input(sprintf("`parm` must name coefficients (%s) or give their numbers (1 to %d).",
                        paste(names, collapse = ", "), length(names)), "parm")
  }
  idx
}

# The omnibus test's coefficients as 1-based positions (default: all but the intercept).
resolve_btt <- function(btt, X) {
  p <- ncol(X)
  has_int <- "intrcpt" %in% colnames(X)
  if (is.null(btt)) return(if (has_int && p > 1L) setdiff(seq_len(p), which(colnames(X) == "intrcpt")) else seq_len(p))
  if (is.character(btt)) {
    idx <- unique(unlist(lapply(btt, grep, x = colnames(X), fixed = TRUE)))
    if (!length(idx)) abort_input(sprintf("`btt` names no coefficient; they are %s.", paste(colnames(X), collapse = ", ")), "btt")
    return(sort(idx))
  }
  if (!is.numeric(btt) || anyNA(btt) || any(btt < 1 | btt > p | btt != round(btt))) {
    abort_input(sprintf("`btt` must be coefficient numbers between 1 and %d, or names.", p), "btt")
  }
  sort(unique(as.integer(btt)))
}

# The meta-regression engine (engine "metareg"): prepared studies with their design
# matrix (studies$design, from moderator_design()) in, a `metapool_reg` fit out. The
# pooled-fit fields hold the coefficient table (named vectors); the kind's own fields
# are the design, the omnibus test of moderators and the pseudo-R^2.
fit_metareg <- function(studies, settings) {
  s <- studies$columns
  chk_effects(s$yi, s$vi)
  X <- studies$design$X
  k <- nrow(X)
  p <- ncol(X)
  fixed_tau2 <- settings$method %in% c("FE", "fixed")
  if (p > k || (!fixed_tau2 && p + 1L > k)) {
    abort_input(sprintf(
      "The model has %d coefficients but there are only %d studies: %s.", p, k,
      if (fixed_tau2) "a meta-regression needs at least as many studies as coefficients"
      else "estimating tau^2 needs at least one study more than coefficients"), "mods")
  }
  btt <- resolve_btt(settings$btt, X)
  res <- cpp_metareg(s$yi, s$vi, X, engine_options(settings), btt - 1L, TRUE)
  if (length(res$dependent)) {
    bad <- colnames(X)[res$dependent + 1L]
    abort_input(sprintf(
      "The moderators are collinear: column%s %s of the design matrix %s linear combination%s of the columns before. Drop %s or merge factor levels.",
      if (length(bad) > 1L) "s" else "", paste0("`", bad, "`", collapse = ", "),
      if (length(bad) > 1L) "are" else "is a", if (length(bad) > 1L) "s" else "",
      if (length(bad) > 1L) "them" else "it"), "mods")
  }
  nm <- colnames(X)
  coefs <- lapply(res[c("beta", "se", "stat", "pval", "ci_lb", "ci_ub")], named, nm)
  result <- c(res[setdiff(names(res), c(names(coefs), "weights"))],
              list(estimate = coefs$beta, se = coefs$se, stat = coefs$stat, p = coefs$pval,
                   ci_lb = coefs$ci_lb, ci_ub = coefs$ci_ub,
                   weights = res$weights / sum(res$weights),
                   loglik = c(ML = res$ll_ml, REML = res$ll_reml)))
  new_fit(result, studies, settings, pooled = c(s, list(arms = studies$arms)),
          beta = coefs$beta, vb = matrix(res$vb, p, p, dimnames = list(nm, nm)),
          QM = res$QM, QM_df = c(res$QM_df1, res$QM_df2), QM_p = res$QM_p, btt = btt,
          R2 = res$R2, tau2_null = res$tau2_null, p_coef = p, X = X,
          fitted = named(res$fitted, s$slab), hat = named(res$hat, s$slab),
          mods = studies$design[c("terms", "xlevels", "contrasts", "formula")],
          class = "metapool_reg")
}

stat_label <- function(x) if (x$ci_method == "z") "z" else "t"

#' @export
print.metapool_reg <- function(x, digits = 4, ...) {
  fixed <- x$method == "FE"
  cat(sprintf("%s meta-regression (k = %d; %s)\n\n",
              if (fixed) "Fixed-effects" else "Mixed-effects", x$k,
              if (fixed) "no residual heterogeneity" else
                if (x$method == "fixed") sprintf("tau^2 fixed at %s", format_num(x$tau2, digits))
                else sprintf("tau^2 estimator: %s", method_labels[[x$method]])))
  if (!fixed) {
    cat(sprintf("tau^2 (residual heterogeneity): %s (SE = %s)\n", format_num(x$tau2, digits),
                format_num(x$tau2_se, digits)))
    cat(sprintf("tau (square root of residual heterogeneity): %s\n", format_num(sqrt(x$tau2), digits)))
  }
  cat(sprintf("I^2 (residual heterogeneity / unaccounted variability): %s%%\n", format_num(x$I2, 2)))
  cat(sprintf("H^2 (unaccounted variability / sampling variability): %s\n", format_num(x$H2, 2)))
  if (!is.na(x$R2)) cat(sprintf("R^2 (amount of heterogeneity accounted for): %s%%\n", format_num(x$R2, 2)))
  cat(sprintf("\nTest for residual heterogeneity: QE(df = %d) = %s, %s\n", as.integer(x$Q_df),
              format_num(x$Q, digits), p_text(x$Q_p)))
  coefs <- if (length(x$btt) == x$p_coef) "all coefficients" else
    sprintf("coefficient%s %s", if (length(x$btt) > 1L) "s" else "", paste(x$btt, collapse = ", "))
  if (is.na(x$QM_df[2L])) {
    cat(sprintf("Test of moderators (%s): QM(df = %d) = %s, %s\n", coefs, as.integer(x$QM_df[1L]),
                format_num(x$QM, digits), p_text(x$QM_p)))
  } else {
    cat(sprintf("Test of moderators (%s): F(df1 = %d, df2 = %d) = %s, %s\n", coefs,
                as.integer(x$QM_df[1L]), as.integer(x$QM_df[2L]), format_num(x$QM, digits),
                p_text(x$QM_p)))
  }
  cat("\nModel results:\n\n")
  tab <- coef_table(x)
  shown <- data.frame(estimate = format_num(tab$estimate, digits), se = format_num(tab$se, digits),
                      stat = format_num(tab$stat, digits), p = format_p(tab$p),
                      ci_lb = format_num(tab$ci_lb, digits), ci_ub = format_num(tab$ci_ub, digits),
                      row.names = rownames(tab), stringsAsFactors = FALSE)
  names(shown)[3L] <- paste0(stat_label(x), "val")
  print(shown, right = TRUE)
  if (x$ci_method != "z") {
    cat(sprintf("\n%s tests on %d df.\n", ci_method_label[[x$ci_method]], as.integer(x$df)))
  }
  if (x$measure %in% c("RR", "OR")) {
    cat(sprintf("Coefficients are on the log %s scale.\n", if (x$measure == "RR") "risk ratio" else "odds ratio"))
  }
  if (length(x$omitted)) {
    cat(sprintf("%d stud%s omitted for missing values.\n", length(x$omitted),
                if (length(x$omitted) == 1L) "y" else "ies"))
  }
  invisible(x)
}

coef_table <- function(x) {
  data.frame(estimate = x$beta, se = x$se, stat = x$stat, p = x$p, ci_lb = x$ci_lb,
             ci_ub = x$ci_ub, row.names = names(x$beta))
}

#' @export
as.data.frame.metapool_reg <- function(x, row.names = NULL, optional = FALSE, ...) {
  data.frame(term = names(x$beta), coef_table(x), row.names = NULL, stringsAsFactors = FALSE)
}

#' @exportS3Method generics::tidy
tidy.metapool_reg <- function(x, conf.int = TRUE, conf.level = NULL, exponentiate = FALSE, ...) {
  x <- at_level(x, conf.level)
  f <- if (isTRUE(exponentiate)) exp else identity
  out <- data.frame(term = names(x$beta), estimate = f(unname(x$beta)), std.error = unname(x$se),
                    statistic = unname(x$stat), p.value = unname(x$p), stringsAsFactors = FALSE)
  if (conf.int) {
    out$conf.low <- f(unname(x$ci_lb))
    out$conf.high <- f(unname(x$ci_ub))
  }
  out
}

#' @exportS3Method generics::glance
glance.metapool_reg <- function(x, ...) {
  data.frame(nobs = x$k, method = x$method, tau2 = x$tau2, I2 = x$I2, H2 = x$H2, R2 = x$R2,
             QE = x$Q, QE_df = x$Q_df, QE_p = x$Q_p, QM = x$QM, QM_p = x$QM_p,
             converged = x$converged)
}

#' @export
nnt_ci.metapool_reg <- function(x, ...) {
  abort_not_defined("An NNT", x, paste(
    "it needs one pooled effect: predict(fit, newmods = ) gives the effect at chosen",
    "moderator values, and nnt_ci() takes that estimate and its interval"))
}

#' @export
summary.metapool_reg <- function(object, ...) {
  structure(object, class = c("summary.metapool_reg", class(object)))
}

#' @export
print.summary.metapool_reg <- function(x, digits = 4, ...) {
  print.metapool_reg(x, digits = digits)
  ll <- x$loglik
  cat(sprintf("\nlog-likelihood: ML %s, REML %s\n", format_num(ll[["ML"]], digits),
              format_num(ll[["REML"]], digits)))
  invisible(x)
}

#' @export
coef.metapool_reg <- function(object, ...) object$beta

#' @export
vcov.metapool_reg <- function(object, ...) object$vb

#' @export
fitted.metapool_reg <- function(object, ...) object$fitted

#' @export
residuals.metapool_reg <- function(object, ...) stats::setNames(object$yi - object$fitted, object$slab)

#' @export
nobs.metapool_reg <- function(object, ...) object$k

#' @export
logLik.metapool_reg <- function(object, REML = NULL, ...) {
  reml <- if (is.null(REML)) object$method == "REML" else isTRUE(REML)
  val <- object$loglik[[if (reml) "REML" else "ML"]]
  structure(val, df = object$p_coef + (object$method != "FE" && object$method != "fixed"),
            nobs = object$k - if (reml) object$p_coef else 0, class = "logLik")
}

#' Confidence intervals of a meta-regression
#'
#' @param object A `metapool_reg` fit.
#' @param parm Coefficients (numbers or names); default all.
#' @param level Confidence level (default: the fit's); a new level refits.
#' @param transf Optional function applied to the coefficients and their limits
#'   (e.g. `exp` for ratios of risk ratios); tau^2 is left as it is.
#' @param ... Unused.
#' @return A matrix with columns `estimate`, `ci_lb`, `ci_ub`: one row per
#'   coefficient, then `tau2` (its confidence interval from the fit's
#'   `tau2_ci` method) for random-effects fits.
#' @examples
#' es <- es_rr(tpos, tpos + tneg, cpos, cpos + cneg, data = bcg)
#' fit <- metapool(es, mods = ~ ablat, data = bcg)
#' confint(fit)
#' confint(fit, parm = "ablat", level = 90, transf = exp)
#' @export
confint.metapool_reg <- function(object, parm = NULL, level = NULL, transf = NULL, ...) {
  object <- at_level(object, level)
  out <- cbind(estimate = object$beta, ci_lb = object$ci_lb, ci_ub = object$ci_ub)
  if (!is.null(transf)) {
    if (!is.function(transf)) abort_input("`transf` must be a function.", "transf")
    out[] <- transf(out)
  }
  if (!is.null(parm)) out <- out[resolve_parm(parm, rownames(out)), , drop = FALSE]
  if (!object$method %in% c("FE", "fixed")) {
    out <- rbind(out, tau2 = c(object$tau2, object$tau2_lb, object$tau2_ub))
  }
  out
}

# New moderator rows as a design matrix matching the fit's columns.
newmods_design <- function(object, newmods, intercept = TRUE) {
  X <- object$X
  p <- ncol(X)
  has_int <- colnames(X)[1L] == "intrcpt"
  if (is.data.frame(newmods)) {
    if (is.null(object$mods$terms)) abort_input("`newmods` as a data frame needs a fit with `mods` given as a formula.", "newmods")
    frame <- stats::model.frame(object$mods$terms, newmods, xlev = object$mods$xlevels,
                                na.action = stats::na.pass)
    Xn <- stats::model.matrix(object$mods$terms, frame, contrasts.arg = object$mods$contrasts)
    return(fix_intercept_name(Xn))
  }
  if (!is.numeric(newmods)) {
    abort_input(sprintf("`newmods` must be a numeric vector or matrix (or a data frame of moderators), not %s.",
                        describe_type(newmods)), "newmods")
  }
  m <- p - has_int
  Xn <- if (is.matrix(newmods)) newmods else if (m == 1L) matrix(newmods, ncol = 1L) else matrix(newmods, nrow = 1L)
  if (ncol(Xn) == p) return(Xn)
  if (ncol(Xn) != m) {
    abort_input(sprintf("`newmods` has %d column%s but the model has %d moderator column%s (%s).",
                        ncol(Xn), if (ncol(Xn) == 1L) "" else "s", m, if (m == 1L) "" else "s",
                        paste(colnames(X)[if (has_int) -1L else seq_len(p)], collapse = ", ")), "newmods")
  }
  if (has_int) Xn <- cbind(as.numeric(isTRUE(intercept)), Xn)
  Xn
}

#' Predicted effects from a meta-regression
#'
#' The estimated mean effect at given moderator values, with its confidence
#' interval and the prediction interval for the true effect in a new study with
#' those moderators (`pred +/- crit * sqrt(se^2 + tau^2)`), as metafor's
#' `predict(rma(mods = ), newmods = )`.
#'
#' @param object A `metapool_reg` fit.
#' @param newmods Moderator values: a vector (one moderator, or one row), a
#'   matrix with one column per moderator (without the intercept), or a data
#'   frame with the moderators named as in the `mods` formula (factors allowed).
#'   `NULL`: the fitted values of the studies.
#' @param intercept Include the intercept (default `TRUE`).
#' @param transf Optional function applied to the estimates and interval limits
#'   (e.g. `exp` for ratio measures).
#' @param level Confidence level (default: the fit's).
#' @param pi_method Critical value of the prediction interval: `"z"` (normal),
#'   `"t_k1"` (t on k - p df, metafor with t-based tests) or `"t_k2"` (t on
#'   k - p - 1 df); default: normal for z-tests and `"t_k1"` otherwise, as
#'   metafor.
#' @param ... Unused.
#' @return A data frame with `pred`, `se`, `ci_lb`, `ci_ub`, `pi_lb`, `pi_ub`
#'   (`se` is NA after `transf`), with the moderator values as attribute `X`.
#' @examples
#' es <- es_rr(tpos, tpos + tneg, cpos, cpos + cneg, data = bcg)
#' fit <- metapool(es, mods = ~ ablat, data = bcg)
#' predict(fit, newmods = c(10, 30, 50), transf = exp)
#' @export
predict.metapool_reg <- function(object, newmods = NULL, intercept = TRUE, transf = NULL,
                                 level = NULL, pi_method = NULL, ...) {
  level <- if (is.null(level)) object$level else chk_level(level)
  Xn <- if (is.null(newmods)) object$X else newmods_design(object, newmods, intercept)
  storage.mode(Xn) <- "double"
  if (anyNA(Xn)) abort_input("`newmods` has missing values.", "newmods")
  pi_method <- pi_method %||% if (object$ci_method == "z") "z" else "t_k1"
  pi_method <- chk_choice(pi_method, c("z", "t_k1", "t_k2"), "pi_method")
  resid_df <- object$k - object$p_coef
  ci_df <- if (object$ci_method == "z") NA_real_ else resid_df
  pi_df <- switch(pi_method, z = NA_real_, t_k1 = resid_df, t_k2 = resid_df - 1)
  r <- cpp_metareg_predict(object$beta, object$vb, object$tau2, Xn, level, ci_df, pi_df,
                           !object$method %in% c("FE"))
  out <- data.frame(pred = r$pred, se = r$se, ci_lb = r$ci_lb, ci_ub = r$ci_ub,
                    pi_lb = r$pi_lb, pi_ub = r$pi_ub)
  if (is.null(newmods)) rownames(out) <- object$slab
  if (!is.null(transf)) {
    if (!is.function(transf)) abort_input("`transf` must be a function.", "transf")
    for (col in c("pred", "ci_lb", "ci_ub", "pi_lb", "pi_ub")) out[[col]] <- transf(out[[col]])
    out$se <- NA_real_
  }
  structure(out, X = Xn)
}

#' Compare nested meta-regressions, or test linear combinations of coefficients
#'
#' With two fits: the likelihood-ratio test of the smaller model against the
#' larger (both fitted by ML, or by REML with the same fixed effects), with the
#' change in tau^2 and the pseudo-R^2, as metafor's `anova(fit1, fit2)`. With one
#' fit and `L` (or `X`): the Wald test of `L beta = 0` (chi-square, or F for
#' t-based fits), with each combination's estimate and test; with `btt`: the
#' omnibus test of those coefficients.
#'
#' @param object A `metapool_reg` fit.
#' @param object2 Optional second fit on the same studies (nested).
#' @param L,X A matrix (or vector) of linear combinations, one row per
#'   combination, one column per coefficient (`X` is metafor's name for it).
#' @param btt Coefficients (numbers or names) for an omnibus Wald test.
#' @param ... Unused.
#' @return An `mp_anova` object: a list with the test statistic, its degrees of
#'   freedom and p-value; for model comparisons also the log-likelihoods, AIC,
#'   the two tau^2 and R^2; for `L` a data frame of the combinations.
#' @examples
#' es <- es_rr(tpos, tpos + tneg, cpos, cpos + cneg, data = bcg)
#' full <- metapool(es, mods = ~ ablat + year, data = bcg, method = "ML")
#' reduced <- metapool(es, mods = ~ ablat, data = bcg, method = "ML")
#' anova(full, reduced)
#' anova(full, L = c(0, 1, -1))
#' @export
anova.metapool_reg <- function(object, object2 = NULL, L = NULL, X = NULL, btt = NULL, ...) {
  if (!is.null(object2)) return(compare_nested(object, object2))
  L <- L %||% X
  if (!is.null(btt)) {
    idx <- resolve_btt(btt, object$X)
    L <- diag(object$p_coef)[idx, , drop = FALSE]
  }
  if (is.null(L)) {
    return(structure(list(type = "omnibus", stat = object$QM, df = object$QM_df, p = object$QM_p,
                          btt = object$btt), class = "mp_anova"))
  }
  if (is.null(dim(L))) L <- matrix(L, nrow = 1L)
  if (!is.numeric(L) || ncol(L) != object$p_coef || anyNA(L)) {
    abort_input(sprintf("`L` must be a numeric matrix with %d columns (one per coefficient).",
                        object$p_coef), "L")
  }
  storage.mode(L) <- "double"
  df <- if (object$ci_method == "z") NA_real_ else object$df
  w <- cpp_wald_test(object$beta, object$vb, L, df)
  stat <- w$estimate / w$se
  p <- if (is.na(df)) 2 * stats::pnorm(-abs(stat)) else 2 * stats::pt(-abs(stat), df)
  rows <- data.frame(estimate = w$estimate, se = w$se, stat = stat, p = p)
  structure(list(type = "wald", stat = w$stat, df = c(w$df1, w$df2), p = w$p, L = L,
                 combinations = rows), class = "mp_anova")
}

compare_nested <- function(a, b) {
  if (!inherits(b, "metapool") || !b$settings$engine %in% c("iv", "metareg") ||
      !is.null(b$subgroups)) {
    abort_input("`object2` must be an inverse-variance fit or meta-regression of the same studies (without subgroups).", "object2")
  }
  if (a$k != b$k || !isTRUE(all.equal(a$yi, b$yi)) || !isTRUE(all.equal(a$vi, b$vi))) {
    abort_input("The two models are not fitted to the same studies.", "object2")
  }
  if (a$method != b$method || !a$method %in% c("ML", "REML", "FE")) {
    abort_input("Likelihood-ratio tests need both models fitted by the same method: \"ML\", \"REML\" or \"FE\".", "object2")
  }
  pa <- n_coef(a)
  pb <- n_coef(b)
  if (pa == pb) abort_input("The two models have the same number of coefficients; they are not nested.", "object2")
  full <- if (pa > pb) a else b
  reduced <- if (pa > pb) b else a
  reml <- a$method == "REML"
  if (reml && !identical(unname(design_of(full)), unname(design_of(reduced)))) {
    warn_metapool("REML likelihoods of models with different fixed effects are not comparable; refit both with method = \"ML\".", "reml_lrt")
  }
  ll <- function(f) if (inherits(f, "metapool_reg")) f$loglik[[if (reml) "REML" else "ML"]] else
    metapool_loglik(f, reml)
  ll_full <- ll(full)
  ll_red <- ll(reduced)
  lrt <- max(0, 2 * (ll_full - ll_red))
  df <- abs(pa - pb)
  random <- a$method != "FE"
  npar <- function(f) n_coef(f) + random
  aic <- function(f, l) -2 * l + 2 * npar(f)
  r2 <- if (random && reduced$tau2 > 0) max(0, 100 * (reduced$tau2 - full$tau2) / reduced$tau2) else NA_real_
  structure(list(type = "lrt", stat = lrt, df = df, p = stats::pchisq(lrt, df, lower.tail = FALSE),
                 loglik = c(full = ll_full, reduced = ll_red),
                 AIC = c(full = aic(full, ll_full), reduced = aic(reduced, ll_red)),
                 tau2 = c(full = full$tau2, reduced = reduced$tau2), R2 = r2,
                 QE = c(full = full$Q, reduced = reduced$Q)), class = "mp_anova")
}

n_coef <- function(f) if (inherits(f, "metapool_reg")) f$p_coef else 1L
design_of <- function(f) if (inherits(f, "metapool_reg")) f$X else matrix(1, f$k, 1)

# Log-likelihood of an intercept-only inverse-variance fit as metafor reports it: the
# same studies through the meta-regression engine with the intercept as the design.
metapool_loglik <- function(f, reml) {
  studies <- f$data
  studies$subgroup <- NULL
  studies$design <- list(X = matrix(1, f$k, 1, dimnames = list(NULL, "intrcpt")))
  settings <- f$settings
  settings$engine <- "metareg"
  settings$btt <- NULL
  fit_metareg(studies, settings)$loglik[[if (reml) "REML" else "ML"]]
}

#' @export
print.mp_anova <- function(x, digits = 4, ...) {
  if (x$type == "lrt") {
    tab <- data.frame(df = c(NA, NA), AIC = format_num(x$AIC, digits), logLik = format_num(x$loglik, digits),
                      QE = format_num(x$QE, digits), tau2 = format_num(x$tau2, digits),
                      row.names = c("Full", "Reduced"))
    tab$df <- NULL
    print(tab)
    cat(sprintf("\nLikelihood-ratio test: LRT = %s on %d df, %s\n", format_num(x$stat, digits),
                as.integer(x$df), p_text(x$p)))
    if (!is.na(x$R2)) cat(sprintf("Pseudo-R^2 of the added moderators: %s%%\n", format_num(x$R2, 2)))
  } else {
    if (x$type == "wald") {
      comb <- x$combinations
      print(data.frame(estimate = format_num(comb$estimate, digits), se = format_num(comb$se, digits),
                       stat = format_num(comb$stat, digits), p = format_p(comb$p)))
      cat("\n")
    }
    if (is.na(x$df[2L])) {
      cat(sprintf("Wald test: QM(df = %d) = %s, %s\n", as.integer(x$df[1L]), format_num(x$stat, digits), p_text(x$p)))
    } else {
      cat(sprintf("Wald test: F(df1 = %d, df2 = %d) = %s, %s\n", as.integer(x$df[1L]),
                  as.integer(x$df[2L]), format_num(x$stat, digits), p_text(x$p)))
    }
  }
  invisible(x)
}

# The permutation test of a meta-regression (metapool_permutest() for these fits): the
# rows of the design matrix are permuted, as metafor's permutest() does, and the model
# refitted in the core. Random permutations are drawn as metafor draws them.
permutest_metareg <- function(fit, iter, exact) {
  X <- fit$X
  k <- fit$k
  ord <- do.call(order, as.data.frame(X))
  Xs <- X[ord, , drop = FALSE]
  key <- apply(Xs, 1L, paste, collapse = "\r")
  counts <- table(factor(key, levels = unique(key)))
  n_exact <- exp(lfactorial(k) - sum(lfactorial(as.numeric(counts))))
  exact <- if (is.null(exact)) n_exact <= iter else chk_flag(exact, "exact")
  if (exact && n_exact > 1e6) abort_input("An exact permutation test would need more than a million refits; use `exact = FALSE`.", "exact")
  if (exact) {
    perm <- unique_permutations(match(key, unique(key)))
  } else {
    set.seed(as.integer(stats::runif(1) * 2e9))
    perm <- vapply(seq_len(iter), function(i) sample(k), integer(k))
    perm <- perm[, -1L, drop = FALSE]
  }
  dist <- cpp_metareg_permutations(fit$yi, fit$vi, Xs, perm - 1L,
                                   engine_options(fit$settings, tau2_ci = "none"), fit$btt - 1L)
  if (!exact) dist <- cbind(c(fit$QM, fit$stat), dist)
  tol <- sqrt(.Machine$double.eps)
  p_coef <- rowMeans(abs(dist[-1L, , drop = FALSE]) >= abs(fit$stat) - tol, na.rm = TRUE)
  structure(list(statistic = fit$QM, p = mean(dist[1L, ] >= fit$QM - tol, na.rm = TRUE),
                 p_model = fit$QM_p, coef_stat = fit$stat, coef_p = stats::setNames(p_coef, names(fit$beta)),
                 coef_p_model = fit$p, iter = ncol(dist), exact = exact,
                 distribution = t(dist), stat_name = stat_label(fit)),
            class = c("mp_permutest_reg", "mp_permutest"))
}

# All distinct orderings of a multiset given as integer codes (one per column).
unique_permutations <- function(codes) {
  out <- list()
  rec <- function(prefix, remaining) {
    if (!length(remaining)) {
      out[[length(out) + 1L]] <<- prefix
      return(invisible())
    }
    for (v in unique(remaining)) {
      rec(c(prefix, v), remaining[-match(v, remaining)])
    }
  }
  rec(integer(0), codes)
  vals <- do.call(cbind, out)
  # Map each arrangement of codes back to row indices of the sorted design.
  apply(vals, 2L, function(v) {
    idx <- integer(length(v))
    for (cd in unique(codes)) idx[v == cd] <- which(codes == cd)
    idx
  })
}

#' @export
print.mp_permutest_reg <- function(x, digits = 4, ...) {
  cat(sprintf("%s permutation test of the moderators (%d permutations)\n",
              if (x$exact) "Exact" else "Approximate", x$iter))
  cat(sprintf("Omnibus: QM = %s, permutation %s (model-based %s)\n\n", format_num(x$statistic, digits),
              p_text(x$p), p_text(x$p_model)))
  print(data.frame(stat = format_num(x$coef_stat, digits), p_perm = format_p(x$coef_p),
                   p_model = format_p(x$coef_p_model), row.names = names(x$coef_p)))
  invisible(x)
}

#' Bubble plot of a meta-regression
#'
#' The study effects against one moderator, with points sized by their weight
#' in the fit, the fitted line, its confidence band and (for random-effects
#' fits) the prediction band; other moderators are held at their means (or, for
#' factor columns, at 0).
#'
#' @param fit A `metapool_reg` fit.
#' @param mod The moderator on the horizontal axis: a column name or number of
#'   the design matrix (default: the first column that is not the intercept).
#' @param transf Optional function for the vertical axis (e.g. `exp`).
#' @param pi Draw the prediction band.
#' @param xlab,ylab Axis labels.
#' @param ... Passed to [graphics::plot()].
#' @return The fitted line as a data frame (invisibly).
#' @examples
#' es <- es_rr(tpos, tpos + tneg, cpos, cpos + cneg, data = bcg)
#' bubble_plot(metapool(es, mods = ~ ablat, data = bcg), transf = exp)
#' @export
bubble_plot <- function(fit, mod = NULL, transf = NULL, pi = TRUE, xlab = NULL, ylab = NULL, ...) {
  if (!inherits(fit, "metapool_reg")) abort_input("`fit` must be a meta-regression (metapool(..., mods = )).", "fit")
  X <- fit$X
  cols <- which(colnames(X) != "intrcpt")
  if (!length(cols)) abort_input("The model has no moderator to plot.", "fit")
  j <- if (is.null(mod)) cols[1L] else if (is.character(mod)) match(mod, colnames(X)) else as.integer(mod)
  if (length(j) != 1L || is.na(j) || !j %in% cols) {
    abort_input(sprintf("`mod` must name a moderator column: %s.", paste(colnames(X)[cols], collapse = ", ")), "mod")
  }
  f <- transf %||% identity
  x <- X[, j]
  grid <- seq(min(x), max(x), length.out = 100L)
  Xn <- matrix(colMeans(X), length(grid), ncol(X), byrow = TRUE)
  Xn[, j] <- grid
  pr <- predict.metapool_reg(fit, newmods = Xn)
  size <- sqrt(fit$weights / max(fit$weights))
  ylim <- range(f(c(fit$yi, pr$ci_lb, pr$ci_ub, if (pi) c(pr$pi_lb, pr$pi_ub))), na.rm = TRUE)
  graphics::plot(x, f(fit$yi), cex = 0.5 + 2.5 * size, pch = 21, bg = "grey80", col = "grey30",
                 ylim = ylim, xlab = xlab %||% colnames(X)[j],
                 ylab = ylab %||% if (is.null(transf)) "Effect" else "Effect (transformed)", ...)
  if (pi && !fit$method %in% "FE") {
    graphics::lines(grid, f(pr$pi_lb), lty = 3)
    graphics::lines(grid, f(pr$pi_ub), lty = 3)
  }
  graphics::lines(grid, f(pr$ci_lb), lty = 2)
  graphics::lines(grid, f(pr$ci_ub), lty = 2)
  graphics::lines(grid, f(pr$pred), lwd = 2)
  invisible(data.frame(x = grid, pr))
}

#' @export
forest_plot.metapool_reg <- function(x, ...) {
  abort_not_defined("A forest plot", x,
                    "bubble_plot() shows the studies against a moderator with the fitted line")
}

#' @export
funnel_plot.metapool_reg <- function(x, ...) {
  abort_not_defined("A funnel plot", x,
                    "draw it from the fit without moderators, or test with smallstudy_test(fit)")
}

# metapool_batch(..., mods = ): many meta-regressions with the same moderator columns,
# one per group of the long layout (cleaned by batch_clean(), design rows in long$X), in
# one C++ call.
metareg_batch <- function(long, settings, threads, btt) {
  X <- long$X
  btt <- resolve_btt(btt, X)
  res <- cpp_metareg_groups(long$yi, long$vi, X, long$starts,
                            engine_options(settings, tau2_ci = "none"), btt - 1L, threads)
  p <- ncol(X)
  nm <- colnames(X)
  if (any(res[, 8] == 2, na.rm = TRUE)) {
    warn_metapool(sprintf("%d of %d fits: %s", sum(res[, 8] == 2, na.rm = TRUE), nrow(res),
                          "The tau^2 estimator failed to converge even by bracketing; the DerSimonian-Laird estimate is used instead."),
                  "convergence")
  }
  out <- data.frame(group = long$group, k = as.integer(res[, 1]), tau2 = res[, 2], QM = res[, 3],
                    QM_p = res[, 4], QE = res[, 5], QE_p = res[, 6], I2 = res[, 7],
                    converged = res[, 8] < 2)
  coefs <- res[, 8 + seq_len(3 * p), drop = FALSE]
  colnames(coefs) <- c(paste0("b_", nm), paste0("se_", nm), paste0("p_", nm))
  cbind(out, as.data.frame(coefs, optional = TRUE))
}
