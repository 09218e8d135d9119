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
    ]

    public let screen: String
    public let device: String
    public let tty: String?
    let width: Int?
    let height: Int?
    let format: PixelFormat
    let stride: Int?

    public init?(screen: String, options reader: OptionsReader) {
        self.screen = screen
        device = reader.path("device") ?? "/dev/fb0"
        tty = reader.path("tty")
        width = reader.int("width", in: 64...8192)
        height = reader.int("height", in: 64...8192)
        let name = reader.oneOf("format", PixelFormat.named.keys.sorted())
        format = name.flatMap { PixelFormat.named[$0] } ?? .xrgb8888
        stride = reader.int("stride", in: 64...65536)
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
        if fb.isDevice, !fb.canPan {
            context.logger.notice("Double buffering unavailable (no room to pan); drawing in place.")
        }
        let painter = PagePainter()
        var previous: Canvas?

        for await frame in frames {
            if fb.isGone { throw Gone(path: device) }
            if frame.content == .blank, frame.presentation.reason == .afterHours, fb.blank(true) {
                previous = nil
                context.shown(frame)
                continue
            }
            fb.blank(false)
            let canvas = painter.paint(frame, width: g.width, height: g.height)
            if case let .crossfade(ms) = frame.theme.transition, ms > 0, let from = previous,
               from.width == canvas.width, from.height == canvas.height
            {
                // The blend buffer lives only during the fade, so an idle screen does not hold it.
                let blend = UnsafeMutablePointer<UInt32>.allocate(capacity: g.width * g.height)
                defer { blend.deallocate() }
                try await fade(from: from, to: canvas, milliseconds: ms, fb: fb, scratch: blend)
            }
            show(canvas, on: fb)
            // The frame on screen is kept only when the next change may fade from it.
            if case .crossfade = frame.theme.transition { previous = canvas } else { previous = nil }
            context.shown(frame)
        }
    }

    /// Copies a painted frame into the back buffer and shows it.
    func show(_ canvas: Canvas, on fb: FramebufferDevice) {
        let g = fb.geometry
        canvas.withPixels { pixels in
            g.format.convert(from: pixels.baseAddress!, sourceStride: canvas.stride, to: fb.backBuffer,
                             destinationStride: g.stride, width: g.width, height: g.height)
        }
        fb.present()
    }

    /// A crossfade at about 60 frames a second.
    func fade(from: Canvas, to: Canvas, milliseconds: Int64, fb: FramebufferDevice,
              scratch: UnsafeMutablePointer<UInt32>) async throws
    {
        let g = fb.geometry
        let steps = max(1, Int(milliseconds / 16))
        let clock = ContinuousClock()
        var tick = clock.now
        for step in 1..<steps {
            try Task.checkCancellation()
            from.withPixels { a in
                to.withPixels { b in
                    crossfadeFrameInto(fb.backBuffer, stride: g.stride, format: g.format, from: a.baseAddress!,
                                       to: b.baseAddress!, sourceStride: from.stride, width: g.width,
                                       height: g.height, amount: Double(step) / Double(steps), scratch: scratch)
                }
            }
            fb.present()
            tick = tick.advanced(by: .milliseconds(16))
            try await clock.sleep(until: tick)
        }
    }
}
