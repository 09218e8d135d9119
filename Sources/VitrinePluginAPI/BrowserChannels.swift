#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Events for browsers, one channel each (a kiosk screen's pages, the dashboard's status): the newest event of each
/// channel and the streams listening for it. Outputs that serve browsers publish through `OutputContext.browsers`;
/// the daemon's HTTP listener streams each channel to its browsers. Latest wins: a stream is woken, never queued.
public final class BrowserChannels: Sendable {
    /// One Server-Sent Event: its id and its JSON.
    public struct Event: Sendable, Hashable {
        public var id: String
        public var data: String
    }

    /// A browser's stream. It carries no pages, only wake-ups: the browser's writer then takes the screen's
    /// current page, so a slow reader never holds more than the one page it is being sent, and nothing piles up
    /// (nor does a browser's stream keep an old page alive: it holds no page at all).
    public struct Subscription: Sendable {
        public enum Wake: Sendable { case page, heartbeat }
        public let wakes: AsyncStream<Wake>
        let cancel: @Sendable () -> Void
        /// Ends the stream: the writer's loop over `wakes` finishes.
        public func end() { cancel() }
    }

    private struct Channel {
        var last: Event?
        var subscribers: [Int: AsyncStream<Subscription.Wake>.Continuation] = [:]
        /// What the screen's browsers said last, and who is told of it (the screen's output).
        var report: BrowserReport?
        var reportListeners: [Int: AsyncStream<BrowserReport>.Continuation] = [:]
    }

    private struct State {
        var channels: [String: Channel] = [:]
        var nextSubscriber = 0
        var sequence = 0
        var streams = 0
        var maxStreams = 1000
    }

    private let state = Mutex(State())
    /// Ids carry the process's start, so a browser resuming after a daemon restart gets the current page again.
    private let session: String = {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return String(UInt64(now.tv_sec) * 1000 + UInt64(now.tv_nsec / 1_000_000), radix: 36)
    }()

    public init() {}

    /// Browsers served at once, over every screen; more are turned away.
    public var maxStreams: Int {
        get { state.withLock { $0.maxStreams } }
        set { state.withLock { $0.maxStreams = max(1, newValue) } }
    }

    /// Event streams open now.
    public var streams: Int { state.withLock { $0.streams } }

    public func streams(for screen: String) -> Int { state.withLock { $0.channels[screen]?.subscribers.count ?? 0 } }

    /// Sends an event (a page) to every browser listening on the channel (a screen).
    @discardableResult
    public func publish(_ screen: String, data: String) -> Event {
        let (event, listeners) = state.withLock { state -> (Event, [AsyncStream<Subscription.Wake>.Continuation]) in
            state.sequence += 1
            let event = Event(id: "\(session)-\(state.sequence)", data: data)
            state.channels[screen, default: Channel()].last = event
            return (event, Array(state.channels[screen]!.subscribers.values))
        }
        for listener in listeners { listener.yield(.page) }
        return event
    }

    /// Wakes every stream that has no page waiting, so it writes a heartbeat comment: one timer for all browsers.
    public func heartbeat() {
        let listeners = state.withLock { $0.channels.values.flatMap { Array($0.subscribers.values) } }
        for listener in listeners { listener.yield(.heartbeat) }
    }

    public func current(_ screen: String) -> Event? { state.withLock { $0.channels[screen]?.last } }

    /// Takes what a browser of `screen` says about itself (sound blocked or playing): the newest report wins, and the
    /// screen's output hears it once per change; nothing is kept per browser, so no client can grow the daemon.
    public func report(_ screen: String, _ report: BrowserReport) {
        let listeners = state.withLock { state -> [AsyncStream<BrowserReport>.Continuation] in
            guard state.channels[screen]?.report != report else { return [] }
            state.channels[screen, default: Channel()].report = report
            return Array(state.channels[screen]!.reportListeners.values)
        }
        for listener in listeners { listener.yield(report) }
    }

