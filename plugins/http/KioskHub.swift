import Foundation
import Synchronization

/// The kiosk screens' current pages and the browsers listening for them. `http` outputs publish; the HTTP
/// listener's event streams subscribe. One per process: every `http` screen is served by the one listener.
public final class KioskHub: Sendable {
    public static let shared = KioskHub()

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
        /// Whether an output serves this screen now.
        var live = false
        var stage: (width: Int, height: Int) = (1920, 1080)
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
    private let session = String(UInt64(Date().timeIntervalSince1970 * 1000), radix: 36)

    public init() {}

    /// Browsers served at once, over every screen; more are turned away.
    public var maxStreams: Int {
        get { state.withLock { $0.maxStreams } }
        set { state.withLock { $0.maxStreams = max(1, newValue) } }
    }

    /// Event streams open now.
    public var streams: Int { state.withLock { $0.streams } }

    public func streams(for screen: String) -> Int { state.withLock { $0.channels[screen]?.subscribers.count ?? 0 } }

    /// Screens an output serves now.
    public var screens: [String] { state.withLock { $0.channels.filter(\.value.live).keys.sorted() } }

    public func isServed(_ screen: String) -> Bool { state.withLock { $0.channels[screen]?.live ?? false } }

    public func stage(of screen: String) -> (width: Int, height: Int)? {
        state.withLock { $0.channels[screen].map(\.stage) }
    }

    /// An output starts serving a screen.
    public func open(_ screen: String, width: Int, height: Int) {
        state.withLock {
            $0.channels[screen, default: Channel()].live = true
            $0.channels[screen]?.stage = (width, height)
        }
    }

    /// The output stops; browsers stay connected and keep the last page until a new output publishes.
    public func close(_ screen: String) {
        state.withLock { $0.channels[screen]?.live = false }
    }

    /// Sends a page to every browser showing the screen.
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
