# The vignettes' figures: captioned, and no plot's return value printed.

test_that("every vignette figure has a named chunk and a caption", {
  dir <- test_path("..", "..", "vignettes")
  skip_if_not(dir.exists(dir), "the vignette sources are not beside the tests (R CMD check)")
  files <- list.files(dir, pattern = "\\.Rmd$", full.names = TRUE)
  expect_gte(length(files), 4)
  for (f in files) {
    lines <- readLines(f, warn = FALSE)
    starts <- grep("^```\\{r", lines)
    ends <- grep("^```\\s*$", lines)
    for (s in starts) {
      body <- lines[(s + 1):(min(ends[ends > s]) - 1)]
      header <- lines[s]
      draws <- any(grepl("include_graphics\\(|^\\s*plot\\(|^\\s*(graphics::)?(hist|barplot)\\(",
                         body))
      if (draws) {
        expect_match(header, "^```\\{r [A-Za-z][A-Za-z0-9_-]*[ ,}]", info = paste(f, header))
        expect_match(header, "fig\\.cap\\s*=", info = paste(f, header))
      }
      # A plot's result is returned invisibly; nothing prints a size list.
      expect_false(any(grepl("^\\s*size\\s*$", body)), info = f)
    }
  }
})
