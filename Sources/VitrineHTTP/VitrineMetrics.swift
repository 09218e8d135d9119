import CoreMetrics
import Prometheus
import Synchronization
import VitrineCore
import VitrinePluginAPI

/// Prometheus metrics through swift-metrics: pages shown per screen, reloads and their failures, output restarts,
/// kiosk clients connected, and the render time histogram the pixel outputs record.
public final class VitrineMetrics: Sendable {
    /// One per process: swift-metrics has one global factory.
    public static let shared = VitrineMetrics()

    public let registry = PrometheusCollectorRegistry()
    private let kioskClients: CoreMetrics.Gauge
    private let reloads: CoreMetrics.Counter
    private let reloadFailures: CoreMetrics.Counter

    private init() {
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        kioskClients = CoreMetrics.Gauge(label: "vitrine_kiosk_clients")
        reloads = CoreMetrics.Counter(label: "vitrine_reloads_total")
        reloadFailures = CoreMetrics.Counter(label: "vitrine_reload_failures_total")
    }

    /// Counts what the daemon reports.
    public func attach(to daemon: Daemon) {
        daemon.observe { [self] event in
            switch event {
            case let .shown(screen, _):
                CoreMetrics.Counter(label: "vitrine_pages_shown_total", dimensions: [("screen", screen)]).increment()
            case let .outputFailed(screen, _):
                CoreMetrics.Counter(label: "vitrine_output_restarts_total", dimensions: [("screen", screen)]).increment()
            case let .reloaded(failure):
                reloads.increment()
                if failure != nil { reloadFailures.increment() }
            case let .visibilityChanged(screen, .some):
                // A panel taken by another console (or a reset text console): worth an alert on a fleet.
                CoreMetrics.Counter(label: "vitrine_screen_hidden_total", dimensions: [("screen", screen)]).increment()
            case .announcementsChanged, .visibilityChanged: break
            }
        }
    }

    /// Each screen's page flips as last read, so the counter grows by what was flipped since.
    private let flipsSeen = Mutex<[String: Int]>([:])

    /// The content digest of the program last scraped, by generation: worked out once per program.
    private let digestSeen = Mutex<(generation: Int, digest: String)?>(nil)

    /// The text exposition format: what swift-metrics counted, then the fleet's gauges (`fleet(…)`).
    func render(channels: BrowserChannels, status: Daemon.Status? = nil, program: Program? = nil) -> String {
        let screens = status?.screens ?? []
        kioskClients.record(channels.streams)
        let grown = flipsSeen.withLock { seen in
            screens.map { screen -> (String, Int) in
                defer { seen[screen.name] = screen.flips }
                let before = seen[screen.name] ?? 0
                // A screen started afresh by a reload counts from zero again.
                return (screen.name, screen.flips >= before ? screen.flips - before : screen.flips)
            }
        }
        for screen in screens {
            // 1 while the schedule has the display on, 0 while it is switched off after hours (`power:`).
            if let frame = screen.frame {
                CoreMetrics.Gauge(label: "vitrine_display_on", dimensions: [("screen", screen.name)])
                    .record(frame.presentation.displayOn ? 1 : 0)
            }
        }
        for (screen, flips) in grown where flips > 0 {
            // Frames put on the panel: page flips on vblank (kms), pans between buffers (framebuffer).
            CoreMetrics.Counter(label: "vitrine_page_flips_total", dimensions: [("screen", screen)])
                .increment(by: flips)
        }
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        var text = String(decoding: buffer, as: UTF8.self)
        if let status, let program { text += fleet(status, program: program) }
        return text
    }

    /// What a fleet's rules compare between machines (deploy/prometheus/): the content digest, the program's
    /// generation, the daemon's clock, each screen's state and exhibit. Written here rather than through
    /// swift-metrics: the series whose labels change (the exhibit on a screen, the digest) must end when their
    /// value does, and a registered gauge would keep reporting its last value.
    func fleet(_ status: Daemon.Status, program: Program) -> String {
        let digest = digestSeen.withLock { seen -> String in
            if let seen, seen.generation == status.generation { return seen.digest }
            let digest = program.contentDigest().description
            seen = (status.generation, digest)
            return digest
        }
        var out = Exposition()
        out.gauge("vitrine_build_info", "The daemon's version and the commit it was built from (always 1).",
                  [([("version", status.build.version), ("commit", status.build.commit)], 1)])
        out.gauge("vitrine_content_info", "The exhibits as read: machines that should match report the same digest.",
                  [([("digest", digest)], 1)])
        out.gauge("vitrine_program_generation", "Programs swapped in since start (reloads, announcements).",
                  [([], Double(status.generation))])
        out.gauge("vitrine_program_loaded_seconds", "When the running program was loaded (seconds since 1970).",
                  [([], Double(status.loadedAt) / 1000)])
        out.gauge("vitrine_last_reload_failed", "1 while the last reload failed and the program before it runs.",
                  [([], status.lastReload == nil ? 0 : 1)])
        out.gauge("vitrine_ready", "1 once every screen has shown its first page or failed trying.",
                  [([], status.ready ? 1 : 0)])
        out.gauge("vitrine_clock_seconds",
                  "The daemon's clock when scraped (seconds since 1970): compared with its peers' for skew.",
                  [([], Double(status.now) / 1000)])
        let states = ["starting", "showing", "hidden", "failed"]
        out.gauge("vitrine_screen_state", "1 for the screen's state: starting, showing, hidden or failed.",
                  status.screens.flatMap { screen in
                      states.map { ([("screen", screen.name), ("output", screen.output), ("state", $0)],
                                    screen.health == $0 ? 1 : 0) }
                  })
        out.gauge("vitrine_screen_open",
                  "1 while the schedule has the screen within opening hours (not after hours, not a closing day).",
                  status.screens.compactMap { screen in
                      screen.frame.map { frame in
                          let closed = frame.presentation.reason == .afterHours || frame.presentation.reason == .closed
                          return ([("screen", screen.name)], closed ? 0 : 1)
                      }
                  })
        out.gauge("vitrine_screen_exhibit_info", "The exhibit and page a screen shows (kind page, message or blank).",
                  status.screens.compactMap { screen in
                      screen.frame.map { frame in
                          var exhibit = "", page = "", kind = "blank"
                          switch frame.presentation.content {
                          case let .exhibit(id, index, _):
                              (exhibit, page, kind) = (id.rawValue, "\(index + 1)", "page")
                          case .message: kind = "message"
                          case .blank: break
                          }
                          return ([("screen", screen.name), ("kind", kind), ("exhibit", exhibit), ("page", page)], 1)
                      }
                  })
        return out.text
    }
}

/// Prometheus's text exposition format, for the gauges written by hand.
struct Exposition {
    var text = ""

    mutating func gauge(_ name: String, _ help: String, _ samples: [(labels: [(String, String)], value: Double)]) {
        text += "# HELP \(name) \(help)\n# TYPE \(name) gauge\n"
        for sample in samples {
            let labels = sample.labels.map { "\($0.0)=\"\(Self.escaped($0.1))\"" }.joined(separator: ",")
            let value = sample.value == sample.value.rounded() && abs(sample.value) < 1e15
                ? String(Int64(sample.value)) : "\(sample.value)"
            text += name + (labels.isEmpty ? "" : "{\(labels)}") + " " + value + "\n"
        }
    }

    /// A label value with its backslashes, quotes and line breaks escaped, as the format asks.
    static func escaped(_ value: String) -> String {
        var out = ""
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }
}
