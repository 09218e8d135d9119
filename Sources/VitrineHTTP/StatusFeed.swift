import AsyncAlgorithms
import Foundation
import ServiceLifecycle
import Synchronization
import VitrineCore
import VitrineModel
import VitrinePluginAPI

/// The daemon's status as JSON, pushed to dashboards as it changes (a page shown, a reload, an output failing) and
/// every few seconds for the kiosk client counts.
final class StatusFeed: Sendable {
    let daemon: Daemon
    /// Dashboards listen on channels of their own: their streams do not count against the kiosk screens' limit.
    let dashboards = BrowserChannels()
    private let changes: AsyncStream<Void>
    private let signal: AsyncStream<Void>.Continuation

    init(daemon: Daemon) {
        self.daemon = daemon
        (changes, signal) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let signal = self.signal
        daemon.observe { _ in signal.yield() }
        dashboards.maxStreams = 100
    }

    func run() async {
        publish()
        let ticks = AsyncTimerSequence(interval: .seconds(5), clock: .continuous).map { _ in () }
        // Bursts (every screen changing at once) collapse into one update.
        for await _ in merge(changes, ticks).debounce(for: .milliseconds(100)).cancelOnGracefulShutdown() { publish() }
    }

    func stop() { signal.finish() }

    func publish() {
        let json = StatusJSON.make(daemon.status(), program: daemon.program, registry: daemon.registry,
                                   channels: daemon.browsers)
        if dashboards.current("status")?.data != json { dashboards.publish("status", data: json) }
    }
}

/// `/api/status`: what every screen shows, its health, and the program.
enum StatusJSON {
    struct Body: Encodable {
        /// The daemon's version and the commit it was built from, as `vitrine --version` prints them.
        var version: String
        var commit: String
        var ready: Bool
        var status: String
        var config: String
        var programLoaded: String
        var lastReload: String?
        /// Exhibits with errors, until they are fixed: each with what is shown of it and its first error.
        var exhibitsWithErrors: [ExhibitWithErrors]
        var now: String
        /// The venue's opening hours today ("10:00-18:00", or "closed").
        var hoursToday: String
        var screens: [Screen]
    }

    struct ExhibitWithErrors: Encodable {
        var exhibit: String
        /// "last good version shown", "shown as far as it could be read" or "left out".
        var shown: String
        /// `PATH:LINE:COLUMN: MESSAGE`
        var error: String

        init(_ problem: ExhibitProblem) {
            exhibit = problem.exhibit.rawValue
            shown = problem.shown.rawValue
            error = problem.error.placeAndMessage
        }
    }

    struct Screen: Encodable {
        var name: String
        var output: String
        var health: String
        /// The page is what the panel shows (health "showing").
        var showing: Bool
        var failure: String?
        /// Why not, while the output runs but another console is on the panel (health "hidden").
        var hidden: String?
        var trouble: String?
        var summary: String
        var exhibit: String?
        var page: Int?
        var pages: Int?
        /// The language the exhibit is shown in.
        var language: String?
        var theme: String?
        var reason: String?
        var since: String?
        var nextChange: String?
        var size: String
        /// Where the dashboard finds a picture of the screen (pixel screens) or the kiosk page (http screens).
        var picture: String?
        var kiosk: String?
        /// Where the dashboard finds a text screen's rows (terminals).
        var text: String?
        var clients: Int?
        /// Frames put on the panel (page flips) since the output started, for pixel panels.
        var flips: Int?
        /// "on" or "off": whether the schedule has the display switched on (`power:`).
        var display: String?
        /// What the television was last told over HDMI-CEC: "on", "standby" or "failed: …".
        var cec: String?
    }

    static func make(_ status: Daemon.Status, program: Program, registry: OutputRegistry, channels: BrowserChannels)
        -> String
    {
        let browserTypes = registry.browserTypes
        let calendar = program.calendar
        let screens = status.screens.map { screen -> Screen in
            let frame = screen.frame
            var page: Int?, pages: Int?, exhibit: String?
            if case let .exhibit(id, index, count)? = frame?.presentation.content {
                exhibit = id.rawValue
                page = index + 1
                pages = count
            }
            let pixels: Bool, cells: Bool
            switch screen.surface.grid {
            case .pixels?: (pixels, cells) = (true, false)
            case .cells?: (pixels, cells) = (false, true)
            case nil: (pixels, cells) = (false, false)
            }
            return Screen(
                name: screen.name, output: screen.output, health: screen.health, showing: screen.health == "showing",
                failure: screen.failure, hidden: screen.hidden, trouble: screen.trouble,
                summary: screen.summary, exhibit: exhibit, page: page, pages: pages,
                language: exhibit == nil ? nil : frame?.presentation.language, theme: frame?.theme.name,
                reason: frame?.presentation.reason.rawValue,
                since: frame.map { calendar.format($0.presentation.validFrom, seconds: true) },
                nextChange: frame.map { calendar.format($0.presentation.validUntil, seconds: true) },
                size: String(screen.surface.key.split(separator: " ").last ?? ""),
                picture: pixels && frame != nil ? "/screens/\(screen.name)/picture.png" : nil,
                kiosk: browserTypes.contains(screen.output) ? "/screens/\(screen.name)" : nil,
                text: registry.plugin(screen.output) is any ShowsText.Type && cells && frame != nil
                    ? "/screens/\(screen.name)/text" : nil,
                clients: browserTypes.contains(screen.output) ? channels.streams(for: screen.name) : nil,
                flips: screen.flips > 0 ? screen.flips : nil,
                display: frame.map { $0.presentation.displayOn ? "on" : "off" }, cec: screen.cec)
        }
        let body = Body(version: status.build.version, commit: status.build.commit,
                        ready: status.ready, status: status.line, config: status.configPath,
                        programLoaded: calendar.format(status.loadedAt, seconds: true), lastReload: status.lastReload,
                        exhibitsWithErrors: status.exhibitProblems.map(ExhibitWithErrors.init),
                        now: calendar.format(status.now, seconds: true), hoursToday: program.hoursOfTheDay(at: status.now),
                        screens: screens)
        return encode(body)
    }

    static func encode(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? String(decoding: encoder.encode(value), as: UTF8.self)) ?? "{}"
    }
}
