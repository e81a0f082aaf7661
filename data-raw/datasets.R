# Builds data/*.rda from the CSV files in inst/extdata (see inst/extdata/README.md
# for the sources). Run from the package root: Rscript data-raw/datasets.R
read <- function(name) {
  utils::read.csv(file.path("inst", "extdata", paste0(name, ".csv")),
                  stringsAsFactors = FALSE)
}
normand1999 <- read("normand1999")
bcg <- read("bcg")
nielweise2007 <- read("nielweise2007")
save(normand1999, file = "data/normand1999.rda", compress = "bzip2", version = 2)
save(bcg, file = "data/bcg.rda", compress = "bzip2", version = 2)
save(nielweise2007, file = "data/nielweise2007.rda", compress = "bzip2", version = 2)
