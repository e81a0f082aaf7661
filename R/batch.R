# Many meta-analyses in one C++ call: metapool_batch(), and the engines that refit a
# model many times (GOSH, leave-one-out, cumulative, influence, permutation,
# bootstrap). All go through the same pooling engine as metapool().

#' Pool many meta-analyses at once
#'
#' Pools every group of studies in one C++ call and returns one row per group.
#' Each row is exactly what [metapool()] gives for that group with the same
#' options; the groups are spread over `threads` OpenMP threads.
#'
#' Three layouts are accepted:
#' * a long data frame `data` with columns for the effects, their variances (or
#'   standard errors) and the grouping variable `by`;
#' * matrices `yi` and `vi` (or `sei`) with one meta-analysis per column
#'   (missing cells allowed with `na.action = "na.omit"`, for meta-analyses of
#'   different sizes);
#' * a list of data frames (or lists, or `mp_es` objects), each with `yi` and
#'   `vi` (or `sei`), given as `data`.
#'
#' Besides the tau^2 estimators of [metapool()], `method = "bayes"` gives
#' Bayesian random-effects fits (see [metapool_bayes()]) with the priors
#' `tau_prior` and `mu_prior`, for simulation studies of small-k coverage.
#'
#' @param data A data frame (long layout) or a list of meta-analyses.
#' @param yi,vi,sei Effects and variances (or standard errors): columns of
#'   `data` for the long layout, or matrices.
#' @param by Grouping variable of the long layout.
#' @inheritParams metapool
#' @param tau2_ci Confidence interval for tau^2: `"QP"` (Q-profile, the
#'   default), `"PL"` (profile likelihood, ML and REML), or `"none"` to skip it
#'   (`tau2_lb` and `tau2_ub` are then `NA`; a simulation study that does not
#'   look at them saves most of the time of a DerSimonian-Laird fit).
#' @param prediction Compute the prediction interval (`pi_lb`, `pi_ub`)?
#'   `FALSE` skips it (the columns are then `NA`).
#' @param columns The result columns to compute and return (besides `group`
#'   and `k`): `NULL` for all of them, or a subset of `estimate`, `se`, `stat`,
#'   `p`, `ci_lb`, `ci_ub`, `pi_lb`, `pi_ub`, `tau2`, `tau2_lb`, `tau2_ub`,
#'   `I2`, `H2`, `Q`, `Q_p`, `converged`, `iterations`. Columns left out cost
#'   no memory, and intervals nobody asked for are not computed.
#' @param mods Optional moderators, for a meta-regression in every group (long
#'   layout only): a one-sided formula evaluated in `data`, or a numeric matrix
#'   with one row per row of `data`. The result then has one row per group with
#'   `k`, `tau2`, `QM`, `QM_p`, `QE`, `QE_p`, `I2`, `converged` and, per
#'   coefficient, `b_`, `se_` and `p_` columns.
#' @param btt With `mods`: the coefficients of the omnibus test (default all but
#'   the intercept).
#' @param threads Number of OpenMP threads (default 1). At most 2 are used
#'   during `R CMD check`. Results are identical for any number of threads.
#' @param tau_prior,mu_prior With `method = "bayes"`: the priors of
#'   [metapool_bayes()]. Each group gets the Bayesian fit: `estimate` is the
#'   posterior median of mu, `se` its posterior SD, `ci_lb`/`ci_ub` and
#'   `pi_lb`/`pi_ub` central credible and predictive intervals, `tau2` the
#'   posterior median of tau^2 with the squared central interval of tau,
#'   `p_below` the posterior probability that mu < 0, `converged` whether the
#'   posterior was proper and its integral converged; `stat`, `p`, `I2`, `H2`,
#'   `Q`, `Q_p` are NA. A prior given as an R function runs on one thread.
#' @param progress Show a progress bar for jobs taking more than two seconds
#'   (default: in interactive sessions). With a [future::plan()] set, progress
#'   is reported through \pkg{progressr} (wrap the call in
#'   `progressr::with_progress()`).
#' @section Many machines: When \pkg{future.apply} is installed and a
#'   [future::plan()] other than `sequential` is set (`multisession`,
#'   `cluster`, or `future.batchtools` on an HPC scheduler), the analyses are
#'   split into chunks of consecutive groups that run on the plan's workers
#'   (each with `threads` threads), and the pieces are put back in order. The
#'   result is identical to the one from a single process.
#' @return A data frame with one row per meta-analysis: `group`, `k`,
#'   `estimate`, `se`, `ci_lb`, `ci_ub`, `pi_lb`, `pi_ub`, `stat`, `p`, `tau2`,
#'   `tau2_lb`, `tau2_ub`, `I2`, `H2`, `Q`, `Q_p`, `converged`, `iterations`
#'   (only those in `columns` when it is given).
#' @seealso [metapool()]; [metapool_gosh()], [metapool_leave1out()],
#'   [metapool_permutest()], [metapool_bootstrap()]; the vignette
#'   `vignette("simulation-study", package = "metapool")`.
#' @examples
#' # 2,000 simulated meta-analyses of 10 studies each
#' set.seed(1)
#' sim <- data.frame(study = rep(1:10, 2000), rep = rep(1:2000, each = 10))
#' sim$vi <- runif(nrow(sim), 0.02, 0.2)
#' sim$yi <- rnorm(nrow(sim), 0.3, sqrt(sim$vi + 0.05))
#' res <- metapool_batch(sim, yi, vi, by = rep, method = "DL", ci_method = "hksj")
#' head(res)
#' mean(res$ci_lb < 0.3 & res$ci_ub > 0.3)  # coverage of the HKSJ interval
#'
#' # Only what the simulation needs, from matrices (one analysis per column)
#' y <- matrix(sim$yi, nrow = 10)
#' v <- matrix(sim$vi, nrow = 10)
#' lean <- metapool_batch(yi = y, vi = v, method = "DL", ci_method = "hksj",
#'                        tau2_ci = "none", prediction = FALSE,
#'                        columns = c("estimate", "ci_lb", "ci_ub", "tau2"))
#' all.equal(lean$ci_lb, res$ci_lb)
#' @export
metapool_batch <- function(data = NULL, yi, vi = NULL, sei = NULL, by = NULL,
                           method = "REML", tau2 = NULL, ci_method = "z",
                           pi_method = "t_k2", tau2_ci = "QP", prediction = TRUE, columns = NULL,
                           level = 95, control = list(), threads = 1L,
                           progress = interactive(), na.action = "na.fail",
                           tau_prior = prior_half_normal(0.5), mu_prior = "uniform",
                           mods = NULL, btt = NULL) {
  env <- parent.frame()
  bayes <- identical(method, "bayes")
  settings <- if (bayes) {
    bayes_settings(tau_prior, mu_prior, level, "central", NULL, "lower", FALSE, control)
  } else {
    iv_settings(method, tau2, ci_method, pi_method, tau2_ci, FALSE, level, control)
  }
  prediction <- chk_flag(prediction, "prediction")
  columns <- batch_column_choice(columns)
  threads <- resolve_threads(threads)
  if (is.list(data) && !is.data.frame(data)) {
    long <- batch_from_list(data)
  } else {
    # The call as written when every argument is named in full (match.call() costs more
    # than a small batch); see metapool().
    mc <- sys.call()
    given <- names(mc)[-1L]
    if (is.null(given) || !all(given %in% batch_arguments)) mc <- match.call()
    args <- study_arguments(c("yi", "vi", "sei", "by"), data, env, optional = TRUE, call = mc)
    long <- if (is.matrix(args$yi)) batch_from_matrix(args) else batch_from_long(args)
  }
  if (!is.null(mods)) {
    if (bayes || is.null(long$by)) {
      abort_input("`mods` needs the long layout (`by`) and a tau^2 method other than \"bayes\".", "mods")
    }
    long$X <- moderator_design(mods, data, env, length(long$yi))$X
  }
  opts <- if (!bayes) {
    engine_options(settings, prediction = prediction, weights = FALSE, columns = columns)
  }
  if (is.null(long$by) && is.null(long$X) && !bayes && !future_active()) {
    res <- pool_matrix_checked(long, opts, na.action, threads, progress)
    if (!is.null(res)) return(batch_frame(res, group = long$group, columns = c("k", columns)))
  }
  long <- batch_clean(long, na.action, threads)
  if (!is.null(long$X)) return(metareg_batch(long, settings, threads, btt))
  if (bayes) return(bayes_batch(long, settings, threads))
  res <- if (future_active()) {
    run_future(group_pieces(long$yi, long$vi, group_starts(long)), "groups", opts, threads,
               progress)
  } else {
    cpp_pool_groups(long$yi, long$vi, long$starts, long$size %||% 0L, opts, threads,
                    isTRUE(progress))
  }
  batch_frame(res, group = long$group, columns = c("k", columns))
}

