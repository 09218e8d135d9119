import CPangoCairo
import Foundation
import VitrinePluginAPI

/// A painted frame: XRGB pixels in memory (Cairo's RGB24), ready for a framebuffer or a PNG file.
public final class Canvas: @unchecked Sendable {
    let surface: OpaquePointer
    public let width: Int
    public let height: Int

    /// A rectangle something was painted in, in pixels, with what it was.
    public struct Box: Hashable, Sendable {
        public var x: Double
        public var y: Double
        public var width: Double
        public var height: Double
        public var what: String
        /// How far glyphs reach outside the box (italic and swash overhang), left and right.
        public var overhangLeft: Double = 0
        public var overhangRight: Double = 0
        public var maxX: Double { x + width }
        public var maxY: Double { y + height }
    }
    /// Every text line and image painted, for checking that a page stays inside its area.
    public internal(set) var boxes: [Box] = []

    /// The pixels live in their own anonymous mapping, not on the malloc heap: a 1080p frame is 8 MiB, and once a
    /// page is on the screen its memory goes straight back to the system instead of staying in a heap arena. The
    /// mapping is aligned for 2 MiB pages (where the kernel grants them on request): four page faults fill a 1080p
    /// frame instead of two thousand.
    private let mapping: UnsafeMutableRawPointer
    private let mappingSize: Int
    private let memory: UnsafeMutableRawPointer

    init(width: Int, height: Int) {
        self.width = width
        self.height = height
        let stride = Int(cairo_format_stride_for_width(CAIRO_FORMAT_RGB24, Int32(width)))
        let huge = 2 << 20
        let byteCount = max(1, stride * height)
        mappingSize = byteCount + huge
        guard let mapping = mmap(nil, mappingSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              mapping != MAP_FAILED
        else { fatalError("out of memory for a \(width)x\(height) frame") }
        self.mapping = mapping
        let aligned = (Int(bitPattern: mapping) + huge - 1) & ~(huge - 1)
        memory = mapping + (aligned - Int(bitPattern: mapping))
        madvise(memory, byteCount, 14 /* MADV_HUGEPAGE */)
        surface = cairo_image_surface_create_for_data(memory.assumingMemoryBound(to: UInt8.self), CAIRO_FORMAT_RGB24,
                                                      Int32(width), Int32(height), Int32(stride))
    }

    deinit {
        cairo_surface_destroy(surface)
        munmap(mapping, mappingSize)
    }

    /// Bytes per row.
    public var stride: Int { Int(cairo_image_surface_get_stride(surface)) }

    /// The pixel at (x, y) as 0xRRGGBB.
    public func pixel(x: Int, y: Int) -> UInt32 {
        cairo_surface_flush(surface)
        let data = cairo_image_surface_get_data(surface)!
        return data.advanced(by: y * stride + x * 4).withMemoryRebound(to: UInt32.self, capacity: 1) { $0.pointee }
            & 0xFF_FFFF
    }

    /// Reads the pixels (native-endian 0x00RRGGBB words, `stride` bytes a row).
    public func withPixels<T>(_ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        cairo_surface_flush(surface)
        let data = cairo_image_surface_get_data(surface)!
        return try body(UnsafeRawBufferPointer(start: data, count: stride * height))
    }

    /// Writes the pixels directly (Cairo is told afterwards that they changed).
    func withMutablePixels<T>(_ body: (UnsafeMutableRawPointer) throws -> T) rethrows -> T {
        cairo_surface_flush(surface)
        defer { cairo_surface_mark_dirty(surface) }
        return try body(memory)
    }

    /// Reads a PNG file (for comparing with a reference picture), or nil when it cannot be read.
    public static func load(png path: String) -> Canvas? {
        let image = cairo_image_surface_create_from_png(path)!
        defer { cairo_surface_destroy(image) }
        guard cairo_surface_status(image) == CAIRO_STATUS_SUCCESS else { return nil }
        let canvas = Canvas(width: Int(cairo_image_surface_get_width(image)),
                            height: Int(cairo_image_surface_get_height(image)))
        let cr = cairo_create(canvas.surface)!
        cairo_set_source_surface(cr, image, 0, 0)
        cairo_paint(cr)
        cairo_destroy(cr)
        return canvas
    }

    /// How different two pictures of one size look: the mean difference per channel (0 to 1), and the share of
    /// pixels that differ clearly (by more than a quarter in any channel). Font hinting moves edges by a pixel;
    /// a changed layout moves whole lines.
    public func difference(from other: Canvas) -> (mean: Double, changed: Double)? {
        guard width == other.width, height == other.height else { return nil }
        var total = 0.0, changed = 0
        withPixels { mine in
            other.withPixels { theirs in
                for y in 0..<height {
                    let rowA = (mine.baseAddress! + y * stride).assumingMemoryBound(to: UInt32.self)
                    let rowB = (theirs.baseAddress! + y * other.stride).assumingMemoryBound(to: UInt32.self)
                    for x in 0..<width {
                        let a = rowA[x], b = rowB[x]
                        var worst = 0
                        for shift: UInt32 in [16, 8, 0] {
                            let d = abs(Int(a >> shift & 0xFF) - Int(b >> shift & 0xFF))
                            total += Double(d)
                            worst = max(worst, d)
                        }
                        if worst > 64 { changed += 1 }
                    }
                }
            }
        }
        let pixels = Double(width * height)
        return (total / (pixels * 3 * 255), Double(changed) / pixels)
    }

    /// The picture as PNG bytes, scaled down to `maxWidth` when it is wider (for the dashboard's thumbnails).
    public func pngData(maxWidth: Int? = nil) -> [UInt8] {
        var source = surface
        var scaled: OpaquePointer?
        if let maxWidth, maxWidth < width {
            let factor = Double(maxWidth) / Double(width)
            let small = cairo_image_surface_create(CAIRO_FORMAT_RGB24, Int32(maxWidth),
                                                   Int32(max(1, (Double(height) * factor).rounded())))!
            let cr = cairo_create(small)!
            cairo_scale(cr, factor, factor)
            cairo_set_source_surface(cr, surface, 0, 0)
            cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_GOOD)
            cairo_paint(cr)
            cairo_destroy(cr)
            scaled = small
            source = small
        }
        defer { if let scaled { cairo_surface_destroy(scaled) } }
        final class Sink { var bytes: [UInt8] = [] }
        let sink = Sink()
        cairo_surface_write_to_png_stream(source, { closure, data, length in
            let sink = Unmanaged<Sink>.fromOpaque(closure!).takeUnretainedValue()
            sink.bytes.append(contentsOf: UnsafeBufferPointer(start: data, count: Int(length)))
            return CAIRO_STATUS_SUCCESS
        }, Unmanaged.passUnretained(sink).toOpaque())
        return sink.bytes
    }

