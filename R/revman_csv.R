# Reading the CSV-based RevMan formats: the RevMan Web / Cochrane data package and
# RevMan 5's CSV export of "Data and analyses".

# A CSV file as a character data frame, refusing what is not UTF-8 text or has
# ragged rows (a truncated or foreign file) rather than padding it with NA.
read_csv_strict <- function(path, shown = path) {
  raw <- readBin(path, "raw", file.size(path))
  if (!length(raw)) abort_file(shown, "is empty")
  if (any(raw == as.raw(0))) abort_file(shown, "is binary, not CSV text")
  text <- rawToChar(raw)
  Encoding(text) <- "UTF-8"
  if (!validUTF8(text)) abort_file(shown, "is not UTF-8 text (wrong encoding)")
  text <- sub("^\ufeff", "", text)
  lines <- strsplit(text, "\r?\n")[[1]]
  lines <- lines[nzchar(trimws(lines))]
  if (!length(lines)) abort_file(shown, "is empty")
  con <- textConnection(lines, encoding = "UTF-8")
  on.exit(close(con))
  counts <- utils::count.fields(con, sep = ",", quote = "\"", comment.char = "", blank.lines.skip = TRUE)
  counts <- counts[!is.na(counts)]
  if (length(unique(counts)) > 1L) {
    bad <- which(counts != counts[1])[1]
    abort_file(shown, sprintf("has a row with %d fields where the header has %d (record %d): truncated or not a RevMan file",
                              counts[bad], counts[1], bad))
  }
  out <- utils::read.csv(text = lines, colClasses = "character", check.names = FALSE,
                         na.strings = c("", "#N/A", "NA"), quote = "\"", comment.char = "",
                         strip.white = TRUE, encoding = "UTF-8")
  names(out) <- enc2utf8(names(out))
  out
}

need_columns <- function(df, cols, shown) {
  missing <- setdiff(cols, names(df))
  if (length(missing)) {
    abort_file(shown, sprintf("lacks the column%s %s", if (length(missing) > 1L) "s" else "",
                              paste0("\"", missing, "\"", collapse = ", ")))
  }
}

csv_num <- function(x) {
  if (is.null(x)) return(NULL)
  suppressWarnings(as.numeric(sub("%$", "", trimws(x))))
}
csv_flag <- function(x) {
  if (is.null(x) || is.na(x)) return(NA)
  tolower(trimws(x)) %in% c("true", "yes", "1")
}
col_or_na <- function(df, nm) if (nm %in% names(df)) df[[nm]] else rep(NA_character_, nrow(df))

# ---- data package --------------------------------------------------------------------

dp_files <- c(overall = "overall-estimates-and-settings.csv", rows = "data-rows.csv",
              subgroups = "subgroup-estimates.csv", info = "study-information.csv",
              rob = "risk-of-bias.csv")

dp_types <- c("dichotomous" = "dichotomous", "continuous" = "continuous",
              "generic inverse variance" = "giv", "o-e and variance" = "oe")

dp_settings <- c("Analysis group", "Analysis number", "Analysis name", "Data type",
                 "Statistical method", "Effect measure", "Analysis model")
dp_overall_results <- c("Mean", "CI start", "CI end")
dp_row_columns <- c("Analysis group", "Analysis number", "Subgroup", "Study",
                    "Experimental cases", "Experimental N", "Control cases", "Control N",
                    "Experimental mean", "Experimental SD", "Control mean", "Control SD",
                    "GIV Mean", "GIV SE", "O-E", "Variance", "Weight", "Mean", "CI start", "CI end")
dp_subgroup_columns <- c("Analysis group", "Analysis number", "Subgroup", "Subgroup number",
                         "Mean", "CI start", "CI end")

