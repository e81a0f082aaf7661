#' Read a Cochrane review's data from RevMan files
#'
#' Reads the analyses of a Cochrane review, with the study data and the
#' results RevMan stored for them, from any of the three files RevMan and the
#' Cochrane Library give out:
#' * a RevMan 5 review file (`.rm5`, XML), which stores every result to full
#'   double precision;
#' * a RevMan Web / Cochrane Library *data package*: a folder or `.zip` holding
#'   the CSV files `*overall-estimates-and-settings.csv`, `*data-rows.csv`,
#'   `*subgroup-estimates.csv` and, optionally, `*study-information.csv` and
#'   `*risk-of-bias.csv` (a zip holding the package as an inner `*-data.zip`
#'   is unpacked too); results are stored to six decimals;
#' * RevMan 5's CSV export of "Data and analyses" (`.csv`), results to eight
#'   decimals.
#'
#' Dichotomous, continuous, generic inverse variance (GIV) and O-E and variance
#' outcomes are read, with their subgroups. The XML is parsed by xml2.
#'
#' @section Tables:
#' * `analyses`: one row per analysis (`level = "total"`) and per subgroup of an
#'   analysis (`level = "subgroup"`). Settings: `type` (`"dichotomous"`,
#'   `"continuous"`, `"giv"`, `"oe"`), `method` (`"MH"`, `"IV"`, `"Peto"`),
#'   `measure` (`"OR"`, `"RR"`, `"RD"`, `"MD"`, `"SMD"`, `"HR"`, ...),
#'   `log_data` (GIV data entered on the log scale), `model` (`"fixed"`,
#'   `"random"`), `ci_study` and `ci_total` (confidence levels, percent),
#'   `swap_events`, `totals`, `subgroup_test`, group and graph labels, and the
#'   totals `events1`, `n1`, `events2`, `n2`. RevMan's results: `k`,
#'   `estimate`, `ci_lb`, `ci_ub` (ratio measures on the ratio scale), `tau2`,
#'   `chi2`, `df`, `p_chi2`, `I2` (percent), `z`, `p_z`, and on analysis rows
#'   the test for subgroup differences `subgroup_chi2`, `subgroup_df`,
#'   `subgroup_p`, `subgroup_I2`. A result RevMan did not store is `NA`.
#' * `studies`: one row per study in an analysis (`analysis` is the `id` of the
#'   analysis row, `subgroup` the subgroup's number or `NA`), with `study`,
#'   `year`, the arm data `events1`, `n1`, `mean1`, `sd1` (experimental) and
#'   `events2`, `n2`, `mean2`, `sd2` (control), GIV data `giv_estimate` and
#'   `giv_se`, O-E data `o_e` and `variance`, and RevMan's study results
#'   `estimate`, `ci_lb`, `ci_ub` and `weight` (percent).
#' * `risk_of_bias` (or `NULL`): columns `study`, `domain`, `judgement` (one of
#'   `"low"`, `"unclear"`, `"high"`) and `support` (text or `NA`); judgements
#'   "not applicable" or missing are left out.
#'
#' @param path Path to an `.rm5` file, a data package (folder or `.zip`), or a
#'   RevMan 5 CSV export.
#' @param format `"auto"` (from the file: XML, zip or folder, CSV) or one of
#'   `"rm5"`, `"datapackage"`, `"csv"`.
#' @return An object of class `mp_revman`: a list with the data frames
#'   `analyses`, `studies` and `risk_of_bias` (see Tables), `format`, `path`,
#'   `title` and `precision` (the absolute rounding of the stored results: 0 for
#'   `.rm5`, `5e-7` for data packages, `5e-9` for the CSV export). It prints as
#'   a list of the analyses; `as.data.frame()` gives the `analyses` table (or
#'   `table = "studies"`, `"risk_of_bias"`).
#'   A file that cannot be read as RevMan data raises an error of class
#'   `metapool_error_file` (a `metapool_error_input`) that names the file and
#'   the problem; a file is never read in part.
#' @seealso [reproduce_review()] re-runs every analysis and compares it with the
#'   stored results; [write_revman()] writes a data package.
#' @references Deeks JJ, Higgins JPT (2010). *Statistical algorithms in Review
#'   Manager 5.* Cochrane Statistical Methods Group.
#' @examples
#' path <- system.file("extdata", "eccleston2014_synthetic", package = "metapool")
#' review <- read_revman(path)
#' review
#' head(as.data.frame(review, table = "studies"))
#' @export
read_revman <- function(path, format = c("auto", "rm5", "datapackage", "csv")) {
  if (!is.character(path) || length(path) != 1L || is.na(path) || !nzchar(path)) {
    abort_input("`path` must be a single file or folder path.", "path")
  }
  format <- chk_choice(format[1L], c("auto", "rm5", "datapackage", "csv"), "format")
  if (!file.exists(path)) abort_file(path, "does not exist")
  if (format == "auto") format <- revman_format(path)
  x <- switch(format,
    rm5 = read_rm5(path),
    datapackage = read_datapackage(path),
    csv = read_revman_csv(path)
  )
  x$path <- path
  validate_mp_revman(x, path)
}

