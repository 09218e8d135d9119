import CPangoCairo
import VitrinePluginAPI

/// Thumbnails of painted pages in a grid, each labelled (with the time it comes up): what an operator wants to see
/// of a screen's day before opening.
public enum ContactSheet {
    public static func compose(_ pages: [(canvas: Canvas, label: String)], columns: Int = 4, thumbnailWidth: Int = 480)
        -> Canvas
    {
        let first = pages.first?.canvas
        let aspect = first.map { Double($0.height) / Double($0.width) } ?? 9.0 / 16.0
        let thumbHeight = Int((Double(thumbnailWidth) * aspect).rounded())
        let gap = 24, label = 40
        let columns = max(1, min(columns, pages.count))
        let rows = max(1, (pages.count + columns - 1) / columns)
        let sheet = Canvas(width: gap + columns * (thumbnailWidth + gap),
                           height: gap + rows * (thumbHeight + label + gap))
        Pango.lock.withLock { _ in
            let cr = cairo_create(sheet.surface)!
            defer { cairo_destroy(cr) }
            cairo_set_source_rgb(cr, 0.16, 0.16, 0.17)
            cairo_paint(cr)
            for (index, page) in pages.enumerated() {
                let x = Double(gap + (index % columns) * (thumbnailWidth + gap))
                let y = Double(gap + (index / columns) * (thumbHeight + label + gap))
                cairo_save(cr)
                cairo_translate(cr, x, y)
                let scale = Double(thumbnailWidth) / Double(page.canvas.width)
                cairo_scale(cr, scale, scale)
                cairo_set_source_surface(cr, page.canvas.surface, 0, 0)
                cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_GOOD)
                cairo_paint(cr)
                cairo_restore(cr)
                let layout = pango_cairo_create_layout(cr)!
                Pango.applyFontOptions(pango_layout_get_context(layout))
                pango_cairo_update_layout(cr, layout)
                let description = Pango.fontDescription(PixelLayout.Font(family: "Noto Sans", size: 18))
                pango_layout_set_font_description(layout, description)
                pango_font_description_free(description)
                pango_layout_set_width(layout, Int32(thumbnailWidth) * PANGO_SCALE)
                pango_layout_set_ellipsize(layout, PANGO_ELLIPSIZE_END)
                pango_layout_set_text(layout, page.label, Int32(page.label.utf8.count))
                cairo_set_source_rgb(cr, 0.92, 0.92, 0.9)
                cairo_move_to(cr, x, y + Double(thumbHeight) + 8)
                pango_cairo_show_layout(cr, layout)
                g_object_unref(UnsafeMutableRawPointer(layout))
            }
        }
        return sheet
    }
}