# Where the package's CSV files are: a folder, or a zip (possibly holding the
# package as an inner *-data.zip, as the Cochrane Library's download does).
dp_locate <- function(path) {
  if (dir.exists(path)) return(path)
  dir <- tempfile("revman")
  files <- tryCatch(utils::unzip(path, exdir = dir), warning = function(w) NULL, error = function(e) NULL)
  if (!length(files)) abort_file(path, "is not a readable zip archive")
  found <- list.files(dir, pattern = "overall-estimates-and-settings\\.csv$", recursive = TRUE)
  if (!length(found)) {
    inner <- list.files(dir, pattern = "\\.zip$", recursive = TRUE, full.names = TRUE)
    for (z in inner) utils::unzip(z, exdir = file.path(dir, basename(tools::file_path_sans_ext(z))))
  }
  dir
}

dp_file <- function(dir, which, path, required = TRUE) {
  hits <- list.files(dir, pattern = paste0(gsub(".", "\\.", dp_files[[which]], fixed = TRUE), "$"),
                     recursive = TRUE, full.names = TRUE)
  if (length(hits) > 1L) abort_file(path, sprintf("holds %d files \"*%s\"; one data package at a time", length(hits), dp_files[[which]]))
  if (!length(hits)) {
    if (required) abort_file(path, sprintf("is not a RevMan data package: no file \"*%s\"", dp_files[[which]]))
    return(NULL)
  }
  hits
}

