import Foundation
import VitrineModel

/// A time zone read from the system's time zone database (`/usr/share/zoneinfo`, Debian's `tzdata`), in the TZif
/// format of RFC 8536: UTC offsets and the instants they change.
///
/// Why not Foundation's TimeZone: on Linux it answers from the ICU data compiled into the binary, so a country
/// that changes its clocks is only followed after Vitrine is rebuilt, while `apt upgrade` keeps tzdata current on
/// every display computer; and ICU's zone tables would cost the idle daemon several megabytes of memory.
public struct ZoneInfo: Sendable, Hashable {
    public let identifier: String
    /// Instants (seconds since 1970) at which the offset changes, ascending.
    let transitions: [Int64]
    /// The offset in force from each transition on.
    let offsets: [Int32]
    /// The offset before the first transition.
    let initialOffset: Int32
    /// The rule after the last transition (the file's footer), if any.
    let rule: PosixRule?

    public static let utc = ZoneInfo(identifier: "UTC", transitions: [], offsets: [], initialOffset: 0, rule: nil)

    /// Where the database is: `TZDIR` when set, as for the C library.
    public static var databaseFolder: String { ProcessInfo.processInfo.environment["TZDIR"] ?? "/usr/share/zoneinfo" }

    /// The zone named by an IANA identifier such as `Europe/Paris`, or nil when the database has no such zone.
    public init?(identifier: String, database: String = ZoneInfo.databaseFolder) {
        if identifier == "UTC" || identifier == "Etc/UTC" {
            self = .utc
            return
        }
        // A name, never a path: no "..", no absolute paths, only the characters zone names use.
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/_+-")
        guard !identifier.isEmpty, identifier.count < 128, identifier.allSatisfy(allowed.contains),
              !identifier.hasPrefix("/"), !identifier.split(separator: "/").contains(where: { $0.hasPrefix(".") }),
              let data = FileManager.default.contents(atPath: database + "/" + identifier),
              let parsed = ZoneInfo.parse([UInt8](data), identifier: identifier)
        else { return nil }
        self = parsed
    }

    init(identifier: String, transitions: [Int64], offsets: [Int32], initialOffset: Int32, rule: PosixRule?) {
        self.identifier = identifier
        self.transitions = transitions
        self.offsets = offsets
        self.initialOffset = initialOffset
        self.rule = rule
    }

    /// The system's zone: `TZ` when it names a zone, else the zone `/etc/localtime` links to, else
    /// `/etc/timezone`, else UTC.
    public static var systemIdentifier: String {
        if var tz = ProcessInfo.processInfo.environment["TZ"], !tz.isEmpty {
            if tz.hasPrefix(":") { tz.removeFirst() }
            if ZoneInfo(identifier: tz) != nil { return tz }
        }
        if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/etc/localtime"),
           let range = target.range(of: "zoneinfo/")
        {
            let name = String(target[range.upperBound...])
            if ZoneInfo(identifier: name) != nil { return name }
        }
        if let text = try? String(contentsOfFile: "/etc/timezone", encoding: .utf8) {
            let name = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if ZoneInfo(identifier: name) != nil { return name }
        }
        return "UTC"
    }

    /// Seconds east of UTC at an instant (seconds since 1970).
    public func offset(at instant: Int64) -> Int {
        guard let last = transitions.last else { return Int(rule?.offset(at: instant) ?? initialOffset) }
        if instant >= last, let rule { return Int(rule.offset(at: instant)) }
        // The last transition at or before the instant.
        var low = 0, high = transitions.count
        while low < high {
            let mid = (low + high) / 2
            if transitions[mid] <= instant { low = mid + 1 } else { high = mid }
        }
        return Int(low == 0 ? initialOffset : offsets[low - 1])
    }

    /// The first instant after `instant` at which the offset changes, if any.
    public func nextTransition(after instant: Int64) -> Int64? {
        var index = transitions.firstIndex { $0 > instant }
        // Skip entries that change only the abbreviation or the DST flag, not the offset.
        while let i = index, offset(at: transitions[i]) == offset(at: transitions[i] - 1) {
            index = i + 1 < transitions.count ? i + 1 : nil
        }
        if let index { return transitions[index] }
        return rule?.nextTransition(after: max(instant, transitions.last ?? instant))
    }

    // MARK: - TZif

