import VitrineCore
import VitrineSystemd

/// The daemon's service manager: systemd, through libsystemd.
struct SystemdServiceManager: ServiceManager {
    let notifier = SystemdNotifier()
    let watchdogInterval: Duration? = SystemdNotifier().watchdogInterval

    func ready(status: String) { notifier.ready(status: status) }
    func status(_ status: String) { notifier.status(status) }
    func reloading(status: String) { notifier.reloading(status: status) }
    func stopping(status: String) { notifier.stopping(status: status) }
    func watchdog() { notifier.watchdog() }
}
