# The package's main job (until the review reproduction lands): effect sizes and
# NNTs for real datasets shipped with metapool.
library(metapool)
cat("== Stroke units vs general wards, length of stay (Normand 1999) ==\n\n")
print(es_smd(m1, sd1, n1, m2, sd2, n2, data = normand1999, slab = source))
cat("\nThe same with RevMan 5's formulas:\n\n")
print(es_smd(m1, sd1, n1, m2, sd2, n2, data = normand1999, slab = source, preset = "revman5"))
cat("\n== BCG vaccine and tuberculosis (Colditz et al. 1994) ==\n\n")
bcg_rr <- es_rr(tpos, tpos + tneg, cpos, cpos + cneg, data = bcg, slab = author)
print(bcg_rr)
cat("\n== Anti-infective catheters, zero cells (Niel-Weise et al. 2007), RevMan 5 rules ==\n\n")
print(es_rr(events1, n1, events2, n2, data = nielweise2007, slab = author, preset = "revman5"))
cat("\n== Number needed to treat ==\n\n")
cat("Cochrane Handbook 12.5.4.2: RR 0.92 with an assumed control risk of 30%:\n")
print(nnt(0.92, measure = "RR", acr = 0.30, event = "harmful"))
cat("\nNiel-Weise 2007, M-H risk ratio 0.3268 [0.2165, 0.4934] at the median control risk:\n")
print(nnt(0.3268, measure = "RR", ci_lb = 0.2165, ci_ub = 0.4934,
          acr = stats::median(nielweise2007$events2 / nielweise2007$n2), event = "harmful"))

cat("\n== Pooling ==\n\n")
cat("BCG trials, random effects (REML), with subgroups by allocation method:\n\n")
print(metapool(bcg_rr, subgroup = alloc, data = bcg))
cat("\nNiel-Weise 2007 with RevMan 5's M-H random-effects risk ratio:\n\n")
print(metapool_mh(events1, n1, events2, n2, data = nielweise2007, slab = author,
                  measure = "RR", model = "random", preset = "revman5"))
