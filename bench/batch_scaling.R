# The batch engine against its arithmetic floor (a plain-R vectorised
# DerSimonian-Laird over the same matrices) and against a loop of metafor::rma(), all in
# one R process; 1 and 2 threads; memory for 10^6 analyses. Writes its own section of
# bench/RESULTS.md (between the "batch-scaling" markers).
# Usage (from the package root, after `make install`): Rscript bench/batch_scaling.R
# (bench/run_all.R sources this file too, but only runs it when it is the script.)

# DerSimonian-Laird with a Wald interval for every column of yi / vi, in vectorised R:
# what a careful R programmer writes for a simulation study.
dl_floor <- function(yi, vi, level = 0.95) {
  k <- nrow(yi)
  w <- 1 / vi
  sw <- colSums(w)
  mu <- colSums(w * yi) / sw
  q <- colSums(w * yi^2) - sw * mu^2
  tau2 <- pmax(0, (q - (k - 1)) / (sw - colSums(w^2) / sw))
  ws <- 1 / (vi + rep(tau2, each = k))
  sws <- colSums(ws)
  est <- colSums(ws * yi) / sws
  se <- sqrt(1 / sws)
  crit <- stats::qnorm(1 - (1 - level) / 2)
  list(estimate = est, se = se, ci_lb = est - crit * se, ci_ub = est + crit * se, tau2 = tau2)
}

scaling_run <- function(n = 1e5, k = 15, reps = 31, n_metafor = 300, big = 1e6) {
  set.seed(1)
  vi <- matrix(stats::runif(n * k, 0.01, 0.5), k)
  yi <- matrix(stats::rnorm(n * k, 0.3, sqrt(vi + 0.1)), k)
  # seconds one evaluation takes (Sys.time() resolves microseconds, system.time() only
  # milliseconds: a lean batch of 10^5 analyses takes about 15 ms)
  elapsed <- function(f) {
    t0 <- Sys.time()
    f()
    as.numeric(Sys.time() - t0, units = "secs")
  }
  per_fit <- function(f, m = n, times = reps) {
    stats::median(vapply(seq_len(times), function(i) elapsed(f), 0)) / m * 1e6
  }
  lean <- c("estimate", "se", "ci_lb", "ci_ub", "tau2")
  batch <- function(method, threads, skip) {
    if (skip) {
      suppressWarnings(metapool::metapool_batch(yi = yi, vi = vi, method = method,
                                                tau2_ci = "none", prediction = FALSE,
                                                columns = lean, threads = threads,
                                                progress = FALSE))
    } else {
      suppressWarnings(metapool::metapool_batch(yi = yi, vi = vi, method = method,
                                                threads = threads, progress = FALSE))
    }
  }
  # the lean DL batch computes what the floor computes, to the last digits
  chk <- batch("DL", 1, TRUE)
  ref <- dl_floor(yi, vi)
  stopifnot(max(abs(chk$estimate - ref$estimate)) < 1e-10, max(abs(chk$tau2 - ref$tau2)) < 1e-10)

  load_before <- unname(utils::read.table("/proc/loadavg")[[1]])
  rows <- list()
  add <- function(task, threads, us, speedup = NA) {
    rows[[length(rows) + 1L]] <<- data.frame(task = task, threads = threads, us = us,
                                             speedup = speedup)
  }
  floor_us <- per_fit(function() dl_floor(yi, vi))
  add("plain-R vectorised DL (the floor)", 1, floor_us)
  for (method in c("DL", "REML")) {
    for (skip in c(TRUE, FALSE)) {
      # One and two threads in alternate runs, so that a slow spell of this shared
      # machine falls on both; the speed-up is the median of the runs' ratios.
      t <- t(vapply(seq_len(reps), function(i) {
        c(elapsed(function() batch(method, 1, skip)), elapsed(function() batch(method, 2, skip)))
      }, numeric(2)))
      task <- sprintf("metapool_batch(), %s, %s", method,
                      if (skip) "tau2_ci = \"none\", prediction = FALSE, 5 columns" else
                        "every output (default)")
      add(task, 1, stats::median(t[, 1]) / n * 1e6)
      add(task, 2, stats::median(t[, 2]) / n * 1e6, stats::median(t[, 1] / t[, 2]))
    }
  }
  # metafor: a loop of rma() over the first n_metafor analyses (try(): rma() stops on the
  # odd data set where its Fisher scoring fails)
  invisible(metafor::rma(yi[, 1], vi[, 1]))  # metafor loaded before its loop is timed
  for (method in c("DL", "REML")) {
    us <- per_fit(function() {
      for (j in seq_len(n_metafor)) {
        try(metafor::rma(yi[, j], vi[, j], method = method), silent = TRUE)
      }
    }, m = n_metafor, times = 1)
    add(sprintf("loop of metafor::rma(), %s", method), 1, us)
  }
  load_after <- unname(utils::read.table("/proc/loadavg")[[1]])
  res <- do.call(rbind, rows)

  # 10^6 analyses: time on one and two threads, and the peak memory beyond the input.
  rm(yi, vi, chk, ref)
  invisible(gc())
  set.seed(2)
  vb <- matrix(stats::runif(big * k, 0.01, 0.5), k)
  yb <- matrix(stats::rnorm(big * k, 0.3, sqrt(vb + 0.1)), k)
  input <- as.numeric(utils::object.size(yb) + utils::object.size(vb))
  big_rows <- list()
  for (spec in list(list("REML", FALSE), list("DL", TRUE))) {
    for (threads in 1:2) {
      invisible(gc(reset = TRUE))
      base <- sum(gc()[, 2])
      t <- system.time(out <- if (spec[[2]]) {
        metapool::metapool_batch(yi = yb, vi = vb, method = spec[[1]], tau2_ci = "none",
                                 prediction = FALSE, columns = lean, threads = threads,
                                 progress = FALSE)
      } else {
        suppressWarnings(metapool::metapool_batch(yi = yb, vi = vb, method = spec[[1]],
                                                  threads = threads, progress = FALSE))
      })[["elapsed"]]
      peak <- (sum(gc()[, 6]) - base) * 2^20
      big_rows[[length(big_rows) + 1L]] <- data.frame(
        task = sprintf("10^6 analyses, k = %d, %s, %s", k, spec[[1]],
                       if (spec[[2]]) "lean" else "every output"),
        threads = threads, seconds = t, memory = peak / input)
      rm(out)
    }
  }
  list(per_fit = res, big = do.call(rbind, big_rows), floor_us = floor_us,
       load = c(load_before, load_after), input_mb = input / 2^20, n = n, k = k, reps = reps)
}

