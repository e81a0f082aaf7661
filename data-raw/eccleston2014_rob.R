# Builds data/eccleston2014_synthetic_rob.rda: a SYNTHETIC risk-of-bias table for
# the synthetic stand-in of the Internet-delivered therapy review (Eccleston et al.
# 2014, Cochrane CD010152; see data-raw/eccleston2014.R).
#
# The review reports 90 risk-of-bias judgements over its 15 trials: 9 high, 22
# unclear and 59 low risk, i.e. six domains per trial. The trials' own judgements
# are not available to the project, so this table only keeps those totals: the
# judgements are a seeded random permutation of 9 "high", 22 "unclear" and 59
# "low" over the 15 synthetic trials ("Trial 01" to "Trial 15") and six RoB 1
# domains (Cochrane Handbook 5.1, Table 8.5.a, without "other bias"). Which trial
# is high or low in which domain means nothing. Run from the package root:
#   Rscript data-raw/eccleston2014_rob.R

domains <- c(
  "Random sequence generation (selection bias)",
  "Allocation concealment (selection bias)",
  "Blinding of participants and personnel (performance bias)",
  "Blinding of outcome assessment (detection bias)",
  "Incomplete outcome data (attrition bias)",
  "Selective reporting (reporting bias)"
)
trials <- sprintf("Trial %02d", 1:15)

set.seed(20140210)
judgement <- sample(rep(c("high", "unclear", "low"), c(9, 22, 59)))
grid <- expand.grid(domain = domains, study = trials, stringsAsFactors = FALSE)
rob <- data.frame(study = grid$study, domain = grid$domain, judgement = judgement,
                  support = "Synthetic judgement: no trial report behind it.",
                  stringsAsFactors = FALSE)
stopifnot(nrow(rob) == 90, identical(as.vector(table(rob$judgement)[c("high", "unclear", "low")]),
                                     c(9L, 22L, 59L)))

# The same checks and class as metapool::risk_of_bias(rob, synthetic = TRUE), written
# out so the script does not need metapool installed.
rob$judgement <- factor(rob$judgement, levels = c("low", "unclear", "high"))
eccleston2014_synthetic_rob <- structure(rob, class = c("mp_rob", "data.frame"), synthetic = TRUE)
save(eccleston2014_synthetic_rob, file = file.path("data", "eccleston2014_synthetic_rob.rda"),
     compress = "xz", version = 2)
