import Foundation
import FramebufferOutput
import Synchronization
import Testing
import VitrineCore
import VitrinePluginAPI
import VitrineRenderer
import VitrineTestKit

/// Film on a file-backed framebuffer: the real output's drawing loop with libmpv's pictures in it.
@Suite(.serialized) struct FilmTests {
    /// A page whose film started 6.5 s ago (by the schedule's clock) shows the film's seventh second at once, plays
    /// on in step, and gives the panel back to the page when the film ends.
    @Test func theFramebufferJoinsAFilmWhereTheClockSaysAndShowsThePageAfter() async throws {
        let venue = try TemporaryVenue()
        let file = try venue.addExhibit("reel", """
            ---
            title: The reel
            media:
              - film: colours.mp4
                captions: colours.vtt
                transcript: Red, then green, then blue.
            ---
            Colours.

            """, files: ["colours.vtt": TestMedia.captions([(6, 12, "Green words")])])
        let folder = (file as NSString).deletingLastPathComponent
        try TestMedia.colourSeconds(at: folder + "/colours.mp4", ["red", "lime", "blue"], width: 320, height: 180,
                                    secondsEach: 6)
        let loaded = ExhibitLoader().loadFolder(venue.contentPath)
        let exhibit = try #require(loaded.exhibits["reel"], "\(loaded.diagnostics)")
        let (width, height) = (320, 180)
        var theme = Theme(name: "paper")
        theme.transition = .cut
        let pages = Paginator().paginate(exhibit, measurer: PixelMeasurer(width: width, height: height, theme: theme))
        let page = try #require(pages.first { !$0.media.isEmpty })
        let pageStart: Int64 = 1_764_936_000_000
        let frame = TestMedia.frame(showing: page, on: "wall", at: pageStart, theme: theme)
        // The schedule's clock: 6.5 s into the film when the screen gets the page; then real time runs.
        let now = TestMedia.clock(from: pageStart + 7_500)

        let path = venue.root.appendingPathComponent("fb0").path
        try Data(repeating: 0, count: width * 4 * height).write(to: URL(fileURLWithPath: path))
        let output = try testRegistry.make(type: "framebuffer", screen: "wall", options: [
            ("device", path), ("width", "\(width)"), ("height", "\(height)"), ("format", "xrgb8888"),
        ].map { OptionEntry(key: $0.0, node: OptionNode(.scalar($0.1))) }).get()
        let (stream, sink) = AsyncStream<Frame>.makeStream()
        let context = OutputContext(screen: "wall", logger: Logger(label: "test"), surfaceChanged: { _ in },
                                    shown: { _ in }, now: now)
        let task = Task { try await output.run(frames: stream, context: context) }
        sink.yield(frame)

        func middle() -> (Int, Int, Int) {
            guard let data = FileManager.default.contents(atPath: path), data.count >= width * 4 * height else {
                return (-1, -1, -1)
            }
            let at = (height / 2 * width + width / 2) * 4
            return (Int(data[at + 2]), Int(data[at + 1]), Int(data[at]))
        }
        func near(_ a: (Int, Int, Int), _ b: (Int, Int, Int)) -> Bool {
            abs(a.0 - b.0) <= 24 && abs(a.1 - b.1) <= 24 && abs(a.2 - b.2) <= 24
        }
        /// Whether the caption band (the theme's background over the film) is in the picture's lowest quarter: the
        /// film's colours here have no red, the band has plenty.
        func captioned() -> Bool {
            guard let data = FileManager.default.contents(atPath: path), data.count >= width * 4 * height else {
                return false
            }
            return (height * 3 / 4..<height).contains { y in
                stride(from: 0, to: width, by: 4).contains { x in data[(y * width + x) * 4 + 2] > 150 }
            }
        }
        // Green: the film's second segment (6-12 s), joined at 6.5 s (from the start it would be red for 6 s), with
        // its caption drawn over it.
        #expect(await eventually(timeout: .seconds(5)) { near(middle(), (0, 255, 0)) }, "\(middle())")
        #expect(await eventually(timeout: .seconds(3)) { captioned() }, "no caption over the film")
        // Then blue, as the film plays on (12-18 s).
        #expect(await eventually(timeout: .seconds(10)) { near(middle(), (0, 0, 255)) }, "\(middle())")
        // No caption is due in the third segment: the band is gone.
        #expect(await eventually(timeout: .seconds(3)) { !captioned() }, "the caption stayed")
        // The film ends at 18 s: the page is on the panel again (its paper background at the corner).
        #expect(await eventually(timeout: .seconds(10)) {
            guard let data = FileManager.default.contents(atPath: path), data.count > 8 else { return false }
            return (Int(data[6]), Int(data[5]), Int(data[4])) == (0xF6, 0xF1, 0xE7)
        })
        sink.finish()
        try await task.value
    }

    /// The schedule's clock is the one every screen shares: when it and the film part (here the clock jumps 7 s
    /// ahead, as after a suspended machine), the film is moved to where the clock says within a couple of seconds.
    @Test func aFilmOffTheClockIsBroughtBack() async throws {
        let venue = try TemporaryVenue()
        let file = try venue.addExhibit("reel", """
            ---
            title: The reel
            media:
              - film: colours.mp4
                transcript: Red, then green, then blue.
            ---
            Colours.

            """)
        try TestMedia.colourSeconds(at: (file as NSString).deletingLastPathComponent + "/colours.mp4",
                                    ["red", "lime", "blue"], width: 160, height: 90, secondsEach: 6)
        let exhibit = try #require(ExhibitLoader().loadFolder(venue.contentPath).exhibits["reel"])
        let (width, height) = (160, 90)
        var theme = Theme(name: "paper")
        theme.transition = .cut
        let pages = Paginator().paginate(exhibit, measurer: PixelMeasurer(width: width, height: height, theme: theme))
        let page = try #require(pages.first { !$0.media.isEmpty })
        let pageStart: Int64 = 1_764_936_000_000
        let frame = TestMedia.frame(showing: page, on: "wall", at: pageStart, theme: theme)
        let jump = Mutex<Int64>(0)
        let running = TestMedia.clock(from: pageStart + 7_500)
        let now: @Sendable () -> Int64 = { running() + jump.withLock { $0 } }
        let path = venue.root.appendingPathComponent("fb0").path
        try Data(repeating: 0, count: width * 4 * height).write(to: URL(fileURLWithPath: path))
        let output = try testRegistry.make(type: "framebuffer", screen: "wall", options: [
            ("device", path), ("width", "\(width)"), ("height", "\(height)"), ("format", "xrgb8888"),
        ].map { OptionEntry(key: $0.0, node: OptionNode(.scalar($0.1))) }).get()
        let (stream, sink) = AsyncStream<Frame>.makeStream()
        let context = OutputContext(screen: "wall", logger: Logger(label: "test"), surfaceChanged: { _ in },
                                    shown: { _ in }, now: now)
        let task = Task { try await output.run(frames: stream, context: context) }
        sink.yield(frame)
        func middle() -> (Int, Int, Int) {
            guard let data = FileManager.default.contents(atPath: path), data.count >= width * 4 * height else {
                return (-1, -1, -1)
            }
            let at = (height / 2 * width + width / 2) * 4
            return (Int(data[at + 2]), Int(data[at + 1]), Int(data[at]))
        }
        #expect(await eventually(timeout: .seconds(5)) { middle().1 > 200 && middle().2 < 60 }, "green: \(middle())")
        // 7 s ahead: the clock says 13.5 s, blue. Played on by itself the film would reach blue only 5.5 s later.
        jump.withLock { $0 = 7_000 }
        #expect(await eventually(timeout: .seconds(4)) { middle().2 > 200 && middle().1 < 60 }, "blue: \(middle())")
        sink.finish()
        try await task.value
    }

    /// Two screens that come to the same film page seconds apart (as two machines with the same files and NTP
    /// would) show the same frame at the same moment: their position comes from the shared clock, not from when
    /// each started.
    @Test func twoScreensStartedApartShowTheSameFrame() async throws {
        let venue = try TemporaryVenue()
        let file = try venue.addExhibit("wheel", """
            ---
            title: The wheel
            media:
              - film: wheel.mp4
                transcript: The colours turn.
            ---
            Colours.

            """)
        try TestMedia.hueWheel(at: (file as NSString).deletingLastPathComponent + "/wheel.mp4", seconds: 20)
        let exhibit = try #require(ExhibitLoader().loadFolder(venue.contentPath).exhibits["wheel"])
        let (width, height) = (64, 64)
        var theme = Theme(name: "paper")
        theme.transition = .cut
        let page = try #require(Paginator().paginate(exhibit, measurer: PixelMeasurer(width: width, height: height,
                                                                                       theme: theme)).first { !$0.media.isEmpty })
        let pageStart: Int64 = 1_764_936_000_000
        let frame = TestMedia.frame(showing: page, on: "wall", at: pageStart, theme: theme)
        let now = TestMedia.clock(from: pageStart + 3_000)

        func start(_ name: String) throws -> (path: String, sink: AsyncStream<Frame>.Continuation, task: Task<Void, Error>) {
            let path = venue.root.appendingPathComponent(name).path
            try Data(repeating: 0, count: width * 4 * height).write(to: URL(fileURLWithPath: path))
            let output = try testRegistry.make(type: "framebuffer", screen: name, options: [
                ("device", path), ("width", "\(width)"), ("height", "\(height)"), ("format", "xrgb8888"),
            ].map { OptionEntry(key: $0.0, node: OptionNode(.scalar($0.1))) }).get()
            let (stream, sink) = AsyncStream<Frame>.makeStream()
            let context = OutputContext(screen: name, logger: Logger(label: "test"), surfaceChanged: { _ in },
                                        shown: { _ in }, now: now)
            let task = Task { try await output.run(frames: stream, context: context) }
            sink.yield(frame)
            return (path, sink, task)
        }
        func hue(_ path: String) -> Double? {
            guard let data = FileManager.default.contents(atPath: path), data.count >= width * 4 * height else {
                return nil
            }
            let at = (height / 2 * width + width / 2) * 4
            let (r, g, b) = (Int(data[at + 2]), Int(data[at + 1]), Int(data[at]))
            guard max(r, g, b) > 150 else { return nil }  // not the film yet
            return TestMedia.hue(r, g, b)
        }
        let first = try start("fb-a")
        try await Task.sleep(for: .seconds(2))
        let second = try start("fb-b")
        #expect(await eventually(timeout: .seconds(5)) { hue(first.path) != nil && hue(second.path) != nil })
        // Sampled ten times over two seconds: the frames differ by at most one (1.44° of hue), plus the moment
        // between reading the two files.
        var differences: [Double] = []
        for _ in 0..<10 {
            if let a = hue(first.path), let b = hue(second.path) {
                let d = abs(a - b)
                differences.append(min(d, 360 - d))
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        first.sink.finish()
        second.sink.finish()
        try await first.task.value
        try await second.task.value
        #expect(differences.count >= 8, "\(differences)")
        let sorted = differences.sorted()
        #expect(sorted[sorted.count / 2] <= 1.44 * 1.5, "median difference \(sorted[sorted.count / 2])° in \(sorted)")
    }
}
