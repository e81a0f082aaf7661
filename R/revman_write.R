#' Write review data as a RevMan data package
#'
#' Writes an [read_revman()] object as a RevMan Web / Cochrane Library data
#' package: the CSV files `NAME-overall-estimates-and-settings.csv`,
#' `NAME-data-rows.csv`, `NAME-subgroup-estimates.csv`,
#' `NAME-study-information.csv` and, with risk-of-bias judgements,
#' `NAME-risk-of-bias.csv`, in a folder or a `.zip`. Numbers are written to 17
#' significant digits, so `read_revman(write_revman(x, path))` gives back the
#' same tables. Besides RevMan's columns the files carry `Favours left`,
#' `Favours right` (the forest plot's labels) and `Order` (the studies' order),
#' which `read_revman()` reads when present. `format = "rm5"` writes a minimal
#' RevMan 5 XML file instead (the review's analyses, studies and risk of bias;
#' no text).
#'
#' @param x An `mp_revman` object from [read_revman()].
#' @param path A folder to create (it must not hold files already), a path
#'   ending in `.zip`, or for `format = "rm5"` a file path.
#' @param name File name prefix of the CSV files.
#' @param format `"datapackage"` (default) or `"rm5"`.
#' @return `path`, invisibly.
#' @seealso [read_revman()]
#' @examples
#' path <- system.file("extdata", "eccleston2014_synthetic", package = "metapool")
#' review <- read_revman(path)
#' out <- write_revman(review, file.path(tempdir(), "copy"))
#' identical(read_revman(out)$studies, review$studies)
#' @export
write_revman <- function(x, path, name = "review", format = c("datapackage", "rm5")) {
  if (!inherits(x, "mp_revman")) {
    abort_input(sprintf("`x` must be an object from `read_revman()`, not %s.", describe_type(x)), "x")
  }
  if (!is.character(path) || length(path) != 1L || is.na(path) || !nzchar(path)) {
    abort_input("`path` must be a single path.", "path")
  }
  if (!is.character(name) || length(name) != 1L || !grepl("^[A-Za-z0-9._-]+$", name)) {
    abort_input("`name` must be a file name prefix of letters, digits, '.', '_' or '-'.", "name")
  }
  format <- chk_choice(format[1L], c("datapackage", "rm5"), "format")
  if (format == "rm5") return(invisible(write_rm5(x, path)))
  zip <- grepl("\\.zip$", path, ignore.case = TRUE)
  if (zip && !nzchar(Sys.getenv("R_ZIPCMD", Sys.which("zip")))) {
    abort_input("Writing a .zip needs a zip program (none found; see `R_ZIPCMD`): give a folder as `path`.",
                "path")
  }
  dir <- if (zip) file.path(tempfile("revman"), name) else path
  if (dir.exists(dir) && length(list.files(dir))) abort_input(sprintf("`path`: \"%s\" is not empty.", path), "path")
  dir.create(file.path(dir, "analysis-data"), recursive = TRUE, showWarnings = FALSE)
  dir.create(file.path(dir, "study-data"), recursive = TRUE, showWarnings = FALSE)
  file_of <- function(sub, what) file.path(dir, sub, paste0(name, "-", what))
  a <- x$analyses
  totals <- a[a$level == "total", , drop = FALSE]
  subs <- a[a$level == "subgroup", , drop = FALSE]
  s <- x$studies

  type_label <- c(dichotomous = "Dichotomous", continuous = "Continuous",
                  giv = "Generic inverse variance", oe = "O-E and variance")
  model_label <- c(fixed = "Fixed effect", random = "Random effects")
  tf <- function(v) ifelse(is.na(v), NA_character_, ifelse(v, "true", "false"))
  pct <- function(v) ifelse(is.na(v), NA_character_, paste0(num_text(v), "%"))
  results <- function(r) list(
    "Mean" = r$estimate, "CI start" = r$ci_lb, "CI end" = r$ci_ub,
    "Heterogeneity Tau\u00b2" = r$tau2, "Heterogeneity Chi\u00b2" = r$chi2,
    "Heterogeneity df" = r$df, "Heterogeneity P" = r$p_chi2, "Heterogeneity I\u00b2" = r$I2,
    "Effect Z" = r$z, "Effect P" = r$p_z)
  overall <- c(list(
    "Analysis group" = totals$comparison, "Analysis number" = totals$outcome,
    "Analysis name" = totals$name, "Analysis group name" = totals$comparison_name,
    "Data type" = unname(type_label[totals$type]), "Log-scale data" = tf(totals$log_data),
    "Experimental group label" = totals$label_experimental,
    "Control group label" = totals$label_control,
    "Statistical method" = totals$method, "Effect measure" = totals$measure,
    "Analysis model" = unname(model_label[totals$model]),
    "Overall estimates" = tf(totals$totals), "Test for subgroup differences" = tf(totals$subgroup_test),
    "Swap event and non-event" = tf(totals$swap_events),
    "Study CI" = pct(totals$ci_study), "Estimate CI" = pct(totals$ci_total),
    "Experimental cases" = totals$events1, "Experimental N" = totals$n1,
    "Control cases" = totals$events2, "Control N" = totals$n2), results(totals), list(
    "Subgroup Chi\u00b2" = totals$subgroup_chi2, "Subgroup df" = totals$subgroup_df,
    "Subgroup P" = totals$subgroup_p, "Subgroup I\u00b2" = totals$subgroup_I2,
    "Favours left" = totals$favours_left, "Favours right" = totals$favours_right))
  write_csv_utf8(overall, file_of("analysis-data", "overall-estimates-and-settings.csv"))

  sub_cols <- c(list(
    "Analysis group" = subs$comparison, "Analysis number" = subs$outcome,
    "Subgroup" = subs$subgroup_name, "Subgroup number" = subs$subgroup,
    "Experimental cases" = subs$events1, "Experimental N" = subs$n1,
    "Control cases" = subs$events2, "Control N" = subs$n2), results(subs))
  write_csv_utf8(sub_cols, file_of("analysis-data", "subgroup-estimates.csv"))

  key <- match(s$analysis, totals$id)
  rows <- list(
    "Analysis group" = totals$comparison[key], "Analysis number" = totals$outcome[key],
    "Analysis name" = totals$name[key], "Subgroup" = s$subgroup_name,
    "Applicability" = rep("SUBGROUP_AND_OVERALL", nrow(s)), "Study" = s$study,
    "Study year" = s$year, "GIV Mean" = s$giv_estimate, "GIV SE" = s$giv_se,
    "Experimental mean" = s$mean1, "Experimental SD" = s$sd1, "Experimental cases" = s$events1,
    "Experimental N" = s$n1, "Control mean" = s$mean2, "Control SD" = s$sd2,
    "Control cases" = s$events2, "Control N" = s$n2, "O-E" = s$o_e, "Variance" = s$variance,
    "Weight" = s$weight, "Mean" = s$estimate, "CI start" = s$ci_lb, "CI end" = s$ci_ub,
    "Footnotes" = rep(NA_character_, nrow(s)), "Order" = s$order)
  write_csv_utf8(rows, file_of("analysis-data", "data-rows.csv"))

  studies <- unique(s[c("study", "year")])
  studies <- studies[!duplicated(studies$study), , drop = FALSE]
  write_csv_utf8(list("Study" = studies$study, "Year" = studies$year,
                      "Data source" = rep(NA_character_, nrow(studies))),
                 file_of("study-data", "study-information.csv"))
  rob <- x$risk_of_bias
  if (!is.null(rob) && nrow(rob)) {
    label <- c(low = "Low risk", unclear = "Unclear risk", high = "High risk")
    who <- unique(rob$study)
    cols <- list("Study" = who)
    for (d in unique(rob$domain)) {
      r <- rob[rob$domain == d, , drop = FALSE]
      hit <- match(who, r$study)
      cols[[paste0("Domain (judgement): ", d)]] <- unname(label[r$judgement[hit]])
      cols[[paste0("Domain (support): ", d)]] <- r$support[hit]
    }
    write_csv_utf8(cols, file_of("study-data", "risk-of-bias.csv"))
  }
  if (zip) {
    path <- normalizePath(path, mustWork = FALSE)
    if (file.exists(path)) unlink(path)
    old <- setwd(dirname(dir))
    on.exit(setwd(old), add = TRUE)
    utils::zip(path, name, flags = "-r9Xq")
  }
  invisible(path)
}

