import CPangoCairo
import Synchronization
import VitrinePluginAPI

/// Pango and Cairo objects used from several threads. Pango's font map and fontconfig are not thread-safe, so every
/// call into them goes through one lock: a pixel screen lays out a page in a few milliseconds, rarely at once.
enum Pango {
    static let lock = Mutex<Void>(())

    /// One layout reused for every measurement (made on first use, only touched under the lock): creating a Cairo
    /// context and a Pango layout per paragraph costs more than the measuring itself.
    nonisolated(unsafe) private static var measuringLayout: OpaquePointer?

    static func sharedLayout() -> OpaquePointer {
        if let layout = measuringLayout { return layout }
        let surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1, 1)
        let cr = cairo_create(surface)
        let layout = pango_cairo_create_layout(cr)!
        applyFontOptions(pango_layout_get_context(layout))
        pango_cairo_update_layout(cr, layout)
        // The layout keeps its own reference to the Pango context; the Cairo objects are no longer needed.
        cairo_destroy(cr)
        cairo_surface_destroy(surface)
        measuringLayout = layout
        return layout
    }

    /// Measuring and painting use the same font options, so a line measured to fit is painted the same width.
    static func applyFontOptions(_ context: OpaquePointer) {
        let options = cairo_font_options_create()
        cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF)
        cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_SLIGHT)
        cairo_font_options_set_antialias(options, CAIRO_ANTIALIAS_GRAY)
        pango_cairo_context_set_font_options(context, options)
        cairo_font_options_destroy(options)
    }

    static func fontDescription(_ font: PixelLayout.Font) -> OpaquePointer {
        let description = pango_font_description_from_string(font.description)!
        pango_font_description_set_absolute_size(description, font.size * Double(PANGO_SCALE))
        return description
    }

    /// Average advance of a character of running text in `family`, per pixel of font size (about 0.5 for a book
    /// face): how many characters a line of a given width holds. Measured once per family on a sentence of
    /// ordinary prose, so the theme's `measure` (in characters) means the same in every face.
    static func characterWidth(family: String) -> Double {
        if let known = characterWidths.withLock({ $0[family] }) { return known }
        let sample = "The bread was shared out in the evening, when the brigades came back from the forest, and "
            + "nobody asked who had earned it; that was the rule we kept."
        let width = lock.withLock { _ -> Double in
            let layout = sharedLayout()
            let description = fontDescription(PixelLayout.Font(family: family, size: 100))
            defer { pango_font_description_free(description) }
            pango_layout_set_font_description(layout, description)
            pango_layout_set_width(layout, -1)
            pango_layout_set_justify(layout, 0)
            pango_layout_set_text(layout, sample, Int32(sample.utf8.count))
            var ink = PangoRectangle(), logical = PangoRectangle()
            pango_layout_get_extents(layout, &ink, &logical)
            return Double(logical.width) / Double(PANGO_SCALE) / 100 / Double(sample.count)
        }
        let known = width > 0.1 && width < 2 ? width : 0.5
        characterWidths.withLock { $0[family] = known }
        return known
    }

    private static let characterWidths = Mutex<[String: Double]>([:])

    /// Sets a layout to lay out text in `language` (nil: the default, left to right with each paragraph's own
    /// direction): Pango picks fonts and line breaks by the language (Chinese and Japanese break between
    /// characters, and their glyph variants differ), and a right-to-left language's paragraphs run right to left
    /// even when they begin with a Latin name or a number. Returns whether the text runs right to left.
    @discardableResult
    static func setLanguage(_ layout: OpaquePointer, _ language: String?) -> Bool {
        let context = pango_layout_get_context(layout)
        let rightToLeft = language.map(LanguageTag.isRightToLeft) ?? false
        pango_context_set_language(context, language.map { pango_language_from_string($0) }
            ?? pango_language_get_default())
        pango_context_set_base_dir(context, rightToLeft ? PANGO_DIRECTION_RTL : PANGO_DIRECTION_LTR)
        pango_layout_set_auto_dir(layout, rightToLeft ? 0 : 1)
        pango_layout_context_changed(layout)
        return rightToLeft
    }

    /// Lines of `text` in `language` broken to `width` pixels: each line's text and height.
    static func lines(of text: String, font: PixelLayout.Font, width: Double, justify: Bool,
                      language: String? = nil) -> [PageLine] {
        lock.withLock { _ in
            let layout = sharedLayout()
            let description = fontDescription(font)
            defer { pango_font_description_free(description) }
            setLanguage(layout, language)
            defer { setLanguage(layout, nil) }
            pango_layout_set_font_description(layout, description)
            pango_layout_set_width(layout, Int32(width * Double(PANGO_SCALE)))
            pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR)
            // Justified text is hyphenated first, so stretching a line never opens wide gaps.
            let text = justify ? Hyphenator.shared.softHyphenated(text, language: language) : text
            pango_layout_set_justify(layout, justify ? 1 : 0)
            let utf8 = Array(text.utf8)
            pango_layout_set_text(layout, text, Int32(utf8.count))
            var result: [PageLine] = []
            let iterator = pango_layout_get_iter(layout)
            defer { pango_layout_iter_free(iterator) }
            repeat {
                let line = pango_layout_iter_get_line_readonly(iterator)!
                let start = Int(line.pointee.start_index), length = Int(line.pointee.length)
                var top: Int32 = 0, bottom: Int32 = 0
                pango_layout_iter_get_line_yrange(iterator, &top, &bottom)
                let bytes = utf8[max(0, start)..<min(utf8.count, start + length)]
                var lineText = String(decoding: bytes, as: UTF8.self)
                let endsParagraph = lineText.hasSuffix("\n")
                while lineText.hasSuffix(" ") || lineText.hasSuffix("\n") { lineText.removeLast() }
                // A break at a soft hyphen shows a hyphen; the other soft hyphens stay invisible.
                if lineText.hasSuffix("\u{00AD}") { lineText = String(lineText.dropLast()) + "\u{2010}" }
                result.append(PageLine(text: lineText, height: (Double(bottom - top) / Double(PANGO_SCALE)).rounded(.up),
                                       justified: justify && !endsParagraph))
            } while pango_layout_iter_next_line(iterator) != 0
            // The last line of a paragraph is never stretched.
            if justify, !result.isEmpty { result[result.count - 1].justified = false }
            return result
        }
    }
}