read_datapackage <- function(path) {
  dir <- dp_locate(path)
  shown <- function(f) file.path(basename(path), sub(paste0("^", dir, "/?"), "", f, fixed = FALSE))
  f_overall <- dp_file(dir, "overall", path)
  f_rows <- dp_file(dir, "rows", path)
  f_sub <- dp_file(dir, "subgroups", path, required = FALSE)
  f_info <- dp_file(dir, "info", path, required = FALSE)
  f_rob <- dp_file(dir, "rob", path, required = FALSE)

  overall <- read_csv_strict(f_overall, shown(f_overall))
  need_columns(overall, c(dp_settings, dp_overall_results), shown(f_overall))
  rows <- read_csv_strict(f_rows, shown(f_rows))
  need_columns(rows, dp_row_columns, shown(f_rows))
  subs <- if (!is.null(f_sub)) read_csv_strict(f_sub, shown(f_sub))
  if (!is.null(subs)) need_columns(subs, dp_subgroup_columns, shown(f_sub))
  info <- if (!is.null(f_info)) read_csv_strict(f_info, shown(f_info))
  if (!is.null(info)) need_columns(info, c("Study", "Year"), shown(f_info))

  analyses <- list()
  studies <- list()
  for (i in seq_len(nrow(overall))) {
    o <- overall[i, , drop = FALSE]
    a <- dp_results(o)
    a$level <- "total"
    a$comparison <- as.integer(csv_num(o[["Analysis group"]]))
    a$outcome <- as.integer(csv_num(o[["Analysis number"]]))
    if (is.na(a$comparison) || is.na(a$outcome)) abort_file(shown(f_overall), sprintf("has no analysis number in row %d", i))
    a$id <- paste(a$comparison, a$outcome, sep = ".")
    a$comparison_name <- col_or_na(o, "Analysis group name")
    a$name <- o[["Analysis name"]]
    type <- tolower(trimws(o[["Data type"]]))
    a$type <- if (type %in% names(dp_types)) dp_types[[type]] else type
    a$method <- revman_method(o[["Statistical method"]])
    a$measure <- revman_measure(o[["Effect measure"]])
    if (identical(a$method, "Peto") && a$type == "dichotomous") a$measure <- "OR"
    a$model <- revman_model(o[["Analysis model"]])
    a$log_data <- csv_flag(o[["Log-scale data"]])
    a$ci_study <- csv_num(o[["Study CI"]])
    a$ci_total <- csv_num(o[["Estimate CI"]])
    a$swap_events <- csv_flag(o[["Swap event and non-event"]])
    a$totals <- if (is.null(o[["Overall estimates"]])) TRUE else csv_flag(o[["Overall estimates"]])
    a$subgroup_test <- csv_flag(o[["Test for subgroup differences"]])
    a$label_experimental <- col_or_na(o, "Experimental group label")
    a$label_control <- col_or_na(o, "Control group label")
    a$favours_left <- col_or_na(o, "Favours left")
    a$favours_right <- col_or_na(o, "Favours right")
    a$subgroup_chi2 <- csv_num(o[["Subgroup Chi\u00b2"]])
    a$subgroup_df <- csv_num(o[["Subgroup df"]])
    a$subgroup_p <- csv_num(o[["Subgroup P"]])
    a$subgroup_I2 <- csv_num(o[["Subgroup I\u00b2"]])

    mine <- rows[csv_num(rows[["Analysis group"]]) %in% a$comparison &
                 csv_num(rows[["Analysis number"]]) %in% a$outcome, , drop = FALSE]
    a$k <- nrow(mine)
    sub_rows <- list()
    sg_names <- character()
    if (!is.null(subs)) {
      s_mine <- subs[csv_num(subs[["Analysis group"]]) %in% a$comparison &
                     csv_num(subs[["Analysis number"]]) %in% a$outcome, , drop = FALSE]
      for (j in seq_len(nrow(s_mine))) {
        sg <- s_mine[j, , drop = FALSE]
        s <- utils::modifyList(a[c("comparison", "outcome", "comparison_name", "name", "type",
                                   "method", "measure", "log_data", "model", "ci_study",
                                   "ci_total", "swap_events", "totals", "subgroup_test",
                                   "label_experimental", "label_control", "favours_left",
                                   "favours_right")], dp_results(sg))
        s$level <- "subgroup"
        s$subgroup <- as.integer(csv_num(sg[["Subgroup number"]]))
        s$subgroup_name <- sg[["Subgroup"]]
        s$id <- paste(a$id, s$subgroup, sep = ".")
        s$k <- sum(mine[["Subgroup"]] %in% s$subgroup_name)
        sub_rows[[j]] <- s
        sg_names[j] <- s$subgroup_name
      }
    }
    if (!length(sub_rows)) a$subgroup_chi2 <- a$subgroup_df <- a$subgroup_p <- a$subgroup_I2 <- NA_real_
    not_computed <- is.na(a$estimate)
    for (j in seq_len(nrow(mine))) {
      r <- mine[j, , drop = FALSE]
      sg <- r[["Subgroup"]]
      no <- if (is.na(sg)) NA_integer_ else match(sg, sg_names)
      if (!is.na(sg) && is.na(no)) {
        abort_file(shown(f_rows), sprintf("names a subgroup \"%s\" of analysis %s that \"*%s\" lacks",
                                          sg, a$id, dp_files[["subgroups"]]))
      }
      studies[[length(studies) + 1L]] <- dp_study(r, a, if (is.na(no)) NA_integer_ else sub_rows[[no]]$subgroup,
                                                  if (is.na(sg)) NA_character_ else sg, not_computed, info)
    }
    analyses <- c(analyses, list(a), sub_rows)
  }
  rob <- if (!is.null(f_rob)) dp_risk_of_bias(read_csv_strict(f_rob, shown(f_rob)), shown(f_rob))
  title <- unique(stats::na.omit(col_or_na(overall, "Analysis group name")))
  new_mp_revman(layout_frame(analyses, revman_analysis_columns),
                layout_frame(studies, revman_study_columns), rob, "datapackage",
                paste(title, collapse = "; "), precision = 5e-7)
}

