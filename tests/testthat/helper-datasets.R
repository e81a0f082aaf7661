# Continuous-outcome datasets from metadat in a common layout.
continuous_datasets <- function() {
  get_ds <- function(name) getExportedValue("metadat", name)
  std <- function(m1, sd1, n1, m2, sd2, n2) {
    d <- data.frame(m1 = m1, sd1 = sd1, n1 = n1, m2 = m2, sd2 = sd2, n2 = n2)
    d[stats::complete.cases(d) & d$sd1 > 0 & d$sd2 > 0 & d$n1 >= 2 & d$n2 >= 2, ]
  }
  with_names <- function(x) std(x$m1i, x$sd1i, x$n1i, x$m2i, x$sd2i, x$n2i)
  dag <- get_ds("dat.dagostino1998")
  leh <- get_ds("dat.lehmann2018")
  list(
    normand1999 = with_names(get_ds("dat.normand1999")),
    curtis1998 = with_names(get_ds("dat.curtis1998")),
    gibson2002 = with_names(get_ds("dat.gibson2002")),
    dagostino1998 = std(dag$mt, dag$sdt, dag$nt, dag$mc, dag$sdc, dag$nc),
    lehmann2018 = std(leh$Red_M, leh$Red_SD, leh$Red_N, leh$Control_M, leh$Control_SD,
                      leh$Control_N)
  )
}

# Binary-outcome datasets from metadat as events1, n1, events2, n2.
binary_datasets <- function() {
  get_ds <- function(name) getExportedValue("metadat", name)
  std <- function(a, n1, c, n2) data.frame(events1 = a, n1 = n1, events2 = c, n2 = n2)
  from_cells <- function(x) std(x$ai, x$ai + x$bi, x$ci, x$ci + x$di)
  from_n <- function(x) std(x$ai, x$n1i, x$ci, x$n2i)
  bcg <- get_ds("dat.bcg")
  out <- list(
    bcg = std(bcg$tpos, bcg$tpos + bcg$tneg, bcg$cpos, bcg$cpos + bcg$cneg),
    nielweise2007 = from_n(get_ds("dat.nielweise2007")),
    yusuf1985 = from_n(get_ds("dat.yusuf1985")),
    lee2004 = from_n(get_ds("dat.lee2004")),
    li2007 = from_n(get_ds("dat.li2007")),
    hine1989 = from_n(get_ds("dat.hine1989")),
    egger2001 = from_n(get_ds("dat.egger2001"))
  )
  lapply(out, function(d) d[stats::complete.cases(d), ])
}

random_binary <- function(k, seed) {
  set.seed(seed)
  n1 <- sample(5:300, k, replace = TRUE)
  n2 <- sample(5:300, k, replace = TRUE)
  p1 <- stats::runif(k, 0, 0.4)
  p2 <- stats::runif(k, 0, 0.4)
  data.frame(events1 = stats::rbinom(k, n1, p1), n1 = n1,
             events2 = stats::rbinom(k, n2, p2), n2 = n2)
}

random_continuous <- function(k, seed) {
  set.seed(seed)
  data.frame(m1 = stats::rnorm(k, 10, 3), sd1 = stats::rgamma(k, 4, 1),
             n1 = sample(2:500, k, replace = TRUE),
             m2 = stats::rnorm(k, 9, 3), sd2 = stats::rgamma(k, 4, 1),
             n2 = sample(2:500, k, replace = TRUE))
}

# Real meta-analytic datasets from metadat as (yi, vi) on five scales: SMD, MD, log RR,
# log OR, RD (and Fisher's z). Computed with metafor's escalc so they are its own data.
pooling_datasets <- function() {
  get_ds <- function(name) getExportedValue("metadat", name)
  esc <- function(...) {
    d <- suppressWarnings(metafor::escalc(...))
    d <- d[is.finite(d$yi) & is.finite(d$vi) & d$vi > 0, ]
    list(yi = as.numeric(d$yi), vi = as.numeric(d$vi))
  }
  yv <- function(x) list(yi = as.numeric(x$yi), vi = as.numeric(x$vi))
  cont <- continuous_datasets()
  smd <- function(d) esc("SMD", m1i = d$m1, sd1i = d$sd1, n1i = d$n1, m2i = d$m2, sd2i = d$sd2, n2i = d$n2)
  md <- function(d) esc("MD", m1i = d$m1, sd1i = d$sd1, n1i = d$n1, m2i = d$m2, sd2i = d$sd2, n2i = d$n2)
  bin <- function(measure, x) esc(measure, ai = x$ai, n1i = x$n1i, ci = x$ci, n2i = x$n2i)
  bcg <- get_ds("dat.bcg")
  list(
    smd_normand1999 = smd(cont$normand1999),
    smd_gibson2002 = smd(cont$gibson2002),
    smd_lehmann2018 = smd(cont$lehmann2018),
    smd_bangertdrowns2004 = yv(get_ds("dat.bangertdrowns2004")),
    smd_raudenbush1985 = yv(get_ds("dat.raudenbush1985")),
    md_normand1999 = md(cont$normand1999),
    md_dagostino1998 = md(cont$dagostino1998),
    logrr_bcg = esc("RR", ai = bcg$tpos, bi = bcg$tneg, ci = bcg$cpos, di = bcg$cneg),
    logrr_laopaiboon2015 = bin("RR", get_ds("dat.laopaiboon2015")),
    logrr_lee2004 = bin("RR", get_ds("dat.lee2004")),
    logor_li2007 = bin("OR", get_ds("dat.li2007")),
    logor_hackshaw1998 = yv(get_ds("dat.hackshaw1998")),
    logor_linde2005 = bin("OR", get_ds("dat.linde2005")),
    rd_hine1989 = bin("RD", get_ds("dat.hine1989")),
    rd_hahn2001 = bin("RD", get_ds("dat.hahn2001")),
    zcor_molloy2014 = esc("ZCOR", ri = get_ds("dat.molloy2014")$ri, ni = get_ds("dat.molloy2014")$ni)
  )
}

# Random-effects data with k studies: tau^2 = 0.1, within-study variances 0.01 to 1.
random_pooling_data <- function(k, seed) {
  set.seed(seed)
  vi <- stats::runif(k, 0.01, 1)
  list(yi = stats::rnorm(k, 0.3, sqrt(vi + 0.1)), vi = vi)
}

tau2_methods_all <- function() {
  c("FE", "DL", "DLIT", "HE", "SJ", "ML", "REML", "EB", "HS", "HSk", "PM", "PMM")
}
