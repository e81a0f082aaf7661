# Plot devices: files of a given size chosen by their extension, and a measuring
# device for working out sizes. Every plot of the package writes files through
# plot_output().

# Open a file device chosen by the extension of `file`.
open_plot_file <- function(file, width, height, res) {
  if (!is.character(file) || length(file) != 1L || is.na(file) || !nzchar(file)) {
    abort_input("`file` must be a single file name.", "file")
  }
  res <- chk_positive_number(res, "res", null_ok = FALSE)
  ext <- if (grepl("\\.[[:alnum:]]+$", file)) tolower(sub(".*\\.", "", file)) else ""
  if (ext %in% c("png", "jpg", "jpeg", "tif", "tiff")) {
    # Whole pixels, never fewer than the size asked for.
    width <- (ceiling(width * res - 1e-6) + 0.01) / res
    height <- (ceiling(height * res - 1e-6) + 0.01) / res
  }
  switch(
    ext,
    pdf = grDevices::pdf(file, width = width, height = height),
    png = grDevices::png(file, width = width, height = height, units = "in", res = res),
    jpg = ,
    jpeg = grDevices::jpeg(file, width = width, height = height, units = "in", res = res,
                           quality = 95),
    tif = ,
    tiff = grDevices::tiff(file, width = width, height = height, units = "in", res = res,
                           compression = "lzw"),
    svg = grDevices::svg(file, width = width, height = height),
    abort_input(sprintf(
      "`file` must end in .pdf, .png, .svg, .jpeg, .jpg or .tiff, not \"%s\".", basename(file)
    ), "file")
  )
  grDevices::dev.cur()
}

# Measure on a throw-away PDF device, leaving the current device untouched.
with_measuring_device <- function(fun) {
  old <- grDevices::dev.cur()
  grDevices::pdf(NULL, width = 7, height = 7)
  on.exit({
    grDevices::dev.off()
    if (old > 1L) grDevices::dev.set(old)
  })
  graphics::par(mar = c(0, 0, 0, 0))
  graphics::plot.new()
  fun()
}

# Draw with `draw()` on a file of `width` x `height` inches when `file` is given (the
# device chosen by its extension, closed afterwards), else on the current device.
# Returns invisibly the size, the file and whatever list `draw()` returns.
plot_output <- function(draw, file = NULL, width, height, res = 150) {
  width <- chk_positive_number(width, "width", null_ok = FALSE)
  height <- chk_positive_number(height, "height", null_ok = FALSE)
  if (!is.null(file)) {
    dev <- open_plot_file(file, width, height, res)
    on.exit(if (dev %in% grDevices::dev.list()) grDevices::dev.off(dev))
  }
  drawn <- draw()
  invisible(c(list(width = width, height = height, file = file), if (is.list(drawn)) drawn))
}

# The `file =` branch of a plot() method: draw `x` with its method on a file and
# return `x` invisibly, as plot methods do.
plot_file_of <- function(x, file, width, height, res, ...) {
  plot_output(function() graphics::plot(x, ...), file, width, height, res)
  invisible(x)
}
