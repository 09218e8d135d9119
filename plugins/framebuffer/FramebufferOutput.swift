import Foundation
import Synchronization
import VitrineMedia
import VitrinePluginAPI
import VitrineRenderer

/// Draws pages into a Linux framebuffer with Pango typography: a panel with no desktop at all.
public struct FramebufferOutput: OutputPlugin {
    public static let type = "framebuffer"
    public static let summary = "Pages painted into a Linux framebuffer (/dev/fb0), or a file standing in for one"
    static let device = DefaultedKey("device", .path(example: "/dev/fb0"), default: "/dev/fb0",
        "The framebuffer device, or a regular file (created if missing when `width`/`height` are given).")
    static let tty = Key("tty", .text(kind: "absolute path or none", show: { $0 }) { text, node, path, reader in
        guard text == "none" || text.hasPrefix("/") else {
            reader.error("\(path): expected a console such as /dev/tty7, or none, found '\(text)'", at: node)
            return nil
        }
        return text
    }, otherwise: "`/dev/tty7` on a real framebuffer, `none` for a file",
        "The virtual terminal the screen is shown on (Ctrl-Alt-F7 for tty7): made the active one and kept in graphics "
        + "mode so no text draws over the picture; `/dev/tty0`: the one active at start; `none`: leave consoles alone "
        + "(a panel no console is shown on).")
    static let width = Key("width", .number(64...8192), otherwise: "the device's", "Width in pixels, for a file.")
    static let height = Key("height", .number(64...8192), otherwise: "the device's", "Height in pixels, for a file.")
    static let format = DefaultedKey("format", .oneOf(PixelFormat.named.keys.sorted()), default: "xrgb8888",
                                        "Pixel format, for a file.")
    static let stride = Key("stride", .number(64...65536), otherwise: "width × bytes per pixel",
                               "Bytes per row, for a file (rows may be padded).")
    static let pageCache = DefaultedKey("page-cache", .number(0...4096), default: 16,
        "Megabytes for painted pages kept compressed (LZ4), so a page shown again is not painted again; `0` paints "
        + "every page afresh.")
    static let audio = Key("audio", .text(kind: "audio device"), otherwise: "none: films play silent",
        "Where the sound of films and recordings goes: a device as libmpv names it (`auto`, `pulse`, `pipewire`, "
        + "`alsa/plughw:CARD=PCH,DEV=0`; `mpv --audio-device=help` lists them), or `file:PATH` to write it to a WAV "
        + "file.")
    public static let options = [device.spec, tty.spec, width.spec, height.spec, format.spec, stride.spec,
                                 pageCache.spec, audio.spec]

    public let screen: String
    public let device: String
    /// The console to hold (`.automatic`: `FramebufferDevice.defaultConsole` on a real framebuffer, none on a file).
    public let console: FramebufferDevice.ConsoleChoice
    let width: Int?
    let height: Int?
    let format: PixelFormat
    let stride: Int?
    let pageCacheBytes: Int
    /// Where films' sound goes.
    let sound: Player.Audio
    /// The console that was on the panel before the screen's first run took its own: kept across runs (a run after
    /// a failure finds the screen's console active) so it is shown again when the screen stops.
    let consoleBefore = ConsoleBefore()

    public init?(screen: String, options reader: OptionsReader) {
        self.screen = screen
        device = reader[Self.device]
        switch reader[Self.tty] {
        case nil: console = .automatic
        case "none": console = .none
        case let path?: console = .terminal(path)
        }
        width = reader[Self.width]
        height = reader[Self.height]
        format = PixelFormat.named[reader[Self.format]] ?? .xrgb8888
        stride = reader[Self.stride]
        pageCacheBytes = reader[Self.pageCache] << 20
        sound = reader[Self.audio].map(Player.Audio.init(option:)) ?? .none
        if (width == nil) != (height == nil) {
            reader.problem(width == nil ? "height" : "width", "give both width and height, or neither")
        }
        if let stride, let width, stride < width * format.bytesPerPixel {
            reader.problem("stride", "\(stride) bytes is less than a row of \(width) pixels (\(width * format.bytesPerPixel))")
        }
        if !reader.errors.isEmpty { return nil }
    }

