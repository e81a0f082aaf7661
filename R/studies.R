# The one input path. Every study-level front end (the es_*() functions, metapool(),
# metapool_mh(), metapool_batch()) evaluates its arguments with study_arguments(),
# resolves labels, `subset` and missing values with study_rows(), and the pooling
# front ends prepare their studies with prepare_studies().

# Evaluate the arguments named in `names` of the calling function, in `data` first (as
# columns or expressions of columns), then in `env`. A single string naming a column of
# `data` selects that column.
# `call`, the caller's call with every argument by its full name (match.call(), or the
# call as written when it is so already), saves looking each argument up (a fast path
# for front ends called in loops); without it the caller's arguments are substituted.
study_arguments <- function(names, data, env, optional = FALSE, call = NULL) {
  if (!is.null(data) && !is.data.frame(data)) {
    abort_input("`data` must be a data frame (or NULL).", "data")
  }
  values <- vector("list", length(names))
  names(values) <- names
  for (nm in names) {
    # From the call (NULL when not supplied: such arguments default to NULL), unless it
    # names a forwarded `...` element (..1), whose expression only substitute() recovers.
    expr <- if (!is.null(call)) call[[nm]]
    if (is.null(call) || is.symbol(expr) && startsWith(as.character(expr), "..")) {
      # The unevaluated argument, boxed: a bare empty symbol (an argument not supplied)
      # cannot be held in a variable.
      boxed <- list(eval(call("substitute", as.name(nm)), parent.frame()))
      if (identical(boxed[[1L]], quote(expr = ))) {
        if (optional) next
        abort_input(sprintf("`%s` is missing, with no default.", nm), nm)
      }
      expr <- boxed[[1L]]
    }
    if (!is.null(expr)) values[nm] <- list(eval_study_argument(expr, nm, data, env))
  }
  if (!optional) values <- Map(chk_numeric_vector, values, names)
  values
}

eval_study_argument <- function(expr, nm, data, env) {
  if (is.symbol(expr)) {  # the usual case: a column or a variable, found without eval()
    name <- as.character(expr)
    if (!is.null(data) && name %in% names(data)) return(data[[name]])
    value <- env[[name]]  # the caller's variable; else one its environment inherits
    if (is.null(value)) value <- get0(name, envir = env)
    if (!is.null(value)) return(value)  # else eval() gives NULL or says what is missing
  } else if (is.null(data) && is.call(expr) && length(expr) == 3L && is.symbol(expr[[1L]]) &&
             as.character(expr[[1L]]) == "$" && is.symbol(expr[[2L]])) {
    # `dat$yi`: a list's element, which cannot fail to evaluate, needs no error handler.
    obj <- get0(as.character(expr[[2L]]), envir = env)
    if (is.list(obj) && !is.object(obj) || is.data.frame(obj)) return(eval(expr, env))
  }
  # A calling handler, not tryCatch(): it costs a small fit half as much.
  value <- withCallingHandlers(
    if (is.null(data)) eval(expr, env) else eval(expr, data, env),
    error = function(e) {
      columns <- if (is.null(data)) "" else sprintf(" (the columns of `data` are %s)",
        paste0("`", utils::head(names(data), 20L), "`", collapse = ", "))
      abort_input(sprintf("`%s` could not be evaluated: %s%s", nm, conditionMessage(e), columns),
                  nm)
    }
  )
  if (!is.null(data) && is.character(value) && length(value) == 1L &&
      value %in% names(data)) {
    value <- data[[value]]
  }
  value
}