    /// The reports of the screen's browsers as they change, starting with the newest one, if any.
    public func reports(_ screen: String) -> AsyncStream<BrowserReport> {
        let (stream, continuation) = AsyncStream<BrowserReport>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let id = state.withLock { state -> Int in
            state.nextSubscriber += 1
            state.channels[screen, default: Channel()].reportListeners[state.nextSubscriber] = continuation
            if let report = state.channels[screen]?.report { continuation.yield(report) }
            return state.nextSubscriber
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.channels[screen]?.reportListeners.removeValue(forKey: id) }
        }
        return stream
    }

    /// A stream of the screen's pages, or nil when `maxStreams` are already open.
    public func subscribe(_ screen: String) -> Subscription? {
        // Two wakes at most: a page must not be pushed out by a heartbeat.
        let (stream, continuation) = AsyncStream<Subscription.Wake>.makeStream(bufferingPolicy: .bufferingOldest(2))
        let registered = state.withLock { state -> Int? in
            guard state.streams < state.maxStreams else { return nil }
            state.streams += 1
            state.nextSubscriber += 1
            state.channels[screen, default: Channel()].subscribers[state.nextSubscriber] = continuation
            return state.nextSubscriber
        }
        guard let registered else { return nil }
        let cancel: @Sendable () -> Void = { [weak self] in
            let removed = self?.state.withLock { state -> AsyncStream<Subscription.Wake>.Continuation? in
                guard let c = state.channels[screen]?.subscribers.removeValue(forKey: registered) else { return nil }
                state.streams -= 1
                return c
            }
            removed?.finish()
        }
        return Subscription(wakes: stream, cancel: cancel)
    }
}

/// What a kiosk browser says about itself.
public enum BrowserReport: String, Sendable, Hashable, CaseIterable {
    /// The browser refused to play a recording's sound without a click (its autoplay policy): the recording
    /// plays muted.
    case soundBlocked = "sound-blocked"
    /// A recording's sound plays.
    case soundPlaying = "sound-playing"
}

/// The optional capability of an output that serves browsers (the `http` output's kiosk screens). The daemon's HTTP
/// listener serves, for each screen of such an output, `page` at `/screens/NAME` and `files` at
/// `/screens/NAME/files/FILE`, and streams the screen's channel of `OutputContext.browsers` at `/screens/NAME/events`; a
/// configuration with such a screen gets a listener even without an `http:` block. The listener names no plugin:
/// this is all it knows of them.
public protocol ServesBrowsers: OutputPlugin {
    /// What browsers load for `screen`: the same whether or not its output is running yet.
    static func web(screen: String) -> WebScreen
    /// What a browser is sent for a page a visitor chose on the screen itself (the exhibit in another language,
    /// another of its pages), in the same form as the pages its channel carries; nil when the output offers no
    /// choice. `surface` is the screen's.
    static func chosen(_ frame: Frame, screen: String, surface: Surface) -> String?
}

extension ServesBrowsers {
    public static func chosen(_ frame: Frame, screen: String, surface: Surface) -> String? { nil }
}

/// What a browser loads for one screen.
public struct WebScreen: Sendable {
    /// The page at `/screens/NAME`.
    public var page: WebFile
    /// What the page loads, at `/screens/NAME/files/FILE` (a script, a style sheet).
    public var files: [String: WebFile]

    public init(page: WebFile, files: [String: WebFile] = [:]) {
        self.page = page
        self.files = files
    }
}

public struct WebFile: Sendable, Hashable {
    public var body: String
    /// Its media type: "text/html; charset=utf-8".
    public var type: String

    public init(_ body: String, type: String) {
        self.body = body
        self.type = type
    }
}

extension OutputRegistry {
    /// The output types whose screens browsers load.
    public var browserTypes: Set<String> { Set(plugins.filter { $0 is any ServesBrowsers.Type }.map { $0.type }) }

    /// What browsers load for a screen of `type`, nil for an output that serves none.
    public func web(type: String, screen: String) -> WebScreen? {
        (plugin(type) as? any ServesBrowsers.Type)?.web(screen: screen)
    }
}
