#' Estimators of the between-study variance
#'
#' The `method` argument of [metapool()] chooses how tau^2, the variance of the
#' true effects across studies, is estimated. The definitions are those of
#' `metafor::rma()`, so the numbers agree; all are truncated at zero.
#'
#' | method | estimator | reference |
#' |---|---|---|
#' | `"FE"` | none: common-effect (fixed-effect) model, tau^2 = 0 | |
#' | `"DL"` | DerSimonian-Laird method of moments | DerSimonian & Laird (1986) |
#' | `"DLIT"` | DerSimonian-Laird iterated to convergence | DerSimonian & Kacker (2007) |
#' | `"HE"` | Hedges' unweighted method of moments | Hedges (1983) |
#' | `"SJ"` | Sidik-Jonkman | Sidik & Jonkman (2005) |
#' | `"ML"` | maximum likelihood (Fisher scoring) | Hardy & Thompson (1996) |
#' | `"REML"` | restricted maximum likelihood (Fisher scoring; default) | Viechtbauer (2005) |
#' | `"EB"` | empirical Bayes (Morris' iteration) | Morris (1983) |
#' | `"HS"` | Hunter-Schmidt | Hunter & Schmidt (2004) |
#' | `"HSk"` | Hunter-Schmidt with a k / (k - 1) small-sample correction | Brannick et al. (2019) |
#' | `"PM"` | Paule-Mandel: generalised Q equal to k - 1 | Paule & Mandel (1982) |
#' | `"PMM"` | median-unbiased Paule-Mandel: generalised Q equal to its chi-square median | Viechtbauer (2021) |
#'
#' A value given as `tau2 = ` fixes tau^2 instead of estimating it.
#'
#' @section Iterative estimators:
#' ML, REML and EB use Fisher scoring (for EB, Morris' fixed-point step) from
#' the Hedges estimate, halving a step that would make tau^2 negative; when the
#' estimating equation is non-positive at zero the estimate is zero. DLIT
#' iterates the DerSimonian-Laird step. PM and PMM solve their estimating
#' equation with a safeguarded bracketing root finder (TOMS 748), with the
#' bracket found by doubling, so no upper limit on tau^2 is needed.
#'
#' If an iteration fails (no convergence within `control$max_iter` steps, or a
#' non-finite step), the root of the same estimating equation is found by
#' bracketing, and the fit records `tau2_status = "bracketed"`. If that fails
#' too, the DerSimonian-Laird estimate is used (`"fallback_dl"`). Both raise a
#' warning of class `metapool_warning_convergence`. For ML and REML, when the
#' likelihood at tau^2 = 0 exceeds that at the root found, tau^2 is set to 0
#' (`"boundary"`), with the same warning class.
#'
#' `control` takes `tol` (convergence tolerance on the change in tau^2,
#' relative to tau^2 or, when tau^2 is smaller, to the harmonic mean of the
#' sampling variances, so that it does not depend on the units of the effects;
#' default 1e-10), `max_iter` (default 1000), `tau2_init`
#' (starting value) and `step_adj` (step multiplier for Fisher scoring).
#'
#' @references
#' DerSimonian R, Laird N (1986). Meta-analysis in clinical trials.
#' *Controlled Clinical Trials*, 7, 177-188.
#'
#' DerSimonian R, Kacker R (2007). Random-effects model for meta-analysis of
#' clinical trials: an update. *Contemporary Clinical Trials*, 28, 105-114.
#'
#' Hedges LV (1983). A random effects model for effect sizes.
#' *Psychological Bulletin*, 93, 388-395.
#'
#' Sidik K, Jonkman JN (2005). Simple heterogeneity variance estimation for
#' meta-analysis. *Journal of the Royal Statistical Society C*, 54, 367-384.
#'
#' Hardy RJ, Thompson SG (1996). A likelihood approach to meta-analysis with
#' random effects. *Statistics in Medicine*, 15, 619-629.
#'
#' Viechtbauer W (2005). Bias and efficiency of meta-analytic variance
#' estimators in the random-effects model. *Journal of Educational and
#' Behavioral Statistics*, 30, 261-293.
#'
#' Morris CN (1983). Parametric empirical Bayes inference: theory and
#' applications. *Journal of the American Statistical Association*, 78, 47-55.
#'
#' Hunter JE, Schmidt FL (2004). *Methods of meta-analysis* (2nd ed.). Sage.
#'
#' Brannick MT, Potter SM, Benitez B, Morris SB (2019). Bias and precision of
#' alternate estimators in meta-analysis. *Organizational Research Methods*,
#' 22, 490-514.
#'
#' Paule RC, Mandel J (1982). Consensus values and weighting factors.
#' *Journal of Research of the National Bureau of Standards*, 87, 377-385.
#'
#' Viechtbauer W (2021). Median-unbiased estimators for the amount of
#' heterogeneity in meta-analysis. European Congress of Methodology.
#'
#' Viechtbauer W (2007). Confidence intervals for the amount of heterogeneity
#' in meta-analysis. *Statistics in Medicine*, 26, 37-52 (Q-profile interval).
#' @name tau2_methods
NULL

tau2_method_names <- c("REML", "FE", "DL", "DLIT", "HE", "SJ", "ML", "EB", "HS", "HSk",
                       "PM", "PMM")

method_labels <- c(
  FE = "Common-effect (fixed-effect) model", DL = "DerSimonian-Laird", DLIT = "iterated DerSimonian-Laird",
  HE = "Hedges", SJ = "Sidik-Jonkman", ML = "maximum likelihood", REML = "REML",
  EB = "empirical Bayes", HS = "Hunter-Schmidt", HSk = "Hunter-Schmidt (k-corrected)",
  PM = "Paule-Mandel", PMM = "median-unbiased Paule-Mandel", fixed = "fixed tau^2"
)
