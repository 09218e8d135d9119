import VitrineCore
import VitrineSystemd

/// The daemon's service manager: systemd, through libsystemd.
struct SystemdServiceManager: ServiceManager {
    let notifier = SystemdNotifier()
    let watchdogInterval: Duration? = SystemdNotifier().watchdogInterval
    let startupPages = StartupPages.Release()

    func ready(status: String) {
        notifier.ready(status: status)
        // Start-up and reload are done: their code need not stay mapped (see StartupPages).
        startupPages.ready()
    }
    func status(_ status: String) { notifier.status(status) }
    func reloading(status: String) { notifier.reloading(status: status) }
    func stopping(status: String) { notifier.stopping(status: status) }
    func watchdog() { notifier.watchdog() }
}
