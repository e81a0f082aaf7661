# Chunked execution of the batch engines through the future framework. When the user
# has set a future::plan() other than sequential, the fits are split into pieces of
# consecutive fits; future.apply runs the pieces on the plan's workers (multisession,
# cluster, future.batchtools, ...) and the results are put back in order. Every random
# number (bootstrap samples, permutation signs, random GOSH subsets) is drawn in the
# calling R session before the split, from the user's own stream, so a result does not
# depend on the plan, the number of workers or the size of the pieces: it is identical
# to the one-process result under the same set.seed(). The workers draw nothing.

# Is a parallel future plan set (and the packages to use it installed)? A plan is set
# through future, so with future not loaded only a plan given in the future.plan option
# or the R_FUTURE_PLAN variable can be; the common case costs no package lookup.
future_active <- function() {
  (isNamespaceLoaded("future") || !is.null(getOption("future.plan")) ||
     nzchar(Sys.getenv("R_FUTURE_PLAN"))) &&
    requireNamespace("future", quietly = TRUE) &&
    requireNamespace("future.apply", quietly = TRUE) &&
    !inherits(future::plan(), "sequential")
}

# 1..n split into runs of consecutive fits: a few per worker (for load balance and a
# progress bar that moves), none smaller than `min_size`.
piece_ranges <- function(n, min_size = 1000) {
  workers <- suppressWarnings(as.numeric(future::nbrOfWorkers()))
  if (!is.finite(workers) || workers < 1) workers <- 1
  m <- max(1, min(ceiling(n / min_size), 4 * workers))
  ends <- unique(round(seq(0, n, length.out = m + 1)))
  lapply(seq_len(length(ends) - 1L), function(i) c(ends[i] + 1, ends[i + 1L]))
}

# The pieces of a long batch: whole groups, with their studies and rebased starts.
group_pieces <- function(yi, vi, starts) {
  lapply(piece_ranges(length(starts) - 1L), function(r) {
    s <- starts[r[1]:(r[2] + 1)]
    rows <- seq.int(s[1] + 1, length.out = s[length(s)] - s[1])
    list(yi = yi[rows], vi = vi[rows], starts = s - s[1])
  })
}

# The pieces of a job whose replicates are the columns of a matrix of random draws.
column_pieces <- function(draws) {
  lapply(piece_ranges(ncol(draws)), function(r) draws[, r[1]:r[2], drop = FALSE])
}

# Runs one piece in a worker. `engine` names the C++ entry point; `fixed` holds what
# every piece shares (the studies, the fit's estimate and tau^2).
run_piece <- function(piece, engine, fixed, opts, threads) {
  switch(engine,
    groups = cpp_pool_groups(piece$yi, piece$vi, piece$starts, 0L, opts, threads, FALSE),
    subsets = cpp_pool_subsets(fixed$yi, fixed$vi, piece, FALSE, opts, threads, FALSE),
    signs = cpp_permutation(fixed$yi, fixed$vi, piece, FALSE, opts, threads, FALSE),
    exact = cpp_permutation(fixed$yi, fixed$vi, matrix(0, 0, 0), TRUE, opts, threads, FALSE,
                            piece[1] - 1, piece[2] - piece[1] + 1),
    parametric = cpp_bootstrap_parametric(fixed$vi, fixed$estimate, fixed$tau2, piece, opts,
                                          threads, FALSE),
    resample = cpp_bootstrap_resample(fixed$yi, fixed$vi, piece, opts, threads, FALSE)
  )
}

# The function the workers run; made here so that its environment holds only the
# progress signaller (a closure made inside run_future() would carry all the pieces).
piece_runner <- function(step) {
  function(piece, ...) {
    out <- run_piece(piece, ...)
    if (!is.null(step)) step()
    out
  }
}

# All pieces through future.apply, in order, combined as one engine call would return
# them: result columns concatenated (or one vector), fallback counts added.
run_future <- function(pieces, engine, opts, threads, progress, fixed = NULL) {
  step <- if (isTRUE(progress) && requireNamespace("progressr", quietly = TRUE)) {
    progressr::progressor(steps = length(pieces))
  }
  parts <- future.apply::future_lapply(pieces, piece_runner(step), engine = engine, fixed = fixed, opts = opts, threads = threads,
  future.seed = FALSE, future.packages = "metapool")
  if (!is.list(parts[[1L]])) return(unlist(parts, use.names = FALSE))
  out <- lapply(stats::setNames(nm = setdiff(names(parts[[1L]]), "notes")), function(nm) {
    unlist(lapply(parts, `[[`, nm), use.names = FALSE)
  })
  out$notes <- combine_notes(lapply(parts, `[[`, "notes"))
  out
}

# The pieces' notes as one engine call would report them: counts added per note.
combine_notes <- function(notes) {
  cls <- unlist(lapply(notes, `[[`, "class"))
  msg <- unlist(lapply(notes, `[[`, "message"))
  count <- unlist(lapply(notes, `[[`, "count"))
  total <- sum(unlist(lapply(notes, `[[`, "total")))
  if (!length(cls)) return(list(class = character(0), message = character(0)))
  key <- paste(cls, msg)
  first <- !duplicated(key)
  list(class = cls[first], message = msg[first],
       count = as.numeric(tapply(count, factor(key, levels = key[first]), sum)), total = total)
}
