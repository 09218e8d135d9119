import Foundation
import Glibc
import Testing
import VitrineCore
import VitrinePluginAPI
import VitrineRenderer
import VitrineTestKit

/// Film through the real daemon, `vitrine run`, on file-backed framebuffers: what an operator's panels show.
@Suite(.serialized) struct FilmDaemonTests {
    static let width = 640, height = 360

    /// A venue whose one exhibit is `make`'s film, with one caption over the whole of it, on a framebuffer file
    /// `fb` screen named `wall`.
    func venue(film: String, seconds: Int, theme: String, fb: String = "fb0",
               make: (String) throws -> Void) throws -> TemporaryVenue {
        let venue = try TemporaryVenue()
        try venue.addFilm("reel", file: film, captions: [(0, Double(seconds), "Words of the witness")], make: make)
        try venue.writeConfig(config(venue, theme: theme, fb: fb))
        return venue
    }

    func config(_ venue: TemporaryVenue, theme: String, fb: String) -> String {
        """
        timezone: UTC
        pages: { lead-in: 1s, lead-out: 1s }
        themes:
          paper: { \(theme) }
        playlists:
          main: [reel]
        screens:
          wall:
            output: framebuffer
            playlist: main
            device: \(venue.root.appendingPathComponent(fb).path)
            width: \(Self.width)
            height: \(Self.height)
            tty: none

        """
    }

