import Foundation
import Testing
import VitrineCore
import VitrineModel
import VitrinePluginAPI
import VitrineRenderer
import VitrineTestKit

/// The panels themselves: the display switched off while the venue is closed and on before it opens, and burn-in
/// care (the page moved a few pixels by the clock, its running head and foot dimmed on a page that stays up).
@Suite struct PanelCareTests {
    func range(_ text: String) -> TimeRange { TimeRange(text: text)! }

    // MARK: Display power

    func venue(power: Screen.Power = Screen.Power()) -> ProgramBuilder {
        let builder = ProgramBuilder(timeZone: "Europe/Paris")
        builder.configuration.hours = OpeningHours(everyDay: [range("10:00-18:00")])
        builder.configuration.screens[0].power = power
        builder.exhibit("a", seconds: 60)
        return builder
    }

    @Test func theDisplaySleepsAfterHoursAndWakesBeforeOpening() throws {
        let program = venue(power: Screen.Power(wakeBefore: 600_000)).build()
        let night = try #require(program.presentation(for: "hall", at: instant("2026-12-02T03:00:00+01:00")))
        #expect(night.content == .blank && night.reason == .afterHours && !night.displayOn)
        // Off from closing until ten minutes before opening: one change, at 09:50.
        #expect(night.validFrom == instant("2026-12-01T18:00:00+01:00"))
        #expect(night.validUntil == instant("2026-12-02T09:50:00+01:00"))
        let waking = try #require(program.presentation(for: "hall", at: instant("2026-12-02T09:55:00+01:00")))
        #expect(waking.content == .blank && waking.displayOn)
        #expect(waking.validFrom == instant("2026-12-02T09:50:00+01:00"))
        #expect(waking.validUntil == instant("2026-12-02T10:00:00+01:00"))
        #expect(!waking.showsSame(as: night), "the output is handed a new frame when the display wakes")
        let open = try #require(program.presentation(for: "hall", at: instant("2026-12-02T10:00:00+01:00")))
        #expect(open.reason == .playlist && open.displayOn)
        // Closing switches it off again at once.
        let closed = try #require(program.presentation(for: "hall", at: instant("2026-12-02T18:00:00+01:00")))
        #expect(!closed.displayOn && closed.validUntil == instant("2026-12-03T09:50:00+01:00"))
        // What the output is handed says so too.
        let frame = program.frame(for: closed, at: instant("2026-12-02T18:00:00+01:00"))
        #expect(frame.summary == "closed, display off")
    }

    @Test func aClosedDayKeepsTheDisplayOffUntilTheDayAfter() throws {
        let builder = venue()
        builder.configuration.hours = OpeningHours(everyDay: [range("10:00-18:00")],
                                                   closed: [LocalDate(iso: "2026-12-03")!])
        let program = builder.build()
        let closedDay = try #require(program.presentation(for: "hall", at: instant("2026-12-03T12:00:00+01:00")))
        #expect(!closedDay.displayOn)
        #expect(closedDay.validUntil == instant("2026-12-04T09:55:00+01:00"))
    }

    @Test func anAnnouncementAfterHoursWakesTheDisplay() throws {
        let builder = venue()
        builder.configuration.announcements = [Announcement(
            id: "evening", content: .text("Private view tonight"), start: instant("2026-12-02T19:00:00+01:00"),
            end: instant("2026-12-02T21:00:00+01:00"))]
        let program = builder.build()
        let before = try #require(program.presentation(for: "hall", at: instant("2026-12-02T18:30:00+01:00")))
        #expect(!before.displayOn && before.validUntil == instant("2026-12-02T19:00:00+01:00"))
        let during = try #require(program.presentation(for: "hall", at: instant("2026-12-02T19:30:00+01:00")))
        #expect(during.content == .message("Private view tonight") && during.displayOn)
        let after = try #require(program.presentation(for: "hall", at: instant("2026-12-02T21:00:00+01:00")))
        #expect(!after.displayOn)
    }

    @Test func afterHoursOnKeepsTheDisplayOn() throws {
        let program = venue(power: Screen.Power(afterHours: .on)).build()
        let night = try #require(program.presentation(for: "hall", at: instant("2026-12-02T03:00:00+01:00")))
        #expect(night.content == .blank && night.displayOn)
    }

    @Test func powerIsReadFromTheScreenAndBadValuesAreLocated() throws {
        let venue = try TemporaryVenue()
        try venue.addExhibit("first", "---\ntitle: First\n---\nText.\n")
        try venue.writeConfig("""
            timezone: UTC
            themes: { paper: {} }
            playlists: { main: [first] }
            screens:
              hall:
                output: terminal
                playlist: main
                power: { after-hours: on, wake-before: 15m, cec: /dev/cec0 }
            """)
        let screen = try #require(venue.load().program?.configuration.screens.first)
        #expect(screen.power == Screen.Power(afterHours: .on, wakeBefore: 900_000, cec: "/dev/cec0"))
        try venue.writeConfig("""
            timezone: UTC
            themes: { paper: {} }
            playlists: { main: [first] }
            screens:
              hall:
                output: terminal
                playlist: main
                power: { after-hours: sometimes, wake-before: soon, cec: cec0, standby: yes }
            """)
        let errors = venue.load().diagnostics.errors.map { "\($0)" }.joined(separator: "\n")
        #expect(errors.contains("vitrine.yaml:8:27: error: screens.hall.power.after-hours"), "\(errors)")
        #expect(errors.contains("screens.hall.power.wake-before"), "\(errors)")
        #expect(errors.contains("screens.hall.power.cec"), "\(errors)")
        #expect(errors.contains("standby"), "\(errors)")
    }

