import Foundation
import Logging
import Testing
import VitrineCore
import VitrineModel
import VitrinePluginAPI
import VitrineTestKit

/// `output: exec` with real child processes: the Python LED ticker end to end, and children that crash, hang,
/// write garbage, flood their output or ignore SIGTERM, beside a screen that must keep changing pages.
@Suite(.serialized) struct ExecOutputTests {
    let logger = Logger(label: "test")
    static let start = instant("2026-06-01T10:00:00Z")

    /// Processes whose command line mentions `marker` (the venue's folder): what a test leaves running.
    func processes(mentioning marker: String) -> [Int32] {
        let own = getpid()
        return ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { entry in
            guard let pid = Int32(entry), pid != own,
                  let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return nil }
            let line = String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
            // A zombie has an empty command line and is not running.
            return line.contains(marker) ? pid : nil
        }
    }

    func script(_ venue: TemporaryVenue, _ name: String, _ body: String) throws -> String {
        let path = venue.root.appendingPathComponent(name).path
        try ("#!/bin/sh\n" + body).write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
        return path
    }

    func daemon(_ venue: TemporaryVenue, clock: ManualClock) throws -> Daemon {
        let outcome = venue.load()
        #expect(outcome.diagnostics.errors.isEmpty, "\(outcome.diagnostics)")
        return Daemon(settings: .init(configPath: venue.configPath, registry: testRegistry, systemTimeZone: "UTC"),
                      initial: outcome, clock: clock, logger: logger)
    }

    @Test func theLEDTickerWritesEachPageToTheSign() async throws {
        let venue = try TemporaryVenue()
        let ticker = TemporaryVenue.packageRoot.appendingPathComponent("plugins/led-ticker/led_ticker.py").path
        let sign = venue.root.appendingPathComponent("sign.txt").path
        try venue.writeFirstAndSecond(screens: """
              sign:
                output: exec
                playlist: main
                command: [\(ticker)]
                settings:
                  device: \(sign)
                  protocol: plain
            """, first: "First «ёлка»", firstText: "The “first” page — here.")
        let clock = ManualClock(at: Self.start + 1_000)
        let daemon = try daemon(venue, clock: clock)
        daemon.start()
        func lines() -> [String] {
            ((try? String(contentsOfFile: sign, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }
        #expect(await eventually(timeout: .seconds(20)) { lines().count == 1 })
        // Folded to the sign's ASCII: guillemets and curly quotes made plain, Cyrillic left out, dash plain.
        #expect(lines().first == "First \"\": The \"first\" page - here.")
        #expect(daemon.status().screens.first?.health == "showing")
        clock.advance(to: Self.start + 10_000)
        #expect(await eventually(timeout: .seconds(10)) { lines().count == 2 })
        #expect(lines().last == "Second: The second page.")
        // A reload that leaves the screen's options alone keeps the same plugin process.
        let running = processes(mentioning: ticker)
        #expect(running.count == 1)
        try venue.addExhibit("second", "---\ntitle: Second\npage-duration: 10s\n---\nThe second page, revised.\n")
        #expect(await daemon.reload() == nil)
        #expect(await eventually(timeout: .seconds(10)) { lines().last == "Second: The second page, revised." })
        #expect(processes(mentioning: ticker) == running)
        await daemon.stopAll()
        #expect(processes(mentioning: ticker).isEmpty, "the plugin exits on shutdown")
    }

    /// A third-party player gets what a page plays: the file, the instant it starts, its length and its captions'
    /// cues (protocol version 2).
    @Test func aPluginIsToldWhatThePagePlaysAndWhen() async throws {
        let venue = try TemporaryVenue()
        let folder = try venue.addRecording("solidarity", seconds: 3, transcript: "We shared the bread. Nobody asked.",
                                            captions: [(0, 1.5, "We shared the bread."), (1.5, 3, "Nobody asked.")])
        let heard = venue.root.appendingPathComponent("heard.jsonl").path
        let player = try script(venue, "player.sh", """
            read hello
            printf '%s\n' "$hello" > \(heard)
            printf '{"type":"ready","protocol":2,"measure":null,"capabilities":[]}\n'
            exec cat >> \(heard)

            """)
        try venue.writeConfig("""
            timezone: UTC
            pages:
              lead-in: 1500ms
            playlists:
              main: [solidarity]
            screens:
              player:
                output: exec
                playlist: main
                command: [\(player)]

            """)
        let clock = ManualClock(at: Self.start + 1_000)
        let daemon = try daemon(venue, clock: clock)
        daemon.start()
        func messages() -> [[String: Any]] {
            ((try? String(contentsOfFile: heard, encoding: .utf8)) ?? "").split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
        }
        #expect(await eventually(timeout: .seconds(20)) { messages().contains { $0["type"] as? String == "present" } })
        #expect(messages().first?["protocol"] as? Int == 2)
        let present = try #require(messages().first { $0["type"] as? String == "present" })
        let media = try #require((present["media"] as? [[String: Any]])?.first, "\(present)")
        let validFrom = try #require(present["validFrom"] as? Int64)
        #expect(media["kind"] as? String == "audio" && media["title"] as? String == "Anton Weiss")
        #expect(media["path"] as? String == folder + "/testimony.ogg")
        #expect(media["start"] as? Int64 == validFrom + 1_500, "the page's start plus the lead-in")
        #expect(abs((media["milliseconds"] as? Int64 ?? 0) - 3_000) <= 50)
        let cues = try #require(media["cues"] as? [[String: Any]])
        #expect(cues.map { $0["text"] as? String } == ["We shared the bread.", "Nobody asked."])
        #expect(cues.map { $0["start"] as? Int64 } == [0, 1_500])
        #expect(present["validUntil"] as? Int64 ?? 0 >= validFrom + 1_500 + 3_000, "the page lasts the recording")
        await daemon.stopAll()
    }

    /// Five ways a plugin goes wrong, all at once, beside a screen that must keep changing on time.
    @Test func misbehavingPluginsNeverStopTheOtherScreens() async throws {
        let venue = try TemporaryVenue()
        let marker = venue.root.path
        let crash = try script(venue, "crash.sh", "echo 'crashing' >&2\nexit 3\n")
        let hang = try script(venue, "hang.sh", "sleep 600\n")
        let garbage = try script(venue, "garbage.sh", """
            printf 'not json\\n{"no":"type"}\\n{"type":"ready","measure":{"columns":"x"}}\\n'
            printf '{"type":"ready","protocol":1,"measure":{"columns":40,"rows":5}}\\n{"type":"shiny-new"}\\n'
            head -c 200000 /dev/zero | tr '\\0' 'x'; printf '\\n'
            while read -r line; do printf '\\377\\376 %s\\n' "$line"; done

            """)
        let flood = try script(venue, "flood.sh", """
            printf '{"type":"ready","protocol":1,"measure":null}\\n'
            while :; do echo '{"type":"log","level":"info","message":"flood"}'; done

            """)
        let stubborn = try script(venue, "stubborn.sh", """
            trap '' TERM
            printf '{"type":"ready","protocol":1,"measure":null}\\n'
            sleep 600 &
            while :; do read -r line || sleep 1; done

            """)
        let silent = try script(venue, "silent.sh", """
            printf '{"type":"ready","protocol":1,"measure":null,"capabilities":["ping"]}\\n'
            while read -r line; do :; done

            """)
        let recorder = Recorder(clock: { 0 })
        let name = "exec-steady-\(UUID().uuidString.prefix(6))"
        recorder.register(as: name)
        var screens = ""
        for (screen, path) in [("crash", crash), ("hang", hang), ("garbage", garbage), ("flood", flood),
                               ("stubborn", stubborn), ("silent", silent),
                               ("missing", venue.root.path + "/no-such-ticker"), ("unnamed", "no-such-ticker")] {
            screens += """
                  \(screen):
                    output: exec
                    playlist: main
                    command: [\(path)]
                    ready-timeout: 1s
                    stop-grace: 500ms
                    ping-interval: 1s
                    reply-timeout: 1s

                """
        }
        try venue.writeFirstAndSecond(screens: """
              steady:
                output: recording
                playlist: main
                recorder: \(name)
            \(screens)
            """)
        let clock = ManualClock(at: Self.start + 1_000)
        let daemon = try daemon(venue, clock: clock)
        daemon.start()
        func health(_ screen: String) -> String? { daemon.status().screens.first { $0.name == screen }?.health }

        #expect(await eventually(timeout: .seconds(15)) { health("crash") == "failed" && health("hang") == "failed" })
        #expect(daemon.status().screens.first { $0.name == "crash" }?.failure?.contains("the plugin exited") == true)
        #expect(daemon.status().screens.first { $0.name == "hang" }?.failure?.contains("no `ready`") == true)
        #expect(await eventually(timeout: .seconds(15)) { health("missing") == "failed" && health("unnamed") == "failed" })
        #expect(daemon.status().screens.first { $0.name == "missing" }?.failure?
            .contains("cannot start \(venue.root.path)/no-such-ticker: no executable file at that path") == true)
        #expect(daemon.status().screens.first { $0.name == "unnamed" }?.failure?
            .contains("cannot start no-such-ticker: no executable of that name on PATH") == true)
        #expect(await eventually(timeout: .seconds(15)) {
            daemon.status().screens.first { $0.name == "silent" }?.failure?.contains("did not answer a ping") == true
        })
        #expect(await eventually(timeout: .seconds(15)) {
            health("garbage") == "showing" && health("flood") == "showing" && health("stubborn") == "showing"
        }, "garbage is skipped, a flood is read and dropped, and each still shows pages")
        // The steady screen changes on time while all that goes on.
        for (index, at) in [10_000, 20_000, 30_000].enumerated() {
            clock.advance(to: Self.start + Int64(at))
            #expect(await eventually { recorder.entries.count >= index + 2 })
        }
        #expect(recorder.entries.map(\.frame.summary).prefix(3) == ["First 1/1", "Second 1/1", "First 1/1"])
        // Restarted with backoff, not in a tight loop.
        try await Task.sleep(for: .seconds(2))
        #expect(health("crash") == "failed")

        await daemon.stopAll()
        #expect(await eventually(timeout: .seconds(5)) { processes(mentioning: marker).isEmpty },
                "nothing left running: \(processes(mentioning: marker))")
    }
}