scaling_section <- function(r) {
  f <- r$per_fit
  fmt <- function(x) formatC(x, digits = 3, format = "g")
  mf <- function(method) f$us[f$task == sprintf("loop of metafor::rma(), %s", method)]
  vs_metafor <- ifelse(grepl("DL", f$task) & !grepl("metafor|floor", f$task),
                       mf("DL") / f$us,
                       ifelse(grepl("REML", f$task) & !grepl("metafor", f$task),
                              mf("REML") / f$us, NA))
  c(
    "<!-- batch-scaling start -->",
    "## Simulation studies at scale (bench/batch_scaling.R)",
    "",
    sprintf(paste("Run %s, %s; metapool %s, metafor %s; %s analyses of k = %d (matrices),",
                  "one R process; medians of %d runs, with one and two threads in alternate",
                  "runs (speed-up: the median of the runs' ratios). Load average %.1f before",
                  "and %.1f after the run on this 2-core machine%s"),
            format(Sys.time(), "%Y-%m-%d %H:%M UTC", tz = "UTC"), R.version.string,
            utils::packageVersion("metapool"), utils::packageVersion("metafor"),
            format(r$n, big.mark = ","), r$k, r$reps, r$load[1], r$load[2],
            if (max(r$load) < 1.5) " (otherwise idle)." else
              paste(", shared with other jobs: absolute times are inflated by them;",
                    "the ratios within the run are the fair comparison.")),
    "",
    "| task | threads | µs per analysis | × the floor | metafor loop ÷ this | speed-up over 1 thread |",
    "|---|---:|---:|---:|---:|---:|",
    sprintf("| %s | %d | %s | %s | %s | %s |", f$task, as.integer(f$threads), fmt(f$us),
            sprintf("%.2f", f$us / r$floor_us),
            ifelse(is.na(vs_metafor), "-", sprintf("%.0f×", vs_metafor)),
            ifelse(is.na(f$speedup), "-", sprintf("%.2f×", f$speedup))),
    "",
    sprintf("10⁶ analyses (input %.0f MB): time and peak memory beyond the input, as a multiple of the input.",
            r$input_mb),
    "",
    "| task | threads | seconds | peak extra memory ÷ input |",
    "|---|---:|---:|---:|",
    sprintf("| %s | %d | %s | %.2f |", r$big$task, as.integer(r$big$threads),
            fmt(r$big$seconds), r$big$memory),
    "<!-- batch-scaling end -->"
  )
}

if (sys.nframe() == 0L) {
  r <- scaling_run()
  section <- scaling_section(r)
  path <- "bench/RESULTS.md"
  old <- readLines(path)
  a <- grep("<!-- batch-scaling start -->", old, fixed = TRUE)
  b <- grep("<!-- batch-scaling end -->", old, fixed = TRUE)
  new <- if (length(a) && length(b)) {
    c(old[seq_len(a - 1L)], section, old[-seq_len(b)])
  } else {
    c(old, "", section)
  }
  writeLines(new, path)
  cat(section, sep = "\n")
}
