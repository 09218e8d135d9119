import Dispatch

/// Runs blocking work (sockets, child processes, a CEC bus waiting for acknowledgements) on a Dispatch thread and
/// waits for it without holding one of the cooperative threads Swift's tasks run on: with two cores there are two,
/// and the screens and the listener need them.
public func offThePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(with: Result { try body() })
        }
    }
}
