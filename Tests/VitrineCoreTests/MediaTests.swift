import Foundation
import Testing
import VitrineCore
import VitrineMedia
import VitrineModel
import VitrineTestKit

/// Recordings are read by a real media library (libmpv): their length sets how long their page stays up, and a
/// file that cannot be played is the curator's error, found by `vitrine check`.
@Suite struct MediaTests {
    func folder(of file: String) -> String { (file as NSString).deletingLastPathComponent }

    @Test func theProbeReadsLengthAndStreams() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vitrine-media-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let film = folder.appendingPathComponent("bars.mp4").path
        try TestMedia.film(at: film, seconds: 3, width: 320, height: 240)
        let facts = try MediaProbe.probe(film).get()
        #expect(abs(facts.milliseconds - 3000) <= 50, "\(facts)")
        #expect(facts.hasVideo && facts.hasAudio && facts.width == 320 && facts.height == 240, "\(facts)")

        let audio = folder.appendingPathComponent("tone.ogg").path
        try TestMedia.audio(at: audio, seconds: 2.5)
        let tone = try MediaProbe.probe(audio).get()
        #expect(abs(tone.milliseconds - 2500) <= 50 && tone.hasAudio && !tone.hasVideo, "\(tone)")

        // Bytes that are no recording, and a film cut short (its index at the end is gone).
        let noise = folder.appendingPathComponent("noise.mp4")
        try Data((0..<20_000).map { UInt8(truncatingIfNeeded: $0 &* 7919 >> 3) }).write(to: noise)
        #expect(throws: MediaProbe.Failure.self) { try MediaProbe.probe(noise.path).get() }
        let cut = folder.appendingPathComponent("cut.mp4")
        try Data(try Data(contentsOf: URL(fileURLWithPath: film)).prefix(4_000)).write(to: cut)
        #expect(throws: MediaProbe.Failure.self) { try MediaProbe.probe(cut.path).get() }
    }

    /// "Listen to the sound or read the transcript below": the page with a 90-second testimony stays up for it (with
    /// the lead-in and lead-out), not for the 8 to 45 seconds its text would get.
    @Test func aPageThatPlaysARecordingLastsTheRecording() throws {
        let venue = try TemporaryVenue()
        try venue.addRecording("solidarity", seconds: 90, transcript: "We shared the bread.")
        try venue.writeConfig("""
            timezone: UTC
            pages:
              lead-in: 2s
              lead-out: 3s
            playlists:
              main: [solidarity]
            screens:
              hall:
                output: recording
                playlist: main
              reading-room:
                output: recording
                playlist: main
                media: transcript

            """)
        let outcome = venue.load()
        #expect(!outcome.diagnostics.hasErrors, "\(outcome.diagnostics)")
        let program = try #require(outcome.program)
        let recording = program.exhibits[ExhibitID("solidarity")]?.blocks.compactMap {
            if case let .media(block) = $0 { block } else { nil }
        }.first
        #expect(abs((recording?.milliseconds ?? 0) - 90_000) <= 100)
        let start = instant("2026-06-01T10:00:00Z")
        let first = try #require(program.presentation(for: "hall", at: start))
        let length = first.validUntil - first.validFrom
        #expect(abs(length - (2_000 + 90_000 + 3_000)) <= 100, "the page lasted \(length) ms")
        // The next play starts when this one ends, and the frame says when its recording starts.
        let next = try #require(program.presentation(for: "hall", at: first.validUntil))
        #expect(next.validFrom == first.validUntil)
        #expect(program.frame(for: first).recordingStart == first.validFrom + 2_000)
        // A screen that shows transcripts only: reading time, nothing to play.
        let quiet = try #require(program.presentation(for: "reading-room", at: start))
        #expect(quiet.validUntil - quiet.validFrom <= 45_000, "\(quiet)")
        let frame = program.frame(for: quiet)
        #expect(frame.recordingStart == nil && frame.recordings.isEmpty)
    }

    /// A corrupt recording is an error naming the file and the exhibit's line; a film without captions a warning.
    @Test func checkReportsRecordingsThatCannotBePlayed() throws {
        let venue = try TemporaryVenue()
        let brokenFile = try venue.addExhibit("broken", """
            ---
            title: Broken
            media:
              - film: interview.mp4
                transcript: Words.
            ---
            Text.

            """, files: ["interview.mp4": Data(repeating: 0x42, count: 5_000)])
        let filmFile = try venue.addExhibit("film", """
            ---
            title: A film
            media:
              - film: bars.mp4
                transcript: Colour bars and a tone.
            ---
            Text.

            """)
        try TestMedia.film(at: folder(of: filmFile) + "/bars.mp4", seconds: 1)
        try venue.writeConfig("""
            timezone: UTC
            playlists:
              main: [film]
            screens:
              hall:
                output: recording
                playlist: main

            """)
        let outcome = venue.load()
        let broken = outcome.diagnostics.filter { $0.file == brokenFile }
        #expect(broken.errors.contains { $0.line == 4 && $0.message.contains("media[0].film: 'interview.mp4' cannot be played") },
                "\(broken)")
        let film = outcome.diagnostics.filter { $0.file == filmFile }
        #expect(film.warnings.contains { $0.message.contains("film 'bars.mp4' has no captions") }, "\(film)")
        #expect(!film.hasErrors, "\(film)")
    }
}

