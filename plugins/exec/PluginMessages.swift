import Foundation
import VitrinePluginAPI

/// The JSON-lines protocol between the daemon and an out-of-process output (docs/plugin-protocol.md), version 2
/// (2 added the recordings of a page to `present`; a plugin written for 1 keeps working, it ignores them).
/// The daemon writes `hello`, `present`, `blank`, `ping` and `shutdown`; the plugin writes `ready`, `status`,
/// `log`, `error` and `pong`. Unknown message types are ignored (with a warning), so either side may add some.
enum PluginMessages {
    static let protocolVersion = 2

    /// A measure the plugin declares: text is laid out in `columns` x `rows` cells, or not at all (nil).
    struct Measure: Equatable {
        var columns: Int
        var rows: Int
    }

    static func hello(screen: String, options: [String: Any], measure: Measure?) -> [String: Any] {
        var hello: [String: Any] = ["type": "hello", "protocol": protocolVersion, "screen": screen, "options": options]
        if let measure { hello["measure"] = ["columns": measure.columns, "rows": measure.rows] }
        return hello
    }

    static func present(_ frame: Frame, screen: String) -> [String: Any] {
        var message: [String: Any] = [
            "type": "present", "screen": screen, "summary": frame.summary, "theme": frame.theme.name,
            "validFrom": frame.presentation.validFrom, "validUntil": frame.presentation.validUntil,
        ]
        if let clock = frame.clock { message["clock"] = clock }
        switch frame.content {
        case .blank:
            break
        case let .message(text):
            message["kind"] = "message"
            message["text"] = text
        case let .page(page):
            message["kind"] = "page"
            message["exhibit"] = page.exhibit.rawValue
            message["title"] = frame.title ?? page.title
            if let series = page.series { message["series"] = series }
            message["page"] = page.index + 1
            message["pages"] = page.count
            var blocks: [[String: Any]] = []
            for item in page.items {
                switch item {
                case let .text(role, lines, _):
                    blocks.append(["role": role.rawValue, "lines": lines.map(\.text)])
                case let .image(image, _, _):
                    var block: [String: Any] = ["role": "image", "file": image.file]
                    if let alt = image.alt { block["alt"] = alt }
                    if let caption = image.caption { block["caption"] = caption }
                    if let credit = image.credit { block["credit"] = credit }
                    if let folder = page.mediaFolder { block["path"] = folder + "/" + image.file }
                    blocks.append(block)
                }
            }
            message["blocks"] = blocks
            // Sound and film, for a plugin that plays them: where the file is, when it starts (the clock's instant,
            // so every player plays the same second), how long it lasts, and its captions.
            let recordings = frame.recordings
            if !recordings.isEmpty {
                message["media"] = recordings.map { media, start -> [String: Any] in
                    var entry: [String: Any] = ["kind": media.kind.rawValue, "file": media.file]
                    if let folder = page.mediaFolder { entry["path"] = folder + "/" + media.file }
                    if let title = media.title { entry["title"] = title }
                    if let start { entry["start"] = start }
                    if let length = media.milliseconds { entry["milliseconds"] = length }
                    if let captions = media.captions, let folder = page.mediaFolder {
                        entry["captions"] = folder + "/" + captions
                    }
                    entry["cues"] = media.cues.map { ["start": $0.start, "end": $0.end, "text": $0.text] }
                    return entry
                }
            }
            // The page's words in reading order (title and series are fields of their own), for displays that only
            // scroll text.
            message["text"] = page.items.compactMap { item -> String? in
                guard case let .text(role, lines, _) = item, role != .series, role != .title else { return nil }
                return lines.map(\.text).joined(separator: " ")
            }.joined(separator: "\n")
        }
        return message
    }

    static func blank(_ frame: Frame, screen: String) -> [String: Any] {
        ["type": "blank", "screen": screen, "reason": frame.presentation.reason.rawValue,
         "validUntil": frame.presentation.validUntil]
    }

    /// One line of JSON (no newline inside: JSON escapes them).
    static func line(_ message: [String: Any]) -> [UInt8] {
        let data = (try? JSONSerialization.data(withJSONObject: message, options: [.sortedKeys, .withoutEscapingSlashes]))
            ?? Data("{}".utf8)
        return Array(data) + [0x0A]
    }

    /// What the plugin said, or why a line is not a message.
    enum Incoming {
        case ready(measure: Measure?, capabilities: [String], measureGiven: Bool)
        case status(String)
        case log(level: String, message: String)
        case error(String)
        case pong(Int)
        case unknown(type: String)
        case malformed(String)
    }

    static func parse(_ line: [UInt8]) -> Incoming {
        guard let text = String(validating: line, as: UTF8.self) else { return .malformed("not UTF-8") }
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            return .malformed("not a JSON object")
        }
        guard let type = object["type"] as? String else { return .malformed("no \"type\"") }
        switch type {
        case "ready":
            let capabilities = object["capabilities"] as? [String] ?? []
            guard object.keys.contains("measure") else {
                return .ready(measure: nil, capabilities: capabilities, measureGiven: false)
            }
            if let measure = object["measure"] as? [String: Any], let columns = measure["columns"] as? Int,
               let rows = measure["rows"] as? Int, (1...10_000).contains(columns), (1...10_000).contains(rows)
            {
                return .ready(measure: Measure(columns: columns, rows: rows), capabilities: capabilities,
                              measureGiven: true)
            }
            if object["measure"] is NSNull { return .ready(measure: nil, capabilities: capabilities, measureGiven: true) }
            return .malformed("ready: \"measure\" must be {\"columns\": 1-10000, \"rows\": 1-10000} or null")
        case "status":
            guard let text = object["text"] as? String else { return .malformed("status: no \"text\"") }
            return .status(text)
        case "log":
            guard let message = object["message"] as? String else { return .malformed("log: no \"message\"") }
            return .log(level: object["level"] as? String ?? "info", message: message)
        case "error":
            guard let message = object["message"] as? String else { return .malformed("error: no \"message\"") }
            return .error(message)
        case "pong":
            guard let id = object["id"] as? Int else { return .malformed("pong: no \"id\"") }
            return .pong(id)
        default:
            return .unknown(type: type)
        }
    }
}

/// Splits a byte stream into lines, cutting off lines longer than `limit` (reported, never held in memory whole).
struct LineSplitter {
    let limit: Int
    private var current: [UInt8] = []
    private var overflowing = false
    private var dropped = 0

    init(limit: Int) { self.limit = limit }

    enum Piece { case line([UInt8]), cutOff(Int) }

    /// Feeds bytes; returns complete lines, and a `cutOff` for each line that was too long (its length so far).
    mutating func feed(_ bytes: UnsafeRawBufferPointer) -> [Piece] {
        var pieces: [Piece] = []
        for byte in bytes {
            if byte == 0x0A {
                if overflowing {
                    pieces.append(.cutOff(current.count + dropped))
                    overflowing = false
                    dropped = 0
                } else {
                    pieces.append(.line(current))
                }
                current.removeAll(keepingCapacity: current.count < 4096)
            } else if overflowing {
                dropped += 1
            } else if current.count >= limit {
                overflowing = true
                dropped += 1
            } else {
                current.append(byte)
            }
        }
        return pieces
    }
}
