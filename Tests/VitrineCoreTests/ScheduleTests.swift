import Testing
import VitrineCore
import VitrineModel
import VitrineTestKit

/// The schedule pinned to explicit dates, in two time zones with different DST rules.
@Suite struct ScheduleTests {
    func range(_ text: String) -> TimeRange { TimeRange(text: text)! }
    func day(_ text: String) -> LocalDate { LocalDate(iso: text)! }

    func exhibitShown(_ program: Program, at iso: String, screen: String = "hall") -> String? {
        guard case let .exhibit(id, _, _)? = program.presentation(for: screen, at: instant(iso))?.content else {
            return nil
        }
        return id.rawValue
    }

    // MARK: Rotation counts from a fixed epoch

    @Test func rotationCountsFromOpeningNotFromWhenTheDaemonStarted() {
        let builder = ProgramBuilder(timeZone: "Europe/Paris")
        builder.configuration.hours = OpeningHours(everyDay: [range("10:00-18:00")])
        builder.exhibit("a", pages: 2, seconds: 30).exhibit("b", seconds: 60)
        let program = builder.build()
        // Cycle: a1 10:00:00, a2 10:00:30, b 10:01:00, a1 10:02:00 ...
        #expect(exhibitShown(program, at: "2026-12-02T10:00:00+01:00") == "a")
        #expect(exhibitShown(program, at: "2026-12-02T10:01:59+01:00") == "b")
        let p = program.presentation(for: "hall", at: instant("2026-12-02T10:02:45+01:00"))!
        #expect(p.content == .exhibit("a", page: 1, pageCount: 2))
        #expect(p.validFrom == instant("2026-12-02T10:02:30+01:00"))
        #expect(p.validUntil == instant("2026-12-02T10:03:00+01:00"))
    }

    @Test func validUntilIsExactlyTheNextChange() {
        let builder = ProgramBuilder(timeZone: "America/New_York")
        builder.configuration.hours = OpeningHours(everyDay: [range("09:00-17:00")])
        builder.exhibit("a", pages: 3, seconds: 20).exhibit("b", pages: 1, seconds: 45).exhibit("c", seconds: 7)
        let program = builder.build()
        var t = instant("2026-06-10T08:59:00-04:00")
        let end = instant("2026-06-10T17:01:00-04:00")
        var changes = 0
        while t < end {
            let p = program.presentation(for: "hall", at: t)!
            #expect(p.validUntil > t)
            // Anything asked for inside the interval gives the same answer: a restarted daemon resumes there.
            let middle = program.presentation(for: "hall", at: t + (p.validUntil - t) / 2)!
            #expect(middle.showsSame(as: p) && middle.validUntil == p.validUntil)
            #expect(program.presentation(for: "hall", at: p.validUntil - 1)!.showsSame(as: p))
            t = p.validUntil
            changes += 1
        }
        // 8 hours of a 112-second cycle of 5 pages, plus the opening and closing changes.
        #expect(changes == (8 * 3600 * 5 + 111) / 112 + 2)
    }

    @Test func weightSpreadsRepeatsThroughTheCycle() {
        let builder = ProgramBuilder(timeZone: "UTC")
        builder.exhibit("a", seconds: 10, weight: 3).exhibit("b", seconds: 10)
        let program = builder.build()
        let start = instant("2026-01-05T00:00:00Z")
        let shown = (0..<8).map { slot -> String in
            guard case let .exhibit(id, _, _)? = program.presentation(for: "hall", at: start + Int64(slot) * 10_000)?
                .content else { return "-" }
            return id.rawValue
        }
        #expect(shown == ["a", "a", "b", "a", "a", "a", "b", "a"])
    }

    // MARK: Opening hours

    @Test func hoursThatCrossMidnightKeepTheirEpoch() {
        let builder = ProgramBuilder(timeZone: "Europe/Paris")
        builder.configuration.hours = OpeningHours(weekly: [.saturday: [range("20:00-02:00")]], everyDay: [])
        builder.exhibit("a").exhibit("b")  // ten minutes each
        let program = builder.build()
        // Saturday 2026-12-05 20:00 opens; Sunday 01:30 is 330 minutes in: slot 33, b.
        #expect(exhibitShown(program, at: "2026-12-05T20:05:00+01:00") == "a")
        #expect(exhibitShown(program, at: "2026-12-06T01:30:00+01:00") == "b")
        let last = program.presentation(for: "hall", at: instant("2026-12-06T01:55:00+01:00"))!
        #expect(last.validUntil == instant("2026-12-06T02:00:00+01:00"))
        let after = program.presentation(for: "hall", at: instant("2026-12-06T02:00:00+01:00"))!
        #expect(after.content == .blank && after.reason == .afterHours)
        // Dark (the display off) until five minutes before next Saturday evening's opening, when it wakes.
        #expect(after.validUntil == instant("2026-12-12T19:55:00+01:00"), "dark until next Saturday evening")
        #expect(!after.displayOn)
        #expect(exhibitShown(program, at: "2026-12-05T19:59:59+01:00") == nil)
    }

