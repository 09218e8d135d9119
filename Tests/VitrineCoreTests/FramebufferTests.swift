import Foundation
import FramebufferOutput
import VitrinePanel
import Synchronization
import Testing
import VitrineCore
import VitrinePluginAPI
import VitrineRenderer
import VitrineTestKit

/// The framebuffer output on a file-backed framebuffer: the real fbdev code path, with the ioctls falling back.
@Suite(.serialized) struct FramebufferTests {
    let demo = ExhibitLoader().loadFolder(TemporaryVenue.packageRoot.appendingPathComponent("config/exhibits").path)

    func options(_ pairs: [(String, String)]) -> [OptionEntry] {
        pairs.map { OptionEntry(key: $0.0, node: OptionNode(.scalar($0.1))) }
    }

    func frame(width: Int, height: Int, transition: Transition = .cut) throws -> Frame {
        var theme = Theme(name: "paper")
        theme.transition = transition
        let exhibit = try #require(demo.exhibits["solidarity"])
        let page = Paginator().paginate(exhibit, measurer: PixelMeasurer(width: width, height: height, theme: theme))[0]
        let presentation = Presentation(screen: "wall", content: .exhibit(page.exhibit, page: 0, pageCount: page.count),
                                        theme: "paper", reason: .playlist, validFrom: 0, validUntil: 1)
        return Frame(content: .page(page), presentation: presentation, theme: theme)
    }

    /// Runs the output over `frames` until each has been shown, then ends it.
    func show(_ frames: [Frame], options entries: [OptionEntry]) async throws {
        let output = try testRegistry.make(type: "framebuffer", screen: "wall", options: entries).get()
        let shown = Mutex(0)
        let (stream, sink) = AsyncStream<Frame>.makeStream()
        let context = OutputContext(screen: "wall", logger: Logger(label: "test"), surfaceChanged: { _ in },
                                    shown: { _ in shown.withLock { $0 += 1 } })
        let task = Task { try await output.run(frames: stream, context: context) }
        for (index, frame) in frames.enumerated() {
            sink.yield(frame)
            #expect(await eventually { shown.withLock { $0 } == index + 1 })
        }
        sink.finish()
        try await task.value
    }

