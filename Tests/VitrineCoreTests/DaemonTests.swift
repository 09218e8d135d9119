import Foundation
import Logging
import Synchronization
import Testing
import VitrineCore
import VitrineModel
import VitrinePluginAPI
import VitrineTestKit

/// The daemon's runners with an injected clock and a recording output.
@Suite(.serialized) struct DaemonTests {
    let logger = Logger(label: "test")

    func config(recorder: String, playlist: String = "main", extra: String = "") -> String {
        """
        timezone: UTC
        themes:
          paper: { background: "#FFFFFF", text: "#111111" }
        playlists:
          main: [first, second]
          other: [second]
        screens:
          hall:
            output: recording
            playlist: \(playlist)
            recorder: \(recorder)
        \(extra)
        """
    }

    func exhibit(_ title: String, duration: String = "10s") -> String {
        "---\ntitle: \(title)\npage-duration: \(duration)\n---\nA line of text.\n"
    }

    /// A venue with exhibits First and Second (pages of `duration`), a recorder named `name`, a manual clock at `at`.
    struct Setup {
        var venue: TemporaryVenue
        var clock: ManualClock
        var recorder: Recorder
    }

    func setUp(_ name: String, at iso: String, duration: String = "10s") throws -> Setup {
        let clock = ManualClock(at: instant(iso))
        let recorder = Recorder(clock: { clock.now() })
        recorder.register(as: name)
        let venue = try TemporaryVenue()
        try venue.writeConfig(config(recorder: name))
        try venue.addExhibit("first", exhibit("First", duration: duration))
        try venue.addExhibit("second", exhibit("Second", duration: duration))
        return Setup(venue: venue, clock: clock, recorder: recorder)
    }

    func makeDaemon(_ venue: TemporaryVenue, clock: ManualClock, manager: RecordingServiceManager = .init())
        throws -> Daemon
    {
        let outcome = venue.load()
        #expect(outcome.diagnostics.errors.isEmpty, "\(outcome.diagnostics)")
        let settings = Daemon.Settings(configPath: venue.configPath, registry: testRegistry, systemTimeZone: "UTC")
        return Daemon(settings: settings, initial: outcome, clock: clock, manager: manager, logger: logger)
    }

    func titles(_ recorder: Recorder) -> [String] {
        recorder.entries.map {
            if case let .page(page) = $0.frame.content { page.title } else { "-" }
        }
    }

    @Test func pagesChangeExactlyAtValidUntil() async throws {
        let start = instant("2026-06-01T10:00:00Z")
        let clock = ManualClock(at: start + 3_000)
        let recorder = Recorder(clock: { clock.now() })
        recorder.register(as: "exact")
        let venue = try TemporaryVenue()
        try venue.writeConfig(config(recorder: "exact"))
        try venue.addExhibit("first", exhibit("First"))
        try venue.addExhibit("second", exhibit("Second"))
        let manager = RecordingServiceManager()
        let daemon = try makeDaemon(venue, clock: clock, manager: manager)
        daemon.start()
        #expect(await eventually { recorder.entries.count == 1 && clock.sleeping > 0 })
        #expect(titles(recorder) == ["First"])
        #expect(manager.all.first { $0.hasPrefix("READY=1") }?.contains("hall: First") == true)

        // A millisecond before the page's end nothing changes; at the end the next page arrives.
        clock.advance(to: start + 9_999)
        try await Task.sleep(for: .milliseconds(100))
        #expect(recorder.entries.count == 1)
        clock.advance(to: start + 10_000)
        #expect(await eventually { recorder.entries.count == 2 })
        #expect(titles(recorder) == ["First", "Second"])
        #expect(recorder.entries[1].at == start + 10_000)
        #expect(recorder.entries[1].frame.presentation.validUntil == start + 20_000)
        await daemon.stopAll()
    }

