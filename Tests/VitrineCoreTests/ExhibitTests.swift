import Foundation
import Testing
@testable import VitrineCore
import VitrineModel
import VitrineTestKit

@Suite struct ExhibitTests {
    let demo = TemporaryVenue.packageRoot.appendingPathComponent("config/exhibits").path

    @Test func demoExhibitHasEveryKindOfBlock() throws {
        let result = ExhibitLoader().loadFolder(demo)
        #expect(result.diagnostics.errors.isEmpty, "\(result.diagnostics)")
        let solidarity = try #require(result.exhibits["solidarity"])
        #expect(solidarity.displayTitle == "Days and Lives :: Solidarity")
        var kinds: Set<String> = []
        for block in solidarity.blocks {
            switch block {
            case .heading: kinds.insert("heading")
            case .paragraph: kinds.insert("paragraph")
            case .summary: kinds.insert("summary")
            case .testimony: kinds.insert("testimony")
            case .image: kinds.insert("image")
            case .media: kinds.insert("media")
            }
        }
        #expect(kinds == ["heading", "paragraph", "summary", "testimony", "image", "media"])
        guard case let .testimony(testimony) = solidarity.blocks.first else {
            Issue.record("the testimony comes first")
            return
        }
        #expect(testimony.speaker == "Anton Weiss")
        #expect(testimony.role == "net-mender")
        #expect(testimony.context == "recorded in 1971, fifty years after the winter he describes")
        let media = solidarity.blocks.compactMap { if case let .media(m) = $0 { m } else { nil } }
        #expect(media.first?.transcript.count == 3, "the sidecar transcript's three paragraphs")
        #expect(media.first?.captions == "testimony-reading.vtt")
        let image = solidarity.blocks.compactMap { if case let .image(i) = $0 { i } else { nil } }.first
        #expect(image?.pixelWidth == 640 && image?.pixelHeight == 300)
        #expect(image?.caption == "The net loft where the bread bank was kept, drawn from memory.")
    }

    @Test func typographySurvives() throws {
        let result = ExhibitLoader().loadFolder(demo)
        let letters = try #require(result.exhibits["letters-home"])
        #expect(letters.title == "Письма домой")
        let text = letters.blocks.compactMap { if case let .paragraph(t) = $0 { t.plain } else { nil } }.joined()
        #expect(text.contains("«за́мок» и «замо́к»"), "combining acute accents are kept")
        #expect(text.contains("1929-м"))
        let solidarity = try #require(result.exhibits["solidarity"])
        let body = solidarity.blocks.compactMap { if case let .paragraph(t) = $0 { t.plain } else { nil } }.joined()
        #expect(body.contains("“bread bank”"), "curly quotes")
        #expect(body.contains("town’s"), "apostrophes become typographic")
    }

    @Test func bodyQuoteWithDashBecomesAttributedTestimony() throws {
        let venue = try TemporaryVenue()
        try venue.addExhibit("q", """
            ---
            title: Q
            ---
            > They came at dawn.
            >
            > We were ready.
            >
            > -- Ivan Petrov, fisherman (on the night of the flood)
            """)
        let result = ExhibitLoader().loadFolder(venue.contentPath)
        guard case let .testimony(t)? = result.exhibits["q"]?.blocks.first else {
            Issue.record("no testimony")
            return
        }
        #expect(t.quote.map(\.plain) == ["They came at dawn.", "We were ready."])
        #expect(t.speaker == "Ivan Petrov")
        #expect(t.role == "fisherman")
        #expect(t.context == "on the night of the flood")
    }

