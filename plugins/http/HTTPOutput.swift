import VitrinePluginAPI
import VitrineRenderer

/// Pages pushed to browsers in kiosk mode (a smart TV, a tablet at a vitrine, a Chromium kiosk) over Server-Sent
/// Events. The daemon's one HTTP listener serves the page at `/screens/NAME`; this output lays pages out for the
/// screen's stage size and publishes each one.
public struct HTTPOutput: OutputPlugin {
    public static let type = "http"
    public static let summary = "Pages pushed to kiosk browsers over Server-Sent Events at /screens/NAME"
    public static let options = [
        OptionSpec("width", "number", default: "1920", "Stage width in pixels: pages are laid out for it and scaled "
            + "to the browser's window."),
        OptionSpec("height", "number", default: "1080", "Stage height in pixels."),
    ]

    public let screen: String
    let width: Int
    let height: Int
    let hub: KioskHub

    public init?(screen: String, options reader: OptionsReader) {
        self.init(screen: screen, options: reader, hub: .shared)
    }

    init?(screen: String, options reader: OptionsReader, hub: KioskHub) {
        self.screen = screen
        self.hub = hub
        width = reader.int("width", in: 64...8192) ?? 1920
        height = reader.int("height", in: 64...8192) ?? 1080
        if !reader.problems.isEmpty { return nil }
    }

    /// The listener is shared, so an http screen holds no device of its own.
    public var claims: [String] { [] }

    public var initialSurface: Surface { PixelMeasurer.surface(width: width, height: height) }

    public func run(frames: AsyncStream<Frame>, context: OutputContext) async throws {
        hub.open(screen, width: width, height: height)
        defer { hub.close(screen) }
        context.logger.info("Serving kiosk browsers.", metadata: [
            "vitrine.path": "/screens/\(screen)", "vitrine.size": "\(width)x\(height)",
        ])
        for await frame in frames {
            // An unchanged page (a reload that touched another screen) is not pushed again.
            let message = KioskMessage(frame, screen: screen, width: width, height: height).json
            if hub.current(screen)?.data != message { hub.publish(screen, data: message) }
            context.shown(frame)
        }
    }
}