    /// A screen whose panel shows something else from the start (another console is active) does not hold the
    /// daemon's readiness back, and is never reported as showing its page.
    @Test func aHiddenScreenIsReadyButNotShowing() async throws {
        let setup = try setUp("hidden", at: "2026-06-01T10:00:03Z")
        try setup.venue.writeConfig(config(recorder: "hidden")
            + "    hidden: tty7 is not the active console (tty1 is)\n")
        let manager = RecordingServiceManager()
        let daemon = try makeDaemon(setup.venue, clock: setup.clock, manager: manager)
        daemon.start()
        #expect(await eventually { manager.all.contains { $0.hasPrefix("READY=1") } })
        let ready = manager.all.first { $0.hasPrefix("READY=1") } ?? ""
        #expect(ready.contains("hall: not showing First 1/1 (tty7 is not the active console (tty1 is))"), "\(ready)")
        let screen = try #require(daemon.status().screens.first)
        #expect(screen.health == "hidden")
        #expect(screen.hidden == "tty7 is not the active console (tty1 is)")
        await daemon.stopAll()
    }

    /// A failure a person must fix (a path that is not a framebuffer) is reported with its cause and what to do,
    /// and tried again only slowly; passing trouble (the framebuffer file removed) is recovered at the usual
    /// backoff, a second later.
    @Test func outputErrorsSayWhetherRetryingHelps() async throws {
        let setup = try setUp("unused", at: "2026-06-01T10:00:03Z")
        let file = setup.venue.root.appendingPathComponent("fb0").path
        try setup.venue.writeConfig("""
            timezone: UTC
            playlists:
              main: [first, second]
            screens:
              wrong: { output: framebuffer, playlist: main, device: /dev/null, tty: none }
              wall: { output: framebuffer, playlist: main, device: \(file), width: 320, height: 200 }

            """)
        let daemon = try makeDaemon(setup.venue, clock: setup.clock)
        let failures = Mutex<[String: Int]>([:])
        daemon.observe { event in
            if case let .outputFailed(screen, _) = event { failures.withLock { $0[screen, default: 0] += 1 } }
        }
        daemon.start()
        func screen(_ name: String) -> Daemon.Status.Screen? { daemon.status().screens.first { $0.name == name } }
        #expect(await eventually { screen("wrong")?.health == "failed" && screen("wall")?.health == "showing" })
        let failure = screen("wrong")?.failure ?? ""
        #expect(failure.contains("FBIOGET_VSCREENINFO /dev/null: Inappropriate ioctl for device"), "\(failure)")
        #expect(failure.contains("to fix: /dev/null is not a framebuffer: give width, height and format"), "\(failure)")
        #expect(failure.contains("tried again every 60 s"), "\(failure)")

        // The framebuffer file goes away; the next page finds it gone, and the output is started again.
        try FileManager.default.removeItem(atPath: file)
        setup.clock.advance(to: instant("2026-06-01T10:00:10Z"))
        #expect(await eventually { failures.withLock { $0["wall"] ?? 0 } == 1 })
        #expect(screen("wall")?.failure?.contains("went away") == true)
        #expect(await eventually { screen("wall")?.health == "showing" }, "not recovered at the usual backoff")
        #expect(FileManager.default.fileExists(atPath: file))
        // Meanwhile (more than a second) the screen that needs fixing was not tried again.
        #expect(failures.withLock { $0["wrong"] ?? 0 } == 1)
        await daemon.stopAll()
    }

