import Logging
import ServiceLifecycle

/// Drops plays older than `keepDays` from the play log, at start and then once a day, for as long as the daemon runs.
public struct PlayLogPruning: Service {
    let log: PlayLog
    let keepDays: Int
    /// The schedule's clock (ms since 1970): the daemon's `now`.
    let now: @Sendable () -> Int64
    let logger: Logger

    public init(log: PlayLog, keepDays: Int, now: @escaping @Sendable () -> Int64, logger: Logger) {
        self.log = log
        self.keepDays = keepDays
        self.now = now
        self.logger = logger
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let dropped = try log.prune(before: now() - Int64(keepDays) * 86_400_000)
                    if dropped > 0 { logger.info("Play log pruned.", metadata: ["vitrine.plays": "\(dropped)"]) }
                } catch {
                    logger.error("Cannot prune the play log: \(error)", metadata: ["vitrine.path": "\(log.path)"])
                }
                try await Task.sleep(for: .seconds(86_400))
            }
        }
    }
}
