import Foundation
import Logging
import Testing
import VitrineModel
import VitrinePlayLog
import VitrinePluginAPI
import VitrineTestKit

/// The play log on its own: one row per page that left the screen, kept on disk.
@Suite struct PlayLogTests {
    func frame(_ title: String, page: Int = 0, of count: Int = 2, theme: String = "paper") -> Frame {
        let page = Page(exhibit: ExhibitID(title.lowercased()), series: nil, title: title, index: page, count: count,
                        items: [], words: 0)
        let presentation = Presentation(screen: "hall", content: .exhibit(page.exhibit, page: page.index,
                                                                           pageCount: count),
                                        theme: theme, reason: .playlist, validFrom: 0, validUntil: 1)
        return Frame(content: .page(page), presentation: presentation, theme: Theme(name: theme))
    }

    @Test func aPageIsLoggedWhenItLeavesTheScreenAndKeptOnDisk() throws {
        let venue = try TemporaryVenue()
        let path = venue.root.appendingPathComponent("state/plays.sqlite").path
        let t = instant("2026-12-05T10:00:00Z")
        do {
            let log = try PlayLog(path: path)
            try log.shown(frame("Solidarity"), on: "hall", at: t)
            var clocked = frame("Solidarity")
            clocked.clock = "10:01"
            try log.shown(clocked, on: "hall", at: t + 60_000)  // the clock ticked: the same play
            try log.shown(frame("Solidarity", page: 1), on: "hall", at: t + 90_000)
            try log.shown(frame("Letters, \"home\""), on: "wall", at: t + 5_000)
            #expect(try log.plays().count == 1, "only the finished page is written")
            try log.close(at: t + 100_000)
        }
        let reopened = try PlayLog(path: path)
        let plays = try reopened.plays()
        #expect(plays.map(\.shows) == ["Solidarity 1/2", "Letters, \"home\" 1/2", "Solidarity 2/2"])
        #expect(plays[0].start == t && plays[0].end == t + 90_000)
        #expect(try reopened.plays(screen: "wall").count == 1)
        #expect(try reopened.plays(from: t + 95_000, to: t + 99_000).map(\.screen).sorted() == ["hall", "wall"])
        #expect(try reopened.plays(from: t + 200_000).isEmpty)
        let csv = PlayLog.csv(plays)
        #expect(csv.contains("wall,\"letters, \"\"home\"\"\",\"Letters, \"\"home\"\"\",1,2,paper,"), "\(csv)")
        #expect(csv.contains(",2026-12-05T10:00:00Z,2026-12-05T10:01:30Z,90.0,,,\n"))
        #expect(try reopened.prune(before: t + 95_000) == 1)
        #expect(try reopened.plays().count == 2)
    }

    /// Plays older than the days kept are dropped as soon as the daemon runs (and daily after), newer ones stay.
    /// A recording's play: the seconds actually played, and whether it ended or what cut it.
    @Test func aRecordingIsLoggedAsPlayedToTheEndOrCut() throws {
        let venue = try TemporaryVenue()
        let log = try PlayLog(path: venue.root.appendingPathComponent("plays.sqlite").path)
        let t = instant("2026-12-05T10:00:00Z")
        func testimony(from start: Int64, reason: Presentation.Reason = .playlist) -> Frame {
            var media = MediaBlock(kind: .audio, file: "testimony.ogg")
            media.milliseconds = 90_000
            let page = Page(exhibit: "solidarity", series: nil, title: "Solidarity", index: 0, count: 1, items: [],
                            words: 0, media: [media])
            let presentation = Presentation(screen: "hall", content: .exhibit("solidarity", page: 0, pageCount: 1),
                                            theme: "paper", reason: reason, validFrom: start, validUntil: start + 93_000)
            return Frame(content: .page(page), presentation: presentation, theme: Theme(name: "paper"),
                         recordingStart: start + 1_000)
        }
        var announcement = frame("Closing")
        announcement.presentation.reason = .announcement
        try log.shown(testimony(from: t), on: "hall", at: t)
        // The same page coming round again is a new play of the recording: the first one completed.
        try log.shown(testimony(from: t + 93_000), on: "hall", at: t + 93_000)
        // An announcement 30 s into the second play cuts it.
        try log.shown(announcement, on: "hall", at: t + 123_000)
        let plays = try log.plays(screen: "hall")
        #expect(plays.count == 2)
        #expect(plays[0].recording == "testimony.ogg" && plays[0].recordingSeconds == 90 && plays[0].recordingOutcome == "completed")
        #expect(plays[1].recordingSeconds == 29 && plays[1].recordingOutcome == "cut: announcement")
        #expect(PlayLog.csv(plays).contains(",testimony.ogg,29.0,cut: announcement\n"))
    }

    @Test func oldPlaysArePrunedWhileTheDaemonRuns() async throws {
        let venue = try TemporaryVenue()
        let log = try PlayLog(path: venue.root.appendingPathComponent("plays.sqlite").path)
        let today = instant("2026-12-05T10:00:00Z")
        let longAgo = today - 40 * 86_400_000
        try log.shown(frame("Solidarity"), on: "hall", at: longAgo)
        try log.shown(frame("Solidarity", page: 1), on: "hall", at: longAgo + 60_000)
        try log.close(at: longAgo + 120_000)
        try log.shown(frame("Solidarity"), on: "hall", at: today - 60_000)
        try log.shown(frame("Solidarity", page: 1), on: "hall", at: today)
        #expect(try log.plays().count == 3)
        let pruning = PlayLogPruning(log: log, keepDays: 30, now: { today }, logger: Logger(label: "test"))
        let running = Task { try await pruning.run() }
        #expect(await eventually { (try? log.plays().count) == 1 })
        #expect(try log.plays().first?.start == today - 60_000)
        running.cancel()
        try await running.value
    }
}