/// Captions are read as browsers read them, so every screen shows the same words at the same second.
@Suite struct CaptionTests {
    @Test func cuesAreReadWithTheirTimes() throws {
        let vtt = """
            WEBVTT - Solidarity

            NOTE written by the curator

            1
            00:00:01.000 --> 00:00:04.500 line:90%
            <v Anton Weiss>We shared</v> the bread.

            00:04.500 --> 00:07.250
            Everything &amp; nothing.
            Two lines.

            01:00:00.000 --> 01:00:02.000
            An hour in.
            """
        let cues = try WebVTT.cues(vtt).get()
        #expect(cues == [
            CaptionCue(start: 1_000, end: 4_500, text: "We shared the bread."),
            CaptionCue(start: 4_500, end: 7_250, text: "Everything & nothing.\nTwo lines."),
            CaptionCue(start: 3_600_000, end: 3_602_000, text: "An hour in."),
        ])
        #expect(throws: WebVTT.Problem(line: 3, message: "expected a cue timing such as 00:00:01.000 --> 00:00:04.000, "
            + "found '00:01 --> 00:02'")) { try WebVTT.cues("WEBVTT\n\n00:01 --> 00:02\nText\n").get() }
        #expect(throws: WebVTT.Problem.self) { try WebVTT.cues("1\n00:00:01.000 --> 00:00:02.000\nText\n").get() }
    }
}

/// The player screens use (libmpv's software renderer into a buffer Vitrine owns, sound to a device), with generated
/// recordings: what it shows at a position, and what it plays.
@Suite struct PlayerTests {
    let folder: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vitrine-player-\(UUID())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    /// The middle pixel of a `width`×`height` XRGB8888 (`bgr0`) buffer, as (red, green, blue).
    func middle(_ pixels: [UInt8], width: Int, height: Int) -> (Int, Int, Int) {
        let at = ((height / 2) * width + width / 2) * 4
        return (Int(pixels[at + 2]), Int(pixels[at + 1]), Int(pixels[at]))
    }

    func close(_ a: (Int, Int, Int), _ b: (Int, Int, Int)) -> Bool {
        abs(a.0 - b.0) <= 24 && abs(a.1 - b.1) <= 24 && abs(a.2 - b.2) <= 24
    }

    /// A film loaded at 1.5 s shows its second second (green); joining at 2.5 s shows the third (blue), in a buffer
    /// with a padded stride, letterboxed (the black bars stay black).
    @Test func theFilmFrameAtAPositionIsRenderedIntoOurBuffer() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let film = folder.appendingPathComponent("colours.mp4").path
        try TestMedia.colourSeconds(at: film, ["red", "lime", "blue"])
        let player = Player()
        try player.open()
        defer { player.close() }
        let (width, height, stride) = (320, 120, 320 * 4 + 64)
        var pixels = [UInt8](repeating: 0x55, count: stride * height)
        func show(at seconds: Double) throws -> (Int, Int, Int) {
            try player.load(film, at: seconds, playing: false)
            _ = player.waitForFrame(timeout: .seconds(5))
            pixels.withUnsafeMutableBytes { player.render(into: $0.baseAddress!, width: width, height: height, stride: stride) }
            let at = (height / 2) * stride + (width / 2) * 4
            return (Int(pixels[at + 2]), Int(pixels[at + 1]), Int(pixels[at]))
        }
        let green = try show(at: 1.5)
        #expect(close(green, (0, 255, 0)), "\(green)")
        #expect(abs((player.position ?? 0) - 1.5) < 0.05)
        let blue = try show(at: 2.5)
        #expect(close(blue, (0, 0, 255)), "\(blue)")
        // 160x120 in 320x120: bars of 80 pixels left and right.
        let left = (height / 2) * stride + 10 * 4
        #expect(pixels[left] < 16 && pixels[left + 1] < 16 && pixels[left + 2] < 16, "the bars are black")
    }

    /// Sound goes to the screen's device: through a WAV sink, what was played lasts the recording (within 1 %).
    @Test func theSoundPlayedLastsTheRecording() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let tone = folder.appendingPathComponent("tone.ogg").path
        try TestMedia.audio(at: tone, seconds: 2)
        let sink = folder.appendingPathComponent("heard.wav").path
        let player = Player(audio: .file(sink))
        try player.open()
        try player.load(tone, at: 0, playing: true)
        #expect(player.playToEnd(timeout: .seconds(20)))
        player.close()
        let heard = try TestMedia.wavSeconds(sink)
        #expect(abs(heard - 2) <= 0.02, "heard \(heard) s of a 2 s recording")

        // Joined 0.5 s in: the rest is heard, not the whole.
        let rest = folder.appendingPathComponent("rest.wav").path
        let late = Player(audio: .file(rest), pictures: false)
        try late.open()
        try late.load(tone, at: 0.5, playing: true)
        #expect(late.playToEnd(timeout: .seconds(20)))
        late.close()
        let joined = try TestMedia.wavSeconds(rest)
        #expect(abs(joined - 1.5) <= 0.02, "heard \(joined) s of the last 1.5 s")
    }
}

