import CMpv
import Foundation
import Synchronization

/// Plays one recording at a time through libmpv, its pictures rendered into a buffer the caller owns (the software
/// render API: no window, no GPU), its sound to the screen's audio device. The caller decides when: a recording is
/// loaded at the position the clock gives, so every screen plays the same second.
///
/// Not for concurrent use: one task (the screen's) drives it. `init` touches nothing; `open` starts libmpv.
public final class Player: @unchecked Sendable {
    /// Where the sound goes.
    public enum Audio: Hashable, Sendable {
        /// Nowhere: the film plays silent.
        case none
        /// An audio device as libmpv names it (`alsa/plughw:CARD=PCH,DEV=0`, `pulse`, `pipewire`, or `auto`).
        case device(String)
        /// A WAV file (tests: what would have been heard, sample for sample).
        case file(String)

        /// A screen's `audio:` option as written: `file:PATH`, or a device's name.
        public init(option: String) {
            self = option.hasPrefix("file:") ? .file(String(option.dropFirst(5))) : .device(option)
        }
    }

    public struct Failure: Error, Hashable, Sendable, CustomStringConvertible {
        public var description: String
    }

    let audio: Audio
    /// False: sound only (no picture is decoded, no renderer made), for screens that draw no film.
    let pictures: Bool
    private var handle: OpaquePointer?
    private var renderer: OpaquePointer?
    private let frames: FrameSignal

    /// `onFrame` is called (on libmpv's thread; it must be quick and must not call the player) each time a new
    /// picture is ready to render.
    public init(audio: Audio = .none, pictures: Bool = true, onFrame: (@Sendable () -> Void)? = nil) {
        self.audio = audio
        self.pictures = pictures
        frames = FrameSignal(onFrame: onFrame)
    }

    deinit { close() }

    public func open() throws(Failure) {
        guard handle == nil else { return }
        guard let handle = mpv_create() else { throw Failure(description: "the media library cannot start") }
        self.handle = handle
        var options = MediaProbe.options.filter { !["vo", "ao", "pause"].contains($0.0) }
        options += [("vo", pictures ? "libmpv" : "null"), ("vid", pictures ? "auto" : "no"), ("hwdec", "no"),
                    ("hr-seek", "yes"), ("keep-open", "yes"), ("pause", "yes"), ("sub-visibility", "no"),
                    ("osd-level", "0"),
                    // Each decoding thread holds pictures of its own (a 1080p one is 3 MiB): two decode 1080p at 25
                    // frames a second with room to spare, where the default (cores + 1) costs more memory for nothing.
                    ("vd-lavc-threads", "2")]
        switch audio {
        case .none: options.append(("ao", "null"))
        case let .device(name): options += [("audio-device", name)]
        case let .file(path): options += [("ao", "pcm"), ("ao-pcm-file", path), ("ao-pcm-waveheader", "yes")]
        }
        for (name, value) in options { mpv_set_option_string(handle, name, value) }
        let started = mpv_initialize(handle)
        guard started >= 0 else {
            close()
            throw Failure(description: "the media library cannot start: \(String(cString: mpv_error_string(started)))")
        }
        guard pictures else { return }
        let api = strdup("sw")
        defer { free(api) }
        var params = [mpv_render_param(type: MPV_RENDER_PARAM_API_TYPE, data: UnsafeMutableRawPointer(api)),
                      mpv_render_param(type: MPV_RENDER_PARAM_INVALID, data: nil)]
        var context: OpaquePointer?
        let made = mpv_render_context_create(&context, handle, &params)
        guard made >= 0, let context else {
            close()
            throw Failure(description: "no software renderer: \(String(cString: mpv_error_string(made)))")
        }
        renderer = context
        // Called on libmpv's thread: only a signal, never a call back into libmpv.
        mpv_render_context_set_update_callback(context, { box in
            guard let box else { return }
            Unmanaged<FrameSignal>.fromOpaque(box).takeUnretainedValue().raise()
        }, Unmanaged.passUnretained(frames).toOpaque())
    }

    /// Loads `path` `offset` seconds in, and waits until that position is ready to be shown (or `timeout`).
    /// `playing`: start at once (false: stay paused on that picture, as a test or a lead-in wants).
    public func load(_ path: String, at offset: Double, playing: Bool, timeout: Duration = .seconds(10))
        throws(Failure)
    {
        guard let handle else { throw Failure(description: "the player is not open") }
        mpv_set_property_string(handle, "pause", playing ? "no" : "yes")
        let target = path.hasPrefix("/") ? path : "./\(path)"
        let status = MediaProbe.command(handle, ["loadfile", target, "replace", "start=\(String(format: "%.3f", max(0, offset)))"])
        guard status >= 0 else {
            throw Failure(description: "cannot load \(path): \(String(cString: mpv_error_string(status)))")
        }
        let deadline = ContinuousClock.now + timeout
        while true {
            let left = deadline - ContinuousClock.now
            guard left > .zero else { throw Failure(description: "\(path) did not start within \(timeout)") }
            guard let event = mpv_wait_event(handle, min(Double(left.components.seconds) + 0.1, 1))?.pointee else {
                continue
            }
            if event.event_id == MPV_EVENT_PLAYBACK_RESTART { return }
            if event.event_id == MPV_EVENT_END_FILE {
                let end = event.data.assumingMemoryBound(to: mpv_event_end_file.self).pointee
                if end.reason == MPV_END_FILE_REASON_ERROR {
                    throw Failure(description: "cannot play \(path): \(String(cString: mpv_error_string(end.error)))")
                }
            }
        }
    }

