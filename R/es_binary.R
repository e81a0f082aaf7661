#' Risk ratio, odds ratio and risk difference from 2x2 tables
#'
#' Computes, for each study, the log risk ratio (`es_rr()`), the log odds ratio
#' (`es_or()`) or the risk difference (`es_rd()`) of an experimental group
#' (group 1) against a control group (group 2), from the number of events and
#' participants in each group, with sampling variances and Wald confidence
#' intervals.
#'
#' With cells `a`, `b` (events, non-events) in group 1 and `c`, `d` in
#' group 2, `n1 = a + b` and `n2 = c + d`:
#' * log RR `= log((a / n1) / (c / n2))`, variance `1/a - 1/n1 + 1/c - 1/n2`;
#' * log OR `= log(a d / (b c))`, variance `1/a + 1/b + 1/c + 1/d`;
#' * RD `= a / n1 - c / n2`, variance `a b / n1^3 + c d / n2^3`.
#'
#' @section Zero cells:
#' A zero cell makes the log ratios infinite and the RD variance zero. `add` is
#' added to all four cells of the studies selected by `to` (so each group size
#' grows by `2 * add`):
#' * `"only0"`: studies with at least one zero cell (default);
#' * `"all"`: every study;
#' * `"if0all"`: every study, provided any study has a zero cell;
#' * `"none"`: no study; studies with a zero cell are then not estimable for RR
#'   and OR (and for RD when both arms are all-or-nothing).
#'
#' `drop00 = TRUE` marks studies with no events in either group, or events in
#' every participant of both groups, as not estimable (they carry no information
#' about a ratio); they are kept in the object with `estimable = FALSE` and a
#' missing effect.
#'
#' Both Review Manager 5 and `metafor::escalc()` add 0.5 to all cells of
#' studies with a zero cell (`add = 0.5, to = "only0"`). They differ on
#' double-zero studies: RevMan 5 shows them as "not estimable" for RR and OR
#' (and keeps them for RD), while metafor keeps them (`drop00 = FALSE`); so
#' `preset = "revman5"` sets `drop00 = TRUE` for `es_rr()` and `es_or()`.
#' Event counts need not be whole numbers (for example after dividing by a
#' design effect for cluster trials).
#'
#' @inheritParams es_smd
#' @param events1,n1 Number of events and participants in the experimental
#'   group: numeric vectors, or column names / expressions evaluated in `data`.
#' @param events2,n2 The same for the control group.
#' @param add Amount added to each cell of a study needing a correction (0.5).
#' @param to Which studies get the correction: `"only0"`, `"all"`, `"if0all"`,
#'   `"none"`.
#' @param drop00 Logical: mark double-zero (and double-all-event) studies as not
#'   estimable.
#' @return An [mp_es] object with measure `"RR"`, `"OR"` or `"RD"` and the extra
#'   logical columns `corrected` and `estimable`. `yi` is on the log scale for
#'   RR and OR.
#' @references
#' Deeks JJ, Higgins JPT (2010). *Statistical algorithms in Review Manager 5*.
#' Cochrane Statistical Methods Group.
#'
#' Higgins JPT, Green S (eds.) (2011). *Cochrane Handbook for Systematic
#' Reviews of Interventions*, version 5.1.0, section 16.9 (zero cells).
#' @examples
#' # BCG vaccine trials (Colditz et al. 1994)
#' es_rr(tpos, tpos + tneg, cpos, cpos + cneg, data = bcg, slab = trial)
#'
#' # A zero cell, and a double-zero study, under both presets
#' es_or(events1 = c(0, 3, 0), n1 = c(20, 25, 15), events2 = c(4, 6, 0), n2 = c(21, 24, 15))
#' es_or(events1 = c(0, 3, 0), n1 = c(20, 25, 15), events2 = c(4, 6, 0), n2 = c(21, 24, 15),
#'       preset = "revman5")
#' @name es_binary
NULL

# The three binary front ends differ only in the measure they compute.
binary_front_end <- function(measure) {
  force(measure)
  function(events1, n1, events2, n2, data = NULL, slab = NULL, subset = NULL,
           preset = c("metafor", "revman5"), add = NULL, to = NULL, drop00 = NULL,
           level = 95, na.action = "na.fail") {
    env <- parent.frame()
    values <- study_arguments(c("events1", "n1", "events2", "n2"), data, env)
    optional <- study_arguments(c("slab", "subset"), data, env, optional = TRUE)
    binary_es(values, optional, measure, preset, add, to, drop00, level, na.action,
              synthetic = is_synthetic(data))
  }
}

#' @rdname es_binary
#' @export
es_rr <- binary_front_end("RR")

#' @rdname es_binary
#' @export
es_or <- binary_front_end("OR")

#' @rdname es_binary
#' @export
es_rd <- binary_front_end("RD")

binary_es <- function(values, optional, measure, preset, add, to, drop00, level, na.action,
                      synthetic = FALSE) {
  preset <- chk_preset(preset)
  add <- add %||% 0.5
  if (!is.numeric(add) || length(add) != 1L || is.na(add) || add < 0 || !is.finite(add)) {
    abort_input("`add` must be a single non-negative number.", "add")
  }
  to <- chk_choice(to %||% "only0", c("only0", "all", "if0all", "none"), "to")
  drop00 <- chk_flag(drop00 %||% (preset == "revman5" && measure != "RD"), "drop00")
  chk_binary(values)
  build_es(values, optional, na.action, function(v, level) {
    res <- cpp_es_binary(v$events1, v$n1, v$events2, v$n2, measure, add, to, drop00, level)
    unusable <- !res$estimable & !(drop00 & is_double_zero(v))
    if (any(unusable)) {
      warn_metapool(sprintf(
        "%d stud%s with a zero cell and no continuity correction (`to = \"%s\"`, `add = %g`) %s not estimable.",
        sum(unusable), if (sum(unusable) == 1L) "y" else "ies", to, add,
        if (sum(unusable) == 1L) "is" else "are"
      ), "zero_cell")
    }
    res
  }, measure = measure, options = list(add = add, to = to, drop00 = drop00),
  level = level, preset = preset, synthetic = synthetic)
}

is_double_zero <- function(v) {
  (v$events1 == 0 & v$events2 == 0) | (v$events1 == v$n1 & v$events2 == v$n2)
}

chk_binary <- function(values) {
  chk_same_length(values)  # before comparing events with totals
  for (nm in names(values)) chk_finite(values[[nm]], nm)
  for (nm in c("events1", "events2")) chk_at_least(values[[nm]], 0, nm, "must not be negative")
  for (nm in c("n1", "n2")) chk_at_least(values[[nm]], 0, nm, "must be positive", strict = TRUE)
  for (g in 1:2) {
    ev <- values[[paste0("events", g)]]
    n <- values[[paste0("n", g)]]
    chk_condition(ev, ev > n, paste0("events", g),
                  sprintf("must not exceed `n%d`", g))
  }
  for (nm in c("events1", "n1", "events2", "n2")) warn_non_integer(values[[nm]], nm)
  invisible(values)
}