batch_arguments <- names(formals(metapool_batch))

batch_column_choice <- function(columns) {
  if (is.null(columns)) return(batch_columns[-1L])
  if (!is.character(columns) || !length(columns) || anyNA(columns)) {
    abort_input("`columns` must be NULL or names of result columns.", "columns")
  }
  known <- match(columns, batch_columns, 0L)
  if (any(known == 0L)) {
    bad <- unique(columns[known == 0L])
    abort_input(sprintf("`columns` has unknown column%s %s; choose from %s.",
                        if (length(bad) > 1L) "s" else "", paste0("\"", bad, "\"", collapse = ", "),
                        paste(batch_columns[-1L], collapse = ", ")), "columns")
  }
  batch_columns[batch_columns %in% columns & batch_columns != "k"]
}

batch_from_long <- function(args) {
  if (is.null(args$yi)) abort_input("`yi` is missing.", "yi")
  if (is.null(args$by)) abort_input("`by` is missing: name the column that identifies each meta-analysis.", "by")
  list(yi = chk_numeric_vector(args$yi, "yi"), vi = effect_variances(args$vi, args$sei),
       by = args$by)
}

# Matrices stay matrices (no copy, no grouping vector): column j is analysis j.
batch_from_matrix <- function(args) {
  if (!is.null(args$by)) abort_input("`by` is not used with matrices: each column is one meta-analysis.", "by")
  v <- args$vi %||% args$sei
  if (!is.matrix(v) || !identical(dim(v), dim(args$yi))) {
    abort_input("With a matrix `yi`, `vi` (or `sei`) must be a matrix of the same dimensions.", "vi")
  }
  numeric_matrix <- function(x, nm) {
    if (!is.numeric(x)) abort_input(sprintf("`%s` must be a numeric matrix.", nm), nm)
    if (!is.double(x)) storage.mode(x) <- "double"
    x
  }
  vi <- if (is.null(args$vi)) {
    sei <- numeric_matrix(args$sei, "sei")
    chk_at_least(sei, 0, "sei", "must be positive", strict = TRUE)
    sei^2
  } else {
    numeric_matrix(args$vi, "vi")
  }
  list(yi = numeric_matrix(args$yi, "yi"), vi = vi,
       group = colnames(args$yi) %||% seq_len(ncol(args$yi)))
}

