import AsyncAlgorithms
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import UnixSignals

/// Owns SIGHUP (and changes in the content folder): each starts a reload. Requests that arrive while a reload runs
/// coalesce into one more, so a burst of signals costs one or two reloads.
public struct ReloadCoordinator: Service {
    let daemon: Daemon
    let hangups: UnixSignalsSequence
    let watch: Bool
    let debounce: Duration
    let logger: Logger

    /// `hangups` should be made before the daemon can report ready: from then on a SIGHUP is caught (and queued
    /// until the coordinator runs), never lost to the ignored disposition `main` starts with. With `watch`, the
    /// configuration's folder and the content folder the running program names are watched.
    public init(daemon: Daemon, hangups: UnixSignalsSequence, watch: Bool = true,
                debounce: Duration = .seconds(1), logger: Logger) {
        self.daemon = daemon
        self.hangups = hangups
        self.watch = watch
        self.debounce = debounce
        self.logger = logger
    }

    /// The folders to watch for the running program.
    func watchedFolders() -> [String] {
        [URL(fileURLWithPath: daemon.settings.configPath).deletingLastPathComponent().path,
         daemon.program.configuration.contentFolder]
    }

    public func run() async throws {
        let (requests, sink) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let exhibits = daemon.settings.exhibitCache
        // The watcher at work; replaced when the folders it watches were (see `watchContent`).
        let current = WatcherSlot()
        await withDiscardingTaskGroup { group in
            group.addTask { [hangups] in
                // A SIGHUP looks at every file: a technician sends one when the watcher could not see a change (a
                // network share, a subfolder), so it trusts nothing the watcher said.
                for await _ in hangups {
                    exhibits.changedEverything()
                    sink.yield("SIGHUP")
                }
            }
            if watch {
                group.addTask { [self] in await watchContent(current: current, sink: sink) }
            }
            for await reason in requests.cancelOnGracefulShutdown() {
                logger.info("Reload requested.", metadata: ["vitrine.reason": "\(reason)"])
                await daemon.reload()
                // A configuration that names another content folder: the watcher ends, and the next watches it.
                current.value.withLock { current in
                    if let (watcher, folders) = current, folders != watchedFolders() { watcher.stop() }
                }
            }
            group.cancelAll()
            current.value.withLock { $0?.watcher.stop() }
        }
    }

    /// Watches the running program's folders, and watches anew when the configuration names other folders, or
    /// when a watched folder is replaced as a whole (a bundle installed, a symbolic link swapped): then the
    /// program is reloaded from every file.
    func watchContent(current: WatcherSlot,
                      sink: AsyncStream<String>.Continuation) async {
        let exhibits = daemon.settings.exhibitCache
        while !Task.isCancelled {
            let folders = watchedFolders()
            guard let watcher = ContentWatcher(folders: folders, observer: exhibits, logger: logger) else { return }
            current.value.withLock { $0 = (watcher, folders) }
            // After a second of quiet: an editor saving twenty files costs one reload.
            for await _ in watcher.changes.debounce(for: debounce) {
                if watcher.replaced { break }
                sink.yield("content changed")
            }
            current.value.withLock { $0 = nil }
            watcher.stop()
            if Task.isCancelled { return }
            if watcher.replaced {
                logger.info("A watched folder was replaced; watching the new one.",
                            metadata: ["vitrine.folders": "\(folders)"])
                exhibits.changedEverything()
                sink.yield("folder replaced")
            }
        }
    }
}

/// The content watcher at work and the folders it watches, for the reload loop to end it.
final class WatcherSlot: Sendable {
    let value = Mutex<(watcher: ContentWatcher, folders: [String])?>(nil)
}