# Shortest of 15 or 17 significant digits that gives back the same double.
num_text <- function(v) {
  out <- rep(NA_character_, length(v))
  ok <- !is.na(v)
  short <- sprintf("%.15g", v[ok])
  out[ok] <- ifelse(as.numeric(short) == v[ok], short, sprintf("%.17g", v[ok]))
  out
}

write_csv_utf8 <- function(cols, file) {
  text <- lapply(cols, function(v) {
    v <- if (is.numeric(v)) num_text(v) else as.character(v)
    ifelse(is.na(v), "", paste0("\"", gsub("\"", "\"\"", enc2utf8(v), fixed = TRUE), "\""))
  })
  header <- paste0("\"", names(cols), "\"", collapse = ",")
  body <- if (length(text[[1]])) do.call(paste, c(text, sep = ",")) else character()
  con <- file(file, open = "wb")
  on.exit(close(con))
  writeBin(charToRaw("\xef\xbb\xbf"), con)
  writeLines(enc2utf8(c(header, body)), con, sep = "\r\n", useBytes = TRUE)
}

# ---- a minimal RevMan 5 file -------------------------------------------------------------

xml_escape <- function(x) {
  x <- gsub("&", "&amp;", x, fixed = TRUE)
  x <- gsub("<", "&lt;", x, fixed = TRUE)
  x <- gsub(">", "&gt;", x, fixed = TRUE)
  gsub("\"", "&quot;", x, fixed = TRUE)
}

