import Foundation
import Glibc
import VitrinePluginAPI

/// A terminal the output owns: its file descriptor, its size, and the modes to put back when done.
final class TerminalDevice: @unchecked Sendable {
    let fd: Int32
    let path: String
    private let ownsDescriptor: Bool
    private var savedModes: termios?
    private var restored = false

    /// Opens `path`, or uses standard output when nil (the daemon's own terminal).
    init(path: String?) throws {
        if let path {
            // Opened non-blocking: a FIFO with no reader (a mistyped path) fails at once instead of blocking the
            // output for ever; writes are then blocking again.
            let fd = Glibc.open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC | O_APPEND | O_NONBLOCK)
            guard fd >= 0 else {
                throw OutputError.system("open", path, errno: errno, fix: "the service user needs the tty group")
            }
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
            self.fd = fd
            self.path = path
            ownsDescriptor = true
        } else {
            fd = STDOUT_FILENO
            self.path = "standard output"
            ownsDescriptor = false
        }
        var modes = termios()
        if isatty(fd) == 1, tcgetattr(fd, &modes) == 0 {
            savedModes = modes
            // Keys typed at the console must not print over the page.
            var quiet = modes
            quiet.c_lflag &= ~tcflag_t(ECHO | ICANON)
            // Ctrl-S at the console must not freeze the screen (and every write with it).
            quiet.c_iflag &= ~tcflag_t(IXON)
            _ = tcsetattr(fd, TCSANOW, &quiet)
        }
    }

    var isTerminal: Bool { isatty(fd) == 1 }

    /// Columns and rows from the kernel, or nil for a file or a terminal that does not say.
    func size() -> (columns: Int, rows: Int)? { Self.size(of: fd) }

    static func size(of fd: Int32) -> (columns: Int, rows: Int)? {
        var size = winsize()
        guard ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0, size.ws_row > 0 else { return nil }
        return (Int(size.ws_col), Int(size.ws_row))
    }

    func write(_ text: String) throws {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN {
                    usleep(1000)
                    continue
                }
                throw OutputError.system("write", path, errno: errno)
            }
            offset += n
        }
        bytes.removeAll()
    }

    /// Puts the terminal back as it was found; safe to call more than once.
    func restore(with reset: String) {
        guard !restored else { return }
        restored = true
        try? write(reset)
        if var modes = savedModes { _ = tcsetattr(fd, TCSANOW, &modes) }
        if ownsDescriptor { _ = Glibc.close(fd) }
    }

    deinit { restore(with: "") }
}
