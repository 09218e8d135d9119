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

    /// The text exposition format.
    func render(channels: BrowserChannels, screens: [Daemon.Status.Screen] = []) -> String {
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
        return String(decoding: buffer, as: UTF8.self)
    }
}
