import Synchronization
import VitrinePluginAPI
import VitrineRenderer

/// Pages pushed to browsers in kiosk mode (a smart TV, a tablet at a vitrine, a Chromium kiosk) over Server-Sent
/// Events. The daemon's one HTTP listener serves the page at `/screens/NAME` (`web(screen:)`); this output lays
/// pages out for the screen's stage size and publishes each one on the screen's channel.
public struct HTTPOutput: ServesBrowsers {
    public static let type = "http"
    public static let summary = "Pages pushed to kiosk browsers over Server-Sent Events at /screens/NAME"
    static let width = DefaultedKey("width", .number(64...8192), default: 1920,
        "Stage width in pixels: pages are laid out for it, then scaled to the browser's window.")
    static let height = DefaultedKey("height", .number(64...8192), default: 1080,
        "Stage height in pixels (`1080` × `1920` for a portrait panel).")
    static let push = Key("push", section: RemoteDisplay.options,
                             "Also POST each page to a remote display, see below.")
    static let touch = DefaultedKey("touch", .bool, default: false,
        "A touch screen (or a mouse): visitors choose the language of the exhibit on screen and turn its pages; "
        + "after `quiet` without a touch the screen follows the schedule again.")
    static let quiet = DefaultedKey("quiet", .duration(5_000...3_600_000), default: 60_000,
        "How long after a visitor's last touch the screen goes back to the schedule.")
    public static let options = [width.spec, height.spec, touch.spec, quiet.spec, push.spec]

    public let screen: String
    let width: Int
    let height: Int
    /// Milliseconds a visitor's choice holds after their last touch; nil without `touch: true`.
    let touchQuiet: Int64?
    let push: RemoteDisplay?

    public init?(screen: String, options reader: OptionsReader) {
        self.screen = screen
        width = reader[Self.width]
        height = reader[Self.height]
        touchQuiet = reader[Self.touch] ? reader[Self.quiet] : nil
        push = reader.section(Self.push).flatMap(RemoteDisplay.init(options:))
        if !reader.errors.isEmpty { return nil }
    }

    /// The listener is shared, so an http screen holds no device of its own.
    public var claims: [String] { [] }

    public static func web(screen: String) -> WebScreen {
        WebScreen(page: WebFile(KioskPage.html(screen: screen), type: "text/html; charset=utf-8"),
                  files: ["kiosk.js": WebFile(KioskPage.script, type: "text/javascript; charset=utf-8"),
                          "kiosk.css": WebFile(KioskPage.css, type: "text/css; charset=utf-8")])
    }

    public var initialSurface: Surface { PixelMeasurer.surface(width: width, height: height) }

    public static func chosen(_ frame: Frame, screen: String, surface: Surface) -> String? {
        guard case let .pixels(width, height)? = surface.grid else { return nil }
        return KioskMessage(frame, screen: screen, width: width, height: height).json
    }

    /// What operators are told when a kiosk browser will not play sound by itself.
    static let soundBlocked = "a kiosk browser blocks sound (recordings play muted): start it with "
        + "--autoplay-policy=no-user-gesture-required (docs/http.md)"

    public func run(frames: AsyncStream<Frame>, context outer: OutputContext) async throws {
        outer.logger.info("Serving kiosk browsers.", metadata: [
            "vitrine.path": "/screens/\(screen)", "vitrine.size": "\(width)x\(height)",
        ])
        // Two kinds of trouble, told together: a remote display that does not answer, browsers that block sound.
        let troubles = Troubles(report: outer.trouble)
        let context = {
            var context = outer
            context.trouble = { troubles.set("push", $0) }
            return context
        }()
        let reports = outer.browsers.reports(screen)
        let pending = RemoteDisplay.Pending()
        let (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        if let push {
            context.logger.info("Pushing pages to a remote display.", metadata: [
                "vitrine.url": "\(push.url)", "vitrine.format": "\(push.format.rawValue)",
            ])
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await report in reports {
                    if report == .soundBlocked {
                        outer.logger.warning("A kiosk browser blocks sound; recordings play muted.")
                    }
                    troubles.set("sound", report == .soundBlocked ? Self.soundBlocked : nil)
                }
            }
            if let push {
                group.addTask { await push.run(pending: pending, wakeups: wakeups, screen: screen, context: context) }
            }
            var serial = 0
            for await frame in frames {
                let (message, changed) = show(frame, context: context)
                guard let push, changed || serial == 0 else { continue }
                serial += 1
                let delivery = push.prepare(frame, serial: serial, message: Array(message.utf8), width: width,
                                            height: height)
                pending.put(delivery)
                wake.yield()
            }
            wake.finish()
            group.cancelAll()
        }
    }

    @discardableResult
    private func show(_ frame: Frame, context: OutputContext) -> (message: String, changed: Bool) {
        var kiosk = KioskMessage(frame, screen: screen, width: width, height: height)
        kiosk.touchQuiet = touchQuiet
        let message = kiosk.json
        let changed = context.browsers.current(screen)?.data != message
        if changed { context.browsers.publish(screen, data: message) }
        context.shown(frame)
        return (message, changed)
    }
}

/// Troubles from several sources told as one line: each source sets or clears its own.
final class Troubles: Sendable {
    private let state = Mutex<[(source: String, text: String)]>([])
    private let report: @Sendable (String?) -> Void

    init(report: @escaping @Sendable (String?) -> Void) { self.report = report }

    func set(_ source: String, _ text: String?) {
        let line = state.withLock { list -> String? in
            list.removeAll { $0.source == source }
            if let text { list.append((source, text)) }
            return list.isEmpty ? nil : list.map(\.text).joined(separator: "; ")
        }
        report(line)
    }
}
