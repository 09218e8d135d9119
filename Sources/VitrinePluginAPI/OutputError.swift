#if canImport(Glibc)
import Glibc
#endif

/// Why an output stopped, in terms the core can act on and a technician can read: what failed, the system call and
/// errno where there is one, and whether trying again soon can help. Throw it from `run`; any other error counts as
/// passing trouble.
public struct OutputError: Error, CustomStringConvertible, Sendable {
    /// Whether trying again can help.
    public enum Recovery: Hashable, Sendable {
        /// Something passing (a device unplugged, a driver reloading, a plugin that crashed): the output is started
        /// again with the usual backoff, from a second up to a minute.
        case transient
        /// Something a person must fix (permission denied on a device that exists, a path that is not the device the
        /// output needs); what to do. Tried again only slowly, once `OutputError.slowRetry` has passed, in case it
        /// was fixed.
        case needsFixing(String)
    }

    /// What failed, in a sentence: "open /dev/fb0: Permission denied".
    public var message: String
    /// The system call that failed, and on which path, where there was one.
    public var call: String?
    public var path: String?
    public var errno: Int32?
    public var recovery: Recovery

    /// How long a failure that needs fixing waits before the output is tried again.
    public static let slowRetry = Duration.seconds(60)

    public init(_ message: String, recovery: Recovery = .transient) {
        self.message = message
        self.recovery = recovery
    }

    /// A failed system call. Permission errors and a path that is not the expected kind of device need fixing (with
    /// `fix`, or a generic word on permissions); anything else is taken as passing.
    public static func system(_ call: String, _ path: String, errno: Int32, fix: String? = nil,
                              hint: String = "") -> OutputError {
        var error = OutputError("\(call) \(path): \(String(cString: strerror(errno)))\(hint)")
        error.call = call
        error.path = path
        error.errno = errno
        switch errno {
        case EACCES, EPERM, EROFS:
            error.recovery = .needsFixing(fix ?? "give the service user access to \(path)")
        case ENOTTY, EISDIR, ENOTDIR, EINVAL:
            error.recovery = .needsFixing(fix ?? "\(path) is not what this output drives: check the screen's options")
        default:
            error.recovery = .transient
        }
        return error
    }

    public var needsFixing: Bool { if case .needsFixing = recovery { true } else { false } }

    public var description: String {
        if case let .needsFixing(fix) = recovery { return "\(message); to fix: \(fix)" }
        return message
    }
}