xml_attrs <- function(values) {
  values <- values[!vapply(values, function(v) is.null(v) || is.na(v), logical(1))]
  if (!length(values)) return("")
  txt <- vapply(values, function(v) if (is.numeric(v)) num_text(v) else xml_escape(as.character(v)), "")
  paste0(" ", paste0(names(values), "=\"", txt, "\"", collapse = " "))
}

rm5_tags <- c(dichotomous = "DICH", continuous = "CONT", giv = "IV", oe = "IPD")

write_rm5 <- function(x, path) {
  a <- x$analyses
  s <- x$studies
  yn <- function(v) if (is.na(v)) NULL else if (v) "YES" else "NO"
  names_all <- unique(c(s$study, x$risk_of_bias$study))
  ids <- stats::setNames(paste0("STD-", seq_along(names_all)), names_all)
  years <- s$year[match(names_all, s$study)]
  out <- c('<?xml version="1.0" encoding="UTF-8" standalone="no"?>',
           '<COCHRANE_REVIEW REVMAN_VERSION="5" TYPE="INTERVENTION">',
           paste0("<COVER_SHEET><TITLE>", xml_escape(x$title %||% ""), "</TITLE></COVER_SHEET>"),
           "<STUDIES_AND_REFERENCES>", "<STUDIES>", "<INCLUDED_STUDIES>",
           as.vector(rbind(sprintf("<STUDY%s>", vapply(seq_along(names_all), function(i) {
             xml_attrs(list(ID = ids[[i]], NAME = names_all[i], YEAR = years[i]))
           }, "")), "</STUDY>")),
           "</INCLUDED_STUDIES>", "</STUDIES>", "</STUDIES_AND_REFERENCES>")
  rob <- x$risk_of_bias
  if (!is.null(rob) && nrow(rob)) {
    result <- c(low = "LOW_RISK", unclear = "UNKNOWN", high = "HIGH_RISK")
    out <- c(out, "<QUALITY_ITEMS>")
    for (j in seq_along(unique(rob$domain))) {
      d <- unique(rob$domain)[j]
      r <- rob[rob$domain == d, , drop = FALSE]
      out <- c(out, sprintf('<QUALITY_ITEM ID="QIT-%02d" NO="%d" LEVEL="STUDY"><NAME>%s</NAME><QUALITY_ITEM_DATA>',
                            j, j, xml_escape(d)),
               sprintf("<QUALITY_ITEM_DATA_ENTRY%s><DESCRIPTION>%s</DESCRIPTION></QUALITY_ITEM_DATA_ENTRY>",
                       vapply(seq_len(nrow(r)), function(i) {
                         xml_attrs(list(RESULT = result[[r$judgement[i]]], STUDY_ID = ids[[r$study[i]]]))
                       }, ""), ifelse(is.na(r$support), "", xml_escape(r$support))),
               "</QUALITY_ITEM_DATA></QUALITY_ITEM>")
    }
    out <- c(out, "</QUALITY_ITEMS>")
  }
  out <- c(out, '<ANALYSES_AND_DATA CALCULATED_DATA="YES">')
  totals <- a[a$level == "total", , drop = FALSE]
  result_attrs <- function(r) list(
    CHI2 = r$chi2, CI_END = r$ci_ub, CI_START = r$ci_lb, DF = r$df, EFFECT_SIZE = r$estimate,
    EVENTS_1 = r$events1, EVENTS_2 = r$events2, I2 = r$I2, P_CHI2 = r$p_chi2, P_Z = r$p_z,
    STUDIES = r$k, TAU2 = r$tau2, TOTAL_1 = r$n1, TOTAL_2 = r$n2, Z = r$z)
  study_lines <- function(rows, tag) {
    vapply(seq_len(nrow(rows)), function(i) {
      r <- rows[i, , drop = FALSE]
      vals <- list(CI_END = r$ci_ub, CI_START = r$ci_lb, ORDER = r$order, STUDY_ID = ids[[r$study]],
                   WEIGHT = r$weight)
      vals <- c(vals, switch(tag,
        DICH = list(EFFECT_SIZE = r$estimate, EVENTS_1 = r$events1, EVENTS_2 = r$events2,
                    TOTAL_1 = r$n1, TOTAL_2 = r$n2),
        CONT = list(EFFECT_SIZE = r$estimate, MEAN_1 = r$mean1, MEAN_2 = r$mean2, SD_1 = r$sd1,
                    SD_2 = r$sd2, TOTAL_1 = r$n1, TOTAL_2 = r$n2),
        IV = list(EFFECT_SIZE = r$giv_estimate, SE = r$giv_se, TOTAL_1 = r$n1, TOTAL_2 = r$n2),
        IPD = list(EFFECT_SIZE = r$estimate, O_E = r$o_e, VAR = r$variance, TOTAL_1 = r$n1,
                   TOTAL_2 = r$n2)))
      sprintf("<%s_DATA%s/>", tag, xml_attrs(vals))
    }, "")
  }
  for (cmp in unique(totals$comparison)) {
    ta <- totals[totals$comparison == cmp, , drop = FALSE]
    out <- c(out, sprintf('<COMPARISON ID="CMP-%03d" NO="%d">', cmp, cmp),
             sprintf("<NAME>%s</NAME>", xml_escape(ta$comparison_name[1] %|na|% "")))
    for (i in seq_len(nrow(ta))) {
      r <- ta[i, , drop = FALSE]
      tag <- rm5_tags[[r$type]]
      measure_attr <- if (tag %in% c("DICH", "CONT")) list(EFFECT_MEASURE = r$measure)
      method <- if (r$method == "Peto") "PETO" else r$method
      attrs <- c(result_attrs(r), list(
        CI_STUDY = r$ci_study, CI_TOTAL = r$ci_total, ID = sprintf("CMP-%03d.%02d", cmp, r$outcome),
        LOG_DATA = yn(r$log_data), METHOD = method, NO = r$outcome,
        Q = r$subgroup_chi2, P_Q = r$subgroup_p, I2_Q = r$subgroup_I2,
        RANDOM = if (r$model == "random") "YES" else "NO", SUBGROUP_TEST = yn(r$subgroup_test),
        SWAP_EVENTS = yn(r$swap_events), TOTALS = yn(r$totals)), measure_attr)
      out <- c(out, sprintf("<%s_OUTCOME%s>", tag, xml_attrs(attrs)),
               sprintf("<NAME>%s</NAME>", xml_escape(r$name)),
               # one element a line, in RevMan's order (line-based readers such as
               # meta's read.rm5() rely on it)
               sprintf("<GROUP_LABEL_1>%s</GROUP_LABEL_1>", xml_escape(r$label_experimental %|na|% "")),
               sprintf("<GROUP_LABEL_2>%s</GROUP_LABEL_2>", xml_escape(r$label_control %|na|% "")),
               sprintf("<GRAPH_LABEL_1>%s</GRAPH_LABEL_1>", xml_escape(r$favours_left %|na|% "")),
               sprintf("<GRAPH_LABEL_2>%s</GRAPH_LABEL_2>", xml_escape(r$favours_right %|na|% "")),
               if (!tag %in% c("DICH", "CONT")) sprintf("<EFFECT_MEASURE>%s</EFFECT_MEASURE>", xml_escape(r$measure)))
      mine <- s[s$analysis == r$id, , drop = FALSE]
      sg <- a[a$level == "subgroup" & startsWith(a$id, paste0(r$id, ".")), , drop = FALSE]
      out <- c(out, study_lines(mine[is.na(mine$subgroup), , drop = FALSE], tag))
      for (j in seq_len(nrow(sg))) {
        g <- sg[j, , drop = FALSE]
        out <- c(out, sprintf("<%s_SUBGROUP%s>", tag, xml_attrs(c(result_attrs(g), list(NO = g$subgroup)))),
                 sprintf("<NAME>%s</NAME>", xml_escape(g$subgroup_name)),
                 study_lines(mine[mine$subgroup %in% g$subgroup, , drop = FALSE], tag),
                 sprintf("</%s_SUBGROUP>", tag))
      }
      out <- c(out, sprintf("</%s_OUTCOME>", tag))
    }
    out <- c(out, "</COMPARISON>")
  }
  out <- c(out, "</ANALYSES_AND_DATA>", "</COCHRANE_REVIEW>")
  con <- file(path, open = "wb")
  on.exit(close(con))
  writeLines(enc2utf8(out), con, useBytes = TRUE)
  path
}
