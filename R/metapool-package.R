#' metapool: fast, validated meta-analysis with a C++ engine
#'
#' Effect sizes from study summaries ([es_smd()], [es_md()], [es_rr()],
#' [es_or()], [es_rd()]), numbers needed to treat ([nnt_ci()]), and pooling:
#' inverse-variance fixed and random effects with every common tau^2
#' estimator ([metapool()], [tau2_methods]) and Mantel-Haenszel and Peto
#' pooling of 2x2 tables ([metapool_mh()]). The numerical
#' work is done by a C++ core; the R functions validate input, handle missing
#' values and build S3 objects. Every function has a `preset` that selects the
#' defaults reproducing either 'metafor' (`"metafor"`) or Review Manager 5
#' (`"revman5"`).
#'
#' @keywords internal
#' @docType package
#' @name metapool-package
#' @aliases metapool-package
#' @useDynLib metapool, .registration = TRUE
#' @importFrom Rcpp sourceCpp
#' @importFrom stats na.fail na.omit na.pass coef confint nobs predict residuals vcov weights
NULL
