import Foundation
import Testing
import VitrineTestKit

/// The kiosk page in a real headless Chromium (Debian's `chromium`), driven over the DevTools protocol by
/// Tests/browser/kiosk_check.py: pushed pages arrive, and no page of any demo exhibit reaches past the stage at
/// 1920x1080 or 1080x1920.
@Suite(.serialized) struct KioskBrowserTests {
    @Test func everyDemoPageFitsTheStageInARealBrowser() async throws {
        try requireChromium()
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
        // The translations too, each at one size: Arabic set right to left on a portrait panel, Chinese, and
        // English beside Russian in columns.
        let translated = [("harbour-workshop", "[ar]", "page", 1080, 1920),
                          ("lantern-loan", "[zh-Hans]", "page", 1920, 1080),
                          ("letters-home", "[en, ru]", "side-by-side", 1920, 1080)]
        for (exhibit, languages, turns, w, h) in translated {
            do {
                screens += "  \(exhibit)-\(turns == "page" ? "in" : "beside")-\(w)x\(h):\n    output: http\n"
                    + "    playlist: \(exhibit)\n    languages: \(languages)\n    language-turns: \(turns)\n"
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
        #expect(expected.count == exhibits.count * sizes.count + translated.count)
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
                // A first page sets its title in the heading face and its text in the body face; a later page may
                // hold only a picture and its caption, in one face.
                #expect((page["fonts"] as? Int ?? 0) >= (summary.contains(" 1/") ? 2 : 1),
                        "\(name) \(summary): the served fonts did not load")
                let pictures = page["pictures"] as? [Bool] ?? []
                #expect(pictures.allSatisfy { $0 }, "\(name) \(summary): a picture did not load")
            }
        }
        // The screenshot shows a page: the paper colour fills most of it, with dark text on it.
        let picture = try #require(FileManager.default.contents(atPath: shot), "no screenshot")
        #expect(picture.count > 20_000, "the screenshot is nearly empty")
        try? FileManager.default.copyItem(atPath: shot, toPath: "/tmp/vitrine-kiosk-screenshot.png")
    }

    /// A recording of about a minute on a kiosk page plays to its end from where the clock says, across a minute clock
    /// tick (the theme shows a clock, so the page is sent again each minute) and a reload that changes the footer:
    /// one player, never restarted, never paused; its captions are drawn large on the page (browsers draw none for
    /// sound); a second browser opened mid-recording starts near where the clock says.
    @Test func aRecordingPlaysToItsEndAcrossClockTicksAndAReload() async throws {
        try requireChromium()
        let venue = try TemporaryVenue()
        // The playlist counts from a fixed moment 26 s ago: with the 1 s lead-in the recording began 25 s ago. The
        // browser watches it to its end, at least 35 s and past the next minute tick (when the clock on the page
        // changes and the page is sent again): the recording is made as long as that needs (58 to 111 s).
        let now = Date()
        let epochDate = now.addingTimeInterval(-26)
        // The tick must come after the browser starts watching (the recording is made, the daemon and the browser
        // start first: a few seconds, more on a loaded machine): one less than 20 s away is too close, so the next.
        var tick = (now.timeIntervalSince1970 / 60).rounded(.down) * 60 + 60
        if tick - now.timeIntervalSince1970 < 20 { tick += 60 }
        let end = max(now.timeIntervalSince1970 + 35, tick + 8)
        let length = Int((end - 2 - (epochDate.timeIntervalSince1970 + 1)).rounded(.up))
        // A caption for each ten seconds: "Cue 1" from 0 s to 9 s, "Cue 2" from 10 s to 19 s…
        let cues: [(start: Double, end: Double, text: String)] = (0..<((length + 9) / 10)).map { (i: Int) in
            (start: Double(i * 10), end: Double(min(i * 10 + 9, length)), text: "Cue \(i + 1)")
        }
        try venue.addRecording("recording", seconds: Double(length), transcript: "A tone.", captions: cues)
        let epoch = ISO8601DateFormatter().string(from: epochDate)
        func config(footer: String) -> String {
            """
            timezone: UTC
            epoch: \(epoch)
            pages: { lead-in: 1s, lead-out: 10s }
            themes:
              paper: { background: "#F6F1E7", text: "#1D1B18", transition: cut, clock: true, footer: "\(footer)" }
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
        // Until two seconds after the recording's end (the lead-in, then the recording).
        let watch = epochDate.addingTimeInterval(1 + Double(length) + 2).timeIntervalSinceNow
        let checker = try BrowserCheck(["http://127.0.0.1:\(port)", "--media", "kiosk", "\(Int(watch.rounded()))",
                                        "--signal", signal, "--join-after", "25"])
        // Meanwhile the page is sent again: a reload that changes the footer.
        try await Task.sleep(for: .seconds(20))
        try venue.writeConfig(config(footer: "Reloaded"))
        kill(process.processIdentifier, SIGHUP)
        try "Reloaded".write(toFile: signal, atomically: true, encoding: .utf8)
        let report = try await checker.report()
        let all = try #require(report["samples"] as? [[String: Any]])
        let first = all.filter { $0["tab"] as? Int == 0 }, second = all.filter { $0["tab"] as? Int == 1 }
        #expect(Double(first.count) >= watch * 1.4, "\(first.count) samples in \(watch) s")
        let times = first.compactMap { $0["time"] as? Double }
        let clocks = first.compactMap { $0["clock"] as? Double }
        let (from, to) = ((first.first?["at"] as? Double) ?? 0, (first.last?["at"] as? Double) ?? 0)
        #expect((to / 60).rounded(.down) > (from / 60).rounded(.down), "watched \(from)–\(to): not across a minute tick")
        #expect(Set(first.compactMap { $0["mark"] as? String }).count == 1, "the player was replaced")
        #expect(first.contains { $0["changed"] as? Bool == true }, "the page was not sent again")
        // It plays on, never back to the start, never paused before the end, where the clock says, to the end.
        #expect(zip(times, times.dropFirst()).allSatisfy { $1 >= $0 - 0.2 }, "\(times)")
        #expect(first.allSatisfy { $0["paused"] as? Bool == false || $0["ended"] as? Bool == true }, "paused")
        #expect(zip(times, clocks).allSatisfy { $1 > Double(length) - 1 || abs($0 - $1) < 2 },
                "player \(times) clock \(clocks)")
        #expect((times.first ?? 0) > 20 && (times.first ?? 99) < 35, "joined at \(times.first ?? 0) s")
        #expect(first.contains { $0["ended"] as? Bool == true } && (times.last ?? 0) > Double(length) - 0.5,
                "did not play to the end: \(times.suffix(5))")
        // The caption spoken is on the page (away from the moments a cue changes).
        let due = first.compactMap { sample -> (String?, String)? in
            guard let time = sample["time"] as? Double, sample["ended"] as? Bool == false,
                  time.truncatingRemainder(dividingBy: 10) > 1, time.truncatingRemainder(dividingBy: 10) < 8
            else { return nil }
            return (sample["caption"] as? String, "Cue \(Int(time / 10) + 1)")
        }
        #expect(due.count > 30 && due.filter { $0.0 == $0.1 }.count >= due.count * 9 / 10,
                "captions: \(due.filter { $0.0 != $0.1 }.prefix(5))")
        // The second browser, opened 25 s later, starts where the clock says, not at the start.
        let joined = try #require(second.first { ($0["time"] as? Double ?? 0) > 0 }, "the second tab never played")
        let (time, clock) = (joined["time"] as? Double ?? 0, joined["clock"] as? Double ?? 0)
        #expect(time > 45 && abs(time - clock) < 2, "second browser at \(time) s, clock \(clock) s")
    }

    /// A film on a kiosk page is large (its area in the page, never over the foot) with its captions drawn over
    /// it; a browser that blocks sound plays it muted, and operators are told on the dashboard's status.
    @Test func aFilmIsLargeAndABrowserThatBlocksSoundIsReported() async throws {
        try requireChromium()
        let venue = try TemporaryVenue()
        try venue.addFilm("reel", file: "film.mp4", captions: [(0, 30, "Words of the witness")]) {
            try TestMedia.film(at: $0, seconds: 30)
        }
        let epoch = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-4))
        try venue.writeConfig("""
            timezone: UTC
            epoch: \(epoch)
            pages: { lead-in: 1s }
            themes:
              paper: { transition: cut, clock: true, footer: "Free entry on Sundays" }
            playlists:
              main: [reel]
            screens:
              kiosk: { output: http, playlist: main }
            http:
              listen: 127.0.0.1:0
            """)
        let (process, port) = try await startDaemon(venue)
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        let checker = try BrowserCheck(["http://127.0.0.1:\(port)", "--media", "kiosk", "8", "--block-sound"])
        let report = try await checker.report()
        let samples = try #require(report["samples"] as? [[String: Any]])
        let playing = samples.filter { $0["paused"] as? Bool == false && ($0["time"] as? Double ?? 0) > 0 }
        #expect(playing.count >= 5, "the film did not play muted: \(samples.suffix(3))")
        #expect(playing.allSatisfy { $0["muted"] as? Bool == true && $0["kind"] as? String == "video" })
        let box = try #require(playing.last?["player"] as? [String: Double])
        #expect((box["w"] ?? 0) >= 1920 * 0.8 && (box["h"] ?? 0) >= 1080 * 0.4, "a small film: \(box)")
        #expect(samples.allSatisfy { $0["overlaps"] as? Bool == false }, "the film covers the foot")
        #expect(playing.contains { $0["caption"] as? String == "Words of the witness" }, "no caption over the film")
        let client = HTTPTestClient(port: port)
        let status = try await offThePool { try client.requestNow("GET", "/api/status", headers: [:], body: "", timeout: 5) }
        let text = String(decoding: status.body, as: UTF8.self)
        #expect(text.contains("blocks sound"), "\(text)")
    }

    /// The companion page on a phone-sized Chromium: in the phone's language, its recording playing with captions
    /// in that language, and what a screen reader needs (Chromium's accessibility tree: every control named; headings
    /// in order; the page's language set; text at 7:1 or more); nothing requested from anywhere else.
    @Test func theCompanionPageReadsAndPlaysInTheVisitorsLanguage() async throws {
        try requireChromium()
        let venue = try TemporaryVenue()
        try venue.addVoice()
        try venue.writeConfig("""
            timezone: UTC
            themes:
              paper: { background: "#F6F1E7", text: "#1D1B18" }
            playlists:
              main: [voice]
            screens:
              entrance: { output: http, playlist: main, visitor-code: true }
            http:
              listen: 127.0.0.1:0
              visitor-url: http://127.0.0.1:8080
            """)
        let (process, port) = try await startDaemon(venue)
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        let shot = venue.root.appendingPathComponent("companion.png").path
        let report = try await BrowserCheck(["http://127.0.0.1:\(port)/visit/voice?shown=en",
                                             "--accept-language", "ru-RU,ru;q=0.9", "--screenshot", shot],
                                            script: "companion_check.py").report()
        #expect(report["lang"] as? String == "ru" && report["title"] as? String == "Голос", "\(report)")
        let headings = report["headings"] as? [Int] ?? []
        #expect(headings.first == 1 && zip(headings, headings.dropFirst()).allSatisfy { $1 <= $0 + 1 }, "\(headings)")
        #expect((report["unnamed"] as? [String])?.isEmpty == true, "unnamed controls: \(report["unnamed"] ?? "")")
        #expect((report["controls"] as? [String] ?? []).contains("link"), "\(report["controls"] ?? "")")
        #expect((report["lowContrast"] as? [Any])?.isEmpty == true, "\(report["lowContrast"] ?? "")")
        #expect((report["external"] as? [String])?.isEmpty == true, "\(report["external"] ?? "")")
        #expect(report["scrollsSideways"] as? Bool == false)
        let video = try #require(report["video"] as? [String: Any], "\(report)")
        #expect((video["time"] as? Double ?? 0) > 0.3 && video["error"] is NSNull, "the recording plays: \(video)")
        #expect(video["trackMode"] as? String == "showing" && video["trackLanguage"] as? String == "ru", "\(video)")
        #expect(video["cues"] as? [String] == ["У нас не было ничего."], "captions in Russian: \(video)")
        #expect(FileManager.default.fileExists(atPath: shot))
    }

    /// A visitor at a touch screen taps Русский, then the next page; left alone for `quiet`, the screen is back on
    /// the schedule's page. Tapped as a finger would (pointer events at the button), in a real Chromium.
    @Test func aVisitorChoosesTheLanguageOnATouchScreenAndTheScheduleComesBack() async throws {
        try requireChromium()
        let venue = try TemporaryVenue()
        try venue.copyDemo()
        try venue.writeConfig("""
            timezone: UTC
            themes:
              paper: { background: "#F6F1E7", text: "#1D1B18", accent: "#7A1F1F", muted: "#4F4A42", transition: cut }
            playlists:
              main: [{ exhibit: letters-home, duration: 10m }]
            screens:
              vitrine:
                output: http
                playlist: main
                languages: [en]
                touch: true
                quiet: 5s
            http:
              listen: 127.0.0.1:0
            """)
        let (process, port) = try await startDaemon(venue)
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        let report = try await BrowserCheck(["http://127.0.0.1:\(port)", "vitrine", "ru", "5"],
                                            script: "touch_check.py").report()
        let steps = try #require(report["steps"] as? [[String: Any]])
        let titles = steps.map { ($0["title"] as? String ?? "").components(separatedBy: " · ").first ?? "" }
        let pressed = steps.map { $0["pressed"] as? String ?? "-" }
        #expect(steps.count == 4, "\(report)")
        // The schedule's page (English, whichever page the clock is on), the visitor's two, the schedule's again.
        #expect(titles.first?.hasPrefix("Letters Home ") == true && titles.last == titles.first, "\(titles)")
        #expect(titles.dropFirst().prefix(2) == ["Письма домой 1/2", "Письма домой 2/2"], "\(titles)")
        #expect(pressed == ["en", "ru", "ru", "en"], "\(pressed)")
        #expect((steps.first?["buttons"] as? [String]) == ["Русский", "English", "Previous page", "Next page"],
                "every button is named: \(steps.first?["buttons"] ?? "")")
        #expect((steps[1]["text"] as? String ?? "").contains("Письма домой"))
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

/// Fails the test unless Chromium is installed (`make setup` installs it).
func requireChromium() throws {
    let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
    try #require(chromium != nil, "chromium is not installed (make setup installs it)")
}

/// Tests/browser/kiosk_check.py running in the background, and its JSON report once it is done.
struct BrowserCheck {
    let process = Process()
    let out = Pipe()

    init(_ arguments: [String], script: String = "kiosk_check.py") throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", TemporaryVenue.packageRoot.appendingPathComponent("Tests/browser/\(script)").path]
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
