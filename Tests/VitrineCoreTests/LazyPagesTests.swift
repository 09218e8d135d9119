import Foundation
import Testing
@testable import VitrineCore
import VitrineModel
import VitrinePluginAPI
import VitrineTestKit

/// The schedule from pages' timings kept by an earlier run (laying out only what is shown) against the schedule of
/// a start that lays out every page of every exhibit first, as start-up did before: over a simulated day, the same
/// page on every screen at every change.
@Suite(.serialized) struct LazyPagesTests {
    /// 2026-12-02 00:00 UTC, a Wednesday.
    let midnight: Int64 = 1_796_169_600_000

    /// Every change of a day on every screen, with the page it shows (nil for a message or a blank screen).
    func day(of program: Program) -> [String: [Presentation]] {
        var day: [String: [Presentation]] = [:]
        for screen in program.configuration.screens {
            day[screen.name] = program.timeline(for: screen.name, from: midnight, until: midnight + 86_400_000)
        }
        return day
    }

    func pages(of day: [String: [Presentation]], in program: Program) -> [String: [Page?]] {
        day.mapValues { presentations in presentations.map { program.page(for: $0) } }
    }

    /// What the daemon did at start-up before pages were lazy: every exhibit of every playlist laid out for every
    /// screen, in every language and theme the screen could show it in.
    func layOutEverything(_ program: Program) {
        for screen in program.configuration.screens {
            let themes = Set([screen.theme ?? program.configuration.defaultTheme]
                             + (program.configuration.themeRotation?.themes ?? [])
                             + (program.configuration.themeRotation?.rules.map(\.theme) ?? []))
            for item in program.configuration.playlists[screen.playlist]?.items ?? [] {
                guard let exhibit = program.exhibits[item.exhibit] else { continue }
                let languages = screen.languages(of: exhibit)
                let columns = program.columns(for: languages, on: screen, surface: nil)
                for language in languages {
                    for theme in themes {
                        _ = program.pages(of: item.exhibit, in: language, on: screen, theme: theme, columns: columns)
                    }
                }
            }
        }
    }

    func compare(_ venue: TemporaryVenue, expectFewerLayouts: Bool) throws {
        let file = venue.root.appendingPathComponent("cache/page-timings").path
        // Yesterday's run: starts with no file, writes one.
        let yesterday = PageBook(file: file, fingerprint: "test")
        let coldProgram = try #require(venue.load(pages: yesterday).program)
        let coldDay = day(of: coldProgram)
        let coldPages = pages(of: coldDay, in: coldProgram)
        try yesterday.save()

        let eagerBook = PageBook()
        let eager = try #require(venue.load(pages: eagerBook).program)
        layOutEverything(eager)
        let laidOutFirst = eagerBook.layouts
        let eagerDay = day(of: eager)
        let eagerPages = pages(of: eagerDay, in: eager)

        let lazyBook = PageBook(file: file, fingerprint: "test")
        #expect(lazyBook.load() == nil)
        let lazy = try #require(venue.load(pages: lazyBook).program)
        let lazyDay = day(of: lazy)
        #expect(lazyBook.layouts == 0, "the schedule alone lays nothing out: timings come from the file")
        let lazyPages = pages(of: lazyDay, in: lazy)

        #expect(lazyDay.keys.sorted() == eagerDay.keys.sorted())
        for (screen, presentations) in eagerDay {
            #expect(presentations.count > 1, "screen \(screen) changes during the day")
            #expect(lazyDay[screen] == presentations, "screen \(screen): the same changes")
            #expect(lazyPages[screen] == eagerPages[screen], "screen \(screen): the same page at every change")
            #expect(coldDay[screen] == presentations, "screen \(screen): the same changes, starting with no file")
            #expect(coldPages[screen] == eagerPages[screen], "screen \(screen): the same pages, starting with no file")
        }
        let shown = Set(eagerDay.values.flatMap { $0.compactMap { p -> ExhibitID? in
            if case let .exhibit(id, _, _) = p.content { id } else { nil }
        } })
        if expectFewerLayouts {
            #expect(lazyBook.layouts < laidOutFirst, "only what was shown was laid out (\(shown.count) exhibits)")
        }
    }

