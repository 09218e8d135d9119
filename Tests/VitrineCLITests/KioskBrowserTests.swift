import Foundation
import Testing
import VitrineTestKit

/// The kiosk page in a real headless Chromium (Debian's `chromium`), driven over the DevTools protocol by
/// Tests/browser/kiosk_check.py: pushed pages arrive, and no page of any demo exhibit reaches past the stage at
/// 1920x1080 or 1080x1920.
@Suite(.serialized) struct KioskBrowserTests {
    @Test func everyDemoPageFitsTheStageInARealBrowser() async throws {
        let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
        try #require(chromium != nil, "chromium is not installed (make setup installs it)")
        let venue = try TemporaryVenue()
        try venue.copyDemo()
        let exhibits = ["solidarity", "long-winter", "letters-home", "harbour-workshop", "lantern-loan"]
        let sizes = [(1920, 1080), (1080, 1920)]
        var screens = ""
        var playlists = ""
        for exhibit in exhibits {
            playlists += "  \(exhibit): [{ exhibit: \(exhibit), duration: 2s }]\n"
            for (w, h) in sizes {
                screens += "  \(exhibit)-\(w)x\(h):\n    output: http\n    playlist: \(exhibit)\n"
                    + "    width: \(w)\n    height: \(h)\n"
            }
        }
        try venue.writeConfig("""
            timezone: UTC
            pages: { duration: 2s }
            themes:
              paper: { background: "#F6F1E7", text: "#1D1B18", accent: "#7A1F1F", muted: "#4F4A42", transition: cut }
            playlists:
            \(playlists)
            screens:
            \(screens)
            http:
              listen: 127.0.0.1:0
            """)
        let (process, port) = try await startDaemon(venue)
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        let client = HTTPTestClient(port: port)
        let status = try await client.request("GET", "/api/status")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(status.body)) as? [String: Any])
        let listed = try #require(json["screens"] as? [[String: Any]])
        var arguments = ["http://127.0.0.1:\(port)"]
        var expected: [String: Int] = [:]
        for screen in listed {
            let name = try #require(screen["name"] as? String)
            let pages = try #require(screen["pages"] as? Int, "\(name) shows no exhibit page")
            let size = name.split(separator: "-").last!
            expected[name] = pages
            arguments.append("\(name):\(size):\(pages)")
        }
        #expect(expected.count == exhibits.count * sizes.count)
        let shot = venue.root.appendingPathComponent("solidarity.png").path
        arguments += ["--screenshot", "solidarity-1920x1080=\(shot)", "--timeout", "120"]

        let report = try await BrowserCheck(arguments).report()
        let results = try #require(report["screens"] as? [String: [String: Any]])
        for (name, pages) in expected {
            let seen = results[name]?["pages"] as? [[String: Any]] ?? []
            #expect(seen.count == pages, "\(name): \(seen.count) of \(pages) pages arrived")
            for page in seen {
                let summary = page["summary"] as? String ?? "?"
                let scroll = page["scroll"] as? [Int] ?? []
                #expect(scroll.count == 4 && scroll[0] <= scroll[1] && scroll[2] <= scroll[3],
                        "\(name) \(summary): the stage scrolls \(scroll)")
                let outside = page["outside"] as? [Any] ?? []
                #expect(outside.isEmpty, "\(name) \(summary): reaches past the stage: \(outside)")
                #expect((page["fonts"] as? Int ?? 0) >= 2, "\(name) \(summary): the served fonts did not load")
                let pictures = page["pictures"] as? [Bool] ?? []
                #expect(pictures.allSatisfy { $0 }, "\(name) \(summary): a picture did not load")
            }
        }
        // The screenshot shows a page: the paper colour fills most of it, with dark text on it.
        let picture = try #require(FileManager.default.contents(atPath: shot), "no screenshot")
        #expect(picture.count > 20_000, "the screenshot is nearly empty")
        try? FileManager.default.copyItem(atPath: shot, toPath: "/tmp/vitrine-kiosk-screenshot.png")
    }

    /// A recording on a kiosk page: a browser that opens the screen mid-recording plays from where the clock says,
    /// and a page sent again (a reload changed the footer) keeps the same player playing on, never from the start.
    @Test func aRecordingPlaysOnAcrossReSendsFromWhereTheClockSays() async throws {
        let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
        try #require(chromium != nil, "chromium is not installed (make setup installs it)")
        let venue = try TemporaryVenue()
        let file = try venue.addExhibit("recording", """
            ---
            title: A recording
            media:
              - audio: tone.ogg
                transcript: A tone, a minute long.
            ---
            Listen.

            """)
        try TestMedia.audio(at: (file as NSString).deletingLastPathComponent + "/tone.ogg", seconds: 60)
        // The playlist counts from a fixed moment 11 s ago: with the 1 s lead-in the recording began 10 s ago.
        let formatter = ISO8601DateFormatter()
        let epoch = formatter.string(from: Date().addingTimeInterval(-11))
        func config(footer: String) -> String {
            """
            timezone: UTC
            epoch: \(epoch)
            pages: { lead-in: 1s }
            themes:
              paper: { background: "#F6F1E7", text: "#1D1B18", transition: cut, footer: "\(footer)" }
            playlists:
              main: [recording]
            screens:
              kiosk: { output: http, playlist: main }
            http:
              listen: 127.0.0.1:0
            """
        }
        try venue.writeConfig(config(footer: "Before"))
        let (process, port) = try await startDaemon(venue)
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        let signal = venue.root.appendingPathComponent("signal").path
        let checker = try BrowserCheck(["http://127.0.0.1:\(port)", "--media", "kiosk", "12", "--signal", signal])
        // Meanwhile the page is sent again: a reload that changes the footer.
        try await Task.sleep(for: .seconds(5))
        try venue.writeConfig(config(footer: "Reloaded"))
        kill(process.processIdentifier, SIGHUP)
        try "Reloaded".write(toFile: signal, atomically: true, encoding: .utf8)
        let report = try await checker.report()
        let samples = try #require(report["samples"] as? [[String: Any]])
        #expect(samples.count >= 10, "\(samples)")
        let times = samples.compactMap { $0["time"] as? Double }
        let clocks = samples.compactMap { $0["clock"] as? Double }
        #expect(Set(samples.compactMap { $0["mark"] as? String }).count == 1, "the player was replaced: \(samples)")
        #expect(samples.contains { $0["changed"] as? Bool == true }, "the page was not sent again")
        #expect(samples.allSatisfy { $0["paused"] as? Bool == false }, "\(samples)")
        // It plays on, never back to the start, and stays where the clock says (joined about 10 s in).
        #expect(zip(times, times.dropFirst()).allSatisfy { $1 >= $0 - 0.2 }, "\(times)")
        #expect((times.last ?? 0) - (times.first ?? 0) > 5, "\(times)")
        #expect(zip(times, clocks).allSatisfy { abs($0 - $1) < 2 }, "player \(times) clock \(clocks)")
        #expect((times.first ?? 0) > 8, "joined at \(times.first ?? 0) s, not where the clock said")
    }

    /// `vitrine status` asks the running daemon and prints a line per screen.
    @Test func statusPrintsEveryScreen() async throws {
        let venue = try TemporaryVenue()
        try venue.addExhibit("first", "---\ntitle: First\n---\nText.\n")
        try venue.writeConfig("""
            timezone: UTC
            themes:
              paper: { background: "#F6F1E7", text: "#1D1B18" }
            playlists:
              main: [first]
            screens:
              entrance:
                output: http
                playlist: main
            http:
              listen: 127.0.0.1:0
            """)
        let (process, port) = try await startDaemon(venue)
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        let result = try await offThePool { try Vitrine.run(["status", "--url", "http://127.0.0.1:\(port)"]) }
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("entrance  http  showing  First 1/1"), "\(result.stdout)")
        let down = try await offThePool { try Vitrine.run(["status", "--url", "http://127.0.0.1:9"]) }
        #expect(down.status == 1 && down.stderr.contains("no daemon answers"))
    }
}

/// Tests/browser/kiosk_check.py running in the background, and its JSON report once it is done.
struct BrowserCheck {
    let process = Process()
    let out = Pipe()

    init(_ arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", TemporaryVenue.packageRoot.appendingPathComponent("Tests/browser/kiosk_check.py").path]
            + arguments
        process.standardOutput = out
        try process.run()
    }

    /// Waits for the checker to finish; its report, whose `error` must be null.
    func report() async throws -> [String: Any] {
        let (process, out) = (self.process, self.out)
        let data = try await offThePool {
            let data = out.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return data
        }
        let report = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any],
                                  "\(String(decoding: data, as: UTF8.self))")
        #expect(report["error"] is NSNull, "\(report["error"] ?? "")")
        return report
    }
}
