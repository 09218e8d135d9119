import CSystemd
import Glibc
import Logging

/// swift-log backend writing structured entries to the systemd journal with `sd_journal_sendv` (the variadic
/// `sd_journal_send` cannot be called from Swift). Metadata become journal fields: `vitrine.screen` becomes
/// `VITRINE_SCREEN`.
public struct JournalLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    private let label: String

    public init(label: String) { self.label = label }

    /// True when this process runs under systemd and its output goes to the journal.
    public static var journalIsAvailable: Bool {
        getenv("JOURNAL_STREAM") != nil || getenv("INVOCATION_ID") != nil
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields: [String] = [
            "MESSAGE=\(event.message)",
            "PRIORITY=\(Self.priority(event.level))",
            "SYSLOG_IDENTIFIER=vitrine",
            "CODE_FILE=\(event.file)",
            "CODE_LINE=\(event.line)",
            "CODE_FUNC=\(event.function)",
            "VITRINE_LOGGER=\(label)",
        ]
        var all = metadata
        if let extra = event.metadata { all.merge(extra) { $1 } }
        for (key, value) in all {
            fields.append("\(Self.fieldName(key))=\(value)")
        }
        Self.send(fields)
    }

    static func send(_ fields: [String]) {
        // One allocation for all fields; the iovecs point into it and it is freed after the call.
        let bytes = fields.map { Array($0.utf8) }
        let total = bytes.reduce(0) { $0 + $1.count }
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: max(total, 1), alignment: 1)
        defer { buffer.deallocate() }
        var vectors: [iovec] = []
        var offset = 0
        for field in bytes {
            let start = buffer + offset
            field.withUnsafeBytes { start.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            vectors.append(iovec(iov_base: start, iov_len: field.count))
            offset += field.count
        }
        _ = sd_journal_sendv(vectors, Int32(vectors.count))
    }

    /// Journal field names are upper-case letters, digits and underscores, not starting with an underscore.
    static func fieldName(_ key: String) -> String {
        var name = String(key.uppercased().map { $0.isLetter || $0.isNumber ? $0 : "_" })
        while name.hasPrefix("_") { name.removeFirst() }
        return name.isEmpty ? "FIELD" : String(name.prefix(64))
    }

    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }
}
