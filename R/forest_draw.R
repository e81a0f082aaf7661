# Forest plot geometry (column positions and sizes in inches) and drawing.

# Line height, gaps and margins in inches for a given font size.
forest_metrics <- function(fontsize) {
  pt <- fontsize / 72
  list(line = 1.45 * pt, gap = 1.6 * pt, margin = 1.6 * pt, cex = fontsize / graphics::par("ps"))
}

text_width <- function(x, cex, bold = FALSE) {
  if (!length(x)) return(0)
  x <- as.character(x)
  w <- numeric(length(x))
  for (f in unique(c(1L, 2L))) {
    sel <- if (f == 2L) bold else !bold
    sel <- rep_len(sel, length(x))
    if (any(sel)) {
      w[sel] <- graphics::strwidth(x[sel], units = "inches", cex = cex, font = f)
    }
  }
  max(w, 0)
}

# Column positions and the total size, in inches, on the current device's fonts.
forest_geometry <- function(spec, pad = 1) {
  m <- forest_metrics(spec$fontsize)
  m$cex_draw <- m$cex
  m$cex <- m$cex * pad
  cols <- spec$columns
  panels <- spec$panels
  widths <- vapply(seq_len(nrow(cols)), function(j) {
    id <- cols$id[j]
    cells <- unlist(lapply(panels, function(p) {
      if (id == "label") p$rows$label[p$rows$type != "text"] else p$rows[[paste0("cell_", id)]]
    }))
    bold <- unlist(lapply(panels, function(p) {
      if (id == "label") p$rows$bold[p$rows$type != "text"] else p$rows$bold
    }))
    indent <- if (id == "label") m$gap else 0
    heads <- if (id == "effect") unlist(lapply(panels, `[[`, "heads")) else cols$header[j]
    max(text_width(cells, m$cex, bold) + indent, text_width(heads, m$cex, TRUE))
  }, numeric(1))
  # Group headers (e.g. "Experimental") must fit over their columns.
  for (g in unique(cols$group[nzchar(cols$group)])) {
    sel <- which(cols$group == g)
    need <- text_width(g, m$cex, TRUE)
    span <- sum(widths[sel]) + m$gap * (length(sel) - 1L)
    if (need > span) widths[sel] <- widths[sel] + (need - span) / length(sel)
  }
  heads <- unlist(lapply(panels, `[[`, "heads"))
  plot_w <- max(spec$plot_width, text_width(heads, m$cex, TRUE) + m$gap)
  favours_w <- text_width(unlist(lapply(spec$panels, `[[`, "favours")), m$cex * 0.9)
  plot_w <- max(plot_w, 2 * favours_w + 3 * m$gap)
  left <- cols$side == "left"
  x <- m$margin
  pos <- numeric(nrow(cols))
  for (j in which(left)) {
    pos[j] <- x
    x <- x + widths[j] + m$gap
  }
  plot_x <- c(x, x + plot_w)
  x <- plot_x[2L] + m$gap
  for (j in which(!left)) {
    pos[j] <- x
    x <- x + widths[j] + m$gap
  }
  text_rows <- unlist(lapply(panels, function(p) p$rows$label[p$rows$type == "text"]))
  text_w <- m$margin + text_width(text_rows, m$cex * 0.9)
  width <- max(x - m$gap + m$margin, text_w + m$margin)
  # Heights: title, then per panel two header lines, rows, axis, favours, xlab.
  u <- m$line
  panel_h <- vapply(panels, function(p) {
    (2 + 0.5) * u + sum(p$rows$lines) * u + 0.4 * u + 2.2 * u + 0.8 * u +
      (if (is.null(spec$xlab)) 0 else 1.3 * u)
  }, numeric(1))
  height <- 2 * m$margin + (if (is.null(spec$title)) 0 else 2 * u) + sum(panel_h) +
    (length(panels) - 1L) * u
  m$cex <- m$cex_draw
  list(width = width, height = height, col_x = pos, col_w = widths, plot_x = plot_x,
       panel_h = panel_h, metrics = m)
}

# ---- drawing ---------------------------------------------------------------------

# Margin on the measured size: the fonts of bitmap and SVG devices can run a little
# wider than the PDF metrics the size is measured with.
forest_pad <- 1.06

