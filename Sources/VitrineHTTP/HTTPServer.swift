import AsyncAlgorithms
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization
import VitrineCore
import VitrineModel
import VitrinePlayLog
import VitrinePluginAPI

/// The daemon's one HTTP listener: kiosk screens (`/screens/NAME`), the operators' dashboard (`/`), the JSON API,
/// health and Prometheus metrics. Runs beside the daemon in the service group; streams end on shutdown.
public final class HTTPServer: Service, Sendable {
    public struct Limits: Sendable {
        /// Bytes of one header field and of all of them.
        public var maxHeaderField = 8 * 1024
        public var maxHeaders = 32 * 1024
        /// A connection with no request in flight for this long is closed.
        public var idleTimeout: Duration = .seconds(30)
        /// Comments on idle event streams, so proxies and NATs keep them open.
        public var heartbeat: Duration = .seconds(15)
        /// Connections at once (streams are limited separately, by `http.max-streams`, and always have room: a
        /// listener set to 5,000 streams takes 5,000 connections and this many more); never more than the process's
        /// open-files limit leaves room for (`ConnectionGuard.room`).
        public var maxConnections = 4096
        /// Connections from one address at once: one machine on the network cannot take every connection.
        public var maxConnectionsPerAddress = 256
        /// A connection whose writes have not gone out for this long (a browser that stopped reading) is closed,
        /// and its stream's place freed.
        public var writeTimeout: Duration = .seconds(60)
        /// Heavy answers (a week's schedule, the play log, a screen's picture) waiting or being worked out for one
        /// address at once (`ReadWorker`).
        public var heavyReadsPerAddress = 2
        public init() {}
    }

    /// Nil while the configuration asks for no listener (no `http:` block and no http screen).
    let listener: HTTPListener?
    let daemon: Daemon
    /// The browsers' channels (the daemon's): every kiosk stream, under one limit.
    let channels: BrowserChannels
    let feed: StatusFeed
    let framed = FramedEvents()
    let open = OpenStreams()
    /// Where heavy answers are worked out: one low-priority thread for the daemon's life.
    let reads: ReadWorker
    /// Connections open now, by the address they come from.
    let connections = ConnectionGuard.Table()
    let metrics: VitrineMetrics
    let playLog: PlayLog?
    let limits: Limits
    let logger: Logger
    let onRunning: @Sendable (Int) async -> Void

    /// `onRunning` gets the port actually bound (useful with port 0 in tests).
    public init(listener: HTTPListener?, daemon: Daemon, metrics: VitrineMetrics,
                playLog: PlayLog? = nil, limits: Limits = Limits(), logger: Logger,
                onRunning: @escaping @Sendable (Int) async -> Void = { _ in })
    {
        self.playLog = playLog
        self.listener = listener
        self.daemon = daemon
        channels = daemon.browsers
        self.metrics = metrics
        self.limits = limits
        self.logger = logger
        self.onRunning = onRunning
        reads = ReadWorker(perAddress: limits.heavyReadsPerAddress)
        feed = StatusFeed(daemon: daemon)
        if let listener { channels.maxStreams = listener.maxStreams }
    }

