import CPangoCairo
import VitrinePluginAPI

/// Captions over a film, in the theme's body font and colours (not the player's defaults): the words, centred and
/// wrapped to the middle four fifths of the picture, on a band of the theme's background near the foot, in
/// `PixelLayout.captionFont`. The kiosk page draws its captions with the same measures (`KioskMessage`).
public enum CaptionPainter {
    /// Draws `text` in `font` into an XRGB8888 picture (`stride` bytes a row) `width`×`height` pixels large.
    public static func draw(_ text: String, font: PixelLayout.Font, theme: Theme, into pixels: UnsafeMutableRawPointer,
                            width: Int, height: Int, stride: Int) {
        guard !text.isEmpty, width > 0, height > 0 else { return }
        Pango.lock.withLock { _ in
            guard let surface = cairo_image_surface_create_for_data(
                pixels.assumingMemoryBound(to: UInt8.self), CAIRO_FORMAT_RGB24, Int32(width), Int32(height),
                Int32(stride)) else { return }
            defer { cairo_surface_destroy(surface) }
            let cr = cairo_create(surface)!
            defer { cairo_destroy(cr) }
            let layout = pango_cairo_create_layout(cr)!
            defer { g_object_unref(UnsafeMutableRawPointer(layout)) }
            Pango.applyFontOptions(pango_layout_get_context(layout))
            let description = Pango.fontDescription(font)
            defer { pango_font_description_free(description) }
            pango_layout_set_font_description(layout, description)
            let measure = Double(width) * 0.8
            pango_layout_set_width(layout, Int32(measure * Double(PANGO_SCALE)))
            pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR)
            pango_layout_set_alignment(layout, PANGO_ALIGN_CENTER)
            pango_layout_set_text(layout, text, Int32(text.utf8.count))
            var ink = PangoRectangle(), logical = PangoRectangle()
            pango_layout_get_pixel_extents(layout, &ink, &logical)
            let padding = font.size * 0.4
            let top = Double(height) * 0.92 - Double(logical.height)
            let left = (Double(width) - measure) / 2
            // The band: the theme's background, a little see-through, so the film is not hidden more than needed.
            let background = theme.background, ink_ = theme.text
            cairo_set_source_rgba(cr, Double(background.red) / 255, Double(background.green) / 255,
                                  Double(background.blue) / 255, 0.85)
            cairo_rectangle(cr, left + Double(logical.x) - padding, top - padding,
                            Double(logical.width) + 2 * padding, Double(logical.height) + 2 * padding)
            cairo_fill(cr)
            cairo_set_source_rgb(cr, Double(ink_.red) / 255, Double(ink_.green) / 255, Double(ink_.blue) / 255)
            cairo_move_to(cr, left, top)
            pango_cairo_show_layout(cr, layout)
            cairo_surface_flush(surface)
        }
    }
}

extension Canvas {
    /// A canvas of `width`×`height` pixels to draw a film's pictures in.
    public static func blank(width: Int, height: Int) -> Canvas { Canvas(width: width, height: height) }

    /// Makes this canvas a copy of `other` (of the same size).
    public func copy(from other: Canvas) {
        guard other.width == width, other.height == height, other.stride == stride else { return }
        other.withPixels { source in
            withMutablePixels { $0.copyMemory(from: source.baseAddress!, byteCount: source.count) }
        }
    }

    /// A film's picture in `area` of the page painted here: `picture` renders it (letterboxed) into the pixels,
    /// size and stride it is given, and `caption`, if any, is drawn over it as `CaptionPainter` draws captions.
    public func drawFilm(in area: PagePlan.Area, theme: Theme, caption: String?,
                         picture: (_ pixels: UnsafeMutableRawPointer, _ width: Int, _ height: Int, _ stride: Int) -> Void)
    {
        let x = max(0, min(width - 1, Int(area.x.rounded()))), y = max(0, min(height - 1, Int(area.y.rounded())))
        let w = max(1, min(width - x, Int(area.width.rounded()))), h = max(1, min(height - y, Int(area.height.rounded())))
        let font = PixelLayout(width: width, height: height, theme: theme).captionFont
        let rowBytes = stride
        withMutablePixels { pixels in
            let origin = pixels + y * rowBytes + x * 4
            picture(origin, w, h, rowBytes)
            if let caption {
                CaptionPainter.draw(caption, font: font, theme: theme, into: origin, width: w, height: h,
                                    stride: rowBytes)
            }
        }
    }
}