# Draw a specification on the current device. A device too small for it shrinks
# the drawing (text never overlaps); with `fill`, a device larger than the padded
# size the plot needs enlarges it to fill the device (plot(fit) on a large window),
# up to three times.
forest_draw <- function(spec, fill = FALSE) {
  old <- graphics::par(mar = c(0, 0, 0, 0), xaxs = "i", yaxs = "i", xpd = NA)
  on.exit(graphics::par(old))
  graphics::plot.new()
  geo <- forest_geometry(spec)
  din <- graphics::par("din")
  s <- min(1, din[1L] / geo$width, din[2L] / geo$height)
  grow <- min(din[1L] / geo$width, din[2L] / geo$height) / forest_pad
  if (fill && grow > 1.05) s <- min(grow, 3)
  # User coordinates are layout inches; text is scaled with the coordinates.
  uw <- din[1L] / s
  uh <- din[2L] / s
  graphics::plot.window(xlim = c(0, uw), ylim = c(-uh, 0))
  ox <- max(0, (uw - geo$width) / 2)
  oy <- -max(0, (uh - geo$height) / 2)
  m <- geo$metrics
  u <- m$line
  cex <- m$cex * s
  colours <- spec$colours
  cols <- spec$columns
  y <- oy - m$margin
  if (!is.null(spec$title)) {
    graphics::text(ox + m$margin, y - 0.6 * u, spec$title, adj = c(0, 0.5), font = 2,
                   cex = cex * 1.15, col = colours[["text"]])
    y <- y - 2 * u
  }
  col_x <- ox + geo$col_x
  col_w <- geo$col_w
  px <- ox + geo$plot_x
  cell_x <- function(j) {
    switch(cols$align[j], left = col_x[j], right = col_x[j] + col_w[j],
           center = col_x[j] + col_w[j] / 2)
  }
  cell_adj <- function(j) switch(cols$align[j], left = 0, right = 1, center = 0.5)
  n_rows <- 0L
  for (p in seq_along(spec$panels)) {
    panel <- spec$panels[[p]]
    rows <- panel$rows
    sc <- panel$scale
    xmap <- function(v) px[1L] + (v - sc$lim[1L]) / diff(sc$lim) * diff(px)
    # Header: group line and column line, then a rule.
    y_group <- y - 0.5 * u
    y_head <- y - 1.5 * u
    for (g in unique(cols$group[nzchar(cols$group) & cols$id != "effect"])) {
      sel <- which(cols$group == g)
      mid <- (col_x[min(sel)] + col_x[max(sel)] + col_w[max(sel)]) / 2
      graphics::text(mid, y_group, g, font = 2, cex = cex, col = colours[["text"]])
    }
    for (j in seq_len(nrow(cols))) {
      if (cols$id[j] == "effect") {
        graphics::text(col_x[j] + col_w[j] / 2, y_group, panel$heads[1L], font = 2, cex = cex,
                       col = colours[["text"]])
        graphics::text(col_x[j] + col_w[j] / 2, y_head, panel$heads[2L], font = 2, cex = cex,
                       col = colours[["text"]])
      } else {
        graphics::text(cell_x(j), y_head, cols$header[j], adj = c(cell_adj(j), 0.5), font = 2,
                       cex = cex, col = colours[["text"]])
      }
    }
    graphics::text(mean(px), y_group, panel$heads[1L], font = 2, cex = cex,
                   col = colours[["text"]])
    graphics::text(mean(px), y_head, panel$heads[2L], font = 2, cex = cex,
                   col = colours[["text"]])
    y_rule <- y - 2.25 * u
    graphics::segments(ox + m$margin, y_rule, ox + geo$width - m$margin, y_rule,
                       col = "grey60", lwd = 0.6)
    y_top <- y - 2.5 * u
    # Row edges; a row with a wrapped label is several lines high, its cells on the first.
    edges <- y_top - c(0, cumsum(rows$lines)) * u
    row_y <- edges[-length(edges)] - 0.5 * u
    y_bottom <- edges[length(edges)] - 0.4 * u
    n_rows <- n_rows + nrow(rows)
    # Line of no effect, interrupted where a line of text crosses it.
    if (is.finite(sc$null)) {
      x0 <- xmap(sc$null)
      crossing <- rows$type == "text" &
        ox + m$margin + vapply(rows$label, text_width, 0, cex = m$cex * 0.9) >= x0 - 0.5 * m$gap
      runs <- rle(c(!crossing, TRUE))
      ends <- cumsum(runs$lengths)
      starts <- ends - runs$lengths + 1L
      top <- edges[starts[runs$values]]
      bottom <- ifelse(ends[runs$values] > nrow(rows), y_bottom,
                       edges[pmin(ends[runs$values] + 1L, length(edges))])
      graphics::segments(x0, top, x0, bottom,
                         col = colours[["refline"]], lwd = 0.8, lend = 1)
    }
    # Text cells.
    for (i in seq_len(nrow(rows))) {
      r <- rows[i, ]
      font <- if (r$bold) 2 else 1
      if (r$type == "text") {
        graphics::text(ox + m$margin, row_y[i], r$label, adj = c(0, 0.5), cex = cex * 0.9,
                       col = colours[["text"]])
        next
      }
      indent <- if (r$type %in% c("study", "summary", "events", "prediction") &&
                    any(rows$type == "heading")) m$gap else 0
      lines <- strsplit(r$label, "\n", fixed = TRUE)[[1L]]
      if (length(lines)) {
        graphics::text(rep(col_x[1L] + indent, length(lines)),
                       row_y[i] - (seq_along(lines) - 1) * u, lines, adj = c(0, 0.5),
                       font = font, cex = cex, col = colours[["text"]])
      }
      for (j in seq_len(nrow(cols))[-1L]) {
        v <- r[[paste0("cell_", cols$id[j])]]
        if (nzchar(v)) {
          graphics::text(cell_x(j), row_y[i], v, adj = c(cell_adj(j), 0.5), font = font,
                         cex = cex, col = colours[["text"]])
        }
      }
    }
    # Graphics in the plot column.
    wmax <- max(c(rows$size[rows$type == "study"], 0), na.rm = TRUE)
    for (i in seq_len(nrow(rows))) {
      r <- rows[i, ]
      if (!is.finite(r$est) || !r$type %in% c("study", "summary", "pooled", "prediction")) next
      yy <- row_y[i]
      if (r$type %in% c("study", "summary")) {
        draw_interval(xmap(r$lb), xmap(r$ub), yy, px, colours[["line"]], s)
        inside <- r$est >= sc$lim[1L] && r$est <= sc$lim[2L]
        if (inside) {
          half <- if (r$type == "summary" || !is.finite(r$size) || wmax <= 0) 0.22 * u else
            max(0.04 * u, 0.36 * u * sqrt(r$size / wmax))
          graphics::rect(xmap(r$est) - half, yy - half, xmap(r$est) + half, yy + half,
                         col = colours[["square"]], border = colours[["square"]], lwd = 0.5)
        }
      } else if (r$type == "pooled") {
        xs <- pmin(pmax(xmap(c(r$lb, r$est, r$ub, r$est)), px[1L]), px[2L])
        graphics::polygon(xs, yy + c(0, 0.36, 0, -0.36) * u, col = colours[["diamond"]],
                          border = colours[["diamond"]])
      } else {
        draw_prediction(xmap(r$lb), xmap(r$ub), yy, px, 0.14 * u, colours[["prediction"]])
      }
    }
    # Axis, tick labels, favours texts.
    graphics::segments(px[1L], y_bottom, px[2L], y_bottom, col = colours[["axis"]], lwd = 0.8)
    tx <- xmap(sc$ticks)
    graphics::segments(tx, y_bottom, tx, y_bottom - 0.3 * u, col = colours[["axis"]], lwd = 0.8)
    graphics::text(tx, y_bottom - 0.9 * u, sc$labels, cex = cex * 0.9, col = colours[["text"]])
    centre <- if (is.finite(sc$null)) xmap(sc$null) else mean(px)
    y_fav <- y_bottom - 2.2 * u
    graphics::text(centre - m$gap, y_fav, panel$favours[1L], adj = c(1, 0.5), cex = cex * 0.9,
                   col = colours[["text"]])
    graphics::text(centre + m$gap, y_fav, panel$favours[2L], adj = c(0, 0.5), cex = cex * 0.9,
                   col = colours[["text"]])
    if (!is.null(spec$xlab)) {
      graphics::text(mean(px), y_fav - 1.3 * u, spec$xlab, cex = cex, col = colours[["text"]])
    }
    y <- y - geo$panel_h[p] - u
  }
  list(width = geo$width, height = geo$height, rows = n_rows, scale = s)
}

