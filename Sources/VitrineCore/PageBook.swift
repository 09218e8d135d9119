import Foundation
import Synchronization
import VitrineModel
import VitrinePluginAPI

/// What the schedule needs of one laid-out page: its words (its reading time) and the lengths of the recordings it
/// plays. A playlist's cycle is the sum of its pages' times, so the schedule needs this of every page it rotates
/// through, but the page itself only of the page on screen.
public struct PageTiming: Hashable, Sendable {
    public var words: Int
    /// Milliseconds of each recording on the page whose length is known.
    public var recordings: [Int64]

    public init(words: Int, recordings: [Int64]) {
        self.words = words
        self.recordings = recordings
    }

    public init(_ page: Page) {
        self.init(words: page.words, recordings: page.media.compactMap(\.milliseconds))
    }
}

/// Pages as laid out, kept by what the layout depends on: the exhibit's content (in one language), the theme (with
/// a screen's visitor code and columns) and the surface. One book lives as long as the daemon: a reload's new
/// program finds every untouched exhibit's pages under the same key, and an edited exhibit under a new one.
///
/// The schedule asks for `timings` of every page it rotates through; frames ask for the `pages` of what is on
/// screen. Timings are small and all kept (and written to `file`, so a restart lays out nothing that did not change);
/// whole pages only for the last `recentLimit` layouts asked for.
///
/// Each key is laid out once: screens of the same size (a wall and its kiosk twin) go through the same playlist at
/// start-up, and the second waits for the first's pages rather than laying them out again beside it (which also
/// queued both on Pango's one lock).
public final class PageBook: Sendable {
    /// Where timings are kept across restarts (nil: in memory only).
    public let file: String?
    /// What else layouts depend on and keys do not say (the program's build, its fonts): a file written under
    /// another fingerprint is not read.
    let fingerprint: String
    /// Whole pages kept for this many keys (a screen asks again for the page it shows each time it is redrawn).
    let recentLimit: Int
    /// Timings not asked for in this many days are dropped when the book is written.
    static let keptDays: Int32 = 30

    private struct Timed {
        var timings: [PageTiming]
        /// Days since 1970 it was last asked for.
        var used: Int32
    }

    private struct State {
        var timings: [ContentDigest: Timed] = [:]
        var recent: [ContentDigest: (pages: [Page], used: Int)] = [:]
        var uses = 0
        /// Keys being laid out now, each with what the others asking for it wait on.
        var laying: [ContentDigest: DispatchGroup] = [:]
        /// Each exhibit version's digest, with the version it was made from (an edited exhibit gets a new one).
        var exhibits: [ExhibitVersion: (exhibit: Exhibit, digest: ContentDigest)] = [:]
        var themes: [Theme: ContentDigest] = [:]
        /// Layouts made (not found), since the book was made.
        var layouts = 0
        /// Timings added since the book was last written.
        var unsaved = false
    }

    private struct ExhibitVersion: Hashable {
        var id: ExhibitID
        var language: String?
    }

    private let state = Mutex(State())
    private let writing = Mutex(())

    public init(file: String? = nil, fingerprint: String = "", recentLimit: Int = 64) {
        self.file = file
        self.fingerprint = fingerprint
        self.recentLimit = recentLimit
    }

    /// Layouts made since the book was made (a test's or a benchmark's count of work done).
    public var layouts: Int { state.withLock { $0.layouts } }

    /// How many layouts' timings the book holds.
    public var count: Int { state.withLock { $0.timings.count } }

    // MARK: Keys

    /// The key of an exhibit version's pages in a theme on a surface.
    func key(exhibit: Exhibit, theme: Theme, surface: String) -> ContentDigest {
        let known = state.withLock { $0.themes[theme] }
        let themeDigest = known ?? ContentDigest(of: theme)
        if known == nil { state.withLock { $0.themes[theme] = themeDigest } }
        return key(exhibit: exhibit, themeDigest: themeDigest, surface: surface)
    }

    /// The same, for a theme whose digest the caller keeps.
    func key(exhibit: Exhibit, themeDigest: ContentDigest, surface: String) -> ContentDigest {
        digest(of: exhibit).with(themeDigest, surface)
    }

