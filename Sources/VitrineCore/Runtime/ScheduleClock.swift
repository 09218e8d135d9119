import Foundation

/// Wall-clock time for the runners, injected so tests can drive it by hand.
public protocol ScheduleClock: Sendable {
    /// Milliseconds since 1970.
    func now() -> Int64
    /// Returns at `deadline` (milliseconds since 1970) or later; throws when the task is cancelled.
    func sleep(until deadline: Int64) async throws
}

/// The system's clock. Sleeps in steps of at most five minutes, so a wall-clock jump (NTP, a manual change) is
/// noticed within that time even on an idle screen.
public struct SystemClock: ScheduleClock {
    public init() {}

    public func now() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }

    public func sleep(until deadline: Int64) async throws {
        let wait = min(max(deadline - now(), 0), 300_000)
        try await Task.sleep(for: .milliseconds(wait))
    }
}