    @Test func closedDatesStopRangesThatStartOnThem() {
        let builder = ProgramBuilder(timeZone: "Europe/Paris")
        builder.configuration.hours = OpeningHours(everyDay: [range("18:00-02:00")],
                                                   closed: [day("2026-12-25")])
        builder.exhibit("a")
        let program = builder.build()
        // The evening of the 24th runs past midnight into the closed day...
        #expect(exhibitShown(program, at: "2026-12-25T01:00:00+01:00") == "a")
        // ...but nothing opens on the 25th itself.
        let evening = program.presentation(for: "hall", at: instant("2026-12-25T20:00:00+01:00"))!
        #expect(evening.content == .blank)
        // The display wakes five minutes before the 26th opens (`power.wake-before`).
        #expect(evening.validUntil == instant("2026-12-26T17:55:00+01:00"))
    }

    @Test func afterHoursCanShowAPlaylist() {
        let builder = ProgramBuilder(timeZone: "Europe/Paris")
        builder.configuration.hours = OpeningHours(everyDay: [range("10:00-18:00")])
        builder.configuration.afterHours = .playlist("night")
        builder.exhibit("a").exhibit("window", playlist: "night")
        let program = builder.build()
        let p = program.presentation(for: "hall", at: instant("2026-12-02T23:00:00+01:00"))!
        #expect(p.content == .exhibit("window", page: 0, pageCount: 1))
        #expect(p.reason == .afterHours)
        #expect(p.validUntil <= instant("2026-12-03T00:00:00+01:00"))
    }

    // MARK: DST

    @Test func springForwardInParisShortensTheNightWithoutSkippingSlots() {
        let builder = ProgramBuilder(timeZone: "Europe/Paris")
        builder.configuration.hours = OpeningHours(everyDay: [range("01:00-05:00")])
        builder.exhibit("a").exhibit("b")
        let program = builder.build()
        // 2026-03-29: clocks go from 02:00 to 03:00. 01:00+01:00 to 05:00+02:00 is three hours.
        let open = instant("2026-03-29T01:00:00+01:00"), close = instant("2026-03-29T05:00:00+02:00")
        #expect(close - open == 3 * 3_600_000)
        let timeline = program.timeline(for: "hall", from: open, until: close)
        #expect(timeline.count == 18)
        #expect(timeline.allSatisfy { $0.validUntil - $0.validFrom == 600_000 })
        #expect(exhibitShown(program, at: "2026-03-29T03:05:00+02:00") == "a", "slot 6 of the night")
        #expect(program.presentation(for: "hall", at: close)!.content == .blank)
    }

    @Test func aRangeThatStartsInTheSkippedHourOpensAtTheChange() {
        let builder = ProgramBuilder(timeZone: "Europe/Paris")
        builder.configuration.hours = OpeningHours(everyDay: [range("02:30-04:00")])
        builder.exhibit("a")
        let program = builder.build()
        #expect(exhibitShown(program, at: "2026-03-29T01:59:59+01:00") == nil, "a second before the change")
        let first = program.presentation(for: "hall", at: instant("2026-03-29T03:00:00+02:00"))!
        #expect(first.content == .exhibit("a", page: 0, pageCount: 1))
        #expect(first.validFrom == instant("2026-03-29T03:00:00+02:00"))
    }

    @Test func fallBackInParisCountsTheRepeatedHourOnce() {
        let builder = ProgramBuilder(timeZone: "Europe/Paris")
        builder.configuration.hours = OpeningHours(everyDay: [range("01:00-05:00")])
        builder.exhibit("a").exhibit("b")
        let program = builder.build()
        // 2026-10-25: clocks go from 03:00 back to 02:00. The night lasts five hours.
        let open = instant("2026-10-25T01:00:00+02:00"), close = instant("2026-10-25T05:00:00+01:00")
        #expect(close - open == 5 * 3_600_000)
        let timeline = program.timeline(for: "hall", from: open, until: close)
        #expect(timeline.count == 30)
        #expect(timeline.allSatisfy { $0.validUntil - $0.validFrom == 600_000 })
        // 02:30 happens twice, 60 minutes apart: slots 9 and 15, both b; 02:05 twice: slots 6 and 12, both a.
        #expect(exhibitShown(program, at: "2026-10-25T02:05:00+02:00") == "a")
        #expect(exhibitShown(program, at: "2026-10-25T02:05:00+01:00") == "a")
        #expect(exhibitShown(program, at: "2026-10-25T02:15:00+02:00") == "b")
    }

