import Foundation
import Testing
@testable import VitrineCore

/// The venue's time zone comes from the system's tz database (Debian's tzdata). Checked against Foundation's
/// TimeZone (ICU's copy of the same database) across zones with unusual rules, on both sides of 2037, where the
/// files stop listing transitions and the POSIX rule in their footer takes over.
@Suite struct ZoneInfoTests {
    // Southern hemisphere, half and three-quarter hours, negative DST (Dublin), DST abolished (São Paulo, Moscow).
    static let zones = ["Europe/Paris", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "Pacific/Chatham",
                        "America/Sao_Paulo", "Europe/Dublin", "Europe/Moscow", "Asia/Tokyo", "America/St_Johns",
                        "Australia/Lord_Howe", "UTC"]

    @Test(arguments: zones)
    func offsetsAgreeWithFoundation(identifier: String) throws {
        let zone = try #require(ZoneInfo(identifier: identifier))
        let reference = try #require(TimeZone(identifier: identifier))
        // Every 61 hours from 1995 to 2060: every hour of the day and every weekday come round.
        var t: Int64 = 788_918_400
        var checked = 0
        while t < 2_871_763_200 {
            let expected = reference.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(t)))
            #expect(zone.offset(at: t) == expected, "\(identifier) at \(t)")
            if zone.offset(at: t) != expected { return }
            t += 61 * 3600
            checked += 1
        }
        #expect(checked > 9000)
    }

    @Test(arguments: ["Europe/Paris", "Australia/Sydney", "Europe/Dublin"])
    func transitionsAgreeWithFoundation(identifier: String) throws {
        let zone = try #require(ZoneInfo(identifier: identifier))
        let reference = try #require(TimeZone(identifier: identifier))
        var t: Int64 = 1_577_836_800  // 2020, through 2045 (past the files' last listed change)
        for _ in 0..<50 {
            let expected = try #require(reference.nextDaylightSavingTimeTransition(
                after: Date(timeIntervalSince1970: TimeInterval(t))))
            let next = try #require(zone.nextTransition(after: t))
            #expect(next == Int64(expected.timeIntervalSince1970), "\(identifier) after \(t)")
            t = next
        }
    }

    @Test func namesAreZonesNotPaths() {
        #expect(ZoneInfo(identifier: "Europe/Nowhere") == nil)
        #expect(ZoneInfo(identifier: "../../etc/passwd") == nil)
        #expect(ZoneInfo(identifier: "/etc/localtime") == nil)
        #expect(ZoneInfo(identifier: "") == nil)
        #expect(ZoneInfo(identifier: "UTC")?.offset(at: 0) == 0)
    }

    @Test func posixRulesOfTheFooter() throws {
        let paris = try #require(PosixRule("CET-1CEST,M3.5.0,M10.5.0/3"))
        #expect(paris.offset(at: 1_782_864_000) == 7200, "2026-07-01: summer time")
        #expect(paris.offset(at: 1_767_225_600) == 3600, "2026-01-01: winter time")
        // 2026-03-29 01:00 UTC is the change; 2026-10-25 01:00 UTC the change back.
        #expect(paris.nextTransition(after: 1_767_225_600) == 1_774_746_000)
        #expect(paris.nextTransition(after: 1_774_746_000) == 1_792_890_000)
        let tehran = try #require(PosixRule("<+0330>-3:30"))
        #expect(tehran.offset(at: 0) == 12_600 && tehran.nextTransition(after: 0) == nil)
        #expect(PosixRule("CET-1CEST,M13.5.0,M10.5.0") == nil)
        #expect(PosixRule("") == nil)
    }
}
