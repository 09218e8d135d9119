import Synchronization

/// A number that only grows (the program generation a screen has shown, whether a runner was asked to stop or has
/// finished), and tasks awaiting the moment it reaches theirs: an event to await instead of a flag to poll.
public final class Progress: Sendable {
    private struct State {
        var value = 0
        var next = 0
        var waiters: [Int: (target: Int, continuation: CheckedContinuation<Void, Never>)] = [:]
    }
    private let state = Mutex(State())

    public init() {}

    public var value: Int { state.withLock { $0.value } }

    /// Raises the value (never lowers it) and wakes whoever waited for it.
    public func advance(to value: Int) {
        let ready = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard value > state.value else { return [] }
            state.value = value
            let due = state.waiters.filter { $0.value.target <= value }
            for id in due.keys { state.waiters.removeValue(forKey: id) }
            return due.values.map(\.continuation)
        }
        for continuation in ready { continuation.resume() }
    }

    /// Returns once the value reaches `target`, or when the task is cancelled.
    public func wait(for target: Int) async {
        let id = state.withLock { state -> Int in
            state.next += 1
            return state.next
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { state -> Bool in
                    if state.value >= target || Task.isCancelled { return true }
                    state.waiters[id] = (target, continuation)
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.continuation.resume()
        }
    }

    /// Waits for `target` at most `limit`; false when it was not reached by then.
    public func wait(for target: Int, atMost limit: Duration) async -> Bool {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.wait(for: target) }
            group.addTask { try? await Task.sleep(for: limit) }
            await group.next()
            group.cancelAll()
        }
        return value >= target
    }
}
