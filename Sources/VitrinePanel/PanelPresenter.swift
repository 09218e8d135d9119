import Foundation
import Synchronization
import VitrineMedia
import VitrinePluginAPI
import VitrineRenderer

/// What a pixel screen does with its frames, whatever the panel: pages painted (or unpacked from the cache) and
/// shown, crossfades, films and their sound, blanking after hours, the console watched and taken back.
public struct PanelPresenter: Sendable {
    /// Where films' sound goes.
    let sound: Player.Audio
    let pageCacheBytes: Int

    public init(sound: Player.Audio, pageCacheBytes: Int) {
        self.sound = sound
        self.pageCacheBytes = pageCacheBytes
    }

    /// How often a held console (and a display connector) is checked for having been taken away.
    public static let consoleCheckInterval = Duration.seconds(2)

    /// Shows `frames` on `fb` until they end, the task is cancelled or the panel is lost (thrown).
    public func run(frames: AsyncStream<Frame>, on fb: some Panel, context: OutputContext,
                    checkEvery interval: Duration? = nil) async throws {
        try await FrameInbox.filled(from: frames) { inbox in
            try await show(inbox, on: fb, context: context, checkEvery: interval)
        }
    }

    /// Shows the frames posted to `inbox` on `fb`, starting with the newest already there, until the inbox is
    /// closed, the task is cancelled or the panel is lost (thrown). An output whose panel comes and goes (a display
    /// unplugged and plugged back) keeps one inbox for all of them.
    public func show(_ inbox: FrameInbox, on fb: some Panel, context: OutputContext,
                     checkEvery interval: Duration? = nil) async throws {
        inbox.replay()
        try await withThrowingTaskGroup(of: Void.self) { group in
            if let console = fb.console {
                group.addTask {
                    for await _ in console.changes { inbox.wake() }
                }
            }
            if let every = interval ?? (fb.console != nil ? Self.consoleCheckInterval : nil) {
                group.addTask {
                    // Nothing tells anyone when a console is put back in text mode under the screen (a getty's
                    // terminal reset), nor (without udev) when a display is unplugged: looked at this often.
                    while true {
                        try await Task.sleep(for: every)
                        inbox.wake()
                    }
                }
            }
            try await present(inbox, on: fb, context: context)
            group.cancelAll()
        }
    }

    /// Paints the newest frame whenever it changes, and again whenever the console comes back to the panel.
    func present(_ inbox: FrameInbox, on fb: some Panel, context: OutputContext) async throws {
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
        let panelSurface = PixelMeasurer.surface(width: fb.geometry.width, height: fb.geometry.height).key
        defer {
            film?.stop()
            track?.stop()
        }

        for await _ in inbox.wakes {
            if let frame = inbox.take() { wanted = frame }
            if let lost = fb.lost { throw OutputError(lost) }
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
            // Laid out for the size the screen was guessed to have before the panel was measured: the frame laid
            // out for the panel follows at once.
            if let laidOut = frame.surfaceKey, laidOut != panelSurface { continue }
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
            if let show = film, show.belongs(to: frame), backdrop != frame {
                // The same film on a page laid out again (the panel measured, a burn-in move): its picture goes where
                // the new page leaves room for it.
                show.follow(frame, width: fb.geometry.width, height: fb.geometry.height)
            }
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
                        // The next picture's wake is often already waiting, and the loop would go round without
                        // suspending: screens busy with films would keep Swift's few cooperative threads (two on a
                        // two-core machine) to themselves, and the other screens, the listener, reloads and the
                        // watchdog's pings would never run again. Each picture lets the others have a turn.
                        await Task.yield()
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
    func paint(_ frame: Frame, over previous: Frame?, from picture: Canvas? = nil, on fb: some Panel,
               painter: PagePainter, cache: PaintedPageCache) async throws -> Bool {
        let g = fb.geometry
        if !frame.presentation.displayOn {
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
    func show(_ canvas: Canvas, on fb: some Panel) throws {
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
    func show(_ page: CompressedCanvas, on fb: some Panel) throws {
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
    func fade(from: Canvas, to: Canvas, milliseconds: Int64, fb: some Panel) async throws -> Bool {
        let steps = max(1, Int(milliseconds / 16))
        let clock = ContinuousClock()
        var tick = clock.now
        for step in 1..<steps {
            try Task.checkCancellation()
            let drawn = try fb.whileShown {
                try fb.drawFade(from: from, to: to, amount: Double(step) / Double(steps))
                fb.present()
            }
            guard drawn else { return false }
            tick = tick.advanced(by: .milliseconds(16))
            try await clock.sleep(until: tick)
        }
        return true
    }
}

/// The newest frame for the output and a wake-up for anything that may change what the panel shows (a new frame, a
/// console switch, a console check): latest wins, nothing queues.
public final class FrameInbox: Sendable {
    private struct Box {
        var newest: Frame?
        /// Whether `newest` came since the last `take()`.
        var fresh = false
        var closed = false
    }
    private let latest = Mutex(Box())
    let wakes: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    public init() {
        (wakes, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Runs `body` with an inbox that `frames` are posted to (and that is closed when they end), until `body` returns.
    public static func filled(from frames: AsyncStream<Frame>,
                              _ body: @Sendable (FrameInbox) async throws -> Void) async throws {
        let inbox = FrameInbox()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await frame in frames { inbox.post(frame) }
                inbox.close()
            }
            try await body(inbox)
            group.cancelAll()
        }
    }

    public func post(_ frame: Frame) {
        latest.withLock {
            $0.newest = frame
            $0.fresh = true
        }
        continuation.yield()
    }

    func wake() { continuation.yield() }

    /// The frame posted since the last call, if any.
    func take() -> Frame? {
        latest.withLock { box in
            defer { box.fresh = false }
            return box.fresh ? box.newest : nil
        }
    }

    /// The newest frame is handed out again (a new panel starts with it).
    func replay() {
        latest.withLock { $0.fresh = $0.newest != nil }
        continuation.yield()
    }

    /// No more frames: the output is done once the panel has the last one.
    public func close() {
        latest.withLock { $0.closed = true }
        continuation.finish()
    }

    public var isClosed: Bool { latest.withLock { $0.closed } }
}
