import Foundation
import VitrineModel

/// Wall-clock arithmetic in the venue's time zone, in milliseconds since 1970. The schedule never reads a clock;
/// this only converts between instants and the venue's calendar, DST included.
public struct VenueCalendar: Sendable {
    public let zone: ZoneInfo

    public init(zone: ZoneInfo) {
        self.zone = zone
    }

    public init?(identifier: String) {
        guard let zone = ZoneInfo(identifier: identifier) else { return nil }
        self.init(zone: zone)
    }

    public struct LocalTime: Hashable, Sendable {
        public var date: LocalDate
        public var time: TimeOfDay
        public var second: Int
    }

    /// Wall-clock time at an instant. Only the zone's offset comes from the time zone database; the calendar
    /// arithmetic is proleptic Gregorian done here (cheaper than a Foundation Calendar, and it keeps ICU's calendar
    /// data out of the idle daemon's memory).
    public func local(_ ms: Int64) -> LocalTime {
        let seconds = Int64((Double(ms) / 1000).rounded(.down))
        let wall = seconds + Int64(zone.offset(at: seconds))
        let days = Int((Double(wall) / 86_400).rounded(.down))
        let secondOfDay = Int(wall - Int64(days) * 86_400)
        return LocalTime(
            date: Self.civil(fromDays: days),
            time: TimeOfDay(minutes: secondOfDay / 60),
            second: secondOfDay % 60
        )
    }

    public func localDate(_ ms: Int64) -> LocalDate { local(ms).date }

    public func weekday(of day: LocalDate) -> Weekday {
        // Zeller-free: days since 1970-01-01 (a Thursday).
        let days = Self.daysSince1970(day)
        let index = ((days % 7) + 7 + 4) % 7  // 0 = Sunday
        return Weekday(rawValue: index + 1)!
    }

    public static func daysSince1970(_ d: LocalDate) -> Int {
        // Howard Hinnant's days_from_civil.
        let y = d.month <= 2 ? d.year - 1 : d.year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (d.month + 9) % 12
        let doy = (153 * mp + 2) / 5 + d.day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public static func civil(fromDays z0: Int) -> LocalDate {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return LocalDate(year: yoe + era * 400 + (m <= 2 ? 1 : 0), month: m, day: d)
    }

    public func adding(days: Int, to day: LocalDate) -> LocalDate {
        Self.civil(fromDays: Self.daysSince1970(day) + days)
    }

    /// The instant at which the venue's clocks show `time` on `day`. A time skipped by a DST change (spring
    /// forward) maps to the moment of the change; a repeated time (fall back) to its first occurrence.
    public func instant(_ day: LocalDate, _ time: TimeOfDay, second: Int = 0) -> Int64 {
        let wall = Int64(Self.daysSince1970(day)) * 86_400 + Int64(time.minutes) * 60 + Int64(second)
        let before = Int64(zone.offset(at: wall - 86_400))
        let after = Int64(zone.offset(at: wall + 86_400))
        var candidates: [Int64] = []
        for offset in Set([before, after]) {
            let t = wall - offset
            if Int64(zone.offset(at: t)) == offset {
                candidates.append(t)
            }
        }
        if let first = candidates.min() { return first * 1000 }
        // In the gap: the change itself lies between the two readings.
        let earliest = wall - max(before, after)
        if let change = zone.nextTransition(after: earliest - 1) { return change * 1000 }
        return (wall - before) * 1000
    }

    public func startOfDay(_ day: LocalDate) -> Int64 { instant(day, TimeOfDay(minutes: 0)) }

    /// Instants of a daily range that starts on `day`; the end falls on the next day when it crosses midnight.
    public func window(_ range: TimeRange, on day: LocalDate) -> (start: Int64, end: Int64) {
        let start = instant(day, range.start)
        let end: Int64
        if range.end.minutes == 24 * 60 {
            end = startOfDay(adding(days: 1, to: day))
        } else if range.crossesMidnight {
            end = instant(adding(days: 1, to: day), range.end)
        } else {
            end = instant(day, range.end)
        }
        return (start, max(end, start))
    }

    /// Parses `YYYY-MM-DDTHH:MM[:SS]` as venue time, or with `Z`/`±HH:MM` as an absolute instant.
    public func parseDateTime(_ text: String) -> Int64? {
        let s = text.trimmingCharacters(in: .whitespaces)
        if let day = LocalDate(iso: s) { return startOfDay(day) }
        let separators: Set<Character> = ["T", "t", " "]
        guard let split = s.firstIndex(where: { separators.contains($0) }),
              let day = LocalDate(iso: String(s[..<split]))
        else { return nil }
        var rest = String(s[s.index(after: split)...])
        var offsetSeconds: Int?
        if rest.hasSuffix("Z") || rest.hasSuffix("z") {
            offsetSeconds = 0
            rest.removeLast()
        } else if let sign = rest.lastIndex(where: { $0 == "+" || $0 == "-" }) {
            let zone = rest[rest.index(after: sign)...].split(separator: ":")
            guard zone.count == 2 || (zone.count == 1 && zone[0].count == 4),
                  let h = Int(zone.count == 2 ? zone[0] : zone[0].prefix(2)),
                  let m = Int(zone.count == 2 ? zone[1] : zone[0].suffix(2)), h < 24, m < 60
            else { return nil }
            offsetSeconds = (h * 3600 + m * 60) * (rest[sign] == "-" ? -1 : 1)
            rest = String(rest[..<sign])
        }
        let parts = rest.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3,
              let time = TimeOfDay(text: "\(parts[0]):\(parts[1])"), time.minutes < 24 * 60
        else { return nil }
        var second = 0
        if parts.count == 3 {
            guard let sec = Double(parts[2]), sec >= 0, sec < 60 else { return nil }
            second = Int(sec)
        }
        if let offsetSeconds {
            let wall = Int64(Self.daysSince1970(day)) * 86_400 + Int64(time.minutes) * 60 + Int64(second)
            return (wall - Int64(offsetSeconds)) * 1000
        }
        return instant(day, time, second: second)
    }

    /// `2026-11-29 14:02` in venue time, or with the offset when `withOffset`.
    public func format(_ ms: Int64, seconds: Bool = false) -> String {
        let l = local(ms)
        let sec = l.second < 10 ? "0\(l.second)" : "\(l.second)"
        return "\(l.date) \(l.time)" + (seconds ? ":\(sec)" : "")
    }
}