abort_file <- function(path, problem, arg = "path") {
  msg <- sprintf("`%s`: \"%s\" %s.", arg, basename(path), problem)
  stop(metapool_condition(msg, c("metapool_error_file", "metapool_error_input", "metapool_error", "error"),
                          arg = arg, path = path))
}

revman_format <- function(path) {
  if (dir.exists(path)) return("datapackage")
  head <- readBin(path, "raw", 512L)
  if (length(head) >= 2L && identical(head[1:2], charToRaw("PK"))) return("datapackage")
  text <- rawToChar(head[head != as.raw(0)])
  text <- sub("^\xef\xbb\xbf", "", text, useBytes = TRUE)
  if (grepl("^\\s*<", text, useBytes = TRUE)) return("rm5")
  if (grepl("\\.csv$", path, ignore.case = TRUE) || grepl(",", text, useBytes = TRUE)) return("csv")
  abort_file(path, "is neither RevMan 5 XML, a data package nor a RevMan CSV export")
}

# ---- the common layout ----------------------------------------------------------------

revman_analysis_columns <- list(
  id = NA_character_, level = NA_character_, comparison = NA_integer_, outcome = NA_integer_,
  subgroup = NA_integer_, comparison_name = NA_character_, name = NA_character_,
  subgroup_name = NA_character_, type = NA_character_, method = NA_character_,
  measure = NA_character_, log_data = NA, model = NA_character_, ci_study = NA_real_,
  ci_total = NA_real_, swap_events = NA, totals = NA, subgroup_test = NA,
  label_experimental = NA_character_, label_control = NA_character_,
  favours_left = NA_character_, favours_right = NA_character_,
  events1 = NA_real_, n1 = NA_real_, events2 = NA_real_, n2 = NA_real_, k = NA_integer_,
  estimate = NA_real_, ci_lb = NA_real_, ci_ub = NA_real_, tau2 = NA_real_, chi2 = NA_real_,
  df = NA_real_, p_chi2 = NA_real_, I2 = NA_real_, z = NA_real_, p_z = NA_real_,
  subgroup_chi2 = NA_real_, subgroup_df = NA_real_, subgroup_p = NA_real_,
  subgroup_I2 = NA_real_
)

revman_study_columns <- list(
  analysis = NA_character_, subgroup = NA_integer_, subgroup_name = NA_character_,
  study = NA_character_, year = NA_character_, order = NA_integer_,
  events1 = NA_real_, n1 = NA_real_, mean1 = NA_real_, sd1 = NA_real_,
  events2 = NA_real_, n2 = NA_real_, mean2 = NA_real_, sd2 = NA_real_,
  giv_estimate = NA_real_, giv_se = NA_real_, o_e = NA_real_, variance = NA_real_,
  estimate = NA_real_, ci_lb = NA_real_, ci_ub = NA_real_, weight = NA_real_
)

