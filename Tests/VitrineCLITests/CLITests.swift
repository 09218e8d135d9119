import Foundation
import Testing
import VitrineRenderer
import VitrineTestKit

@Suite(.serialized) struct CLITests {
    @Test func checkAcceptsTheDemo() throws {
        let demo = TemporaryVenue.packageRoot.appendingPathComponent("config/vitrine.yaml").path
        let result = try Vitrine.run(["check", "--config", demo])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("ok: 3 screens, 5 exhibits"))
    }

    /// A translation without the original's summary is worth a warning in its own file, not a refusal; a
    /// character no font draws too; `schedule` shows the languages taking turns.
    @Test func checkWarnsAboutAnIncompleteTranslationAndStillAccepts() throws {
        let venue = try TemporaryVenue()
        try venue.copyDemo()
        let english = venue.contentPath + "/letters-home/exhibit.en.md"
        var text = try String(contentsOfFile: english, encoding: .utf8)
        let summary = try #require(text.range(of: "summary:"))
        let testimony = try #require(text.range(of: "testimony:"))
        text.removeSubrange(summary.lowerBound..<testimony.lowerBound)
        text = text.replacingOccurrences(of: "A language of hints", with: "A language of hints \u{E000}")
        try text.write(toFile: english, atomically: true, encoding: .utf8)
        let result = try Vitrine.run(["check", "--config", venue.configPath])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("letters-home/exhibit.en.md:1:1: warning: no summary (exhibit.md has it)"),
                "\(result.stderr)")
        #expect(result.stderr.contains("letters-home/exhibit.en.md: warning: no installed font draws ‘\u{E000}’ (U+E000)"))
        #expect(result.stdout.contains("2 warnings"))

        let schedule = try Vitrine.run(["schedule", "--config", venue.configPath, "--at", "2026-12-02T10:00",
                                        "--for", "10m"])
        let wall = schedule.stdout.components(separatedBy: "wall:").last ?? ""
        #expect(wall.contains("The Harbour Workshop [harbour-workshop] page 1/2 · in en"))
        #expect(wall.contains("ورشة الميناء [harbour-workshop] page 1/2 · in ar"))
        // The terminal in the hall: Russian, then English.
        let later = try Vitrine.run(["schedule", "--config", venue.configPath, "--at", "2026-12-02T10:05",
                                     "--for", "10m", "--screen", "hall-a"])
        let hall = later.stdout
        let russian = try #require(hall.range(of: "Письма домой [letters-home] page 1/"), "\(hall)")
        let inEnglish = try #require(hall.range(of: "Letters Home [letters-home] page 1/"), "\(hall)")
        #expect(russian.lowerBound < inEnglish.lowerBound)
        let pages = try Vitrine.run(["pages", "letters-home", "--language", "en", "--config", venue.configPath])
        #expect(pages.status == 0 && pages.stdout.contains("Letters Home") && !pages.stdout.contains("Письма домой"))

        // Arabic on the terminal would be unreadable: said, not refused.
        var yaml = try String(contentsOfFile: venue.configPath, encoding: .utf8)
        yaml = yaml.replacingOccurrences(of: "languages: [ru, en]  ", with: "languages: [ar, en]  ")
        try yaml.write(toFile: venue.configPath, atomically: true, encoding: .utf8)
        let arabic = try Vitrine.run(["check", "--config", venue.configPath])
        #expect(arabic.status == 0)
        #expect(arabic.stderr.contains("screens.hall-a.languages: ar is written right to left, which a text terminal "
            + "cannot show"), "\(arabic.stderr)")
    }

    /// `vitrine render` of the demo's Arabic, Chinese and Russian pages, read back from the PNG: Arabic lines hang
    /// from the right (the series and title end at the same column, and start at different ones); no language's ink
    /// reaches into the side margins.
    @Test(arguments: [("harbour-workshop", "ar", 1280, 720), ("harbour-workshop", "ar", 1080, 1920),
                      ("lantern-loan", "zh-Hans", 1920, 1080), ("letters-home", "ru", 3840, 2160)])
    func renderSetsEachLanguageInItsOwnDirection(exhibit: String, language: String, width: Int, height: Int) throws {
        let venue = try TemporaryVenue()
        let demo = TemporaryVenue.packageRoot.appendingPathComponent("config/vitrine.yaml").path
        let png = venue.root.appendingPathComponent("page.png").path
        let result = try Vitrine.run(["render", "--config", demo, "--screen", "wall", "--exhibit", exhibit,
                                      "--language", language, "--size", "\(width)x\(height)", "--output", png])
        #expect(result.status == 0, "\(result.stderr)")
        let canvas = try #require(Canvas.load(png: png))
        // Bands of rows with dark ink (text on the paper theme), each with its leftmost and rightmost inked column.
        func bands(to bottom: Int) -> [(left: Int, right: Int)] {
            var found: [(left: Int, right: Int)] = [], current: (left: Int, right: Int)?
            for y in 0..<bottom {
                let inked = (0..<canvas.width).filter { x in
                    let p = canvas.pixel(x: x, y: y)
                    return (p >> 16) & 0xFF < 140 && (p >> 8) & 0xFF < 140 && p & 0xFF < 140
                }
                if let first = inked.first, let last = inked.last {
                    current = (min(current?.left ?? first, first), max(current?.right ?? last, last))
                } else if let band = current {
                    found.append(band)
                    current = nil
                }
            }
            return found
        }
        let margin = Double(min(width, height)) * 0.06
        let all = bands(to: height * 3 / 4)
        #expect(all.count >= 2, "\(exhibit) \(language): no text painted")
        for band in all {
            #expect(Double(band.left) >= margin * 0.8 && Double(band.right) <= Double(width) - margin * 0.8,
                    "\(exhibit) \(language) at \(width)x\(height): ink in the margin \(band)")
        }
        if language == "ar" {
            // The series line and the title: flush right, ragged left.
            let head = Array(all.prefix(2))
            #expect(abs(head[0].right - head[1].right) <= width / 100, "not flush right: \(head)")
            #expect(abs(head[0].left - head[1].left) > width / 50, "flush left as well: \(head)")
        }
    }

    @Test func checkReportsEveryProblemWithItsLineAndExitsOne() throws {
        let venue = try TemporaryVenue()
        try venue.copyDemo()
        var yaml = try String(contentsOfFile: venue.configPath, encoding: .utf8)
        yaml = yaml.replacingOccurrences(of: "after-hours: lobby", with: "aftre-hours: lobby")  // misspelt key
        yaml = yaml.replacingOccurrences(of: "words-per-minute: 180", with: "words-per-minute: fast")  // bad type
        // The first screen's playlist misspelt, then written again.
        if let first = yaml.range(of: "    playlist: main\n") {
            yaml.replaceSubrange(first, with: "    playlist: mian\n    playlist: main\n")
        }
        try yaml.write(toFile: venue.configPath, atomically: true, encoding: .utf8)
        // An unreadable exhibit: its Markdown file replaced by a folder (root can read any file).
        let letters = venue.contentPath + "/letters-home/exhibit.md"
        try FileManager.default.removeItem(atPath: letters)
        try FileManager.default.createDirectory(atPath: letters, withIntermediateDirectories: false)

        let result = try Vitrine.run(["check", "--config", venue.configPath])
        #expect(result.status == 1)
        let lines = result.stderr.split(separator: "\n").map(String.init)
        func line(of needle: String) -> Int {
            yaml.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains(needle) }.map { $0 + 1 }
                ?? 0
        }
        let config = venue.configPath
        let expected = [
            "\(config):\(line(of: "aftre-hours")):1: error: unknown key 'aftre-hours'; did you mean 'after-hours'?",
            "\(config):\(line(of: "words-per-minute: fast")):21: error: pages.words-per-minute: expected a whole number from 20 to 2000, found 'fast'",
            "\(config):\(line(of: "    playlist: main")):5: error: duplicate key 'playlist' (first written at line \(line(of: "playlist: mian")))",
            "\(config):\(line(of: "playlist: mian")):15: error: screens.hall-a.playlist: no playlist named 'mian'; did you mean 'main'?",
        ]
        for message in expected {
            #expect(lines.contains(message), "missing: \(message)\n\(result.stderr)")
        }
        #expect(lines.contains(letters + ": error: cannot read file: Is a directory"), "\(result.stderr)")
        // The playlist's reference to the broken exhibit is a warning, not a second error.
        #expect(lines.contains { $0.contains("warning: playlists.main[2]: exhibit 'letters-home' is left out") })
        #expect(lines.last?.hasSuffix("5 errors, 1 warning") == true, "\(lines.last ?? "")")
    }

    @Test func usageErrorsExitTwo() throws {
        #expect(try Vitrine.run(["check", "--confg", "x.yaml"]).status == 2)
        #expect(try Vitrine.run(["frobnicate"]).status == 2)
        let demo = TemporaryVenue.packageRoot.appendingPathComponent("config/vitrine.yaml").path
        let bad = try Vitrine.run(["schedule", "--config", demo, "--at", "tomorrow"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("expected a date and time"))
        #expect(try Vitrine.run(["check", "--help"]).status == 0)
    }

    @Test func missingConfigurationIsAClearError() throws {
        let result = try Vitrine.run(["check", "--config", "/nonexistent/vitrine.yaml"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("/nonexistent/vitrine.yaml: error: cannot read file: no such file"))
    }

    @Test func scheduleAnswersForAnyInstant() throws {
        let demo = TemporaryVenue.packageRoot.appendingPathComponent("config/vitrine.yaml").path
        let open = try Vitrine.run(["schedule", "--config", demo, "--at", "2026-12-05T10:00"])
        #expect(open.status == 0)
        #expect(open.stdout.contains("hall-a  Days and Lives :: Solidarity [solidarity] page 1/"), "\(open.stdout)")
        let closed = try Vitrine.run(["schedule", "--config", demo, "--at", "2026-12-07T12:00", "--screen", "hall-a"])
        // Closed on Mondays: the after-hours playlist (the lobby loop) until Tuesday's opening.
        #expect(closed.stdout.contains("· theme paper · after-hours lobby ·") && closed.stdout.contains("until 2026-12-07 12:"),
                "\(closed.stdout)")
        #expect(closed.stdout.contains("hall-a  "),
                "\(closed.stdout)")
        let christmasEve = try Vitrine.run(["schedule", "--config", demo, "--at", "2026-12-24T17:45"])
        #expect(christmasEve.stdout.contains("announcement christmas-eve-closing · until 2026-12-24 18:00:00"))
        let timeline = try Vitrine.run(["schedule", "--config", demo, "--at", "2026-12-05T10:00", "--for", "10m",
                                        "--screen", "hall-a"])
        #expect(timeline.status == 0)
        #expect(timeline.stdout.split(separator: "\n").filter { $0.hasPrefix("  2026-12-05 10:0") }.count >= 8)
    }

    @Test func renderWritesWhatAScreenShows() throws {
        let demo = TemporaryVenue.packageRoot.appendingPathComponent("config/vitrine.yaml").path
        let venue = try TemporaryVenue()
        let png = venue.root.appendingPathComponent("wall.png").path
        let result = try Vitrine.run(["render", "--config", demo, "--screen", "wall", "--at", "2026-12-05T10:00",
                                      "--size", "1280x720", "--output", png])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("wall at 2026-12-05 10:00:00:"), "\(result.stdout)")
        let header = [UInt8](try Data(contentsOf: URL(fileURLWithPath: png)).prefix(24))
        #expect(header.prefix(4) == [0x89, 0x50, 0x4E, 0x47])
        #expect(header[16..<24] == [0, 0, 5, 0, 0, 0, 2, 0xD0], "1280x720")

        let sheet = venue.root.appendingPathComponent("day.png").path
        let day = try Vitrine.run(["render", "--config", demo, "--screen", "wall", "--at", "2026-12-05T12:00",
                                   "--size", "640x360", "--contact-sheet", "--output", sheet])
        #expect(day.status == 0, "\(day.stderr)")
        #expect(day.stdout.contains("distinct pages"))
        #expect(FileManager.default.fileExists(atPath: sheet))

        // A chosen page of an exhibit, without looking for its time in the schedule.
        let chosen = try Vitrine.run(["render", "--config", demo, "--screen", "wall", "--at", "2026-12-05T10:00",
                                      "--exhibit", "solidarity", "--page", "2", "--size", "1280x720", "--output", png])
        #expect(chosen.status == 0 && chosen.stdout.contains(": Solidarity 2/"), "\(chosen.stdout)\(chosen.stderr)")
        let tooFar = try Vitrine.run(["render", "--config", demo, "--screen", "wall", "--exhibit", "solidarity",
                                      "--page", "99", "--output", png])
        #expect(tooFar.status == 2 && tooFar.stderr.contains("'solidarity' has"), "\(tooFar.stderr)")
        let unknown = try Vitrine.run(["render", "--config", demo, "--screen", "wall", "--exhibit", "soldiarity",
                                       "--output", png])
        #expect(unknown.status == 2 && unknown.stderr.contains("no exhibit 'soldiarity'"), "\(unknown.stderr)")
        #expect(unknown.stderr.contains("did you mean 'solidarity'?"), "\(unknown.stderr)")
        #expect(try Vitrine.run(["render", "--config", demo, "--screen", "wall", "--page", "2", "--output", png]).status == 2)
        #expect(try Vitrine.run(["render", "--config", demo, "--screen", "nowhere", "--output", png]).status == 2)
        #expect(try Vitrine.run(["render", "--config", demo, "--screen", "wall", "--size", "huge",
                                 "--output", png]).status == 2)
        let unwritable = try Vitrine.run(["render", "--config", demo, "--screen", "wall",
                                          "--output", "/nonexistent/dir/x.png"])
        #expect(unwritable.status == 1)
        #expect(unwritable.stderr.contains("cannot write /nonexistent/dir/x.png"))
    }

    /// `vitrine pages` (and `render --exhibit`) on an exhibit left out for errors says so, and where the first is;
    /// it used to say "no exhibit 'x' (exhibits: )".
    @Test func pagesOfAnExhibitWithErrorsSaysWhere() throws {
        let venue = try TemporaryVenue()
        try venue.writeConfig("""
            timezone: UTC
            playlists:
              main: [good]
            screens:
              hall: { output: terminal, playlist: main }

            """)
        try venue.addExhibit("good", "---\ntitle: Good\n---\nText.\n")
        try venue.addExhibit("broken", "---\ntitle: \"Unclosed\n---\nText.\n")
        let file = venue.contentPath + "/broken/exhibit.md"
        let pages = try Vitrine.run(["pages", "broken", "--config", venue.configPath])
        #expect(pages.status == 2, "\(pages.stderr)")
        #expect(pages.stderr.contains("exhibit 'broken' is left out because it has errors; the first: \(file):2:8: YAML syntax"),
                "\(pages.stderr)")
        let render = try Vitrine.run(["render", "--config", venue.configPath, "--screen", "hall", "--exhibit", "broken",
                                      "--output", venue.root.path + "/x.png"])
        #expect(render.status == 2 && render.stderr.contains("--exhibit: exhibit 'broken' is left out because it has errors"),
                "\(render.stderr)")
        let typo = try Vitrine.run(["pages", "brokne", "--config", venue.configPath])
        #expect(typo.stderr.contains("no exhibit 'brokne' in \(venue.contentPath); did you mean 'broken'?"), "\(typo.stderr)")
    }

    /// A page with more words than can be read in `pages.max` at the configured pace is a warning that says the
    /// pace visitors would need; a short exhibit is not.
    @Test func aPageTooLongToReadInItsTimeIsAWarning() throws {
        let venue = try TemporaryVenue()
        try venue.writeConfig("""
            timezone: UTC
            pages: { words-per-minute: 180, max: 45s }
            playlists:
              main: [long, short]
            screens:
              hall: { output: terminal, playlist: main, columns: 200, rows: 60 }

            """)
        let words = (1...300).map { "word\($0 % 17)" }.joined(separator: " ")
        try venue.addExhibit("long", "---\ntitle: Long\n---\n\(words).\n")
        try venue.addExhibit("short", "---\ntitle: Short\n---\nA few words.\n")
        let result = try Vitrine.run(["check", "--config", venue.configPath])
        #expect(result.status == 0, "\(result.stderr)")
        let file = venue.contentPath + "/long/exhibit.md"
        #expect(result.stderr.contains("\(file): warning: page 1 of 1 on screen 'hall' has 301 words: at 180 words per "
            + "minute they need 100 s, but pages.max keeps it up 45 s — visitors would have to read 402 words per "
            + "minute"), "\(result.stderr)")
        #expect(!result.stderr.contains("short/exhibit.md"), "\(result.stderr)")
        let quick = try Vitrine.run(["check", "--no-pages", "--config", venue.configPath])
        #expect(quick.status == 0 && !quick.stderr.contains("words per minute"), "\(quick.stderr)")
    }

    @Test func checkOfAThousandExhibits() throws {
        let venue = try TemporaryVenue()
        try venue.writeConfig(GeneratedVenue.config(exhibits: 1000))
        try GeneratedVenue.writeExhibits(count: 1000, into: venue)
        let started = Date()
        let result = try Vitrine.run(["check", "--config", venue.configPath])
        let seconds = Date().timeIntervalSince(started)
        #expect(result.status == 0, "\(result.stderr.prefix(2000))")
        #expect(result.stdout.contains("1000 exhibits"))
        // A figure for the log, not a limit: time limits live in the benchmarks (bench/check-1000.sh).
        print("vitrine check, 1000 exhibits (debug build): \(String(format: "%.2f", seconds)) s")
    }
}