    /// A live announcement outlasts a restart of the daemon (a crash, an upgrade); one that has ended does not come
    /// back, and an unreadable file is set aside rather than overwritten.
    @Test func liveAnnouncementsAreKeptAcrossARestart() async throws {
        let setup = try setUp("kept", at: "2026-06-01T10:00:03Z")
        let path = setup.venue.root.appendingPathComponent("announcements.json").path
        let first = try makeDaemon(setup.venue, clock: setup.clock)
        AnnouncementStore(path: path, logger: logger).attach(to: first)
        first.start()
        #expect(await eventually { titles(setup.recorder) == ["First"] })
        let start = instant("2026-06-01T10:00:00Z")
        first.announce(Announcement(id: "storm", content: .text("Closed today: storm"), start: start,
                                    end: start + 3_600_000))
        first.announce(Announcement(id: "brief", content: .text("Mind the step"), start: start, end: start + 60_000))
        #expect(await eventually { setup.recorder.entries.last?.frame.summary.contains("Closed today") == true })
        #expect(first.withdraw(announcement: "brief"))
        await first.stopAll()

        // Restarted two minutes later: the storm notice is back on the screen at once.
        setup.clock.advance(to: start + 120_000)
        let second = try makeDaemon(setup.venue, clock: setup.clock)
        AnnouncementStore(path: path, logger: logger).attach(to: second)
        #expect(second.liveAnnouncements.map(\.id) == ["storm"])
        second.start()
        #expect(await eventually { setup.recorder.entries.last?.frame.summary.contains("Closed today") == true })
        await second.stopAll()

        try Data("{ not json".utf8).write(to: URL(fileURLWithPath: path))
        let third = try makeDaemon(setup.venue, clock: setup.clock)
        AnnouncementStore(path: path, logger: logger).attach(to: third)
        #expect(third.liveAnnouncements.isEmpty)
        #expect(try String(contentsOfFile: path + ".unreadable", encoding: .utf8) == "{ not json", "kept aside")
    }

    /// A theme with `clock: true`: the page is sent again at each minute with the venue's time, and only then.
    @Test func aPageWithAClockIsShownAgainEachMinute() async throws {
        let start = instant("2026-06-01T10:00:30Z")
        let clock = ManualClock(at: start)
        let recorder = Recorder(clock: { clock.now() })
        recorder.register(as: "clock")
        let venue = try TemporaryVenue()
        try venue.writeConfig(config(recorder: "clock").replacingOccurrences(
            of: "text: \"#111111\" }", with: "text: \"#111111\", clock: true }"))
        try venue.addExhibit("first", exhibit("First", duration: "5m"))
        try venue.addExhibit("second", exhibit("Second", duration: "5m"))
        let daemon = try makeDaemon(venue, clock: clock)
        daemon.start()
        #expect(await eventually { recorder.entries.count == 1 && clock.sleeping > 0 })
        #expect(recorder.entries[0].frame.clock == "10:00")
        clock.advance(to: start + 29_000)
        try await Task.sleep(for: .milliseconds(100))
        #expect(recorder.entries.count == 1, "nothing new before the minute turns")
        clock.advance(to: start + 30_000)
        #expect(await eventually { recorder.entries.count == 2 })
        #expect(recorder.entries[1].frame.clock == "10:01")
        #expect(titles(recorder) == ["First", "First"])
        await daemon.stopAll()
    }

    @Test func aFailingOutputIsRestartedAndOthersCarryOn() async throws {
        let clock = ManualClock(at: instant("2026-06-01T10:00:00Z"))
        let failing = Recorder(clock: { clock.now() }), healthy = Recorder(clock: { clock.now() })
        failing.register(as: "failing")
        healthy.register(as: "healthy")
        failing.failNextRuns(1)
        let venue = try TemporaryVenue()
        try venue.writeConfig(config(recorder: "failing") + """
              lobby:
                output: recording
                playlist: other
                recorder: healthy

            """)
        try venue.addExhibit("first", exhibit("First"))
        try venue.addExhibit("second", exhibit("Second"))
        let manager = RecordingServiceManager()
        let daemon = try makeDaemon(venue, clock: clock, manager: manager)
        daemon.start()
        #expect(await eventually { healthy.entries.count == 1 })
        // Ready even though one output failed: the failure is in STATUS.
        #expect(await eventually { manager.all.contains { $0.hasPrefix("READY=1") && $0.contains("hall: failed") } })
        // Restarted after the first backoff (one second), and then it shows the current page.
        #expect(await eventually(timeout: .seconds(5)) { failing.entries.count == 1 })
        #expect(failing.runs == 2)
        #expect(titles(failing) == ["First"])
        await daemon.stopAll()
    }