rob_columns <- list(study = NA_character_, domain = NA_character_,
                    judgement = NA_character_, support = NA_character_)

# Rows (named lists) into a data frame with every column of `layout`, in its
# order and type.
layout_frame <- function(rows, layout) {
  cols <- lapply(names(layout), function(nm) {
    proto <- layout[[nm]]
    if (!length(rows)) return(proto[0])
    convert <- switch(typeof(proto), character = as.character, integer = as.integer,
                      double = as.numeric, logical = as.logical)
    v <- vapply(rows, function(r) {
      x <- r[[nm]]
      if (is.null(x) || length(x) == 0L) proto else convert(x[[1L]])
    }, proto)
    unname(v)
  })
  names(cols) <- names(layout)
  as.data.frame(cols, stringsAsFactors = FALSE)
}

new_mp_revman <- function(analyses, studies, risk_of_bias, format, title, precision) {
  structure(list(analyses = analyses, studies = studies, risk_of_bias = risk_of_bias,
                 format = format, path = NA_character_, title = title, precision = precision),
            class = "mp_revman")
}

revman_types <- c("dichotomous", "continuous", "giv", "oe")

validate_mp_revman <- function(x, path) {
  a <- x$analyses
  if (!nrow(a)) abort_file(path, "holds no analyses with study data")
  bad <- setdiff(unique(a$type), revman_types)
  if (length(bad)) {
    abort_file(path, sprintf("has an outcome type metapool does not support yet (%s)",
                             paste(bad, collapse = ", ")))
  }
  total <- a$level == "total"
  chk <- function(ok, what) {
    if (any(!ok)) abort_file(path, sprintf("has %s in analysis %s", what, a$id[!ok][1]))
  }
  chk(!is.na(a$method[total]) & a$method[total] %in% c("MH", "IV", "Peto"),
      "an unknown statistical method")
  chk(!is.na(a$model[total]), "no analysis model")
  chk(!is.na(a$measure[total]), "no effect measure")
  s <- x$studies
  orphan <- setdiff(s$analysis, a$id[total])
  if (length(orphan)) abort_file(path, sprintf("has study rows of an unknown analysis (%s)", orphan[1]))
  need <- function(type, cols) {
    rows <- s[s$analysis %in% a$id[total & a$type == type], , drop = FALSE]
    for (cl in cols) {
      if (anyNA(rows[[cl]])) {
        abort_file(path, sprintf("lacks `%s` for study \"%s\" of analysis %s", cl,
                                 rows$study[is.na(rows[[cl]])][1],
                                 rows$analysis[is.na(rows[[cl]])][1]))
      }
    }
  }
  need("dichotomous", c("events1", "n1", "events2", "n2"))
  need("continuous", c("mean1", "sd1", "n1", "mean2", "sd2", "n2"))
  need("giv", c("giv_estimate", "giv_se"))
  need("oe", c("o_e", "variance"))
  if (anyNA(s$study) || any(!nzchar(s$study))) abort_file(path, "has a study row without a study name")
  x
}

revman_measure <- function(x) {
  key <- tolower(trimws(x))
  table <- c("odds ratio" = "OR", "peto odds ratio" = "OR", "peto_or" = "OR", or = "OR",
             "risk ratio" = "RR", rr = "RR", "risk difference" = "RD", rd = "RD",
             "mean difference" = "MD", md = "MD", "std. mean difference" = "SMD",
             "standardized mean difference" = "SMD", "standardised mean difference" = "SMD",
             smd = "SMD", "hazard ratio" = "HR", hr = "HR", "rate ratio" = "RaR")
  out <- unname(table[key])
  ifelse(is.na(out), trimws(x), out)
}