# The policy for missing values: "fail" (default), "omit", "exclude" or "pass".
# For pooling, "exclude" drops the studies like "omit" but per-study results
# (residuals, weights) keep their rows as NA; for effect sizes it keeps the rows
# with missing effects, like "pass".
na_policy <- function(na.action) {
  if (is.character(na.action) && length(na.action) == 1L) {
    policy <- switch(na.action, na.fail = "fail", na.omit = "omit", na.exclude = "exclude",
                     na.pass = "pass", NULL)
    if (!is.null(policy)) return(policy)
  }
  choices <- c("na.fail", "na.omit", "na.exclude", "na.pass")
  if (is.function(na.action)) {
    hit <- vapply(choices, function(f) identical(na.action, get(f, envir = asNamespace("stats"))),
                  logical(1))
    if (!any(hit)) {
      abort_input("`na.action` must be na.fail, na.omit, na.exclude or na.pass.", "na.action")
    }
    na.action <- choices[hit][1L]
  }
  substring(chk_choice(na.action, choices, "na.action"), 4L)
}

# Duplicated study labels make weights and plots ambiguous: they are numbered
# (".1", ".2", ... as metafor does) with a warning.
unique_labels <- function(slab) {
  if (!anyDuplicated(slab)) return(slab)
  dup <- duplicated(slab) | duplicated(slab, fromLast = TRUE)
  warn_metapool(sprintf(
    "`slab` has duplicated labels (%s); they are numbered to make them unique.",
    describe_rows(dup, slab)), "duplicate_labels")
  out <- as.character(slab)
  out[dup] <- paste0(out[dup], ".", stats::ave(seq_along(out), out, FUN = seq_along)[dup])
  out
}

# The rows `subset` selects, as a logical vector (NULL: all). Row numbers must be whole.
subset_rows <- function(subset, k) {
  if (is.null(subset)) return(NULL)
  if (is.logical(subset) && length(subset) == k) return(subset & !is.na(subset))
  if (is.numeric(subset) && !anyNA(subset) &&
      all(subset >= 1 & subset <= k & subset == round(subset))) {
    return(seq_len(k) %in% subset)
  }
  abort_input(sprintf(
    "`subset` must be a logical vector of length %d or whole row numbers between 1 and %d.", k, k
  ), "subset")
}

# Resolve the study labels, the subset and the missing-value policy. Returns the rows
# to keep (NULL: all), their labels, which kept rows are complete (NULL: all) and the
# rows dropped for missing values. With `exclude_keeps`, "na.exclude" keeps the rows
# (the effect-size functions return them with a missing effect).
study_rows <- function(values, slab, subset, na_action, exclude_keeps = FALSE,
                       policy = na_policy(na_action), k = chk_same_length(values)) {
  if (policy == "exclude") policy <- if (exclude_keeps) "pass" else "omit"  # (checks na_action)
  complete_input <- !anyNA(values, recursive = TRUE)
  if (is.null(slab) && is.null(subset) && complete_input) {  # every row, numbered
    return(list(keep = NULL, slab = seq_len(k), complete = NULL, omitted = integer(0),
                omitted_slab = integer(0), n_input = k))
  }
  if (is.null(slab)) {
    slab <- seq_len(k)
  } else {
    if (length(slab) != k) {
      abort_input(sprintf("`slab` has length %d but there are %d studies.", length(slab), k),
                  "slab")
    }
    if (is.factor(slab)) slab <- as.character(slab)
    chk_condition(slab, is.na(slab), "slab", "has missing labels")
    slab <- unique_labels(slab)
  }
  keep <- subset_rows(subset, k)
  missing_row <- NULL
  if (!complete_input) {
    missing_row <- Reduce(`|`, lapply(values, is.na))
    in_scope <- if (is.null(keep)) missing_row else missing_row & keep
    if (policy == "fail" && any(in_scope)) {
      has_na <- names(values)[vapply(values, function(v) any(is.na(v) & (keep %||% TRUE)),
                                     logical(1))]
      abort_input(sprintf(
        "`%s` has missing values (%s). Set `na.action = \"na.omit\"` (or \"na.exclude\") to drop those studies%s.",
        has_na[1L], describe_rows(is.na(values[[has_na[1L]]]) & (keep %||% TRUE)),
        if (exclude_keeps) ", or `na.action = \"na.pass\"` to keep them with a missing effect" else ""
      ), has_na[1L])
    }
  }
  omitted <- integer(0)
  if (policy == "omit" && !is.null(missing_row)) {
    omitted <- which(missing_row & (keep %||% TRUE))
    keep <- (keep %||% TRUE) & !missing_row
  }
  if (!is.null(keep) && !any(keep)) {
    abort_input("No studies are left after `subset` and `na.action`.")
  }
  complete <- if (is.null(missing_row)) NULL else !missing_row
  omitted_slab <- slab[omitted]
  if (!is.null(keep)) {
    slab <- slab[keep]
    if (!is.null(complete)) complete <- complete[keep]
  }
  if (!is.null(complete) && all(complete)) complete <- NULL
  list(keep = keep, slab = slab, complete = complete, omitted = omitted,
       omitted_slab = omitted_slab, n_input = k)
}