# Pooled results of one row; a row whose CI has no width was not computed by
# RevMan (it writes zeros there), so its results are not stored.
dp_results <- function(o) {
  r <- list(events1 = csv_num(o[["Experimental cases"]]), n1 = csv_num(o[["Experimental N"]]),
            events2 = csv_num(o[["Control cases"]]), n2 = csv_num(o[["Control N"]]),
            estimate = csv_num(o[["Mean"]]), ci_lb = csv_num(o[["CI start"]]),
            ci_ub = csv_num(o[["CI end"]]), tau2 = csv_num(o[["Heterogeneity Tau\u00b2"]]),
            chi2 = csv_num(o[["Heterogeneity Chi\u00b2"]]), df = csv_num(o[["Heterogeneity df"]]),
            p_chi2 = csv_num(o[["Heterogeneity P"]]), I2 = csv_num(o[["Heterogeneity I\u00b2"]]),
            z = csv_num(o[["Effect Z"]]), p_z = csv_num(o[["Effect P"]]))
  if (!is.na(r$ci_lb) && !is.na(r$ci_ub) && r$ci_lb == r$ci_ub) {
    r[c("estimate", "ci_lb", "ci_ub", "tau2", "chi2", "p_chi2", "I2", "z", "p_z")] <- NA_real_
  }
  r
}

dp_study <- function(r, a, subgroup, subgroup_name, not_computed, info) {
  year <- col_or_na(r, "Study year")
  if (is.na(year) && !is.null(info)) year <- info$Year[match(r[["Study"]], info$Study)]
  row <- list(analysis = a$id, subgroup = subgroup, subgroup_name = subgroup_name,
              study = r[["Study"]], year = year,
              order = as.integer(csv_num(col_or_na(r, "Order"))),
              weight = csv_num(r[["Weight"]]), estimate = csv_num(r[["Mean"]]),
              ci_lb = csv_num(r[["CI start"]]), ci_ub = csv_num(r[["CI end"]]))
  if (!is.na(row$ci_lb) && !is.na(row$ci_ub) && row$ci_lb == row$ci_ub) {
    row$estimate <- row$ci_lb <- row$ci_ub <- NA_real_
    if (not_computed) row$weight <- NA_real_
  }
  v <- function(nm) csv_num(r[[nm]])
  switch(a$type,
    dichotomous = row[c("events1", "n1", "events2", "n2")] <-
      lapply(c("Experimental cases", "Experimental N", "Control cases", "Control N"), v),
    continuous = row[c("mean1", "sd1", "n1", "mean2", "sd2", "n2")] <-
      lapply(c("Experimental mean", "Experimental SD", "Experimental N", "Control mean",
               "Control SD", "Control N"), v),
    giv = {
      row[c("giv_estimate", "giv_se")] <- lapply(c("GIV Mean", "GIV SE"), v)
      row[c("n1", "n2")] <- lapply(c("Experimental N", "Control N"), v)
    },
    oe = {
      row[c("o_e", "variance")] <- lapply(c("O-E", "Variance"), v)
      row[c("n1", "n2")] <- lapply(c("Experimental N", "Control N"), v)
    }
  )
  row
}

dp_risk_of_bias <- function(df, shown) {
  need_columns(df, "Study", shown)
  judged <- grep("\\(judgement\\):", names(df), value = TRUE)
  rows <- list()
  for (col in judged) {
    domain <- trimws(sub("^.*\\(judgement\\):", "", col))
    support_col <- sub("(judgement)", "(support)", col, fixed = TRUE)
    support <- if (support_col %in% names(df)) df[[support_col]] else rep(NA_character_, nrow(df))
    for (i in seq_len(nrow(df))) {
      rows[[length(rows) + 1L]] <- list(study = df$Study[i], domain = domain,
                                        judgement = revman_rob_judgement(df[[col]][i]),
                                        support = support[i])
    }
  }
  finish_rob(layout_frame(rows, rob_columns))
}

# ---- RevMan 5 CSV export of data and analyses -------------------------------------------

csv5_columns <- c("Comparison Number", "Outcome Number", "Subgroup Number", "Name", "Data Type",
                  "Statistical Method", "Effect Measure", "Analysis Model", "Events 1", "Mean 1",
                  "SD 1", "Total 1", "Events 2", "Mean 2", "SD 2", "Total 2", "Effect Estimate",
                  "SE", "CI Start", "CI End", "Weight")
