# Runs every benchmark side by side with metafor and writes bench/RESULTS.md.
# Usage (from the package root, after `make install`): Rscript bench/run_all.R
for (f in list.files("bench", pattern = "^[a-z_]+\\.R$", full.names = TRUE)) {
  if (basename(f) != "run_all.R") source(f)
}
results <- do.call(rbind, lapply(ls(pattern = "^bench_"), function(fn) get(fn)()))
fmt <- function(x) formatC(x, digits = 3, format = "g")
lines <- c(
  "# Benchmarks",
  "",
  sprintf("Run %s on %s (%s cores), %s; metapool %s, metafor %s. Medians of repeated runs",
          format(Sys.time(), "%Y-%m-%d"), Sys.info()[["sysname"]], parallel::detectCores(),
          R.version.string, utils::packageVersion("metapool"), utils::packageVersion("metafor")),
  "(bench::mark), single thread, both packages in the same R process. Ratio = metafor / metapool.",
  "",
  "| task | metapool (s) | metafor (s) | ratio |",
  "|---|---:|---:|---:|",
  sprintf("| %s | %s | %s | %.1f× |", results$task, fmt(results$metapool_s),
          fmt(results$metafor_s), results$ratio)
)
writeLines(lines, "bench/RESULTS.md")
cat(lines, sep = "\n")