    public var claims: [String] {
        switch console {
        case .none: [device]
        case let .terminal(path): [device, path]
        // Only a device under /dev gets the default console (no I/O here to tell a device from a file).
        case .automatic: device.hasPrefix("/dev/") ? [device, FramebufferDevice.defaultConsole] : [device]
        }
    }

    public var initialSurface: Surface { PixelMeasurer.surface(width: width ?? 1920, height: height ?? 1080) }

    var fallback: FramebufferDevice.Geometry? {
        guard let width, let height else { return nil }
        return .init(width: width, height: height, stride: stride ?? width * format.bytesPerPixel, format: format,
                     virtualHeight: height)
    }

    public func run(frames: AsyncStream<Frame>, context: OutputContext) async throws {
        let fb = try FramebufferDevice(path: device, fallback: fallback, console: console)
        defer { fb.restore() }
        await fb.takeConsole(remembering: consoleBefore)
        let g = fb.geometry
        context.surfaceChanged(PixelMeasurer.surface(width: g.width, height: g.height))
        context.logger.info("Framebuffer ready.", metadata: [
            "vitrine.device": "\(device)", "vitrine.size": "\(g.width)x\(g.height)", "vitrine.format": "\(g.format)",
            "vitrine.stride": "\(g.stride)", "vitrine.buffers": "\(fb.canPan ? 2 : 1)",
            "vitrine.console": "\(fb.console?.path ?? "left alone")",
        ])
        for problem in fb.consoleProblems {
            context.logger.warning("The text console may draw over the picture: \(problem).")
        }
        if fb.isDevice, !fb.canPan {
            context.logger.notice("Double buffering unavailable (no room to pan); drawing in place.")
        }
        let inbox = FrameInbox()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await frame in frames { inbox.post(frame) }
                inbox.close()
            }
            if let console = fb.console {
                group.addTask {
                    for await _ in console.changes { inbox.wake() }
                }
                group.addTask {
                    // Nothing tells anyone when a console is put back in text mode under the screen (a getty's
                    // terminal reset): it is looked at this often, two ioctls each time.
                    while true {
                        try await Task.sleep(for: Self.consoleCheckInterval)
                        inbox.wake()
                    }
                }
            }
            try await present(inbox, on: fb, context: context)
            group.cancelAll()
        }
    }

    /// How often a held console is checked for having been taken away without a switch.
    public static let consoleCheckInterval = Duration.seconds(2)

    /// Paints the newest frame whenever it changes, and again whenever the console comes back to the panel.
    func present(_ inbox: FrameInbox, on fb: FramebufferDevice, context: OutputContext) async throws {
        let painter = PagePainter()
        let cache = PaintedPageCache(budget: pageCacheBytes)
        var wanted: Frame?
        // The frame on the panel, by what it shows rather than its pixels (an idle screen holds no full frame); nil
        // when the panel must be painted afresh.
        var onScreen: Frame?
        var reported: Frame?
        var epoch: Int?
        var hidden: String?
        // The film of the page on the panel, while it plays; the sound of its audio recordings.
        var film: FilmShow?
        // Whether the film's picture is what the panel shows, and the page painted around it.
        var filmOnPanel = false
        var backdrop: Frame?
        var warnedSilent = false
        let track: SoundTrack? = if case .none = sound { nil } else { SoundTrack(audio: sound) }
        var soundWake: Int64?
        defer {
            film?.stop()
            track?.stop()
        }

        for await _ in inbox.wakes {
            if let frame = inbox.take() { wanted = frame }
            if fb.isGone {
                throw OutputError("\(device) went away (unplugged, driver reloaded or file removed)")
            }
            if let console = fb.console {
                let look = console.check()
                if let retaken = look.retaken {
                    // Said before the page is back, so STATUS and the log show what happened to the panel.
                    context.logger.warning("The screen's console was taken away: \(retaken); taken back.")
                    context.hidden("\(retaken) (taken back)")
                    hidden = retaken
                }
                switch look.sight {
                case let .lost(why):
                    // Passing: the output is started again at once and opens and takes the console afresh.
                    throw OutputError(why)
                case let .hidden(why):
                    if hidden != why {
                        context.logger.notice("The page is not visible: \(why).")
                        context.hidden(why)
                        hidden = why
                    }
                    onScreen = nil
                    continue
                case let .shown(current):
                    if epoch != nil, current != epoch {
                        // Another console used the framebuffer meanwhile: its pan offset, its text.
                        fb.resynchronise()
                        onScreen = nil
                    }
                    epoch = current
                }
            }
            guard let frame = wanted else { continue }
            if let track {
                // Sound recordings play from where the clock says; woken again when one starts or ends.
                let sounds = frame.recordingFiles.filter { $0.media.kind == .audio }
                    .map { SoundTrack.Recording(path: $0.path, start: $0.start, milliseconds: $0.milliseconds) }
                let now = context.now()
                if let next = track.follow(sounds, now: now), next != soundWake {
                    soundWake = next
                    DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(Int(max(1, next - now)))) {
                        inbox.wake()
                    }
                }
            }
            // The film's last picture, while it is what the panel shows: the next page fades from it.
            let filmPicture: Canvas? = filmOnPanel ? film?.picture : nil
            if film.map({ !$0.belongs(to: frame) }) ?? true {
                film?.stop()
                film = FilmShow(for: frame, width: fb.geometry.width, height: fb.geometry.height, audio: sound,
                                wake: { inbox.wake() }, logger: context.logger)
                // Said in the log once, and in STATUS while a film plays.
                if film != nil, case .none = sound {
                    if !warnedSilent {
                        context.logger.warning("No audio device for this screen (`audio:`): films play silent.")
                        warnedSilent = true
                    }
                    context.trouble("no audio device: films play silent (set audio: in the screen's options)")
                } else {
                    context.trouble(nil)
                }
            }
            if let show = film {
                switch show.step(now: context.now()) {
                case .playing:
                    let g = fb.geometry
                    // The page around the film: painted (or unpacked) when it changes, copied into the film's
                    // picture, and let go.
                    var page: Canvas?
                    if backdrop != frame {
                        let key = PaintedPageCache.Key(frame, width: g.width, height: g.height)
                        page = cache.canvas(for: key) ?? painter.paint(frame, width: g.width, height: g.height)
                        backdrop = frame
                    }
                    guard let picture = show.picture(now: context.now(), page: page) else { continue }
                    if !show.hasBeenShown, onScreen == frame, let page, case let .crossfade(ms) = frame.theme.transition,
                       ms > 0 {
                        // From the page (shown during the lead-in) to the film.
                        _ = try await fade(from: page, to: picture, milliseconds: ms, fb: fb)
                    }
                    page = nil
                    show.hasBeenShown = true
                    if try fb.whileShown({ try self.show(picture, on: fb) }) {
                        // The panel shows the film, not the page: painted again when the film ends.
                        onScreen = nil
                        filmOnPanel = true
                        if reported != frame {
                            context.shown(frame)
                            reported = frame
                        }
                        continue
                    }
                case .ended:
                    context.trouble(nil)
                case .waiting, .over:
                    break
                }
            }
            filmOnPanel = false
            backdrop = nil
            if onScreen != frame {
                guard try await paint(frame, over: onScreen, from: filmPicture, on: fb, painter: painter, cache: cache)
                else {
                    onScreen = nil
                    continue
                }
                onScreen = frame
            }
            if hidden != nil {
                context.logger.notice("The page is visible again.")
                context.hidden(nil)
                hidden = nil
            }
            // A page painted again after a console switch is still the same showing (one play in the log).
            if reported != frame {
                context.shown(frame)
                reported = frame
            }
        }
    }

    /// Puts `frame` on the panel, crossfading from `previous` (or from `picture`, a film's last, when that is on
    /// the panel) where the theme says so; false when another console took the panel meanwhile (nothing, or only
    /// part of a fade, was drawn).
    func paint(_ frame: Frame, over previous: Frame?, from picture: Canvas? = nil, on fb: FramebufferDevice,
               painter: PagePainter, cache: PaintedPageCache) async throws -> Bool {
        let g = fb.geometry
        if frame.content == .blank, frame.presentation.reason == .afterHours {
            var blanked = false
            if try fb.whileShown({ blanked = fb.blank(true) }), blanked { return true }
        } else {
            _ = try fb.whileShown { fb.blank(false) }
        }
        let key = PaintedPageCache.Key(frame, width: g.width, height: g.height)
        let kept = cache.page(for: key)
        if case let .crossfade(ms) = frame.theme.transition, ms > 0,
           let from = picture ?? previous.flatMap({ previous in
               previous.content == .blank ? nil
                   // Both pages unpacked for the length of the fade only.
                   : cache.canvas(for: PaintedPageCache.Key(previous, width: g.width, height: g.height))
                   ?? painter.paint(previous, width: g.width, height: g.height)
           }) {
            let to = kept.flatMap(Canvas.restoring) ?? painter.paint(frame, width: g.width, height: g.height)
            if kept == nil, frame.clock == nil { cache.store(to, for: key) }
            guard try await fade(from: from, to: to, milliseconds: ms, fb: fb) else { return false }
            return try fb.whileShown { try show(to, on: fb) }
        } else if let kept {
            return try fb.whileShown { try show(kept, on: fb) }
        } else {
            let canvas = painter.paint(frame, width: g.width, height: g.height)
            // A page with a clock changes every minute: not worth keeping.
            if frame.clock == nil { cache.store(canvas, for: key) }
            return try fb.whileShown { try show(canvas, on: fb) }
        }
    }

    /// Writes a painted frame into the back buffer and shows it.
    func show(_ canvas: Canvas, on fb: FramebufferDevice) throws {
        let g = fb.geometry
        try canvas.withPixels { pixels in
            try fb.draw { first, rows, band in
                g.format.convert(from: pixels.baseAddress! + first * canvas.stride, sourceStride: canvas.stride,
                                 to: band, destinationStride: g.stride, width: g.width, height: rows)
            }
        }
        fb.present()
    }

    /// Shows a kept page, unpacking it band by band: no full frame is ever unpacked.
    func show(_ page: CompressedCanvas, on fb: FramebufferDevice) throws {
        let g = fb.geometry
        let direct = g.format == .xrgb8888 && g.stride == page.stride
        try fb.draw { first, rows, band in
            if direct {
                _ = page.unpackBand(startingAt: first, into: band)
            } else if page.unpackBand(startingAt: first, into: fb.bandPixels) != nil {
                g.format.convert(from: fb.bandPixels, sourceStride: page.stride, to: band, destinationStride: g.stride,
                                 width: g.width, height: rows)
            }
        }
        fb.present()
    }

    /// A crossfade at about 60 frames a second; false when another console took the panel during it.
    func fade(from: Canvas, to: Canvas, milliseconds: Int64, fb: FramebufferDevice) async throws -> Bool {
        let steps = max(1, Int(milliseconds / 16))
        let clock = ContinuousClock()
        var tick = clock.now
        for step in 1..<steps {
            try Task.checkCancellation()
            let drawn = try fb.whileShown {
                try fb.drawCrossfade(from: from, to: to, amount: Double(step) / Double(steps))
                fb.present()
            }
            guard drawn else { return false }
            tick = tick.advanced(by: .milliseconds(16))
            try await clock.sleep(until: tick)
        }
        return true
    }
}

extension FramebufferDevice {
    /// One crossfade frame between two painted frames of the screen's size, written into the back buffer.
    public func drawCrossfade(from: Canvas, to: Canvas, amount: Double) throws {
        let g = geometry
        try from.withPixels { a in
            try to.withPixels { b in
                try draw { first, rows, band in
                    crossfadeFrameInto(band, stride: g.stride, format: g.format,
                                       from: a.baseAddress! + first * from.stride, to: b.baseAddress! + first * to.stride,
                                       sourceStride: from.stride, width: g.width, height: rows, amount: amount,
                                       scratch: bandPixels)
                }
            }
        }
    }
}

/// The newest frame for the output and a wake-up for anything that may change what the panel shows (a new frame, a
/// console switch, a console check): latest wins, nothing queues.
final class FrameInbox: Sendable {
    private let latest = Mutex<Frame?>(nil)
    let wakes: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    init() {
        (wakes, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    func post(_ frame: Frame) {
        latest.withLock { $0 = frame }
        continuation.yield()
    }

    func wake() { continuation.yield() }

    /// The frame posted since the last call, if any.
    func take() -> Frame? { latest.withLock { frame in defer { frame = nil }; return frame } }

    func close() { continuation.finish() }
}
