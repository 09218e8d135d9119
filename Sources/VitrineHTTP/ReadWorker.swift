import Foundation
import HTTPTypes
import Synchronization

/// Where the listener works out its heavy answers (a week's schedule, the play log, a screen's picture): one thread
/// of its own, at a lower priority than the screens (nice 10), with a short queue. Nobody on the network can then
/// slow a screen: the answers are worked out off the threads the screens' tasks run on, one at a time, and when
/// more are waiting than the queue holds the next is told to come back (503, Retry-After) at once.
final class ReadWorker: Sendable {
    private struct Job: Sendable {
        var run: @Sendable () -> Void
    }

    private let jobs = Mutex<[Job]>([])
    private let ready = DispatchSemaphore(value: 0)
    private let waiting = Atomic<Int>(0)
    /// Answers waiting or being worked out at once; more are refused.
    let queueLimit: Int

    init(queueLimit: Int = 8, niceness: Int32 = 10) {
        self.queueLimit = queueLimit
        // The worker lives as long as the process (one per listener's server, which lives as long).
        let thread = Thread { [self] in
            // The thread's own niceness: on Linux, PRIO_PROCESS with 0 sets the calling thread's alone.
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, niceness)
            while true {
                ready.wait()
                let job = jobs.withLock { $0.isEmpty ? nil : $0.removeFirst() }
                job?.run()
            }
        }
        thread.name = "vitrine-reads"
        thread.start()
    }

    /// Works out `body` on the worker; throws 503 at once when the queue is full.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        guard waiting.add(1, ordering: .relaxed).newValue <= queueLimit else {
            waiting.subtract(1, ordering: .relaxed)
            throw PlainError(.serviceUnavailable, headers: [.retryAfter: "5"],
                             message: "Busy answering other requests; try again in a few seconds.\n")
        }
        defer { waiting.subtract(1, ordering: .relaxed) }
        return try await withCheckedThrowingContinuation { continuation in
            jobs.withLock { $0.append(Job { continuation.resume(with: Result { try body() }) }) }
            ready.signal()
        }
    }
}
