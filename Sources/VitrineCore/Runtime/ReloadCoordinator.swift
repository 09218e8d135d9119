import AsyncAlgorithms
import Logging
import ServiceLifecycle
import UnixSignals

/// Owns SIGHUP (and changes in the content folder): each starts a reload. Requests that arrive while a reload runs
/// coalesce into one more, so a burst of signals costs one or two reloads.
public struct ReloadCoordinator: Service {
    let daemon: Daemon
    let hangups: UnixSignalsSequence
    let watchedFolders: [String]
    let debounce: Duration
    let logger: Logger

    /// `hangups` should be made before the daemon can report ready: from then on a SIGHUP is caught (and queued
    /// until the coordinator runs), never lost to the ignored disposition `main` starts with.
    public init(daemon: Daemon, hangups: UnixSignalsSequence, watchedFolders: [String] = [],
                debounce: Duration = .seconds(1), logger: Logger) {
        self.daemon = daemon
        self.hangups = hangups
        self.watchedFolders = watchedFolders
        self.debounce = debounce
        self.logger = logger
    }

    public func run() async throws {
        let (requests, sink) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let exhibits = daemon.settings.exhibitCache
        let watcher = watchedFolders.isEmpty ? nil
            : ContentWatcher(folders: watchedFolders, observer: exhibits, logger: logger)
        defer { watcher?.stop() }
        await withDiscardingTaskGroup { group in
            group.addTask { [hangups] in
                // A SIGHUP looks at every file: a technician sends one when the watcher could not see a change (a
                // network share, a subfolder), so it trusts nothing the watcher said.
                for await _ in hangups {
                    exhibits.changedEverything()
                    sink.yield("SIGHUP")
                }
            }
            if let watcher {
                group.addTask { [debounce] in
                    // After a second of quiet: an editor saving twenty files costs one reload.
                    for await _ in watcher.changes.debounce(for: debounce) { sink.yield("content changed") }
                }
            }
            for await reason in requests.cancelOnGracefulShutdown() {
                logger.info("Reload requested.", metadata: ["vitrine.reason": "\(reason)"])
                await daemon.reload()
            }
            group.cancelAll()
        }
    }
}