    /// Runs while the daemon runs. The listener follows the configuration: started when a reload adds an `http:`
    /// block or an `http` screen, restarted only when its address changes (streams stay open across other
    /// reloads), retried with backoff when its port is taken, never taking the screens down with it. The listener,
    /// the dashboard feed and the heartbeat are children of one task group.
    public func run() async throws {
        let (changes, changed) = AsyncStream<HTTPListener?>.makeStream(bufferingPolicy: .bufferingNewest(1))
        daemon.observe { [daemon] event in
            if case .reloaded(nil) = event { changed.yield(daemon.program.configuration.http) }
        }
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await withDiscardingTaskGroup { group in
                    var current: HTTPListener?
                    var running: ListenerRun?
                    var supportStarted = false
                    var wanted: HTTPListener?? = .some(self.listener)
                    var upcoming = changes.makeAsyncIterator()
                    while let next = wanted {
                        if let next { self.channels.maxStreams = next.maxStreams }
                        if running == nil ? next != nil : next?.host != current?.host || next?.port != current?.port {
                            if let running {
                                self.logger.notice(next == nil ? "The HTTP listener is no longer configured; closing it."
                                                   : "The HTTP listener changes; restarting it.", metadata: [
                                    "vitrine.listen": "\(next.map { "\($0.host):\($0.port)" } ?? "none")",
                                ])
                                await running.stop()
                            }
                            running = nil
                            current = next
                            if let next {
                                // The dashboard feed and the heartbeat start with the first listener, so a daemon
                                // that serves no HTTP spends nothing on them; they end on shutdown.
                                if !supportStarted {
                                    supportStarted = true
                                    group.addTask { await self.feed.run() }
                                    group.addTask { await self.beatHearts() }
                                }
                                let run = ListenerRun(streams: self.open)
                                running = run
                                group.addTask { await self.serve(next, run) }
                            }
                        }
                        wanted = await upcoming.next()
                    }
                    await running?.stop()
                }
            } onGracefulShutdown: {
                self.open.endAll(shutDown: true)
                self.feed.stop()
                changed.finish()
            }
        } onCancel: {
            changed.finish()
        }
    }

    /// One timer wakes every quiet stream for its heartbeat comment, until shutdown.
    private func beatHearts() async {
        let ticks = AsyncTimerSequence(interval: limits.heartbeat, clock: .continuous)
        for await _ in ticks.cancelOnGracefulShutdown() {
            channels.heartbeat()
            feed.dashboards.heartbeat()
        }
    }

    /// One listener until it is stopped (the configuration moved it) or the server shuts down; a port that cannot be
    /// bound is tried again with backoff.
    func serve(_ listener: HTTPListener, _ run: ListenerRun) async {
        defer { run.ended.advance(to: 1) }
        var failures = 0
        while !Task.isCancelled {
            let group = ServiceGroup(configuration: .init(services: [makeApplication(listener)], logger: logger))
            guard run.attempt(group) else { return }
            // The group runs in a task of its own, owned and awaited here: cancelling this child must not cancel the
            // server mid-connection (SwiftNIO traps on a connection's writer dropped unfinished). A stop or a
            // cancellation shuts it down gracefully instead.
            let running = Task { try await group.run() }
            do {
                try await withTaskCancellationHandler {
                    try await running.value
                } onCancel: {
                    self.open.endAll()
                    // The group is an actor and this handler is synchronous: the one call is made from a task.
                    Task { await group.triggerGracefulShutdown() }
                }
                return
            } catch {
                if Task.isCancelled || run.isStopping { return }
                failures += 1
                let delay = min(60, 1 << min(failures - 1, 6))
                logger.error("HTTP listener failed: \(error); trying again in \(delay) s.", metadata: [
                    "vitrine.listen": "\(listener.host):\(listener.port)",
                ])
                // A stop ends the wait (the configuration moved the listener meanwhile).
                if await run.stopRequested.wait(for: 1, atMost: .seconds(delay)) { return }
            }
        }
    }

    func makeApplication(_ listener: HTTPListener) -> some Service {
        let router = Router(context: ListenerContext.self)
        let daemon = self.daemon
        router.add(middleware: HostCheck { daemon.program.configuration.http?.hostNames ?? [] })
        let kiosk = KioskRoutes(daemon: daemon, channels: channels, limits: limits, logger: logger, framed: framed, open: open)
        kiosk.add(to: router)
        APIRoutes(daemon: daemon, feed: feed, metrics: metrics, logger: logger,
                  playLog: playLog, streams: kiosk, reads: reads).add(to: router)
        let decoder = HTTP1Channel.Configuration.DecoderConfiguration(
            maxHeaderFieldSize: limits.maxHeaderField, maxHeaderListSize: limits.maxHeaders, maxHeaderFieldCount: 100)
        let guardTable = connections
        let perAddress = limits.maxConnectionsPerAddress
        let writeTimeout = TimeAmount.nanoseconds(Int64(limits.writeTimeout.components.seconds) * 1_000_000_000
            + limits.writeTimeout.components.attoseconds / 1_000_000_000)
        let server = HTTPServerBuilder.http1(configuration: .init(
            additionalChannelHandlers: [SmallReceiveBuffers(), IdleStateHandler(writeTimeout: writeTimeout),
                                        ConnectionGuard(table: guardTable, perAddress: perAddress)],
            idleTimeout: .nanoseconds(Int64(limits.idleTimeout.components.seconds) * 1_000_000_000
                + limits.idleTimeout.components.attoseconds / 1_000_000_000),
            httpDecoderConfiguration: decoder))
        let onRunning = self.onRunning
        let logger = self.logger
        let host = listener.host == "0.0.0.0" || listener.host == "::" ? "localhost" : listener.host
        return Application(
            router: router, server: server,
            configuration: .init(address: .hostname(listener.host, port: listener.port), serverName: "Vitrine",
                                 availableConnectionsDelegate: MaximumAvailableConnections(
                                     ConnectionGuard.room(for: limits.maxConnections + listener.maxStreams))),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? listener.port
                logger.info("HTTP listener ready: dashboard at http://\(host):\(port)/", metadata: [
                    "vitrine.listen": "\(listener.host):\(port)",
                ])
                if listener.host == "127.0.0.1" || listener.host == "::1" || listener.host == "localhost" {
                    logger.notice("""
                        Only this machine can connect to the listener; for kiosks and displays on the network set \
                        http.listen to 0.0.0.0:\(listener.port) (docs/http.md).
                        """)
                }
                await onRunning(port)
            },
            logger: logger)
    }

}