    public struct WriteError: Error, CustomStringConvertible {
        public var path: String
        public var status: String
        public var description: String { "cannot write \(path): \(status)" }
    }

    public func writePNG(to path: String) throws {
        let status = cairo_surface_write_to_png(surface, path)
        guard status == CAIRO_STATUS_SUCCESS else {
            throw WriteError(path: path, status: String(cString: cairo_status_to_string(status)))
        }
    }
}

/// A Cairo context and the one Pango layout every line of a frame is set with.
private struct Pen {
    var cr: OpaquePointer
    var layout: OpaquePointer
}

/// Paints frames as the page layout says: running header, the flowing items, the page indicator.
public struct PagePainter: Sendable {
    public init() {}

    public func paint(_ frame: Frame, width: Int, height: Int) -> Canvas {
        paint(PagePlan(frame, width: width, height: height))
    }

    public func paint(_ plan: PagePlan) -> Canvas {
        let layout = plan.layout
        let canvas = Canvas(width: layout.width, height: layout.height)
        Pango.lock.withLock { _ in
            let context = cairo_create(canvas.surface)!
            defer { cairo_destroy(context) }
            // One layout for every line of the page: making a Pango context per line costs more than the line.
            let lines = pango_cairo_create_layout(context)!
            defer { g_object_unref(UnsafeMutableRawPointer(lines)) }
            Pango.applyFontOptions(pango_layout_get_context(lines))
            pango_cairo_update_layout(context, lines)
            let cr = Pen(cr: context, layout: lines)
            setColour(cr, plan.background)
            cairo_paint(cr.cr)
            for item in plan.texts {
                setColour(cr, item.colour)
                text(cr, item.text, item.font, x: item.x, y: item.y,
                     width: item.justify ? nil : item.width, alignRight: item.align == .right,
                     center: item.align == .center, justifyTo: item.justify ? item.width : nil,
                     canvas: item.inFlow ? canvas : nil, language: item.language)
            }
            for picture in plan.pictures {
                paintImage(cr, picture.image, folder: picture.folder, x: picture.x, y: picture.y,
                           width: picture.width, height: picture.height, layout: layout)
                canvas.boxes.append(Canvas.Box(x: picture.x, y: picture.y, width: picture.width,
                                               height: picture.height, what: picture.image.file))
            }
            if let placed = plan.visitorCode {
                let area = placed.area
                paintCode(cr.cr, placed.code, in: area)
                canvas.boxes.append(Canvas.Box(x: area.x, y: area.y, width: area.width, height: area.height,
                                               what: "visitor code"))
            }
            var right = plan.footRight.first?.x ?? 0
            for item in plan.footRight {
                setColour(cr, item.colour)
                right -= text(cr, item.text, item.font, x: right, y: item.y, alignRight: true) + plan.footGap
            }
        }
        return canvas
    }