    @Test func reloadSwapsTheProgramAndKeepsUnchangedOutputsRunning() async throws {
        let setup = try setUp("reload", at: "2026-06-01T10:00:03Z")
        let (venue, clock, recorder) = (setup.venue, setup.clock, setup.recorder)
        let manager = RecordingServiceManager()
        let daemon = try makeDaemon(venue, clock: clock, manager: manager)
        daemon.start()
        #expect(await eventually { recorder.entries.count == 1 })

        // A broken configuration: the old program stays on screen, STATUS says why.
        try venue.writeConfig(config(recorder: "reload") + "oops: [\n")
        let failure = await daemon.reload()
        #expect(failure?.hasPrefix("reload failed: \(venue.configPath):") == true, "\(failure ?? "nil")")
        #expect(failure?.contains("still running program of 2026-06-01 10:00") == true)
        #expect(manager.all.last?.hasPrefix("READY=1 STATUS=") == true)
        #expect(manager.all.last?.contains("reload failed") == true)
        #expect(manager.all.contains { $0.hasPrefix("RELOADING=1") })
        try await Task.sleep(for: .milliseconds(50))
        #expect(titles(recorder) == ["First"])

        // A misspelt key: STATUS shows the line that fixes it, not the required key it leaves missing.
        try venue.writeConfig(config(recorder: "reload").replacingOccurrences(of: "    playlist: main",
                                                                             with: "    playlsit: main"))
        let misspelt = await daemon.reload()
        #expect(misspelt?.contains("unknown key 'playlsit'; did you mean 'playlist'?") == true, "\(misspelt ?? "nil")")
        #expect(misspelt?.contains("missing required") == false, "\(misspelt ?? "nil")")

        // A good one: the new playlist is shown at once, by the same output (not restarted).
        try venue.writeConfig(config(recorder: "reload", playlist: "other"))
        #expect(await daemon.reload() == nil)
        #expect(await eventually { titles(recorder) == ["First", "Second"] })
        #expect(recorder.runs == 1)
        #expect(manager.all.last?.contains("hall: Second") == true)

        // An exhibit broken mid-edit keeps its last good version.
        try venue.addExhibit("second", "---\ntitle: [unclosed\n---\n")
        #expect(await daemon.reload() == nil)
        try await Task.sleep(for: .milliseconds(50))
        #expect(titles(recorder) == ["First", "Second"])
        #expect(daemon.program.exhibits["second"]?.title == "Second")
        await daemon.stopAll()
    }

    @Test func changedOptionsRestartOnlyThatOutput() async throws {
        let setup = try setUp("options", at: "2026-06-01T10:00:03Z")
        let (venue, clock, recorder) = (setup.venue, setup.clock, setup.recorder)
        let daemon = try makeDaemon(venue, clock: clock)
        daemon.start()
        #expect(await eventually { recorder.runs == 1 && recorder.entries.count == 1 })
        try venue.writeConfig(config(recorder: "options").replacingOccurrences(
            of: "recorder: options", with: "recorder: options\n    device: /dev/fake0"))
        #expect(await daemon.reload() == nil)
        #expect(await eventually { recorder.runs == 2 && recorder.entries.count == 2 })
        await daemon.stopAll()
    }

    @Test func watchdogPingsComeFromTheRunnersLoop() async throws {
        let setup = try setUp("watchdog", at: "2026-06-01T10:00:00Z", duration: "1h")
        let (venue, clock, recorder) = (setup.venue, setup.clock, setup.recorder)
        let manager = RecordingServiceManager(watchdogInterval: .seconds(10))
        let daemon = try makeDaemon(venue, clock: clock, manager: manager)
        daemon.start()
        #expect(await eventually { manager.all.filter { $0 == "WATCHDOG=1" }.count == 1 && clock.sleeping > 0 })
        // The page lasts an hour, but the runner wakes every half interval to ping.
        for step in 1...3 {
            clock.advance(to: instant("2026-06-01T10:00:00Z") + Int64(step) * 5_000)
            #expect(await eventually { manager.all.filter { $0 == "WATCHDOG=1" }.count == step + 1 })
        }
        #expect(recorder.entries.count == 1, "pings do not redraw the page")
        await daemon.stopAll()
    }
}