    /// A day that does not exist is said so, with its place, instead of "expected a date as YYYY-MM-DD".
    @Test func aDayThatDoesNotExistIsNamed() throws {
        let venue = try TemporaryVenue()
        try venue.addExhibit("winter", "---\ntitle: Winter\nvalid-until: 2027-02-30\n---\nText.\n")
        try venue.addExhibit("spring", "---\ntitle: Spring\nvalid-until: 2027-13-01\n---\nText.\n")
        let messages = ExhibitLoader().loadFolder(venue.contentPath).diagnostics.map { "\($0)" }
        #expect(messages.contains { $0.hasSuffix("winter/exhibit.md:3:14: error: valid-until: 2027-02-30 does not exist: "
            + "February 2027 has 28 days") }, "\(messages)")
        #expect(messages.contains { $0.hasSuffix("spring/exhibit.md:3:14: error: valid-until: 2027-13-01 does not exist: "
            + "there is no month 13") }, "\(messages)")
    }

    /// A picture named in another case than its file (a camera's PORTRAIT.JPG) gets a did-you-mean; messages that
    /// used to carry only a line now carry their column too.
    @Test func wrongCaseNamesAreSuggestedAndMessagesCarryColumns() throws {
        let venue = try TemporaryVenue()
        try venue.addExhibit("case", """
            ---
            title: Case
            images:
              - file: Portrait.JPG
                alt: A portrait.
            ---
            Text with <b>raw</b> and ![a lost one](portrat.jpg).

            <div>A block of HTML.</div>

            """)
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52,
                            0, 0, 0, 10, 0, 0, 0, 10, 8, 2, 0, 0, 0]
        try Data(png).write(to: URL(fileURLWithPath: venue.contentPath + "/case/portrait.jpg"))
        try venue.addExhibit("control", "---\ntitle: Control\n---\nA bell\u{07} rings.\n")
        try venue.addExhibit("untitled", "---\nsummary: No title.\n---\nText.\n")
        let messages = ExhibitLoader().loadFolder(venue.contentPath).diagnostics.map(\.description)
        let folder = venue.contentPath
        for expected in [
            "\(folder)/case/exhibit.md:4:5: error: image 'Portrait.JPG' is missing in \(folder)/case; did you mean "
                + "'portrait.jpg'? (file names are case-sensitive)",
            "\(folder)/case/exhibit.md:7:26: error: image 'portrat.jpg' is missing in \(folder)/case; did you mean "
                + "'portrait.jpg'?",
            "\(folder)/case/exhibit.md:9:1: warning: raw HTML is not shown on screens",
            "\(folder)/control/exhibit.md:4:7: error: control character U+7 in text",
            "\(folder)/untitled/exhibit.md:1:1: error: no title: add 'title:' to the front matter or start the text with '# Title'",
        ] {
            #expect(messages.contains(expected), "\(expected)\nnot in \(messages)")
        }
    }

    /// YAML's own words, kept with their place, and what they usually mean, for the mistakes people make.
    @Test func yamlSyntaxErrorsComeWithAHint() throws {
        let venue = try TemporaryVenue()
        try venue.addExhibit("colon", "---\ntitle: Bread: a story\n---\nText.\n")
        try venue.addExhibit("quote", "---\ntitle: \"Bread\nsummary: x\n---\nText.\n")
        try venue.addExhibit("bracket", "---\ntitle: Bread\ntags: [a, b\n---\nText.\n")
        let messages = ExhibitLoader().loadFolder(venue.contentPath).diagnostics.map { "\($0)" }
        #expect(messages.contains { $0.contains("colon/exhibit.md:2:") && $0.contains("mapping values are not allowed")
            && $0.contains("a value that contains ': ' must be put in quotes") }, "\(messages)")
        // An unclosed quote or bracket is pointed at where it opens (the parser gives up lines later).
        #expect(messages.contains { $0.contains("quote/exhibit.md:2:8: error: YAML syntax: found unexpected end of stream")
            && $0.contains("a quote opened here is never closed") }, "\(messages)")
        #expect(messages.contains { $0.contains("bracket/exhibit.md:3:7: error: YAML syntax:")
            && $0.contains("a list in [brackets] opened here is not closed") }, "\(messages)")
    }

    @Test func brokenExhibitsAreReportedAndTheOthersStillLoad() throws {
        let venue = try TemporaryVenue()
        try venue.addExhibit("good", "---\ntitle: Good\n---\nFine.\n")
        // Invalid UTF-8 on line 4, column 6.
        var bad = Data("---\ntitle: Bad\n---\nHello ".utf8)
        bad.append(contentsOf: [0xFF, 0xFE])
        try venue.writeRaw("exhibits/bad-utf8/exhibit.md", bad)
        try venue.addExhibit("unclosed", "---\ntitle: Unclosed\nNo closing line.\n")
        try venue.addExhibit("bad-yaml", "---\ntitle: [Broken\n---\nText\n")
        try venue.addExhibit("typo", "---\ntitel: Typo\nseries: S\n---\n# Heading Title\nText\n")
        try venue.addExhibit("missing-image", "---\ntitle: Pictures\n---\nText\n\n![A view](view.png)\n")
        try venue.addExhibit("no-alt", "---\ntitle: Alt\nimages:\n  - file: a.png\n---\nText\n",
                             files: ["a.png": samplePNG()])
        try venue.addExhibit("silent-audio", "---\ntitle: Audio\nmedia:\n  - audio: a.wav\n---\nText\n",
                             files: ["a.wav": Data("RIFF".utf8)])
        try venue.addExhibit("escape", "---\ntitle: Escape\nimages:\n  - file: ../../etc/passwd\n    alt: x\n---\n")
        try venue.writeRaw("exhibits/too-big/exhibit.md",
                           Data(("---\ntitle: Big\n---\n" + String(repeating: "word ", count: 300_000)).utf8))
        // An exhibit.md that cannot be read: a folder in its place.
        try FileManager.default.createDirectory(atPath: venue.contentPath + "/unreadable/exhibit.md",
                                                withIntermediateDirectories: true)

        let result = ExhibitLoader().loadFolder(venue.contentPath)
        let byFile = Dictionary(grouping: result.diagnostics) {
            URL(fileURLWithPath: $0.file).deletingLastPathComponent().lastPathComponent
        }
        func errors(_ id: String) -> [Diagnostic] { (byFile[id] ?? []).filter { $0.severity == .error } }
        func warnings(_ id: String) -> [Diagnostic] { (byFile[id] ?? []).filter { $0.severity == .warning } }

        #expect(result.exhibits["good"] != nil)
        #expect(errors("good").isEmpty)

        #expect(errors("bad-utf8").first?.message.contains("invalid UTF-8") == true)
        #expect(errors("bad-utf8").first?.line == 4 && errors("bad-utf8").first?.column == 7)
        #expect(result.rejected.contains("bad-utf8"))

        #expect(errors("unclosed").first?.message.contains("never closed") == true)
        #expect(errors("bad-yaml").first?.message.hasPrefix("YAML syntax") == true)
        #expect((errors("bad-yaml").first?.line ?? 0) >= 2, "front-matter lines count from the file's first line")

        // A misspelt front-matter key is an error, and the heading still gives the exhibit its title.
        #expect(errors("typo").map(\.message) == ["front matter: unknown key 'titel'; did you mean 'title'?"])
        #expect(errors("typo").first?.line == 2)
        #expect(result.exhibits["typo"]?.title == "Heading Title")

        #expect(errors("missing-image").first?.message.contains("image 'view.png' is missing") == true)
        #expect(errors("missing-image").first?.line == 6)
        #expect(result.exhibits["missing-image"] != nil, "the rest of the exhibit is still shown")

        #expect(warnings("no-alt").contains { $0.message.contains("has no alt text") })
        #expect(warnings("silent-audio").contains { $0.message.contains("has no transcript") })
        #expect(errors("escape").first?.message.contains("must be a file inside the exhibit folder") == true)
        #expect(errors("too-big").first?.message.contains("over the 1048576-byte limit") == true)
        #expect(errors("unreadable").first?.message.contains("cannot read") == true)
    }

    @Test func hostileFilesNeitherHangNorCrash() throws {
        let venue = try TemporaryVenue()
        // Twenty thousand nested quotes and deep emphasis: parsed, the absurd depth cut off, no stack overflow.
        try venue.addExhibit("deep", "---\ntitle: Deep\n---\n" + String(repeating: ">", count: 20_000) + " hi\n"
            + String(repeating: "*", count: 5_000) + "x" + String(repeating: "*", count: 5_000) + "\n")
        // A FIFO where the Markdown file or an image should be: reading it would block for ever.
        try FileManager.default.createDirectory(atPath: venue.contentPath + "/fifo", withIntermediateDirectories: true)
        #expect(mkfifo(venue.contentPath + "/fifo/exhibit.md", 0o644) == 0)
        try venue.addExhibit("pipe-image", "---\ntitle: Pipe\nimages:\n  - file: a.png\n    alt: A pipe.\n---\nText.\n")
        #expect(mkfifo(venue.contentPath + "/pipe-image/a.png", 0o644) == 0)
        let result = ExhibitLoader().loadFolder(venue.contentPath)
        #expect(result.exhibits["deep"]?.title == "Deep")
        #expect(result.diagnostics.contains { $0.file.hasSuffix("fifo/exhibit.md") && $0.message.contains("not a regular file") })
        #expect(result.diagnostics.contains { $0.message.contains("image 'a.png' is not a PNG or JPEG") })
        #expect(result.exhibits["pipe-image"] != nil)
    }

    @Test func titleFromFirstHeadingWhenFrontMatterHasNone() throws {
        let venue = try TemporaryVenue()
        try venue.addExhibit("plain", "# A Plain Exhibit\n\nJust Markdown, no front matter.\n")
        let exhibit = try #require(ExhibitLoader().loadFolder(venue.contentPath).exhibits["plain"])
        #expect(exhibit.title == "A Plain Exhibit")
        #expect(exhibit.blocks == [.paragraph("Just Markdown, no front matter.")])
    }

    @Test func markdownEmphasisIsKeptAsSpans() throws {
        let venue = try TemporaryVenue()
        try venue.addExhibit("e", "---\ntitle: E\n---\nThe *Gulag Handbook* and **bold** `code`.\n")
        let exhibit = try #require(ExhibitLoader().loadFolder(venue.contentPath).exhibits["e"])
        guard case let .paragraph(text)? = exhibit.blocks.first else {
            Issue.record("no paragraph")
            return
        }
        #expect(text.spans.contains(TextSpan("Gulag Handbook", style: .emphasis)))
        #expect(text.spans.contains(TextSpan("bold", style: .strong)))
        #expect(text.spans.contains(TextSpan("code", style: .code)))
    }
}