batch_from_list <- function(data) {
  if (!length(data)) abort_input("`data` is an empty list.", "data")
  parts <- lapply(seq_along(data), function(i) {
    d <- data[[i]]
    if (!is.list(d) || is.null(d$yi) || (is.null(d$vi) && is.null(d$sei))) {
      abort_input(sprintf("Element %d of `data` needs `yi` and `vi` (or `sei`).", i), "data")
    }
    list(yi = chk_numeric_vector(d$yi, "yi"), vi = effect_variances(d$vi, d$sei))
  })
  group <- names(data) %||% seq_along(data)
  list(yi = unlist(lapply(parts, `[[`, "yi"), use.names = FALSE),
       vi = unlist(lapply(parts, `[[`, "vi"), use.names = FALSE),
       by = rep(group, vapply(parts, function(p) length(p$yi), integer(1))))
}

# Matrices (the simulation layout) checked while they are fitted: one read of the input,
# shared by the threads, instead of a read to check it before the fits (for lean fits
# that read costs as much as the fits, and more threads do not make it faster). NULL
# when the input is not valid as it stands or with its missing values omitted as
# `na.action` says: batch_clean() then says what is wrong (or cleans what it may).
pool_matrix_checked <- function(long, opts, na.action, threads, progress) {
  policy <- na_policy(na.action)
  if (policy == "pass" || !length(long$yi)) return(NULL)
  res <- cpp_pool_groups(long$yi, long$vi, NULL, nrow(long$yi), opts, threads,
                         isTRUE(progress), scan = TRUE, omit_missing = policy != "fail")
  input <- res$input  # studies complete, missing, refused (see InputScan in the core)
  if (input[1L] == 0 || input[3L] > 0 || (input[2L] > 0 && policy == "fail")) return(NULL)
  res$input <- NULL
  res
}