    /// The exhibit's digest, worked out once per version of it.
    func digest(of exhibit: Exhibit) -> ContentDigest {
        let version = ExhibitVersion(id: exhibit.id, language: exhibit.language)
        let known = state.withLock { state in state.exhibits[version].flatMap { $0.exhibit == exhibit ? $0.digest : nil } }
        let exhibitDigest = known ?? ContentDigest(of: exhibit)
        if known == nil { state.withLock { $0.exhibits[version] = (exhibit, exhibitDigest) } }
        return exhibitDigest
    }

    // MARK: Asking

    /// The timings of `key`'s pages, from the book, else from `layOut` (the pages are then kept among the recent).
    func timings(for key: ContentDigest, layOut: () -> [Page]) -> [PageTiming] {
        let today = Self.today()
        let found = state.withLock { state -> [PageTiming]? in
            guard var timed = state.timings[key] else { return nil }
            if timed.used != today {
                timed.used = today
                state.timings[key] = timed
            }
            return timed.timings
        }
        return found ?? pages(for: key, layOut: layOut).map(PageTiming.init)
    }

    /// The pages of `key`, laid out by `layOut` unless they are among the recent (by whichever caller asks first).
    func pages(for key: ContentDigest, layOut: () -> [Page]) -> [Page] {
        enum Step {
            case found([Page])
            case wait(DispatchGroup)
            case make(DispatchGroup)
        }
        let step = state.withLock { state -> Step in
            state.uses += 1
            if let recent = state.recent[key] {
                state.recent[key] = (recent.pages, state.uses)
                return .found(recent.pages)
            }
            if let laying = state.laying[key] { return .wait(laying) }
            let laying = DispatchGroup()
            laying.enter()
            state.laying[key] = laying
            return .make(laying)
        }
        switch step {
        case let .found(pages):
            return pages
        case let .wait(laying):
            laying.wait()
            if let pages = state.withLock({ $0.recent[key]?.pages }) { return pages }
            return pages(for: key, layOut: layOut)
        case let .make(laying):
            let pages = layOut()
            let today = Self.today()
            state.withLock { state in
                state.layouts += 1
                state.laying[key] = nil
                state.recent[key] = (pages, state.uses)
                if state.recent.count > recentLimit,
                   let oldest = state.recent.min(by: { $0.value.used < $1.value.used })?.key
                {
                    state.recent[oldest] = nil
                }
                let timings = pages.map(PageTiming.init)
                if state.timings[key]?.timings != timings {
                    state.timings[key] = Timed(timings: timings, used: today)
                    state.unsaved = true
                }
            }
            laying.leave()
            return pages
        }
    }

    static func today() -> Int32 { Int32(time(nil) / 86_400) }

    // MARK: Kept across restarts

    /// Why the file could not be used, when it exists and could not (nil when it was read, or there is none).
    public enum ReadProblem: Error, CustomStringConvertible {
        case unreadable(path: String, errno: Int32)
        case otherBuild(path: String)
        case damaged(path: String, at: Int)

        public var description: String {
            switch self {
            case let .unreadable(path, errno): "cannot read \(path): \(String(cString: strerror(errno)))"
            case let .otherBuild(path): "\(path) was written by another build or with other fonts; pages are laid out again"
            case let .damaged(path, offset): "\(path) is damaged at byte \(offset); pages are laid out again"
            }
        }
    }

