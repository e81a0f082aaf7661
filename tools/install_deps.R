# Install the R packages a make target needs, from R's configured repos, skipping
# any already installed at a version DESCRIPTION accepts.
# Usage: Rscript tools/install_deps.R [--imports] [--suggests] [pkg ...]
#   --imports   the packages of DESCRIPTION's Imports and LinkingTo (to build)
#   --suggests  the packages of DESCRIPTION's Suggests (tests, vignettes, R CMD check)
#   pkg ...     further packages a target needs that the package itself does not,
#               optionally with a minimum version: "evaluate>=0.24"
# Packages come from DESCRIPTION, so they are listed once.
args <- commandArgs(trailingOnly = TRUE)

# Without write access to the first library (not root on a fresh machine), use the
# user library R_LIBS_USER, created here as install.packages() offers only when
# interactive; new R processes (R CMD INSTALL of metapool too) then put it first.
if (file.access(.libPaths()[1], 2) != 0L) {
  user_lib <- path.expand(strsplit(Sys.getenv("R_LIBS_USER"), .Platform$path.sep)[[1]][1])
  if (!dir.exists(user_lib)) {
    message("Creating the user library ", user_lib)
    dir.create(user_lib, recursive = TRUE)
  }
  .libPaths(c(user_lib, .libPaths()))
}
fields <- c(if ("--imports" %in% args) c("Imports", "LinkingTo"),
            if ("--suggests" %in% args) "Suggests")
extra <- args[!startsWith(args, "--")]

# "pkg (>= 1.0)" entries of the given DESCRIPTION fields: name and minimum version.
description_deps <- function(fields, file = "DESCRIPTION") {
  if (!length(fields)) return(data.frame(name = character(0), version = character(0)))
  desc <- read.dcf(file, fields = fields)
  entries <- trimws(unlist(strsplit(desc[!is.na(desc)], ",")))
  entries <- entries[nzchar(entries)]
  name <- sub("^([A-Za-z0-9.]+).*$", "\\1", entries)
  version <- ifelse(grepl(">=", entries), sub("^.*>=\\s*([0-9.-]+).*$", "\\1", entries), NA)
  out <- data.frame(name = name, version = version, stringsAsFactors = FALSE)
  out[out$name != "R", , drop = FALSE]
}

deps <- rbind(description_deps(fields),
              data.frame(name = sub(">=.*$", "", extra),
                         version = ifelse(grepl(">=", extra), sub("^.*>=", "", extra), NA)))
deps <- deps[!duplicated(deps$name), , drop = FALSE]

# Whether the copy a new R process would load (the first in .libPaths()) is installed
# at an accepted version. Read from its DESCRIPTION, not loaded: loading would pin old
# versions (say rlang from the system library, loaded for testthat) in this session,
# and packages installed here that need newer ones would then look broken.
usable <- function(name, version) {
  installed <- suppressWarnings(
    utils::packageDescription(name, lib.loc = .libPaths(), fields = "Version"))
  if (is.na(installed)) return(FALSE)
  is.na(version) || package_version(installed) >= version
}

# The packages among `pkgs` that do not load in a fresh R process.
not_loading <- function(pkgs) {
  code <- sprintf("for (p in c(%s)) if (!requireNamespace(p, quietly = TRUE)) cat(p, '\\n')",
                  paste0("'", pkgs, "'", collapse = ", "))
  out <- system2(file.path(R.home("bin"), "Rscript"), c("-e", shQuote(code)),
                 stdout = TRUE, stderr = FALSE)
  trimws(out[nzchar(trimws(out))])
}
ok <- mapply(usable, deps$name, deps$version)
missing <- deps$name[!ok]
if (length(missing) > 0L) {
  repos <- getOption("repos")
  if (is.null(repos) || identical(unname(repos["CRAN"]), "@CRAN@")) {
    stop("No CRAN mirror is configured: set options(repos = ...) in your Rprofile.",
         call. = FALSE)
  }
  message("Installing from CRAN: ", paste(missing, collapse = ", "))
  ncpus <- max(1L, min(2L, parallel::detectCores(logical = FALSE), na.rm = TRUE))
  install.packages(missing, Ncpus = ncpus, quiet = TRUE)
  still <- missing[!mapply(usable, missing, deps$version[!ok])]
  if (length(still) == 0L) still <- not_loading(missing)
  if (length(still) > 0L) {
    stop("Could not install: ", paste(still, collapse = ", "), call. = FALSE)
  }
}