/// Files an exhibit names are read only from inside the content folder: a symbolic link to a secret (the control
/// token, here a file beside the venue) in a transcript, captions, image or the exhibit itself is the curator's
/// error, and nothing of the secret reaches a page.
@Suite struct ContentFolderTests {
    @Test func linksOutOfTheContentFolderAreRefusedAndLeakNothing() throws {
        let venue = try TemporaryVenue()
        let secret = venue.root.appendingPathComponent("control-token").path
        try "WEBVTT\n\n00:00.000 --> 00:01.000\nSECRET-TOKEN-42\n".write(toFile: secret, atomically: true, encoding: .utf8)
        let folder = (try venue.addRecording("leak", seconds: 1, transcript: "A tone."))
        for name in ["leak.txt", "leak.vtt"] {
            try FileManager.default.createSymbolicLink(atPath: folder + "/" + name, withDestinationPath: secret)
        }
        let markdown = try venue.addExhibit("linked", "---\ntitle: Linked\n---\nText.\n")
        try FileManager.default.removeItem(atPath: markdown)
        try FileManager.default.createSymbolicLink(atPath: markdown, withDestinationPath: secret)
        // The exhibit names the links as its transcript and captions.
        let exhibit = folder + "/exhibit.md"
        let text = try String(contentsOfFile: exhibit, encoding: .utf8)
            .replacingOccurrences(of: "    transcript: A tone.", with: "    transcript-file: leak.txt\n    captions: leak.vtt")
        try text.write(toFile: exhibit, atomically: true, encoding: .utf8)

        let loaded = ExhibitLoader().loadFolder(venue.contentPath)
        let messages = loaded.diagnostics.map { "\($0)" }
        #expect(messages.contains { $0.contains("transcript 'leak.txt' is a link leading out of the content folder") },
                "\(messages)")
        #expect(messages.contains { $0.contains("captions 'leak.vtt' is a link leading out of the content folder") })
        #expect(messages.contains { $0.contains("linked") && $0.contains("leading out of the content folder") })
        #expect(loaded.diagnostics.hasErrors)
        // Nothing of the secret in any exhibit that was kept.
        #expect(!"\(loaded.exhibits)".contains("SECRET-TOKEN-42"))
        // A link that stays inside the content folder is fine.
        try FileManager.default.removeItem(atPath: folder + "/leak.txt")
        try "What was said.".write(toFile: venue.contentPath + "/notes.txt", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: folder + "/leak.txt",
                                                   withDestinationPath: venue.contentPath + "/notes.txt")
        let again = ExhibitLoader().loadFolder(venue.contentPath).diagnostics.map { "\($0)" }
        #expect(!again.contains { $0.contains("transcript 'leak.txt' is a link") }, "\(again)")
    }
}

extension ContentFolderTests {
    /// A file named as a recording, captions or an image must be of that kind: an SVG (which may carry a script)
    /// named as a recording is refused with the kinds that are accepted.
    @Test func filesOfTheWrongKindAreRefused() throws {
        let venue = try TemporaryVenue()
        try venue.addExhibit("evil", """
            ---
            title: Evil
            media:
              - audio: evil.svg
                transcript: Nothing.
              - film: clip.mp4
                captions: clip.srt
                transcript: Nothing.
            images:
              - file: logo.svg
                alt: A logo
            ---
            Text.
            """, files: ["evil.svg": Data("<svg/>".utf8), "clip.srt": Data("1\n".utf8), "logo.svg": Data("<svg/>".utf8)])
        let messages = ExhibitLoader().loadFolder(venue.contentPath).diagnostics.map { "\($0)" }
        #expect(messages.contains { $0.contains("audio 'evil.svg' is not a kind of file Vitrine shows as audio") && $0.contains(".mp3") },
                "\(messages)")
        #expect(messages.contains { $0.contains("captions 'clip.srt' is not a kind of file") && $0.contains(".vtt") })
        #expect(messages.contains { $0.contains("image 'logo.svg' is not a kind of file") && $0.contains(".png") })
    }
}
