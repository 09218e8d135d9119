import CSystemd
import Glibc

/// Talks to the service manager through libsystemd's `sd_notify`. Without `NOTIFY_SOCKET` (run by hand) every call
/// is a no-op, as libsystemd makes it.
public struct SystemdNotifier: Sendable {
    public init() {}

    /// True when a service manager listens (NOTIFY_SOCKET is set).
    public var isListening: Bool { getenv("NOTIFY_SOCKET") != nil }

    public func notify(_ state: String) {
        _ = sd_notify(0, state)
    }

    public func ready(status: String) { notify("READY=1\nSTATUS=\(Self.oneLine(status))") }
    public func status(_ status: String) { notify("STATUS=\(Self.oneLine(status))") }
    public func stopping(status: String) { notify("STOPPING=1\nSTATUS=\(Self.oneLine(status))") }
    public func watchdog() { notify("WATCHDOG=1") }

    /// `RELOADING=1` with the monotonic time, as systemd 253's `Type=notify-reload` requires; older systemd ignores
    /// the timestamp.
    public func reloading(status: String) {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let usec = UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1000
        notify("RELOADING=1\nMONOTONIC_USEC=\(usec)\nSTATUS=\(Self.oneLine(status))")
    }

    /// The watchdog interval systemd expects pings within, when `WatchdogSec=` is set for this process.
    public var watchdogInterval: Duration? {
        var usec: UInt64 = 0
        guard sd_watchdog_enabled(0, &usec) > 0, usec > 0 else { return nil }
        return .microseconds(Int64(usec))
    }

    /// STATUS is one line; a newline would start a new assignment (an announcement's text or a plugin's error
    /// could send `WATCHDOG=trigger`). Looked at scalar by scalar, not by Character: "\r\n" is one Character, equal
    /// to neither "\n" nor "\r". Every control character and line or paragraph separator becomes a space.
    static func oneLine(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .control, .lineSeparator, .paragraphSeparator: scalars.append(" ")
            default: scalars.append(scalar)
            }
        }
        return String(String(scalars).prefix(400))
    }
}