csv5_types <- c(DIC = "dichotomous", CON = "continuous", GIV = "giv", IV = "giv",
                IPD = "oe", OE = "oe", "O-E" = "oe")

read_revman_csv <- function(path) {
  df <- read_csv_strict(path)
  if (!"Comparison Number" %in% names(df)) {
    abort_file(path, "is a CSV file but not RevMan 5's export of data and analyses (no column \"Comparison Number\")")
  }
  need_columns(df, csv5_columns, path)
  cmp <- as.integer(csv_num(df[["Comparison Number"]]))
  out <- as.integer(csv_num(df[["Outcome Number"]]))
  sgn <- as.integer(csv_num(df[["Subgroup Number"]]))
  if (anyNA(cmp) || anyNA(out) || anyNA(sgn)) abort_file(path, "has a row without comparison, outcome or subgroup number")
  dtype <- df[["Data Type"]]
  analyses <- list()
  studies <- list()
  current <- NULL
  cmp_names <- list()
  seen_sg <- character()
  flush <- function() if (!is.null(current)) analyses[[length(analyses) + 1L]] <<- current
  subgroups <- list()
  for (i in seq_len(nrow(df))) {
    r <- df[i, , drop = FALSE]
    if (out[i] == 0L) {
      cmp_names[[as.character(cmp[i])]] <- r$Name
      next
    }
    if (!is.na(dtype[i])) {
      if (length(subgroups)) analyses <- c(analyses, subgroups)
      subgroups <- list()
      flush()
      code <- toupper(trimws(dtype[i]))
      a <- csv5_results(r)
      a$level <- "total"
      a$comparison <- cmp[i]
      a$outcome <- out[i]
      a$id <- paste(cmp[i], out[i], sep = ".")
      a$comparison_name <- cmp_names[[as.character(cmp[i])]] %||% NA_character_
      a$name <- r$Name
      a$type <- if (code %in% names(csv5_types)) csv5_types[[code]] else tolower(code)
      a$method <- revman_method(r[["Statistical Method"]])
      a$measure <- revman_measure(r[["Effect Measure"]])
      if (identical(a$method, "Peto") && a$type == "dichotomous") a$measure <- "OR"
      a$model <- revman_model(r[["Analysis Model"]])
      a$log_data <- a$measure %in% ratio_measures
      a$subgroup_chi2 <- csv_num(r[["Qint"]])
      a$subgroup_p <- csv_num(r[["P(Qint)"]])
      a$subgroup_I2 <- csv_num(r[["I\u00b2(Qint)"]])
      a$label_experimental <- col_or_na(r, "Group Label 1")
      a$label_control <- col_or_na(r, "Group Label 2")
      a$favours_left <- col_or_na(r, "Left Graph Label")
      a$favours_right <- col_or_na(r, "Right Graph Label")
      a$k <- 0L
      current <- a
      seen_sg <- character()
      next
    }
    if (is.null(current) || current$comparison != cmp[i] || current$outcome != out[i]) {
      abort_file(path, sprintf("has a study row (record %d) outside any analysis", i + 1L))
    }
    key <- as.character(sgn[i])
    if (sgn[i] > 0L && !key %in% seen_sg) {
      seen_sg <- c(seen_sg, key)
      s <- utils::modifyList(current[c("comparison", "outcome", "comparison_name", "name",
                                       "type", "method", "measure", "log_data", "model",
                                       "label_experimental", "label_control", "favours_left",
                                       "favours_right")], csv5_results(r))
      s$level <- "subgroup"
      s$subgroup <- sgn[i]
      s$subgroup_name <- r$Name
      s$id <- paste(current$id, sgn[i], sep = ".")
      s$k <- 0L
      subgroups[[key]] <- s
      next
    }
    st <- csv5_study(r, current, if (sgn[i] > 0L) sgn[i] else NA_integer_,
                     if (sgn[i] > 0L) subgroups[[key]]$subgroup_name else NA_character_)
    studies[[length(studies) + 1L]] <- st
    current$k <- current$k + 1L
    if (sgn[i] > 0L) subgroups[[key]]$k <- subgroups[[key]]$k + 1L
  }
  flush()
  if (length(subgroups)) analyses <- c(analyses, subgroups)
  analyses <- lapply(analyses, function(a) {
    if (a$level == "total") {
      n_sub <- sum(vapply(analyses, function(b) b$level == "subgroup" && b$id != a$id &&
                            startsWith(b$id, paste0(a$id, ".")), logical(1)))
      a$subgroup_df <- if (n_sub > 1L && !is.na(a$subgroup_chi2)) n_sub - 1 else NA_real_
      if (n_sub == 0L) a$subgroup_chi2 <- a$subgroup_p <- a$subgroup_I2 <- NA_real_
    }
    a
  })
  ord <- order(vapply(analyses, function(a) a$comparison, 1L),
               vapply(analyses, function(a) a$outcome, 1L),
               vapply(analyses, function(a) if (is.null(a$subgroup) || is.na(a$subgroup)) 0L else a$subgroup, 1L))
  new_mp_revman(layout_frame(analyses[ord], revman_analysis_columns),
                layout_frame(studies, revman_study_columns), NULL, "csv",
                paste(unlist(cmp_names), collapse = "; "), precision = 5e-9)
}

