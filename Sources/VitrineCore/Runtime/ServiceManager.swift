/// The service manager the daemon reports to (systemd through libsystemd in the executable; a recorder in tests).
public protocol ServiceManager: Sendable {
    func ready(status: String)
    func status(_ status: String)
    func reloading(status: String)
    func stopping(status: String)
    func watchdog()
    /// How often systemd expects a watchdog ping, when it does.
    var watchdogInterval: Duration? { get }
}

/// No service manager: run by hand.
public struct NoServiceManager: ServiceManager {
    public init() {}
    public func ready(status: String) {}
    public func status(_ status: String) {}
    public func reloading(status: String) {}
    public func stopping(status: String) {}
    public func watchdog() {}
    public var watchdogInterval: Duration? { nil }
}
