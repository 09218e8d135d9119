import Foundation
import Synchronization
import VitrineCore

/// A clock that moves only when a test says so; sleepers wake when it reaches their deadline.
public final class ManualClock: ScheduleClock {
    private struct Sleeper {
        var deadline: Int64
        var continuation: CheckedContinuation<Void, any Error>
    }
    private let state: Mutex<(now: Int64, sleepers: [Int: Sleeper], next: Int)>

    public init(at start: Int64) { state = Mutex((start, [:], 0)) }

    public func now() -> Int64 { state.withLock { $0.now } }

    /// How many tasks are asleep on this clock.
    public var sleeping: Int { state.withLock { $0.sleepers.count } }

    /// The earliest instant a sleeper waits for: where a simulated run jumps next.
    public var nextDeadline: Int64? { state.withLock { $0.sleepers.values.map(\.deadline).min() } }

    /// Every sleeper's deadline, earliest first.
    public var deadlines: [Int64] { state.withLock { $0.sleepers.values.map(\.deadline).sorted() } }

    public func sleep(until deadline: Int64) async throws {
        let id = state.withLock { state -> Int in
            state.next += 1
            return state.next
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resume = state.withLock { state -> Bool in
                    if deadline <= state.now || Task.isCancelled { return true }
                    state.sleepers[id] = Sleeper(deadline: deadline, continuation: continuation)
                    return false
                }
                if resume {
                    if Task.isCancelled { continuation.resume(throwing: CancellationError()) } else { continuation.resume() }
                }
            }
        } onCancel: {
            let sleeper = state.withLock { $0.sleepers.removeValue(forKey: id) }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves the clock to `instant` and wakes everyone whose deadline has come.
    public func advance(to instant: Int64) {
        let due = state.withLock { state -> [Sleeper] in
            state.now = max(state.now, instant)
            let due = state.sleepers.filter { $0.value.deadline <= state.now }
            for key in due.keys { state.sleepers.removeValue(forKey: key) }
            return Array(due.values)
        }
        for sleeper in due { sleeper.continuation.resume() }
    }
}

/// Records what the daemon tells the service manager.
public final class RecordingServiceManager: ServiceManager {
    private let messages = Mutex<[String]>([])
    public let watchdogInterval: Duration?

    public init(watchdogInterval: Duration? = nil) { self.watchdogInterval = watchdogInterval }

    public var all: [String] { messages.withLock { $0 } }
    func add(_ message: String) { messages.withLock { $0.append(message) } }

    public func ready(status: String) { add("READY=1 STATUS=\(status)") }
    public func status(_ status: String) { add("STATUS=\(status)") }
    public func reloading(status: String) { add("RELOADING=1 STATUS=\(status)") }
    public func stopping(status: String) { add("STOPPING=1 STATUS=\(status)") }
    public func watchdog() { add("WATCHDOG=1") }
}

/// Polls `condition` until it holds or `timeout` passes (real time): for waiting on the daemon's own tasks.
public func eventually(timeout: Duration = .seconds(10), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return condition()
}

/// A loopback port nobody listens on (bound, then let go).
public func freeLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
        }
    }
    guard bound else { throw POSIXError(.EADDRINUSE) }
    return Int(UInt16(bigEndian: address.sin_port))
}
