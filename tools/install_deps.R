# Install the R packages a make target needs, from R's configured repos,
# skipping any already installed. Usage: Rscript tools/install_deps.R pkg1 pkg2 ...
pkgs <- commandArgs(trailingOnly = TRUE)
repos <- getOption("repos")
if (is.null(repos) || identical(unname(repos["CRAN"]), "@CRAN@")) {
  stop("No CRAN mirror is configured: set options(repos = ...) in your Rprofile.",
       call. = FALSE)
}
missing <- pkgs[!vapply(pkgs, requireNamespace, logical(1), quietly = TRUE)]
if (length(missing) > 0L) {
  message("Installing from CRAN: ", paste(missing, collapse = ", "))
  ncpus <- max(1L, min(2L, parallel::detectCores(logical = FALSE), na.rm = TRUE))
  install.packages(missing, Ncpus = ncpus, quiet = TRUE)
  still <- missing[!vapply(missing, requireNamespace, logical(1), quietly = TRUE)]
  if (length(still) > 0L) {
    stop("Could not install: ", paste(still, collapse = ", "), call. = FALSE)
  }
}