/// A reload reads again only the exhibits whose files changed; the others come from the daemon's cache.
@Suite struct ExhibitCacheTests {
    @Test func onlyChangedExhibitsAreReadAgain() throws {
        let venue = try TemporaryVenue()
        try venue.writeFirstAndSecond(screens: "  hall:\n    output: terminal\n    playlist: main\n    tty: /dev/null\n")
        try venue.addExhibit("second", "---\ntitle: Second\nimages:\n  - file: photo.png\n    alt: A photo.\n---\nText.\n",
                             files: ["photo.png": samplePNG(width: 4, height: 3)])
        let cache = ExhibitCache()
        let loader = ProgramLoader(registry: testRegistry, systemTimeZone: "UTC", exhibitCache: cache)
        #expect(loader.load(path: venue.configPath).program?.exhibits.count == 2)
        #expect(cache.counts.hits == 0 && cache.counts.misses == 2)

        // Nothing changed: nothing is read.
        #expect(loader.load(path: venue.configPath).program?.exhibits["first"]?.title == "First")
        #expect(cache.counts.hits == 2 && cache.counts.misses == 2)

        // An edited text, then a replaced picture (same size in bytes, new content): each read again, alone.
        try venue.addExhibit("first", "---\ntitle: First, edited\npage-duration: 10s\n---\nNew text.\n")
        #expect(loader.load(path: venue.configPath).program?.exhibits["first"]?.title == "First, edited")
        #expect(cache.counts.hits == 3 && cache.counts.misses == 3)
        try venue.writeRaw("exhibits/second/photo.png", samplePNG(width: 8, height: 6))
        _ = loader.load(path: venue.configPath)
        #expect(cache.counts.hits == 4 && cache.counts.misses == 4)

        // A file added beside an exhibit counts as a change too; a broken exhibit is read (and reported) again.
        try venue.writeRaw("exhibits/first/notes.txt", Data("x".utf8))
        try venue.writeRaw("exhibits/second/exhibit.md", Data("---\ntitle: [unclosed\n---\n".utf8))
        let broken = loader.load(path: venue.configPath)
        #expect(cache.counts.misses == 6)
        #expect(broken.diagnostics.errors.contains { $0.file.hasSuffix("second/exhibit.md") })
        let still = loader.load(path: venue.configPath)
        #expect(still.diagnostics.errors.contains { $0.file.hasSuffix("second/exhibit.md") }, "cached errors are reported")
        #expect(cache.counts.misses == 6)
    }