    // MARK: The kms output's options

    @Test func kmsScreensNameTheirConnectorAndModeAndNeverShareOne() throws {
        let venue = try TemporaryVenue()
        try venue.addExhibit("first", "---\ntitle: First\n---\nText.\n")
        func load(_ screens: String) -> ProgramLoader.Outcome {
            try? venue.writeConfig("""
                timezone: UTC
                themes: { paper: {} }
                playlists: { main: [first] }
                screens:
                \(screens)
                """)
            return venue.load()
        }
        // Two connectors of one card: two screens, the console held by one.
        let two = load("""
              left: { output: kms, playlist: main, connector: HDMI-A-1, mode: 1920x1080@60 }
              right: { output: kms, playlist: main, connector: HDMI-A-2, mode: 3840x2160, tty: none }
            """)
        #expect(two.diagnostics.errors.isEmpty, "\(two.diagnostics)")
        #expect(two.outputs["left"]?.claims == ["/dev/dri/card0 HDMI-A-1", "/dev/tty7"])
        let same = load("""
              left: { output: kms, playlist: main, connector: HDMI-A-1 }
              right: { output: kms, playlist: main, connector: HDMI-A-1, tty: none }
            """)
        #expect(same.diagnostics.errors.map(\.message) == ["screens.right: /dev/dri/card0 HDMI-A-1 is already used by screen 'left'"])
        let bad = load("""
              left: { output: kms, playlist: main, mode: big, card: dri0, tty: 7 }
            """)
        let errors = bad.diagnostics.errors.map(\.message).joined(separator: "\n")
        #expect(errors.contains("screens.left.mode: expected a mode such as 1920x1080 or 1920x1080@60, found 'big'"), "\(errors)")
        #expect(errors.contains("screens.left.card: expected an absolute path"), "\(errors)")
        #expect(errors.contains("screens.left.tty: expected a console such as /dev/tty7, or none, found '7'"), "\(errors)")
    }

    // MARK: Burn-in care

    /// The demo's wall exhibit on a theme that moves every minute.
    func careVenue(shift: Int, dimAfter: String? = nil, screenSize: String = "") throws -> TemporaryVenue {
        let venue = try TemporaryVenue()
        try venue.copyDemo()
        try venue.writeConfig("""
            timezone: UTC
            content: exhibits
            themes:
              still:
                transition: cut
                burn-in: { shift: \(shift), every: 1m\(dimAfter.map { ", dim-after: \($0)" } ?? "") }
            playlists: { main: [{ exhibit: solidarity, duration: 3h }] }
            screens:
              wall: { output: terminal, playlist: main }
            """)
        return venue
    }

    @Test func twoProgramsBuiltApartMoveThePageTogether() throws {
        let first = try #require(try careVenue(shift: 3).load().program)
        let second = try #require(try careVenue(shift: 3).load().program)
        let start = instant("2026-12-02T10:00:00Z")
        var positions: [PixelShift] = []
        for minute in 0..<49 {
            let t = start + Int64(minute) * 60_000 + 30_000
            let a = first.frame(for: first.presentation(for: "wall", at: t)!, at: t)
            let b = second.frame(for: second.presentation(for: "wall", at: t)!, at: t)
            #expect(a.shift == b.shift, "minute \(minute)")
            #expect(abs(a.shift.x) <= 3 && abs(a.shift.y) <= 3)
            positions.append(a.shift)
        }
        // A round of 7 × 7 minutes visits every place once, and the next place is never the one beside.
        #expect(Set(positions.map { "\($0.x),\($0.y)" }).count == 49)
        for (a, b) in zip(positions, positions.dropFirst()) {
            #expect(max(abs(a.x - b.x), abs(a.y - b.y)) > 1, "\(a) then \(b)")
        }
        // The screen is handed a new frame when the page moves, not before.
        let t = start + 10_000
        let frame = first.frame(for: first.presentation(for: "wall", at: t)!, at: t)
        #expect(first.nextRefresh(of: frame, after: t) == start + 60_000)
    }

