import Foundation
import VitrineCore

/// A plain HTTP/1.1 client over a TCP socket: `vitrine status` asks a daemon with it, and the tests talk to the
/// listener as a browser would (whole requests, and event streams read line by line as they arrive).
public struct HTTPTestClient: Sendable {
    public let host: String
    public let port: Int
    public init(host: String = "127.0.0.1", port: Int) {
        self.host = host
        self.port = port
    }

    public struct Reply: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: [UInt8]
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    public enum Failure: Error { case connect, timeout, closed }

    /// One request on its own connection (`Connection: close`), the whole answer read. The socket waits on a
    /// thread of its own, never on one of the few threads Swift's tasks share (the server under test needs them).
    public func request(_ method: String = "GET", _ path: String, headers: [String: String] = [:], body: String = "",
                        timeout: Double = 10) async throws -> Reply {
        try await offThePool { try requestNow(method, path, headers: headers, body: body, timeout: timeout) }
    }

    public func requestNow(_ method: String, _ path: String, headers: [String: String], body: String,
                    timeout: Double) throws -> Reply {
        let connection = try Connection(host: host, port: port, timeout: timeout)
        // A Host given in `headers` stands for the address's (a browser that reached the machine by another name).
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(headers["Host"] ?? host)\r\nConnection: close\r\n"
        for (k, v) in headers where k != "Host" { head += "\(k): \(v)\r\n" }
        if !body.isEmpty || method == "POST" { head += "Content-Length: \(body.utf8.count)\r\n" }
        try connection.send(head + "\r\n" + body)
        let (status, fields) = try connection.readHead()
        var bytes: [UInt8] = []
        if let length = fields["content-length"].flatMap(Int.init) {
            bytes = try connection.read(count: length)
        } else if fields["transfer-encoding"]?.lowercased() == "chunked" {
            while true {
                let sizeLine = try connection.readLine()
                guard let size = Int(sizeLine.split(separator: ";").first ?? "", radix: 16) else { break }
                if size == 0 { break }
                bytes += try connection.read(count: size)
                _ = try connection.readLine()
            }
        } else {
            bytes = connection.readToEnd()
        }
        return Reply(status: status, headers: fields, body: bytes)
    }

    /// Opens an event stream and returns once the response head has arrived.
    public func stream(_ path: String, headers: [String: String] = [:], timeout: Double = 10) async throws
        -> EventStream
    {
        try await offThePool { try streamNow(path, headers: headers, timeout: timeout) }
    }

    func streamNow(_ path: String, headers: [String: String], timeout: Double) throws -> EventStream {
        let connection = try Connection(host: host, port: port, timeout: timeout)
        var head = "GET \(path) HTTP/1.1\r\nHost: \(host)\r\nAccept: text/event-stream\r\n"
        for (k, v) in headers { head += "\(k): \(v)\r\n" }
        try connection.send(head + "\r\n")
        let (status, fields) = try connection.readHead()
        return EventStream(connection: connection, status: status, headers: fields)
    }
}

/// A Server-Sent Events stream as a browser parses it (chunked transfer coding undone).
public final class EventStream: @unchecked Sendable {
    public struct Event: Sendable {
        public var id: String?
        public var event: String?
        public var data: String
    }

    let connection: Connection
    public let status: Int
    public let headers: [String: String]
    private let chunked: Bool
    private var pending: [UInt8] = []
    /// Comments seen (heartbeats) and `retry:` fields.
    public private(set) var comments = 0
    public private(set) var retry: Int?

    init(connection: Connection, status: Int, headers: [String: String]) {
        self.connection = connection
        self.status = status
        self.headers = headers
        chunked = headers["transfer-encoding"]?.lowercased() == "chunked"
    }

    /// Bytes of the body as they come, chunk framing removed.
    private func more(timeout: Double) throws {
        if chunked {
            let sizeLine = try connection.readLine(timeout: timeout)
            guard let size = Int(sizeLine.split(separator: ";").first ?? "", radix: 16) else { throw HTTPTestClient.Failure.closed }
            if size == 0 { throw HTTPTestClient.Failure.closed }
            pending += try connection.read(count: size, timeout: timeout)
            _ = try connection.readLine(timeout: timeout)
        } else {
            pending += try connection.readSome(timeout: timeout)
        }
    }

    private func line(timeout: Double) throws -> String {
        while true {
            if let line = takeLine(from: &pending) { return line }
            try more(timeout: timeout)
        }
    }