# A confidence-interval line clipped to the plot column, with arrows at clipped ends.
draw_interval <- function(x0, x1, y, px, colour, s) {
  if (!is.finite(x0) || !is.finite(x1)) return(invisible(NULL))
  if (x1 < px[1L] || x0 > px[2L]) {
    # Entirely outside: an arrow at the edge pointing towards the interval.
    edge <- if (x1 < px[1L]) px[1L] else px[2L]
    dir <- if (x1 < px[1L]) -1 else 1
    graphics::arrows(edge - dir * 0.08, y, edge, y, length = 0.05 * s, col = colour, lwd = 0.8)
    return(invisible(NULL))
  }
  a <- max(x0, px[1L])
  b <- min(x1, px[2L])
  graphics::segments(a, y, b, y, col = colour, lwd = 0.8)
  if (x0 < px[1L]) graphics::arrows(b, y, a, y, length = 0.05 * s, col = colour, lwd = 0.8)
  if (x1 > px[2L]) graphics::arrows(a, y, b, y, length = 0.05 * s, col = colour, lwd = 0.8)
  invisible(NULL)
}

# A prediction interval as a bar clipped to the plot column; an end that leaves the
# column becomes an arrowhead at its edge (as study intervals get arrows).
draw_prediction <- function(x0, x1, y, px, half, colour) {
  head <- 0.09
  a <- min(max(x0, px[1L]), px[2L])
  b <- min(max(x1, px[1L]), px[2L])
  if (x0 < px[1L]) a <- px[1L] + head
  if (x1 > px[2L]) b <- px[2L] - head
  graphics::rect(a, y - half, b, y + half, col = colour, border = NA)
  tip <- c(y, y + 2.2 * half, y - 2.2 * half)
  if (x0 < px[1L]) graphics::polygon(px[1L] + c(0, head, head), tip, col = colour, border = NA)
  if (x1 > px[2L]) graphics::polygon(px[2L] - c(0, head, head), tip, col = colour, border = NA)
  invisible(NULL)
}
