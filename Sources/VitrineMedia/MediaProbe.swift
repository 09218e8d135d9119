import CMpv
import Foundation

/// What a recording holds, as libmpv (whatever ffmpeg decodes) reads it.
public struct RecordingFacts: Hashable, Sendable {
    /// Its length.
    public var milliseconds: Int64
    public var hasAudio: Bool
    public var hasVideo: Bool
    /// The picture's size, for a film.
    public var width: Int?
    public var height: Int?
    /// The container's format and the codecs, for messages ("mp4: h264, aac").
    public var description: String
}

/// Opens a recording the way a screen will play it and reports its length and streams, or why it cannot be played:
/// `vitrine check` and every load run this, so a corrupt or unsupported file is found by the curator, not by a
/// visitor in front of a silent panel.
public enum MediaProbe {
    public enum Failure: Error, Hashable, Sendable, CustomStringConvertible {
        /// libmpv could not start (no memory, a broken installation).
        case cannotStart(String)
        /// The file is not a recording libmpv can open: its reason.
        case unreadable(String)
        /// Opened, but holds neither sound nor picture.
        case noStreams
        /// Opened, but its length cannot be known (a live stream, a broken index).
        case noLength
        case timedOut(Duration)

        public var description: String {
            switch self {
            case let .cannotStart(reason): "the media library cannot start (\(reason))"
            case let .unreadable(reason): "cannot be played: \(reason)"
            case .noStreams: "holds neither sound nor picture"
            case .noLength: "its length cannot be read (a broken or unfinished file?)"
            case let .timedOut(limit): "did not open within \(limit.components.seconds) s"
            }
        }
    }

    /// Options of every probe and player: no configuration files, scripts, network helpers, terminal or output
    /// devices; only the file asked for is opened (a playlist that names others is refused by libmpv's default).
    static let options: [(String, String)] = [
        ("config", "no"), ("load-scripts", "no"), ("ytdl", "no"), ("terminal", "no"), ("msg-level", "all=no"),
        ("input-default-bindings", "no"), ("vo", "null"), ("ao", "null"), ("pause", "yes"), ("idle", "yes"),
        ("audio-display", "no"), ("load-unsafe-playlists", "no"), ("sub-auto", "no"), ("audio-file-auto", "no"),
        ("cover-art-auto", "no"),
        // libmpv's built-in Lua scripts (statistics overlay, console, automatic profiles) each run a thread and a
        // Lua state per player, for nothing a screen shows.
        ("osc", "no"), ("load-stats-overlay", "no"), ("load-osd-console", "no"), ("load-auto-profiles", "no"),
    ]

    public static func probe(_ path: String, timeout: Duration = .seconds(10)) -> Result<RecordingFacts, Failure> {
        guard let handle = mpv_create() else { return .failure(.cannotStart("mpv_create failed")) }
        defer { mpv_terminate_destroy(handle) }
        for (name, value) in options { mpv_set_option_string(handle, name, value) }
        let started = mpv_initialize(handle)
        guard started >= 0 else { return .failure(.cannotStart(String(cString: mpv_error_string(started)))) }
        // "./" keeps a file named like an option or a protocol ("http:…") a plain file.
        let target = path.hasPrefix("/") ? path : "./\(path)"
        var status = command(handle, ["loadfile", target])
        guard status >= 0 else { return .failure(.unreadable(String(cString: mpv_error_string(status)))) }

        let deadline = ContinuousClock.now + timeout
        waiting: while true {
            let left = deadline - ContinuousClock.now
            guard left > .zero else { return .failure(.timedOut(timeout)) }
            let seconds = Double(left.components.seconds) + Double(left.components.attoseconds) / 1e18
            guard let event = mpv_wait_event(handle, min(seconds, 1))?.pointee else { continue }
            switch event.event_id {
            case MPV_EVENT_FILE_LOADED:
                break waiting
            case MPV_EVENT_END_FILE:
                let end = event.data.assumingMemoryBound(to: mpv_event_end_file.self).pointee
                status = end.error
                let reason = status < 0 ? String(cString: mpv_error_string(status)) : "the file ended before it opened"
                return .failure(.unreadable(reason))
            case MPV_EVENT_SHUTDOWN:
                return .failure(.cannotStart("the player shut down"))
            default:
                continue
            }
        }

        var hasAudio = false, hasVideo = false
        var width: Int?, height: Int?
        var codecs: [String] = []
        let tracks = int(handle, "track-list/count") ?? 0
        for index in 0..<tracks {
            let type = string(handle, "track-list/\(index)/type")
            // Cover art in an audio file is a picture, not a film.
            let albumArt = string(handle, "track-list/\(index)/albumart") == "yes"
            if let codec = string(handle, "track-list/\(index)/codec") { codecs.append(codec) }
            switch type {
            case "audio": hasAudio = true
            case "video" where !albumArt:
                hasVideo = true
                width = width ?? int(handle, "track-list/\(index)/demux-w")
                height = height ?? int(handle, "track-list/\(index)/demux-h")
            default: break
            }
        }
        guard hasAudio || hasVideo else { return .failure(.noStreams) }
        guard let seconds = double(handle, "duration"), seconds.isFinite, seconds > 0 else {
            return .failure(.noLength)
        }
        let format = string(handle, "file-format") ?? "?"
        return .success(RecordingFacts(milliseconds: Int64((seconds * 1000).rounded()), hasAudio: hasAudio,
                                       hasVideo: hasVideo, width: width, height: height,
                                       description: "\(format): \(codecs.joined(separator: ", "))"))
    }

    static func command(_ handle: OpaquePointer, _ words: [String]) -> Int32 {
        let copies = words.map { strdup($0) }
        defer { for copy in copies { free(copy) } }
        var pointers: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } }
        pointers.append(nil)
        return pointers.withUnsafeMutableBufferPointer { mpv_command(handle, $0.baseAddress) }
    }

    static func string(_ handle: OpaquePointer, _ name: String) -> String? {
        guard let value = mpv_get_property_string(handle, name) else { return nil }
        defer { mpv_free(value) }
        return String(cString: value)
    }

    static func int(_ handle: OpaquePointer, _ name: String) -> Int? {
        var value: Int64 = 0
        return mpv_get_property(handle, name, MPV_FORMAT_INT64, &value) >= 0 ? Int(value) : nil
    }

    static func double(_ handle: OpaquePointer, _ name: String) -> Double? {
        var value: Double = 0
        return mpv_get_property(handle, name, MPV_FORMAT_DOUBLE, &value) >= 0 ? value : nil
    }
}