    /// The next event, or throws `timeout` when none comes in time.
    public func next(timeout: Double = 5) async throws -> Event {
        try await offThePool { try self.nextNow(timeout: timeout) }
    }

    func nextNow(timeout: Double) throws -> Event {
        var event = Event(data: "")
        var dataLines: [String] = []
        while true {
            let line = try self.line(timeout: timeout)
            if line.isEmpty {
                if !dataLines.isEmpty {
                    event.data = dataLines.joined(separator: "\n")
                    return event
                }
                continue
            }
            if line.hasPrefix(":") { comments += 1; continue }
            let (field, value) = line.firstIndex(of: ":").map {
                (String(line[..<$0]), String(line[line.index(after: $0)...]).drop { $0 == " " }.description)
            } ?? (line, "")
            switch field {
            case "id": event.id = value
            case "event": event.event = value
            case "data": dataLines.append(value)
            case "retry": retry = Int(value)
            default: break
            }
        }
    }

    /// Whether the server still holds the stream open (no end of stream within `timeout`).
    public func isOpen(within timeout: Double = 0.2) async -> Bool {
        (try? await offThePool { self.connection.isOpen(timeout: timeout) }) ?? false
    }

    public func close() { connection.close() }
    deinit { connection.close() }
}

/// A blocking TCP connection with deadlines.
final class Connection: @unchecked Sendable {
    private var fd: Int32
    private var buffer: [UInt8] = []
    private let timeout: Double

    init(host: String, port: Int, timeout: Double) throws {
        self.timeout = timeout
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else {
            throw HTTPTestClient.Failure.connect
        }
        defer { freeaddrinfo(list) }
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        fd = -1
        while let info = candidate {
            let s = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            if s >= 0 {
                if Foundation.connect(s, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 {
                    fd = s
                    break
                }
                Foundation.close(s)
            }
            candidate = info.pointee.ai_next
        }
        guard fd >= 0 else { throw HTTPTestClient.Failure.connect }
    }

    func send(_ text: String) throws {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { Foundation.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw HTTPTestClient.Failure.closed }
            bytes = bytes.dropFirst(n)
        }
    }

    private func fill(timeout: Double) throws {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, Int32(timeout * 1000)) > 0 else { throw HTTPTestClient.Failure.timeout }
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { throw HTTPTestClient.Failure.closed }
        buffer += chunk[0..<n]
    }

    func readLine(timeout: Double? = nil) throws -> String {
        while true {
            if let line = takeLine(from: &buffer) { return line }
            try fill(timeout: timeout ?? self.timeout)
        }
    }

    func read(count: Int, timeout: Double? = nil) throws -> [UInt8] {
        while buffer.count < count { try fill(timeout: timeout ?? self.timeout) }
        let out = Array(buffer[..<count])
        buffer.removeFirst(count)
        return out
    }

    func readSome(timeout: Double) throws -> [UInt8] {
        if buffer.isEmpty { try fill(timeout: timeout) }
        defer { buffer.removeAll() }
        return buffer
    }

    func readToEnd() -> [UInt8] {
        while (try? fill(timeout: timeout)) != nil {}
        defer { buffer.removeAll() }
        return buffer
    }

    func readHead() throws -> (Int, [String: String]) {
        let statusLine = try readLine()
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else { throw HTTPTestClient.Failure.closed }
        var fields: [String: String] = [:]
        while true {
            let line = try readLine()
            if line.isEmpty { break }
            if let colon = line.firstIndex(of: ":") {
                fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return (status, fields)
    }

    func isOpen(timeout: Double) -> Bool {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&poller, 1, Int32(timeout * 1000))
        if ready == 0 { return true }
        var byte: UInt8 = 0
        let n = recv(fd, &byte, 1, Int32(MSG_PEEK))
        return n > 0
    }

    func close() {
        if fd >= 0 { Foundation.close(fd) }
        fd = -1
    }

    deinit { close() }
}

/// The first line of `bytes` without its LF or CRLF, removed from them; nil until a whole line is there.
private func takeLine(from bytes: inout [UInt8]) -> String? {
    guard let end = bytes.firstIndex(of: 0x0A) else { return nil }
    var line = Array(bytes[..<end])
    bytes.removeFirst(end + 1)
    if line.last == 0x0D { line.removeLast() }
    return String(decoding: line, as: UTF8.self)
}

