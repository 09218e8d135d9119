import Foundation
import FramebufferOutput
import VitrinePanel
import Synchronization
import Testing
import VitrineCore
import VitrinePluginAPI
import VitrineRenderer
import VitrineTestKit

/// Film on a file-backed framebuffer: the real output's drawing loop with libmpv's pictures in it.
@Suite(.serialized) struct FilmTests {
    static let pageStart: Int64 = 1_764_936_000_000

    /// A film page of the exhibit `id` (already in `venue`), laid out for a `width`×`height` panel put up at
    /// `pageStart` with a 1 s lead-in; the film over the whole panel unless said otherwise.
    func filmFrame(_ venue: TemporaryVenue, _ id: String, width: Int, height: Int, film: FilmArea = .panel,
                   transition: Transition = .cut) throws -> Frame {
        let loaded = ExhibitLoader().loadFolder(venue.contentPath)
        let exhibit = try #require(loaded.exhibits[ExhibitID(id)], "\(loaded.diagnostics)")
        var theme = Theme(name: "paper")
        theme.transition = transition
        theme.film = film
        let pages = Paginator().paginate(exhibit, measurer: PixelMeasurer(width: width, height: height, theme: theme))
        let page = try #require(pages.first { !$0.media.isEmpty })
        return TestMedia.frame(showing: page, on: "wall", at: Self.pageStart, theme: theme)
    }

    /// A framebuffer screen on a file in `venue`, running on the schedule's clock `now`, shown `frame`.
    struct Panel {
        let path: String
        let width: Int
        let height: Int
        let sink: AsyncStream<Frame>.Continuation
        let task: Task<Void, Error>

        init(_ venue: TemporaryVenue, _ name: String, width: Int, height: Int, now: @escaping @Sendable () -> Int64,
             showing frame: Frame) throws {
            path = venue.root.appendingPathComponent(name).path
            self.width = width
            self.height = height
            try Data(repeating: 0, count: width * 4 * height).write(to: URL(fileURLWithPath: path))
            let output = try testRegistry.make(type: "framebuffer", screen: name, options: [
                ("device", path), ("width", "\(width)"), ("height", "\(height)"), ("format", "xrgb8888"),
            ].map { OptionEntry(key: $0.0, node: OptionNode(.scalar($0.1))) }).get()
            let (stream, sink) = AsyncStream<Frame>.makeStream()
            self.sink = sink
            let context = OutputContext(screen: name, logger: Logger(label: "test"), surfaceChanged: { _ in },
                                        shown: { _ in }, now: now)
            task = Task { try await output.run(frames: stream, context: context) }
            sink.yield(frame)
        }

        var pixels: [UInt8]? {
            guard let data = FileManager.default.contents(atPath: path), data.count >= width * 4 * height else {
                return nil
            }
            return [UInt8](data)
        }

        /// The middle pixel as (red, green, blue); (-1, -1, -1) before the file is there.
        var middle: (Int, Int, Int) {
            guard let data = pixels else { return (-1, -1, -1) }
            let at = (height / 2 * width + width / 2) * 4
            return (Int(data[at + 2]), Int(data[at + 1]), Int(data[at]))
        }

        func stop() async throws {
            sink.finish()
            try await task.value
        }
    }

    func near(_ a: (Int, Int, Int), _ b: (Int, Int, Int)) -> Bool {
        abs(a.0 - b.0) <= 24 && abs(a.1 - b.1) <= 24 && abs(a.2 - b.2) <= 24
    }