    /// While the content watcher reports changes, exhibits in watched flat folders it reported nothing in are not
    /// looked at; what it reports is read again, and after `changedEverything` (a SIGHUP) every file is looked at.
    @Test func whatTheWatcherReportsIsAllThatIsLookedAt() throws {
        let venue = try TemporaryVenue()
        try venue.writeFirstAndSecond(screens: "  hall:\n    output: terminal\n    playlist: main\n    tty: /dev/null\n")
        try venue.writeRaw("exhibits/second/notes/draft.txt", Data("a subfolder".utf8))
        let cache = ExhibitCache()
        let loader = ProgramLoader(registry: testRegistry, systemTimeZone: "UTC", exhibitCache: cache)
        let first = venue.contentPath + "/first", second = venue.contentPath + "/second"
        _ = loader.load(path: venue.configPath)
        for folder in [venue.contentPath, first, second] { cache.watching(folder) }

        // Watched only from now: the first reload looks at every file, then the flat folder is trusted.
        _ = loader.load(path: venue.configPath)
        #expect(cache.servedUnlooked == 0)
        _ = loader.load(path: venue.configPath)
        #expect(cache.servedUnlooked == 1, "first (flat) is not looked at; second has a subfolder, so it is")

        // An edit the watcher did not report is not seen (that is the trust); reported, it is.
        try venue.addExhibit("first", "---\ntitle: First, unreported\n---\nText.\n")
        #expect(loader.load(path: venue.configPath).program?.exhibits["first"]?.title == "First")
        cache.changed([first])
        #expect(loader.load(path: venue.configPath).program?.exhibits["first"]?.title == "First, unreported")

        // A SIGHUP (or lost events) looks at everything again.
        try venue.addExhibit("first", "---\ntitle: First, after a SIGHUP\n---\nText.\n")
        cache.changedEverything()
        #expect(loader.load(path: venue.configPath).program?.exhibits["first"]?.title == "First, after a SIGHUP")

        // Once the watcher stops, nothing is trusted.
        try venue.addExhibit("first", "---\ntitle: First, unwatched\n---\nText.\n")
        cache.stoppedWatching()
        #expect(loader.load(path: venue.configPath).program?.exhibits["first"]?.title == "First, unwatched")
    }

