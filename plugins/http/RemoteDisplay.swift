import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization
import VitrinePluginAPI
import VitrineRenderer

/// A display with its own HTTP API (an LED ticker's controller, an e-paper label, a screen in another building)
/// that is sent every page change of an http screen: `push:` in the screen's options.
///
/// Only the newest page matters: while the target is down, the page waiting to be delivered is replaced by each
/// newer one, so a display that comes back shows the current page, never a backlog. Attempts are retried with a
/// doubling wait (1 s up to `retry-max`) for as long as the page is current. The kiosk browsers of the same screen,
/// and every other screen, never wait for a remote display.
struct RemoteDisplay: Sendable {
    enum Format: String, Sendable, CaseIterable {
        case json
        case png
        case both = "json+png"
    }

    static let url = Key("url", .text(kind: "http or https URL", show: { $0 }) { text, node, path, reader in
        guard RemoteDisplay.isWebAddress(text) else {
            reader.error("\(path): expected an http:// or https:// URL such as http://10.0.0.5/page, found '\(text)'",
                         at: node)
            return nil
        }
        return text
    }, required: true, "`http://` or `https://` address the pages are POSTed to.")
    static let format = DefaultedKey("format", .choice(Format.self), default: .json,
        "`json`: the page as the kiosk browsers get it (below); `png`: the page painted at `width` × `height`; "
        + "`json+png`: both, JSON first.")
    static let timeout = DefaultedKey("timeout", .duration(100...300_000), default: 5_000,
                                         "How long one request may take, connecting included.")
    static let retryMax = DefaultedKey("retry-max", .duration(1_000...3_600_000), default: 60_000,
        "Longest wait between attempts while the display does not answer; the wait doubles from 1 s.")
    static let tokenFile = Key("token-file", .path(example: "/etc/vitrine/display.token"),
        "A file whose first line is sent as a bearer token (read again at each page, so it can be rotated).")
    static let options = [url.spec, format.spec, timeout.spec, retryMax.spec, tokenFile.spec]

    let url: String
    let format: Format
    let timeout: Int64
    let retryMax: Int64
    let tokenFile: String?

    init?(options reader: OptionsReader) {
        let text = reader[Self.url]
        url = text ?? ""
        format = reader[Self.format]
        timeout = reader[Self.timeout]
        retryMax = reader[Self.retryMax]
        tokenFile = reader[Self.tokenFile]
        if let tokenFile, RemoteDisplay.readToken(tokenFile) == nil {
            reader.problem("token-file", "cannot read a token from \(tokenFile)")
        }
        if text == nil || !reader.errors.isEmpty { return nil }
    }

    static func isWebAddress(_ text: String) -> Bool {
        guard let parsed = URLComponents(string: text), let scheme = parsed.scheme?.lowercased(),
              let host = parsed.host else { return false }
        return (scheme == "http" || scheme == "https") && !host.isEmpty
    }

    /// The first line of the file, trimmed; nil when unreadable or empty.
    static func readToken(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path), data.count <= 4096,
              let line = String(data: data, encoding: .utf8)?.split(whereSeparator: \.isNewline).first
        else { return nil }
        let token = line.trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }

    /// One page to deliver, prepared once however many attempts it takes.
    struct Delivery: Sendable {
        /// Which page change this is: a delivery is taken off only if no newer one replaced it meanwhile.
        var serial: Int
        var summary: String
        var bodies: [(contentType: String, bytes: [UInt8])]
    }

    /// The page waiting to be delivered, replaced by each newer one.
    final class Pending: Sendable {
        private let slot = Mutex<Delivery?>(nil)
        func put(_ delivery: Delivery) { slot.withLock { $0 = delivery } }
        var waiting: Delivery? { slot.withLock { $0 } }
        /// Takes `delivery` off unless a newer page replaced it; true when nothing is left to deliver.
        func delivered(_ delivery: Delivery) -> Bool {
            slot.withLock {
                if $0?.serial == delivery.serial { $0 = nil }
                return $0 == nil
            }
        }
    }

    func prepare(_ frame: Frame, serial: Int, message: [UInt8], width: Int, height: Int) -> Delivery {
        var bodies: [(String, [UInt8])] = []
        if format != .png { bodies.append(("application/json", message)) }
        if format != .json {
            bodies.append(("image/png", PagePainter().paint(frame, width: width, height: height).pngData()))
        }
        return Delivery(serial: serial, summary: frame.summary, bodies: bodies)
    }

    /// Delivers what `latest` holds each time `wakeups` fires, until the stream ends or the task is cancelled.
    func run(pending: Pending, wakeups: AsyncStream<Void>, screen: String, context: OutputContext) async {
        let logger = context.logger
        var failing = false
        for await _ in wakeups {
            var wait: Int64 = 1_000
            while !Task.isCancelled, let delivery = pending.waiting {
                do {
                    try await send(delivery, screen: screen)
                    let done = pending.delivered(delivery)
                    if failing {
                        failing = false
                        context.trouble(nil)
                        logger.info("Remote display answers again.", metadata: ["vitrine.url": "\(url)"])
                    }
                    if done { break }
                    wait = 1_000
                } catch {
                    let reason = "push to \(url): \(Self.describe(error))"
                    if !failing {
                        failing = true
                        logger.warning("Remote display does not answer; retrying while this page is current.",
                                       metadata: ["vitrine.url": "\(url)", "vitrine.error": "\(Self.describe(error))"])
                    } else {
                        logger.debug("Remote display still does not answer.",
                                     metadata: ["vitrine.error": "\(Self.describe(error))"])
                    }
                    context.trouble(reason)
                    try? await Task.sleep(for: .milliseconds(wait))
                    wait = min(wait * 2, retryMax)
                }
            }
        }
    }

    struct Refused: Error, CustomStringConvertible {
        var status: Int
        var description: String { "answered HTTP \(status)" }
    }

    private func send(_ delivery: Delivery, screen: String) async throws {
        let token = tokenFile.flatMap(RemoteDisplay.readToken)
        for body in delivery.bodies {
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: body.contentType)
            request.headers.add(name: "User-Agent", value: "vitrine")
            request.headers.add(name: "X-Vitrine-Screen", value: screen)
            if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
            request.body = .bytes(ByteBuffer(bytes: body.bytes))
            let response = try await HTTPClient.shared.execute(request, timeout: .milliseconds(timeout))
            // The answer is read (and dropped) so the connection can be reused; a display has nothing to tell.
            _ = try? await response.body.collect(upTo: 64 * 1024)
            guard (200..<300).contains(Int(response.status.code)) else {
                throw Refused(status: Int(response.status.code))
            }
        }
    }

    /// "connection refused", "timed out", "answered HTTP 500": what a technician can act on.
    static func describe(_ error: any Error) -> String {
        if let refused = error as? Refused { return refused.description }
        if let client = error as? HTTPClientError {
            switch client {
            case .connectTimeout, .deadlineExceeded, .readTimeout, .writeTimeout: return "timed out"
            case .remoteConnectionClosed: return "the display closed the connection"
            default: return "\(client)"
            }
        }
        if let io = error as? IOError { return String(cString: strerror(io.errnoCode)).lowercased() }
        let text = "\(error)"
        if text.contains("connection refused") || text.contains("Connection refused") { return "connection refused" }
        return text
    }
}