    private static func parse(_ bytes: [UInt8], identifier: String) -> ZoneInfo? {
        var reader = ByteReader(bytes: bytes)
        guard let v1 = reader.header() else { return nil }
        var transitions: [Int64] = [], indices: [Int] = [], types: [Int32] = []
        if v1.version >= 2 {
            // Skip the 32-bit block; the 64-bit block after it covers every instant.
            reader.skip(v1.timecnt * 5 + v1.typecnt * 6 + v1.charcnt + v1.leapcnt * 8 + v1.isstdcnt + v1.isutcnt)
            guard let v2 = reader.header() else { return nil }
            (transitions, indices, types) = reader.body(v2, timeSize: 8)
            reader.skip(v2.charcnt + v2.leapcnt * 12 + v2.isstdcnt + v2.isutcnt)
        } else {
            (transitions, indices, types) = reader.body(v1, timeSize: 4)
        }
        guard !types.isEmpty, transitions.count == indices.count, indices.allSatisfy({ $0 < types.count }) else {
            return nil
        }
        var rule: PosixRule?
        if v1.version >= 2, let footer = reader.footer(), !footer.isEmpty {
            rule = PosixRule(footer)
        }
        return ZoneInfo(identifier: identifier, transitions: transitions, offsets: indices.map { types[$0] },
                        initialOffset: types[0], rule: rule)
    }

    private struct Header {
        var version: Int
        var isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt: Int
    }

    private struct ByteReader {
        let bytes: [UInt8]
        var at = 0

        mutating func skip(_ n: Int) { at = min(bytes.count, at + n) }

        mutating func integer(_ size: Int) -> Int64? {
            guard at + size <= bytes.count else { return nil }
            var value: Int64 = 0
            for i in 0..<size { value = value << 8 | Int64(bytes[at + i]) }
            at += size
            // Sign-extend.
            let shift = Int64(64 - size * 8)
            return (value << shift) >> shift
        }

        mutating func header() -> Header? {
            guard at + 44 <= bytes.count, Array(bytes[at..<at + 4]) == Array("TZif".utf8) else { return nil }
            let version = bytes[at + 4] == 0 ? 1 : Int(bytes[at + 4]) - 0x30
            skip(20)
            var counts: [Int] = []
            for _ in 0..<6 {
                guard let n = integer(4), n >= 0, n < 1_000_000 else { return nil }
                counts.append(Int(n))
            }
            return Header(version: version, isutcnt: counts[0], isstdcnt: counts[1], leapcnt: counts[2],
                          timecnt: counts[3], typecnt: counts[4], charcnt: counts[5])
        }

        mutating func body(_ h: Header, timeSize: Int) -> ([Int64], [Int], [Int32]) {
            var transitions: [Int64] = [], indices: [Int] = [], types: [Int32] = []
            for _ in 0..<h.timecnt { if let t = integer(timeSize) { transitions.append(t) } }
            for _ in 0..<h.timecnt { if let i = integer(1) { indices.append(Int(UInt8(truncatingIfNeeded: i))) } }
            for _ in 0..<h.typecnt {
                guard let offset = integer(4) else { break }
                skip(2)  // isdst, abbreviation index
                types.append(Int32(truncatingIfNeeded: offset))
            }
            return (transitions, indices, types)
        }

        mutating func footer() -> String? {
            guard at < bytes.count, bytes[at] == 0x0A else { return nil }
            guard let end = bytes[(at + 1)...].firstIndex(of: 0x0A) else { return nil }
            return String(decoding: bytes[(at + 1)..<end], as: UTF8.self)
        }
    }
}

/// A POSIX TZ rule such as `CET-1CEST,M3.5.0,M10.5.0/3`: how a zone's clocks change in the years after its file's
/// last listed transition.
struct PosixRule: Sendable, Hashable {
    /// Seconds east of UTC for standard and daylight time.
    var standard: Int32
    var daylight: Int32?
    var start: DateRule?
    var end: DateRule?

    enum Day: Sendable, Hashable {
        /// Month 1-12, week 1-5 (5: last), weekday 0-6 (Sunday 0).
        case monthWeekDay(Int, Int, Int)
        /// Day of the year 1-365, never counting 29 February.
        case julian(Int)
        /// Day of the year 0-365, counting 29 February.
        case zeroBased(Int)
    }

    struct DateRule: Sendable, Hashable {
        var day: Day
        /// Local time of the change, seconds after midnight (may be negative or past 24 hours).
        var time: Int
    }

    init?(_ text: String) {
        var scanner = Array(text.unicodeScalars)[...]
        guard PosixRule.name(&scanner), let std = PosixRule.time(&scanner) else { return nil }
        standard = Int32(-std)
        if scanner.isEmpty { return }
        guard PosixRule.name(&scanner) else { return nil }
        var dst = std - 3600
        if let first = scanner.first, first != ",", let explicit = PosixRule.time(&scanner) { dst = explicit }
        daylight = Int32(-dst)
        guard scanner.popFirst() == ",", let start = PosixRule.dateRule(&scanner), scanner.popFirst() == ",",
              let end = PosixRule.dateRule(&scanner), scanner.isEmpty
        else { return nil }
        self.start = start
        self.end = end
    }