    /// `vitrine run` on `venue` (its own state directory `state`).
    func run(_ venue: TemporaryVenue, config: String? = nil, state: String = "state") throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Vitrine.binary)
        process.arguments = ["run", "--config", config ?? venue.configPath, "--no-watch",
                             "--state-dir", venue.root.appendingPathComponent(state).path,
                             "--log-file", venue.root.appendingPathComponent(state + ".log").path]
        try process.run()
        return process
    }

    func stop(_ process: Process) {
        process.terminate()
        process.waitUntilExit()
    }

    /// The film's play on screen `wall` around `moment`: when it starts and how long it lasts.
    func filmWindow(_ venue: TemporaryVenue, at moment: Int64) throws -> (start: Int64, milliseconds: Int64) {
        let program = try #require(venue.load().program)
        let surface = PixelMeasurer.surface(width: Self.width, height: Self.height)
        let presentation = try #require(program.presentation(for: "wall", at: moment, surface: surface))
        let frame = program.frame(for: presentation, surface: surface, at: moment)
        let film = try #require(frame.recordingFiles.first, "no film on \(frame.summary)")
        return (film.start, film.milliseconds)
    }

    static func wallClock() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    /// The panel's pixels, 0x00RRGGBB words a row of `width` after another.
    func panel(_ venue: TemporaryVenue, _ fb: String = "fb0") -> [UInt32]? {
        guard let data = FileManager.default.contents(atPath: venue.root.appendingPathComponent(fb).path),
              data.count >= Self.width * Self.height * 4 else { return nil }
        return data.withUnsafeBytes { Array($0.bindMemory(to: UInt32.self).prefix(Self.width * Self.height)) }
            .map { $0 & 0xFF_FFFF }
    }

    /// A film in the page, with its caption, is the picture `vitrine render` draws for that instant: the page
    /// around it, the film's picture in its area, the caption in the theme's font and colours.
    @Test func aFilmOnThePanelIsWhatVitrineRenderDraws() async throws {
        let venue = try venue(film: "bars.mp4", seconds: 40, theme: "transition: cut") {
            try TestMedia.film(at: $0, seconds: 40, width: 320, height: 180)
        }
        // Wait for a moment well inside the film (not in its lead-in or lead-out).
        var window = try filmWindow(venue, at: Self.wallClock())
        if Self.wallClock() > window.start + window.milliseconds - 8_000 || Self.wallClock() < window.start {
            let next = try filmWindow(venue, at: window.start + window.milliseconds + 2_500)
            try await Task.sleep(for: .milliseconds(max(0, next.start - Self.wallClock())))
            window = next
        }
        let daemon = try run(venue)
        defer { stop(daemon) }
        let area = try #require({ () -> PagePlan.Area? in
            let program = venue.load().program!
            let surface = PixelMeasurer.surface(width: Self.width, height: Self.height)
            let moment = window.start + 1_000
            let frame = program.frame(for: program.presentation(for: "wall", at: moment, surface: surface)!,
                                      surface: surface, at: moment)
            return PagePlan(frame, width: Self.width, height: Self.height).filmArea
        }())
        // The bars' middle column is green (75%) in the middle of the area.
        let probe = (Int(area.y + area.height * 0.3) * Self.width + Int(area.x + area.width * 0.5))
        #expect(await eventually(timeout: .seconds(15)) {
            guard let pixels = panel(venue) else { return false }
            let c = pixels[probe]
            return c >> 16 < 60 && c >> 8 & 0xFF > 150 && c & 0xFF < 60
        }, "the film is not on the panel")
        try await Task.sleep(for: .milliseconds(500))
        let shown = try #require(panel(venue))
        let moment = Self.wallClock()
        #expect(moment < window.start + window.milliseconds - 1_000, "the film ended before the panel was read")
        let png = venue.root.appendingPathComponent("render.png").path
        let second = moment / 1000
        let at = String(format: "%@", ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(second))))
        let rendered = try Vitrine.run(["render", "--config", venue.configPath, "--screen", "wall", "--at", at,
                                        "--size", "\(Self.width)x\(Self.height)", "--output", png])
        #expect(rendered.status == 0, "\(rendered.stderr)")
        let canvas = try #require(Canvas.load(png: png))
        var differing = 0, inCaption = 0
        canvas.withPixels { raw in
            for y in 0..<Self.height {
                let row = (raw.baseAddress! + y * canvas.stride).assumingMemoryBound(to: UInt32.self)
                for x in 0..<Self.width {
                    let a = row[x] & 0xFF_FFFF, b = shown[y * Self.width + x]
                    let worst = [16, 8, 0].map { abs(Int(a >> $0 & 0xFF) - Int(b >> $0 & 0xFF)) }.max()!
                    if worst > 24 { differing += 1 }
                    // The caption band: the theme's background drawn over the bars in the area's lowest fifth.
                    if Double(y) > area.y + area.height * 0.6, Double(x) > area.x, Double(x) < area.x + area.width,
                       b == a, a == 0xF6F1E7 || a >> 16 > 0xE0 { inCaption += 1 }
                }
            }
        }
        #expect(differing < Self.width * Self.height / 200, "\(differing) pixels differ from vitrine render")
        #expect(inCaption > 200, "no caption band in either picture")
    }

    /// Two daemons, as two machines with the same files and NTP would run them, started seconds apart, show the
    /// same frame of a film at the same moment: the film's position comes from the clock, not from when each
    /// started.
    @Test func twoDaemonsStartedApartShowTheSameFrame() async throws {
        let venue = try venue(film: "wheel.mp4", seconds: 40, theme: "transition: cut, film: panel") {
            try TestMedia.hueWheel(at: $0, seconds: 40)
        }
        let second = venue.root.appendingPathComponent("second.yaml").path
        try config(venue, theme: "transition: cut, film: panel", fb: "fb1")
            .write(toFile: second, atomically: true, encoding: .utf8)
        // Both well inside one play of the film.
        let window = try filmWindow(venue, at: Self.wallClock())
        if Self.wallClock() > window.start + window.milliseconds - 12_000 {
            try await Task.sleep(for: .milliseconds(window.start + window.milliseconds + 2_500 - Self.wallClock()))
        }
        let first = try run(venue)
        defer { stop(first) }
        try await Task.sleep(for: .seconds(2))
        let other = try run(venue, config: second, state: "state-b")
        defer { stop(other) }
        let middle = Self.height / 2 * Self.width + Self.width / 2
        func hue(_ fb: String) -> Double? {
            guard let c = panel(venue, fb)?[middle] else { return nil }
            let (r, g, b) = (Int(c >> 16), Int(c >> 8 & 0xFF), Int(c & 0xFF))
            return max(r, g, b) - min(r, g, b) > 80 ? TestMedia.hue(r, g, b) : nil
        }
        #expect(await eventually(timeout: .seconds(15)) { hue("fb0") != nil && hue("fb1") != nil })
        // Sampled over three seconds: one frame is 1.44° of hue; the two files are read a moment apart.
        var differences: [Double] = []
        for _ in 0..<15 {
            if let a = hue("fb0"), let b = hue("fb1") {
                let d = abs(a - b)
                differences.append(min(d, 360 - d))
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(differences.count >= 8, "\(differences)")
        let sorted = differences.sorted()
        #expect(sorted[sorted.count / 2] <= 1.44 * 1.5, "median difference \(sorted[sorted.count / 2])° in \(sorted)")
    }
}