/// One listener's life, which the server ends when the configuration moves it: its streams end, its service group
/// shuts down gracefully, and `stop` returns once the port is closed.
final class ListenerRun: Sendable {
    private let state = Mutex<(stopping: Bool, group: ServiceGroup?)>((false, nil))
    private let streams: OpenStreams
    let stopRequested = Progress()
    let ended = Progress()

    init(streams: OpenStreams) { self.streams = streams }

    var isStopping: Bool { state.withLock { $0.stopping } }

    /// Registers the service group of an attempt to listen; false when the run is stopping (nothing to start).
    func attempt(_ group: ServiceGroup) -> Bool {
        state.withLock { state in
            guard !state.stopping else { return false }
            state.group = group
            return true
        }
    }

    /// Ends the streams (browsers reconnect to the new listener), shuts the listener down and waits until it has.
    func stop() async {
        let group = state.withLock { state -> ServiceGroup? in
            state.stopping = true
            return state.group
        }
        stopRequested.advance(to: 1)
        streams.endAll()
        await group?.triggerGracefulShutdown()
        await ended.wait(for: 1)
    }
}

/// Reads requests into 512-byte buffers at first instead of SwiftNIO's 2 KiB: a channel keeps its last receive
/// buffer for reuse, and an event stream, once its request is read, never reads again while it stays open (for
/// hours, 2,000 of them at a busy venue). A longer request takes two reads; the buffer grows for busy connections.
final class SmallReceiveBuffers: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    func handlerAdded(context: ChannelHandlerContext) {
        _ = context.channel.setOption(ChannelOptions.recvAllocator,
                                      value: AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 512, maximum: 65536))
    }
}

/// An error answered as plain text, which a browser or a shell user reads as it is (a wrong URL is a short 404, never
/// a page of HTML from a framework). Thrown by the routes instead of a middleware translating errors: every level
/// of middleware stays in the memory of each open event stream's task.
struct PlainError: HTTPResponseError {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var message: String?

    init(_ status: HTTPResponse.Status, headers: HTTPFields = [:], message: String? = nil) {
        self.status = status
        self.headers = headers
        self.message = message
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        Response.text(message ?? "\(status.reasonPhrase)\n", status: status, headers: headers)
    }
}

extension Response {
    static func text(_ text: String, status: HTTPResponse.Status = .ok, type: String = "text/plain; charset=utf-8",
                     headers: HTTPFields = [:]) -> Response
    {
        var fields = headers
        fields[.contentType] = type
        fields[.cacheControl] = "no-store"
        fields[.xContentTypeOptions] = "nosniff"
        // A page with a stricter policy of its own (the visitors' companion page) keeps it.
        if fields[.contentSecurityPolicy] == nil { fields[.contentSecurityPolicy] = pagePolicy }
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// What the daemon's own pages (the dashboard, kiosk pages) may load and run: their own scripts, styles, fonts,
    /// pictures and recordings from this origin, nothing else, no inline script, framed only by the dashboard.
    static let pagePolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        + "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"

    static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        .text(text, status: status, type: "application/json; charset=utf-8")
    }
}
