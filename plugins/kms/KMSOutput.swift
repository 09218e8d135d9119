import Foundation
import VitrineMedia
import VitrinePanel
import VitrinePluginAPI
import VitrineRenderer

/// Pages on a display connector through DRM/KMS, the kernel's current display interface: the connector's own mode,
/// two buffers flipped on vblank (no tearing), the display switched off after hours (DPMS), and a screen that waits
/// while nothing is plugged in.
public struct KMSOutput: OutputPlugin {
    public static let type = "kms"
    public static let summary = "Pages on a display connector through DRM/KMS (/dev/dri/card0), flipped on vblank"
    static let card = DefaultedKey("card", .path(example: "/dev/dri/card0"), default: "/dev/dri/card0",
        "The DRM card. Screens on several connectors of one card share it.")
    static let connector = Key("connector", .text(kind: "connector name"), otherwise: "the first connected one",
        "The connector as the kernel names it (`HDMI-A-1`, `DP-2`, `Virtual-1`; `ls /sys/class/drm` shows them as "
        + "`card0-HDMI-A-1`).")
    static let mode = Key("mode", .text(kind: "WIDTHxHEIGHT or WIDTHxHEIGHT@HZ", show: { $0 }) { text, node, path, reader in
        guard ModeChoice(text) != nil else {
            reader.error("\(path): expected a mode such as 1920x1080 or 1920x1080@60, found '\(text)'", at: node)
            return nil
        }
        return text
    }, otherwise: "the display's preferred mode", "The display mode, among those the display offers.")
    static let tty = PanelOptions.tty(otherwise: "`/dev/tty7`")
    public static let options = [card.spec, connector.spec, mode.spec, tty.spec, PanelOptions.pageCache.spec,
                                 PanelOptions.audio.spec]

    public let screen: String
    public let card: String
    public let connector: String?
    let mode: ModeChoice?
    let console: ConsoleChoice
    let pageCacheBytes: Int
    let sound: Player.Audio
    let consoleBefore = ConsoleBefore()

    public init?(screen: String, options reader: OptionsReader) {
        self.screen = screen
        card = reader[Self.card]
        connector = reader[Self.connector]
        mode = reader[Self.mode].flatMap(ModeChoice.init)
        console = PanelOptions.console(reader[Self.tty])
        pageCacheBytes = reader[PanelOptions.pageCache] << 20
        sound = reader[PanelOptions.audio].map(Player.Audio.init(option:)) ?? .none
        if !reader.errors.isEmpty { return nil }
    }

    /// The connector (two screens never drive one) and the console; the card itself is shared.
    public var claims: [String] {
        let display = "\(card) \(connector ?? "first connected")"
        switch console {
        case .none: return [display]
        case let .terminal(path): return [display, path]
        case .automatic: return [display, ConsoleChoice.defaultConsole]
        }
    }

    public var initialSurface: Surface { PixelMeasurer.surface(width: 1920, height: 1080) }

    /// How often the connector is looked at while nothing is plugged in, and while a display is.
    public static let plugCheckInterval = Duration.seconds(1)

    public func run(frames: AsyncStream<Frame>, context: OutputContext) async throws {
        // One inbox for the whole run: the frame that came while the display was unplugged is the one shown when
        // it comes back.
        try await FrameInbox.filled(from: frames) { inbox in
            try await showWhilePlugged(inbox, context: context)
        }
    }

    /// Shows the frames on the connector whenever a display is plugged in, and waits (the screen `hidden`, with
    /// why) while none is: at start, and after one is unplugged. Ends when the frames do.
    func showWhilePlugged(_ inbox: FrameInbox, context: OutputContext) async throws {
        var waiting: String?
        while !inbox.isClosed {
            let device: KMSDevice
            do {
                device = try KMSDevice(card: card, connector: connector, mode: mode, console: console)
            } catch let wait as KMSDevice.Waiting {
                if waiting != wait.description {
                    context.logger.notice("Waiting for a display: \(wait.description).")
                    context.hidden("\(wait.description) (waiting for one)")
                    waiting = wait.description
                }
                try await Task.sleep(for: Self.plugCheckInterval)
                continue
            }
            if waiting != nil {
                context.logger.notice("A display is connected to \(device.connector.name).")
                // Shown again (the presenter starts afresh and knows nothing of the wait).
                context.hidden(nil)
                waiting = nil
            }
            do {
                try await show(inbox, on: device, context: context)
                device.restore()
                return
            } catch let error as OutputError where device.lost != nil {
                // Unplugged: the screen waits for a display again, as at start.
                device.restore()
                context.logger.notice("\(error).")
                context.hidden("\(error) (waiting for one)")
                waiting = "\(error)"
            } catch {
                device.restore()
                throw error
            }
        }
    }

    func show(_ inbox: FrameInbox, on device: KMSDevice, context: OutputContext) async throws {
        await device.takeConsole(remembering: consoleBefore)
        let g = device.geometry
        context.surfaceChanged(PixelMeasurer.surface(width: g.width, height: g.height))
        context.logger.info("Display ready.", metadata: [
            "vitrine.device": "\(card)", "vitrine.connector": "\(device.connector.name)",
            "vitrine.mode": "\(ModeChoice.name(device.mode))", "vitrine.stride": "\(g.stride)",
            "vitrine.console": "\(device.console?.path ?? "left alone")",
        ])
        for problem in device.consoleProblems {
            context.logger.warning("The text console may draw over the picture: \(problem).")
        }
        device.flipped = context.flipped
        try await PanelPresenter(sound: sound, pageCacheBytes: pageCacheBytes)
            .show(inbox, on: device, context: context, checkEvery: Self.plugCheckInterval)
    }
}