    /// A page whose film started 6.5 s ago (by the schedule's clock) shows the film's seventh second at once, with
    /// its caption, plays on in step, and gives the panel back to the page when the film ends.
    @Test func theFramebufferJoinsAFilmWhereTheClockSaysAndShowsThePageAfter() async throws {
        let venue = try TemporaryVenue()
        try venue.addFilm("reel", file: "colours.mp4", captions: [(6, 12, "Green words")]) {
            try TestMedia.colourSeconds(at: $0, ["red", "lime", "blue"], width: 320, height: 180, secondsEach: 6)
        }
        let frame = try filmFrame(venue, "reel", width: 320, height: 180)
        // The schedule's clock: 6.5 s into the film when the screen gets the page; then real time runs.
        let panel = try Panel(venue, "fb0", width: 320, height: 180,
                              now: TestMedia.clock(from: Self.pageStart + 7_500), showing: frame)
        /// Whether the caption band (the theme's background over the film) is in the picture's lowest quarter: the
        /// film's colours here have no red, the band has plenty.
        func captioned() -> Bool {
            guard let data = panel.pixels else { return false }
            return (panel.height * 3 / 4..<panel.height).contains { y in
                stride(from: 0, to: panel.width, by: 4).contains { x in data[(y * panel.width + x) * 4 + 2] > 150 }
            }
        }
        // Green: the film's second segment (6-12 s), joined at 6.5 s (from the start it would be red for 6 s), with
        // its caption drawn over it.
        #expect(await eventually(timeout: .seconds(5)) { near(panel.middle, (0, 255, 0)) }, "\(panel.middle)")
        #expect(await eventually(timeout: .seconds(3)) { captioned() }, "no caption over the film")
        // Then blue, as the film plays on (12-18 s); no caption is due there: the band is gone.
        #expect(await eventually(timeout: .seconds(10)) { near(panel.middle, (0, 0, 255)) }, "\(panel.middle)")
        #expect(await eventually(timeout: .seconds(3)) { !captioned() }, "the caption stayed")
        // The film ends at 18 s: the page is on the panel again (its paper background at the corner).
        #expect(await eventually(timeout: .seconds(10)) {
            guard let data = panel.pixels else { return false }
            return (Int(data[6]), Int(data[5]), Int(data[4])) == (0xF6, 0xF1, 0xE7)
        })
        try await panel.stop()
    }

    /// The film comes in and goes out as pages do: crossfaded from the page shown during the lead-in, and back to
    /// it when the film ends. A film in the page leaves the page's running head and foot where they are.
    @Test func aFilmFadesInAndOutOfItsPage() async throws {
        let venue = try TemporaryVenue()
        try venue.addFilm("reel", file: "blue.mp4") {
            try TestMedia.colourSeconds(at: $0, ["blue"], width: 160, height: 90, secondsEach: 4)
        }
        let frame = try filmFrame(venue, "reel", width: 320, height: 180, film: .page,
                                  transition: .crossfade(milliseconds: 1_500))
        let area = try #require(PagePlan(frame, width: 320, height: 180).filmArea)
        // Below the film's line, inside the margins, above the foot.
        #expect(area.x > 0 && area.y > 0 && area.x + area.width < 320 && area.y + area.height < 180, "\(area)")
        let panel = try Panel(venue, "fb0", width: 320, height: 180, now: TestMedia.clock(from: Self.pageStart),
                              showing: frame)
        let x = Int(area.x + area.width / 2), y = Int(area.y + area.height / 2)
        var seen: [(Int, Int, Int)] = []
        let clock = ContinuousClock(), until = clock.now + .seconds(9)
        while clock.now < until {
            if let data = panel.pixels {
                let at = (y * 320 + x) * 4
                seen.append((Int(data[at + 2]), Int(data[at + 1]), Int(data[at])))
            }
            try await Task.sleep(for: .milliseconds(40))
        }
        try await panel.stop()
        let paper = (0xF6, 0xF1, 0xE7), blue = (0, 0, 255)
        let firstBlue = try #require(seen.firstIndex { near($0, blue) }, "the film never showed: \(seen)")
        let lastBlue = try #require(seen.lastIndex { near($0, blue) })
        /// Neither the page nor the film: a picture between the two.
        func between(_ c: (Int, Int, Int)) -> Bool { c.0 > 40 && c.0 < 200 && c.2 > 200 && !near(c, paper) }
        #expect(seen[..<firstBlue].contains { near($0, paper) }, "no page before the film")
        #expect(seen[..<firstBlue].contains(where: between), "no fade into the film: \(seen[..<firstBlue])")
        #expect(seen[lastBlue...].contains(where: between), "no fade back to the page: \(seen[lastBlue...])")
        #expect(seen.last.map { near($0, paper) } == true, "the page did not come back: \(seen.last.map { "\($0)" } ?? "")")
    }

    /// The schedule's clock is the one every screen shares: when it and the film part (here the clock jumps 7 s
    /// ahead, as after a suspended machine), the film is moved to where the clock says within a couple of seconds.
    @Test func aFilmOffTheClockIsBroughtBack() async throws {
        let venue = try TemporaryVenue()
        try venue.addFilm("reel", file: "colours.mp4") {
            try TestMedia.colourSeconds(at: $0, ["red", "lime", "blue"], width: 160, height: 90, secondsEach: 6)
        }
        let frame = try filmFrame(venue, "reel", width: 160, height: 90)
        let jump = Mutex<Int64>(0)
        let running = TestMedia.clock(from: Self.pageStart + 7_500)
        let panel = try Panel(venue, "fb0", width: 160, height: 90, now: { running() + jump.withLock { $0 } },
                              showing: frame)
        #expect(await eventually(timeout: .seconds(5)) { near(panel.middle, (0, 255, 0)) }, "green: \(panel.middle)")
        // 7 s ahead: the clock says 13.5 s, blue. Played on by itself the film would reach blue only 5.5 s later.
        jump.withLock { $0 = 7_000 }
        #expect(await eventually(timeout: .seconds(4)) { near(panel.middle, (0, 0, 255)) }, "blue: \(panel.middle)")
        try await panel.stop()
    }

    /// Two screens that come to the same film page seconds apart (as two machines with the same files and NTP
    /// would) show the same frame at the same moment: their position comes from the shared clock, not from when
    /// each started.
    @Test func twoScreensStartedApartShowTheSameFrame() async throws {
        let venue = try TemporaryVenue()
        try venue.addFilm("wheel", file: "wheel.mp4") { try TestMedia.hueWheel(at: $0, seconds: 20) }
        let frame = try filmFrame(venue, "wheel", width: 64, height: 64)
        let now = TestMedia.clock(from: Self.pageStart + 3_000)
        /// The hue in the middle of a panel; nil before the film is on it.
        func hue(_ panel: Panel) -> Double? {
            let (r, g, b) = panel.middle
            return max(r, g, b) > 150 ? TestMedia.hue(r, g, b) : nil
        }
        let first = try Panel(venue, "fb-a", width: 64, height: 64, now: now, showing: frame)
        try await Task.sleep(for: .seconds(2))
        let second = try Panel(venue, "fb-b", width: 64, height: 64, now: now, showing: frame)
        #expect(await eventually(timeout: .seconds(5)) { hue(first) != nil && hue(second) != nil })
        // Sampled ten times over two seconds: the frames differ by at most one (1.44° of hue), plus the moment
        // between reading the two files.
        var differences: [Double] = []
        for _ in 0..<10 {
            if let a = hue(first), let b = hue(second) {
                let d = abs(a - b)
                differences.append(min(d, 360 - d))
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        try await first.stop()
        try await second.stop()
        #expect(differences.count >= 8, "\(differences)")
        let sorted = differences.sorted()
        #expect(sorted[sorted.count / 2] <= 1.44 * 1.5, "median difference \(sorted[sorted.count / 2])° in \(sorted)")
    }

    /// A sound recording on a framebuffer screen is heard on its audio device, from where the clock says: joined 1 s
    /// into a 3 s testimony, the rest of it (never the whole).
    @Test func theFramebufferPlaysASoundRecordingOnItsDevice() async throws {
        let venue = try TemporaryVenue()
        try venue.addRecording("solidarity", seconds: 3, transcript: "We shared the bread.")
        let frame = try filmFrame(venue, "solidarity", width: 320, height: 180)
        let path = venue.root.appendingPathComponent("fb0").path
        let sound = venue.root.appendingPathComponent("heard.wav").path
        try Data(repeating: 0, count: 320 * 4 * 180).write(to: URL(fileURLWithPath: path))
        let output = try testRegistry.make(type: "framebuffer", screen: "wall", options: [
            ("device", path), ("width", "320"), ("height", "180"), ("format", "xrgb8888"), ("audio", "file:\(sound)"),
        ].map { OptionEntry(key: $0.0, node: OptionNode(.scalar($0.1))) }).get()
        let (stream, sink) = AsyncStream<Frame>.makeStream()
        let context = OutputContext(screen: "wall", logger: Logger(label: "test"), surfaceChanged: { _ in },
                                    shown: { _ in }, now: TestMedia.clock(from: Self.pageStart + 2_000))
        let task = Task { try await output.run(frames: stream, context: context) }
        sink.yield(frame)
        // The WAV sink takes sound as fast as it is given: the whole rest is there within moments.
        #expect(await eventually(timeout: .seconds(5)) { ((try? TestMedia.wavSeconds(sound)) ?? 0) >= 1.5 })
        try await Task.sleep(for: .seconds(1))
        let heard = (try? TestMedia.wavSeconds(sound)) ?? 0
        #expect(heard >= 1.5 && heard <= 2.1, "heard \(heard) s of the last 2 s")
        sink.finish()
        try await task.value
    }
}