/// A reload lays out again only what changed: the daemon's one page book keeps untouched exhibits' pages by content.
@Suite struct PageReuseTests {
    /// Two exhibits on one terminal screen.
    func hallVenue() throws -> TemporaryVenue {
        let venue = try TemporaryVenue()
        try venue.writeFirstAndSecond(screens: """
              hall:
                output: terminal
                playlist: main
                tty: /dev/null
            """)
        return venue
    }

    @Test func aReloadKeepsThePagesOfUntouchedExhibits() throws {
        let venue = try hallVenue()
        let layouts = Mutex(0)
        let counting = Surface(key: "cells 40x10") { _ in
            layouts.withLock { $0 += 1 }
            return CellMeasurer(columns: 40, rows: 10)
        }
        let book = PageBook()
        let old = try #require(venue.load(pages: book).program)
        let screen = try #require(old.configuration.screen(named: "hall"))
        for id in ["first", "second"] { _ = old.pages(of: ExhibitID(id), on: screen, theme: "paper", surface: counting) }
        #expect(layouts.withLock { $0 } == 2)

        try venue.addExhibit("second", "---\ntitle: Second\npage-duration: 10s\n---\nThe second page, edited.\n")
        let new = try #require(venue.load(pages: book).program)
        let first = new.pages(of: ExhibitID("first"), on: screen, theme: "paper", surface: counting)
        let second = new.pages(of: ExhibitID("second"), on: screen, theme: "paper", surface: counting)
        #expect(layouts.withLock { $0 } == 3, "only the edited exhibit is laid out again")
        #expect(first == old.pages(of: ExhibitID("first"), on: screen, theme: "paper", surface: counting))
        #expect(second.first?.items.contains { item in
            if case let .text(_, lines, _) = item { lines.contains { $0.text.contains("edited") } } else { false }
        } == true)
    }

    /// A restart reads the timings the last run wrote: the schedule is the same and nothing is laid out for it,
    /// except what changed meanwhile; a file from another build or damaged is reported and not used.
    @Test func aRestartLaysOutOnlyWhatChanged() throws {
        let venue = try hallVenue()
        let file = venue.root.appendingPathComponent("cache/page-timings").path
        let first = PageBook(file: file, fingerprint: "build 1")
        #expect(first.load() == nil, "no file yet: nothing to report")
        let before = try #require(venue.load(pages: first).program)
        let day = before.timeline(for: "hall", from: 0, until: 86_400_000)
        #expect(first.layouts == 2)
        try first.save()

        let second = PageBook(file: file, fingerprint: "build 1")
        #expect(second.load() == nil)
        let after = try #require(venue.load(pages: second).program)
        #expect(after.timeline(for: "hall", from: 0, until: 86_400_000) == day)
        #expect(second.layouts == 0, "every timing came from the file")

        try venue.addExhibit("second", "---\ntitle: Second\n---\n" + String(repeating: "Many more words. ", count: 200))
        let third = PageBook(file: file, fingerprint: "build 1")
        _ = third.load()
        let edited = try #require(venue.load(pages: third).program)
        #expect(edited.timeline(for: "hall", from: 0, until: 86_400_000) != day)
        #expect(third.layouts == 1, "only the edited exhibit")

        let otherBuild = PageBook(file: file, fingerprint: "build 2")
        #expect(otherBuild.load()?.description.contains("another build") == true)
        #expect(otherBuild.count == 0)

        let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        try bytes.prefix(bytes.count - 3).write(to: URL(fileURLWithPath: file))
        let damaged = PageBook(file: file, fingerprint: "build 1")
        #expect(damaged.load()?.description.contains("damaged") == true)
        #expect(damaged.count == 0, "nothing from a damaged file")
    }
}