    @Test(arguments: [(1280, 720), (1920, 1080), (1080, 1920), (3840, 2160)])
    func theShiftNeverTakesTheTextPastTheMargin(width: Int, height: Int) throws {
        let program = try #require(try careVenue(shift: 16).load().program)
        let t = instant("2026-12-02T10:00:30Z")
        let surface = PixelMeasurer.surface(width: width, height: height)
        let still = program.frame(for: program.presentation(for: "wall", at: t, surface: surface)!,
                                  surface: surface, at: nil)
        let plan = PagePlan(still, width: width, height: height)
        let limit = plan.largestShift
        #expect(limit >= 1 && Double(limit) <= plan.layout.margin / 4)
        let painter = PagePainter()
        let unmoved = try #require(inkBounds(painter.paint(still, width: width, height: height), still.theme.background))
        for (dx, dy) in [(-16, -16), (16, 16), (16, -16), (-16, 16)] {
            var moved = still
            moved.shift = PixelShift(x: dx, y: dy)
            let ink = try #require(inkBounds(painter.paint(moved, width: width, height: height), still.theme.background))
            // Moved as far as asked, but never more than the margin's quarter.
            let step = min(16, limit)
            #expect(ink.left - unmoved.left == dx.signum() * step && ink.top - unmoved.top == dy.signum() * step,
                    "\(width)x\(height): \(unmoved) → \(ink), at most \(limit)")
            let edge = Int((plan.layout.margin * 3 / 4).rounded(.down))
            #expect(ink.left >= edge && ink.top >= edge, "\(width)x\(height): \(ink)")
            #expect(ink.right <= width - edge && ink.bottom <= height - edge, "\(width)x\(height): \(ink)")
        }
    }

    @Test func aLongLivedPageDimsItsRunningHeadAndFoot() throws {
        let program = try #require(try careVenue(shift: 0, dimAfter: "20m").load().program)
        // The exhibit's second page (which has a running head), and how long it has been up.
        let surface = PixelMeasurer.surface(width: 1920, height: 1080)
        var t = instant("2026-12-02T10:00:00Z")
        var presentation = try #require(program.presentation(for: "wall", at: t, surface: surface))
        while case let .exhibit(_, page, _) = presentation.content, page == 0 {
            t = presentation.validUntil
            presentation = try #require(program.presentation(for: "wall", at: t, surface: surface))
        }
        t = presentation.validFrom
        let fresh = program.frame(for: presentation, surface: surface, at: t)
        #expect(!fresh.dimmed)
        guard presentation.validUntil - presentation.validFrom > 20 * 60_000 else {
            Issue.record("the page is not up 20 minutes (\(presentation.validFrom)–\(presentation.validUntil))")
            return
        }
        #expect(program.nextRefresh(of: fresh, after: t) == presentation.validFrom + 20 * 60_000)
        let late = program.frame(for: presentation, surface: surface, at: presentation.validFrom + 20 * 60_000)
        #expect(late.dimmed && !late.showsSame(as: fresh))
        let before = PagePlan(fresh, width: 1920, height: 1080), after = PagePlan(late, width: 1920, height: 1080)
        let head = try #require(before.texts.firstIndex { $0.sameOnEveryPage })
        let background = fresh.theme.background
        // Halfway to the background: the running head and the page number; the body text as it was.
        for (was, now) in [(before.texts[head].colour, after.texts[head].colour),
                           (before.footRight[0].colour, after.footRight[0].colour)] {
            #expect(abs(Int(now.red) - (Int(was.red) + Int(background.red)) / 2) <= 1)
            #expect(now.contrast(with: background) < was.contrast(with: background))
        }
        let body = try #require(before.texts.firstIndex { !$0.sameOnEveryPage && $0.inFlow })
        #expect(after.texts[body].colour == before.texts[body].colour)
    }

    @Test func checkWarnsOfAPageLeftUpForHours() throws {
        let still = try careVenue(shift: 0)
        let program = try #require(still.load().program)
        let warnings = program.stillPageWarnings().map(\.message)
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("screens.wall: 'Days and Lives :: Solidarity' page") == true, "\(warnings)")
        #expect(warnings.first?.contains("burn-in.shift in theme 'still'") == true)
        // With the page moving, nothing to say; nor for the demo's own rotation.
        #expect(try #require(try careVenue(shift: 2).load().program).stillPageWarnings().isEmpty)
        let demo = try TemporaryVenue()
        try demo.copyDemo()
        #expect(try #require(demo.load().program).stillPageWarnings().isEmpty)
    }

    /// The rectangle of pixels that differ from the background.
    func inkBounds(_ canvas: Canvas, _ background: Colour) -> (left: Int, top: Int, right: Int, bottom: Int)? {
        let paper = UInt32(background.red) << 16 | UInt32(background.green) << 8 | UInt32(background.blue)
        var left = Int.max, top = Int.max, right = -1, bottom = -1
        canvas.withPixels { bytes in
            for y in 0..<canvas.height {
                let row = (bytes.baseAddress! + y * canvas.stride).assumingMemoryBound(to: UInt32.self)
                var first = -1, last = -1
                for x in 0..<canvas.width where row[x] & 0xFFFFFF != paper {
                    if first < 0 { first = x }
                    last = x
                }
                guard first >= 0 else { continue }
                left = min(left, first)
                right = max(right, last + 1)
                top = min(top, y)
                bottom = y + 1
            }
        }
        return right < 0 ? nil : (left, top, right, bottom)
    }
}
