import Foundation
import VitrinePluginAPI
import VitrineRenderer

/// Draws pages into a Linux framebuffer with Pango typography: a panel with no desktop at all.
public struct FramebufferOutput: OutputPlugin {
    public static let type = "framebuffer"
    public static let summary = "Pages painted into a Linux framebuffer (/dev/fb0), or a file standing in for one"
    public static let options = [
        OptionSpec("device", "path", default: "/dev/fb0", "The framebuffer device, or a regular file."),
        OptionSpec("tty", "path", default: "the active console on a real framebuffer",
                   "Console to switch to graphics mode while drawing (such as /dev/tty1), so its text stays hidden."),
        OptionSpec("width", "number", default: "the device's", "Width in pixels, for a file."),
        OptionSpec("height", "number", default: "the device's", "Height in pixels, for a file."),
        OptionSpec("format", "xrgb8888, bgr, rgb888 or rgb565", default: "xrgb8888", "Pixel format, for a file."),
        OptionSpec("stride", "number", default: "width x bytes per pixel", "Bytes per row, for a file."),
        OptionSpec("page-cache", "megabytes", default: "16",
                   "Memory for painted pages kept compressed, so a page shown again is not laid out again (0: none)."),
    ]

    public let screen: String
    public let device: String
    public let tty: String?
    let width: Int?
    let height: Int?
    let format: PixelFormat
    let stride: Int?
    let pageCacheBytes: Int

    public init?(screen: String, options reader: OptionsReader) {
        self.screen = screen
        device = reader.path("device") ?? "/dev/fb0"
        tty = reader.path("tty")
        width = reader.int("width", in: 64...8192)
        height = reader.int("height", in: 64...8192)
        let name = reader.oneOf("format", PixelFormat.named.keys.sorted())
        format = name.flatMap { PixelFormat.named[$0] } ?? .xrgb8888
        stride = reader.int("stride", in: 64...65536)
        pageCacheBytes = (reader.int("page-cache", in: 0...4096) ?? 16) << 20
        if (width == nil) != (height == nil) {
            reader.problem(width == nil ? "height" : "width", "give both width and height, or neither")
        }
        if let stride, let width, stride < width * format.bytesPerPixel {
            reader.problem("stride", "\(stride) bytes is less than a row of \(width) pixels (\(width * format.bytesPerPixel))")
        }
        if !reader.problems.isEmpty { return nil }
    }

    public var claims: [String] { [device] + (tty.map { [$0] } ?? []) }

    public var initialSurface: Surface { PixelMeasurer.surface(width: width ?? 1920, height: height ?? 1080) }

    var fallback: FramebufferDevice.Geometry? {
        guard let width, let height else { return nil }
        return .init(width: width, height: height, stride: stride ?? width * format.bytesPerPixel, format: format,
                     virtualHeight: height)
    }

    struct Gone: Error, CustomStringConvertible {
        var path: String
        var description: String { "\(path) went away (unplugged, driver reloaded or file removed)" }
    }