revman_method <- function(x) {
  key <- toupper(trimws(x))
  out <- c(MH = "MH", "M-H" = "MH", IV = "IV", "INVERSE VARIANCE" = "IV", PETO = "Peto",
           "EXP[(O-E) / V]" = "Peto", "EXP[(O-E)/V]" = "Peto")[key]
  unname(ifelse(is.na(out), trimws(x), out))
}

revman_model <- function(x) {
  key <- tolower(trimws(x))
  ifelse(key %in% c("no", "fixed", "fixed effect", "fixed-effect"), "fixed",
         ifelse(key %in% c("yes", "random", "random effects", "random-effects"), "random", NA_character_))
}

ratio_measures <- c("OR", "RR", "HR", "RaR")

# ---- RevMan 5 (.rm5) -------------------------------------------------------------------

rm5_outcome_types <- c(DICH = "dichotomous", CONT = "continuous", IV = "giv", IPD = "oe")

# The XML is read node set by node set (xml2 is vectorised over node sets), so a
# review with hundreds of analyses reads in a fraction of a second.
read_rm5 <- function(path) {
  doc <- tryCatch(xml2::read_xml(path, options = c("NOBLANKS", "HUGE")), error = function(e) {
    abort_file(path, sprintf("is not well-formed XML (%s)", conditionMessage(e)))
  })
  root <- xml2::xml_root(doc)
  if (xml2::xml_name(root) != "COCHRANE_REVIEW") {
    abort_file(path, sprintf("is XML but not a RevMan 5 review (root element <%s>, not <COCHRANE_REVIEW>)",
                             xml2::xml_name(root)))
  }
  data <- xml2::xml_find_first(root, "ANALYSES_AND_DATA", ns = character())
  if (inherits(data, "xml_missing")) abort_file(path, "has no <ANALYSES_AND_DATA> section")
  find <- function(x, xpath) xml2::xml_find_all(x, xpath, ns = character())

  study_nodes <- find(root, "//STUDY[@ID]")
  info <- data.frame(id = xml2::xml_attr(study_nodes, "ID"), name = xml2::xml_attr(study_nodes, "NAME"),
                     year = xml2::xml_attr(study_nodes, "YEAR"), stringsAsFactors = FALSE)
  info <- info[!duplicated(info$id), , drop = FALSE]

  outcomes <- find(data, "COMPARISON/*[contains(name(), '_OUTCOME')]")
  subgroups <- find(outcomes, "*[contains(name(), '_SUBGROUP')]")
  rows <- find(data, paste("COMPARISON/*/*[contains(name(), '_DATA')]",
                           "COMPARISON/*/*/*[contains(name(), '_DATA')]", sep = " | "))
  if (!length(outcomes)) abort_file(path, "holds no analyses with study data")

  kind <- sub("_OUTCOME$", "", xml2::xml_name(outcomes))
  type <- ifelse(kind %in% names(rm5_outcome_types), rm5_outcome_types[kind], tolower(kind))
  oa <- attr_table(outcomes)
  comparisons <- find(data, "COMPARISON")
  cmp_of <- match(parent_path(outcomes), xml2::xml_path(comparisons))
  cmp_no <- as.integer(xml2::xml_attr(comparisons, "NO"))[cmp_of]
  out_no <- as.integer(oa("NO"))
  id <- paste(cmp_no, out_no, sep = ".")
  measure <- oa("EFFECT_MEASURE")
  measure[is.na(measure)] <- children_text(outcomes, "EFFECT_MEASURE")[is.na(measure)]
  method <- revman_method(oa("METHOD"))
  method[is.na(method)] <- ifelse(type[is.na(method)] == "oe", "Peto", "IV")
  measure <- revman_measure(measure)
  measure[type == "dichotomous" & method == "Peto"] <- "OR"
  model <- oa("RANDOM")
  model[is.na(model)] <- "NO"
  settings <- data.frame(
    comparison = cmp_no, outcome = out_no, comparison_name = children_text(comparisons, "NAME")[cmp_of],
    name = children_text(outcomes, "NAME"), type = unname(type), method = method,
    measure = measure, log_data = flag_na(oa("LOG_DATA")), model = revman_model(model),
    ci_study = num(oa("CI_STUDY")), ci_total = num(oa("CI_TOTAL")),
    swap_events = flag_na(oa("SWAP_EVENTS")), totals = flag_na(oa("TOTALS")),
    subgroup_test = flag_na(oa("SUBGROUP_TEST")),
    label_experimental = children_text(outcomes, "GROUP_LABEL_1"),
    label_control = children_text(outcomes, "GROUP_LABEL_2"),
    favours_left = children_text(outcomes, "GRAPH_LABEL_1"),
    favours_right = children_text(outcomes, "GRAPH_LABEL_2"), stringsAsFactors = FALSE)

  # which outcome each subgroup and each study row belongs to
  out_path <- xml2::xml_path(outcomes)
  sg_outcome <- match(parent_path(subgroups), out_path)
  sg_path <- xml2::xml_path(subgroups)
  row_parent <- parent_path(rows)
  row_sg <- match(row_parent, sg_path)
  row_outcome <- ifelse(is.na(row_sg), match(row_parent, out_path), sg_outcome[row_sg])

  n_sub <- tabulate(sg_outcome, nbins = length(outcomes))
  totals <- data.frame(id = id, level = "total", subgroup = NA_integer_, subgroup_name = NA_character_,
                       settings, rm5_results(oa), stringsAsFactors = FALSE, row.names = NULL)
  has_test <- n_sub > 0
  totals$subgroup_chi2 <- ifelse(has_test, num(oa("Q")), NA_real_)
  totals$subgroup_p <- ifelse(has_test, num(oa("P_Q")), NA_real_)
  totals$subgroup_I2 <- ifelse(has_test, num(oa("I2_Q")), NA_real_)
  totals$subgroup_df <- ifelse(has_test & !is.na(totals$subgroup_chi2), n_sub - 1, NA_real_)

  sa <- attr_table(subgroups)
  sub_no <- as.integer(sa("NO"))
  subs <- data.frame(id = paste(id[sg_outcome], sub_no, sep = "."), level = rep("subgroup", length(sub_no)),
                     subgroup = sub_no, subgroup_name = children_text(subgroups, "NAME"),
                     settings[sg_outcome, , drop = FALSE], rm5_results(sa), stringsAsFactors = FALSE,
                     row.names = NULL)
  analyses <- rbind(conform(totals, revman_analysis_columns), conform(subs, revman_analysis_columns))
  analyses <- analyses[order(c(seq_along(id), sg_outcome), c(rep(0L, length(id)), sub_no)), , drop = FALSE]
  analyses <- conform(analyses, revman_analysis_columns)

  ra <- attr_table(rows)
  rtype <- type[row_outcome]
  hit <- match(ra("STUDY_ID"), info$id)
  effect <- num(ra("EFFECT_SIZE"))
  by_type <- function(t, v) ifelse(rtype %in% t, v, NA_real_)
  studies <- data.frame(
    analysis = id[row_outcome], subgroup = sub_no[row_sg],
    subgroup_name = children_text(subgroups, "NAME")[row_sg],
    study = ifelse(is.na(hit), ra("STUDY_ID"), info$name[hit]), year = info$year[hit],
    order = as.integer(num(ra("ORDER"))),
    events1 = by_type("dichotomous", num(ra("EVENTS_1"))),
    n1 = num(ra("TOTAL_1")), mean1 = by_type("continuous", num(ra("MEAN_1"))),
    sd1 = by_type("continuous", num(ra("SD_1"))),
    events2 = by_type("dichotomous", num(ra("EVENTS_2"))),
    n2 = num(ra("TOTAL_2")), mean2 = by_type("continuous", num(ra("MEAN_2"))),
    sd2 = by_type("continuous", num(ra("SD_2"))),
    # GIV rows hold the data as entered (log scale when LOG_DATA="YES")
    giv_estimate = by_type("giv", effect), giv_se = by_type("giv", num(ra("SE"))),
    o_e = by_type("oe", num(ra("O_E"))), variance = by_type("oe", num(ra("VAR"))),
    estimate = ifelse(rtype == "giv", NA_real_, effect),
    ci_lb = num(ra("CI_START")), ci_ub = num(ra("CI_END")), weight = num(ra("WEIGHT")),
    stringsAsFactors = FALSE)
  not_estimable <- toupper(ra("ESTIMABLE") %|na|% "YES") == "NO"
  studies$weight[!is.na(not_estimable) & not_estimable] <- 0
  studies <- conform(studies, revman_study_columns)

  title <- xml2::xml_text(xml2::xml_find_first(root, "COVER_SHEET/TITLE", ns = character()))
  new_mp_revman(analyses, studies, rm5_risk_of_bias(root, info), "rm5",
                if (is.na(title)) "" else title, precision = 0)
}

