# Parameter tables of the empirical heterogeneity priors, written to inst/extdata:
# - Turner et al. (2015), Stat Med 34:984-998: log(tau^2) ~ N(location, scale^2) for
#   binary outcomes (log odds ratios), by outcome type and type of comparison;
# - Rhodes et al. (2015), J Clin Epidemiol 68:52-60: log(tau^2) ~ location + scale * t_5
#   for standardised mean differences, by outcome type, comparison and medical area.
# The numbers are those the papers publish; they are taken here from the tables the
# bayesmeta package ships (TurnerEtAlPrior(), RhodesEtAlPrior()), so that the two
# packages use identical values.
library(bayesmeta)
turner <- as.data.frame.table(bayesmeta:::TurnerEtAlParameters, stringsAsFactors = FALSE)
turner <- reshape(turner, idvar = c("outcome", "comparison"), timevar = "parameter",
                  direction = "wide")
names(turner) <- c("outcome", "comparison", "location", "scale")
rhodes <- as.data.frame.table(bayesmeta:::RhodesEtAlParameters, stringsAsFactors = FALSE)
names(rhodes) <- c("outcome", "comparison", "parameter", "area", "value")
rhodes <- reshape(rhodes, idvar = c("outcome", "comparison", "area"), timevar = "parameter",
                  direction = "wide")
names(rhodes) <- c("outcome", "comparison", "area", "location", "scale")
write.csv(turner, "inst/extdata/heterogeneity_turner2015.csv", row.names = FALSE)
write.csv(rhodes, "inst/extdata/heterogeneity_rhodes2015.csv", row.names = FALSE)
