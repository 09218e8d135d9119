import Synchronization
import VitrinePluginAPI

/// Hands frames to an output: only the newest waits, so a slow output skips stale pages and never queues them.
/// A restarted output subscribes again and gets the current frame at once.
final class Mailbox: Sendable {
    private struct State {
        var latest: Frame?
        var continuation: AsyncStream<Frame>.Continuation?
    }
    private let state = Mutex(State())

    func send(_ frame: Frame) {
        let continuation = state.withLock { state -> AsyncStream<Frame>.Continuation? in
            state.latest = frame
            return state.continuation
        }
        continuation?.yield(frame)
    }

    func subscribe() -> AsyncStream<Frame> {
        let (stream, continuation) = AsyncStream<Frame>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let (previous, latest) = state.withLock { state in
            defer { state.continuation = continuation }
            return (state.continuation, state.latest)
        }
        previous?.finish()
        if let latest { continuation.yield(latest) }
        return stream
    }

    func close() {
        state.withLock { $0.continuation }?.finish()
    }
}