# Validate, apply the NA policy, and sort by group (first-appearance order): the
# studies of group g are positions starts[g] + 1 to starts[g + 1]. Matrices (no `by`)
# keep every column as a row of the result, with k = 0 if all its cells are missing;
# a matrix without missing cells has groups of `size` studies and no `starts`.
batch_clean <- function(long, na.action, threads = 1L) {
  matrices <- is.null(long$by)
  if (!matrices) chk_same_length(list(yi = long$yi, vi = long$vi, by = long$by))
  policy <- na_policy(na.action)
  if (policy == "pass") abort_input("`na.action = \"na.pass\"` cannot be used for pooling.", "na.action")
  missing_mods <- if (anyNA(long$X)) !stats::complete.cases(long$X)
  # One pass over each array (simulation inputs hold 10^7 values), on the batch's threads:
  # its range and how many values are not missing; the rows at fault are only looked for
  # when there are some.
  ry <- cpp_value_range(long$yi, threads)
  rv <- cpp_value_range(long$vi, threads)
  if (ry[3L] < length(long$yi) || rv[3L] < length(long$vi) || anyNA(long$by) ||
      any(missing_mods)) {
    missing_row <- is.na(long$yi) | is.na(long$vi)
    if (!matrices) missing_row <- missing_row | is.na(long$by)
    if (!is.null(missing_mods)) missing_row <- missing_row | missing_mods
    if (policy == "fail") {
      rows <- list(yi = is.na(long$yi), vi = is.na(long$vi), by = is.na(long$by),
                   mods = missing_mods)
      nm <- names(Filter(any, rows))[1L]
      abort_input(sprintf("`%s` has missing values (%s). Set `na.action = \"na.omit\"` to drop them.",
                          nm, describe_rows(as.vector(rows[[nm]]))), nm)
    }
    keep <- !missing_row
    if (matrices) {
      long$starts <- c(0, cumsum(colSums(keep)))
      keep <- as.vector(keep)
    }
    long$yi <- long$yi[keep]
    long$vi <- long$vi[keep]
    if (!matrices) long$by <- long$by[keep]
    if (!is.null(long$X)) long$X <- long$X[keep, , drop = FALSE]
    ry <- cpp_value_range(long$yi, threads)
    rv <- cpp_value_range(long$vi, threads)
  }
  if (!length(long$yi)) abort_input("No studies to pool.")
  chk_effects(long$yi, long$vi, ry, rv)
  if (matrices) {
    return(list(yi = long$yi, vi = long$vi, group = long$group, starts = long$starts,
                size = if (is.null(long$starts)) nrow(long$yi)))
  }
  by <- long$by
  n <- length(by)
  if (is.numeric(by) && !is.unsorted(by)) {
    # Already in runs (the usual simulation layout): the runs are the groups.
    first <- c(1L, which(by[-1L] != by[-n]) + 1L)
    return(list(yi = long$yi, vi = long$vi, group = by[first], starts = c(first - 1, n),
                X = long$X))
  }
  group <- unique(by)
  gid <- match(by, group)
  if (is.unsorted(gid)) {
    o <- order(gid)
    long$yi <- long$yi[o]
    long$vi <- long$vi[o]
    if (!is.null(long$X)) long$X <- long$X[o, , drop = FALSE]
    gid <- gid[o]
  }
  list(yi = long$yi, vi = long$vi, group = group,
       starts = c(0, cumsum(tabulate(gid, nbins = length(group)))), X = long$X)
}