    @Test func newYorkDSTDaysAreTwentyThreeAndTwentyFiveHoursLong() {
        let builder = ProgramBuilder(timeZone: "America/New_York")
        builder.configuration.epoch = .midnight
        builder.exhibit("a", seconds: 420).exhibit("b", seconds: 420).exhibit("c", seconds: 420)
        let program = builder.build()
        // 2026-03-08: 12:00 EDT is 11 hours after midnight EST: slot 94 (c is slot 2 mod 3, b is 1).
        #expect(exhibitShown(program, at: "2026-03-08T12:00:00-04:00") == "b")
        // A normal day: 12:00 is 12 hours in, slot 102, a.
        #expect(exhibitShown(program, at: "2026-03-07T12:00:00-05:00") == "a")
        // 2026-11-01: 12:00 EST is 13 hours after midnight EDT: slot 111, a.
        #expect(exhibitShown(program, at: "2026-11-01T12:00:00-05:00") == "a")
        let short = program.timeline(for: "hall", from: instant("2026-03-08T00:00:00-05:00"),
                                     until: instant("2026-03-09T00:00:00-04:00"))
        let long = program.timeline(for: "hall", from: instant("2026-11-01T00:00:00-04:00"),
                                    until: instant("2026-11-02T00:00:00-05:00"))
        #expect(short.count == (23 * 3600 + 419) / 420)
        #expect(long.count == (25 * 3600 + 419) / 420)
    }

    @Test func venueCalendarMapsWallClockThroughDST() {
        let paris = VenueCalendar(identifier: "Europe/Paris")!
        #expect(paris.instant(day("2026-03-29"), TimeOfDay(hour: 2, minute: 30)) == instant("2026-03-29T03:00:00+02:00"))
        #expect(paris.instant(day("2026-10-25"), TimeOfDay(hour: 2, minute: 30)) == instant("2026-10-25T02:30:00+02:00"))
        #expect(paris.parseDateTime("2026-12-24T17:45") == instant("2026-12-24T17:45:00+01:00"))
        #expect(paris.parseDateTime("2026-12-24T17:45Z") == instant("2026-12-24T17:45:00Z"))
        #expect(paris.parseDateTime("2026-12-24T17:45-05:00") == instant("2026-12-24T22:45:00Z"))
        #expect(paris.parseDateTime("2026-02-29T10:00") == nil)
    }

    // MARK: Dates

    @Test func leapDayItemsShowOnlyOnTheLeapDay() {
        let builder = ProgramBuilder(timeZone: "America/New_York")
        builder.exhibit("everyday").exhibit("leap", from: day("2028-02-29"), until: day("2028-02-29"))
        let program = builder.build()
        let onLeapDay = program.timeline(for: "hall", from: instant("2028-02-29T00:00:00-05:00"),
                                         until: instant("2028-02-29T02:00:00-05:00"))
        #expect(onLeapDay.contains { $0.content == .exhibit("leap", page: 0, pageCount: 1) })
        for other in ["2028-02-28T00:00:00-05:00", "2028-03-01T00:00:00-05:00"] {
            let timeline = program.timeline(for: "hall", from: instant(other), until: instant(other) + 7_200_000)
            #expect(!timeline.contains { $0.content == .exhibit("leap", page: 0, pageCount: 1) })
        }
        #expect(LocalDate(iso: "2027-02-29") == nil)
        #expect(VenueCalendar(identifier: "UTC")!.weekday(of: day("2028-02-29")) == .tuesday)
        // The last presentation of the 28th ends at midnight, when the leap exhibit joins.
        let late = program.presentation(for: "hall", at: instant("2028-02-28T23:55:00-05:00"))!
        #expect(late.validUntil == instant("2028-02-29T00:00:00-05:00"))
    }

    @Test func aLoanThatEndsWithdrawsTheExhibitAtMidnight() {
        let builder = ProgramBuilder(timeZone: "Europe/Paris")
        builder.exhibit("permanent").exhibit("loan", validUntil: day("2026-12-31"))
        let program = builder.build()
        let newYearsEve = program.timeline(for: "hall", from: instant("2026-12-31T22:00:00+01:00"),
                                           until: instant("2027-01-01T00:00:00+01:00"))
        #expect(newYearsEve.contains { $0.content == .exhibit("loan", page: 0, pageCount: 1) })
        let newYear = program.timeline(for: "hall", from: instant("2027-01-01T00:00:00+01:00"),
                                       until: instant("2027-01-01T02:00:00+01:00"))
        #expect(newYear.allSatisfy { $0.content == .exhibit("permanent", page: 0, pageCount: 1) })
    }

    // MARK: Announcements