# Sampling variances from exactly one of `vi` and `sei`.
effect_variances <- function(vi, sei) {
  if (is.null(vi) == is.null(sei)) {
    abort_input("Give exactly one of `vi` (sampling variances) and `sei` (standard errors).", "vi")
  }
  if (!is.null(vi)) return(chk_numeric_vector(vi, "vi"))
  sei <- chk_numeric_vector(sei, "sei")
  chk_at_least(sei, 0, "sei", "must be positive", strict = TRUE)
  sei^2
}

# The prepared studies of a pooled fit: what every engine starts from and what update()
# re-runs from.
# * `columns`: the study-level vectors the engine reads (yi and vi, or the 2x2 counts),
#   plus `slab` (labels), `row` (row in the input) and, for 2x2 data given as effect
#   sizes, `events2` and `n2` (for the pooled control risk);
# * `subgroup`: a factor or NULL; `arms`: arm-level summaries (a data frame) or NULL;
# * `not_estimable`: label, row, subgroup and arm data of studies that cannot be pooled
#   (NULL if none); `omitted`, `omitted_slab`: rows dropped for missing values;
#   `n_input`, `na_action`; `source`: where the effects came from (list: source, measure,
#   preset, options of the effect sizes); `synthetic`: the data are a synthetic stand-in;
# * `design`: for a meta-regression, moderator_design()'s list with the design matrix
#   `X` (one row per pooled study), `terms`, `xlevels`, `contrasts`, `formula`; else NULL.
# `values` are checked for missing values; `carry` (study-level vectors) and `arms` are
# subset alongside. Studies with `estimable` FALSE are set aside before the NA policy.
prepare_studies <- function(values, slab = NULL, subset = NULL, subgroup = NULL,
                            na.action = "na.fail", estimable = NULL, carry = list(),
                            arms = NULL, source = NULL, synthetic = FALSE, design = NULL) {
  policy <- if (identical(na.action, "na.fail")) "fail" else na_policy(na.action)
  if (policy == "pass") {
    abort_input("`na.action = \"na.pass\"` cannot be used for pooling: use \"na.fail\", \"na.omit\" or \"na.exclude\".",
                "na.action")
  }
  k <- chk_same_length(values)
  checked <- values
  if (!is.null(subgroup)) {
    if (length(subgroup) != k) {
      abort_input(sprintf("`subgroup` has length %d but there are %d studies.",
                          length(subgroup), k), "subgroup")
    }
    if (is.factor(subgroup)) subgroup <- droplevels(subgroup)
    checked$subgroup <- subgroup
  }
  if (!is.null(design)) {
    # A study with a missing moderator is a missing value like any other (na.action).
    checked$mods <- ifelse(stats::complete.cases(design$X), 0, NA)
  }
  set_aside <- integer(0)
  if (!is.null(estimable)) {
    chosen <- subset_rows(subset, k) %||% rep(TRUE, k)
    set_aside <- which(chosen & !estimable & !is.na(estimable))
    subset <- chosen & (estimable | is.na(estimable))
    if (!any(subset)) abort_input("No study is estimable: there is nothing to pool.")
  }
  rows <- study_rows(checked, slab, subset, na.action, policy = policy, k = k)
  keep <- rows$keep
  take <- function(x) if (is.null(keep)) x else x[keep]
  columns <- c(values, carry, list(slab = rows$slab,
                                   row = if (is.null(keep)) seq_len(k) else which(keep)))
  if (!is.null(keep)) columns[names(values)] <- lapply(values, take)
  if (!is.null(keep) && length(carry)) columns[names(carry)] <- lapply(carry, take)
  group <- NULL
  if (!is.null(subgroup)) {
    group <- take(subgroup)
    group <- if (is.factor(group)) droplevels(group) else factor(group, levels = unique(group))
  }
  not_estimable <- NULL
  if (length(set_aside)) {
    labels <- if (is.null(slab)) set_aside else unique_labels(as.character(slab))[set_aside]
    not_estimable <- not_estimable_frame(labels, set_aside, subgroup[set_aside],
                                         arms[set_aside, , drop = FALSE])
  }
  if (!is.null(design)) design$X <- design$X[columns$row, , drop = FALSE]
  list(columns = columns, subgroup = group, design = design,
       arms = if (!is.null(arms)) reset_rownames(arms[columns$row, , drop = FALSE]),
       not_estimable = not_estimable, omitted = rows$omitted, omitted_slab = rows$omitted_slab,
       n_input = rows$n_input, na_action = policy, source = source,
       synthetic = isTRUE(synthetic))
}

