# Helpers for the plot tests.

# A vdiffr writer that draws on vdiffr's own (reproducible) SVG device at a given
# size, so forest plots are snapshotted at the size they ask for; vdiffr's default
# writer (10 x 8 inches) when that device is not available.
sized_svg_writer <- function(width, height) {
  if (!exists("svglite", envir = asNamespace("vdiffr"), inherits = FALSE)) {
    return(vdiffr::write_svg)
  }
  device <- utils::getFromNamespace("svglite", "vdiffr")
  function(plot, file, title = "") {
    device(file, width = width, height = height)
    on.exit(grDevices::dev.off())
    plot()
  }
}

# Snapshot a forest plot at the size forest_plot() computes for it.
expect_forest_snapshot <- function(snapshot_name, object, ...) {
  size <- forest_plot(object, file = tempfile(fileext = ".pdf"), ...)
  vdiffr::expect_doppelganger(snapshot_name, function() forest_plot(object, ...),
                              writer = sized_svg_writer(size$width, size$height))
}

# A seeded set of k simulated studies with labels, effects and variances.
simulated_studies <- function(k, seed = 20240601) {
  set.seed(seed)
  data.frame(study = sprintf("Trial %03d", seq_len(k)), yi = stats::rnorm(k, 0.3, 0.3),
             vi = stats::runif(k, 0.01, 0.2))
}
