import Foundation
import VitrinePluginAPI

/// Recordings made for a test with Debian's `ffmpeg` (never committed): colour bars with a tone, a tone alone, and
/// WebVTT captions.
public enum TestMedia {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Runs ffmpeg with `arguments` (after `-y -loglevel error`), failing the test with its message.
    static func ffmpeg(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        process.arguments = ["-nostdin", "-y", "-loglevel", "error"] + arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "ffmpeg failed: \(String(decoding: message, as: UTF8.self))")
        }
    }

    /// A film of SMPTE colour bars with a 440 Hz tone: `seconds` long, `width`×`height`, 25 frames a second (H.264
    /// and AAC in MP4). The bars never change: any instant of it is the same picture.
    public static func film(at path: String, seconds: Double, width: Int = 320, height: Int = 240) throws {
        try ffmpeg(["-f", "lavfi", "-i", "smptebars=size=\(width)x\(height):rate=25:duration=\(seconds)",
                    "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=\(seconds)",
                    "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest",
                    path])
    }

    /// A film of plain colours, one second each (or `secondsEach`) (`red`, `lime`, `blue` …: ffmpeg's colour names), 25 frames a
    /// second, silent: which second is on the screen can be read from any pixel.
    public static func colourSeconds(at path: String, _ colours: [String], width: Int = 160, height: Int = 120,
                                     secondsEach: Int = 1) throws {
        var arguments: [String] = []
        for colour in colours {
            arguments += ["-f", "lavfi", "-i", "color=c=\(colour):s=\(width)x\(height):r=25:d=\(secondsEach)"]
        }
        let inputs = colours.indices.map { "[\($0)]" }.joined()
        arguments += ["-filter_complex", "\(inputs)concat=n=\(colours.count):v=1:a=0", "-c:v", "libx264", "-preset",
                      "ultrafast", "-pix_fmt", "yuv420p", path]
        try ffmpeg(arguments)
    }

    /// A film whose colour turns round the hue circle once every `period` seconds (25 frames a second, 1.44° a frame
    /// for 10 s): which frame is on a screen can be read from one pixel.
    public static func hueWheel(at path: String, seconds: Int, period: Double = 10, size: Int = 64) throws {
        try ffmpeg(["-f", "lavfi", "-i", "color=c=red:s=\(size)x\(size):r=25:d=\(seconds),hue=H=2*PI*t/\(period)",
                    "-c:v", "libx264", "-preset", "ultrafast", "-crf", "10", "-pix_fmt", "yuv444p", path])
    }

    /// The hue of an RGB colour, in degrees.
    public static func hue(_ r: Int, _ g: Int, _ b: Int) -> Double {
        let (r, g, b) = (Double(r) / 255, Double(g) / 255, Double(b) / 255)
        let high = max(r, g, b), low = min(r, g, b)
        guard high > low else { return 0 }
        let d = high - low
        var h: Double
        if high == r { h = (g - b) / d } else if high == g { h = (b - r) / d + 2 } else { h = (r - g) / d + 4 }
        h *= 60
        return h < 0 ? h + 360 : h
    }

    /// The length of a WAV file's sound, in seconds (from its header: rate, channels, sample size, data size).
    public static func wavSeconds(_ path: String) throws -> Double {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        func u32(_ at: Int) -> Int { Int(data[at]) | Int(data[at + 1]) << 8 | Int(data[at + 2]) << 16 | Int(data[at + 3]) << 24 }
        func u16(_ at: Int) -> Int { Int(data[at]) | Int(data[at + 1]) << 8 }
        guard data.count > 44, data.prefix(4) == Data("RIFF".utf8) else { throw Failure(description: "not a WAV file") }
        var offset = 12
        var rate = 0, channels = 0, bits = 0
        while offset + 8 <= data.count {
            let id = String(decoding: data[offset..<offset + 4], as: UTF8.self)
            let size = u32(offset + 4)
            if id == "fmt " {
                channels = u16(offset + 10)
                rate = u32(offset + 12)
                bits = u16(offset + 22)
            } else if id == "data" {
                // A header not rewritten at the end says 0 or 0xFFFFFFFF: count what is there.
                let bytes = size == 0 || size >= 0x7FFF_FFFF ? data.count - offset - 8 : min(size, data.count - offset - 8)
                guard rate > 0, channels > 0, bits > 0 else { throw Failure(description: "no fmt chunk before data") }
                return Double(bytes) / Double(rate * channels * bits / 8)
            }
            offset += 8 + size + (size & 1)
        }
        throw Failure(description: "no data chunk")
    }

    /// A tone, `seconds` long (Opus in Ogg, the size a curator's MP3 would be).
    public static func audio(at path: String, seconds: Double) throws {
        try ffmpeg(["-f", "lavfi", "-i", "sine=frequency=330:sample_rate=48000:duration=\(seconds)", "-c:a",
                    "libopus", "-b:a", "32k", path])
    }

    /// WebVTT captions: each cue (start and end in seconds, text).
    public static func captions(_ cues: [(start: Double, end: Double, text: String)]) -> Data {
        func time(_ seconds: Double) -> String {
            let ms = Int((seconds * 1000).rounded())
            return String(format: "%02d:%02d:%02d.%03d", ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000)
        }
        let body = cues.map { "\(time($0.start)) --> \(time($0.end))\n\($0.text)\n" }.joined(separator: "\n")
        return Data("WEBVTT\n\n\(body)".utf8)
    }

    /// A frame of `page` on `screen`, put up at `start` for 20 s, its recordings starting `leadIn` later.
    public static func frame(showing page: Page, on screen: String, at start: Int64, leadIn: Int64 = 1_000,
                             theme: Theme = Theme(name: "paper")) -> Frame {
        let presentation = Presentation(screen: screen, content: .exhibit(page.exhibit, page: page.index,
                                                                           pageCount: page.count),
                                        theme: theme.name, reason: .playlist, validFrom: start,
                                        validUntil: start + 20_000)
        return Frame(content: .page(page), presentation: presentation, theme: theme, recordingStart: start + leadIn)
    }

    /// The schedule's clock reading `instant` now and running on in real time, for an output tested with real media
    /// (`OutputContext.now`).
    public static func clock(from instant: Int64) -> @Sendable () -> Int64 {
        let started = ContinuousClock.now
        return {
            let elapsed = ContinuousClock.now - started
            return instant + elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
        }
    }
}