    @Test func announcementsPreemptPlaylistsOnTheirScreensOnly() {
        let builder = ProgramBuilder(timeZone: "Europe/Paris")
        builder.configuration.screens.append(Screen(name: "lobby", output: "http", playlist: "main"))
        builder.exhibit("a").exhibit("b")
        let start = instant("2026-12-24T17:30:00+01:00"), end = instant("2026-12-24T18:00:00+01:00")
        builder.configuration.announcements = [
            Announcement(id: "closing", content: .text("Closing soon"), start: start, end: end, screens: ["hall"]),
            Announcement(id: "urgent", content: .text("Please leave by the east door"),
                         start: instant("2026-12-24T17:40:00+01:00"), end: instant("2026-12-24T17:45:00+01:00"),
                         screens: ["hall"], priority: 5),
        ]
        let program = builder.build()
        let before = program.presentation(for: "hall", at: instant("2026-12-24T17:25:00+01:00"))!
        #expect(before.validUntil == start, "the page in front of an announcement ends when it starts")
        let during = program.presentation(for: "hall", at: instant("2026-12-24T17:35:00+01:00"))!
        #expect(during.content == .message("Closing soon") && during.reason == .announcement)
        #expect(during.validUntil == instant("2026-12-24T17:40:00+01:00"))
        #expect(program.presentation(for: "hall", at: instant("2026-12-24T17:42:00+01:00"))!.content
            == .message("Please leave by the east door"))
        #expect(program.presentation(for: "hall", at: instant("2026-12-24T17:50:00+01:00"))!.content
            == .message("Closing soon"))
        #expect(exhibitShown(program, at: "2026-12-24T17:35:00+01:00", screen: "lobby") != nil)
        // Afterwards the playlist is where the clock says, as if never interrupted: 18:00 is slot 108, a.
        #expect(exhibitShown(program, at: "2026-12-24T18:00:00+01:00") == "a")
    }

    @Test func anAnnouncedExhibitShowsItsPagesFromTheStart() {
        let builder = ProgramBuilder(timeZone: "UTC")
        builder.exhibit("a").exhibit("notice", pages: 2, seconds: 60, playlist: "other")
        builder.configuration.announcements = [
            Announcement(id: "n", content: .exhibit("notice"), start: instant("2026-05-01T12:00:30Z"),
                         end: instant("2026-05-01T12:10:00Z")),
        ]
        let program = builder.build()
        let p = program.presentation(for: "hall", at: instant("2026-05-01T12:01:45Z"))!
        #expect(p.content == .exhibit("notice", page: 1, pageCount: 2))
        #expect(p.validUntil == instant("2026-05-01T12:02:30Z"))
    }

    // MARK: Themes

    @Test func themesRotateByIntervalAndTimeOfDayRules() {
        let builder = ProgramBuilder(timeZone: "Europe/Paris")
        builder.configuration.themes = ["day": Theme(name: "day"), "dusk": Theme(name: "dusk"),
                                        "night": Theme(name: "night")]
        builder.configuration.defaultTheme = "day"
        builder.configuration.themeRotation = ThemeRotation(
            every: 3_600_000, themes: ["day", "dusk"],
            rules: [ThemeRotation.Rule(during: range("22:00-02:00"), theme: "night")]
        )
        builder.configuration.screens.append(Screen(name: "fixed", output: "http", playlist: "main", theme: "dusk"))
        builder.exhibit("a", seconds: 3600 * 5)
        let program = builder.build()
        func theme(_ iso: String, _ screen: String = "hall") -> Presentation {
            program.presentation(for: screen, at: instant(iso))!
        }
        #expect(theme("2026-12-02T10:30:00+01:00").theme == "day")
        #expect(theme("2026-12-02T10:30:00+01:00").validUntil == instant("2026-12-02T11:00:00+01:00"))
        #expect(theme("2026-12-02T11:30:00+01:00").theme == "dusk")
        #expect(theme("2026-12-02T21:30:00+01:00").validUntil == instant("2026-12-02T22:00:00+01:00"))
        #expect(theme("2026-12-02T23:30:00+01:00").theme == "night")
        #expect(theme("2026-12-03T01:30:00+01:00").theme == "night")
        #expect(theme("2026-12-03T01:30:00+01:00").validUntil == instant("2026-12-03T02:00:00+01:00"))
        #expect(theme("2026-12-03T02:30:00+01:00").theme == "day")
        #expect(theme("2026-12-03T23:30:00+01:00", "fixed").theme == "dusk")
    }

    @Test func anEmptyPlaylistShowsBlankWithAReason() {
        let builder = ProgramBuilder(timeZone: "UTC")
        builder.exhibit("gone", validUntil: day("2020-01-01"))
        let p = builder.build().presentation(for: "hall", at: instant("2026-05-01T12:00:00Z"))!
        #expect(p.content == .blank && p.reason == .empty)
        #expect(p.validUntil == instant("2026-05-02T00:00:00Z"))
    }
}