    private static func name(_ s: inout ArraySlice<Unicode.Scalar>) -> Bool {
        if s.first == "<" {
            guard let close = s.firstIndex(of: ">") else { return false }
            s = s[(close + 1)...]
            return true
        }
        let letters = s.prefix { $0.properties.isAlphabetic }
        guard letters.count >= 3 else { return false }
        s = s.dropFirst(letters.count)
        return true
    }

    /// `[+-]hh[:mm[:ss]]` in seconds.
    private static func time(_ s: inout ArraySlice<Unicode.Scalar>) -> Int? {
        var sign = 1
        if s.first == "+" || s.first == "-" { sign = s.popFirst() == "-" ? -1 : 1 }
        var parts: [Int] = []
        repeat {
            if !parts.isEmpty { s = s.dropFirst() }
            let digits = s.prefix { $0.properties.numericType != nil && $0.isASCII }
            guard !digits.isEmpty, let n = Int(String(String.UnicodeScalarView(digits))) else { return nil }
            parts.append(n)
            s = s.dropFirst(digits.count)
        } while s.first == ":" && parts.count < 3
        let seconds = parts[0] * 3600 + (parts.count > 1 ? parts[1] * 60 : 0) + (parts.count > 2 ? parts[2] : 0)
        return sign * seconds
    }

    private static func number(_ s: inout ArraySlice<Unicode.Scalar>) -> Int? {
        let digits = s.prefix { $0.isASCII && $0.properties.numericType != nil }
        guard !digits.isEmpty, let n = Int(String(String.UnicodeScalarView(digits))) else { return nil }
        s = s.dropFirst(digits.count)
        return n
    }

    private static func dateRule(_ s: inout ArraySlice<Unicode.Scalar>) -> DateRule? {
        let day: Day
        if s.first == "M" {
            s = s.dropFirst()
            guard let m = number(&s), s.popFirst() == ".", let w = number(&s), s.popFirst() == ".",
                  let d = number(&s), (1...12).contains(m), (1...5).contains(w), (0...6).contains(d)
            else { return nil }
            day = .monthWeekDay(m, w, d)
        } else if s.first == "J" {
            s = s.dropFirst()
            guard let n = number(&s), (1...365).contains(n) else { return nil }
            day = .julian(n)
        } else {
            guard let n = number(&s), (0...365).contains(n) else { return nil }
            day = .zeroBased(n)
        }
        var time = 7200
        if s.first == "/" {
            s = s.dropFirst()
            guard let t = PosixRule.time(&s) else { return nil }
            time = t
        }
        return DateRule(day: day, time: time)
    }

    /// Days since 1970 of the rule's day in `year`.
    private static func days(_ day: Day, year: Int) -> Int {
        let january1 = VenueCalendar.daysSince1970(LocalDate(year: year, month: 1, day: 1))
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        switch day {
        case let .julian(n): return january1 + n - 1 + (leap && n >= 60 ? 1 : 0)
        case let .zeroBased(n): return january1 + n
        case let .monthWeekDay(month, week, weekday):
            let first = VenueCalendar.daysSince1970(LocalDate(year: year, month: month, day: 1))
            let firstWeekday = ((first % 7) + 7 + 4) % 7  // 1970-01-01 was a Thursday
            var day = first + (weekday - firstWeekday + 7) % 7 + (week - 1) * 7
            let nextMonth = VenueCalendar.daysSince1970(
                LocalDate(year: month == 12 ? year + 1 : year, month: month == 12 ? 1 : month + 1, day: 1))
            while day >= nextMonth { day -= 7 }
            return day
        }
    }

    /// The UTC instants daylight time starts and ends in `year`.
    private func changes(in year: Int) -> (start: Int64, end: Int64)? {
        guard let start, let end, let daylight else { return nil }
        // The start is given in standard time, the end in daylight time.
        let s = Int64(Self.days(start.day, year: year)) * 86_400 + Int64(start.time) - Int64(standard)
        let e = Int64(Self.days(end.day, year: year)) * 86_400 + Int64(end.time) - Int64(daylight)
        return (s, e)
    }

    private static func year(of instant: Int64) -> Int {
        VenueCalendar.civil(fromDays: Int((Double(instant) / 86_400).rounded(.down))).year
    }

    func offset(at instant: Int64) -> Int32 {
        guard let daylight, let (start, end) = changes(in: Self.year(of: instant)) else { return standard }
        // Southern hemisphere zones end daylight time before they start it within a calendar year.
        let inDaylight = start < end ? (instant >= start && instant < end) : !(instant >= end && instant < start)
        return inDaylight ? daylight : standard
    }

    func nextTransition(after instant: Int64) -> Int64? {
        guard daylight != nil, daylight != standard else { return nil }
        let year = Self.year(of: instant)
        for y in year...(year + 1) {
            guard let (start, end) = changes(in: y) else { return nil }
            if let next = [start, end].filter({ $0 > instant }).min() { return next }
        }
        return nil
    }
}