extension TemporaryVenue {
    /// An exhibit whose one recording is a generated tone of `seconds` (`testimony.ogg`), with its transcript and, when
    /// given, WebVTT captions (`testimony.vtt`). Returns the exhibit's folder.
    @discardableResult
    public func addRecording(_ id: String, seconds: Double, transcript: String,
                             captions: [(start: Double, end: Double, text: String)]? = nil,
                             title: String = "Anton Weiss") throws -> String {
        let file = try addExhibit(id, """
            ---
            title: \(id.prefix(1).uppercased() + id.dropFirst())
            media:
              - audio: testimony.ogg
                title: \(title)
            \(captions == nil ? "" : "    captions: testimony.vtt\n")    transcript: \(transcript)
            ---
            Text.

            """, files: captions.map { ["testimony.vtt": TestMedia.captions($0)] } ?? [:])
        let folder = (file as NSString).deletingLastPathComponent
        try TestMedia.audio(at: folder + "/testimony.ogg", seconds: seconds)
        return folder
    }

    /// An exhibit whose one recording is the film `file`, made by `make` (given the film's path), with captions when
    /// given. Returns the exhibit's folder.
    @discardableResult
    public func addFilm(_ id: String, file: String, captions: [(start: Double, end: Double, text: String)]? = nil,
                        make: (String) throws -> Void) throws -> String {
        let markdown = try addExhibit(id, """
            ---
            title: \(id.prefix(1).uppercased() + id.dropFirst())
            media:
              - film: \(file)
            \(captions == nil ? "" : "    captions: film.vtt\n")    transcript: What the film shows.
            ---
            A film.

            """, files: captions.map { ["film.vtt": TestMedia.captions($0)] } ?? [:])
        let folder = (markdown as NSString).deletingLastPathComponent
        try make(folder + "/" + file)
        return folder
    }
}

extension TemporaryVenue {
    /// An exhibit `voice` in English with a recording, captions and transcript, and its Russian translation.
    public func addVoice() throws {
        let folder = contentPath + "/voice"
        try addExhibit("voice", """
            ---
            series: Days and Lives
            title: The Voice
            language: en
            summary: A short recording.
            media:
              - audio: voice.opus
                title: The testimony
                transcript: We had nothing, and so we gave each other everything.
                captions: voice.vtt
            ---
            The recording was made in 1971.
            """, files: ["voice.vtt": TestMedia.captions([(0, 30, "We had nothing.")]),
                         "voice.ru.vtt": TestMedia.captions([(0, 30, "У нас не было ничего.")])])
        try TestMedia.audio(at: folder + "/voice.opus", seconds: 4)
        try Data("""
            ---
            series: Дни и судьбы
            title: Голос
            summary: Короткая запись.
            media:
              - audio: voice.opus
                title: Свидетельство
                transcript: У нас не было ничего, и мы отдавали друг другу всё.
                captions: voice.ru.vtt
            ---
            Запись сделана в 1971 году.
            """.utf8).write(to: URL(fileURLWithPath: folder + "/exhibit.ru.md"))
    }
}