`%|na|%` <- function(x, y) ifelse(is.na(x), y, x)
yes_na <- function(x) if (is.na(x)) NA else toupper(x) %in% c("YES", "TRUE")
flag_na <- function(x) ifelse(is.na(x), NA, toupper(x) %in% c("YES", "TRUE"))
num <- function(x) suppressWarnings(as.numeric(x))

# The XPath of each node's parent (xml_parent() on a node set drops duplicates).
parent_path <- function(x) {
  path <- if (is.character(x)) x else xml2::xml_path(x)
  sub("/[^/]+$", "", path)
}

# A function giving one attribute for every node of a node set (NA where absent).
attr_table <- function(nodes) {
  attrs <- xml2::xml_attrs(nodes)
  function(name) {
    out <- vapply(attrs, function(a) a[name], "", USE.NAMES = FALSE)
    unname(out)
  }
}

# The text of the first child `name` of every node ("" and absent become NA).
children_text <- function(nodes, name) {
  if (!length(nodes)) return(character())
  txt <- xml2::xml_text(xml2::xml_find_first(nodes, name, ns = character()))
  txt[!is.na(txt) & txt == ""] <- NA_character_
  txt
}

rm5_results <- function(at) {
  data.frame(events1 = num(at("EVENTS_1")), n1 = num(at("TOTAL_1")),
             events2 = num(at("EVENTS_2")), n2 = num(at("TOTAL_2")),
             k = as.integer(num(at("STUDIES"))), estimate = num(at("EFFECT_SIZE")),
             ci_lb = num(at("CI_START")), ci_ub = num(at("CI_END")), tau2 = num(at("TAU2")),
             chi2 = num(at("CHI2")), df = num(at("DF")), p_chi2 = num(at("P_CHI2")),
             I2 = num(at("I2")), z = num(at("Z")), p_z = num(at("P_Z")))
}

