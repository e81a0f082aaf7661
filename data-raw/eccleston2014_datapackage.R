# Writes inst/extdata/eccleston2014_synthetic/: the synthetic stand-in for the trials
# of Eccleston et al. (2014) as a RevMan data package, so that reproduce_review()
# reads the review through read_revman(), the path real review data take.
# Run from the package root after installing metapool: Rscript data-raw/eccleston2014_datapackage.R
library(metapool)
pub <- eccleston2014
syn <- as.data.frame(unclass(eccleston2014_synthetic))
title <- "Eccleston 2014 (CD010152), SYNTHETIC stand-in data calibrated to the published results"
internal <- asNamespace("metapool")

analyses <- lapply(seq_len(nrow(pub)), function(j) {
  p <- pub[j, ]
  d <- syn[syn$analysis == p$analysis, ]
  rr <- p$measure == "RR"
  list(id = paste0("1.", j), level = "total", comparison = 1L, outcome = j,
       comparison_name = title, name = internal$review_label(p),
       type = if (rr) "dichotomous" else "continuous", method = if (rr) "MH" else "IV",
       measure = p$measure, model = "random", ci_study = 95, ci_total = 95,
       swap_events = if (rr) FALSE else NA, totals = TRUE, subgroup_test = TRUE,
       label_experimental = "Internet therapy", label_control = "Control",
       # lower scores are better on the SMD outcomes; pain relief is a beneficial event
       favours_left = if (rr) "Favours control" else "Favours therapy",
       favours_right = if (rr) "Favours therapy" else "Favours control",
       events1 = if (rr) sum(d$events1), n1 = sum(d$n1),
       events2 = if (rr) sum(d$events2), n2 = sum(d$n2), k = nrow(d))
})
studies <- lapply(seq_len(nrow(syn)), function(i) {
  d <- syn[i, ]
  j <- match(d$analysis, pub$analysis)
  list(analysis = paste0("1.", j), study = d$trial, order = i,
       events1 = d$events1, n1 = d$n1, mean1 = d$m1, sd1 = d$sd1,
       events2 = d$events2, n2 = d$n2, mean2 = d$m2, sd2 = d$sd2)
})
x <- internal$new_mp_revman(internal$layout_frame(analyses, internal$revman_analysis_columns),
                            internal$layout_frame(studies, internal$revman_study_columns),
                            NULL, "datapackage", title, precision = 5e-7)
out <- "inst/extdata/eccleston2014_synthetic"
unlink(out, recursive = TRUE)
write_revman(x, out, name = "eccleston2014_synthetic")
