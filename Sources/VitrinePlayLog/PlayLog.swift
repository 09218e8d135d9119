import Foundation
import GRDB
import Synchronization
import VitrineCore
import VitrineModel
import VitrinePluginAPI

/// Proof of play: every page shown on every screen (screen, exhibit, page, theme, start, end, and for a page that
/// plays recordings the seconds played and whether they played to the end or what cut them), in an SQLite database
/// in the state directory, for sponsors and lenders who ask what was shown, where and for how long.
///
/// A page's row is written, in its own transaction, when the page leaves the screen (the next page is up, or the
/// daemon stops). The database runs in WAL mode: a committed row survives the process being killed, so a
/// `kill -9` loses at most the page that was still showing.
public final class PlayLog: Sendable {
    public struct Play: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
        public static let databaseTableName = "play"
        public var screen: String
        /// Empty for messages and blank screens.
        public var exhibit: String
        public var title: String
        /// 1-based; 0 for messages and blank screens.
        public var page: Int
        public var pages: Int
        public var theme: String
        /// What showed, in a few words: "Solidarity 2/4", "message “…”", "closed".
        public var shows: String
        /// Milliseconds since 1970.
        public var start: Int64
        public var end: Int64
        /// The recordings the page plays (their files, comma-separated); nil when it plays none.
        public var recording: String?
        /// Seconds of them actually played while the page was up.
        public var recordingSeconds: Double?
        /// `completed`, or `cut` with what cut it: `cut: announcement`, `cut: after-hours`, `cut: closed`,
        /// `cut: stopped` (the daemon stopped), `cut: changed` (a reload or a new program).
        public var recordingOutcome: String?
    }

    private struct Showing {
        var play: Play
        var frame: Frame
    }

    let database: DatabasePool
    public let path: String
    private let showing = Mutex<[String: Showing]>([:])

    /// Opens (or creates) the log at `path`.
    public init(path: String) throws {
        self.path = path
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        database = try DatabasePool(path: path)  // WAL mode
        try database.write { db in
            try db.create(table: "play", ifNotExists: true) { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("screen", .text).notNull()
                t.column("exhibit", .text).notNull()
                t.column("title", .text).notNull()
                t.column("page", .integer).notNull()
                t.column("pages", .integer).notNull()
                t.column("theme", .text).notNull()
                t.column("shows", .text).notNull()
                t.column("start", .integer).notNull()
                t.column("end", .integer).notNull()
            }
            try db.create(index: "play_by_start", on: "play", columns: ["start"], ifNotExists: true)
            // Logs written before recordings were logged get the columns; their old rows keep nulls.
            let columns = Set(try db.columns(in: "play").map(\.name))
            if !columns.contains("recording") {
                try db.alter(table: "play") { t in
                    t.add(column: "recording", .text)
                    t.add(column: "recordingSeconds", .double)
                    t.add(column: "recordingOutcome", .text)
                }
            }
        }
    }

    /// Opens an existing log only to read it (`vitrine plays`), beside a daemon that writes it.
    public init(readingAt path: String) throws {
        self.path = path
        var configuration = Configuration()
        configuration.readonly = true
        database = try DatabasePool(path: path, configuration: configuration)
    }

    /// Notes that a screen shows a frame from `at`; the page it replaces is written to the log.
    public func shown(_ frame: Frame, on screen: String, at: Int64) throws {
        let finished = showing.withLock { table -> Play? in
            if let current = table[screen], current.frame.content == frame.content, current.frame.theme == frame.theme,
               current.frame.recordingStart == frame.recordingStart {
                return nil  // the same page again (a clock ticking over): still one play
            }
            let previous = table[screen]
            table[screen] = Showing(play: Self.play(of: frame, on: screen, at: at), frame: frame)
            return previous.map { Self.finish($0, at: at, cutBy: frame.presentation.reason) }
        }
        if let finished { try write(finished) }
    }

    /// Closes every screen's current play at `at` (the daemon stops).
    public func close(at: Int64) throws {
        let open = showing.withLock { table -> [Play] in
            defer { table.removeAll() }
            return table.values.map { Self.finish($0, at: at, cutBy: nil) }
        }
        for play in open { try write(play) }
    }

    private func write(_ play: Play) throws {
        guard play.end > play.start else { return }
        try database.write { db in try play.insert(db) }
    }

    /// The play of `showing` ended at `at`, by the next frame's `reason` (nil: the daemon stopped), with what its
    /// recordings played.
    private static func finish(_ showing: Showing, at: Int64, cutBy reason: Presentation.Reason?) -> Play {
        var play = showing.play
        play.end = at
        let recordings = showing.frame.recordings.compactMap { media, start in
            start.flatMap { start in media.milliseconds.map { (file: media.file, start: start, end: start + $0) } }
        }
        guard let last = recordings.last else { return play }
        play.recording = recordings.map(\.file).joined(separator: ",")
        let played = recordings.reduce(Int64(0)) { $0 + max(0, min(at, $1.end) - max(play.start, $1.start)) }
        play.recordingSeconds = Double(played) / 1000
        if at >= last.end {
            play.recordingOutcome = "completed"
        } else {
            let cause = switch reason {
            case nil: "stopped"
            case .announcement?: "announcement"
            case .afterHours?: "after-hours"
            case .closed?: "closed"
            case .playlist?, .empty?: "changed"
            }
            play.recordingOutcome = "cut: \(cause)"
        }
        return play
    }

    static func play(of frame: Frame, on screen: String, at: Int64) -> Play {
        var play = Play(screen: screen, exhibit: "", title: "", page: 0, pages: 0, theme: frame.theme.name,
                        shows: frame.summary, start: at, end: at)
        if case let .page(page) = frame.content {
            play.exhibit = page.exhibit.rawValue
            play.title = frame.title ?? page.title
            play.page = page.index + 1
            play.pages = page.count
        }
        return play
    }

    /// Plays that overlap `from..<to` (ms since 1970), oldest first, on one screen or all: all of them (for a long
    /// span, `pages` reads them a page at a time).
    public func plays(screen: String? = nil, from: Int64 = 0, to: Int64 = .max) throws -> [Play] {
        var all: [Play] = []
        try pages(screen: screen, from: from, to: to) { all += $0 }
        return all
    }

    /// Where a page of plays ended: the next page starts after it.
    public struct Place: Sendable, Hashable {
        var start: Int64
        var id: Int64
    }

    /// Up to `count` plays that overlap `from..<to`, oldest first, after `place` (where the previous page ended);
    /// and where this page ended, nil when there are no more.
    public func page(screen: String? = nil, from: Int64 = 0, to: Int64 = .max, after place: Place? = nil,
                     count: Int = 5_000) throws -> (plays: [Play], next: Place?) {
        try database.read { db in
            var sql = "SELECT * FROM play WHERE \"end\" > ? AND start < ?"
            var arguments: [any DatabaseValueConvertible] = [from, to]
            if let screen {
                sql += " AND screen = ?"
                arguments.append(screen)
            }
            if let place {
                sql += " AND (start > ? OR (start = ? AND id > ?))"
                arguments += [place.start, place.start, place.id]
            }
            sql += " ORDER BY start, id LIMIT ?"
            arguments.append(count)
            // Row by row from a cursor: each play decoded as it is read, no array of rows beside the plays.
            let rows = try Row.fetchCursor(db, sql: sql, arguments: StatementArguments(arguments))
            var plays: [Play] = []
            var last: Place?
            while let row = try rows.next() {
                plays.append(try Play(row: row))
                last = Place(start: row["start"], id: row["id"])
            }
            return (plays, plays.count < count ? nil : last)
        }
    }

    /// Every play that overlaps `from..<to`, page by page, oldest first: a month of six screens is never held at
    /// once, nor cut.
    public func pages(screen: String? = nil, from: Int64 = 0, to: Int64 = .max, count: Int = 5_000,
                      _ body: ([Play]) throws -> Void) throws {
        var place: Place?
        repeat {
            let (plays, next) = try page(screen: screen, from: from, to: to, after: place, count: count)
            if !plays.isEmpty { try body(plays) }
            place = next
        } while place != nil
    }

    /// Drops plays that ended before `before`; returns how many.
    @discardableResult
    public func prune(before: Int64) throws -> Int {
        try database.write { db in try Play.filter(Column("end") < before).deleteAll(db) }
    }

    /// Keeps the log: records what the daemon shows. (`PlayLogPruning`, a service, drops old plays.)
    public func attach(to daemon: Daemon, logger: Logger) {
        daemon.observe { [self] event in
            guard case let .shown(screen, frame) = event else { return }
            do {
                try shown(frame, on: screen, at: daemon.now())
            } catch {
                logger.error("Cannot write the play log: \(error)", metadata: ["vitrine.path": "\(path)"])
            }
        }
    }

    /// CSV's header row.
    public static let csvHeader = "screen,exhibit,title,page,pages,theme,shows,start,end,seconds,recording,"
        + "recording_seconds,recording_outcome\n"

    /// CSV with a header row; times as ISO 8601 in UTC.
    public static func csv(_ plays: [Play]) -> String { csvHeader + csvRows(plays) }

    /// CSV rows, no header.
    public static func csvRows(_ plays: [Play]) -> String {
        func field(_ s: String) -> String {
            s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        func time(_ ms: Int64) -> String {
            var seconds = time_t(ms / 1000)
            var parts = tm()
            gmtime_r(&seconds, &parts)
            var buffer = [CChar](repeating: 0, count: 32)
            let n = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%SZ", &parts)
            return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        var out = ""
        for p in plays {
            out += [field(p.screen), field(p.exhibit), field(p.title), "\(p.page)", "\(p.pages)", field(p.theme),
                    field(p.shows), time(p.start), time(p.end), String(format: "%.1f", Double(p.end - p.start) / 1000),
                    field(p.recording ?? ""), p.recordingSeconds.map { String(format: "%.1f", $0) } ?? "",
                    field(p.recordingOutcome ?? "")]
                .joined(separator: ",") + "\n"
        }
        return out
    }
}
