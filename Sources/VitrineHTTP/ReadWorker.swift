import Foundation
import HTTPTypes
import Synchronization

/// Where the listener works out its heavy answers (a week's schedule, the play log, a screen's picture): one thread
/// of its own, at a lower priority than the screens (nice 10), with a short queue. Nobody on the network can then
/// slow a screen: the answers are worked out off the threads the screens' tasks run on, one at a time, and when
/// more are waiting than the queue holds the next is told to come back (503, Retry-After) at once. One address
/// has at most `perAddress` of the queue's places (more: 429, Retry-After), so one machine looping heavy reads
/// leaves room for the others.
final class ReadWorker: Sendable {
    fileprivate struct Job: Sendable {
        var run: @Sendable () -> Void
    }

    fileprivate let jobs = Mutex<[Job]>([])
    fileprivate let ready = DispatchSemaphore(value: 0)
    /// Answers waiting or being worked out, in all and by the address they were asked from.
    private let waiting = Mutex<(total: Int, byAddress: [String: Int])>((0, [:]))
    /// Answers waiting or being worked out at once; more are refused.
    let queueLimit: Int
    /// Of those, from one address.
    let perAddress: Int

    init(queueLimit: Int = 8, perAddress: Int = 2, niceness: Int32 = 10) {
        self.queueLimit = queueLimit
        self.perAddress = perAddress
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

    private enum Admission { case admitted, busy, yourShare }

    /// A place in the queue, held by one request until it is answered (a play-log export holds one for all its
    /// pages, so it is never cut halfway for lack of one); given back when the ticket goes.
    final class Ticket: Sendable {
        let worker: ReadWorker
        let address: String

        fileprivate init(worker: ReadWorker, address: String) {
            self.worker = worker
            self.address = address
        }

        deinit { worker.giveBack(address) }

        /// Works out `body` on the worker.
        func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
            try await withCheckedThrowingContinuation { continuation in
                worker.jobs.withLock { $0.append(Job { continuation.resume(with: Result { try body() }) }) }
                worker.ready.signal()
            }
        }
    }

    /// A place for a client at `address`; throws at once when the queue is full (503) or the address already has
    /// its share of it (429).
    func admit(for address: String) throws -> Ticket {
        let admission = waiting.withLock { waiting -> Admission in
            guard waiting.total < queueLimit else { return .busy }
            guard waiting.byAddress[address, default: 0] < perAddress else { return .yourShare }
            waiting.total += 1
            waiting.byAddress[address, default: 0] += 1
            return .admitted
        }
        switch admission {
        case .admitted: return Ticket(worker: self, address: address)
        case .busy:
            throw PlainError(.serviceUnavailable, headers: [.retryAfter: "5"],
                             message: "Busy answering other requests; try again in a few seconds.\n")
        case .yourShare:
            throw PlainError(.tooManyRequests, headers: [.retryAfter: "5"], message:
                "\(perAddress) heavy requests from this address are already being answered; try again when they are done.\n")
        }
    }

    private func giveBack(_ address: String) {
        waiting.withLock { waiting in
            waiting.total -= 1
            let left = waiting.byAddress[address, default: 1] - 1
            waiting.byAddress[address] = left > 0 ? left : nil
        }
    }

    /// Works out `body` on the worker for a client at `address` (see `admit`).
    func run<T: Sendable>(for address: String, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        let ticket = try admit(for: address)
        let result = try await ticket.run(body)
        withExtendedLifetime(ticket) {}
        return result
    }
}
