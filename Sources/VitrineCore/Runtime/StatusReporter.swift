import Logging
import Synchronization

/// What the service manager is told: READY=1 once every screen has settled, STATUS= whenever what a screen shows
/// changes, RELOADING=1 and READY=1 around reloads, STOPPING=1, and watchdog pings while every screen's runner keeps
/// going round its loop.
final class StatusReporter: Sendable {
    let manager: any ServiceManager
    let logger: Logger
    private struct State {
        var ready = false
        var stopping = false
        var beats: Set<String> = []
    }
    private let state = Mutex(State())

    init(manager: any ServiceManager, logger: Logger) {
        self.manager = manager
        self.logger = logger
    }

    var isReady: Bool { state.withLock { $0.ready } }

    /// READY=1 with `line`, the first time `settled` holds (every screen shows its page, or failed trying).
    func settle(_ settled: Bool, line: @autoclosure () -> String) {
        let becameReady = state.withLock { state -> Bool in
            guard !state.ready, settled else { return false }
            state.ready = true
            return true
        }
        guard becameReady else { return }
        let line = line()
        manager.ready(status: line)
        logger.info("Ready.", metadata: ["vitrine.status": "\(line)"])
    }

    /// STATUS=, once ready and until stopping (before that, READY=1 carries the first line).
    func publish(_ line: @autoclosure () -> String) {
        let (ready, stopping) = state.withLock { ($0.ready, $0.stopping) }
        if ready, !stopping { manager.status(line()) }
    }

    /// RELOADING=1 (with the monotonic time) while a reload is read.
    func reloading(status: String) { manager.reloading(status: status) }

    /// READY=1 again at the end of a reload, whether it swapped programs or kept the old one.
    func reloaded(status: String) { manager.ready(status: status) }

    func stopping() {
        state.withLock { $0.stopping = true }
        manager.stopping(status: "stopping")
    }

    /// Pings the watchdog once every running screen has gone round its loop since the last ping: a wedged runner
    /// stops the pings and systemd restarts the daemon.
    func beat(_ screen: String, of screens: Set<String>) {
        let ping = state.withLock { state -> Bool in
            state.beats.insert(screen)
            guard state.beats.isSuperset(of: screens) else { return false }
            state.beats.removeAll()
            return true
        }
        if ping { manager.watchdog() }
    }
}
