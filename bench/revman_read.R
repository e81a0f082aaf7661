# Reading a 500-analysis RevMan 5 file: metapool::read_revman() (xml2) beside
# meta::read.rm5(), in the same R process. Writes the section "Reading RevMan
# files" of bench/RESULTS.md (other sections are left as they are).
# Usage (from the package root, after `make install`): Rscript bench/revman_read.R
revman_read_benchmark <- function(n_analyses = 500, reps = 5) {
  library(metapool)
  base <- read_revman("tests/testthat/fixtures/revman/handmade.rm5")
  per <- sum(base$analyses$level == "total")
  copies <- ceiling(n_analyses / per)
  a <- do.call(rbind, lapply(seq_len(copies), function(i) {
    x <- base$analyses
    x$comparison <- i
    x$id <- sub("^1\\.", paste0(i, "."), x$id)
    x$comparison_name <- sprintf("Comparison %d", i)
    x
  }))
  s <- do.call(rbind, lapply(seq_len(copies), function(i) {
    x <- base$studies
    x$analysis <- sub("^1\\.", paste0(i, "."), x$analysis)
    x
  }))
  keep_ids <- a$id[a$level == "total"][seq_len(n_analyses)]
  top <- sub("^([0-9]+\\.[0-9]+).*$", "\\1", a$id)
  a <- a[top %in% keep_ids, ]
  s <- s[s$analysis %in% keep_ids, ]
  big <- base
  big$analyses <- a
  big$studies <- s
  path <- file.path(tempdir(), "synthetic-500.rm5")
  write_revman(big, path, format = "rm5")
  # elapsed and CPU (user + system) seconds, medians over `reps` reads
  time <- function(f, reps) {
    t <- vapply(seq_len(reps), function(i) {
      st <- system.time(f())
      c(st[["elapsed"]], st[["user.self"]] + st[["sys.self"]])
    }, numeric(2))
    apply(t, 1, stats::median)
  }
  ours <- time(function() read_revman(path), reps)
  check <- read_revman(path)
  stopifnot(sum(check$analyses$level == "total") == n_analyses)
  theirs <- if (requireNamespace("meta", quietly = TRUE)) {
    time(function() suppressWarnings(meta::read.rm5(path)), max(1, reps %/% 2))
  } else c(NA_real_, NA_real_)
  list(analyses = n_analyses, studies = nrow(s), subgroups = sum(a$level == "subgroup"),
       size_mb = file.size(path) / 2^20, metapool_s = ours[1], metapool_cpu = ours[2],
       meta_s = theirs[1], meta_cpu = theirs[2], load = tryCatch(
         as.numeric(strsplit(readLines("/proc/loadavg"), " ")[[1]][1]), error = function(e) NA_real_))
}

revman_read_section <- function(res) {
  c("## Reading RevMan files",
    "",
    sprintf("Run %s on %s (%s cores), %s; metapool %s, xml2 %s, meta %s. `bench/revman_read.R`.",
            format(Sys.time(), "%Y-%m-%d"), Sys.info()[["sysname"]], parallel::detectCores(),
            R.version.string, utils::packageVersion("metapool"), utils::packageVersion("xml2"),
            if (requireNamespace("meta", quietly = TRUE)) utils::packageVersion("meta") else "-"),
    sprintf(paste("A synthetic RevMan 5 file written by `write_revman(format = \"rm5\")`: %d analyses",
                  "(every outcome type, method and model of the hand-made fixtures), %d subgroups,",
                  "%d study rows, %.1f MB. Medians of repeated reads, elapsed and CPU (user +",
                  "system) seconds; the machine's load average was %.1f during the run, so elapsed",
                  "time is CPU time stretched by sharing the cores."),
            res$analyses, res$subgroups, res$studies, res$size_mb, res$load),
    "",
    "| task | metapool `read_revman()` elapsed / CPU (s) | meta `read.rm5()` elapsed / CPU (s) | ratio (CPU) |",
    "|---|---:|---:|---:|",
    sprintf("| read a %d-analysis .rm5 | %.3g / %.3g | %s | %s |", res$analyses, res$metapool_s,
            res$metapool_cpu,
            if (is.na(res$meta_s)) "- (meta not installed)" else sprintf("%.3g / %.3g", res$meta_s, res$meta_cpu),
            if (is.na(res$meta_s)) "-" else sprintf("%.1f×", res$meta_cpu / res$metapool_cpu)),
    "")
}

if (sys.nframe() == 0L) {
  res <- revman_read_benchmark()
  section <- revman_read_section(res)
  old <- if (file.exists("bench/RESULTS.md")) readLines("bench/RESULTS.md") else character()
  start <- match("## Reading RevMan files", old)
  if (!is.na(start)) {
    nxt <- which(startsWith(old, "## ") & seq_along(old) > start)
    end <- if (length(nxt)) nxt[1] - 1L else length(old)
    old <- old[-(start:end)]
  }
  if (length(old) && nzchar(old[length(old)])) old <- c(old, "")
  writeLines(c(old, section), "bench/RESULTS.md")
  cat(section, sep = "\n")
}