    /// A reload after a curator's save starts from what the running program worked out (`Program.continuing`):
    /// over the whole day, the same changes and pages as a program starting afresh, whether the save changed an
    /// exhibit's text, its loan (on show yesterday only, then again) or nothing at all.
    @Test func aProgramContinuingTheRunningOneAnswersAsAFreshOne() throws {
        let venue = try TemporaryVenue()
        try venue.copyDemo()
        let cache = ExhibitCache()
        let loader = ProgramLoader(registry: testRegistry, systemTimeZone: "UTC", exhibitCache: cache,
                                   pageBook: PageBook())
        _ = loader.load(path: venue.configPath)
        // Watched, as the daemon's content is: each save is read alone, patched into the last reading.
        let folders = try FileManager.default.contentsOfDirectory(atPath: venue.contentPath)
        for folder in [""] + folders.map({ "/" + $0 }) { cache.watching(venue.contentPath + folder) }
        var running = try #require(loader.load(path: venue.configPath).program)
        _ = day(of: running)  // the day worked out, as by a daemon that has run all day
        func edit(_ exhibit: String, _ change: (String) -> String) throws {
            let path = venue.contentPath + "/\(exhibit)/exhibit.md"
            defer { cache.changed([venue.contentPath + "/\(exhibit)"]) }
            try change(String(contentsOfFile: path, encoding: .utf8)).write(toFile: path, atomically: true,
                                                                               encoding: .utf8)
        }
        // Each save, and whether the day's turns before the changed exhibit still hold (a loan that ends or comes
        // back changes the day's playlist: its cycles start again).
        let saves: [(String, Bool, () throws -> Void)] = [
            ("nothing", true, {}),
            ("a longer text", true, {
                try edit("letters-home") { $0 + "\n\nA paragraph more, " + String(repeating: "and more words, ", count: 60) }
            }),
            ("a loan ended yesterday", false, {
                try edit("harbour-workshop") {
                    $0.replacingOccurrences(of: "---\n", with: "---\nvalid-until: 2026-12-01\n", options: .anchored)
                }
            }),
            ("the loan back", false, {
                try edit("harbour-workshop") { $0.replacingOccurrences(of: "valid-until: 2026-12-01\n", with: "") }
            }),
        ]
        for (save, turnsHold, apply) in saves {
            try apply()
            let fresh = try #require(loader.load(path: venue.configPath).program)
            let continued = fresh.continuing(running)
            #expect(fresh.contentVersion?.patchedFrom == running.contentVersion?.number, "\(save): read alone")
            if turnsHold {
                #expect(continued.cycles.turnsKept > 0, "\(save): turns of the running program carried over")
            }
            let freshDay = day(of: fresh), continuedDay = day(of: continued)
            for (screen, presentations) in freshDay {
                #expect(continuedDay[screen] == presentations, "\(save), screen \(screen): the same changes")
                #expect(pages(of: continuedDay, in: continued)[screen] == pages(of: freshDay, in: fresh)[screen],
                        "\(save), screen \(screen): the same pages")
            }
            running = continued
        }
    }

    /// What changed between two tables of exhibits, walked side by side while their names match: the same answer
    /// as a lookup of every name, for a table patched from the other, one built again, and one with names added
    /// and gone.
    @Test func theExhibitsThatChangedAreFoundWhateverTheTablesLayout() {
        let ids = (0..<300).map { ExhibitID("exhibit-\($0)") }
        let earlier = Dictionary(uniqueKeysWithValues: ids.map { ($0, Exhibit(id: $0, title: "\($0)", blocks: [])) })
        func naive(_ now: [ExhibitID: Exhibit]) -> Set<ExhibitID> {
            Set(now.filter { !(earlier[$0.key]?.isSameVersion(as: $0.value) ?? false) }.keys)
                .union(earlier.keys.filter { now[$0] == nil })
        }
        var patched = earlier
        patched[ids[7]] = Exhibit(id: ids[7], title: "edited", blocks: [])
        patched[ids[200]] = Exhibit(id: ids[200], title: "edited", blocks: [])
        var rebuilt: [ExhibitID: Exhibit] = [:]
        for id in ids.reversed() { rebuilt[id] = earlier[id] }
        rebuilt[ids[3]] = Exhibit(id: ids[3], title: "\(ids[3])", blocks: [])  // equal, but another version
        var moved = patched
        moved[ids[9]] = nil
        moved[ExhibitID("new")] = Exhibit(id: "new", title: "New", blocks: [])
        for (name, now) in [("unchanged", earlier), ("patched", patched), ("rebuilt", rebuilt), ("moved", moved)] {
            #expect(Program.changed(from: earlier, to: now) == naive(now), "\(name)")
        }
        #expect(Program.changed(from: earlier, to: patched) == [ids[7], ids[200]])
        #expect(Program.changed(from: earlier, to: rebuilt) == [ids[3]])
    }

    @Test func theDemoDayIsTheSameWithPagesLaidOutLazily() throws {
        let venue = try TemporaryVenue()
        try venue.copyDemo()
        try compare(venue, expectFewerLayouts: false)
    }

    /// 1,000 exhibits written as the benchmarks generate them, open 10:00-18:00: a day shows a part of the cycle.
    @Test func aThousandExhibitsDayIsTheSameWithPagesLaidOutLazily() throws {
        let venue = try TemporaryVenue()
        let ids = (0..<1000).map { "exhibit-\($0)" }
        try venue.writeConfig("""
            timezone: Europe/Paris
            hours:
              every-day: 10:00-18:00
            themes:
              paper: { background: "#FFFFFF", text: "#111111" }
            playlists:
              main: [\(ids.joined(separator: ", "))]
            screens:
              hall:
                output: terminal
                playlist: main
                tty: /dev/null
                columns: 80
                rows: 24
              wall:
                output: framebuffer
                playlist: main
                device: \(venue.root.path)/fb0
                width: 1920
                height: 1080
            """)
        try GeneratedVenue.writeExhibits(count: ids.count, into: venue) { 1 + $0 % 2 }
        try compare(venue, expectFewerLayouts: true)
    }
}