    /// The configuration is not read again while its file stands as it was read (same inode, size and times), and
    /// is as soon as it changes, even rewritten in place to the same size; a change with errors is reported at
    /// every read, never answered with the configuration remembered before it.
    @Test func theConfigurationIsReadAgainOnlyWhenItsFileChanged() throws {
        let venue = try TemporaryVenue()
        try venue.writeFirstAndSecond(screens: "  hall:\n    output: terminal\n    playlist: main\n    tty: /dev/null\n")
        // File times move in clock ticks: only a file that has stood still for a second is known by its stamp.
        func standStill() { Thread.sleep(forTimeInterval: 1.1) }
        standStill()
        let loader = ProgramLoader(registry: testRegistry, systemTimeZone: "UTC", exhibitCache: ExhibitCache())
        let first = loader.configurationLoader
        var reader = first
        reader.memo = loader.exhibitCache?.configuration
        #expect(reader.load(path: venue.configPath).remembered == false)
        #expect(reader.load(path: venue.configPath).remembered == true)
        let text = try String(contentsOfFile: venue.configPath, encoding: .utf8)
        let swapped = text.replacingOccurrences(of: "main: [first, second]", with: "main: [second, first]")
        #expect(swapped != text && swapped.utf8.count == text.utf8.count)
        let file = try #require(FileHandle(forWritingAtPath: venue.configPath))
        try file.write(contentsOf: Data(swapped.utf8))
        try file.close()
        let again = reader.load(path: venue.configPath)
        #expect(again.remembered == false)
        #expect(again.configuration?.playlists["main"]?.items.map(\.exhibit.rawValue) == ["second", "first"])
        #expect(reader.load(path: venue.configPath).remembered == true)

        let broken = try #require(FileHandle(forWritingAtPath: venue.configPath))
        try broken.truncate(atOffset: 0)
        try broken.write(contentsOf: Data("playlists: [unclosed\n".utf8))
        try broken.close()
        standStill()
        for read in 1...2 {
            let loaded = reader.load(path: venue.configPath)
            #expect(loaded.configuration == nil && loaded.diagnostics.hasErrors, "read \(read)")
        }
    }

