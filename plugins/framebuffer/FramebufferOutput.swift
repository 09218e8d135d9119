import Foundation
import VitrineMedia
import VitrinePanel
import VitrinePluginAPI
import VitrineRenderer

/// Draws pages into a Linux framebuffer with Pango typography: a panel with no desktop at all.
public struct FramebufferOutput: OutputPlugin {
    public static let type = "framebuffer"
    public static let summary = "Pages painted into a Linux framebuffer (/dev/fb0), or a file standing in for one"
    static let device = DefaultedKey("device", .path(example: "/dev/fb0"), default: "/dev/fb0",
        "The framebuffer device, or a regular file (created if missing when `width`/`height` are given).")
    static let tty = PanelOptions.tty(otherwise: "`/dev/tty7` on a real framebuffer, `none` for a file")
    static let width = Key("width", .number(64...8192), otherwise: "the device's", "Width in pixels, for a file.")
    static let height = Key("height", .number(64...8192), otherwise: "the device's", "Height in pixels, for a file.")
    static let format = DefaultedKey("format", .oneOf(PixelFormat.named.keys.sorted()), default: "xrgb8888",
                                        "Pixel format, for a file.")
    static let stride = Key("stride", .number(64...65536), otherwise: "width × bytes per pixel",
                               "Bytes per row, for a file (rows may be padded).")
    static let pageCache = PanelOptions.pageCache
    static let audio = PanelOptions.audio
    public static let options = [device.spec, tty.spec, width.spec, height.spec, format.spec, stride.spec,
                                 pageCache.spec, audio.spec]

    public let screen: String
    public let device: String
    /// The console to hold (`.automatic`: `FramebufferDevice.defaultConsole` on a real framebuffer, none on a file).
    public let console: FramebufferDevice.ConsoleChoice
    let width: Int?
    let height: Int?
    let format: PixelFormat
    let stride: Int?
    let pageCacheBytes: Int
    /// Where films' sound goes.
    let sound: Player.Audio
    /// The console that was on the panel before the screen's first run took its own: kept across runs (a run after
    /// a failure finds the screen's console active) so it is shown again when the screen stops.
    let consoleBefore = ConsoleBefore()

    public init?(screen: String, options reader: OptionsReader) {
        self.screen = screen
        device = reader[Self.device]
        switch reader[Self.tty] {
        case nil: console = .automatic
        case "none": console = .none
        case let path?: console = .terminal(path)
        }
        width = reader[Self.width]
        height = reader[Self.height]
        format = PixelFormat.named[reader[Self.format]] ?? .xrgb8888
        stride = reader[Self.stride]
        pageCacheBytes = reader[Self.pageCache] << 20
        sound = reader[Self.audio].map(Player.Audio.init(option:)) ?? .none
        if (width == nil) != (height == nil) {
            reader.problem(width == nil ? "height" : "width", "give both width and height, or neither")
        }
        if let stride, let width, stride < width * format.bytesPerPixel {
            reader.problem("stride", "\(stride) bytes is less than a row of \(width) pixels (\(width * format.bytesPerPixel))")
        }
        if !reader.errors.isEmpty { return nil }
    }

    public var claims: [String] {
        switch console {
        case .none: [device]
        case let .terminal(path): [device, path]
        // Only a device under /dev gets the default console (no I/O here to tell a device from a file).
        case .automatic: device.hasPrefix("/dev/") ? [device, FramebufferDevice.defaultConsole] : [device]
        }
    }

    public var initialSurface: Surface { PixelMeasurer.surface(width: width ?? 1920, height: height ?? 1080) }

    var fallback: FramebufferDevice.Geometry? {
        guard let width, let height else { return nil }
        return .init(width: width, height: height, stride: stride ?? width * format.bytesPerPixel, format: format,
                     virtualHeight: height)
    }

    public func run(frames: AsyncStream<Frame>, context: OutputContext) async throws {
        let fb = try FramebufferDevice(path: device, fallback: fallback, console: console)
        defer { fb.restore() }
        await fb.takeConsole(remembering: consoleBefore)
        let g = fb.geometry
        context.surfaceChanged(PixelMeasurer.surface(width: g.width, height: g.height))
        context.logger.info("Framebuffer ready.", metadata: [
            "vitrine.device": "\(device)", "vitrine.size": "\(g.width)x\(g.height)", "vitrine.format": "\(g.format)",
            "vitrine.stride": "\(g.stride)", "vitrine.buffers": "\(fb.canPan ? 2 : 1)",
            "vitrine.console": "\(fb.console?.path ?? "left alone")",
        ])
        for problem in fb.consoleProblems {
            context.logger.warning("The text console may draw over the picture: \(problem).")
        }
        if fb.isDevice, !fb.canPan {
            context.logger.notice("Double buffering unavailable (no room to pan); drawing in place.")
        }
        fb.flipped = context.flipped
        try await PanelPresenter(sound: sound, pageCacheBytes: pageCacheBytes).run(frames: frames, on: fb, context: context)
    }

    /// How often a held console is checked for having been taken away without a switch.
    public static let consoleCheckInterval = PanelPresenter.consoleCheckInterval
}

extension FramebufferDevice {
    /// One crossfade frame between two painted frames of the screen's size, written into the back buffer.
    public func drawCrossfade(from: Canvas, to: Canvas, amount: Double) throws {
        try drawFade(from: from, to: to, amount: amount)
    }
}
