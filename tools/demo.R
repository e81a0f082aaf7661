# The package's main job: reproduce the Cochrane review of Internet-delivered
# psychological therapies for chronic pain (Eccleston et al. 2014, CD010152),
# compare every published number with metapool's and metafor's, and write the
# review's forest plots (PDF and PNG) to review-figures/.
library(metapool)
if (!requireNamespace("metafor", quietly = TRUE)) {
  message("Note: the metafor package is not installed, so the report has no metafor ",
          "column. `make demo` installs it from CRAN; install.packages(\"metafor\") ",
          "adds it by hand.")
}
print(reproduce_review(dir = "review-figures"))