# Label, input row, subgroup and arm data of studies that are not estimable.
not_estimable_frame <- function(slab, row, subgroup = NULL, arms = NULL) {
  out <- data.frame(slab = slab, row = row, stringsAsFactors = FALSE)
  if (length(subgroup)) out$subgroup <- as.character(subgroup)
  if (!is.null(arms) && nrow(arms)) out <- cbind(out, reset_rownames(arms))
  out
}

# The prepared studies of one subgroup.
subgroup_studies <- function(studies, level) {
  in_group <- studies$subgroup == level
  ne <- studies$not_estimable
  if (!is.null(ne$subgroup)) ne <- ne[ne$subgroup == level, , drop = FALSE] else ne <- NULL
  studies$columns <- lapply(studies$columns, `[`, in_group)
  if (!is.null(studies$arms)) studies$arms <- reset_rownames(studies$arms[in_group, , drop = FALSE])
  studies["subgroup"] <- list(NULL)
  studies["not_estimable"] <- list(if (NROW(ne)) ne)
  studies$omitted <- integer(0)
  studies["omitted_slab"] <- list(NULL)
  studies
}

# yi, vi, labels and measure of a metafor escalc object (its yi/vi columns may be
# renamed; labels and measure are attributes of the yi column).
escalc_columns <- function(x) {
  yi_name <- attr(x, "yi.names")[1L] %||% "yi"
  vi_name <- attr(x, "vi.names")[1L] %||% "vi"
  if (!all(c(yi_name, vi_name) %in% names(x))) {
    abort_input(sprintf("The escalc object has no columns \"%s\" and \"%s\".", yi_name, vi_name), "yi")
  }
  yi <- x[[yi_name]]
  slab <- attr(yi, "slab")
  list(yi = chk_numeric_vector(as.numeric(yi), "yi"),
       vi = chk_numeric_vector(as.numeric(x[[vi_name]]), "vi"),
       slab = if (length(slab) == length(yi)) slab else NULL,
       measure = attr(yi, "measure") %||% "GEN")
}

# The arm-level summaries of an mp_es object (means, SDs and totals, or events and
# totals), kept in the fit for forest plots; NULL when there are none.
arm_columns <- function(es) {
  cols <- intersect(c("m1", "sd1", "events1", "n1", "m2", "sd2", "events2", "n2"), names(es))
  if (!length(cols)) return(NULL)
  as_plain_df(es)[cols]
}