    /// The position being shown, in seconds; nil before a recording is loaded.
    public var position: Double? { handle.flatMap { MediaProbe.double($0, "time-pos") } }

    /// True once the recording has played to its end.
    public var ended: Bool { handle.flatMap { MediaProbe.string($0, "eof-reached") } == "yes" }

    public func pause(_ paused: Bool) {
        guard let handle else { return }
        mpv_set_property_string(handle, "pause", paused ? "yes" : "no")
    }

    /// Moves to `seconds` (precise), for a player that drifted from the clock.
    public func seek(to seconds: Double) {
        guard let handle else { return }
        _ = MediaProbe.command(handle, ["seek", String(format: "%.3f", seconds), "absolute+exact"])
    }

    /// Waits until libmpv has a new picture to render (or `timeout`); true when one is due.
    public func waitForFrame(timeout: Duration) -> Bool { frames.wait(timeout: timeout) }

    /// Renders the current picture into `pixels` (`width`×`height`, `stride` bytes a row), scaled to fit and
    /// letterboxed in black. `format`: `bgr0` (XRGB8888 in memory on little-endian), `rgb0`, `0rgb` or `0bgr`.
    public func render(into pixels: UnsafeMutableRawPointer, width: Int, height: Int, stride: Int,
                       format: String = "bgr0") {
        guard let renderer else { return }
        _ = mpv_render_context_update(renderer)
        var size: [Int32] = [Int32(width), Int32(height)]
        var rowBytes = stride
        let name = strdup(format)
        defer { free(name) }
        size.withUnsafeMutableBufferPointer { size in
            withUnsafeMutablePointer(to: &rowBytes) { rowBytes in
                var params = [
                    mpv_render_param(type: MPV_RENDER_PARAM_SW_SIZE, data: UnsafeMutableRawPointer(size.baseAddress)),
                    mpv_render_param(type: MPV_RENDER_PARAM_SW_FORMAT, data: UnsafeMutableRawPointer(name)),
                    mpv_render_param(type: MPV_RENDER_PARAM_SW_STRIDE, data: UnsafeMutableRawPointer(rowBytes)),
                    mpv_render_param(type: MPV_RENDER_PARAM_SW_POINTER, data: pixels),
                    mpv_render_param(type: MPV_RENDER_PARAM_INVALID, data: nil),
                ]
                _ = mpv_render_context_render(renderer, &params)
            }
        }
    }

    /// Plays the loaded recording to its end (or `timeout`), for a caller with nothing to draw (sound only).
    public func playToEnd(timeout: Duration) -> Bool {
        guard let handle else { return false }
        pause(false)
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if ended { return true }
            if let event = mpv_wait_event(handle, 0.1)?.pointee, event.event_id == MPV_EVENT_END_FILE { return true }
            if let renderer { _ = mpv_render_context_update(renderer) }
        }
        return ended
    }

    /// Stops playback and lets go of the audio device; the player can be opened again.
    public func close() {
        if let renderer {
            mpv_render_context_set_update_callback(renderer, nil, nil)
            mpv_render_context_free(renderer)
        }
        renderer = nil
        if let handle { mpv_terminate_destroy(handle) }
        handle = nil
    }
}

/// "A new picture is due", raised on libmpv's thread and awaited on the screen's.
final class FrameSignal: Sendable {
    private let raised = Mutex(false)
    private let condition = DispatchSemaphore(value: 0)
    private let onFrame: (@Sendable () -> Void)?

    init(onFrame: (@Sendable () -> Void)?) { self.onFrame = onFrame }

    func raise() {
        onFrame?()
        let first = raised.withLock { raised -> Bool in
            defer { raised = true }
            return !raised
        }
        if first { condition.signal() }
    }

    func wait(timeout: Duration) -> Bool {
        let nanoseconds = Int(timeout.components.seconds) * 1_000_000_000 + Int(timeout.components.attoseconds / 1_000_000_000)
        guard condition.wait(timeout: .now() + .nanoseconds(nanoseconds)) == .success else { return false }
        raised.withLock { $0 = false }
        return true
    }
}