    public func run(frames: AsyncStream<Frame>, context: OutputContext) async throws {
        let fb = try FramebufferDevice(path: device, fallback: fallback, tty: tty)
        defer { fb.restore() }
        let g = fb.geometry
        context.surfaceChanged(PixelMeasurer.surface(width: g.width, height: g.height))
        context.logger.info("Framebuffer ready.", metadata: [
            "vitrine.device": "\(device)", "vitrine.size": "\(g.width)x\(g.height)", "vitrine.format": "\(g.format)",
            "vitrine.stride": "\(g.stride)", "vitrine.buffers": "\(fb.canPan ? 2 : 1)",
            "vitrine.console": "\(fb.console ?? "left alone")",
        ])
        if let problem = fb.consoleProblem {
            context.logger.warning("The text console may draw over the picture: \(problem).")
        }
        if fb.isDevice, !fb.canPan {
            context.logger.notice("Double buffering unavailable (no room to pan); drawing in place.")
        }
        let painter = PagePainter()
        let cache = PaintedPageCache(budget: pageCacheBytes)
        // The page on the screen, by what it shows rather than its pixels: an idle screen holds no full frame.
        var previous: Frame?

        for await frame in frames {
            if fb.isGone { throw Gone(path: device) }
            if frame.content == .blank, frame.presentation.reason == .afterHours, fb.blank(true) {
                previous = nil
                context.shown(frame)
                continue
            }
            fb.blank(false)
            let key = PaintedPageCache.Key(frame, width: g.width, height: g.height)
            let kept = cache.page(for: key)
            if case let .crossfade(ms) = frame.theme.transition, ms > 0, let previous {
                // Both pages unpacked for the length of the fade only.
                let from = cache.canvas(for: PaintedPageCache.Key(previous, width: g.width, height: g.height))
                    ?? painter.paint(previous, width: g.width, height: g.height)
                let to = kept.flatMap(Canvas.restoring) ?? painter.paint(frame, width: g.width, height: g.height)
                try await fade(from: from, to: to, milliseconds: ms, fb: fb)
                try show(to, on: fb)
                if kept == nil, frame.clock == nil { cache.store(to, for: key) }
            } else if let kept {
                try show(kept, on: fb)
            } else {
                let canvas = painter.paint(frame, width: g.width, height: g.height)
                try show(canvas, on: fb)
                // A page with a clock changes every minute: not worth keeping.
                if frame.clock == nil { cache.store(canvas, for: key) }
            }
            context.shown(frame)
            if case .crossfade = frame.theme.transition { previous = frame } else { previous = nil }
        }
    }

    /// Writes a painted frame into the back buffer and shows it.
    func show(_ canvas: Canvas, on fb: FramebufferDevice) throws {
        let g = fb.geometry
        try canvas.withPixels { pixels in
            try fb.draw { first, rows, band in
                g.format.convert(from: pixels.baseAddress! + first * canvas.stride, sourceStride: canvas.stride,
                                 to: band, destinationStride: g.stride, width: g.width, height: rows)
            }
        }
        fb.present()
    }

    /// Shows a kept page, unpacking it band by band: no full frame is ever unpacked.
    func show(_ page: CompressedCanvas, on fb: FramebufferDevice) throws {
        let g = fb.geometry
        let direct = g.format == .xrgb8888 && g.stride == page.stride
        try fb.draw { first, rows, band in
            if direct {
                _ = page.unpackBand(startingAt: first, into: band)
            } else if page.unpackBand(startingAt: first, into: fb.bandPixels) != nil {
                g.format.convert(from: fb.bandPixels, sourceStride: page.stride, to: band, destinationStride: g.stride,
                                 width: g.width, height: rows)
            }
        }
        fb.present()
    }

    /// A crossfade at about 60 frames a second.
    func fade(from: Canvas, to: Canvas, milliseconds: Int64, fb: FramebufferDevice) async throws {
        let steps = max(1, Int(milliseconds / 16))
        let clock = ContinuousClock()
        var tick = clock.now
        for step in 1..<steps {
            try Task.checkCancellation()
            try fb.drawCrossfade(from: from, to: to, amount: Double(step) / Double(steps))
            fb.present()
            tick = tick.advanced(by: .milliseconds(16))
            try await clock.sleep(until: tick)
        }
    }
}

extension FramebufferDevice {
    /// One crossfade frame between two painted frames of the screen's size, written into the back buffer.
    public func drawCrossfade(from: Canvas, to: Canvas, amount: Double) throws {
        let g = geometry
        try from.withPixels { a in
            try to.withPixels { b in
                try draw { first, rows, band in
                    crossfadeFrameInto(band, stride: g.stride, format: g.format,
                                       from: a.baseAddress! + first * from.stride, to: b.baseAddress! + first * to.stride,
                                       sourceStride: from.stride, width: g.width, height: rows, amount: amount,
                                       scratch: bandPixels)
                }
            }
        }
    }
}