    /// Reads the timings kept by an earlier run. A missing file is no problem (the first start); an unreadable,
    /// damaged or foreign one is left unused and reported, and written over at the next save.
    public func load() -> ReadProblem? {
        guard let file else { return nil }
        let descriptor = open(file, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return errno == ENOENT ? nil : .unreadable(path: file, errno: errno) }
        defer { close(descriptor) }
        var status = stat()
        // A cache larger than this was not written by us: 10,000 exhibits take about 1 MiB.
        guard fstat(descriptor, &status) == 0, status.st_size <= 256 << 20 else {
            return .damaged(path: file, at: 0)
        }
        var bytes = [UInt8](repeating: 0, count: Int(status.st_size))
        var filled = 0
        while filled < bytes.count {
            let n = bytes[filled...].withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { return .unreadable(path: file, errno: n < 0 ? errno : EIO) }
            filled += n
        }
        var reader = TimingFile.Reader(bytes: bytes)
        guard let header = reader.header() else { return .damaged(path: file, at: 0) }
        guard header == TimingFile.header(fingerprint) else { return .otherBuild(path: file) }
        var entries: [ContentDigest: Timed] = [:]
        while !reader.atEnd {
            guard let (key, timings, used) = reader.entry() else { return .damaged(path: file, at: reader.offset) }
            entries[key] = Timed(timings: timings, used: used)
        }
        state.withLock { state in state.timings.merge(entries) { current, _ in current } }
        return nil
    }

    /// Writes the timings (those asked for in the last `keptDays` days) if any were added since the last write:
    /// to a new file renamed over the old, so a crash never leaves half a file.
    public func save() throws {
        guard let file else { return }
        try writing.withLock { _ in
            let oldest = Self.today() - Self.keptDays
            let entries = state.withLock { state -> [(ContentDigest, Timed)]? in
                guard state.unsaved else { return nil }
                state.unsaved = false
                state.timings = state.timings.filter { $0.value.used >= oldest }
                return state.timings.map { ($0.key, $0.value) }
            }
            guard let entries else { return }
            var bytes = Array(TimingFile.header(fingerprint).utf8)
            for (key, timed) in entries { TimingFile.append(key, timed.timings, used: timed.used, to: &bytes) }
            let folder = (file as NSString).deletingLastPathComponent
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let temporary = file + ".new"
            do {
                try Data(bytes).write(to: URL(fileURLWithPath: temporary))
                guard rename(temporary, file) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            } catch {
                unlink(temporary)
                state.withLock { $0.unsaved = true }
                throw error
            }
        }
    }
}

/// The book's file: a header line (format and fingerprint), then per layout its key, the day it was last used, and
/// each page's words and recording lengths, little-endian.
enum TimingFile {
    static func header(_ fingerprint: String) -> String {
        "vitrine page timings 1 \(fingerprint.replacingOccurrences(of: "\n", with: " "))\n"
    }

    static func append(_ key: ContentDigest, _ timings: [PageTiming], used: Int32, to bytes: inout [UInt8]) {
        func put<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
        put(key.high)
        put(key.low)
        put(used)
        put(UInt32(timings.count))
        for timing in timings {
            put(UInt32(clamping: timing.words))
            put(UInt32(timing.recordings.count))
            for milliseconds in timing.recordings { put(milliseconds) }
        }
    }

    struct Reader {
        let bytes: [UInt8]
        var offset = 0
        var atEnd: Bool { offset >= bytes.count }

        init(bytes: [UInt8]) { self.bytes = bytes }

        mutating func header() -> String? {
            guard let end = bytes.firstIndex(of: 0x0A) else { return nil }
            offset = end + 1
            return String(decoding: bytes[..<offset], as: UTF8.self)
        }

        private mutating func take<T: FixedWidthInteger>(_: T.Type) -> T? {
            let size = MemoryLayout<T>.size
            guard offset + size <= bytes.count else { return nil }
            let value = bytes.withUnsafeBytes { T(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: T.self)) }
            offset += size
            return value
        }

        mutating func entry() -> (ContentDigest, [PageTiming], Int32)? {
            guard let high = take(UInt64.self), let low = take(UInt64.self), let used = take(Int32.self),
                  let count = take(UInt32.self), count <= 100_000 else { return nil }
            var timings: [PageTiming] = []
            timings.reserveCapacity(Int(count))
            for _ in 0..<count {
                guard let words = take(UInt32.self), let recordings = take(UInt32.self), recordings <= 10_000
                else { return nil }
                var lengths: [Int64] = []
                for _ in 0..<recordings {
                    guard let milliseconds = take(Int64.self) else { return nil }
                    lengths.append(milliseconds)
                }
                timings.append(PageTiming(words: Int(words), recordings: lengths))
            }
            return (ContentDigest(high: high, low: low), timings, used)
        }
    }
}
