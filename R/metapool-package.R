#' metapool: fast, validated meta-analysis with a C++ engine
#'
#' Effect sizes from study summaries ([es_smd()], [es_md()], [es_rr()],
#' [es_or()], [es_rd()]) and numbers needed to treat ([nnt()]). The numerical
#' work is done by a C++ core; the R functions validate input, handle missing
#' values and build S3 objects. Every function has a `preset` that selects the
#' defaults reproducing either 'metafor' (`"metafor"`) or Review Manager 5
#' (`"revman5"`).
#'
#' @keywords internal
#' @useDynLib metapool, .registration = TRUE
#' @importFrom Rcpp sourceCpp
#' @importFrom stats na.fail na.omit na.pass
"_PACKAGE"