# The group boundaries of a cleaned batch (see batch_clean()).
group_starts <- function(long) {
  long$starts %||% (as.numeric(long$size) * (0:length(long$group)))
}

# Threads: a positive whole number; never more than 2 under R CMD check, nor more than
# the machine has.
resolve_threads <- function(threads) {
  if (!is.numeric(threads) || length(threads) != 1L || is.na(threads) || threads < 1 ||
      threads != round(threads)) {
    abort_input("`threads` must be a positive whole number.", "threads")
  }
  limit <- Sys.getenv("_R_CHECK_LIMIT_CORES_", "")
  if (nzchar(limit) && !identical(tolower(limit), "false")) threads <- min(threads, 2)
  # detectCores() runs a shell command on some systems: asked once per session.
  if (is.null(registered$cores)) registered$cores <- parallel::detectCores()
  if (!is.na(registered$cores)) threads <- min(threads, registered$cores)
  as.integer(threads)
}

batch_columns <- c("k", "estimate", "se", "ci_lb", "ci_ub", "pi_lb", "pi_ub", "stat", "p",
                   "tau2", "tau2_lb", "tau2_ub", "I2", "H2", "Q", "Q_p", "converged",
                   "iterations")

batch_frame <- function(res, group = NULL, columns = batch_columns) {
  raise_notes(res$notes)
  out <- res[match(columns, names(res), 0L)]  # the columns asked for that res has, in order
  if (!is.null(group)) out <- c(list(group = group), out)
  attr(out, "row.names") <- c(NA_integer_, -length(res$k))
  class(out) <- "data.frame"
  out
}

# A metapool fit that the refitting engines can use: inverse variance, no subgroups.
chk_batchable <- function(fit) {
  if (!inherits(fit, "metapool")) abort_input("`fit` must be a metapool() fit.", "fit")
  if (!identical(fit$settings$engine, "iv")) {
    abort_not_defined("Refitting (GOSH, leave-one-out, cumulative, influence, permutation, bootstrap)",
                      fit, if (inherits(fit, "metapool_reg"))
                        "metapool_permutest() permutes its moderators" else
                        "pool the study estimates by inverse variance with metapool() first")
  }
  if (!is.null(fit$subgroups)) {
    abort_not_defined("Refitting", fit, "use a fit without `subgroup`")
  }
  fit
}

# metapool_batch(method = "bayes"): one Bayesian fit per group in the C++ core.
bayes_batch <- function(long, settings, threads) {
  res <- cpp_bayes_groups(long$yi, long$vi, group_starts(long), core_tau_prior(settings$tau_prior),
                          core_mu_prior(settings$mu_prior), settings$control, settings$level,
                          0, threads)
  n <- length(res$k)
  na <- rep(NA_real_, n)
  bad <- res$status != "ok"
  if (any(bad)) {
    warn_metapool(sprintf(
      "%d of %d Bayesian fits gave no result (improper posterior or no convergence, e.g. %s with k = %d); their rows are NA.",
      sum(bad), n, res$status[bad][1L], res$k[bad][1L]), "convergence")
  }
  out <- list(group = long$group, k = res$k, estimate = res$mu_median, se = res$mu_sd,
              ci_lb = res$mu_lb, ci_ub = res$mu_ub, pi_lb = res$pi_lb, pi_ub = res$pi_ub,
              stat = na, p = na, tau2 = res$tau_median^2, tau2_lb = res$tau_lb^2,
              tau2_ub = res$tau_ub^2, I2 = na, H2 = na, Q = na, Q_p = na,
              converged = !bad, iterations = rep(NA_integer_, n), p_below = res$prob_below)
  structure(out, row.names = c(NA_integer_, -n), class = "data.frame")
}