csv5_results <- function(r) {
  list(events1 = csv_num(r[["Events 1"]]), n1 = csv_num(r[["Total 1"]]),
       events2 = csv_num(r[["Events 2"]]), n2 = csv_num(r[["Total 2"]]),
       estimate = csv_num(r[["Effect Estimate"]]), ci_lb = csv_num(r[["CI Start"]]),
       ci_ub = csv_num(r[["CI End"]]), chi2 = csv_num(r[["Q"]]), p_chi2 = csv_num(r[["P(Q)"]]),
       I2 = csv_num(r[["I\u00b2(Q)"]]), tau2 = csv_num(r[["Tau\u00b2"]]), z = csv_num(r[["Z"]]),
       p_z = csv_num(r[["P(Z)"]]), df = csv_num(r[["df"]]))
}

csv5_study <- function(r, a, subgroup, subgroup_name) {
  v <- function(nm) csv_num(r[[nm]])
  row <- list(analysis = a$id, subgroup = subgroup, subgroup_name = subgroup_name,
              study = r$Name, year = col_or_na(r, "Year of study"),
              order = as.integer(csv_num(col_or_na(r, "User defined order"))),
              estimate = v("Effect Estimate"), ci_lb = v("CI Start"), ci_ub = v("CI End"),
              weight = v("Weight"))
  se <- v("SE")
  to_scale <- if (a$measure %in% ratio_measures) log else identity
  switch(a$type,
    dichotomous = row[c("events1", "n1", "events2", "n2")] <- lapply(c("Events 1", "Total 1", "Events 2", "Total 2"), v),
    continuous = row[c("mean1", "sd1", "n1", "mean2", "sd2", "n2")] <-
      lapply(c("Mean 1", "SD 1", "Total 1", "Mean 2", "SD 2", "Total 2"), v),
    giv = {
      # the export holds the study's estimate (ratio scale) and the SE of its log
      row$giv_estimate <- to_scale(row$estimate)
      row$giv_se <- se
      row[c("n1", "n2")] <- lapply(c("Total 1", "Total 2"), v)
    },
    oe = {
      # ln OR = (O-E)/V with SE 1/sqrt(V): O-E and V follow from the estimate and SE
      row$variance <- 1 / se^2
      row$o_e <- to_scale(row$estimate) * row$variance
      row[c("n1", "n2")] <- lapply(c("Total 1", "Total 2"), v)
    }
  )
  row
}