# A data frame with exactly the columns of `layout`, in its order and types.
conform <- function(df, layout) {
  out <- lapply(names(layout), function(nm) {
    proto <- layout[[nm]]
    v <- if (nm %in% names(df)) df[[nm]] else rep(proto, nrow(df))
    switch(typeof(proto), character = as.character(v), integer = as.integer(v),
           double = as.numeric(v), logical = as.logical(v))
  })
  names(out) <- names(layout)
  out <- as.data.frame(out, stringsAsFactors = FALSE)
  rownames(out) <- NULL
  out
}

revman_rob_judgement <- function(x) {
  key <- toupper(gsub("[^A-Za-z]", "_", trimws(x)))
  out <- rep(NA_character_, length(x))
  out[key %in% c("YES", "LOW_RISK", "LOW", "LOW_RISK_OF_BIAS")] <- "low"
  out[key %in% c("NO", "HIGH_RISK", "HIGH", "HIGH_RISK_OF_BIAS")] <- "high"
  out[key %in% c("UNKNOWN", "UNCLEAR", "UNCLEAR_RISK", "UNCLEAR_RISK_OF_BIAS", "SOME_CONCERNS")] <- "unclear"
  out
}

rm5_risk_of_bias <- function(root, info) {
  entries <- xml2::xml_find_all(root, "//QUALITY_ITEMS/QUALITY_ITEM/QUALITY_ITEM_DATA/QUALITY_ITEM_DATA_ENTRY",
                                ns = character())
  if (!length(entries)) return(NULL)
  items <- xml2::xml_find_all(root, "//QUALITY_ITEMS/QUALITY_ITEM", ns = character())
  item_of <- match(parent_path(parent_path(entries)), xml2::xml_path(items))
  id <- xml2::xml_attr(entries, "STUDY_ID")
  hit <- match(id, info$id)
  support <- trimws(xml2::xml_text(entries))
  finish_rob(data.frame(study = ifelse(is.na(hit), id, info$name[hit]),
                        domain = children_text(items, "NAME")[item_of],
                        judgement = revman_rob_judgement(xml2::xml_attr(entries, "RESULT")),
                        support = ifelse(nzchar(support), support, NA_character_),
                        stringsAsFactors = FALSE))
}

