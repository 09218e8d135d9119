import Foundation
import Glibc
import Synchronization

/// A real `NOTIFY_SOCKET`: a Unix datagram socket the daemon's libsystemd sends to, as systemd's would.
public final class NotifySocket: @unchecked Sendable {
    public let path: String
    private let fd: Int32
    private let received = Mutex<[String]>([])
    private var reader: Thread?

    public init(directory: URL) throws {
        path = directory.appendingPathComponent("notify.sock").path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            let bytes = Array(path.utf8.prefix(raw.count - 1))
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let socketFD = fd
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socketFD, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0 else { throw POSIXError(.EADDRINUSE) }
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let fd = self.fd
        let thread = Thread { [weak self] in
            var buffer = [UInt8](repeating: 0, count: 4096)
            while let self, !Thread.current.isCancelled {
                let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n > 0 {
                    let message = String(decoding: buffer[0..<n], as: UTF8.self)
                    self.received.withLock { $0.append(message) }
                }
            }
        }
        reader = thread
        thread.start()
    }

    /// Every datagram received so far, oldest first.
    public var messages: [String] { received.withLock { $0 } }

    /// Waits until a datagram satisfies `match`, and returns it.
    public func wait(timeout: TimeInterval = 20, after index: Int = 0, _ match: (String) -> Bool) -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let found = messages.dropFirst(index).first(where: match) { return found }
            usleep(20_000)
        }
        return nil
    }

    deinit {
        reader?.cancel()
        usleep(150_000)
        close(fd)
        unlink(path)
    }
}
