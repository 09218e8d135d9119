import Foundation
import Glibc
import Synchronization

/// Many kiosk browsers on one screen's event stream, read by one thread with poll(2): what each received, when,
/// and whether the daemon closed it.
final class StreamCrowd: @unchecked Sendable {
    struct Browser {
        var fd: Int32
        var buffer: [UInt8] = []
        var pages = 0
        var lastPage = ""
        var closed = false
        /// Arrival (ms since 1970) and `validFrom` of each page event.
        var arrivals: [(at: Int64, validFrom: Int64)] = []
    }

    private let browsers: Mutex<[Browser]>
    private let stopped = Mutex(false)
    private var reader: Thread?

    /// Opens `count` streams of `path` on the loopback port; throws if one cannot connect.
    init(port: Int, path: String, count: Int) throws {
        var opened: [Browser] = []
        for _ in 0..<count {
            let fd = try Self.connect(port: port)
            let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
            _ = request.withCString { send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
            opened.append(Browser(fd: fd))
        }
        browsers = Mutex(opened)
        let thread = Thread { [weak self] in self?.readLoop() }
        reader = thread
        thread.start()
    }

    static func connect(port: Int, receiveBuffer: Int32? = nil) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(fd)
            throw POSIXError(.ECONNREFUSED)
        }
        return fd
    }

    private func readLoop() {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while !stopped.withLock({ $0 }) {
            var fds = browsers.withLock { $0.map { pollfd(fd: $0.closed ? -1 : $0.fd, events: Int16(POLLIN), revents: 0) } }
            let ready = poll(&fds, nfds_t(fds.count), 100)
            guard ready > 0 else { continue }
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            for (index, entry) in fds.enumerated() where entry.revents != 0 {
                let n = chunk.withUnsafeMutableBytes { recv(entry.fd, $0.baseAddress, $0.count, 0) }
                browsers.withLock { all in
                    if n <= 0 {
                        all[index].closed = true
                        return
                    }
                    all[index].buffer += chunk[0..<n]
                    Self.takeEvents(&all[index], at: now)
                }
            }
        }
    }

    /// Moves complete events out of the browser's buffer (an event ends with a blank line).
    private static func takeEvents(_ browser: inout Browser, at now: Int64) {
        let separator: [UInt8] = [10, 10]
        while let end = browser.buffer.firstRange(of: separator) {
            let event = String(decoding: browser.buffer[..<end.lowerBound], as: UTF8.self)
            browser.buffer.removeSubrange(..<end.upperBound)
            guard event.contains("event: page") else { continue }
            browser.pages += 1
            browser.lastPage = event
            if let range = event.range(of: "\"validFrom\":") {
                let digits = event[range.upperBound...].prefix { $0.isNumber }
                browser.arrivals.append((now, Int64(digits) ?? 0))
            }
        }
    }

    var snapshot: [Browser] { browsers.withLock { $0 } }

    func stop() {
        stopped.withLock { $0 = true }
        usleep(150_000)
        for browser in browsers.withLock({ $0 }) { close(browser.fd) }
    }

    deinit { if !stopped.withLock({ $0 }) { stop() } }
}