finish_rob <- function(rob) {
  rob <- rob[!is.na(rob$judgement), , drop = FALSE]
  if (!nrow(rob)) return(NULL)
  rownames(rob) <- NULL
  rob
}

#' @export
print.mp_revman <- function(x, ...) {
  a <- x$analyses
  total <- a$level == "total"
  cat(sprintf("RevMan review data (%s): %d analys%s, %d study rows%s\n",
              c(rm5 = "RevMan 5 file", datapackage = "data package", csv = "RevMan 5 CSV export")[[x$format]],
              sum(total), if (sum(total) == 1L) "is" else "es", nrow(x$studies),
              if (!is.null(x$risk_of_bias)) sprintf(", %d risk-of-bias judgements", nrow(x$risk_of_bias)) else ""))
  if (nzchar(x$title %||% "")) cat(strwrap(x$title, width = 78, prefix = "  "), sep = "\n")
  shown <- a[total, , drop = FALSE]
  n_sub <- vapply(shown$id, function(id) sum(a$level == "subgroup" & startsWith(a$id, paste0(id, "."))), 1L)
  result <- ifelse(is.na(shown$estimate), "not stored",
                   sprintf("%s [%s, %s]", format_num(shown$estimate, 2), format_num(shown$ci_lb, 2),
                           format_num(shown$ci_ub, 2)))
  short <- function(v, n) ifelse(nchar(v) > n, paste0(substr(v, 1, n - 3), "..."), v)
  type <- c(dichotomous = "dich", continuous = "cont", giv = "GIV", oe = "O-E")[shown$type]
  tab <- data.frame(
    analysis = shown$id, name = short(shown$name, 30),
    data = ifelse(is.na(type), shown$type, type), method = paste(shown$method, shown$measure, shown$model),
    k = shown$k, sub = n_sub, `RevMan result` = result, check.names = FALSE, stringsAsFactors = FALSE
  )
  print(tab, row.names = FALSE, right = FALSE)
  invisible(x)
}

#' @param x An `mp_revman` object.
#' @param row.names,optional Ignored.
#' @param table Which table: `"analyses"`, `"studies"` or `"risk_of_bias"`.
#' @param ... Ignored.
#' @rdname read_revman
#' @export
as.data.frame.mp_revman <- function(x, row.names = NULL, optional = FALSE,
                                    table = c("analyses", "studies", "risk_of_bias"), ...) {
  table <- chk_choice(table[1L], c("analyses", "studies", "risk_of_bias"), "table")
  x[[table]] %||% as.data.frame(rob_columns, stringsAsFactors = FALSE)[0, ]
}
