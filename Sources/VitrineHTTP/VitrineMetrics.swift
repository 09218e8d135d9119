import CoreMetrics
import Prometheus
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

    /// The text exposition format.
    func render(channels: BrowserChannels) -> String {
        kioskClients.record(channels.streams)
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}