    /// A watched reload looks the playlists' names up again only when an exhibit came, went or was left out since
    /// they were all found: a playlist's exhibit broken by a save is still reported as left out, and the warning
    /// goes once it is mended.
    @Test func aWatchedReloadStillReportsAPlaylistsExhibitLeftOut() throws {
        let venue = try TemporaryVenue()
        try venue.writeFirstAndSecond(screens: "  hall:\n    output: terminal\n    playlist: main\n    tty: /dev/null\n")
        let cache = ExhibitCache()
        let loader = ProgramLoader(registry: testRegistry, systemTimeZone: "UTC", exhibitCache: cache)
        let root = venue.contentPath
        _ = loader.load(path: venue.configPath)
        for name in ["", "/first", "/second"] { cache.watching(root + name) }
        _ = loader.load(path: venue.configPath)
        let leftOut = { (outcome: ProgramLoader.Outcome) in
            outcome.diagnostics.contains { $0.message.contains("exhibit 'second' is left out because it has errors") }
        }
        let quiet = loader.load(path: venue.configPath)
        #expect(quiet.program?.exhibits.count == 2 && !leftOut(quiet))
        #expect(quiet.program?.contentVersion?.patchedFrom != nil, "patched from the last reading")

        try venue.writeRaw("exhibits/second/exhibit.md", Data("---\ntitle: [unclosed\n---\n".utf8))
        cache.changed([root + "/second"])
        let broken = loader.load(path: venue.configPath)
        #expect(leftOut(broken), "\(broken.diagnostics)")
        #expect(leftOut(loader.load(path: venue.configPath)), "still said while it stays broken")
        try venue.addExhibit("second", "---\ntitle: Second\n---\nText.\n")
        cache.changed([root + "/second"])
        let mended = loader.load(path: venue.configPath)
        #expect(!leftOut(mended) && mended.program?.exhibits.count == 2)
    }

    /// While the content folder's own entries are unchanged, a watched reload starts from the last reading and reads
    /// only what was reported: the result is the one a whole read gives (exhibits, left-out ones, messages), through
    /// an edit, a break and its fix, an exhibit added and one removed.
    @Test func aWatchedReloadPatchesTheLastReadingToWhatAWholeReadGives() throws {
        let venue = try TemporaryVenue()
        try venue.writeFirstAndSecond(screens: "  hall:\n    output: terminal\n    playlist: main\n    tty: /dev/null\n")
        try venue.addExhibit("third", "---\ntitle: Third\n---\nText.\n")
        let cache = ExhibitCache()
        let root = venue.contentPath
        func folder(_ name: String) -> String { root + "/" + name }
        func read() -> ExhibitLoader.Result { ExhibitLoader(cache: cache).loadFolder(root) }
        func same(_ patched: ExhibitLoader.Result, _ note: Comment) {
            let whole = ExhibitLoader().loadFolder(root)
            #expect(patched.exhibits.mapValues(\.title) == whole.exhibits.mapValues(\.title), note)
            #expect(patched.rejected == whole.rejected, note)
            #expect(patched.diagnostics.map(\.description) == whole.diagnostics.map(\.description), note)
            #expect(patched.problems.mapValues(\.description) == whole.problems.mapValues(\.description), note)
        }
        _ = read()
        for name in ["", "/first", "/second", "/third"] { cache.watching(root + name) }
        _ = read()  // the first watched read looks at every file
        let unlooked = cache.servedUnlooked
        same(read(), "nothing changed")
        #expect(cache.servedUnlooked == unlooked + 3, "no exhibit looked at")

        try venue.addExhibit("first", "---\ntitle: First, edited\n---\nNew text.\n")
        cache.changed([folder("first"), folder("first") + "/exhibit.md"])
        let edited = read()
        #expect(edited.exhibits["first"]?.title == "First, edited")
        same(edited, "an edit")
        #expect(cache.servedUnlooked == unlooked + 5, "the two others not looked at")

        try venue.writeRaw("exhibits/second/exhibit.md", Data("---\ntitle: [unclosed\n---\n".utf8))
        cache.changed([folder("second")])
        let broken = read()
        #expect(broken.exhibits["second"] == nil && broken.rejected == ["second"])
        #expect(broken.problems["second"] != nil)
        same(broken, "a break")
        try venue.addExhibit("second", "---\ntitle: Second, mended\n---\nText.\n")
        cache.changed([folder("second")])
        same(read(), "the break mended")

        // The folder's own entries change: an exhibit added, one removed; the watcher reports the folder itself.
        try venue.addExhibit("fourth", "---\ntitle: Fourth\n---\nText.\n")
        try FileManager.default.removeItem(atPath: folder("third"))
        cache.changed([root, folder("fourth"), folder("third")])
        cache.watching(folder("fourth"))
        let moved = read()
        #expect(moved.exhibits["fourth"]?.title == "Fourth" && moved.exhibits["third"] == nil)
        same(moved, "an exhibit added, one removed")
        same(read(), "nothing changed after")

        // The listing itself is not read again while the watcher reports nothing in the folder (that is the trust).
        try venue.addExhibit("fifth", "---\ntitle: Fifth\n---\nText.\n")
        #expect(read().exhibits["fifth"] == nil)
        cache.changed([root])
        #expect(read().exhibits["fifth"]?.title == "Fifth")
    }
}
