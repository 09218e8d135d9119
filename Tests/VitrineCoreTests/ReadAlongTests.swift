import Foundation
import Testing
import VitrineCore
import VitrinePluginAPI
import VitrineTestKit

/// The terminal follows a recording: its sound on the screen's audio device, the caption being spoken highlighted in
/// the transcript (reverse video), moving on as the clock does.
@Suite(.serialized) struct ReadAlongTests {
    @Test func theTranscriptHighlightsTheCaptionBeingSpokenAndTheSoundPlays() async throws {
        let venue = try TemporaryVenue()
        try venue.addRecording("solidarity", seconds: 9, transcript: "We shared the bread. Nobody asked who would do it.",
                               captions: [(0, 6, "We shared the bread."), (6, 9, "Nobody asked who would do it.")])
        let exhibit = try #require(ExhibitLoader().loadFolder(venue.contentPath).exhibits["solidarity"])
        let measurer = CellMeasurer(columns: 80, rows: 24)
        let page = try #require(Paginator().paginate(exhibit, measurer: measurer).first { !$0.media.isEmpty })
        let start: Int64 = 1_764_936_000_000
        let frame = TestMedia.frame(showing: page, on: "hall", at: start)
        // Joined 0.5 s into the recording: the first caption is spoken, the second 5.5 s later (real time from here).
        let now = TestMedia.clock(from: start + 1_500)
        let screen = venue.root.appendingPathComponent("tty").path
        let sound = venue.root.appendingPathComponent("heard.wav").path
        FileManager.default.createFile(atPath: screen, contents: nil)
        let output = try testRegistry.make(type: "terminal", screen: "hall", options: [
            ("tty", screen), ("columns", "80"), ("rows", "24"), ("colours", "16"), ("audio", "file:\(sound)"),
        ].map { OptionEntry(key: $0.0, node: OptionNode(.scalar($0.1))) }).get()
        let (stream, sink) = AsyncStream<Frame>.makeStream()
        let context = OutputContext(screen: "hall", logger: Logger(label: "test"), surfaceChanged: { _ in },
                                    shown: { _ in }, now: now)
        let task = Task { try await output.run(frames: stream, context: context) }
        sink.yield(frame)

        /// The words drawn in reverse video in the last screenful written.
        func highlighted() -> [String] {
            let text = (try? String(contentsOfFile: screen, encoding: .utf8)) ?? ""
            let last = text.components(separatedBy: "\u{1B}[1;1H").last ?? ""
            return last.components(separatedBy: ";7m").dropFirst().compactMap {
                $0.components(separatedBy: "\u{1B}[").first?.trimmingCharacters(in: .whitespaces)
            }
        }
        #expect(await eventually(timeout: .seconds(5)) { highlighted().joined(separator: " ").contains("We shared") },
                "\(highlighted())")
        #expect(await eventually(timeout: .seconds(9)) { highlighted().joined(separator: " ").contains("Nobody asked") },
                "\(highlighted())")
        #expect(!highlighted().joined(separator: " ").contains("We shared"))
        // The sound is heard from where the clock was when it opened (0.5 s in, later on a loaded machine) to the end:
        // never the whole 9 s. (The WAV sink writes as fast as it is given sound; closing the device may pad it with
        // silence, so it is read before. Exact lengths: PlayerTests.)
        // By now (the second caption, 5.5 s later) the sink has all of it.
        let heard = (try? TestMedia.wavSeconds(sound)) ?? 0
        #expect(heard >= 1 && heard <= 8.6, "heard \(heard) s")
        sink.finish()
        try await task.value
    }
}