    /// Dark modules on a white square, whatever the theme: scanners read dark on light most surely. Each module is
    /// a whole number of pixels, so its edges stay sharp.
    private func paintCode(_ cr: OpaquePointer, _ code: VisitorCode, in area: PagePlan.Area) {
        let module = max(1, (area.width / Double(code.side)).rounded(.down))
        let drawn = module * Double(code.side)
        let x0 = (area.x + (area.width - drawn)).rounded(), y0 = (area.y + (area.height - drawn)).rounded()
        cairo_set_source_rgb(cr, 1, 1, 1)
        cairo_rectangle(cr, x0, y0, drawn, drawn)
        cairo_fill(cr)
        cairo_set_source_rgb(cr, 0, 0, 0)
        let quiet = Double(VisitorCode.quietZone)
        for (row, modules) in code.modules.enumerated() {
            for (column, dark) in modules.enumerated() where dark {
                cairo_rectangle(cr, x0 + (quiet + Double(column)) * module, y0 + (quiet + Double(row)) * module,
                                module, module)
            }
        }
        cairo_fill(cr)
    }

    private func setColour(_ cr: Pen, _ c: Colour) {
        cairo_set_source_rgb(cr.cr, Double(c.red) / 255, Double(c.green) / 255, Double(c.blue) / 255)
    }

    /// Draws one line of text with its top-left corner at (x, y); returns its width.
    @discardableResult
    private func text(_ cr: Pen, _ string: String, _ font: PixelLayout.Font, x: Double, y: Double,
                      width: Double? = nil, alignRight: Bool = false, center: Bool = false, justifyTo: Double? = nil,
                      canvas: Canvas? = nil, language: String? = nil) -> Double
    {
        let layout = cr.layout
        // Shaped as measured: the same language, script direction and font choice as the paginator's lines.
        Pango.setLanguage(layout, language)
        pango_layout_set_width(layout, -1)
        pango_layout_set_alignment(layout, PANGO_ALIGN_LEFT)
        pango_layout_set_justify(layout, 0)
        pango_layout_set_justify_last_line(layout, 0)
        let description = Pango.fontDescription(font)
        defer { pango_font_description_free(description) }
        pango_layout_set_font_description(layout, description)
        if let width {
            pango_layout_set_width(layout, Int32(width * Double(PANGO_SCALE)))
            pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR)
            if center { pango_layout_set_alignment(layout, PANGO_ALIGN_CENTER) }
        }
        pango_layout_set_text(layout, string, Int32(string.utf8.count))
        var ink = PangoRectangle(), logical = PangoRectangle()
        pango_layout_get_pixel_extents(layout, &ink, &logical)
        if let measure = justifyTo, Double(logical.width) <= measure {
            // Stretch the line to the measure; a line that would not fit as one line is left as it is.
            pango_layout_set_width(layout, Int32(measure * Double(PANGO_SCALE)))
            pango_layout_set_justify(layout, 1)
            pango_layout_set_justify_last_line(layout, 1)
            pango_layout_get_pixel_extents(layout, &ink, &logical)
        }
        let left = alignRight ? x - Double(logical.width) : x
        cairo_move_to(cr.cr, left, y)
        pango_cairo_show_layout(cr.cr, layout)
        canvas?.boxes.append(Canvas.Box(
            x: left + Double(logical.x), y: y + Double(logical.y), width: Double(logical.width),
            height: Double(logical.height), what: string,
            overhangLeft: Double(max(0, logical.x - ink.x)),
            overhangRight: Double(max(0, (ink.x + ink.width) - (logical.x + logical.width)))
        ))
        return Double(logical.width)
    }

    private func paintImage(_ pen: Pen, _ image: ImageBlock, folder: String?, x: Double, y: Double,
                            width: Double, height: Double, layout: PixelLayout)
    {
        let cr = pen.cr
        let path = image.path(in: folder)
        // Decoded no larger than drawn (the canvas is in device pixels).
        let source = try? PictureFile.surface(path: path, box: max(1, Int(max(width, height).rounded(.up)))).get()
        defer { if let source { cairo_surface_destroy(source) } }
        guard let source else {
            // A picture that cannot be decoded here: a quiet frame with its description, never a broken screen.
            setColour(pen, layout.theme.muted)
            cairo_set_line_width(cr, max(1, layout.scale * 2))
            cairo_rectangle(cr, x, y, width, height)
            cairo_stroke(cr)
            text(pen, image.alt ?? image.file, layout.font(for: .imageText), x: x + layout.margin / 2,
                 y: y + layout.margin / 2, width: width - layout.margin)
            return
        }
        let w = Double(cairo_image_surface_get_width(source)), h = Double(cairo_image_surface_get_height(source))
        guard w > 0, h > 0 else { return }
        let scale = min(width / w, height / h)
        let drawnWidth = w * scale
        cairo_save(cr)
        cairo_translate(cr, x + (width - drawnWidth) / 2, y)
        cairo_scale(cr, scale, scale)
        cairo_set_source_surface(cr, source, 0, 0)
        cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_GOOD)
        cairo_paint(cr)
        cairo_restore(cr)
    }
}

extension ImageBlock {
    /// The picture's file: named relative to the exhibit's folder.
    func path(in folder: String?) -> String { ((folder ?? ".") as NSString).appendingPathComponent(file) }
}
