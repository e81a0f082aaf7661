# Checks that every local link (href/src) in the pkgdown site resolves to a file.
# Usage: Rscript tools/check_site_links.R docs
dir <- commandArgs(trailingOnly = TRUE)[1]
if (is.na(dir) || !dir.exists(dir)) stop("No site directory: run pkgdown first.", call. = FALSE)
pages <- list.files(dir, pattern = "\\.html$", recursive = TRUE, full.names = TRUE)
broken <- character(0)
for (page in pages) {
  html <- paste(readLines(page, warn = FALSE), collapse = "\n")
  links <- regmatches(html, gregexpr("(href|src)=\"[^\"]*\"", html))[[1]]
  links <- sub("^(href|src)=\"([^\"]*)\"$", "\\2", links)
  links <- sub("[#?].*$", "", links)
  local <- links[nzchar(links) & !grepl("^([a-z]+:|//)", links)]
  target <- file.path(dirname(page), local)
  target <- ifelse(dir.exists(target), file.path(target, "index.html"), target)
  gone <- local[!file.exists(target)]
  if (length(gone)) broken <- c(broken, paste0(page, ": ", unique(gone)))
}
if (length(broken)) {
  cat(broken, sep = "\n")
  stop(sprintf("%d broken local link(s) in %s.", length(broken), dir), call. = FALSE)
}
cat(sprintf("%d pages, no broken local links.\n", length(pages)))