    @Test(arguments: [("xrgb8888", 4), ("bgr", 4), ("rgb888", 3), ("rgb565", 2)])
    func paintsEachPixelFormatWithItsStride(format: String, bytes: Int) async throws {
        let venue = try TemporaryVenue()
        let path = venue.root.appendingPathComponent("fb0").path
        let (width, height) = (640, 360)
        let stride = width * bytes + 96  // padded rows, as many drivers have
        try Data(repeating: 0xAB, count: stride * height).write(to: URL(fileURLWithPath: path))
        try await show([frame(width: width, height: height)], options: options([
            ("device", path), ("width", "\(width)"), ("height", "\(height)"), ("format", format), ("stride", "\(stride)"),
        ]))
        // Unmapped and closed once the output ends (other tests run alongside, so look for this file only).
        #expect(try !String(contentsOfFile: "/proc/self/maps", encoding: .utf8).contains(path), "still mapped")
        let open = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").filter {
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\($0)")) == path
        }
        #expect(open.isEmpty, "still open")
        let data = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        // The unused byte of a 32-bit pixel is the device's business: compare colour bits only.
        let mask: UInt32 = bytes == 4 ? 0xFF_FFFF : 0xFFFF_FFFF
        func pixel(_ x: Int, _ y: Int) -> UInt32 {
            (0..<bytes).reduce(UInt32(0)) { $0 | UInt32(data[y * stride + x * bytes + $1]) << (8 * UInt32($1)) } & mask
        }
        let paper = PixelFormat.named[format]!.encode(0xF6F1E7)
        #expect(pixel(1, 1) == paper, "background \(String(pixel(1, 1), radix: 16)) in \(format)")
        #expect(pixel(width - 1, height - 1) == paper)
        // Row padding is never written.
        #expect(data[stride - 1] == 0xAB && data[stride * height - 1] == 0xAB)
        // Text was painted: the title's ink is darker than the paper somewhere in the top quarter.
        let ink = (0..<(height / 4)).contains { y in (0..<width).contains { x in pixel(x, y) != paper } }
        #expect(ink)
    }

    /// The second time round a playlist, a page is unpacked from the output's cache straight into the device's
    /// format: the screen must show exactly what a fresh paint shows.
    @Test(arguments: ["xrgb8888", "rgb565"])
    func aPageShownAgainComesBackFromTheCacheUnchanged(format: String) async throws {
        let venue = try TemporaryVenue()
        let (width, height) = (640, 360)
        let bytes = PixelFormat.named[format]!.bytesPerPixel
        func device(_ name: String) -> [(String, String)] {
            [("device", venue.root.appendingPathComponent(name).path), ("width", "\(width)"), ("height", "\(height)"),
             ("format", format), ("stride", "\(width * bytes + 64)")]
        }
        let page = try frame(width: width, height: height)
        var other = page
        other.theme.background = Colour(red: 0x10, green: 0x20, blue: 0x30)
        try await show([page], options: options(device("fresh")))
        try await show([page, other, page], options: options(device("again")))
        let fresh = try Data(contentsOf: venue.root.appendingPathComponent("fresh"))
        let again = try Data(contentsOf: venue.root.appendingPathComponent("again"))
        #expect(fresh.count == again.count)
        #expect(fresh == again, "the cached page differs from a fresh paint")
    }

    /// Every pixel, whatever its place in a row (the vector part and the last few), is each channel's
    /// `(from * (256 - a) + to * a) >> 8`, with the unused fourth byte 0.
    @Test func crossfadeIsThePerChannelFormulaOnEveryPixel() {
        var generator = SystemRandomNumberGenerator()
        let count = 1923
        var from = (0..<count).map { _ in UInt32.random(in: 0...UInt32.max, using: &generator) }
        var to = (0..<count).map { _ in UInt32.random(in: 0...UInt32.max, using: &generator) }
        var out = [UInt32](repeating: 0xDEAD_BEEF, count: count)
        for amount in [0.0, 0.3, 0.5, 0.77, 1.0] {
            crossfade(&from, &to, into: &out, count: count, amount: amount)
            let a = UInt32((amount * 256).rounded()), ia = 256 - a
            let expected = (0..<count).map { i -> UInt32 in
                (0..<3).reduce(UInt32(0)) { pixel, channel in
                    let shift = UInt32(channel * 8)
                    let mixed = ((from[i] >> shift & 0xFF) * ia + (to[i] >> shift & 0xFF) * a) >> 8
                    return pixel | mixed << shift
                }
            }
            #expect(out == expected, "amount \(amount)")
        }
    }

    @Test func crossfadeBlendsEachChannel() {
        var black = [UInt32](repeating: 0x000000, count: 8), white = [UInt32](repeating: 0xFFFFFF, count: 8)
        var out = [UInt32](repeating: 0, count: 8)
        crossfade(&black, &white, into: &out, count: 8, amount: 0.5)
        #expect(out.allSatisfy { $0 == 0x7F7F7F || $0 == 0x808080 }, "\(out.map { String($0, radix: 16) })")
        var red = [UInt32](repeating: 0xFF0000, count: 8), blue = [UInt32](repeating: 0x0000FF, count: 8)
        crossfade(&red, &blue, into: &out, count: 8, amount: 0.25)
        #expect(out[0] >> 16 & 0xFF == 0xBF && out[0] >> 8 & 0xFF == 0 && out[0] & 0xFF == 0x3F,
                "\(String(out[0], radix: 16))")
        crossfade(&red, &blue, into: &out, count: 8, amount: 1)
        #expect(out[0] == 0x0000FF)
    }

    @Test func aCrossfadeEndsOnTheNewPage() async throws {
        let venue = try TemporaryVenue()
        let path = venue.root.appendingPathComponent("fb0").path
        let first = try frame(width: 320, height: 200, transition: .crossfade(milliseconds: 100))
        var second = try frame(width: 320, height: 200, transition: .crossfade(milliseconds: 100))
        second.theme.background = Colour(red: 0x10, green: 0x20, blue: 0x30)
        second.theme.text = Colour(red: 0xF0, green: 0xF0, blue: 0xF0)
        try await show([first, second], options: options([("device", path), ("width", "320"), ("height", "200")]))
        let data = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(Array(data[0..<3]) == [0x30, 0x20, 0x10], "XRGB little-endian: B, G, R")
    }

    @Test func afterHoursBlankDrawsBlackWhereThePanelCannotBePoweredDown() async throws {
        let venue = try TemporaryVenue()
        let path = venue.root.appendingPathComponent("fb0").path
        let page = try frame(width: 320, height: 200)
        var closed = page
        closed.content = .blank
        closed.presentation.reason = .afterHours
        try await show([page, closed], options: options([("device", path), ("width", "320"), ("height", "200")]))
        let data = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(stride(from: 0, to: data.count, by: 4).allSatisfy { data[$0] == 0 && data[$0 + 1] == 0 && data[$0 + 2] == 0 },
                "a file cannot be powered down: the whole frame is black")
    }

    /// A panel measures itself once started: a frame laid out for the size the screen was guessed to have before
    /// (1920x1080 until a KMS connector or a framebuffer is opened) is not painted, nor reported shown; the frame laid
    /// out for the panel, which the daemon sends once told the size, is.
    @Test func aFrameLaidOutForAnotherSizeIsNotPainted() async throws {
        let venue = try TemporaryVenue()
        let path = venue.root.appendingPathComponent("fb0").path
        try Data(repeating: 0xAB, count: 320 * 200 * 4).write(to: URL(fileURLWithPath: path))
        let output = try testRegistry.make(type: "framebuffer", screen: "wall", options: options([
            ("device", path), ("width", "320"), ("height", "200"), ("tty", "none"),
        ])).get()
        let (stream, sink) = AsyncStream<Frame>.makeStream()
        let shown = Mutex<[String?]>([])
        let context = OutputContext(screen: "wall", logger: Logger(label: "test"), surfaceChanged: { _ in },
                                    shown: { frame in shown.withLock { $0.append(frame.surfaceKey) } })
        let task = Task { try await output.run(frames: stream, context: context) }
        var guessed = try frame(width: 1920, height: 1080)
        guessed.surfaceKey = PixelMeasurer.surface(width: 1920, height: 1080).key
        sink.yield(guessed)
        try await Task.sleep(for: .seconds(1))
        #expect(shown.withLock { $0 }.isEmpty)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)).allSatisfy { $0 == 0xAB }, "painted")
        var measured = try frame(width: 320, height: 200)
        measured.surfaceKey = PixelMeasurer.surface(width: 320, height: 200).key
        sink.yield(measured)
        #expect(await eventually { shown.withLock { $0 } == [measured.surfaceKey] })
        #expect(try !Data(contentsOf: URL(fileURLWithPath: path)).allSatisfy { $0 == 0xAB }, "never painted")
        sink.finish()
        try await task.value
    }

    @Test func aVanishedDeviceIsReported() async throws {
        let venue = try TemporaryVenue()
        let path = venue.root.appendingPathComponent("fb0").path
        let output = try testRegistry.make(type: "framebuffer", screen: "wall", options: options([
            ("device", path), ("width", "320"), ("height", "200"),
        ])).get()
        let (stream, sink) = AsyncStream<Frame>.makeStream()
        let shown = Mutex(0)
        let context = OutputContext(screen: "wall", logger: Logger(label: "test"), surfaceChanged: { _ in },
                                    shown: { _ in shown.withLock { $0 += 1 } })
        let task = Task { try await output.run(frames: stream, context: context) }
        sink.yield(try frame(width: 320, height: 200))
        #expect(await eventually { shown.withLock { $0 } == 1 })
        try FileManager.default.removeItem(atPath: path)
        sink.yield(try frame(width: 320, height: 200))
        await #expect(throws: (any Error).self) { try await task.value }
    }

    @Test func aFileWithoutGeometryIsNotAFramebuffer() async throws {
        let output = try testRegistry.make(type: "framebuffer", screen: "wall", options: options([
            ("device", "/dev/null"),
        ])).get()
        let (stream, _) = AsyncStream<Frame>.makeStream()
        let context = OutputContext(screen: "wall", logger: Logger(label: "test"), surfaceChanged: { _ in },
                                    shown: { _ in })
        do {
            try await output.run(frames: stream, context: context)
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("FBIOGET_VSCREENINFO /dev/null"), "\(error)")
            #expect("\(error)".contains("give width, height and format"), "\(error)")
        }
    }

    /// A real panel gets a console of its own by default, so two panels (or a terminal screen on tty7) are told
    /// apart before anything starts; `tty: none` holds none.
    @Test func theConsoleIsPartOfWhatAScreenHolds() throws {
        func claims(_ pairs: [(String, String)]) throws -> [String] {
            try testRegistry.make(type: "framebuffer", screen: "wall", options: options(pairs)).get().claims
        }
        #expect(try claims([("device", "/dev/fb0")]) == ["/dev/fb0", "/dev/tty7"])
        #expect(try claims([("device", "/dev/fb1"), ("tty", "/dev/tty8")]) == ["/dev/fb1", "/dev/tty8"])
        #expect(try claims([("device", "/dev/fb1"), ("tty", "none")]) == ["/dev/fb1"])
        #expect(try claims([("device", "/srv/test/fb0"), ("width", "320"), ("height", "200")]) == ["/srv/test/fb0"])
        let wrong = testRegistry.make(type: "framebuffer", screen: "wall", options: options([("tty", "tty7")]))
        guard case let .failure(errors) = wrong else { Issue.record("tty: tty7 was accepted"); return }
        #expect(errors.problems.map(\.message) == ["screens.wall.tty: expected a console such as /dev/tty7, or none, found 'tty7'"])
    }
}
