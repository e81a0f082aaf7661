# Runs every benchmark side by side with metafor and writes bench/RESULTS.md.
# Usage (from the package root, after `make install`): Rscript bench/run_all.R
for (f in list.files("bench", pattern = "^[a-z_]+\\.R$", full.names = TRUE)) {
  if (basename(f) != "run_all.R") source(f)
}
results <- do.call(rbind, lapply(ls(pattern = "^bench_"), function(fn) {
  res <- get(fn)()
  if (is.null(res$threads)) res$threads <- 1
  if (is.null(res$note)) res$note <- ""
  res[c("task", "threads", "metapool_s", "metafor_s", "ratio", "note")]
}))
fmt <- function(x) ifelse(is.na(x), "-", formatC(x, digits = 3, format = "g"))
lines <- c(
  "# Benchmarks",
  "",
  sprintf("Run %s on %s (%s cores), %s; metapool %s, metafor %s. Medians of repeated runs",
          format(Sys.time(), "%Y-%m-%d"), Sys.info()[["sysname"]], parallel::detectCores(),
          R.version.string, utils::packageVersion("metapool"), utils::packageVersion("metafor")),
  "(bench::mark) or single timings of long jobs, both packages in the same R process;",
  "`threads` is metapool's OpenMP thread count (metafor is single-threaded). Ratio = metafor / metapool.",
  "",
  "| task | threads | metapool (s) | metafor (s) | ratio | note |",
  "|---|---:|---:|---:|---:|---|",
  sprintf("| %s | %d | %s | %s | %s | %s |", results$task, as.integer(results$threads),
          fmt(results$metapool_s), fmt(results$metafor_s),
          ifelse(is.na(results$ratio), "-", sprintf("%.0f×", results$ratio)), results$note)
)
# Sections written by their own scripts (between "<!-- name start/end -->" markers) stay.
if (file.exists("bench/RESULTS.md")) {
  old <- readLines("bench/RESULTS.md")
  starts <- grep("^<!-- [a-z-]+ start -->$", old)
  for (a in starts) {
    b <- grep(sub(" start ", " end ", old[a], fixed = TRUE), old, fixed = TRUE)
    if (length(b)) lines <- c(lines, "", old[a:b[1]])
  }
}
writeLines(lines, "bench/RESULTS.md")
cat(lines, sep = "\n")
