import Foundation

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
    /// and AAC in MP4).
    public static func film(at path: String, seconds: Double, width: Int = 320, height: Int = 240) throws {
        try ffmpeg(["-f", "lavfi", "-i", "smptebars=size=\(width)x\(height):rate=25:duration=\(seconds)",
                    "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=\(seconds)",
                    "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest",
                    path])
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
}
